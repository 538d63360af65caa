/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.conn: the per-worker conn index. Buckets of 8 slots, one cache line
 * each: a 16-bit signature and a 32-bit entry (conn index << 1 | direction)
 * per slot; the tuple itself is not stored again but compared against the
 * conn, which the caller touches next anyway. A key lives in its home
 * bucket or, if that is full, in the next ones; each bucket counts how many
 * keys from earlier buckets live past it, so a lookup stops at the first
 * bucket that counts none. Sized so that at most half the slots are used.
 * Only the owning worker reads or writes it: no locks, no atomics.
 *
 * Chosen over rte_hash by the benchmark: a lookup costs about a third of the
 * instructions, and an entry 16 bytes instead of ~57 (docs/performance.md).
 */
#ifndef PLB_CORE_CONN_HASH_H
#define PLB_CORE_CONN_HASH_H

#include <stdint.h>
#include <rte_common.h>
#include <rte_hash_crc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define CH_SLOTS 8

struct ch_bucket {
	uint16_t sig[CH_SLOTS];		/* 0 = empty */
	uint32_t ent[CH_SLOTS];
	uint32_t ovf;			/* keys homed earlier that live past this bucket */
	uint32_t pad[3];
} __rte_cache_aligned;

struct ch_table {
	struct ch_bucket *b;
	uint32_t mask;			/* buckets - 1 */
	uint32_t used;
};

/* A direction's 5-tuple, as two words. */
struct ch_key {
	uint64_t w0;			/* saddr | daddr << 32 (network order values) */
	uint64_t w1;			/* sport | dport << 16 | proto << 32 */
};

static inline struct ch_key
ch_key4(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport, uint8_t proto)
{
	struct ch_key k = {
		.w0 = (uint64_t)saddr | (uint64_t)daddr << 32,
		.w1 = (uint64_t)sport | (uint64_t)dport << 16 | (uint64_t)proto << 32,
	};

	return k;
}

static inline uint32_t
ch_hash(const struct ch_key *k)
{
	return rte_hash_crc_8byte(k->w1, rte_hash_crc_8byte(k->w0, 0x9E3779B9u));
}

static inline uint16_t
ch_sig(uint32_t h)
{
	uint16_t s = (uint16_t)(h >> 16);

	return s ? s : 1;
}

/* Is the key of entry @ent (conn index << 1 | dir) equal to @k? The caller's. */
/**
 * Bit 2s set for each slot s of @b that holds signature @sig: walk the
 * hits with `s = __builtin_ctz(m) >> 1; m &= m - 1;`.
 */
static inline uint32_t
ch_sig_hits(const struct ch_bucket *b, uint16_t sig)
{
#ifdef __SSE2__
	/* WHY: the eight signatures are one 16-byte load; one compare tests them all */
	__m128i v = _mm_load_si128((const __m128i *)(const void *)b->sig);
	__m128i eq = _mm_cmpeq_epi16(v, _mm_set1_epi16((short)sig));

	return (uint32_t)_mm_movemask_epi8(eq) & 0x5555u;
#else
	uint32_t m = 0;

	for (int s = 0; s < CH_SLOTS; s++)
		m |= (uint32_t)(b->sig[s] == sig) << (2 * s);
	return m;
#endif
}

typedef int (*ch_match_fn)(void *ctx, uint32_t ent, const struct ch_key *k);

/** Entry for @k, or UINT32_MAX. */
static inline uint32_t
ch_lookup(const struct ch_table *t, const struct ch_key *k, uint32_t h, ch_match_fn match, void *ctx)
{
	uint16_t sig = ch_sig(h);

	for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
		const struct ch_bucket *b = &t->b[i];

		for (uint32_t m = ch_sig_hits(b, sig); m; m &= m - 1) {
			uint32_t s = (uint32_t)__builtin_ctz(m) >> 1;

			if (match(ctx, b->ent[s], k))
				return b->ent[s];
		}
		if (b->ovf == 0)
			return UINT32_MAX;
	}
}

/** Add @ent under hash @h (the caller made sure the key is absent). 0 or -ENOSPC. */
static inline int
ch_insert(struct ch_table *t, uint32_t h, uint32_t ent)
{
	uint32_t home = h & t->mask;

	for (uint32_t k = 0, i = home; k <= t->mask; k++, i = (i + 1) & t->mask) {
		struct ch_bucket *b = &t->b[i];
		uint32_t m = ch_sig_hits(b, 0);	/* the empty slots */

		if (m) {
			uint32_t s = (uint32_t)__builtin_ctz(m) >> 1;

			b->sig[s] = ch_sig(h);
			b->ent[s] = ent;
			for (uint32_t j = home; j != i; j = (j + 1) & t->mask)
				t->b[j].ovf++;
			t->used++;
			return 0;
		}
	}
	return -ENOSPC;
}

/** Remove @ent, stored under hash @h. */
static inline void
ch_remove(struct ch_table *t, uint32_t h, uint32_t ent)
{
	uint32_t home = h & t->mask;
	uint16_t sig = ch_sig(h);

	for (uint32_t k = 0, i = home; k <= t->mask; k++, i = (i + 1) & t->mask) {
		struct ch_bucket *b = &t->b[i];

		for (uint32_t m = ch_sig_hits(b, sig); m; m &= m - 1) {
			uint32_t s = (uint32_t)__builtin_ctz(m) >> 1;

			if (b->ent[s] != ent)
				continue;
			b->sig[s] = 0;
			for (uint32_t j = home; j != i; j = (j + 1) & t->mask)
				t->b[j].ovf--;
			t->used--;
			return;
		}
		if (b->ovf == 0)
			return;
	}
}

#endif /* PLB_CORE_CONN_HASH_H */
