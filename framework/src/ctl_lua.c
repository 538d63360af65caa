/* SPDX-License-Identifier: BSD-3-Clause */
/* core.ctl: the lua commands (being written: see docs/control.md). */
#include <stddef.h>

#include "ctl.h"

const struct plb_ctl_cmd plb_ctl_lua_cmds[] = {
	{ NULL, NULL },
};
