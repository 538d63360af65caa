/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access lists as the fast path sees them: deny and allow lists of IPv4
 * source prefixes, global and per service, compiled by the control thread
 * (from Lua policy or plbctl) into lookup tables (merged ranges) and published
 * with RCU. hook_acl asks here; nothing here runs Lua.
 *
 * A source is refused when it is in the global deny list, or the global
 * allow list is not empty and it is not in it, or likewise for the
 * service's own lists. Checked in that order; the first refusal counts.
 */
#ifndef PLB_ACL_H
#define PLB_ACL_H

#include <stdint.h>
#include <plb/svc.h>

/** Which list refused (plb_acl4_check's result). */
enum plb_acl_verdict {
	PLB_ACL_PASS = 0,
	PLB_ACL_GLOBAL_DENY,	/**< in the global deny list */
	PLB_ACL_GLOBAL_ALLOW,	/**< the global allow list is set and lacks it */
	PLB_ACL_SVC_DENY,	/**< in the service's deny list */
	PLB_ACL_SVC_ALLOW,	/**< the service's allow list is set and lacks it */
};

/**
 * [fast] May IPv4 source @saddr (network order) reach service @svc (NULL:
 * global lists only)? Counts the refusal on the list that refused it.
 */
enum plb_acl_verdict plb_acl4_check(uint32_t saddr, const struct plb_svc *svc);

#endif /* PLB_ACL_H */
