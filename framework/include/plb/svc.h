/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual services and their destinations (real servers) as the fast path
 * and the schedulers see them. A service version is immutable once
 * published: the control thread builds a new one and publishes it (RCU), so
 * workers read these without locks. Needs no DPDK header.
 */
#ifndef PLB_SVC_H
#define PLB_SVC_H

#include <stdint.h>
#include <plb/pkt.h>

/** plb_dest.flags */
#define PLB_DEST_F_DOWN	0x1	/**< marked down: never picked, even for persistence */

struct plb_dest {
	struct plb_addr addr;	/**< real server address */
	uint16_t port;		/**< real server port, network order */
	uint8_t af;		/**< AF_INET or AF_INET6 */
	uint8_t reserved0;
	uint32_t weight;	/**< 0 = quiesced: kept for existing conns, not picked for new ones */
	uint32_t flags;		/**< PLB_DEST_F_* */
	uint32_t idx;		/**< position in the service's dests[] */
	uint32_t u_threshold;	/**< upper conn limit, 0 = none */
	uint32_t l_threshold;	/**< lower conn limit, 0 = none */
	/** live conn counts summed over workers, maintained by the core */
	uint64_t active_conns;
	uint64_t inactive_conns;
};

struct plb_svc {
	struct plb_addr vaddr;	/**< virtual address */
	uint16_t vport;		/**< virtual port, network order; 0 = any */
	uint8_t af;
	uint8_t proto;		/**< IPPROTO_TCP / IPPROTO_UDP */
	uint32_t n_dests;
	struct plb_dest *const *dests;	/**< n_dests entries */
};

/** [any] 1 if @d may take new connections (weight > 0, not down, below its upper threshold). */
static inline int
plb_dest_available(const struct plb_dest *d)
{
	if (d->weight == 0 || (d->flags & PLB_DEST_F_DOWN))
		return 0;
	if (d->u_threshold && d->active_conns + d->inactive_conns >= d->u_threshold)
		return 0;
	return 1;
}

#endif /* PLB_SVC_H */
