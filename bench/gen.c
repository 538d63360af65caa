/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench.gen: one benchmark run. Before the core sets its ports up, a ring
 * ethdev is made (rte_eth_from_rings("bench0") names it "net_ring_bench0"):
 * one RX ring the generator fills, one TX ring it drains; plb_boot() finds
 * it by that name. The generator
 * runs on the main lcore (the bench has no control loop): it recycles what
 * the worker sent (or takes fresh mbufs from the core's pool), copies the
 * next prebuilt frame in and keeps the RX ring full, so the worker never
 * waits. Figures come from the worker's own counters and the TSC over the
 * window; repeatable mode feeds exactly N packets and, under callgrind,
 * zeroes callgrind's costs at the window's start and dumps them at its end.
 * Scenario (d) also checks that the 100k-prefix deny list is in force and
 * that hook_acl checked every packet of the window (acl.pass) and refused none.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <plb/conn.h>

#include "acl.h"
#include "boot.h"
#include "config.h"
#include "runtime.h"

#include "bench.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(s)
#endif
/* The window under callgrind: zero every thread's costs, then dump them. */
#define WINDOW_OPEN	CALLGRIND_ZERO_STATS
#define WINDOW_CLOSE	CALLGRIND_DUMP_STATS_AT("plb-bench window")

#define RX_RING		4096
#define TX_RING		16384
#define GEN_BURST	64u
#define FRAME_LEN	60
#define SETTLE_SECS	60.0	/* longest wait for the worker to catch up */
#define RAMP_SECS	0.1	/* generator running before the window opens */
#define LOOP_PKTS	1024u	/* packets circulating in floor_loop */
#define IDLE_LOOPS	20000u	/* empty polls in the repeatable mode's idle window */

struct frame {
	uint8_t b[64];
};

struct gen {
	struct rte_ring *rx, *tx;
	uint16_t port;
	struct rte_ether_addr mac;
	struct rte_mempool *pool;
	struct frame *frames;	/* [n]: what the generator sends, in order, cycled */
	uint32_t n, next;
	uint64_t sent, drained;
	int loop;		/* floor_loop: the TX ring is also the RX ring */
	int reflect;		/* fnat_tcp_both's window: segments to a server come back as replies */
	uint32_t n_pend;	/* replies waiting for room on the RX ring */
	struct rte_mbuf *pend[TX_RING];
	uint64_t base_rx, base_loops;	/* worker counters when the window opened */
};

static struct gen g;

/* ---- frames ---- */

static uint32_t
flow_caddr(uint32_t i)
{
	return BENCH_CLIENT_NET + 1 + i % 250;
}

static uint16_t
flow_cport(uint32_t i)
{
	return (uint16_t)(10000 + i / 250);
}

/* One 60-byte frame from the router: client flow @i to the VIP, checksums right. */
static void
frame_build(struct frame *fr, uint32_t i, int proto, uint8_t tcp_flags)
{
	struct rte_ether_hdr *eh = (void *)fr->b;
	struct rte_ipv4_hdr *ip = (void *)(eh + 1);
	static const struct rte_ether_addr router = {{ 0x02, 0, 0, 0, 0, 0xfe }};

	memset(fr, 0, sizeof(*fr));
	eh->dst_addr = g.mac;
	eh->src_addr = router;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(FRAME_LEN - sizeof(*eh));
	ip->packet_id = rte_cpu_to_be_16((uint16_t)i);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = (uint8_t)proto;
	ip->src_addr = rte_cpu_to_be_32(flow_caddr(i));
	ip->dst_addr = rte_cpu_to_be_32(BENCH_VIP);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (void *)(ip + 1);

		th->src_port = rte_cpu_to_be_16(flow_cport(i));
		th->dst_port = rte_cpu_to_be_16(BENCH_TCP_VPORT);
		th->sent_seq = rte_cpu_to_be_32(i);	/* the flow id, should a reply need it */
		th->recv_ack = rte_cpu_to_be_32(tcp_flags & RTE_TCP_ACK_FLAG ? 1 : 0);
		th->data_off = 0x50;
		th->tcp_flags = tcp_flags;
		th->rx_win = rte_cpu_to_be_16(65535);
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	} else {
		struct rte_udp_hdr *uh = (void *)(ip + 1);

		uh->src_port = rte_cpu_to_be_16(flow_cport(i));
		uh->dst_port = rte_cpu_to_be_16(BENCH_UDP_VPORT);
		uh->dgram_len = rte_cpu_to_be_16(FRAME_LEN - sizeof(*eh) - sizeof(*ip));
		uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/*
 * @n frames of flows 0..flows-1: in order (@stride 1) or visiting flow
 * (k * stride) % flows at k, so that consecutive packets hit scattered
 * conns while the generator still reads its frames sequentially.
 */
static int
frames_make(uint32_t flows, uint32_t stride, int proto, uint8_t tcp_flags)
{
	free(g.frames);
	g.frames = aligned_alloc(64, (size_t)flows * sizeof(*g.frames));
	if (g.frames == NULL)
		return -ENOMEM;
	for (uint32_t k = 0; k < flows; k++)
		frame_build(&g.frames[k], (uint32_t)((uint64_t)k * stride % flows), proto, tcp_flags);
	g.n = flows;
	g.next = 0;
	return 0;
}

/* ---- rings ---- */

static int
gen_before_ports(void *arg, char **err)
{
	int pid;

	if (g.loop) {
		/* floor_loop: the worker sends into the ring it reads; the generator only primes it */
		g.rx = rte_ring_create("bench_rx0", RX_RING, 0, RING_F_SC_DEQ);
		g.tx = g.rx;
	} else {
		g.rx = rte_ring_create("bench_rx0", RX_RING, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		g.tx = rte_ring_create("bench_tx0", TX_RING, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	}
	if (g.rx == NULL || g.tx == NULL) {
		*err = strdup("bench: cannot create the RX/TX rings");
		return -ENOMEM;
	}
	pid = rte_eth_from_rings("bench0", &g.rx, 1, &g.tx, 1, 0);
	if (pid < 0) {
		*err = strdup("bench: rte_eth_from_rings failed");
		return -ENODEV;
	}
	g.port = (uint16_t)pid;
	rte_eth_macaddr_get(g.port, &g.mac);
	return 0;
}

/* ---- generator ---- */

/*
 * fnat_tcp_both: if @m goes to a server (198.51.100.0/24), turn it into that
 * server's reply in place and return 1. Swapping the two addresses and the
 * two ports leaves both checksums right (sums do not depend on the order),
 * so the reply costs the generator a few stores.
 */
static int
gen_reflect(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint32_t a;
	uint16_t p;

	if ((rte_be_to_cpu_32(ip->dst_addr) & 0xffffff00u) != BENCH_DEST_NET ||
	    ip->next_proto_id != IPPROTO_TCP)
		return 0;
	eh->src_addr = eh->dst_addr;	/* the server's MAC, as plb addressed it */
	eh->dst_addr = g.mac;
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	p = th->src_port;
	th->src_port = th->dst_port;
	th->dst_port = p;
	m->ol_flags = 0;
	m->port = g.port;
	return 1;
}

/* fnat_tcp_both: put waiting replies on the RX ring, as many as fit. */
static void
gen_pend_flush(void)
{
	uint32_t j;

	if (g.n_pend == 0)
		return;
	j = rte_ring_sp_enqueue_burst(g.rx, (void **)g.pend, g.n_pend, NULL);
	memmove(g.pend, g.pend + j, (g.n_pend - j) * sizeof(g.pend[0]));
	g.n_pend -= j;
	g.sent += j;
}

/* One step: drain the TX ring, refill the RX ring with up to @budget frames. */
static uint32_t
gen_step(uint64_t budget)
{
	struct rte_mbuf *m[GEN_BURST];
	uint32_t n, want, room, j = 0;

	n = rte_ring_sc_dequeue_burst(g.tx, (void **)m, RTE_MIN(GEN_BURST, TX_RING - g.n_pend), NULL);
	g.drained += n;
	if (g.reflect) {
		/* replies go back in first, every one of them, outside @budget */
		for (uint32_t i = 0; i < n; i++) {
			if (gen_reflect(m[i]))
				g.pend[g.n_pend++] = m[i];
			else
				m[j++] = m[i];
		}
		n = j;
		gen_pend_flush();
		if (g.n_pend)
			budget = 0;	/* no new client segment while a reply waits */
	}
	room = rte_ring_free_count(g.rx);
	want = (uint32_t)RTE_MIN((uint64_t)RTE_MIN(room, GEN_BURST), budget);
	if (n < want && rte_pktmbuf_alloc_bulk(g.pool, &m[n], want - n) != 0)
		want = n;
	for (uint32_t i = 0; i < want; i++) {
		struct rte_mbuf *b = m[i];

		if (i < n)
			rte_pktmbuf_reset(b);
		memcpy(rte_pktmbuf_mtod(b, void *), g.frames[g.next].b, FRAME_LEN);
		b->data_len = FRAME_LEN;
		b->pkt_len = FRAME_LEN;
		b->port = g.port;
		if (++g.next == g.n)
			g.next = 0;
	}
	if (want)
		rte_ring_sp_enqueue_bulk(g.rx, (void **)m, want, NULL);
	if (n > want)
		rte_pktmbuf_free_bulk(&m[want], n - want);
	g.sent += want;
	return want;
}

/* floor_loop: put up to LOOP_PKTS fresh frames into the loop ring (multi-producer). */
static void
gen_loop_prime(void)
{
	struct rte_mbuf *m[GEN_BURST];
	uint32_t k = (uint32_t)RTE_MIN((uint64_t)GEN_BURST, LOOP_PKTS - g.sent);

	if (rte_pktmbuf_alloc_bulk(g.pool, m, k) != 0)
		return;
	for (uint32_t i = 0; i < k; i++) {
		memcpy(rte_pktmbuf_mtod(m[i], void *), g.frames[g.next].b, FRAME_LEN);
		m[i]->data_len = FRAME_LEN;
		m[i]->pkt_len = FRAME_LEN;
		m[i]->port = g.port;
		if (++g.next == g.n)
			g.next = 0;
	}
	g.sent += rte_ring_mp_enqueue_burst(g.rx, (void **)m, k, NULL);
}

struct snap {
	uint64_t tsc;
	struct plb_worker_stats w;
	uint64_t conn_new;
	uint64_t acl_pass, acl_refused;
};

static uint32_t ctr_conn_new = UINT32_MAX, ctr_acl_pass = UINT32_MAX;
static uint32_t ctr_acl_refused[4] = { UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX };

static uint64_t
ctr_read(uint32_t id)
{
	return id != UINT32_MAX ? plb_counter_read_worker(id, 0) : 0;
}

static void
snap_take(struct snap *s)
{
	s->tsc = rte_rdtsc_precise();
	plb_worker_stats_get(0, &s->w);
	s->conn_new = ctr_read(ctr_conn_new);
	s->acl_pass = ctr_read(ctr_acl_pass);
	s->acl_refused = 0;
	for (int i = 0; i < 4; i++)
		s->acl_refused += ctr_read(ctr_acl_refused[i]);
}

/* Feed @count packets (0 = none), then wait until the worker has handled all it was given. */
static int
gen_feed_settle(uint64_t count)
{
	uint64_t end = rte_rdtsc() + (uint64_t)(SETTLE_SECS * rte_get_tsc_hz());
	struct plb_worker_stats w;
	uint64_t loops = 0;

	while (count) {
		count -= gen_step(count);
		if (rte_rdtsc() > end)
			return -ETIMEDOUT;
	}
	/* everything read, then one more full loop: its processing and TX flush are done */
	for (;;) {
		gen_step(0);
		plb_worker_stats_get(0, &w);
		if (w.rx < g.sent)
			loops = 0;	/* more came in (fnat_tcp_both's replies): wait for them too */
		else if (loops == 0)
			loops = w.loops + 2;
		if (loops && w.loops >= loops && rte_ring_count(g.tx) == 0 && g.n_pend == 0)
			return 0;
		if (rte_rdtsc() > end)
			return -ETIMEDOUT;
	}
}

static void
find_counters(void)
{
	static const char *const refused[4] = {
		"acl.drop_global_deny", "acl.drop_global_allow", "acl.drop_svc_deny", "acl.drop_svc_allow",
	};

	ctr_conn_new = ctr_acl_pass = UINT32_MAX;
	for (int k = 0; k < 4; k++)
		ctr_acl_refused[k] = UINT32_MAX;
	for (uint32_t i = 0; i < plb_counter_count(); i++) {
		const char *n = plb_counter_name(i);

		if (strcmp(n, "vs.conn_new") == 0)
			ctr_conn_new = i;
		else if (strcmp(n, "acl.pass") == 0)
			ctr_acl_pass = i;
		for (int k = 0; k < 4; k++)
			if (strcmp(n, refused[k]) == 0)
				ctr_acl_refused[k] = i;
	}
}

static void
result_fill(struct bench_result *res, const struct snap *a, const struct snap *b)
{
	double hz = (double)rte_get_tsc_hz();
	uint64_t cyc = b->tsc - a->tsc, loops = b->w.loops - a->w.loops;

	res->pkts = b->w.rx - a->w.rx;
	res->tx = b->w.tx - a->w.tx;
	res->drops = (b->w.tx_drop - a->w.tx_drop) + (b->w.drop_runt - a->w.drop_runt) +
		     (b->w.drop_no_l3 - a->w.drop_no_l3) + (b->w.drop_l3 - a->w.drop_l3) +
		     (b->w.handover_drop - a->w.handover_drop);
	res->conn_new = b->conn_new - a->conn_new;
	res->acl_checked = b->acl_pass - a->acl_pass;
	res->drops += b->acl_refused - a->acl_refused;
	res->secs = (double)cyc / hz;
	if (res->pkts) {
		res->mpps = (double)res->pkts / res->secs / 1e6;
		res->ns_per_pkt = res->secs * 1e9 / (double)res->pkts;
		res->cycles_per_pkt = (double)cyc / (double)res->pkts;
	}
	res->avg_burst = loops ? (double)res->pkts / (double)loops : 0;
}

/* Warm-up frames (the flows' first packets) and the window's frames. */
static int
gen_prepare(const struct bench_run *r, uint64_t *warm)
{
	int rc = 0;

	*warm = 0;
	switch (r->kind) {
	case BK_FLOOR:
	case BK_FLOOR_LOOP:
		return frames_make(r->flows, 1, IPPROTO_UDP, 0);
	case BK_NEWCONN:
		return frames_make(r->flows, 1, IPPROTO_TCP, RTE_TCP_SYN_FLAG);
	case BK_TCP:
	case BK_ACL:
	case BK_TCP_BOTH:
		rc = frames_make(r->flows, 1, IPPROTO_TCP, RTE_TCP_SYN_FLAG);
		break;
	case BK_UDP:
		rc = frames_make(r->flows, 1, IPPROTO_UDP, 0);
		break;
	}
	*warm = r->flows;
	return rc;
}

static int
gen_window_frames(const struct bench_run *r)
{
	uint32_t stride = r->flows % 7919 ? 7919 : 1;

	g.reflect = r->kind == BK_TCP_BOTH;	/* the warm-up's SYNs get no answer */
	if (r->kind == BK_TCP || r->kind == BK_ACL || r->kind == BK_TCP_BOTH)
		return frames_make(r->flows, stride, IPPROTO_TCP, RTE_TCP_ACK_FLAG);
	if (r->kind == BK_UDP)
		return frames_make(r->flows, stride, IPPROTO_UDP, 0);
	return 0;
}

/*
 * Repeatable mode: a second callgrind dump of the worker polling an empty
 * ring for IDLE_LOOPS loops (after newconn's conns expired), so the script
 * can take the fixed cost of a poll loop off the window's figure.
 */
static int
gen_idle_window(const struct bench_run *r, const struct snap *w)
{
	uint64_t end = rte_rdtsc() + (uint64_t)(SETTLE_SECS * rte_get_tsc_hz());
	struct snap c, d;

	while (r->kind == BK_NEWCONN && plb_conn_count(0) != 0)
		if (rte_rdtsc() > end)
			return -ETIMEDOUT;
	snap_take(&c);
	WINDOW_OPEN;
	do {
		rte_pause();
		plb_worker_stats_get(0, &d.w);
	} while (d.w.loops < c.w.loops + IDLE_LOOPS);
	CALLGRIND_DUMP_STATS_AT("plb-bench idle");
	snap_take(&d);
	printf("plb-bench-cg: scenario=%s window_pkts=%" PRIu64 " window_loops=%" PRIu64
	       " idle_loops=%" PRIu64 " idle_pkts=%" PRIu64 "\n", r->name, w->w.rx - g.base_rx,
	       w->w.loops - g.base_loops, d.w.loops - c.w.loops, d.w.rx - c.w.rx);
	return 0;
}

static int
gen_measure(const struct bench_run *r, const struct bench_opts *o, struct bench_result *res)
{
	struct snap a, b;
	uint64_t warm, hz = rte_get_tsc_hz();
	int rc;

	if ((rc = gen_prepare(r, &warm)) != 0)
		return rc;
	if (warm && (rc = gen_feed_settle(warm)) != 0) {
		snprintf(res->note, sizeof(res->note), "warm-up: the worker did not catch up");
		return rc;
	}
	if (warm && r->kind != BK_NEWCONN && plb_conn_count(0) != r->flows) {
		snprintf(res->note, sizeof(res->note), "warm-up made %u conns, not %u",
			 plb_conn_count(0), r->flows);
		return -EPROTO;
	}
	if ((rc = gen_window_frames(r)) != 0)
		return rc;
	if (g.loop) {
		/* prime the loop with LOOP_PKTS packets; they circulate for the whole window */
		while (g.sent < LOOP_PKTS)
			gen_loop_prime();
		snap_take(&a);
		if (o->packets) {
			WINDOW_OPEN;
			while (b.w.rx = 0, plb_worker_stats_get(0, &b.w), b.w.rx - a.w.rx < o->packets)
				rte_pause();
			WINDOW_CLOSE;
		} else {
			rte_delay_us_block((unsigned)(o->duration * 1e6));
		}
		snap_take(&b);
	} else if (o->packets) {
		snap_take(&a);
		g.base_rx = a.w.rx;
		g.base_loops = a.w.loops;
		WINDOW_OPEN;
		rc = gen_feed_settle(o->packets);
		WINDOW_CLOSE;
		snap_take(&b);
		if (rc)
			return rc;
		rc = gen_idle_window(r, &b);
		if (rc)
			return rc;
	} else {
		uint64_t end = rte_rdtsc() + (uint64_t)(RAMP_SECS * hz);

		while (rte_rdtsc() < end)
			gen_step(UINT64_MAX);
		snap_take(&a);
		end = a.tsc + (uint64_t)(o->duration * hz);
		while (rte_rdtsc() < end)
			gen_step(UINT64_MAX);
		snap_take(&b);
	}
	result_fill(res, &a, &b);
	return 0;
}

int
bench_run_one(const char *conf_path, const struct bench_run *r, const struct bench_opts *o,
	      struct bench_result *res)
{
	struct plb_boot_opts bo = { .no_ctl = 1, .before_ports = gen_before_ports };
	struct plb_conf *conf = NULL;
	char *err = NULL;
	int rc;

	memset(&g, 0, sizeof(g));
	g.loop = r->kind == BK_FLOOR_LOOP;
	snprintf(res->scenario, sizeof(res->scenario), "%s", r->name);
	snprintf(res->sched, sizeof(res->sched), "%s", r->kind <= BK_FLOOR_LOOP ? "-" : r->sched);
	res->flows = r->flows;
	res->dests = r->kind <= BK_FLOOR_LOOP ? 0 : r->dests;
	rc = plb_conf_load(conf_path, &conf, &err);
	if (rc == 0)
		rc = plb_boot(conf, &bo, &err);
	if (rc) {
		fprintf(stderr, "plb-bench: %s: %s\n", r->name, err ? err : strerror(-rc));
		snprintf(res->note, sizeof(res->note), "boot failed");
		free(err);
		plb_conf_free(conf);
		return rc;
	}
	g.pool = rte_mempool_lookup("plb_pkt");
	find_counters();
	rc = g.pool ? 0 : -ENOENT;
	if (rc == 0 && r->kind == BK_ACL) {
		const struct plb_acl_scope global = { .svc = 0 };
		uint32_t n = plb_acl_size(&global, PLB_ACL_LIST_DENY);

		if (n != BENCH_ACL_PREFIXES || ctr_acl_pass == UINT32_MAX) {
			snprintf(res->note, sizeof(res->note), "deny list holds %u prefixes, not %u%s", n,
				 BENCH_ACL_PREFIXES, ctr_acl_pass == UINT32_MAX ? " (no acl.pass counter)" : "");
			rc = -EPROTO;
		}
	}
	if (rc == 0)
		rc = gen_measure(r, o, res);
	res->conns = plb_conn_count(0);
	plb_shutdown();
	plb_conf_free(conf);
	free(g.frames);
	g.frames = NULL;
	if (rc) {
		fprintf(stderr, "plb-bench: %s: %s%s%s\n", r->name, strerror(-rc),
			res->note[0] ? ": " : "", res->note);
		return rc;
	}
	/* timed mode: rx and acl.pass are read a few instructions apart, a burst may fall between */
	if (r->kind == BK_ACL && (res->acl_checked > res->pkts ? res->acl_checked - res->pkts :
				  res->pkts - res->acl_checked) > (o->packets ? 0 : 2 * GEN_BURST)) {
		snprintf(res->note, sizeof(res->note), "hook_acl checked %" PRIu64 " of %" PRIu64 " packets",
			 res->acl_checked, res->pkts);
		return -EPROTO;
	}
	res->ok = 1;
	if (r->kind == BK_NEWCONN && res->conn_new < res->pkts - res->pkts / 100)
		snprintf(res->note, sizeof(res->note), "only %" PRIu64 " of %" PRIu64 " SYNs made a conn",
			 res->conn_new, res->pkts);
	else if (res->drops)
		snprintf(res->note, sizeof(res->note), "%" PRIu64 " dropped", res->drops);
	else if (!o->packets && res->avg_burst < 30)
		snprintf(res->note, sizeof(res->note), "generator-bound (%.1f pkts/poll)", res->avg_burst);
	return 0;
}
