/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pins core.loader (framework/src/loader.h): every broken plugin in
 * tests/modules/broken/ (built into $PLB_BUILD/tests/broken) must fail with
 * its own code and exact message and leave nothing loaded or registered;
 * good plugins register their ops, run init once and fini in reverse load
 * order. Symbol hygiene (what modules and build/plb export) is pinned in
 * test_symbols.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loader.h"
#include "logging.h"
#include "registry.h"

static char broken_dir[4096];
static char build_dir[2048];	/* $PLB_BUILD, default "build" */

static const struct plb_env env = {
	.size = sizeof(struct plb_env),
	.n_workers = 1,
	.check_only = 1,
	.socket_id = -1,
	.conf_file = "test_loader",
};

/* ---- captured log lines -------------------------------------------------- */

#define MAX_LINES 64
static char *log_lines[MAX_LINES];
static unsigned n_log_lines;

static void
capture_sink(enum plb_log_level level, const char *type, const char *line)
{
	if (n_log_lines < MAX_LINES)
		log_lines[n_log_lines++] = strdup(line);
}

static void
log_clear(void)
{
	for (unsigned i = 0; i < n_log_lines; i++)
		free(log_lines[i]);
	n_log_lines = 0;
}

/* The captured lines whose text ends with one of "<type>: init|fini", in order, joined by ','. */
static void
lifecycle_lines(char *out, size_t sz)
{
	static const char *const events[] = {
		"sched.good: init", "sched.good: fini", "hook.order: init", "hook.order: fini",
	};

	out[0] = '\0';
	for (unsigned i = 0; i < n_log_lines; i++) {
		size_t ll = strlen(log_lines[i]);

		for (unsigned e = 0; e < sizeof(events) / sizeof(events[0]); e++) {
			size_t el = strlen(events[e]);

			if (ll >= el && strcmp(log_lines[i] + ll - el, events[e]) == 0) {
				if (out[0])
					strncat(out, ",", sz - strlen(out) - 1);
				strncat(out, events[e], sz - strlen(out) - 1);
			}
		}
	}
}

static int
setup(void **state)
{
	log_clear();
	plb_log_set_level(PLB_LOG_DEBUG);
	plb_log_set_sink(capture_sink);
	return 0;
}

static int
teardown(void **state)
{
	plb_loader_unload_all();
	plb_reg_reset();
	plb_log_set_sink(NULL);
	plb_log_set_level(PLB_LOG_INFO);
	log_clear();
	return 0;
}

/* ---- helpers -------------------------------------------------------------- */

static char *
path_of(const char *stem)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s.so", broken_dir, stem) > 0);
	return p;
}

static void
count_cb(const struct plb_module *m, const char *path, void *arg)
{
	(*(unsigned *)arg)++;
}

static unsigned
n_loaded(void)
{
	unsigned n = 0;

	plb_loader_foreach(count_cb, &n);
	return n;
}

static void
assert_no_hooks(void)
{
	for (int p = 0; p < PLB_HOOK_POINTS; p++) {
		uint32_t n = 99;

		plb_reg_hook_chain((enum plb_hook_point)p, &n);
		assert_int_equal(n, 0);
	}
}

/*
 * Load @stem, expect @code and exactly the message "<path>: <want>", then
 * check that nothing of it stayed loaded: not findable, no module loaded at
 * all (these tests load it first), no hooks, no init/fini line logged.
 */
static void
expect_fail(const char *stem, int code, const char *want)
{
	char *path = path_of(stem), *full, *err = NULL;
	int rc;

	assert_true(asprintf(&full, "%s: %s", path, want) > 0);
	rc = plb_loader_load(broken_dir, stem, &env, NULL, &err);
	if (rc != code)
		print_error("%s: rc %d, message: %s\n", stem, rc, err ? err : "(none)");
	assert_int_equal(rc, code);
	assert_non_null(err);
	assert_string_equal(err, full);
	assert_null(plb_loader_find(stem));
	assert_int_equal(n_loaded(), 0);
	assert_no_hooks();
	free(err);
	free(full);
	free(path);
}

/* ---- each broken plugin ----------------------------------------------------- */

static void
test_missing_file(void **state)
{
	char *path = path_of("sched_nosuchfile"), *prefix, *err = NULL;
	int rc;

	assert_true(asprintf(&prefix, "%s: cannot load: ", path) > 0);
	rc = plb_loader_load(broken_dir, "sched_nosuchfile", &env, NULL, &err);
	assert_int_equal(rc, -ENOENT);
	assert_non_null(err);
	assert_memory_equal(err, prefix, strlen(prefix));
	assert_true(strlen(err) > strlen(prefix));	/* says why */
	assert_null(plb_loader_find("sched_nosuchfile"));
	assert_int_equal(n_loaded(), 0);
	free(err);
	free(prefix);
	free(path);
}

static void
test_undefined_symbol(void **state)
{
	char *path = path_of("sched_undef"), *prefix, *err = NULL;
	int rc;

	assert_true(asprintf(&prefix, "%s: cannot load: ", path) > 0);
	rc = plb_loader_load(broken_dir, "sched_undef", &env, NULL, &err);
	assert_int_equal(rc, -EINVAL);
	assert_non_null(err);
	assert_memory_equal(err, prefix, strlen(prefix));
	assert_non_null(strstr(err, "undefined symbol: plb_no_such_function"));
	assert_null(plb_loader_find("sched_undef"));
	assert_null(plb_reg_sched_get("undef"));
	assert_int_equal(n_loaded(), 0);
	free(err);
	free(prefix);
	free(path);
}

static void
test_no_descriptor(void **state)
{
	expect_fail("sched_nodesc", -EINVAL, "no plb_module_descriptor symbol: not a plb module");
	assert_null(plb_reg_sched_get("nodesc"));
}

static void
test_bad_abi(void **state)
{
	char want[128];

	snprintf(want, sizeof(want), "module ABI %u, plb expects %u: rebuild it against this SDK",
		 PLB_MODULE_ABI + 41, PLB_MODULE_ABI);
	expect_fail("sched_badabi", -EINVAL, want);
	assert_null(plb_reg_sched_get("badabi"));
}

static void
test_bad_size(void **state)
{
	char want[128];

	snprintf(want, sizeof(want), "descriptor size 8, plb accepts %zu..%zu",
		 offsetof(struct plb_module, reserved), sizeof(struct plb_module));
	expect_fail("sched_badsize", -EINVAL, want);
	assert_null(plb_reg_sched_get("badsize"));
}

static void
test_kind_mismatch(void **state)
{
	expect_fail("fwd_kindmix", -EINVAL,
		    "descriptor says sched_kindmix (kind sched, name \"kindmix\"), "
		    "file name says fwd_kindmix");
	assert_null(plb_reg_sched_get("kindmix"));
	assert_null(plb_reg_fwd_get("kindmix"));
}

static void
test_name_mismatch(void **state)
{
	expect_fail("sched_namemix", -EINVAL,
		    "descriptor says sched_other (kind sched, name \"other\"), "
		    "file name says sched_namemix");
	assert_null(plb_reg_sched_get("other"));
	assert_null(plb_reg_sched_get("namemix"));
}

static void
test_no_ops(void **state)
{
	expect_fail("sched_noops", -EINVAL, "ops table is NULL");
	assert_null(plb_reg_sched_get("noops"));
}

static void
test_null_required_op(void **state)
{
	expect_fail("sched_nullop", -EINVAL, "required op 'schedule' is NULL");
	assert_null(plb_reg_sched_get("nullop"));
}

static void
test_null_hook_fn(void **state)
{
	expect_fail("hook_badhook", -EINVAL,
		    "hook registration 0 ('bad_in'): required op 'fn' is NULL");
}

static void
test_init_fails(void **state)
{
	expect_fail("sched_initfail", -EINVAL, "init failed: threshold must be below 10");
	/* registered before init or not: after the failure it must be gone */
	assert_null(plb_reg_sched_get("initfail"));
	/* and the same file can be tried again (nothing half-loaded blocks it) */
	expect_fail("sched_initfail", -EINVAL, "init failed: threshold must be below 10");
}

/* err may be NULL: the code still comes back and nothing crashes. */
static void
test_null_err(void **state)
{
	assert_int_equal(plb_loader_load(broken_dir, "sched_nullop", &env, NULL, NULL), -EINVAL);
	assert_int_equal(plb_loader_load(broken_dir, "sched_initfail", &env, NULL, NULL), -EINVAL);
	assert_int_equal(n_loaded(), 0);
}

/* ---- good plugins ---------------------------------------------------------- */

struct seen {
	unsigned n;
	const struct plb_module *m[8];
	char path[8][4200];
};

static void
seen_cb(const struct plb_module *m, const char *path, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		s->m[s->n] = m;
		snprintf(s->path[s->n], sizeof(s->path[0]), "%s", path);
	}
	s->n++;
}

static void
test_good_and_twice(void **state)
{
	const struct plb_module *m;
	char *path = path_of("sched_good"), *want, *err = NULL;
	struct seen seen = { 0 };
	char ev[256];

	assert_int_equal(plb_loader_load(broken_dir, "sched_good", &env, NULL, &err), 0);
	assert_null(err);
	m = plb_loader_find("sched_good");
	assert_non_null(m);
	assert_int_equal(m->abi, PLB_MODULE_ABI);
	assert_int_equal(m->kind, PLB_MODULE_SCHED);
	assert_string_equal(m->name, "good");
	assert_non_null(plb_reg_sched_get("good"));
	assert_ptr_equal(plb_reg_sched_get("good"), m->ops);
	assert_non_null(plb_reg_sched_get("good")->schedule);
	lifecycle_lines(ev, sizeof(ev));
	assert_string_equal(ev, "sched.good: init");

	plb_loader_foreach(seen_cb, &seen);
	assert_int_equal(seen.n, 1);
	assert_ptr_equal(seen.m[0], m);
	assert_string_equal(seen.path[0], path);

	/* a second load of the same file: refused, the first stays, init not rerun */
	assert_true(asprintf(&want, "%s: module sched_good is already loaded", path) > 0);
	assert_int_equal(plb_loader_load(broken_dir, "sched_good", &env, NULL, &err), -EEXIST);
	assert_non_null(err);
	assert_string_equal(err, want);
	assert_ptr_equal(plb_loader_find("sched_good"), m);
	assert_ptr_equal(plb_reg_sched_get("good"), m->ops);
	assert_int_equal(n_loaded(), 1);
	lifecycle_lines(ev, sizeof(ev));
	assert_string_equal(ev, "sched.good: init");

	/* a failure after a success leaves the success alone */
	free(err);
	err = NULL;
	assert_int_equal(plb_loader_load(broken_dir, "sched_nullop", &env, NULL, &err), -EINVAL);
	assert_ptr_equal(plb_loader_find("sched_good"), m);
	assert_ptr_equal(plb_reg_sched_get("good"), m->ops);
	assert_int_equal(n_loaded(), 1);

	plb_loader_unload_all();
	assert_null(plb_loader_find("sched_good"));
	assert_int_equal(n_loaded(), 0);
	lifecycle_lines(ev, sizeof(ev));
	assert_string_equal(ev, "sched.good: init,sched.good: fini");
	free(err);
	free(want);
	free(path);
}

static void
test_duplicate_ethertype(void **state)
{
	char *path = path_of("proto_dupb"), *want, *err = NULL;
	const struct plb_module *a;

	assert_int_equal(plb_loader_load(broken_dir, "proto_dupa", &env, NULL, &err), 0);
	assert_null(err);
	a = plb_loader_find("proto_dupa");
	assert_non_null(a);
	assert_int_equal(a->kind, PLB_MODULE_L3);
	assert_ptr_equal(plb_reg_l3_get(0x88b5), a->ops);

	assert_true(asprintf(&want, "%s: ethertype 0x88b5 is already handled by proto_dupa",
			     path) > 0);
	assert_int_equal(plb_loader_load(broken_dir, "proto_dupb", &env, NULL, &err), -EEXIST);
	assert_non_null(err);
	assert_string_equal(err, want);
	assert_null(plb_loader_find("proto_dupb"));
	assert_ptr_equal(plb_reg_l3_get(0x88b5), a->ops);	/* the first one still owns it */
	assert_int_equal(n_loaded(), 1);
	free(err);
	free(want);
	free(path);
}

static void
test_hook_module_order(void **state)
{
	static const char *const pre[] = { "pre_50", "pre_100", "pre_200" };
	const struct plb_hook_reg *const *c;
	struct plb_pkt pkt = { 0 };
	char *err = NULL;
	uint32_t n;

	assert_int_equal(plb_loader_load(broken_dir, "hook_order", &env, NULL, &err), 0);
	assert_null(err);
	c = plb_reg_hook_chain(PLB_HOOK_PRE_ROUTING, &n);
	assert_int_equal(n, 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_string_equal(c[i]->name, pre[i]);
	c = plb_reg_hook_chain(PLB_HOOK_LOCAL_IN, &n);
	assert_int_equal(n, 1);
	assert_string_equal(c[0]->name, "in_100");
	plb_reg_hook_chain(PLB_HOOK_FORWARD, &n);
	assert_int_equal(n, 0);

	/* the module's hooks append their digit: pre_50=2, pre_100=3, pre_200=1 */
	assert_int_equal(plb_hook_run(PLB_HOOK_PRE_ROUTING, &pkt), PLB_ACCEPT);
	assert_int_equal(pkt.hash, 231);
	pkt.hash = 0;
	assert_int_equal(plb_hook_run(PLB_HOOK_LOCAL_IN, &pkt), PLB_ACCEPT);
	assert_int_equal(pkt.hash, 4);

	/* unloading takes its hooks out of the chains */
	plb_loader_unload_all();
	assert_no_hooks();
}

static void
unload_order(const char *first, const char *second, const char *want)
{
	char ev[256], *err = NULL;

	assert_int_equal(plb_loader_load(broken_dir, first, &env, NULL, &err), 0);
	assert_int_equal(plb_loader_load(broken_dir, second, &env, NULL, &err), 0);
	assert_null(err);
	plb_loader_unload_all();
	lifecycle_lines(ev, sizeof(ev));
	assert_string_equal(ev, want);
	assert_null(plb_loader_find(first));
	assert_null(plb_loader_find(second));
	assert_int_equal(n_loaded(), 0);
}

static void
test_unload_reverse_order(void **state)
{
	unload_order("sched_good", "hook_order",
		     "sched.good: init,hook.order: init,hook.order: fini,sched.good: fini");
	plb_reg_reset();
	log_clear();
	unload_order("hook_order", "sched_good",
		     "hook.order: init,sched.good: init,sched.good: fini,hook.order: fini");
}

static void
test_kind_prefix(void **state)
{
	assert_string_equal(plb_loader_kind_prefix(PLB_MODULE_L3), "proto");
	assert_string_equal(plb_loader_kind_prefix(PLB_MODULE_HOOK), "hook");
	assert_string_equal(plb_loader_kind_prefix(PLB_MODULE_PROTO), "proto");
	assert_string_equal(plb_loader_kind_prefix(PLB_MODULE_SCHED), "sched");
	assert_string_equal(plb_loader_kind_prefix(PLB_MODULE_FWD), "fwd");
	assert_null(plb_loader_kind_prefix((enum plb_module_kind)0));
	assert_null(plb_loader_kind_prefix((enum plb_module_kind)(PLB_MODULE_FWD + 1)));
}

int
main(void)
{
	const char *b = getenv("PLB_BUILD");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undefined_symbol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_descriptor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_abi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kind_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_required_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_hook_fn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_err, setup, teardown),
		cmocka_unit_test_setup_teardown(test_good_and_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_ethertype, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hook_module_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unload_reverse_order, setup, teardown),
		cmocka_unit_test(test_kind_prefix),
	};

	snprintf(build_dir, sizeof(build_dir), "%s", b && *b ? b : "build");
	snprintf(broken_dir, sizeof(broken_dir), "%s/tests/broken", build_dir);
	return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
