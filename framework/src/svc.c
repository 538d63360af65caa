/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.svc: services as immutable versions published with RCU (see svc.h).
 * A version holds the services (each with its dests, per-worker scheduler
 * state and stats, the scheduler's and forwarding mode's tables), a hash
 * (af, proto, vip, vport) -> service and a hash IPv4 address -> what it is
 * to plb (port address, VIP with its protocols, FNAT local address).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <plb/fwd.h>
#include <plb/log.h>
#include <plb/port.h>
#include <plb/sched.h>

#include "loader.h"
#include "registry.h"
#include "runtime.h"
#include "svc.h"

#define LOG_TYPE "core.svc"

struct svc_key {
	uint32_t vaddr;
	uint16_t vport;
	uint8_t proto;
	uint8_t af;
};

/* address map value: kind | vip flags << 8 | port << 16 */
#define AV(kind, flags, port) ((uintptr_t)(kind) | (uintptr_t)(flags) << 8 | (uintptr_t)(port) << 16)

struct version {
	struct rte_hash *svc_h;		/* svc_key -> struct plb_svc * */
	struct rte_hash *addr_h;	/* uint32_t addr -> AV() */
	uint32_t n_svcs;
	struct plb_svc **svcs;
};

static struct version *current;	/* read by workers with an acquire load */
static struct rte_rcu_qsbr *qsbr;
static uint32_t n_workers;
static unsigned hash_seq;

/* ---- RCU ---- */

int
plb_rcu_init(uint32_t workers, char **err)
{
	size_t sz = rte_rcu_qsbr_get_memsize(workers);

	n_workers = workers;
	qsbr = rte_zmalloc("plb_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (qsbr == NULL || rte_rcu_qsbr_init(qsbr, workers) != 0)
		return plb_err(err, -ENOMEM, "rcu: cannot set up QSBR for %u workers", workers);
	for (uint32_t i = 0; i < workers; i++)
		rte_rcu_qsbr_thread_register(qsbr, i);
	return 0;
}

void
plb_rcu_online(uint32_t id)
{
	rte_rcu_qsbr_thread_online(qsbr, id);
}

void
plb_rcu_offline(uint32_t id)
{
	rte_rcu_qsbr_thread_offline(qsbr, id);
}

void
plb_rcu_quiescent(uint32_t id)
{
	rte_rcu_qsbr_quiescent(qsbr, id);
}

/* ---- lookups (SDK) ---- */

const struct plb_svc *
plb_svc_lookup(uint8_t af, uint8_t proto, const struct plb_addr *vaddr, uint16_t vport)
{
	const struct version *v = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
	struct svc_key k = { .vaddr = vaddr->v4, .vport = vport, .proto = proto, .af = af };
	void *data;

	if (unlikely(v == NULL || af != AF_INET))
		return NULL;
	if (rte_hash_lookup_data(v->svc_h, &k, &data) < 0)
		return NULL;
	return data;
}

static uintptr_t
addr_lookup(uint32_t addr)
{
	const struct version *v = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
	void *data;

	if (unlikely(v == NULL) || rte_hash_lookup_data(v->addr_h, &addr, &data) < 0)
		return 0;
	return (uintptr_t)data;
}

uint32_t
plb_vip4_flags(uint32_t addr)
{
	uintptr_t av = addr_lookup(addr);

	return (av & 0xff) == PLB_ADDR_VIP ? (av >> 8) & 0xff : 0;
}

enum plb_addr_kind
plb_addr4_kind(uint32_t addr, uint16_t *port)
{
	uintptr_t av = addr_lookup(addr);

	if (port)
		*port = (uint16_t)(av >> 16);
	return (enum plb_addr_kind)(av & 0xff);
}

void
plb_svc_foreach(void (*fn)(const struct plb_svc *svc, void *arg), void *arg)
{
	const struct version *v = current;

	for (uint32_t i = 0; v && i < v->n_svcs; i++)
		fn(v->svcs[i], arg);
}

/* ---- building a version ---- */

static const char *
svc_str(const struct plb_conf_svc *cs, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &cs->vip, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u/%s", ip, cs->port, cs->proto == IPPROTO_TCP ? "tcp" : "udp");
	return buf;
}

/* The ops of scheduler / forwarding mode @name, loading <prefix>_<name>.so if needed. */
static const void *
get_module_ops(const struct plb_conf *conf, const struct plb_env *env, const char *prefix,
	       const char *name, char **err)
{
	const void *ops = strcmp(prefix, "sched") == 0 ? (const void *)plb_reg_sched_get(name)
						       : (const void *)plb_reg_fwd_get(name);
	char stem[64];

	if (ops)
		return ops;
	snprintf(stem, sizeof(stem), "%s_%s", prefix, name);
	if (plb_loader_load(conf->module_path, stem, env, NULL, err) != 0)
		return NULL;
	return strcmp(prefix, "sched") == 0 ? (const void *)plb_reg_sched_get(name)
					    : (const void *)plb_reg_fwd_get(name);
}

static void
svc_free(struct plb_svc *svc)
{
	if (svc == NULL)
		return;
	if (svc->sched && svc->sched->free && svc->sched_state && svc->sched_state[0].table)
		svc->sched->free((void *)svc->sched_state[0].table);
	if (svc->fwd && svc->fwd->free && svc->fwd_table)
		svc->fwd->free(svc->fwd_table);
	for (uint32_t i = 0; svc->dests && i < svc->n_dests; i++) {
		if (svc->dests[i])
			free(svc->dests[i]->stats);
		free(svc->dests[i]);
	}
	free((void *)svc->dests);
	free((void *)svc->laddrs);
	free(svc->sched_state);
	free(svc->stats);
	free(svc);
}

static void *
zalloc_aligned(size_t n)
{
	void *p = aligned_alloc(64, (n + 63) & ~(size_t)63);

	if (p)
		memset(p, 0, n);
	return p;
}

/* Build one service from @cs; check mode builds and the caller frees. */
static int
svc_build(const struct plb_conf *conf, const struct plb_env *env, uint32_t idx,
	  struct plb_svc **out, char **err)
{
	const struct plb_conf_svc *cs = &conf->services[idx];
	uint32_t nw = env->n_workers ? env->n_workers : 1;
	struct plb_dest **dests;
	struct plb_addr *laddrs;
	struct plb_svc *svc;
	char *merr = NULL, name[64];
	void *table = NULL;
	int rc;

#define FAIL(code, ...) do { rc = (code); plb_err(err, rc, __VA_ARGS__); goto err_free; } while (0)
	svc = zalloc_aligned(sizeof(*svc));
	if (svc == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	svc->vaddr.v4 = cs->vip;
	svc->vport = htons(cs->port);
	svc->af = AF_INET;
	svc->proto = cs->proto;
	svc->flags = (cs->ops ? PLB_SVC_F_OPS : 0) | (cs->expire_quiescent ? PLB_SVC_F_EXPIRE_QUIESCENT : 0);
	svc->sched_name = cs->sched;
	svc->fwd_name = cs->fwd;
	dests = calloc(cs->n_dests ? cs->n_dests : 1, sizeof(*dests));
	laddrs = calloc(cs->n_laddrs ? cs->n_laddrs : 1, sizeof(*laddrs));
	svc->dests = dests;
	svc->laddrs = laddrs;
	svc->sched_state = zalloc_aligned(nw * sizeof(*svc->sched_state));
	svc->stats = zalloc_aligned(nw * sizeof(*svc->stats));
	if (!dests || !laddrs || !svc->sched_state || !svc->stats)
		FAIL(-ENOMEM, "out of memory");
	for (uint32_t i = 0; i < cs->n_dests; i++) {
		const struct plb_conf_dest *cd = &cs->dests[i];
		struct plb_dest *d = zalloc_aligned(sizeof(*d));

		if (d == NULL)
			FAIL(-ENOMEM, "out of memory");
		dests[i] = d;
		svc->n_dests = i + 1;
		d->addr.v4 = cd->addr;
		d->port = htons(cd->port);
		d->af = AF_INET;
		d->weight = cd->weight;
		d->idx = i;
		d->u_threshold = cd->u_threshold;
		d->l_threshold = cd->l_threshold;
		d->flags = cs->expire_quiescent ? PLB_DEST_F_EXPIRE_QUIESCENT : 0;
		d->stats = zalloc_aligned(nw * sizeof(*d->stats));
		if (d->stats == NULL)
			FAIL(-ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < cs->n_laddrs; i++)
		laddrs[i].v4 = cs->laddrs[i];
	svc->n_laddrs = cs->n_laddrs;

	svc->sched = get_module_ops(conf, env, "sched", cs->sched, &merr);
	if (svc->sched == NULL)
		FAIL(-EINVAL, "%s:%d: services[%u].scheduler: %s", conf->file, cs->line, idx,
		     merr ? merr : "no such scheduler");
	svc->fwd = get_module_ops(conf, env, "fwd", cs->fwd, &merr);
	if (svc->fwd == NULL)
		FAIL(-EINVAL, "%s:%d: services[%u].fwd: %s", conf->file, cs->line, idx,
		     merr ? merr : "no such forwarding mode");
	if (svc->sched->build) {
		rc = svc->sched->build(svc, cs->sched_opts, &table, &merr);
		if (rc)
			FAIL(rc < 0 ? rc : -EINVAL, "%s:%d: services[%u] %s: scheduler %s: %s", conf->file,
			     cs->line, idx, svc_str(cs, name, sizeof(name)), cs->sched,
			     merr ? merr : "build failed");
	}
	for (uint32_t w = 0; w < nw; w++) {
		svc->sched_state[w].table = table;
		svc->sched_state[w].worker = w;
	}
	if (svc->fwd->build) {
		rc = svc->fwd->build(svc, &svc->fwd_table, &merr);
		if (rc)
			FAIL(rc < 0 ? rc : -EINVAL, "%s:%d: services[%u] %s: %s: %s", conf->file, cs->line,
			     idx, svc_str(cs, name, sizeof(name)), cs->fwd, merr ? merr : "build failed");
	}
	free(merr);
	*out = svc;
	return 0;
err_free:
	if (svc->sched_state && svc->sched_state[0].table == NULL)
		svc->sched_state[0].table = table;
	free(merr);
	svc_free(svc);
	return rc;
#undef FAIL
}

int
plb_svc_check(const struct plb_conf *conf, const struct plb_env *env, char **err)
{
	for (uint32_t i = 0; i < conf->n_services; i++) {
		struct plb_svc *svc;
		int rc = svc_build(conf, env, i, &svc, err);

		if (rc)
			return rc;
		svc_free(svc);
	}
	return 0;
}

static struct rte_hash *
hash_new(const char *what, uint32_t entries, uint32_t key_len)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name, .entries = entries < 64 ? 64 : entries * 2, .key_len = key_len,
		.hash_func = rte_jhash, .socket_id = (int)rte_socket_id(),
	};

	snprintf(name, sizeof(name), "plb_%s_%u", what, hash_seq++);
	return rte_hash_create(&p);
}

static void
version_free(struct version *v)
{
	if (v == NULL)
		return;
	for (uint32_t i = 0; i < v->n_svcs; i++)
		svc_free(v->svcs[i]);
	free(v->svcs);
	rte_hash_free(v->svc_h);
	rte_hash_free(v->addr_h);
	free(v);
}

/* Enter @addr into the map with @kind; VIP flags accumulate. */
static int
addr_add(struct version *v, uint32_t addr, enum plb_addr_kind kind, uint32_t flags, uint16_t port)
{
	void *old;
	uintptr_t av = AV(kind, flags, port);

	if (rte_hash_lookup_data(v->addr_h, &addr, &old) >= 0) {
		uintptr_t o = (uintptr_t)old;

		if ((o & 0xff) == PLB_ADDR_VIP && kind == PLB_ADDR_VIP)
			av = AV(PLB_ADDR_VIP, ((o >> 8) & 0xff) | flags, 0);
		else if ((o & 0xff) == PLB_ADDR_IFADDR && kind == PLB_ADDR_LADDR)
			av = AV(PLB_ADDR_LADDR, 0, (o >> 16) & 0xffff);	/* a port address used as laddr */
		else if ((o & 0xff) != (uintptr_t)kind)
			return -EEXIST;
		else
			av = o;
	}
	return rte_hash_add_key_data(v->addr_h, &addr, (void *)av);
}

int
plb_svc_start(const struct plb_conf *conf, const struct plb_env *env, char **err)
{
	struct version *v = calloc(1, sizeof(*v));
	uint32_t n_addr = 0;
	int rc;

	if (v == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < conf->n_ports; i++)
		n_addr += conf->ports[i].n_addr4;
	for (uint32_t i = 0; i < conf->n_services; i++)
		n_addr += 1 + conf->services[i].n_laddrs;
	v->svc_h = hash_new("svc", conf->n_services, sizeof(struct svc_key));
	v->addr_h = hash_new("addr", n_addr, sizeof(uint32_t));
	v->svcs = calloc(conf->n_services ? conf->n_services : 1, sizeof(*v->svcs));
	if (!v->svc_h || !v->addr_h || !v->svcs) {
		version_free(v);
		return plb_err(err, -ENOMEM, "services: cannot create tables: %s", rte_strerror(rte_errno));
	}
	for (uint16_t i = 0; i < plb_port_count(); i++) {
		const struct plb_port_info *pi = plb_port_get(plb_ports()->ids[i]);

		for (uint32_t a = 0; a < pi->n_addr4; a++)
			addr_add(v, pi->addr4[a].addr, PLB_ADDR_IFADDR, 0, pi->id);
	}
	for (uint32_t i = 0; i < conf->n_services; i++) {
		const struct plb_conf_svc *cs = &conf->services[i];
		struct svc_key k = { .vaddr = cs->vip, .vport = htons(cs->port), .proto = cs->proto,
				     .af = AF_INET };
		struct plb_svc *svc;

		rc = svc_build(conf, env, i, &svc, err);
		if (rc)
			goto err_free;
		v->svcs[v->n_svcs++] = svc;
		rc = rte_hash_add_key_data(v->svc_h, &k, svc);
		if (rc)
			goto err_nomem;
		rc = addr_add(v, cs->vip, PLB_ADDR_VIP,
			      cs->proto == IPPROTO_TCP ? PLB_VIP_F_TCP : PLB_VIP_F_UDP, 0);
		if (rc == -EEXIST) {
			plb_err(err, rc, "%s:%d: services[%u].vip: the address is also a port address or "
				"an FNAT local address", conf->file, cs->line, i);
			goto err_free;
		}
		if (rc)
			goto err_nomem;
		for (uint32_t l = 0; l < cs->n_laddrs; l++) {
			rc = addr_add(v, cs->laddrs[l], PLB_ADDR_LADDR, 0, 0);
			if (rc == -EEXIST) {
				plb_err(err, rc, "%s:%d: services[%u].laddrs[%u]: the address is also a VIP",
					conf->file, cs->line, i, l);
				goto err_free;
			}
			if (rc)
				goto err_nomem;
		}
	}
	__atomic_store_n(&current, v, __ATOMIC_RELEASE);
	PLB_LOG(INFO, LOG_TYPE, "%u service(s) published", v->n_svcs);
	return 0;
err_nomem:
	plb_err(err, rc, "services: %s", strerror(-rc));
err_free:
	version_free(v);
	return rc;
}

void
plb_svc_stop(void)
{
	struct version *v = current;

	__atomic_store_n(&current, NULL, __ATOMIC_RELEASE);
	if (qsbr && v)
		rte_rcu_qsbr_synchronize(qsbr, RTE_QSBR_THRID_INVALID);
	version_free(v);
	rte_free(qsbr);
	qsbr = NULL;
}
