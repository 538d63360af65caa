/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.registry: the tables that map ethertype -> L3 handler, hook point ->
 * priority-ordered chain, IP protocol -> L4 protocol, name -> scheduler and
 * name -> forwarding mode. Filled by the loader on the control thread before
 * the workers start; read-only (no locks) while they run.
 */
#ifndef PLB_CORE_REGISTRY_H
#define PLB_CORE_REGISTRY_H

#include <stdint.h>
#include <plb/fwd.h>
#include <plb/hook.h>
#include <plb/l3.h>
#include <plb/proto.h>
#include <plb/sched.h>

/*
 * All return 0, -EEXIST for a duplicate, -EINVAL for a bad argument (NULL, a
 * required op missing, an unknown hook point), -ENOMEM. A duplicate is: a
 * second handler for an ethertype or IP protocol, a second scheduler or
 * forwarding mode of the same name, the same hook (fn and priv) twice at one
 * point.
 */
int plb_reg_l3_add(const struct plb_l3_ops *ops);
int plb_reg_hook_add(const struct plb_hook_reg *reg);
int plb_reg_proto_add(const struct plb_proto_ops *ops);
int plb_reg_sched_add(const char *name, const struct plb_sched_ops *ops);
int plb_reg_fwd_add(const char *name, const struct plb_fwd_ops *ops);

/* Undo an add (the loader unwinding a module that failed half-way, or
 * unloading); removing what is not registered does nothing. */
void plb_reg_l3_del(const struct plb_l3_ops *ops);
void plb_reg_hook_del(const struct plb_hook_reg *reg);
void plb_reg_proto_del(const struct plb_proto_ops *ops);
void plb_reg_sched_del(const char *name);
void plb_reg_fwd_del(const char *name);

/* Lookups; NULL when nothing is registered. */
const struct plb_l3_ops *plb_reg_l3_get(uint16_t ethertype);
const struct plb_sched_ops *plb_reg_sched_get(const char *name);
const struct plb_fwd_ops *plb_reg_fwd_get(const char *name);

/* The chain of @point: *n entries in run order. */
const struct plb_hook_reg *const *plb_reg_hook_chain(enum plb_hook_point point, uint32_t *n);

/* Packets plb_hook_run() dropped because a chain said REPEAT more than
 * PLB_HOOK_MAX_REPEAT times (the first run plus 8 reruns are allowed). */
uint64_t plb_reg_hook_repeat_drops(void);

/* Forget everything (shutdown, tests). */
void plb_reg_reset(void);

#endif /* PLB_CORE_REGISTRY_H */
