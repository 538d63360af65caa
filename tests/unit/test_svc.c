/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.svc tests (framework/src/svc.c) on a minimal EAL: a config with three
 * services (rr/fnat with laddrs, wlc/dr UDP with ops, wlc/dr TCP) parsed by
 * the real parser, published by plb_svc_start() with the real sched_* and
 * fwd_* modules from $PLB_BUILD/modules; then lookups, VIP flags, address
 * kinds (VIP, LADDR, none), and the start-up errors: unknown scheduler, fnat
 * without laddrs, a VIP that is an laddr and the reverse. Port addresses
 * (IFADDR) need ports and are left to the packet tests.
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

#include <plb/port.h>
#include <plb/svc.h>

#include "config.h"
#include "loader.h"
#include "registry.h"
#include "svc.h"

#include "modules_test.h"

static char modules_dir[256];

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/*
 * Parse "modules = { path = <build>/modules; };" + @text (so @text starts
 * on line 2) into *conf; returns the temporary file's path (unlinked).
 */
static char *
conf_from(const char *text, struct plb_conf **conf)
{
	char *path = strdup("/tmp/plb_test_svc_XXXXXX.conf"), *err = NULL;
	FILE *f;
	int fd;

	assert_non_null(path);
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "modules = { path = \"%s\"; };\n%s", modules_dir, text);
	fclose(f);
	if (plb_conf_load(path, conf, &err) != 0)
		fail_msg("config: %s", err ? err : "(no message)");
	unlink(path);
	return path;
}

static const struct plb_env *
env_of(const struct plb_conf *conf)
{
	static struct plb_env env;

	memset(&env, 0, sizeof(env));
	env.size = sizeof(env);
	env.n_workers = 1;
	env.socket_id = 0;
	env.conf_file = conf->file;
	return &env;
}

/* plb_svc_start on @text must fail with @code and "<file><msg>". */
static void
start_err(const char *text, int code, const char *msg)
{
	struct plb_conf *conf = NULL;
	char *path = conf_from(text, &conf), *err = NULL, *want;
	int rc = plb_svc_start(conf, env_of(conf), &err);

	if (rc == 0)
		fail_msg("plb_svc_start accepted: %s", text);
	assert_non_null(err);
	assert_true(asprintf(&want, "%s%s", path, msg) > 0);
	assert_string_equal(err, want);
	assert_int_equal(rc, code);
	/* nothing was published */
	assert_null(plb_svc_lookup(AF_INET, IPPROTO_TCP,
				   &(struct plb_addr){ .v4 = ip("192.0.2.100") }, htons(80)));
	assert_int_equal(plb_addr4_kind(ip("192.0.2.100"), NULL), PLB_ADDR_NONE);
	free(want);
	free(err);
	free(path);
	plb_conf_free(conf);
}

static int
group_setup(void **state)
{
	return modules_test_init("test_svc", modules_dir, sizeof(modules_dir));
}

static int
group_teardown(void **state)
{
	return modules_test_cleanup();
}

static int
rcu_setup(void **state)
{
	char *err = NULL;

	if (plb_rcu_init(1, &err) != 0) {
		print_error("plb_rcu_init: %s\n", err ? err : "(no message)");
		free(err);
		return -1;
	}
	return 0;
}

static int
svc_teardown(void **state)
{
	plb_svc_stop();		/* also frees the RCU state */
	return 0;
}

static const char services[] =
	"services = (\n"							/* 2 */
	"  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; scheduler = \"rr\"; fwd = \"fnat\";\n"
	"    laddrs = [ \"198.51.100.1\", \"198.51.100.2\" ];\n"
	"    dests = ( { addr = \"198.51.100.11\"; port = 8080; weight = 2; },\n"
	"              { addr = \"198.51.100.12\"; port = 8081; u_threshold = 10;\n"
	"                l_threshold = 5; } ); },\n"
	"  { proto = \"udp\"; vip = \"192.0.2.100\"; port = 53; scheduler = \"wlc\"; fwd = \"dr\";\n"
	"    ops = true; dests = ( { addr = \"198.51.100.21\"; port = 0; } ); },\n"
	"  { proto = \"tcp\"; vip = \"192.0.2.101\"; port = 443; fwd = \"dr\"; expire_quiescent = true;\n"
	"    dests = ( { addr = \"198.51.100.21\"; port = 443; weight = 0; } ); }\n"
	");\n";

static void
count_svc(const struct plb_svc *svc, void *arg)
{
	(*(int *)arg)++;
}

static void
test_start_lookup(void **state)
{
	struct plb_addr vip = { .v4 = ip("192.0.2.100") }, vip2 = { .v4 = ip("192.0.2.101") };
	struct plb_conf *conf = NULL;
	const struct plb_svc *s;
	char *path = conf_from(services, &conf), *err = NULL;
	uint16_t port = 7;
	int n = 0;

	if (plb_svc_start(conf, env_of(conf), &err) != 0)
		fail_msg("plb_svc_start: %s", err ? err : "(no message)");
	assert_null(err);

	s = plb_svc_lookup(AF_INET, IPPROTO_TCP, &vip, htons(80));
	assert_non_null(s);
	assert_int_equal(s->vaddr.v4, vip.v4);
	assert_int_equal(s->vport, htons(80));
	assert_int_equal(s->af, AF_INET);
	assert_int_equal(s->proto, IPPROTO_TCP);
	assert_int_equal(s->flags, 0);
	assert_string_equal(s->sched_name, "rr");
	assert_string_equal(s->fwd_name, "fnat");
	assert_ptr_equal(s->sched, plb_reg_sched_get("rr"));
	assert_ptr_equal(s->fwd, plb_reg_fwd_get("fnat"));
	assert_non_null(s->fwd_table);			/* fnat's build() ran */
	assert_non_null(s->stats);
	assert_non_null(s->sched_state);
	assert_int_equal(s->n_laddrs, 2);
	assert_int_equal(s->laddrs[0].v4, ip("198.51.100.1"));
	assert_int_equal(s->laddrs[1].v4, ip("198.51.100.2"));
	assert_int_equal(s->n_dests, 2);
	assert_int_equal(s->dests[0]->addr.v4, ip("198.51.100.11"));
	assert_int_equal(s->dests[0]->port, htons(8080));
	assert_int_equal(s->dests[0]->af, AF_INET);
	assert_int_equal(s->dests[0]->weight, 2);
	assert_int_equal(s->dests[0]->idx, 0);
	assert_int_equal(s->dests[0]->flags, 0);
	assert_non_null(s->dests[0]->stats);
	assert_int_equal(s->dests[1]->port, htons(8081));
	assert_int_equal(s->dests[1]->weight, 1);
	assert_int_equal(s->dests[1]->idx, 1);
	assert_int_equal(s->dests[1]->u_threshold, 10);
	assert_int_equal(s->dests[1]->l_threshold, 5);

	s = plb_svc_lookup(AF_INET, IPPROTO_UDP, &vip, htons(53));
	assert_non_null(s);
	assert_int_equal(s->proto, IPPROTO_UDP);
	assert_int_equal(s->flags, PLB_SVC_F_OPS);
	assert_string_equal(s->sched_name, "wlc");
	assert_string_equal(s->fwd_name, "dr");
	assert_ptr_equal(s->fwd, plb_reg_fwd_get("dr"));
	assert_int_equal(s->n_laddrs, 0);
	assert_int_equal(s->n_dests, 1);
	assert_int_equal(s->dests[0]->port, htons(53));	/* port 0: the service's */

	s = plb_svc_lookup(AF_INET, IPPROTO_TCP, &vip2, htons(443));
	assert_non_null(s);
	assert_int_equal(s->flags, PLB_SVC_F_EXPIRE_QUIESCENT);
	assert_string_equal(s->sched_name, "wlc");	/* the default */
	assert_int_equal(s->dests[0]->weight, 0);
	assert_int_equal(s->dests[0]->flags, PLB_DEST_F_EXPIRE_QUIESCENT);

	/* misses: other port, protocol, address, family */
	assert_null(plb_svc_lookup(AF_INET, IPPROTO_TCP, &vip, htons(81)));
	assert_null(plb_svc_lookup(AF_INET, IPPROTO_TCP, &vip, htons(53)));
	assert_null(plb_svc_lookup(AF_INET, IPPROTO_UDP, &vip, htons(80)));
	assert_null(plb_svc_lookup(AF_INET, IPPROTO_TCP, &vip2, htons(80)));
	assert_null(plb_svc_lookup(AF_INET, IPPROTO_TCP,
				   &(struct plb_addr){ .v4 = ip("192.0.2.102") }, htons(80)));
	assert_null(plb_svc_lookup(AF_INET6, IPPROTO_TCP, &vip, htons(80)));
	assert_null(plb_svc_lookup(AF_INET, IPPROTO_TCP, &(struct plb_addr){ .v4 = htons(80) },
				   vip.v4 & 0xffff));

	assert_int_equal(plb_vip4_flags(vip.v4), PLB_VIP_F_TCP | PLB_VIP_F_UDP);
	assert_int_equal(plb_vip4_flags(vip2.v4), PLB_VIP_F_TCP);
	assert_int_equal(plb_vip4_flags(ip("192.0.2.102")), 0);
	assert_int_equal(plb_vip4_flags(ip("198.51.100.1")), 0);	/* an laddr */
	assert_int_equal(plb_vip4_flags(ip("198.51.100.11")), 0);	/* a dest */

	assert_int_equal(plb_addr4_kind(vip.v4, &port), PLB_ADDR_VIP);
	assert_int_equal(plb_addr4_kind(vip2.v4, NULL), PLB_ADDR_VIP);
	assert_int_equal(plb_addr4_kind(ip("198.51.100.1"), &port), PLB_ADDR_LADDR);
	assert_int_equal(plb_addr4_kind(ip("198.51.100.2"), NULL), PLB_ADDR_LADDR);
	assert_int_equal(plb_addr4_kind(ip("198.51.100.11"), &port), PLB_ADDR_NONE);
	assert_int_equal(plb_addr4_kind(ip("203.0.113.1"), NULL), PLB_ADDR_NONE);

	plb_svc_foreach(count_svc, &n);
	assert_int_equal(n, 3);

	plb_svc_stop();
	assert_null(plb_svc_lookup(AF_INET, IPPROTO_TCP, &vip, htons(80)));
	assert_int_equal(plb_vip4_flags(vip.v4), 0);
	assert_int_equal(plb_addr4_kind(ip("198.51.100.1"), NULL), PLB_ADDR_NONE);
	n = 0;
	plb_svc_foreach(count_svc, &n);
	assert_int_equal(n, 0);
	rcu_setup(state);		/* for the teardown's plb_svc_stop */
	free(path);
	plb_conf_free(conf);
}

/* Two services sharing an laddr: one pool, no conflict. */
static void
test_shared_laddr(void **state)
{
	struct plb_conf *conf = NULL;
	char *path = conf_from(
		"services = (\n"
		"  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; scheduler = \"rr\";\n"
		"    laddrs = [ \"198.51.100.1\" ]; dests = (); },\n"
		"  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 8080; scheduler = \"rr\";\n"
		"    laddrs = [ \"198.51.100.1\" ]; dests = (); }\n"
		");\n", &conf), *err = NULL;

	if (plb_svc_start(conf, env_of(conf), &err) != 0)
		fail_msg("plb_svc_start: %s", err ? err : "(no message)");
	assert_int_equal(plb_addr4_kind(ip("198.51.100.1"), NULL), PLB_ADDR_LADDR);
	assert_int_equal(plb_vip4_flags(ip("192.0.2.100")), PLB_VIP_F_TCP);
	free(path);
	plb_conf_free(conf);
}

static void
test_start_errors(void **state)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), ":3: services[0].scheduler: %s/sched_nosuch.so: cannot load: "
		 "No such file or directory", modules_dir);
	start_err("services = (\n"
		  "  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; scheduler = \"nosuch\";\n"
		  "    laddrs = [ \"198.51.100.1\" ]; dests = (); } );\n", -EINVAL, msg);
	snprintf(msg, sizeof(msg), ":2: services[0].fwd: %s/fwd_nosuch.so: cannot load: "
		 "No such file or directory", modules_dir);
	start_err("services = ( { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80;\n"
		  "  fwd = \"nosuch\"; dests = (); } );\n", -EINVAL, msg);
	start_err("services = (\n"
		  "  { proto = \"udp\"; vip = \"192.0.2.100\"; port = 53; fwd = \"dr\"; dests = (); },\n"
		  "  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; scheduler = \"rr\";\n"
		  "    dests = ( { addr = \"198.51.100.11\"; port = 80; } ); } );\n",
		  -EINVAL, ":4: services[1] 192.0.2.100:80/tcp: fnat: needs laddrs (local addresses towards "
		  "the real servers, e.g. laddrs = [ \"198.51.100.1\" ])");
	start_err("services = (\n"
		  "  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; scheduler = \"rr\";\n"
		  "    laddrs = [ \"198.51.100.1\" ]; dests = (); },\n"
		  "  { proto = \"udp\"; vip = \"198.51.100.1\"; port = 53; fwd = \"dr\"; dests = (); } );\n",
		  -EEXIST, ":5: services[1].vip: the address is also a port address or an FNAT local address");
	start_err("services = (\n"
		  "  { proto = \"udp\"; vip = \"198.51.100.1\"; port = 53; fwd = \"dr\"; dests = (); },\n"
		  "  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; scheduler = \"rr\";\n"
		  "    laddrs = [ \"198.51.100.2\", \"198.51.100.1\" ]; dests = (); } );\n",
		  -EEXIST, ":4: services[1].laddrs[1]: the address is also a VIP");
	/* a service's own VIP as its laddr */
	start_err("services = (\n"
		  "  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; scheduler = \"rr\";\n"
		  "    laddrs = [ \"192.0.2.100\" ]; dests = (); } );\n",
		  -EEXIST, ":3: services[0].laddrs[0]: the address is also a VIP");
	/*
	 * scheduler options are the scheduler's: rr takes none. Its own
	 * message already names file, line and key; the core adds the service.
	 */
	struct plb_conf *conf = NULL;
	char *path = conf_from("services = ( { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80;\n"
			       "  scheduler = \"rr\"; fwd = \"dr\"; sched_opts = { colour = 1; };\n"
			       "  dests = (); } );\n", &conf), *err = NULL;

	assert_int_equal(plb_svc_start(conf, env_of(conf), &err), -EINVAL);
	assert_non_null(err);
	snprintf(msg, sizeof(msg), "%s:2: services[0] 192.0.2.100:80/tcp: scheduler rr: ", path);
	assert_int_equal(strncmp(err, msg, strlen(msg)), 0);
	snprintf(msg, sizeof(msg), "%s:3: services[0].sched_opts.colour: unknown key "
		 "(this group takes no keys)", path);
	assert_non_null(strstr(err, msg));
	free(err);
	free(path);
	plb_conf_free(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_lookup, rcu_setup, svc_teardown),
		cmocka_unit_test_setup_teardown(test_shared_laddr, rcu_setup, svc_teardown),
		cmocka_unit_test_setup_teardown(test_start_errors, rcu_setup, svc_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
