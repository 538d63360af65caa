/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual services and their destinations (real servers) as the fast path
 * and the schedulers see them. A service version is immutable once
 * published: the control thread builds a new one and publishes it (RCU), so
 * workers read these without locks. Dests outlive versions: a dest keeps its
 * conn counts and stats while it stays in the service. Needs no DPDK header.
 */
#ifndef PLB_SVC_H
#define PLB_SVC_H

#include <stdint.h>
#include <plb/pkt.h>

struct plb_sched_ops;
struct plb_sched_state;
struct plb_fwd_ops;

/** plb_dest.flags */
#define PLB_DEST_F_DOWN			0x1	/**< marked down: never picked */
#define PLB_DEST_F_REMOVED		0x2	/**< no longer in its service; kept for its conns */
#define PLB_DEST_F_EXPIRE_QUIESCENT	0x4	/**< copy of its service's PLB_SVC_F_EXPIRE_QUIESCENT */

/** Per-worker counters of a dest; each worker writes only its own entry. */
struct plb_dest_stats {
	uint64_t conns;		/**< conns scheduled to it */
	uint64_t pkts_in;	/**< client -> server packets */
	uint64_t pkts_out;	/**< server -> client packets */
	uint64_t bytes_in;
	uint64_t bytes_out;
	union {
		struct {
			uint32_t active;	/**< core-owned: this worker's live conns to it in an active state */
			uint32_t inactive;	/**< core-owned: this worker's other live conns to it */
		};
		/** both counts in one word: the core stores and reads them in one access */
		uint64_t live;
	};
	struct plb_nh_cache nh;	/**< core-owned: this worker's next hop towards its address */
} __attribute__((aligned(64)));

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
	/** live conn counts summed over workers, maintained by the core (atomic adds) */
	uint64_t active_conns;
	uint64_t inactive_conns;
	struct plb_dest_stats *stats;	/**< [plb_worker_count()], NULL in scheduler unit tests */
	/** core-owned: the running service version that holds it; NULL once removed */
	const struct plb_svc *svc;
};

/** plb_svc.flags */
#define PLB_SVC_F_OPS			0x1	/**< UDP one-packet scheduling: no conn kept */
#define PLB_SVC_F_EXPIRE_QUIESCENT	0x2	/**< conns to a dest set to weight 0 or removed are dropped */

/** Per-worker counters of a service (those not tied to one dest). */
struct plb_svc_stats {
	uint64_t drop_no_dest;	/**< new flow, no dest available */
	uint64_t drop_conn_full;/**< new flow, the worker's conn table is full */
	uint64_t drop_no_port;	/**< new flow, no local port free (FNAT) */
	uint64_t drop_not_syn;	/**< TCP segment of no known conn, not a SYN */
	uint64_t pad[4];
} __attribute__((aligned(64)));

struct plb_svc {
	struct plb_addr vaddr;	/**< virtual address */
	uint16_t vport;		/**< virtual port, network order */
	uint8_t af;
	uint8_t proto;		/**< IPPROTO_TCP / IPPROTO_UDP */
	uint32_t flags;		/**< PLB_SVC_F_* */
	uint32_t n_dests;
	struct plb_dest *const *dests;	/**< n_dests entries */
	uint32_t n_laddrs;
	const struct plb_addr *laddrs;	/**< FNAT local addresses (n_laddrs) */
	/* below: owned by the core, opaque to schedulers */
	const struct plb_sched_ops *sched;
	struct plb_sched_state *sched_state;	/**< [plb_worker_count()] */
	const struct plb_fwd_ops *fwd;
	void *fwd_table;		/**< what the forwarding mode's build() made */
	struct plb_svc_stats *stats;	/**< [plb_worker_count()] */
	const char *sched_name;
	const char *fwd_name;
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

/** plb_vip4_flags() bits */
#define PLB_VIP_F_TCP	0x1	/**< the address has a TCP service */
#define PLB_VIP_F_UDP	0x2	/**< the address has a UDP service */

/**
 * [fast] The service for (af, proto, vaddr, vport) in the current version,
 * or NULL. Valid until the calling worker's next quiescent point (the end
 * of its loop iteration).
 */
const struct plb_svc *plb_svc_lookup(uint8_t af, uint8_t proto, const struct plb_addr *vaddr,
				     uint16_t vport);

/** [fast] PLB_VIP_F_* for IPv4 address @addr (network order); 0 if it is no VIP. */
uint32_t plb_vip4_flags(uint32_t addr);

#endif /* PLB_SVC_H */
