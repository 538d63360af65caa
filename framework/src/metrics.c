/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.metrics: the Prometheus listener. The control thread turns the
 * `stats` command's result (plb_ctl_stats_json(): the numbers plbctl shows)
 * into exposition text once a second and swaps it in under a mutex; a
 * libmicrohttpd thread answers GET /metrics with the latest text, so it
 * never reads plb's tables itself and a scrape is at most 1 s old. Names
 * and labels: docs/control.md, "Metrics".
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include <plb/conf.h>
#include <plb/log.h>

#include "conf_table.h"
#include "ctl.h"
#include "metrics.h"

#define LOG_TYPE "core.metrics"
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ------------------------------------------------------------------ */
/* control.metrics = "a.b.c.d:PORT" */

#define METRICS_WHAT "\"HOST:PORT\" (an IPv4 address and a port 1..65535, e.g. \"127.0.0.1:9100\")"

int
plb_metrics_conf_parse(const config_setting_t *s, const struct conf_key *k, void *base,
		       char **err)
{
	struct plb_conf_listen4 *l = (void *)((char *)base + k->off);
	const char *v, *colon, *why = NULL;
	char host[INET_ADDRSTRLEN];
	struct in_addr in;
	unsigned long port = 0;
	char *end;

	l->addr = 0;
	l->port = 0;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_bad_type(s, "a string " METRICS_WHAT, err);
	v = config_setting_get_string(s);
	colon = strrchr(v, ':');
	if (colon == NULL) {
		why = "no \":PORT\"";
	} else if ((size_t)(colon - v) >= sizeof(host)) {
		why = "HOST is not an IPv4 address a.b.c.d";
	} else {
		memcpy(host, v, (size_t)(colon - v));
		host[colon - v] = '\0';
		errno = 0;
		if (colon[1] >= '0' && colon[1] <= '9')
			port = strtoul(colon + 1, &end, 10);
		if (inet_pton(AF_INET, host, &in) != 1)
			why = "HOST is not an IPv4 address a.b.c.d";
		else if (!(colon[1] >= '0' && colon[1] <= '9') || *end != '\0' || errno ||
			 port < 1 || port > 65535)
			why = "PORT is not an integer 1..65535";
	}
	if (why != NULL)
		return plb_conf_err(s, err, -EINVAL, "expected %s, got \"%.80s\": %s",
				    METRICS_WHAT, v, why);
	l->addr = in.s_addr;
	l->port = (uint16_t)port;
	return 0;
}

/* ------------------------------------------------------------------ */
/* rendering */

enum fam_src { SRC_PORTS, SRC_WORKERS, SRC_SERVICES, SRC_DESTS };

/* One sample per object: the value of @key, with the label @lname="@lval" if set. */
struct fam_series {
	const char *key;
	const char *lname, *lval;
};

/* A family: one HELP, one TYPE, the samples of every object of @src. */
struct fam {
	const char *name, *type, *help;
	enum fam_src src;
	int sum_dests;			/* services: the sum of @key over the dests */
	struct fam_series s[6];		/* ended by a NULL key */
};

#define C "counter"
#define G "gauge"
static const struct fam fams[] = {
	{ "plb_port_packets_total", C, "Packets received and sent by the port (its PMD's counters).",
	  SRC_PORTS, 0, { { "rx_packets", "direction", "rx" }, { "tx_packets", "direction", "tx" } } },
	{ "plb_port_bytes_total", C, "Bytes received and sent by the port.",
	  SRC_PORTS, 0, { { "rx_bytes", "direction", "rx" }, { "tx_bytes", "direction", "tx" } } },
	{ "plb_port_rx_dropped_total", C, "Packets the port dropped on receive (missed, no mbuf).",
	  SRC_PORTS, 0, { { "rx_dropped", NULL, NULL } } },
	{ "plb_port_errors_total", C, "Receive and transmit errors of the port.",
	  SRC_PORTS, 0, { { "rx_errors", "direction", "rx" }, { "tx_errors", "direction", "tx" } } },

	{ "plb_worker_packets_total", C, "Packets a worker read from its RX queues and handed to TX.",
	  SRC_WORKERS, 0, { { "rx", "direction", "rx" }, { "tx", "direction", "tx" } } },
	{ "plb_worker_handover_total", C,
	  "Packets a worker gave to (out) or took from (in) the owning worker's ring.",
	  SRC_WORKERS, 0, { { "handover_out", "direction", "out" },
			    { "handover_in", "direction", "in" } } },
	{ "plb_worker_drops_total", C, "Packets a worker dropped, by reason (l3: see plb_module_drops_total).",
	  SRC_WORKERS, 0, { { "drop_runt", "reason", "runt" }, { "drop_no_l3", "reason", "no_l3" },
			    { "drop_l3", "reason", "l3" }, { "tx_drop", "reason", "tx" },
			    { "handover_drop", "reason", "handover_ring_full" } } },
	{ "plb_worker_loops_total", C, "Iterations of a worker's poll loop.",
	  SRC_WORKERS, 0, { { "loops", NULL, NULL } } },
	{ "plb_worker_idle_sleeps_total", C, "Times a worker slept after idle polls (workers.poll = adaptive).",
	  SRC_WORKERS, 0, { { "idle_sleeps", NULL, NULL } } },
	{ "plb_conns", G, "Connections in a worker's table now.",
	  SRC_WORKERS, 0, { { "conns", NULL, NULL } } },
	{ "plb_conns_expired_total", C, "Connections a worker expired.",
	  SRC_WORKERS, 0, { { "conns_expired", NULL, NULL } } },

	{ "plb_service_connections_total", C,
	  "Connections scheduled to the service's current dests (removed dests no longer count).",
	  SRC_SERVICES, 1, { { "conns", NULL, NULL } } },
	{ "plb_service_packets_total", C,
	  "Packets of the service's conns: in = client to dest, out = dest to client.",
	  SRC_SERVICES, 1, { { "pkts_in", "direction", "in" }, { "pkts_out", "direction", "out" } } },
	{ "plb_service_bytes_total", C, "Bytes of the service's conns, by direction.",
	  SRC_SERVICES, 1, { { "bytes_in", "direction", "in" }, { "bytes_out", "direction", "out" } } },
	{ "plb_service_drops_total", C, "Packets to the service that were dropped, by reason.",
	  SRC_SERVICES, 0, { { "drop_no_dest", "reason", "no_dest" },
			     { "drop_conn_full", "reason", "conn_full" },
			     { "drop_no_port", "reason", "no_port" },
			     { "drop_not_syn", "reason", "not_syn" } } },

	{ "plb_dest_connections_total", C, "Connections scheduled to the dest.",
	  SRC_DESTS, 0, { { "conns", NULL, NULL } } },
	{ "plb_dest_active_connections", G, "Active (established) connections of the dest now.",
	  SRC_DESTS, 0, { { "active_conns", NULL, NULL } } },
	{ "plb_dest_inactive_connections", G, "Inactive (not established) connections of the dest now.",
	  SRC_DESTS, 0, { { "inactive_conns", NULL, NULL } } },
	{ "plb_dest_weight", G, "Weight of the dest (0 = quiesced).",
	  SRC_DESTS, 0, { { "weight", NULL, NULL } } },
	{ "plb_dest_packets_total", C, "Packets of the dest's conns, by direction.",
	  SRC_DESTS, 0, { { "pkts_in", "direction", "in" }, { "pkts_out", "direction", "out" } } },
	{ "plb_dest_bytes_total", C, "Bytes of the dest's conns, by direction.",
	  SRC_DESTS, 0, { { "bytes_in", "direction", "in" }, { "bytes_out", "direction", "out" } } },
};
#undef C
#undef G

/* A label value as the text format wants it: \ " and newline escaped. */
static void
metrics_esc(FILE *f, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void
metrics_label(FILE *f, int *first, const char *name, const char *v)
{
	fprintf(f, "%s%s=\"", *first ? "{" : ",", name);
	metrics_esc(f, v);
	fputc('"', f);
	*first = 0;
}

static const char *
metrics_str(json_t *o, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return json_string_value(v);
	snprintf(buf, len, "%lld", json_is_integer(v) ? (long long)json_integer_value(v) : 0LL);
	return buf;
}

/* The labels that name @o: port / worker / service / dest (@svc: a dest's service). */
static int
metrics_base(FILE *f, enum fam_src src, json_t *o, json_t *svc)
{
	char b[32], dest[96];
	int first = 1;

	switch (src) {
	case SRC_PORTS:
		metrics_label(f, &first, "port", metrics_str(o, "name", b, sizeof(b)));
		break;
	case SRC_WORKERS:
		metrics_label(f, &first, "worker", metrics_str(o, "id", b, sizeof(b)));
		break;
	case SRC_DESTS:
	case SRC_SERVICES:
		metrics_label(f, &first, "vip", metrics_str(svc, "vip", b, sizeof(b)));
		metrics_label(f, &first, "port", metrics_str(svc, "port", b, sizeof(b)));
		metrics_label(f, &first, "proto", metrics_str(svc, "proto", b, sizeof(b)));
		if (src == SRC_DESTS) {
			snprintf(dest, sizeof(dest), "%s:", metrics_str(o, "addr", b, sizeof(b)));
			snprintf(dest + strlen(dest), sizeof(dest) - strlen(dest), "%s",
				 metrics_str(o, "port", b, sizeof(b)));
			metrics_label(f, &first, "dest", dest);
		}
		break;
	}
	return first;
}

/* The samples of family @fm for object @o. */
static void
metrics_samples(FILE *f, const struct fam *fm, json_t *o, json_t *svc)
{
	for (const struct fam_series *se = fm->s; se->key != NULL; se++) {
		long long v = 0;
		int first;

		if (fm->sum_dests) {
			json_t *d;
			size_t i;

			json_array_foreach(json_object_get(o, "dests"), i, d)
				v += (long long)json_integer_value(json_object_get(d, se->key));
		} else if (json_is_integer(json_object_get(o, se->key))) {
			v = (long long)json_integer_value(json_object_get(o, se->key));
		} else {
			continue;	/* not in this plb's stats */
		}
		fputs(fm->name, f);
		first = metrics_base(f, fm->src, o, svc);
		if (se->lname != NULL)
			metrics_label(f, &first, se->lname, se->lval);
		fprintf(f, "%s %lld\n", first ? "" : "}", v);
	}
}

static void
metrics_family(FILE *f, const struct fam *fm, json_t *stats)
{
	json_t *o, *svc;
	size_t i, j;

	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fm->name, fm->help, fm->name, fm->type);
	switch (fm->src) {
	case SRC_PORTS:
		json_array_foreach(json_object_get(stats, "ports"), i, o)
			metrics_samples(f, fm, o, NULL);
		break;
	case SRC_WORKERS:
		json_array_foreach(json_object_get(stats, "workers"), i, o)
			metrics_samples(f, fm, o, NULL);
		break;
	case SRC_SERVICES:
		json_array_foreach(json_object_get(stats, "services"), i, svc)
			metrics_samples(f, fm, svc, svc);
		break;
	case SRC_DESTS:
		json_array_foreach(json_object_get(stats, "services"), i, svc)
			json_array_foreach(json_object_get(svc, "dests"), j, o)
				metrics_samples(f, fm, o, svc);
		break;
	}
}

/* plb_service_info{vip,port,proto,scheduler,fwd} 1 */
static void
metrics_service_info(FILE *f, json_t *stats)
{
	json_t *svc;
	size_t i;
	char b[32];

	fputs("# HELP plb_service_info The service's scheduler and forwarding mode (always 1).\n"
	      "# TYPE plb_service_info gauge\n", f);
	json_array_foreach(json_object_get(stats, "services"), i, svc) {
		int first;

		fputs("plb_service_info", f);
		first = metrics_base(f, SRC_SERVICES, svc, svc);
		metrics_label(f, &first, "scheduler", metrics_str(svc, "scheduler", b, sizeof(b)));
		metrics_label(f, &first, "fwd", metrics_str(svc, "fwd", b, sizeof(b)));
		fputs("} 1\n", f);
	}
}

/*
 * Module counters "group.name": drop_<reason> into plb_module_drops_total
 * (so a sum over reasons is the module's drops), everything else into
 * plb_module_counter_total.
 */
static void
metrics_modules(FILE *f, json_t *stats)
{
	json_t *counters = json_object_get(stats, "counters"), *v;
	const char *key;

	fputs("# HELP plb_module_drops_total Packets a module dropped, by reason "
	      "(its drop_<reason> counters).\n# TYPE plb_module_drops_total counter\n", f);
	for (int drops = 1; drops >= 0; drops--) {
		if (!drops)
			fputs("# HELP plb_module_counter_total A module's other counters (events, "
			      "packets by kind, errors).\n# TYPE plb_module_counter_total counter\n", f);
		json_object_foreach(counters, key, v) {
			const char *dot = strchr(key, '.');
			const char *name = dot != NULL ? dot + 1 : key;
			int is_drop = strncmp(name, "drop_", 5) == 0 && name[5] != '\0';
			char *module;
			int first = 1;

			if (is_drop != drops || !json_is_integer(v))
				continue;
			module = strndup(key, dot != NULL ? (size_t)(dot - key) : 0);
			if (module == NULL)
				continue;
			fputs(drops ? "plb_module_drops_total" : "plb_module_counter_total", f);
			metrics_label(f, &first, "module", module);
			metrics_label(f, &first, drops ? "reason" : "counter", drops ? name + 5 : name);
			fprintf(f, "} %lld\n", (long long)json_integer_value(v));
			free(module);
		}
	}
}

char *
plb_metrics_render(json_t *stats, size_t *len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		metrics_family(f, &fams[i], stats);
		if (fams[i].src == SRC_SERVICES && (i + 1 == sizeof(fams) / sizeof(fams[0]) ||
						    fams[i + 1].src != SRC_SERVICES))
			metrics_service_info(f, stats);
	}
	metrics_modules(f, stats);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	*len = n;
	return text;
}

/* ------------------------------------------------------------------ */
/* the listener */

static struct MHD_Daemon *daemon_h;
static pthread_mutex_t text_lock = PTHREAD_MUTEX_INITIALIZER;
static char *text;		/* the latest rendering, under text_lock */
static size_t text_len;

static void
metrics_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	PLB_LOG_RATELIMIT(WARNING, LOG_TYPE, "http: %s", msg);
}

static enum MHD_Result
metrics_reply(struct MHD_Connection *c, unsigned int status, const char *body, size_t len,
	      enum MHD_ResponseMemoryMode mode, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, mode);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* [http thread] GET /metrics: a copy of the latest text; nothing else of plb is read. */
static enum MHD_Result
metrics_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
		const char *version, const char *upload, size_t *upload_len, void **state)
{
	static const char not_found[] = "not found: plb serves /metrics\n";
	static const char bad_method[] = "method not allowed: GET /metrics\n";
	enum MHD_Result ret;

	if (*state == NULL) {
		*state = (void *)1;	/* headers only: answer once the request is complete */
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return metrics_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, bad_method, sizeof(bad_method) - 1,
				     MHD_RESPMEM_PERSISTENT, "text/plain; charset=utf-8");
	if (strcmp(url, "/metrics") != 0)
		return metrics_reply(c, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
				     MHD_RESPMEM_PERSISTENT, "text/plain; charset=utf-8");
	pthread_mutex_lock(&text_lock);
	ret = metrics_reply(c, MHD_HTTP_OK, text, text_len, MHD_RESPMEM_MUST_COPY, CONTENT_TYPE);
	pthread_mutex_unlock(&text_lock);
	return ret;
}

/* [ctl] Render the current stats and swap the text in; -ENOMEM keeps the old text. */
static int
metrics_publish(void)
{
	json_t *stats = plb_ctl_stats_json();
	char *t, *old;
	size_t len = 0;

	t = stats != NULL ? plb_metrics_render(stats, &len) : NULL;
	json_decref(stats);
	if (t == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&text_lock);
	old = text;
	text = t;
	text_len = len;
	pthread_mutex_unlock(&text_lock);
	free(old);
	return 0;
}

void
plb_metrics_tick(void)
{
	if (daemon_h != NULL)
		metrics_publish();
}

int
plb_metrics_start(const struct plb_conf *conf, char **err)
{
	const struct plb_conf_listen4 *l = &conf->control.metrics;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = l->addr,
				  .sin_port = htons(l->port) };
	char where[INET_ADDRSTRLEN + 8], a[INET_ADDRSTRLEN];
	int fd, one = 1, rc;

	if (l->port == 0 || daemon_h != NULL)
		return 0;
	inet_ntop(AF_INET, &sa.sin_addr, a, sizeof(a));
	snprintf(where, sizeof(where), "%s:%u", a, (unsigned)l->port);
	/* our own socket, so that a busy port is reported with its reason */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return plb_err(err, -errno, "control.metrics %s: socket: %s", where, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		rc = -errno;
		close(fd);
		return plb_err(err, rc, "control.metrics %s: cannot listen: %s%s", where, strerror(-rc),
			       rc == -EADDRINUSE ? " (another program has this port)" :
			       rc == -EADDRNOTAVAIL ? " (not an address of this host)" : "");
	}
	if (metrics_publish() != 0) {	/* a scrape before the first tick gets this */
		close(fd);
		return plb_err(err, -ENOMEM, "control.metrics %s: out of memory", where);
	}
	daemon_h = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG,
				    0, NULL, NULL, metrics_handler, NULL,
				    MHD_OPTION_EXTERNAL_LOGGER, metrics_mhd_log, NULL,
				    MHD_OPTION_LISTEN_SOCKET, fd,
				    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
				    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				    MHD_OPTION_END);
	if (daemon_h == NULL) {
		/* no close(fd): MHD may have closed it already (versions differ), and
		 * start-up fails anyway */
		plb_metrics_stop();
		return plb_err(err, -EIO, "control.metrics %s: cannot start the HTTP server", where);
	}
	PLB_LOG(INFO, LOG_TYPE, "serving Prometheus metrics on http://%s/metrics", where);
	return 0;
}

void
plb_metrics_stop(void)
{
	if (daemon_h != NULL)
		MHD_stop_daemon(daemon_h);	/* joins the HTTP thread, closes the socket */
	daemon_h = NULL;
	pthread_mutex_lock(&text_lock);
	free(text);
	text = NULL;
	text_len = 0;
	pthread_mutex_unlock(&text_lock);
}
