/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.acl tests (framework/src/acl.c, ctl_acl.c) on a minimal EAL with two
 * real services (tcp 192.0.2.100:80 and udp 192.0.2.100:53, rr/dr): check
 * before init, add/del/set, nested and adjacent prefixes on both matcher
 * forms (plain and indexed) and against a brute-force model, allow-list
 * semantics, global before service, refusals counted on the list that
 * refused, every refusal message with nothing changed, the acl.* control
 * commands, and 100k random prefixes compiled (time printed, not asserted).
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

#include <plb/acl.h>
#include <plb/svc.h>

#include "acl.h"
#include "config.h"
#include "ctl.h"
#include "loader.h"
#include "registry.h"
#include "svc.h"

#include "eal_test.h"

static char modules_dir[256];
static struct plb_conf *conf;
static const struct plb_svc *svc_tcp, *svc_udp;
static const struct plb_acl_scope GLOBAL = { .svc = 0 };
static struct plb_acl_scope scope_tcp, scope_udp;

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static struct plb_ifaddr4
pfx(const char *s)
{
	char buf[32], *slash;
	struct plb_ifaddr4 p;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	assert_non_null(slash);
	*slash = '\0';
	p.addr = ip(buf);
	p.prefix_len = (uint8_t)atoi(slash + 1);
	return p;
}

#define PFX(...) ((const char *[]){ __VA_ARGS__, NULL })

/* plb_acl_<op> with the prefixes in @list; returns its code, *err kept for the caller. */
static int
acl_op(int (*fn)(const struct plb_acl_scope *, enum plb_acl_list, const struct plb_ifaddr4 *,
		 uint32_t, char **),
       const struct plb_acl_scope *sc, enum plb_acl_list l, const char **list, char **err)
{
	struct plb_ifaddr4 p[64];
	uint32_t n = 0;

	while (list && list[n]) {
		p[n] = pfx(list[n]);
		n++;
	}
	return fn(sc, l, p, n, err);
}

static void
ok(int (*fn)(const struct plb_acl_scope *, enum plb_acl_list, const struct plb_ifaddr4 *,
	     uint32_t, char **),
   const struct plb_acl_scope *sc, enum plb_acl_list l, const char **list)
{
	char *err = NULL;

	if (acl_op(fn, sc, l, list, &err) != 0)
		fail_msg("acl: %s", err ? err : "(no message)");
	assert_null(err);
}

static enum plb_acl_verdict
chk(const char *addr, const struct plb_svc *svc)
{
	return plb_acl4_check(ip(addr), svc);
}

static const char services[] =
	"services = (\n"
	"  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; scheduler = \"rr\"; fwd = \"dr\";\n"
	"    dests = ( { addr = \"198.51.100.11\"; port = 80; } ); },\n"
	"  { proto = \"udp\"; vip = \"192.0.2.100\"; port = 53; scheduler = \"rr\"; fwd = \"dr\";\n"
	"    dests = ( { addr = \"198.51.100.11\"; port = 53; } ); }\n"
	");\n";

static int
group_setup(void **state)
{
	const char *build = getenv("PLB_BUILD");
	char path[] = "/tmp/plb_test_acl_XXXXXX.conf", *err = NULL;
	struct plb_env env = { .size = sizeof(env), .n_workers = 1, .socket_id = 0 };
	struct plb_addr vip;
	FILE *f;
	int fd;

	snprintf(modules_dir, sizeof(modules_dir), "%s/modules", build && *build ? build : "build");
	if (eal_test_init("test_acl") != 0)
		return -1;
	fd = mkstemps(path, 5);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	fprintf(f, "modules = { path = \"%s\"; };\n%s", modules_dir, services);
	fclose(f);
	if (plb_conf_load(path, &conf, &err) != 0) {
		print_error("config: %s\n", err ? err : "(no message)");
		return -1;
	}
	unlink(path);
	env.conf_file = conf->file;
	if (plb_rcu_init(1, &err) != 0 || plb_svc_start(conf, &env, &err) != 0) {
		print_error("start: %s\n", err ? err : "(no message)");
		return -1;
	}
	inet_pton(AF_INET, "192.0.2.100", &vip.v4);
	svc_tcp = plb_svc_lookup(AF_INET, IPPROTO_TCP, &vip, htons(80));
	svc_udp = plb_svc_lookup(AF_INET, IPPROTO_UDP, &vip, htons(53));
	if (svc_tcp == NULL || svc_udp == NULL)
		return -1;
	scope_tcp = (struct plb_acl_scope){ .svc = 1, .proto = IPPROTO_TCP, .vip = vip.v4, .port = 80 };
	scope_udp = (struct plb_acl_scope){ .svc = 1, .proto = IPPROTO_UDP, .vip = vip.v4, .port = 53 };
	return 0;
}

static int
group_teardown(void **state)
{
	plb_acl_fini();
	plb_svc_stop();		/* frees the RCU state: after plb_acl_fini() */
	plb_conf_free(conf);
	plb_loader_unload_all();
	plb_reg_reset();
	eal_test_cleanup();
	return 0;
}

static int
acl_setup(void **state)
{
	char *err = NULL;

	plb_acl_set_limit(0);
	if (plb_acl_init(1, &err) != 0) {
		print_error("plb_acl_init: %s\n", err ? err : "(no message)");
		return -1;
	}
	return 0;
}

static int
acl_teardown(void **state)
{
	plb_acl_fini();
	return 0;
}

/* Before plb_acl_init (and after fini): everything passes, changes are refused. */
static void
test_before_init(void **state)
{
	char *err = NULL;

	assert_int_equal(chk("203.0.113.1", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("203.0.113.1", svc_tcp), PLB_ACL_PASS);
	assert_int_equal(acl_op(plb_acl_add, &GLOBAL, PLB_ACL_LIST_DENY, PFX("203.0.113.0/24"), &err),
			 -EAGAIN);
	assert_string_equal(err, "access lists are not set up");
	free(err);
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), 0);
	assert_int_equal(plb_acl_hits(&GLOBAL, PLB_ACL_LIST_DENY), 0);
}

static void
test_add_del_set(void **state)
{
	struct plb_ifaddr4 *p;
	uint32_t n;

	ok(plb_acl_add, &GLOBAL, PLB_ACL_LIST_DENY,
	   PFX("203.0.113.0/24", "198.51.100.7/32", "203.0.113.0/24"));
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), 2);	/* duplicate merged */
	ok(plb_acl_add, &GLOBAL, PLB_ACL_LIST_DENY, PFX("198.51.100.7/32"));	/* already there */
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), 2);
	assert_int_equal(chk("203.0.113.9", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("203.0.113.0", svc_tcp), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("203.0.113.255", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("198.51.100.7", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("198.51.100.8", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("203.0.114.0", NULL), PLB_ACL_PASS);

	assert_int_equal(plb_acl_prefixes(&GLOBAL, PLB_ACL_LIST_DENY, &p, &n), 0);
	assert_int_equal(n, 2);		/* sorted by address */
	assert_int_equal(p[0].addr, ip("198.51.100.7"));
	assert_int_equal(p[0].prefix_len, 32);
	assert_int_equal(p[1].addr, ip("203.0.113.0"));
	assert_int_equal(p[1].prefix_len, 24);
	free(p);

	/* del: absent prefixes ignored; a /25 is not the /24 */
	ok(plb_acl_del, &GLOBAL, PLB_ACL_LIST_DENY, PFX("203.0.113.0/24", "192.0.2.0/24", "198.51.100.0/25"));
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), 1);
	assert_int_equal(chk("203.0.113.9", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("198.51.100.7", NULL), PLB_ACL_GLOBAL_DENY);

	/* set replaces */
	ok(plb_acl_set, &GLOBAL, PLB_ACL_LIST_DENY, PFX("192.0.2.0/25"));
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), 1);
	assert_int_equal(chk("198.51.100.7", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("192.0.2.127", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("192.0.2.128", NULL), PLB_ACL_PASS);
	/* the deny list is not the allow list */
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_ALLOW), 0);

	/* set to nothing clears */
	ok(plb_acl_set, &GLOBAL, PLB_ACL_LIST_DENY, NULL);
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), 0);
	assert_int_equal(chk("192.0.2.1", NULL), PLB_ACL_PASS);
}

/* Nested and adjacent prefixes; run on a short list and on one long enough for the index. */
static void
nested(int pad)
{
	struct plb_ifaddr4 filler[200];
	char *err = NULL;

	for (int i = 0; i < pad; i++) {		/* /32s in 100.64.0.0/16, none adjacent */
		filler[i].addr = htonl(0x64400000u + (uint32_t)i * 2);
		filler[i].prefix_len = 32;
	}
	if (pad && plb_acl_add(&GLOBAL, PLB_ACL_LIST_DENY, filler, pad, &err) != 0)
		fail_msg("filler: %s", err);
	ok(plb_acl_add, &GLOBAL, PLB_ACL_LIST_DENY, PFX("198.18.0.0/15", "198.18.5.0/24", "198.18.5.7/32"));
	assert_int_equal(chk("198.17.255.255", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("198.18.0.0", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("198.19.255.255", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("198.20.0.0", NULL), PLB_ACL_PASS);
	/* removing the /15 leaves the /24 inside it in force */
	ok(plb_acl_del, &GLOBAL, PLB_ACL_LIST_DENY, PFX("198.18.0.0/15"));
	assert_int_equal(chk("198.18.4.255", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("198.18.5.0", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("198.18.5.255", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("198.18.6.0", NULL), PLB_ACL_PASS);
	/* and removing the /24 leaves the /32 */
	ok(plb_acl_del, &GLOBAL, PLB_ACL_LIST_DENY, PFX("198.18.5.0/24"));
	assert_int_equal(chk("198.18.5.6", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("198.18.5.7", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("198.18.5.8", NULL), PLB_ACL_PASS);
	/* adjacent halves merge into one range; deleting one half splits it again */
	ok(plb_acl_add, &GLOBAL, PLB_ACL_LIST_DENY, PFX("203.0.113.0/25", "203.0.113.128/25"));
	assert_int_equal(chk("203.0.113.127", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("203.0.113.128", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("203.0.114.0", NULL), PLB_ACL_PASS);
	ok(plb_acl_del, &GLOBAL, PLB_ACL_LIST_DENY, PFX("203.0.113.0/25"));
	assert_int_equal(chk("203.0.113.127", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("203.0.113.128", NULL), PLB_ACL_GLOBAL_DENY);
	/* the edges of the address space */
	ok(plb_acl_add, &GLOBAL, PLB_ACL_LIST_DENY, PFX("255.255.255.255/32", "0.0.0.0/32"));
	assert_int_equal(chk("255.255.255.255", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("255.255.255.254", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("0.0.0.0", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("0.0.0.1", NULL), PLB_ACL_PASS);
	if (pad) {
		assert_int_equal(chk("100.64.0.2", NULL), PLB_ACL_GLOBAL_DENY);
		assert_int_equal(chk("100.64.0.3", NULL), PLB_ACL_PASS);
	}
	ok(plb_acl_add, &GLOBAL, PLB_ACL_LIST_DENY, PFX("0.0.0.0/0"));
	assert_int_equal(chk("1.2.3.4", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), (uint32_t)pad + 5);
}

static void test_nested_plain(void **state) { nested(0); }
static void test_nested_indexed(void **state) { nested(200); }

/* Random lists against a brute-force model, both matcher forms. */
static void
test_random_model(void **state)
{
	static const uint32_t sizes[] = { 10, 3000 };
	struct plb_ifaddr4 *p = malloc(3000 * sizeof(*p));
	char *err = NULL;

	assert_non_null(p);
	srand(7);
	for (int s = 0; s < 2; s++) {
		uint32_t n = sizes[s];

		for (uint32_t i = 0; i < n; i++) {
			uint32_t len = 8 + (uint32_t)rand() % 25;
			uint32_t a = (uint32_t)rand() << 1 ^ (uint32_t)rand();

			a = (a & 0x0fffffffu) | 0xc0000000u;	/* crowd them into 192/4 */
			p[i].prefix_len = (uint8_t)len;
			p[i].addr = htonl(a & (0xffffffffu << (32 - len)));
		}
		if (plb_acl_set(&GLOBAL, PLB_ACL_LIST_DENY, p, n, &err) != 0)
			fail_msg("set: %s", err);
		for (int t = 0; t < 50000; t++) {
			uint32_t x = (uint32_t)rand() << 1 ^ (uint32_t)rand(), in = 0;

			if (t & 1)	/* half near a prefix edge */
				x = ntohl(p[t % n].addr) + (uint32_t)(t % 3) - 1;
			for (uint32_t i = 0; i < n && !in; i++) {
				uint32_t mask = 0xffffffffu << (32 - p[i].prefix_len);

				in = (x & mask) == ntohl(p[i].addr);
			}
			if ((plb_acl4_check(htonl(x), NULL) == PLB_ACL_GLOBAL_DENY) != (int)in)
				fail_msg("n=%u: %08x: matcher says %d, model %u", n, x, !in, in);
		}
	}
	free(p);
}

static void
test_allow(void **state)
{
	ok(plb_acl_set, &GLOBAL, PLB_ACL_LIST_ALLOW, PFX("203.0.113.0/24", "192.0.2.64/26"));
	assert_int_equal(chk("203.0.113.5", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("192.0.2.64", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("192.0.2.63", NULL), PLB_ACL_GLOBAL_ALLOW);
	assert_int_equal(chk("198.51.100.1", svc_tcp), PLB_ACL_GLOBAL_ALLOW);
	/* deny wins over allow */
	ok(plb_acl_add, &GLOBAL, PLB_ACL_LIST_DENY, PFX("203.0.113.5/32"));
	assert_int_equal(chk("203.0.113.5", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("203.0.113.6", NULL), PLB_ACL_PASS);
	/* an emptied allow list restricts nothing */
	ok(plb_acl_set, &GLOBAL, PLB_ACL_LIST_ALLOW, NULL);
	assert_int_equal(chk("198.51.100.1", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("203.0.113.5", NULL), PLB_ACL_GLOBAL_DENY);
}

static void
test_service_lists(void **state)
{
	ok(plb_acl_add, &scope_tcp, PLB_ACL_LIST_DENY, PFX("198.51.100.0/24"));
	assert_int_equal(plb_acl_size(&scope_tcp, PLB_ACL_LIST_DENY), 1);
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), 0);
	assert_int_equal(plb_acl_size(&scope_udp, PLB_ACL_LIST_DENY), 0);
	assert_int_equal(chk("198.51.100.1", svc_tcp), PLB_ACL_SVC_DENY);
	assert_int_equal(chk("198.51.100.1", NULL), PLB_ACL_PASS);
	assert_int_equal(chk("198.51.100.1", svc_udp), PLB_ACL_PASS);
	assert_int_equal(chk("198.51.101.1", svc_tcp), PLB_ACL_PASS);

	/* the UDP service only takes 203.0.113.0/24 */
	ok(plb_acl_set, &scope_udp, PLB_ACL_LIST_ALLOW, PFX("203.0.113.0/24"));
	assert_int_equal(chk("198.51.101.1", svc_udp), PLB_ACL_SVC_ALLOW);
	assert_int_equal(chk("203.0.113.1", svc_udp), PLB_ACL_PASS);
	assert_int_equal(chk("198.51.101.1", svc_tcp), PLB_ACL_PASS);

	/* global lists come first */
	ok(plb_acl_add, &GLOBAL, PLB_ACL_LIST_DENY, PFX("198.51.100.1/32"));
	assert_int_equal(chk("198.51.100.1", svc_tcp), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("198.51.100.2", svc_tcp), PLB_ACL_SVC_DENY);
	ok(plb_acl_set, &GLOBAL, PLB_ACL_LIST_ALLOW, PFX("198.51.100.0/24"));
	assert_int_equal(chk("203.0.113.1", svc_udp), PLB_ACL_GLOBAL_ALLOW);
	assert_int_equal(chk("198.51.100.3", svc_udp), PLB_ACL_SVC_ALLOW);

	/* clearing the service's lists */
	ok(plb_acl_set, &scope_tcp, PLB_ACL_LIST_DENY, NULL);
	ok(plb_acl_del, &scope_udp, PLB_ACL_LIST_ALLOW, PFX("203.0.113.0/24"));
	assert_int_equal(chk("198.51.100.2", svc_tcp), PLB_ACL_PASS);
	assert_int_equal(chk("198.51.100.3", svc_udp), PLB_ACL_PASS);
}

static void
test_hits(void **state)
{
	ok(plb_acl_set, &GLOBAL, PLB_ACL_LIST_DENY, PFX("198.51.100.1/32"));
	ok(plb_acl_set, &GLOBAL, PLB_ACL_LIST_ALLOW, PFX("198.51.100.0/24"));
	ok(plb_acl_set, &scope_tcp, PLB_ACL_LIST_DENY, PFX("198.51.100.2/32"));
	ok(plb_acl_set, &scope_tcp, PLB_ACL_LIST_ALLOW, PFX("198.51.100.0/25"));
	for (int i = 0; i < 3; i++)
		assert_int_equal(chk("198.51.100.1", svc_tcp), PLB_ACL_GLOBAL_DENY);
	for (int i = 0; i < 5; i++)
		assert_int_equal(chk("203.0.113.1", svc_tcp), PLB_ACL_GLOBAL_ALLOW);
	for (int i = 0; i < 7; i++)
		assert_int_equal(chk("198.51.100.2", svc_tcp), PLB_ACL_SVC_DENY);
	for (int i = 0; i < 11; i++)
		assert_int_equal(chk("198.51.100.200", svc_tcp), PLB_ACL_SVC_ALLOW);
	for (int i = 0; i < 13; i++)
		assert_int_equal(chk("198.51.100.3", svc_tcp), PLB_ACL_PASS);
	assert_int_equal(plb_acl_hits(&GLOBAL, PLB_ACL_LIST_DENY), 3);
	assert_int_equal(plb_acl_hits(&GLOBAL, PLB_ACL_LIST_ALLOW), 5);
	assert_int_equal(plb_acl_hits(&scope_tcp, PLB_ACL_LIST_DENY), 7);
	assert_int_equal(plb_acl_hits(&scope_tcp, PLB_ACL_LIST_ALLOW), 11);
	assert_int_equal(plb_acl_hits(&scope_udp, PLB_ACL_LIST_DENY), 0);
	/* counts survive list changes */
	ok(plb_acl_add, &GLOBAL, PLB_ACL_LIST_DENY, PFX("192.0.2.0/24"));
	ok(plb_acl_add, &scope_tcp, PLB_ACL_LIST_DENY, PFX("192.0.2.0/24"));
	assert_int_equal(plb_acl_hits(&GLOBAL, PLB_ACL_LIST_DENY), 3);
	assert_int_equal(plb_acl_hits(&scope_tcp, PLB_ACL_LIST_DENY), 7);
}

/* A refused change returns its message and leaves the list as it was. */
static void
refused(int (*fn)(const struct plb_acl_scope *, enum plb_acl_list, const struct plb_ifaddr4 *,
		  uint32_t, char **),
	const struct plb_acl_scope *sc, const char **list, int code, const char *msg)
{
	char *err = NULL;

	assert_int_equal(acl_op(fn, sc, PLB_ACL_LIST_DENY, list, &err), code);
	assert_non_null(err);
	assert_string_equal(err, msg);
	free(err);
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), 2);
	assert_int_equal(chk("203.0.113.1", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("198.51.100.1", NULL), PLB_ACL_GLOBAL_DENY);
	assert_int_equal(chk("192.0.2.1", NULL), PLB_ACL_PASS);
}

static void
test_refusals(void **state)
{
	struct plb_acl_scope other = scope_tcp, bad = scope_tcp;
	struct plb_ifaddr4 p = { .addr = ip("192.0.2.0"), .prefix_len = 33 };
	char *err = NULL;

	ok(plb_acl_set, &GLOBAL, PLB_ACL_LIST_DENY, PFX("203.0.113.0/24", "198.51.100.1/32"));
	refused(plb_acl_add, &GLOBAL, PFX("192.0.2.0/24", "192.0.2.1/24"), -EINVAL,
		"prefixes[1]: 192.0.2.1/24 has host bits set (the prefix is 192.0.2.0/24)");
	refused(plb_acl_set, &GLOBAL, PFX("192.0.2.0/24", "198.51.100.128/0"), -EINVAL,
		"prefixes[1]: 198.51.100.128/0 has host bits set (the prefix is 0.0.0.0/0)");
	refused(plb_acl_del, &GLOBAL, PFX("203.0.113.0/24", "203.0.113.0/23"), -EINVAL,
		"prefixes[1]: 203.0.113.0/23 has host bits set (the prefix is 203.0.112.0/23)");
	assert_int_equal(plb_acl_add(&GLOBAL, PLB_ACL_LIST_DENY, &p, 1, &err), -EINVAL);
	assert_string_equal(err, "prefixes[0]: prefix length 33 is out of range 0..32");
	free(err);
	err = NULL;
	other.port = 81;
	assert_int_equal(acl_op(plb_acl_add, &other, PLB_ACL_LIST_DENY, PFX("192.0.2.0/24"), &err), -ENOENT);
	assert_string_equal(err, "no service 192.0.2.100:81/tcp");
	free(err);
	err = NULL;
	assert_int_equal(acl_op(plb_acl_del, &other, PLB_ACL_LIST_DENY, PFX("192.0.2.0/24"), &err), -ENOENT);
	free(err);
	err = NULL;
	bad.proto = IPPROTO_ICMP;
	assert_int_equal(acl_op(plb_acl_add, &bad, PLB_ACL_LIST_DENY, PFX("192.0.2.0/24"), &err), -EINVAL);
	assert_string_equal(err, "service: protocol 1 is neither TCP nor UDP");
	free(err);
	err = NULL;
	plb_acl_set_limit(3);
	refused(plb_acl_add, &GLOBAL, PFX("192.0.2.0/24", "192.0.2.0/25"), -ENOSPC,
		"the deny list would hold 4 prefixes, more than the limit of 3");
	refused(plb_acl_set, &GLOBAL, PFX("192.0.2.0/24", "192.0.2.0/25", "192.0.2.0/26", "192.0.2.0/27"),
		-ENOSPC, "the deny list would hold 4 prefixes, more than the limit of 3");
	ok(plb_acl_add, &GLOBAL, PLB_ACL_LIST_DENY, PFX("192.0.2.0/24", "203.0.113.0/24"));
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), 3);
	assert_int_equal(chk("192.0.2.1", NULL), PLB_ACL_GLOBAL_DENY);
}

/* One control request; returns the response (caller decrefs). */
static json_t *
ctl(const char *text)
{
	json_error_t jerr;
	json_t *req = json_loads(text, 0, &jerr), *res;

	if (req == NULL)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	res = plb_ctl_handle(req);
	json_decref(req);
	assert_non_null(res);
	return res;
}

static void
ctl_err(const char *text, const char *msg)
{
	json_t *res = ctl(text);
	json_t *e = json_object_get(res, "error");

	assert_true(json_is_false(json_object_get(res, "ok")));
	if (!json_is_string(e) || strcmp(json_string_value(e), msg) != 0)
		fail_msg("%s:\n  got  %s\n  want %s", text, json_is_string(e) ? json_string_value(e) : "?", msg);
	json_decref(res);
}

static void
test_ctl(void **state)
{
	json_t *res, *r, *g, *s;
	char *dump;

	res = ctl("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[\"203.0.113.0/24\",\"198.51.100.7\"]}");
	assert_true(json_is_true(json_object_get(res, "ok")));
	r = json_object_get(res, "result");
	assert_int_equal(json_integer_value(json_object_get(r, "size")), 2);
	assert_true(json_is_null(json_object_get(r, "service")));
	json_decref(res);
	assert_int_equal(chk("198.51.100.7", NULL), PLB_ACL_GLOBAL_DENY);

	res = ctl("{\"v\":1,\"cmd\":\"acl.set\",\"list\":\"allow\",\"service\":{\"proto\":\"udp\","
		  "\"vip\":\"192.0.2.100\",\"port\":53},\"prefixes\":[\"192.0.2.0/24\"]}");
	assert_true(json_is_true(json_object_get(res, "ok")));
	json_decref(res);
	assert_int_equal(chk("198.51.100.9", svc_udp), PLB_ACL_SVC_ALLOW);
	assert_int_equal(chk("198.51.100.7", NULL), PLB_ACL_GLOBAL_DENY);

	res = ctl("{\"v\":1,\"cmd\":\"acl.list\"}");
	r = json_object_get(res, "result");
	assert_int_equal(json_array_size(r), 2);
	g = json_array_get(r, 0);
	s = json_array_get(r, 1);
	dump = json_dumps(g, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(dump, "{\"allow\":{\"hits\":0,\"prefixes\":[],\"size\":0},\"deny\":{\"hits\":2,"
			    "\"prefixes\":[\"198.51.100.7/32\",\"203.0.113.0/24\"],\"size\":2},\"service\":null}");
	free(dump);
	dump = json_dumps(s, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(dump, "{\"allow\":{\"hits\":1,\"prefixes\":[\"192.0.2.0/24\"],\"size\":1},"
			    "\"deny\":{\"hits\":0,\"prefixes\":[],\"size\":0},\"service\":{\"port\":53,"
			    "\"proto\":\"udp\",\"vip\":\"192.0.2.100\"}}");
	free(dump);
	json_decref(res);

	res = ctl("{\"v\":1,\"cmd\":\"acl.list\",\"list\":\"deny\",\"brief\":true,\"service\":"
		  "{\"proto\":\"tcp\",\"vip\":\"192.0.2.100\",\"port\":80}}");
	dump = json_dumps(json_object_get(res, "result"), JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(dump, "[{\"deny\":{\"hits\":0,\"size\":0},\"service\":{\"port\":80,"
			    "\"proto\":\"tcp\",\"vip\":\"192.0.2.100\"}}]");
	free(dump);
	json_decref(res);

	res = ctl("{\"v\":1,\"cmd\":\"acl.del\",\"list\":\"deny\",\"prefixes\":[\"203.0.113.0/24\"]}");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "result"), "size")), 1);
	json_decref(res);

	/* refusals: each names what is wrong, nothing changes */
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"prefixes\":[]}",
		"acl.add: missing \"list\" (\"deny\" or \"allow\")");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"block\",\"prefixes\":[]}",
		"acl.add: \"list\" must be \"deny\" or \"allow\"");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\"}",
		"acl.add: missing \"prefixes\" (an array such as [\"203.0.113.0/24\"])");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":\"203.0.113.0/24\"}",
		"acl.add: \"prefixes\" must be an array such as [\"203.0.113.0/24\"]");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[\"192.0.2.0/24\",7]}",
		"acl.add: prefixes[1] must be a string such as \"203.0.113.0/24\"");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[\"192.0.2.0/24\",\"192.0.2.0/33\"]}",
		"acl.add: prefixes[1]: prefix length 33 is out of range 0..32");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[\"192.0.2.300/24\"]}",
		"acl.add: prefixes[0]: \"192.0.2.300/24\" is not an IPv4 prefix such as \"203.0.113.0/24\"");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[\"192.0.2.0/\"]}",
		"acl.add: prefixes[0]: \"192.0.2.0/\" is not an IPv4 prefix such as \"203.0.113.0/24\"");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[\"2001:db8::/32\"]}",
		"acl.add: prefixes[0]: \"2001:db8::/32\": IPv6 is not supported yet");
	ctl_err("{\"v\":1,\"cmd\":\"acl.set\",\"list\":\"deny\",\"prefixes\":[\"192.0.2.1/24\"]}",
		"acl.set: prefixes[0]: 192.0.2.1/24 has host bits set (the prefix is 192.0.2.0/24)");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[],\"svc\":1}",
		"acl.add: unknown argument \"svc\" (expected one of: list, service, prefixes)");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[],\"service\":\"web\"}",
		"acl.add: \"service\" must be an object {\"proto\", \"vip\", \"port\"}");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[],\"service\":"
		"{\"proto\":\"sctp\",\"vip\":\"192.0.2.100\",\"port\":80}}",
		"acl.add: service: \"proto\" must be \"tcp\" or \"udp\"");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[],\"service\":"
		"{\"proto\":\"tcp\",\"vip\":\"192.0.2\",\"port\":80}}",
		"acl.add: service: \"vip\" must be an IPv4 address such as \"192.0.2.100\"");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[],\"service\":"
		"{\"proto\":\"tcp\",\"vip\":\"192.0.2.100\",\"port\":0}}",
		"acl.add: service: \"port\" must be an integer 1..65535");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[],\"service\":"
		"{\"proto\":\"tcp\",\"vip\":\"192.0.2.100\",\"port\":80,\"weight\":1}}",
		"acl.add: service: unknown key \"weight\" (expected proto, vip, port)");
	ctl_err("{\"v\":1,\"cmd\":\"acl.add\",\"list\":\"deny\",\"prefixes\":[\"192.0.2.0/24\"],\"service\":"
		"{\"proto\":\"tcp\",\"vip\":\"192.0.2.100\",\"port\":8080}}",
		"acl.add: no service 192.0.2.100:8080/tcp");
	ctl_err("{\"v\":1,\"cmd\":\"acl.list\",\"service\":{\"proto\":\"tcp\",\"vip\":\"192.0.2.100\",\"port\":8080}}",
		"acl.list: no service 192.0.2.100:8080/tcp");
	ctl_err("{\"v\":1,\"cmd\":\"acl.list\",\"brief\":1}", "acl.list: \"brief\" must be true or false");
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), 1);
	assert_int_equal(plb_acl_size(&scope_udp, PLB_ACL_LIST_ALLOW), 1);
}

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* 100k random prefixes: 60% /32, 30% /24, 10% /16../31. The time is printed, not asserted. */
static void
test_100k(void **state)
{
	const uint32_t n = 100000, probes = 2000000;
	struct plb_ifaddr4 *p = malloc(n * sizeof(*p));
	uint32_t *addrs = malloc(probes * sizeof(*addrs)), denied = 0;
	char *err = NULL;
	double t0, t1, t2;

	assert_non_null(p);
	assert_non_null(addrs);
	srand(42);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = (uint32_t)rand() % 10, len = r < 6 ? 32 : r < 9 ? 24 : 16 + (uint32_t)rand() % 16;
		uint32_t a = (uint32_t)rand() << 1 ^ (uint32_t)rand();

		p[i].prefix_len = (uint8_t)len;
		p[i].addr = htonl(a & (0xffffffffu << (32 - len)));
	}
	t0 = now_s();
	if (plb_acl_set(&GLOBAL, PLB_ACL_LIST_DENY, p, n, &err) != 0)
		fail_msg("set: %s", err);
	t1 = now_s();
	for (uint32_t i = 0; i < n; i += 97)
		assert_int_equal(plb_acl4_check(p[i].addr, NULL), PLB_ACL_GLOBAL_DENY);
	for (uint32_t i = 0; i < probes; i++)
		addrs[i] = (uint32_t)rand() << 1 ^ (uint32_t)rand();
	t2 = now_s();
	for (uint32_t i = 0; i < probes; i++)
		denied += plb_acl4_check(addrs[i], NULL) != PLB_ACL_PASS;
	t2 = now_s() - t2;
	printf("acl: 100000 prefixes (%u after dedup) compiled and published in %.1f ms; "
	       "%.1f ns per check over %u random sources (%u denied)\n",
	       plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), (t1 - t0) * 1e3, t2 * 1e9 / probes, probes, denied);
	/* and removed again, in one call */
	t0 = now_s();
	if (plb_acl_del(&GLOBAL, PLB_ACL_LIST_DENY, p, n, &err) != 0)
		fail_msg("del: %s", err);
	printf("acl: the same 100000 removed in %.1f ms\n", (now_s() - t0) * 1e3);
	assert_int_equal(plb_acl_size(&GLOBAL, PLB_ACL_LIST_DENY), 0);
	assert_int_equal(plb_acl4_check(p[0].addr, NULL), PLB_ACL_PASS);
	free(p);
	free(addrs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_init),
		cmocka_unit_test_setup_teardown(test_add_del_set, acl_setup, acl_teardown),
		cmocka_unit_test_setup_teardown(test_nested_plain, acl_setup, acl_teardown),
		cmocka_unit_test_setup_teardown(test_nested_indexed, acl_setup, acl_teardown),
		cmocka_unit_test_setup_teardown(test_random_model, acl_setup, acl_teardown),
		cmocka_unit_test_setup_teardown(test_allow, acl_setup, acl_teardown),
		cmocka_unit_test_setup_teardown(test_service_lists, acl_setup, acl_teardown),
		cmocka_unit_test_setup_teardown(test_hits, acl_setup, acl_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, acl_setup, acl_teardown),
		cmocka_unit_test_setup_teardown(test_ctl, acl_setup, acl_teardown),
		cmocka_unit_test_setup_teardown(test_100k, acl_setup, acl_teardown),
		cmocka_unit_test(test_before_init),	/* after fini: the same */
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
