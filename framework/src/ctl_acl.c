/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.ctl: the access-list commands acl.add, acl.del, acl.set and acl.list
 * (docs/control.md, docs/acl.md). Arguments: "list" ("deny" | "allow"),
 * "service" ({"proto","vip","port"}; absent: the global lists), "prefixes"
 * (array of "A.B.C.D/LEN" or "A.B.C.D" = /32). Every argument is checked
 * before anything changes; plb_acl_*() then changes the list all or nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <plb/log.h>

#include "acl.h"
#include "ctl.h"
#include "svc.h"

static int
acl_arg_list(json_t *req, int required, enum plb_acl_list *out, char **err)
{
	json_t *v = json_object_get(req, "list");
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	if (v == NULL) {
		if (required)
			return plb_err(err, -EINVAL, "missing \"list\" (\"deny\" or \"allow\")");
		return 1;
	}
	if (s && !strcmp(s, "deny"))
		*out = PLB_ACL_LIST_DENY;
	else if (s && !strcmp(s, "allow"))
		*out = PLB_ACL_LIST_ALLOW;
	else
		return plb_err(err, -EINVAL, "\"list\" must be \"deny\" or \"allow\"");
	return 0;
}

static int
acl_arg_service(json_t *req, struct plb_acl_scope *sc, char **err)
{
	json_t *o = json_object_get(req, "service"), *p, *vip, *port, *val;
	const char *key;
	struct in_addr in;

	memset(sc, 0, sizeof(*sc));
	if (o == NULL || json_is_null(o))
		return 0;	/* global */
	if (!json_is_object(o))
		return plb_err(err, -EINVAL, "\"service\" must be an object {\"proto\", \"vip\", \"port\"}");
	json_object_foreach(o, key, val)
		if (strcmp(key, "proto") && strcmp(key, "vip") && strcmp(key, "port"))
			return plb_err(err, -EINVAL, "service: unknown key \"%s\" (expected proto, vip, port)",
				       key);
	p = json_object_get(o, "proto");
	vip = json_object_get(o, "vip");
	port = json_object_get(o, "port");
	if (json_is_string(p) && !strcmp(json_string_value(p), "tcp"))
		sc->proto = IPPROTO_TCP;
	else if (json_is_string(p) && !strcmp(json_string_value(p), "udp"))
		sc->proto = IPPROTO_UDP;
	else
		return plb_err(err, -EINVAL, "service: \"proto\" must be \"tcp\" or \"udp\"");
	if (!json_is_string(vip) || inet_pton(AF_INET, json_string_value(vip), &in) != 1)
		return plb_err(err, -EINVAL, "service: \"vip\" must be an IPv4 address such as \"192.0.2.100\"");
	if (!json_is_integer(port) || json_integer_value(port) < 1 || json_integer_value(port) > 65535)
		return plb_err(err, -EINVAL, "service: \"port\" must be an integer 1..65535");
	sc->svc = 1;
	sc->vip = in.s_addr;
	sc->port = (uint16_t)json_integer_value(port);
	return 0;
}

/* "A.B.C.D/LEN" or "A.B.C.D" into *p; 0 or -EINVAL with the message naming item @i. */
static int
acl_parse_prefix(const char *s, size_t i, struct plb_ifaddr4 *p, char **err)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	struct in6_addr in6;
	struct in_addr in;
	long len = 32;

	if (strlen(s) >= sizeof(buf))
		goto err_bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (slash[1] < '0' || slash[1] > '9')
			goto err_bad;
		len = strtol(slash + 1, &end, 10);
		if (*end != '\0' || end - (slash + 1) > 2)
			goto err_bad;
	}
	if (inet_pton(AF_INET, buf, &in) != 1) {
		if (inet_pton(AF_INET6, buf, &in6) == 1)
			return plb_err(err, -EINVAL, "prefixes[%zu]: \"%s\": IPv6 is not supported yet", i, s);
		goto err_bad;
	}
	if (len > 32)
		return plb_err(err, -EINVAL, "prefixes[%zu]: prefix length %ld is out of range 0..32", i, len);
	p->addr = in.s_addr;
	p->prefix_len = (uint8_t)len;
	return 0;
err_bad:
	return plb_err(err, -EINVAL, "prefixes[%zu]: \"%s\" is not an IPv4 prefix such as \"203.0.113.0/24\"",
		       i, s);
}

static int
acl_arg_prefixes(json_t *req, struct plb_ifaddr4 **out, uint32_t *n, char **err)
{
	json_t *a = json_object_get(req, "prefixes"), *e;
	struct plb_ifaddr4 *p;
	size_t i;

	if (a == NULL)
		return plb_err(err, -EINVAL, "missing \"prefixes\" (an array such as [\"203.0.113.0/24\"])");
	if (!json_is_array(a))
		return plb_err(err, -EINVAL, "\"prefixes\" must be an array such as [\"203.0.113.0/24\"]");
	p = calloc(json_array_size(a) + 1, sizeof(*p));
	if (p == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	json_array_foreach(a, i, e) {
		int rc;

		if (!json_is_string(e)) {
			free(p);
			return plb_err(err, -EINVAL, "prefixes[%zu] must be a string such as \"203.0.113.0/24\"", i);
		}
		if ((rc = acl_parse_prefix(json_string_value(e), i, &p[i], err)) != 0) {
			free(p);
			return rc;
		}
	}
	*out = p;
	*n = (uint32_t)json_array_size(a);
	return 0;
}

static json_t *
acl_scope_json(const struct plb_acl_scope *sc)
{
	char ip[INET_ADDRSTRLEN];

	if (!sc->svc)
		return json_null();
	inet_ntop(AF_INET, &sc->vip, ip, sizeof(ip));
	return json_pack("{s:s, s:s, s:i}", "proto", sc->proto == IPPROTO_TCP ? "tcp" : "udp",
			 "vip", ip, "port", sc->port);
}

typedef int (*acl_change_fn)(const struct plb_acl_scope *, enum plb_acl_list,
			     const struct plb_ifaddr4 *, uint32_t, char **);

static json_t *
acl_change_cmd(json_t *req, acl_change_fn fn, char **err)
{
	static const char *const args[] = { "list", "service", "prefixes", NULL };
	struct plb_acl_scope sc;
	enum plb_acl_list l = PLB_ACL_LIST_DENY;
	struct plb_ifaddr4 *p = NULL;
	uint32_t n = 0;
	int rc;

	if (plb_ctl_check_args(req, args, err) || acl_arg_list(req, 1, &l, err) ||
	    acl_arg_service(req, &sc, err) || acl_arg_prefixes(req, &p, &n, err))
		return NULL;
	rc = fn(&sc, l, p, n, err);
	free(p);
	if (rc)
		return NULL;
	return json_pack("{s:s, s:o, s:i}", "list", l == PLB_ACL_LIST_DENY ? "deny" : "allow",
			 "service", acl_scope_json(&sc), "size", (int)plb_acl_size(&sc, l));
}

static json_t *cmd_acl_add(json_t *req, char **err) { return acl_change_cmd(req, plb_acl_add, err); }
static json_t *cmd_acl_del(json_t *req, char **err) { return acl_change_cmd(req, plb_acl_del, err); }
static json_t *cmd_acl_set(json_t *req, char **err) { return acl_change_cmd(req, plb_acl_set, err); }

struct acl_list_ctx {
	json_t *out;
	int list;		/* -1: both */
	int brief;		/* sizes and hits only */
	int failed;
};

static json_t *
acl_list_json(const struct plb_acl_scope *sc, enum plb_acl_list l, struct acl_list_ctx *cx)
{
	json_t *o = json_pack("{s:I, s:I}", "size", (json_int_t)plb_acl_size(sc, l),
			      "hits", (json_int_t)plb_acl_hits(sc, l));
	struct plb_ifaddr4 *p;
	json_t *a;
	uint32_t n;

	if (o == NULL || cx->brief)
		return o;
	if (plb_acl_prefixes(sc, l, &p, &n) != 0 || (a = json_array()) == NULL) {
		cx->failed = 1;
		return o;
	}
	for (uint32_t i = 0; i < n; i++) {
		char ip[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN + 4];

		inet_ntop(AF_INET, &p[i].addr, ip, sizeof(ip));
		snprintf(s, sizeof(s), "%s/%u", ip, p[i].prefix_len);
		json_array_append_new(a, json_string(s));
	}
	free(p);
	json_object_set_new(o, "prefixes", a);
	return o;
}

static void
acl_list_one(const struct plb_acl_scope *sc, void *arg)
{
	struct acl_list_ctx *cx = arg;
	json_t *o = json_pack("{s:o}", "service", acl_scope_json(sc));

	if (o == NULL) {
		cx->failed = 1;
		return;
	}
	if (cx->list != PLB_ACL_LIST_ALLOW)
		json_object_set_new(o, "deny", acl_list_json(sc, PLB_ACL_LIST_DENY, cx));
	if (cx->list != PLB_ACL_LIST_DENY)
		json_object_set_new(o, "allow", acl_list_json(sc, PLB_ACL_LIST_ALLOW, cx));
	json_array_append_new(cx->out, o);
}

/* A running service, or a scope that holds lists (its service may be gone). */
static int
acl_known(const struct plb_acl_scope *sc)
{
	uint32_t n;
	const struct plb_conf_svc *specs = plb_svc_specs(&n);

	return plb_spec_find(specs, n, sc->proto, sc->vip, sc->port) >= 0 ||
	       plb_acl_size(sc, PLB_ACL_LIST_DENY) || plb_acl_size(sc, PLB_ACL_LIST_ALLOW);
}

static json_t *
cmd_acl_list(json_t *req, char **err)
{
	static const char *const args[] = { "list", "service", "brief", NULL };
	struct acl_list_ctx cx = { .list = -1 };
	enum plb_acl_list l;
	struct plb_acl_scope sc;
	char ip[INET_ADDRSTRLEN];
	json_t *brief;
	int rc;

	if (plb_ctl_check_args(req, args, err))
		return NULL;
	rc = acl_arg_list(req, 0, &l, err);
	if (rc < 0 || acl_arg_service(req, &sc, err))
		return NULL;
	if (rc == 0)
		cx.list = l;
	brief = json_object_get(req, "brief");
	if (brief && !json_is_boolean(brief)) {
		plb_err(err, -EINVAL, "\"brief\" must be true or false");
		return NULL;
	}
	cx.brief = json_is_true(brief);
	if ((cx.out = json_array()) == NULL) {
		plb_err(err, -ENOMEM, "out of memory");
		return NULL;
	}
	if (sc.svc && !acl_known(&sc)) {
		json_decref(cx.out);
		plb_err(err, -ENOENT, "no service %s:%u/%s", inet_ntop(AF_INET, &sc.vip, ip, sizeof(ip)),
			sc.port, sc.proto == IPPROTO_TCP ? "tcp" : "udp");
		return NULL;
	}
	if (json_object_get(req, "service"))
		acl_list_one(&sc, &cx);	/* one scope, even with no lists yet */
	else
		plb_acl_foreach_scope(acl_list_one, &cx);
	if (cx.failed) {
		json_decref(cx.out);
		plb_err(err, -ENOMEM, "out of memory");
		return NULL;
	}
	return cx.out;
}

const struct plb_ctl_cmd plb_ctl_acl_cmds[] = {
	{ "acl.list", cmd_acl_list },
	{ "acl.add", cmd_acl_add },
	{ "acl.del", cmd_acl_del },
	{ "acl.set", cmd_acl_set },
	{ NULL, NULL },
};
