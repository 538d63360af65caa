/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wlc: weighted least-connection (IPVS ip_vs_wlc.c), balanced per worker. A
 * dest's overhead is active * 256 + inactive over the calling worker's own
 * conns to it (plb_dest_stats.active / .inactive); the pick is the available
 * dest with the least overhead / weight, compared by cross-multiplication,
 * ties to the lowest index. Each worker keeps a tournament tree over the
 * dests: the root is the pick (O(1)), update() refixes one leaf-to-root path
 * (O(log n)). No options.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <plb/conf.h>
#include <plb/log.h>
#include <plb/module.h>
#include <plb/sched.h>
#include <plb/worker.h>

/* A leaf's key, copied up into the internal nodes it wins. 16 bytes. */
struct wlc_key {
	uint64_t oh;	/* overhead, 0 when w == 0 */
	uint32_t w;	/* weight; 0 = may not win (weight 0, down, or a padding leaf) */
	uint32_t idx;	/* dest index */
};

/*
 * One tree per worker, each on its own cache lines: node 1 is the root,
 * node p has children 2p and 2p + 1, leaf i is node size + i. Read-only
 * header, then the trees.
 */
struct wlc_table {
	uint32_t n;		/* dests */
	uint32_t size;		/* leaves: a power of two >= max(n, 2) */
	uint32_t n_trees;	/* workers */
	uint32_t reserved0;
	struct wlc_key *trees;	/* [n_trees][2 * size] */
} __attribute__((aligned(64)));

/* st->scratch[0]: this worker's tree has been resynchronised for this version */
#define WLC_SYNCED	0

static uint32_t wlc_env_workers;	/* plb_env.n_workers at init */

/*
 * [any] The live key of dest @d (index @idx) for worker @worker. Overhead
 * as IPVS counts it: an active conn weighs 256 inactive ones. WHY 64 bits
 * suffice: a worker has at most 2^28 conns, so a per-worker overhead is
 * below 2^36, and weights are at most 65535: products stay below 2^52.
 * Without per-worker stats (scheduler unit tests) the global counts stand
 * for the worker's: below 2^47 (2^38 conns), products below 2^63.
 */
static inline struct wlc_key
wlc_key_of(const struct plb_dest *d, uint32_t worker, uint32_t idx)
{
	struct wlc_key k = { .oh = 0, .w = 0, .idx = idx };
	uint32_t weight = __atomic_load_n(&d->weight, __ATOMIC_RELAXED);

	if (weight == 0 || (__atomic_load_n(&d->flags, __ATOMIC_RELAXED) & PLB_DEST_F_DOWN))
		return k;
	k.w = weight;
	if (d->stats)
		k.oh = ((uint64_t)d->stats[worker].active << 8) + d->stats[worker].inactive;
	else
		k.oh = (__atomic_load_n(&d->active_conns, __ATOMIC_RELAXED) << 8) +
		       __atomic_load_n(&d->inactive_conns, __ATOMIC_RELAXED);
	return k;
}

static inline int
wlc_key_eq(const struct wlc_key *a, const struct wlc_key *b)
{
	return a->oh == b->oh && a->w == b->w && a->idx == b->idx;
}

/* 1 if @r (a higher index) strictly beats @l: ties go to @l, the lower index. */
static inline int
wlc_beats(const struct wlc_key *r, const struct wlc_key *l)
{
	if (r->w == 0)
		return 0;
	return l->w == 0 || r->oh * (uint64_t)l->w < l->oh * (uint64_t)r->w;
}

static inline struct wlc_key *
wlc_tree(const struct wlc_table *t, uint32_t worker)
{
	return t->trees + (size_t)worker * 2 * t->size;
}

/* [any] Set leaf @i of tree @k to @key and replay its matches up to the root. */
static inline void
wlc_fix(struct wlc_key *k, uint32_t size, uint32_t i, const struct wlc_key *key)
{
	struct wlc_key cur = *key;	/* the winner coming up from below */
	uint32_t p = size + i;

	k[p] = cur;
	for (; p > 1; p >>= 1) {
		const struct wlc_key *sib = &k[p ^ 1];
		struct wlc_key *up = &k[p >> 1];
		/* the sibling wins ties when it is the left child (the lower indexes) */
		int sib_wins = (p & 1) ? !wlc_beats(&cur, sib) : wlc_beats(sib, &cur);

		if (sib_wins)
			cur = *sib;
		if (wlc_key_eq(up, &cur))
			break;	/* this match has the same winner: nothing above changes */
		*up = cur;
	}
}

/* [any] Fill tree @k of worker @worker from the live keys of @svc's dests. */
static void
wlc_fill(const struct plb_svc *svc, const struct wlc_table *t, struct wlc_key *k, uint32_t worker)
{
	for (uint32_t i = 0; i < t->size; i++)
		k[t->size + i] = i < t->n ? wlc_key_of(svc->dests[i], worker, i)
					  : (struct wlc_key){ .oh = 0, .w = 0, .idx = i };
	for (uint32_t p = t->size - 1; p >= 1; p--)
		k[p] = wlc_beats(&k[2 * p + 1], &k[2 * p]) ? k[2 * p + 1] : k[2 * p];
}

/*
 * [ctl] Record the worker count: plb_worker_count() is still 0 when the core
 * publishes the first version. No keys of its own.
 */
static int
wlc_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { NULL };

	wlc_env_workers = env->n_workers;
	return plb_conf_check_keys(conf, keys, err);
}

/* [ctl] One tree per worker, filled from the current per-worker counts. No options. */
static int
wlc_build(const struct plb_svc *svc, const config_setting_t *opts, void **table, char **err)
{
	static const char *const keys[] = { NULL };
	uint32_t nt = plb_worker_count(), size = 2;
	struct wlc_table *t;
	size_t tree_bytes;
	int rc;

	*table = NULL;
	rc = plb_conf_check_keys(opts, keys, err);
	if (rc)
		return rc;
	if (nt < wlc_env_workers)
		nt = wlc_env_workers;
	if (nt == 0)
		nt = 1;
	while (size < svc->n_dests)
		size <<= 1;
	tree_bytes = (size_t)2 * size * sizeof(struct wlc_key);	/* >= 64, a multiple of 64 */
	t = aligned_alloc(64, sizeof(*t) + nt * tree_bytes);
	if (t == NULL)
		return plb_err(err, -ENOMEM, "wlc: out of memory for %u trees of %u dests", nt,
			       svc->n_dests);
	memset(t, 0, sizeof(*t));
	t->n = svc->n_dests;
	t->size = size;
	t->n_trees = nt;
	t->trees = (struct wlc_key *)(t + 1);
	for (uint32_t w = 0; w < nt; w++)
		wlc_fill(svc, t, wlc_tree(t, w), w);
	*table = t;
	return 0;
}

static void
wlc_free(void *table)
{
	free(table);
}

/* [fast] The scan (IPVS style) over the live keys: the fallback when the root is full. */
static struct plb_dest *
wlc_scan(const struct plb_svc *svc, uint32_t worker)
{
	struct plb_dest *least = NULL;
	struct wlc_key lk = { 0 };

	for (uint32_t i = 0; i < svc->n_dests; i++) {
		struct plb_dest *d = svc->dests[i];
		struct wlc_key k;

		if (!plb_dest_available(d))
			continue;
		k = wlc_key_of(d, worker, i);
		if (k.w && (least == NULL || wlc_beats(&k, &lk))) {
			least = d;
			lk = k;
		}
	}
	return least;
}

/*
 * [fast] The root of this worker's tree, after checking its key against the
 * live counts (a leaf whose counts grew, or whose dest went down or to
 * weight 0, without an update() is refixed and the match replayed). A root
 * at its upper threshold (a global count) sends this call to the scan.
 */
static struct plb_dest *
wlc_schedule(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_pkt *pkt)
{
	const struct wlc_table *t = st->table;
	struct wlc_key *k, live;
	struct plb_dest *d;

	if (t == NULL || st->worker >= t->n_trees || t->n != svc->n_dests)
		return wlc_scan(svc, st->worker);
	/* WHY write through a read-only table: build() made one tree per worker, on its
	 * own cache lines, and only this worker writes this one */
	k = wlc_tree(t, st->worker);
	if (st->scratch[WLC_SYNCED] == 0) {
		/* first pick in this version: take in the moves made since build() */
		wlc_fill(svc, t, k, st->worker);
		st->scratch[WLC_SYNCED] = 1;
	}
	for (uint32_t tries = 0; tries <= t->n; tries++) {
		if (k[1].idx >= t->n)
			return NULL;	/* no dests */
		d = svc->dests[k[1].idx];
		live = wlc_key_of(d, st->worker, k[1].idx);
		if (!wlc_key_eq(&live, &k[1])) {
			wlc_fix(k, t->size, k[1].idx, &live);
			continue;
		}
		if (live.w == 0)
			return NULL;	/* the best has weight 0 or is down: so are all */
		if (plb_dest_available(d))
			return d;
		break;
	}
	return wlc_scan(svc, st->worker);	/* NULL: none available, the core counts and drops */
}

/* [fast] This worker's counts of @d changed: refix its leaf from the live counts. */
static void
wlc_update(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_dest *d)
{
	const struct wlc_table *t = st->table;
	uint32_t i = __atomic_load_n(&d->idx, __ATOMIC_RELAXED);
	struct wlc_key key;

	/* before the first pick of this version the resync reads every count anyway */
	if (t == NULL || st->scratch[WLC_SYNCED] == 0 || st->worker >= t->n_trees ||
	    i >= t->n || i >= svc->n_dests || svc->dests[i] != d)
		return;
	key = wlc_key_of(d, st->worker, i);
	wlc_fix(wlc_tree(t, st->worker), t->size, i, &key);
}

static const struct plb_sched_ops wlc_ops = {
	.build = wlc_build,
	.free = wlc_free,
	.schedule = wlc_schedule,
	.update = wlc_update,
};

PLB_MODULE_REGISTER(SCHED, "wlc", &wlc_ops,
	.version = "1.0", .description = "weighted least-connection (IPVS wlc), per worker",
	.init = wlc_init);
