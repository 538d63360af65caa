/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L3 handlers: one per ethertype (ipv4, arp, ipv6). The core reads the
 * Ethernet header (and one VLAN tag), zeroes the packet's struct plb_pkt,
 * finds the handler for the ethertype and calls parse(), then steer() to
 * find the owning worker (handing the packet over if that is another
 * worker), then rcv() on the owner. A handler may also provide output (route
 * and send a packet of its L3) and neighbour resolution for an address
 * family; modules reach those through plb_l3_output() / plb_neigh_output().
 */
#ifndef PLB_L3_H
#define PLB_L3_H

#include <stdint.h>
#include <plb/hook.h>
#include <plb/pkt.h>

/** steer() result: deliver to every worker (shared, read-only mbuf). */
#define PLB_STEER_ALL	UINT32_MAX

struct plb_l3_ops {
	uint16_t ethertype;	/**< host byte order, e.g. 0x0800 */
	uint8_t neigh_af;	/**< address family neigh_output() resolves (AF_INET), or 0 */
	/**
	 * [fast] Required. Validate the header at pkt->l3_off and fill the
	 * pkt fields (including the L4 fields, by calling the protocol's
	 * parse(), and pkt->hash for steer()). PLB_ACCEPT to go on; PLB_DROP
	 * to drop (the handler counts the reason, the core frees).
	 */
	enum plb_verdict (*parse)(struct plb_pkt *pkt);
	/**
	 * [fast] Optional. The worker that owns this parsed packet,
	 * < plb_worker_count(), or PLB_STEER_ALL: every worker's rcv() gets
	 * the same mbuf (reference-counted), which it must not modify and
	 * must drop (return PLB_DROP). Without steer() a packet stays where
	 * it arrived.
	 */
	uint32_t (*steer)(const struct plb_pkt *pkt);
	/**
	 * [fast] Required. Handle the packet on its owning worker: PLB_STOLEN
	 * when the handler sent, queued or freed it; PLB_DROP to have the core
	 * free it (the handler counted why).
	 */
	enum plb_verdict (*rcv)(struct plb_pkt *pkt);
	/**
	 * [fast] Optional. Route and send a packet of this L3 that a module
	 * built or rewrote (its L3 header at pkt->l3_off is final): find the
	 * route, resolve the next hop, transmit. PLB_STOLEN or PLB_DROP.
	 */
	enum plb_verdict (*output)(struct plb_pkt *pkt);
	/**
	 * [fast] Optional. Send @pkt (L3 header at pkt->l3_off, final) out of
	 * @port to next hop @nexthop of family neigh_af: write the Ethernet
	 * header for the resolved neighbour and transmit, or queue the packet
	 * while resolving. PLB_STOLEN or PLB_DROP.
	 */
	enum plb_verdict (*neigh_output)(struct plb_pkt *pkt, uint16_t port,
					 const struct plb_addr *nexthop);
};

/** [fast] Route and send @pkt through the output() of its ethertype's handler. */
enum plb_verdict plb_l3_output(struct plb_pkt *pkt);

/** [fast] Send @pkt to @nexthop on @port through the neighbour resolver of pkt->af. */
enum plb_verdict plb_neigh_output(struct plb_pkt *pkt, uint16_t port, const struct plb_addr *nexthop);

/*
 * Next-hop caches (struct plb_nh_cache in plb/pkt.h). A caller that sends
 * many packets to one destination (a forwarding mode, per dest and worker:
 * dest->stats[worker].nh) keeps a cache; the core fills and checks it.
 * While the cache is current (same worker generation), a packet gets its
 * Ethernet header from it and goes out with no route or neighbour lookup;
 * otherwise the uncached call runs and fills the cache if it sent to a
 * resolved neighbour. A worker's generation moves when a neighbour module
 * reports a change (plb_nh_invalidate), and once a second, so neighbour
 * expiry and re-resolution keep their meaning within a second. A cache
 * belongs to one worker.
 */

/** [fast] plb_l3_output() through @nc (NULL: no cache, the same as plb_l3_output()). */
enum plb_verdict plb_l3_output_cached(struct plb_pkt *pkt, struct plb_nh_cache *nc);

/** [fast] plb_neigh_output() through @nc (the caller chose @port and @nexthop; @nc may be NULL). */
enum plb_verdict plb_neigh_output_cached(struct plb_pkt *pkt, uint16_t port,
					 const struct plb_addr *nexthop, struct plb_nh_cache *nc);

/**
 * [fast] Neighbour modules: the packet being sent goes to @mac on @port, a
 * resolved neighbour. Fills the cache of a plb_*_output_cached() in progress.
 */
void plb_nh_resolved(uint16_t port, const uint8_t mac[6]);

/**
 * [any] A neighbour entry changed or went (learned anew, expired, removed):
 * on a worker, that worker's caches are no longer current; elsewhere, every
 * worker's.
 */
void plb_nh_invalidate(void);

#endif /* PLB_L3_H */
