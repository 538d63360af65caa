/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's views of reload/restore (what was reloaded, which changed
 * sections need a restart), `lua status` / `lua reload` (the Lua runtime)
 * and the access lists (`acl add|del|set`: the list's size after the
 * change; `acl list`: every scope, its lists, their hits and prefixes).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "print.h"

void
plbctl_print_reload(FILE *f, json_t *r)
{
	json_t *need = json_object_get(r, "restart_needed"), *v;
	long long n = plbctl_geti(r, "services");
	size_t i;

	fprintf(f, "reloaded %s: %lld service%s\n", plbctl_gets(r, "file", "?"), n,
		n == 1 ? "" : "s");
	if (json_array_size(need) == 0)
		return;
	fprintf(f, "not applied, need a restart:");
	json_array_foreach(need, i, v)
		fprintf(f, "%s%s", i ? ", " : " ", json_string_value(v) ?: "?");
	fputc('\n', f);
}

/* The items of a string array joined by ", ", or @none. */
static void
pp_list(FILE *f, json_t *arr, const char *none)
{
	json_t *v;
	size_t i;

	if (json_array_size(arr) == 0)
		fputs(none, f);
	json_array_foreach(arr, i, v)
		fprintf(f, "%s%s", i ? ", " : "", json_string_value(v) ?: "?");
	fputc('\n', f);
}

void
plbctl_print_lua(FILE *f, json_t *r)
{
	time_t at = (time_t)plbctl_geti(r, "loaded_at");
	json_t *err = json_object_get(r, "last_error");
	char when[32] = "-";
	struct tm tm;

	if (at != 0 && gmtime_r(&at, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "%-13s %s\n", "running", json_is_true(json_object_get(r, "running")) ? "yes" : "no");
	fprintf(f, "%-13s ", "scripts");
	pp_list(f, json_object_get(r, "scripts"), "(none)");
	fprintf(f, "%-13s ", "allow");
	pp_list(f, json_object_get(r, "allow"), "(none: the sandbox)");
	fprintf(f, "%-13s %lld KiB in use, limit %lld MiB\n", "memory", plbctl_geti(r, "memory_kb"),
		plbctl_geti(r, "memory_limit_mb"));
	fprintf(f, "%-13s %lld per call\n", "instructions", plbctl_geti(r, "instructions"));
	fprintf(f, "%-13s %lld\n", "timers", plbctl_geti(r, "timers"));
	fprintf(f, "%-13s %lld\n", "handlers", plbctl_geti(r, "handlers"));
	fprintf(f, "%-13s %s\n", "loaded at", when);
	fprintf(f, "%-13s %lld (%lld failed)\n", "loads", plbctl_geti(r, "loads"),
		plbctl_geti(r, "load_failures"));
	fprintf(f, "%-13s %lld (%lld failed)\n", "calls", plbctl_geti(r, "calls"),
		plbctl_geti(r, "call_errors"));
	fprintf(f, "%-13s %s\n", "last error", json_is_string(err) ? json_string_value(err) : "-");
}

/* "global" or "tcp 192.0.2.100:80" */
static const char *
pp_scope(json_t *svc, char *buf, size_t len)
{
	if (!json_is_object(svc))
		return "global";
	snprintf(buf, len, "%s %s:%lld", plbctl_gets(svc, "proto", "?"), plbctl_gets(svc, "vip", "?"),
		 plbctl_geti(svc, "port"));
	return buf;
}

void
plbctl_print_acl(FILE *f, json_t *r)
{
	char b[64];
	long long n = plbctl_geti(r, "size");

	fprintf(f, "%s %s list: %lld prefix%s\n", pp_scope(json_object_get(r, "service"), b, sizeof(b)),
		plbctl_gets(r, "list", "?"), n, n == 1 ? "" : "es");
}

void
plbctl_print_acl_list(FILE *f, json_t *r)
{
	static const char *const lists[] = { "deny", "allow" };
	json_t *scope, *p;
	size_t i, j;
	char b[64];

	json_array_foreach(r, i, scope) {
		for (int l = 0; l < 2; l++) {
			json_t *o = json_object_get(scope, lists[l]);
			long long n = plbctl_geti(o, "size");

			if (o == NULL)
				continue;
			fprintf(f, "%s %s list: %lld prefix%s, %lld hits\n",
				pp_scope(json_object_get(scope, "service"), b, sizeof(b)), lists[l], n,
				n == 1 ? "" : "es", plbctl_geti(o, "hits"));
			json_array_foreach(json_object_get(o, "prefixes"), j, p)
				fprintf(f, "  %s\n", json_string_value(p) ?: "?");
		}
	}
}
