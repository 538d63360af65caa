/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.registry: ethertype -> L3 handler, hook point -> chain, IP protocol ->
 * L4 protocol, name -> scheduler, name -> forwarding mode. Written only on
 * the control thread before the workers start (the loader), read without
 * locks by the workers afterwards. Sizes grow on demand: no fixed limits.
 */
#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include <rte_branch_prediction.h>

#include "registry.h"

struct named_ops {
	char *name;
	const void *ops;
};

struct named_table {
	struct named_ops *v;
	uint32_t n, cap;
};

struct hook_chain {
	const struct plb_hook_reg **v;
	uint32_t n, cap;
};

static const struct plb_l3_ops **l3_tab;	/* small: linear scan of a handful */
static const struct plb_l3_ops *neigh_v4, *neigh_v6;	/* resolvers by address family */
static uint32_t l3_n, l3_cap;
static const struct plb_proto_ops *proto_tab[256];
static struct hook_chain chains[PLB_HOOK_POINTS];
static struct named_table sched_tab, fwd_tab;
static uint64_t hook_repeat_drops;

static int
grow(void **v, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t ncap;
	void *nv;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	nv = realloc(*v, (size_t)ncap * elem);
	if (nv == NULL)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

static const struct plb_l3_ops **
neigh_slot(uint8_t af)
{
	return af == AF_INET ? &neigh_v4 : af == AF_INET6 ? &neigh_v6 : NULL;
}

int
plb_reg_l3_add(const struct plb_l3_ops *ops)
{
	if (ops == NULL || ops->parse == NULL || ops->rcv == NULL)
		return -EINVAL;
	if (plb_reg_l3_get(ops->ethertype))
		return -EEXIST;
	if (ops->neigh_output) {
		const struct plb_l3_ops **slot = neigh_slot(ops->neigh_af);

		if (slot == NULL)
			return -EINVAL;
		if (*slot)
			return -EEXIST;
	}
	if (grow((void **)&l3_tab, &l3_cap, l3_n + 1, sizeof(*l3_tab)))
		return -ENOMEM;
	l3_tab[l3_n++] = ops;
	if (ops->neigh_output)
		*neigh_slot(ops->neigh_af) = ops;
	return 0;
}

enum plb_verdict
plb_l3_output(struct plb_pkt *pkt)
{
	const struct plb_l3_ops *l3 = plb_reg_l3_get(pkt->ethertype);

	if (unlikely(l3 == NULL || l3->output == NULL))
		return PLB_DROP;
	return l3->output(pkt);
}

enum plb_verdict
plb_neigh_output(struct plb_pkt *pkt, uint16_t port, const struct plb_addr *nexthop)
{
	const struct plb_l3_ops *l3 = pkt->af == AF_INET ? neigh_v4 : neigh_v6;

	if (unlikely(l3 == NULL))
		return PLB_DROP;
	return l3->neigh_output(pkt, port, nexthop);
}

const struct plb_l3_ops *
plb_reg_l3_get(uint16_t ethertype)
{
	for (uint32_t i = 0; i < l3_n; i++)
		if (l3_tab[i]->ethertype == ethertype)
			return l3_tab[i];
	return NULL;
}

int
plb_reg_proto_add(const struct plb_proto_ops *ops)
{
	if (ops == NULL || ops->parse == NULL)
		return -EINVAL;
	if (proto_tab[ops->ipproto])
		return -EEXIST;
	proto_tab[ops->ipproto] = ops;
	return 0;
}

const struct plb_proto_ops *
plb_proto_get(uint8_t ipproto)
{
	return proto_tab[ipproto];
}

int
plb_reg_hook_add(const struct plb_hook_reg *reg)
{
	struct hook_chain *c;
	uint32_t pos;

	if (reg == NULL || reg->fn == NULL || (unsigned)reg->point >= PLB_HOOK_POINTS)
		return -EINVAL;
	c = &chains[reg->point];
	for (uint32_t i = 0; i < c->n; i++)
		if (c->v[i] == reg || (c->v[i]->fn == reg->fn && c->v[i]->priv == reg->priv))
			return -EEXIST;
	if (grow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v)))
		return -ENOMEM;
	/* after every hook of lower or equal priority: ties keep registration order */
	for (pos = c->n; pos > 0 && c->v[pos - 1]->priority > reg->priority; pos--)
		c->v[pos] = c->v[pos - 1];
	c->v[pos] = reg;
	c->n++;
	return 0;
}

const struct plb_hook_reg *const *
plb_reg_hook_chain(enum plb_hook_point point, uint32_t *n)
{
	if ((unsigned)point >= PLB_HOOK_POINTS) {
		*n = 0;
		return NULL;
	}
	*n = chains[point].n;
	return chains[point].v;
}

enum plb_verdict
plb_hook_run(enum plb_hook_point point, struct plb_pkt *pkt)
{
	const struct hook_chain *c = &chains[point];
	uint32_t repeats = 0;
	uint32_t i = 0;

	while (i < c->n) {
		const struct plb_hook_reg *r = c->v[i];

		switch (r->fn(r->priv, pkt)) {
		case PLB_ACCEPT:
			i++;
			break;
		case PLB_STOP:
			return PLB_ACCEPT;
		case PLB_STOLEN:
			return PLB_STOLEN;
		case PLB_REPEAT:
			if (++repeats > PLB_HOOK_MAX_REPEAT) {
				/* WHY not atomic: a statistic; a lost increment is harmless */
				hook_repeat_drops++;
				return PLB_DROP;
			}
			i = 0;
			break;
		case PLB_DROP:
		default:
			return PLB_DROP;
		}
	}
	return PLB_ACCEPT;
}

uint64_t
plb_reg_hook_repeat_drops(void)
{
	return hook_repeat_drops;
}

static int
named_add(struct named_table *t, const char *name, const void *ops)
{
	char *dup;

	if (name == NULL || name[0] == '\0' || ops == NULL)
		return -EINVAL;
	for (uint32_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return -EEXIST;
	if (grow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v)))
		return -ENOMEM;
	dup = strdup(name);
	if (dup == NULL)
		return -ENOMEM;
	t->v[t->n].name = dup;
	t->v[t->n].ops = ops;
	t->n++;
	return 0;
}

static const void *
named_get(const struct named_table *t, const char *name)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return t->v[i].ops;
	return NULL;
}

static void
named_reset(struct named_table *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int
plb_reg_sched_add(const char *name, const struct plb_sched_ops *ops)
{
	if (ops && ops->schedule == NULL)
		return -EINVAL;
	return named_add(&sched_tab, name, ops);
}

const struct plb_sched_ops *
plb_reg_sched_get(const char *name)
{
	return named_get(&sched_tab, name);
}

int
plb_reg_fwd_add(const char *name, const struct plb_fwd_ops *ops)
{
	if (ops && ops->xmit_in == NULL)
		return -EINVAL;
	return named_add(&fwd_tab, name, ops);
}

const struct plb_fwd_ops *
plb_reg_fwd_get(const char *name)
{
	return named_get(&fwd_tab, name);
}

void
plb_reg_l3_del(const struct plb_l3_ops *ops)
{
	for (uint32_t i = 0; i < l3_n; i++) {
		if (l3_tab[i] == ops) {
			memmove(&l3_tab[i], &l3_tab[i + 1], (l3_n - i - 1) * sizeof(*l3_tab));
			l3_n--;
			if (neigh_v4 == ops)
				neigh_v4 = NULL;
			if (neigh_v6 == ops)
				neigh_v6 = NULL;
			return;
		}
	}
}

void
plb_reg_hook_del(const struct plb_hook_reg *reg)
{
	struct hook_chain *c;

	if (reg == NULL || (unsigned)reg->point >= PLB_HOOK_POINTS)
		return;
	c = &chains[reg->point];
	for (uint32_t i = 0; i < c->n; i++) {
		if (c->v[i] == reg) {
			memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(*c->v));
			c->n--;
			return;
		}
	}
}

void
plb_reg_proto_del(const struct plb_proto_ops *ops)
{
	if (ops && proto_tab[ops->ipproto] == ops)
		proto_tab[ops->ipproto] = NULL;
}

static void
named_del(struct named_table *t, const char *name)
{
	for (uint32_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].name, name) == 0) {
			free(t->v[i].name);
			memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
			t->n--;
			return;
		}
	}
}

void
plb_reg_sched_del(const char *name)
{
	named_del(&sched_tab, name);
}

void
plb_reg_fwd_del(const char *name)
{
	named_del(&fwd_tab, name);
}

void
plb_reg_reset(void)
{
	free(l3_tab);
	l3_tab = NULL;
	l3_n = l3_cap = 0;
	neigh_v4 = neigh_v6 = NULL;
	memset(proto_tab, 0, sizeof(proto_tab));
	for (int p = 0; p < PLB_HOOK_POINTS; p++) {
		free(chains[p].v);
		memset(&chains[p], 0, sizeof(chains[p]));
	}
	named_reset(&sched_tab);
	named_reset(&fwd_tab);
	hook_repeat_drops = 0;
}
