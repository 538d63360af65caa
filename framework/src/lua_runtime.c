/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.lua: the policy runtime (lua_runtime.h, docs/lua.md). A state is made
 * with lua_newstate() and an allocator that refuses past lua.memory_mb (this
 * works with Debian's LuaJIT 2.1 in GC64 mode), the JIT compiler off
 * (LuaJIT runs no hooks in compiled traces, and the instruction budget is a
 * count hook), and a sandbox of libraries (lua.allow widens it). Loading:
 * a new state runs every script in one transaction; only when all of them
 * ran is the transaction applied and the old state closed. Timers and events
 * (lua_events.c) run from plb_lua_tick(), each call its own transaction.
 * plb -t (plb_lua_check) runs the scripts in a throw-away state the same way
 * and applies nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lualib.h>
#include <luajit.h>

#include <plb/log.h>

#include "lua_int.h"
#include "lua_runtime.h"

struct lrt_set {
	char **scripts;
	uint32_t n;
	uint32_t memory_mb, instructions, allow;
	const void *vars;
	struct plb_conf *owned;	/* a SIGHUP config whose settings are in force */
};

static struct lrt_set set;

static struct lrt *cur;			/* the state in force, NULL: none */
static char *last_error;
static time_t loaded_at;
static uint64_t n_loads, n_load_failures, n_calls, n_call_errors;

double
lrt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
lrt_set_error(const char *msg)
{
	free(last_error);
	last_error = msg ? strdup(msg) : NULL;
}

/* "file:line" of the Lua code running in @L at stack level @level, or "". */
static void
lrt_where(lua_State *L, int level, char *buf, size_t len)
{
	lua_Debug d;

	buf[0] = '\0';
	for (; lua_getstack(L, level, &d); level++) {
		if (lua_getinfo(L, "Sl", &d) && d.currentline > 0) {
			snprintf(buf, len, "%s:%d", d.short_src, d.currentline);
			return;
		}
	}
}

/* ---- limits ---- */

static void *
lrt_alloc(void *ud, void *p, size_t osize, size_t nsize)
{
	struct lrt *rt = ud;
	size_t old = p ? osize : 0;
	void *q;

	if (nsize == 0) {
		free(p);
		rt->mem -= old;
		return NULL;
	}
	if (nsize > old && rt->mem - old + nsize > rt->mem_max + rt->slack) {
		if (!rt->mem_hit && rt->L != NULL)
			lrt_where(rt->L, 0, rt->mem_where, sizeof(rt->mem_where));
		rt->mem_hit = 1;
		return NULL;
	}
	q = realloc(p, nsize);
	if (q != NULL)
		rt->mem = rt->mem - old + nsize;
	return q;
}

struct lrt *
lrt_of(lua_State *L)
{
	void *ud = NULL;

	lua_getallocf(L, &ud);
	return ud;
}

/*
 * The count hook: the running callback used its budget. From now on the
 * hook fires at every instruction, so a script that catches the error with
 * pcall() is stopped again at its next instruction outside the pcall.
 */
static void
lrt_hook(lua_State *L, lua_Debug *ar)
{
	struct lrt *rt = lrt_of(L);
	char where[160];

	rt->budget_hit = 1;
	lua_sethook(L, lrt_hook, LUA_MASKCOUNT, 1);
	lrt_where(L, 0, where, sizeof(where));
	luaL_error(L, "%s%sinstruction budget of %u exceeded (lua.instructions)", where,
		   where[0] ? ": " : "", rt->budget);
}

static int
lrt_msgh(lua_State *L)
{
	if (lua_isstring(L, 1))
		return 1;
	lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	return 1;
}

/*
 * Call the function under @nargs arguments on the stack, named @what in
 * messages; pops them. With @own_txn the call is one transaction (opened,
 * then applied or dropped here); without, the caller's transaction is open
 * and the caller applies or drops it. 0, or -1 with the reason in *err (the
 * caller logs it) or, when @err is NULL, logged here; kept as last_error.
 */
int
lrt_call(struct lrt *rt, int nargs, const char *what, int own_txn, char **err)
{
	lua_State *L = rt->L;
	int base = lua_gettop(L) - nargs, rc;
	char *msg = NULL, *cerr = NULL;

	lua_pushcfunction(L, lrt_msgh);
	lua_insert(L, base);
	rt->budget_hit = rt->mem_hit = 0;
	rt->mem_where[0] = '\0';
	n_calls += !rt->check;
	if (own_txn)
		lpol_begin();
	lua_sethook(L, lrt_hook, LUA_MASKCOUNT, (int)rt->budget);
	rt->slack = 0;
	rc = lua_pcall(L, nargs, 0, base);
	lua_sethook(L, NULL, 0, 0);
	rt->slack = LRT_SLACK;
	if (rc != 0) {
		char mem[256];
		const char *m = lua_tostring(L, -1);

		if (rc == LUA_ERRMEM || (rt->mem_hit && !rt->budget_hit)) {
			snprintf(mem, sizeof(mem), "%s%smemory limit of %u MB exceeded (lua.memory_mb)",
				 rt->mem_where, rt->mem_where[0] ? ": " : "", (unsigned)(rt->mem_max >> 20));
			m = mem;
		}
		if (m == NULL)
			m = "error";

		/* a script's own error already starts with its file:line */
		if (strncmp(m, what, strlen(what)) == 0 && m[strlen(what)] == ':')
			msg = strdup(m);
		else if (asprintf(&msg, "%s: %s", what, m) < 0)
			msg = NULL;
	}
	lua_settop(L, base - 1);
	if (rc != 0) {
		if (own_txn)
			lpol_abort();
		lua_gc(L, LUA_GCCOLLECT, 0);
	} else if (own_txn && lpol_commit(&cerr) != 0) {
		if (asprintf(&msg, "%s: its changes were refused: %s", what, cerr ? cerr : "?") < 0)
			msg = NULL;
		rc = -1;
	}
	free(cerr);
	if (rc != 0) {
		if (!rt->check) {
			n_call_errors++;
			lrt_set_error(msg ? msg : what);
		}
		if (err)	/* loading: the caller logs */
			plb_err(err, -EINVAL, "%s", msg ? msg : what);
		else
			PLB_LOG(ERR, LUA_LOG, "%s (the last good policy stays)", msg ? msg : what);
	}
	free(msg);
	return rc ? -1 : 0;
}

/* ---- sandbox ---- */

static void
lrt_open(lua_State *L, lua_CFunction fn, const char *name)
{
	lua_pushcfunction(L, fn);
	lua_pushstring(L, name);
	lua_call(L, 1, 0);
}

static void
lrt_unset(lua_State *L, const char *table, const char *key)
{
	if (table == NULL) {
		lua_pushnil(L);
		lua_setglobal(L, key);
		return;
	}
	lua_getglobal(L, table);
	if (lua_istable(L, -1)) {
		lua_pushnil(L);
		lua_setfield(L, -2, key);
	}
	lua_pop(L, 1);
}

/* load(s [, name]) / loadstring: text chunks only (no reader functions, no bytecode). */
static int
lrt_load_text(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	const char *name = luaL_optstring(L, 2, s);

	if (len > 0 && s[0] == LUA_SIGNATURE[0]) {
		lua_pushnil(L);
		lua_pushliteral(L, "precompiled bytecode refused (lua.allow lacks \"bytecode\")");
		return 2;
	}
	if (luaL_loadbuffer(L, s, len, name) != 0) {
		lua_pushnil(L);
		lua_insert(L, -2);
		return 2;
	}
	return 1;
}

static int
lrt_print(lua_State *L)
{
	luaL_Buffer b;
	char where[160];
	int n = lua_gettop(L);

	luaL_buffinit(L, &b);
	for (int i = 1; i <= n; i++) {
		lua_getglobal(L, "tostring");
		lua_pushvalue(L, i);
		lua_call(L, 1, 1);
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	lrt_where(L, 1, where, sizeof(where));
	PLB_LOG(INFO, "lua", "%s%s%s", where, where[0] ? ": " : "", lua_tostring(L, -1));
	return 0;
}

static void
lrt_sandbox(lua_State *L, uint32_t allow)
{
	static const char *const os_unsafe[] = {
		"execute", "exit", "getenv", "remove", "rename", "setlocale", "tmpname", NULL,
	};

	lrt_open(L, luaopen_base, "");
	lrt_open(L, luaopen_table, LUA_TABLIBNAME);
	lrt_open(L, luaopen_string, LUA_STRLIBNAME);
	lrt_open(L, luaopen_math, LUA_MATHLIBNAME);
	lrt_open(L, luaopen_bit, LUA_BITLIBNAME);
	lrt_open(L, luaopen_os, LUA_OSLIBNAME);
	lrt_open(L, luaopen_jit, LUA_JITLIBNAME);
	if (allow & PLB_LUA_ALLOW_IO)
		lrt_open(L, luaopen_io, LUA_IOLIBNAME);
	if (allow & PLB_LUA_ALLOW_REQUIRE)
		lrt_open(L, luaopen_package, LUA_LOADLIBNAME);
	if (allow & PLB_LUA_ALLOW_FFI) {
		lua_pushcfunction(L, luaopen_ffi);
		lua_call(L, 0, 1);
		lua_setglobal(L, LUA_FFILIBNAME);
	}
	/* hooks do not run in compiled traces: the budget needs the interpreter */
	luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
	lrt_unset(L, NULL, LUA_JITLIBNAME);
	if (allow & PLB_LUA_ALLOW_REQUIRE) {
		lua_getglobal(L, "package");
		lua_getfield(L, -1, "loaded");
		lua_pushnil(L);
		lua_setfield(L, -2, LUA_JITLIBNAME);
		lua_pop(L, 1);
		if (!(allow & PLB_LUA_ALLOW_FFI)) {
			lua_getfield(L, -1, "preload");
			lua_pushnil(L);
			lua_setfield(L, -2, LUA_FFILIBNAME);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	if (!(allow & PLB_LUA_ALLOW_OS))
		for (int i = 0; os_unsafe[i]; i++)
			lrt_unset(L, LUA_OSLIBNAME, os_unsafe[i]);
	if (!(allow & PLB_LUA_ALLOW_IO)) {
		lrt_unset(L, NULL, "dofile");
		lrt_unset(L, NULL, "loadfile");
	}
	if (!(allow & PLB_LUA_ALLOW_BYTECODE)) {
		lua_register(L, "load", lrt_load_text);
		lua_register(L, "loadstring", lrt_load_text);
		lrt_unset(L, LUA_STRLIBNAME, "dump");
	}
	lua_register(L, "print", lrt_print);
}

/* ---- states ---- */

static void
lrt_free(struct lrt *rt)
{
	if (rt == NULL)
		return;
	if (rt->L != NULL)
		lua_close(rt->L);
	free(rt->timers);
	free(rt);
}

static struct lrt *
lrt_new(const struct lrt_set *st, char **err)
{
	struct lrt *rt = calloc(1, sizeof(*rt));

	if (rt == NULL)
		return plb_err(err, -ENOMEM, "out of memory"), NULL;
	rt->mem_max = (size_t)st->memory_mb << 20;
	rt->slack = LRT_SLACK;
	rt->budget = st->instructions;
	rt->allow = st->allow;
	rt->vars = st->vars;
	rt->L = lua_newstate(lrt_alloc, rt);
	if (rt->L == NULL) {
		free(rt);
		return plb_err(err, -ENOMEM, "cannot create a Lua state (lua.memory_mb %u)",
			       st->memory_mb), NULL;
	}
	lrt_sandbox(rt->L, rt->allow);
	lua_newtable(rt->L);
	lua_setfield(rt->L, LUA_REGISTRYINDEX, HANDLERS_KEY);
	lapi_open(rt->L, rt->vars);
	return rt;
}

/* Read and run script @path in @rt (one transaction). */
static int
lrt_run_file(struct lrt *rt, const char *path, char **err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *name = NULL, *msg = NULL;
	size_t len = 0;
	int rc = -EINVAL;

	if (f == NULL)
		return plb_err(err, -errno, "%s: cannot read: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) == 0 && ftell(f) >= 0) {
		len = (size_t)ftell(f);
		rewind(f);
		buf = malloc(len + 1);
		if (buf && fread(buf, 1, len, f) != len) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	if (buf == NULL)
		return plb_err(err, -EIO, "%s: cannot read", path);
	if (len > 0 && buf[0] == LUA_SIGNATURE[0] && !(rt->allow & PLB_LUA_ALLOW_BYTECODE)) {
		plb_err(err, -EINVAL, "%s: precompiled bytecode refused (lua.allow lacks \"bytecode\")",
			path);
		goto out;
	}
	if (asprintf(&name, "@%s", path) < 0) {
		rc = plb_err(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (luaL_loadbuffer(rt->L, buf, len, name) != 0) {
		msg = strdup(lua_tostring(rt->L, -1) ? lua_tostring(rt->L, -1) : path);
		lua_pop(rt->L, 1);
		plb_err(err, -EINVAL, "%s", msg ? msg : path);
		goto out;
	}
	rc = lrt_call(rt, 0, path, 0, err) ? -EINVAL : 0;
out:
	free(msg);
	free(name);
	free(buf);
	return rc;
}

/* Build a new state from the settings in force and swap it in; see plb_lua_reload. */
static int
lrt_load(char **err)
{
	struct lrt *rt;
	int rc = 0;

	n_loads++;
	if (set.n == 0) {
		lrt_free(cur);
		cur = NULL;
		lrt_set_error(NULL);
		return 0;
	}
	rt = lrt_new(&set, err);
	if (rt == NULL) {
		rc = -ENOMEM;
		goto err_count;
	}
	/* all the scripts are one transaction: all of them apply, or none */
	lpol_begin();
	for (uint32_t i = 0; i < set.n; i++) {
		rc = lrt_run_file(rt, set.scripts[i], err);
		if (rc)
			goto err_abort;
	}
	if ((rc = lpol_commit(err)) != 0)
		goto err_free;
	lrt_free(cur);
	cur = rt;
	time(&loaded_at);
	lrt_set_error(NULL);
	PLB_LOG(INFO, LUA_LOG, "loaded %u script(s), %zu KB, %u timer(s), %u event handler(s)",
		set.n, rt->mem >> 10, rt->n_timers, rt->n_handlers);
	return 0;

err_abort:
	lpol_abort();
err_free:
	lrt_free(rt);
err_count:
	n_load_failures++;
	if (err && *err) {
		PLB_LOG(ERR, LUA_LOG, "load failed: %s (the last good policy stays)", *err);
		lrt_set_error(*err);
	}
	return rc;
}

/* Take the `lua` settings of @conf into @st (its old script list freed). */
static int
lrt_settings(struct lrt_set *st, const struct plb_conf *conf, char **err)
{
	const config_setting_t *s = conf->lua.scripts;
	uint32_t n = s ? (uint32_t)config_setting_length(s) : 0;
	char **v = calloc(n + 1, sizeof(*v));

	if (v == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < n; i++)
		if ((v[i] = strdup(config_setting_get_string_elem(s, (int)i))) == NULL) {
			for (uint32_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return plb_err(err, -ENOMEM, "out of memory");
		}
	for (uint32_t i = 0; i < st->n; i++)
		free(st->scripts[i]);
	free(st->scripts);
	st->scripts = v;
	st->n = n;
	st->memory_mb = conf->lua.memory_mb ? conf->lua.memory_mb : 64;
	st->instructions = conf->lua.instructions ? conf->lua.instructions : 1000000;
	st->allow = conf->lua.allow;
	st->vars = conf->lua.vars;
	return 0;
}

int
plb_lua_start(const struct plb_conf *conf, char **err)
{
	int rc = lrt_settings(&set, conf, err);

	return rc ? rc : lrt_load(err);
}

int
plb_lua_reload(json_t **result, char **err)
{
	int rc = lrt_load(err);

	if (rc == 0 && result)
		*result = plb_lua_status();
	return rc;
}

int
plb_lua_configure(struct plb_conf *conf, char **err)
{
	struct lrt_set old = set;
	char **copy = calloc(set.n + 1, sizeof(*copy));
	int rc;

	if (copy == NULL) {
		plb_conf_free(conf);
		return plb_err(err, -ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < set.n; i++)
		copy[i] = strdup(set.scripts[i]);
	old.scripts = copy;
	rc = lrt_settings(&set, conf, err);
	if (rc) {
		for (uint32_t i = 0; i < set.n; i++)
			free(copy[i]);
		free(copy);
		plb_conf_free(conf);
		return rc;
	}
	rc = lrt_load(err);
	if (rc) {
		for (uint32_t i = 0; i < set.n; i++)
			free(set.scripts[i]);
		free(set.scripts);
		set = old;	/* the old settings, and the conf they point into */
		plb_conf_free(conf);
		return rc;
	}
	for (uint32_t i = 0; i < old.n; i++)
		free(copy[i]);
	free(copy);
	plb_conf_free(old.owned);
	set.owned = conf;
	return 0;
}

int
plb_lua_check(const struct plb_conf *conf, char **err)
{
	struct lrt_set st = { 0 };
	struct lrt *rt = NULL;
	int rc = lrt_settings(&st, conf, err);

	if (rc != 0 || st.n == 0)
		goto out;
	rt = lrt_new(&st, err);
	if (rt == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rt->check = 1;
	if ((rc = lpol_begin_check(conf->services, conf->n_services, err)) != 0)
		goto out;
	for (uint32_t i = 0; i < st.n && rc == 0; i++)
		rc = lrt_run_file(rt, st.scripts[i], err);
	lpol_abort();
out:
	lrt_free(rt);
	for (uint32_t i = 0; i < st.n; i++)
		free(st.scripts[i]);
	free(st.scripts);
	return rc;
}

void
plb_lua_stop(void)
{
	lrt_free(cur);
	cur = NULL;
	for (uint32_t i = 0; i < set.n; i++)
		free(set.scripts[i]);
	free(set.scripts);
	plb_conf_free(set.owned);
	memset(&set, 0, sizeof(set));
	lrt_events_reset();
	lrt_set_error(NULL);
	lpol_abort();
}

/* ---- queries ---- */

struct lrt *
lrt_current(void)
{
	return cur;
}

json_t *
plb_lua_status(void)
{
	static const char *const allow_names[] = { "io", "os", "ffi", "require", "bytecode" };
	json_t *res = json_object(), *scripts = json_array(), *allow = json_array();

	for (uint32_t i = 0; i < set.n; i++)
		json_array_append_new(scripts, json_string(set.scripts[i]));
	for (int i = 0; i < 5; i++)
		if (set.allow & (1u << i))
			json_array_append_new(allow, json_string(allow_names[i]));
	json_object_set_new(res, "running", json_boolean(cur != NULL));
	json_object_set_new(res, "scripts", scripts);
	json_object_set_new(res, "allow", allow);
	json_object_set_new(res, "memory_limit_mb", json_integer(set.memory_mb));
	json_object_set_new(res, "instructions", json_integer(set.instructions));
	json_object_set_new(res, "memory_kb", json_integer(cur ? (json_int_t)(cur->mem >> 10) : 0));
	json_object_set_new(res, "timers", json_integer(cur ? cur->n_timers : 0));
	json_object_set_new(res, "handlers", json_integer(cur ? cur->n_handlers : 0));
	json_object_set_new(res, "loaded_at", json_integer(cur ? (json_int_t)loaded_at : 0));
	json_object_set_new(res, "loads", json_integer((json_int_t)n_loads));
	json_object_set_new(res, "load_failures", json_integer((json_int_t)n_load_failures));
	json_object_set_new(res, "calls", json_integer((json_int_t)n_calls));
	json_object_set_new(res, "call_errors", json_integer((json_int_t)n_call_errors));
	json_object_set_new(res, "last_error", last_error ? json_string(last_error) : json_null());
	return res;
}
