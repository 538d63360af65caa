/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 header helpers for modules that rewrite packets (forwarding modes,
 * protocols): incremental Internet checksum updates (RFC 1624, eqn. 3) and
 * the address and port rewrite every NAT-style mode does. Values are handled
 * as they lie in memory (network order); the one's complement sum does not
 * depend on byte order, so no swapping is needed. Needs DPDK's headers.
 */
#ifndef PLB_IP4_H
#define PLB_IP4_H

#include <errno.h>
#include <stdint.h>
#include <rte_ip.h>
#include <plb/mbuf.h>
#include <plb/pkt.h>
#include <plb/proto.h>

/**
 * [any] Checksum @csum (as stored in the header) after a 16-bit word of the
 * covered data changed from @old to @new (both as stored).
 */
static inline uint16_t
plb_csum_replace2(uint16_t csum, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~csum + (uint32_t)(uint16_t)~old + new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/**
 * [any] Checksum @csum (as stored) after a 32-bit field of the covered data
 * (an address) changed from @old to @new (both as stored, network order).
 */
static inline uint16_t
plb_csum_replace4(uint16_t csum, uint32_t old, uint32_t new)
{
	uint32_t s = (uint16_t)~csum;

	s += (uint16_t)~old + (uint32_t)(uint16_t)(~old >> 16);
	s += (new & 0xffff) + (new >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * Several fields at once: start from plb_csum_begin(csum), add each change
 * with plb_csum_add4 / plb_csum_add2, finish with plb_csum_end(): one fold
 * for all of them instead of one per field. Up to 64 changes fit the sum.
 */
static inline uint32_t
plb_csum_begin(uint16_t csum)
{
	return (uint16_t)~csum;
}

static inline uint32_t
plb_csum_add4(uint32_t s, uint32_t old, uint32_t new)
{
	return s + (uint16_t)~old + (uint16_t)(~old >> 16) + (new & 0xffff) + (new >> 16);
}

static inline uint32_t
plb_csum_add2(uint32_t s, uint16_t old, uint16_t new)
{
	return s + (uint16_t)~old + new;
}

static inline uint16_t
plb_csum_end(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/**
 * [any] 1 if IPv4 @addr (network order) may be answered with an error or a
 * reset: not 0/8, loopback, multicast or broadcast (RFC 1122 3.2.2).
 */
static inline int
plb_ip4_unicast(uint32_t addr)
{
	uint32_t a = rte_be_to_cpu_32(addr);

	return (a >> 24) != 0 && (a >> 24) != 127 && (a >> 28) < 0xe;
}

/**
 * [fast] Set the source and destination of IPv4 header @ip to @saddr and
 * @daddr (network order) and update its header checksum incrementally.
 * The L4 checksum is not touched: the protocol's rewrite4() owns it and
 * must run first, while the header still holds the old addresses.
 */
static inline void
plb_ip4_set_addrs(struct rte_ipv4_hdr *ip, uint32_t saddr, uint32_t daddr)
{
	uint32_t s = plb_csum_begin(ip->hdr_checksum);

	s = plb_csum_add4(s, ip->src_addr, saddr);
	s = plb_csum_add4(s, ip->dst_addr, daddr);
	ip->src_addr = saddr;
	ip->dst_addr = daddr;
	ip->hdr_checksum = plb_csum_end(s);
}

/**
 * [fast] NAT-style rewrite of IPv4 @pkt (not a fragment) to @saddr:@sport ->
 * @daddr:@dport, all network order: the protocol's rewrite4() (ports, L4
 * checksum), then the IP addresses and header checksum, then pkt's address
 * and port fields. 0, or -EPROTONOSUPPORT (nothing changed) when
 * pkt->l4_proto has no rewrite4().
 */
static inline int
plb_ip4_rewrite(struct plb_pkt *pkt, uint32_t saddr, uint16_t sport, uint32_t daddr,
		uint16_t dport)
{
	const struct plb_proto_ops *proto = plb_proto_get(pkt->l4_proto);

	if (proto == NULL || proto->rewrite4 == NULL)
		return -EPROTONOSUPPORT;
	proto->rewrite4(pkt, saddr, sport, daddr, dport);
	plb_ip4_set_addrs((struct rte_ipv4_hdr *)plb_pkt_l3(pkt), saddr, daddr);
	pkt->saddr.v4 = saddr;
	pkt->daddr.v4 = daddr;
	pkt->sport = sport;
	pkt->dport = dport;
	return 0;
}

#endif /* PLB_IP4_H */
