/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.lua: the plb.* functions scripts call (docs/lua.md has each with an
 * example). Reads come from the running services; changes are staged in the
 * open transaction (lua_policy.c) and applied when the callback returns. A
 * bad argument (unknown service or dest, bad prefix, out of range) raises a
 * Lua error naming the function and the argument; Lua adds the caller's
 * file:line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <libconfig.h>

#include <plb/log.h>
#include <plb/svc.h>

#include "ctl.h"
#include "lua_int.h"
#include "runtime.h"
#include "svc.h"

/* ---- arguments ---- */

static const char *
api_proto_name(uint8_t p)
{
	return p == IPPROTO_UDP ? "udp" : "tcp";
}

static int
api_proto(const char *s, uint8_t *p)
{
	if (strcmp(s, "tcp") == 0)
		*p = IPPROTO_TCP;
	else if (strcmp(s, "udp") == 0)
		*p = IPPROTO_UDP;
	else
		return -1;
	return 0;
}

static int
api_ip4(const char *s, uint32_t *a)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*a = in.s_addr;
	return 0;
}

/* Port from field @k of the table at @idx: -1 if absent, -2 if not 0..65535. */
static long
api_field_port(lua_State *L, int idx, const char *k)
{
	long v = -1;

	lua_getfield(L, idx, k);
	if (lua_isnumber(L, -1)) {
		lua_Number n = lua_tonumber(L, -1);

		v = n >= 0 && n <= 65535 && n == (long)n ? (long)n : -2;
	} else if (!lua_isnil(L, -1)) {
		v = -2;
	}
	lua_pop(L, 1);
	return v;
}

/* Service argument @idx of @fn: "tcp:192.0.2.100:80" or {proto=, vip=, port=}; raises. */
static int
api_svc(lua_State *L, int idx, const char *fn, struct lpol_svc *s)
{
	static const char *const how = "expected \"tcp:192.0.2.100:80\" or "
				       "{ proto = \"tcp\", vip = \"192.0.2.100\", port = 80 }";
	char buf[64], name[80];
	int si;

	if (lua_type(L, idx) == LUA_TSTRING) {
		const char *v = lua_tostring(L, idx);
		char *c1, *c2, *end;
		long port;

		snprintf(buf, sizeof(buf), "%s", v);
		c1 = strchr(buf, ':');
		c2 = c1 ? strrchr(buf, ':') : NULL;
		if (c1 == NULL || c2 == c1)
			return luaL_error(L, "%s: service \"%s\": %s", fn, v, how);
		*c1 = *c2 = '\0';
		port = strtol(c2 + 1, &end, 10);
		if (api_proto(buf, &s->proto) || api_ip4(c1 + 1, &s->vip) || *end || end == c2 + 1 ||
		    port < 1 || port > 65535)
			return luaL_error(L, "%s: service \"%s\": %s", fn, v, how);
		s->port = (uint16_t)port;
	} else if (lua_istable(L, idx)) {
		const char *proto, *vip;
		long port;

		lua_getfield(L, idx, "proto");
		lua_getfield(L, idx, "vip");
		proto = lua_tostring(L, -2);
		vip = lua_tostring(L, -1);
		port = api_field_port(L, idx, "port");
		if (proto == NULL || vip == NULL || api_proto(proto, &s->proto) ||
		    api_ip4(vip, &s->vip) || port < 1)
			return luaL_error(L, "%s: service table: %s", fn, how);
		lua_pop(L, 2);
		s->port = (uint16_t)port;
	} else {
		return luaL_error(L, "%s: service: %s, got %s", fn, how, luaL_typename(L, idx));
	}
	si = lpol_svc_find(s);
	if (si < 0) {
		inet_ntop(AF_INET, &s->vip, buf, sizeof(buf));
		snprintf(name, sizeof(name), "%s:%s:%u", api_proto_name(s->proto), buf, s->port);
		return luaL_error(L, "%s: unknown service %s", fn, name);
	}
	return si;
}

/* Dest argument @idx of service @si: "198.51.100.11:8080", "198.51.100.11" or {addr=, port=}. */
static int
api_dest(lua_State *L, int idx, const char *fn, int si)
{
	static const char *const how = "expected \"198.51.100.11:8080\" or { addr = \"198.51.100.11\", "
				       "port = 8080 }";
	uint32_t n, addr;
	const struct plb_conf_svc *sp = lpol_specs(&n);
	long port = sp[si].port;
	char buf[64], a[INET_ADDRSTRLEN], vip[INET_ADDRSTRLEN];
	int di;

	if (lua_type(L, idx) == LUA_TSTRING) {
		const char *v = lua_tostring(L, idx);
		char *c, *end;

		snprintf(buf, sizeof(buf), "%s", v);
		if ((c = strchr(buf, ':')) != NULL) {
			*c = '\0';
			port = strtol(c + 1, &end, 10);
			if (*end || end == c + 1 || port < 0 || port > 65535)
				return luaL_error(L, "%s: dest \"%s\": %s", fn, v, how);
		}
		if (api_ip4(buf, &addr))
			return luaL_error(L, "%s: dest \"%s\": %s", fn, v, how);
	} else if (lua_istable(L, idx)) {
		long p = api_field_port(L, idx, "port");

		lua_getfield(L, idx, "addr");
		if (lua_type(L, -1) != LUA_TSTRING || api_ip4(lua_tostring(L, -1), &addr) || p == -2)
			return luaL_error(L, "%s: dest table: %s", fn, how);
		lua_pop(L, 1);
		if (p >= 0)
			port = p;
	} else {
		return luaL_error(L, "%s: dest: %s, got %s", fn, how, luaL_typename(L, idx));
	}
	if (port == 0)
		port = sp[si].port;
	di = lpol_dest_find(si, addr, (uint16_t)port);
	if (di < 0) {
		inet_ntop(AF_INET, &addr, a, sizeof(a));
		inet_ntop(AF_INET, &sp[si].vip, vip, sizeof(vip));
		return luaL_error(L, "%s: unknown dest %s:%d in service %s:%s:%d", fn, a, (int)port,
				  api_proto_name(sp[si].proto), vip, (int)sp[si].port);
	}
	return di;
}

/* Raise with @err (malloc'ed) as the message. */
static int
api_raise(lua_State *L, const char *fn, char *err)
{
	lua_pushfstring(L, "%s: %s", fn, err ? err : "failed");
	free(err);
	luaL_where(L, 1);
	lua_insert(L, -2);
	lua_concat(L, 2);
	return lua_error(L);
}

/* ---- services and dests ---- */

static void
api_push_num(lua_State *L, const char *k, double v)
{
	lua_pushnumber(L, v);
	lua_setfield(L, -2, k);
}

static void
api_push_str(lua_State *L, const char *k, const char *v)
{
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

/* The running dest of @svc (may be NULL) for spec dest @cd, or NULL. */
static const struct plb_dest *
api_live_dest(const struct plb_svc *svc, const struct plb_conf_dest *cd)
{
	for (uint32_t i = 0; svc && i < svc->n_dests; i++) {
		const struct plb_dest *d = svc->dests[i];

		if (!(d->flags & PLB_DEST_F_REMOVED) && d->addr.v4 == cd->addr &&
		    ntohs(d->port) == cd->port)
			return d;
	}
	return NULL;
}

/* Push the row of dest @cd: settings as the transaction sees them, counters from @d (or 0). */
static void
api_dest_row(lua_State *L, const struct plb_conf_dest *cd, const struct plb_dest *d)
{
	uint32_t nw = plb_workers_n();
	uint64_t t[5] = { 0 };
	char da[INET_ADDRSTRLEN], buf[80];

	for (uint32_t x = 0; d && d->stats && x < nw; x++) {
		const volatile struct plb_dest_stats *s = &d->stats[x];

		t[0] += s->conns;
		t[1] += s->pkts_in;
		t[2] += s->pkts_out;
		t[3] += s->bytes_in;
		t[4] += s->bytes_out;
	}
	inet_ntop(AF_INET, &cd->addr, da, sizeof(da));
	lua_newtable(L);
	api_push_str(L, "addr", da);
	api_push_num(L, "port", cd->port);
	snprintf(buf, sizeof(buf), "%s:%u", da, cd->port);
	api_push_str(L, "name", buf);
	api_push_num(L, "weight", cd->weight);
	lua_pushboolean(L, cd->down);
	lua_setfield(L, -2, "down");
	api_push_num(L, "active", d ? (double)__atomic_load_n(&d->active_conns, __ATOMIC_RELAXED) : 0);
	api_push_num(L, "inactive",
		     d ? (double)__atomic_load_n(&d->inactive_conns, __ATOMIC_RELAXED) : 0);
	api_push_num(L, "conns", (double)t[0]);
	api_push_num(L, "pkts_in", (double)t[1]);
	api_push_num(L, "pkts_out", (double)t[2]);
	api_push_num(L, "pkts", (double)(t[1] + t[2]));
	api_push_num(L, "bytes_in", (double)t[3]);
	api_push_num(L, "bytes_out", (double)t[4]);
	api_push_num(L, "bytes", (double)(t[3] + t[4]));
}

/*
 * plb.services() -> { { proto, vip, port, name, scheduler, fwd, dests = { ... } }, ... }:
 * the services as the transaction sees them, counters from the running ones
 * (none under plb -t).
 */
static int
api_services(lua_State *L)
{
	uint32_t n;
	const struct plb_conf_svc *sp = lpol_specs(&n);

	lua_newtable(L);
	for (uint32_t i = 0; i < n; i++) {
		const struct plb_conf_svc *cs = &sp[i];
		const struct plb_svc *svc = lpol_checking() ? NULL :
			plb_svc_lookup(AF_INET, cs->proto, &(struct plb_addr){ .v4 = cs->vip },
				       htons(cs->port));
		char vip[INET_ADDRSTRLEN], buf[80];

		inet_ntop(AF_INET, &cs->vip, vip, sizeof(vip));
		lua_newtable(L);
		api_push_str(L, "proto", api_proto_name(cs->proto));
		api_push_str(L, "vip", vip);
		api_push_num(L, "port", cs->port);
		snprintf(buf, sizeof(buf), "%s:%s:%u", api_proto_name(cs->proto), vip, cs->port);
		api_push_str(L, "name", buf);
		api_push_str(L, "scheduler", cs->sched ? cs->sched : "");
		api_push_str(L, "fwd", cs->fwd ? cs->fwd : "");
		lua_newtable(L);
		for (uint32_t k = 0; k < cs->n_dests; k++) {
			api_dest_row(L, &cs->dests[k], api_live_dest(svc, &cs->dests[k]));
			lua_rawseti(L, -2, (int)k + 1);
		}
		lua_setfield(L, -2, "dests");
		lua_rawseti(L, -2, (int)i + 1);
	}
	return 1;
}

static void
api_push_json(lua_State *L, json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		lua_newtable(L);
		json_object_foreach(j, k, v) {
			api_push_json(L, v);
			lua_setfield(L, -2, k);
		}
		break;
	case JSON_ARRAY:
		lua_newtable(L);
		json_array_foreach(j, i, v) {
			api_push_json(L, v);
			lua_rawseti(L, -2, (int)i + 1);
		}
		break;
	case JSON_STRING:
		lua_pushstring(L, json_string_value(j));
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		lua_pushnumber(L, json_number_value(j));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		lua_pushboolean(L, json_is_true(j));
		break;
	default:
		lua_pushnil(L);
	}
}

/*
 * plb.stats() -> what `plbctl stats --json` shows (ports, workers, counters,
 * services); under plb -t (nothing runs) those four are empty tables.
 */
static int
api_stats(lua_State *L)
{
	json_t *req, *res;

	if (lpol_checking()) {
		lua_newtable(L);
		for (int i = 0; i < 4; i++) {
			lua_newtable(L);
			lua_setfield(L, -2, (const char *[]){ "ports", "workers", "counters",
							       "services" }[i]);
		}
		return 1;
	}
	req = json_pack("{s:i, s:s}", "v", PLB_CTL_VERSION, "cmd", "stats");
	res = req ? plb_ctl_handle(req) : NULL;

	json_decref(req);
	if (res == NULL || !json_is_true(json_object_get(res, "ok"))) {
		json_decref(res);
		return luaL_error(L, "plb.stats: cannot read the stats");
	}
	api_push_json(L, json_object_get(res, "result"));
	json_decref(res);
	return 1;
}

/* ---- weights, quiesce, down/up (the dest's down flag; the weight stays) ---- */

static int
api_set_weight(lua_State *L)
{
	int si = api_svc(L, 1, "plb.set_weight", &(struct lpol_svc){ 0 });
	int di = api_dest(L, 2, "plb.set_weight", si);
	lua_Number w = luaL_checknumber(L, 3);
	char *err = NULL;

	if (w < 0 || w > 65535 || w != (lua_Number)(uint32_t)w)
		return luaL_error(L, "plb.set_weight: weight %f: expected an integer 0..65535", w);
	if (lpol_set_weight(si, di, (uint32_t)w, &err) != 0)
		return api_raise(L, "plb.set_weight", err);
	return 0;
}

static int
api_quiesce(lua_State *L)
{
	int si = api_svc(L, 1, "plb.quiesce", &(struct lpol_svc){ 0 });
	int di = api_dest(L, 2, "plb.quiesce", si);
	char *err = NULL;

	if (lpol_set_weight(si, di, 0, &err) != 0)
		return api_raise(L, "plb.quiesce", err);
	return 0;
}

static int
api_updown(lua_State *L, const char *fn, int down)
{
	int si = api_svc(L, 1, fn, &(struct lpol_svc){ 0 });
	int di = api_dest(L, 2, fn, si);
	char *err = NULL;

	if (lpol_set_down(si, di, down, &err) != 0)
		return api_raise(L, fn, err);
	return 0;
}

static int
api_down(lua_State *L)
{
	return api_updown(L, "plb.down", 1);
}

static int
api_up(lua_State *L)
{
	return api_updown(L, "plb.up", 0);
}

/* ---- access lists ---- */

/* "a.b.c.d/len" or "a.b.c.d" (a /32) into @p; NULL or why not. */
static const char *
api_prefix(const char *s, struct plb_ifaddr4 *p)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t mask;
	long len = 32;
	char *end;

	if (n == 0 || n >= sizeof(buf))
		return "expected an IPv4 prefix such as \"203.0.113.0/24\"";
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (api_ip4(buf, &p->addr))
		return "expected an IPv4 prefix such as \"203.0.113.0/24\"";
	if (slash) {
		len = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || len < 0 || len > 32)
			return "the prefix length must be 0..32";
	}
	p->prefix_len = (uint8_t)len;
	mask = len ? htonl(~0u << (32 - len)) : 0;
	if (p->addr & ~mask)
		return "host bits are set after the prefix length";
	return NULL;
}

/* Prefix list argument 1: a string or an array of strings; malloc'ed array, *n entries. */
static struct plb_ifaddr4 *
api_prefixes(lua_State *L, const char *fn, uint32_t *n)
{
	struct plb_ifaddr4 *p;
	int single = lua_type(L, 1) == LUA_TSTRING;
	size_t cnt;

	if (!single && !lua_istable(L, 1))
		luaL_error(L, "%s: prefixes: expected a string or an array of strings, got %s", fn,
			   luaL_typename(L, 1));
	cnt = single ? 1 : lua_objlen(L, 1);
	p = malloc((cnt ? cnt : 1) * sizeof(*p));
	if (p == NULL)
		luaL_error(L, "%s: out of memory", fn);
	for (size_t i = 0; i < cnt; i++) {
		const char *s, *why;

		if (!single)
			lua_rawgeti(L, 1, (int)i + 1);
		s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		why = s ? api_prefix(s, &p[i]) : "expected a string";
		if (why != NULL) {
			free(p);
			if (single)
				luaL_error(L, "%s: prefix \"%s\": %s", fn, s, why);
			luaL_error(L, "%s: prefixes[%d]%s%s%s: %s", fn, (int)i + 1, s ? " \"" : "",
				   s ? s : "", s ? "\"" : "", why);
		}
		if (!single)
			lua_pop(L, 1);
	}
	*n = (uint32_t)cnt;
	return p;
}

static int
api_acl(lua_State *L, const char *fn, enum lpol_acl_op op, enum plb_acl_list l)
{
	struct plb_acl_scope sc = { .svc = 0 };
	struct plb_ifaddr4 *p;
	char *err = NULL;
	uint32_t n;

	if (lua_gettop(L) > 1 && !lua_isnil(L, 2)) {
		struct lpol_svc s;

		lua_settop(L, 2);
		api_svc(L, 2, fn, &s);
		sc = (struct plb_acl_scope){ .svc = 1, .proto = s.proto, .vip = s.vip, .port = s.port };
	}
	lua_settop(L, 1);
	p = api_prefixes(L, fn, &n);
	if (lpol_acl(op, &sc, l, p, n, &err) != 0)
		return api_raise(L, fn, err);
	return 0;
}

static int api_deny(lua_State *L) { return api_acl(L, "plb.deny", LPOL_ACL_ADD, PLB_ACL_LIST_DENY); }
static int api_undeny(lua_State *L) { return api_acl(L, "plb.undeny", LPOL_ACL_DEL, PLB_ACL_LIST_DENY); }
static int api_set_deny(lua_State *L) { return api_acl(L, "plb.set_deny", LPOL_ACL_SET, PLB_ACL_LIST_DENY); }
static int api_allow(lua_State *L) { return api_acl(L, "plb.allow", LPOL_ACL_ADD, PLB_ACL_LIST_ALLOW); }
static int api_unallow(lua_State *L) { return api_acl(L, "plb.unallow", LPOL_ACL_DEL, PLB_ACL_LIST_ALLOW); }
static int api_set_allow(lua_State *L) { return api_acl(L, "plb.set_allow", LPOL_ACL_SET, PLB_ACL_LIST_ALLOW); }

/* plb.acl_size("deny"|"allow" [, svc]) -> prefixes in force, refusals counted */
static int
api_acl_size(lua_State *L)
{
	const char *which = luaL_checkstring(L, 1);
	struct plb_acl_scope sc = { .svc = 0 };
	enum plb_acl_list l;

	if (strcmp(which, "deny") == 0)
		l = PLB_ACL_LIST_DENY;
	else if (strcmp(which, "allow") == 0)
		l = PLB_ACL_LIST_ALLOW;
	else
		return luaL_error(L, "plb.acl_size: list \"%s\": expected \"deny\" or \"allow\"", which);
	if (lua_gettop(L) > 1 && !lua_isnil(L, 2)) {
		struct lpol_svc s;

		api_svc(L, 2, "plb.acl_size", &s);
		sc = (struct plb_acl_scope){ .svc = 1, .proto = s.proto, .vip = s.vip, .port = s.port };
	}
	lua_pushnumber(L, plb_acl_size(&sc, l));
	lua_pushnumber(L, (lua_Number)plb_acl_hits(&sc, l));
	return 2;
}

/* plb.load_prefixes(path) -> { "203.0.113.0/24", ... } | nil, "path:line: why" */
static int
api_load_prefixes(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	FILE *f = fopen(path, "r");
	char line[256];
	int ln = 0, k = 0;

	if (f == NULL) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: cannot read: %s", path, strerror(errno));
		return 2;
	}
	lua_newtable(L);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line, *e;
		struct plb_ifaddr4 p;
		const char *why;

		ln++;
		if ((e = strchr(s, '#')) != NULL)
			*e = '\0';
		s += strspn(s, " \t\r\n");
		e = s + strcspn(s, " \t\r\n");
		if (*e != '\0' && e[strspn(e, " \t\r\n")] != '\0')
			why = "one prefix per line";
		else
			why = (*e = '\0', *s) ? api_prefix(s, &p) : NULL;
		if (why != NULL) {
			fclose(f);
			lua_pushnil(L);
			lua_pushfstring(L, "%s:%d: %s", path, ln, why);
			return 2;
		}
		if (*s) {
			lua_pushstring(L, s);
			lua_rawseti(L, -2, ++k);
		}
	}
	fclose(f);
	return 1;
}

/* plb.mtime(path) -> seconds since the epoch, or nil if it cannot be read */
static int
api_mtime(lua_State *L)
{
	struct stat st;

	if (stat(luaL_checkstring(L, 1), &st) != 0)
		return 0;
	lua_pushnumber(L, (lua_Number)st.st_mtim.tv_sec + (lua_Number)st.st_mtim.tv_nsec / 1e9);
	return 1;
}

/* ---- timers, events, log ---- */

static int
api_timer(lua_State *L, const char *fn, int every)
{
	lua_Number s = luaL_checknumber(L, 1);

	luaL_checktype(L, 2, LUA_TFUNCTION);
	if (!(s >= (every ? 0.01 : 0.0)) || s > 86400.0 * 365)
		return luaL_error(L, "%s: seconds %f: expected %s..31536000", fn, s,
				  every ? "0.01" : "0");
	lua_pushnumber(L, lrt_timer_add(L, 2, s, every));
	return 1;
}

static int api_every(lua_State *L) { return api_timer(L, "plb.every", 1); }
static int api_after(lua_State *L) { return api_timer(L, "plb.after", 0); }

static int
api_cancel(lua_State *L)
{
	lua_pushboolean(L, lrt_timer_cancel(L, (uint32_t)luaL_checknumber(L, 1)));
	return 1;
}

static int
api_on(lua_State *L)
{
	const char *ev = luaL_checkstring(L, 1);

	luaL_checktype(L, 2, LUA_TFUNCTION);
	if (strcmp(ev, "dest_down") && strcmp(ev, "dest_up") && strcmp(ev, "reload"))
		return luaL_error(L, "plb.on: event \"%s\": expected \"dest_down\", \"dest_up\" or "
				  "\"reload\"", ev);
	lrt_on(L, ev, 2);
	return 0;
}

static int
api_log(lua_State *L)
{
	static const char *const names[] = { "err", "warning", "notice", "info", "debug", NULL };
	static const enum plb_log_level levels[] = {
		PLB_LOG_ERR, PLB_LOG_WARNING, PLB_LOG_NOTICE, PLB_LOG_INFO, PLB_LOG_DEBUG,
	};
	int i = luaL_checkoption(L, 1, NULL, names);
	const char *msg = luaL_checkstring(L, 2);
	lua_Debug d;
	char where[160] = "";

	if (lua_getstack(L, 1, &d) && lua_getinfo(L, "Sl", &d) && d.currentline > 0)
		snprintf(where, sizeof(where), "%s:%d: ", d.short_src, d.currentline);
	plb_log(levels[i], "lua", "%s%s", where, msg);
	return 0;
}

/* ---- plb.config ---- */

static void
api_push_setting(lua_State *L, const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		lua_pushnumber(L, (lua_Number)config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		lua_pushnumber(L, config_setting_get_float(s));
		break;
	case CONFIG_TYPE_STRING:
		lua_pushstring(L, config_setting_get_string(s));
		break;
	case CONFIG_TYPE_BOOL:
		lua_pushboolean(L, config_setting_get_bool(s));
		break;
	case CONFIG_TYPE_GROUP:
		lua_newtable(L);
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *m = config_setting_get_elem(s, i);

			api_push_setting(L, m);
			lua_setfield(L, -2, config_setting_name(m));
		}
		break;
	default:	/* array, list */
		lua_newtable(L);
		for (int i = 0; i < config_setting_length(s); i++) {
			api_push_setting(L, config_setting_get_elem(s, i));
			lua_rawseti(L, -2, i + 1);
		}
	}
}

static const luaL_Reg api_funcs[] = {
	{ "services", api_services }, { "stats", api_stats },
	{ "set_weight", api_set_weight }, { "quiesce", api_quiesce },
	{ "down", api_down }, { "up", api_up },
	{ "deny", api_deny }, { "undeny", api_undeny }, { "set_deny", api_set_deny },
	{ "allow", api_allow }, { "unallow", api_unallow }, { "set_allow", api_set_allow },
	{ "acl_size", api_acl_size }, { "load_prefixes", api_load_prefixes }, { "mtime", api_mtime },
	{ "every", api_every }, { "after", api_after }, { "cancel", api_cancel },
	{ "on", api_on }, { "log", api_log },
	{ NULL, NULL },
};

void
lapi_open(lua_State *L, const void *vars)
{
	lua_newtable(L);
	for (const luaL_Reg *r = api_funcs; r->name; r++) {
		lua_pushcfunction(L, r->func);
		lua_setfield(L, -2, r->name);
	}
	if (vars != NULL)
		api_push_setting(L, vars);
	else
		lua_newtable(L);
	lua_setfield(L, -2, "config");
	lua_setglobal(L, "plb");
}
