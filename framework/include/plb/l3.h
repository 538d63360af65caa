/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L3 handlers: one per ethertype (ipv4, arp, ipv6). The core reads the
 * Ethernet header (and one VLAN tag), finds the handler for the ethertype
 * and calls parse(), then steer() to find the owning worker (handing the
 * packet over if that is another worker), then rcv() on the owner.
 */
#ifndef PLB_L3_H
#define PLB_L3_H

#include <stdint.h>
#include <plb/hook.h>
#include <plb/pkt.h>

struct plb_l3_ops {
	uint16_t ethertype;	/**< host byte order, e.g. 0x0800 */
	/**
	 * [fast] Required. Validate the header at pkt->l3_off and fill the
	 * pkt fields. PLB_ACCEPT to go on; PLB_DROP to drop (the handler
	 * counts the reason, the core frees).
	 */
	enum plb_verdict (*parse)(struct plb_pkt *pkt);
	/**
	 * [fast] Optional. The worker that owns this parsed packet,
	 * < plb_worker_count(). Without it a packet stays where it arrived.
	 */
	uint32_t (*steer)(const struct plb_pkt *pkt);
	/**
	 * [fast] Required. Handle the packet on its owning worker: PLB_STOLEN
	 * when the handler sent, queued or freed it; PLB_DROP to have the core
	 * free it (the handler counted why).
	 */
	enum plb_verdict (*rcv)(struct plb_pkt *pkt);
};

#endif /* PLB_L3_H */
