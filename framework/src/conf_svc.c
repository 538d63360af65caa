/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.config: the services, routes and conns sections of plb.conf.
 *
 *   services = ( { proto = "tcp"; vip = "192.0.2.100"; port = 80;
 *                  scheduler = "rr"; sched_opts = { ... }; fwd = "fnat";
 *                  laddrs = [ "198.51.100.1" ]; ops = false; expire_quiescent = false;
 *                  dests = ( { addr = "198.51.100.11"; port = 8080; weight = 1;
 *                              u_threshold = 0; l_threshold = 0; } ); } );
 *   routes = ( { prefix = "203.0.113.0/24"; via = "198.51.100.254"; port = "p1"; } );
 *   conns = { per_worker = 65536; tick_ms = 100; };
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plb/conf.h>
#include <plb/log.h>

#include "conf_table.h"
#include "conf_write.h"
#include "config.h"

int
conf_bool(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	int *dst = (int *)((char *)base + k->off);

	if (s == NULL) {
		*dst = (int)k->def;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return conf_bad_type(s, "true or false", err);
	*dst = config_setting_get_bool(s);
	return 0;
}

const struct conf_key conns_keys[] = {
	CONF_INT(struct plb_conf, "per_worker", conns.per_worker, 64, 1 << 28, 65536),
	CONF_INT(struct plb_conf, "tick_ms", conns.tick_ms, 1, 10000, 100),
	{ .name = NULL },
};

/* An IPv4 address string at @s into *out (network order). */
static int
conf_ip4(const config_setting_t *s, uint32_t *out, char **err)
{
	struct in_addr in;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_bad_type(s, "an IPv4 address such as \"192.0.2.100\"", err);
	if (inet_pton(AF_INET, config_setting_get_string(s), &in) != 1)
		return conf_bad_value(s, "an IPv4 address such as \"192.0.2.100\"", err);
	*out = in.s_addr;
	return 0;
}

static int
conf_row_ip4(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	if (s == NULL)
		return 0;
	return conf_ip4(s, (uint32_t *)((char *)base + k->off), err);
}

static const char *const proto_names[] = { "tcp", "udp", NULL };

static int
conf_proto(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	int idx;
	int rc = conf_choice(s, k, &idx, err);

	/* conf_choice stores at base + k->off: here a local, off = 0 */
	if (rc == 0)
		((struct plb_conf_svc *)base)->proto = idx == 0 ? IPPROTO_TCP : IPPROTO_UDP;
	return rc;
}

/* A name of a-z 0-9 _: a scheduler or forwarding mode. */
#define MODNAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"

static int
conf_opts(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	struct plb_conf_svc *svc = base;

	if (s == NULL)
		return 0;
	if (!config_setting_is_group(s))
		return conf_bad_type(s, "a group { ... } (the scheduler's options)", err);
	svc->sched_opts = s;
	svc->sched_opts_text = plb_conf_setting_text(s);
	return svc->sched_opts_text ? 0 : conf_nomem(err);
}

static int
conf_laddrs(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	struct plb_conf_svc *svc = base;
	int n = 0, rc;

	if (s == NULL)
		return 0;
	if ((rc = conf_check_strings(s, "IPv4 local addresses", &n, err)) != 0 || n == 0)
		return rc;
	svc->laddrs = calloc((size_t)n, sizeof(*svc->laddrs));
	if (svc->laddrs == NULL)
		return conf_nomem(err);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if ((rc = conf_ip4(e, &svc->laddrs[i], err)) != 0)
			return rc;
		for (int j = 0; j < i; j++)
			if (svc->laddrs[j] == svc->laddrs[i])
				return plb_conf_err(e, err, -EINVAL, "duplicate local address");
		svc->n_laddrs = (uint32_t)i + 1;
	}
	return 0;
}

static const struct conf_key dest_keys[] = {
	{ .name = "addr", .parse = conf_row_ip4, .off = offsetof(struct plb_conf_dest, addr),
	  .required = "the real server's IPv4 address" },
	CONF_INT(struct plb_conf_dest, "port", port, 0, 65535, 0),	/* 0: the service's port */
	CONF_INT(struct plb_conf_dest, "weight", weight, 0, 65535, 1),
	CONF_INT(struct plb_conf_dest, "u_threshold", u_threshold, 0, 1 << 30, 0),
	CONF_INT(struct plb_conf_dest, "l_threshold", l_threshold, 0, 1 << 30, 0),
	{ .name = "down", .parse = conf_bool, .off = offsetof(struct plb_conf_dest, down) },
	{ .name = NULL },
};

static int
conf_dests(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	struct plb_conf_svc *svc = base;
	int n, rc;

	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return conf_bad_type(s, "a list of groups ( { addr = ...; port = ...; }, ... )", err);
	n = config_setting_length(s);
	if (n == 0)
		return 0;
	svc->dests = calloc((size_t)n, sizeof(*svc->dests));
	if (svc->dests == NULL)
		return conf_nomem(err);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		struct plb_conf_dest *d = &svc->dests[i];

		if ((rc = conf_parse_rows(e, dest_keys, d, err)) != 0)
			return rc;
		d->line = (int)config_setting_source_line(e);
		if (d->port == 0)
			d->port = svc->port;
		if (d->l_threshold && d->u_threshold && d->l_threshold > d->u_threshold)
			return plb_conf_err(e, err, -EINVAL, "l_threshold %u is above u_threshold %u",
					    d->l_threshold, d->u_threshold);
		svc->n_dests = (uint32_t)i + 1;
		for (int j = 0; j < i; j++)
			if (svc->dests[j].addr == d->addr && svc->dests[j].port == d->port)
				return plb_conf_err(e, err, -EINVAL,
						    "duplicate dest (also dests[%d], line %d)",
						    j, svc->dests[j].line);
	}
	return 0;
}

static const struct conf_key svc_keys[] = {
	{ .name = "proto", .parse = conf_proto, .choices = proto_names,
	  .required = "\"tcp\" or \"udp\"" },
	{ .name = "vip", .parse = conf_row_ip4, .off = offsetof(struct plb_conf_svc, vip),
	  .required = "the virtual IPv4 address" },
	CONF_INT(struct plb_conf_svc, "port", port, 1, 65535, 0,
		 .required = "the virtual port"),
	{ .name = "scheduler", .parse = conf_str, .off = offsetof(struct plb_conf_svc, sched),
	  .min = 1, .max = 31, .accept = MODNAME_CHARS, .def_str = "wlc" },
	{ .name = "sched_opts", .parse = conf_opts },
	{ .name = "fwd", .parse = conf_str, .off = offsetof(struct plb_conf_svc, fwd),
	  .min = 1, .max = 31, .accept = MODNAME_CHARS, .def_str = "fnat" },
	{ .name = "laddrs", .parse = conf_laddrs },
	{ .name = "ops", .parse = conf_bool, .off = offsetof(struct plb_conf_svc, ops) },
	{ .name = "expire_quiescent", .parse = conf_bool,
	  .off = offsetof(struct plb_conf_svc, expire_quiescent) },
	{ .name = "dests", .parse = conf_dests, .required = "the real servers ( { addr = ...; port = ...; }, ... )" },
	{ .name = NULL },
};

int
conf_services(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	struct plb_conf *conf = base;
	int n, rc;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return conf_bad_type(s, "a list of groups ( { proto = ...; vip = ...; port = ...; }, ... )", err);
	n = config_setting_length(s);
	if (n == 0)
		return 0;
	conf->services = calloc((size_t)n, sizeof(*conf->services));
	if (conf->services == NULL)
		return conf_nomem(err);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		struct plb_conf_svc *svc = &conf->services[i];

		conf->n_services = (uint32_t)i + 1;
		if ((rc = conf_parse_rows(e, svc_keys, svc, err)) != 0)
			return rc;
		svc->line = (int)config_setting_source_line(e);
		if (svc->ops && svc->proto != IPPROTO_UDP)
			return plb_conf_err(config_setting_get_member(e, "ops"), err, -EINVAL,
					    "one-packet scheduling (ops) is for UDP services only");
		for (int j = 0; j < i; j++) {
			const struct plb_conf_svc *o = &conf->services[j];

			if (o->proto == svc->proto && o->vip == svc->vip && o->port == svc->port)
				return plb_conf_err(e, err, -EINVAL,
						    "duplicate service (also services[%d], line %d)",
						    j, o->line);
		}
	}
	return 0;
}

/* "a.b.c.d/len" with len 0..32 and no host bits. */
static int
conf_prefix(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	static const char what[] = "a prefix \"a.b.c.d/len\" (len 0..32, no host bits)";
	struct plb_conf_route *r = base;
	struct plb_ifaddr4 a;
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_bad_type(s, what, err);
	v = config_setting_get_string(s);
	if (strcmp(v, "0.0.0.0/0") == 0 || strcmp(v, "default") == 0) {
		r->prefix = 0;
		r->len = 0;
		return 0;
	}
	if (conf_parse_addr4(v, &a) != NULL)
		return conf_bad_value(s, what, err);
	if (a.prefix_len < 32 && (ntohl(a.addr) & (0xffffffffu >> a.prefix_len)))
		return conf_bad_value(s, what, err);
	r->prefix = a.addr;
	r->len = a.prefix_len;
	return 0;
}

static const struct conf_key route_keys[] = {
	{ .name = "prefix", .parse = conf_prefix, .required = "the destination prefix \"a.b.c.d/len\"" },
	{ .name = "via", .parse = conf_row_ip4, .off = offsetof(struct plb_conf_route, via) },
	{ .name = "port", .parse = conf_str, .off = offsetof(struct plb_conf_route, port),
	  .min = 1, .max = 31, .required = "the port the route leaves by" },
	{ .name = NULL },
};

int
conf_routes(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	struct plb_conf *conf = base;
	int n, rc;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return conf_bad_type(s, "a list of groups ( { prefix = ...; port = ...; }, ... )", err);
	n = config_setting_length(s);
	if (n == 0)
		return 0;
	conf->routes = calloc((size_t)n, sizeof(*conf->routes));
	if (conf->routes == NULL)
		return conf_nomem(err);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		struct plb_conf_route *r = &conf->routes[i];
		uint32_t p;

		conf->n_routes = (uint32_t)i + 1;
		if ((rc = conf_parse_rows(e, route_keys, r, err)) != 0)
			return rc;
		r->line = (int)config_setting_source_line(e);
		for (p = 0; p < conf->n_ports; p++)
			if (strcmp(conf->ports[p].name, r->port) == 0)
				break;
		if (p == conf->n_ports)
			return plb_conf_err(config_setting_get_member(e, "port"), err, -EINVAL,
					    "no port named \"%s\" in ports", r->port);
		for (int j = 0; j < i; j++)
			if (conf->routes[j].prefix == r->prefix && conf->routes[j].len == r->len)
				return plb_conf_err(e, err, -EINVAL, "duplicate route (also routes[%d], line %d)",
						    j, conf->routes[j].line);
	}
	return 0;
}

void
conf_svc_free(struct plb_conf *conf)
{
	for (uint32_t i = 0; i < conf->n_services; i++) {
		free(conf->services[i].sched);
		free(conf->services[i].fwd);
		free(conf->services[i].laddrs);
		free(conf->services[i].sched_opts_text);
		free(conf->services[i].dests);
	}
	free(conf->services);
	for (uint32_t i = 0; i < conf->n_routes; i++)
		free(conf->routes[i].port);
	free(conf->routes);
}
