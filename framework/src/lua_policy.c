/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.lua: the policy transaction. Each entry into Lua (loading the
 * scripts, a timer, an event) opens one; the plb.* calls stage their changes
 * here (a copy of the service specs, the ACL edits in call order, the down
 * marks), and lpol_commit() applies them when the Lua code returned without
 * error: the services with one plb_svc_replace() (a new RCU version), then
 * the ACL edits (each a new RCU version of the lists). A failed entry calls
 * lpol_abort() and nothing it asked for happens.
 *
 * Down marks: the config has no per-dest `down` flag yet, so plb.down() sets
 * the weight to 0 and remembers the weight plb.up() restores (kept here,
 * across script reloads).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <plb/log.h>

#include "lua_int.h"
#include "lua_runtime.h"
#include "svc.h"

struct lpol_down {
	uint8_t proto;
	uint32_t vip;
	uint16_t port;
	uint32_t addr;
	uint16_t dport;
	uint32_t weight;	/* what plb.up() restores */
};

struct lpol_aclop {
	enum lpol_acl_op op;
	struct plb_acl_scope sc;
	enum plb_acl_list l;
	struct plb_ifaddr4 *p;
	uint32_t n;
};

struct lpol_ev {
	struct lpol_down d;
	int up;
};

static struct {
	int open;
	int staged;			/* specs is our copy */
	struct plb_conf_svc *specs;
	uint32_t n_specs;
	struct lpol_down *downs;	/* the transaction's copy of the marks */
	uint32_t n_downs;
	struct lpol_aclop *ops;
	uint32_t n_ops;
	struct lpol_ev *evs;
	uint32_t n_evs;
} tx;

static struct lpol_down *downs;	/* committed marks */
static uint32_t n_downs;

static void
lpol_clear_tx(void)
{
	if (tx.staged)
		plb_specs_free(tx.specs, tx.n_specs);
	for (uint32_t i = 0; i < tx.n_ops; i++)
		free(tx.ops[i].p);
	free(tx.ops);
	free(tx.downs);
	free(tx.evs);
	memset(&tx, 0, sizeof(tx));
}

void
lpol_begin(void)
{
	lpol_clear_tx();
	tx.open = 1;
	if (n_downs) {
		tx.downs = malloc(n_downs * sizeof(*downs));
		if (tx.downs != NULL) {
			memcpy(tx.downs, downs, n_downs * sizeof(*downs));
			tx.n_downs = n_downs;
		}
	}
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

int
lpol_dest_find(int si, uint32_t addr, uint16_t port)
{
	uint32_t n;
	const struct plb_conf_svc *sp = lpol_specs(&n);

	if (si < 0 || (uint32_t)si >= n)
		return -1;
	for (uint32_t i = 0; i < sp[si].n_dests; i++)
		if (sp[si].dests[i].addr == addr && sp[si].dests[i].port == port)
			return (int)i;
	return -1;
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

static int
lpol_down_find(const struct plb_conf_svc *s, const struct plb_conf_dest *d)
{
	for (uint32_t i = 0; i < tx.n_downs; i++) {
		const struct lpol_down *m = &tx.downs[i];

		if (m->proto == s->proto && m->vip == s->vip && m->port == s->port &&
		    m->addr == d->addr && m->dport == d->port)
			return (int)i;
	}
	return -1;
}

int
lpol_is_down(int si, int di, uint32_t *weight)
{
	uint32_t n;
	const struct plb_conf_svc *sp = lpol_specs(&n);
	int i = lpol_down_find(&sp[si], &sp[si].dests[di]);

	if (i < 0)
		return 0;
	if (weight)
		*weight = tx.downs[i].weight;
	return 1;
}

/* Stage weight @w for dest (si, di), unless it already has it. */
static int
lpol_weight(int si, int di, uint32_t w, char **err)
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
lpol_set_weight(int si, int di, uint32_t w, char **err)
{
	uint32_t n, weight;
	const struct plb_conf_svc *sp = lpol_specs(&n);

	if (lpol_is_down(si, di, &weight)) {
		tx.downs[lpol_down_find(&sp[si], &sp[si].dests[di])].weight = w;
		return 0;
	}
	return lpol_weight(si, di, w, err);
}

static int
lpol_event(const struct lpol_down *d, int up, char **err)
{
	struct lpol_ev *e = realloc(tx.evs, (tx.n_evs + 1) * sizeof(*e));

	if (e == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	tx.evs = e;
	tx.evs[tx.n_evs].d = *d;
	tx.evs[tx.n_evs++].up = up;
	return 0;
}

int
lpol_set_down(int si, int di, int down, char **err)
{
	uint32_t n;
	const struct plb_conf_svc *sp = lpol_specs(&n);
	const struct plb_conf_svc *s = &sp[si];
	const struct plb_conf_dest *d = &s->dests[di];
	int i = lpol_down_find(s, d), rc;
	struct lpol_down m = {
		.proto = s->proto, .vip = s->vip, .port = s->port, .addr = d->addr,
		.dport = d->port, .weight = d->weight,
	};

	if (down && i < 0) {
		struct lpol_down *nd = realloc(tx.downs, (tx.n_downs + 1) * sizeof(*nd));

		if (nd == NULL)
			return plb_err(err, -ENOMEM, "out of memory");
		tx.downs = nd;
		if ((rc = lpol_weight(si, di, 0, err)) != 0 || (rc = lpol_event(&m, 0, err)) != 0)
			return rc;
		tx.downs[tx.n_downs++] = m;
	} else if (!down && i >= 0) {
		m.weight = tx.downs[i].weight;
		if ((rc = lpol_weight(si, di, m.weight, err)) != 0 || (rc = lpol_event(&m, 1, err)) != 0)
			return rc;
		tx.downs[i] = tx.downs[--tx.n_downs];
	}
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

int
lpol_commit(char **err)
{
	int rc = 0;

	if (tx.staged && (rc = plb_svc_replace(tx.specs, tx.n_specs, "lua", err)) != 0)
		goto out;
	for (uint32_t i = 0; i < tx.n_ops; i++) {
		const struct lpol_aclop *o = &tx.ops[i];

		switch (o->op) {
		case LPOL_ACL_ADD:
			rc = plb_acl_add(&o->sc, o->l, o->p, o->n, err);
			break;
		case LPOL_ACL_DEL:
			rc = plb_acl_del(&o->sc, o->l, o->p, o->n, err);
			break;
		default:
			rc = plb_acl_set(&o->sc, o->l, o->p, o->n, err);
			break;
		}
		if (rc != 0)
			goto out;
	}
	free(downs);
	downs = tx.downs;
	n_downs = tx.n_downs;
	tx.downs = NULL;
	for (uint32_t i = 0; i < tx.n_evs; i++) {
		const struct lpol_down *d = &tx.evs[i].d;

		plb_lua_dest_event(d->proto, d->vip, d->port, d->addr, d->dport, tx.evs[i].up);
	}
out:
	lpol_clear_tx();
	return rc;
}

void
lpol_reapply_downs(void)
{
	char *err = NULL;
	uint32_t kept = 0;

	if (n_downs == 0)
		return;
	lpol_begin();
	for (uint32_t i = 0; i < tx.n_downs; i++) {
		struct lpol_down *m = &tx.downs[i];
		struct lpol_svc s = { .proto = m->proto, .vip = m->vip, .port = m->port };
		int si = lpol_svc_find(&s), di = lpol_dest_find(si, m->addr, m->dport);
		uint32_t n;

		if (di < 0)
			continue;	/* gone from the services: forget the mark */
		m->weight = lpol_specs(&n)[si].dests[di].weight;
		if (lpol_weight(si, di, 0, &err) != 0)
			break;
		tx.downs[kept++] = *m;
	}
	tx.n_downs = kept;
	if (err != NULL || lpol_commit(&err) != 0) {
		PLB_LOG(ERR, LUA_LOG, "reload: cannot mark the down dests down again: %s",
			err ? err : "?");
		lpol_abort();
	}
	free(err);
}

void
lpol_reset(void)
{
	lpol_clear_tx();
	free(downs);
	downs = NULL;
	n_downs = 0;
}
