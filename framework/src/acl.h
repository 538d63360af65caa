/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.acl: the control side of access lists (the fast path is plb/acl.h).
 * Lists are edited in bulk on the control thread; each edit compiles new
 * lookup tables (merged address ranges, docs/acl.md) for the lists it
 * touched and publishes a new immutable ACL version (RCU), so a change is
 * all-or-nothing for the workers.
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
 * (absent ones are ignored), or replace the whole list (@n = 0 clears it);
 * then publish, and return once no worker sees the old lists. An empty
 * allow list restricts nothing. Overlapping prefixes are kept apart (del of
 * a /16 leaves a /24 inside it in force).
 * 0, or -errno with *err: -EINVAL "prefixes[i]: A/L has host bits set (the
 * prefix is N/L)" or "prefixes[i]: prefix length L is out of range 0..32";
 * -ENOENT "no service VIP:PORT/PROTO" (a service scope needs a running
 * service, unless it already has lists); -ENOSPC past plb_acl_set_limit();
 * -EAGAIN before plb_acl_init(); -ENOMEM. On error nothing changes.
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

/**
 * [ctl] The prefixes of a list, sorted by address then length, in a
 * malloc'ed array *out (*n entries; free() it). 0 or -ENOMEM.
 */
int plb_acl_prefixes(const struct plb_acl_scope *sc, enum plb_acl_list l, struct plb_ifaddr4 **out,
		     uint32_t *n);

/**
 * [ctl] Call @fn for the global scope, then for each service scope that has
 * or had lists (sorted by VIP, port, protocol), skipping emptied ones whose
 * service is gone. @fn must not change any list.
 */
void plb_acl_foreach_scope(void (*fn)(const struct plb_acl_scope *sc, void *arg), void *arg);

/** [ctl] Most prefixes a list may hold (0: the default, 1048576). */
void plb_acl_set_limit(uint32_t max_prefixes);
/** [ctl] The prefixes a list may hold now. */
uint32_t plb_acl_limit(void);

/** [ctl] Set up (after EAL and RCU) / tear down. */
int plb_acl_init(uint32_t n_workers, char **err);
void plb_acl_fini(void);

#endif /* PLB_CORE_ACL_H */
