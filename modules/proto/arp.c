/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arp: the L3 handler for ethertype 0x0806 and the IPv4 neighbour resolver
 * (neigh_output for AF_INET). It answers requests for every address plb owns
 * (a port address only on its own port, VIPs and local addresses on every
 * port) and keeps one neighbour table per worker, learned from replies,
 * gratuitous ARP and requests addressed to us. Replies and gratuitous ARP are
 * steered to every worker (PLB_STEER_ALL) so that every table learns them.
 * Config keys (modules.proto_arp), all optional: entries = 1024 (learned
 * entries per worker), queue = 16 (packets held per unresolved entry),
 * timeout = 300 (seconds a learned entry stays usable), static = ( { ip;
 * mac; port; } ... ) (permanent entries). See docs/arp.md.
 */
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
static const char *const arp_counter_names[ARP_C_MAX] = { ARP_COUNTERS(ARP_C_NAME) };

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

static uint32_t arp_cnt[ARP_C_MAX];
static uint32_t arp_check_only;	/* under `plb -t`: fini stays quiet */

/* settings, read-only once the workers run */
static uint32_t arp_entries, arp_queue, arp_timeout_s;	/* defaults set in init() */
static struct arp_static *arp_statics;
static uint32_t arp_n_static;

/* per-worker state, allocated in init() */
static struct arp_worker *arp_w;
static uint32_t arp_n_workers;
static uint32_t arp_cap;	/* entries + static entries */
static uint32_t arp_mask;	/* index slots - 1 */
static uint64_t arp_hz;		/* TSC cycles per second: the request interval */
static uint64_t arp_timeout_cyc;

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

static struct arp_entry *
arp_find(struct arp_worker *w, uint32_t ip, uint16_t port)
{
	for (uint32_t i = arp_home(ip, port);; i = (i + 1) & arp_mask) {
		struct arp_entry *e;

		if (w->slot[i] == 0)
			return NULL;
		e = &w->ent[w->slot[i] - 1];
		if (e->ip == ip && e->port == port)
			return e;
	}
}

/* Take an entry from the pool, put it in the index as (ip, port). */
static struct arp_entry *
arp_insert(struct arp_worker *w, uint32_t ip, uint16_t port)
{
	uint32_t idx = w->free_head, i;
	struct arp_entry *e;

	if (idx == UINT32_MAX)
		return NULL;
	e = &w->ent[idx];
	w->free_head = e->next_free;
	memset(e, 0, sizeof(*e));
	e->ip = ip;
	e->port = port;
	for (i = arp_home(ip, port); w->slot[i] != 0; i = (i + 1) & arp_mask)
		;
	w->slot[i] = idx + 1;
	return e;
}

/* Drop what waits on @e, unlink it from the index and return it to the pool. */
static void
arp_remove(struct arp_worker *w, struct arp_entry *e)
{
	uint32_t idx = (uint32_t)(e - w->ent), i, j;

	if (e->n_q) {
		rte_pktmbuf_free_bulk(&w->q[(size_t)idx * arp_queue], e->n_q);
		plb_counter_add(arp_cnt[ARP_C_DROP_UNRESOLVED], e->n_q);
	}
	for (i = arp_home(e->ip, e->port); w->slot[i] != idx + 1; i = (i + 1) & arp_mask)
		;
	/* backward shift: pull later members of the cluster into the hole */
	for (j = (i + 1) & arp_mask; w->slot[j] != 0; j = (j + 1) & arp_mask) {
		const struct arp_entry *o = &w->ent[w->slot[j] - 1];
		uint32_t k = arp_home(o->ip, o->port);

		/* o may move to i only if its home is not cyclically in (i, j] */
		if (((j - k) & arp_mask) >= ((j - i) & arp_mask)) {
			w->slot[i] = w->slot[j];
			i = j;
		}
	}
	w->slot[i] = 0;
	if (e->state == ARP_S_REACHABLE)
		plb_nh_invalidate();
	e->state = ARP_S_FREE;
	e->next_free = w->free_head;
	w->free_head = idx;
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

/* [fast] A new entry; if none is free, reclaim a dead one among the next ARP_EVICT_SCAN. */
static struct arp_entry *
arp_new(struct arp_worker *w, uint32_t ip, uint16_t port, uint64_t now)
{
	if (w->free_head == UINT32_MAX) {
		for (uint32_t n = 0; n < ARP_EVICT_SCAN && n < arp_cap; n++) {
			struct arp_entry *e = &w->ent[w->hand];

			w->hand = w->hand + 1 == arp_cap ? 0 : w->hand + 1;
			if (arp_expired(e, now) || arp_failed(e, now) ||
			    (e->state == ARP_S_INCOMPLETE && e->n_q == 0)) {
				arp_remove(w, e);
				break;
			}
		}
	}
	return arp_insert(w, ip, port);
}

/*
 * Each port's MAC, copied on first use: ports and their MACs never change
 * while plb runs, and this saves two SDK calls a packet (bench/).
 */
static struct {
	uint8_t mac[RTE_ETHER_ADDR_LEN];
	uint8_t known;
} arp_port_mac[RTE_MAX_ETHPORTS];

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

/*
 * [fast] Give @pkt a plain 14-byte Ethernet header to @dst right before its L3 header
 * (any VLAN tag goes) and queue it on @port. PLB_STOLEN, or PLB_DROP (counted).
 */
static enum plb_verdict
arp_xmit(struct plb_pkt *pkt, uint16_t port, const struct rte_ether_addr *dst)
{
	const uint8_t *mac = arp_mac_of(port);
	struct rte_mbuf *m = pkt->mbuf;
	const uint16_t hl = sizeof(struct rte_ether_hdr);
	struct rte_ether_hdr *eth;

	if (mac == NULL)
		return arp_drop(ARP_C_DROP_BAD);
	if (pkt->l3_off > hl) {
		if (rte_pktmbuf_adj(m, pkt->l3_off - hl) == NULL)
			return arp_drop(ARP_C_DROP_BAD);
	} else if (pkt->l3_off < hl) {
		if (rte_pktmbuf_prepend(m, hl - pkt->l3_off) == NULL)
			return arp_drop(ARP_C_DROP_NO_HEADROOM);
	}
	if (pkt->l4_off)
		pkt->l4_off = pkt->l4_off - pkt->l3_off + hl;
	pkt->l3_off = hl;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	memcpy(eth->src_addr.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	plb_tx(port, m);
	return PLB_STOLEN;
}

/* [fast] Send what waits on @e to its (now known) MAC. */
static void
arp_flush(struct arp_worker *w, struct arp_entry *e)
{
	struct rte_mbuf **q = &w->q[(size_t)(e - w->ent) * arp_queue];
	uint16_t n = e->n_q;

	e->n_q = 0;
	for (uint16_t i = 0; i < n; i++) {
		if (arp_xmit(plb_pkt_of(q[i]), e->port, &e->mac) == PLB_STOLEN)
			plb_counter_inc(arp_cnt[ARP_C_RESOLVED_QUEUED]);
		else
			rte_pktmbuf_free(q[i]);
	}
}

/*
 * [fast] Broadcast "who has @tip" out of @port, from the port's MAC and first
 * address (0.0.0.0 if it has none), in an mbuf from @pool. 0 or -ENOBUFS.
 */
static int
arp_solicit(struct rte_mempool *pool, uint16_t port, uint32_t tip)
{
	const struct plb_port_info *pi = plb_port_get(port);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth = NULL;
	struct rte_arp_hdr *arp;

	if (m != NULL)
		eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, ARP_FRAME_LEN);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		plb_counter_inc(arp_cnt[ARP_C_NOMBUF]);
		return -ENOBUFS;
	}
	memset(eth->dst_addr.addr_bytes, 0xff, RTE_ETHER_ADDR_LEN);
	memcpy(eth->src_addr.addr_bytes, pi->mac, RTE_ETHER_ADDR_LEN);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	memcpy(arp->arp_data.arp_sha.addr_bytes, pi->mac, RTE_ETHER_ADDR_LEN);
	arp->arp_data.arp_sip = pi->n_addr4 ? pi->addr4[0].addr : 0;
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = tip;
	plb_counter_inc(arp_cnt[ARP_C_TX_REQUEST]);
	plb_tx(port, m);
	return 0;
}

/*
 * [fast] neigh_output for AF_INET: send @pkt to @nexthop on @port, or hold
 * it on the (INCOMPLETE) entry and ask, at most once a second per entry.
 * After ARP_MAX_REQ unanswered requests, what was held is dropped
 * (drop_unresolved) and the next packet starts a new round.
 */
static enum plb_verdict
arp_neigh_output(struct plb_pkt *pkt, uint16_t port, const struct plb_addr *nexthop)
{
	uint32_t wid = plb_worker_id(), ip = nexthop->v4;
	struct arp_worker *w;
	struct arp_entry *e;
	uint64_t now;

	if (wid >= arp_n_workers || arp_mac_of(port) == NULL)
		return arp_drop(ARP_C_DROP_BAD);
	w = &arp_w[wid];
	now = rte_get_tsc_cycles();
	e = arp_find(w, ip, port);
	if (e != NULL && (e->state == ARP_S_STATIC ||
			  (e->state == ARP_S_REACHABLE && !arp_expired(e, now)))) {
		plb_nh_resolved(port, e->mac.addr_bytes);	/* for a next-hop cache being filled */
		return arp_xmit(pkt, port, &e->mac);
	}

	if (e == NULL) {
		e = arp_new(w, ip, port, now);
		if (e == NULL)
			return arp_drop(ARP_C_DROP_TABLE_FULL);
		e->state = ARP_S_INCOMPLETE;
	} else if (e->state == ARP_S_REACHABLE) {
		/* expired: resolve again before using it, also for the next-hop caches */
		e->state = ARP_S_INCOMPLETE;
		e->n_req = 0;
		plb_nh_invalidate();
	} else if (arp_failed(e, now)) {
		rte_pktmbuf_free_bulk(&w->q[(size_t)(e - w->ent) * arp_queue], e->n_q);
		plb_counter_add(arp_cnt[ARP_C_DROP_UNRESOLVED], e->n_q);
		e->n_q = 0;
		e->n_req = 0;
	}

	if ((e->n_req == 0 || (e->n_req < ARP_MAX_REQ && now - e->stamp >= arp_hz)) &&
	    arp_solicit(pkt->mbuf->pool, port, ip) == 0) {
		e->n_req++;
		e->stamp = now;
	}
	if (e->n_q >= arp_queue)
		return arp_drop(ARP_C_DROP_QUEUE_FULL);
	w->q[(size_t)(e - w->ent) * arp_queue + e->n_q++] = pkt->mbuf;
	return PLB_STOLEN;
}

/*
 * [fast] Record @ip at @mac on @port in this worker's table (creating the
 * entry if needed) and send what was waiting for it. Static entries never change.
 */
static void
arp_learn(uint32_t ip, uint16_t port, const struct rte_ether_addr *mac)
{
	uint32_t wid = plb_worker_id();
	uint64_t now = rte_get_tsc_cycles();
	struct arp_worker *w;
	struct arp_entry *e;

	if (wid >= arp_n_workers || !rte_is_valid_assigned_ether_addr(mac))
		return;		/* a multicast or zero sender MAC is no neighbour */
	w = &arp_w[wid];
	e = arp_find(w, ip, port);
	if (e == NULL) {
		e = arp_new(w, ip, port, now);
		if (e == NULL) {
			plb_counter_inc(arp_cnt[ARP_C_DROP_TABLE_FULL]);
			return;
		}
	} else if (e->state == ARP_S_STATIC) {
		return;
	} else if (e->state == ARP_S_REACHABLE && rte_is_same_ether_addr(&e->mac, mac)) {
		e->stamp = now;		/* a refresh, not news */
		return;
	}
	if (e->state == ARP_S_REACHABLE)
		plb_nh_invalidate();	/* a new MAC: caches may hold the old one */
	rte_ether_addr_copy(mac, &e->mac);
	e->state = ARP_S_REACHABLE;
	e->stamp = now;
	e->n_req = 0;
	plb_counter_inc(arp_cnt[ARP_C_LEARNED]);
	if (e->n_q)
		arp_flush(w, e);
}

/*
 * [fast] Accept Ethernet/IPv4 ARP that concerns us: a request for an address
 * plb answers on this port, a reply to one of plb's addresses, gratuitous ARP
 * (sender == target) not claiming one of plb's addresses. Runs once per packet
 * on the receiving worker, so rx_* and drop_* count packets, not deliveries.
 */
static enum plb_verdict
arp_parse(struct plb_pkt *pkt)
{
	const struct rte_arp_hdr *arp;
	enum plb_addr_kind kind;
	uint32_t sip, tip;
	uint16_t op, owner;

	if (rte_pktmbuf_data_len(pkt->mbuf) < (uint32_t)pkt->l3_off + sizeof(*arp))
		return arp_drop(ARP_C_DROP_BAD);
	arp = plb_pkt_l3(pkt);
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		return arp_drop(ARP_C_DROP_BAD);

	sip = arp->arp_data.arp_sip;
	tip = arp->arp_data.arp_tip;
	pkt->af = 0;
	pkt->l3_len = sizeof(*arp);
	pkt->saddr.v4 = sip;
	pkt->daddr.v4 = tip;

	op = rte_be_to_cpu_16(arp->arp_opcode);
	if (op == RTE_ARP_OP_REQUEST)
		plb_counter_inc(arp_cnt[ARP_C_RX_REQUEST]);
	else if (op == RTE_ARP_OP_REPLY)
		plb_counter_inc(arp_cnt[ARP_C_RX_REPLY]);
	else
		return arp_drop(ARP_C_DROP_BAD);
	if (sip == tip) {
		plb_counter_inc(arp_cnt[ARP_C_RX_GRATUITOUS]);
		if (sip == 0)
			return arp_drop(ARP_C_DROP_BAD);
	}
	if (sip != 0 && plb_addr4_kind(sip, NULL) != PLB_ADDR_NONE) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &sip, a, sizeof(a));
		PLB_LOG_RATELIMIT(WARNING, ARP_LOG, "port %u: address conflict: %s claimed by "
				  RTE_ETHER_ADDR_PRT_FMT, pkt->port, a,
				  RTE_ETHER_ADDR_BYTES(&arp->arp_data.arp_sha));
		return arp_drop(ARP_C_DROP_BAD);
	}
	if (sip == tip)
		return PLB_ACCEPT;
	kind = plb_addr4_kind(tip, &owner);
	if (kind == PLB_ADDR_NONE ||
	    (op == RTE_ARP_OP_REQUEST && kind == PLB_ADDR_IFADDR && owner != pkt->port))
		return arp_drop(ARP_C_DROP_NOT_FOR_US);
	return PLB_ACCEPT;
}

/* [fast] Replies and gratuitous ARP go to every worker's table; requests stay. */
static uint32_t
arp_steer(const struct plb_pkt *pkt)
{
	const struct rte_arp_hdr *arp = plb_pkt_l3(pkt);

	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY) ||
	    arp->arp_data.arp_sip == arp->arp_data.arp_tip)
		return PLB_STEER_ALL;
	return plb_worker_id();
}

/*
 * [fast] Rewrite the request in @pkt into our reply and send it back out of
 * the port it came in on. A DAD probe (sender IP 0) gets its reply sent to
 * 0.0.0.0 at the prober's MAC, as RFC 5227 expects.
 */
static enum plb_verdict
arp_reply(struct plb_pkt *pkt, const struct plb_port_info *port)
{
	struct rte_mbuf *m = pkt->mbuf;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = plb_pkt_l3(pkt);
	struct rte_arp_ipv4 *d = &arp->arp_data;
	uint32_t tip = d->arp_tip;

	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&d->arp_sha, &d->arp_tha);
	d->arp_tip = d->arp_sip;
	memcpy(d->arp_sha.addr_bytes, port->mac, RTE_ETHER_ADDR_LEN);
	d->arp_sip = tip;

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	memcpy(eth->src_addr.addr_bytes, port->mac, RTE_ETHER_ADDR_LEN);

	plb_counter_inc(arp_cnt[ARP_C_TX_REPLY]);
	plb_tx(pkt->port, m);
	return PLB_STOLEN;
}

/*
 * [fast] A request for us (parse() checked the target): learn the sender,
 * answer in place. A reply or gratuitous ARP (possibly a shared mbuf seen
 * by every worker): learn it into this worker's table, touch nothing, drop.
 */
static enum plb_verdict
arp_rcv(struct plb_pkt *pkt)
{
	const struct rte_arp_hdr *arp = plb_pkt_l3(pkt);
	uint32_t sip = arp->arp_data.arp_sip, tip = arp->arp_data.arp_tip;
	const struct plb_port_info *port;

	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) && sip != tip) {
		port = plb_port_get(pkt->port);
		if (port == NULL)
			return arp_drop(ARP_C_DROP_NOT_FOR_US);
		if (sip != 0)
			arp_learn(sip, pkt->port, &arp->arp_data.arp_sha);
		return arp_reply(pkt, port);
	}
	arp_learn(sip, pkt->port, &arp->arp_data.arp_sha);
	return PLB_DROP;
}

/* Read integer member @key of @conf into *v if present, within lo..hi. */
static int
arp_conf_uint(const config_setting_t *conf, const char *key, uint32_t lo, uint32_t hi,
	      uint32_t *v, char **err)
{
	const config_setting_t *s = config_setting_get_member(conf, key);
	long long x;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return plb_conf_err(s, err, -EINVAL, "expected an integer %u..%u", lo, hi);
	x = config_setting_get_int64(s);
	if (x < lo || x > hi)
		return plb_conf_err(s, err, -EINVAL, "expected an integer %u..%u, got %lld",
				    lo, hi, x);
	*v = (uint32_t)x;
	return 0;
}

/* String member @key of group @g, or NULL (and *err set) if missing or not a string. */
static const char *
arp_conf_str(const config_setting_t *g, const char *key, int required, int *rc, char **err)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING)
		return config_setting_get_string(s);
	if (s != NULL)
		*rc = plb_conf_err(s, err, -EINVAL, "expected a string");
	else if (required)
		*rc = plb_conf_err(g, err, -EINVAL, "missing key '%s'", key);
	return NULL;
}

/* The port named @name, or (@name NULL) the one with a prefix holding @ip; -ENOENT. */
static int
arp_port_find(const char *name, uint32_t ip, uint16_t *id)
{
	for (uint16_t i = 0; i < plb_port_count(); i++) {
		const struct plb_port_info *pi = plb_port_get(i);

		for (uint32_t a = 0; pi != NULL && a < (name ? 1 : pi->n_addr4); a++) {
			uint8_t len = name ? 0 : pi->addr4[a].prefix_len;
			uint32_t mask = len ? rte_cpu_to_be_32(~0u << (32 - len)) : 0;

			if (name ? strcmp(pi->name, name) == 0 : ((ip ^ pi->addr4[a].addr) & mask) == 0) {
				*id = pi->id;
				return 0;
			}
		}
	}
	return -ENOENT;
}

/* Parse static[i] into @st. Ports are resolved only when they exist. */
static int
arp_conf_static_one(const config_setting_t *g, struct arp_static *st, char **err)
{
	static const char *const keys[] = { "ip", "mac", "port", NULL };
	const char *ip, *mac, *port;
	int rc = 0;

	if (!config_setting_is_group(g))
		return plb_conf_err(g, err, -EINVAL,
				    "expected a group { ip = \"a.b.c.d\"; mac = \"xx:xx:xx:xx:xx:xx\"; port = \"name\"; }");
	rc = plb_conf_check_keys(g, keys, err);
	if (rc)
		return rc;
	ip = arp_conf_str(g, "ip", 1, &rc, err);
	if (ip == NULL)
		return rc;
	mac = arp_conf_str(g, "mac", 1, &rc, err);
	if (mac == NULL)
		return rc;
	port = arp_conf_str(g, "port", 0, &rc, err);
	if (rc)
		return rc;
	st->s = g;
	if (inet_pton(AF_INET, ip, &st->ip) != 1 || st->ip == 0)
		return plb_conf_err(config_setting_get_member(g, "ip"), err, -EINVAL,
				    "expected an IPv4 address \"a.b.c.d\", got \"%s\"", ip);
	if (rte_ether_unformat_addr(mac, &st->mac) != 0 || strlen(mac) != 17 ||
	    !rte_is_unicast_ether_addr(&st->mac) || rte_is_zero_ether_addr(&st->mac))
		return plb_conf_err(config_setting_get_member(g, "mac"), err, -EINVAL,
				    "expected a unicast MAC \"xx:xx:xx:xx:xx:xx\", got \"%s\"", mac);
	st->port_name = port;
	if (arp_check_only)
		return 0;	/* no ports in check mode: syntax only */
	if (arp_port_find(port, st->ip, &st->port) == 0)
		return 0;
	if (port != NULL)
		return plb_conf_err(config_setting_get_member(g, "port"), err, -EINVAL,
				    "no port named \"%s\" in ports", port);
	return plb_conf_err(g, err, -EINVAL, "no port has a prefix holding %s: set port = \"name\"", ip);
}

/* Parse the static list into arp_statics[]; reject duplicates. */
static int
arp_conf_static(const config_setting_t *conf, char **err)
{
	const config_setting_t *l = config_setting_get_member(conf, "static");
	int n, rc;

	if (l == NULL)
		return 0;
	if (!config_setting_is_list(l) && !config_setting_is_array(l))
		return plb_conf_err(l, err, -EINVAL, "expected a list ( { ip; mac; port; }, ... )");
	n = config_setting_length(l);
	if (n == 0)
		return 0;
	arp_statics = calloc((size_t)n, sizeof(*arp_statics));
	if (arp_statics == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		struct arp_static *st = &arp_statics[i];

		rc = arp_conf_static_one(config_setting_get_elem(l, (unsigned)i), st, err);
		if (rc)
			return rc;
		for (int j = 0; j < i; j++) {
			const struct arp_static *o = &arp_statics[j];

			/* check mode knows port names only */
			if (o->ip == st->ip && (!arp_check_only ? o->port == st->port :
			    (o->port_name == NULL || st->port_name == NULL) ?
			    o->port_name == st->port_name : strcmp(o->port_name, st->port_name) == 0))
				return plb_conf_err(st->s, err, -EINVAL,
						    "duplicate static entry (also static[%d], line %d)",
						    j, config_setting_source_line(arp_statics[j].s));
		}
		arp_n_static++;
	}
	return 0;
}

/* [ctl] Free the tables (and what still waits in them) and the static list. */
static void
arp_free_all(void)
{
	for (uint32_t i = 0; arp_w != NULL && i < arp_n_workers; i++) {
		struct arp_worker *w = &arp_w[i];

		for (uint32_t k = 0; w->ent != NULL && k < arp_cap; k++)
			if (w->ent[k].n_q)
				rte_pktmbuf_free_bulk(&w->q[(size_t)k * arp_queue], w->ent[k].n_q);
		rte_free(w->ent);
		rte_free(w->q);
		rte_free(w->slot);
	}
	rte_free(arp_w);
	arp_w = NULL;
	arp_n_workers = 0;
	free(arp_statics);
	arp_statics = NULL;
	arp_n_static = 0;
}

/* [ctl] Allocate every worker's table and put the static entries in. */
static int
arp_alloc_tables(const struct plb_env *env, char **err)
{
	uint32_t slots;

	arp_cap = arp_entries + arp_n_static;
	slots = rte_align32pow2(arp_cap * 2);
	arp_mask = slots - 1;
	arp_w = rte_zmalloc_socket("plb_arp", env->n_workers * sizeof(*arp_w),
				   RTE_CACHE_LINE_SIZE, env->socket_id);
	if (arp_w == NULL)
		return plb_err(err, -ENOMEM, "out of memory for %u neighbour tables", env->n_workers);
	arp_n_workers = env->n_workers;
	for (uint32_t i = 0; i < arp_n_workers; i++) {
		struct arp_worker *w = &arp_w[i];

		w->ent = rte_zmalloc_socket("plb_arp", arp_cap * sizeof(*w->ent), 0, env->socket_id);
		w->slot = rte_zmalloc_socket("plb_arp", slots * sizeof(*w->slot), 0, env->socket_id);
		w->q = arp_queue == 0 ? NULL : rte_zmalloc_socket("plb_arp",
			(size_t)arp_cap * arp_queue * sizeof(*w->q), 0, env->socket_id);
		if (w->ent == NULL || w->slot == NULL || (arp_queue != 0 && w->q == NULL))
			return plb_err(err, -ENOMEM, "out of memory for %u neighbours x %u queued packets",
				       arp_cap, arp_queue);
		for (uint32_t k = 0; k < arp_cap; k++)
			w->ent[k].next_free = k + 1 == arp_cap ? UINT32_MAX : k + 1;
		w->free_head = 0;
		for (uint32_t k = 0; k < arp_n_static; k++) {
			struct arp_entry *e = arp_insert(w, arp_statics[k].ip, arp_statics[k].port);

			e->state = ARP_S_STATIC;
			rte_ether_addr_copy(&arp_statics[k].mac, &e->mac);
		}
	}
	return 0;
}

/* [ctl] Read the settings, register the counters, build the tables. */
static int
arp_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { "entries", "queue", "timeout", "static", NULL };
	int rc;

	arp_check_only = env->check_only;
	arp_entries = 1024, arp_queue = 16, arp_timeout_s = 300;	/* the defaults */
	if (conf != NULL) {
		rc = plb_conf_check_keys(conf, keys, err);
		if (rc == 0)
			rc = arp_conf_uint(conf, "entries", 1, 1u << 22, &arp_entries, err);
		if (rc == 0)
			rc = arp_conf_uint(conf, "queue", 0, 4096, &arp_queue, err);
		if (rc == 0)
			rc = arp_conf_uint(conf, "timeout", 1, 86400, &arp_timeout_s, err);
		if (rc == 0)
			rc = arp_conf_static(conf, err);
		if (rc)
			goto err_free;
	}
	rc = plb_counters_register("arp", arp_counter_names, ARP_C_MAX, arp_cnt, err);
	if (rc != 0)
		goto err_free;
	if (arp_check_only)
		return 0;
	arp_hz = rte_get_tsc_hz();
	arp_timeout_cyc = arp_timeout_s * arp_hz;
	rc = arp_alloc_tables(env, err);
	if (rc == 0) {
		free(arp_statics);	/* copied into every table */
		arp_statics = NULL;
		return 0;
	}
err_free:
	arp_free_all();
	return rc;
}

/* [ctl] Workers stopped: drop what still waits, free the tables, log a summary. */
static void
arp_fini(void)
{
	arp_free_all();
	if (arp_check_only)
		return;
	PLB_LOG(INFO, ARP_LOG, "fini: %" PRIu64 " requests received, %" PRIu64 " replies sent, %"
		PRIu64 " requests sent, %" PRIu64 " neighbours learned",
		plb_counter_read(arp_cnt[ARP_C_RX_REQUEST]),
		plb_counter_read(arp_cnt[ARP_C_TX_REPLY]),
		plb_counter_read(arp_cnt[ARP_C_TX_REQUEST]),
		plb_counter_read(arp_cnt[ARP_C_LEARNED]));
}

static const struct plb_l3_ops arp_ops = {
	.ethertype = RTE_ETHER_TYPE_ARP,
	.neigh_af = AF_INET,
	.parse = arp_parse,
	.steer = arp_steer,
	.rcv = arp_rcv,
	.neigh_output = arp_neigh_output,
};

PLB_MODULE_REGISTER(L3, "arp", &arp_ops,
	.version = "1.1",
	.description = "ARP: answers for plb's addresses, per-worker IPv4 neighbour tables",
	.init = arp_init,
	.fini = arp_fini);
