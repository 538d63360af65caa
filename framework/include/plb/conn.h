/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connections, named as in IPVS: the client sends caddr:cport -> vaddr:vport;
 * plb sends laddr:lport -> daddr:dport to the real server (laddr:lport is a
 * local address under FNAT, the client itself under NAT, unused under DR and
 * TUN). Replies arrive as daddr:dport -> laddr:lport. Conns live in
 * per-worker tables owned by the core; only the owning worker touches one,
 * so none of these functions lock. Expiry costs O(expired): a timer wheel.
 * A conn holds its dest (which the core keeps alive, even after removal from
 * its service, until its last conn is gone) and its forwarding mode's ops;
 * never a service version, which may be replaced while the conn lives.
 */
#ifndef PLB_CONN_H
#define PLB_CONN_H

#include <stdint.h>
#include <plb/pkt.h>
#include <plb/svc.h>

struct plb_fwd_ops;

/** Direction of a packet relative to its conn. */
#define PLB_DIR_IN	0	/**< client -> server */
#define PLB_DIR_OUT	1	/**< server -> client */

/** plb_conn.flags */
#define PLB_CONN_F_NO_OUT	0x01	/**< replies never pass plb (DR, TUN): no reply key */
#define PLB_CONN_F_TEMPLATE	0x02	/**< a one-packet (OPS) conn on the stack, never inserted */
#define PLB_CONN_F_ACTIVE	0x04	/**< counted in dest->active_conns (else inactive) */

struct plb_conn {
	struct plb_addr caddr;	/**< client */
	struct plb_addr vaddr;	/**< virtual address */
	struct plb_addr laddr;	/**< source plb uses towards the server */
	struct plb_addr daddr;	/**< real server */
	uint16_t cport, vport, lport, dport;	/**< network order */
	uint8_t af;
	uint8_t proto;
	uint8_t state;		/**< owned by the L4 protocol */
	uint8_t flags;		/**< PLB_CONN_F_* */
	uint32_t timeout;	/**< seconds of idleness before it expires */
	uint32_t fwd_data;	/**< forwarding mode's own word (e.g. FNAT laddr index) */
	uint32_t reserved0;
	struct plb_dest *dest;
	const struct plb_fwd_ops *fwd;
	uint64_t expire;	/**< core-owned: tick it expires at */
	uint32_t wheel_next;	/**< core-owned: timer wheel links */
	uint32_t wheel_prev;
};

/**
 * [fast] The conn @pkt belongs to, in the calling worker's table, with
 * *dir set to PLB_DIR_IN or PLB_DIR_OUT; NULL if none. Uses pkt's af,
 * l4_proto, addresses and ports.
 */
struct plb_conn *plb_conn_lookup(const struct plb_pkt *pkt, int *dir);

/**
 * [fast] Create a conn for the first packet @pkt of a flow to @svc,
 * scheduled to @dest: fills the client side, asks the service's forwarding
 * mode for the server side (conn_init), inserts both keys, counts it on the
 * dest. NULL when the table is full or the mode has no local port left (the
 * service's stats say which).
 */
struct plb_conn *plb_conn_new(const struct plb_svc *svc, struct plb_dest *dest,
			      const struct plb_pkt *pkt);

/**
 * [fast] Set the protocol state and idle timeout of @c (seconds, from now)
 * and whether the state counts as active (IPVS: TCP ESTABLISHED) or inactive
 * for the dest's conn counts.
 */
void plb_conn_update(struct plb_conn *c, uint8_t state, int active, uint32_t timeout);

/** [fast] Expire @c now: release, unlink and free it. @c is invalid afterwards. */
void plb_conn_del(struct plb_conn *c);

/** [any] Conns in worker @worker's table. */
uint32_t plb_conn_count(uint32_t worker);

#endif /* PLB_CONN_H */
