/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A connection as forwarding modes and protocols see it: the two tuples
 * (client side and real-server side) and its destination. Conns live in
 * per-worker tables owned by the core; only the owning worker touches one.
 */
#ifndef PLB_CONN_H
#define PLB_CONN_H

#include <stdint.h>
#include <plb/pkt.h>
#include <plb/svc.h>

/** One direction's 5-tuple, network byte order. */
struct plb_tuple {
	struct plb_addr saddr;
	struct plb_addr daddr;
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t af;
	uint16_t reserved0;
};

struct plb_conn {
	struct plb_tuple in;	/**< as the client sends: client -> VIP */
	struct plb_tuple out;	/**< as the real server sends: RS -> plb (or -> client) */
	struct plb_dest *dest;
	const struct plb_svc *svc;
	uint32_t state;		/**< protocol-owned state */
	uint32_t flags;
	uint64_t expire_tsc;	/**< when it times out unless refreshed */
};

#endif /* PLB_CONN_H */
