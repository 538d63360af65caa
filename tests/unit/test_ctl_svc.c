/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control commands that change services (framework/src/ctl_svc.c),
 * through plb_ctl_handle() on a minimal EAL, with services started from a
 * small config by the real parser and the real sched_* / fwd_* modules from
 * $PLB_BUILD/modules. Every service/dest/laddr/clear/zero/save/reload
 * command: a success changes what service.list returns exactly as asked; an
 * error (missing, unknown or badly typed argument, unknown or duplicate
 * service or dest, ops on TCP, a mode change with dests, bad sched_opts,
 * IPv6, l_threshold > u_threshold, reload of a missing or broken file) gives
 * its exact message and leaves service.list identical.
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
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>
#include <plb/svc.h>

#include "config.h"
#include "ctl.h"
#include "loader.h"
#include "registry.h"
#include "svc.h"

#include "modules_test.h"

static char modules_dir[256];
static char conf_path[64];		/* the file plb "started with" (for reload, save) */
static struct plb_conf *conf;

/* Two services: tcp/80 rr fnat with two dests, udp/53 wlc dr with one. */
static const char start_conf[] =
	"services = (\n"
	"  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; scheduler = \"rr\"; fwd = \"fnat\";\n"
	"    laddrs = [ \"198.51.100.200\" ];\n"
	"    dests = ( { addr = \"198.51.100.11\"; port = 8080; weight = 2; },\n"
	"              { addr = \"198.51.100.12\"; port = 8080; } ); },\n"
	"  { proto = \"udp\"; vip = \"192.0.2.100\"; port = 53; scheduler = \"wlc\"; fwd = \"dr\";\n"
	"    ops = true; dests = ( { addr = \"198.51.100.21\"; port = 0; } ); }\n"
	");\n";

/* service.list of start_conf, with ' for " */
#define SVC80_DESTS								\
	"'dests':[{'addr':'198.51.100.11','port':8080,'weight':2,'u_threshold':0,"	\
	"'l_threshold':0,'down':false},{'addr':'198.51.100.12','port':8080,'weight':1,"	\
	"'u_threshold':0,'l_threshold':0,'down':false}]"
#define SVC80 "{'proto':'tcp','vip':'192.0.2.100','port':80,'scheduler':'rr','fwd':'fnat',"	\
	"'laddrs':['198.51.100.200'],'ops':false,'expire_quiescent':false," SVC80_DESTS "}"
#define SVC53 "{'proto':'udp','vip':'192.0.2.100','port':53,'scheduler':'wlc','fwd':'dr',"	\
	"'laddrs':[],'ops':true,'expire_quiescent':false,'dests':[{'addr':'198.51.100.21',"	\
	"'port':53,'weight':1,'u_threshold':0,'l_threshold':0,'down':false}]}"
#define START_LIST "[" SVC80 "," SVC53 "]"

/* JSON text with ' for " */
static json_t *
js(const char *s)
{
	char *t = strdup(s);
	json_error_t e;
	json_t *v;

	assert_non_null(t);
	for (char *p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(t, JSON_DECODE_ANY, &e);
	if (v == NULL)
		fail_msg("bad test JSON %s: %s", t, e.text);
	free(t);
	return v;
}

static void
assert_json(json_t *got, json_t *want, const char *what)
{
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
		char *w = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);

		fail_msg("%s:\n got      %s\n expected %s", what, g, w);
	}
}

/* @got must equal the JSON text @want (with ' for "). */
static void
expect_json(json_t *got, const char *want, const char *what)
{
	json_t *w = js(want);

	assert_json(got, w, what);
	json_decref(w);
}

/* Send @req (JSON with ' for "); the whole response. */
static json_t *
ctl(const char *req)
{
	json_t *r = js(req), *res = plb_ctl_handle(r);

	json_decref(r);
	assert_non_null(res);
	return res;
}

/* The result of service.list now. */
static json_t *
svc_list(void)
{
	json_t *res = ctl("{'v':1,'cmd':'service.list'}"), *l = json_object_get(res, "result");

	assert_true(json_is_true(json_object_get(res, "ok")));
	json_incref(l);
	json_decref(res);
	return l;
}

/* @req must succeed; returns its result (a new reference). */
static json_t *
ok(const char *req)
{
	json_t *res = ctl(req), *r;

	if (!json_is_true(json_object_get(res, "ok")))
		fail_msg("%s refused: %s", req, json_string_value(json_object_get(res, "error")));
	assert_int_equal(json_integer_value(json_object_get(res, "v")), 1);
	r = json_object_get(res, "result");
	json_incref(r);
	json_decref(res);
	return r;
}

/* @req must succeed and service.list must then be @want. */
static void
ok_list(const char *req, const char *want)
{
	json_t *w = js(want), *l;

	json_decref(ok(req));
	l = svc_list();
	assert_json(l, w, req);
	json_decref(l);
	json_decref(w);
}

/* @req must be refused with exactly @msg, and service.list must not change. */
static void
refused(const char *req, const char *msg)
{
	json_t *before = svc_list(), *res = ctl(req), *after;
	const char *e = json_string_value(json_object_get(res, "error"));

	if (!json_is_false(json_object_get(res, "ok")))
		fail_msg("%s was accepted (expected \"%s\")", req, msg);
	if (e == NULL || strcmp(e, msg) != 0)
		fail_msg("%s:\n got      \"%s\"\n expected \"%s\"", req, e ? e : "(no error)", msg);
	assert_int_equal(json_integer_value(json_object_get(res, "v")), 1);
	assert_null(json_object_get(res, "result"));
	json_decref(res);
	after = svc_list();
	assert_json(after, before, "service.list after a refused request");
	json_decref(before);
	json_decref(after);
}

/* @text written to @path. */
static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* "modules = { path = ...; };\n" + @services, to @path */
static void
write_conf(const char *path, const char *services)
{
	char *text;

	assert_true(asprintf(&text, "modules = { path = \"%s\"; };\n%s", modules_dir, services) > 0);
	write_file(path, text);
	free(text);
}

static int
group_setup(void **state)
{
	return modules_test_init("test_ctl_svc", modules_dir, sizeof(modules_dir));
}

static int
group_teardown(void **state)
{
	return modules_test_cleanup();
}

/* Each test: services of start_conf running, plb_ctl_conf = that config. */
static int
svc_setup(void **state)
{
	struct plb_env env = { .size = sizeof(env), .n_workers = 1 };
	char *err = NULL;
	int fd;

	snprintf(conf_path, sizeof(conf_path), "/tmp/plb_test_ctl_svc_XXXXXX.conf");
	fd = mkstemps(conf_path, 5);
	if (fd < 0)
		return -1;
	close(fd);
	write_conf(conf_path, start_conf);
	if (plb_conf_load(conf_path, &conf, &err) != 0 || plb_rcu_init(1, &err) != 0) {
		print_error("setup: %s\n", err ? err : "(no message)");
		return -1;
	}
	env.conf_file = conf->file;
	if (plb_svc_start(conf, &env, &err) != 0) {
		print_error("plb_svc_start: %s\n", err ? err : "(no message)");
		return -1;
	}
	plb_ctl_conf = conf;
	return 0;
}

static int
svc_teardown(void **state)
{
	plb_svc_stop();
	plb_conf_free(conf);
	conf = NULL;
	plb_ctl_conf = NULL;
	unlink(conf_path);
	return 0;
}

/* ---- the request envelope ---- */

static void
test_envelope(void **state)
{
	json_t *list = svc_list(), *res, *req;

	expect_json(list, START_LIST, "service.list of the started config");
	json_decref(list);
	refused("{'v':2,'cmd':'service.list'}",
		"request: \"v\" must be 1 (this plb speaks protocol version 1)");
	refused("{'cmd':'service.list'}", "request: \"v\" must be 1 (this plb speaks protocol version 1)");
	refused("{'v':1}", "request: \"cmd\" must be a string");
	refused("{'v':1,'cmd':'service.frob'}", "request: unknown command \"service.frob\"");
	refused("{'v':1,'cmd':'service.list','all':true}",
		"service.list: unknown argument \"all\" (expected none)");
	req = js("[1]");
	res = plb_ctl_handle(req);
	assert_string_equal(json_string_value(json_object_get(res, "error")),
			    "request: expected a JSON object");
	json_decref(res);
	json_decref(req);
}

/* ---- services ---- */

static void
test_service_add(void **state)
{
	ok_list("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':443}",
		"[" SVC80 "," SVC53 ",{'proto':'tcp','vip':'192.0.2.101','port':443,'scheduler':'wlc',"
		"'fwd':'fnat','laddrs':[],'ops':false,'expire_quiescent':false,'dests':[]}]");
	ok_list("{'v':1,'cmd':'service.add','proto':'udp','vip':'192.0.2.102','port':5353,"
		"'scheduler':'mh','fwd':'dr','sched_opts':{'table_size':251},'ops':true,"
		"'expire_quiescent':true}",
		"[" SVC80 "," SVC53 ",{'proto':'tcp','vip':'192.0.2.101','port':443,'scheduler':'wlc',"
		"'fwd':'fnat','laddrs':[],'ops':false,'expire_quiescent':false,'dests':[]},"
		"{'proto':'udp','vip':'192.0.2.102','port':5353,'scheduler':'mh','fwd':'dr',"
		"'laddrs':[],'ops':true,'expire_quiescent':true,'dests':[],"
		"'sched_opts_text':'{ table_size = 251; }'}]");
	ok_list("{'v':1,'cmd':'service.del','proto':'tcp','vip':'192.0.2.101','port':443}",
		"[" SVC80 "," SVC53 ",{'proto':'udp','vip':'192.0.2.102','port':5353,'scheduler':'mh',"
		"'fwd':'dr','laddrs':[],'ops':true,'expire_quiescent':true,'dests':[],"
		"'sched_opts_text':'{ table_size = 251; }'}]");
	ok_list("{'v':1,'cmd':'service.del','proto':'udp','vip':'192.0.2.102','port':5353}", START_LIST);
}

static void
test_service_add_errors(void **state)
{
	char msg[512];

	refused("{'v':1,'cmd':'service.add','vip':'192.0.2.101','port':80}",
		"service.add: missing \"proto\" (\"tcp\" or \"udp\")");
	refused("{'v':1,'cmd':'service.add','proto':'sctp','vip':'192.0.2.101','port':80}",
		"service.add: \"proto\" must be \"tcp\" or \"udp\"");
	refused("{'v':1,'cmd':'service.add','proto':6,'vip':'192.0.2.101','port':80}",
		"service.add: \"proto\" must be \"tcp\" or \"udp\"");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','port':80}", "service.add: missing \"vip\"");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.300','port':80}",
		"service.add: \"vip\" must be an IPv4 address, got \"192.0.2.300\"");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':3221225985,'port':80}",
		"service.add: \"vip\" must be an IPv4 address such as \"192.0.2.100\"");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'2001:db8::1','port':80}",
		"service.add: \"vip\": IPv6 is not supported yet");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101'}",
		"service.add: missing \"port\"");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':0}",
		"service.add: \"port\" must be an integer 1..65535");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':'80'}",
		"service.add: \"port\" must be an integer 1..65535");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,'weight':1}",
		"service.add: unknown argument \"weight\" (expected one of: proto, vip, port, "
		"scheduler, fwd, sched_opts, laddrs, ops, expire_quiescent)");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.100','port':80}",
		"service.add: service 192.0.2.100:80/tcp exists");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'scheduler':'Round-Robin'}",
		"service.add: \"scheduler\" must be a name of 1..31 characters a-z 0-9 _");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,'fwd':7}",
		"service.add: \"fwd\" must be a name of 1..31 characters a-z 0-9 _");
	snprintf(msg, sizeof(msg), "service.add: services[2].scheduler: %s/sched_nosuch.so: "
		 "cannot load: No such file or directory", modules_dir);
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'scheduler':'nosuch'}", msg);
	snprintf(msg, sizeof(msg), "service.add: services[2].fwd: %s/fwd_nosuch.so: "
		 "cannot load: No such file or directory", modules_dir);
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'fwd':'nosuch'}", msg);
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'ops':true}",
		"service.add: one-packet scheduling (\"ops\") is for UDP services only");
	refused("{'v':1,'cmd':'service.add','proto':'udp','vip':'192.0.2.101','port':80,"
		"'ops':'yes'}", "service.add: \"ops\" must be true or false");
	refused("{'v':1,'cmd':'service.add','proto':'udp','vip':'192.0.2.101','port':80,"
		"'expire_quiescent':1}", "service.add: \"expire_quiescent\" must be true or false");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'sched_opts':[1]}",
		"service.add: \"sched_opts\" must be an object (the scheduler's options)");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'sched_opts':{'9lives':1}}",
		"service.add: sched_opts: \"9lives\" is not a valid option name");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'sched_opts':{'a':null}}", "service.add: sched_opts: null is not a value");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'scheduler':'rr','sched_opts':{'colour':1}}",
		"service.add: services[2] 192.0.2.101:80/tcp: scheduler rr: "
		"<string>:1: sched_opts.colour: unknown key (this group takes no keys)");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'scheduler':'mh','sched_opts':{'table_size':'big'}}",
		"service.add: services[2] 192.0.2.101:80/tcp: scheduler mh: "
		"<string>:1: sched_opts.table_size: expected a prime integer 7..1000003");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'laddrs':'198.51.100.201'}",
		"service.add: \"laddrs\" must be an array of IPv4 addresses");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'laddrs':['198.51.100.201','198.51.100.201']}",
		"service.add: \"laddrs\": 198.51.100.201 given twice");
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'laddrs':['2001:db8::1']}", "service.add: \"laddrs[]\": IPv6 is not supported yet");
	/* an address cannot be a VIP and a local address */
	refused("{'v':1,'cmd':'service.add','proto':'tcp','vip':'198.51.100.200','port':80}",
		"service.add: services[2].vip: the address is also a port address or an "
		"FNAT local address");
}

static void
test_service_edit(void **state)
{
	/* rr -> wrr -> wlc, with options, laddrs replaced */
	ok_list("{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'scheduler':'wrr','laddrs':['198.51.100.201','198.51.100.202']}",
		"[{'proto':'tcp','vip':'192.0.2.100','port':80,'scheduler':'wrr','fwd':'fnat',"
		"'laddrs':['198.51.100.201','198.51.100.202'],'ops':false,'expire_quiescent':false,"
		SVC80_DESTS "}," SVC53 "]");
	ok_list("{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'scheduler':'rr','laddrs':['198.51.100.200'],'expire_quiescent':true}",
		"[{'proto':'tcp','vip':'192.0.2.100','port':80,'scheduler':'rr','fwd':'fnat',"
		"'laddrs':['198.51.100.200'],'ops':false,'expire_quiescent':true," SVC80_DESTS "},"
		SVC53 "]");
	ok_list("{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'expire_quiescent':false}", START_LIST);
	/* a mode change is fine without dests */
	ok_list("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80}",
		"[" SVC80 "," SVC53 ",{'proto':'tcp','vip':'192.0.2.101','port':80,'scheduler':'wlc',"
		"'fwd':'fnat','laddrs':[],'ops':false,'expire_quiescent':false,'dests':[]}]");
	ok_list("{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.101','port':80,'fwd':'nat'}",
		"[" SVC80 "," SVC53 ",{'proto':'tcp','vip':'192.0.2.101','port':80,'scheduler':'wlc',"
		"'fwd':'nat','laddrs':[],'ops':false,'expire_quiescent':false,'dests':[]}]");
	/* the UDP service: ops off */
	ok_list("{'v':1,'cmd':'service.del','proto':'tcp','vip':'192.0.2.101','port':80}", START_LIST);
	ok_list("{'v':1,'cmd':'service.edit','proto':'udp','vip':'192.0.2.100','port':53,'ops':false}",
		"[" SVC80 ",{'proto':'udp','vip':'192.0.2.100','port':53,'scheduler':'wlc','fwd':'dr',"
		"'laddrs':[],'ops':false,'expire_quiescent':false,'dests':[{'addr':'198.51.100.21',"
		"'port':53,'weight':1,'u_threshold':0,'l_threshold':0,'down':false}]}]");
}

static void
test_service_edit_del_errors(void **state)
{
	char msg[512];

	refused("{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100','port':81,"
		"'scheduler':'wrr'}", "service.edit: no service 192.0.2.100:81/tcp");
	refused("{'v':1,'cmd':'service.edit','proto':'udp','vip':'192.0.2.100','port':80}",
		"service.edit: no service 192.0.2.100:80/udp");
	refused("{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100','port':80,'fwd':'nat'}",
		"service.edit: service 192.0.2.100:80/tcp has dests: its forwarding mode (fnat) "
		"cannot change while it has any (delete them first)");
	refused("{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100','port':80,'ops':true}",
		"service.edit: one-packet scheduling (\"ops\") is for UDP services only");
	refused("{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'sched_opts':{'colour':'red'}}",
		"service.edit: services[0] 192.0.2.100:80/tcp: scheduler rr: "
		"<string>:1: sched_opts.colour: unknown key (this group takes no keys)");
	snprintf(msg, sizeof(msg), "service.edit: services[0].scheduler: %s/sched_wrong.so: "
		 "cannot load: No such file or directory", modules_dir);
	refused("{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'scheduler':'wrong'}", msg);
	/* fnat with dests needs laddrs */
	refused("{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100','port':80,'laddrs':[]}",
		"service.edit: services[0] 192.0.2.100:80/tcp: fnat: needs laddrs (local "
		"addresses towards the real servers, e.g. laddrs = [ \"198.51.100.1\" ])");
	refused("{'v':1,'cmd':'service.edit','proto':'tcp','vip':'192.0.2.100','port':80,'ttl':1}",
		"service.edit: unknown argument \"ttl\" (expected one of: proto, vip, port, "
		"scheduler, fwd, sched_opts, laddrs, ops, expire_quiescent)");
	refused("{'v':1,'cmd':'service.del','proto':'tcp','vip':'192.0.2.100','port':81}",
		"service.del: no service 192.0.2.100:81/tcp");
	refused("{'v':1,'cmd':'service.del','proto':'tcp','vip':'192.0.2.100','port':80,'force':true}",
		"service.del: unknown argument \"force\" (expected one of: proto, vip, port)");
	refused("{'v':1,'cmd':'service.del','proto':'tcp','vip':'::1','port':80}",
		"service.del: \"vip\": IPv6 is not supported yet");
}

/* ---- dests and local addresses ---- */

static void
test_dest(void **state)
{
	const char *d13 = "{'addr':'198.51.100.13','port':8080,'weight':5,'u_threshold':100,"
			  "'l_threshold':50,'down':false}";
	char want[2048];

	snprintf(want, sizeof(want), "[{'proto':'tcp','vip':'192.0.2.100','port':80,'scheduler':'rr',"
		 "'fwd':'fnat','laddrs':['198.51.100.200'],'ops':false,'expire_quiescent':false,"
		 "'dests':[{'addr':'198.51.100.11','port':8080,'weight':2,'u_threshold':0,"
		 "'l_threshold':0,'down':false},{'addr':'198.51.100.12','port':8080,'weight':1,"
		 "'u_threshold':0,'l_threshold':0,'down':false},%s]}," SVC53 "]", d13);
	ok_list("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.13','dport':8080,'weight':5,'u_threshold':100,'l_threshold':50}",
		want);
	/* edit: weight 0, down; then back */
	snprintf(want, sizeof(want), "[{'proto':'tcp','vip':'192.0.2.100','port':80,'scheduler':'rr',"
		 "'fwd':'fnat','laddrs':['198.51.100.200'],'ops':false,'expire_quiescent':false,"
		 "'dests':[{'addr':'198.51.100.11','port':8080,'weight':0,'u_threshold':0,"
		 "'l_threshold':0,'down':true},{'addr':'198.51.100.12','port':8080,'weight':1,"
		 "'u_threshold':0,'l_threshold':0,'down':false},%s]}," SVC53 "]", d13);
	ok_list("{'v':1,'cmd':'dest.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.11','dport':8080,'weight':0,'down':true}", want);
	ok_list("{'v':1,'cmd':'dest.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.11','dport':8080,'weight':2,'down':false}",
		"[{'proto':'tcp','vip':'192.0.2.100','port':80,'scheduler':'rr','fwd':'fnat',"
		"'laddrs':['198.51.100.200'],'ops':false,'expire_quiescent':false,"
		"'dests':[{'addr':'198.51.100.11','port':8080,'weight':2,'u_threshold':0,"
		"'l_threshold':0,'down':false},{'addr':'198.51.100.12','port':8080,'weight':1,"
		"'u_threshold':0,'l_threshold':0,'down':false},{'addr':'198.51.100.13','port':8080,"
		"'weight':5,'u_threshold':100,'l_threshold':50,'down':false}]}," SVC53 "]");
	ok_list("{'v':1,'cmd':'dest.del','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.13','dport':8080}", START_LIST);
	/* no dport: the service's port */
	ok_list("{'v':1,'cmd':'dest.add','proto':'udp','vip':'192.0.2.100','port':53,"
		"'addr':'198.51.100.22'}",
		"[" SVC80 ",{'proto':'udp','vip':'192.0.2.100','port':53,'scheduler':'wlc','fwd':'dr',"
		"'laddrs':[],'ops':true,'expire_quiescent':false,'dests':[{'addr':'198.51.100.21',"
		"'port':53,'weight':1,'u_threshold':0,'l_threshold':0,'down':false},"
		"{'addr':'198.51.100.22','port':53,'weight':1,'u_threshold':0,'l_threshold':0,"
		"'down':false}]}]");
	ok_list("{'v':1,'cmd':'dest.del','proto':'udp','vip':'192.0.2.100','port':53,"
		"'addr':'198.51.100.22','dport':0}", START_LIST);
}

static void
test_dest_errors(void **state)
{
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80}",
		"dest.add: missing \"addr\" (the real server)");
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':81,"
		"'addr':'198.51.100.13'}", "dest.add: no service 192.0.2.100:81/tcp");
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.11','dport':8080}",
		"dest.add: service 192.0.2.100:80/tcp already has dest 198.51.100.11:8080");
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'2001:db8::11'}", "dest.add: \"addr\": IPv6 is not supported yet");
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'rs1.example'}", "dest.add: \"addr\" must be an IPv4 address, got \"rs1.example\"");
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.13','dport':70000}", "dest.add: \"dport\" must be an integer 0..65535");
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.13','weight':-1}", "dest.add: \"weight\" must be an integer 0..65535");
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.13','weight':1.5}", "dest.add: \"weight\" must be an integer 0..65535");
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.13','u_threshold':5,'l_threshold':10}",
		"dest.add: l_threshold 10 is above u_threshold 5");
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.13','u_threshold':1073741825}",
		"dest.add: \"u_threshold\" must be an integer 0..1073741824");
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.13','down':'no'}", "dest.add: \"down\" must be true or false");
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.13','fwd':'dr'}",
		"dest.add: unknown argument \"fwd\" (expected one of: proto, vip, port, addr, dport, "
		"weight, u_threshold, l_threshold, down)");
	refused("{'v':1,'cmd':'dest.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.11','weight':3}",
		"dest.edit: service 192.0.2.100:80/tcp has no dest 198.51.100.11:80");
	refused("{'v':1,'cmd':'dest.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.11','dport':8080,'l_threshold':10,'u_threshold':9}",
		"dest.edit: l_threshold 10 is above u_threshold 9");
	refused("{'v':1,'cmd':'dest.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.11','dport':8080,'weight':'heavy'}",
		"dest.edit: \"weight\" must be an integer 0..65535");
	refused("{'v':1,'cmd':'dest.del','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.19','dport':8080}",
		"dest.del: service 192.0.2.100:80/tcp has no dest 198.51.100.19:8080");
	refused("{'v':1,'cmd':'dest.del','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'addr':'198.51.100.11','dport':8080,'weight':0}",
		"dest.del: unknown argument \"weight\" (expected one of: proto, vip, port, addr, dport)");
	/* fnat without laddrs cannot take a dest */
	json_decref(ok("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		       "'scheduler':'rr'}"));
	refused("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		"'addr':'198.51.100.11'}",
		"dest.add: services[2] 192.0.2.101:80/tcp: fnat: needs laddrs (local "
		"addresses towards the real servers, e.g. laddrs = [ \"198.51.100.1\" ])");
}

static void
test_laddr(void **state)
{
	ok_list("{'v':1,'cmd':'laddr.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'laddr':'198.51.100.201'}",
		"[{'proto':'tcp','vip':'192.0.2.100','port':80,'scheduler':'rr','fwd':'fnat',"
		"'laddrs':['198.51.100.200','198.51.100.201'],'ops':false,'expire_quiescent':false,"
		SVC80_DESTS "}," SVC53 "]");
	refused("{'v':1,'cmd':'laddr.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'laddr':'198.51.100.201'}",
		"laddr.add: service 192.0.2.100:80/tcp already has that local address");
	ok_list("{'v':1,'cmd':'laddr.del','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'laddr':'198.51.100.201'}", START_LIST);
	refused("{'v':1,'cmd':'laddr.del','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'laddr':'198.51.100.201'}",
		"laddr.del: service 192.0.2.100:80/tcp has no such local address");
	refused("{'v':1,'cmd':'laddr.add','proto':'tcp','vip':'192.0.2.100','port':80}",
		"laddr.add: missing \"laddr\"");
	refused("{'v':1,'cmd':'laddr.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'laddr':'2001:db8::200'}", "laddr.add: \"laddr\": IPv6 is not supported yet");
	refused("{'v':1,'cmd':'laddr.add','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'laddr':'192.0.2.100'}",
		"laddr.add: services[0].laddrs[1]: the address is also a VIP");
	refused("{'v':1,'cmd':'laddr.add','proto':'tcp','vip':'192.0.2.100','port':8080,"
		"'laddr':'198.51.100.201'}", "laddr.add: no service 192.0.2.100:8080/tcp");
	/* the last local address of a fnat service with dests */
	refused("{'v':1,'cmd':'laddr.del','proto':'tcp','vip':'192.0.2.100','port':80,"
		"'laddr':'198.51.100.200'}",
		"laddr.del: services[0] 192.0.2.100:80/tcp: fnat: needs laddrs (local "
		"addresses towards the real servers, e.g. laddrs = [ \"198.51.100.1\" ])");
}

/* ---- clear, zero, save ---- */

static void
test_clear_zero(void **state)
{
	json_t *r;

	r = ok("{'v':1,'cmd':'zero'}");
	expect_json(r, "{}", "zero's result");
	json_decref(r);
	json_decref(ok("{'v':1,'cmd':'zero','proto':'udp','vip':'192.0.2.100','port':53}"));
	refused("{'v':1,'cmd':'zero','proto':'udp','vip':'192.0.2.100','port':54}",
		"zero: no service 192.0.2.100:54/udp");
	refused("{'v':1,'cmd':'zero','vip':'192.0.2.100','port':53}",
		"zero: missing \"proto\" (\"tcp\" or \"udp\")");
	refused("{'v':1,'cmd':'zero','proto':'udp','vip':'192.0.2.100','port':53,'dests':true}",
		"zero: unknown argument \"dests\" (expected one of: proto, vip, port)");
	refused("{'v':1,'cmd':'clear','proto':'tcp'}",
		"clear: unknown argument \"proto\" (expected none)");
	ok_list("{'v':1,'cmd':'clear'}", "[]");
	ok_list("{'v':1,'cmd':'clear'}", "[]");
}

static void
test_save(void **state)
{
	char path[] = "/tmp/plb_test_ctl_save_XXXXXX", *req;
	json_t *r, *before;
	const char *text;
	int fd;

	refused("{'v':1,'cmd':'save','file':'/tmp/x'}", "save: unknown argument \"file\" (expected none)");
	/* change things that save must keep: sched_opts, down, thresholds, expire_quiescent */
	json_decref(ok("{'v':1,'cmd':'service.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		       "'scheduler':'mh','fwd':'dr','sched_opts':{'table_size':251},"
		       "'expire_quiescent':true}"));
	json_decref(ok("{'v':1,'cmd':'dest.add','proto':'tcp','vip':'192.0.2.101','port':80,"
		       "'addr':'198.51.100.14','weight':3,'u_threshold':20,'l_threshold':10}"));
	json_decref(ok("{'v':1,'cmd':'dest.edit','proto':'tcp','vip':'192.0.2.100','port':80,"
		       "'addr':'198.51.100.12','dport':8080,'down':true}"));
	before = svc_list();
	r = ok("{'v':1,'cmd':'save'}");
	text = json_string_value(json_object_get(r, "text"));
	assert_non_null(text);
	assert_non_null(strstr(text, "sched_opts = { table_size = 251; };"));
	assert_non_null(strstr(text, "modules = "));	/* the other sections, as started */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path, text);
	json_decref(r);
	/* clear, then reload the saved file: the same services */
	ok_list("{'v':1,'cmd':'clear'}", "[]");
	assert_true(asprintf(&req, "{'v':1,'cmd':'reload','file':'%s'}", path) > 0);
	r = ok(req);
	assert_int_equal(json_integer_value(json_object_get(r, "services")), 3);
	expect_json(json_object_get(r, "restart_needed"), "[]", "restart_needed after a restore");
	json_decref(r);
	r = svc_list();
	assert_json(r, before, "service.list after save, clear, reload of the saved file");
	json_decref(r);
	json_decref(before);
	free(req);
	unlink(path);
}

/* ---- reload ---- */

static void
test_reload(void **state)
{
	char path[] = "/tmp/plb_test_ctl_reload_XXXXXX", *req, msg[1024];
	json_t *r;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	/* a good changed file: one service, rr -> wrr, a third dest */
	write_conf(path, "services = ( { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80;\n"
		   "  scheduler = \"wrr\"; laddrs = [ \"198.51.100.200\" ];\n"
		   "  dests = ( { addr = \"198.51.100.11\"; port = 8080; weight = 2; },\n"
		   "            { addr = \"198.51.100.13\"; port = 8080; weight = 3; } ); } );\n"
		   "workers = { count = 2; };\n");
	assert_true(asprintf(&req, "{'v':1,'cmd':'reload','file':'%s'}", path) > 0);
	r = ok(req);
	snprintf(msg, sizeof(msg), "{'file':'%s','services':1,'restart_needed':['workers']}", path);
	expect_json(r, msg, "reload's result");
	json_decref(r);
	r = svc_list();
	expect_json(r, "[{'proto':'tcp','vip':'192.0.2.100','port':80,'scheduler':'wrr',"
		    "'fwd':'fnat','laddrs':['198.51.100.200'],'ops':false,'expire_quiescent':false,"
		    "'dests':[{'addr':'198.51.100.11','port':8080,'weight':2,'u_threshold':0,"
		    "'l_threshold':0,'down':false},{'addr':'198.51.100.13','port':8080,'weight':3,"
		    "'u_threshold':0,'l_threshold':0,'down':false}]}]", "service.list after reload");
	json_decref(r);
	/* no file: the one plb started with */
	r = ok("{'v':1,'cmd':'reload'}");
	assert_string_equal(json_string_value(json_object_get(r, "file")), conf_path);
	json_decref(r);
	r = svc_list();
	expect_json(r, START_LIST, "service.list after reload of the start file");
	json_decref(r);

	/* refused: the file, its syntax, an unknown scheduler, fnat dests without laddrs */
	refused("{'v':1,'cmd':'reload','file':'/nonexistent/plb.conf'}",
		"reload: /nonexistent/plb.conf: cannot read: No such file or directory (nothing changed)");
	refused("{'v':1,'cmd':'reload','file':''}", "reload: \"file\" must be a path");
	refused("{'v':1,'cmd':'reload','file':7}", "reload: \"file\" must be a path");
	refused("{'v':1,'cmd':'reload','path':'/x'}",
		"reload: unknown argument \"path\" (expected one of: file)");
	write_conf(path, "services = ( { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80;\n"
		   "  scheduler = \"rr\"; dests = ( ); );\n");
	snprintf(msg, sizeof(msg), "reload: %s:3: syntax error (nothing changed)", path);
	refused(req, msg);
	write_conf(path, "services = ( { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80;\n"
		   "  scheduler = \"fastest\"; laddrs = [ \"198.51.100.200\" ];\n"
		   "  dests = ( { addr = \"198.51.100.11\"; port = 8080; } ); } );\n");
	snprintf(msg, sizeof(msg), "reload: %s:2: services[0].scheduler: %s/sched_fastest.so: cannot "
		 "load: No such file or directory (nothing changed)", path, modules_dir);
	refused(req, msg);
	write_conf(path, "services = ( { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80;\n"
		   "  scheduler = \"rr\"; fwd = \"fnat\";\n"
		   "  dests = ( { addr = \"198.51.100.11\"; port = 8080; } ); } );\n");
	snprintf(msg, sizeof(msg), "reload: %s:2: services[0] 192.0.2.100:80/tcp: fnat: needs laddrs "
		 "(local addresses towards the real servers, e.g. laddrs = [ \"198.51.100.1\" ]) "
		 "(nothing changed)", path);
	refused(req, msg);
	/* a config error the parser finds: a weight out of range */
	write_conf(path, "services = ( { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80;\n"
		   "  scheduler = \"rr\"; laddrs = [ \"198.51.100.200\" ];\n"
		   "  dests = ( { addr = \"198.51.100.11\"; port = 8080; weight = -1; } ); } );\n");
	snprintf(msg, sizeof(msg), "reload: %s:4: services[0].dests[0].weight: expected an integer "
		 "0..65535, got -1 (nothing changed)", path);
	refused(req, msg);
	r = svc_list();
	expect_json(r, START_LIST, "service.list after refused reloads");
	json_decref(r);
	free(req);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_envelope, svc_setup, svc_teardown),
		cmocka_unit_test_setup_teardown(test_service_add, svc_setup, svc_teardown),
		cmocka_unit_test_setup_teardown(test_service_add_errors, svc_setup, svc_teardown),
		cmocka_unit_test_setup_teardown(test_service_edit, svc_setup, svc_teardown),
		cmocka_unit_test_setup_teardown(test_service_edit_del_errors, svc_setup, svc_teardown),
		cmocka_unit_test_setup_teardown(test_dest, svc_setup, svc_teardown),
		cmocka_unit_test_setup_teardown(test_dest_errors, svc_setup, svc_teardown),
		cmocka_unit_test_setup_teardown(test_laddr, svc_setup, svc_teardown),
		cmocka_unit_test_setup_teardown(test_clear_zero, svc_setup, svc_teardown),
		cmocka_unit_test_setup_teardown(test_save, svc_setup, svc_teardown),
		cmocka_unit_test_setup_teardown(test_reload, svc_setup, svc_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
