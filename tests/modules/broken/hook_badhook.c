/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Broken plugin for tests/modules/test_loader.c: a HOOK module whose only
 * registration ("bad_in") has no function. The loader must name the
 * registration and leave every hook chain empty.
 */
#include <stddef.h>
#include <plb/hook.h>
#include <plb/module.h>

static const struct plb_hook_reg badhook_regs[] = {
	{ .name = "bad_in", .point = PLB_HOOK_PRE_ROUTING, .priority = 100, .fn = NULL },
};

static const struct plb_hook_ops badhook_ops = {
	.regs = badhook_regs,
	.n_regs = 1,
};

PLB_MODULE_REGISTER(HOOK, "badhook", &badhook_ops);
