/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The parsed packet. The core and the L3/L4 modules parse each header once
 * and record what they found here; everything later in the path (hooks,
 * schedulers, forwarding modes) reads these fields instead of parsing again.
 * It lives in the mbuf's private area, so it travels with the mbuf across the
 * steering rings. Needs no DPDK header: a scheduler unit-tests without EAL.
 * All addresses and ports are in network byte order.
 */
#ifndef PLB_PKT_H
#define PLB_PKT_H

#include <stdint.h>

struct rte_mbuf;

/** An IPv4 or IPv6 address, network byte order. */
struct plb_addr {
	union {
		uint32_t v4;
		uint8_t v6[16];
		uint32_t v6_32[4];
	};
};

/**
 * A cached next hop: where plb_l3_output_cached() sends without a route or
 * neighbour lookup while @gen equals the worker's plb_nh_gen(). Filled by
 * the core; callers only keep it (zeroed = empty). 16 bytes.
 */
struct plb_nh_cache {
	uint32_t gen;		/**< the worker's next-hop generation when filled; 0 = empty */
	uint16_t port;		/**< output port */
	uint8_t mac[6];		/**< the next hop's MAC */
	uint32_t reserved0;
};

/** plb_pkt.flags */
#define PLB_PKT_F_FRAG		0x01	/**< an IP fragment (first or later) */
#define PLB_PKT_F_HANDED_OVER	0x02	/**< arrived from another worker's steering ring */
#define PLB_PKT_F_LOCAL		0x04	/**< destination is a port address of plb (IFADDR) */
#define PLB_PKT_F_L4		0x08	/**< L4 fields parsed (sport, dport, tcp_flags) */
#define PLB_PKT_F_SHARED	0x10	/**< one mbuf shared by every worker (PLB_STEER_ALL): read-only */

struct plb_pkt {
	struct rte_mbuf *mbuf;	/**< the packet itself */
	uint16_t port;		/**< port it arrived on */
	uint16_t ethertype;	/**< host order, after any VLAN tag */
	uint16_t l3_off;	/**< offset of the L3 header in the frame */
	uint16_t l4_off;	/**< offset of the L4 header (0 until the L3 handler set it) */
	uint16_t l3_len;	/**< L3 total length as the header says */
	uint8_t af;		/**< AF_INET or AF_INET6; 0 for non-IP */
	uint8_t l4_proto;	/**< IP protocol number */
	uint8_t ttl;		/**< TTL / hop limit */
	uint8_t tcp_flags;	/**< TCP flags byte when l4_proto is TCP */
	uint8_t flags;		/**< PLB_PKT_F_* */
	uint8_t dst_info;	/**< IPv4: plb_addr4_info() of daddr, looked up once by the L3 handler */
	uint16_t sport;		/**< L4 source port (ICMP: echo id) */
	uint16_t dport;		/**< L4 destination port */
	uint32_t hash;		/**< L3 handler's own: proto_ipv4 keeps the owning worker here for steer() */
	struct plb_addr saddr;
	struct plb_addr daddr;
};

#endif /* PLB_PKT_H */
