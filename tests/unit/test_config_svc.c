/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.config tests of the services, routes and conns sections
 * (framework/src/conf_svc.c): every key parsed into struct plb_conf with its
 * line, the defaults (scheduler "wlc", fwd "fnat", weight 1, dest port 0 ->
 * the service's port, conns 65536 / 100 ms), and every error with its exact
 * message "FILE:LINE: PATH: ...". Each input is a temporary file.
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

#include <plb/conf.h>
#include "config.h"

/* Write @text to a new temporary file; returns its malloc'ed path. */
static char *
tmp_conf(const char *text)
{
	char *path = strdup("/tmp/plb_test_svc_XXXXXX.conf");
	int fd;

	assert_non_null(path);
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Parse @text; it must succeed. */
static struct plb_conf *
load_ok(const char *text)
{
	struct plb_conf *conf = NULL;
	char *err = NULL, *path = tmp_conf(text);
	int rc = plb_conf_load(path, &conf, &err);

	unlink(path);
	free(path);
	if (rc != 0)
		fail_msg("unexpected error %d: %s", rc, err ? err : "(no message)");
	assert_null(err);
	assert_non_null(conf);
	return conf;
}

/* Parse @text; it must fail with -EINVAL and the message "<file><msg>". */
static void
load_err(const char *text, const char *msg)
{
	struct plb_conf *conf = (struct plb_conf *)1;
	char *err = NULL, *path = tmp_conf(text), *want;
	int rc = plb_conf_load(path, &conf, &err);

	unlink(path);
	if (rc == 0)
		fail_msg("accepted, want an error: %s", text);
	assert_non_null(err);
	assert_true(asprintf(&want, "%s%s", path, msg) > 0);
	assert_string_equal(err, want);
	assert_int_equal(rc, -EINVAL);
	assert_null(conf);
	free(want);
	free(err);
	free(path);
}

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* A valid service around @body (members after proto/vip/port). */
#define SVC(body) "services = ( { proto = \"udp\"; vip = \"192.0.2.100\"; port = 53; " body " } );\n"
#define DESTS "dests = ( { addr = \"198.51.100.11\"; port = 53; } );"

static void
test_full_services(void **state)
{
	struct plb_conf *c = load_ok(
		"services = (\n"						/* 1 */
		"  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80;\n"	/* 2 */
		"    scheduler = \"rr\"; sched_opts = { x = 1; };\n"
		"    fwd = \"nat\";\n"
		"    laddrs = [ \"198.51.100.1\", \"198.51.100.2\" ];\n"	/* 5 */
		"    ops = false; expire_quiescent = true;\n"
		"    dests = (\n"
		"      { addr = \"198.51.100.11\"; port = 8080; weight = 3;\n"	/* 8 */
		"        u_threshold = 100; l_threshold = 50; },\n"
		"      { addr = \"198.51.100.12\"; port = 0; }\n"		/* 10 */
		"    ); },\n"
		"  { proto = \"udp\"; vip = \"192.0.2.100\"; port = 80;\n"	/* 12 */
		"    ops = true; dests = (); },\n"
		"  { proto = \"tcp\"; vip = \"192.0.2.101\"; port = 80;\n"	/* 14 */
		"    dests = ( { addr = \"198.51.100.11\"; port = 8080; weight = 0; } ); }\n"
		");\n");
	const struct plb_conf_svc *s;

	assert_int_equal(c->n_services, 3);
	s = &c->services[0];
	assert_int_equal(s->proto, IPPROTO_TCP);
	assert_int_equal(s->vip, ip("192.0.2.100"));
	assert_int_equal(s->port, 80);
	assert_string_equal(s->sched, "rr");
	assert_string_equal(s->fwd, "nat");
	assert_non_null(s->sched_opts);
	assert_string_equal(config_setting_name(s->sched_opts), "sched_opts");
	assert_int_equal(config_setting_source_line(s->sched_opts), 3);
	assert_int_equal(s->n_laddrs, 2);
	assert_int_equal(s->laddrs[0], ip("198.51.100.1"));
	assert_int_equal(s->laddrs[1], ip("198.51.100.2"));
	assert_int_equal(s->ops, 0);
	assert_int_equal(s->expire_quiescent, 1);
	assert_int_equal(s->line, 2);
	assert_int_equal(s->n_dests, 2);
	assert_int_equal(s->dests[0].addr, ip("198.51.100.11"));
	assert_int_equal(s->dests[0].port, 8080);
	assert_int_equal(s->dests[0].weight, 3);
	assert_int_equal(s->dests[0].u_threshold, 100);
	assert_int_equal(s->dests[0].l_threshold, 50);
	assert_int_equal(s->dests[0].line, 8);
	assert_int_equal(s->dests[1].addr, ip("198.51.100.12"));
	assert_int_equal(s->dests[1].port, 80);		/* 0: the service's port */
	assert_int_equal(s->dests[1].weight, 1);
	assert_int_equal(s->dests[1].u_threshold, 0);
	assert_int_equal(s->dests[1].l_threshold, 0);
	assert_int_equal(s->dests[1].line, 10);

	/* same address and port, other protocol: another service; defaults */
	s = &c->services[1];
	assert_int_equal(s->proto, IPPROTO_UDP);
	assert_int_equal(s->ops, 1);
	assert_int_equal(s->expire_quiescent, 0);
	assert_string_equal(s->sched, "wlc");
	assert_string_equal(s->fwd, "fnat");
	assert_null(s->sched_opts);
	assert_int_equal(s->n_laddrs, 0);
	assert_null(s->laddrs);
	assert_int_equal(s->n_dests, 0);
	assert_int_equal(s->line, 12);

	/* the same dest in another service; weight 0 = quiesced is allowed */
	s = &c->services[2];
	assert_int_equal(s->vip, ip("192.0.2.101"));
	assert_int_equal(s->n_dests, 1);
	assert_int_equal(s->dests[0].weight, 0);
	assert_int_equal(s->line, 14);

	/* no routes, conns defaults */
	assert_int_equal(c->n_routes, 0);
	assert_null(c->routes);
	assert_int_equal(c->conns.per_worker, 65536);
	assert_int_equal(c->conns.tick_ms, 100);
	plb_conf_free(c);

	/* a dest without a port takes the service's */
	c = load_ok("services = ( { proto = \"udp\"; vip = \"192.0.2.100\"; port = 53;\n"
		    "  dests = ( { addr = \"198.51.100.11\"; } ); } );\n");
	assert_int_equal(c->services[0].dests[0].port, 53);
	plb_conf_free(c);

	c = load_ok("services = ();\nroutes = ();\nconns = { };\n");
	assert_int_equal(c->n_services, 0);
	assert_null(c->services);
	assert_int_equal(c->n_routes, 0);
	assert_int_equal(c->conns.per_worker, 65536);
	assert_int_equal(c->conns.tick_ms, 100);
	plb_conf_free(c);
}

static void
test_svc_missing(void **state)
{
	load_err("services = (\n  { vip = \"192.0.2.100\"; port = 80; dests = (); }\n);\n",
		 ":2: services[0]: missing key 'proto' (\"tcp\" or \"udp\")");
	load_err("services = ( { proto = \"tcp\"; port = 80; dests = (); } );\n",
		 ":1: services[0]: missing key 'vip' (the virtual IPv4 address)");
	load_err("services = ( { proto = \"tcp\"; vip = \"192.0.2.100\"; dests = (); } );\n",
		 ":1: services[0]: missing key 'port' (the virtual port)");
	load_err("services = ( { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; } );\n",
		 ":1: services[0]: missing key 'dests' (the real servers ( { addr = ...; "
		 "port = ...; }, ... ))");
	load_err(SVC("dests = (\n  { port = 53; } );"),
		 ":2: services[0].dests[0]: missing key 'addr' (the real server's IPv4 address)");
	/* a dest without a port takes the service's: see test_svc_full */
}

static void
test_svc_types(void **state)
{
	static const char ip4[] = "an IPv4 address such as \"192.0.2.100\"";
	static const char name[] = "a name of 1..31 characters from a-z 0-9 _";
	char msg[256];

	load_err("services = { proto = \"tcp\"; };\n", ":1: services: expected a list of groups "
		 "( { proto = ...; vip = ...; port = ...; }, ... ), got a group");
	load_err("services = ( \"tcp\" );\n",
		 ":1: services[0]: expected a group { ... }, got a string");
	load_err("services = ( { proto = \"sctp\"; vip = \"192.0.2.100\"; port = 80; dests = (); } );\n",
		 ":1: services[0].proto: expected one of \"tcp\", \"udp\", got \"sctp\"");
	load_err("services = ( { proto = 6; vip = \"192.0.2.100\"; port = 80; dests = (); } );\n",
		 ":1: services[0].proto: expected one of \"tcp\", \"udp\", got an integer");
	snprintf(msg, sizeof(msg), ":1: services[0].vip: expected %s, got an integer", ip4);
	load_err("services = ( { proto = \"tcp\"; vip = 3221225572; port = 80; dests = (); } );\n", msg);
	snprintf(msg, sizeof(msg), ":2: services[0].vip: expected %s, got \"192.0.2.300\"", ip4);
	load_err("services = ( { proto = \"tcp\";\n  vip = \"192.0.2.300\"; port = 80; dests = (); } );\n",
		 msg);
	snprintf(msg, sizeof(msg), ":1: services[0].vip: expected %s, got \"192.0.2.0/24\"", ip4);
	load_err("services = ( { proto = \"tcp\"; vip = \"192.0.2.0/24\"; port = 80; dests = (); } );\n",
		 msg);
	load_err("services = ( { proto = \"tcp\"; vip = \"192.0.2.1\"; port = 0; dests = (); } );\n",
		 ":1: services[0].port: expected an integer 1..65535, got 0");
	load_err("services = ( { proto = \"tcp\"; vip = \"192.0.2.1\"; port = 65536; dests = (); } );\n",
		 ":1: services[0].port: expected an integer 1..65535, got 65536");
	load_err("services = ( { proto = \"tcp\"; vip = \"192.0.2.1\"; port = \"80\"; dests = (); } );\n",
		 ":1: services[0].port: expected an integer 1..65535, got a string");
	snprintf(msg, sizeof(msg), ":1: services[0].scheduler: expected %s, got \"RR\"", name);
	load_err(SVC("scheduler = \"RR\"; " DESTS), msg);
	snprintf(msg, sizeof(msg), ":1: services[0].scheduler: expected %s, got \"\"", name);
	load_err(SVC("scheduler = \"\"; " DESTS), msg);
	snprintf(msg, sizeof(msg), ":1: services[0].scheduler: expected %s, got an integer", name);
	load_err(SVC("scheduler = 1; " DESTS), msg);
	snprintf(msg, sizeof(msg), ":1: services[0].fwd: expected %s, got \"f-nat\"", name);
	load_err(SVC("fwd = \"f-nat\"; " DESTS), msg);
	snprintf(msg, sizeof(msg), ":1: services[0].fwd: expected %s, got "
		 "\"abcdefghijklmnopqrstuvwxyz789012\"", name);
	load_err(SVC("fwd = \"abcdefghijklmnopqrstuvwxyz789012\"; " DESTS), msg);
	load_err(SVC("sched_opts = [ 1 ]; " DESTS), ":1: services[0].sched_opts: expected a "
		 "group { ... } (the scheduler's options), got an array");
	load_err(SVC("laddrs = \"198.51.100.1\"; " DESTS), ":1: services[0].laddrs: expected a "
		 "list of strings [ \"...\", ... ] (IPv4 local addresses), got a string");
	snprintf(msg, sizeof(msg), ":2: services[0].laddrs[1]: expected %s, got \"198.51.100\"", ip4);
	load_err(SVC("laddrs = [ \"198.51.100.1\",\n  \"198.51.100\" ]; " DESTS), msg);
	load_err(SVC("ops = 1; " DESTS),
		 ":1: services[0].ops: expected true or false, got an integer");
	load_err(SVC("expire_quiescent = \"yes\"; " DESTS),
		 ":1: services[0].expire_quiescent: expected true or false, got a string");
	load_err(SVC("dests = { addr = \"198.51.100.11\"; };"), ":1: services[0].dests: expected "
		 "a list of groups ( { addr = ...; port = ...; }, ... ), got a group");
	load_err(SVC("dests = ( \"198.51.100.11\" );"),
		 ":1: services[0].dests[0]: expected a group { ... }, got a string");
	snprintf(msg, sizeof(msg), ":2: services[0].dests[1].addr: expected %s, got \"server1\"", ip4);
	load_err(SVC("dests = ( { addr = \"198.51.100.11\"; port = 53; },\n"
		     "  { addr = \"server1\"; port = 53; } );"), msg);
	load_err(SVC("dests = ( { addr = \"198.51.100.11\"; port = 65536; } );"),
		 ":1: services[0].dests[0].port: expected an integer 0..65535, got 65536");
	load_err(SVC("dests = ( { addr = \"198.51.100.11\"; port = 53; weight = -1; } );"),
		 ":1: services[0].dests[0].weight: expected an integer 0..65535, got -1");
	load_err(SVC("dests = ( { addr = \"198.51.100.11\"; port = 53; weight = 65536; } );"),
		 ":1: services[0].dests[0].weight: expected an integer 0..65535, got 65536");
	load_err(SVC("dests = ( { addr = \"198.51.100.11\"; port = 53; u_threshold = true; } );"),
		 ":1: services[0].dests[0].u_threshold: expected an integer 0..1073741824, "
		 "got a boolean");
	load_err(SVC("dests = ( { addr = \"198.51.100.11\"; port = 53; l_threshold = 1073741825; } );"),
		 ":1: services[0].dests[0].l_threshold: expected an integer 0..1073741824, "
		 "got 1073741825");
}

static void
test_svc_rules(void **state)
{
	struct plb_conf *c;

	load_err("services = (\n  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80;\n"
		 "    ops = true; dests = (); }\n);\n",
		 ":3: services[0].ops: one-packet scheduling (ops) is for UDP services only");
	/* ops = false on TCP is fine */
	c = load_ok("services = ( { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80;\n"
		    "  ops = false; dests = (); } );\n");
	assert_int_equal(c->services[0].ops, 0);
	plb_conf_free(c);

	load_err(SVC("dests = (\n  { addr = \"198.51.100.11\"; port = 53;\n"
		     "    u_threshold = 5; l_threshold = 10; } );"),
		 ":2: services[0].dests[0]: l_threshold 10 is above u_threshold 5");
	/* equal, or only one of them set: fine */
	c = load_ok(SVC("dests = ( { addr = \"198.51.100.11\"; port = 53; u_threshold = 5; "
			"l_threshold = 5; }, { addr = \"198.51.100.12\"; port = 53; "
			"l_threshold = 10; }, { addr = \"198.51.100.13\"; port = 53; "
			"u_threshold = 10; } );"));
	assert_int_equal(c->services[0].n_dests, 3);
	assert_int_equal(c->services[0].dests[1].l_threshold, 10);
	assert_int_equal(c->services[0].dests[1].u_threshold, 0);
	plb_conf_free(c);

	load_err("services = (\n  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; dests = (); },\n"
		 "  { proto = \"udp\"; vip = \"192.0.2.100\"; port = 80; dests = (); },\n"
		 "  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; dests = (); }\n);\n",
		 ":4: services[2]: duplicate service (also services[0], line 2)");
	load_err(SVC("dests = (\n  { addr = \"198.51.100.11\"; port = 53; },\n"
		     "  { addr = \"198.51.100.12\"; port = 53; },\n"
		     "  { addr = \"198.51.100.12\"; port = 53; weight = 2; } );"),
		 ":4: services[0].dests[2]: duplicate dest (also dests[1], line 3)");
	/* port 0 is the service's port: a duplicate of port 53 */
	load_err(SVC("dests = (\n  { addr = \"198.51.100.11\"; port = 53; },\n"
		     "  { addr = \"198.51.100.11\"; port = 0; } );"),
		 ":3: services[0].dests[1]: duplicate dest (also dests[0], line 2)");
	/* same address, other port: two dests */
	c = load_ok(SVC("dests = ( { addr = \"198.51.100.11\"; port = 53; }, "
			"{ addr = \"198.51.100.11\"; port = 5353; } );"));
	assert_int_equal(c->services[0].n_dests, 2);
	plb_conf_free(c);

	load_err(SVC("laddrs = [ \"198.51.100.1\", \"198.51.100.2\",\n  \"198.51.100.1\" ]; " DESTS),
		 ":2: services[0].laddrs[2]: duplicate local address");
}

static void
test_svc_unknown_keys(void **state)
{
	load_err(SVC("\n  vips = \"192.0.2.1\"; " DESTS),
		 ":2: services[0].vips: unknown key (expected one of: proto, vip, port, scheduler, "
		 "sched_opts, fwd, laddrs, ops, expire_quiescent, dests)");
	load_err(SVC("dests = ( { addr = \"198.51.100.11\"; port = 53; },\n"
		     "  { addr = \"198.51.100.12\"; port = 53; wieght = 2; } );"),
		 ":2: services[0].dests[1].wieght: unknown key (expected one of: addr, port, "
		 "weight, u_threshold, l_threshold, down)");
}

/* routes need ports (the name) */
#define PORTS "ports = ( { name = \"p0\"; dev = \"a\"; }, { name = \"p1\"; dev = \"b\"; } );\n"

static void
test_routes(void **state)
{
	struct plb_conf *c = load_ok(
		PORTS							/* 1 */
		"routes = (\n"						/* 2 */
		"  { prefix = \"203.0.113.0/24\"; via = \"198.51.100.254\"; port = \"p1\"; },\n"
		"  { prefix = \"default\"; via = \"192.0.2.254\"; port = \"p0\"; },\n"
		"  { prefix = \"203.0.113.7/32\"; port = \"p0\"; },\n"	/* 5 */
		"  { prefix = \"10.0.0.0/8\"; port = \"p0\"; },\n"
		"  { prefix = \"203.0.113.0/25\"; port = \"p0\"; }\n"
		");\n");

	assert_int_equal(c->n_routes, 5);
	assert_int_equal(c->routes[0].prefix, ip("203.0.113.0"));
	assert_int_equal(c->routes[0].len, 24);
	assert_int_equal(c->routes[0].via, ip("198.51.100.254"));
	assert_string_equal(c->routes[0].port, "p1");
	assert_int_equal(c->routes[0].line, 3);
	assert_int_equal(c->routes[1].prefix, 0);
	assert_int_equal(c->routes[1].len, 0);
	assert_int_equal(c->routes[1].via, ip("192.0.2.254"));
	assert_string_equal(c->routes[1].port, "p0");
	assert_int_equal(c->routes[2].prefix, ip("203.0.113.7"));
	assert_int_equal(c->routes[2].len, 32);
	assert_int_equal(c->routes[2].via, 0);			/* connected */
	assert_int_equal(c->routes[2].line, 5);
	assert_int_equal(c->routes[3].prefix, ip("10.0.0.0"));
	assert_int_equal(c->routes[3].len, 8);
	assert_int_equal(c->routes[4].len, 25);
	plb_conf_free(c);

	c = load_ok(PORTS "routes = ( { prefix = \"0.0.0.0/0\"; via = \"192.0.2.254\"; port = \"p0\"; } );\n");
	assert_int_equal(c->n_routes, 1);
	assert_int_equal(c->routes[0].prefix, 0);
	assert_int_equal(c->routes[0].len, 0);
	plb_conf_free(c);
}

static void
test_route_errors(void **state)
{
	static const char pfx[] = "a prefix \"a.b.c.d/len\" (len 0..32, no host bits)";
	char msg[256];

	snprintf(msg, sizeof(msg), ":4: routes[0].prefix: expected %s, got \"203.0.113.1/24\"", pfx);
	load_err(PORTS "routes = (\n  { port = \"p0\";\n    prefix = \"203.0.113.1/24\"; } );\n", msg);
	snprintf(msg, sizeof(msg), ":2: routes[0].prefix: expected %s, got \"11.0.0.0/7\"", pfx);
	load_err(PORTS "routes = ( { prefix = \"11.0.0.0/7\"; port = \"p0\"; } );\n", msg);
	snprintf(msg, sizeof(msg), ":2: routes[0].prefix: expected %s, got \"203.0.113.0\"", pfx);
	load_err(PORTS "routes = ( { prefix = \"203.0.113.0\"; port = \"p0\"; } );\n", msg);
	snprintf(msg, sizeof(msg), ":2: routes[0].prefix: expected %s, got \"1.2.3.4/0\"", pfx);
	load_err(PORTS "routes = ( { prefix = \"1.2.3.4/0\"; port = \"p0\"; } );\n", msg);
	snprintf(msg, sizeof(msg), ":2: routes[0].prefix: expected %s, got \"203.0.113.0/33\"", pfx);
	load_err(PORTS "routes = ( { prefix = \"203.0.113.0/33\"; port = \"p0\"; } );\n", msg);
	snprintf(msg, sizeof(msg), ":2: routes[0].prefix: expected %s, got \"Default\"", pfx);
	load_err(PORTS "routes = ( { prefix = \"Default\"; port = \"p0\"; } );\n", msg);
	snprintf(msg, sizeof(msg), ":2: routes[0].prefix: expected %s, got an integer", pfx);
	load_err(PORTS "routes = ( { prefix = 0; port = \"p0\"; } );\n", msg);
	load_err(PORTS "routes = ( { prefix = \"default\"; via = \"gw\"; port = \"p0\"; } );\n",
		 ":2: routes[0].via: expected an IPv4 address such as \"192.0.2.100\", got \"gw\"");
	load_err(PORTS "routes = (\n  { prefix = \"default\"; via = \"192.0.2.254\"; } );\n",
		 ":3: routes[0]: missing key 'port' (the port the route leaves by)");
	load_err(PORTS "routes = ( { via = \"192.0.2.254\"; port = \"p0\"; } );\n",
		 ":2: routes[0]: missing key 'prefix' (the destination prefix \"a.b.c.d/len\")");
	load_err(PORTS "routes = ( { prefix = \"default\";\n  port = \"p9\"; } );\n",
		 ":3: routes[0].port: no port named \"p9\" in ports");
	load_err("routes = ( { prefix = \"default\"; port = \"p0\"; } );\n",
		 ":1: routes[0].port: no port named \"p0\" in ports");
	load_err(PORTS "routes = ( { prefix = \"default\"; port = 0; } );\n",
		 ":2: routes[0].port: expected a non-empty string of at most 31 bytes, got an integer");
	load_err(PORTS "routes = (\n  { prefix = \"203.0.113.0/24\"; port = \"p0\"; },\n"
		 "  { prefix = \"203.0.113.0/25\"; port = \"p0\"; },\n"
		 "  { prefix = \"203.0.113.0/24\"; via = \"192.0.2.9\"; port = \"p1\"; } );\n",
		 ":5: routes[2]: duplicate route (also routes[0], line 3)");
	/* "default" and "0.0.0.0/0" are the same prefix */
	load_err(PORTS "routes = (\n  { prefix = \"default\"; port = \"p0\"; },\n"
		 "  { prefix = \"0.0.0.0/0\"; port = \"p1\"; } );\n",
		 ":4: routes[1]: duplicate route (also routes[0], line 3)");
	load_err(PORTS "routes = ( { prefix = \"default\"; port = \"p0\"; dev = \"p0\"; } );\n",
		 ":2: routes[0].dev: unknown key (expected one of: prefix, via, port)");
	load_err(PORTS "routes = { prefix = \"default\"; };\n", ":2: routes: expected a list of "
		 "groups ( { prefix = ...; port = ...; }, ... ), got a group");
}

static void
test_conns(void **state)
{
	struct plb_conf *c = load_ok("conns = { per_worker = 64; tick_ms = 1; };\n");

	assert_int_equal(c->conns.per_worker, 64);
	assert_int_equal(c->conns.tick_ms, 1);
	plb_conf_free(c);
	c = load_ok("conns = { per_worker = 268435456; tick_ms = 10000; };\n");
	assert_int_equal(c->conns.per_worker, 268435456);
	assert_int_equal(c->conns.tick_ms, 10000);
	plb_conf_free(c);
	c = load_ok("conns = { tick_ms = 10; };\n");
	assert_int_equal(c->conns.per_worker, 65536);
	assert_int_equal(c->conns.tick_ms, 10);
	plb_conf_free(c);

	load_err("conns = {\n  per_worker = 63;\n};\n",
		 ":2: conns.per_worker: expected an integer 64..268435456, got 63");
	load_err("conns = { per_worker = 268435457; };\n",
		 ":1: conns.per_worker: expected an integer 64..268435456, got 268435457");
	load_err("conns = { tick_ms = 0; };\n",
		 ":1: conns.tick_ms: expected an integer 1..10000, got 0");
	load_err("conns = { tick_ms = 10001; };\n",
		 ":1: conns.tick_ms: expected an integer 1..10000, got 10001");
	load_err("conns = { tick_ms = \"10\"; };\n",
		 ":1: conns.tick_ms: expected an integer 1..10000, got a string");
	load_err("conns = { size = 1; };\n",
		 ":1: conns.size: unknown key (expected one of: per_worker, tick_ms)");
	load_err("conns = 5;\n", ":1: conns: expected a group { ... }, got an integer");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_services),
		cmocka_unit_test(test_svc_missing),
		cmocka_unit_test(test_svc_types),
		cmocka_unit_test(test_svc_rules),
		cmocka_unit_test(test_svc_unknown_keys),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_route_errors),
		cmocka_unit_test(test_conns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
