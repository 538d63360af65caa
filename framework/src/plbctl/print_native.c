/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's native views: `stats` (ports, workers, services with their dests,
 * module counters; `--rate` the same from the `rates` result), `modules`,
 * `schedulers`, `service list` and `conns`, as plain aligned tables.
 */
#include <stdlib.h>
#include <string.h>

#include "print.h"

void
plbctl_print_stats(FILE *f, json_t *r, int rate)
{
	json_t *row, *v;
	const char *k;
	size_t i;

	if (rate)
		fprintf(f, "(per second)\n");
	fprintf(f, "%-4s %-10s %12s %12s %12s %12s %10s %10s\n", "port", "name", "rx_packets",
		"tx_packets", "rx_bytes", "tx_bytes", "rx_dropped", "tx_errors");
	json_array_foreach(json_object_get(r, "ports"), i, row)
		fprintf(f, "%-4lld %-10s %12lld %12lld %12lld %12lld %10lld %10lld\n",
			plbctl_geti(row, "id"), plbctl_gets(row, "name", "?"),
			plbctl_geti(row, "rx_packets"), plbctl_geti(row, "tx_packets"),
			plbctl_geti(row, "rx_bytes"), plbctl_geti(row, "tx_bytes"),
			plbctl_geti(row, "rx_dropped"), plbctl_geti(row, "tx_errors"));
	fprintf(f, "\n%-6s %-5s %12s %12s %10s %12s %12s %10s %12s\n", "worker", "lcore", "rx", "tx",
		"tx_drop", "handover_out", "handover_in", "drop", "idle_sleeps");
	json_array_foreach(json_object_get(r, "workers"), i, row)
		fprintf(f, "%-6lld %-5lld %12lld %12lld %10lld %12lld %12lld %10lld %12lld\n",
			plbctl_geti(row, "id"), plbctl_geti(row, "lcore"), plbctl_geti(row, "rx"),
			plbctl_geti(row, "tx"), plbctl_geti(row, "tx_drop"),
			plbctl_geti(row, "handover_out"), plbctl_geti(row, "handover_in"),
			plbctl_geti(row, "drop"), plbctl_geti(row, "idle_sleeps"));
	json_array_foreach(json_object_get(r, "services"), i, row) {
		json_t *d;
		size_t j;

		fprintf(f, "\n%s %s:%lld  scheduler %s  fwd %s  (drops: no_dest %lld, conn_full %lld, "
			"no_port %lld, not_syn %lld)\n", plbctl_gets(row, "proto", "?"),
			plbctl_gets(row, "vip", "?"), plbctl_geti(row, "port"),
			plbctl_gets(row, "scheduler", "?"), plbctl_gets(row, "fwd", "?"),
			plbctl_geti(row, "drop_no_dest"), plbctl_geti(row, "drop_conn_full"),
			plbctl_geti(row, "drop_no_port"), plbctl_geti(row, "drop_not_syn"));
		fprintf(f, "  %-22s %6s %8s %8s %10s %12s %12s %14s %14s\n", "dest", "weight",
			"active", "inactive", "conns", "pkts_in", "pkts_out", "bytes_in", "bytes_out");
		json_array_foreach(json_object_get(row, "dests"), j, d) {
			char ep[64];

			snprintf(ep, sizeof(ep), "%s:%lld", plbctl_gets(d, "addr", "?"),
				 plbctl_geti(d, "port"));
			fprintf(f, "  %-22s %6lld %8lld %8lld %10lld %12lld %12lld %14lld %14lld\n", ep,
				plbctl_geti(d, "weight"), plbctl_geti(d, "active_conns"),
				plbctl_geti(d, "inactive_conns"), plbctl_geti(d, "conns"),
				plbctl_geti(d, "pkts_in"), plbctl_geti(d, "pkts_out"),
				plbctl_geti(d, "bytes_in"), plbctl_geti(d, "bytes_out"));
		}
	}
	fprintf(f, "\n%-40s %12s\n", "counter", "value");
	json_object_foreach(json_object_get(r, "counters"), k, v)
		fprintf(f, "%-40s %12lld\n", k, json_is_real(v) ? (long long)json_real_value(v) :
			(long long)json_integer_value(v));
}

void
plbctl_print_modules(FILE *f, json_t *r)
{
	json_t *row;
	size_t i;

	fprintf(f, "%-6s %-12s %-8s %s\n", "kind", "name", "version", "description");
	json_array_foreach(r, i, row)
		fprintf(f, "%-6s %-12s %-8s %s\n", plbctl_gets(row, "kind", "?"),
			plbctl_gets(row, "name", "?"), plbctl_gets(row, "version", ""),
			plbctl_gets(row, "description", ""));
}

static int
nprn_in(json_t *arr, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
}

/*
 * The result is {"loaded": [names], "available": [names]}, or an array of
 * names or of {"name", "loaded"} objects.
 */
void
plbctl_print_schedulers(FILE *f, json_t *r)
{
	json_t *v;
	size_t i;

	fprintf(f, "%-16s %s\n", "scheduler", "loaded");
	if (json_is_object(r)) {
		json_t *loaded = json_object_get(r, "loaded"), *avail = json_object_get(r, "available");

		json_array_foreach(loaded, i, v)
			fprintf(f, "%-16s %s\n", json_string_value(v), "yes");
		json_array_foreach(avail, i, v)
			if (!nprn_in(loaded, json_string_value(v)))
				fprintf(f, "%-16s %s\n", json_string_value(v), "no");
		return;
	}
	json_array_foreach(r, i, v) {
		if (json_is_string(v))
			fprintf(f, "%-16s %s\n", json_string_value(v), "?");
		else
			fprintf(f, "%-16s %s\n", plbctl_gets(v, "name", "?"),
				json_is_true(json_object_get(v, "loaded")) ? "yes" : "no");
	}
}

void
plbctl_print_services(FILE *f, json_t *r)
{
	json_t *s;
	size_t i;

	json_array_foreach(r, i, s) {
		json_t *opts = json_object_get(s, "sched_opts"), *d, *l;
		size_t j;

		fprintf(f, "%s %s:%lld  scheduler %s  fwd %s", plbctl_gets(s, "proto", "?"),
			plbctl_gets(s, "vip", "?"), plbctl_geti(s, "port"),
			plbctl_gets(s, "scheduler", "?"), plbctl_gets(s, "fwd", "?"));
		if (json_array_size(json_object_get(s, "laddrs")) > 0) {
			fprintf(f, "  laddrs");
			json_array_foreach(json_object_get(s, "laddrs"), j, l)
				fprintf(f, "%s%s", j ? "," : " ", json_string_value(l));
		}
		if (json_is_true(json_object_get(s, "ops")))
			fprintf(f, "  ops");
		if (json_is_true(json_object_get(s, "expire_quiescent")))
			fprintf(f, "  expire_quiescent");
		if (json_object_size(opts) > 0) {
			char *o = json_dumps(opts, JSON_COMPACT | JSON_SORT_KEYS);

			fprintf(f, "  sched_opts %s", o ? o : "?");
			free(o);
		} else if (json_is_string(json_object_get(s, "sched_opts_text"))) {
			fprintf(f, "  sched_opts %s", plbctl_gets(s, "sched_opts_text", ""));
		}
		fputc('\n', f);
		json_array_foreach(json_object_get(s, "dests"), j, d) {
			char ep[64];
			long long port = plbctl_geti(d, "port");

			snprintf(ep, sizeof(ep), "%s:%lld", plbctl_gets(d, "addr", "?"),
				 port ? port : plbctl_geti(s, "port"));
			fprintf(f, "  -> %-22s weight %lld  upper %lld  lower %lld%s\n", ep,
				json_object_get(d, "weight") ? plbctl_geti(d, "weight") : 1,
				plbctl_geti(d, "u_threshold"), plbctl_geti(d, "l_threshold"),
				json_is_true(json_object_get(d, "down")) ? "  down" : "");
		}
	}
}

void
plbctl_print_conns(FILE *f, json_t *r)
{
	json_t *c;
	size_t i;

	fprintf(f, "%-5s %-21s %-21s %-21s %-21s %-12s %7s %6s\n", "proto", "client", "virtual",
		"local", "dest", "state", "expires", "worker");
	json_array_foreach(r, i, c) {
		char ep[4][32], state[24];
		json_t *st = json_object_get(c, "state");

		snprintf(ep[0], sizeof(ep[0]), "%s:%lld", plbctl_gets(c, "client", "?"),
			 plbctl_geti(c, "cport"));
		snprintf(ep[1], sizeof(ep[1]), "%s:%lld", plbctl_gets(c, "vip", "?"),
			 plbctl_geti(c, "vport"));
		if (json_object_get(c, "laddr") != NULL)
			snprintf(ep[2], sizeof(ep[2]), "%s:%lld", plbctl_gets(c, "laddr", "?"),
				 plbctl_geti(c, "lport"));
		else
			snprintf(ep[2], sizeof(ep[2]), "-");
		snprintf(ep[3], sizeof(ep[3]), "%s:%lld", plbctl_gets(c, "dest", "?"),
			 plbctl_geti(c, "dport"));
		if (json_is_string(st))
			snprintf(state, sizeof(state), "%s", json_string_value(st));
		else
			snprintf(state, sizeof(state), "%lld", plbctl_geti(c, "state"));
		fprintf(f, "%-5s %-21s %-21s %-21s %-21s %-12s %7lld %6lld\n",
			plbctl_gets(c, "proto", "?"), ep[0], ep[1], ep[2], ep[3], state,
			plbctl_geti(c, "expires"), plbctl_geti(c, "worker"));
	}
}
