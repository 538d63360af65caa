/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.worker: the lcore loop. Each worker polls its RX queues in bursts,
 * reads the Ethernet header, lets the L3 handler parse the packet, asks it
 * which worker owns the packet (software steering, DESIGN §4) and hands
 * packets owned elsewhere to that worker's ring; it then runs the handler
 * on what it owns (its own and what others handed it) and flushes its TX
 * buffers. Busy polling, or adaptive: sleep briefly after idle_after empty
 * polls so a small machine stays usable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include <plb/l3.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/worker.h>

#include "conn.h"
#include "nh.h"
#include "registry.h"
#include "runtime.h"
#include "svc.h"

#define LOG_TYPE "core.worker"

struct rxq {
	uint16_t port;
	uint16_t queue;
};

struct worker {
	struct plb_worker_stats st;	/* first: its own cache lines */
	uint32_t id;
	unsigned lcore;
	struct rte_ring *ring;		/* packets other workers hand to this one */
	uint32_t n_rxq;
	struct rxq *rxq;
	struct rte_eth_dev_tx_buffer **txb;	/* [RTE_MAX_ETHPORTS], NULL for non-plb ports */
	struct rte_mbuf ***stage;	/* [n_workers][burst]: packets for each owner */
	uint32_t *n_stage;
	struct rte_mbuf **own;		/* [burst]: packets this worker owns */
	const struct plb_l3_ops **own_l3;	/* [burst]: their handlers, found once */
	volatile int stop;
	void (*call_fn)(void *arg);	/* plb_worker_call(): run once on this worker */
	void *call_arg;
} __rte_cache_aligned;

static struct worker *workers;
static uint32_t n_workers;
static uint32_t burst;
static enum plb_poll_mode poll_mode;
static uint32_t idle_after, idle_sleep_us;
static RTE_DEFINE_PER_LCORE(struct worker *, self);

__thread uint32_t plb_tls_worker_id = UINT32_MAX;

uint32_t
plb_worker_count(void)
{
	return n_workers;
}

uint32_t
plb_workers_n(void)
{
	return n_workers;
}

unsigned
plb_worker_lcore(uint32_t id)
{
	return workers[id].lcore;
}

void
plb_tx(uint16_t port, struct rte_mbuf *m)
{
	struct worker *w = RTE_PER_LCORE(self);

	if (unlikely(w == NULL || port >= RTE_MAX_ETHPORTS || w->txb[port] == NULL)) {
		if (w)
			w->st.tx_drop++;
		rte_pktmbuf_free(m);
		return;
	}
	w->st.tx += rte_eth_tx_buffer(port, (uint16_t)w->id, w->txb[port], m);
}

static void
tx_flush(struct worker *w)
{
	const struct plb_port_ids *p = plb_ports();

	for (uint16_t i = 0; i < p->n; i++)
		w->st.tx += rte_eth_tx_buffer_flush(p->ids[i], (uint16_t)w->id, w->txb[p->ids[i]]);
}

/* Fill the core's part of the parsed packet and find the L3 handler; NULL = dropped. */
static const struct plb_l3_ops *
eth_parse(struct worker *w, struct rte_mbuf *m)
{
	struct plb_pkt *pkt = plb_pkt_of(m);
	const struct rte_ether_hdr *eh;
	const struct plb_l3_ops *l3;
	uint16_t et, off = sizeof(*eh);

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eh))) {
		w->st.drop_runt++;
		return NULL;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	et = rte_be_to_cpu_16(eh->ether_type);
	if (et == RTE_ETHER_TYPE_VLAN) {
		const struct rte_vlan_hdr *vh = (const void *)(eh + 1);

		if (unlikely(rte_pktmbuf_data_len(m) < off + sizeof(*vh))) {
			w->st.drop_runt++;
			return NULL;
		}
		et = rte_be_to_cpu_16(vh->eth_proto);
		off += sizeof(*vh);
	}
	memset(pkt, 0, sizeof(*pkt));
	pkt->mbuf = m;
	pkt->port = m->port;
	pkt->ethertype = et;
	pkt->l3_off = off;
	l3 = plb_reg_l3_get(et);
	if (unlikely(l3 == NULL)) {
		w->st.drop_no_l3++;
		return NULL;
	}
	if (unlikely(l3->parse(pkt) != PLB_ACCEPT)) {
		w->st.drop_l3++;
		return NULL;
	}
	return l3;
}

/* Run the L3 handler on a packet this worker owns; @l3 NULL: look it up. */
static void
deliver(struct worker *w, struct rte_mbuf *m, const struct plb_l3_ops *l3)
{
	struct plb_pkt *pkt = plb_pkt_of(m);

	if (l3 == NULL)
		l3 = plb_reg_l3_get(pkt->ethertype);	/* handed over: parsed elsewhere */

	if (unlikely(l3 == NULL || l3->rcv(pkt) != PLB_STOLEN)) {
		/* a shared packet is dropped by design once it is read: not a drop */
		if (!(pkt->flags & PLB_PKT_F_SHARED))
			w->st.drop_l3++;
		rte_pktmbuf_free(m);
	}
}

/*
 * PLB_STEER_ALL: every worker's handler sees the same mbuf (read-only), one
 * reference each; this worker's copy is handled now. Rare traffic (ARP).
 */
static void
broadcast(struct worker *w, struct rte_mbuf *m)
{
	plb_pkt_of(m)->flags |= PLB_PKT_F_HANDED_OVER | PLB_PKT_F_SHARED;
	rte_mbuf_refcnt_update(m, (int16_t)(n_workers - 1));
	for (uint32_t o = 0; o < n_workers; o++) {
		if (o == w->id)
			continue;
		if (rte_ring_enqueue(workers[o].ring, m) == 0) {
			w->st.handover_out++;
		} else {
			w->st.handover_drop++;
			rte_pktmbuf_free(m);	/* drops that worker's reference */
		}
	}
	deliver(w, m, NULL);
}

/* Parse a burst from an RX queue, hand over what others own, run the rest. */
static void
rx_process(struct worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	uint32_t n_own = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct plb_l3_ops *l3;
		uint32_t owner = w->id;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		l3 = eth_parse(w, m);
		if (l3 == NULL) {
			rte_pktmbuf_free(m);
			continue;
		}
		if (n_workers > 1 && l3->steer)
			owner = l3->steer(plb_pkt_of(m));
		if (likely(owner == w->id)) {
			w->own_l3[n_own] = l3;
			w->own[n_own++] = m;
		}
		else if (owner == PLB_STEER_ALL)
			broadcast(w, m);
		else if (likely(owner < n_workers))
			w->stage[owner][w->n_stage[owner]++] = m;
		else {
			w->own_l3[n_own] = l3;
			w->own[n_own++] = m;	/* a bad owner: keep it rather than lose it */
		}
	}
	for (uint32_t o = 0; o < n_workers; o++) {
		uint32_t k = w->n_stage[o], sent;

		if (k == 0)
			continue;
		for (uint32_t i = 0; i < k; i++)
			plb_pkt_of(w->stage[o][i])->flags |= PLB_PKT_F_HANDED_OVER;
		sent = rte_ring_enqueue_burst(workers[o].ring, (void **)w->stage[o], k, NULL);
		w->st.handover_out += sent;
		if (unlikely(sent < k)) {
			w->st.handover_drop += k - sent;
			rte_pktmbuf_free_bulk(&w->stage[o][sent], k - sent);
		}
		w->n_stage[o] = 0;
	}
	plb_conns_prefetch(w->own, n_own);
	for (uint32_t i = 0; i < n_own; i++)
		deliver(w, w->own[i], w->own_l3[i]);
}

static int
worker_main(void *arg)
{
	struct worker *w = arg;
	struct rte_mbuf *pkts[burst];
	uint32_t idle = 0;

	RTE_PER_LCORE(self) = w;
	plb_tls_worker_id = w->id;
	plb_stats_bind(w->id);
	plb_conns_bind(w->id);
	plb_rcu_online(w->id);
	PLB_LOG(INFO, LOG_TYPE, "worker %u on lcore %u: %u RX queue(s)", w->id, w->lcore, w->n_rxq);
	while (!w->stop) {
		uint32_t got = 0;

		for (uint32_t q = 0; q < w->n_rxq; q++) {
			uint16_t n = rte_eth_rx_burst(w->rxq[q].port, w->rxq[q].queue, pkts, burst);

			if (n) {
				w->st.rx += n;
				got += n;
				rx_process(w, pkts, n);
			}
		}
		if (n_workers > 1) {
			unsigned n = rte_ring_dequeue_burst(w->ring, (void **)pkts, burst, NULL);

			w->st.handover_in += n;
			got += n;
			plb_conns_prefetch(pkts, n);
			for (unsigned i = 0; i < n; i++)
				deliver(w, pkts[i], NULL);
		}
		tx_flush(w);
		if (unlikely(__atomic_load_n(&w->call_fn, __ATOMIC_ACQUIRE) != NULL)) {
			w->call_fn(w->call_arg);
			__atomic_store_n(&w->call_fn, NULL, __ATOMIC_RELEASE);
		}
		plb_conns_expire();
		plb_rcu_quiescent(w->id);
		if ((w->st.loops & 255) == 0)
			plb_nh_tick(w->id, rte_rdtsc());
		w->st.loops++;
		if (got || poll_mode == PLB_POLL_BUSY) {
			idle = 0;
		} else if (++idle >= idle_after) {
			w->st.idle_sleeps++;
			rte_delay_us_sleep(idle_sleep_us);
		}
	}
	tx_flush(w);
	plb_rcu_offline(w->id);
	RTE_PER_LCORE(self) = NULL;
	plb_tls_worker_id = UINT32_MAX;
	return 0;
}

static int
worker_alloc(struct worker *w, uint32_t id, unsigned lcore, uint32_t ring_size, char **err)
{
	const struct plb_port_ids *p = plb_ports();
	char name[RTE_RING_NAMESIZE];
	int socket = rte_lcore_to_socket_id(lcore);

	w->id = id;
	w->lcore = lcore;
	snprintf(name, sizeof(name), "plb_steer_%u", id);
	w->ring = rte_ring_create(name, ring_size, socket, RING_F_SC_DEQ);
	if (w->ring == NULL)
		return plb_err(err, -rte_errno, "worker %u: steering ring of %u: %s", id, ring_size,
			       rte_strerror(rte_errno));
	w->txb = rte_zmalloc_socket("plb_txb", RTE_MAX_ETHPORTS * sizeof(*w->txb), 0, socket);
	w->stage = rte_zmalloc_socket("plb_stage", n_workers * sizeof(*w->stage), 0, socket);
	w->n_stage = rte_zmalloc_socket("plb_nstage", n_workers * sizeof(*w->n_stage), 0, socket);
	w->own = rte_zmalloc_socket("plb_own", burst * sizeof(*w->own), 0, socket);
	w->own_l3 = rte_zmalloc_socket("plb_own", burst * sizeof(*w->own_l3), 0, socket);
	if (!w->txb || !w->stage || !w->n_stage || !w->own || !w->own_l3)
		return plb_err(err, -ENOMEM, "worker %u: out of memory", id);
	for (uint32_t o = 0; o < n_workers; o++) {
		w->stage[o] = rte_zmalloc_socket("plb_stage", burst * sizeof(**w->stage), 0, socket);
		if (w->stage[o] == NULL)
			return plb_err(err, -ENOMEM, "worker %u: out of memory", id);
	}
	for (uint16_t i = 0; i < p->n; i++) {
		uint16_t pid = p->ids[i];

		w->txb[pid] = rte_zmalloc_socket("plb_txb", RTE_ETH_TX_BUFFER_SIZE(burst), 0, socket);
		if (w->txb[pid] == NULL)
			return plb_err(err, -ENOMEM, "worker %u: out of memory", id);
		rte_eth_tx_buffer_init(w->txb[pid], burst);
		rte_eth_tx_buffer_set_err_callback(w->txb[pid], rte_eth_tx_buffer_count_callback,
						   &w->st.tx_drop);
		/* RX queue q of each port goes to worker q % n_workers */
		for (uint16_t q = id; q < plb_port_rxq_count(pid); q += n_workers) {
			struct rxq *nr = realloc(w->rxq, (w->n_rxq + 1) * sizeof(*nr));

			if (nr == NULL)
				return plb_err(err, -ENOMEM, "worker %u: out of memory", id);
			w->rxq = nr;
			w->rxq[w->n_rxq].port = pid;
			w->rxq[w->n_rxq].queue = q;
			w->n_rxq++;
		}
	}
	return 0;
}

int
plb_workers_setup(const struct plb_conf *conf, char **err)
{
	unsigned lcore;
	uint32_t id = 0;
	int rc;

	n_workers = conf->workers.count;
	burst = conf->workers.burst;
	poll_mode = conf->workers.poll;
	idle_after = conf->workers.idle_after;
	idle_sleep_us = conf->workers.idle_sleep_us;
	workers = rte_zmalloc("plb_workers", n_workers * sizeof(*workers), RTE_CACHE_LINE_SIZE);
	if (workers == NULL)
		return plb_err(err, -ENOMEM, "workers: out of memory");
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (id == n_workers)
			break;
		rc = worker_alloc(&workers[id], id, lcore, conf->workers.ring_size, err);
		if (rc)
			return rc;
		id++;
	}
	if (id != n_workers)
		return plb_err(err, -EINVAL, "workers: %u worker lcores, workers.count is %u", id, n_workers);
	return 0;
}

int
plb_workers_launch(void)
{
	for (uint32_t i = 0; i < n_workers; i++) {
		int rc = rte_eal_remote_launch(worker_main, &workers[i], workers[i].lcore);

		if (rc)
			return rc;
	}
	return 0;
}

void
plb_workers_stop(void)
{
	for (uint32_t i = 0; i < n_workers; i++)
		workers[i].stop = 1;
	rte_eal_mp_wait_lcore();
}

void
plb_workers_free(void)
{
	if (workers == NULL)
		return;
	for (uint32_t i = 0; i < n_workers; i++) {
		struct worker *w = &workers[i];
		struct rte_mbuf *m;

		if (w->ring) {
			while (rte_ring_dequeue(w->ring, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(w->ring);
		}
		for (uint32_t p = 0; w->txb && p < RTE_MAX_ETHPORTS; p++)
			rte_free(w->txb[p]);
		rte_free(w->txb);
		for (uint32_t o = 0; w->stage && o < n_workers; o++)
			rte_free(w->stage[o]);
		rte_free(w->stage);
		rte_free(w->n_stage);
		rte_free(w->own);
		rte_free(w->own_l3);
		free(w->rxq);
	}
	rte_free(workers);
	workers = NULL;
	n_workers = 0;
}

int
plb_worker_call(uint32_t id, void (*fn)(void *arg), void *arg, unsigned timeout_ms)
{
	struct worker *w;
	uint64_t end;

	if (id >= n_workers || workers == NULL)
		return -ENOENT;
	w = &workers[id];
	if (rte_eal_get_lcore_state(w->lcore) != RUNNING) {
		fn(arg);	/* not running: its state is ours to read */
		return 0;
	}
	w->call_arg = arg;
	__atomic_store_n(&w->call_fn, fn, __ATOMIC_RELEASE);
	end = rte_get_timer_cycles() + rte_get_timer_hz() * timeout_ms / 1000;
	while (__atomic_load_n(&w->call_fn, __ATOMIC_ACQUIRE) != NULL) {
		if (rte_eal_get_lcore_state(w->lcore) != RUNNING) {
			/* it stopped before taking the call: nobody else can run it now */
			if (__atomic_exchange_n(&w->call_fn, NULL, __ATOMIC_ACQ_REL) != NULL)
				fn(arg);
			break;
		}
		/* past the deadline keep waiting (the worker may be in the middle of
		 * it), but tell the caller it was slow */
		rte_delay_us_sleep(100);
	}
	return rte_get_timer_cycles() > end ? -ETIMEDOUT : 0;
}

void
plb_worker_stats_get(uint32_t id, struct plb_worker_stats *out)
{
	const volatile struct plb_worker_stats *s = &workers[id].st;

	out->rx = s->rx;
	out->tx = s->tx;
	out->tx_drop = s->tx_drop;
	out->handover_out = s->handover_out;
	out->handover_in = s->handover_in;
	out->handover_drop = s->handover_drop;
	out->drop_runt = s->drop_runt;
	out->drop_no_l3 = s->drop_no_l3;
	out->drop_l3 = s->drop_l3;
	out->idle_sleeps = s->idle_sleeps;
	out->loops = s->loops;
}
