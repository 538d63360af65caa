/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.svc: the published side of services: the version the workers read
 * (service map, address map), the RCU state, the SDK lookups. svc.c builds
 * versions; svc_table.c publishes them and answers the fast path.
 */
#ifndef PLB_CORE_SVC_TABLE_H
#define PLB_CORE_SVC_TABLE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <plb/port.h>
#include <plb/svc.h>

struct svc_key {
	uint32_t vaddr;
	uint16_t vport;
	uint8_t proto;
	uint8_t af;
};

/* address map value: kind | vip flags << 8 | port << 16 */
#define AV(kind, flags, port) ((uintptr_t)(kind) | (uintptr_t)(flags) << 8 | (uintptr_t)(port) << 16)

/*
 * IPv4 address -> AV(): a handful of addresses read by every packet, so an
 * open-addressing table with a multiplicative hash (a few instructions) rather
 * than rte_hash (measured ~100 instructions a lookup, bench/). Key 0 = empty:
 * 0.0.0.0 is never one of plb's addresses. At most half full.
 */
struct addr_map {
	uint32_t shift;			/* 32 - log2(slots) */
	uint32_t mask;
	uint32_t *keys;
	uintptr_t *vals;
};

static inline uint32_t
addr_slot(const struct addr_map *m, uint32_t addr)
{
	return (uint32_t)(addr * 0x9E3779B1u) >> m->shift;
}

static inline int
addr_map_init(struct addr_map *m, uint32_t n)
{
	uint32_t slots = 16, bits = 4;

	while (slots < 2 * n) {
		slots <<= 1;
		bits++;
	}
	m->shift = 32 - bits;
	m->mask = slots - 1;
	m->keys = calloc(slots, sizeof(*m->keys));
	m->vals = calloc(slots, sizeof(*m->vals));
	return m->keys && m->vals ? 0 : -ENOMEM;
}

static inline uintptr_t *
addr_map_find(const struct addr_map *m, uint32_t addr, int insert)
{
	for (uint32_t i = addr_slot(m, addr);; i = (i + 1) & m->mask) {
		if (m->keys[i] == addr)
			return &m->vals[i];
		if (m->keys[i] == 0) {
			if (!insert)
				return NULL;
			m->keys[i] = addr;
			return &m->vals[i];
		}
	}
}

/* svc_key -> service: the same open addressing as the address map (a VIP's
 * services are few), keyed by the 8-byte key as one word. */
struct svc_map {
	uint32_t shift;
	uint32_t mask;
	uint64_t *keys;			/* 0 = empty: no service has vaddr 0 */
	struct plb_svc **vals;
};

static inline uint64_t
svc_key_word(const struct svc_key *k)
{
	uint64_t w;

	memcpy(&w, k, sizeof(w));
	return w;
}

static inline int
svc_map_init(struct svc_map *m, uint32_t n)
{
	uint32_t slots = 16, bits = 4;

	while (slots < 2 * n) {
		slots <<= 1;
		bits++;
	}
	m->shift = 64 - bits;
	m->mask = slots - 1;
	m->keys = calloc(slots, sizeof(*m->keys));
	m->vals = calloc(slots, sizeof(*m->vals));
	return m->keys && m->vals ? 0 : -ENOMEM;
}

static inline struct plb_svc **
svc_map_find(const struct svc_map *m, uint64_t key, int insert)
{
	for (uint32_t i = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> m->shift);; i = (i + 1) & m->mask) {
		if (m->keys[i] == key)
			return &m->vals[i];
		if (m->keys[i] == 0) {
			if (!insert)
				return NULL;
			m->keys[i] = key;
			return &m->vals[i];
		}
	}
}

struct version {
	struct svc_map svcm;		/* svc_key -> struct plb_svc * */
	struct addr_map addr;		/* uint32_t addr -> AV() */
	uint32_t n_svcs;
	struct plb_svc **svcs;
};

/** [ctl] Publish @v (NULL: none), wait until no worker can see the old one, return it. */
struct version *svc_table_swap(struct version *v);

/** [ctl] Workers taking part in RCU (0 before plb_rcu_init). */
uint32_t svc_table_workers(void);

/** [ctl] Free the RCU state (after the last swap). */
void svc_table_fini(void);

#endif /* PLB_CORE_SVC_TABLE_H */
