/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plb-bench: the performance harness (DESIGN §9, docs/performance.md). One
 * run = one scenario at one size: a plb.conf written for it, the real core
 * and modules booted on a ring ethdev, a generator on the main lcore and one
 * worker lcore. bench.c drives runs (one forked child each) and prints
 * results; conf.c writes the configs; gen.c generates, measures and checks;
 * micro.c holds the micro-benchmarks. Every result line carries the git
 * commit of the tree it was measured on (bench_commit()).
 */
#ifndef PLB_BENCH_H
#define PLB_BENCH_H

#include <stdint.h>
#include <stdio.h>

enum bench_kind {
	BK_FLOOR,		/* proto_benchfwd only: rx -> tx, no L3 work */
	BK_FLOOR_LOOP,		/* the same, TX ring = RX ring: no generator in the loop */
	BK_TCP,			/* established TCP through FNAT (client -> server) */
	BK_UDP,			/* established UDP through FNAT (client -> server) */
	BK_NEWCONN,		/* TCP SYNs, each a new conn, torn down by expiry */
	BK_ACL,			/* BK_TCP + hook_acl (every_packet) + a 100k-prefix deny list from Lua */
	BK_TCP_BOTH,		/* BK_TCP, each client segment reflected back as the server's reply */
};

/* Harness addresses (documentation ranges only). */
#define BENCH_CLIENT_NET	0xcb007100u	/* 203.0.113.0/24, behind the router */
#define BENCH_ROUTER		0xc00002feu	/* 192.0.2.254 */
#define BENCH_VIP		0xc0000264u	/* 192.0.2.100 */
#define BENCH_DEST_NET		0xc6336400u	/* 198.51.100.0/24: dests .10-.109, laddrs .200+ */
#define BENCH_DEST_IPS		100u		/* dest i: .(10 + i % 100), port 8000 + i / 100 */
#define BENCH_LADDR_BASE	200u
#define BENCH_TCP_VPORT		80
#define BENCH_UDP_VPORT		53
#define BENCH_NEWCONN_FLOWS	1000000u	/* flow space a newconn run cycles through */
#define BENCH_ACL_PREFIXES	100000u		/* deny list of BK_ACL (bench/acl_100k.lua) */

struct bench_run {
	enum bench_kind kind;
	const char *sched;	/* scheduler of the services */
	uint32_t flows;
	uint32_t dests;
	char name[48];		/* "fnat_tcp", "newconn_wlc", ... */
};

struct bench_opts {
	double duration;	/* seconds measured (timed mode) */
	uint64_t packets;	/* > 0: repeatable mode, exactly this many measured packets */
	int one_lcore;		/* worker and generator share CPU 0 (valgrind) */
	uint32_t mem_mb;	/* EAL -m */
	uint32_t repeat;	/* runs of each scenario; the median is reported */
	const char *build;	/* build directory (modules, output) */
	const char *json;	/* results appended here; NULL: none */
	const char *acl_lua;	/* absolute path of the BK_ACL script (bench/acl_100k.lua) */
};

struct bench_result {
	char scenario[48];
	char sched[16];
	uint32_t flows;
	uint32_t dests;
	uint64_t pkts;		/* packets the worker read in the window */
	double secs;
	double mpps;
	double ns_per_pkt;
	double cycles_per_pkt;	/* TSC cycles */
	double avg_burst;	/* packets per worker RX poll: < ~30 = the generator could not keep up */
	uint64_t tx;		/* packets the worker sent in the window */
	uint64_t drops;		/* worker-level drops in the window */
	uint64_t conn_new;	/* vs.conn_new in the window */
	uint64_t conns;		/* conns in the table at the end */
	uint64_t acl_checked;	/* BK_ACL: acl.pass in the window (= pkts: every packet checked) */
	double mpps_min, mpps_max;	/* over the repeats (bench.c) */
	uint32_t repeats;
	int ok;			/* 1 = ran and every check held */
	char note[96];
};

/* conf.c: write the plb.conf of @r to @path. 0 or -errno. */
int bench_conf_write(const char *path, const struct bench_run *r, const struct bench_opts *o,
		     const char *file_prefix);

/* gen.c: boot plb with @conf_path, run @r, fill @res. 0 or -errno (message printed). */
int bench_run_one(const char *conf_path, const struct bench_run *r, const struct bench_opts *o,
		  struct bench_result *res);

/* micro.c */
int bench_micro_maglev(const struct bench_opts *o, FILE *json);
int bench_micro_conn_bytes(const struct bench_opts *o, FILE *json);
int bench_micro_acl(const struct bench_opts *o, FILE *json);

/* bench.c: "abc1234" or "abc1234+dirty" (uncommitted changes), "unknown" outside git. */
const char *bench_commit(void);

/* bench.c: print one result as a JSON line to stdout and to @json (may be NULL). */
void bench_emit(const struct bench_result *res, FILE *json);

#endif /* PLB_BENCH_H */
