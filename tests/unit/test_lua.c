/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.lua tests, part 1 (lua_runtime.c, lua_events.c, lua_api.c,
 * lua_policy.c; set-up in lua_test.h; part 2, the shipped scripts and the
 * 100k figure, in test_lua_scripts.c). Real scripts written to temporary
 * files and loaded through the `lua` config section against the real
 * services and ACL tables. Scripts check what they read with assert() (a
 * failed assert fails the load, and the test with its message); the C side
 * checks what they changed. Covers every plb.* call, every error path
 * (syntax, runtime, instruction budget, memory cap, bad prefix, unknown
 * service/dest, failed timer) with file:line and the last good policy kept,
 * all scripts as one transaction, all or nothing on commit (ACL edits
 * checked first, a late failure rolled back), plb.down/up as the dest's
 * down flag (kept weight, never picked by the real scheduler, one event per
 * real change), plb_lua_check (plb -t), the sandbox with and without
 * lua.allow, bytecode files, timers and events.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <lua.h>
#include <lauxlib.h>

#include <plb/acl.h>
#include <plb/svc.h>

#include "acl.h"
#include "config.h"
#include "loader.h"
#include "lua_int.h"
#include "lua_runtime.h"
#include "registry.h"
#include "svc.h"

#include "eal_test.h"

#include "lua_test.h"

/* ---- the API ---- */

static void
test_services_stats(void **state)
{
	start_ok(script(
		"local s = plb.services()\n"
		"assert(#s == 2, 'two services')\n"
		"local t\n"
		"for _, x in ipairs(s) do if x.port == 80 then t = x end end\n"
		"assert(t.name == 'tcp:192.0.2.100:80' and t.proto == 'tcp' and t.vip == '192.0.2.100')\n"
		"assert(t.scheduler == 'rr' and t.fwd == 'fnat')\n"
		"assert(#t.dests == 2)\n"
		"local d = t.dests[1]\n"
		"assert(d.addr == '198.51.100.11' and d.port == 8080 and d.name == '198.51.100.11:8080')\n"
		"assert(d.weight == 2 and d.down == false)\n"
		"for _, k in ipairs({'conns','active','inactive','pkts','pkts_in','pkts_out',\n"
		"                    'bytes','bytes_in','bytes_out'}) do\n"
		"  assert(d[k] == 0, k) end\n"
		"local st = plb.stats()\n"
		"assert(type(st.workers) == 'table' and type(st.counters) == 'table')\n"
		"assert(#st.services == 2 and st.services[1].dests ~= nil)\n"
		"assert(plb.config.answer == 42 and plb.config.name == 'x' and plb.config.list[2] == 2)\n"
		"assert(plb.config.sub.on == true)\n"
		"plb.log('info', 'services read')\n"
		"print('print goes to the log', 1, true)\n"),
		"config = { answer = 42; name = \"x\"; list = [1, 2]; sub = { on = true; }; };");
}

static void
test_weights(void **state)
{
	const struct plb_svc *s;

	start_ok(script(
		"plb.set_weight('" SVC80 "', '198.51.100.11:8080', 7)\n"
		"plb.set_weight({proto='tcp', vip='192.0.2.100', port=80},\n"
		"               {addr='198.51.100.12', port=8080}, 9)\n"
		"for _, d in ipairs(plb.services()[1].dests) do\n"
		"  assert(d.weight == (d.addr == '198.51.100.11' and 7 or 9), 'staged weights seen')\n"
		"end\n"
		"plb.set_weight(plb.services()[1], plb.services()[1].dests[1], 7)\n"
		"plb.on('reload', function(e) plb.quiesce('" SVC80 "', '198.51.100.12:8080') end)\n"),
		NULL);
	assert_int_equal(weight("198.51.100.11"), 7);
	assert_int_equal(weight("198.51.100.12"), 9);
	s = svc80();
	assert_non_null(s);
	assert_int_equal(s->dests[0]->weight, 7);	/* published */
	assert_int_equal(s->dests[1]->weight, 9);
	/* quiesce from an event handler */
	plb_lua_reload_event("config");
	plb_lua_tick();
	assert_int_equal(weight("198.51.100.12"), 0);
	assert_int_equal(weight("198.51.100.11"), 7);
}

static void
test_down_up_events(void **state)
{
	const char *p = script(
		"downs, ups = 0, 0\n"
		"plb.on('dest_down', function(e)\n"
		"  assert(e.event == 'dest_down' and e.service == '" SVC80 "' and e.dest == '198.51.100.11:8080')\n"
		"  assert(e.proto == 'tcp' and e.vip == '192.0.2.100' and e.port == 80)\n"
		"  assert(e.addr == '198.51.100.11' and e.dport == 8080)\n"
		"  downs = downs + 1\n"
		"  plb.set_weight('" SVC80 "', '198.51.100.12:8080', 10 + downs)\n"
		"end)\n"
		"plb.on('dest_up', function(e)\n"
		"  ups = ups + 1\n"
		"  plb.set_weight('" SVC80 "', '198.51.100.12:8080', 20 + ups)\n"
		"end)\n"
		"plb.down('" SVC80 "', '198.51.100.11:8080')\n"
		"plb.down('" SVC80 "', '198.51.100.11:8080')  -- already down: no second event\n"
		"local d = plb.services()[1].dests[1]\n"
		"assert(d.down == true and d.weight == 2, 'down keeps the weight')\n"
		"plb.set_weight('" SVC80 "', '198.51.100.11:8080', 5)  -- it stays down\n"
		"assert(plb.services()[1].dests[1].down == true)\n"
		"plb.after(0.2, function() plb.up('" SVC80 "', '198.51.100.11:8080') end)\n");
	const struct plb_dest *d;

	start_ok(p, NULL);
	/* down: the flag in the spec and on the published dest, the weight kept, never picked */
	assert_int_equal(weight("198.51.100.11"), 5);
	assert_true(spec_down("198.51.100.11"));
	d = live_dest("198.51.100.11");
	assert_true(d->flags & PLB_DEST_F_DOWN);
	assert_int_equal(d->weight, 5);
	assert_int_equal(picks("198.51.100.11", 20), 0);
	assert_int_equal(picks("198.51.100.12", 20), 20);
	tick_until_weight("198.51.100.12", 11);		/* the dest_down handler ran once */
	tick_until_weight("198.51.100.12", 21);		/* plb.up, then dest_up */
	assert_false(spec_down("198.51.100.11"));
	d = live_dest("198.51.100.11");
	assert_false(d->flags & PLB_DEST_F_DOWN);
	assert_int_equal(weight("198.51.100.11"), 5);	/* back with its weight */
	assert_int_equal(picks("198.51.100.11", 20), 10);	/* rr: every other new conn */
	/* an event from C (a health checker): the second dest_down */
	plb_lua_dest_event(IPPROTO_TCP, ip("192.0.2.100"), 80, ip("198.51.100.11"), 8080, 0);
	tick_until_weight("198.51.100.12", 12);
}

/* A down and an up in one transaction is no change: no event; a down dest in the config stays down. */
static void
test_down_up_no_change(void **state)
{
	start_ok(script(
		"plb.on('dest_down', function() plb.set_weight('" SVC80 "', '198.51.100.12:8080', 50) end)\n"
		"plb.on('dest_up', function() plb.set_weight('" SVC80 "', '198.51.100.12:8080', 60) end)\n"
		"plb.down('" SVC80 "', '198.51.100.11:8080')\n"
		"plb.up('" SVC80 "', '198.51.100.11:8080')\n"
		"assert(plb.services()[1].dests[1].down == false)\n"
		"plb.up('" SVC80 "', '198.51.100.12:8080')  -- up already\n"), NULL);
	assert_false(spec_down("198.51.100.11"));
	for (int i = 0; i < 5; i++) {
		plb_lua_tick();
		usleep(10000);
	}
	assert_int_equal(weight("198.51.100.12"), 3);	/* no handler ran */
	assert_int_equal(weight("198.51.100.11"), 2);
}

static void
test_acl(void **state)
{
	const struct plb_svc *s = svc80();

	start_ok(script(
		"plb.deny({'203.0.113.0/24', '198.51.100.7'})\n"
		"plb.deny('192.0.2.128/25')\n"
		"plb.undeny('192.0.2.128/25')\n"
		"plb.allow({'203.0.113.0/25', '10.0.0.0/8'}, '" SVC80 "')\n"
		"plb.unallow('10.0.0.0/8', {proto='tcp', vip='192.0.2.100', port=80})\n"
		"plb.set_deny({'203.0.113.64/26'}, '" SVC80 "')\n"
		"plb.after(0, function()\n"
		"  local n = plb.acl_size('deny')\n"
		"  assert(n == 2, 'deny size ' .. n)\n"
		"  assert(plb.acl_size('allow', '" SVC80 "') == 1)\n"
		"  assert(plb.acl_size('deny', '" SVC80 "') == 1)\n"
		"  plb.set_allow({}, '" SVC80 "')\n"
		"  plb.set_deny({'198.51.100.7/32'})\n"
		"end)\n"), NULL);
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 2);
	assert_int_equal(plb_acl_size(&svc_sc, PLB_ACL_LIST_ALLOW), 1);
	assert_int_equal(plb_acl_size(&svc_sc, PLB_ACL_LIST_DENY), 1);
	assert_int_equal(plb_acl4_check(ip("203.0.113.9"), s), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(plb_acl4_check(ip("198.51.100.7"), NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(plb_acl4_check(ip("192.0.2.200"), NULL), PLB_ACL_PASS);	/* undenied */
	assert_int_equal(plb_acl4_check(ip("192.0.2.200"), s), PLB_ACL_SVC_ALLOW);
	assert_int_equal(plb_acl4_check(ip("10.1.2.3"), s), PLB_ACL_SVC_ALLOW);	/* unallowed */
	plb_lua_tick();
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 1);
	assert_int_equal(plb_acl_size(&svc_sc, PLB_ACL_LIST_ALLOW), 0);
	assert_int_equal(plb_acl4_check(ip("203.0.113.9"), s), PLB_ACL_PASS);
	assert_int_equal(plb_acl4_check(ip("203.0.113.70"), s), PLB_ACL_SVC_DENY);
}

static void
test_load_prefixes(void **state)
{
	static const char good[] = "# deny list\n203.0.113.0/24\n\n  198.51.100.7   # one host\n";
	static const char bad[] = "203.0.113.0/24\n203.0.113.1/24\n";
	const char *g = write_file(".txt", good, sizeof(good) - 1);
	const char *b = write_file(".txt", bad, sizeof(bad) - 1), *p;
	char *text;

	assert_true(asprintf(&text,
		"local l = plb.load_prefixes(plb.config.good)\n"
		"assert(#l == 2 and l[1] == '203.0.113.0/24' and l[2] == '198.51.100.7')\n"
		"local x, why = plb.load_prefixes(plb.config.bad)\n"
		"assert(x == nil and why == plb.config.bad .. ':2: host bits are set after the prefix length', why)\n"
		"x, why = plb.load_prefixes('/nonexistent/plb')\n"
		"assert(x == nil and why:find('cannot read'))\n"
		"assert(type(plb.mtime(plb.config.good)) == 'number' and plb.mtime('/nonexistent/plb') == nil)\n"
		"plb.set_deny(l)\n") > 0);
	p = script(text);
	free(text);
	assert_true(asprintf(&text, "config = { good = \"%s\"; bad = \"%s\"; };", g, b) > 0);
	start_ok(p, text);
	free(text);
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 2);
}

static void
test_timers(void **state)
{
	json_int_t errors = status_int("call_errors");

	start_ok(script(
		"local n = 0\n"
		"local id\n"
		"id = plb.every(0.02, function()\n"
		"  n = n + 1\n"
		"  plb.set_weight('" SVC80 "', '198.51.100.11:8080', n)\n"
		"  if n == 3 then assert(plb.cancel(id) == true) end\n"
		"end)\n"
		"local gone = plb.after(0, function() error('cancelled timers never run') end)\n"
		"assert(plb.cancel(gone) == true and plb.cancel(gone) == false)\n"
		"plb.after(0, function() plb.set_weight('" SVC80 "', '198.51.100.12:8080', 40) end)\n"),
		NULL);
	tick_until_weight("198.51.100.12", 40);
	tick_until_weight("198.51.100.11", 3);
	assert_int_equal(status_int("timers"), 0);
	assert_int_equal(status_int("call_errors"), errors);
	for (int i = 0; i < 5; i++)
		plb_lua_tick();
	usleep(50000);
	plb_lua_tick();
	assert_int_equal(weight("198.51.100.11"), 3);	/* cancelled at 3 */
}

/* ---- errors: file:line, and the last good policy stays ---- */

static const char good_policy[] =
	"plb.set_weight('" SVC80 "', '198.51.100.11:8080', 5)\n"
	"plb.set_deny({'203.0.113.0/24'})\n";

static void
check_policy(uint32_t w12)
{
	assert_int_equal(weight("198.51.100.11"), 5);
	assert_int_equal(weight("198.51.100.12"), w12);
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 1);
	assert_int_equal(plb_acl4_check(ip("203.0.113.1"), NULL), PLB_ACL_GLOBAL_DENY);
}

static void
error_case(const char *bad, const char *extra, const char *want)
{
	const char *p = script(good_policy);
	char *w;

	start_ok(p, extra);
	check_policy(3);
	rewrite(p, bad);
	assert_true(asprintf(&w, "%s%s", p, want) > 0);
	reload_err(w);
	check_policy(3);
	free(w);
	/* a good script loads again after the failure */
	rewrite(p, "plb.set_weight('" SVC80 "', '198.51.100.11:8080', 6)\n");
	assert_int_equal(plb_lua_reload(NULL, NULL), 0);
	assert_int_equal(weight("198.51.100.11"), 6);
	plb_lua_stop();
	test_teardown(NULL);
}

static void
test_errors(void **state)
{
	/* changes made before the error are dropped with it */
	static const char *const pre = "plb.set_weight('" SVC80 "', '198.51.100.12:8080', 9)\n"
				       "plb.set_deny({})\n";
	char *bad;

	error_case("plb.set_weight('" SVC80 "',\n  '198.51.100.11:8080' 7)\n", NULL,
		   ":2: ')' expected (to close '(' at line 1) near '7'");
	assert_true(asprintf(&bad, "%slocal t = nil\nreturn t.x\n", pre) > 0);
	error_case(bad, NULL, ":4: attempt to index local 't' (a nil value)");
	free(bad);
	assert_true(asprintf(&bad, "%swhile true do end\n", pre) > 0);
	error_case(bad, NULL, ":3: instruction budget of 1000000 exceeded");
	free(bad);
	/* a runaway that catches the budget error is stopped all the same */
	assert_true(asprintf(&bad, "%swhile true do pcall(function() while true do end end) end\n",
			     pre) > 0);
	error_case(bad, NULL, ":3: instruction budget of 1000000 exceeded");
	free(bad);
	assert_true(asprintf(&bad, "%slocal t = {}\nfor i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end\n",
			     pre) > 0);
	error_case(bad, "memory_mb = 8; instructions = 100000000;",
		   ":4: memory limit of 8 MB exceeded (lua.memory_mb)");
	free(bad);
	assert_true(asprintf(&bad, "%splb.deny({'203.0.113.0/24', '203.0.113.1/24'})\n", pre) > 0);
	error_case(bad, NULL, ":3: plb.deny: prefixes[2] \"203.0.113.1/24\": host bits are set");
	free(bad);
	assert_true(asprintf(&bad, "%splb.deny('300.1.1.1')\n", pre) > 0);
	error_case(bad, NULL, ":3: plb.deny: prefix \"300.1.1.1\": expected an IPv4 prefix");
	free(bad);
	assert_true(asprintf(&bad, "%splb.set_weight('tcp:192.0.2.99:80', '198.51.100.11', 1)\n",
			     pre) > 0);
	error_case(bad, NULL, ":3: plb.set_weight: unknown service tcp:192.0.2.99:80");
	free(bad);
	assert_true(asprintf(&bad, "%splb.down('" SVC80 "', '198.51.100.99:8080')\n", pre) > 0);
	error_case(bad, NULL, ":3: plb.down: unknown dest 198.51.100.99:8080 in service "
		   "tcp:192.0.2.100:80");
	free(bad);
	assert_true(asprintf(&bad, "%splb.set_weight('" SVC80 "', '198.51.100.11:8080', 70000)\n",
			     pre) > 0);
	error_case(bad, NULL, ":3: plb.set_weight: weight 70000");
	free(bad);
	assert_true(asprintf(&bad, "%splb.deny('203.0.113.0/24', 'tcp:192.0.2.100')\n", pre) > 0);
	error_case(bad, NULL, ":3: plb.deny: service \"tcp:192.0.2.100\": expected");
	free(bad);
	error_case("plb.on('dest_gone', function() end)\n", NULL,
		   ":1: plb.on: event \"dest_gone\": expected");
	error_case("plb.every(0, function() end)\n", NULL, ":1: plb.every: seconds 0");
}

static void
test_start_errors(void **state)
{
	char *err = NULL;

	lua_conf("/nonexistent/plb.lua", NULL);
	assert_int_equal(plb_lua_start(conf, &err), -ENOENT);
	assert_string_equal(err, "/nonexistent/plb.lua: cannot read: No such file or directory");
	free(err);
	err = NULL;
	/* bad settings are config errors with file:line */
	plb_conf_free(conf);
	conf = NULL;
	{
		const char *cf = write_file(".conf", "lua = { allow = [ \"net\" ]; };\n",
					    strlen("lua = { allow = [ \"net\" ]; };\n"));
		struct plb_conf *c = NULL;

		assert_int_equal(plb_conf_load(cf, &c, &err), -EINVAL);
		assert_non_null(strstr(err, ":1: lua.allow[0]: expected one of \"io\""));
		free(err);
		err = NULL;
		cf = write_file(".conf", "lua = { memory_mb = 0; };\n",
				strlen("lua = { memory_mb = 0; };\n"));
		assert_int_equal(plb_conf_load(cf, &c, &err), -EINVAL);
		assert_non_null(strstr(err, ":1: lua.memory_mb: expected an integer 1..65536, got 0"));
		free(err);
	}
}

static void
test_timer_errors(void **state)
{
	json_int_t errors = status_int("call_errors");

	start_ok(script(good_policy), NULL);
	rewrite(files[0],
		"plb.set_weight('" SVC80 "', '198.51.100.11:8080', 5)\n"
		"plb.set_deny({'203.0.113.0/24'})\n"
		"plb.every(0.02, function()\n"
		"  plb.set_weight('" SVC80 "', '198.51.100.11:8080', 1)\n"
		"  plb.set_deny({})\n"
		"  error('broken')\n"
		"end)\n"
		"plb.every(0.02, function() while true do end end)\n"
		"plb.after(0, function() local t = {} while true do t[#t + 1] = {} end end)\n"
		"plb.every(0.02, function() plb.set_weight('" SVC80 "', '198.51.100.12:8080', 4) end)\n");
	assert_int_equal(plb_lua_reload(NULL, NULL), 0);
	tick_until_weight("198.51.100.12", 4);	/* the good timer ran */
	check_policy(4);
	/* the runaway periodic timer was stopped; the one with an ordinary error goes on */
	assert_int_equal(status_int("timers"), 2);
	assert_true(status_int("call_errors") >= errors + 3);
}

/* Two scripts are one transaction: the second failing drops the first's changes. */
static void
test_scripts_atomic(void **state)
{
	const char *a = script("plb.set_weight('" SVC80 "', '198.51.100.11:8080', 9)\n"
			       "plb.deny('203.0.113.0/24')\n");
	const char *b = script("assert(plb.services()[1].dests[1].weight == 9, 'sees the first')\n"
			       "error('second script broken')\n");
	char *two, *err = NULL;

	assert_true(asprintf(&two, "%s\", \"%s", a, b) > 0);	/* scripts = [ "a", "b" ] */
	lua_conf(two, NULL);
	free(two);
	assert_int_equal(plb_lua_start(conf, &err), -EINVAL);
	assert_non_null(strstr(err, ":2: second script broken"));
	free(err);
	assert_int_equal(weight("198.51.100.11"), 2);
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 0);
	/* fixed: both apply */
	rewrite(b, "assert(plb.services()[1].dests[1].weight == 9)\n");
	assert_int_equal(plb_lua_reload(NULL, NULL), 0);
	assert_int_equal(weight("198.51.100.11"), 9);
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 1);
}

/* ---- all or nothing: ACL edits checked first, a late failure rolled back ---- */

/* The second ACL edit fails when applied (a lower list limit): the first and the services roll back. */
static void
test_commit_rollback(void **state)
{
	struct plb_ifaddr4 one = { .addr = ip("198.51.100.7"), .prefix_len = 32 };
	const struct plb_svc *s = svc80();
	char *err = NULL;
	int rc;

	assert_int_equal(plb_acl_set(&global_sc, PLB_ACL_LIST_DENY, &one, 1, NULL), 0);
	lua_conf(script(
		"plb.set_weight('" SVC80 "', '198.51.100.11:8080', 9)\n"
		"plb.down('" SVC80 "', '198.51.100.12:8080')\n"
		"plb.set_deny({'203.0.113.0/24', '192.0.2.0/24'})\n"
		"plb.deny({'10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16'}, '" SVC80 "')\n"), NULL);
	plb_acl_set_limit(2);
	rc = plb_lua_start(conf, &err);
	plb_acl_set_limit(0);
	assert_int_not_equal(rc, 0);
	assert_non_null(err);
	if (strstr(err, "more than the limit of 2") == NULL)
		fail_msg("error \"%s\"", err);
	free(err);
	assert_int_equal(weight("198.51.100.11"), 2);
	assert_false(spec_down("198.51.100.12"));
	assert_int_equal(live_dest("198.51.100.11")->weight, 2);
	assert_false(live_dest("198.51.100.12")->flags & PLB_DEST_F_DOWN);
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 1);
	assert_int_equal(plb_acl4_check(ip("198.51.100.7"), NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(plb_acl4_check(ip("203.0.113.1"), s), PLB_ACL_PASS);
	assert_int_equal(plb_acl_size(&svc_sc, PLB_ACL_LIST_DENY), 0);
	/* the same from a timer: logged, the policy as before */
	plb_acl_set_limit(2);
	rewrite(files[0], "plb.after(0, function()\n"
		"  plb.set_weight('" SVC80 "', '198.51.100.11:8080', 9)\n"
		"  plb.set_deny({'203.0.113.0/24'})\n"
		"  plb.deny({'10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16'}, '" SVC80 "')\n"
		"end)\n");
	rc = plb_lua_start(conf, NULL);
	assert_int_equal(rc, 0);
	plb_lua_tick();
	plb_acl_set_limit(0);
	assert_true(status_has("last_error", "its changes were refused"));
	assert_int_equal(weight("198.51.100.11"), 2);
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 1);
	assert_int_equal(plb_acl4_check(ip("198.51.100.7"), NULL), PLB_ACL_GLOBAL_DENY);
}

/* Edits past the list limit, or with a bad prefix, are refused before anything is applied. */
static void
test_commit_precheck(void **state)
{
	struct lpol_svc k = { .proto = IPPROTO_TCP, .vip = ip("192.0.2.100"), .port = 80 };
	const uint32_t big = 1u << 20;
	struct plb_ifaddr4 *p;
	char *err = NULL;
	int si, di;

	lpol_begin();
	si = lpol_svc_find(&k);
	di = lpol_dest_find(si, ip("198.51.100.11"), 8080);
	assert_true(si >= 0 && di >= 0);
	assert_int_equal(lpol_set_weight(si, di, 9, NULL), 0);
	p = calloc(1, sizeof(*p));
	p->addr = ip("203.0.113.0");
	p->prefix_len = 24;
	assert_int_equal(lpol_acl(LPOL_ACL_ADD, &global_sc, PLB_ACL_LIST_DENY, p, 1, NULL), 0);
	p = calloc(big, sizeof(*p));	/* 10.0.0.0 .. 10.15.255.255 as /32s: one too many with the /24 */
	for (uint32_t i = 0; i < big; i++) {
		p[i].addr = htonl(0x0a000000u + i);
		p[i].prefix_len = 32;
	}
	assert_int_equal(lpol_acl(LPOL_ACL_ADD, &global_sc, PLB_ACL_LIST_DENY, p, big, NULL), 0);
	assert_int_equal(lpol_commit(&err), -ENOSPC);
	assert_string_equal(err, "the global deny list would hold 1048577 prefixes, more than the "
			    "limit of 1048576");
	free(err);
	err = NULL;
	assert_int_equal(weight("198.51.100.11"), 2);
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 0);
	/* a bad prefix in the second edit (the API refuses these; C callers too) */
	lpol_begin();
	assert_int_equal(lpol_set_weight(si, di, 9, NULL), 0);
	p = calloc(1, sizeof(*p));
	p->addr = ip("203.0.113.0");
	p->prefix_len = 24;
	assert_int_equal(lpol_acl(LPOL_ACL_SET, &global_sc, PLB_ACL_LIST_DENY, p, 1, NULL), 0);
	p = calloc(1, sizeof(*p));
	p->addr = ip("203.0.113.1");
	p->prefix_len = 24;
	assert_int_equal(lpol_acl(LPOL_ACL_ADD, &svc_sc, PLB_ACL_LIST_ALLOW, p, 1, NULL), 0);
	assert_int_equal(lpol_commit(&err), -EINVAL);
	assert_string_equal(err, "access-list edit 2: prefixes[1]: not a prefix (length 24)");
	free(err);
	assert_false(lpol_active());
	assert_int_equal(weight("198.51.100.11"), 2);
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 0);
}

/* ---- plb -t: plb_lua_check ---- */

static void
check_err(const struct plb_conf *c, int want_rc, const char *want)
{
	char *err = NULL;
	int rc = plb_lua_check(c, &err);

	assert_int_equal(rc, want_rc);
	assert_non_null(err);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	free(err);
}

static void
test_lua_check(void **state)
{
	static const char svc200[] =
		"services = ( { proto = \"tcp\"; vip = \"192.0.2.200\"; port = 80; scheduler = \"rr\";\n"
		"  fwd = \"dr\"; dests = ( { addr = \"198.51.100.31\"; weight = 4; } ); } );\n";
	const char *p = script(
		"local s = plb.services()\n"
		"assert(#s == 1 and s[1].name == 'tcp:192.0.2.200:80', 'the config services')\n"
		"assert(s[1].dests[1].weight == 4 and s[1].dests[1].conns == 0)\n"
		"plb.set_weight('tcp:192.0.2.200:80', '198.51.100.31', 7)\n"
		"plb.down('tcp:192.0.2.200:80', '198.51.100.31')\n"
		"assert(plb.services()[1].dests[1].down and plb.services()[1].dests[1].weight == 7)\n"
		"plb.set_deny('203.0.113.0/24')\n"
		"local st = plb.stats()\n"
		"assert(#st.workers == 0 and #st.services == 0)\n"
		"plb.after(0, function() plb.set_deny('192.0.2.0/24') end)\n"
		"plb.on('reload', function() plb.set_deny('192.0.2.0/24') end)\n");
	struct plb_conf *c = NULL;
	json_int_t calls = status_int("calls"), loads = status_int("loads");
	char *text, *err = NULL;
	const char *cf;

	assert_true(asprintf(&text, "modules = { path = \"%s\"; };\n%slua = { scripts = [ \"%s\" ]; };\n",
			     modules_dir, svc200, p) > 0);
	cf = write_file(".conf", text, strlen(text));
	free(text);
	if (plb_conf_load(cf, &c, &err) != 0)
		fail_msg("config: %s", err);
	assert_int_equal(plb_lua_check(c, &err), 0);
	assert_null(err);
	/* nothing applied, nothing left running */
	plb_lua_reload_event("config");
	plb_lua_tick();
	assert_int_equal(plb_acl_size(&global_sc, PLB_ACL_LIST_DENY), 0);
	assert_int_equal(weight("198.51.100.11"), 2);
	assert_false(status_true("running"));
	assert_int_equal(status_int("calls"), calls);
	assert_int_equal(status_int("loads"), loads);

	rewrite(p, "local x = 1\nx = = 2\n");
	check_err(c, -EINVAL, ":2: unexpected symbol near '='");
	assert_true(strncmp(p, "/tmp/", 5) == 0);
	rewrite(p, "local x = 1\n\nerror('broken at load')\n");
	check_err(c, -EINVAL, ":3: broken at load");
	/* the running services are not what the check sees */
	rewrite(p, "plb.set_weight('" SVC80 "', '198.51.100.11:8080', 1)\n");
	check_err(c, -EINVAL, ":1: plb.set_weight: unknown service tcp:192.0.2.100:80");
	rewrite(p, "plb.deny('203.0.113.1/24')\n");
	check_err(c, -EINVAL, ":1: plb.deny: prefix \"203.0.113.1/24\": host bits are set");
	rewrite(p, "while true do end\n");
	check_err(c, -EINVAL, ":1: instruction budget of 1000000 exceeded");

	/* a running runtime is not touched by a failing check */
	start_ok(script(good_policy), NULL);
	check_err(c, -EINVAL, ":1: instruction budget");
	assert_true(status_true("running"));
	assert_false(status_has("last_error", ""));
	check_policy(3);
	plb_conf_free(c);
	plb_lua_stop();

	/* no scripts: nothing to check */
	assert_int_equal(plb_lua_check(svc_conf, &err), 0);
	lua_conf("/nonexistent/plb.lua", NULL);
	check_err(conf, -ENOENT, "/nonexistent/plb.lua: cannot read");
}

/* ---- sandbox ---- */

static void
test_sandbox_default(void **state)
{
	start_ok(script(
		"assert(io == nil and ffi == nil and require == nil and package == nil)\n"
		"assert(debug == nil and jit == nil and dofile == nil and loadfile == nil)\n"
		"assert(os.execute == nil and os.exit == nil and os.remove == nil and os.getenv == nil)\n"
		"assert(type(os.time()) == 'number' and type(os.clock()) == 'number')\n"
		"assert(string.dump == nil)\n"
		"local f = assert(load('return 1 + 1'))\n"
		"assert(f() == 2)\n"
		"assert(loadstring('return 3')() == 3)\n"
		"local g, why = load('\\27LJ\\2\\0')\n"
		"assert(g == nil and why:find('bytecode refused'), why)\n"
		"local h, e2 = loadstring('x = = 1', 'chunk')\n"
		"assert(h == nil and e2:find('chunk'), e2)\n"
		"assert(not pcall(load, function() return nil end))\n"
		"plb.set_weight('" SVC80 "', '198.51.100.11:8080', 8)\n"), NULL);
	assert_int_equal(weight("198.51.100.11"), 8);
}

static void
test_sandbox_allowed(void **state)
{
	start_ok(script(
		"assert(io ~= nil and type(io.open) == 'function')\n"
		"assert(type(os.execute) == 'function' and type(os.getenv) == 'function')\n"
		"assert(ffi ~= nil and type(ffi.cdef) == 'function')\n"
		"assert(type(require) == 'function' and require('ffi') == ffi)\n"
		"assert(type(string.dump) == 'function' and type(dofile) == 'function')\n"
		"local f = load(string.dump(function() return 5 end))\n"
		"assert(f() == 5)\n"
		"assert(jit == nil and package.loaded.jit == nil, 'the JIT stays off')\n"
		"plb.set_weight('" SVC80 "', '198.51.100.11:8080', 4)\n"),
		"allow = [ \"io\", \"os\", \"ffi\", \"require\", \"bytecode\" ];");
	assert_int_equal(weight("198.51.100.11"), 4);
}

static int
dump_writer(lua_State *L, const void *p, size_t sz, void *ud)
{
	luaL_Buffer *b = ud;

	luaL_addlstring(b, p, sz);
	return 0;
}

static void
test_bytecode_file(void **state)
{
	lua_State *L = luaL_newstate();
	luaL_Buffer b;
	const char *bc, *p;
	size_t len;
	char *err = NULL;

	assert_non_null(L);
	assert_int_equal(luaL_loadstring(L, "plb.set_weight('" SVC80 "', '198.51.100.11:8080', 11)"), 0);
	luaL_buffinit(L, &b);
	lua_dump(L, dump_writer, &b);
	luaL_pushresult(&b);
	bc = lua_tolstring(L, -1, &len);
	p = write_file(".luac", bc, len);
	lua_close(L);

	lua_conf(p, NULL);
	assert_int_equal(plb_lua_start(conf, &err), -EINVAL);
	assert_non_null(strstr(err, "precompiled bytecode refused"));
	free(err);
	assert_int_equal(weight("198.51.100.11"), 2);
	plb_lua_stop();
	start_ok(p, "allow = [ \"bytecode\" ];");
	assert_int_equal(weight("198.51.100.11"), 11);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_services_stats, test_teardown),
		cmocka_unit_test_teardown(test_weights, test_teardown),
		cmocka_unit_test_teardown(test_down_up_events, test_teardown),
		cmocka_unit_test_teardown(test_down_up_no_change, test_teardown),
		cmocka_unit_test_teardown(test_acl, test_teardown),
		cmocka_unit_test_teardown(test_load_prefixes, test_teardown),
		cmocka_unit_test_teardown(test_timers, test_teardown),
		cmocka_unit_test_teardown(test_errors, test_teardown),
		cmocka_unit_test_teardown(test_start_errors, test_teardown),
		cmocka_unit_test_teardown(test_timer_errors, test_teardown),
		cmocka_unit_test_teardown(test_scripts_atomic, test_teardown),
		cmocka_unit_test_teardown(test_commit_rollback, test_teardown),
		cmocka_unit_test_teardown(test_commit_precheck, test_teardown),
		cmocka_unit_test_teardown(test_lua_check, test_teardown),
		cmocka_unit_test_teardown(test_sandbox_default, test_teardown),
		cmocka_unit_test_teardown(test_sandbox_allowed, test_teardown),
		cmocka_unit_test_teardown(test_bytecode_file, test_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
