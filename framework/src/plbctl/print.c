/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's ipvsadm views: -L -n (ipvsadm's header, "TCP  VIP:PORT sched"
 * lines and "  -> RS:PORT  Forward Weight ActiveConn InActConn" lines, sorted
 * like ipvsadm), --stats and --rate (ipvsadm's 8-column numbers with K/M/G/T
 * suffixes), -c, and -S (the -R input that recreates the services). Plus the
 * dispatch from a view to its printer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "print.h"

long long
plbctl_geti(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_real(v) ? (long long)json_real_value(v) : (long long)json_integer_value(v);
}

const char *
plbctl_gets(json_t *o, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : def;
}

static uint32_t
prn_addr(json_t *o, const char *key)
{
	struct in_addr a = { 0 };

	inet_pton(AF_INET, plbctl_gets(o, key, ""), &a);
	return ntohl(a.s_addr);
}

static int
prn_cmp_svc(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	int pa = strcmp(plbctl_gets(a, "proto", ""), "udp") == 0;
	int pb = strcmp(plbctl_gets(b, "proto", ""), "udp") == 0;
	uint32_t aa = prn_addr(a, "vip"), ab = prn_addr(b, "vip");

	if (pa != pb)
		return pa - pb;
	if (aa != ab)
		return aa < ab ? -1 : 1;
	return (int)(plbctl_geti(a, "port") - plbctl_geti(b, "port"));
}

static int
prn_cmp_dest(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	uint32_t aa = prn_addr(a, "addr"), ab = prn_addr(b, "addr");

	if (aa != ab)
		return aa < ab ? -1 : 1;
	return (int)(plbctl_geti(a, "port") - plbctl_geti(b, "port"));
}

/* The members of array @arr sorted by @cmp, in a malloc'ed array of *n pointers. */
static json_t **
prn_sorted(json_t *arr, int (*cmp)(const void *, const void *), size_t *n)
{
	json_t **v, *e;
	size_t i;

	*n = json_array_size(arr);
	v = calloc(*n + 1, sizeof(*v));
	if (v == NULL) {
		*n = 0;
		return NULL;
	}
	json_array_foreach(arr, i, e)
		v[i] = e;
	qsort(v, *n, sizeof(*v), cmp);
	return v;
}

static void
prn_svc_name(json_t *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s  %s:%lld", strcmp(plbctl_gets(s, "proto", ""), "udp") == 0 ?
		 "UDP" : "TCP", plbctl_gets(s, "vip", "?"), plbctl_geti(s, "port"));
}

static void
prn_dest_name(json_t *d, json_t *s, char *buf, size_t len)
{
	long long port = plbctl_geti(d, "port");

	snprintf(buf, len, "%s:%lld", plbctl_gets(d, "addr", "?"),
		 port != 0 ? port : plbctl_geti(s, "port"));
}

static const char *
prn_fwd_name(const char *fwd)
{
	if (strcmp(fwd, "nat") == 0)
		return "Masq";
	if (strcmp(fwd, "dr") == 0)
		return "Route";
	if (strcmp(fwd, "tun") == 0)
		return "Tunnel";
	if (strcmp(fwd, "fnat") == 0)
		return "FullNat";
	return fwd;
}

void
plbctl_print_list(FILE *f, json_t *stats)
{
	json_t *size = json_object_get(stats, "conn_table_size");
	json_t **svcs;
	size_t n;

	fprintf(f, "IP Virtual Server version %s (size=%lld)\n", PLBCTL_IPVS_VERSION,
		json_is_integer(size) ? (long long)json_integer_value(size) :
		(long long)PLBCTL_IPVS_SIZE);
	fprintf(f, "Prot LocalAddress:Port Scheduler Flags\n"
		"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
	svcs = prn_sorted(json_object_get(stats, "services"), prn_cmp_svc, &n);
	for (size_t i = 0; i < n; i++) {
		json_t *s = svcs[i], **dests;
		const char *fwd = prn_fwd_name(plbctl_gets(s, "fwd", ""));
		char name[64];
		size_t nd;

		prn_svc_name(s, name, sizeof(name));
		fprintf(f, "%s %s%s\n", name, plbctl_gets(s, "scheduler", "?"),
			json_is_true(json_object_get(s, "ops")) ? " ops" : "");
		dests = prn_sorted(json_object_get(s, "dests"), prn_cmp_dest, &nd);
		for (size_t j = 0; j < nd; j++) {
			prn_dest_name(dests[j], s, name, sizeof(name));
			fprintf(f, "  -> %-28s %-7s %-6lld %-10lld %-10lld\n", name, fwd,
				plbctl_geti(dests[j], "weight"), plbctl_geti(dests[j], "active_conns"),
				plbctl_geti(dests[j], "inactive_conns"));
		}
		free(dests);
	}
	free(svcs);
}

/* ipvsadm's 9-character numbers: exact below 100 million, then K, M, G, T. */
static void
prn_num(FILE *f, long long v)
{
	unsigned long long u = v < 0 ? 0 : (unsigned long long)v;

	if (u < 100000000ULL)
		fprintf(f, "%9llu", u);
	else if (u < 1000000000ULL)
		fprintf(f, "%8lluK", u / 1000ULL);
	else if (u < 100000000000ULL)
		fprintf(f, "%8lluM", u / 1000000ULL);
	else if (u < 100000000000000ULL)
		fprintf(f, "%8lluG", u / 1000000000ULL);
	else
		fprintf(f, "%8lluT", u / 1000000000000ULL);
}

static const char *const prn_stat_keys[5] = { "conns", "pkts_in", "pkts_out", "bytes_in",
					      "bytes_out" };

void
plbctl_print_list_stats(FILE *f, json_t *stats, int rate)
{
	json_t **svcs;
	size_t n;

	fprintf(f, "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
		"Prot LocalAddress:Port", rate ? "CPS" : "Conns", rate ? "InPPS" : "InPkts",
		rate ? "OutPPS" : "OutPkts", rate ? "InBPS" : "InBytes", rate ? "OutBPS" : "OutBytes");
	svcs = prn_sorted(json_object_get(stats, "services"), prn_cmp_svc, &n);
	for (size_t i = 0; i < n; i++) {
		json_t *s = svcs[i], **dests;
		long long tot[5] = { 0 };
		char name[64];
		size_t nd;

		dests = prn_sorted(json_object_get(s, "dests"), prn_cmp_dest, &nd);
		/* a service's totals: its own when plb gives them, else its dests' sum */
		for (int k = 0; k < 5; k++) {
			if (json_object_get(s, prn_stat_keys[k]) != NULL) {
				tot[k] = plbctl_geti(s, prn_stat_keys[k]);
				continue;
			}
			for (size_t j = 0; j < nd; j++)
				tot[k] += plbctl_geti(dests[j], prn_stat_keys[k]);
		}
		prn_svc_name(s, name, sizeof(name));
		fprintf(f, "%-33s", name);
		for (int k = 0; k < 5; k++)
			prn_num(f, tot[k]);
		fputc('\n', f);
		for (size_t j = 0; j < nd; j++) {
			prn_dest_name(dests[j], s, name, sizeof(name));
			fprintf(f, "  -> %-28s", name);
			for (int k = 0; k < 5; k++) {
				if (rate && k < 3)
					fprintf(f, " %8lld", plbctl_geti(dests[j], prn_stat_keys[k]));
				else
					prn_num(f, plbctl_geti(dests[j], prn_stat_keys[k]));
			}
			fputc('\n', f);
		}
		free(dests);
	}
	free(svcs);
}

void
plbctl_print_list_conns(FILE *f, json_t *conns)
{
	json_t *c;
	size_t i;

	fprintf(f, "IPVS connection entries\n");
	fprintf(f, "pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual", "destination");
	json_array_foreach(conns, i, c) {
		char proto[8], exp[48], src[48], vip[48], dst[48], state[24];
		long long e = plbctl_geti(c, "expires");
		json_t *st = json_object_get(c, "state");

		snprintf(proto, sizeof(proto), "%s", strcmp(plbctl_gets(c, "proto", ""), "udp") == 0 ?
			 "UDP" : "TCP");
		snprintf(exp, sizeof(exp), "%02lld:%02lld", e / 60, e % 60);
		snprintf(src, sizeof(src), "%s:%lld", plbctl_gets(c, "client", "?"),
			 plbctl_geti(c, "cport"));
		snprintf(vip, sizeof(vip), "%s:%lld", plbctl_gets(c, "vip", "?"),
			 plbctl_geti(c, "vport"));
		snprintf(dst, sizeof(dst), "%s:%lld", plbctl_gets(c, "dest", "?"),
			 plbctl_geti(c, "dport"));
		if (json_is_string(st))
			snprintf(state, sizeof(state), "%s", json_string_value(st));
		else
			snprintf(state, sizeof(state), "%lld", plbctl_geti(c, "state"));
		fprintf(f, "%-3s %-6s %-11s %-18s %-18s %s\n", proto, exp, state, src, vip, dst);
	}
}

static const char *
prn_fwd_switch(const char *fwd)
{
	if (strcmp(fwd, "nat") == 0)
		return "-m";
	if (strcmp(fwd, "dr") == 0)
		return "-g";
	if (strcmp(fwd, "tun") == 0)
		return "-i";
	if (strcmp(fwd, "fnat") == 0)
		return "-b";
	return NULL;
}

int
plbctl_print_rules(FILE *f, json_t *services, char **err)
{
	json_t *s;
	size_t i;

	/* check first, so that a refused -S prints nothing */
	json_array_foreach(services, i, s)
		if (prn_fwd_switch(plbctl_gets(s, "fwd", "fnat")) == NULL)
			return plbctl_fail(err, "service %s: forwarding mode \"%s\" has no ipvsadm "
					   "switch (use plbctl save)", plbctl_svc_key(s),
					   plbctl_gets(s, "fwd", ""));
	json_array_foreach(services, i, s) {
		const char *fwd = plbctl_gets(s, "fwd", "fnat");
		const char *sw = prn_fwd_switch(fwd);
		json_t *dests = json_object_get(s, "dests"), *d, *l;
		char svc[64], dst[32];
		size_t j;

		snprintf(svc, sizeof(svc), "%s %s:%lld",
			 strcmp(plbctl_gets(s, "proto", ""), "udp") == 0 ? "-u" : "-t",
			 plbctl_gets(s, "vip", "?"), plbctl_geti(s, "port"));
		fprintf(f, "-A %s -s %s", svc, plbctl_gets(s, "scheduler", "wlc"));
		if (json_is_true(json_object_get(s, "ops")))
			fprintf(f, " -o");
		json_array_foreach(json_object_get(s, "laddrs"), j, l)
			fprintf(f, " --laddr %s", json_string_value(l));
		/* the -a lines carry the mode; a service without dests carries its own */
		if (json_array_size(dests) == 0 && strcmp(fwd, "fnat") != 0)
			fprintf(f, " %s", sw);
		fputc('\n', f);
		json_array_foreach(dests, j, d) {
			/* port 0 (the service's port) stays implicit, as it was given */
			if (plbctl_geti(d, "port") != 0)
				prn_dest_name(d, s, dst, sizeof(dst));
			else
				snprintf(dst, sizeof(dst), "%s", plbctl_gets(d, "addr", "?"));
			fprintf(f, "-a %s -r %s %s -w %lld", svc, dst, sw,
				json_object_get(d, "weight") ? plbctl_geti(d, "weight") : 1);
			if (plbctl_geti(d, "u_threshold") != 0)
				fprintf(f, " -x %lld", plbctl_geti(d, "u_threshold"));
			if (plbctl_geti(d, "l_threshold") != 0)
				fprintf(f, " -y %lld", plbctl_geti(d, "l_threshold"));
			fputc('\n', f);
		}
	}
	return 0;
}

int
plbctl_print(FILE *f, enum plbctl_view view, json_t *result, char **err)
{
	switch (view) {
	case PLBCTL_VIEW_NONE:
		break;
	case PLBCTL_VIEW_STATS:
	case PLBCTL_VIEW_RATES:
		plbctl_print_stats(f, result, view == PLBCTL_VIEW_RATES);
		break;
	case PLBCTL_VIEW_MODULES:
		plbctl_print_modules(f, result);
		break;
	case PLBCTL_VIEW_SCHEDULERS:
		plbctl_print_schedulers(f, result);
		break;
	case PLBCTL_VIEW_SERVICES:
		plbctl_print_services(f, plbctl_svc_array(result));
		break;
	case PLBCTL_VIEW_CONNS:
		plbctl_print_conns(f, result);
		break;
	case PLBCTL_VIEW_SAVE:
		fputs(plbctl_gets(result, "text", ""), f);
		break;
	case PLBCTL_VIEW_LIST:
		plbctl_print_list(f, result);
		break;
	case PLBCTL_VIEW_LIST_STATS:
	case PLBCTL_VIEW_LIST_RATE:
		plbctl_print_list_stats(f, result, view == PLBCTL_VIEW_LIST_RATE);
		break;
	case PLBCTL_VIEW_LIST_CONNS:
		plbctl_print_list_conns(f, result);
		break;
	case PLBCTL_VIEW_RULES:
		return plbctl_print_rules(f, plbctl_svc_array(result), err);
	case PLBCTL_VIEW_RELOAD:
		plbctl_print_reload(f, result);
		break;
	case PLBCTL_VIEW_LUA:
		plbctl_print_lua(f, result);
		break;
	case PLBCTL_VIEW_ACL:
		plbctl_print_acl(f, result);
		break;
	case PLBCTL_VIEW_ACL_LIST:
		plbctl_print_acl_list(f, result);
		break;
	}
	return 0;
}
