/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mh: Maglev hashing (Eisenbud et al., NSDI 2016). build() fills a lookup
 * table of prime size M with dest indexes: each dest (weight > 0, not down)
 * walks its own permutation of the slots, offset = h1(addr, port) % M,
 * skip = h2(addr, port) % (M - 1) + 1, and takes turns claiming its next
 * free slot. Weights: turns are handed out by stride scheduling (the dest
 * with the smallest pass = turns * 2^40 / weight goes next, ties by index),
 * so at every point each dest has taken turns in proportion to its weight
 * (within one turn); equal weights give Maglev's plain round of turns.
 * schedule(): hash(key) % M. If that dest is unavailable (down, weight 0,
 * full), the key is rehashed with salts 1..MH_REHASH, then the first
 * available dest after the last one tried, in dests[] order, is taken.
 * Options: table_size = prime in [MH_SIZE_MIN, MH_SIZE_MAX] (default 65537),
 * key = "sip" (default, client address) | "5tuple".
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <plb/conf.h>
#include <plb/hash.h>
#include <plb/log.h>
#include <plb/module.h>
#include <plb/sched.h>

#define MH_SIZE_DEFAULT	65537
#define MH_SIZE_MIN	7
#define MH_SIZE_MAX	1000003
#define MH_NONE		UINT32_MAX	/* empty slot / no dest */
#define MH_REHASH	4		/* salted retries before the linear scan */
#define MH_STRIDE_ONE	(1ULL << 40)	/* a weight-1 dest's stride */
#define MH_SEED_OFFSET	0x6d61676c65762d6fULL
#define MH_SEED_SKIP	0x6d61676c65762d73ULL
#define MH_SEED_KEY	0x6d61676c65762d6bULL


struct mh_table {
	uint32_t size;		/* M, prime */
	uint32_t key;		/* enum plb_hash_key */
	uint32_t n_dests;
	uint32_t reserved0;
	uint32_t lookup[];	/* M dest indexes into svc->dests[] */
};

/* A dest while the table is built. */
struct mh_turn {
	uint64_t pass;		/* next turn's virtual time */
	uint64_t stride;	/* MH_STRIDE_ONE / weight */
	uint32_t cur;		/* next slot of its permutation to try */
	uint32_t skip;
	uint32_t idx;		/* index in svc->dests[] */
};

static int
mh_is_prime(uint32_t n)
{
	if (n < 2)
		return 0;
	for (uint32_t d = 2; d * d <= n; d++)
		if (n % d == 0)
			return 0;
	return 1;
}

/* [ctl] Parse `table_size` and `key`. */
static int
mh_opts(const config_setting_t *opts, uint32_t *size, uint32_t *key, char **err)
{
	static const char *const keys[] = { "table_size", "key", NULL };
	const config_setting_t *s;
	int rc;

	*size = MH_SIZE_DEFAULT;
	*key = PLB_HASH_KEY_SIP;
	rc = plb_conf_check_keys(opts, keys, err);
	if (rc || opts == NULL)
		return rc;
	s = config_setting_get_member(opts, "table_size");
	if (s != NULL) {
		long long v;

		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			return plb_conf_err(s, err, -EINVAL, "expected a prime integer %u..%u",
					    MH_SIZE_MIN, MH_SIZE_MAX);
		v = config_setting_get_int64(s);
		if (v < MH_SIZE_MIN || v > MH_SIZE_MAX)
			return plb_conf_err(s, err, -EINVAL, "expected a prime %u..%u, got %lld",
					    MH_SIZE_MIN, MH_SIZE_MAX, v);
		if (!mh_is_prime((uint32_t)v))
			return plb_conf_err(s, err, -EINVAL,
					    "%lld is not prime (Maglev needs a prime table size, "
					    "e.g. 65537, 131071, 1000003)", v);
		*size = (uint32_t)v;
	}
	return plb_hash_key_opt(opts, key, err);
}

/* Hash of a dest's identity (family, address, port), never of its index. */
static uint64_t
mh_dest_hash(const struct plb_dest *d, uint64_t seed)
{
	size_t alen = d->af == AF_INET ? 4 : 16;
	uint8_t buf[19];

	memcpy(buf, &d->addr, alen);
	memcpy(buf + alen, &d->port, 2);
	buf[alen + 2] = d->af;
	return plb_hash_bytes(buf, alen + 3, seed);
}

/* Heap order: smaller pass first, then smaller index. */
static int
mh_before(const struct mh_turn *a, const struct mh_turn *b)
{
	return a->pass < b->pass || (a->pass == b->pass && a->idx < b->idx);
}

/* Restore the heap property of @h (@n entries) downwards from @i. */
static void
mh_sift_down(struct mh_turn *h, uint32_t n, uint32_t i)
{
	struct mh_turn x = h[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && mh_before(&h[c + 1], &h[c]))
			c++;
		if (!mh_before(&h[c], &x))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

/* 1 if every dest in @heap has the same stride (equal weights). */
static int
mh_equal_weights(const struct mh_turn *heap, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		if (heap[i].stride != heap[0].stride)
			return 0;
	return 1;
}

/* [ctl] Fill t->lookup from the eligible dests (see the file comment). */
static void
mh_populate(struct mh_table *t, struct mh_turn *heap, uint32_t n)
{
	uint32_t m = t->size, filled = 0;

	for (uint32_t i = 0; i < m; i++)
		t->lookup[i] = MH_NONE;
	if (n == 0)
		return;
	if (mh_equal_weights(heap, n)) {
		/*
		 * Equal strides: the heap would hand out turns in index order, round
		 * after round (the paper's plain loop). Same table, no heap: the
		 * 65537 x 1000 build drops to about a third (bench/, micro).
		 */
		for (uint32_t j = 0; filled < m; j = j + 1 == n ? 0 : j + 1) {
			struct mh_turn *b = &heap[j];
			uint32_t c = b->cur;

			while (t->lookup[c] != MH_NONE) {
				c += b->skip;
				if (c >= m)
					c -= m;
			}
			t->lookup[c] = b->idx;
			filled++;
			c += b->skip;
			b->cur = c >= m ? c - m : c;
		}
		return;
	}
	for (uint32_t i = n / 2; i-- > 0;)
		mh_sift_down(heap, n, i);
	while (filled < m) {
		struct mh_turn *b = &heap[0];
		uint32_t c = b->cur;

		while (t->lookup[c] != MH_NONE) {
			c += b->skip;
			if (c >= m)
				c -= m;
		}
		t->lookup[c] = b->idx;
		filled++;
		c += b->skip;
		b->cur = c >= m ? c - m : c;
		b->pass += b->stride;
		mh_sift_down(heap, n, 0);
	}
}

/* [ctl] Build the lookup table; rejects bad options and M smaller than the dest count. */
static int
mh_build(const struct plb_svc *svc, const config_setting_t *opts, void **table, char **err)
{
	struct mh_turn *heap;
	struct mh_table *t;
	uint32_t size, key, n = 0;
	int rc;

	*table = NULL;
	rc = mh_opts(opts, &size, &key, err);
	if (rc)
		return rc;
	if (svc->n_dests > size) {
		const config_setting_t *s = opts ? config_setting_get_member(opts, "table_size")
						 : NULL;

		if (s != NULL)
			return plb_conf_err(s, err, -EINVAL,
					    "table_size %u is smaller than the %u dests", size,
					    svc->n_dests);
		return plb_err(err, -EINVAL, "mh: %u dests need a table_size above the "
			       "default %u", svc->n_dests, size);
	}
	t = malloc(sizeof(*t) + (size_t)size * sizeof(t->lookup[0]));
	heap = calloc(svc->n_dests ? svc->n_dests : 1, sizeof(*heap));
	if (t == NULL || heap == NULL) {
		free(t);
		free(heap);
		return plb_err(err, -ENOMEM, "mh: out of memory for a %u-entry table", size);
	}
	t->size = size;
	t->key = key;
	t->n_dests = svc->n_dests;
	t->reserved0 = 0;
	for (uint32_t i = 0; i < svc->n_dests; i++) {
		const struct plb_dest *d = svc->dests[i];

		if (d->weight == 0 || (d->flags & PLB_DEST_F_DOWN))
			continue;
		heap[n].stride = MH_STRIDE_ONE / d->weight;
		heap[n].pass = heap[n].stride;
		heap[n].cur = (uint32_t)(mh_dest_hash(d, MH_SEED_OFFSET) % size);
		heap[n].skip = (uint32_t)(mh_dest_hash(d, MH_SEED_SKIP) % (size - 1)) + 1;
		heap[n].idx = i;
		n++;
	}
	mh_populate(t, heap, n);
	free(heap);
	*table = t;
	return 0;
}

static void
mh_free(void *table)
{
	free(table);
}

/* [fast] The key's table entry, or the deterministic fallback; NULL if none is available. */
static struct plb_dest *
mh_schedule(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_pkt *pkt)
{
	const struct mh_table *t = st->table;
	uint32_t n = svc->n_dests, idx = MH_NONE;
	uint64_t h;

	if (t == NULL || n == 0 || n != t->n_dests)
		return NULL;
	h = plb_hash_pkt_key(pkt, t->key, MH_SEED_KEY);
	for (uint32_t salt = 0; salt <= MH_REHASH; salt++) {
		uint32_t i = t->lookup[(salt ? plb_hash_fmix64(h + salt) : h) % t->size];

		if (i == MH_NONE)
			break;	/* no dest was eligible at build */
		idx = i;
		if (plb_dest_available(svc->dests[idx]))
			return svc->dests[idx];
	}
	for (uint32_t k = 1; k <= n; k++) {
		struct plb_dest *d = svc->dests[idx == MH_NONE ? k - 1 : (idx + k) % n];

		if (plb_dest_available(d))
			return d;
	}
	return NULL;	/* none available: the core counts it and drops */
}

static const struct plb_sched_ops mh_ops = {
	.build = mh_build,
	.free = mh_free,
	.schedule = mh_schedule,
};

PLB_MODULE_REGISTER(SCHED, "mh", &mh_ops,
	.version = "1.0", .description = "Maglev consistent hashing (client address or 5-tuple)");
