/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Broken plugin for tests/modules/test_loader.c: the descriptor claims a
 * size of 8 bytes, smaller than any descriptor plb can read. The loader
 * must name the size it accepts.
 */
#include <stddef.h>
#include <plb/module.h>
#include <plb/sched.h>

static struct plb_dest *
badsize_schedule(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_pkt *pkt)
{
	return NULL;
}

static const struct plb_sched_ops badsize_ops = {
	.schedule = badsize_schedule,
};

/* by hand: overriding .size through PLB_MODULE_REGISTER trips -Woverride-init */
__attribute__((visibility("default")))
extern const struct plb_module plb_module_descriptor;
__attribute__((visibility("default")))
const struct plb_module plb_module_descriptor = {
	.abi = PLB_MODULE_ABI,
	.size = 8,
	.kind = PLB_MODULE_SCHED,
	.name = "badsize",
	.ops = &badsize_ops,
};
