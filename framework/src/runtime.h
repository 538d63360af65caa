/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The running process: EAL set-up (eal.c), ports and the mempool (port.c),
 * workers with their RX queues, steering rings and TX buffers (worker.c),
 * counters (stats.c). Only the control thread calls these, except where a
 * comment says [fast].
 */
#ifndef PLB_CORE_RUNTIME_H
#define PLB_CORE_RUNTIME_H

#include <stdint.h>
#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "config.h"

/* ---- eal.c ---- */

/**
 * Build the EAL argv: "plb", the config's eal list, then @cli_argc/@cli_argv
 * (what followed "--" on the command line); an option EAL takes once (-l,
 * -m, --file-prefix, ...) given on the command line replaces the config's.
 * Adds --lcores for control + workers.count when no lcore option is given.
 * Returns 0 or -EINVAL with *err. *argv is a NULL-terminated malloc'ed array.
 */
int plb_eal_args(const struct plb_conf *conf, int cli_argc, char **cli_argv,
		 int *argc, char ***argv, char **err);
void plb_eal_args_free(int argc, char **argv);

/** rte_eal_init() with those arguments, then check the worker lcore count. */
int plb_eal_init(const struct plb_conf *conf, int cli_argc, char **cli_argv, char **err);

/* ---- port.c ---- */

/** Create the mempool, probe and configure every configured port (not started). */
int plb_ports_setup(const struct plb_conf *conf, uint32_t n_workers, char **err);
/** Start every port. */
int plb_ports_start(char **err);
/** Stop and close every port; free the mempool. */
void plb_ports_close(void);
/** Number of RX queues configured on @port. */
uint16_t plb_port_rxq_count(uint16_t port);
/** Per-port counters of plb itself (not the NIC's): [fast] writes by workers. */
struct plb_port_ids {
	uint16_t n;
	uint16_t *ids;		/* DPDK port ids plb drives, in config order */
};
const struct plb_port_ids *plb_ports(void);

/* ---- stats.c ---- */

/** Allocate one counter slot per worker plus one for the control thread. */
int plb_stats_start(uint32_t n_workers);
/** Select the calling thread's slot: worker id, or UINT32_MAX for control. */
void plb_stats_bind(uint32_t worker);
uint32_t plb_counter_count(void);
/** Name "group.name" of counter @id. */
const char *plb_counter_name(uint32_t id);
/** Value of counter @id in one slot. */
uint64_t plb_counter_read_worker(uint32_t id, uint32_t worker);
void plb_stats_reset(void);

/* ---- worker.c ---- */

struct plb_worker_stats {
	uint64_t rx;		/* packets read from RX queues */
	uint64_t tx;		/* packets handed to the PMD */
	uint64_t tx_drop;	/* refused by the PMD or to a bad port */
	uint64_t handover_out;	/* given to another worker's ring */
	uint64_t handover_in;	/* taken from this worker's ring */
	uint64_t handover_drop;	/* the owner's ring was full */
	uint64_t drop_runt;	/* shorter than an Ethernet header */
	uint64_t drop_no_l3;	/* no handler for the ethertype */
	uint64_t drop_l3;	/* the L3 handler refused it (its own counters say why) */
	uint64_t idle_sleeps;	/* adaptive mode: times it slept */
	uint64_t loops;
} __rte_cache_aligned;

int plb_workers_setup(const struct plb_conf *conf, char **err);
int plb_workers_launch(void);
/** Ask the workers to stop and wait for them. */
void plb_workers_stop(void);
void plb_workers_free(void);
uint32_t plb_workers_n(void);
/**
 * [ctl] Run @fn(@arg) on worker @id between two bursts and wait for it
 * (at most @timeout_ms, then keep waiting but report -ETIMEDOUT). The way
 * the control thread reads or changes a worker's own state (its conns).
 * A worker that is not running runs nothing: @fn is called right here.
 */
int plb_worker_call(uint32_t id, void (*fn)(void *arg), void *arg, unsigned timeout_ms);

/** A snapshot of worker @id's counters (read while it runs: each field is one word). */
void plb_worker_stats_get(uint32_t id, struct plb_worker_stats *out);
unsigned plb_worker_lcore(uint32_t id);

#endif /* PLB_CORE_RUNTIME_H */
