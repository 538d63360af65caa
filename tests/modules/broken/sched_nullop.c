/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Broken plugin for tests/modules/test_loader.c: a scheduler whose ops table
 * leaves the required schedule() NULL. The loader must name the op.
 */
#include <stddef.h>
#include <plb/module.h>
#include <plb/sched.h>

static void
nullop_free(void *table)
{
}

static const struct plb_sched_ops nullop_ops = {
	.free = nullop_free,
	.schedule = NULL,
};

PLB_MODULE_REGISTER(SCHED, "nullop", &nullop_ops);
