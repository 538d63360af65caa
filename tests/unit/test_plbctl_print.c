/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's output (framework/src/plbctl/print*.c) for canned results, as
 * exact text: -L -n (ipvsadm's header and column layout, sorted services and
 * dests), --stats and --rate (ipvsadm's K/M/G numbers, service totals), -c,
 * -S; the -S -> -R round trip (the -S text read back by the -R reader gives
 * the requests that recreate the state, and applying them to an empty state
 * gives the same -S text again); the native views.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plbctl_test.h"
#include "print.h"

/* A `stats` (or, same shape, `rates`) result: services out of order. */
static const char *const canned_stats =
	"{'conn_table_size':65536,'ports':[],'workers':[],'counters':{},'services':["
	"{'proto':'udp','vip':'192.0.2.100','port':53,'scheduler':'wlc','fwd':'dr','ops':true,"
	" 'conns':1,'pkts_in':2,'pkts_out':3,'bytes_in':4,'bytes_out':5,"
	" 'dests':[{'addr':'198.51.100.13','port':53,'weight':1,'active_conns':0,"
	"  'inactive_conns':7,'conns':9,'pkts_in':9,'pkts_out':9,'bytes_in':9,'bytes_out':9}]},"
	"{'proto':'tcp','vip':'192.0.2.100','port':80,'scheduler':'rr','fwd':'nat','dests':["
	" {'addr':'198.51.100.12','port':8080,'weight':2,'active_conns':10,'inactive_conns':3,"
	"  'conns':7,'pkts_in':200000000,'pkts_out':80,'bytes_in':2000000000,'bytes_out':50},"
	" {'addr':'198.51.100.11','port':8080,'weight':1,'active_conns':123456,"
	"  'inactive_conns':0,'conns':5,'pkts_in':100,'pkts_out':90,'bytes_in':123456789012,"
	"  'bytes_out':1000}]},"
	"{'proto':'tcp','vip':'192.0.2.9','port':443,'scheduler':'mh','fwd':'fnat','dests':[]}]}";

static void
check_view(enum plbctl_view view, const char *result, const char *expect)
{
	json_t *r = pt_json(result);
	char *out = NULL, *err = NULL;
	int rc;

	PT_CAPTURE(out, rc = plbctl_print(f, view, r, &err));
	assert_int_equal(rc, 0);
	assert_null(err);
	assert_string_equal(out, expect);
	free(out);
	json_decref(r);
}

static void
test_list(void **state)
{
	check_view(PLBCTL_VIEW_LIST, canned_stats,
	"IP Virtual Server version 1.2.1 (size=65536)\n"
	"Prot LocalAddress:Port Scheduler Flags\n"
	"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
	"TCP  192.0.2.9:443 mh\n"
	"TCP  192.0.2.100:80 rr\n"
	"  -> 198.51.100.11:8080           Masq    1      123456     0         \n"
	"  -> 198.51.100.12:8080           Masq    2      10         3         \n"
	"UDP  192.0.2.100:53 wlc ops\n"
	"  -> 198.51.100.13:53             Route   1      0          7         \n");
	/* no services, no size from plb: IPVS's default size */
	check_view(PLBCTL_VIEW_LIST, "{'services':[]}",
	"IP Virtual Server version 1.2.1 (size=4096)\n"
	"Prot LocalAddress:Port Scheduler Flags\n"
	"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
	check_view(PLBCTL_VIEW_LIST, "{'services':[{'proto':'tcp','vip':'192.0.2.1','port':80,"
		   "'scheduler':'wlc','fwd':'tun','dests':[{'addr':'198.51.100.1','port':80,"
		   "'weight':5}]}]}",
	"IP Virtual Server version 1.2.1 (size=4096)\n"
	"Prot LocalAddress:Port Scheduler Flags\n"
	"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
	"TCP  192.0.2.1:80 wlc\n"
	"  -> 198.51.100.1:80              Tunnel  5      0          0         \n");
}

static void
test_list_stats_rate(void **state)
{
	check_view(PLBCTL_VIEW_LIST_STATS, canned_stats,
	"Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
	"  -> RemoteAddress:Port\n"
	"TCP  192.0.2.9:443                       0        0        0        0        0\n"
	"TCP  192.0.2.100:80                     12  200000K      170     125G     1050\n"
	"  -> 198.51.100.11:8080                  5      100       90     123G     1000\n"
	"  -> 198.51.100.12:8080                  7  200000K       80    2000M       50\n"
	"UDP  192.0.2.100:53                      1        2        3        4        5\n"
	"  -> 198.51.100.13:53                    9        9        9        9        9\n");
	check_view(PLBCTL_VIEW_LIST_RATE, canned_stats,
	"Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
	"  -> RemoteAddress:Port\n"
	"TCP  192.0.2.9:443                       0        0        0        0        0\n"
	"TCP  192.0.2.100:80                     12  200000K      170     125G     1050\n"
	"  -> 198.51.100.11:8080                  5      100       90     123G     1000\n"
	"  -> 198.51.100.12:8080                  7 200000000       80    2000M       50\n"
	"UDP  192.0.2.100:53                      1        2        3        4        5\n"
	"  -> 198.51.100.13:53                    9        9        9        9        9\n");
}

static void
test_list_conns(void **state)
{
	check_view(PLBCTL_VIEW_LIST_CONNS,
		   "[{'proto':'tcp','client':'203.0.113.7','cport':40000,'vip':'192.0.2.100',"
		   "'vport':80,'laddr':'198.51.100.200','lport':1025,'dest':'198.51.100.11',"
		   "'dport':8080,'state':'ESTABLISHED','expires':899,'worker':1},"
		   "{'proto':'udp','client':'203.0.113.8','cport':5353,'vip':'192.0.2.100',"
		   "'vport':53,'dest':'198.51.100.13','dport':53,'state':2,'expires':5,'worker':0}]",
	"IPVS connection entries\n"
	"pro expire state       source             virtual            destination\n"
	"TCP 14:59  ESTABLISHED 203.0.113.7:40000  192.0.2.100:80     198.51.100.11:8080\n"
	"UDP 00:05  2           203.0.113.8:5353   192.0.2.100:53     198.51.100.13:53\n");
}

/* A `service.list` result: specs as `save` writes them. */
static const char *const canned_specs =
	"[{'proto':'tcp','vip':'192.0.2.100','port':80,'scheduler':'rr','fwd':'nat','laddrs':[],"
	"  'ops':false,'expire_quiescent':false,'sched_opts':{},'dests':["
	"  {'addr':'198.51.100.11','port':8080,'weight':3,'u_threshold':100,'l_threshold':10},"
	"  {'addr':'198.51.100.12','port':0,'weight':0,'u_threshold':0,'l_threshold':0}]},"
	" {'proto':'udp','vip':'192.0.2.100','port':53,'scheduler':'wlc','fwd':'fnat',"
	"  'laddrs':['198.51.100.200','198.51.100.201'],'ops':true,'dests':["
	"  {'addr':'198.51.100.13','port':53,'weight':1}]},"
	" {'proto':'tcp','vip':'192.0.2.101','port':443,'scheduler':'sh','fwd':'dr','dests':[]},"
	" {'proto':'tcp','vip':'192.0.2.102','port':8443,'scheduler':'wlc','fwd':'fnat',"
	"  'laddrs':['198.51.100.200'],'dests':[]},"
	" {'proto':'tcp','vip':'192.0.2.103','port':80,'scheduler':'wlc','fwd':'tun','dests':["
	"  {'addr':'198.51.100.14','port':80,'weight':1}]}]";

static const char *const canned_rules =
	"-A -t 192.0.2.100:80 -s rr\n"
	"-a -t 192.0.2.100:80 -r 198.51.100.11:8080 -m -w 3 -x 100 -y 10\n"
	"-a -t 192.0.2.100:80 -r 198.51.100.12 -m -w 0\n"
	"-A -u 192.0.2.100:53 -s wlc -o --laddr 198.51.100.200 --laddr 198.51.100.201\n"
	"-a -u 192.0.2.100:53 -r 198.51.100.13:53 -b -w 1\n"
	"-A -t 192.0.2.101:443 -s sh -g\n"
	"-A -t 192.0.2.102:8443 -s wlc --laddr 198.51.100.200\n"
	"-A -t 192.0.2.103:80 -s wlc\n"
	"-a -t 192.0.2.103:80 -r 198.51.100.14:80 -i -w 1\n";

static void
test_rules(void **state)
{
	json_t *r = pt_json("[{'proto':'tcp','vip':'192.0.2.1','port':80,'fwd':'nat','dests':[]},"
			    "{'proto':'tcp','vip':'192.0.2.2','port':80,'fwd':'magic','dests':[]}]");
	char *out = NULL, *err = NULL;
	int rc;

	check_view(PLBCTL_VIEW_RULES, canned_specs, canned_rules);
	check_view(PLBCTL_VIEW_RULES, "{'services':[]}", "");
	/* a mode ipvsadm cannot express: refused, nothing printed */
	PT_CAPTURE(out, rc = plbctl_print(f, PLBCTL_VIEW_RULES, r, &err));
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(err, "service tcp 192.0.2.2:80: forwarding mode \"magic\" has no "
			    "ipvsadm switch (use plbctl save)");
	assert_string_equal(out, "");
	free(out);
	free(err);
	json_decref(r);
}

/* Apply service.add / service.edit / dest.add to @specs as plb would (defaults included). */
static void
model_apply(json_t *specs, json_t *req)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd")), *k;
	json_t *svc = NULL, *s, *v;
	void *tmp;
	size_t i;

	json_array_foreach(specs, i, s)
		if (json_equal(json_object_get(s, "proto"), json_object_get(req, "proto")) &&
		    json_equal(json_object_get(s, "vip"), json_object_get(req, "vip")) &&
		    json_equal(json_object_get(s, "port"), json_object_get(req, "port")))
			svc = s;
	if (strcmp(cmd, "service.add") == 0) {
		assert_null(svc);
		svc = json_pack("{s:O, s:O, s:O, s:s, s:s, s:[], s:b, s:b, s:{}, s:[]}",
				"proto", json_object_get(req, "proto"), "vip",
				json_object_get(req, "vip"), "port", json_object_get(req, "port"),
				"scheduler", "wlc", "fwd", "fnat", "laddrs", "ops", 0,
				"expire_quiescent", 0, "sched_opts", "dests");
		json_array_append_new(specs, svc);
	} else {
		assert_non_null(svc);
	}
	if (strcmp(cmd, "dest.add") == 0) {
		json_array_append_new(json_object_get(svc, "dests"), json_pack(
			"{s:O, s:I, s:I, s:I, s:I}", "addr", json_object_get(req, "addr"),
			"port", (json_int_t)plbctl_geti(req, "dport"),
			"weight", (json_int_t)(json_object_get(req, "weight") ?
					       plbctl_geti(req, "weight") : 1),
			"u_threshold", (json_int_t)plbctl_geti(req, "u_threshold"),
			"l_threshold", (json_int_t)plbctl_geti(req, "l_threshold")));
		return;
	}
	/* service.add / service.edit: the request's settings over the defaults */
	json_object_foreach_safe(req, tmp, k, v)
		if (strcmp(k, "v") != 0 && strcmp(k, "cmd") != 0)
			json_object_set(svc, k, v);
}

static void
test_rules_round_trip(void **state)
{
	struct plbctl_script s;
	json_t *reqs = json_array(), *map = json_object(), *specs = json_array(), *req;
	char *err = NULL, *again = NULL;
	size_t i;
	int rc;

	assert_int_equal(plbctl_script_parse(canned_rules, &s, &err), 0);
	assert_null(err);
	assert_int_equal(s.n, 9);
	for (unsigned int k = 0; k < s.n; k++) {
		json_t *r = plbctl_plan(&s.cmds[k], map);

		json_array_extend(reqs, r);
		json_decref(r);
	}
	plbctl_script_clear(&s);
	/* what recreates that state on an empty plb: one request a line, no service.edit */
	pt_assert_json(reqs,
		"[{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"  'scheduler':'rr','fwd':'nat'},"
		" {'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"  'addr':'198.51.100.11','dport':8080,'weight':3,'u_threshold':100,'l_threshold':10},"
		" {'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"  'addr':'198.51.100.12','weight':0},"
		" {'v':1,'cmd':'service.add','proto':'udp','vip':'192.0.2.100','port':53,"
		"  'scheduler':'wlc','ops':true,'laddrs':['198.51.100.200','198.51.100.201'],"
		"  'fwd':'fnat'},"
		" {'v':1,'cmd':'dest.add','proto':'udp','vip':'192.0.2.100','port':53,"
		"  'addr':'198.51.100.13','dport':53,'weight':1},"
		" {'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':443,"
		"  'scheduler':'sh','fwd':'dr'},"
		" {'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.102','port':8443,"
		"  'scheduler':'wlc','laddrs':['198.51.100.200']},"
		" {'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.103','port':80,"
		"  'scheduler':'wlc','fwd':'tun'},"
		" {'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.103','port':80,"
		"  'addr':'198.51.100.14','dport':80,'weight':1}]");
	/* applied to an empty state, they give back the same -S text */
	json_array_foreach(reqs, i, req)
		model_apply(specs, req);
	PT_CAPTURE(again, rc = plbctl_print_rules(f, specs, &err));
	assert_int_equal(rc, 0);
	assert_string_equal(again, canned_rules);
	free(again);
	json_decref(specs);
	json_decref(reqs);
	json_decref(map);
}

static void
test_native_views(void **state)
{
	check_view(PLBCTL_VIEW_MODULES,
		   "[{'kind':'sched','name':'rr','version':'1.0','description':'round robin',"
		   "'path':'x'},{'kind':'fwd','name':'fnat','version':'1.0',"
		   "'description':'full NAT','path':'y'}]",
	"kind   name         version  description\n"
	"sched  rr           1.0      round robin\n"
	"fwd    fnat         1.0      full NAT\n");
	check_view(PLBCTL_VIEW_SCHEDULERS,
		   "{'loaded':['rr','wlc'],'available':['mh','rr','wlc']}",
	"scheduler        loaded\n"
	"rr               yes\n"
	"wlc              yes\n"
	"mh               no\n");
	check_view(PLBCTL_VIEW_SCHEDULERS, "[{'name':'rr','loaded':true},{'name':'mh'}]",
	"scheduler        loaded\n"
	"rr               yes\n"
	"mh               no\n");
	check_view(PLBCTL_VIEW_SERVICES,
		   "[{'proto':'tcp','vip':'192.0.2.100','port':80,'scheduler':'rr','fwd':'nat',"
		   "'laddrs':[],'sched_opts':{},'dests':["
		   "{'addr':'198.51.100.11','port':8080,'weight':3,'u_threshold':100,"
		   "'l_threshold':10},{'addr':'198.51.100.12','port':0,'weight':0}]},"
		   "{'proto':'udp','vip':'192.0.2.100','port':53,'scheduler':'mh','fwd':'fnat',"
		   "'laddrs':['198.51.100.200','198.51.100.201'],'ops':true,"
		   "'expire_quiescent':true,'sched_opts':{'table_size':251},'dests':[]}]",
	"tcp 192.0.2.100:80  scheduler rr  fwd nat\n"
	"  -> 198.51.100.11:8080     weight 3  upper 100  lower 10\n"
	"  -> 198.51.100.12:80       weight 0  upper 0  lower 0\n"
	"udp 192.0.2.100:53  scheduler mh  fwd fnat  laddrs 198.51.100.200,198.51.100.201  ops  "
	"expire_quiescent  sched_opts {\"table_size\":251}\n");
	check_view(PLBCTL_VIEW_CONNS,
		   "[{'proto':'tcp','client':'203.0.113.7','cport':40000,'vip':'192.0.2.100',"
		   "'vport':80,'laddr':'198.51.100.200','lport':1025,'dest':'198.51.100.11',"
		   "'dport':8080,'state':'ESTABLISHED','expires':899,'worker':1},"
		   "{'proto':'udp','client':'203.0.113.8','cport':5353,'vip':'192.0.2.100',"
		   "'vport':53,'dest':'198.51.100.13','dport':53,'state':2,'expires':5,'worker':0}]",
	"proto client                virtual               local                 dest                  state        expires worker\n"
	"tcp   203.0.113.7:40000     192.0.2.100:80        198.51.100.200:1025   198.51.100.11:8080    ESTABLISHED      899      1\n"
	"udp   203.0.113.8:5353      192.0.2.100:53        -                     198.51.100.13:53      2                  5      0\n");
	check_view(PLBCTL_VIEW_SAVE, "{'text':'services = ();\\n'}", "services = ();\n");
	check_view(PLBCTL_VIEW_NONE, "null", "");
}

static void
test_native_stats(void **state)
{
	json_t *r = pt_json("{'ports':[{'id':0,'name':'p0','rx_packets':10,'tx_packets':11,"
			    "'rx_bytes':1000,'tx_bytes':1100,'rx_dropped':1,'tx_errors':2}],"
			    "'workers':[{'id':0,'lcore':1,'rx':10,'tx':11,'tx_drop':0,"
			    "'handover_out':3,'handover_in':4,'drop':5,'idle_sleeps':6}],"
			    "'services':[{'proto':'tcp','vip':'192.0.2.100','port':80,"
			    "'scheduler':'rr','fwd':'fnat','drop_no_dest':1,'drop_conn_full':2,"
			    "'drop_no_port':3,'drop_not_syn':4,'dests':[{'addr':'198.51.100.11',"
			    "'port':8080,'weight':1,'active_conns':2,'inactive_conns':3,'conns':4,"
			    "'pkts_in':5,'pkts_out':6,'bytes_in':7,'bytes_out':8}]}],"
			    "'counters':{'proto_arp.rx':12}}");
	char *out = NULL;

	PT_CAPTURE(out, plbctl_print_stats(f, r, 1));
	assert_string_equal(out,
	"(per second)\n"
	"port name         rx_packets   tx_packets     rx_bytes     tx_bytes rx_dropped  tx_errors\n"
	"0    p0                   10           11         1000         1100          1          2\n"
	"\n"
	"worker lcore           rx           tx    tx_drop handover_out  handover_in       drop  idle_sleeps\n"
	"0      1               10           11          0            3            4          5            6\n"
	"\n"
	"tcp 192.0.2.100:80  scheduler rr  fwd fnat  (drops: no_dest 1, conn_full 2, no_port 3, not_syn 4)\n"
	"  dest                   weight   active inactive      conns      pkts_in     pkts_out       bytes_in      bytes_out\n"
	"  198.51.100.11:8080          1        2        3          4            5            6              7              8\n"
	"\n"
	"counter                                         value\n"
	"proto_arp.rx                                       12\n");
	free(out);
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_stats_rate),
		cmocka_unit_test(test_list_conns),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_rules_round_trip),
		cmocka_unit_test(test_native_views),
		cmocka_unit_test(test_native_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
