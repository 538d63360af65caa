/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routes: the connected prefixes of the ports' addresses plus the static
 * routes of the config, in a longest-prefix-match table (rte_lpm). Built on
 * the control thread, published by RCU, read lock-free by workers.
 */
#ifndef PLB_ROUTE_H
#define PLB_ROUTE_H

#include <stdint.h>
#include <plb/pkt.h>

/**
 * [fast] Route IPv4 @daddr (network order): the port to send on and the next
 * hop (the gateway, or @daddr itself when directly connected). 0, or -ENOENT
 * when no route matches.
 */
int plb_route4_lookup(uint32_t daddr, uint16_t *port, uint32_t *nexthop);

/**
 * [fast] plb_route4_lookup(), and in *nc the calling worker's next-hop cache
 * of the route when it goes through a gateway (every destination behind it
 * has the same next hop: plb_neigh_output_cached(), plb/l3.h), or NULL for a
 * connected route (the next hop is @daddr itself) or off a worker.
 */
int plb_route4_lookup_nh(uint32_t daddr, uint16_t *port, uint32_t *nexthop,
			 struct plb_nh_cache **nc);

#endif /* PLB_ROUTE_H */
