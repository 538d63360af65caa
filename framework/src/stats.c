/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.stats: named counters registered by modules in init(), one slot per
 * worker plus one for the control thread, each slot written only by its
 * thread and summed by the control thread. Slots are cache-line aligned so
 * workers never share a line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_per_lcore.h>

#include <plb/log.h>
#include <plb/stats.h>

#include "runtime.h"

/* Slots hold this many counters: room for modules loaded after start-up (a
 * service naming a new scheduler or mode) to register theirs. */
#define SLOT_MIN_COUNTERS 4096u

static char **names;
static uint32_t n_names, cap_names;
static uint32_t slot_cap;		/* counters a slot holds once started */
static uint64_t **slots;		/* [n_workers + 1][n_names], last = control */
static uint32_t n_slots;
static int started;
__thread uint64_t *plb_tls_counters;

int
plb_counter_register(const char *group, const char *name, uint32_t *id)
{
	char *full;

	if (group == NULL || name == NULL || !group[0] || !name[0] || id == NULL)
		return -EINVAL;
	if (started && n_names >= slot_cap)
		return -ENOSPC;
	if (asprintf(&full, "%s.%s", group, name) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < n_names; i++) {
		if (strcmp(names[i], full) == 0) {
			free(full);
			return -EEXIST;
		}
	}
	if (n_names == cap_names) {
		uint32_t ncap = cap_names ? cap_names * 2 : 64;
		char **nn = realloc(names, ncap * sizeof(*nn));

		if (nn == NULL) {
			free(full);
			return -ENOMEM;
		}
		names = nn;
		cap_names = ncap;
	}
	names[n_names] = full;
	*id = n_names++;
	return 0;
}

int
plb_counters_register(const char *group, const char *const *names, uint32_t n, uint32_t *ids,
		      char **err)
{
	for (uint32_t i = 0; i < n; i++) {
		int rc = plb_counter_register(group, names[i], &ids[i]);

		if (rc != 0)
			return plb_err(err, rc, "cannot register counter %s.%s", group, names[i]);
	}
	return 0;
}

int
plb_stats_start(uint32_t n_workers)
{
	size_t bytes;

	slot_cap = RTE_MAX(SLOT_MIN_COUNTERS, 2 * n_names);
	bytes = RTE_ALIGN_CEIL(slot_cap * sizeof(uint64_t), RTE_CACHE_LINE_SIZE);

	n_slots = n_workers + 1;
	slots = calloc(n_slots, sizeof(*slots));
	if (slots == NULL)
		return -ENOMEM;
	for (uint32_t s = 0; s < n_slots; s++) {
		slots[s] = aligned_alloc(RTE_CACHE_LINE_SIZE, bytes);
		if (slots[s] == NULL)
			return -ENOMEM;
		memset(slots[s], 0, bytes);
	}
	started = 1;
	plb_stats_bind(UINT32_MAX);
	return 0;
}

void
plb_stats_bind(uint32_t worker)
{
	if (!started)
		return;
	plb_tls_counters = worker < n_slots - 1 ? slots[worker] : slots[n_slots - 1];
}

uint64_t
plb_counter_read_worker(uint32_t id, uint32_t worker)
{
	if (!started || id >= n_names || worker >= n_slots)
		return 0;
	return ((volatile uint64_t *)slots[worker])[id];
}

uint64_t
plb_counter_read(uint32_t id)
{
	uint64_t sum = 0;

	for (uint32_t s = 0; s < n_slots; s++)
		sum += plb_counter_read_worker(id, s);
	return sum;
}

uint32_t
plb_counter_count(void)
{
	return n_names;
}

const char *
plb_counter_name(uint32_t id)
{
	return id < n_names ? names[id] : NULL;
}

void
plb_stats_reset(void)
{
	for (uint32_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	names = NULL;
	n_names = cap_names = 0;
	for (uint32_t s = 0; s < n_slots; s++)
		free(slots[s]);
	free(slots);
	slots = NULL;
	n_slots = 0;
	started = 0;
	plb_tls_counters = NULL;
}
