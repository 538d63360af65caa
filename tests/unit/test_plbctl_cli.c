/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's command line (framework/src/plbctl/cli*.c): every native verb and
 * every ipvsadm form -> the exact JSON requests (json_equal), the view and
 * flags main acts on (the acl verbs are in test_plbctl_acl.c); every usage
 * error with its exact message; the -R reader (line numbers, folding a
 * service's mode from its -a lines) and the forwarding-mode planner
 * (service.edit before dest.add only when needed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <limits.h>
#include <cmocka.h>

#include "plbctl_test.h"

static void
check_reqs(const char **argv, const char *expect)
{
	struct plbctl_cmd cmd;

	pt_parse(argv, &cmd);
	pt_assert_json(cmd.reqs, expect);
	plbctl_cmd_clear(&cmd);
}

static void
check_err(const char **argv, const char *msg)
{
	struct plbctl_cmd cmd;
	char *err = NULL;

	assert_int_equal(plbctl_parse(pt_argc(argv), (char **)argv, &cmd, &err), -EINVAL);
	if (err == NULL)
		fail_msg("no message (expected \"%s\")", msg);
	assert_string_equal(err, msg);
	assert_null(cmd.reqs);
	free(err);
}

/* ---- native verbs ---- */

static void
test_native_service(void **state)
{
	check_reqs(ARGV("service", "add", "tcp", "192.0.2.100:80", "--sched", "wlc", "--fwd", "fnat",
			"--laddr", "198.51.100.200", "--laddr=198.51.100.201",
			"--sched-opt", "table_size=65537", "--sched-opt", "hash.key=src",
			"--sched-opt", "hash.salt=7", "--ops", "--expire-quiescent"),
		   "[{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'scheduler':'wlc','fwd':'fnat','laddrs':['198.51.100.200','198.51.100.201'],"
		   "'sched_opts':{'table_size':65537,'hash':{'key':'src','salt':7}},"
		   "'ops':true,'expire_quiescent':true}]");
	check_reqs(ARGV("service", "add", "udp", "192.0.2.100:53"),
		   "[{'v':1,'cmd':'service.add','proto':'udp','vip':'192.0.2.100','port':53}]");
	check_reqs(ARGV("service", "edit", "tcp", "192.0.2.100:80", "--sched=rr", "--no-ops",
			"--no-expire-quiescent", "--sched-opt", "f=1.5", "--sched-opt", "b=false",
			"--sched-opt", "a=[1,2]", "--sched-opt", "s=abc", "--sched-opt", "e="),
		   "[{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'scheduler':'rr','ops':false,'expire_quiescent':false,"
		   "'sched_opts':{'f':1.5,'b':false,'a':[1,2],'s':'abc','e':''}}]");
	check_reqs(ARGV("service", "del", "tcp", "192.0.2.100:80"),
		   "[{'v':1,'cmd':'service.del','proto':'tcp','vip':'192.0.2.100','port':80}]");
}

static void
test_native_dest_laddr(void **state)
{
	check_reqs(ARGV("dest", "add", "tcp", "192.0.2.100:80", "198.51.100.11:8080", "--weight",
			"3", "--upper", "1000", "--lower=10"),
		   "[{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'addr':'198.51.100.11','dport':8080,'weight':3,'u_threshold':1000,"
		   "'l_threshold':10}]");
	check_reqs(ARGV("dest", "add", "udp", "192.0.2.100:53", "198.51.100.11"),
		   "[{'v':1,'cmd':'dest.add','proto':'udp','vip':'192.0.2.100','port':53,"
		   "'addr':'198.51.100.11'}]");
	check_reqs(ARGV("dest", "edit", "tcp", "192.0.2.100:80", "198.51.100.11:8080", "--weight",
			"0"),
		   "[{'v':1,'cmd':'dest.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'addr':'198.51.100.11','dport':8080,'weight':0}]");
	check_reqs(ARGV("dest", "edit", "tcp", "192.0.2.100:80", "198.51.100.11:8080", "--down"),
		   "[{'v':1,'cmd':'dest.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'addr':'198.51.100.11','dport':8080,'down':true}]");
	check_reqs(ARGV("dest", "edit", "tcp", "192.0.2.100:80", "198.51.100.11", "--up",
			"--weight", "2"),
		   "[{'v':1,'cmd':'dest.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'addr':'198.51.100.11','down':false,'weight':2}]");
	check_reqs(ARGV("dest", "del", "tcp", "192.0.2.100:80", "198.51.100.11:8080"),
		   "[{'v':1,'cmd':'dest.del','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'addr':'198.51.100.11','dport':8080}]");
	check_reqs(ARGV("laddr", "add", "tcp", "192.0.2.100:80", "198.51.100.200"),
		   "[{'v':1,'cmd':'laddr.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'laddr':'198.51.100.200'}]");
	check_reqs(ARGV("laddr", "del", "tcp", "192.0.2.100:80", "198.51.100.200"),
		   "[{'v':1,'cmd':'laddr.del','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'laddr':'198.51.100.200'}]");
}

static void
test_native_reads(void **state)
{
	const struct {
		const char **argv;
		const char *req;
		enum plbctl_view view;
		int json;
	} c[] = {
		{ ARGV("service", "list"), "[{'v':1,'cmd':'service.list'}]", PLBCTL_VIEW_SERVICES, 0 },
		{ ARGV("service", "list", "--json"), "[{'v':1,'cmd':'service.list'}]",
		  PLBCTL_VIEW_SERVICES, 1 },
		{ ARGV("modules"), "[{'v':1,'cmd':'modules'}]", PLBCTL_VIEW_MODULES, 0 },
		{ ARGV("--json", "schedulers"), "[{'v':1,'cmd':'schedulers'}]",
		  PLBCTL_VIEW_SCHEDULERS, 1 },
		{ ARGV("stats"), "[{'v':1,'cmd':'stats'}]", PLBCTL_VIEW_STATS, 0 },
		{ ARGV("stats", "--rate", "-j"), "[{'v':1,'cmd':'rates'}]", PLBCTL_VIEW_RATES, 1 },
		{ ARGV("conns"), "[{'v':1,'cmd':'conns'}]", PLBCTL_VIEW_CONNS, 0 },
		{ ARGV("conns", "--vip", "192.0.2.100", "--port", "80", "--client", "203.0.113.7",
		       "--limit", "10", "--proto", "tcp", "--dest", "198.51.100.11"),
		  "[{'v':1,'cmd':'conns','vip':'192.0.2.100','port':80,'client':'203.0.113.7',"
		  "'limit':10,'proto':'tcp','dest':'198.51.100.11'}]", PLBCTL_VIEW_CONNS, 0 },
		{ ARGV("save"), "[{'v':1,'cmd':'save'}]", PLBCTL_VIEW_SAVE, 0 },
		{ ARGV("reload"), "[{'v':1,'cmd':'reload'}]", PLBCTL_VIEW_RELOAD, 0 },
		{ ARGV("reload", "/etc/plb/plb.conf"),
		  "[{'v':1,'cmd':'reload','file':'/etc/plb/plb.conf'}]", PLBCTL_VIEW_RELOAD, 0 },
		{ ARGV("restore", "/var/lib/plb/saved.conf", "--json"),
		  "[{'v':1,'cmd':'reload','file':'/var/lib/plb/saved.conf'}]", PLBCTL_VIEW_RELOAD, 1 },
		{ ARGV("lua", "reload"), "[{'v':1,'cmd':'lua.reload'}]", PLBCTL_VIEW_LUA, 0 },
		{ ARGV("-j", "lua", "status"), "[{'v':1,'cmd':'lua.status'}]", PLBCTL_VIEW_LUA, 1 },
		{ ARGV("clear"), "[{'v':1,'cmd':'clear'}]", PLBCTL_VIEW_NONE, 0 },
		{ ARGV("zero"), "[{'v':1,'cmd':'zero'}]", PLBCTL_VIEW_NONE, 0 },
		{ ARGV("zero", "udp", "192.0.2.100:53"),
		  "[{'v':1,'cmd':'zero','proto':'udp','vip':'192.0.2.100','port':53}]",
		  PLBCTL_VIEW_NONE, 0 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct plbctl_cmd cmd;

		pt_parse(c[i].argv, &cmd);
		pt_assert_json(cmd.reqs, c[i].req);
		assert_int_equal(cmd.view, c[i].view);
		assert_int_equal(cmd.json, c[i].json);
		assert_null(cmd.fwd);
		assert_int_equal(cmd.restore, 0);
		plbctl_cmd_clear(&cmd);
	}
}

static void
test_native_globals_and_files(void **state)
{
	struct plbctl_cmd cmd;
	char cwd[PATH_MAX], want[PATH_MAX + 64];
	json_t *file;

	pt_parse(ARGV("-s", "/tmp/plb.sock", "--json", "stats"), &cmd);
	assert_string_equal(cmd.socket, "/tmp/plb.sock");
	assert_int_equal(cmd.json, 1);
	pt_assert_json(cmd.reqs, "[{'v':1,'cmd':'stats'}]");
	plbctl_cmd_clear(&cmd);

	pt_parse(ARGV("modules", "--socket", "/tmp/b.sock"), &cmd);
	assert_string_equal(cmd.socket, "/tmp/b.sock");
	plbctl_cmd_clear(&cmd);
	pt_parse(ARGV("stats", "-s", "/tmp/c.sock", "--rate"), &cmd);
	assert_string_equal(cmd.socket, "/tmp/c.sock");
	pt_assert_json(cmd.reqs, "[{'v':1,'cmd':'rates'}]");
	plbctl_cmd_clear(&cmd);
	pt_parse(ARGV("-s", "/tmp/d.sock", "-j", "service", "list"), &cmd);
	assert_string_equal(cmd.socket, "/tmp/d.sock");
	assert_int_equal(cmd.json, 1);
	plbctl_cmd_clear(&cmd);

	pt_parse(ARGV("save", "out.conf"), &cmd);
	assert_string_equal(cmd.file, "out.conf");
	pt_assert_json(cmd.reqs, "[{'v':1,'cmd':'save'}]");
	plbctl_cmd_clear(&cmd);

	/* reload FILE: relative to our cwd, sent absolute */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/conf/plb.conf", cwd);
	pt_parse(ARGV("reload", "conf/plb.conf"), &cmd);
	file = json_object_get(json_array_get(cmd.reqs, 0), "file");
	assert_string_equal(json_string_value(file), want);
	plbctl_cmd_clear(&cmd);

	/* restore FILE: the same */
	snprintf(want, sizeof(want), "%s/saved.conf", cwd);
	pt_parse(ARGV("restore", "saved.conf"), &cmd);
	file = json_object_get(json_array_get(cmd.reqs, 0), "file");
	assert_string_equal(json_string_value(file), want);
	assert_null(cmd.file);
	plbctl_cmd_clear(&cmd);

	pt_parse(ARGV("--help"), &cmd);
	assert_int_equal(cmd.help, 1);
	assert_int_equal(json_array_size(cmd.reqs), 0);
	plbctl_cmd_clear(&cmd);
	pt_parse(ARGV("help"), &cmd);
	assert_int_equal(cmd.help, 1);
	plbctl_cmd_clear(&cmd);
}

/* ---- ipvsadm syntax ---- */

static void
test_ipvs_services(void **state)
{
	check_reqs(ARGV("-A", "-t", "192.0.2.100:80", "-s", "rr"),
		   "[{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'scheduler':'rr'}]");
	check_reqs(ARGV("-A", "-u", "192.0.2.100:53", "-o"),
		   "[{'v':1,'cmd':'service.add','proto':'udp','vip':'192.0.2.100','port':53,"
		   "'ops':true}]");
	check_reqs(ARGV("--add-service", "--tcp-service", "192.0.2.100:443", "--scheduler=sh"),
		   "[{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.100','port':443,"
		   "'scheduler':'sh'}]");
	/* plb extensions: local addresses, and the service's mode on -A / -E */
	check_reqs(ARGV("-A", "-t", "192.0.2.100:80", "-s", "wlc", "--laddr", "198.51.100.200",
			"--laddr", "198.51.100.201", "-b"),
		   "[{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'scheduler':'wlc','laddrs':['198.51.100.200','198.51.100.201'],'fwd':'fnat'}]");
	check_reqs(ARGV("-E", "-t", "192.0.2.100:80", "-s", "wrr", "-m"),
		   "[{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'scheduler':'wrr','fwd':'nat'}]");
	check_reqs(ARGV("--edit-service", "--udp-service", "192.0.2.100:53", "--ops"),
		   "[{'v':1,'cmd':'service.edit','proto':'udp','vip':'192.0.2.100','port':53,"
		   "'ops':true}]");
	check_reqs(ARGV("-D", "-t", "192.0.2.100:80"),
		   "[{'v':1,'cmd':'service.del','proto':'tcp','vip':'192.0.2.100','port':80}]");
	check_reqs(ARGV("--delete-service", "-u", "192.0.2.100:53"),
		   "[{'v':1,'cmd':'service.del','proto':'udp','vip':'192.0.2.100','port':53}]");
	check_reqs(ARGV("-At", "192.0.2.100:80", "-srr"),
		   "[{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		   "'scheduler':'rr'}]");
}

static void
test_ipvs_dests(void **state)
{
	const struct {
		const char **argv;
		const char *req;
		const char *fwd;
	} c[] = {
		{ ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11:8080", "-m", "-w", "3",
		       "-x", "100", "-y", "10"),
		  "[{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		  "'addr':'198.51.100.11','dport':8080,'weight':3,'u_threshold':100,"
		  "'l_threshold':10}]", "nat" },
		{ ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11"),
		  "[{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		  "'addr':'198.51.100.11'}]", NULL },
		{ ARGV("-a", "-u", "192.0.2.100:53", "-r", "198.51.100.12:53", "-g"),
		  "[{'v':1,'cmd':'dest.add','proto':'udp','vip':'192.0.2.100','port':53,"
		  "'addr':'198.51.100.12','dport':53}]", "dr" },
		{ ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11:80", "-i"),
		  "[{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		  "'addr':'198.51.100.11','dport':80}]", "tun" },
		{ ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11:80", "-b", "-w", "1"),
		  "[{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		  "'addr':'198.51.100.11','dport':80,'weight':1}]", "fnat" },
		{ ARGV("--add-server", "--tcp-service", "192.0.2.100:80", "--real-server",
		       "198.51.100.11:8080", "--masquerading", "--weight", "2", "--u-threshold",
		       "50", "--l-threshold=5"),
		  "[{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		  "'addr':'198.51.100.11','dport':8080,'weight':2,'u_threshold':50,"
		  "'l_threshold':5}]", "nat" },
		{ ARGV("--add-server", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "--gatewaying"),
		  "[{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		  "'addr':'198.51.100.11'}]", "dr" },
		{ ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "--ipip"),
		  "[{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		  "'addr':'198.51.100.11'}]", "tun" },
		{ ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "--fullnat"),
		  "[{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		  "'addr':'198.51.100.11'}]", "fnat" },
		{ ARGV("-e", "-t", "192.0.2.100:80", "-r", "198.51.100.11:8080", "-w", "0"),
		  "[{'v':1,'cmd':'dest.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		  "'addr':'198.51.100.11','dport':8080,'weight':0}]", NULL },
		{ ARGV("--edit-server", "-t", "192.0.2.100:80", "-r", "198.51.100.11:8080", "-m",
		       "-x", "0"),
		  "[{'v':1,'cmd':'dest.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		  "'addr':'198.51.100.11','dport':8080,'u_threshold':0}]", "nat" },
		{ ARGV("-d", "-t", "192.0.2.100:80", "-r", "198.51.100.11:8080"),
		  "[{'v':1,'cmd':'dest.del','proto':'tcp','vip':'192.0.2.100','port':80,"
		  "'addr':'198.51.100.11','dport':8080}]", NULL },
		{ ARGV("--delete-server", "-u", "192.0.2.100:53", "--real-server=198.51.100.12"),
		  "[{'v':1,'cmd':'dest.del','proto':'udp','vip':'192.0.2.100','port':53,"
		  "'addr':'198.51.100.12'}]", NULL },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct plbctl_cmd cmd;

		pt_parse(c[i].argv, &cmd);
		pt_assert_json(cmd.reqs, c[i].req);
		if (c[i].fwd == NULL)
			assert_null(cmd.fwd);
		else
			assert_string_equal(cmd.fwd, c[i].fwd);
		assert_int_equal(cmd.view, PLBCTL_VIEW_NONE);
		plbctl_cmd_clear(&cmd);
	}
}

static void
test_ipvs_others(void **state)
{
	const struct {
		const char **argv;
		const char *req;
		enum plbctl_view view;
	} c[] = {
		{ ARGV("-L", "-n"), "[{'v':1,'cmd':'stats'}]", PLBCTL_VIEW_LIST },
		{ ARGV("-Ln"), "[{'v':1,'cmd':'stats'}]", PLBCTL_VIEW_LIST },
		{ ARGV("-l"), "[{'v':1,'cmd':'stats'}]", PLBCTL_VIEW_LIST },
		{ ARGV("--list", "--numeric"), "[{'v':1,'cmd':'stats'}]", PLBCTL_VIEW_LIST },
		{ ARGV("-L", "-n", "--stats"), "[{'v':1,'cmd':'stats'}]", PLBCTL_VIEW_LIST_STATS },
		{ ARGV("-L", "-n", "--rate"), "[{'v':1,'cmd':'rates'}]", PLBCTL_VIEW_LIST_RATE },
		{ ARGV("-L", "-n", "-c"), "[{'v':1,'cmd':'conns'}]", PLBCTL_VIEW_LIST_CONNS },
		{ ARGV("-Lnc"), "[{'v':1,'cmd':'conns'}]", PLBCTL_VIEW_LIST_CONNS },
		{ ARGV("--list", "--connection"), "[{'v':1,'cmd':'conns'}]", PLBCTL_VIEW_LIST_CONNS },
		{ ARGV("-C"), "[{'v':1,'cmd':'clear'}]", PLBCTL_VIEW_NONE },
		{ ARGV("--clear"), "[{'v':1,'cmd':'clear'}]", PLBCTL_VIEW_NONE },
		{ ARGV("-Z"), "[{'v':1,'cmd':'zero'}]", PLBCTL_VIEW_NONE },
		{ ARGV("--zero", "-t", "192.0.2.100:80"),
		  "[{'v':1,'cmd':'zero','proto':'tcp','vip':'192.0.2.100','port':80}]",
		  PLBCTL_VIEW_NONE },
		{ ARGV("-S", "-n"), "[{'v':1,'cmd':'service.list'}]", PLBCTL_VIEW_RULES },
		{ ARGV("--save"), "[{'v':1,'cmd':'service.list'}]", PLBCTL_VIEW_RULES },
		{ ARGV("-R"), "[]", PLBCTL_VIEW_NONE },
	};
	struct plbctl_cmd cmd;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		pt_parse(c[i].argv, &cmd);
		pt_assert_json(cmd.reqs, c[i].req);
		assert_int_equal(cmd.view, c[i].view);
		assert_int_equal(cmd.restore, strcmp(c[i].argv[0], "-R") == 0);
		plbctl_cmd_clear(&cmd);
	}
	/* --socket and --json in ipvsadm syntax; -s there is the scheduler */
	pt_parse(ARGV("--socket", "/tmp/x.sock", "-L", "-n", "--json"), &cmd);
	assert_string_equal(cmd.socket, "/tmp/x.sock");
	assert_int_equal(cmd.json, 1);
	plbctl_cmd_clear(&cmd);
	pt_parse(ARGV("-s", "rr", "-A", "-t", "192.0.2.100:80", "--socket=/tmp/y.sock"), &cmd);
	assert_string_equal(cmd.socket, "/tmp/y.sock");
	pt_assert_json(cmd.reqs, "[{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.100',"
		       "'port':80,'scheduler':'rr'}]");
	plbctl_cmd_clear(&cmd);
	pt_parse(ARGV("-h"), &cmd);
	assert_int_equal(cmd.help, 1);
	plbctl_cmd_clear(&cmd);
}

/* ---- errors ---- */

static void
test_errors_addresses(void **state)
{
	const char *svc = "expected VIP:PORT, an IPv4 address and a port 1..65535 "
			  "(e.g. 192.0.2.100:80)";
	char m[256];

	snprintf(m, sizeof(m), "-t \"192.0.2.100\": %s", svc);
	check_err(ARGV("-A", "-t", "192.0.2.100"), m);
	snprintf(m, sizeof(m), "-t \"192.0.2.300:80\": %s", svc);
	check_err(ARGV("-A", "-t", "192.0.2.300:80"), m);
	snprintf(m, sizeof(m), "-u \"192.0.2.1:0\": %s", svc);
	check_err(ARGV("-A", "-u", "192.0.2.1:0"), m);
	snprintf(m, sizeof(m), "-t \"192.0.2.1:65536\": %s", svc);
	check_err(ARGV("-D", "-t", "192.0.2.1:65536"), m);
	snprintf(m, sizeof(m), "-t \"www.example.com:http\": %s", svc);
	check_err(ARGV("-A", "-t", "www.example.com:http"), m);
	snprintf(m, sizeof(m), "VIP:PORT \"192.0.2.100\": %s", svc);
	check_err(ARGV("service", "add", "tcp", "192.0.2.100"), m);
	check_err(ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11:x"),
		  "-r \"198.51.100.11:x\": expected RS[:PORT], an IPv4 address and an optional "
		  "port 1..65535 (e.g. 198.51.100.11:8080)");
	check_err(ARGV("dest", "add", "tcp", "192.0.2.100:80", "198.51.100"),
		  "RS[:PORT] \"198.51.100\": expected RS[:PORT], an IPv4 address and an optional "
		  "port 1..65535 (e.g. 198.51.100.11:8080)");
	check_err(ARGV("laddr", "add", "tcp", "192.0.2.100:80", "198.51.100.200:1"),
		  "ADDR \"198.51.100.200:1\": expected an IPv4 address (e.g. 198.51.100.200)");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--laddr", "x"),
		  "--laddr \"x\": expected an IPv4 address (e.g. 198.51.100.200)");
	check_err(ARGV("conns", "--client", "203.0.113"),
		  "--client \"203.0.113\": expected an IPv4 address (e.g. 198.51.100.200)");
	check_err(ARGV("service", "add", "sctp", "192.0.2.100:80"),
		  "protocol \"sctp\": expected tcp or udp");
	check_err(ARGV("conns", "--proto", "icmp"), "--proto \"icmp\": expected tcp or udp");
	/* IPv6 */
	check_err(ARGV("-A", "-t", "[2001:db8::1]:80"),
		  "-t \"[2001:db8::1]:80\": IPv6 services are not supported yet");
	check_err(ARGV("service", "add", "tcp", "2001:db8::1"),
		  "VIP:PORT \"2001:db8::1\": IPv6 services are not supported yet");
	check_err(ARGV("-a", "-t", "192.0.2.100:80", "-r", "[2001:db8::2]:80"),
		  "-r \"[2001:db8::2]:80\": IPv6 services are not supported yet");
	check_err(ARGV("-A", "-t", "192.0.2.100:80", "--laddr", "2001:db8::3"),
		  "--laddr \"2001:db8::3\": IPv6 services are not supported yet");
}

static void
test_errors_ipvs(void **state)
{
	/* missing -t/-u, -r */
	check_err(ARGV("-A", "-s", "rr"),
		  "-A: a service is required (-t VIP:PORT or -u VIP:PORT)");
	check_err(ARGV("-d", "-r", "198.51.100.11"),
		  "-d: a service is required (-t VIP:PORT or -u VIP:PORT)");
	check_err(ARGV("-a", "-t", "192.0.2.100:80"), "-a: a real server is required (-r RS[:PORT])");
	check_err(ARGV("-A", "-t", "192.0.2.100:80", "-u", "192.0.2.100:53"),
		  "-t and -u: only one service");
	/* options with the wrong command */
	check_err(ARGV("-A", "-t", "192.0.2.100:80", "-r", "198.51.100.11"),
		  "-r: not allowed with -A");
	check_err(ARGV("-E", "-t", "192.0.2.100:80", "-w", "1"), "-w: not allowed with -E");
	check_err(ARGV("-d", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "-m"),
		  "-m: not allowed with -d");
	check_err(ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "-s", "rr"),
		  "-s: not allowed with -a");
	check_err(ARGV("-L", "-t", "192.0.2.100:80"), "-t: not allowed with -L");
	check_err(ARGV("-A", "-t", "192.0.2.100:80", "--stats"), "--stats: not allowed with -A");
	check_err(ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "--laddr",
		       "198.51.100.200"), "--laddr: not allowed with -a");
	check_err(ARGV("-C", "-n"), "-n: not allowed with -C");
	check_err(ARGV("-r", "198.51.100.11"),
		  "no command given (-A, -E, -D, -a, -e, -d, -L, -C, -Z, -S or -R)");
	check_err(ARGV("-A", "-a"), "-a: only one command at a time (already -A)");
	check_err(ARGV("-L", "--list", "-S"), "-S: only one command at a time (already -L)");
	/* exclusive sets */
	check_err(ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "-g", "-m"),
		  "-g and -m: only one forwarding method (-g, -i, -m or -b)");
	check_err(ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "-b", "--ipip"),
		  "-i and -b: only one forwarding method (-g, -i, -m or -b)");
	check_err(ARGV("-L", "-n", "--stats", "--rate"),
		  "--stats and --rate: only one of -c, --stats, --rate");
	check_err(ARGV("-L", "-c", "--rate"), "-c and --rate: only one of -c, --stats, --rate");
	check_err(ARGV("-A", "-t", "192.0.2.100:80", "-s", "rr", "-s", "wlc"), "-s: given twice");
	/* values */
	check_err(ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "-w", "65536"),
		  "-w \"65536\": expected an integer 0..65535");
	check_err(ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "-w", "-1"),
		  "-w \"-1\": expected an integer 0..65535");
	check_err(ARGV("-e", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "--weight", "3x"),
		  "-w \"3x\": expected an integer 0..65535");
	check_err(ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "-x", "1073741825"),
		  "-x \"1073741825\": expected an integer 0..1073741824");
	check_err(ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11", "-y", ""),
		  "-y \"\": expected an integer 0..1073741824");
	check_err(ARGV("-A", "-t", "192.0.2.100:80", "-s", "Round-Robin"),
		  "-s \"Round-Robin\": expected a scheduler name, 1..31 characters of a-z 0-9 _");
	check_err(ARGV("-A", "-t", "192.0.2.100:80", "-s", "abcdefghijklmnopqrstuvwxyz012345"),
		  "-s \"abcdefghijklmnopqrstuvwxyz012345\": expected a scheduler name, 1..31 "
		  "characters of a-z 0-9 _");
	/* persistence */
	check_err(ARGV("-A", "-t", "192.0.2.100:80", "-s", "rr", "-p", "300"),
		  "persistence (-p) is not supported yet");
	check_err(ARGV("-A", "-t", "192.0.2.100:80", "--persistent"),
		  "persistence (-p) is not supported yet");
	check_err(ARGV("-E", "-t", "192.0.2.100:80", "-M", "255.255.255.0"),
		  "persistence (-M netmask) is not supported yet");
	/* unknown options, extra arguments, missing values */
	check_err(ARGV("-A", "-t", "192.0.2.100:80", "-q"), "unknown option \"-q\"");
	check_err(ARGV("-Lq"), "unknown option \"-q\" in \"-Lq\"");
	check_err(ARGV("--frobnicate"), "unknown option \"--frobnicate\"");
	check_err(ARGV("-L", "--numeric=1"), "unknown option \"--numeric=1\"");
	check_err(ARGV("-f", "1"), "unknown option \"-f\"");
	check_err(ARGV("-A", "-t", "192.0.2.100:80", "rr"), "unexpected argument \"rr\"");
	check_err(ARGV("-L", "-"), "unexpected argument \"-\"");
	check_err(ARGV("-A", "-t"), "-t: missing value");
	check_err(ARGV("-a", "-t", "192.0.2.100:80", "--real-server"), "--real-server: missing value");
	check_err(ARGV("--json"), "no command given");
	check_err(ARGV("--socket"), "--socket: missing value");
}

static void
test_errors_native(void **state)
{
	check_err(ARGV("frobnicate"), "unknown command \"frobnicate\"");
	check_err(ARGV("service"), "service: missing action (add, edit, del, list)");
	check_err(ARGV("dest"), "dest: missing action (add, edit, del)");
	check_err(ARGV("service", "move"),
		  "service: unknown action \"move\" (expected add, edit, del or list)");
	check_err(ARGV("dest", "list"), "dest: unknown action \"list\" (expected add, edit or del)");
	check_err(ARGV("laddr", "edit"), "laddr: unknown action \"edit\" (expected add or del)");
	check_err(ARGV("service", "add"), "service add: missing protocol (tcp or udp)");
	check_err(ARGV("service", "add", "tcp"), "service add: missing VIP:PORT");
	check_err(ARGV("service", "add", "tcp", "--sched", "rr"),
		  "service add: missing VIP:PORT (got option \"--sched\")");
	check_err(ARGV("dest", "add", "tcp", "192.0.2.100:80"), "dest add: missing RS[:PORT]");
	check_err(ARGV("laddr", "add", "tcp", "192.0.2.100:80"), "laddr add: missing ADDR");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--bogus"),
		  "unknown option \"--bogus\"");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--no-ops"),
		  "unknown option \"--no-ops\"");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--sched"),
		  "--sched: missing value");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--ops=1"),
		  "--ops takes no value");
	check_err(ARGV("service", "del", "tcp", "192.0.2.100:80", "extra"),
		  "unexpected argument \"extra\"");
	check_err(ARGV("modules", "extra"), "unexpected argument \"extra\"");
	check_err(ARGV("stats", "--rates"), "unknown option \"--rates\"");
	check_err(ARGV("dest", "del", "tcp", "192.0.2.100:80", "198.51.100.11", "--weight", "1"),
		  "unknown option \"--weight\"");
	check_err(ARGV("dest", "add", "tcp", "192.0.2.100:80", "198.51.100.11", "--weight",
		       "70000"), "--weight \"70000\": expected an integer 0..65535");
	check_err(ARGV("dest", "add", "tcp", "192.0.2.100:80", "198.51.100.11", "--down"),
		  "unknown option \"--down\"");
	check_err(ARGV("dest", "edit", "tcp", "192.0.2.100:80", "198.51.100.11", "--up=1"),
		  "--up takes no value");
	check_err(ARGV("dest", "edit", "tcp", "192.0.2.100:80", "198.51.100.11", "--upper", "-5"),
		  "--upper \"-5\": expected an integer 0..1073741824");
	check_err(ARGV("conns", "--limit", "0"), "--limit \"0\": expected an integer 1..10000000");
	check_err(ARGV("conns", "--port", "65536"), "--port \"65536\": expected an integer 1..65535");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--sched", "WLC"),
		  "--sched \"WLC\": expected a scheduler name, 1..31 characters of a-z 0-9 _");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--fwd", "full-nat"),
		  "--fwd \"full-nat\": expected a forwarding mode name, 1..31 characters of "
		  "a-z 0-9 _");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--sched-opt", "size"),
		  "--sched-opt \"size\": expected KEY=VALUE (e.g. table_size=65537)");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--sched-opt", "=1"),
		  "--sched-opt \"=1\": expected KEY=VALUE (e.g. table_size=65537)");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--sched-opt", "1x=1"),
		  "--sched-opt \"1x=1\": a key is a letter then letters, digits, _ or - "
		  "(dots separate groups)");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--sched-opt", "a..b=1"),
		  "--sched-opt \"a..b=1\": a key is a letter then letters, digits, _ or - "
		  "(dots separate groups)");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--sched-opt", "a=1",
		       "--sched-opt", "a.b=2"), "--sched-opt \"a.b=2\": \"a\" is not a group");
	check_err(ARGV("service", "add", "tcp", "192.0.2.100:80", "--sched-opt", "a=[1,"),
		  "--sched-opt \"a=[1,\": the value is not valid JSON");
	check_err(ARGV("save", "a", "b"), "unexpected argument \"b\"");
	check_err(ARGV("restore"), "restore: missing FILE");
	check_err(ARGV("restore", "a", "b"), "unexpected argument \"b\"");
	check_err(ARGV("restore", "--json", "--bogus"), "restore: missing FILE (got option \"--bogus\")");
	check_err(ARGV("lua"), "lua: missing action (reload or status)");
	check_err(ARGV("lua", "restart"), "lua: unknown action \"restart\" (expected reload or status)");
	check_err(ARGV("lua", "status", "now"), "unexpected argument \"now\"");
	check_err(ARGV("lua", "reload", "--force"), "unknown option \"--force\"");
	check_err(ARGV("zero", "tcp"), "zero: missing VIP:PORT");
	check_err(ARGV("modules", "-s"), "-s: missing value");
	check_err(ARGV(NULL), "no command given");
}

/* ---- -R input and the forwarding-mode planner ---- */

static void
test_script(void **state)
{
	struct plbctl_script s;
	char *err = NULL;
	json_t *all = json_array(), *map = json_object();

	assert_int_equal(plbctl_script_parse(
		"# a comment\n"
		"\n"
		"-A -t 192.0.2.100:80 -s rr\n"
		"  -a -t 192.0.2.100:80 -r 198.51.100.11:8080 -m -w 2\r\n"
		"-a -t 192.0.2.100:80 -r 198.51.100.12:8080 -m -w 1\n"
		"-A -u 192.0.2.100:53 -s wlc --laddr 198.51.100.200\n"
		"-a -u 192.0.2.100:53 -r 198.51.100.13 -w 1\n"
		"-C\n"
		"-Z", &s, &err), 0);
	assert_null(err);
	assert_int_equal(s.n, 7);
	assert_int_equal(s.lines[0], 3);
	assert_int_equal(s.lines[1], 4);
	assert_int_equal(s.lines[6], 9);
	for (unsigned int i = 0; i < s.n; i++) {
		json_t *r = plbctl_plan(&s.cmds[i], map);

		json_array_extend(all, r);
		json_decref(r);
	}
	/* the tcp service is added as nat (its -a lines' mode): no service.edit between */
	pt_assert_json(all,
		"[{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'scheduler':'rr','fwd':'nat'},"
		"{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.11','dport':8080,'weight':2},"
		"{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.12','dport':8080,'weight':1},"
		"{'v':1,'cmd':'service.add','proto':'udp','vip':'192.0.2.100','port':53,"
		"'scheduler':'wlc','laddrs':['198.51.100.200']},"
		"{'v':1,'cmd':'dest.add','proto':'udp','vip':'192.0.2.100','port':53,"
		"'addr':'198.51.100.13','weight':1},"
		"{'v':1,'cmd':'clear'},{'v':1,'cmd':'zero'}]");
	pt_assert_json(map, "{}");
	plbctl_script_clear(&s);
	json_decref(all);
	json_decref(map);

	/* errors name the line; nothing is kept */
	assert_int_equal(plbctl_script_parse("-A -t 192.0.2.100:80\n\n-a -t 192.0.2.100:80 -w 1\n",
					     &s, &err), -EINVAL);
	assert_string_equal(err, "line 3: -a: a real server is required (-r RS[:PORT])");
	assert_int_equal(s.n, 0);
	assert_null(s.cmds);
	free(err);
	assert_int_equal(plbctl_script_parse("-L -n\n", &s, &err), -EINVAL);
	assert_string_equal(err, "line 1: -L: not allowed in -R input");
	free(err);
	assert_int_equal(plbctl_script_parse("-C\n-A -t 192.0.2.100:80 --socket /x\n", &s, &err),
			 -EINVAL);
	assert_string_equal(err, "line 2: --socket: not allowed in -R input");
	free(err);
	assert_int_equal(plbctl_script_parse("-A -t 192.0.2.100:80 -p\n", &s, &err), -EINVAL);
	assert_string_equal(err, "line 1: persistence (-p) is not supported yet");
	free(err);
	assert_int_equal(plbctl_script_parse("-n\n", &s, &err), -EINVAL);
	assert_string_equal(err, "line 1: no command given (-A, -E, -D, -a, -e, -d, -L, -C, -Z, "
			    "-S or -R)");
	free(err);
	/* empty input: nothing to do */
	assert_int_equal(plbctl_script_parse("# nothing\n", &s, &err), 0);
	assert_int_equal(s.n, 0);
	plbctl_script_clear(&s);
}

static void
test_plan(void **state)
{
	json_t *list = pt_json("[{'proto':'tcp','vip':'192.0.2.100','port':80,'fwd':'fnat',"
			       "'dests':[]},{'proto':'udp','vip':'192.0.2.100','port':53,"
			       "'fwd':'nat'},{'proto':'tcp','vip':'192.0.2.101','port':80}]");
	json_t *map = plbctl_fwd_map(list), *r;
	struct plbctl_cmd cmd;

	pt_assert_json(map, "{'tcp 192.0.2.100:80':'fnat','udp 192.0.2.100:53':'nat',"
		       "'tcp 192.0.2.101:80':'fnat'}");
	/* another mode: service.edit first */
	pt_parse(ARGV("-a", "-t", "192.0.2.100:80", "-r", "198.51.100.11:80", "-m"), &cmd);
	r = plbctl_plan(&cmd, map);
	pt_assert_json(r, "[{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100',"
		       "'port':80,'fwd':'nat'},{'v':1,'cmd':'dest.add','proto':'tcp',"
		       "'vip':'192.0.2.100','port':80,'addr':'198.51.100.11','dport':80}]");
	json_decref(r);
	/* now nat: the next -a -m is a plain dest.add */
	r = plbctl_plan(&cmd, map);
	pt_assert_json(r, "[{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		       "'addr':'198.51.100.11','dport':80}]");
	json_decref(r);
	plbctl_cmd_clear(&cmd);
	/* same mode, no mode, unknown service: as parsed */
	pt_parse(ARGV("-e", "-u", "192.0.2.100:53", "-r", "198.51.100.11", "-m", "-w", "5"), &cmd);
	r = plbctl_plan(&cmd, map);
	pt_assert_json(r, "[{'v':1,'cmd':'dest.edit','proto':'udp','vip':'192.0.2.100',"
		       "'port':53,'addr':'198.51.100.11','weight':5}]");
	json_decref(r);
	plbctl_cmd_clear(&cmd);
	pt_parse(ARGV("-a", "-u", "192.0.2.100:53", "-r", "198.51.100.12"), &cmd);
	r = plbctl_plan(&cmd, map);
	assert_true(json_equal(r, cmd.reqs));
	json_decref(r);
	plbctl_cmd_clear(&cmd);
	pt_parse(ARGV("-a", "-t", "203.0.113.1:80", "-r", "198.51.100.12", "-g"), &cmd);
	r = plbctl_plan(&cmd, map);
	assert_true(json_equal(r, cmd.reqs));
	json_decref(r);
	plbctl_cmd_clear(&cmd);
	/* the map follows service.add / edit / del and clear */
	pt_parse(ARGV("-A", "-t", "203.0.113.1:80", "-g"), &cmd);
	json_decref(plbctl_plan(&cmd, map));
	plbctl_cmd_clear(&cmd);
	pt_parse(ARGV("-D", "-u", "192.0.2.100:53"), &cmd);
	json_decref(plbctl_plan(&cmd, map));
	plbctl_cmd_clear(&cmd);
	pt_parse(ARGV("service", "edit", "tcp", "192.0.2.101:80", "--fwd", "tun"), &cmd);
	json_decref(plbctl_plan(&cmd, map));
	plbctl_cmd_clear(&cmd);
	pt_assert_json(map, "{'tcp 192.0.2.100:80':'nat','tcp 192.0.2.101:80':'tun',"
		       "'tcp 203.0.113.1:80':'dr'}");
	pt_parse(ARGV("-C"), &cmd);
	json_decref(plbctl_plan(&cmd, map));
	plbctl_cmd_clear(&cmd);
	pt_assert_json(map, "{}");
	json_decref(map);
	/* a {"services": [...]} result works too */
	json_decref(list);
	list = pt_json("{'services':[{'proto':'udp','vip':'192.0.2.9','port':9,'fwd':'dr'}]}");
	map = plbctl_fwd_map(list);
	pt_assert_json(map, "{'udp 192.0.2.9:9':'dr'}");
	json_decref(map);
	json_decref(list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_native_service),
		cmocka_unit_test(test_native_dest_laddr),
		cmocka_unit_test(test_native_reads),
		cmocka_unit_test(test_native_globals_and_files),
		cmocka_unit_test(test_ipvs_services),
		cmocka_unit_test(test_ipvs_dests),
		cmocka_unit_test(test_ipvs_others),
		cmocka_unit_test(test_errors_addresses),
		cmocka_unit_test(test_errors_ipvs),
		cmocka_unit_test(test_errors_native),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
