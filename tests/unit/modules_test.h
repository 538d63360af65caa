/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared group set-up of the unit tests that load the real modules from
 * $PLB_BUILD/modules (default build/modules) into a minimal EAL. Include
 * after cmocka.h, with the core's loader.h and registry.h.
 */
#ifndef PLB_TEST_MODULES_H
#define PLB_TEST_MODULES_H

#include <stdio.h>
#include <stdlib.h>

#include "eal_test.h"

/* [group setup] @dir = the modules folder, then eal_test_init(@name); 0 or -1. */
static inline int
modules_test_init(const char *name, char *dir, size_t len)
{
	const char *build = getenv("PLB_BUILD");

	snprintf(dir, len, "%s/modules", build && *build ? build : "build");
	return eal_test_init(name);
}

/* [group teardown] Unload every module, empty the registries, end the EAL. */
static inline int
modules_test_cleanup(void)
{
	plb_loader_unload_all();
	plb_reg_reset();
	eal_test_cleanup();
	return 0;
}

#endif /* PLB_TEST_MODULES_H */
