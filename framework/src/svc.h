/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.svc: the service table. Built from the config on the control thread
 * into an immutable version (services, their dests and scheduler and
 * forwarding tables, the VIP/LADDR/IFADDR address map) and published with
 * RCU (QSBR): workers look up without locks and report a quiescent state
 * once per loop; an old version is freed after every worker has passed one.
 */
#ifndef PLB_CORE_SVC_H
#define PLB_CORE_SVC_H

#include <stdint.h>
#include <plb/module.h>
#include <plb/svc.h>

#include "config.h"

/**
 * [ctl] Load the scheduler and forwarding modules the services name (from
 * the module path, when not loaded yet) and check every service: in check
 * mode (plb -t) this builds and frees each scheduler's and mode's table;
 * nothing is published. 0 or -errno with *err "FILE:LINE: services[i]: ...".
 */
int plb_svc_check(const struct plb_conf *conf, const struct plb_env *env, char **err);

/** [ctl] Create the RCU state for @n_workers workers (after EAL). */
int plb_rcu_init(uint32_t n_workers, char **err);

/** [ctl] Build the first version from @conf and publish it. */
int plb_svc_start(const struct plb_conf *conf, const struct plb_env *env, char **err);

/** [ctl] Unpublish and free everything (workers stopped). */
void plb_svc_stop(void);

/**
 * [ctl] Wait until every worker has passed a quiescent point: anything
 * unpublished before the call is no longer seen by any worker after it.
 * For every RCU-published table (services, ACLs).
 */
void plb_rcu_synchronize(void);

/** [fast] Worker @id is between packets: it holds no service pointer now. */
void plb_rcu_quiescent(uint32_t id);
/** [fast] Worker @id starts/stops taking part in RCU (loop entry and exit). */
void plb_rcu_online(uint32_t id);
void plb_rcu_offline(uint32_t id);

/**
 * [ctl] Replace the running services by @specs (copied): validate and build
 * a whole new version, then publish it; on any error nothing changes and
 * *err says why (prefixed by @what, e.g. "reload" or a request name). Dests
 * that stay keep their conns, counts and stats; removed ones are kept,
 * unreachable, until their last conn ends.
 */
int plb_svc_replace(const struct plb_conf_svc *specs, uint32_t n, const char *what, char **err);

/** [ctl] The running specs (what `save` writes); valid until the next change. */
const struct plb_conf_svc *plb_svc_specs(uint32_t *n);

/** [ctl] Free removed dests whose last conn has ended. Returns how many remain. */
uint32_t plb_svc_gc(void);

/* specs (svc_spec.c): deep copies that own their memory */
int plb_spec_copy(struct plb_conf_svc *dst, const struct plb_conf_svc *src);
void plb_spec_clear(struct plb_conf_svc *s);
int plb_specs_copy(struct plb_conf_svc **dst, const struct plb_conf_svc *src, uint32_t n);
void plb_specs_free(struct plb_conf_svc *s, uint32_t n);
/** Index of the spec (proto, vip network order, port host order) in @s, or -1. */
int plb_spec_find(const struct plb_conf_svc *s, uint32_t n, uint8_t proto, uint32_t vip, uint16_t port);

/** [ctl] The current version's services, for stats: calls @fn for each. */
void plb_svc_foreach(void (*fn)(const struct plb_svc *svc, void *arg), void *arg);

#endif /* PLB_CORE_SVC_H */
