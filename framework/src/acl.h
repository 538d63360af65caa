/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.acl: the control side of access lists (the fast path is plb/acl.h).
 * Lists are edited in bulk on the control thread; each edit compiles new
 * rte_lpm tables for the lists it touched and publishes a new immutable ACL
 * version (RCU), so a change is all-or-nothing for the workers.
 */
#ifndef PLB_CORE_ACL_H
#define PLB_CORE_ACL_H

#include <stdint.h>
#include <plb/acl.h>
#include <plb/port.h>

enum plb_acl_list { PLB_ACL_LIST_DENY = 0, PLB_ACL_LIST_ALLOW = 1 };

/** Which lists: global (svc = 0) or a service's. */
struct plb_acl_scope {
	int svc;		/**< 0: global; 1: the service below */
	uint8_t proto;		/**< IPPROTO_TCP / IPPROTO_UDP */
	uint32_t vip;		/**< network order */
	uint16_t port;		/**< host order */
};

/**
 * [ctl] Add @n prefixes to a list (duplicates are merged), or remove them
 * (absent ones are ignored), or replace the whole list; then publish.
 * 0, or -errno with *err (e.g. a prefix with host bits, -ENOSPC past the
 * table size); on error nothing changes.
 */
int plb_acl_add(const struct plb_acl_scope *sc, enum plb_acl_list l, const struct plb_ifaddr4 *p,
		uint32_t n, char **err);
int plb_acl_del(const struct plb_acl_scope *sc, enum plb_acl_list l, const struct plb_ifaddr4 *p,
		uint32_t n, char **err);
int plb_acl_set(const struct plb_acl_scope *sc, enum plb_acl_list l, const struct plb_ifaddr4 *p,
		uint32_t n, char **err);

/** [ctl] Number of prefixes in a list, and its refusal count. */
uint32_t plb_acl_size(const struct plb_acl_scope *sc, enum plb_acl_list l);
uint64_t plb_acl_hits(const struct plb_acl_scope *sc, enum plb_acl_list l);

/** [ctl] Set up (after EAL and RCU) / tear down. */
int plb_acl_init(uint32_t n_workers, char **err);
void plb_acl_fini(void);

#endif /* PLB_CORE_ACL_H */
