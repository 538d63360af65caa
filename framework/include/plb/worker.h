/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a module may ask of the worker it runs on: its id, the worker count,
 * and transmission. plb_tx() buffers; the core flushes each worker's TX
 * buffers once per loop iteration, in bursts.
 */
#ifndef PLB_WORKER_H
#define PLB_WORKER_H

#include <stdint.h>

struct rte_mbuf;

/** [fast] This worker's id, 0 .. plb_worker_count()-1; UINT32_MAX off a worker. */
uint32_t plb_worker_id(void);

/** [any] Number of worker lcores. */
uint32_t plb_worker_count(void);

/**
 * [fast] Queue @m for transmission on @port from this worker. Takes the
 * mbuf in every case: if the port is unknown or its buffer cannot be flushed,
 * the packet is freed and counted as a TX drop.
 */
void plb_tx(uint16_t port, struct rte_mbuf *m);

#endif /* PLB_WORKER_H */
