/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.lua tests, part 2 (part 1: test_lua.c; set-up: lua_test.h): the
 * shipped scripts scripts/lua/{blacklist,weights,drain}.lua driven through
 * their lua.config settings against the real services and ACL tables;
 * lua.status; no lua section; and the scale figure: a 100k-prefix
 * plb.set_deny timed from the call to the list in force (docs/performance.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lua_test.h"

/* ---- scale ---- */

static void
test_set_deny_100k(void **state)
{
	struct timespec t0, t1;
	double ms;

	/* building the list in Lua is not timed; the timer's plb.set_deny is */
	start_ok(script(
		"local l = {}\n"
		"for i = 0, 99999 do\n"
		"  l[#l + 1] = string.format('%d.%d.%d.0/24', 10 + math.floor(i / 65536),\n"
		"                            math.floor(i / 256) % 256, i % 256)\n"
		"end\n"
		"plb.after(0, function() plb.set_deny(l) end)\n"),
		"instructions = 100000000;");
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	plb_lua_tick();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 100000);
	assert_int_equal(plb_acl4_check(ip("10.0.5.9"), NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(plb_acl4_check(ip("11.134.159.1"), NULL), PLB_ACL_GLOBAL_DENY); /* i = 99999 */
	assert_int_equal(plb_acl4_check(ip("11.134.160.1"), NULL), PLB_ACL_PASS);	/* i = 100000 */
	print_message("plb.set_deny of 100000 prefixes: in force %.1f ms after the call\n", ms);
	assert_true(ms < 1000.0);
}

static void
test_status_and_empty(void **state)
{
	json_t *st;
	char *err = NULL;

	start_ok(script("plb.every(1, function() end)\nplb.on('reload', function() end)\n"),
		 "memory_mb = 16; instructions = 5000;");
	st = plb_lua_status();
	assert_true(json_is_true(json_object_get(st, "running")));
	assert_int_equal(json_integer_value(json_object_get(st, "timers")), 1);
	assert_int_equal(json_integer_value(json_object_get(st, "handlers")), 1);
	assert_int_equal(json_integer_value(json_object_get(st, "memory_limit_mb")), 16);
	assert_int_equal(json_integer_value(json_object_get(st, "instructions")), 5000);
	assert_true(json_integer_value(json_object_get(st, "memory_kb")) > 0);
	assert_true(json_is_null(json_object_get(st, "last_error")));
	assert_int_equal(json_array_size(json_object_get(st, "scripts")), 1);
	json_decref(st);
	plb_lua_stop();
	/* no lua section: nothing runs, reload is a no-op */
	plb_conf_free(conf);
	conf = NULL;
	assert_int_equal(plb_lua_start(svc_conf, &err), 0);
	assert_int_equal(plb_lua_reload(NULL, &err), 0);
	st = plb_lua_status();
	assert_false(json_is_true(json_object_get(st, "running")));
	json_decref(st);
}

/* ---- the shipped scripts (scripts/lua/) ---- */

static void
test_script_blacklist(void **state)
{
	static const char two[] = "203.0.113.0/24\n198.51.100.0/25 # lab\n";
	const char *f = write_file(".txt", two, sizeof(two) - 1);
	char *extra;
	struct timespec t0, t;

	assert_true(asprintf(&extra, "config = { blacklist_file = \"%s\"; blacklist_every = 0.02; };",
			     f) > 0);
	start_ok("scripts/lua/blacklist.lua", extra);
	free(extra);
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 2);
	/* a bad line: refused whole, the list in force stays */
	usleep(20000);
	rewrite(f, "203.0.113.0/24\nnot-a-prefix\n");
	for (int i = 0; i < 10; i++) {
		usleep(10000);
		plb_lua_tick();
	}
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 2);
	/* a new good file replaces the list */
	rewrite(f, "192.0.2.0/24\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		usleep(10000);
		plb_lua_tick();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (plb_acl_size(&global_sc, PLB_ACL_LIST_DENY) != 1 && t.tv_sec - t0.tv_sec < 3);
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 1);
	assert_int_equal(plb_acl4_check(ip("192.0.2.9"), NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(plb_acl4_check(ip("203.0.113.9"), NULL), PLB_ACL_PASS);
}

static void
test_script_weights(void **state)
{
	struct plb_dest *d;

	start_ok("scripts/lua/weights.lua",
		 "config = { weights_base = 10; weights_per_step = 10; weights_period = 0.02; "
		 "weights_service = \"" SVC80 "\"; };");
	assert_int_equal(weight("198.51.100.11"), 10);	/* no active conns: the base */
	assert_int_equal(weight("198.51.100.12"), 10);
	d = svc80()->dests[0];		/* the core's live count, as workers keep it */
	__atomic_store_n(&d->active_conns, 25, __ATOMIC_RELAXED);
	tick_until_weight("198.51.100.11", 8);
	__atomic_store_n(&d->active_conns, 500, __ATOMIC_RELAXED);
	tick_until_weight("198.51.100.11", 1);
	d = svc80()->dests[0];
	__atomic_store_n(&d->active_conns, 0, __ATOMIC_RELAXED);
	tick_until_weight("198.51.100.11", 10);
}

static void
test_script_drain(void **state)
{
	start_ok("scripts/lua/drain.lua",
		 "config = { drain_service = \"" SVC80 "\"; drain_dest = \"198.51.100.12:8080\"; "
		 "drain_steps = 3; drain_interval = 0.02; };");
	assert_int_equal(weight("198.51.100.12"), 3);
	tick_until_weight("198.51.100.12", 2);
	assert_false(spec_down("198.51.100.12"));
	assert_true(picks("198.51.100.12", 10) > 0);	/* still taking new conns */
	tick_until_weight("198.51.100.12", 1);
	/* last step: down, with the weight from before the drain to come back with */
	tick_until_weight("198.51.100.12", 3);
	assert_true(spec_down("198.51.100.12"));
	assert_int_equal(status_int("timers"), 0);	/* done */
	assert_true(live_dest("198.51.100.12")->flags & PLB_DEST_F_DOWN);
	assert_int_equal(picks("198.51.100.12", 20), 0);
	assert_int_equal(weight("198.51.100.11"), 2);	/* the other dest untouched */
	/* marked down: a reload of drain.lua does nothing */
	assert_int_equal(plb_lua_reload(NULL, NULL), 0);
	assert_true(spec_down("198.51.100.12"));
	assert_int_equal(status_int("timers"), 0);
	/* the flag is the service's, not the script state's: another script brings it up */
	plb_lua_stop();
	start_ok(script("plb.up('" SVC80 "', '198.51.100.12:8080')\n"), NULL);
	assert_false(spec_down("198.51.100.12"));
	assert_int_equal(weight("198.51.100.12"), 3);
	assert_int_equal(picks("198.51.100.12", 20), 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_set_deny_100k, test_teardown),
		cmocka_unit_test_teardown(test_status_and_empty, test_teardown),
		cmocka_unit_test_teardown(test_script_blacklist, test_teardown),
		cmocka_unit_test_teardown(test_script_weights, test_teardown),
		cmocka_unit_test_teardown(test_script_drain, test_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
