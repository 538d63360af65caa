/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.lua: the LuaJIT policy runtime (docs/lua.md). One sandboxed
 * lua_State on the control thread runs the scripts of the `lua` section;
 * what they ask for (weights, down/up, deny/allow lists) is applied through
 * plb_svc_replace() and plb_acl_*(), never on the packet path. Every entry
 * into Lua (loading, a timer, an event) is one transaction: its changes are
 * applied when it returns, and dropped when it fails, so a broken script
 * leaves the last good policy in force. All functions are [ctl].
 */
#ifndef PLB_CORE_LUA_RUNTIME_H
#define PLB_CORE_LUA_RUNTIME_H

#include <stdint.h>
#include <jansson.h>

#include "config.h"

/**
 * Take the `lua` settings of @conf (kept by pointer: @conf must outlive the
 * runtime, or be replaced by plb_lua_configure) and load the scripts.
 * No scripts: 0, nothing runs. 0 or -errno with *err "FILE:LINE: ...".
 */
int plb_lua_start(const struct plb_conf *conf, char **err);

/**
 * Load the scripts again into a new state; when every script loaded, apply
 * what they did and drop the old state (its timers and handlers); else keep
 * the old state and policy and say why. @result (may be NULL) gets a status.
 */
int plb_lua_reload(json_t **result, char **err);

/**
 * SIGHUP: take the `lua` settings of @conf (ownership passes to the runtime,
 * which frees it when replaced) and reload; on failure @conf is freed and the
 * old settings, state and policy stay. Then fires the "reload" event.
 */
int plb_lua_configure(struct plb_conf *conf, char **err);

/** Run due timers and queued events (from the control loop; timers resolve to its period). */
void plb_lua_tick(void);

/** Queue a "dest_down"/"dest_up" event (a health checker's or an operator's); run at the next tick. */
void plb_lua_dest_event(uint8_t proto, uint32_t vip, uint16_t port, uint32_t daddr,
			uint16_t dport, int up);

/** Queue a "reload" event ("config": the services were reloaded). */
void plb_lua_reload_event(const char *what);

/** What `plbctl lua status` shows. */
json_t *plb_lua_status(void);

/**
 * plb -t: run the top level of @conf's scripts in a throw-away state (same
 * sandbox and limits) over a copy of @conf's services; nothing is applied,
 * no timer or handler ever runs, the runtime in force (if any) is not
 * touched. No scripts: 0. 0 or -errno with *err "FILE:LINE: ..." (syntax
 * error, runtime error, budget or memory cap, unreadable file).
 */
int plb_lua_check(const struct plb_conf *conf, char **err);

/** Close the state, cancel timers; the policy in force stays. */
void plb_lua_stop(void);

#endif /* PLB_CORE_LUA_RUNTIME_H */
