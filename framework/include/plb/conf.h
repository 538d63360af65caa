/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers for modules that read their own setting block: strict key checks
 * and messages that carry file and line, in the core's format.
 */
#ifndef PLB_CONF_H
#define PLB_CONF_H

#include <libconfig.h>

/**
 * [ctl] Check that every member of group @s is named in @allowed
 * (NULL-terminated). Returns 0, or -EINVAL with *err naming file:line
 * and the unknown key.
 */
int plb_conf_check_keys(const config_setting_t *s, const char *const *allowed, char **err);

/**
 * [ctl] Set *err to "FILE:LINE: PATH: <message>" for setting @s and return
 * @code (a -errno).
 */
int plb_conf_err(const config_setting_t *s, char **err, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* PLB_CONF_H */
