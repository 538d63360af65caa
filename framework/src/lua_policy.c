/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.lua: the policy transaction. Each entry into Lua (loading the
 * scripts, a timer, an event) opens one; the plb.* calls stage their changes
 * here (a copy of the service specs, down flags included, and the ACL edits
 * in call order), and lpol_commit() applies them when the Lua code returned
 * without error, all or nothing: every ACL edit is checked first (prefixes,
 * list sizes), then the services go with one plb_svc_replace() and the ACL
 * edits one by one; an edit that still fails (ENOMEM) rolls back the ones
 * before it and the services. A failed entry calls lpol_abort() and nothing
 * it asked for happens. plb -t runs the scripts on a copy of the config's
 * services (lpol_begin_check) and never commits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <plb/log.h>

#include "lua_int.h"
#include "lua_runtime.h"
#include "svc.h"

/*
 * The most prefixes a list may hold: acl.h documents the default of
 * plb_acl_set_limit() but has no getter, so an edit past a lower limit set
 * there is caught when it is applied (and rolled back), not beforehand.
 */

struct lpol_aclop {
	enum lpol_acl_op op;
	struct plb_acl_scope sc;
	enum plb_acl_list l;
	struct plb_ifaddr4 *p;
	uint32_t n;
};

/* A list the transaction edits: what it holds now (for a rollback), what it will hold. */
struct lpol_list {
	struct plb_acl_scope sc;
	enum plb_acl_list l;
	struct plb_ifaddr4 *saved;	/* plb_acl_prefixes() before the commit */
	uint32_t n_saved;
	uint64_t *set;			/* sorted (addr host order << 8 | len), unique */
	uint32_t n;
	int applied;			/* an edit of it was published */
};

/* A dest whose down flag the transaction changes. */
struct lpol_ev {
	uint8_t proto;
	uint32_t vip, addr;
	uint16_t port, dport;
	int up;
};

static struct {
	int open;
	int check;			/* plb -t: specs from the config, no commit */
	int staged;			/* specs is our copy */
	struct plb_conf_svc *specs;
	uint32_t n_specs;
	struct lpol_aclop *ops;
	uint32_t n_ops;
} tx;

static void
lpol_clear_tx(void)
{
	if (tx.staged)
		plb_specs_free(tx.specs, tx.n_specs);
	for (uint32_t i = 0; i < tx.n_ops; i++)
		free(tx.ops[i].p);
	free(tx.ops);
	memset(&tx, 0, sizeof(tx));
}

void
lpol_begin(void)
{
	lpol_clear_tx();
	tx.open = 1;
}

int
lpol_begin_check(const struct plb_conf_svc *specs, uint32_t n, char **err)
{
	lpol_clear_tx();
	if (plb_specs_copy(&tx.specs, specs, n) != 0)
		return plb_err(err, -ENOMEM, "out of memory");
	tx.n_specs = n;
	tx.staged = 1;
	tx.check = 1;
	tx.open = 1;
	return 0;
}

void
lpol_abort(void)
{
	lpol_clear_tx();
}

int
lpol_active(void)
{
	return tx.open;
}

int
lpol_checking(void)
{
	return tx.check;
}

const struct plb_conf_svc *
lpol_specs(uint32_t *n)
{
	if (tx.staged) {
		*n = tx.n_specs;
		return tx.specs;
	}
	return plb_svc_specs(n);
}

int
lpol_svc_find(const struct lpol_svc *s)
{
	uint32_t n;
	const struct plb_conf_svc *sp = lpol_specs(&n);

	return plb_spec_find(sp, n, s->proto, s->vip, s->port);
}

static int
lpol_dest_in(const struct plb_conf_svc *s, uint32_t addr, uint16_t port)
{
	for (uint32_t i = 0; i < s->n_dests; i++)
		if (s->dests[i].addr == addr && s->dests[i].port == port)
			return (int)i;
	return -1;
}

int
lpol_dest_find(int si, uint32_t addr, uint16_t port)
{
	uint32_t n;
	const struct plb_conf_svc *sp = lpol_specs(&n);

	if (si < 0 || (uint32_t)si >= n)
		return -1;
	return lpol_dest_in(&sp[si], addr, port);
}

/* Make the transaction's own copy of the specs before the first change. */
static int
lpol_stage(char **err)
{
	const struct plb_conf_svc *live;
	uint32_t n;

	if (tx.staged)
		return 0;
	live = plb_svc_specs(&n);
	if (plb_specs_copy(&tx.specs, live, n) != 0)
		return plb_err(err, -ENOMEM, "out of memory");
	tx.n_specs = n;
	tx.staged = 1;
	return 0;
}

int
lpol_set_weight(int si, int di, uint32_t w, char **err)
{
	uint32_t n;
	const struct plb_conf_svc *sp = lpol_specs(&n);
	int rc;

	if (sp[si].dests[di].weight == w)
		return 0;
	if ((rc = lpol_stage(err)) != 0)
		return rc;
	tx.specs[si].dests[di].weight = w;
	return 0;
}

int
lpol_set_down(int si, int di, int down, char **err)
{
	uint32_t n;
	const struct plb_conf_svc *sp = lpol_specs(&n);
	int rc;

	if (!sp[si].dests[di].down == !down)
		return 0;
	if ((rc = lpol_stage(err)) != 0)
		return rc;
	tx.specs[si].dests[di].down = !!down;
	return 0;
}

int
lpol_acl(enum lpol_acl_op op, const struct plb_acl_scope *sc, enum plb_acl_list l,
	 struct plb_ifaddr4 *p, uint32_t n, char **err)
{
	struct lpol_aclop *o = realloc(tx.ops, (tx.n_ops + 1) * sizeof(*o));

	if (o == NULL) {
		free(p);
		return plb_err(err, -ENOMEM, "out of memory");
	}
	tx.ops = o;
	tx.ops[tx.n_ops++] = (struct lpol_aclop){ .op = op, .sc = *sc, .l = l, .p = p, .n = n };
	return 0;
}

/* ---- checking the ACL edits ---- */

static const char *
lpol_scope_str(const struct plb_acl_scope *sc, enum plb_acl_list l, char *buf, size_t len)
{
	char vip[INET_ADDRSTRLEN];

	if (!sc->svc) {
		snprintf(buf, len, "global %s list", l == PLB_ACL_LIST_DENY ? "deny" : "allow");
		return buf;
	}
	inet_ntop(AF_INET, &sc->vip, vip, sizeof(vip));
	snprintf(buf, len, "%s list of %s:%s:%u", l == PLB_ACL_LIST_DENY ? "deny" : "allow",
		 sc->proto == IPPROTO_UDP ? "udp" : "tcp", vip, sc->port);
	return buf;
}

static int
lpol_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* @p as a sorted unique set (malloc'ed *out, *k entries); -EINVAL on a bad prefix. */
static int
lpol_canon(const struct plb_ifaddr4 *p, uint32_t n, uint64_t **out, uint32_t *k, char **err)
{
	uint64_t *s = malloc(((size_t)n + 1) * sizeof(*s));
	uint32_t m = 0;

	if (s == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = ntohl(p[i].addr), len = p[i].prefix_len;

		if (len > 32 || (len < 32 && (a & (0xffffffffu >> len)))) {
			free(s);
			return plb_err(err, -EINVAL, "prefixes[%u]: not a prefix (length %u)", i + 1,
				       len);
		}
		s[i] = (uint64_t)a << 8 | len;
	}
	qsort(s, n, sizeof(*s), lpol_u64_cmp);
	for (uint32_t i = 0; i < n; i++)
		if (m == 0 || s[m - 1] != s[i])
			s[m++] = s[i];
	*out = s;
	*k = m;
	return 0;
}

static void
lpol_lists_free(struct lpol_list *ls, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		free(ls[i].saved);
		free(ls[i].set);
	}
	free(ls);
}

/* The entry of (@sc, @l) in @ls, added with the list in force when new; NULL on ENOMEM. */
static struct lpol_list *
lpol_list_get(struct lpol_list **ls, uint32_t *n, const struct plb_acl_scope *sc,
	      enum plb_acl_list l)
{
	struct lpol_list *g, *e;
	char *err = NULL;

	for (uint32_t i = 0; i < *n; i++) {
		e = &(*ls)[i];
		if (e->l == l && e->sc.svc == sc->svc && (!sc->svc || (e->sc.proto == sc->proto &&
		    e->sc.vip == sc->vip && e->sc.port == sc->port)))
			return e;
	}
	g = realloc(*ls, (*n + 1) * sizeof(*g));
	if (g == NULL)
		return NULL;
	*ls = g;
	e = &g[*n];
	memset(e, 0, sizeof(*e));
	e->sc = *sc;
	e->l = l;
	if (plb_acl_prefixes(sc, l, &e->saved, &e->n_saved) != 0)
		return NULL;
	(*n)++;
	if (lpol_canon(e->saved, e->n_saved, &e->set, &e->n, &err) != 0) {
		free(err);
		return NULL;
	}
	return e;
}

/* Apply edit @o to the list image @e (a sorted merge, as acl.c does). */
static int
lpol_list_edit(struct lpol_list *e, const struct lpol_aclop *o, uint32_t idx, char **err)
{
	uint64_t *in, *out;
	uint32_t n_in, i = 0, j = 0, k = 0;
	char *why = NULL;
	int rc = lpol_canon(o->p, o->n, &in, &n_in, &why);

	if (rc != 0) {
		plb_err(err, rc, "access-list edit %u: %s", idx + 1, why ? why : "?");
		free(why);
		return rc;
	}
	if (o->op == LPOL_ACL_SET) {
		free(e->set);
		e->set = in;
		e->n = n_in;
		return 0;
	}
	out = malloc(((size_t)e->n + n_in + 1) * sizeof(*out));
	if (out == NULL) {
		free(in);
		return plb_err(err, -ENOMEM, "out of memory");
	}
	while (i < e->n || j < n_in) {
		if (j == n_in || (i < e->n && e->set[i] < in[j])) {
			out[k++] = e->set[i++];
		} else if (i == e->n || in[j] < e->set[i]) {
			if (o->op == LPOL_ACL_ADD)
				out[k++] = in[j];
			j++;
		} else {
			if (o->op == LPOL_ACL_ADD)
				out[k++] = e->set[i];
			i++;
			j++;
		}
	}
	free(in);
	free(e->set);
	e->set = out;
	e->n = k;
	return 0;
}

/* Check every ACL edit on images of the lists; *ls gets one entry per list touched. */
static int
lpol_acl_plan(struct lpol_list **ls, uint32_t *n, char **err)
{
	char name[80];

	*ls = NULL;
	*n = 0;
	for (uint32_t i = 0; i < tx.n_ops; i++) {
		const struct lpol_aclop *o = &tx.ops[i];
		struct lpol_list *e = lpol_list_get(ls, n, &o->sc, o->l);
		int rc;

		if (e == NULL)
			return plb_err(err, -ENOMEM, "out of memory");
		if ((rc = lpol_list_edit(e, o, i, err)) != 0)
			return rc;
		if (e->n > plb_acl_limit())
			return plb_err(err, -ENOSPC, "the %s would hold %u prefixes, more than the "
				       "limit of %u", lpol_scope_str(&o->sc, o->l, name, sizeof(name)),
				       e->n, plb_acl_limit());
	}
	return 0;
}

/* ---- commit ---- */

/* The dests whose down flag the staged specs change, in *evs (*n entries). */
static int
lpol_diff_downs(struct lpol_ev **evs, uint32_t *n, char **err)
{
	uint32_t n_live;
	const struct plb_conf_svc *live = plb_svc_specs(&n_live);

	*evs = NULL;
	*n = 0;
	for (uint32_t si = 0; tx.staged && si < tx.n_specs; si++) {
		const struct plb_conf_svc *s = &tx.specs[si];
		int li = plb_spec_find(live, n_live, s->proto, s->vip, s->port);

		for (uint32_t di = 0; li >= 0 && di < s->n_dests; di++) {
			const struct plb_conf_dest *d = &s->dests[di];
			int ld = lpol_dest_in(&live[li], d->addr, d->port);
			struct lpol_ev *e;

			if (ld < 0 || !live[li].dests[ld].down == !d->down)
				continue;
			e = realloc(*evs, (*n + 1) * sizeof(*e));
			if (e == NULL)
				return plb_err(err, -ENOMEM, "out of memory");
			*evs = e;
			e[(*n)++] = (struct lpol_ev){ .proto = s->proto, .vip = s->vip, .port = s->port,
						      .addr = d->addr, .dport = d->port, .up = !d->down };
		}
	}
	return 0;
}

static int
lpol_apply(const struct lpol_aclop *o, char **err)
{
	switch (o->op) {
	case LPOL_ACL_ADD:
		return plb_acl_add(&o->sc, o->l, o->p, o->n, err);
	case LPOL_ACL_DEL:
		return plb_acl_del(&o->sc, o->l, o->p, o->n, err);
	default:
		return plb_acl_set(&o->sc, o->l, o->p, o->n, err);
	}
}

/* An ACL edit failed after others and the services were published: put them back. */
static void
lpol_rollback(struct lpol_list *ls, uint32_t n_ls, const struct plb_conf_svc *old, uint32_t n_old,
	      int svc_applied, const char *why)
{
	char name[80];
	int bad = 0;

	PLB_LOG(ERR, LUA_LOG, "applying a transaction failed part-way (%s): rolling back", why);
	for (uint32_t i = n_ls; i-- > 0;) {
		char *err = NULL;

		if (!ls[i].applied)
			continue;
		if (plb_acl_set(&ls[i].sc, ls[i].l, ls[i].saved, ls[i].n_saved, &err) != 0) {
			PLB_LOG(ERR, LUA_LOG, "rollback: the %s stays changed: %s",
				lpol_scope_str(&ls[i].sc, ls[i].l, name, sizeof(name)), err ? err : "?");
			bad = 1;
		}
		free(err);
	}
	if (svc_applied) {
		char *err = NULL;

		if (plb_svc_replace(old, n_old, "lua rollback", &err) != 0) {
			PLB_LOG(ERR, LUA_LOG, "rollback: the service changes stay: %s",
				err ? err : "?");
			bad = 1;
		}
		free(err);
	}
	if (!bad)
		PLB_LOG(NOTICE, LUA_LOG, "rolled back: the policy is as before the transaction");
}

int
lpol_commit(char **err)
{
	struct plb_conf_svc *old = NULL;
	struct lpol_list *ls = NULL;
	struct lpol_ev *evs = NULL;
	uint32_t n_ls = 0, n_evs = 0, n_old = 0;
	int rc, svc_applied = 0;

	if (tx.check) {
		rc = plb_err(err, -EPERM, "plb -t applies nothing");
		goto out;
	}
	if ((rc = lpol_acl_plan(&ls, &n_ls, err)) != 0 || (rc = lpol_diff_downs(&evs, &n_evs, err)) != 0)
		goto out;
	if (tx.staged) {
		const struct plb_conf_svc *live = plb_svc_specs(&n_old);

		if (tx.n_ops > 0 && plb_specs_copy(&old, live, n_old) != 0) {
			rc = plb_err(err, -ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = plb_svc_replace(tx.specs, tx.n_specs, "lua", err)) != 0)
			goto out;
		svc_applied = 1;
	}
	for (uint32_t i = 0; i < tx.n_ops; i++) {
		const struct lpol_aclop *o = &tx.ops[i];
		struct lpol_list *e = lpol_list_get(&ls, &n_ls, &o->sc, o->l);

		rc = lpol_apply(o, err);
		if (rc != 0) {
			lpol_rollback(ls, n_ls, old, n_old, svc_applied, err && *err ? *err : "?");
			goto out;
		}
		if (e != NULL)
			e->applied = 1;
	}
	for (uint32_t i = 0; i < n_evs; i++)
		plb_lua_dest_event(evs[i].proto, evs[i].vip, evs[i].port, evs[i].addr, evs[i].dport,
				   evs[i].up);
out:
	if (old != NULL)
		plb_specs_free(old, n_old);
	lpol_lists_free(ls, n_ls);
	free(evs);
	lpol_clear_tx();
	return rc;
}
