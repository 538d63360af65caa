/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters. A module registers its named counters in init() (every drop
 * reason gets one) and bumps them on the fast path; each worker writes only
 * its own slot, the control thread sums them for plbctl and Prometheus.
 */
#ifndef PLB_STATS_H
#define PLB_STATS_H

#include <stddef.h>
#include <stdint.h>

/**
 * [ctl, init] Register counter @group.@name (e.g. "ipv4", "drop_bad_csum")
 * and store its id in *id. Returns 0, -EEXIST if the pair exists, -EINVAL
 * for an empty name, -ENOSPC when a module loaded after start-up finds the
 * counter slots full, -ENOMEM.
 */
int plb_counter_register(const char *group, const char *name, uint32_t *id);

/**
 * [ctl, init] Register @n counters @group.@names[i] into @ids[i]: what a
 * module's init does with its table of counter names. 0, or the first
 * error of plb_counter_register() with *err "cannot register counter G.N".
 */
int plb_counters_register(const char *group, const char *const *names, uint32_t n,
			  uint32_t *ids, char **err);

/**
 * Core-owned: the calling thread's counter slot, NULL before start-up and on
 * threads that are not plb's. WHY a thread-local the modules read inline
 * (initial-exec: the plb binary defines it, so it is in the static TLS
 * block): a counter bump is three instructions instead of a call.
 */
extern __thread uint64_t *plb_tls_counters __attribute__((tls_model("initial-exec")));

/** [fast] Add @n to counter @id in the calling worker's slot. */
static inline void
plb_counter_add(uint32_t id, uint64_t n)
{
	uint64_t *s = plb_tls_counters;

	if (__builtin_expect(s != NULL, 1))
		s[id] += n;
}

/** [ctl] The sum of counter @id over all workers (and the control thread). */
uint64_t plb_counter_read(uint32_t id);

static inline void
plb_counter_inc(uint32_t id)
{
	plb_counter_add(id, 1);
}

#endif /* PLB_STATS_H */
