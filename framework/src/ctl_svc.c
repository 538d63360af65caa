/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.ctl: the commands that change services: service/dest/laddr
 * add/edit/del, clear, zero (service.list, save and reload are in
 * ctl_save.c). Each one copies the running
 * specs, changes the copy, and hands it to plb_svc_replace(), which builds
 * and publishes a whole new version or changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <plb/log.h>
#include <plb/svc.h>

#include "conf_write.h"
#include "config.h"
#include "ctl.h"
#include "logging.h"
#include "lua_runtime.h"
#include "runtime.h"
#include "svc.h"

#define LOG_TYPE "core.ctl"
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"

struct svc_id {
	uint8_t proto;
	uint32_t vip;		/* network order */
	uint16_t port;		/* host order */
};

/* ---- argument readers: each returns 0 or -EINVAL with *err naming the argument ---- */

static int
arg_ip(json_t *v, const char *key, uint32_t *out, char **err)
{
	struct in_addr in;

	if (!json_is_string(v))
		return plb_err(err, -EINVAL, "\"%s\" must be an IPv4 address such as \"192.0.2.100\"", key);
	if (inet_pton(AF_INET, json_string_value(v), &in) != 1) {
		struct in6_addr in6;

		if (inet_pton(AF_INET6, json_string_value(v), &in6) == 1)
			return plb_err(err, -EINVAL, "\"%s\": IPv6 is not supported yet", key);
		return plb_err(err, -EINVAL, "\"%s\" must be an IPv4 address, got \"%s\"", key,
			       json_string_value(v));
	}
	*out = in.s_addr;
	return 0;
}

static int
arg_int(json_t *req, const char *key, long long lo, long long hi, long long *out, int required,
	char **err)
{
	json_t *v = json_object_get(req, key);

	if (v == NULL) {
		if (required)
			return plb_err(err, -EINVAL, "missing \"%s\"", key);
		return 1;	/* absent */
	}
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return plb_err(err, -EINVAL, "\"%s\" must be an integer %lld..%lld", key, lo, hi);
	*out = json_integer_value(v);
	return 0;
}

static int
arg_bool(json_t *req, const char *key, int *out, char **err)
{
	json_t *v = json_object_get(req, key);

	if (v == NULL)
		return 1;
	if (!json_is_boolean(v))
		return plb_err(err, -EINVAL, "\"%s\" must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

static int
arg_name(json_t *req, const char *key, char **out, char **err)
{
	json_t *v = json_object_get(req, key);
	const char *s;

	if (v == NULL)
		return 1;
	s = json_is_string(v) ? json_string_value(v) : "";
	if (!json_is_string(v) || !s[0] || strlen(s) > 31 || strspn(s, NAME_CHARS) != strlen(s))
		return plb_err(err, -EINVAL, "\"%s\" must be a name of 1..31 characters a-z 0-9 _", key);
	free(*out);
	*out = strdup(s);
	return *out ? 0 : plb_err(err, -ENOMEM, "out of memory");
}

static int
arg_svc_id(json_t *req, struct svc_id *id, char **err)
{
	json_t *p = json_object_get(req, "proto"), *vip = json_object_get(req, "vip");
	long long port;
	int rc;

	if (p == NULL)
		return plb_err(err, -EINVAL, "missing \"proto\" (\"tcp\" or \"udp\")");
	if (json_is_string(p) && !strcmp(json_string_value(p), "tcp"))
		id->proto = IPPROTO_TCP;
	else if (json_is_string(p) && !strcmp(json_string_value(p), "udp"))
		id->proto = IPPROTO_UDP;
	else
		return plb_err(err, -EINVAL, "\"proto\" must be \"tcp\" or \"udp\"");
	if (vip == NULL)
		return plb_err(err, -EINVAL, "missing \"vip\"");
	if ((rc = arg_ip(vip, "vip", &id->vip, err)) != 0)
		return rc;
	if ((rc = arg_int(req, "port", 1, 65535, &port, 1, err)) != 0)
		return rc;
	id->port = (uint16_t)port;
	return 0;
}

static const char *
id_str(const struct svc_id *id, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &id->vip, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u/%s", ip, id->port, id->proto == IPPROTO_TCP ? "tcp" : "udp");
	return buf;
}

/* JSON -> libconfig text of a value (sched_opts). */
static int
json_to_conf(FILE *f, json_t *v, const char *path, char **err)
{
	const char *k;
	json_t *e;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		fputs("{", f);
		json_object_foreach(v, k, e) {
			if (!k[0] || strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-*") !=
			    strlen(k) || (k[0] >= '0' && k[0] <= '9'))
				return plb_err(err, -EINVAL, "%s: \"%s\" is not a valid option name", path, k);
			fprintf(f, " %s = ", k);
			if (json_to_conf(f, e, path, err))
				return -EINVAL;
			fputc(';', f);
		}
		fputs(" }", f);
		return 0;
	case JSON_ARRAY:
		fputs("(", f);
		json_array_foreach(v, i, e) {
			if (i)
				fputs(", ", f);
			if (json_to_conf(f, e, path, err))
				return -EINVAL;
		}
		fputs(")", f);
		return 0;
	case JSON_STRING:
		plb_conf_write_string(f, json_string_value(v));
		return 0;
	case JSON_INTEGER:
		fprintf(f, json_integer_value(v) > INT32_MAX || json_integer_value(v) < INT32_MIN ?
			"%lldL" : "%lld", (long long)json_integer_value(v));
		return 0;
	case JSON_REAL:
		fprintf(f, "%.17g", json_real_value(v));
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		fputs(json_is_true(v) ? "true" : "false", f);
		return 0;
	default:
		return plb_err(err, -EINVAL, "%s: null is not a value", path);
	}
}

static int
arg_sched_opts(json_t *req, struct plb_conf_svc *s, char **err)
{
	json_t *v = json_object_get(req, "sched_opts");
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (v == NULL)
		return 1;
	if (!json_is_object(v))
		return plb_err(err, -EINVAL, "\"sched_opts\" must be an object (the scheduler's options)");
	f = open_memstream(&text, &len);
	if (f == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	rc = json_to_conf(f, v, "sched_opts", err);
	fclose(f);
	if (rc) {
		free(text);
		return rc;
	}
	free(s->sched_opts_text);
	s->sched_opts_text = json_object_size(v) ? text : NULL;
	if (!json_object_size(v))
		free(text);
	return 0;
}

static int
arg_laddrs(json_t *req, struct plb_conf_svc *s, char **err)
{
	json_t *v = json_object_get(req, "laddrs"), *e;
	uint32_t *a;
	size_t i;

	if (v == NULL)
		return 1;
	if (!json_is_array(v))
		return plb_err(err, -EINVAL, "\"laddrs\" must be an array of IPv4 addresses");
	a = calloc(json_array_size(v) + 1, sizeof(*a));
	if (a == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	json_array_foreach(v, i, e) {
		if (arg_ip(e, "laddrs[]", &a[i], err)) {
			free(a);
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++)
			if (a[j] == a[i]) {
				free(a);
				return plb_err(err, -EINVAL, "\"laddrs\": %s given twice", json_string_value(e));
			}
	}
	free(s->laddrs);
	s->laddrs = a;
	s->n_laddrs = (uint32_t)json_array_size(v);
	return 0;
}

/* The settable keys of a service; @add: defaults for what is absent. */
static int
svc_settings(json_t *req, struct plb_conf_svc *s, int add, char **err)
{
	int rc;

	if (add) {
		s->sched = strdup("wlc");
		s->fwd = strdup("fnat");
		if (!s->sched || !s->fwd)
			return plb_err(err, -ENOMEM, "out of memory");
	}
	if ((rc = arg_name(req, "scheduler", &s->sched, err)) < 0 ||
	    (rc = arg_name(req, "fwd", &s->fwd, err)) < 0 ||
	    (rc = arg_sched_opts(req, s, err)) < 0 || (rc = arg_laddrs(req, s, err)) < 0 ||
	    (rc = arg_bool(req, "ops", &s->ops, err)) < 0 ||
	    (rc = arg_bool(req, "expire_quiescent", &s->expire_quiescent, err)) < 0)
		return rc;
	if (s->ops && s->proto != IPPROTO_UDP)
		return plb_err(err, -EINVAL, "one-packet scheduling (\"ops\") is for UDP services only");
	return 0;
}

/* ---- the change path ---- */

/* Copy the running specs; *idx = the service @id in the copy, or -1. */
static int
specs_begin(const struct svc_id *id, struct plb_conf_svc **sp, uint32_t *n, int *idx, char **err)
{
	const struct plb_conf_svc *cur = plb_svc_specs(n);

	if (plb_specs_copy(sp, cur, *n) != 0)
		return plb_err(err, -ENOMEM, "out of memory");
	*idx = id ? plb_spec_find(*sp, *n, id->proto, id->vip, id->port) : -1;
	return 0;
}

static json_t *
specs_commit(struct plb_conf_svc *sp, uint32_t n, const char *what, char **err)
{
	int rc;

	/* the lines of specs read from the file mean nothing for a request's result */
	for (uint32_t i = 0; i < n; i++)
		sp[i].line = 0;
	rc = plb_svc_replace(sp, n, what, err);

	plb_specs_free(sp, n);
	return rc ? NULL : json_object();
}

static json_t *
no_such_service(const struct svc_id *id, struct plb_conf_svc *sp, uint32_t n, char **err)
{
	char b[64];

	plb_specs_free(sp, n);
	plb_err(err, -ENOENT, "no service %s", id_str(id, b, sizeof(b)));
	return NULL;
}

static json_t *
cmd_service_add(json_t *req, char **err)
{
	static const char *const args[] = { "proto", "vip", "port", "scheduler", "fwd", "sched_opts",
					    "laddrs", "ops", "expire_quiescent", NULL };
	struct plb_conf_svc *sp, *ns, s = { 0 };
	struct svc_id id;
	uint32_t n;
	int idx;
	char b[64];

	if (plb_ctl_check_args(req, args, err) || arg_svc_id(req, &id, err))
		return NULL;
	s.proto = id.proto;
	s.vip = id.vip;
	s.port = id.port;
	if (svc_settings(req, &s, 1, err) < 0) {
		plb_spec_clear(&s);
		return NULL;
	}
	if (specs_begin(&id, &sp, &n, &idx, err)) {
		plb_spec_clear(&s);
		return NULL;
	}
	if (idx >= 0) {
		plb_spec_clear(&s);
		plb_specs_free(sp, n);
		plb_err(err, -EEXIST, "service %s exists", id_str(&id, b, sizeof(b)));
		return NULL;
	}
	ns = realloc(sp, (n + 1) * sizeof(*sp));
	if (ns == NULL) {
		plb_spec_clear(&s);
		plb_specs_free(sp, n);
		plb_err(err, -ENOMEM, "out of memory");
		return NULL;
	}
	ns[n] = s;
	return specs_commit(ns, n + 1, "service.add", err);
}

static json_t *
cmd_service_edit(json_t *req, char **err)
{
	static const char *const args[] = { "proto", "vip", "port", "scheduler", "fwd", "sched_opts",
					    "laddrs", "ops", "expire_quiescent", NULL };
	struct plb_conf_svc *sp;
	struct svc_id id;
	uint32_t n;
	int idx;
	char *old_fwd;

	if (plb_ctl_check_args(req, args, err) || arg_svc_id(req, &id, err) ||
	    specs_begin(&id, &sp, &n, &idx, err))
		return NULL;
	if (idx < 0)
		return no_such_service(&id, sp, n, err);
	old_fwd = strdup(sp[idx].fwd);
	if (old_fwd == NULL || svc_settings(req, &sp[idx], 0, err) < 0) {
		free(old_fwd);
		plb_specs_free(sp, n);
		return NULL;
	}
	if (strcmp(old_fwd, sp[idx].fwd) != 0 && sp[idx].n_dests) {
		char b[64];

		plb_err(err, -EBUSY, "service %s has dests: its forwarding mode (%s) cannot change "
			"while it has any (delete them first)", id_str(&id, b, sizeof(b)), old_fwd);
		free(old_fwd);
		plb_specs_free(sp, n);
		return NULL;
	}
	free(old_fwd);
	return specs_commit(sp, n, "service.edit", err);
}

static json_t *
cmd_service_del(json_t *req, char **err)
{
	static const char *const args[] = { "proto", "vip", "port", NULL };
	struct plb_conf_svc *sp;
	struct svc_id id;
	uint32_t n;
	int idx;

	if (plb_ctl_check_args(req, args, err) || arg_svc_id(req, &id, err) ||
	    specs_begin(&id, &sp, &n, &idx, err))
		return NULL;
	if (idx < 0)
		return no_such_service(&id, sp, n, err);
	plb_spec_clear(&sp[idx]);
	memmove(&sp[idx], &sp[idx + 1], (n - (uint32_t)idx - 1) * sizeof(*sp));
	return specs_commit(sp, n - 1, "service.del", err);
}

static json_t *
cmd_clear(json_t *req, char **err)
{
	static const char *const args[] = { NULL };

	if (plb_ctl_check_args(req, args, err))
		return NULL;
	return plb_svc_replace(NULL, 0, "clear", err) ? NULL : json_object();
}

/* dest.add / dest.edit / dest.del */
static json_t *
dest_cmd(json_t *req, int op, char **err)
{
	static const char *const args_del[] = { "proto", "vip", "port", "addr", "dport", NULL };
	static const char *const args[] = { "proto", "vip", "port", "addr", "dport", "weight",
					    "u_threshold", "l_threshold", "down", NULL };
	static const char *const what[] = { "dest.add", "dest.edit", "dest.del" };
	struct plb_conf_svc *sp, *s;
	struct plb_conf_dest *d = NULL;
	struct svc_id id;
	uint32_t n, addr;
	long long dport = 0, v;
	int idx, rc;
	char b[64], ip[INET_ADDRSTRLEN];

	if (plb_ctl_check_args(req, op == 2 ? args_del : args, err) || arg_svc_id(req, &id, err))
		return NULL;
	if (json_object_get(req, "addr") == NULL)
		return plb_err(err, -EINVAL, "missing \"addr\" (the real server)"), NULL;
	if (arg_ip(json_object_get(req, "addr"), "addr", &addr, err) ||
	    arg_int(req, "dport", 0, 65535, &dport, 0, err) < 0)
		return NULL;
	if (dport == 0)
		dport = id.port;
	if (specs_begin(&id, &sp, &n, &idx, err))
		return NULL;
	if (idx < 0)
		return no_such_service(&id, sp, n, err);
	s = &sp[idx];
	for (uint32_t i = 0; i < s->n_dests; i++)
		if (s->dests[i].addr == addr && s->dests[i].port == dport)
			d = &s->dests[i];
	inet_ntop(AF_INET, &addr, ip, sizeof(ip));
	if (op == 0 && d) {
		plb_specs_free(sp, n);
		return plb_err(err, -EEXIST, "service %s already has dest %s:%lld",
			       id_str(&id, b, sizeof(b)), ip, dport), NULL;
	}
	if (op != 0 && !d) {
		plb_specs_free(sp, n);
		return plb_err(err, -ENOENT, "service %s has no dest %s:%lld",
			       id_str(&id, b, sizeof(b)), ip, dport), NULL;
	}
	if (op == 2) {
		memmove(d, d + 1, (size_t)(s->dests + s->n_dests - d - 1) * sizeof(*d));
		s->n_dests--;
		return specs_commit(sp, n, what[op], err);
	}
	if (op == 0) {
		struct plb_conf_dest *nd = realloc(s->dests, (s->n_dests + 1) * sizeof(*nd));

		if (nd == NULL) {
			plb_specs_free(sp, n);
			return plb_err(err, -ENOMEM, "out of memory"), NULL;
		}
		s->dests = nd;
		d = &nd[s->n_dests++];
		memset(d, 0, sizeof(*d));
		d->addr = addr;
		d->port = (uint16_t)dport;
		d->weight = 1;
	}
	if ((rc = arg_int(req, "weight", 0, 65535, &v, 0, err)) < 0)
		goto err_free;
	if (rc == 0)
		d->weight = (uint32_t)v;
	if ((rc = arg_int(req, "u_threshold", 0, 1 << 30, &v, 0, err)) < 0)
		goto err_free;
	if (rc == 0)
		d->u_threshold = (uint32_t)v;
	if ((rc = arg_int(req, "l_threshold", 0, 1 << 30, &v, 0, err)) < 0)
		goto err_free;
	if (rc == 0)
		d->l_threshold = (uint32_t)v;
	if (arg_bool(req, "down", &d->down, err) < 0)
		goto err_free;
	if (d->l_threshold && d->u_threshold && d->l_threshold > d->u_threshold) {
		plb_err(err, -EINVAL, "l_threshold %u is above u_threshold %u", d->l_threshold,
			d->u_threshold);
		goto err_free;
	}
	d->line = 0;
	return specs_commit(sp, n, what[op], err);
err_free:
	plb_specs_free(sp, n);
	return NULL;
}

static json_t *cmd_dest_add(json_t *req, char **err) { return dest_cmd(req, 0, err); }
static json_t *cmd_dest_edit(json_t *req, char **err) { return dest_cmd(req, 1, err); }
static json_t *cmd_dest_del(json_t *req, char **err) { return dest_cmd(req, 2, err); }

static json_t *
laddr_cmd(json_t *req, int add, char **err)
{
	static const char *const args[] = { "proto", "vip", "port", "laddr", NULL };
	struct plb_conf_svc *sp, *s;
	struct svc_id id;
	uint32_t n, a, i;
	int idx;
	char b[64];

	if (plb_ctl_check_args(req, args, err) || arg_svc_id(req, &id, err))
		return NULL;
	if (json_object_get(req, "laddr") == NULL)
		return plb_err(err, -EINVAL, "missing \"laddr\""), NULL;
	if (arg_ip(json_object_get(req, "laddr"), "laddr", &a, err) ||
	    specs_begin(&id, &sp, &n, &idx, err))
		return NULL;
	if (idx < 0)
		return no_such_service(&id, sp, n, err);
	s = &sp[idx];
	for (i = 0; i < s->n_laddrs && s->laddrs[i] != a; i++)
		;
	if (add && i < s->n_laddrs) {
		plb_specs_free(sp, n);
		return plb_err(err, -EEXIST, "service %s already has that local address",
			       id_str(&id, b, sizeof(b))), NULL;
	}
	if (!add && i == s->n_laddrs) {
		plb_specs_free(sp, n);
		return plb_err(err, -ENOENT, "service %s has no such local address",
			       id_str(&id, b, sizeof(b))), NULL;
	}
	if (add) {
		uint32_t *nl = realloc(s->laddrs, (s->n_laddrs + 1) * sizeof(*nl));

		if (nl == NULL) {
			plb_specs_free(sp, n);
			return plb_err(err, -ENOMEM, "out of memory"), NULL;
		}
		s->laddrs = nl;
		nl[s->n_laddrs++] = a;
	} else {
		memmove(&s->laddrs[i], &s->laddrs[i + 1], (s->n_laddrs - i - 1) * sizeof(*s->laddrs));
		s->n_laddrs--;
	}
	return specs_commit(sp, n, add ? "laddr.add" : "laddr.del", err);
}

static json_t *cmd_laddr_add(json_t *req, char **err) { return laddr_cmd(req, 1, err); }
static json_t *cmd_laddr_del(json_t *req, char **err) { return laddr_cmd(req, 0, err); }

/* ---- zero ---- */

struct zero_ctx {
	int any;
	struct svc_id id;
};

static void
zero_svc(const struct plb_svc *svc, void *arg)
{
	struct zero_ctx *z = arg;
	uint32_t nw = plb_workers_n();

	if (!z->any && (svc->proto != z->id.proto || svc->vaddr.v4 != z->id.vip ||
			svc->vport != htons(z->id.port)))
		return;
	/* WHY plain stores: each word is written whole; a worker's increment racing with it
	 * may survive, which an operator zeroing counters can live with (IPVS does the same) */
	for (uint32_t w = 0; w < nw; w++) {
		memset(&svc->stats[w], 0, sizeof(svc->stats[w]));
		for (uint32_t d = 0; d < svc->n_dests; d++)
			memset(&svc->dests[d]->stats[w], 0, sizeof(svc->dests[d]->stats[w]));
	}
}

static json_t *
cmd_zero(json_t *req, char **err)
{
	static const char *const args[] = { "proto", "vip", "port", NULL };
	struct zero_ctx z = { .any = 1 };

	if (plb_ctl_check_args(req, args, err))
		return NULL;
	if (json_object_get(req, "proto") || json_object_get(req, "vip") || json_object_get(req, "port")) {
		const struct plb_conf_svc *specs;
		uint32_t n;

		if (arg_svc_id(req, &z.id, err))
			return NULL;
		specs = plb_svc_specs(&n);	/* sets n: not in the same call's arguments */
		if (plb_spec_find(specs, n, z.id.proto, z.id.vip, z.id.port) < 0) {
			char b[64];

			plb_err(err, -ENOENT, "no service %s", id_str(&z.id, b, sizeof(b)));
			return NULL;
		}
		z.any = 0;
	}
	plb_svc_foreach(zero_svc, &z);
	return json_object();
}

const struct plb_ctl_cmd plb_ctl_svc_cmds[] = {
	{ "service.add", cmd_service_add },
	{ "service.edit", cmd_service_edit },
	{ "service.del", cmd_service_del },
	{ "dest.add", cmd_dest_add },
	{ "dest.edit", cmd_dest_edit },
	{ "dest.del", cmd_dest_del },
	{ "laddr.add", cmd_laddr_add },
	{ "laddr.del", cmd_laddr_del },
	{ "clear", cmd_clear },
	{ "zero", cmd_zero },
	{ NULL, NULL },
};
