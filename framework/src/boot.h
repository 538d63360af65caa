/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.boot: the start-up and shut-down sequence shared by the plb daemon
 * and the benchmark (bench/): EAL, ports, modules, routes, conns, services,
 * counters, workers, control socket; and its exact reverse.
 */
#ifndef PLB_CORE_BOOT_H
#define PLB_CORE_BOOT_H

#include <plb/module.h>

#include "config.h"

struct plb_boot_opts {
	int cli_argc;			/**< EAL options from the command line (after --) */
	char **cli_argv;
	int no_ctl;			/**< 1: no control socket (benchmark) */
	/** called after EAL init, before ports: e.g. create ring ethdevs the config names */
	int (*before_ports)(void *arg, char **err);
	void *arg;
};

/**
 * [ctl] Bring plb up as @conf says and launch the workers. 0, or -errno
 * with *err set; on failure everything done so far is undone.
 */
int plb_boot(const struct plb_conf *conf, const struct plb_boot_opts *o, char **err);

/** [ctl] Stop workers and undo plb_boot(), in reverse order. */
void plb_shutdown(void);

/**
 * [ctl] plb -t: load every module (check mode) and check the services;
 * 0 when the configuration is valid.
 */
int plb_check(const struct plb_conf *conf, char **err);

#endif /* PLB_CORE_BOOT_H */
