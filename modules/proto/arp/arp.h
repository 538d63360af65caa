/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proto_arp's own declarations, shared by its three files: arp.c (the L3
 * handler: parse, steer, answer requests; init and fini), neigh.c (the
 * per-worker neighbour tables, neigh_output, learning) and conf.c (the
 * settings and the tables' allocation). Not part of the SDK.
 */
#ifndef PLB_PROTO_ARP_H
#define PLB_PROTO_ARP_H

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <plb/conf.h>
#include <plb/l3.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/module.h>
#include <plb/port.h>
#include <plb/stats.h>
#include <plb/worker.h>

#define ARP_LOG "proto.arp"
#define ARP_MAX_REQ 3		/* requests per resolution round before giving up */
#define ARP_EVICT_SCAN 64	/* entries looked at to reclaim one when the table is full */
#define ARP_FRAME_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr))

/* every counter: arp.<name>; each drop reason has its own */
#define ARP_COUNTERS(X) \
	X(RX_REQUEST, "rx_request") \
	X(RX_REPLY, "rx_reply") \
	X(RX_GRATUITOUS, "rx_gratuitous") \
	X(TX_REPLY, "tx_reply") \
	X(TX_REQUEST, "tx_request") \
	X(LEARNED, "learned") \
	X(RESOLVED_QUEUED, "resolved_queued") \
	X(DROP_QUEUE_FULL, "drop_queue_full") \
	X(DROP_UNRESOLVED, "drop_unresolved") \
	X(DROP_TABLE_FULL, "drop_table_full") \
	X(DROP_NO_HEADROOM, "drop_no_headroom") \
	X(DROP_BAD, "drop_bad") \
	X(DROP_NOT_FOR_US, "drop_not_for_us") \
	X(NOMBUF, "nombuf")

#define ARP_C_ENUM(c, n) ARP_C_##c,
#define ARP_C_NAME(c, n) n,
enum arp_counter { ARP_COUNTERS(ARP_C_ENUM) ARP_C_MAX };
extern const char *const arp_counter_names[ARP_C_MAX];

enum arp_state {
	ARP_S_FREE = 0,
	ARP_S_INCOMPLETE,	/* request sent, packets may wait in the queue */
	ARP_S_REACHABLE,	/* learned; usable until stamp + timeout */
	ARP_S_STATIC,		/* from the config; never expires, never relearned */
};

/* One neighbour, keyed by (ip, port). Its queue is q[index * queue]. */
struct arp_entry {
	uint32_t ip;			/* network order */
	uint16_t port;
	uint8_t state;			/* enum arp_state */
	uint8_t n_req;			/* requests sent in this resolution round */
	struct rte_ether_addr mac;
	uint16_t n_q;			/* packets waiting */
	uint64_t stamp;			/* REACHABLE: last confirmed; INCOMPLETE: last request */
	uint32_t next_free;
};

/*
 * A worker's table: a pool of entries plus an open-addressing index
 * (linear probing, at most half full, backward-shift deletion) holding
 * entry index + 1 (0 = empty slot). Touched only by its own worker.
 */
struct arp_worker {
	struct arp_entry *ent;		/* [arp_cap] */
	struct rte_mbuf **q;		/* [arp_cap * arp_queue] */
	uint32_t *slot;			/* [arp_mask + 1] */
	uint32_t free_head;		/* UINT32_MAX: pool empty */
	uint32_t hand;			/* eviction clock hand */
} __rte_cache_aligned;

struct arp_static {
	uint32_t ip;
	struct rte_ether_addr mac;
	uint16_t port;
	const char *port_name;		/* NULL: from the connected prefix; valid in init() only */
	const config_setting_t *s;
};

extern uint32_t arp_cnt[ARP_C_MAX];
extern uint32_t arp_check_only;	/* under `plb -t`: fini stays quiet */

/* settings, read-only once the workers run */
extern uint32_t arp_entries, arp_queue, arp_timeout_s;	/* defaults set in init() */
extern struct arp_static *arp_statics;
extern uint32_t arp_n_static;

/* per-worker state, allocated in init() */
extern struct arp_worker *arp_w;
extern uint32_t arp_n_workers;
extern uint32_t arp_cap;	/* entries + static entries */
extern uint32_t arp_mask;	/* index slots - 1 */
extern uint64_t arp_hz;		/* TSC cycles per second: the request interval */
extern uint64_t arp_timeout_cyc;

/*
 * Each port's MAC, copied on first use: ports and their MACs never change
 * while plb runs, and this saves two SDK calls a packet (bench/).
 */
struct arp_port_mac {
	uint8_t mac[RTE_ETHER_ADDR_LEN];
	uint8_t known;
};
extern struct arp_port_mac arp_port_mac[RTE_MAX_ETHPORTS];

static inline enum plb_verdict
arp_drop(enum arp_counter c)
{
	plb_counter_inc(arp_cnt[c]);
	return PLB_DROP;
}

static inline uint32_t
arp_home(uint32_t ip, uint16_t port)
{
	uint64_t h = (uint64_t)(ip ^ ((uint32_t)port << 24)) * 0x9E3779B97F4A7C15ull;

	return (uint32_t)(h >> 32) & arp_mask;
}

static inline int
arp_expired(const struct arp_entry *e, uint64_t now)
{
	return e->state == ARP_S_REACHABLE && now - e->stamp >= arp_timeout_cyc;
}

/* An INCOMPLETE entry whose last round of requests went unanswered. */
static inline int
arp_failed(const struct arp_entry *e, uint64_t now)
{
	return e->state == ARP_S_INCOMPLETE && e->n_req >= ARP_MAX_REQ &&
	       now - e->stamp >= arp_hz;
}

/* [fast] The MAC of @port, or NULL if plb drives no such port. */
static inline const uint8_t *
arp_mac_of(uint16_t port)
{
	if (unlikely(port >= RTE_MAX_ETHPORTS))
		return NULL;
	if (unlikely(!arp_port_mac[port].known)) {
		const struct plb_port_info *pi = plb_port_get(port);

		if (pi == NULL)
			return NULL;
		memcpy(arp_port_mac[port].mac, pi->mac, RTE_ETHER_ADDR_LEN);
		arp_port_mac[port].known = 1;
	}
	return arp_port_mac[port].mac;
}

/* neigh.c */
struct arp_entry *arp_find(struct arp_worker *w, uint32_t ip, uint16_t port);
struct arp_entry *arp_insert(struct arp_worker *w, uint32_t ip, uint16_t port);
void arp_remove(struct arp_worker *w, struct arp_entry *e);
struct arp_entry *arp_new(struct arp_worker *w, uint32_t ip, uint16_t port, uint64_t now);
enum plb_verdict arp_xmit(struct plb_pkt *pkt, uint16_t port, const struct rte_ether_addr *dst);
enum plb_verdict arp_neigh_output(struct plb_pkt *pkt, uint16_t port,
				  const struct plb_addr *nexthop);
void arp_learn(uint32_t ip, uint16_t port, const struct rte_ether_addr *mac);

/* conf.c */
int arp_conf_read(const config_setting_t *conf, char **err);
int arp_alloc_tables(const struct plb_env *env, char **err);
void arp_free_all(void);

#endif /* PLB_PROTO_ARP_H */
