/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Broken plugin for tests/modules/test_loader.c: a descriptor with no ops
 * table at all. The loader must say so instead of dereferencing it.
 */
#include <stddef.h>
#include <plb/module.h>

PLB_MODULE_REGISTER(SCHED, "noops", NULL);
