/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wlc's per-worker tournament trees, through the real $PLB_BUILD/modules/
 * sched_wlc.so: every pick equals a reference scan of the live per-worker
 * counts over random creates, moves and frees (random weights with 0, down
 * dests, thresholds, rebuilds, moves made between build and the first pick)
 * for 1, 2, 3, 7 and 1000 dests; ties to the lowest index; threshold
 * fallback; workers independent; update() of a foreign dest is harmless.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <plb/sched.h>

#include "sched_test.h"

#define NW		2	/* trees: the worker count st_load_all() gives the modules */
#define MAX_CONNS	60000

/* per-worker counts of each dest, as the core keeps them */
static struct plb_dest_stats ws[ST_MAX_DESTS][NW];

/* the simulated conns: dest, worker, active */
static struct sim_conn {
	uint16_t dest;
	uint8_t worker;
	uint8_t active;
} conns[MAX_CONNS];
static uint32_t n_conns;

struct sim {
	const struct plb_sched_ops *o;
	void *table;
	struct plb_sched_state st[NW];
	uint64_t seed;
	uint64_t picks, nulls, thresholded;
};

/* Fake service of @n dests with per-worker stats, weights @w (NULL: all 1). */
static void
sim_svc_init(uint32_t n, const uint32_t *w)
{
	st_svc_init(n, w);
	memset(ws, 0, sizeof(ws));
	n_conns = 0;
	for (uint32_t i = 0; i < n; i++)
		st_dv[i].stats = ws[i];
}

/* A new service version: build, fresh per-worker states (zero at publish). */
static void
sim_publish(struct sim *s)
{
	if (s->table)
		st_free("wlc", s->table);
	s->table = st_build("wlc", &st_svc, NULL);
	assert_non_null(s->table);
	for (uint32_t w = 0; w < NW; w++)
		s->st[w] = (struct plb_sched_state){ .table = s->table, .worker = w };
}

/* The reference: the old scan, over worker @w's counts. -1 = none available. */
static int
ref_pick(uint32_t w)
{
	uint64_t loh = 0;
	int least = -1;

	for (uint32_t i = 0; i < st_svc.n_dests; i++) {
		const struct plb_dest *d = &st_dv[i];
		uint64_t oh = ((uint64_t)ws[i][w].active << 8) + ws[i][w].inactive;

		if (!plb_dest_available(d))
			continue;
		if (least < 0 || loh * d->weight > oh * st_dv[least].weight) {
			least = (int)i;
			loh = oh;
		}
	}
	return least;
}

/* Worker @w's counts of dest @i moved by (@da active, @di inactive); @notify: call update(). */
static void
sim_count(struct sim *s, uint32_t i, uint32_t w, int da, int di, int notify)
{
	struct plb_dest *d = &st_dv[i];

	ws[i][w].active += da;
	ws[i][w].inactive += di;
	d->active_conns += da;
	d->inactive_conns += di;
	if (notify)
		s->o->update(&st_svc, &s->st[w], d);
}

/* One pick on worker @w, checked against the reference; a new conn on success. */
static void
sim_create(struct sim *s, uint32_t w, int notify)
{
	struct plb_pkt p = st_rand_pkt(&s->seed);
	struct plb_dest *d = s->o->schedule(&st_svc, &s->st[w], &p);
	int want = ref_pick(w), got = d ? (int)(d - st_dv) : -1;

	s->picks++;
	if (got != want)
		fail_msg("n=%u worker %u pick %llu: got dest %d, the scan picks %d", st_svc.n_dests, w,
			 (unsigned long long)s->picks, got, want);
	if (d == NULL) {
		s->nulls++;
		return;
	}
	if (d->u_threshold)
		s->thresholded++;
	if (n_conns == MAX_CONNS)
		return;
	conns[n_conns++] = (struct sim_conn){ .dest = (uint16_t)got, .worker = (uint8_t)w };
	sim_count(s, (uint32_t)got, w, 0, 1, notify);
}

static void
sim_move(struct sim *s, uint32_t c, int notify)
{
	struct sim_conn *x = &conns[c];

	x->active = !x->active;
	sim_count(s, x->dest, x->worker, x->active ? 1 : -1, x->active ? -1 : 1, notify);
}

static void
sim_free(struct sim *s, uint32_t c, int notify)
{
	struct sim_conn x = conns[c];

	conns[c] = conns[--n_conns];
	sim_count(s, x.dest, x.worker, x.active ? -1 : 0, x.active ? 0 : -1, notify);
}

/* Random weight: 0 one time in 8, else 1..@max. */
static uint32_t
rand_weight(uint64_t *seed, uint32_t max)
{
	uint64_t r = st_rand(seed);

	return r % 8 == 0 ? 0 : 1 + (uint32_t)((r >> 8) % max);
}

/*
 * New weights, down flags and thresholds on some dests, then a new version
 * (the core publishes one for every such change). Then a few moves whose
 * update() goes nowhere (the dest still pointed at the old version): the
 * first pick of each worker must take them in.
 */
static void
sim_reconfigure(struct sim *s)
{
	uint32_t n = st_svc.n_dests, k = n < 8 ? n : 8;

	for (uint32_t j = 0; j < k; j++) {
		struct plb_dest *d = &st_dv[st_rand(&s->seed) % n];
		uint64_t r = st_rand(&s->seed);

		d->weight = rand_weight(&s->seed, 100);
		d->flags = r % 5 == 0 ? PLB_DEST_F_DOWN : 0;
		d->u_threshold = r % 3 == 0 ? (uint32_t)(d->active_conns + d->inactive_conns +
							 (r >> 8) % 4) : 0;
	}
	sim_publish(s);
	for (uint32_t j = 0; j < 20 && n_conns; j++) {
		uint64_t r = st_rand(&s->seed);

		if (r % 2)
			sim_free(s, (uint32_t)((r >> 8) % n_conns), 0);
		else
			sim_move(s, (uint32_t)((r >> 8) % n_conns), 0);
	}
}

/* In place, no new version: a dest goes down or to weight 0 (it may be the root). */
static void
sim_quiesce(struct sim *s)
{
	struct plb_dest *d = &st_dv[st_rand(&s->seed) % st_svc.n_dests];

	if (st_rand(&s->seed) % 2)
		d->flags |= PLB_DEST_F_DOWN;
	else
		d->weight = 0;
}

/* @ops random operations on @n dests with max weight @maxw; every pick checked. */
static void
sim_run(uint32_t n, uint32_t maxw, uint32_t ops, uint64_t seed)
{
	struct sim s = { .o = st_ops("wlc"), .seed = seed };
	uint32_t w[ST_MAX_DESTS] = { 0 };

	assert_non_null(s.o->update);
	for (uint32_t i = 0; i < n; i++)
		w[i] = rand_weight(&s.seed, maxw);
	sim_svc_init(n, w);
	sim_publish(&s);
	for (uint32_t i = 0; i < ops; i++) {
		uint64_t r = st_rand(&s.seed);
		uint32_t wk = (uint32_t)(r >> 32) % NW, op = (uint32_t)(r % 1000);

		if (op < 500 || (op < 990 && n_conns == 0))
			sim_create(&s, wk, 1);
		else if (op < 700)
			sim_move(&s, (uint32_t)((r >> 12) % n_conns), 1);
		else if (op < 990)
			sim_free(&s, (uint32_t)((r >> 12) % n_conns), 1);
		else if (op < 997)
			sim_reconfigure(&s);
		else
			sim_quiesce(&s);
	}
	printf("wlc n=%u: %llu picks equal to the scan (%llu NULL, %llu of a thresholded dest), "
	       "%u conns left\n", n, (unsigned long long)s.picks, (unsigned long long)s.nulls,
	       (unsigned long long)s.thresholded, n_conns);
	assert_true(s.picks > ops / 3);
	assert_true(s.nulls < s.picks);
	st_free("wlc", s.table);
}

/* The tree picks exactly what the scan picks: small services, weights 1..3 (many ties). */
static void
test_wlc_random_small(void **state)
{
	static const uint32_t ns[] = { 1, 2, 3, 7 };

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		sim_run(ns[i], 3, 20000, 1000 + i);
		sim_run(ns[i], 100, 20000, 2000 + i);
	}
}

/* ... and over 1000 dests. */
static void
test_wlc_random_1000(void **state)
{
	sim_run(1000, 3, 60000, 7);
	sim_run(1000, 65535, 60000, 8);
}

static int
pick(struct sim *s, uint32_t w)
{
	struct plb_pkt p = st_pkt4(0xc0000201u, 1234, 80);
	struct plb_dest *d = s->o->schedule(&st_svc, &s->st[w], &p);

	return d ? (int)(d - st_dv) : -1;
}

/* Equal overhead per weight: the lowest index wins, wherever it is in the tree. */
static void
test_wlc_ties(void **state)
{
	struct sim s = { .o = st_ops("wlc") };

	sim_svc_init(1000, NULL);
	sim_publish(&s);
	for (uint32_t i = 0; i < 1000; i++) {
		assert_int_equal(pick(&s, 0), (int)i);	/* 0 conns each: the first not yet used */
		sim_count(&s, i, 0, 1, 0, 1);
	}
	assert_int_equal(pick(&s, 0), 0);	/* all equal again */
	/* weights 1 and 2 with overhead 256 and 512: a tie, to the lower index */
	sim_svc_init(1000, NULL);
	st_dv[700].weight = 2;
	for (uint32_t i = 0; i < 1000; i++)
		if (i != 700 && i != 300)
			ws[i][0].active = 5;
	ws[300][0].active = 1;
	ws[700][0].active = 2;
	sim_publish(&s);
	assert_int_equal(pick(&s, 0), 300);
	sim_count(&s, 300, 0, 0, 1, 1);	/* 257 per unit > 256: 700 now */
	assert_int_equal(pick(&s, 0), 700);
	st_free("wlc", s.table);
}

/*
 * u_threshold counts the global conns: the worker's least-loaded dest may be
 * full because of other workers; the next one is taken, and NULL when all
 * are full. When a conn is freed the dest comes back.
 */
static void
test_wlc_threshold(void **state)
{
	struct sim s = { .o = st_ops("wlc") };

	sim_svc_init(7, NULL);
	sim_publish(&s);
	for (uint32_t i = 0; i < 7; i++)
		sim_count(&s, i, 0, 0, (int)i + 1, 1);	/* worker 0: 1..7 inactive */
	assert_int_equal(pick(&s, 1), 0);		/* worker 1 has none: first */
	st_dv[0].u_threshold = 1;
	assert_int_equal(pick(&s, 1), 1);		/* 0 is full by worker 0's conn */
	assert_int_equal(pick(&s, 0), 1);
	for (uint32_t i = 0; i < 7; i++)
		st_dv[i].u_threshold = i + 1;
	assert_int_equal(pick(&s, 0), -1);
	assert_int_equal(pick(&s, 1), -1);
	sim_count(&s, 4, 0, 0, -1, 1);
	assert_int_equal(pick(&s, 1), 4);
	assert_int_equal(pick(&s, 0), 4);
	st_dv[4].u_threshold = 0;
	st_dv[2].u_threshold = 0;
	assert_int_equal(pick(&s, 0), 2);		/* 3 conns vs 4 */
	st_free("wlc", s.table);
}

/* Each worker balances its own conns; the other's do not move its pick. */
static void
test_wlc_per_worker(void **state)
{
	struct sim s = { .o = st_ops("wlc") };

	sim_svc_init(3, (const uint32_t[]){ 1, 1, 2 });
	sim_publish(&s);
	for (int i = 0; i < 100; i++)
		sim_count(&s, 2, 0, 1, 0, 1);		/* worker 0: 100 active on dest 2 */
	assert_int_equal(pick(&s, 0), 0);
	assert_int_equal(pick(&s, 1), 0);
	sim_count(&s, 0, 1, 1, 0, 1);
	assert_int_equal(pick(&s, 1), 1);		/* 0 and 2 at 0 per unit: the lower */
	sim_count(&s, 1, 1, 1, 0, 1);
	assert_int_equal(pick(&s, 1), 2);		/* 0 per unit beats 256 */
	sim_count(&s, 2, 1, 1, 0, 1);			/* 256 / 2 = 128 per unit */
	assert_int_equal(pick(&s, 1), 2);
	assert_int_equal(pick(&s, 0), 0);
	st_free("wlc", s.table);
}

/*
 * update() with a dest this version does not hold at its index, an index
 * past the end, a worker without a tree, or before the worker's first pick:
 * nothing breaks and the picks stay right.
 */
static void
test_wlc_update_foreign(void **state)
{
	struct sim s = { .o = st_ops("wlc") };
	struct plb_dest other = { .weight = 1, .idx = 1 };
	struct plb_dest_stats ostats[NW];
	struct plb_sched_state far;

	memset(ostats, 0, sizeof(ostats));
	other.stats = ostats;
	sim_svc_init(3, NULL);
	sim_publish(&s);
	s.o->update(&st_svc, &s.st[0], &st_dv[1]);	/* before any pick */
	assert_int_equal(pick(&s, 0), 0);
	sim_count(&s, 0, 0, 1, 0, 1);
	assert_int_equal(pick(&s, 0), 1);
	s.o->update(&st_svc, &s.st[0], &other);		/* idx 1, but not dests[1] */
	other.idx = 5;
	s.o->update(&st_svc, &s.st[0], &other);		/* past the end */
	other.idx = UINT32_MAX;
	s.o->update(&st_svc, &s.st[0], &other);
	far = (struct plb_sched_state){ .table = s.table, .worker = 1000, .scratch = { 1 } };
	s.o->update(&st_svc, &far, &st_dv[1]);		/* no tree for worker 1000 */
	assert_int_equal(pick(&s, 0), 1);
	sim_count(&s, 1, 0, 1, 0, 1);
	assert_int_equal(pick(&s, 0), 2);
	/* a worker with no tree still gets the right dest (the scan) */
	st_free("wlc", s.table);
	s.table = NULL;
	sim_svc_init(3, NULL);
	for (uint32_t i = 0; i < 3; i++)
		st_dv[i].stats = NULL;		/* the global counts, as in the basic tests */
	st_dv[0].active_conns = 2;
	st_dv[1].active_conns = 1;
	st_dv[2].active_conns = 3;
	sim_publish(&s);
	far.table = s.table;
	assert_int_equal(s.o->schedule(&st_svc, &far, NULL) - st_dv, 1);
	st_free("wlc", s.table);
}

/* No dests, and all unavailable: NULL, from the tree and from update()'s leaves. */
static void
test_wlc_none(void **state)
{
	struct sim s = { .o = st_ops("wlc") };

	sim_svc_init(0, NULL);
	sim_publish(&s);
	assert_int_equal(pick(&s, 0), -1);
	assert_int_equal(pick(&s, 1), -1);
	st_free("wlc", s.table);
	s.table = NULL;
	sim_svc_init(5, (const uint32_t[]){ 0, 0, 0, 0, 0 });
	sim_publish(&s);
	assert_int_equal(pick(&s, 0), -1);
	st_dv[3].weight = 1;		/* a new version with dest 3 back */
	sim_publish(&s);
	assert_int_equal(pick(&s, 0), 3);
	st_dv[3].flags = PLB_DEST_F_DOWN;	/* in place: the root goes down */
	assert_int_equal(pick(&s, 0), -1);
	st_free("wlc", s.table);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wlc_random_small),
		cmocka_unit_test(test_wlc_random_1000),
		cmocka_unit_test(test_wlc_ties),
		cmocka_unit_test(test_wlc_threshold),
		cmocka_unit_test(test_wlc_per_worker),
		cmocka_unit_test(test_wlc_update_foreign),
		cmocka_unit_test(test_wlc_none),
	};

	return cmocka_run_group_tests_name("sched_wlc", tests, st_load_all, st_unload_all);
}
