/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proto_arp's per-worker neighbour table without EAL: the module's sources
 * are included so its table functions can be driven directly. Random
 * insert/remove/find against a reference model (backward-shift deletion keeps
 * every key findable), and reclaiming when the pool is empty: only expired
 * or failed entries, never static or live ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

/* WHY include the .c files: a module exports one symbol, so its table functions are reached here */
#include "../../modules/proto/arp/arp.c"
#include "../../modules/proto/arp/conf.c"
#include "../../modules/proto/arp/neigh.c"

#define CAP 64

static struct arp_worker tw;

/* A table of @cap entries, laid out as arp_alloc_tables() does. */
static int
table_setup(void **state)
{
	arp_queue = 0;
	arp_cap = CAP;
	arp_mask = rte_align32pow2(CAP * 2) - 1;
	tw.ent = calloc(CAP, sizeof(*tw.ent));
	tw.slot = calloc(arp_mask + 1, sizeof(*tw.slot));
	tw.q = NULL;
	tw.hand = 0;
	if (tw.ent == NULL || tw.slot == NULL)
		return -1;
	for (uint32_t k = 0; k < CAP; k++)
		tw.ent[k].next_free = k + 1 == CAP ? UINT32_MAX : k + 1;
	tw.free_head = 0;
	return 0;
}

static int
table_teardown(void **state)
{
	free(tw.ent);
	free(tw.slot);
	return 0;
}

/* 200 addresses x 3 ports: many more keys than slots, so clusters wrap and shift. */
static void
key_of(uint32_t k, uint32_t *ip, uint16_t *port)
{
	*ip = rte_cpu_to_be_32(0xc6336400u + k / 3);	/* 198.51.100.0 + k/3 */
	*port = (uint16_t)(k % 3);
}

static void
test_random_ops_match_model(void **state)
{
	enum { NKEYS = 600 };
	static uint8_t in[NKEYS];
	uint32_t n_in = 0;

	srand(12345);
	for (int op = 0; op < 200000; op++) {
		uint32_t k = (uint32_t)rand() % NKEYS, ip;
		uint16_t port;
		struct arp_entry *e;

		key_of(k, &ip, &port);
		e = arp_find(&tw, ip, port);
		assert_int_equal(e != NULL, in[k]);
		if (e != NULL) {
			assert_int_equal(e->ip, ip);
			assert_int_equal(e->port, port);
			arp_remove(&tw, e);
			in[k] = 0;
			n_in--;
		} else if (n_in < CAP) {
			e = arp_insert(&tw, ip, port);
			assert_non_null(e);
			e->state = ARP_S_REACHABLE;
			in[k] = 1;
			n_in++;
		} else {
			assert_null(arp_insert(&tw, ip, port));	/* pool empty */
		}
		if (op % 997 == 0) {
			for (uint32_t j = 0; j < NKEYS; j++) {
				key_of(j, &ip, &port);
				assert_int_equal(arp_find(&tw, ip, port) != NULL, in[j]);
			}
		}
	}
}

/* Fill the table with @state entries stamped at 0; keys 0 .. CAP-1. */
static void
fill(uint8_t state, uint8_t n_req)
{
	for (uint32_t k = 0; k < CAP; k++) {
		uint32_t ip;
		uint16_t port;
		struct arp_entry *e;

		key_of(k, &ip, &port);
		e = arp_insert(&tw, ip, port);
		assert_non_null(e);
		e->state = state;
		e->n_req = n_req;
		e->stamp = 0;
	}
}

static uint32_t
count_found(void)
{
	uint32_t n = 0, ip;
	uint16_t port;

	for (uint32_t k = 0; k < CAP; k++) {
		key_of(k, &ip, &port);
		n += arp_find(&tw, ip, port) != NULL;
	}
	return n;
}

static void
test_reclaim_only_expired(void **state)
{
	uint32_t ip;
	uint16_t port;

	arp_hz = 10;
	arp_timeout_cyc = 100;
	fill(ARP_S_REACHABLE, 0);
	key_of(1000, &ip, &port);
	assert_null(arp_new(&tw, ip, port, 99));	/* all live: nothing reclaimed */
	assert_int_equal(count_found(), CAP);
	assert_non_null(arp_new(&tw, ip, port, 100));	/* all expired now: one goes */
	assert_int_equal(count_found(), CAP - 1);
	assert_non_null(arp_find(&tw, ip, port));
}

static void
test_static_never_reclaimed(void **state)
{
	uint32_t ip;
	uint16_t port;

	arp_hz = 10;
	arp_timeout_cyc = 100;
	fill(ARP_S_STATIC, 0);
	key_of(1000, &ip, &port);
	assert_null(arp_new(&tw, ip, port, UINT64_MAX / 2));
	assert_int_equal(count_found(), CAP);
}

static void
test_incomplete_reclaimed_only_when_dead(void **state)
{
	struct arp_entry e = { .state = ARP_S_INCOMPLETE, .n_req = ARP_MAX_REQ - 1, .stamp = 5 };
	uint32_t ip;
	uint16_t port;

	arp_hz = 10;
	arp_timeout_cyc = 100;
	/* failed = ARP_MAX_REQ requests sent and the last one 1 s (arp_hz) ago */
	assert_false(arp_failed(&e, 1000));
	e.n_req = ARP_MAX_REQ;
	assert_false(arp_failed(&e, 5 + 9));
	assert_true(arp_failed(&e, 5 + 10));
	e.state = ARP_S_REACHABLE;
	assert_false(arp_failed(&e, 1000));

	fill(ARP_S_INCOMPLETE, ARP_MAX_REQ - 1);
	for (uint32_t k = 0; k < CAP; k++)
		tw.ent[k].n_q = 1;	/* packets wait: a live resolution (never freed here) */
	key_of(1000, &ip, &port);
	assert_null(arp_new(&tw, ip, port, 1000));
	assert_int_equal(count_found(), CAP);
	tw.ent[CAP / 2].n_q = 0;	/* nothing waits on this one any more: idle */
	assert_non_null(arp_new(&tw, ip, port, 1000));
	assert_int_equal(count_found(), CAP - 1);
	key_of(CAP / 2, &ip, &port);
	assert_null(arp_find(&tw, ip, port));
	for (uint32_t k = 0; k < CAP; k++)
		tw.ent[k].n_q = 0;	/* teardown frees no mbufs */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_ops_match_model, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_reclaim_only_expired, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_static_never_reclaimed, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_incomplete_reclaimed_only_when_dead, table_setup, table_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
