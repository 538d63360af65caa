/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.lua internals shared by lua_runtime.c (states, sandbox, limits,
 * timers, events), lua_api.c (the plb.* functions) and lua_policy.c (the
 * transaction that turns API calls into service and ACL changes). Only the
 * control thread runs any of it.
 */
#ifndef PLB_CORE_LUA_INT_H
#define PLB_CORE_LUA_INT_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>
#include <lauxlib.h>

#include <plb/port.h>

#include "acl.h"
#include "config.h"

#define LUA_LOG "core.lua"

/* ---- lua_runtime.c ---- */

#define HANDLERS_KEY "plb.handlers"	/* registry: event name -> array of handlers */

struct lrt_timer {
	uint32_t id;
	int ref;		/* the function, in the registry */
	double due;		/* monotonic seconds */
	double every;		/* 0: once */
	char where[160];	/* "file:line" of the function */
};

/*
 * Headroom above the cap while C code works on the state between calls
 * (pushing an event's table, the message handler): an allocation failure
 * there would be outside any pcall, and LuaJIT would panic (abort).
 */
#define LRT_SLACK	(1u << 20)

/** One policy state. */
struct lrt {
	lua_State *L;
	size_t mem, mem_max;
	size_t slack;		/* LRT_SLACK outside Lua code, 0 inside */
	int mem_hit;
	char mem_where[160];	/* where the cap was hit, "" if unknown */
	uint32_t budget;
	int budget_hit;
	uint32_t allow;
	const void *vars;
	struct lrt_timer *timers;
	uint32_t n_timers;
	uint32_t next_id;
	uint32_t n_handlers;
	int check;		/* plb -t's throw-away state: no counters, no last_error */
};

/** The runtime of @L (the allocator's user data). */
struct lrt *lrt_of(lua_State *L);
/** The state in force, or NULL. */
struct lrt *lrt_current(void);
/** Monotonic seconds. */
double lrt_now(void);
/**
 * Call the function under @nargs arguments on @rt's stack, named @what in
 * messages; see lua_runtime.c. 0, or -1 (logged, or in *err when non-NULL).
 */
int lrt_call(struct lrt *rt, int nargs, const char *what, int own_txn, char **err);

/* ---- lua_events.c ---- */

/**
 * Add a timer calling the function at stack index @fn after @secs, then
 * every @secs when @every. Returns its id (> 0), or raises a Lua error.
 */
uint32_t lrt_timer_add(lua_State *L, int fn, double secs, int every);
/** Cancel timer @id; 1 if it existed. */
int lrt_timer_cancel(lua_State *L, uint32_t id);
/** Add the function at @fn as a handler of event @name (checked by the caller). */
void lrt_on(lua_State *L, const char *name, int fn);
/** Drop the queued events. */
void lrt_events_reset(void);

/* ---- lua_api.c ---- */

/** Create the global table `plb` in @L (plb.config from @vars, a config_setting_t or NULL). */
void lapi_open(lua_State *L, const void *vars);

/* ---- lua_policy.c ---- */

/** A service as the API names it. */
struct lpol_svc {
	uint8_t proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	uint32_t vip;		/* network order */
	uint16_t port;		/* host order */
};

enum lpol_acl_op { LPOL_ACL_ADD, LPOL_ACL_DEL, LPOL_ACL_SET };

/** Start a transaction (one entry into Lua). */
void lpol_begin(void);
/**
 * plb -t: start a transaction over a copy of @specs (the config's services,
 * nothing running); it must be dropped with lpol_abort(). 0 or -ENOMEM.
 */
int lpol_begin_check(const struct plb_conf_svc *specs, uint32_t n, char **err);
/**
 * Apply the transaction, all or nothing: check every ACL edit (prefixes,
 * list sizes), then the services (one plb_svc_replace), then the ACL edits
 * in call order; an edit failing then rolls back what was applied. Queues a
 * dest_down/dest_up event per dest whose down flag changed. 0 or -errno
 * with *err.
 */
int lpol_commit(char **err);
/** Drop the transaction: nothing it asked for happens. */
void lpol_abort(void);
/** 1 while a transaction is open. */
int lpol_active(void);
/** 1 inside plb -t's transaction (lpol_begin_check). */
int lpol_checking(void);

/** The services as the transaction sees them (its own changes included). */
const struct plb_conf_svc *lpol_specs(uint32_t *n);
/** Index of @s in lpol_specs(), or -1. */
int lpol_svc_find(const struct lpol_svc *s);
/** Index of dest @addr:@port (host order) in spec @si, or -1. */
int lpol_dest_find(int si, uint32_t addr, uint16_t port);

/** Set a dest's weight (down or not). 0 or -errno. */
int lpol_set_weight(int si, int di, uint32_t w, char **err);
/** Set or clear a dest's down flag; its weight stays. 0 or -errno. */
int lpol_set_down(int si, int di, int down, char **err);

/** Queue an ACL edit (takes ownership of @p, malloc'ed, @n entries). */
int lpol_acl(enum lpol_acl_op op, const struct plb_acl_scope *sc, enum plb_acl_list l,
	     struct plb_ifaddr4 *p, uint32_t n, char **err);

#endif /* PLB_CORE_LUA_INT_H */
