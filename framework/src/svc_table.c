/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.svc: publishing service versions with RCU (QSBR) and the SDK
 * lookups workers make on the published one: service by (af, proto, vip,
 * port), what an IPv4 address is to plb. No locks: an acquire load of the
 * current version, quiescent states reported once per worker loop.
 */
#include <errno.h>
#include <netinet/in.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <plb/log.h>

#include "svc.h"
#include "svc_table.h"

static struct version *current;	/* read by workers with an acquire load */
static struct rte_rcu_qsbr *qsbr;
static uint32_t n_workers;

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
plb_rcu_synchronize(void)
{
	if (qsbr)
		rte_rcu_qsbr_synchronize(qsbr, RTE_QSBR_THRID_INVALID);
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
	struct plb_svc **found;

	if (unlikely(v == NULL || af != AF_INET))
		return NULL;
	found = svc_map_find(&v->svcm, svc_key_word(&k), 0);
	return found ? *found : NULL;
}

static uintptr_t
addr_lookup(uint32_t addr)
{
	const struct version *v = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
	const uintptr_t *val;

	if (unlikely(v == NULL || addr == 0))
		return 0;
	val = addr_map_find(&v->addr, addr, 0);
	return val ? *val : 0;
}

uint32_t
plb_vip4_flags(uint32_t addr)
{
	uintptr_t av = addr_lookup(addr);

	return (av & 0xff) == PLB_ADDR_VIP ? (av >> 8) & 0xff : 0;
}

uint8_t
plb_addr4_info(uint32_t addr)
{
	uintptr_t av = addr_lookup(addr);

	return (uint8_t)((av & 0x0f) | (((av >> 8) & 0x0f) << 4));
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

struct version *
svc_table_swap(struct version *v)
{
	struct version *old = current;

	__atomic_store_n(&current, v, __ATOMIC_RELEASE);
	if (qsbr && old)
		rte_rcu_qsbr_synchronize(qsbr, RTE_QSBR_THRID_INVALID);
	return old;
}

uint32_t
svc_table_workers(void)
{
	return n_workers;
}

void
svc_table_fini(void)
{
	rte_free(qsbr);
	qsbr = NULL;
}
