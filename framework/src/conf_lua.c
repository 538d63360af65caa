/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.config: the `lua` section (docs/lua.md), rows of top_keys:
 *   lua = { scripts = [ "scripts/lua/weights.lua" ]; memory_mb = 64;
 *           instructions = 1000000; allow = [ ];   # "io" "os" "ffi" "require" "bytecode"
 *           config = { blacklist_file = "/etc/plb/deny.txt"; }; };
 * Nothing is copied: the settings point into the parsed file, which lives as
 * long as struct plb_conf (so plb_conf_free has nothing more to free).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <plb/conf.h>

#include "conf_table.h"
#include "config.h"

static const char *const lua_allow_names[] = { "io", "os", "ffi", "require", "bytecode", NULL };

static int
conf_lua_scripts(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	struct plb_conf *conf = base;
	int n = 0, rc;

	conf->lua.scripts = NULL;
	if (s == NULL)
		return 0;
	rc = conf_check_strings(s, "Lua script files", &n, err);
	if (rc != 0)
		return rc;
	conf->lua.scripts = s;
	return 0;
}

static int
conf_lua_allow(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	struct plb_conf *conf = base;
	int n = 0, rc;

	conf->lua.allow = 0;
	if (s == NULL)
		return 0;
	rc = conf_check_strings(s, "what scripts may use beyond the sandbox", &n, err);
	if (rc != 0)
		return rc;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);
		int j;

		for (j = 0; lua_allow_names[j] != NULL; j++)
			if (strcmp(v, lua_allow_names[j]) == 0)
				break;
		if (lua_allow_names[j] == NULL)
			return conf_bad_value(e, "one of \"io\", \"os\", \"ffi\", \"require\", \"bytecode\"",
					      err);
		conf->lua.allow |= 1u << j;	/* PLB_LUA_ALLOW_* follow this order */
	}
	return 0;
}

/* lua.config: a group of scalars, arrays of scalars and groups, given to scripts as plb.config. */
static int
conf_lua_vars(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	struct plb_conf *conf = base;

	conf->lua.vars = NULL;
	if (s == NULL)
		return 0;
	if (!config_setting_is_group(s))
		return conf_bad_type(s, "a group { name = value; ... } (plb.config in scripts)", err);
	conf->lua.vars = s;
	return 0;
}

const struct conf_key plb_conf_lua_keys[] = {
	{ .name = "scripts", .parse = conf_lua_scripts },
	CONF_INT(struct plb_conf, "memory_mb", lua.memory_mb, 1, 65536, 64),
	CONF_INT(struct plb_conf, "instructions", lua.instructions, 1000, 2000000000, 1000000),
	{ .name = "allow", .parse = conf_lua_allow },
	{ .name = "config", .parse = conf_lua_vars },
	{ .name = NULL },
};
