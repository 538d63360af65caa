/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging for the core and modules. One line per call on stderr:
 *   "plb: ERR core.loader: <message>". The log type is the source path
 * ("sched.wlc" for modules/sched/wlc.c). On the fast path use
 * PLB_LOG_RATELIMIT, never plain plb_log().
 */
#ifndef PLB_LOG_H
#define PLB_LOG_H

#include <stdint.h>

enum plb_log_level {
	PLB_LOG_ERR = 3,
	PLB_LOG_WARNING = 4,
	PLB_LOG_NOTICE = 5,
	PLB_LOG_INFO = 6,
	PLB_LOG_DEBUG = 7,
};

/** [any] Write one log line if @level is enabled. */
void plb_log(enum plb_log_level level, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * [any] Rate limiter: returns 1 if a message may be written now (at most
 * @burst per second per limiter). @state is caller-owned, zero-initialised,
 * and must not be shared between threads.
 */
struct plb_ratelimit {
	uint64_t window_start;
	uint32_t count;
	uint32_t suppressed;
};
int plb_ratelimit_ok(struct plb_ratelimit *rl, uint32_t burst);

#define PLB_LOG(level, type, ...) plb_log(PLB_LOG_##level, (type), __VA_ARGS__)

/** [fast] Log at most 10 lines a second from this call site, per thread. */
#define PLB_LOG_RATELIMIT(level, type, ...)				\
	do {								\
		static __thread struct plb_ratelimit plb_rl_;		\
		if (plb_ratelimit_ok(&plb_rl_, 10))			\
			plb_log(PLB_LOG_##level, (type), __VA_ARGS__);	\
	} while (0)

/**
 * [ctl] Set *err to a malloc'ed printf-style message (unless err is NULL)
 * and return @code: `return plb_err(err, -EINVAL, "weight %d out of range", w);`
 */
int plb_err(char **err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* PLB_LOG_H */
