/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Broken plugin for tests/modules/test_loader.c: a shared object that exports
 * no plb_module_descriptor at all (only a hidden function). The loader must
 * say "no plb_module_descriptor symbol: not a plb module".
 */
#include <plb/module.h>

int nodesc_unused(void);

int
nodesc_unused(void)
{
	return 42;
}
