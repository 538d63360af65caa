/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next-hop caches (plb/l3.h): a caller keeps a struct plb_nh_cache for a
 * destination whose next hop cannot change while nothing else does (per dest
 * and worker for the forwarding modes). While the cache's generation is the
 * worker's, a packet gets its Ethernet header from the cache and goes out:
 * no route lookup, no neighbour lookup. Otherwise the full output path runs
 * once and the neighbour module reports where it sent (plb_nh_resolved).
 * A worker's generation moves when its neighbours change, when routes change
 * and once a second (so neighbour expiry keeps its meaning within a second).
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <plb/l3.h>
#include <plb/port.h>
#include <plb/stats.h>
#include <plb/worker.h>

#include "nh.h"

struct nh_worker {
	uint32_t gen;			/* odd, never 0; moved with atomic adds of 2 */
	uint32_t fill_gen;		/* gen when the pending fill started */
	struct plb_nh_cache *fill;	/* pending: filled by plb_nh_resolved() */
	uint64_t next_tick;		/* TSC of the next once-a-second move */
} __rte_cache_aligned;

enum { NH_C_FILL, NH_C_DROP_NO_HEADROOM, NH_C_MAX };

static const char *const nh_counter_names[NH_C_MAX] = {
	[NH_C_FILL] = "fill",			/* a cache was not current: full output path */
	[NH_C_DROP_NO_HEADROOM] = "drop_no_headroom",	/* no room for the Ethernet header */
};

static struct nh_worker nh_w[RTE_MAX_LCORE];
static uint32_t nh_cnt[NH_C_MAX];
static uint64_t nh_hz;

int
plb_nh_setup(char **err)
{
	for (uint32_t i = 0; i < RTE_DIM(nh_w); i++) {
		nh_w[i].gen = 1;
		nh_w[i].fill = NULL;
		nh_w[i].next_tick = 0;
	}
	nh_hz = rte_get_tsc_hz();
	return plb_counters_register("nh", nh_counter_names, NH_C_MAX, nh_cnt, err);
}

static inline struct nh_worker *
nh_self(void)
{
	uint32_t id = plb_worker_id();

	return likely(id < RTE_DIM(nh_w)) ? &nh_w[id] : NULL;
}

void
plb_nh_invalidate(void)
{
	struct nh_worker *w = nh_self();

	if (w != NULL) {
		__atomic_fetch_add(&w->gen, 2, __ATOMIC_RELAXED);
		return;
	}
	for (uint32_t i = 0; i < RTE_DIM(nh_w); i++)	/* not a worker: everyone's */
		__atomic_fetch_add(&nh_w[i].gen, 2, __ATOMIC_RELAXED);
}

void
plb_nh_tick(uint32_t worker, uint64_t now)
{
	struct nh_worker *w = &nh_w[worker];

	if (likely(now < w->next_tick))
		return;
	w->next_tick = now + nh_hz;
	__atomic_fetch_add(&w->gen, 2, __ATOMIC_RELAXED);
}

void
plb_nh_resolved(uint16_t port, const uint8_t mac[6])
{
	struct nh_worker *w = nh_self();
	struct plb_nh_cache *nc;

	if (w == NULL || w->fill == NULL)
		return;
	nc = w->fill;
	w->fill = NULL;
	nc->port = port;
	memcpy(nc->mac, mac, sizeof(nc->mac));
	nc->gen = w->fill_gen;
}

/* [fast] Ethernet header from @nc and the port's MAC, then queue for TX. */
static __rte_always_inline enum plb_verdict
nh_xmit(struct plb_pkt *pkt, const struct plb_nh_cache *nc)
{
	const struct plb_port_info *pi = plb_port_get(nc->port);
	struct rte_mbuf *m = pkt->mbuf;
	const uint16_t hl = sizeof(struct rte_ether_hdr);
	struct rte_ether_hdr *eth;

	if (unlikely(pi == NULL))
		return PLB_DROP;
	if (pkt->l3_off > hl) {
		rte_pktmbuf_adj(m, pkt->l3_off - hl);	/* cannot fail: l3_off < data_len */
	} else if (pkt->l3_off < hl) {
		if (unlikely(rte_pktmbuf_prepend(m, hl - pkt->l3_off) == NULL)) {
			plb_counter_inc(nh_cnt[NH_C_DROP_NO_HEADROOM]);
			return PLB_DROP;
		}
	}
	if (pkt->l4_off)
		pkt->l4_off = pkt->l4_off - pkt->l3_off + hl;
	pkt->l3_off = hl;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memcpy(eth->dst_addr.addr_bytes, nc->mac, RTE_ETHER_ADDR_LEN);
	memcpy(eth->src_addr.addr_bytes, pi->mac, RTE_ETHER_ADDR_LEN);
	eth->ether_type = rte_cpu_to_be_16(pkt->af == AF_INET6 ? RTE_ETHER_TYPE_IPV6
							       : RTE_ETHER_TYPE_IPV4);
	plb_tx(nc->port, m);
	return PLB_STOLEN;
}

/*
 * [fast] What the cached calls do when the cache is not current, or when an
 * outer cached call waits for a fill: send @pkt by the full path
 * (plb_l3_output, or plb_neigh_output when @nexthop is given) and fill @nc
 * from where it went. Calls nest (FNAT's dest cache, then ipv4_output's
 * route cache): a fill in progress in an outer call is filled from the inner
 * one, hit or miss. WHY apart: the hit path stays a few instructions.
 */
static __rte_noinline enum plb_verdict
nh_slow(struct plb_pkt *pkt, struct plb_nh_cache *nc, uint16_t port, const struct plb_addr *nexthop)
{
	struct nh_worker *w = nh_self();
	struct plb_nh_cache *outer;
	uint32_t outer_gen, gen;
	enum plb_verdict v;

	if (unlikely(w == NULL))
		return nexthop ? plb_neigh_output(pkt, port, nexthop) : plb_l3_output(pkt);
	gen = __atomic_load_n(&w->gen, __ATOMIC_RELAXED);
	if (nc->gen == gen) {
		plb_nh_resolved(nc->port, nc->mac);	/* the outer call's fill */
		return nh_xmit(pkt, nc);
	}
	plb_counter_inc(nh_cnt[NH_C_FILL]);
	outer = w->fill;
	outer_gen = w->fill_gen;
	w->fill = nc;
	w->fill_gen = gen;
	v = nexthop ? plb_neigh_output(pkt, port, nexthop) : plb_l3_output(pkt);
	if (w->fill == NULL && outer != NULL) {	/* @nc was filled: so is the outer one */
		outer->port = nc->port;
		memcpy(outer->mac, nc->mac, sizeof(outer->mac));
		outer->gen = outer_gen;
	}
	w->fill = NULL;
	return v;
}

/* [fast] @nc is current and no outer call waits for a fill. */
static __rte_always_inline int
nh_hit(const struct plb_nh_cache *nc)
{
	const struct nh_worker *w = nh_self();

	return likely(w != NULL) && nc->gen == __atomic_load_n(&w->gen, __ATOMIC_RELAXED) &&
	       w->fill == NULL;
}

enum plb_verdict
plb_l3_output_cached(struct plb_pkt *pkt, struct plb_nh_cache *nc)
{
	if (nc == NULL)
		return plb_l3_output(pkt);
	if (likely(nh_hit(nc)))
		return nh_xmit(pkt, nc);
	return nh_slow(pkt, nc, 0, NULL);
}

enum plb_verdict
plb_neigh_output_cached(struct plb_pkt *pkt, uint16_t port, const struct plb_addr *nexthop,
			struct plb_nh_cache *nc)
{
	if (nc == NULL)
		return plb_neigh_output(pkt, port, nexthop);
	if (likely(nh_hit(nc)))
		return nh_xmit(pkt, nc);
	return nh_slow(pkt, nc, port, nexthop);
}
