/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.loader: dlopen()s modules and checks them as DESIGN §2 says, then
 * registers their ops and calls init(). Every failure closes the module,
 * sets one message naming the file and the reason, and returns -errno;
 * the caller stops start-up.
 */
#ifndef PLB_CORE_LOADER_H
#define PLB_CORE_LOADER_H

#include <libconfig.h>
#include <plb/module.h>

/**
 * [ctl] Load module @stem ("sched_wlc") from directory @dir (file
 * "<dir>/<stem>.so"), check it, register its ops and call its init() with
 * @conf. Returns 0, or -errno with *err set to "<path>: <reason>".
 */
int plb_loader_load(const char *dir, const char *stem, const struct plb_env *env,
		    const config_setting_t *conf, char **err);

/** [ctl] The loaded module called @stem, or NULL. */
const struct plb_module *plb_loader_find(const char *stem);

/** [ctl] Loaded modules in load order: call @fn for each. */
void plb_loader_foreach(void (*fn)(const struct plb_module *m, const char *path, void *arg),
			void *arg);

/** [ctl] Call fini() of every module in reverse load order, then dlclose them all. */
void plb_loader_unload_all(void);

/** The file-name prefix of a kind ("sched"), or NULL for an unknown kind. */
const char *plb_loader_kind_prefix(enum plb_module_kind kind);

#endif /* PLB_CORE_LOADER_H */
