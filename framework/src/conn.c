/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.conn: per-worker connection tables. Each worker owns a preallocated
 * array of conns with a free stack, an index (conn_hash.h) from a direction's 5-tuple
 * to (conn index, direction) (two keys per conn: client side and, unless
 * the mode sees no replies, server side), and a timer wheel. Refreshing a
 * conn only moves its expiry tick; the wheel re-files it lazily when its
 * old slot comes round, so a packet never touches a list and expiry work is
 * proportional to the conns whose slot is due. Nothing here locks: only the
 * owning worker calls in. Dest counts: global atomics plus the worker's own
 * plb_dest_stats entry, whose changes go to the scheduler's update().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_cycles.h>
#include <rte_errno.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_per_lcore.h>
#include <rte_prefetch.h>

#include <plb/conn.h>
#include <plb/fwd.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/sched.h>
#include <plb/worker.h>

#include "conn.h"
#include "conn_hash.h"

#define WHEEL_SLOTS	4096u			/* power of two */
#define NIL		UINT32_MAX
#define PENDING		WHEEL_SLOTS		/* the slot being walked, detached */
#define HEAD		0x80000000u		/* wheel_prev of a list head: HEAD | slot */
#define EXPIRE_BUDGET	256			/* conns looked at per plb_conns_expire() */

struct conn_table {
	struct ch_table h;		/* conn_hash.h: tuple -> conn index << 1 | dir */
	struct plb_conn *conns;		/* [cap] */
	uint32_t *free_stack;		/* [cap] */
	uint32_t n_free;
	uint32_t cap;
	uint32_t count;
	uint32_t worker;
	uint32_t wheel[WHEEL_SLOTS + 1];	/* list heads, NIL = empty; [WHEEL_SLOTS] = pending */
	uint64_t tick;			/* next tick to process */
	uint64_t cycles_per_tick;
	uint32_t tick_ms;
	uint64_t expired;
} __rte_cache_aligned;

static struct conn_table *tables;
static uint32_t n_tables;
static RTE_DEFINE_PER_LCORE(struct conn_table *, my_table);

#define CONN_PREFETCH_MAX	32	/* packets whose buckets are in flight at once (a bit each) */
_Static_assert(CONN_PREFETCH_MAX <= 32, "plb_conns_prefetch keeps a 32-bit mask");
#define CONN_PREFETCH_MIN_CONNS	4096	/* fewer conns: no prefetch (docs/performance.md) */

static inline uint64_t
now_tick(const struct conn_table *t)
{
	return rte_get_tsc_cycles() / t->cycles_per_tick;
}

static inline struct ch_key
key_in(const struct plb_conn *c)
{
	return ch_key4(c->caddr.v4, c->vaddr.v4, c->cport, c->vport, c->proto);
}

static inline struct ch_key
key_out(const struct plb_conn *c)
{
	return ch_key4(c->daddr.v4, c->laddr.v4, c->dport, c->lport, c->proto);
}

/* ch_match_fn: does the conn of @ent have key @k in @ent's direction? */
static int
key_match(void *ctx, uint32_t ent, const struct ch_key *k)
{
	const struct plb_conn *c = &((struct conn_table *)ctx)->conns[ent >> 1];
	struct ch_key ck = (ent & 1) == PLB_DIR_IN ? key_in(c) : key_out(c);

	return ck.w0 == k->w0 && ck.w1 == k->w1;
}

/* ---- timer wheel: lists of conn indexes ---- */

static void
wheel_link_slot(struct conn_table *t, uint32_t idx, uint32_t slot)
{
	struct plb_conn *c = &t->conns[idx];

	c->wheel_prev = HEAD | slot;
	c->wheel_next = t->wheel[slot];
	if (c->wheel_next != NIL)
		t->conns[c->wheel_next].wheel_prev = idx;
	t->wheel[slot] = idx;
}

static void
wheel_link(struct conn_table *t, uint32_t idx)
{
	struct plb_conn *c = &t->conns[idx];

	/* never file behind the wheel: a slot already passed would wait a whole turn */
	if (c->expire < t->tick)
		c->expire = t->tick;
	wheel_link_slot(t, idx, (uint32_t)(c->expire & (WHEEL_SLOTS - 1)));
}

static void
wheel_unlink(struct conn_table *t, uint32_t idx)
{
	struct plb_conn *c = &t->conns[idx];

	if (c->wheel_prev & HEAD)
		t->wheel[c->wheel_prev & ~HEAD] = c->wheel_next;
	else
		t->conns[c->wheel_prev].wheel_next = c->wheel_next;
	if (c->wheel_next != NIL)
		t->conns[c->wheel_next].wheel_prev = c->wheel_prev;
}

static inline uint64_t
secs_to_ticks(const struct conn_table *t, uint32_t secs)
{
	return ((uint64_t)secs * 1000 + t->tick_ms - 1) / t->tick_ms;
}

/* ---- SDK ---- */

struct plb_conn *
plb_conn_lookup(const struct plb_pkt *pkt, int *dir)
{
	struct conn_table *t = RTE_PER_LCORE(my_table);
	struct ch_key k;
	uint32_t ent;

	if (unlikely(t == NULL || pkt->af != AF_INET))
		return NULL;
	k = ch_key4(pkt->saddr.v4, pkt->daddr.v4, pkt->sport, pkt->dport, pkt->l4_proto);
	ent = ch_lookup(&t->h, &k, ch_hash(&k), key_match, t);
	if (ent == UINT32_MAX)
		return NULL;
	*dir = (int)(ent & 1);
	return &t->conns[ent >> 1];
}

void
plb_conns_prefetch(struct rte_mbuf *const *m, uint32_t n)
{
	struct conn_table *t = RTE_PER_LCORE(my_table);
	uint32_t h[CONN_PREFETCH_MAX];

	/* WHY the floor: a few thousand conns stay in the caches; fetching ahead only costs then */
	if (unlikely(t == NULL) || t->count < CONN_PREFETCH_MIN_CONNS)
		return;
	while (n) {
		uint32_t k = RTE_MIN(n, (uint32_t)CONN_PREFETCH_MAX), todo = 0;

		/* first the buckets of every packet, then what each one points at */
		for (uint32_t i = 0; i < k; i++) {
			const struct plb_pkt *pkt = plb_pkt_of(m[i]);
			struct ch_key key;

			if (!(pkt->flags & PLB_PKT_F_L4) || pkt->af != AF_INET)
				continue;
			key = ch_key4(pkt->saddr.v4, pkt->daddr.v4, pkt->sport, pkt->dport,
				      pkt->l4_proto);
			h[i] = ch_hash(&key);
			todo |= 1u << i;
			rte_prefetch0(&t->h.b[h[i] & t->h.mask]);
		}
		for (uint32_t i = 0; i < k; i++) {
			const struct ch_bucket *b;
			uint32_t hits;

			if (!(todo & (1u << i)))
				continue;
			b = &t->h.b[h[i] & t->h.mask];
			hits = ch_sig_hits(b, ch_sig(h[i]));
			if (hits) {
				const char *c = (const char *)&t->conns[b->ent[__builtin_ctz(hits) >> 1] >> 1];

				rte_prefetch0(c);	/* a conn spans two lines */
				rte_prefetch0(c + sizeof(struct plb_conn) - 1);
			}
		}
		m += k;
		n -= k;
	}
}

/*
 * [fast] Worker @t's counts of @d just moved: tell the scheduler of the
 * running version that holds @d, if it keeps a load-ordered structure.
 * WHY @d->svc is safe to follow: the core points it at a version before
 * publishing that version (or at NULL before retiring it) and frees a
 * version only after a grace period, and conns are only counted on their
 * worker, between two quiescent states. @d->idx may already be the next
 * version's: then the running one does not hold @d there and is not told.
 */
static inline void
count_notify(const struct conn_table *t, const struct plb_dest *d)
{
	const struct plb_svc *svc = __atomic_load_n(&d->svc, __ATOMIC_ACQUIRE);
	uint32_t i;

	if (svc == NULL || svc->sched->update == NULL)
		return;
	i = __atomic_load_n(&d->idx, __ATOMIC_RELAXED);
	if (i < svc->n_dests && svc->dests[i] == d)
		svc->sched->update(svc, &svc->sched_state[t->worker], d);
}

/*
 * [fast] Set worker @t's counts of @d to @active / @inactive in one store:
 * plb_svc_gc() reads them in one load and never sees a half-made move.
 */
static inline void
count_store(struct plb_dest_stats *ds, uint32_t active, uint32_t inactive)
{
	struct plb_dest_stats v;

	v.active = active;
	v.inactive = inactive;
	__atomic_store_n(&ds->live, v.live, __ATOMIC_RELEASE);
}

/* [fast] Count a new conn of worker @t on @d: inactive, as it starts. */
static inline void
count_add(const struct conn_table *t, struct plb_dest *d)
{
	struct plb_dest_stats *ds = &d->stats[t->worker];

	__atomic_fetch_add(&d->inactive_conns, 1, __ATOMIC_RELAXED);
	count_store(ds, ds->active, ds->inactive + 1);
	count_notify(t, d);
}

/*
 * [fast] Move a conn of worker @t on @d between active and inactive (they
 * differ). WHY noinline: most plb_conn_update() calls keep the state class.
 */
static __attribute__((noinline)) void
count_move(const struct conn_table *t, struct plb_dest *d, int from_active, int to_active)
{
	struct plb_dest_stats *ds = &d->stats[t->worker];

	__atomic_fetch_add(to_active ? &d->active_conns : &d->inactive_conns, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(from_active ? &d->active_conns : &d->inactive_conns, 1, __ATOMIC_RELAXED);
	if (from_active)
		count_store(ds, ds->active - 1, ds->inactive + 1);
	else
		count_store(ds, ds->active + 1, ds->inactive - 1);
	count_notify(t, d);
}

/*
 * [fast] Uncount a conn of worker @t on @d (active or not) when it is freed.
 * WHY @d may be touched after: plb_svc_gc() frees a removed dest only a
 * grace period after it saw every worker's counts at 0.
 */
static inline void
count_del(const struct conn_table *t, struct plb_dest *d, int active)
{
	struct plb_dest_stats *ds = &d->stats[t->worker];

	__atomic_fetch_sub(active ? &d->active_conns : &d->inactive_conns, 1, __ATOMIC_RELAXED);
	if (active)
		count_store(ds, ds->active - 1, ds->inactive);
	else
		count_store(ds, ds->active, ds->inactive - 1);
	count_notify(t, d);
}

static void
conn_free(struct conn_table *t, struct plb_conn *c, int keys)
{
	uint32_t idx = (uint32_t)(c - t->conns);
	struct ch_key k;

	if (keys >= 1) {
		k = key_in(c);
		ch_remove(&t->h, ch_hash(&k), idx << 1 | PLB_DIR_IN);
	}
	if (keys >= 2 && !(c->flags & PLB_CONN_F_NO_OUT)) {
		k = key_out(c);
		ch_remove(&t->h, ch_hash(&k), idx << 1 | PLB_DIR_OUT);
	}
	t->free_stack[t->n_free++] = idx;
	t->count--;
}

struct plb_conn *
plb_conn_new(const struct plb_svc *svc, struct plb_dest *dest, const struct plb_pkt *pkt)
{
	struct conn_table *t = RTE_PER_LCORE(my_table);
	struct plb_svc_stats *ss = &svc->stats[t->worker];
	struct plb_conn *c;
	struct ch_key k;
	uint32_t idx, hin, hout = 0;

	if (unlikely(t->n_free == 0)) {
		ss->drop_conn_full++;
		return NULL;
	}
	idx = t->free_stack[--t->n_free];
	t->count++;
	c = &t->conns[idx];
	memset(c, 0, sizeof(*c));
	c->af = pkt->af;
	c->proto = pkt->l4_proto;
	c->caddr = pkt->saddr;
	c->vaddr = pkt->daddr;
	c->cport = pkt->sport;
	c->vport = pkt->dport;
	c->daddr = dest->addr;
	c->dport = dest->port;
	c->dest = dest;
	c->fwd = svc->fwd;
	if (unlikely(svc->fwd->conn_init(svc, c, pkt) != 0)) {
		ss->drop_no_port++;
		conn_free(t, c, 0);
		return NULL;
	}
	/* WHY look first: adding an existing key would take another conn's packets */
	k = key_in(c);
	hin = ch_hash(&k);
	if (unlikely(ch_lookup(&t->h, &k, hin, key_match, t) != UINT32_MAX))
		goto err_release;
	if (!(c->flags & PLB_CONN_F_NO_OUT)) {
		k = key_out(c);
		hout = ch_hash(&k);
		if (unlikely(ch_lookup(&t->h, &k, hout, key_match, t) != UINT32_MAX))
			goto err_release;
		if (unlikely(ch_insert(&t->h, hout, idx << 1 | PLB_DIR_OUT) != 0))
			goto err_release;
	}
	if (unlikely(ch_insert(&t->h, hin, idx << 1 | PLB_DIR_IN) != 0)) {
		if (!(c->flags & PLB_CONN_F_NO_OUT))
			ch_remove(&t->h, hout, idx << 1 | PLB_DIR_OUT);
		goto err_release;
	}
	dest->stats[t->worker].conns++;
	count_add(t, dest);
	c->expire = now_tick(t) + 1;
	wheel_link(t, idx);
	return c;

err_release:
	/* the reply key is taken (e.g. an FNAT port reused too early): refuse the flow */
	if (c->fwd->conn_release)
		c->fwd->conn_release(c);
	ss->drop_conn_full++;
	conn_free(t, c, 0);
	return NULL;
}

void
plb_conn_update(struct plb_conn *c, uint8_t state, int active, uint32_t timeout)
{
	struct conn_table *t = RTE_PER_LCORE(my_table);
	int was = !!(c->flags & PLB_CONN_F_ACTIVE);
	uint64_t exp;

	c->state = state;
	if (unlikely(c->flags & PLB_CONN_F_TEMPLATE))
		return;
	c->flags = (uint8_t)((c->flags & ~PLB_CONN_F_ACTIVE) | (active ? PLB_CONN_F_ACTIVE : 0));
	/* + 1: the current tick is partly gone; a conn never expires before @timeout */
	exp = now_tick(t) + 1 + secs_to_ticks(t, timeout);
	if (exp < c->expire) {
		/* shorter than it was: re-file now, or it would wait in a later slot */
		uint32_t idx = (uint32_t)(c - t->conns);

		wheel_unlink(t, idx);
		c->expire = exp;
		wheel_link(t, idx);
	} else {
		c->expire = exp;	/* longer: re-filed lazily when its slot comes */
	}
	c->timeout = timeout;
	if (was != !!active)
		count_move(t, c->dest, was, !!active);	/* last: a tail call */
}

static void
conn_destroy(struct conn_table *t, struct plb_conn *c)
{
	if (c->fwd->conn_release)
		c->fwd->conn_release(c);
	count_del(t, c->dest, !!(c->flags & PLB_CONN_F_ACTIVE));
	conn_free(t, c, 2);
}

void
plb_conn_del(struct plb_conn *c)
{
	struct conn_table *t = RTE_PER_LCORE(my_table);

	if (unlikely(c->flags & PLB_CONN_F_TEMPLATE))
		return;
	wheel_unlink(t, (uint32_t)(c - t->conns));
	conn_destroy(t, c);
}

uint32_t
plb_conn_count(uint32_t worker)
{
	return worker < n_tables ? __atomic_load_n(&tables[worker].count, __ATOMIC_RELAXED) : 0;
}

/* ---- core ---- */

/*
 * [fast] The expiry walk is about to reach @next: fetch the index buckets
 * its keys live in (its conn was fetched one step earlier), and the conn
 * after it. WHY: a conn that expires was last touched long ago, and freeing
 * it removes two keys from buckets all over the index; fetched ahead, the
 * walk waits for memory once per few conns instead of three times per conn.
 */
static inline void
expire_prefetch(const struct conn_table *t, uint32_t next)
{
	const struct plb_conn *c;
	struct ch_key k;
	const char *after;

	if (next == NIL || t->count < CONN_PREFETCH_MIN_CONNS)
		return;
	c = &t->conns[next];
	k = key_in(c);
	rte_prefetch0(&t->h.b[ch_hash(&k) & t->h.mask]);
	if (!(c->flags & PLB_CONN_F_NO_OUT)) {
		k = key_out(c);
		rte_prefetch0(&t->h.b[ch_hash(&k) & t->h.mask]);
	}
	if (c->wheel_next != NIL) {
		after = (const char *)&t->conns[c->wheel_next];
		rte_prefetch0(after);
		rte_prefetch0(after + sizeof(struct plb_conn) - 1);
	}
}

void
plb_conns_expire(void)
{
	struct conn_table *t = RTE_PER_LCORE(my_table);
	uint64_t now = now_tick(t);
	uint32_t budget = EXPIRE_BUDGET, slots = WHEEL_SLOTS / 4;

	while (budget && slots) {
		uint32_t idx = t->wheel[PENDING];

		if (idx == NIL) {
			uint32_t slot;

			if (t->tick > now)
				return;
			/* detach the due slot into the pending list and walk that */
			slot = (uint32_t)(t->tick & (WHEEL_SLOTS - 1));
			t->wheel[PENDING] = t->wheel[slot];
			t->wheel[slot] = NIL;
			if (t->wheel[PENDING] != NIL)
				t->conns[t->wheel[PENDING]].wheel_prev = HEAD | PENDING;
			t->tick++;
			slots--;	/* after a long stall, catch up over several calls */
			continue;
		}
		budget--;
		expire_prefetch(t, t->conns[idx].wheel_next);
		wheel_unlink(t, idx);
		if (t->conns[idx].expire <= now) {
			t->expired++;
			conn_destroy(t, &t->conns[idx]);
		} else {
			wheel_link(t, idx);
		}
	}
}

uint32_t
plb_conns_dump(uint32_t worker, const struct plb_conn_filter *f, struct plb_conn *out, uint32_t max)
{
	struct conn_table *t;
	uint32_t n = 0;

	if (worker >= n_tables)
		return 0;
	t = &tables[worker];
	for (uint64_t i = 0; n < max && i < ((uint64_t)t->h.mask + 1) * CH_SLOTS; i++) {
		const struct ch_bucket *b = &t->h.b[i / CH_SLOTS];
		uint32_t ent = b->ent[i % CH_SLOTS];
		const struct plb_conn *c;

		if (b->sig[i % CH_SLOTS] == 0 || (ent & 1) != PLB_DIR_IN)
			continue;	/* each conn once: by its client-side key */
		c = &t->conns[ent >> 1];
		if ((f->proto && c->proto != f->proto) || (f->vaddr && c->vaddr.v4 != f->vaddr) ||
		    (f->vport && c->vport != f->vport) || (f->caddr && c->caddr.v4 != f->caddr) ||
		    (f->daddr && c->daddr.v4 != f->daddr))
			continue;
		out[n++] = *c;
	}
	return n;
}

uint32_t
plb_conn_expires_in(uint32_t worker, const struct plb_conn *c)
{
	uint64_t now;

	if (worker >= n_tables)
		return 0;
	now = now_tick(&tables[worker]);
	return c->expire > now ? (uint32_t)((c->expire - now) * tables[worker].tick_ms / 1000) : 0;
}

uint64_t
plb_conns_expired(uint32_t id)
{
	return id < n_tables ? tables[id].expired : 0;
}

void
plb_conns_bind(uint32_t id)
{
	RTE_PER_LCORE(my_table) = id < n_tables ? &tables[id] : NULL;
}

int
plb_conns_setup(const struct plb_conf *conf, uint32_t n_workers, char **err)
{
	uint32_t cap = conf->conns.per_worker;

	tables = rte_zmalloc("plb_conn_tables", n_workers * sizeof(*tables), RTE_CACHE_LINE_SIZE);
	if (tables == NULL)
		return plb_err(err, -ENOMEM, "conns: out of memory");
	n_tables = n_workers;
	for (uint32_t w = 0; w < n_workers; w++) {
		struct conn_table *t = &tables[w];
		/* two keys a conn, at most half the slots used: 4 slots a conn */
		uint64_t buckets = rte_align64pow2(((uint64_t)cap * 4 + CH_SLOTS - 1) / CH_SLOTS);

		t->worker = w;
		t->cap = cap;
		t->tick_ms = conf->conns.tick_ms;
		t->cycles_per_tick = rte_get_tsc_hz() * conf->conns.tick_ms / 1000;
		if (t->cycles_per_tick == 0)
			t->cycles_per_tick = 1;
		t->h.mask = (uint32_t)(buckets - 1);
		t->h.b = rte_zmalloc_socket("plb_conn_index", buckets * sizeof(*t->h.b),
					    RTE_CACHE_LINE_SIZE, (int)rte_socket_id());
		t->conns = rte_zmalloc_socket("plb_conns", (size_t)cap * sizeof(*t->conns),
					      RTE_CACHE_LINE_SIZE, (int)rte_socket_id());
		t->free_stack = rte_malloc_socket("plb_conn_free", (size_t)cap * sizeof(uint32_t), 0,
						  (int)rte_socket_id());
		if (t->h.b == NULL || t->conns == NULL || t->free_stack == NULL)
			return plb_err(err, -ENOMEM, "conns: worker %u: cannot allocate a table of %u conns "
				       "(conns.per_worker): %s", w, cap, rte_strerror(rte_errno));
		for (uint32_t i = 0; i < cap; i++)
			t->free_stack[i] = cap - 1 - i;
		t->n_free = cap;
		for (uint32_t s = 0; s <= WHEEL_SLOTS; s++)
			t->wheel[s] = NIL;
		t->tick = now_tick(t);
	}
	return 0;
}

void
plb_conns_free(void)
{
	for (uint32_t w = 0; tables && w < n_tables; w++) {
		rte_free(tables[w].h.b);
		rte_free(tables[w].conns);
		rte_free(tables[w].free_stack);
	}
	rte_free(tables);
	tables = NULL;
	n_tables = 0;
}
