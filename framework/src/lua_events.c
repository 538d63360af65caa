/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.lua: timers (plb.every, plb.after) and events (plb.on: dest_down,
 * dest_up, reload) of the state in force, run by plb_lua_tick() from the
 * control loop. Each timer call and each handler call is one transaction
 * with its own instruction budget. Events are queued (by plb.down/plb.up
 * when their transaction is applied, by C callers, by a services reload)
 * and delivered at the next tick; those queued meanwhile wait for the one
 * after, so handlers that answer each other cannot loop within a tick.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <plb/log.h>

#include "lua_int.h"
#include "lua_runtime.h"

struct lrt_event {
	char name[16];
	char what[16];		/* reload */
	uint8_t proto;
	uint32_t vip, addr;
	uint16_t port, dport;
};

static struct lrt_event *evq;
static uint32_t n_evq;

void
lrt_events_reset(void)
{
	free(evq);
	evq = NULL;
	n_evq = 0;
}

/* ---- timers ---- */

uint32_t
lrt_timer_add(lua_State *L, int fn, double secs, int every)
{
	struct lrt *rt = lrt_of(L);
	struct lrt_timer *t = realloc(rt->timers, (rt->n_timers + 1) * sizeof(*t));
	lua_Debug d;

	if (t == NULL)
		luaL_error(L, "out of memory");
	rt->timers = t;
	t = &t[rt->n_timers];
	memset(t, 0, sizeof(*t));
	lua_pushvalue(L, fn);
	if (lua_getinfo(L, ">S", &d))
		snprintf(t->where, sizeof(t->where), "%s:%d", d.short_src, d.linedefined);
	lua_pushvalue(L, fn);
	t->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	t->id = ++rt->next_id;
	t->due = lrt_now() + secs;
	t->every = every ? secs : 0;
	rt->n_timers++;
	return t->id;
}

static int
lrt_timer_index(struct lrt *rt, uint32_t id)
{
	for (uint32_t i = 0; i < rt->n_timers; i++)
		if (rt->timers[i].id == id)
			return (int)i;
	return -1;
}

int
lrt_timer_cancel(lua_State *L, uint32_t id)
{
	struct lrt *rt = lrt_of(L);
	int i = lrt_timer_index(rt, id);

	if (i < 0)
		return 0;
	luaL_unref(L, LUA_REGISTRYINDEX, rt->timers[i].ref);
	rt->timers[i] = rt->timers[--rt->n_timers];
	return 1;
}

/* Run the timers due now; those added meanwhile wait for the next tick. */
static void
lrt_run_timers(struct lrt *rt)
{
	double now = lrt_now();
	uint32_t n = rt->n_timers, due[64], n_due = 0;

	for (uint32_t i = 0; i < n && n_due < 64; i++)
		if (rt->timers[i].due <= now)
			due[n_due++] = rt->timers[i].id;
	for (uint32_t k = 0; k < n_due && lrt_current() == rt; k++) {
		int i = lrt_timer_index(rt, due[k]);
		struct lrt_timer *t;
		char what[200];
		int ref, once;

		if (i < 0)
			continue;	/* cancelled by an earlier callback */
		t = &rt->timers[i];
		snprintf(what, sizeof(what), "timer %u (%s)", t->id, t->where);
		once = t->every == 0;
		ref = t->ref;
		lua_rawgeti(rt->L, LUA_REGISTRYINDEX, ref);
		if (once)
			rt->timers[i] = rt->timers[--rt->n_timers];
		else
			t->due = now + t->every;
		if (lrt_call(rt, 0, what, 1, NULL) != 0 && !once && (rt->budget_hit || rt->mem_hit)) {
			PLB_LOG(ERR, LUA_LOG, "%s: stopped (it ran out of %s)", what,
				rt->budget_hit ? "instructions" : "memory");
			lrt_timer_cancel(rt->L, due[k]);
		} else if (once) {
			luaL_unref(rt->L, LUA_REGISTRYINDEX, ref);
		}
	}
}

/* ---- events ---- */

void
lrt_on(lua_State *L, const char *name, int fn)
{
	lua_getfield(L, LUA_REGISTRYINDEX, HANDLERS_KEY);
	lua_getfield(L, -1, name);
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, -3, name);
	}
	lua_pushvalue(L, fn);
	lua_rawseti(L, -2, (int)lua_objlen(L, -2) + 1);
	lua_pop(L, 2);
	lrt_of(L)->n_handlers++;
}

static void
lrt_queue(const struct lrt_event *e)
{
	struct lrt_event *q = realloc(evq, (n_evq + 1) * sizeof(*q));

	if (q == NULL) {
		PLB_LOG(ERR, LUA_LOG, "event %s dropped: out of memory", e->name);
		return;
	}
	evq = q;
	evq[n_evq++] = *e;
}

void
plb_lua_dest_event(uint8_t proto, uint32_t vip, uint16_t port, uint32_t daddr, uint16_t dport,
		   int up)
{
	struct lrt_event e = {
		.proto = proto, .vip = vip, .port = port, .addr = daddr, .dport = dport,
	};

	snprintf(e.name, sizeof(e.name), "%s", up ? "dest_up" : "dest_down");
	lrt_queue(&e);
}

void
plb_lua_reload_event(const char *what)
{
	struct lrt_event e = { .name = "reload" };

	snprintf(e.what, sizeof(e.what), "%s", what);
	lrt_queue(&e);
}

/* Push the info table of @e. */
static void
lrt_event_info(lua_State *L, const struct lrt_event *e)
{
	char vip[INET_ADDRSTRLEN], da[INET_ADDRSTRLEN], buf[64];
	const char *proto = e->proto == IPPROTO_UDP ? "udp" : "tcp";

	lua_newtable(L);
	lua_pushstring(L, e->name);
	lua_setfield(L, -2, "event");
	if (strcmp(e->name, "reload") == 0) {
		lua_pushstring(L, e->what);
		lua_setfield(L, -2, "what");
		return;
	}
	inet_ntop(AF_INET, &e->vip, vip, sizeof(vip));
	inet_ntop(AF_INET, &e->addr, da, sizeof(da));
	snprintf(buf, sizeof(buf), "%s:%s:%u", proto, vip, e->port);
	lua_pushstring(L, buf);
	lua_setfield(L, -2, "service");
	snprintf(buf, sizeof(buf), "%s:%u", da, e->dport);
	lua_pushstring(L, buf);
	lua_setfield(L, -2, "dest");
	lua_pushstring(L, proto);
	lua_setfield(L, -2, "proto");
	lua_pushstring(L, vip);
	lua_setfield(L, -2, "vip");
	lua_pushinteger(L, e->port);
	lua_setfield(L, -2, "port");
	lua_pushstring(L, da);
	lua_setfield(L, -2, "addr");
	lua_pushinteger(L, e->dport);
	lua_setfield(L, -2, "dport");
}

/* Call every handler of @e, each its own transaction. */
static void
lrt_dispatch(struct lrt *rt, const struct lrt_event *e)
{
	lua_State *L = rt->L;
	int n;

	lua_getfield(L, LUA_REGISTRYINDEX, HANDLERS_KEY);
	lua_getfield(L, -1, e->name);
	lua_remove(L, -2);
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	n = (int)lua_objlen(L, -1);
	for (int i = 1; i <= n && lrt_current() == rt; i++) {
		char what[200];
		lua_Debug d;

		lua_rawgeti(L, -1, i);
		lua_pushvalue(L, -1);
		snprintf(what, sizeof(what), "%s handler", e->name);
		if (lua_getinfo(L, ">S", &d))
			snprintf(what, sizeof(what), "%s handler (%s:%d)", e->name, d.short_src,
				 d.linedefined);
		lrt_event_info(L, e);
		lrt_call(rt, 1, what, 1, NULL);
	}
	lua_pop(L, 1);
}

void
plb_lua_tick(void)
{
	uint32_t n = n_evq;
	struct lrt_event *q = evq;

	if (n) {
		/* events queued by these handlers wait for the next tick */
		evq = NULL;
		n_evq = 0;
		for (uint32_t i = 0; i < n && lrt_current(); i++)
			lrt_dispatch(lrt_current(), &q[i]);
		free(q);
	}
	if (lrt_current())
		lrt_run_timers(lrt_current());
}
