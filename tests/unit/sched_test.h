/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared helpers of the scheduler tests (test_sched_*.c): load the real
 * build/modules/sched_*.so through the loader, fake services and packets,
 * option blocks parsed by libconfig, a seeded PRNG. Include after cmocka.h.
 * Everything is static inline so that each test uses only what it needs.
 */
#ifndef PLB_TEST_SCHED_H
#define PLB_TEST_SCHED_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libconfig.h>

#include "loader.h"
#include "registry.h"

#define ST_MAX_DESTS 1000

static const char *const st_sched_names[] = { "rr", "wrr", "wlc", "conhash", "mh" };
#define ST_N_SCHED (sizeof(st_sched_names) / sizeof(st_sched_names[0]))

/* The fake service: dests st_dv[], pointers st_dp[], service st_svc. */
static struct plb_dest st_dv[ST_MAX_DESTS];
static struct plb_dest *st_dp[ST_MAX_DESTS];
static struct plb_svc st_svc;

/* [group setup] Load every scheduler from $PLB_BUILD/modules (check_only env). */
static inline int
st_load_all(void **state)
{
	static const struct plb_env env = {
		.size = sizeof(struct plb_env), .n_workers = 2, .check_only = 1, .socket_id = -1,
	};
	const char *build = getenv("PLB_BUILD");
	char dir[512], stem[64];

	snprintf(dir, sizeof(dir), "%s/modules", build && *build ? build : "build");
	for (size_t i = 0; i < ST_N_SCHED; i++) {
		char *err = NULL;
		int rc;

		snprintf(stem, sizeof(stem), "sched_%s", st_sched_names[i]);
		rc = plb_loader_load(dir, stem, &env, NULL, &err);
		if (rc) {
			print_error("loading %s/%s.so: %s\n", dir, stem, err ? err : "(no message)");
			free(err);
			return -1;
		}
		if (plb_reg_sched_get(st_sched_names[i]) == NULL)
			return -1;
	}
	return 0;
}

static inline int
st_unload_all(void **state)
{
	plb_loader_unload_all();
	plb_reg_reset();
	return 0;
}

static inline const struct plb_sched_ops *
st_ops(const char *name)
{
	const struct plb_sched_ops *o = plb_reg_sched_get(name);

	assert_non_null(o);
	assert_non_null(o->schedule);
	return o;
}

/*
 * Reset the fake service to @n IPv4 dests with weights @w (NULL: all 1):
 * dest i is 198.51.100.(1 + i % 250), port 8000 + i / 250.
 */
static inline void
st_svc_init(uint32_t n, const uint32_t *w)
{
	assert_true(n <= ST_MAX_DESTS);
	memset(st_dv, 0, sizeof(st_dv));
	for (uint32_t i = 0; i < n; i++) {
		st_dv[i].af = AF_INET;
		st_dv[i].addr.v4 = htonl(0xc6336401u + i % 250);
		st_dv[i].port = htons((uint16_t)(8000 + i / 250));
		st_dv[i].weight = w ? w[i] : 1;
		st_dv[i].idx = i;
		st_dp[i] = &st_dv[i];
	}
	st_svc = (struct plb_svc){ .af = AF_INET, .proto = IPPROTO_TCP, .vport = htons(80),
				   .n_dests = n, .dests = st_dp };
	st_svc.vaddr.v4 = htonl(0xcb007101u);	/* 203.0.113.1 */
}

/* Parse "opts = { ... };" (or any text defining `opts`) into @cfg; returns `opts`. */
static inline const config_setting_t *
st_opts(config_t *cfg, const char *text)
{
	config_init(cfg);
	if (text == NULL)
		return NULL;
	if (config_read_string(cfg, text) != CONFIG_TRUE)
		fail_msg("bad test option text: %s", config_error_text(cfg));
	return config_lookup(cfg, "opts");
}

/* build() of @name on @svc with option text @text (NULL: none); must succeed. */
static inline void *
st_build(const char *name, const struct plb_svc *svc, const char *text)
{
	const struct plb_sched_ops *o = st_ops(name);
	void *table = (void *)&table;	/* build() must set it */
	char *err = NULL;
	config_t cfg;
	int rc = 0;

	if (o->build != NULL)
		rc = o->build(svc, st_opts(&cfg, text), &table, &err);
	else
		table = NULL;
	if (rc)
		print_error("%s build: %s\n", name, err ? err : "(no message)");
	assert_int_equal(rc, 0);
	assert_ptr_not_equal(table, (void *)&table);
	if (o->build != NULL)
		config_destroy(&cfg);
	free(err);
	return table;
}

static inline void
st_free(const char *name, void *table)
{
	const struct plb_sched_ops *o = st_ops(name);

	if (o->free != NULL)
		o->free(table);
	else
		assert_null(table);
}

/* build() of @name with option text @text must fail: returns the message (free it). */
static inline char *
st_build_fails(const char *name, const char *text)
{
	const struct plb_sched_ops *o = st_ops(name);
	void *table = NULL;
	char *err = NULL;
	config_t cfg;
	int rc;

	assert_non_null(o->build);
	rc = o->build(&st_svc, st_opts(&cfg, text), &table, &err);
	config_destroy(&cfg);
	assert_int_equal(rc, -EINVAL);
	assert_null(table);
	assert_non_null(err);
	return err;
}

/* An IPv4 TCP packet from @client:@sport to the service. */
static inline struct plb_pkt
st_pkt4(uint32_t client, uint16_t sport, uint16_t dport)
{
	struct plb_pkt p = { .af = AF_INET, .l4_proto = IPPROTO_TCP, .sport = htons(sport),
			     .dport = htons(dport) };

	p.saddr.v4 = htonl(client);
	p.daddr = st_svc.vaddr;
	return p;
}

/* One schedule() call of @o with a fresh per-worker state on @table. */
static inline struct plb_dest *
st_pick(const struct plb_sched_ops *o, const void *table, const struct plb_svc *svc,
	const struct plb_pkt *p)
{
	struct plb_sched_state st = { .table = table, .worker = 0 };

	return o->schedule(svc, &st, p);
}

/* splitmix64: a seeded PRNG, so every run sees the same keys. */
static inline uint64_t
st_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A random IPv4 TCP packet (address and both ports random). */
static inline struct plb_pkt
st_rand_pkt(uint64_t *s)
{
	uint64_t r = st_rand(s);

	return st_pkt4((uint32_t)r, (uint16_t)(r >> 32), (uint16_t)(r >> 48));
}

#endif /* PLB_TEST_SCHED_H */
