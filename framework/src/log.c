/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.log: the SDK logger. One line per call, "plb: LEVEL type: message",
 * on stderr or on a sink set by tests; a per-call-site rate limiter for the
 * fast path; plb_err() for the (code, message) error convention.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "logging.h"

static enum plb_log_level log_level = PLB_LOG_INFO;
static plb_log_sink_fn log_sink;

static const char *const level_names[] = {
	[PLB_LOG_ERR] = "err", [PLB_LOG_WARNING] = "warning", [PLB_LOG_NOTICE] = "notice",
	[PLB_LOG_INFO] = "info", [PLB_LOG_DEBUG] = "debug",
};

void
plb_log_set_level(enum plb_log_level level)
{
	log_level = level;
}

int
plb_log_level_parse(const char *s, enum plb_log_level *out)
{
	for (int l = PLB_LOG_ERR; l <= PLB_LOG_DEBUG; l++) {
		if (strcasecmp(s, level_names[l]) == 0) {
			*out = (enum plb_log_level)l;
			return 0;
		}
	}
	return -EINVAL;
}

void
plb_log_set_sink(plb_log_sink_fn sink)
{
	log_sink = sink;
}

void
plb_log(enum plb_log_level level, const char *type, const char *fmt, ...)
{
	char msg[1024], line[1200];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "plb: %s %s: %s",
		 level >= PLB_LOG_ERR && level <= PLB_LOG_DEBUG ? level_names[level] : "?",
		 type, msg);
	if (log_sink) {
		log_sink(level, type, line);
		return;
	}
	/* one write per line so lines from several threads do not interleave */
	size_t n = strlen(line);
	line[n] = '\n';
	fwrite(line, 1, n + 1, stderr);
	fflush(stderr);
}

int
plb_ratelimit_ok(struct plb_ratelimit *rl, uint32_t burst)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec;
	if (now != rl->window_start) {
		rl->window_start = now;
		rl->count = 0;
	}
	if (rl->count < burst) {
		rl->count++;
		return 1;
	}
	rl->suppressed++;
	return 0;
}

int
plb_err(char **err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	free(*err);
	*err = NULL;
	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return code;
}
