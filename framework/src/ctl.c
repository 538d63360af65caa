/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.ctl: the control socket server and its command table (see ctl.h for
 * the protocol). Commands so far: "stats" (ports, workers, module counters)
 * and "modules" (what is loaded). Requests are validated whole; a bad one
 * gets {"ok":false,"error":...} and changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <rte_ethdev.h>

#include <plb/conn.h>
#include <plb/log.h>
#include <plb/port.h>
#include <plb/stats.h>

#include "ctl.h"
#include "conn.h"
#include "loader.h"
#include "runtime.h"
#include "svc.h"

#define LOG_TYPE "core.ctl"
#define REQ_MAX 65536

static int listen_fd = -1;
static char *sock_path;

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

static const struct {
	const char *name;
	json_t *(*fn)(json_t *req, char **err);	/* NULL + *err on a refused request */
} commands[] = {
	{ "stats", cmd_stats },
	{ "modules", cmd_modules },
};

static json_t *
reply_err(const char *msg)
{
	return json_pack("{s:i, s:b, s:s}", "v", PLB_CTL_VERSION, "ok", 0, "error", msg);
}

json_t *
plb_ctl_handle(json_t *req)
{
	json_t *v, *cmd, *res;
	char *err = NULL, *msg;
	const char *name;

	if (!json_is_object(req))
		return reply_err("request: expected a JSON object");
	v = json_object_get(req, "v");
	if (!json_is_integer(v) || json_integer_value(v) != PLB_CTL_VERSION) {
		if (asprintf(&msg, "request: \"v\" must be %d (this plb speaks protocol version %d)",
			     PLB_CTL_VERSION, PLB_CTL_VERSION) < 0)
			return reply_err("out of memory");
		res = reply_err(msg);
		free(msg);
		return res;
	}
	cmd = json_object_get(req, "cmd");
	if (!json_is_string(cmd))
		return reply_err("request: \"cmd\" must be a string");
	name = json_string_value(cmd);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name) != 0)
			continue;
		res = commands[i].fn(req, &err);
		if (res == NULL) {
			json_t *r = reply_err(err ? err : "request failed");

			free(err);
			return r;
		}
		return json_pack("{s:i, s:b, s:o}", "v", PLB_CTL_VERSION, "ok", 1, "result", res);
	}
	if (asprintf(&msg, "request: unknown command \"%s\"", name) < 0)
		return reply_err("out of memory");
	res = reply_err(msg);
	free(msg);
	return res;
}

static void
serve_one(int fd)
{
	char *buf = malloc(REQ_MAX + 1);
	size_t len = 0;
	json_error_t jerr;
	json_t *req, *res;
	char *out;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (buf == NULL)
		return;
	/* one line; the client is local, but never wait on it for more than 1 s */
	while (len < REQ_MAX && poll(&pfd, 1, 1000) == 1) {
		ssize_t n = read(fd, buf + len, REQ_MAX - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(buf, '\n', len))
			break;
	}
	buf[len] = '\0';
	req = json_loads(buf, JSON_DISABLE_EOF_CHECK, &jerr);
	if (req == NULL) {
		char msg[300];

		snprintf(msg, sizeof(msg), "request: not JSON: %s", jerr.text);
		res = reply_err(msg);
	} else {
		res = plb_ctl_handle(req);
		json_decref(req);
	}
	out = json_dumps(res, JSON_COMPACT);
	json_decref(res);
	if (out) {
		size_t n = strlen(out), off = 0;

		out[n] = '\0';
		while (off < n) {
			ssize_t w = write(fd, out + off, n - off);

			if (w <= 0)
				break;
			off += (size_t)w;
		}
		if (write(fd, "\n", 1) < 0) {
			/* the client went away: nothing to do */
		}
		free(out);
	}
	free(buf);
}

int
plb_ctl_open(const struct plb_conf *conf, char **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = conf->control.socket;
	char *dir, *slash;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return plb_err(err, -ENAMETOOLONG, "control.socket \"%s\": path too long", path);
	dir = strdup(path);
	if (dir == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);	/* the parent, e.g. /run/plb; EEXIST is fine */
	}
	free(dir);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return plb_err(err, -errno, "control.socket: socket: %s", strerror(errno));
	/* a stale socket from a crashed run: refuse if someone still listens on it */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return plb_err(err, -EADDRINUSE, "control.socket \"%s\": another plb is listening there", path);
	}
	close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return plb_err(err, -errno, "control.socket: socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, conf->control.mode) < 0 ||
	    listen(fd, 16) < 0) {
		int e = errno;

		close(fd);
		return plb_err(err, -e, "control.socket \"%s\": %s", path, strerror(e));
	}
	listen_fd = fd;
	sock_path = strdup(path);
	return 0;
}

void
plb_ctl_poll(int timeout_ms)
{
	struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };

	if (listen_fd < 0 || poll(&pfd, 1, timeout_ms) <= 0)
		return;
	for (;;) {
		int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0)
			return;
		serve_one(c);
		close(c);
	}
}

void
plb_ctl_close(void)
{
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
	if (sock_path)
		unlink(sock_path);
	free(sock_path);
	sock_path = NULL;
}
