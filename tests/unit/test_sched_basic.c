/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The five schedulers (rr wrr wlc conhash mh) loaded from the real
 * $PLB_BUILD/modules/sched_*.so through the loader: the descriptors; exact
 * rr and IPVS wrr sequences, per-worker cursors and the rebuild after a
 * weight change; wlc's least overhead per weight and its tie rule; for all
 * five: weight 0, down and full dests never picked for new flows, NULL when
 * none is available or there are no dests; and option errors (unknown key,
 * bad value) returning -EINVAL with a FILE:LINE message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>

#include "sched_test.h"

/* Every scheduler loads with the descriptor the loader checked. */
static void
test_descriptors(void **state)
{
	char stem[64];

	for (size_t i = 0; i < ST_N_SCHED; i++) {
		const struct plb_module *m;

		snprintf(stem, sizeof(stem), "sched_%s", st_sched_names[i]);
		m = plb_loader_find(stem);
		assert_non_null(m);
		assert_int_equal(m->abi, PLB_MODULE_ABI);
		assert_int_equal(m->kind, PLB_MODULE_SCHED);
		assert_string_equal(m->name, st_sched_names[i]);
		assert_string_equal(m->version, "1.0");
		assert_non_null(m->description);
		assert_ptr_equal(m->ops, st_ops(st_sched_names[i]));
	}
}

/* Run @n picks of @name on one worker state; store dest indexes in @out (-1 = NULL). */
static void
run_seq(const char *name, const void *table, struct plb_sched_state *st, int *out, int n)
{
	const struct plb_sched_ops *o = st_ops(name);
	struct plb_pkt p = st_pkt4(0xc0000201u, 1234, 80);

	for (int i = 0; i < n; i++) {
		struct plb_dest *d = o->schedule(&st_svc, st, &p);

		out[i] = d ? (int)(d - st_dv) : -1;
	}
}

static void
assert_seq(const int *got, const int *want, int n)
{
	for (int i = 0; i < n; i++) {
		if (got[i] != want[i])
			fail_msg("pick %d: got dest %d, want %d", i, got[i], want[i]);
	}
}

/* rr over 3 dests: 0,1,2,0,1,2; a weight-0 dest is skipped; workers have their own cursor. */
static void
test_rr_sequence(void **state)
{
	static const int want[] = { 0, 1, 2, 0, 1, 2, 0 };
	static const int want_q[] = { 0, 2, 0, 2, 0, 2 };
	struct plb_sched_state w0 = { 0 }, w1 = { .worker = 1 };
	int got[8];
	void *t;

	st_svc_init(3, NULL);
	t = st_build("rr", &st_svc, NULL);
	w0.table = w1.table = t;
	run_seq("rr", t, &w0, got, 7);
	assert_seq(got, want, 7);
	run_seq("rr", t, &w1, got, 2);	/* worker 1 starts from dest 0 on its own */
	assert_seq(got, want, 2);
	run_seq("rr", t, &w0, got, 1);	/* worker 0 goes on after its own last pick (0) */
	assert_int_equal(got[0], 1);

	st_dv[1].weight = 0;
	memset(w0.scratch, 0, sizeof(w0.scratch));
	run_seq("rr", t, &w0, got, 6);
	assert_seq(got, want_q, 6);
	st_free("rr", t);
}

/*
 * wrr, weights A=4 B=3 C=2: gcd di = 1, max mw = 4. IPVS scans the dests in
 * order and picks one whose weight >= cw; cw starts at mw and drops by di at
 * each wrap, back to mw after di:
 *   cw=4: A          (B 3<4, C 2<4 skipped)
 *   cw=3: A B        (C 2<3 skipped)
 *   cw=2: A B C
 *   cw=1: A B C
 * = A A B A B C A B C (9 = 4+3+2 picks), then the same again.
 */
static void
test_wrr_ipvs_sequence(void **state)
{
	static const uint32_t w[] = { 4, 3, 2 };
	static const int want[] = { 0, 0, 1, 0, 1, 2, 0, 1, 2, 0, 0, 1, 0, 1, 2, 0, 1, 2 };
	struct plb_sched_state st = { 0 };
	int got[18];

	st_svc_init(3, w);
	st.table = st_build("wrr", &st_svc, NULL);
	run_seq("wrr", st.table, &st, got, 18);
	assert_seq(got, want, 18);
	st_free("wrr", (void *)st.table);
}

/*
 * wrr with weights 6,4,2 (gcd 2, mw 6): cw = 6: A; 4: A B; 2: A B C
 * = A A B A B C, the same shape as 3,2,1. With a weight 0 (2,0,1: mw 2, di 1):
 * cw = 2: A; 1: A C = A A C. After a weight change the core publishes a new
 * version and build() runs again: 4,3,2 -> 1,1,2 (mw 2, di 1) gives
 * cw = 2: C; 1: A B C = C A B C.
 */
static void
test_wrr_gcd_zero_and_rebuild(void **state)
{
	static const uint32_t w6[] = { 6, 4, 2 }, w0[] = { 2, 0, 1 }, w4[] = { 4, 3, 2 };
	static const int want6[] = { 0, 0, 1, 0, 1, 2, 0, 0, 1, 0, 1, 2 };
	static const int want0[] = { 0, 0, 2, 0, 0, 2, 0, 0, 2 };
	static const int want4[] = { 0, 0, 1, 0 };
	static const int want112[] = { 2, 0, 1, 2, 2, 0, 1, 2 };
	struct plb_sched_state st = { 0 };
	int got[12];

	st_svc_init(3, w6);
	st.table = st_build("wrr", &st_svc, NULL);
	run_seq("wrr", st.table, &st, got, 12);
	assert_seq(got, want6, 12);
	st_free("wrr", (void *)st.table);

	st_svc_init(3, w0);
	st = (struct plb_sched_state){ .table = st_build("wrr", &st_svc, NULL) };
	run_seq("wrr", st.table, &st, got, 9);
	assert_seq(got, want0, 9);
	st_free("wrr", (void *)st.table);

	st_svc_init(3, w4);
	st = (struct plb_sched_state){ .table = st_build("wrr", &st_svc, NULL) };
	run_seq("wrr", st.table, &st, got, 4);
	assert_seq(got, want4, 4);
	/* new weights, new version: rebuild, fresh per-worker state (zero at publish) */
	st_dv[0].weight = 1;
	st_dv[1].weight = 1;
	st_dv[2].weight = 2;
	st_free("wrr", (void *)st.table);
	st = (struct plb_sched_state){ .table = st_build("wrr", &st_svc, NULL) };
	run_seq("wrr", st.table, &st, got, 8);
	assert_seq(got, want112, 8);
	st_free("wrr", (void *)st.table);
}

/* One wlc pick, on a table built now (no per-worker stats: the global counts count). */
static struct plb_dest *
wlc_pick(void)
{
	struct plb_pkt p = st_pkt4(0xc0000201u, 1234, 80);
	void *t = st_build("wlc", &st_svc, NULL);
	struct plb_dest *d;

	assert_non_null(t);
	d = st_pick(st_ops("wlc"), t, &st_svc, &p);
	st_free("wlc", t);
	return d;
}

/* wlc: least (active * 256 + inactive) / weight; weight 0 never; ties -> first. */
static void
test_wlc(void **state)
{
	st_svc_init(3, NULL);
	st_dv[0].active_conns = 5;
	st_dv[1].active_conns = 3;
	st_dv[2].active_conns = 4;
	assert_ptr_equal(wlc_pick(), &st_dv[1]);

	/* an active conn weighs 256 inactive ones: 1*256 < 300 */
	st_svc_init(2, NULL);
	st_dv[0].active_conns = 1;
	st_dv[1].inactive_conns = 300;
	assert_ptr_equal(wlc_pick(), &st_dv[0]);
	st_dv[1].inactive_conns = 255;
	assert_ptr_equal(wlc_pick(), &st_dv[1]);

	/* A weight 1 with 10 active (2560 per unit), B weight 3 with 20 (1707 per unit) -> B */
	st_svc_init(2, (const uint32_t[]){ 1, 3 });
	st_dv[0].active_conns = 10;
	st_dv[1].active_conns = 20;
	assert_ptr_equal(wlc_pick(), &st_dv[1]);
	st_dv[1].active_conns = 31;	/* 31*256/3 = 2645 > 2560 -> A */
	assert_ptr_equal(wlc_pick(), &st_dv[0]);

	/* weight 0 with no conns is never picked */
	st_svc_init(2, (const uint32_t[]){ 0, 1 });
	st_dv[1].active_conns = 1000;
	assert_ptr_equal(wlc_pick(), &st_dv[1]);

	/* ties go to the first dest: equal counts, and equal overhead per weight */
	st_svc_init(3, NULL);
	assert_ptr_equal(wlc_pick(), &st_dv[0]);
	st_svc_init(2, (const uint32_t[]){ 1, 2 });
	st_dv[0].active_conns = 1;
	st_dv[1].active_conns = 2;
	assert_ptr_equal(wlc_pick(), &st_dv[0]);

	/* the largest counts and weights plb allows (2^38 conns, weight 65535, see
	 * wlc.c) do not overflow the 64-bit cross-multiplication */
	st_svc_init(2, (const uint32_t[]){ 1, 65535 });
	st_dv[0].active_conns = (1ull << 38) / 2;
	st_dv[1].active_conns = 1ull << 38;
	assert_ptr_equal(wlc_pick(), &st_dv[1]);
	st_dv[0].active_conns = 1;
	st_dv[1].active_conns = 1ull << 38;
	assert_ptr_equal(wlc_pick(), &st_dv[0]);
}

/*
 * Pick for @n random packets (alternately a fresh state and one long-lived
 * state); count picks per dest and NULLs; each pick adds an active conn.
 */
static void
count_picks(const char *name, const void *table, unsigned n, unsigned *count, unsigned *nulls)
{
	const struct plb_sched_ops *o = st_ops(name);
	struct plb_sched_state st = { .table = table };
	uint64_t seed = 42;

	*nulls = 0;
	memset(count, 0, st_svc.n_dests * sizeof(count[0]));
	for (unsigned i = 0; i < n; i++) {
		struct plb_pkt p = st_rand_pkt(&seed);
		struct plb_dest *d = i % 2 ? st_pick(o, table, &st_svc, &p) :
					     o->schedule(&st_svc, &st, &p);

		if (d == NULL) {
			(*nulls)++;
			continue;
		}
		assert_true(d >= st_dv && d < st_dv + st_svc.n_dests);
		count[d - st_dv]++;
		d->active_conns++;	/* as the core would: wlc then spreads too */
	}
}

/*
 * All five: a dest of weight 0, one marked down and one at its upper
 * threshold are never picked, whether they were so at build() or became so
 * later; none available -> NULL; no dests at all -> NULL.
 */
static void
test_unavailable_all(void **state)
{
	unsigned count[8], nulls;

	for (size_t s = 0; s < ST_N_SCHED; s++) {
		const char *name = st_sched_names[s];
		void *t;

		/* at build: dest 1 weight 0, dest 3 down */
		st_svc_init(6, NULL);
		st_dv[1].weight = 0;
		st_dv[3].flags = PLB_DEST_F_DOWN;
		t = st_build(name, &st_svc, NULL);
		count_picks(name, t, 3000, count, &nulls);
		assert_int_equal(nulls, 0);
		assert_int_equal(count[1], 0);
		assert_int_equal(count[3], 0);
		assert_true(count[0] > 0 && count[2] > 0 && count[4] > 0 && count[5] > 0);

		/* after build: dest 0 quiesced, dest 2 down, dest 4 full */
		st_dv[0].weight = 0;
		st_dv[2].flags = PLB_DEST_F_DOWN;
		st_dv[4].u_threshold = 10;
		st_dv[4].active_conns = 7;
		st_dv[4].inactive_conns = 3;
		count_picks(name, t, 3000, count, &nulls);
		assert_int_equal(nulls, 0);
		for (unsigned i = 0; i < 5; i++)
			if (count[i] != 0)
				fail_msg("%s picked unavailable dest %u %u times", name, i, count[i]);
		assert_int_equal(count[5], 3000);

		/* nothing left */
		st_dv[5].flags = PLB_DEST_F_DOWN;
		count_picks(name, t, 500, count, &nulls);
		assert_int_equal(nulls, 500);
		st_free(name, t);

		/* built with nothing available, and with no dests at all */
		t = st_build(name, &st_svc, NULL);
		count_picks(name, t, 100, count, &nulls);
		assert_int_equal(nulls, 100);
		st_free(name, t);
		st_svc_init(0, NULL);
		t = st_build(name, &st_svc, NULL);
		count_picks(name, t, 100, count, &nulls);
		assert_int_equal(nulls, 100);
		st_free(name, t);
	}
}

static void
assert_has(const char *msg, const char *part)
{
	if (strstr(msg, part) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", msg, part);
}

/* Unknown keys: -EINVAL, "<string>:LINE: opts.KEY: unknown key ..." for all five. */
static void
test_opts_unknown_key(void **state)
{
	st_svc_init(3, NULL);
	for (size_t s = 0; s < ST_N_SCHED; s++) {
		char *err = st_build_fails(st_sched_names[s], "opts = {\n\n  colour = 1;\n};");

		assert_has(err, "<string>:3: opts.colour: unknown key");
		free(err);
		err = st_build_fails(st_sched_names[s], "opts = 5;");
		assert_has(err, "<string>:1: opts: expected a group");
		free(err);
	}
	free(st_build_fails("mh", "opts = { replicas = 3; };"));
	free(st_build_fails("conhash", "opts = { table_size = 65537; };"));
}

/* Bad values of mh and conhash options; good ones accepted. */
static void
test_opts_values(void **state)
{
	static const struct { const char *sched, *text, *part; } bad[] = {
		{ "mh", "opts = {\n table_size = 100;\n};", "<string>:2: opts.table_size: 100 is not prime" },
		{ "mh", "opts = { table_size = 65536; };", "65536 is not prime" },
		{ "mh", "opts = { table_size = 1000033; };", "expected a prime 7..1000003, got 1000033" },
		{ "mh", "opts = { table_size = 2; };", "expected a prime 7..1000003, got 2" },
		{ "mh", "opts = { table_size = \"big\"; };", "opts.table_size: expected a prime integer" },
		{ "mh", "opts = {\n key = \"bogus\";\n};", "<string>:2: opts.key: expected \"sip\" or \"5tuple\", got \"bogus\"" },
		{ "mh", "opts = { key = 5; };", "opts.key: expected \"sip\" or \"5tuple\"" },
		{ "mh", "opts = { table_size = 7; };", "table_size 7 is smaller than the 9 dests" },
		{ "conhash", "opts = {\n key = \"bogus\";\n};", "<string>:2: opts.key: expected \"sip\" or \"5tuple\", got \"bogus\"" },
		{ "conhash", "opts = { replicas = 0; };", "opts.replicas: expected 1..10000, got 0" },
		{ "conhash", "opts = { replicas = 10001; };", "expected 1..10000, got 10001" },
		{ "conhash", "opts = { replicas = 1.5; };", "opts.replicas: expected an integer" },
	};
	static const struct { const char *sched, *text; } good[] = {
		{ "mh", "opts = { table_size = 131071; key = \"5tuple\"; };" },
		{ "mh", "opts = { table_size = 1000003L; key = \"sip\"; };" },
		{ "mh", "opts = { table_size = 11; };" },
		{ "mh", "opts = { };" },
		{ "conhash", "opts = { replicas = 1; key = \"5tuple\"; };" },
		{ "rr", "opts = { };" },
	};

	st_svc_init(9, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *err = st_build_fails(bad[i].sched, bad[i].text);

		assert_has(err, bad[i].part);
		free(err);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		st_free(good[i].sched, st_build(good[i].sched, &st_svc, good[i].text));
}

/* The message names the real file and line when the block comes from a file. */
static void
test_opts_file_line(void **state)
{
	char path[] = "/tmp/plb_test_sched_XXXXXX", want[96];
	const char text[] = "# sched opts\nopts = {\n\ttable_size = 100;\n};\n";
	void *table = NULL;
	char *err = NULL;
	config_t cfg;
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	config_init(&cfg);
	rc = config_read_file(&cfg, path);
	unlink(path);
	assert_int_equal(rc, CONFIG_TRUE);
	st_svc_init(3, NULL);
	rc = st_ops("mh")->build(&st_svc, config_lookup(&cfg, "opts"), &table, &err);
	config_destroy(&cfg);
	assert_int_equal(rc, -EINVAL);
	assert_null(table);
	assert_non_null(err);
	snprintf(want, sizeof(want), "%s:3: opts.table_size: 100 is not prime", path);
	assert_has(err, want);
	printf("mh bad table_size: %s\n", err);
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_rr_sequence),
		cmocka_unit_test(test_wrr_ipvs_sequence),
		cmocka_unit_test(test_wrr_gcd_zero_and_rebuild),
		cmocka_unit_test(test_wlc),
		cmocka_unit_test(test_unavailable_all),
		cmocka_unit_test(test_opts_unknown_key),
		cmocka_unit_test(test_opts_values),
		cmocka_unit_test(test_opts_file_line),
	};

	return cmocka_run_group_tests_name("sched_basic", tests, st_load_all, st_unload_all);
}
