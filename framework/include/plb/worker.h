/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a module may ask of the worker it runs on: its id, the worker count,
 * and transmission. plb_tx() buffers; the core flushes each worker's TX
 * buffers once per loop iteration, in bursts.
 */
#ifndef PLB_WORKER_H
#define PLB_WORKER_H

#include <stdint.h>
#include <arpa/inet.h>

struct rte_mbuf;

/** Core-owned: the calling thread's worker id, UINT32_MAX off a worker (see plb_tls_counters). */
extern __thread uint32_t plb_tls_worker_id __attribute__((tls_model("initial-exec")));

/** [fast] This worker's id, 0 .. plb_worker_count()-1; UINT32_MAX off a worker. */
static inline uint32_t
plb_worker_id(void)
{
	return plb_tls_worker_id;
}

/** [any] Number of worker lcores. */
uint32_t plb_worker_count(void);

/**
 * [fast] Queue @m for transmission on @port from this worker. Takes the
 * mbuf in every case: if the port is unknown or its buffer cannot be flushed,
 * the packet is freed and counted as a TX drop.
 */
void plb_tx(uint16_t port, struct rte_mbuf *m);

/*
 * Steering (DESIGN §4): which worker owns a flow, from its header alone, so
 * that both directions of a conn meet on the worker that made it.
 * - client -> VIP: the client endpoint, plb_steer_endpoint4(saddr, sport);
 * - NAT reply (server -> client): the same client endpoint, (daddr, dport);
 * - FNAT reply (server -> laddr:lport): plb_steer_lport(lport); FNAT picks
 *   for each new conn a local port that this function maps to the worker
 *   that made it.
 * ICMP errors about a conn's packet steer by the packet they quote, with
 * the same rules (docs/protocols.md, "ICMP errors of conns").
 */

/** [any] Owner of client endpoint @addr:@port (network order) among @n workers. */
static inline uint32_t
plb_steer_endpoint4(uint32_t addr, uint16_t port, uint32_t n)
{
	uint64_t h = ((uint64_t)addr << 16 | port) * 0x9E3779B97F4A7C15ull;

	return (uint32_t)((h >> 32) * (uint64_t)n >> 32);
}

/** [any] Owner of FNAT local port @lport (network order) among @n workers. */
static inline uint32_t
plb_steer_lport(uint16_t lport, uint32_t n)
{
	return ntohs(lport) % n;
}

#endif /* PLB_WORKER_H */
