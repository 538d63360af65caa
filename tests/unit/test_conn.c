/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.conn tests (framework/src/conn.c) through plb/conn.h and conn.h, on a
 * minimal EAL: fake services whose fake forwarding modes fill the server side
 * like FNAT (laddr:lport), NAT (the client) or DR (no reply key) and count
 * conn_release calls. Lookups in both directions, full tables, conn_init
 * failure, a taken reply key, dest conn counts, and expiry with a 10 ms tick:
 * never before the timeout, soon after it, refresh, shorter and longer
 * timeouts, 1000 conns in timeout order, and the cost of expiry in calls.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include <plb/conn.h>
#include <plb/fwd.h>
#include <plb/mbuf.h>
#include <plb/svc.h>

#include "conn.h"
#include "config.h"
#include "runtime.h"

#include "eal_test.h"

#define MAX_IDS		(65536 + 16)
#define TICK_MS		10
#define EPS		0.001		/* s: a call that started this early may see the tick turn */
#define LATE		0.2		/* s: how late after its timeout a conn may go */

#define CADDR		0xcb007105u	/* 203.0.113.5 */
#define VIP_A		0xc0000264u	/* 192.0.2.100 */
#define VIP_B		0xc0000265u	/* 192.0.2.101 */
#define LADDR		0xc6336401u	/* 198.51.100.1 */
#define DADDR		0xc633640bu	/* 198.51.100.11 */

/* ---- fake forwarding modes: conn->fwd_data = a unique id per conn ---- */

static uint32_t next_id;		/* conn_init calls that succeeded */
static int fail_init;			/* conn_init returns -ENOSPC */
static uint32_t n_release;
static uint8_t rel_count[MAX_IDS];	/* conn_release calls per id */
static uint64_t rel_tsc[MAX_IDS];	/* TSC at release */
static uint32_t rel_order[MAX_IDS];	/* ids in release order */

static int
fake_fnat_init(const struct plb_svc *svc, struct plb_conn *c, const struct plb_pkt *pkt)
{
	if (fail_init)
		return -ENOSPC;
	assert_true(next_id < MAX_IDS);
	c->laddr.v4 = htonl(LADDR + next_id / 60000);
	c->lport = htons((uint16_t)(1024 + next_id % 60000));
	c->fwd_data = next_id++;
	return 0;
}

static int
fake_nat_init(const struct plb_svc *svc, struct plb_conn *c, const struct plb_pkt *pkt)
{
	c->laddr = pkt->saddr;
	c->lport = pkt->sport;
	c->fwd_data = next_id++;
	return 0;
}

static int
fake_dr_init(const struct plb_svc *svc, struct plb_conn *c, const struct plb_pkt *pkt)
{
	c->flags |= PLB_CONN_F_NO_OUT;
	c->fwd_data = next_id++;
	return 0;
}

static void
fake_release(struct plb_conn *c)
{
	assert_true(c->fwd_data < next_id);
	rel_count[c->fwd_data]++;
	rel_tsc[c->fwd_data] = rte_get_tsc_cycles();
	rel_order[n_release++] = c->fwd_data;
}

static enum plb_verdict
fake_xmit(struct plb_conn *c, struct plb_pkt *pkt)
{
	return PLB_DROP;
}

static const struct plb_fwd_ops fake_fnat = {
	.conn_init = fake_fnat_init, .conn_release = fake_release, .xmit_in = fake_xmit,
	.xmit_out = fake_xmit,
};
static const struct plb_fwd_ops fake_nat = {
	.conn_init = fake_nat_init, .conn_release = fake_release, .xmit_in = fake_xmit,
	.xmit_out = fake_xmit,
};
static const struct plb_fwd_ops fake_dr = {	/* no conn_release: it is optional */
	.conn_init = fake_dr_init, .xmit_in = fake_xmit,
};

/* ---- fake services and dests (one worker) ---- */

static struct plb_dest_stats dstats[2][1];
static struct plb_dest dest[2];
static struct plb_dest *dptr[2] = { &dest[0], &dest[1] };
static struct plb_svc_stats sstats[3][1];
static struct plb_svc svc_fnat, svc_dr, svc_nat_b;

static void
fake_svc(struct plb_svc *s, uint32_t vip, const struct plb_fwd_ops *fwd, struct plb_svc_stats *st)
{
	memset(s, 0, sizeof(*s));
	s->vaddr.v4 = htonl(vip);
	s->vport = htons(80);
	s->af = AF_INET;
	s->proto = IPPROTO_TCP;
	s->n_dests = 2;
	s->dests = dptr;
	s->fwd = fwd;
	s->stats = st;
}

static struct plb_pkt
pkt4(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport, uint8_t proto)
{
	struct plb_pkt p;

	memset(&p, 0, sizeof(p));
	p.af = AF_INET;
	p.l4_proto = proto;
	p.saddr.v4 = htonl(saddr);
	p.daddr.v4 = htonl(daddr);
	p.sport = htons(sport);
	p.dport = htons(dport);
	return p;
}

/* The client's packet of flow @cport to @vip:80/TCP. */
static struct plb_pkt
pkt_in(uint16_t cport, uint32_t vip)
{
	return pkt4(CADDR, cport, vip, 80, IPPROTO_TCP);
}

/* The server's reply packet of conn @c. */
static struct plb_pkt
pkt_out(const struct plb_conn *c)
{
	struct plb_pkt p = pkt4(0, 0, 0, 0, c->proto);

	p.saddr = c->daddr;
	p.sport = c->dport;
	p.daddr = c->laddr;
	p.dport = c->lport;
	return p;
}

static struct plb_conn *
new_conn(const struct plb_svc *s, uint16_t cport, uint32_t vip)
{
	struct plb_pkt p = pkt_in(cport, vip);

	return plb_conn_new(s, &dest[0], &p);
}

static struct plb_conn *
lookup(struct plb_pkt p, int *dir)
{
	*dir = -1;
	return plb_conn_lookup(&p, dir);
}

/* Fresh conn tables of @cap conns (tick 10 ms) and zeroed fakes. */
static void
tables(uint32_t cap)
{
	struct plb_conf conf;
	char *err = NULL;

	memset(&conf, 0, sizeof(conf));
	conf.conns.per_worker = cap;
	conf.conns.tick_ms = TICK_MS;
	plb_conns_free();
	if (plb_conns_setup(&conf, 1, &err) != 0)
		fail_msg("plb_conns_setup: %s", err ? err : "(no message)");
	plb_conns_bind(0);
	next_id = 0;
	fail_init = 0;
	n_release = 0;
	memset(rel_count, 0, sizeof(rel_count));
	memset(dstats, 0, sizeof(dstats));
	memset(sstats, 0, sizeof(sstats));
	for (int i = 0; i < 2; i++) {
		memset(&dest[i], 0, sizeof(dest[i]));
		dest[i].addr.v4 = htonl(DADDR + (uint32_t)i);
		dest[i].port = htons(8080);
		dest[i].af = AF_INET;
		dest[i].weight = 1;
		dest[i].idx = (uint32_t)i;
		dest[i].stats = dstats[i];
	}
	fake_svc(&svc_fnat, VIP_A, &fake_fnat, sstats[0]);
	fake_svc(&svc_dr, VIP_A, &fake_dr, sstats[1]);
	fake_svc(&svc_nat_b, VIP_B, &fake_nat, sstats[2]);
}

static int
group_setup(void **state)
{
	if (eal_test_init("test_conn") != 0)
		return -1;
	if (plb_stats_start(1) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	plb_conns_free();
	plb_stats_reset();
	eal_test_cleanup();
	return 0;
}

static int
small_tables(void **state)
{
	tables(64);
	return 0;
}

static double
secs(uint64_t from, uint64_t to)
{
	return (double)(int64_t)(to - from) / (double)rte_get_tsc_hz();
}

/* ---- creation, lookup, deletion ---- */

static void
test_new_lookup_fnat(void **state)
{
	struct plb_conn *c, *r;
	int dir;

	c = new_conn(&svc_fnat, 40000, VIP_A);
	assert_non_null(c);
	assert_int_equal(c->af, AF_INET);
	assert_int_equal(c->proto, IPPROTO_TCP);
	assert_int_equal(c->caddr.v4, htonl(CADDR));
	assert_int_equal(c->cport, htons(40000));
	assert_int_equal(c->vaddr.v4, htonl(VIP_A));
	assert_int_equal(c->vport, htons(80));
	assert_int_equal(c->daddr.v4, htonl(DADDR));
	assert_int_equal(c->dport, htons(8080));
	assert_int_equal(c->laddr.v4, htonl(LADDR));
	assert_int_equal(c->lport, htons(1024));
	assert_ptr_equal(c->dest, &dest[0]);
	assert_ptr_equal(c->fwd, &fake_fnat);
	assert_int_equal(c->flags, 0);
	assert_int_equal(plb_conn_count(0), 1);
	assert_int_equal(plb_conn_count(1), 0);		/* no such worker */
	assert_int_equal(dest[0].inactive_conns, 1);
	assert_int_equal(dest[0].active_conns, 0);
	assert_int_equal(dstats[0][0].conns, 1);

	r = lookup(pkt_in(40000, VIP_A), &dir);
	assert_ptr_equal(r, c);
	assert_int_equal(dir, PLB_DIR_IN);
	r = lookup(pkt_out(c), &dir);
	assert_ptr_equal(r, c);
	assert_int_equal(dir, PLB_DIR_OUT);

	/* other port, other protocol, other address family, the reply's mirror: none */
	assert_null(lookup(pkt_in(40001, VIP_A), &dir));
	assert_null(lookup(pkt4(CADDR, 40000, VIP_A, 80, IPPROTO_UDP), &dir));
	struct plb_pkt p6 = pkt_in(40000, VIP_A);
	p6.af = AF_INET6;
	assert_null(lookup(p6, &dir));
	assert_null(lookup(pkt4(VIP_A, 80, CADDR, 40000, IPPROTO_TCP), &dir));

	/* a worker without a table finds nothing */
	plb_conns_bind(1);
	assert_null(lookup(pkt_in(40000, VIP_A), &dir));
	plb_conns_bind(0);

	plb_conn_del(c);
	assert_int_equal(n_release, 1);
	assert_int_equal(rel_count[0], 1);
	assert_int_equal(plb_conn_count(0), 0);
	assert_int_equal(dest[0].inactive_conns, 0);
	assert_int_equal(dest[0].active_conns, 0);
	assert_int_equal(dstats[0][0].conns, 1);	/* a total, not a gauge */
	assert_null(lookup(pkt_in(40000, VIP_A), &dir));
	assert_null(lookup(pkt4(DADDR, 8080, LADDR, 1024, IPPROTO_TCP), &dir));
	assert_int_equal(plb_conns_expired(0), 0);	/* deleted, not expired */
}

static void
test_new_lookup_dr(void **state)
{
	struct plb_conn *c;
	int dir;

	c = new_conn(&svc_dr, 40000, VIP_A);
	assert_non_null(c);
	assert_true(c->flags & PLB_CONN_F_NO_OUT);
	assert_ptr_equal(lookup(pkt_in(40000, VIP_A), &dir), c);
	assert_int_equal(dir, PLB_DIR_IN);
	/* no reply key: neither to laddr:lport (unset) nor to the client */
	assert_null(lookup(pkt_out(c), &dir));
	assert_null(lookup(pkt4(DADDR, 8080, CADDR, 40000, IPPROTO_TCP), &dir));
	assert_int_equal(dest[0].inactive_conns, 1);
	plb_conn_update(c, 1, 1, 60);
	assert_int_equal(dest[0].active_conns, 1);
	assert_int_equal(dest[0].inactive_conns, 0);
	plb_conn_del(c);			/* no conn_release in this mode */
	assert_int_equal(plb_conn_count(0), 0);
	assert_int_equal(dest[0].active_conns, 0);
	assert_int_equal(dest[0].inactive_conns, 0);
	assert_null(lookup(pkt_in(40000, VIP_A), &dir));
	assert_int_equal(n_release, 0);
}

static void
test_table_full(void **state)
{
	struct plb_conn *c[64];
	int dir;

	for (int i = 0; i < 64; i++) {
		c[i] = new_conn(&svc_fnat, (uint16_t)(10000 + i), VIP_A);
		if (c[i] == NULL)
			fail_msg("conn %d of 64: NULL (drop_conn_full %lu)", i,
				 (unsigned long)sstats[0][0].drop_conn_full);
	}
	assert_int_equal(plb_conn_count(0), 64);
	/* all 128 keys are there */
	for (int i = 0; i < 64; i++) {
		assert_ptr_equal(lookup(pkt_in((uint16_t)(10000 + i), VIP_A), &dir), c[i]);
		assert_int_equal(dir, PLB_DIR_IN);
		assert_ptr_equal(lookup(pkt_out(c[i]), &dir), c[i]);
		assert_int_equal(dir, PLB_DIR_OUT);
	}
	assert_null(new_conn(&svc_fnat, 20000, VIP_A));
	assert_int_equal(sstats[0][0].drop_conn_full, 1);
	assert_int_equal(sstats[0][0].drop_no_port, 0);
	assert_int_equal(plb_conn_count(0), 64);
	assert_int_equal(n_release, 0);			/* nothing was taken */
	assert_int_equal(dest[0].inactive_conns, 64);
	assert_int_equal(dstats[0][0].conns, 64);

	/* a freed slot is reused */
	plb_conn_del(c[10]);
	c[10] = new_conn(&svc_fnat, 20000, VIP_A);
	assert_non_null(c[10]);
	assert_ptr_equal(lookup(pkt_in(20000, VIP_A), &dir), c[10]);
	assert_null(lookup(pkt_in(10010, VIP_A), &dir));
	for (int i = 0; i < 64; i++)
		plb_conn_del(c[i]);
	assert_int_equal(plb_conn_count(0), 0);
	assert_int_equal(n_release, 65);
	assert_int_equal(dest[0].inactive_conns, 0);
}

/* a table holds per_worker conns: 65536 conns, 131072 keys */
static void
test_table_full_large(void **state)
{
	enum { N = 65536 };
	static struct plb_conn *c[N];

	tables(N);
	for (int i = 0; i < N; i++) {
		struct plb_pkt p = pkt4(CADDR + (uint32_t)i / 32768, (uint16_t)(10000 + i % 32768),
					VIP_A, 80, IPPROTO_TCP);

		c[i] = plb_conn_new(&svc_fnat, &dest[0], &p);
		if (c[i] == NULL)
			fail_msg("conn %d of %d: NULL (drop_conn_full %lu)", i, N,
				 (unsigned long)sstats[0][0].drop_conn_full);
	}
	assert_null(new_conn(&svc_fnat, 20000, VIP_A));
	assert_int_equal(sstats[0][0].drop_conn_full, 1);
	for (int i = 0; i < N; i++)
		plb_conn_del(c[i]);
	assert_int_equal(plb_conn_count(0), 0);
	assert_int_equal(n_release, N);
}

static void
test_init_fails(void **state)
{
	struct plb_conn *c[64];
	int dir;

	for (int i = 0; i < 63; i++)
		assert_non_null(c[i] = new_conn(&svc_fnat, (uint16_t)(10000 + i), VIP_A));
	fail_init = 1;
	assert_null(new_conn(&svc_fnat, 20000, VIP_A));
	assert_int_equal(sstats[0][0].drop_no_port, 1);
	assert_int_equal(sstats[0][0].drop_conn_full, 0);
	assert_int_equal(plb_conn_count(0), 63);
	assert_int_equal(n_release, 0);			/* conn_init took nothing */
	assert_int_equal(dest[0].inactive_conns, 63);
	assert_int_equal(dstats[0][0].conns, 63);
	assert_null(lookup(pkt_in(20000, VIP_A), &dir));
	/* the slot came back: one more fits, then the table is full */
	fail_init = 0;
	assert_non_null(c[63] = new_conn(&svc_fnat, 20000, VIP_A));
	assert_null(new_conn(&svc_fnat, 20001, VIP_A));
	assert_int_equal(sstats[0][0].drop_conn_full, 1);
	for (int i = 0; i < 64; i++)
		plb_conn_del(c[i]);
	assert_int_equal(plb_conn_count(0), 0);
}

/*
 * NAT: the same client endpoint to two VIPs scheduled to one server gives
 * two conns with one reply key. The second must be refused (the first keeps
 * its replies), not silently take over the first one's replies.
 */
static void
test_reply_key_taken(void **state)
{
	struct plb_conn *a, *b;
	int dir;

	fake_svc(&svc_fnat, VIP_A, &fake_nat, sstats[0]);
	a = new_conn(&svc_fnat, 40000, VIP_A);
	assert_non_null(a);
	assert_int_equal(a->laddr.v4, htonl(CADDR));
	assert_ptr_equal(lookup(pkt_out(a), &dir), a);
	b = new_conn(&svc_nat_b, 40000, VIP_B);
	assert_null(b);
	assert_int_equal(sstats[2][0].drop_conn_full, 1);
	assert_int_equal(n_release, 1);			/* b's conn_init was undone */
	assert_int_equal(plb_conn_count(0), 1);
	assert_int_equal(dest[0].inactive_conns, 1);
	assert_ptr_equal(lookup(pkt_out(a), &dir), a);
	assert_int_equal(dir, PLB_DIR_OUT);
	assert_ptr_equal(lookup(pkt_in(40000, VIP_A), &dir), a);
	assert_null(lookup(pkt_in(40000, VIP_B), &dir));
	plb_conn_del(a);
	assert_null(lookup(pkt4(DADDR, 8080, CADDR, 40000, IPPROTO_TCP), &dir));
	assert_int_equal(plb_conn_count(0), 0);
}

static void
test_update_counts(void **state)
{
	struct plb_conn *c = new_conn(&svc_fnat, 40000, VIP_A);
	struct plb_conn tmpl;

	assert_non_null(c);
	plb_conn_update(c, 3, 1, 900);
	assert_int_equal(c->state, 3);
	assert_int_equal(c->timeout, 900);
	assert_true(c->flags & PLB_CONN_F_ACTIVE);
	assert_int_equal(dest[0].active_conns, 1);
	assert_int_equal(dest[0].inactive_conns, 0);
	plb_conn_update(c, 4, 1, 900);			/* still active: no move */
	assert_int_equal(dest[0].active_conns, 1);
	assert_int_equal(dest[0].inactive_conns, 0);
	plb_conn_update(c, 5, 0, 60);
	assert_int_equal(c->state, 5);
	assert_int_equal(c->timeout, 60);
	assert_false(c->flags & PLB_CONN_F_ACTIVE);
	assert_int_equal(dest[0].active_conns, 0);
	assert_int_equal(dest[0].inactive_conns, 1);
	plb_conn_update(c, 3, 1, 900);
	plb_conn_del(c);				/* an active conn leaves the active count */
	assert_int_equal(dest[0].active_conns, 0);
	assert_int_equal(dest[0].inactive_conns, 0);
	assert_int_equal(n_release, 1);

	/* a one-packet template: state only, no counts, del does nothing */
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.flags = PLB_CONN_F_TEMPLATE;
	tmpl.dest = &dest[1];
	tmpl.fwd = &fake_fnat;
	plb_conn_update(&tmpl, 2, 1, 300);
	assert_int_equal(tmpl.state, 2);
	assert_int_equal(dest[1].active_conns, 0);
	assert_int_equal(dest[1].inactive_conns, 0);
	plb_conn_del(&tmpl);
	assert_int_equal(n_release, 1);
	assert_int_equal(plb_conn_count(0), 0);
}

/* ---- expiry ---- */

/* A conn under watch: its timeout and when its last update began and ended. */
struct watch {
	uint32_t id;
	uint32_t timeout;
	uint64_t t_before;
	uint64_t t_after;
	int gone;
};

static void
watch_update(struct watch *w, struct plb_conn *c, uint32_t timeout)
{
	w->id = c->fwd_data;
	w->timeout = timeout;
	w->t_before = rte_get_tsc_cycles();
	plb_conn_update(c, 1, 0, timeout);
	w->t_after = rte_get_tsc_cycles();
}

/*
 * One plb_conns_expire() call, then check the watched conns it released:
 * the call began at least timeout after the update ended (minus EPS), and
 * the release came at most timeout + LATE after the update began.
 */
static void
expire_check(struct watch *w, int n)
{
	uint64_t before = rte_get_tsc_cycles();

	plb_conns_expire();
	for (int i = 0; i < n; i++) {
		if (w[i].gone || rel_count[w[i].id] == 0)
			continue;
		w[i].gone = 1;
		assert_int_equal(rel_count[w[i].id], 1);
		if (secs(w[i].t_after, before) < w[i].timeout - EPS)
			fail_msg("conn %u (timeout %u s) expired %.4f s after its update",
				 w[i].id, w[i].timeout, secs(w[i].t_after, before));
		if (secs(w[i].t_before, rel_tsc[w[i].id]) > w[i].timeout + LATE)
			fail_msg("conn %u (timeout %u s) expired only %.4f s after its update",
				 w[i].id, w[i].timeout, secs(w[i].t_before, rel_tsc[w[i].id]));
	}
}

/* Poll expiry until watched conn @k is gone; fail after @limit s. */
static void
expire_until_gone(struct watch *w, int n, int k, double limit)
{
	uint64_t t0 = rte_get_tsc_cycles();

	while (!w[k].gone) {
		if (secs(t0, rte_get_tsc_cycles()) > limit)
			fail_msg("conn %u (timeout %u s) still there after %.1f s", w[k].id,
				 w[k].timeout, limit);
		expire_check(w, n);
		usleep(200);
	}
}

/* B (1 s) expires in [1 s, 1.2 s]; A, refreshed every 100 ms, lives on, then goes 1 s after. */
static void
test_expire_refresh(void **state)
{
	struct plb_conn *a = new_conn(&svc_fnat, 40000, VIP_A);
	struct plb_conn *b = new_conn(&svc_fnat, 40001, VIP_A);
	struct watch w[2] = { { 0 } };
	uint64_t start;

	assert_non_null(a);
	assert_non_null(b);
	watch_update(&w[0], a, 1);
	watch_update(&w[1], b, 1);
	start = w[1].t_after;
	while (secs(start, rte_get_tsc_cycles()) < 1.5) {
		if (secs(w[0].t_after, rte_get_tsc_cycles()) >= 0.1)
			watch_update(&w[0], a, 1);
		expire_check(w, 2);
		assert_false(w[0].gone);
		usleep(200);
	}
	assert_true(w[1].gone);
	assert_int_equal(plb_conn_count(0), 1);
	expire_until_gone(w, 2, 0, 2.0);
	assert_int_equal(plb_conn_count(0), 0);
	assert_int_equal(plb_conns_expired(0), 2);
	assert_int_equal(n_release, 2);
	assert_int_equal(dest[0].inactive_conns, 0);
}

/*
 * S: 100 s, then 1 s: the shorter timeout is re-filed and S goes after
 * about 1 s. L: 1 s, then 2 s: L is not expired at its old time.
 */
static void
test_expire_shorter_longer(void **state)
{
	struct plb_conn *s = new_conn(&svc_fnat, 40000, VIP_A);
	struct plb_conn *l = new_conn(&svc_fnat, 40001, VIP_A);
	struct watch w[2] = { { 0 } };
	int dir;

	assert_non_null(s);
	assert_non_null(l);
	plb_conn_update(s, 1, 1, 100);
	plb_conn_update(l, 1, 0, 1);
	/* let both be filed by the wheel at their first timeouts */
	for (int i = 0; i < 5; i++) {
		plb_conns_expire();
		usleep(TICK_MS * 1000);
	}
	assert_int_equal(plb_conn_count(0), 2);
	watch_update(&w[0], s, 1);
	watch_update(&w[1], l, 2);
	expire_until_gone(w, 2, 0, 2.0);
	assert_false(w[1].gone);
	assert_ptr_equal(lookup(pkt_in(40001, VIP_A), &dir), l);
	assert_int_equal(dest[0].active_conns, 0);	/* S went inactive with its update */
	assert_int_equal(dest[0].inactive_conns, 1);	/* L */
	expire_until_gone(w, 2, 1, 3.0);
	assert_int_equal(plb_conn_count(0), 0);
	assert_int_equal(plb_conns_expired(0), 2);
	assert_int_equal(dest[0].inactive_conns, 0);
}

/* 1000 conns of 0, 1 and 2 s: each goes in its time, shorter timeouts first, once. */
static void
test_expire_many(void **state)
{
	enum { N = 1000 };
	static struct watch w[N];
	uint64_t t0;
	int gone;

	tables(1024);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < N; i++) {
		struct plb_conn *c = new_conn(&svc_fnat, (uint16_t)(10000 + i), VIP_A);

		assert_non_null(c);
		watch_update(&w[i], c, (uint32_t)(i % 3));
		assert_int_equal(w[i].id, i);
	}
	assert_int_equal(plb_conn_count(0), N);
	t0 = rte_get_tsc_cycles();
	do {
		if (secs(t0, rte_get_tsc_cycles()) > 3.0)
			fail_msg("%u of %d conns expired after 3 s", n_release, N);
		expire_check(w, N);
		usleep(200);
		gone = 0;
		for (int i = 0; i < N; i++)
			gone += w[i].gone;
	} while (gone < N);
	assert_int_equal(n_release, N);
	for (uint32_t i = 1; i < n_release; i++)
		if (rel_order[i] % 3 < rel_order[i - 1] % 3)
			fail_msg("release %u: conn %u (%u s) after conn %u (%u s)", i, rel_order[i],
				 rel_order[i] % 3, rel_order[i - 1], rel_order[i - 1] % 3);
	for (int i = 0; i < N; i++)
		assert_int_equal(rel_count[i], 1);
	assert_int_equal(plb_conns_expired(0), N);
	assert_int_equal(plb_conn_count(0), 0);
	assert_int_equal(dest[0].inactive_conns, 0);
	assert_int_equal(dest[0].active_conns, 0);
}

/*
 * plb_conns_prefetch() over a table big enough to use it (>= 4096 conns):
 * a burst of 40 packets (two rounds of 32) mixing client packets, replies,
 * unknown flows, non-L4 and non-IPv4 packets changes nothing: every lookup
 * afterwards finds what it found before. (What it is for, fewer cache
 * misses, only the benchmark can show; under valgrind this catches a read
 * outside the index or the conn array.)
 */
static void
test_prefetch_large(void **state)
{
	enum { N = 5000, B = 40 };
	static struct plb_conn *conns[N];
	struct rte_mempool *mp;
	struct rte_mbuf *m[B];
	struct plb_conn *c;
	int dir;

	tables(8192);
	for (int i = 0; i < N; i++) {
		conns[i] = new_conn(&svc_fnat, (uint16_t)(10000 + i), VIP_A);
		assert_non_null(conns[i]);
	}
	mp = rte_pktmbuf_pool_create("test_conn_pf", 127, 0,
				     RTE_ALIGN(sizeof(struct plb_pkt), RTE_MBUF_PRIV_ALIGN),
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	assert_non_null(mp);
	assert_int_equal(rte_pktmbuf_alloc_bulk(mp, m, B), 0);
	for (int i = 0; i < B; i++) {
		struct plb_pkt *p = plb_pkt_of(m[i]);

		switch (i % 5) {
		case 0: *p = pkt_in((uint16_t)(10000 + i * 97), VIP_A); break;
		case 1: *p = pkt_out(conns[i * 89]); break;
		case 2: *p = pkt_in((uint16_t)(60000 + i), VIP_A); break;	/* no such conn */
		case 3: *p = pkt_in((uint16_t)(10000 + i), VIP_A); p->af = 0; break;
		default: *p = pkt_in((uint16_t)(10000 + i), VIP_A); break;
		}
		p->mbuf = m[i];
		if (i % 5 != 4)
			p->flags |= PLB_PKT_F_L4;	/* the last kind: not parsed to L4 */
	}
	plb_conns_prefetch(m, B);
	for (int i = 0; i < B; i += 5) {
		c = lookup(pkt_in((uint16_t)(10000 + i * 97), VIP_A), &dir);
		assert_ptr_equal(c, conns[i * 97]);
		assert_int_equal(dir, PLB_DIR_IN);
		c = lookup(pkt_out(conns[(i + 1) * 89]), &dir);
		assert_ptr_equal(c, conns[(i + 1) * 89]);
		assert_int_equal(dir, PLB_DIR_OUT);
		assert_null(lookup(pkt_in((uint16_t)(60000 + i + 2), VIP_A), &dir));
	}
	assert_int_equal(plb_conn_count(0), N);
	rte_pktmbuf_free_bulk(m, B);
	rte_mempool_free(mp);
}

/*
 * O(expired): 6000 conns of an hour and 10 of 1 s. Once the short ones are
 * due, the first plb_conns_expire() call removes all ten: it does not wade
 * through the long-lived ones (it looks at 256 conns at most per call, so a
 * scan would need about 24 calls). No timing is asserted, only calls.
 */
static void
test_expire_cost(void **state)
{
	enum { N_LONG = 6000, N_SHORT = 10 };
	struct watch w[N_SHORT];
	uint64_t due = 0, t0;
	uint32_t calls_after_due = 0;

	tables(8192);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < N_LONG; i++) {
		struct plb_conn *c = new_conn(&svc_fnat, (uint16_t)(2000 + i), VIP_A);

		assert_non_null(c);
		plb_conn_update(c, 1, 1, 3600);
	}
	for (int i = 0; i < N_SHORT; i++) {
		struct plb_conn *c = new_conn(&svc_fnat, (uint16_t)(20000 + i), VIP_A);

		assert_non_null(c);
		watch_update(&w[i], c, 1);
	}
	/* due: the end of the tick that follows 1 s after the last update, plus 1 ms */
	due = w[N_SHORT - 1].t_after + rte_get_tsc_hz() * (1000 + TICK_MS + 1) / 1000;
	t0 = rte_get_tsc_cycles();
	while (n_release < N_SHORT) {
		int after = rte_get_tsc_cycles() >= due;

		if (secs(t0, rte_get_tsc_cycles()) > 2.0)
			fail_msg("%u of %d short conns expired after 2 s", n_release, N_SHORT);
		expire_check(w, N_SHORT);
		calls_after_due += after;
		usleep(200);
	}
	if (calls_after_due > 1)
		fail_msg("%u calls after the short conns were due", calls_after_due);
	assert_int_equal(n_release, N_SHORT);
	assert_int_equal(plb_conns_expired(0), N_SHORT);
	assert_int_equal(plb_conn_count(0), N_LONG);
	assert_int_equal(dest[0].active_conns, N_LONG);
	assert_int_equal(dest[0].inactive_conns, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_new_lookup_fnat, small_tables),
		cmocka_unit_test_setup(test_new_lookup_dr, small_tables),
		cmocka_unit_test_setup(test_table_full, small_tables),
		cmocka_unit_test(test_table_full_large),
		cmocka_unit_test_setup(test_init_fails, small_tables),
		cmocka_unit_test_setup(test_reply_key_taken, small_tables),
		cmocka_unit_test_setup(test_update_counts, small_tables),
		cmocka_unit_test_setup(test_expire_refresh, small_tables),
		cmocka_unit_test_setup(test_expire_shorter_longer, small_tables),
		cmocka_unit_test(test_expire_many),
		cmocka_unit_test(test_expire_cost),
		cmocka_unit_test(test_prefetch_large),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
