/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Schedulers: pick a destination for a new connection. A scheduler sees the
 * service, its own per-service table and the parsed packet; it needs no
 * DPDK header and knows no forwarding mode. Per-service options are an
 * opaque setting block that the scheduler parses and validates itself.
 */
#ifndef PLB_SCHED_H
#define PLB_SCHED_H

#include <stdint.h>
#include <libconfig.h>
#include <plb/pkt.h>
#include <plb/svc.h>

/** Per-worker, per-service scheduler state handed to schedule(). */
struct plb_sched_state {
	/**
	 * what build() made for this service version: read-only, except a part
	 * build() set aside for one worker, which only that worker writes
	 * (wlc keeps one tree per worker there, indexed by @worker)
	 */
	const void *table;
	uint32_t worker;	/**< the calling worker's id */
	uint32_t reserved0;
	uint64_t scratch[4];	/**< this worker's own mutable words (e.g. an rr cursor); zero at publish */
};

struct plb_sched_ops {
	/**
	 * [ctl] Optional. Build the immutable per-service table (a Maglev
	 * lookup table, a hash ring) for one service version. @opts is the
	 * service's `sched_opts` block or NULL; reject unknown keys. Sets
	 * *table (may stay NULL). 0 or -errno with *err set.
	 */
	int (*build)(const struct plb_svc *svc, const config_setting_t *opts,
		     void **table, char **err);
	/** [ctl] Optional. Free a table from build(), after every worker has left it. */
	void (*free)(void *table);
	/**
	 * [fast] Required. Pick a destination for a new connection, or NULL
	 * when none is available (the core counts it and drops).
	 */
	struct plb_dest *(*schedule)(const struct plb_svc *svc, struct plb_sched_state *st,
				     const struct plb_pkt *pkt);
	/**
	 * [fast] Optional. This worker's live conn counts of @d
	 * (d->stats[st->worker].active / .inactive) just changed: one of its
	 * conns to @d was created, freed, or moved between active and
	 * inactive. Called by the core on the worker that owns the conn, with
	 * the state of the running version that holds @d (@d is svc->dests[d->idx]).
	 * For schedulers that keep a load-ordered structure (wlc).
	 */
	void (*update)(const struct plb_svc *svc, struct plb_sched_state *st,
		       const struct plb_dest *d);
};

#endif /* PLB_SCHED_H */
