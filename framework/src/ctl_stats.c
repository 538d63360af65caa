/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.ctl: the read-only commands: stats (ports, workers, every module
 * counter, services with their dests), rates (the same, per second, from
 * the control thread's estimator), modules, schedulers, conns.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <rte_ethdev.h>

#include <plb/conn.h>
#include <plb/log.h>
#include <plb/port.h>
#include <plb/proto.h>
#include <plb/stats.h>

#include "conn.h"
#include "ctl.h"
#include "loader.h"
#include "registry.h"
#include "runtime.h"
#include "svc.h"

static const char *const kind_names[] = {
	[PLB_MODULE_L3] = "l3", [PLB_MODULE_HOOK] = "hook", [PLB_MODULE_PROTO] = "proto",
	[PLB_MODULE_SCHED] = "sched", [PLB_MODULE_FWD] = "fwd",
};

static void
service_row(const struct plb_svc *svc, void *arg)
{
	char vip[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];
	json_t *dests = json_array();
	uint64_t ss[4] = { 0 };
	uint32_t nw = plb_workers_n();

	inet_ntop(svc->af, &svc->vaddr, vip, sizeof(vip));
	for (uint32_t w = 0; w < nw; w++) {
		ss[0] += svc->stats[w].drop_no_dest;
		ss[1] += svc->stats[w].drop_conn_full;
		ss[2] += svc->stats[w].drop_no_port;
		ss[3] += svc->stats[w].drop_not_syn;
	}
	for (uint32_t i = 0; i < svc->n_dests; i++) {
		const struct plb_dest *d = svc->dests[i];
		struct plb_dest_stats t = { 0 };

		for (uint32_t w = 0; w < nw; w++) {
			const volatile struct plb_dest_stats *x = &d->stats[w];

			t.conns += x->conns;
			t.pkts_in += x->pkts_in;
			t.pkts_out += x->pkts_out;
			t.bytes_in += x->bytes_in;
			t.bytes_out += x->bytes_out;
		}
		inet_ntop(d->af, &d->addr, da, sizeof(da));
		json_array_append_new(dests, json_pack(
			"{s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"addr", da, "port", ntohs(d->port), "weight", (int)d->weight,
			"active_conns", (json_int_t)__atomic_load_n(&d->active_conns, __ATOMIC_RELAXED),
			"inactive_conns", (json_int_t)__atomic_load_n(&d->inactive_conns, __ATOMIC_RELAXED),
			"conns", (json_int_t)t.conns, "pkts_in", (json_int_t)t.pkts_in,
			"pkts_out", (json_int_t)t.pkts_out, "bytes_in", (json_int_t)t.bytes_in,
			"bytes_out", (json_int_t)t.bytes_out));
	}
	json_array_append_new(arg, json_pack("{s:s, s:s, s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:o}",
		"proto", svc->proto == IPPROTO_TCP ? "tcp" : "udp", "vip", vip,
		"port", ntohs(svc->vport), "scheduler", svc->sched_name, "fwd", svc->fwd_name,
		"drop_no_dest", (json_int_t)ss[0], "drop_conn_full", (json_int_t)ss[1],
		"drop_no_port", (json_int_t)ss[2], "drop_not_syn", (json_int_t)ss[3], "dests", dests));
}

static json_t *
services_json(void)
{
	json_t *rows = json_array();

	plb_svc_foreach(service_row, rows);
	return rows;
}

static json_t *
cmd_stats(json_t *req, char **err)
{
	json_t *res = json_object(), *ports = json_array(), *workers = json_array();
	json_t *counters = json_object();
	const struct plb_port_ids *p = plb_ports();

	for (uint16_t i = 0; i < p->n; i++) {
		const struct plb_port_info *pi = plb_port_get(p->ids[i]);
		struct rte_eth_stats es;

		memset(&es, 0, sizeof(es));
		rte_eth_stats_get(p->ids[i], &es);
		json_array_append_new(ports, json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"id", pi->id, "name", pi->name,
			"rx_packets", (json_int_t)es.ipackets, "tx_packets", (json_int_t)es.opackets,
			"rx_bytes", (json_int_t)es.ibytes, "tx_bytes", (json_int_t)es.obytes,
			"rx_dropped", (json_int_t)(es.imissed + es.rx_nombuf),
			"rx_errors", (json_int_t)es.ierrors, "tx_errors", (json_int_t)es.oerrors));
	}
	for (uint32_t w = 0; w < plb_workers_n(); w++) {
		struct plb_worker_stats s;

		plb_worker_stats_get(w, &s);
		json_array_append_new(workers, json_pack(
			"{s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"id", w, "lcore", plb_worker_lcore(w),
			"rx", (json_int_t)s.rx, "tx", (json_int_t)s.tx, "tx_drop", (json_int_t)s.tx_drop,
			"handover_out", (json_int_t)s.handover_out,
			"handover_in", (json_int_t)s.handover_in,
			"handover_drop", (json_int_t)s.handover_drop,
			"drop", (json_int_t)(s.drop_runt + s.drop_no_l3 + s.drop_l3),
			"drop_runt", (json_int_t)s.drop_runt, "drop_no_l3", (json_int_t)s.drop_no_l3,
			"drop_l3", (json_int_t)s.drop_l3, "idle_sleeps", (json_int_t)s.idle_sleeps,
			"loops", (json_int_t)s.loops));
		json_object_set_new(json_array_get(workers, w), "conns",
				    json_integer(plb_conn_count(w)));
		json_object_set_new(json_array_get(workers, w), "conns_expired",
				    json_integer((json_int_t)plb_conns_expired(w)));
	}
	json_object_set_new(res, "services", services_json());
	if (plb_ctl_conf)
		json_object_set_new(res, "conn_table_size", json_integer(
			(json_int_t)plb_ctl_conf->conns.per_worker * plb_workers_n()));
	for (uint32_t c = 0; c < plb_counter_count(); c++)
		json_object_set_new(counters, plb_counter_name(c),
				    json_integer((json_int_t)plb_counter_read(c)));
	json_object_set_new(res, "ports", ports);
	json_object_set_new(res, "workers", workers);
	json_object_set_new(res, "counters", counters);
	return res;
}

static void
module_row(const struct plb_module *m, const char *path, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:s, s:s}",
		"name", m->name, "kind", kind_names[m->kind],
		"version", m->version ? m->version : "",
		"description", m->description ? m->description : "", "path", path));
}

static json_t *
cmd_modules(json_t *req, char **err)
{
	json_t *rows = json_array();

	plb_loader_foreach(module_row, rows);
	return rows;
}

/* ---- rates: the control thread's 1 s estimator ---- */

static json_t *rate_prev;	/* the stats snapshot of the last tick */
static struct timespec rate_prev_ts;
static json_t *rate_last;	/* the rates computed at the last tick */

/* Fields that are levels or names, not counters: copied, never turned into a rate. */
static int
is_level(const char *key, int in_workers)
{
	static const char *const levels[] = {
		"id", "lcore", "name", "port", "addr", "vip", "proto", "scheduler", "fwd", "weight",
		"active_conns", "inactive_conns", NULL,
	};

	if (in_workers && !strcmp(key, "conns"))
		return 1;	/* a worker's conns now, not conns made */
	for (int i = 0; levels[i]; i++)
		if (!strcmp(key, levels[i]))
			return 1;
	return 0;
}

/* (b - a) / dt for every counter of @b, matching @a's shape; levels copied from @b. */
static json_t *
json_rate(json_t *a, json_t *b, double dt, int in_workers)
{
	if (json_is_object(b)) {
		json_t *out = json_object(), *bv;
		const char *k;

		json_object_foreach(b, k, bv) {
			json_t *av = json_object_get(a, k);

			if (json_is_integer(bv) && !is_level(k, in_workers))
				json_object_set_new(out, k, json_integer(av && json_is_integer(av) ?
					(json_int_t)((double)(json_integer_value(bv) - json_integer_value(av)) / dt + 0.5) : 0));
			else if (json_is_object(bv) || json_is_array(bv))
				json_object_set_new(out, k, json_rate(av, bv, dt, !strcmp(k, "workers")));
			else
				json_object_set(out, k, bv);
		}
		return out;
	}
	if (json_is_array(b)) {
		json_t *out = json_array(), *bv;
		size_t i;

		json_array_foreach(b, i, bv)
			json_array_append_new(out, json_rate(json_is_array(a) && json_array_size(a) ==
							     json_array_size(b) ? json_array_get(a, i) : NULL,
							     bv, dt, in_workers));
		return out;
	}
	return json_incref(b);
}

void
plb_ctl_tick(void)
{
	struct timespec now;
	json_t *cur = cmd_stats(NULL, NULL);

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (rate_prev) {
		double dt = (double)(now.tv_sec - rate_prev_ts.tv_sec) +
			    (double)(now.tv_nsec - rate_prev_ts.tv_nsec) / 1e9;

		if (dt > 0.1) {
			json_decref(rate_last);
			rate_last = json_rate(rate_prev, cur, dt, 0);
		}
		json_decref(rate_prev);
	}
	rate_prev = cur;
	rate_prev_ts = now;
	plb_svc_gc();
}

static json_t *
cmd_rates(json_t *req, char **err)
{
	static const char *const args[] = { NULL };

	if (plb_ctl_check_args(req, args, err))
		return NULL;
	if (rate_last == NULL) {
		plb_err(err, -EAGAIN, "no rates yet: plb estimates them once a second, ask again shortly");
		return NULL;
	}
	return json_deep_copy(rate_last);
}

/* ---- schedulers ---- */

static json_t *
cmd_schedulers(json_t *req, char **err)
{
	static const char *const args[] = { NULL };
	json_t *rows = json_array();
	DIR *d;
	struct dirent *e;

	if (plb_ctl_check_args(req, args, err)) {
		json_decref(rows);
		return NULL;
	}
	d = opendir(plb_ctl_conf->module_path);
	while (d && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		char name[256];

		if (strncmp(e->d_name, "sched_", 6) != 0 || n < 10 || strcmp(e->d_name + n - 3, ".so"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - 9), e->d_name + 6);
		json_array_append_new(rows, json_pack("{s:s, s:b}", "name", name,
						      "loaded", plb_reg_sched_get(name) != NULL));
	}
	if (d)
		closedir(d);
	return rows;
}

/* ---- conns ---- */

struct dump_req {
	struct plb_conn_filter f;
	uint32_t worker;
	uint32_t max;
	uint32_t n;
	struct plb_conn *out;
};

static void
dump_on_worker(void *arg)
{
	struct dump_req *r = arg;

	r->n = plb_conns_dump(r->worker, &r->f, r->out, r->max);
}

static int
arg_ip4(json_t *req, const char *key, uint32_t *out, char **err)
{
	json_t *v = json_object_get(req, key);
	struct in_addr in;

	if (v == NULL)
		return 0;
	if (!json_is_string(v) || inet_pton(AF_INET, json_string_value(v), &in) != 1)
		return plb_err(err, -EINVAL, "\"%s\" must be an IPv4 address such as \"192.0.2.100\"", key);
	*out = in.s_addr;
	return 0;
}

static json_t *
cmd_conns(json_t *req, char **err)
{
	static const char *const args[] = { "proto", "vip", "port", "client", "dest", "limit", NULL };
	struct dump_req r = { .max = 1000 };
	json_t *rows, *v;
	uint32_t total = 0;

	if (plb_ctl_check_args(req, args, err) || arg_ip4(req, "vip", &r.f.vaddr, err) ||
	    arg_ip4(req, "client", &r.f.caddr, err) || arg_ip4(req, "dest", &r.f.daddr, err))
		return NULL;
	if ((v = json_object_get(req, "proto")) != NULL) {
		if (json_is_string(v) && !strcmp(json_string_value(v), "tcp"))
			r.f.proto = IPPROTO_TCP;
		else if (json_is_string(v) && !strcmp(json_string_value(v), "udp"))
			r.f.proto = IPPROTO_UDP;
		else
			return plb_err(err, -EINVAL, "\"proto\" must be \"tcp\" or \"udp\""), NULL;
	}
	if ((v = json_object_get(req, "port")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 65535)
			return plb_err(err, -EINVAL, "\"port\" must be an integer 1..65535"), NULL;
		r.f.vport = htons((uint16_t)json_integer_value(v));
	}
	if ((v = json_object_get(req, "limit")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000)
			return plb_err(err, -EINVAL, "\"limit\" must be an integer 1..1000000"), NULL;
		r.max = (uint32_t)json_integer_value(v);
	}
	r.out = calloc(r.max, sizeof(*r.out));
	if (r.out == NULL)
		return plb_err(err, -ENOMEM, "out of memory"), NULL;
	rows = json_array();
	for (uint32_t w = 0; w < plb_workers_n() && total < r.max; w++) {
		struct dump_req one = r;

		one.worker = w;
		one.max = r.max - total;
		one.out = r.out;
		plb_worker_call(w, dump_on_worker, &one, 1000);
		for (uint32_t i = 0; i < one.n; i++) {
			const struct plb_conn *c = &one.out[i];
			const struct plb_proto_ops *pp = plb_proto_get(c->proto);
			char ca[INET_ADDRSTRLEN], va[INET_ADDRSTRLEN], la[INET_ADDRSTRLEN], da[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &c->caddr, ca, sizeof(ca));
			inet_ntop(AF_INET, &c->vaddr, va, sizeof(va));
			inet_ntop(AF_INET, &c->laddr, la, sizeof(la));
			inet_ntop(AF_INET, &c->daddr, da, sizeof(da));
			json_array_append_new(rows, json_pack(
				"{s:i, s:s, s:s, s:i, s:s, s:i, s:s, s:i, s:s, s:i, s:s, s:i, s:b}",
				"worker", w, "proto", c->proto == IPPROTO_TCP ? "tcp" : "udp",
				"client", ca, "cport", ntohs(c->cport), "vip", va, "vport", ntohs(c->vport),
				"laddr", la, "lport", ntohs(c->lport), "dest", da, "dport", ntohs(c->dport),
				"state", pp && pp->state_name ? pp->state_name(c->state) : "?",
				"timeout", c->timeout, "active", !!(c->flags & PLB_CONN_F_ACTIVE)));
			json_object_set_new(json_array_get(rows, json_array_size(rows) - 1), "expires",
					    json_integer(plb_conn_expires_in(w, c)));
		}
		total += one.n;
	}
	free(r.out);
	return rows;
}

static json_t *
cmd_stats_checked(json_t *req, char **err)
{
	static const char *const args[] = { NULL };

	if (plb_ctl_check_args(req, args, err))
		return NULL;
	return cmd_stats(req, err);
}

static json_t *
cmd_modules_checked(json_t *req, char **err)
{
	static const char *const args[] = { NULL };

	if (plb_ctl_check_args(req, args, err))
		return NULL;
	return cmd_modules(req, err);
}

const struct plb_ctl_cmd plb_ctl_stats_cmds[] = {
	{ "stats", cmd_stats_checked },
	{ "rates", cmd_rates },
	{ "modules", cmd_modules_checked },
	{ "schedulers", cmd_schedulers },
	{ "conns", cmd_conns },
	{ NULL, NULL },
};

json_t *
plb_ctl_stats_json(void)
{
	return cmd_stats(NULL, NULL);
}
