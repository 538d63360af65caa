/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.nh: the workers' next-hop generations behind plb_l3_output_cached()
 * (plb/l3.h). Internal: boot sets it up, the worker loop ticks it.
 */
#ifndef PLB_CORE_NH_H
#define PLB_CORE_NH_H

#include <stdint.h>

/** [ctl] Every worker's generation to a fresh start; register the "nh" counters. */
int plb_nh_setup(char **err);

/** [fast] Worker @worker's loop: move its generation once a second (TSC @now). */
void plb_nh_tick(uint32_t worker, uint64_t now);

#endif /* PLB_CORE_NH_H */
