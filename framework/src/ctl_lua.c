/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.ctl: the lua commands (docs/control.md, docs/lua.md): lua.reload
 * loads the configured scripts into a new state and swaps it in, or keeps
 * the running one and says why (file:line); lua.status shows the runtime.
 */
#include <stddef.h>

#include "ctl.h"
#include "lua_runtime.h"

static json_t *
cmd_lua_reload(json_t *req, char **err)
{
	static const char *const args[] = { NULL };
	json_t *res = NULL;

	if (plb_ctl_check_args(req, args, err) || plb_lua_reload(&res, err))
		return NULL;
	return res;
}

static json_t *
cmd_lua_status(json_t *req, char **err)
{
	static const char *const args[] = { NULL };

	if (plb_ctl_check_args(req, args, err))
		return NULL;
	return plb_lua_status();
}

const struct plb_ctl_cmd plb_ctl_lua_cmds[] = {
	{ "lua.reload", cmd_lua_reload },
	{ "lua.status", cmd_lua_status },
	{ NULL, NULL },
};
