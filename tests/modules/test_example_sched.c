/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The out-of-tree example scheduler (examples/sched_example), as built by
 * tests/sdk/example_check.sh against the installed SDK: loaded through the
 * real loader from $PLB_EXAMPLE_SO, its schedule() on a fake service with
 * 4 dests (one of weight 0) never picks the quiesced one, maps one client to
 * one dest, spreads clients over the others and returns NULL when none is
 * available. Skipped (with a message) only when PLB_EXAMPLE_SO is unset.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "loader.h"
#include "registry.h"

#define N_DESTS 4
#define QUIESCED 1	/* dests[1] has weight 0 */

static const char *example_so;
static const struct plb_sched_ops *ops;
static struct plb_dest dest_v[N_DESTS];
static struct plb_dest *dest_p[N_DESTS];
static struct plb_svc svc;

static int
setup(void **state)
{
	static const struct plb_env env = {
		.size = sizeof(struct plb_env), .n_workers = 1, .check_only = 1, .socket_id = -1,
	};
	char *d = strdup(example_so), *b = strdup(example_so), *dir, *stem, *err = NULL;
	size_t n;
	int rc;

	assert_non_null(d);
	assert_non_null(b);
	dir = dirname(d);
	stem = basename(b);
	n = strlen(stem);
	assert_true(n > 3 && strcmp(stem + n - 3, ".so") == 0);
	stem[n - 3] = '\0';
	rc = plb_loader_load(dir, stem, &env, NULL, &err);
	if (rc)
		print_error("loading %s: %s\n", example_so, err ? err : "(no message)");
	assert_int_equal(rc, 0);
	free(d);
	free(b);

	ops = plb_reg_sched_get("example");
	assert_non_null(ops);
	assert_non_null(ops->schedule);

	for (uint32_t i = 0; i < N_DESTS; i++) {
		dest_v[i] = (struct plb_dest){ .af = AF_INET, .port = htons(8080), .idx = i,
					       .weight = i + 1 };
		dest_v[i].addr.v4 = htonl(0xc6336401u + i);	/* 198.51.100.1.. */
		dest_p[i] = &dest_v[i];
	}
	dest_v[QUIESCED].weight = 0;
	svc = (struct plb_svc){ .af = AF_INET, .proto = IPPROTO_TCP, .vport = htons(80),
				.n_dests = N_DESTS, .dests = dest_p };
	svc.vaddr.v4 = htonl(0xcb007101u);	/* 203.0.113.1 */
	return 0;
}

static int
teardown(void **state)
{
	plb_loader_unload_all();
	plb_reg_reset();
	return 0;
}

static struct plb_pkt
pkt4(uint32_t client, uint16_t sport)
{
	struct plb_pkt p = { .af = AF_INET, .l4_proto = IPPROTO_TCP, .sport = htons(sport),
			     .dport = htons(80) };

	p.saddr.v4 = htonl(client);
	p.daddr = svc.vaddr;
	return p;
}

static struct plb_dest *
pick(const struct plb_pkt *p, uint32_t worker)
{
	struct plb_sched_state st = { .table = NULL, .worker = worker };

	return ops->schedule(&svc, &st, p);
}

static void
test_descriptor(void **state)
{
	const struct plb_module *m = plb_loader_find("sched_example");

	assert_non_null(m);
	assert_int_equal(m->abi, PLB_MODULE_ABI);
	assert_int_equal(m->kind, PLB_MODULE_SCHED);
	assert_string_equal(m->name, "example");
	assert_ptr_equal(m->ops, ops);
}

/* Never the weight-0 dest; every other dest gets a fair share of clients. */
static void
test_skips_weight0_and_spreads(void **state)
{
	unsigned count[N_DESTS] = { 0 };
	const unsigned n = 3000;

	for (unsigned i = 0; i < n; i++) {
		struct plb_pkt p = pkt4(0xc0000200u + i * 7919u, (uint16_t)(1024 + i));
		struct plb_dest *d = pick(&p, 0);

		assert_non_null(d);
		assert_true(d >= &dest_v[0] && d < &dest_v[N_DESTS]);
		assert_ptr_not_equal(d, &dest_v[QUIESCED]);
		count[d->idx]++;
	}
	assert_int_equal(count[QUIESCED], 0);
	for (unsigned i = 0; i < N_DESTS; i++)
		if (i != QUIESCED)
			assert_true(count[i] > n / 5);	/* a third each, expected */
}

/* Same client address: same dest, whatever the port or the worker. */
static void
test_same_key_same_dest(void **state)
{
	for (unsigned i = 0; i < 500; i++) {
		uint32_t client = 0xcb007100u + i * 104729u;
		struct plb_pkt a = pkt4(client, 1000), b = pkt4(client, 65000);
		struct plb_dest *d = pick(&a, 0);

		assert_non_null(d);
		assert_ptr_equal(pick(&a, 0), d);
		assert_ptr_equal(pick(&b, 0), d);
		assert_ptr_equal(pick(&a, 3), d);
	}
}

/* IPv6 clients hash on all 16 bytes: clients differing only in the last byte spread. */
static void
test_ipv6_keys(void **state)
{
	unsigned count[N_DESTS] = { 0 };

	svc.af = AF_INET6;
	for (unsigned i = 0; i < 256; i++) {
		struct plb_pkt p = { .af = AF_INET6, .l4_proto = IPPROTO_TCP, .sport = htons(4000) };
		struct plb_dest *d;

		assert_int_equal(inet_pton(AF_INET6, "2001:db8::", p.saddr.v6), 1);
		p.saddr.v6[15] = (uint8_t)i;
		d = pick(&p, 0);
		assert_non_null(d);
		assert_ptr_not_equal(d, &dest_v[QUIESCED]);
		assert_ptr_equal(pick(&p, 1), d);
		count[d->idx]++;
	}
	for (unsigned i = 0; i < N_DESTS; i++)
		if (i != QUIESCED)
			assert_true(count[i] > 0);
}

/* Down and full dests are skipped too; none available: NULL. */
static void
test_unavailable(void **state)
{
	struct plb_pkt p;

	dest_v[0].flags = PLB_DEST_F_DOWN;
	dest_v[2].u_threshold = 5;
	dest_v[2].active_conns = 5;
	for (unsigned i = 0; i < 200; i++) {
		p = pkt4(0xc0000201u + i, 5555);
		assert_ptr_equal(pick(&p, 0), &dest_v[3]);
	}
	dest_v[3].weight = 0;
	p = pkt4(0xc0000201u, 5555);
	assert_null(pick(&p, 0));
	svc.n_dests = 0;
	assert_null(pick(&p, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_descriptor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skips_weight0_and_spreads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_key_same_dest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unavailable, setup, teardown),
	};
	const char *so = getenv("PLB_EXAMPLE_SO");

	if (so == NULL || *so == '\0') {
		printf("test_example_sched: SKIPPED: PLB_EXAMPLE_SO is not set; "
		       "`make example-check` builds the example and runs this test with it\n");
		return 0;
	}
	example_so = so;
	return cmocka_run_group_tests_name("example_sched", tests, NULL, NULL);
}
