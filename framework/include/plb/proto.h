/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L4 protocols (tcp, udp, icmp), looked up by IP protocol number. A protocol
 * owns parsing of its header, local delivery, which packets may open a conn,
 * its conn state machine and timeouts, and generic rewrite helpers for the
 * forwarding modes; it carries no per-forwarding-mode handler (DESIGN §3).
 */
#ifndef PLB_PROTO_H
#define PLB_PROTO_H

#include <stdint.h>
#include <plb/conn.h>
#include <plb/hook.h>
#include <plb/pkt.h>

struct plb_proto_ops {
	uint8_t ipproto;	/**< IPPROTO_TCP, IPPROTO_UDP, ... */
	/**
	 * [fast] Required. Validate the L4 header at pkt->l4_off and fill
	 * sport/dport/tcp_flags. PLB_ACCEPT or PLB_DROP (reason counted).
	 * The L3 handler calls it once, for non-fragments, before steering.
	 */
	enum plb_verdict (*parse)(struct plb_pkt *pkt);
	/**
	 * [fast] Optional. A packet addressed to plb itself, after LOCAL_IN
	 * accepted it (echo reply, RST). PLB_STOLEN or PLB_DROP.
	 */
	enum plb_verdict (*local_in)(struct plb_pkt *pkt);
	/**
	 * [fast] Optional: a protocol without it never makes conns. 1 if
	 * @pkt, which matches no conn, may open one (TCP: a SYN without ACK).
	 */
	int (*conn_sched)(const struct plb_pkt *pkt);
	/**
	 * [fast] Required with conn_sched. Advance @conn's state machine for
	 * @pkt travelling in @dir; calls plb_conn_update() with the new state,
	 * whether it is active, and its timeout.
	 */
	void (*conn_state)(struct plb_conn *conn, const struct plb_pkt *pkt, int dir);
	/**
	 * [fast] Required with conn_sched. Set the L4 ports of @pkt (header and
	 * pkt->sport/dport) to @sport/@dport and update the L4 checksum for them and for the IPv4
	 * pseudo-header addresses @saddr/@daddr (network order) that the
	 * caller is about to write into the IP header. The caller owns the IP
	 * header (addresses, IP checksum).
	 */
	void (*rewrite4)(struct plb_pkt *pkt, uint32_t saddr, uint16_t sport,
			 uint32_t daddr, uint16_t dport);
	/**
	 * [fast] Optional. Answer @pkt, sent to a VIP port with no service,
	 * the protocol's way (TCP RST, ICMP port unreachable). PLB_STOLEN or
	 * PLB_DROP.
	 */
	enum plb_verdict (*reject)(struct plb_pkt *pkt);
	/** [fast] Optional. Short state name for conn listings ("ESTABLISHED"). */
	const char *(*state_name)(uint8_t state);
	/**
	 * [fast] Optional. @pkt, client -> server, matches @conn by its tuple
	 * but opens a new connection that reuses the client's port (TCP: a SYN
	 * while @conn is closing or closed, IPVS's conn_reuse_mode). 1: the
	 * caller drops @conn and schedules @pkt afresh, as the first packet of
	 * a new flow.
	 */
	int (*conn_reused)(const struct plb_conn *conn, const struct plb_pkt *pkt);
};

/** [fast] The protocol registered for @ipproto, or NULL. */
const struct plb_proto_ops *plb_proto_get(uint8_t ipproto);

#endif /* PLB_PROTO_H */
