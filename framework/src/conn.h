/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.conn: per-worker connection tables (the SDK side is plb/conn.h):
 * created on the control thread, then touched only by their worker.
 */
#ifndef PLB_CORE_CONN_H
#define PLB_CORE_CONN_H

#include <stdint.h>

#include "config.h"

struct plb_conn;
struct rte_mbuf;

/** [ctl] One table of conf->conns.per_worker conns per worker. */
int plb_conns_setup(const struct plb_conf *conf, uint32_t n_workers, char **err);
void plb_conns_free(void);
/** [fast] The calling lcore is worker @id: use its table. */
void plb_conns_bind(uint32_t id);
/**
 * [fast] The calling worker is about to run @n parsed packets: prefetch the
 * index buckets their conn lookups will read, then the conns those buckets
 * point at, so the lookups of a burst wait for memory once, not once each.
 */
void plb_conns_prefetch(struct rte_mbuf *const *m, uint32_t n);
/** [fast] Expire what is due on the calling worker (bounded work per call). */
void plb_conns_expire(void);
/** What plb_conns_dump() keeps; zero fields match anything (addresses network order). */
struct plb_conn_filter {
	uint8_t proto;
	uint32_t vaddr;
	uint16_t vport;
	uint32_t caddr;
	uint32_t daddr;
};

/**
 * Copy up to @max conns of worker @worker's table that pass @f into @out.
 * Run it on that worker (plb_worker_call) or while it is stopped.
 * Returns how many were copied.
 */
uint32_t plb_conns_dump(uint32_t worker, const struct plb_conn_filter *f, struct plb_conn *out,
			uint32_t max);

/** Seconds until conn @c of worker @worker expires (0 if due); @c may be a copy. */
uint32_t plb_conn_expires_in(uint32_t worker, const struct plb_conn *c);

/** [ctl] Conns expired by timeout on worker @id so far. */
uint64_t plb_conns_expired(uint32_t id);

#endif /* PLB_CORE_CONN_H */
