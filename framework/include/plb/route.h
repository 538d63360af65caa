/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routes: the connected prefixes of the ports' addresses plus the static
 * routes of the config, in a longest-prefix-match table (rte_lpm). Built on
 * the control thread, published by RCU, read lock-free by workers.
 */
#ifndef PLB_ROUTE_H
#define PLB_ROUTE_H

#include <stdint.h>

/**
 * [fast] Route IPv4 @daddr (network order): the port to send on and the next
 * hop (the gateway, or @daddr itself when directly connected). 0, or -ENOENT
 * when no route matches.
 */
int plb_route4_lookup(uint32_t daddr, uint16_t *port, uint32_t *nexthop);

#endif /* PLB_ROUTE_H */
