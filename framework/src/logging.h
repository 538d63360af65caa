/* SPDX-License-Identifier: BSD-3-Clause */
/* core.log: control of the SDK's logger (level, and a sink tests can capture). */
#ifndef PLB_CORE_LOGGING_H
#define PLB_CORE_LOGGING_H

#include <plb/log.h>

/** Lines above @level are not written. Default PLB_LOG_INFO. */
void plb_log_set_level(enum plb_log_level level);

/** Parse "err", "warning", "notice", "info", "debug"; -EINVAL otherwise. */
int plb_log_level_parse(const char *s, enum plb_log_level *out);

/**
 * Send every line to @sink instead of stderr (NULL restores stderr).
 * @line is the whole formatted line without the trailing newline.
 */
typedef void (*plb_log_sink_fn)(enum plb_log_level level, const char *type, const char *line);
void plb_log_set_sink(plb_log_sink_fn sink);

#endif /* PLB_CORE_LOGGING_H */
