/* SPDX-License-Identifier: BSD-3-Clause */
/* core.ctl: the acl commands (being written: see docs/control.md). */
#include <stddef.h>

#include "ctl.h"

const struct plb_ctl_cmd plb_ctl_acl_cmds[] = {
	{ NULL, NULL },
};
