/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Broken plugin for tests/modules/test_loader.c: a descriptor built for an
 * ABI that is not this SDK's (PLB_MODULE_ABI + 41), written by hand instead
 * of with PLB_MODULE_REGISTER. The loader must reject it before reading ops.
 */
#include <stddef.h>
#include <plb/module.h>
#include <plb/sched.h>

static struct plb_dest *
badabi_schedule(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_pkt *pkt)
{
	return NULL;
}

static const struct plb_sched_ops badabi_ops = {
	.schedule = badabi_schedule,
};

__attribute__((visibility("default")))
extern const struct plb_module plb_module_descriptor;
__attribute__((visibility("default")))
const struct plb_module plb_module_descriptor = {
	.abi = PLB_MODULE_ABI + 41,
	.size = sizeof(struct plb_module),
	.kind = PLB_MODULE_SCHED,
	.name = "badabi",
	.ops = &badabi_ops,
};
