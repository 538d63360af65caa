/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conhash: consistent hashing on a ring. build() places `replicas` virtual
 * nodes per unit of weight (weights divided by their gcd) for each dest with
 * a weight and not down, at hashes of the dest's address, port and node
 * number, and sorts them; the ring is immutable. schedule() hashes the key,
 * binary-searches the first node at or after it and walks forward past
 * unavailable dests (at most CONHASH_WALK nodes, then the first available
 * dest in dests[] order after the last node's own). Options (`sched_opts`):
 * replicas = 1..10000 (default 1024), key = "sip" (default) | "5tuple".
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

#define CONHASH_REPLICAS	1024		/* default virtual nodes per unit of weight */
#define CONHASH_REPLICAS_MAX	10000
#define CONHASH_MAX_POINTS	(1u << 21)	/* ring cap: 2M nodes, 16 MB */
#define CONHASH_WALK		256		/* ring nodes tried before the linear fallback */
#define CONHASH_SEED_NODE	0x636f6e686173686eULL
#define CONHASH_SEED_KEY	0x6b65792d68617368ULL


struct conhash_point {
	uint32_t pos;		/* place on the ring */
	uint32_t idx;		/* dest index in svc->dests[] */
};

struct conhash_table {
	uint32_t key;		/* enum plb_hash_key */
	uint32_t n_points;
	uint32_t n_dests;
	uint32_t replicas;
	struct conhash_point points[];	/* sorted by (pos, idx) */
};

static int
conhash_point_cmp(const void *a, const void *b)
{
	const struct conhash_point *x = a, *y = b;

	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Ring position of virtual node @j of dest @d: depends on the dest, never on its index. */
static uint32_t
conhash_node_pos(const struct plb_dest *d, uint32_t j)
{
	size_t alen = d->af == AF_INET ? 4 : 16;
	uint8_t buf[23];

	memcpy(buf, &d->addr, alen);
	memcpy(buf + alen, &d->port, 2);
	buf[alen + 2] = d->af;
	for (int b = 0; b < 4; b++)
		buf[alen + 3 + b] = (uint8_t)(j >> (8 * b));
	return (uint32_t)plb_hash_bytes(buf, alen + 7, CONHASH_SEED_NODE);
}

/* [ctl] Parse `replicas` and `key`. */
static int
conhash_opts(const config_setting_t *opts, uint32_t *replicas, uint32_t *key, char **err)
{
	static const char *const keys[] = { "replicas", "key", NULL };
	const config_setting_t *s;
	int rc;

	*replicas = CONHASH_REPLICAS;
	*key = PLB_HASH_KEY_SIP;
	rc = plb_conf_check_keys(opts, keys, err);
	if (rc || opts == NULL)
		return rc;
	s = config_setting_get_member(opts, "replicas");
	if (s != NULL) {
		long long v;

		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			return plb_conf_err(s, err, -EINVAL, "expected an integer 1..%u",
					    CONHASH_REPLICAS_MAX);
		v = config_setting_get_int64(s);
		if (v < 1 || v > CONHASH_REPLICAS_MAX)
			return plb_conf_err(s, err, -EINVAL, "expected 1..%u, got %lld",
					    CONHASH_REPLICAS_MAX, v);
		*replicas = (uint32_t)v;
	}
	return plb_hash_key_opt(opts, key, err);
}

/* Eligible for the ring: has a weight and is not down (fullness is checked per packet). */
static int
conhash_eligible(const struct plb_dest *d)
{
	return d->weight > 0 && !(d->flags & PLB_DEST_F_DOWN);
}

static uint32_t
conhash_gcd(uint32_t a, uint32_t b)
{
	while (b != 0) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Virtual nodes of a dest of weight @w: see conhash_build(). */
static uint64_t
conhash_nodes(uint32_t w, uint32_t g, uint64_t units, uint32_t replicas, int scaled)
{
	uint64_t k = scaled ? (uint64_t)(w / g) * CONHASH_MAX_POINTS / units :
			      (uint64_t)(w / g) * replicas;

	return k ? k : 1;
}

/*
 * [ctl] Build the ring from the eligible dests. Weights are first divided by
 * their gcd (weights 100,100,200 count as 1,1,2 units); a dest gets
 * units * replicas nodes. When sum(units) * replicas exceeds
 * CONHASH_MAX_POINTS, a dest gets units * CONHASH_MAX_POINTS / sum(units)
 * nodes (at least 1) instead.
 */
static int
conhash_build(const struct plb_svc *svc, const config_setting_t *opts, void **table,
	      char **err)
{
	struct conhash_table *t;
	uint64_t units = 0, total = 0;
	uint32_t replicas, key, g = 0, n = 0;
	int rc, scaled;

	*table = NULL;
	rc = conhash_opts(opts, &replicas, &key, err);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < svc->n_dests; i++)
		if (conhash_eligible(svc->dests[i]))
			g = conhash_gcd(svc->dests[i]->weight, g);
	for (uint32_t i = 0; i < svc->n_dests; i++)
		if (conhash_eligible(svc->dests[i]))
			units += svc->dests[i]->weight / g;
	scaled = units > CONHASH_MAX_POINTS / replicas;	/* units * replicas > max */
	for (uint32_t i = 0; i < svc->n_dests; i++)
		if (conhash_eligible(svc->dests[i]))
			total += conhash_nodes(svc->dests[i]->weight, g, units, replicas, scaled);
	t = malloc(sizeof(*t) + total * sizeof(t->points[0]));
	if (t == NULL)
		return plb_err(err, -ENOMEM, "conhash: out of memory for %llu ring nodes",
			       (unsigned long long)total);
	t->key = key;
	t->replicas = replicas;
	t->n_dests = svc->n_dests;
	for (uint32_t i = 0; i < svc->n_dests; i++) {
		const struct plb_dest *d = svc->dests[i];
		uint64_t k;

		if (!conhash_eligible(d))
			continue;
		k = conhash_nodes(d->weight, g, units, replicas, scaled);
		for (uint32_t j = 0; j < k; j++)
			t->points[n++] = (struct conhash_point){ conhash_node_pos(d, j), i };
	}
	t->n_points = n;
	qsort(t->points, n, sizeof(t->points[0]), conhash_point_cmp);
	*table = t;
	return 0;
}

static void
conhash_free(void *table)
{
	free(table);
}

/* [fast] The dest owning the key's arc, walking past unavailable ones; NULL if none. */
static struct plb_dest *
conhash_schedule(const struct plb_svc *svc, struct plb_sched_state *st,
		 const struct plb_pkt *pkt)
{
	const struct conhash_table *t = st->table;
	uint32_t h, lo, hi, n, walk, start = 0, i;

	if (t == NULL || t->n_points == 0 || svc->n_dests != t->n_dests)
		return NULL;
	h = (uint32_t)plb_hash_pkt_key(pkt, t->key, CONHASH_SEED_KEY);
	n = t->n_points;
	lo = 0;
	hi = n;
	while (lo < hi) {	/* first node with pos >= h */
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->points[mid].pos < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	walk = n < CONHASH_WALK ? n : CONHASH_WALK;
	for (i = 0; i < walk; i++) {
		struct plb_dest *d;

		if (lo == n)
			lo = 0;
		start = t->points[lo].idx;
		d = svc->dests[start];
		if (plb_dest_available(d))
			return d;
		lo++;
	}
	/* many unavailable in a row: the next available dest in dests[] order */
	for (i = 1; i <= svc->n_dests; i++) {
		struct plb_dest *d = svc->dests[(start + i) % svc->n_dests];

		if (plb_dest_available(d))
			return d;
	}
	return NULL;	/* none available: the core counts it and drops */
}

static const struct plb_sched_ops conhash_ops = {
	.build = conhash_build,
	.free = conhash_free,
	.schedule = conhash_schedule,
};

PLB_MODULE_REGISTER(SCHED, "conhash", &conhash_ops,
	.version = "1.0", .description = "consistent hash ring (client address or 5-tuple)");
