/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test plugin for tests/modules/test_loader.c: three PRE_ROUTING hooks
 * registered out of order (priorities 200, 50, 100) and one LOCAL_IN hook.
 * Each hook appends its digit (1..4, its index + 1) to pkt->hash, so a
 * test sees the run order; init()/fini() log "hook.order: init|fini".
 */
#include <stddef.h>
#include <plb/hook.h>
#include <plb/log.h>
#include <plb/module.h>

static enum plb_verdict
order_mark(void *priv, struct plb_pkt *pkt)
{
	pkt->hash = pkt->hash * 10 + (uint32_t)(uintptr_t)priv;
	return PLB_ACCEPT;
}

static int
order_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	PLB_LOG(INFO, "hook.order", "init");
	return 0;
}

static void
order_fini(void)
{
	PLB_LOG(INFO, "hook.order", "fini");
}

static const struct plb_hook_reg order_regs[] = {
	{ .name = "pre_200", .point = PLB_HOOK_PRE_ROUTING, .priority = 200,
	  .fn = order_mark, .priv = (void *)1 },
	{ .name = "pre_50", .point = PLB_HOOK_PRE_ROUTING, .priority = 50,
	  .fn = order_mark, .priv = (void *)2 },
	{ .name = "pre_100", .point = PLB_HOOK_PRE_ROUTING, .priority = 100,
	  .fn = order_mark, .priv = (void *)3 },
	{ .name = "in_100", .point = PLB_HOOK_LOCAL_IN, .priority = 100,
	  .fn = order_mark, .priv = (void *)4 },
};

static const struct plb_hook_ops order_ops = {
	.regs = order_regs,
	.n_regs = sizeof(order_regs) / sizeof(order_regs[0]),
};

PLB_MODULE_REGISTER(HOOK, "order", &order_ops,
	.version = "1.0", .description = "hook ordering (test plugin)",
	.init = order_init, .fini = order_fini);
