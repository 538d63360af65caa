/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of core.registry (framework/src/registry.h) with plain function
 * pointers, no modules and no EAL: add/get and duplicate/bad-argument codes
 * of every table, hook chain order (priority, ties in registration order,
 * one chain per point) and plb_hook_run() for every verdict, including the
 * REPEAT limit and its drop counter.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "registry.h"

/* ---- dummy ops ---------------------------------------------------------- */

static enum plb_verdict
dummy_verdict(struct plb_pkt *pkt)
{
	return PLB_ACCEPT;
}

static uint32_t
dummy_steer(const struct plb_pkt *pkt)
{
	return 0;
}

static struct plb_dest *
dummy_schedule(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_pkt *pkt)
{
	return NULL;
}

static enum plb_verdict
dummy_xmit(struct plb_conn *conn, struct plb_pkt *pkt)
{
	return PLB_STOLEN;
}

static int
reset(void **state)
{
	plb_reg_reset();
	return 0;
}

/* ---- L3, proto, sched, fwd tables --------------------------------------- */

static void
test_l3(void **state)
{
	static const struct plb_l3_ops ip4 = { .ethertype = 0x0800, .parse = dummy_verdict,
					       .rcv = dummy_verdict };
	static const struct plb_l3_ops arp = { .ethertype = 0x0806, .parse = dummy_verdict,
					       .steer = dummy_steer, .rcv = dummy_verdict };
	static const struct plb_l3_ops ip4_again = { .ethertype = 0x0800, .parse = dummy_verdict,
						     .rcv = dummy_verdict };
	static const struct plb_l3_ops no_parse = { .ethertype = 0x86dd, .rcv = dummy_verdict };
	static const struct plb_l3_ops no_rcv = { .ethertype = 0x86dd, .parse = dummy_verdict };

	assert_null(plb_reg_l3_get(0x0800));
	assert_int_equal(plb_reg_l3_add(&ip4), 0);
	assert_int_equal(plb_reg_l3_add(&arp), 0);
	assert_ptr_equal(plb_reg_l3_get(0x0800), &ip4);
	assert_ptr_equal(plb_reg_l3_get(0x0806), &arp);
	assert_null(plb_reg_l3_get(0x86dd));
	assert_null(plb_reg_l3_get(0x0008));	/* byte-swapped 0x0800: host order only */

	assert_int_equal(plb_reg_l3_add(&ip4_again), -EEXIST);
	assert_int_equal(plb_reg_l3_add(&ip4), -EEXIST);
	assert_ptr_equal(plb_reg_l3_get(0x0800), &ip4);

	assert_int_equal(plb_reg_l3_add(NULL), -EINVAL);
	assert_int_equal(plb_reg_l3_add(&no_parse), -EINVAL);
	assert_int_equal(plb_reg_l3_add(&no_rcv), -EINVAL);
	assert_null(plb_reg_l3_get(0x86dd));

	plb_reg_reset();
	assert_null(plb_reg_l3_get(0x0800));
	assert_null(plb_reg_l3_get(0x0806));
	assert_int_equal(plb_reg_l3_add(&ip4_again), 0);
	assert_ptr_equal(plb_reg_l3_get(0x0800), &ip4_again);
}

/* More ethertypes than any initial table size: the table must grow. */
static void
test_l3_many(void **state)
{
	static struct plb_l3_ops many[100];

	for (unsigned i = 0; i < 100; i++) {
		many[i] = (struct plb_l3_ops){ .ethertype = (uint16_t)(0x9000 + i),
					       .parse = dummy_verdict, .rcv = dummy_verdict };
		assert_int_equal(plb_reg_l3_add(&many[i]), 0);
	}
	for (unsigned i = 0; i < 100; i++)
		assert_ptr_equal(plb_reg_l3_get((uint16_t)(0x9000 + i)), &many[i]);
	assert_null(plb_reg_l3_get(0x9000 + 100));
}

static void
test_proto(void **state)
{
	static const struct plb_proto_ops tcp = { .ipproto = 6, .parse = dummy_verdict };
	static const struct plb_proto_ops udp = { .ipproto = 17, .parse = dummy_verdict,
						  .local_in = dummy_verdict };
	static const struct plb_proto_ops tcp_again = { .ipproto = 6, .parse = dummy_verdict };
	static const struct plb_proto_ops no_parse = { .ipproto = 1 };
	static const struct plb_proto_ops p255 = { .ipproto = 255, .parse = dummy_verdict };

	assert_null(plb_proto_get(6));
	assert_int_equal(plb_reg_proto_add(&tcp), 0);
	assert_int_equal(plb_reg_proto_add(&udp), 0);
	assert_int_equal(plb_reg_proto_add(&p255), 0);
	assert_ptr_equal(plb_proto_get(6), &tcp);
	assert_ptr_equal(plb_proto_get(17), &udp);
	assert_ptr_equal(plb_proto_get(255), &p255);
	assert_null(plb_proto_get(1));
	assert_null(plb_proto_get(0));

	assert_int_equal(plb_reg_proto_add(&tcp_again), -EEXIST);
	assert_ptr_equal(plb_proto_get(6), &tcp);
	assert_int_equal(plb_reg_proto_add(NULL), -EINVAL);
	assert_int_equal(plb_reg_proto_add(&no_parse), -EINVAL);
	assert_null(plb_proto_get(1));

	plb_reg_reset();
	assert_null(plb_proto_get(6));
	assert_null(plb_proto_get(255));
}

static void
test_sched(void **state)
{
	static const struct plb_sched_ops rr = { .schedule = dummy_schedule };
	static const struct plb_sched_ops wlc = { .schedule = dummy_schedule };
	static const struct plb_sched_ops none = { .schedule = NULL };
	char name[8] = "rr";

	/* the registry keeps its own copy of the name */
	assert_int_equal(plb_reg_sched_add(name, &rr), 0);
	strcpy(name, "xx");
	assert_ptr_equal(plb_reg_sched_get("rr"), &rr);
	assert_null(plb_reg_sched_get("xx"));

	assert_int_equal(plb_reg_sched_add("wlc", &wlc), 0);
	assert_ptr_equal(plb_reg_sched_get("wlc"), &wlc);
	assert_null(plb_reg_sched_get("wl"));
	assert_null(plb_reg_sched_get("wlcx"));
	assert_null(plb_reg_sched_get(""));

	assert_int_equal(plb_reg_sched_add("rr", &wlc), -EEXIST);
	assert_ptr_equal(plb_reg_sched_get("rr"), &rr);

	assert_int_equal(plb_reg_sched_add(NULL, &rr), -EINVAL);
	assert_int_equal(plb_reg_sched_add("", &rr), -EINVAL);
	assert_int_equal(plb_reg_sched_add("mh", NULL), -EINVAL);
	assert_int_equal(plb_reg_sched_add("mh", &none), -EINVAL);
	assert_null(plb_reg_sched_get("mh"));

	plb_reg_reset();
	assert_null(plb_reg_sched_get("rr"));
	assert_null(plb_reg_sched_get("wlc"));
	assert_int_equal(plb_reg_sched_add("rr", &wlc), 0);
	assert_ptr_equal(plb_reg_sched_get("rr"), &wlc);
}

static void
test_fwd(void **state)
{
	static const struct plb_fwd_ops fnat = { .xmit_in = dummy_xmit, .xmit_out = dummy_xmit };
	static const struct plb_fwd_ops dr = { .xmit_in = dummy_xmit };
	static const struct plb_fwd_ops none = { .xmit_out = dummy_xmit };

	assert_int_equal(plb_reg_fwd_add("fnat", &fnat), 0);
	assert_int_equal(plb_reg_fwd_add("dr", &dr), 0);
	assert_ptr_equal(plb_reg_fwd_get("fnat"), &fnat);
	assert_ptr_equal(plb_reg_fwd_get("dr"), &dr);
	assert_null(plb_reg_fwd_get("nat"));

	assert_int_equal(plb_reg_fwd_add("dr", &fnat), -EEXIST);
	assert_ptr_equal(plb_reg_fwd_get("dr"), &dr);

	assert_int_equal(plb_reg_fwd_add(NULL, &dr), -EINVAL);
	assert_int_equal(plb_reg_fwd_add("", &dr), -EINVAL);
	assert_int_equal(plb_reg_fwd_add("tun", NULL), -EINVAL);
	assert_int_equal(plb_reg_fwd_add("tun", &none), -EINVAL);
	assert_null(plb_reg_fwd_get("tun"));

	/* the sched and fwd namespaces are separate */
	assert_null(plb_reg_sched_get("fnat"));

	plb_reg_reset();
	assert_null(plb_reg_fwd_get("fnat"));
}

/* ---- hooks: a recorder shared by every test hook ------------------------ */

/*
 * Each test hook's priv is a struct th: its id, the verdicts it returns on
 * successive calls (the last one repeats forever) and how often it ran.
 * Every call appends the id to trace[] so a test sees the run order.
 */
struct th {
	int id;
	const enum plb_verdict *verdicts;
	unsigned n_verdicts;
	unsigned calls;
};

static int trace[64];
static unsigned n_trace;

static enum plb_verdict
th_fn(void *priv, struct plb_pkt *pkt)
{
	struct th *t = priv;
	unsigned k = t->calls < t->n_verdicts ? t->calls : t->n_verdicts - 1;

	t->calls++;
	if (n_trace < sizeof(trace) / sizeof(trace[0]))
		trace[n_trace] = t->id;
	n_trace++;
	assert_non_null(pkt);
	return t->verdicts[k];
}

static const enum plb_verdict v_accept[] = { PLB_ACCEPT };
static const enum plb_verdict v_drop[] = { PLB_DROP };
static const enum plb_verdict v_stolen[] = { PLB_STOLEN };
static const enum plb_verdict v_stop[] = { PLB_STOP };
static const enum plb_verdict v_repeat[] = { PLB_REPEAT };
static const enum plb_verdict v_repeat_once[] = { PLB_REPEAT, PLB_ACCEPT };

#define TH(ID, V) { .id = (ID), .verdicts = (V), .n_verdicts = sizeof(V) / sizeof((V)[0]) }
#define REG(NAME, POINT, PRIO, TH) \
	{ .name = (NAME), .point = (POINT), .priority = (PRIO), .fn = th_fn, .priv = (TH) }

static int
hook_setup(void **state)
{
	plb_reg_reset();
	n_trace = 0;
	memset(trace, 0, sizeof(trace));
	return 0;
}

static void
assert_trace(const int *want, unsigned n)
{
	assert_int_equal(n_trace, n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(trace[i], want[i]);
}

/* The chain of @point holds exactly @want (registrations), in that order. */
static void
assert_chain(enum plb_hook_point point, const struct plb_hook_reg *const *want, uint32_t n)
{
	const struct plb_hook_reg *const *c;
	uint32_t got = 12345;

	c = plb_reg_hook_chain(point, &got);
	assert_int_equal(got, n);
	for (uint32_t i = 0; i < n; i++)
		assert_ptr_equal(c[i], want[i]);
}

static void
test_hook_order(void **state)
{
	static struct th t[7] = {
		TH(1, v_accept), TH(2, v_accept), TH(3, v_accept), TH(4, v_accept),
		TH(5, v_accept), TH(6, v_accept), TH(7, v_accept),
	};
	static const struct plb_hook_reg r[7] = {
		REG("a", PLB_HOOK_PRE_ROUTING, 100, &t[0]),
		REG("b", PLB_HOOK_LOCAL_IN, 50, &t[1]),
		REG("c", PLB_HOOK_PRE_ROUTING, 50, &t[2]),
		REG("d", PLB_HOOK_PRE_ROUTING, 100, &t[3]),	/* tie with a: after a */
		REG("e", PLB_HOOK_PRE_ROUTING, -10, &t[4]),
		REG("f", PLB_HOOK_LOCAL_IN, 50, &t[5]),		/* tie with b: after b */
		REG("g", PLB_HOOK_PRE_ROUTING, 50, &t[6]),	/* tie with c: after c */
	};
	const struct plb_hook_reg *pre[] = { &r[4], &r[2], &r[6], &r[0], &r[3] };
	const struct plb_hook_reg *in[] = { &r[1], &r[5] };
	struct plb_pkt pkt = { 0 };

	for (int p = 0; p < PLB_HOOK_POINTS; p++)
		assert_chain((enum plb_hook_point)p, NULL, 0);
	for (int i = 0; i < 7; i++)
		assert_int_equal(plb_reg_hook_add(&r[i]), 0);

	assert_chain(PLB_HOOK_PRE_ROUTING, pre, 5);
	assert_chain(PLB_HOOK_LOCAL_IN, in, 2);
	assert_chain(PLB_HOOK_FORWARD, NULL, 0);
	assert_chain(PLB_HOOK_LOCAL_OUT, NULL, 0);
	assert_chain(PLB_HOOK_POST_ROUTING, NULL, 0);

	/* running a chain runs exactly that chain, in that order */
	assert_int_equal(plb_hook_run(PLB_HOOK_PRE_ROUTING, &pkt), PLB_ACCEPT);
	assert_trace((const int[]){ 5, 3, 7, 1, 4 }, 5);
	assert_int_equal(plb_hook_run(PLB_HOOK_LOCAL_IN, &pkt), PLB_ACCEPT);
	assert_trace((const int[]){ 5, 3, 7, 1, 4, 2, 6 }, 7);

	plb_reg_reset();
	for (int p = 0; p < PLB_HOOK_POINTS; p++)
		assert_chain((enum plb_hook_point)p, NULL, 0);
}

static void
test_hook_bad_args(void **state)
{
	static struct th t = TH(1, v_accept);
	static const struct plb_hook_reg no_fn = { .name = "x", .point = PLB_HOOK_FORWARD };
	static const struct plb_hook_reg bad_point = {
		.name = "y", .point = PLB_HOOK_POINTS, .fn = th_fn, .priv = &t };
	static const struct plb_hook_reg neg_point = {
		.name = "z", .point = (enum plb_hook_point)-1, .fn = th_fn, .priv = &t };

	assert_int_equal(plb_reg_hook_add(NULL), -EINVAL);
	assert_int_equal(plb_reg_hook_add(&no_fn), -EINVAL);
	assert_int_equal(plb_reg_hook_add(&bad_point), -EINVAL);
	assert_int_equal(plb_reg_hook_add(&neg_point), -EINVAL);
	for (int p = 0; p < PLB_HOOK_POINTS; p++)
		assert_chain((enum plb_hook_point)p, NULL, 0);
}

/* Register @n hooks on @point in the given order (distinct priorities ascending). */
static void
add_chain(enum plb_hook_point point, struct plb_hook_reg *r, struct th *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		r[i] = (struct plb_hook_reg){ .name = "t", .point = point,
					      .priority = (int)(10 * (i + 1)),
					      .fn = th_fn, .priv = &t[i] };
		assert_int_equal(plb_reg_hook_add(&r[i]), 0);
	}
}

static void
test_run_empty(void **state)
{
	struct plb_pkt pkt = { 0 };

	for (int p = 0; p < PLB_HOOK_POINTS; p++)
		assert_int_equal(plb_hook_run((enum plb_hook_point)p, &pkt), PLB_ACCEPT);
	assert_int_equal(n_trace, 0);
}

static void
test_run_all_accept(void **state)
{
	struct th t[3] = { TH(1, v_accept), TH(2, v_accept), TH(3, v_accept) };
	struct plb_hook_reg r[3];
	struct plb_pkt pkt = { 0 };

	add_chain(PLB_HOOK_FORWARD, r, t, 3);
	assert_int_equal(plb_hook_run(PLB_HOOK_FORWARD, &pkt), PLB_ACCEPT);
	assert_trace((const int[]){ 1, 2, 3 }, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(t[i].calls, 1);
	/* other points are untouched */
	assert_int_equal(plb_hook_run(PLB_HOOK_LOCAL_OUT, &pkt), PLB_ACCEPT);
	assert_int_equal(n_trace, 3);
}

/* A hook in the middle returns @v: the run returns @want and hook 3 never runs. */
static void
run_stops(const enum plb_verdict *v, enum plb_verdict want)
{
	struct th t[3] = { TH(1, v_accept), { .id = 2, .verdicts = v, .n_verdicts = 1 },
			   TH(3, v_accept) };
	struct plb_hook_reg r[3];
	struct plb_pkt pkt = { 0 };

	add_chain(PLB_HOOK_POST_ROUTING, r, t, 3);
	assert_int_equal(plb_hook_run(PLB_HOOK_POST_ROUTING, &pkt), want);
	assert_trace((const int[]){ 1, 2 }, 2);
	assert_int_equal(t[2].calls, 0);
}

static void
test_run_drop(void **state)
{
	run_stops(v_drop, PLB_DROP);
}

static void
test_run_stolen(void **state)
{
	run_stops(v_stolen, PLB_STOLEN);
}

static void
test_run_stop(void **state)
{
	run_stops(v_stop, PLB_ACCEPT);
}

/* The first hook dropping: nothing after it runs. */
static void
test_run_drop_first(void **state)
{
	struct th t[2] = { TH(1, v_drop), TH(2, v_accept) };
	struct plb_hook_reg r[2];
	struct plb_pkt pkt = { 0 };

	add_chain(PLB_HOOK_PRE_ROUTING, r, t, 2);
	assert_int_equal(plb_hook_run(PLB_HOOK_PRE_ROUTING, &pkt), PLB_DROP);
	assert_trace((const int[]){ 1 }, 1);
}

static void
test_run_repeat_once(void **state)
{
	struct th t[3] = { TH(1, v_accept), TH(2, v_repeat_once), TH(3, v_accept) };
	struct plb_hook_reg r[3];
	struct plb_pkt pkt = { 0 };
	uint64_t drops = plb_reg_hook_repeat_drops();

	add_chain(PLB_HOOK_LOCAL_IN, r, t, 3);
	assert_int_equal(plb_hook_run(PLB_HOOK_LOCAL_IN, &pkt), PLB_ACCEPT);
	/* restart from the first hook, not from the one that repeated */
	assert_trace((const int[]){ 1, 2, 1, 2, 3 }, 5);
	assert_int_equal(t[0].calls, 2);
	assert_int_equal(plb_reg_hook_repeat_drops(), drops);
}

/*
 * A hook that repeats exactly PLB_HOOK_MAX_REPEAT times, then accepts: the
 * chain ran again PLB_HOOK_MAX_REPEAT times, which is allowed.
 */
static void
test_run_repeat_max(void **state)
{
	enum plb_verdict v[PLB_HOOK_MAX_REPEAT + 1];
	struct th t[2] = { TH(1, v_accept), { .id = 2, .verdicts = v,
					      .n_verdicts = PLB_HOOK_MAX_REPEAT + 1 } };
	struct plb_hook_reg r[2];
	struct plb_pkt pkt = { 0 };
	uint64_t drops = plb_reg_hook_repeat_drops();

	for (int i = 0; i < PLB_HOOK_MAX_REPEAT; i++)
		v[i] = PLB_REPEAT;
	v[PLB_HOOK_MAX_REPEAT] = PLB_ACCEPT;
	add_chain(PLB_HOOK_LOCAL_IN, r, t, 2);
	assert_int_equal(plb_hook_run(PLB_HOOK_LOCAL_IN, &pkt), PLB_ACCEPT);
	assert_int_equal(t[0].calls, PLB_HOOK_MAX_REPEAT + 1);
	assert_int_equal(t[1].calls, PLB_HOOK_MAX_REPEAT + 1);
	assert_int_equal(plb_reg_hook_repeat_drops(), drops);
}

/* Endless REPEAT: the first run plus PLB_HOOK_MAX_REPEAT reruns, then DROP. */
static void
test_run_repeat_endless(void **state)
{
	struct th t[3] = { TH(1, v_accept), TH(2, v_repeat), TH(3, v_accept) };
	struct plb_hook_reg r[3];
	struct plb_pkt pkt = { 0 };
	uint64_t drops = plb_reg_hook_repeat_drops();

	add_chain(PLB_HOOK_LOCAL_OUT, r, t, 3);
	assert_int_equal(plb_hook_run(PLB_HOOK_LOCAL_OUT, &pkt), PLB_DROP);
	assert_int_equal(t[0].calls, PLB_HOOK_MAX_REPEAT + 1);
	assert_int_equal(t[1].calls, PLB_HOOK_MAX_REPEAT + 1);
	assert_int_equal(t[2].calls, 0);
	assert_int_equal(plb_reg_hook_repeat_drops(), drops + 1);

	/* every run starts with a fresh repeat budget and counts again */
	t[0].calls = t[1].calls = 0;
	assert_int_equal(plb_hook_run(PLB_HOOK_LOCAL_OUT, &pkt), PLB_DROP);
	assert_int_equal(t[0].calls, PLB_HOOK_MAX_REPEAT + 1);
	assert_int_equal(plb_reg_hook_repeat_drops(), drops + 2);
}

/* A run's repeat budget does not leak into the next run. */
static void
test_run_repeat_budget_per_run(void **state)
{
	enum plb_verdict v[2 * PLB_HOOK_MAX_REPEAT + 2];
	struct th t[1] = { { .id = 1, .verdicts = v, .n_verdicts = 2 * PLB_HOOK_MAX_REPEAT + 2 } };
	struct plb_hook_reg r[1];
	struct plb_pkt pkt = { 0 };

	/* MAX repeats, ACCEPT, MAX repeats, ACCEPT (forever) */
	for (int i = 0; i < 2 * PLB_HOOK_MAX_REPEAT + 2; i++)
		v[i] = PLB_REPEAT;
	v[PLB_HOOK_MAX_REPEAT] = PLB_ACCEPT;
	v[2 * PLB_HOOK_MAX_REPEAT + 1] = PLB_ACCEPT;
	add_chain(PLB_HOOK_PRE_ROUTING, r, t, 1);
	assert_int_equal(plb_hook_run(PLB_HOOK_PRE_ROUTING, &pkt), PLB_ACCEPT);
	assert_int_equal(plb_hook_run(PLB_HOOK_PRE_ROUTING, &pkt), PLB_ACCEPT);
	assert_int_equal(t[0].calls, 2 * PLB_HOOK_MAX_REPEAT + 2);
}

/* Hooks see the packet they were given and may change it for later hooks. */
static enum plb_verdict
mark_fn(void *priv, struct plb_pkt *pkt)
{
	pkt->hash = pkt->hash * 10 + (uint32_t)(uintptr_t)priv;
	return PLB_ACCEPT;
}

static void
test_run_priv_and_pkt(void **state)
{
	static const struct plb_hook_reg r[3] = {
		{ .name = "m3", .point = PLB_HOOK_FORWARD, .priority = 3, .fn = mark_fn,
		  .priv = (void *)3 },
		{ .name = "m1", .point = PLB_HOOK_FORWARD, .priority = 1, .fn = mark_fn,
		  .priv = (void *)1 },
		{ .name = "m2", .point = PLB_HOOK_FORWARD, .priority = 2, .fn = mark_fn,
		  .priv = (void *)2 },
	};
	struct plb_pkt pkt = { 0 };

	for (int i = 0; i < 3; i++)
		assert_int_equal(plb_reg_hook_add(&r[i]), 0);
	assert_int_equal(plb_hook_run(PLB_HOOK_FORWARD, &pkt), PLB_ACCEPT);
	assert_int_equal(pkt.hash, 123);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_l3, reset, reset),
		cmocka_unit_test_setup_teardown(test_l3_many, reset, reset),
		cmocka_unit_test_setup_teardown(test_proto, reset, reset),
		cmocka_unit_test_setup_teardown(test_sched, reset, reset),
		cmocka_unit_test_setup_teardown(test_fwd, reset, reset),
		cmocka_unit_test_setup_teardown(test_hook_order, hook_setup, reset),
		cmocka_unit_test_setup_teardown(test_hook_bad_args, hook_setup, reset),
		cmocka_unit_test_setup_teardown(test_run_empty, hook_setup, reset),
		cmocka_unit_test_setup_teardown(test_run_all_accept, hook_setup, reset),
		cmocka_unit_test_setup_teardown(test_run_drop, hook_setup, reset),
		cmocka_unit_test_setup_teardown(test_run_drop_first, hook_setup, reset),
		cmocka_unit_test_setup_teardown(test_run_stolen, hook_setup, reset),
		cmocka_unit_test_setup_teardown(test_run_stop, hook_setup, reset),
		cmocka_unit_test_setup_teardown(test_run_repeat_once, hook_setup, reset),
		cmocka_unit_test_setup_teardown(test_run_repeat_max, hook_setup, reset),
		cmocka_unit_test_setup_teardown(test_run_repeat_endless, hook_setup, reset),
		cmocka_unit_test_setup_teardown(test_run_repeat_budget_per_run, hook_setup, reset),
		cmocka_unit_test_setup_teardown(test_run_priv_and_pkt, hook_setup, reset),
	};

	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
