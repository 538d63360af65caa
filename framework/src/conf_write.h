/* SPDX-License-Identifier: BSD-3-Clause */
/* core.config: libconfig text from settings (for save and for options kept as text). */
#ifndef PLB_CORE_CONF_WRITE_H
#define PLB_CORE_CONF_WRITE_H

#include <stdio.h>
#include <libconfig.h>

/** The value of @s as libconfig text ("{ a = 1; b = \"x\"; }"); malloc'ed, NULL on ENOMEM. */
char *plb_conf_setting_text(const config_setting_t *s);

/** Write @s to @f as a quoted libconfig string. */
void plb_conf_write_string(FILE *f, const char *s);

#endif /* PLB_CORE_CONF_WRITE_H */
