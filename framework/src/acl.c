/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.acl: deny and allow lists of IPv4 source prefixes, global and per
 * service (acl.h, plb/acl.h). The control thread keeps each list as a
 * canonical sorted prefix set and compiles it whole into a matcher: the
 * prefixes merged into disjoint address ranges, searched through a 2^16-slot
 * index on the top 16 bits. All lists sit in one immutable version published
 * with an atomic pointer; a replaced version and matcher are freed after
 * plb_rcu_synchronize(). Why not rte_lpm: docs/acl.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <rte_branch_prediction.h>

#include <plb/acl.h>
#include <plb/log.h>
#include <plb/worker.h>

#include "acl.h"
#include "svc.h"

#define LOG_TYPE "core.acl"

#define ACL_DEFAULT_LIMIT	(1u << 20)	/* prefixes per list, plb_acl_set_limit() */
#define ACL_INDEX_MIN		32		/* fewer ranges: plain binary search, no index */
#define ACL_HIT_STRIDE		8		/* uint64_t per worker slot: one cache line */

struct acl_range {
	uint32_t lo, hi;	/* host order, inclusive */
};

/* A compiled list; never changes once built. */
struct acl_match {
	uint32_t n;		/* ranges */
	uint32_t *idx;		/* [65537] first range with hi >= (h << 16); NULL when n is small */
	struct acl_range r[];
};

/* A list as the workers see it in a version. */
struct acl_clist {
	const struct acl_match *m[2];	/* by enum plb_acl_list; NULL: empty */
	uint64_t *hits[2];		/* [slot * ACL_HIT_STRIDE] */
};

struct acl_version {
	struct acl_clist global;
	uint32_t n_svc;			/* scopes with a non-empty list */
	uint64_t *keys;			/* [n_svc], sorted */
	struct acl_clist *svc;		/* [n_svc] */
};

/* Control side of one list. */
struct acl_list_ctl {
	uint64_t *set;			/* canonical: addr (host order) << 8 | len, sorted, unique */
	uint32_t n;
	struct acl_match *m;		/* compiled from set, in the current version */
	uint64_t *hits;			/* outlives versions */
};

struct acl_scope_box {
	uint64_t key;
	struct plb_acl_scope id;		/* svc = 1 */
	struct acl_list_ctl l[2];
};

static struct acl_version *current;	/* read by workers with an acquire load */
static uint32_t n_slots;		/* workers + 1 (the control thread, tests) */

/* control thread only */
static int ready;
static uint32_t limit = ACL_DEFAULT_LIMIT;
static struct acl_list_ctl global_l[2];
static struct acl_scope_box **scopes;	/* sorted by key */
static uint32_t n_scopes;

static const char *const list_name[] = { "deny", "allow" };

/* The key of a service as the fast path has it (network order fields). */
static inline uint64_t
acl_key(uint8_t proto, uint32_t vip_net, uint16_t port_net)
{
	return (uint64_t)vip_net << 32 | (uint64_t)port_net << 16 | proto;
}

/* ---- fast path ---- */

static inline int
acl_match(const struct acl_match *m, uint32_t x)
{
	const struct acl_range *r = m->r;
	uint32_t lo = 0, hi = m->n;

	if (m->idx) {
		lo = m->idx[x >> 16];
		hi = m->idx[(x >> 16) + 1];
	}
	/* first range with r.hi >= x; the answer lies in [lo, hi] */
	while (lo < hi) {
		uint32_t mid = (lo + hi) >> 1;

		if (r[mid].hi < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && r[lo].lo <= x;
}

/* 0, 1 (refused by the deny list) or 2 (by the allow list); counts the refusal. */
static inline int
acl_clist_check(const struct acl_clist *cl, uint32_t x, uint32_t slot)
{
	if (cl->m[PLB_ACL_LIST_DENY] && acl_match(cl->m[PLB_ACL_LIST_DENY], x)) {
		cl->hits[PLB_ACL_LIST_DENY][slot * ACL_HIT_STRIDE]++;
		return 1;
	}
	if (cl->m[PLB_ACL_LIST_ALLOW] && !acl_match(cl->m[PLB_ACL_LIST_ALLOW], x)) {
		cl->hits[PLB_ACL_LIST_ALLOW][slot * ACL_HIT_STRIDE]++;
		return 2;
	}
	return 0;
}

enum plb_acl_verdict
plb_acl4_check(uint32_t saddr, const struct plb_svc *svc)
{
	const struct acl_version *v = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
	uint32_t x, slot, lo, hi;
	uint64_t key;
	int r;

	if (v == NULL)
		return PLB_ACL_PASS;
	x = ntohl(saddr);
	slot = plb_worker_id();
	if (slot >= n_slots - 1)
		slot = n_slots - 1;	/* not a worker: the control thread's slot */
	r = acl_clist_check(&v->global, x, slot);
	if (r)
		return r == 1 ? PLB_ACL_GLOBAL_DENY : PLB_ACL_GLOBAL_ALLOW;
	if (svc == NULL || v->n_svc == 0)
		return PLB_ACL_PASS;
	key = acl_key(svc->proto, svc->vaddr.v4, svc->vport);
	lo = 0;
	hi = v->n_svc;
	while (lo < hi) {
		uint32_t mid = (lo + hi) >> 1;

		if (v->keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == v->n_svc || v->keys[lo] != key)
		return PLB_ACL_PASS;
	r = acl_clist_check(&v->svc[lo], x, slot);
	if (r)
		return r == 1 ? PLB_ACL_SVC_DENY : PLB_ACL_SVC_ALLOW;
	return PLB_ACL_PASS;
}

/* ---- compiling ---- */

static void
acl_match_free(struct acl_match *m)
{
	if (m == NULL)
		return;
	free(m->idx);
	free(m);
}

/* Compile canonical set @set (n > 0); NULL when out of memory. */
static struct acl_match *
acl_compile(const uint64_t *set, uint32_t n)
{
	struct acl_match *m = malloc(sizeof(*m) + (size_t)n * sizeof(struct acl_range));
	uint32_t k = 0;

	if (m == NULL)
		return NULL;
	m->idx = NULL;
	/* sorted by address then length: each range starts at or after the previous one */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t lo = (uint32_t)(set[i] >> 8), len = set[i] & 0xff;
		uint32_t hi = len >= 32 ? lo : lo | 0xffffffffu >> len;

		if (k > 0 && (uint64_t)lo <= (uint64_t)m->r[k - 1].hi + 1) {
			if (hi > m->r[k - 1].hi)
				m->r[k - 1].hi = hi;
			continue;
		}
		m->r[k].lo = lo;
		m->r[k].hi = hi;
		k++;
	}
	m->n = k;
	if (k >= ACL_INDEX_MIN) {
		uint32_t j = 0;

		m->idx = malloc(65537 * sizeof(*m->idx));
		if (m->idx == NULL) {
			free(m);
			return NULL;
		}
		for (uint32_t h = 0; h < 65536; h++) {
			while (j < k && m->r[j].hi < h << 16)
				j++;
			m->idx[h] = j;
		}
		m->idx[65536] = k;
	}
	return m;
}

static int
acl_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Validate @p and return it as a sorted, unique canonical set in *out (*n_out entries). */
static int
acl_canon(const struct plb_ifaddr4 *p, uint32_t n, uint64_t **out, uint32_t *n_out, char **err)
{
	uint64_t *s = malloc(((size_t)n + 1) * sizeof(*s));
	uint32_t k = 0;

	if (s == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = ntohl(p[i].addr), len = p[i].prefix_len;
		uint32_t mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
		char ip[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN];

		if (len > 32) {
			free(s);
			return plb_err(err, -EINVAL, "prefixes[%u]: prefix length %u is out of range 0..32",
				       i, len);
		}
		if (a & ~mask) {
			uint32_t fixed = htonl(a & mask);

			inet_ntop(AF_INET, &p[i].addr, ip, sizeof(ip));
			inet_ntop(AF_INET, &fixed, net, sizeof(net));
			free(s);
			return plb_err(err, -EINVAL, "prefixes[%u]: %s/%u has host bits set (the prefix is %s/%u)",
				       i, ip, len, net, len);
		}
		s[i] = (uint64_t)a << 8 | len;
	}
	qsort(s, n, sizeof(*s), acl_u64_cmp);
	for (uint32_t i = 0; i < n; i++)
		if (k == 0 || s[k - 1] != s[i])
			s[k++] = s[i];
	*out = s;
	*n_out = k;
	return 0;
}

/* ---- versions ---- */

static void
acl_version_free(struct acl_version *v)
{
	if (v == NULL)
		return;
	free(v->keys);
	free(v->svc);
	free(v);
}

static void
acl_clist_of(struct acl_clist *cl, const struct acl_list_ctl *l)
{
	for (int i = 0; i < 2; i++) {
		cl->m[i] = l[i].n ? l[i].m : NULL;
		cl->hits[i] = l[i].hits;
	}
}

/* A version of the control state as it is now. */
static struct acl_version *
acl_version_build(void)
{
	struct acl_version *v = calloc(1, sizeof(*v));
	uint32_t k = 0;

	if (v == NULL)
		return NULL;
	v->keys = calloc(n_scopes + 1, sizeof(*v->keys));
	v->svc = calloc(n_scopes + 1, sizeof(*v->svc));
	if (v->keys == NULL || v->svc == NULL) {
		acl_version_free(v);
		return NULL;
	}
	acl_clist_of(&v->global, global_l);
	for (uint32_t i = 0; i < n_scopes; i++) {
		struct acl_scope_box *b = scopes[i];

		if (b->l[0].n == 0 && b->l[1].n == 0)
			continue;	/* nothing to check: keep the fast path's search short */
		v->keys[k] = b->key;
		acl_clist_of(&v->svc[k], b->l);
		k++;
	}
	v->n_svc = k;
	return v;
}

/* ---- control side ---- */

static uint64_t *
acl_hits_new(void)
{
	size_t sz = (size_t)n_slots * ACL_HIT_STRIDE * sizeof(uint64_t);
	uint64_t *h = aligned_alloc(64, sz);

	if (h)
		memset(h, 0, sz);
	return h;
}

static uint64_t
acl_scope_key(const struct plb_acl_scope *sc)
{
	return acl_key(sc->proto, sc->vip, htons(sc->port));
}

/* Position of @key in scopes[] (or where it would go); *found set. */
static uint32_t
acl_scope_pos(uint64_t key, int *found)
{
	uint32_t lo = 0, hi = n_scopes;

	while (lo < hi) {
		uint32_t mid = (lo + hi) >> 1;

		if (scopes[mid]->key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < n_scopes && scopes[lo]->key == key;
	return lo;
}

static const char *
acl_scope_str(const struct plb_acl_scope *sc, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];

	if (!sc || !sc->svc)
		return "global";
	inet_ntop(AF_INET, &sc->vip, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u/%s", ip, sc->port, sc->proto == IPPROTO_TCP ? "tcp" : "udp");
	return buf;
}

/* The lists of @sc, or NULL (no such scope yet). */
static struct acl_list_ctl *
acl_lists_find(const struct plb_acl_scope *sc)
{
	uint32_t pos;
	int found;

	if (sc == NULL || !sc->svc)
		return global_l;
	pos = acl_scope_pos(acl_scope_key(sc), &found);
	return found ? scopes[pos]->l : NULL;
}

static int
acl_service_exists(const struct plb_acl_scope *sc)
{
	uint32_t n;
	const struct plb_conf_svc *s = plb_svc_specs(&n);

	return plb_spec_find(s, n, sc->proto, sc->vip, sc->port) >= 0;
}

/* The lists of @sc, creating the scope box when @create. */
static int
acl_lists_get(const struct plb_acl_scope *sc, int create, struct acl_list_ctl **out, char **err)
{
	struct acl_scope_box *b, **grown;
	char name[64];
	uint32_t pos;
	int found;

	*out = NULL;
	if (sc == NULL || !sc->svc) {
		*out = global_l;
		return 0;
	}
	if (sc->proto != IPPROTO_TCP && sc->proto != IPPROTO_UDP)
		return plb_err(err, -EINVAL, "service: protocol %u is neither TCP nor UDP", sc->proto);
	pos = acl_scope_pos(acl_scope_key(sc), &found);
	if (found) {
		*out = scopes[pos]->l;
		return 0;
	}
	if (!acl_service_exists(sc))
		return plb_err(err, -ENOENT, "no service %s", acl_scope_str(sc, name, sizeof(name)));
	if (!create)
		return 0;
	b = calloc(1, sizeof(*b));
	grown = realloc(scopes, (n_scopes + 1) * sizeof(*scopes));
	if (grown)
		scopes = grown;
	if (b == NULL || grown == NULL ||
	    (b->l[0].hits = acl_hits_new()) == NULL || (b->l[1].hits = acl_hits_new()) == NULL) {
		if (b) {
			free(b->l[0].hits);
			free(b);
		}
		return plb_err(err, -ENOMEM, "out of memory");
	}
	b->key = acl_scope_key(sc);
	b->id = *sc;
	memmove(&scopes[pos + 1], &scopes[pos], (n_scopes - pos) * sizeof(*scopes));
	scopes[pos] = b;
	n_scopes++;
	*out = b->l;
	return 0;
}

/* Make @set (n entries, owned) list @l's content: compile, publish, retire the old. */
static int
acl_commit(struct acl_list_ctl *l, uint64_t *set, uint32_t n, char **err)
{
	struct acl_match *m = NULL, *old_m = l->m;
	struct acl_version *v, *old_v;
	uint64_t *old_set = l->set;
	uint32_t old_n = l->n;

	if (n > 0 && (m = acl_compile(set, n)) == NULL) {
		free(set);
		return plb_err(err, -ENOMEM, "out of memory");
	}
	l->set = set;
	l->n = n;
	l->m = m;
	v = acl_version_build();
	if (v == NULL) {
		l->set = old_set;
		l->n = old_n;
		l->m = old_m;
		acl_match_free(m);
		free(set);
		return plb_err(err, -ENOMEM, "out of memory");
	}
	old_v = current;
	__atomic_store_n(&current, v, __ATOMIC_RELEASE);
	plb_rcu_synchronize();
	acl_version_free(old_v);
	acl_match_free(old_m);
	free(old_set);
	return 0;
}

enum acl_op { ACL_ADD, ACL_DEL, ACL_SET };

static int
acl_change(const struct plb_acl_scope *sc, enum plb_acl_list which, const struct plb_ifaddr4 *p,
	   uint32_t n, enum acl_op op, char **err)
{
	struct acl_list_ctl *l;
	uint64_t *in = NULL, *out;
	uint32_t n_in = 0, k = 0, i = 0, j = 0;
	int rc;

	if (!ready)
		return plb_err(err, -EAGAIN, "access lists are not set up");
	if (which != PLB_ACL_LIST_DENY && which != PLB_ACL_LIST_ALLOW)
		return plb_err(err, -EINVAL, "no such list %d", (int)which);
	if (n > 0 && p == NULL)
		return plb_err(err, -EINVAL, "no prefixes given");
	if ((rc = acl_canon(p, n, &in, &n_in, err)) != 0)
		return rc;
	/* creating a scope for a del, or a set to nothing, would only make an empty box */
	rc = acl_lists_get(sc, op != ACL_DEL && n_in > 0, &l, err);
	if (rc || l == NULL) {
		free(in);
		return rc;	/* 0: an unknown-but-existing service with no lists, nothing to remove */
	}
	l += which;
	if (op == ACL_SET) {
		out = in;
		k = n_in;
	} else {
		out = malloc(((size_t)l->n + n_in + 1) * sizeof(*out));
		if (out == NULL) {
			free(in);
			return plb_err(err, -ENOMEM, "out of memory");
		}
		while (i < l->n || j < n_in) {
			if (j == n_in || (i < l->n && l->set[i] < in[j])) {
				out[k++] = l->set[i++];
			} else if (i == l->n || in[j] < l->set[i]) {
				if (op == ACL_ADD)
					out[k++] = in[j];
				j++;
			} else {	/* in both */
				if (op == ACL_ADD)
					out[k++] = l->set[i];
				i++;
				j++;
			}
		}
		free(in);
	}
	if (k > limit) {
		free(out);
		return plb_err(err, -ENOSPC, "the %s list would hold %u prefixes, more than the limit of %u",
			       list_name[which], k, limit);
	}
	if (op != ACL_SET && k == l->n) {
		free(out);	/* nothing added or removed: keep the version */
		return 0;
	}
	return acl_commit(l, out, k, err);
}

int
plb_acl_add(const struct plb_acl_scope *sc, enum plb_acl_list l, const struct plb_ifaddr4 *p,
	    uint32_t n, char **err)
{
	return acl_change(sc, l, p, n, ACL_ADD, err);
}

int
plb_acl_del(const struct plb_acl_scope *sc, enum plb_acl_list l, const struct plb_ifaddr4 *p,
	    uint32_t n, char **err)
{
	return acl_change(sc, l, p, n, ACL_DEL, err);
}

int
plb_acl_set(const struct plb_acl_scope *sc, enum plb_acl_list l, const struct plb_ifaddr4 *p,
	    uint32_t n, char **err)
{
	return acl_change(sc, l, p, n, ACL_SET, err);
}

uint32_t
plb_acl_size(const struct plb_acl_scope *sc, enum plb_acl_list l)
{
	const struct acl_list_ctl *lc = (l == PLB_ACL_LIST_DENY || l == PLB_ACL_LIST_ALLOW) ?
					acl_lists_find(sc) : NULL;

	return lc ? lc[l].n : 0;
}

uint64_t
plb_acl_hits(const struct plb_acl_scope *sc, enum plb_acl_list l)
{
	const struct acl_list_ctl *lc = (l == PLB_ACL_LIST_DENY || l == PLB_ACL_LIST_ALLOW) ?
					acl_lists_find(sc) : NULL;
	uint64_t sum = 0;

	for (uint32_t s = 0; lc && lc[l].hits && s < n_slots; s++)
		sum += __atomic_load_n(&lc[l].hits[s * ACL_HIT_STRIDE], __ATOMIC_RELAXED);
	return sum;
}

int
plb_acl_prefixes(const struct plb_acl_scope *sc, enum plb_acl_list l, struct plb_ifaddr4 **out,
		 uint32_t *n)
{
	const struct acl_list_ctl *lc = (l == PLB_ACL_LIST_DENY || l == PLB_ACL_LIST_ALLOW) ?
					acl_lists_find(sc) : NULL;
	uint32_t cnt = lc ? lc[l].n : 0;
	struct plb_ifaddr4 *p = calloc(cnt + 1, sizeof(*p));

	*out = NULL;
	*n = 0;
	if (p == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < cnt; i++) {
		p[i].addr = htonl((uint32_t)(lc[l].set[i] >> 8));
		p[i].prefix_len = lc[l].set[i] & 0xff;
	}
	*out = p;
	*n = cnt;
	return 0;
}

void
plb_acl_foreach_scope(void (*fn)(const struct plb_acl_scope *sc, void *arg), void *arg)
{
	struct plb_acl_scope global = { .svc = 0 };

	fn(&global, arg);
	for (uint32_t i = 0; i < n_scopes; i++) {
		struct acl_scope_box *b = scopes[i];

		/* a box emptied after its service went away is of no interest */
		if (b->l[0].n == 0 && b->l[1].n == 0 && !acl_service_exists(&b->id))
			continue;
		fn(&b->id, arg);
	}
}

void
plb_acl_set_limit(uint32_t max_prefixes)
{
	limit = max_prefixes ? max_prefixes : ACL_DEFAULT_LIMIT;
}

uint32_t
plb_acl_limit(void)
{
	return limit;
}

int
plb_acl_init(uint32_t n_workers, char **err)
{
	struct acl_version *v;

	plb_acl_fini();
	n_slots = n_workers + 1;
	for (int i = 0; i < 2; i++)
		if ((global_l[i].hits = acl_hits_new()) == NULL)
			goto err_nomem;
	v = acl_version_build();
	if (v == NULL)
		goto err_nomem;
	__atomic_store_n(&current, v, __ATOMIC_RELEASE);
	ready = 1;
	return 0;

err_nomem:
	plb_acl_fini();
	return plb_err(err, -ENOMEM, "acl: out of memory");
}

static void
acl_lists_clear(struct acl_list_ctl *l)
{
	for (int i = 0; i < 2; i++) {
		acl_match_free(l[i].m);
		free(l[i].set);
		free(l[i].hits);
		memset(&l[i], 0, sizeof(l[i]));
	}
}

void
plb_acl_fini(void)
{
	struct acl_version *v = current;

	__atomic_store_n(&current, NULL, __ATOMIC_RELEASE);
	if (v)
		plb_rcu_synchronize();
	acl_version_free(v);
	acl_lists_clear(global_l);
	for (uint32_t i = 0; i < n_scopes; i++) {
		acl_lists_clear(scopes[i]->l);
		free(scopes[i]);
	}
	free(scopes);
	scopes = NULL;
	n_scopes = 0;
	ready = 0;
}
