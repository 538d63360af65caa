/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench.micro: micro-benchmarks of issue 7. Maglev: the real sched_mh.so's
 * build() on a service of 1000 dests, 65537 slots (best and median of 20).
 * Bytes per conn: two boots of the real core that differ only in
 * conns.per_worker (64 and 2^20); the EAL heap difference over the conn
 * difference is what one conn costs (conn array + free stack + its share of
 * the index), and 2 GiB over that is the most conns that fit. ACL: the
 * core's plb_acl_set() of 100,000 random prefixes into the global deny list
 * (compiled, published; best and median of 5), then plb_acl4_check() of
 * 2 M random sources against it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <rte_malloc.h>

#include <plb/acl.h>
#include <plb/conn.h>
#include <plb/sched.h>
#include <plb/svc.h>

#include "acl.h"
#include "boot.h"
#include "config.h"
#include "loader.h"
#include "registry.h"

#include "bench.h"

#define MH_DESTS	1000
#define MH_REPS		20

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
bench_micro_maglev(const struct bench_opts *o, FILE *json)
{
	static struct plb_dest dv[MH_DESTS];
	static struct plb_dest *dp[MH_DESTS];
	const struct plb_env env = {
		.size = sizeof(env), .n_workers = 1, .check_only = 1, .socket_id = -1,
	};
	const struct plb_sched_ops *ops;
	struct plb_svc svc;
	double t[MH_REPS];
	char dir[512], line[256], *err = NULL;
	int rc;

	snprintf(dir, sizeof(dir), "%s/modules", o->build);
	rc = plb_loader_load(dir, "sched_mh", &env, NULL, &err);
	ops = rc == 0 ? plb_reg_sched_get("mh") : NULL;
	if (ops == NULL || ops->build == NULL) {
		fprintf(stderr, "plb-bench: maglev: cannot load %s/sched_mh.so: %s\n", dir,
			err ? err : "no build()");
		free(err);
		return -ENOENT;
	}
	for (uint32_t i = 0; i < MH_DESTS; i++) {
		dv[i].af = AF_INET;
		dv[i].addr.v4 = htonl(BENCH_DEST_NET + 10 + i % BENCH_DEST_IPS);
		dv[i].port = htons((uint16_t)(8000 + i / BENCH_DEST_IPS));
		dv[i].weight = 1;
		dv[i].idx = i;
		dp[i] = &dv[i];
	}
	memset(&svc, 0, sizeof(svc));
	svc.af = AF_INET;
	svc.proto = IPPROTO_TCP;
	svc.vaddr.v4 = htonl(BENCH_VIP);
	svc.vport = htons(BENCH_TCP_VPORT);
	svc.n_dests = MH_DESTS;
	svc.dests = dp;
	for (int r = 0; r < MH_REPS; r++) {
		void *table = NULL;
		double t0 = now_ms();

		rc = ops->build(&svc, NULL, &table, &err);
		t[r] = now_ms() - t0;
		if (rc) {
			fprintf(stderr, "plb-bench: maglev: build: %s\n", err ? err : strerror(-rc));
			free(err);
			break;
		}
		if (ops->free)
			ops->free(table);
	}
	plb_loader_unload_all();
	plb_reg_reset();
	if (rc)
		return rc;
	qsort(t, MH_REPS, sizeof(t[0]), cmp_double);
	snprintf(line, sizeof(line),
		 "{\"scenario\":\"maglev_build\",\"dests\":%u,\"table\":65537,\"reps\":%d,"
		 "\"ms_min\":%.3f,\"ms_median\":%.3f}", MH_DESTS, MH_REPS, t[0], t[MH_REPS / 2]);
	printf("%s\n", line);
	if (json)
		fprintf(json, "%s\n", line);
	return 0;
}

/* Child: boot with conns.per_worker = @cap and no ports; the EAL heap in use. */
static int
heap_after_boot(const struct bench_opts *o, uint32_t cap, size_t *bytes)
{
	char path[512];
	int fd[2], status;
	pid_t pid;
	FILE *f;

	snprintf(path, sizeof(path), "%s/bench/conf/conn_bytes_%u.conf", o->build, cap);
	f = fopen(path, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "# plb-bench: conn memory with conns.per_worker = %u (written by bench/micro.c)\n"
		"eal = [ \"--no-huge\", \"-m\", \"%u\", \"--no-pci\", \"--no-shconf\", "
		"\"--file-prefix=plb-bench-mem-%d\", \"--lcores=0@0,1@1\", \"--log-level=*:warning\" ];\n"
		"log_level = \"warning\";\nworkers = { count = 1; poll = \"adaptive\"; };\n"
		"conns = { per_worker = %u; };\n", cap, o->mem_mb, (int)getpid(), cap);
	fclose(f);
	if (pipe(fd) != 0)
		return -errno;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct plb_boot_opts bo = { .no_ctl = 1 };
		struct rte_malloc_socket_stats st;
		struct plb_conf *conf = NULL;
		char *err = NULL;
		size_t v = 0;
		int rc;

		close(fd[0]);
		rc = plb_conf_load(path, &conf, &err);
		if (rc == 0)
			rc = plb_boot(conf, &bo, &err);
		if (rc) {
			fprintf(stderr, "plb-bench: conn bytes: %s\n", err ? err : strerror(-rc));
			_exit(1);
		}
		if (rte_malloc_get_socket_stats(0, &st) == 0)
			v = st.heap_allocsz_bytes;
		plb_shutdown();
		_exit(write(fd[1], &v, sizeof(v)) == (ssize_t)sizeof(v) && v ? 0 : 1);
	}
	close(fd[1]);
	if (read(fd[0], bytes, sizeof(*bytes)) != (ssize_t)sizeof(*bytes))
		*bytes = 0;
	close(fd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && *bytes ? 0 : -EIO;
}

int
bench_micro_conn_bytes(const struct bench_opts *o, FILE *json)
{
	const uint32_t lo = 64, hi = 1u << 20;
	size_t a, b;
	double per;
	char line[320];
	int rc;

	if ((rc = heap_after_boot(o, lo, &a)) != 0 || (rc = heap_after_boot(o, hi, &b)) != 0) {
		fprintf(stderr, "plb-bench: conn bytes: a boot failed\n");
		return rc;
	}
	per = (double)(b - a) / (double)(hi - lo);
	snprintf(line, sizeof(line),
		 "{\"scenario\":\"conn_bytes\",\"per_worker\":%u,\"bytes_per_conn\":%.1f,"
		 "\"sizeof_plb_conn\":%zu,\"free_stack\":4,\"hash_share\":%.1f,"
		 "\"conns_in_2GiB\":%.0f}", hi, per, sizeof(struct plb_conn),
		 per - (double)sizeof(struct plb_conn) - 4.0, (double)(1ull << 31) / per);
	printf("%s\n", line);
	if (json)
		fprintf(json, "%s\n", line);
	return 0;
}

#define ACL_PREFIXES	100000
#define ACL_REPS	5
#define ACL_CHECKS	2000000

/* xorshift64*: the same prefixes every run */
static uint64_t
acl_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

int
bench_micro_acl(const struct bench_opts *o, FILE *json)
{
	const struct plb_acl_scope global = { .svc = 0 };
	static struct plb_ifaddr4 p[ACL_PREFIXES];
	double ms[ACL_REPS], t0, ns_check;
	uint64_t seed = 0x9E3779B97F4A7C15ull, denied = 0;
	char line[320], *err = NULL;
	int rc = 0;

	for (uint32_t i = 0; i < ACL_PREFIXES; i++) {
		uint64_t r = acl_rand(&seed);
		uint32_t pick = (uint32_t)(r % 10);
		uint8_t len = pick < 6 ? 32 : pick < 9 ? 24 : (uint8_t)(16 + (r >> 40) % 16);

		p[i].addr = htonl((uint32_t)(r >> 8) & (len ? ~0u << (32 - len) : 0));
		p[i].prefix_len = len;
	}
	if (plb_acl_init(1, &err) != 0) {
		fprintf(stderr, "plb-bench: acl: %s\n", err ? err : "init failed");
		free(err);
		return -1;
	}
	for (int r = 0; r < ACL_REPS && rc == 0; r++) {
		t0 = now_ms();
		rc = plb_acl_set(&global, PLB_ACL_LIST_DENY, p, ACL_PREFIXES, &err);
		ms[r] = now_ms() - t0;
	}
	if (rc != 0) {
		fprintf(stderr, "plb-bench: acl: plb_acl_set: %s\n", err ? err : strerror(-rc));
		free(err);
		plb_acl_fini();
		return -1;
	}
	t0 = now_ms();
	for (uint32_t i = 0; i < ACL_CHECKS; i++)
		denied += plb_acl4_check((uint32_t)acl_rand(&seed), NULL) != PLB_ACL_PASS;
	ns_check = (now_ms() - t0) * 1e6 / ACL_CHECKS;
	qsort(ms, ACL_REPS, sizeof(ms[0]), cmp_double);
	snprintf(line, sizeof(line),
		 "{\"scenario\":\"acl_compile\",\"prefixes\":%u,\"after_dedup\":%u,\"reps\":%d,"
		 "\"ms_min\":%.2f,\"ms_median\":%.2f,\"checks\":%u,\"ns_per_check\":%.1f,"
		 "\"denied\":%llu}", ACL_PREFIXES, plb_acl_size(&global, PLB_ACL_LIST_DENY),
		 ACL_REPS, ms[0], ms[ACL_REPS / 2], ACL_CHECKS, ns_check, (unsigned long long)denied);
	printf("%s\n", line);
	if (json)
		fprintf(json, "%s\n", line);
	plb_acl_fini();
	(void)o;
	return 0;
}
