/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proto_arp's neighbour tables: one per worker, touched only by that worker
 * (a pool of entries and an open-addressing index), neigh_output() for
 * AF_INET (send, or hold the packet and ask), and learning from what
 * arp.c accepted. See docs/arp.md.
 */
#include "arp.h"

struct arp_port_mac arp_port_mac[RTE_MAX_ETHPORTS];

struct arp_entry *
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
struct arp_entry *
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
void
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

/* [fast] A new entry; if none is free, reclaim a dead one among the next ARP_EVICT_SCAN. */
struct arp_entry *
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
 * [fast] Give @pkt a plain 14-byte Ethernet header to @dst right before its L3 header
 * (any VLAN tag goes) and queue it on @port. PLB_STOLEN, or PLB_DROP (counted).
 */
enum plb_verdict
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
enum plb_verdict
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
void
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
