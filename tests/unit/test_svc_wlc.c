/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The core's side of wlc (framework/src/conn.c, svc.c) with the real
 * sched_wlc.so and fwd_dr.so on a minimal EAL, one worker: conns count on
 * their worker's plb_dest_stats entry; every create, move and free reaches
 * the running version's tree through dest->svc (a freed conn makes its dest
 * the pick again); a new version repoints dest->svc (new index) and a removed
 * dest gets NULL and the REMOVED flag, and its conns are freed harmlessly.
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

#include <plb/conn.h>
#include <plb/sched.h>
#include <plb/svc.h>

#include "config.h"
#include "conn.h"
#include "loader.h"
#include "registry.h"
#include "runtime.h"
#include "svc.h"

#include "modules_test.h"

#define VIP	"192.0.2.100"

static char modules_dir[256];
static struct plb_conf *confs[2];
static uint16_t next_cport = 40000;

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* Parse "modules = { path = ...; };" + @text into *conf. */
static void
conf_from(const char *text, struct plb_conf **conf)
{
	char path[] = "/tmp/plb_test_svc_wlc_XXXXXX.conf", *err = NULL;
	int fd = mkstemps(path, 5);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "modules = { path = \"%s\"; };\n%s", modules_dir, text);
	fclose(f);
	if (plb_conf_load(path, conf, &err) != 0)
		fail_msg("config: %s", err ? err : "(no message)");
	unlink(path);
}

static const struct plb_svc *
svc_now(void)
{
	const struct plb_svc *s = plb_svc_lookup(AF_INET, IPPROTO_TCP,
						 &(struct plb_addr){ .v4 = ip(VIP) }, htons(80));

	assert_non_null(s);
	return s;
}

static struct plb_pkt
pkt_in(void)
{
	struct plb_pkt p;

	memset(&p, 0, sizeof(p));
	p.af = AF_INET;
	p.l4_proto = IPPROTO_TCP;
	p.saddr.v4 = ip("203.0.113.5");
	p.daddr.v4 = ip(VIP);
	p.sport = htons(next_cport++);
	p.dport = htons(80);
	return p;
}

/* wlc's pick for worker 0 in the running version: the dest's address (last byte). */
static int
pick(void)
{
	const struct plb_svc *s = svc_now();
	struct plb_pkt p = pkt_in();
	struct plb_dest *d = s->sched->schedule(s, &s->sched_state[0], &p);

	assert_non_null(d);
	return (int)(ntohl(d->addr.v4) & 0xff);
}

/* A new conn of worker 0 to @d. */
static struct plb_conn *
conn_to(struct plb_dest *d)
{
	struct plb_pkt p = pkt_in();
	struct plb_conn *c = plb_conn_new(svc_now(), d, &p);

	assert_non_null(c);
	return c;
}

static int
group_setup(void **state)
{
	return modules_test_init("test_svc_wlc", modules_dir, sizeof(modules_dir));
}

static int
group_teardown(void **state)
{
	return modules_test_cleanup();
}

static int
setup(void **state)
{
	struct plb_conf cc;
	char *err = NULL;

	memset(&cc, 0, sizeof(cc));
	cc.conns.per_worker = 64;
	cc.conns.tick_ms = 10;
	if (plb_rcu_init(1, &err) != 0 || plb_conns_setup(&cc, 1, &err) != 0) {
		print_error("setup: %s\n", err ? err : "(no message)");
		free(err);
		return -1;
	}
	plb_conns_bind(0);
	return 0;
}

static int
teardown(void **state)
{
	plb_conns_free();
	plb_svc_stop();		/* also frees the RCU state */
	for (int i = 0; i < 2; i++) {
		plb_conf_free(confs[i]);
		confs[i] = NULL;
	}
	return 0;
}

static const char v1[] =
	"services = ( { proto = \"tcp\"; vip = \"" VIP "\"; port = 80; scheduler = \"wlc\";\n"
	"  fwd = \"dr\"; dests = ( { addr = \"198.51.100.10\"; port = 80; },\n"
	"    { addr = \"198.51.100.11\"; port = 80; }, { addr = \"198.51.100.12\"; port = 80; } ); } );\n";
/* 11 removed, 10 and 12 swap places */
static const char v2[] =
	"services = ( { proto = \"tcp\"; vip = \"" VIP "\"; port = 80; scheduler = \"wlc\";\n"
	"  fwd = \"dr\"; dests = ( { addr = \"198.51.100.12\"; port = 80; },\n"
	"    { addr = \"198.51.100.10\"; port = 80; } ); } );\n";

static void
test_counts_and_versions(void **state)
{
	struct plb_conn *c0[3], *c1[2], *c2[5];
	struct plb_dest *d0, *d1, *d2;
	const struct plb_svc *s;
	char *err = NULL;

	conf_from(v1, &confs[0]);
	if (plb_svc_start(confs[0], &(struct plb_env){ .size = sizeof(struct plb_env),
			  .n_workers = 1, .conf_file = confs[0]->file }, &err) != 0)
		fail_msg("plb_svc_start: %s", err ? err : "(no message)");
	s = svc_now();
	assert_ptr_equal(s->sched, plb_reg_sched_get("wlc"));
	assert_non_null(s->sched->update);
	d0 = s->dests[0];
	d1 = s->dests[1];
	d2 = s->dests[2];
	for (uint32_t i = 0; i < 3; i++)
		assert_ptr_equal(s->dests[i]->svc, s);

	/* picks follow this worker's conns: 0 conns each -> .10, .11, .12 */
	assert_int_equal(pick(), 10);
	c0[0] = conn_to(d0);
	assert_int_equal(d0->stats[0].inactive, 1);
	assert_int_equal(d0->inactive_conns, 1);
	assert_int_equal(pick(), 11);
	c1[0] = conn_to(d1);
	assert_int_equal(pick(), 12);
	c2[0] = conn_to(d2);
	c0[1] = conn_to(d0);
	c0[2] = conn_to(d0);
	c1[1] = conn_to(d1);
	c2[1] = conn_to(d2);
	assert_int_equal(pick(), 11);	/* 3, 2, 2: the lower of the two */

	/* frees reach the tree: .10 drops to 1, below the others (no pick saw it) */
	plb_conn_del(c0[1]);
	plb_conn_del(c0[2]);
	assert_int_equal(d0->stats[0].inactive, 1);
	assert_int_equal(d0->inactive_conns, 1);
	assert_int_equal(pick(), 10);

	/* a move: active weighs 256 */
	plb_conn_update(c0[0], 1, 1, 60);
	assert_int_equal(d0->stats[0].active, 1);
	assert_int_equal(d0->stats[0].inactive, 0);
	assert_int_equal(d0->active_conns, 1);
	assert_int_equal(d0->inactive_conns, 0);
	assert_int_equal(pick(), 11);

	/* a new version: .11 removed with 2 conns, .10 and .12 swap indexes */
	conf_from(v2, &confs[1]);
	if (plb_svc_replace(confs[1]->services, confs[1]->n_services, "test", &err) != 0)
		fail_msg("plb_svc_replace: %s", err ? err : "(no message)");
	s = svc_now();
	assert_int_equal(s->n_dests, 2);
	assert_ptr_equal(s->dests[0], d2);
	assert_ptr_equal(s->dests[1], d0);
	assert_ptr_equal(d2->svc, s);
	assert_ptr_equal(d0->svc, s);
	assert_int_equal(d2->idx, 0);
	assert_int_equal(d0->idx, 1);
	assert_null(d1->svc);
	assert_true(d1->flags & PLB_DEST_F_REMOVED);
	assert_int_equal(d0->stats[0].active, 1);	/* counts live on in the dests */
	assert_int_equal(d2->stats[0].inactive, 2);

	/* the removed dest's conns go away without a version to tell */
	plb_conn_del(c1[0]);
	plb_conn_del(c1[1]);
	assert_int_equal(d1->stats[0].inactive, 0);
	assert_int_equal(plb_svc_gc(), 0);		/* d1 freed: not touched again */

	assert_int_equal(pick(), 12);			/* 2 vs 256 */
	c2[2] = conn_to(d2);
	c2[3] = conn_to(d2);
	c2[4] = conn_to(d2);
	assert_int_equal(pick(), 12);			/* 5 vs 256 */
	/* a free in the new version reaches its tree, at .10's new index */
	plb_conn_del(c0[0]);
	assert_int_equal(d0->stats[0].active, 0);
	assert_int_equal(pick(), 10);
	for (int i = 0; i < 5; i++)
		plb_conn_del(c2[i]);
	assert_int_equal(d2->stats[0].inactive, 0);
	assert_int_equal(d2->inactive_conns, 0);
	assert_int_equal(pick(), 12);			/* 0 and 0: the first */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_and_versions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
