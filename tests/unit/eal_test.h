/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared helper of the unit tests that need DPDK (rte_hash, rte_malloc,
 * TSC): a minimal EAL on lcore 0, no hugepages, no PCI, no shared config,
 * with a file prefix unique to the test and its process. Include after
 * cmocka.h.
 */
#ifndef PLB_TEST_EAL_H
#define PLB_TEST_EAL_H

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

/* [group setup] rte_eal_init() for test @name; 0 or -1 (cmocka fails the group). */
static inline int
eal_test_init(const char *name)
{
	char prefix[64];
	char *argv[] = {
		(char *)name, "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--no-telemetry",
		"--log-level=*:error", "--lcores=0", prefix, NULL,
	};

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s_%d", name, (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		print_error("rte_eal_init: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/* [group teardown] rte_eal_cleanup() and remove the (empty) runtime folder EAL made. */
static inline void
eal_test_cleanup(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (dir[0] != '\0')
		rmdir(dir);
}

#endif /* PLB_TEST_EAL_H */
