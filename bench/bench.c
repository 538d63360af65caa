/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plb-bench: runs the benchmark scenarios of issue 7 (docs/performance.md).
 * Each run gets its own plb.conf (build/bench/conf/) and its own process: a
 * child is forked per run because EAL can be initialised once per process;
 * a single selected run executes in-process (what valgrind wants). Prints
 * one JSON object per run, appends it to build/bench.json, and ends with a
 * table, the git commit it measured, and scenario (d) against (a) at the
 * same flows. `plb-bench --help` lists the options.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_RUNS 64

static const char *const all_scheds[] = { "rr", "wrr", "wlc", "conhash", "mh" };

static struct bench_run runs[MAX_RUNS];
static uint32_t n_runs;

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: plb-bench [options]\n"
		"  --scenario LIST   floor,floor_loop,tcp,tcp_both,acl,udp,newconn,micro (default: all)\n"
		"                    acl = (d): tcp + hook_acl every_packet + 100k-prefix deny list (Lua)\n"
		"                    tcp_both: tcp, and every segment comes back as the server's reply\n"
		"  --flows LIST      flows of floor/tcp/acl/udp runs (default 1000,100000,1000000; floor 1000)\n"
		"  --dests LIST      dests of newconn runs (default 10,100,1000; tcp/udp use 10)\n"
		"  --sched LIST      schedulers of newconn runs (default rr,wrr,wlc,conhash,mh)\n"
		"  --duration SEC    measured seconds per run (default 1)\n"
		"  --packets N       repeatable mode: exactly N measured packets (for callgrind)\n"
		"  --lcores 1|2      1: worker and generator share CPU 0 (default 2)\n"
		"  --mem MB          EAL -m (default 4096)\n"
		"  --build DIR       build directory (default build)\n"
		"  --json FILE       append results (default DIR/bench.json; \"-\": none)\n"
		"  --repeat N        runs of each scenario, the median is reported (default 1, max 15)\n"
		"  --acl-lua FILE    the acl scenario's script (default bench/acl_100k.lua)\n"
		"  PLB_BENCH_COMMIT in the environment overrides the commit printed (default: git)\n");
}

static int
list_has(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* "1000,100000" -> values; returns the count (at most @max). */
static uint32_t
list_u32(const char *list, uint32_t *v, uint32_t max)
{
	uint32_t n = 0;

	for (const char *p = list; p && *p && n < max; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		v[n++] = (uint32_t)strtoul(p, NULL, 10);
	return n;
}

static void
add_run(enum bench_kind kind, const char *name, const char *sched, uint32_t flows, uint32_t dests)
{
	struct bench_run *r;

	if (n_runs == MAX_RUNS)
		return;
	r = &runs[n_runs++];
	r->kind = kind;
	r->sched = sched;
	r->flows = flows;
	r->dests = dests;
	snprintf(r->name, sizeof(r->name), "%s", name);
}

/* First line of @cmd's output (newline cut) into @buf; 0 if it printed something. */
static int
cmd_line(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");
	int ok;

	if (p == NULL)
		return -errno;
	ok = fgets(buf, (int)len, p) != NULL;
	pclose(p);
	if (!ok)
		return -ENOENT;
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] ? 0 : -ENOENT;
}

const char *
bench_commit(void)
{
	static char commit[64];
	char dirty[8];
	const char *env = getenv("PLB_BENCH_COMMIT");

	if (commit[0])
		return commit;
	if (env && *env)
		snprintf(commit, sizeof(commit), "%s", env);
	else if (cmd_line("git rev-parse --short HEAD 2>/dev/null", commit, sizeof(commit)) != 0)
		snprintf(commit, sizeof(commit), "unknown");
	else if (cmd_line("git status --porcelain 2>/dev/null", dirty, sizeof(dirty)) == 0)
		strncat(commit, "+dirty", sizeof(commit) - strlen(commit) - 1);
	return commit;
}

void
bench_emit(const struct bench_result *res, FILE *json)
{
	char line[640];

	snprintf(line, sizeof(line),
		 "{\"scenario\":\"%s\",\"flows\":%u,\"pkts\":%lu,\"mpps\":%.3f,\"ns_per_pkt\":%.1f,"
		 "\"cycles_per_pkt\":%.1f,\"sched\":\"%s\",\"dests\":%u,\"avg_burst\":%.1f,"
		 "\"conn_new\":%lu,\"drops\":%lu,\"repeats\":%u,\"mpps_min\":%.3f,"
		 "\"mpps_max\":%.3f,\"ok\":%s,\"note\":\"%s\",\"commit\":\"%s\"}",
		 res->scenario, res->flows, (unsigned long)res->pkts, res->mpps, res->ns_per_pkt,
		 res->cycles_per_pkt, res->sched, res->dests, res->avg_burst,
		 (unsigned long)res->conn_new, (unsigned long)res->drops, res->repeats,
		 res->mpps_min, res->mpps_max,
		 res->ok ? "true" : "false", res->note, bench_commit());
	printf("%s\n", line);
	fflush(stdout);
	if (json) {
		fprintf(json, "%s\n", line);
		fflush(json);
	}
}

/* One run in a child (or here when @inproc); *res filled either way. */
static int
run_child(const struct bench_run *r, const struct bench_opts *o, int idx, int inproc,
	  struct bench_result *res)
{
	char conf[512], prefix[64];
	int fd[2], status, rc;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	snprintf(conf, sizeof(conf), "%s/bench/conf/%02d_%s_f%u_d%u.conf", o->build, idx, r->name,
		 r->flows, r->dests);
	snprintf(prefix, sizeof(prefix), "plb-bench-%d-%d", (int)getpid(), idx);
	rc = bench_conf_write(conf, r, o, prefix);
	if (rc) {
		fprintf(stderr, "plb-bench: cannot write %s: %s\n", conf, strerror(-rc));
		return rc;
	}
	if (inproc)
		return bench_run_one(conf, r, o, res);
	if (pipe(fd) != 0)
		return -errno;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(fd[0]);
		rc = bench_run_one(conf, r, o, res);
		if (write(fd[1], res, sizeof(*res)) != (ssize_t)sizeof(*res))
			_exit(2);
		_exit(rc ? 1 : 0);
	}
	close(fd[1]);
	if (read(fd[0], res, sizeof(*res)) != (ssize_t)sizeof(*res)) {
		snprintf(res->scenario, sizeof(res->scenario), "%s", r->name);
		snprintf(res->note, sizeof(res->note), "the run crashed");
	}
	close(fd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int
cmp_ns(const void *a, const void *b)
{
	const struct bench_result *x = a, *y = b;

	return x->ns_per_pkt < y->ns_per_pkt ? -1 : x->ns_per_pkt > y->ns_per_pkt;
}

/* o->repeat runs of @r; *res = the median by ns/pkt, with the Mpps spread. */
static int
run_repeated(const struct bench_run *r, const struct bench_opts *o, int idx, int inproc,
	     struct bench_result *res)
{
	struct bench_result rep[16];
	uint32_t n = o->repeat < 16 ? o->repeat : 16, ok = 0;
	int rc = 0;

	for (uint32_t k = 0; k < n; k++) {
		int e = run_child(r, o, idx, inproc, &rep[ok]);

		if (e || !rep[ok].ok) {
			*res = rep[ok];
			rc = e ? e : -EIO;
			continue;
		}
		ok++;
	}
	if (ok == 0)
		return rc ? rc : -EIO;
	qsort(rep, ok, sizeof(rep[0]), cmp_ns);
	*res = rep[ok / 2];
	res->mpps_min = rep[ok - 1].mpps;
	res->mpps_max = rep[0].mpps;
	res->repeats = ok;
	return rc;
}

static void
table(const struct bench_result *res, uint32_t n)
{
	printf("\n%-16s %-8s %8s %6s %10s %8s %15s %9s %9s %6s  %s\n", "scenario", "sched", "flows",
	       "dests", "pkts", "Mpps", "(min-max)", "ns/pkt", "cyc/pkt", "burst", "note");
	for (uint32_t i = 0; i < n; i++) {
		const struct bench_result *x = &res[i];

		printf("%-16s %-8s %8u %6u %10lu %8.3f %7.2f-%-7.2f %9.1f %9.1f %6.1f  %s%s\n",
		       x->scenario, x->sched, x->flows, x->dests, (unsigned long)x->pkts, x->mpps,
		       x->mpps_min, x->mpps_max, x->ns_per_pkt,
		       x->cycles_per_pkt, x->avg_burst, x->ok ? "" : "FAILED ", x->note);
	}
	printf("commit %s\n", bench_commit());
	/* (d) against (a): same flows, same run */
	for (uint32_t i = 0; i < n; i++) {
		if (runs[i].kind != BK_ACL || !res[i].ok)
			continue;
		for (uint32_t j = 0; j < n; j++)
			if (runs[j].kind == BK_TCP && runs[j].flows == runs[i].flows && res[j].ok &&
			    res[j].ns_per_pkt > 0)
				printf("(d) vs (a), %u flows: %s %.1f ns/pkt vs %s %.1f ns/pkt = %.2fx "
				       "(burst %.1f vs %.1f)\n", runs[i].flows, res[i].scenario,
				       res[i].ns_per_pkt, res[j].scenario, res[j].ns_per_pkt,
				       res[i].ns_per_pkt / res[j].ns_per_pkt, res[i].avg_burst,
				       res[j].avg_burst);
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "scenario", 1, NULL, 's' }, { "flows", 1, NULL, 'f' }, { "dests", 1, NULL, 'd' },
		{ "sched", 1, NULL, 'S' }, { "duration", 1, NULL, 't' }, { "packets", 1, NULL, 'n' },
		{ "lcores", 1, NULL, 'l' }, { "mem", 1, NULL, 'm' }, { "build", 1, NULL, 'b' },
		{ "json", 1, NULL, 'j' }, { "repeat", 1, NULL, 'r' }, { "help", 0, NULL, 'h' },
		{ "acl-lua", 1, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_opts o = { .duration = 1.0, .mem_mb = 4096, .build = "build", .repeat = 1 };
	const char *scen = "floor,floor_loop,tcp,tcp_both,acl,udp,newconn,micro", *flows_s = NULL;
	const char *dests_s = "10,100,1000", *acl_lua = "bench/acl_100k.lua";
	char acl_abs[PATH_MAX];
	const char *sched_s = "rr,wrr,wlc,conhash,mh", *json_path = NULL;
	static struct bench_result res[MAX_RUNS];
	uint32_t flows[8], dests[8], nf, nd, fail = 0;
	char path[512];
	FILE *json = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's': scen = optarg; break;
		case 'f': flows_s = optarg; break;
		case 'd': dests_s = optarg; break;
		case 'S': sched_s = optarg; break;
		case 't': o.duration = atof(optarg); break;
		case 'n': o.packets = strtoull(optarg, NULL, 10); break;
		case 'l': o.one_lcore = atoi(optarg) == 1; break;
		case 'm': o.mem_mb = (uint32_t)atoi(optarg); break;
		case 'b': o.build = optarg; break;
		case 'j': json_path = optarg; break;
		case 'r': o.repeat = (uint32_t)atoi(optarg); break;
		case 'L': acl_lua = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || o.duration <= 0 || o.repeat < 1 || o.repeat > 15) {
		usage(stderr);
		return 2;
	}
	nf = list_u32(flows_s ? flows_s : "1000,100000,1000000", flows, 8);
	nd = list_u32(dests_s, dests, 8);
	if (list_has(scen, "floor"))
		add_run(BK_FLOOR, "floor", "rr", flows_s ? flows[0] : 1000, 0);
	if (list_has(scen, "floor_loop"))
		add_run(BK_FLOOR_LOOP, "floor_loop", "rr", flows_s ? flows[0] : 1000, 0);
	/* (a) and (d) alternate, so that both see the same load on a shared machine */
	for (uint32_t i = 0; i < nf; i++) {
		if (list_has(scen, "tcp"))
			add_run(BK_TCP, "fnat_tcp_est", "rr", flows[i], 10);
		if (list_has(scen, "acl"))
			add_run(BK_ACL, "fnat_tcp_acl", "rr", flows[i], 10);
		if (list_has(scen, "tcp_both"))
			add_run(BK_TCP_BOTH, "fnat_tcp_both", "rr", flows[i], 10);
	}
	if (list_has(scen, "acl")) {
		if (realpath(acl_lua, acl_abs) == NULL) {
			fprintf(stderr, "plb-bench: %s: %s (run from the repository root, or --acl-lua FILE)\n",
				acl_lua, strerror(errno));
			return 2;
		}
		o.acl_lua = acl_abs;
	}
	for (uint32_t i = 0; i < nf; i++)
		if (list_has(scen, "udp"))
			add_run(BK_UDP, "fnat_udp_est", "rr", flows[i], 10);
	for (size_t s = 0; s < sizeof(all_scheds) / sizeof(all_scheds[0]); s++) {
		char name[48];

		if (!list_has(scen, "newconn") || !list_has(sched_s, all_scheds[s]))
			continue;
		snprintf(name, sizeof(name), "newconn_%s", all_scheds[s]);
		for (uint32_t i = 0; i < nd; i++)
			add_run(BK_NEWCONN, name, all_scheds[s], BENCH_NEWCONN_FLOWS, dests[i]);
	}

	snprintf(path, sizeof(path), "%s/bench/conf", o.build);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		snprintf(path, sizeof(path), "%s/bench", o.build);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/bench/conf", o.build);
		mkdir(path, 0755);
	}
	if (json_path == NULL) {
		snprintf(path, sizeof(path), "%s/bench.json", o.build);
		json_path = path;
	}
	if (strcmp(json_path, "-") != 0 && (json = fopen(json_path, "a")) == NULL) {
		fprintf(stderr, "plb-bench: %s: %s\n", json_path, strerror(errno));
		return 1;
	}
	o.json = json_path;
	for (uint32_t i = 0; i < n_runs; i++) {
		int inproc = n_runs == 1 && o.repeat == 1 && !list_has(scen, "micro");
		int rc = run_repeated(&runs[i], &o, (int)i, inproc, &res[i]);

		bench_emit(&res[i], json);
		fail += rc != 0 || !res[i].ok;
	}
	if (list_has(scen, "micro")) {
		fail += bench_micro_maglev(&o, json) != 0;
		fail += bench_micro_conn_bytes(&o, json) != 0;
		fail += bench_micro_acl(&o, json) != 0;
	}
	if (n_runs)
		table(res, n_runs);
	if (json)
		fclose(json);
	return fail ? 1 : 0;
}
