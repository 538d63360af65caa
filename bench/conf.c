/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench.conf: the plb.conf of one benchmark run, an ordinary configuration
 * file (kept under build/bench/conf/ so a run can be repeated with plb -t).
 * One ring port carries both sides: clients in 203.0.113.0/24 behind the
 * router 192.0.2.254, dests and FNAT local addresses on the connected
 * 198.51.100.0/24 with static ARP entries (no resolution traffic).
 * Scenario (d) adds hook_acl (every_packet) and a lua section running
 * bench/acl_100k.lua, which sets a 100k-prefix global deny list that keeps
 * clear of the clients' 203.0.113.0/24.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

static void
ip4(char *buf, size_t len, uint32_t a)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static uint32_t
dest_ip(uint32_t i)
{
	return BENCH_DEST_NET + 10 + i % BENCH_DEST_IPS;
}

/* FNAT local addresses: one per ~60k conns the run may hold at once. */
static uint32_t
n_laddrs(const struct bench_run *r)
{
	if (r->kind == BK_NEWCONN)
		return 4;
	return r->flows / 60000 + 1;
}

static void
service(FILE *f, const struct bench_run *r, const char *proto, int vport)
{
	char a[16];

	ip4(a, sizeof(a), BENCH_VIP);
	fprintf(f, "  { proto = \"%s\"; vip = \"%s\"; port = %d; scheduler = \"%s\"; fwd = \"fnat\";\n",
		proto, a, vport, r->sched);
	fprintf(f, "    laddrs = [");
	for (uint32_t i = 0; i < n_laddrs(r); i++) {
		ip4(a, sizeof(a), BENCH_DEST_NET + BENCH_LADDR_BASE + i);
		fprintf(f, "%s\"%s\"", i ? ", " : " ", a);
	}
	fprintf(f, " ];\n    dests = (\n");
	for (uint32_t i = 0; i < r->dests; i++) {
		ip4(a, sizeof(a), dest_ip(i));
		fprintf(f, "      { addr = \"%s\"; port = %u; weight = %u; }%s\n", a,
			8000 + i / BENCH_DEST_IPS, 1 + i % 3, i + 1 < r->dests ? "," : "");
	}
	fprintf(f, "    ); }");
}

int
bench_conf_write(const char *path, const struct bench_run *r, const struct bench_opts *o,
		 const char *file_prefix)
{
	FILE *f = fopen(path, "w");
	uint32_t per_worker, n_arp = r->dests < BENCH_DEST_IPS ? r->dests : BENCH_DEST_IPS;
	char a[16];

	if (f == NULL)
		return -errno;
	fprintf(f, "# plb-bench run %s, flows %u, dests %u, scheduler %s (written by bench/conf.c)\n",
		r->name, r->flows, r->dests, r->sched);
	fprintf(f, "eal = [ \"--no-huge\", \"-m\", \"%u\", \"--no-pci\", \"--no-shconf\", "
		"\"--file-prefix=%s\", \"--lcores=0@0,1@%d\", \"--log-level=*:warning\" ];\n",
		o->mem_mb, file_prefix, o->one_lcore ? 0 : 1);
	fprintf(f, "log_level = \"warning\";\n");
	if (r->kind == BK_FLOOR || r->kind == BK_FLOOR_LOOP) {
		fprintf(f, "modules = { path = \"%s/bench\"; load = [ \"proto_benchfwd\" ]; };\n", o->build);
	} else {
		fprintf(f, "modules = {\n  path = \"%s/modules\";\n", o->build);
		fprintf(f, "  load = [ \"proto_ipv4\", \"proto_arp\", \"proto_icmp\", \"proto_tcp\", "
			"\"proto_udp\", \"hook_defence\", %s\"hook_vs\" ];\n",
			r->kind == BK_ACL ? "\"hook_acl\", " : "");
		if (r->kind == BK_ACL)
			fprintf(f, "  hook_acl = { every_packet = true; };\n");
		ip4(a, sizeof(a), BENCH_ROUTER);
		fprintf(f, "  proto_arp = { static = (\n    { ip = \"%s\"; mac = \"02:00:00:00:00:fe\"; }", a);
		for (uint32_t i = 0; i < n_arp; i++) {
			ip4(a, sizeof(a), dest_ip(i));
			fprintf(f, ",\n    { ip = \"%s\"; mac = \"02:00:00:00:01:%02x\"; }", a, i);
		}
		fprintf(f, " ); };\n");
		/* newconn: a SYN_RECV conn expires at the next tick (conns.tick_ms below) */
		if (r->kind == BK_NEWCONN)
			fprintf(f, "  proto_tcp = { timeouts = { syn_recv = 0; }; };\n");
		fprintf(f, "};\n");
	}
	fprintf(f, "workers = { count = 1; poll = \"busy\"; burst = 32; };\n");
	/* enough for both rings full plus caches; less under a small -m (valgrind) */
	fprintf(f, "mempool = { mbufs = %u; cache = 512; };\n", o->mem_mb >= 2048 ? 131071 : 32767);
	fprintf(f, "ports = ( { name = \"p0\"; dev = \"net_ring_bench0\"; rx_desc = 4096; tx_desc = 4096;\n"
		"  addresses = [ \"192.0.2.1/24\", \"198.51.100.1/24\" ]; } );\n");
	if (r->kind != BK_FLOOR && r->kind != BK_FLOOR_LOOP) {
		fprintf(f, "services = (\n");
		service(f, r, "tcp", BENCH_TCP_VPORT);
		fprintf(f, ",\n");
		service(f, r, "udp", BENCH_UDP_VPORT);
		fprintf(f, "\n);\n");
		ip4(a, sizeof(a), BENCH_ROUTER);
		fprintf(f, "routes = ( { prefix = \"203.0.113.0/24\"; via = \"%s\"; port = \"p0\"; } );\n", a);
	}
	if (r->kind == BK_ACL) {
		/* the script's loop runs ~100 Lua instructions per prefix, under no JIT */
		ip4(a, sizeof(a), BENCH_CLIENT_NET);
		fprintf(f, "lua = { scripts = [ \"%s\" ]; instructions = 1000000000; memory_mb = 256;\n"
			"  config = { count = %u; keep = \"%s/24\"; seed = 7; }; };\n",
			o->acl_lua, BENCH_ACL_PREFIXES, a);
	}
	/* established runs hold every flow; newconn holds what a few ticks create */
	per_worker = r->kind == BK_NEWCONN ? 1u << 20 : r->flows + r->flows / 4 + 1024;
	fprintf(f, "conns = { per_worker = %u; tick_ms = %u; };\n", per_worker,
		r->kind == BK_NEWCONN ? 10 : 100);
	if (fclose(f) != 0)
		return -errno;
	return 0;
}
