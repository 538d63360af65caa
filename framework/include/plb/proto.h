/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L4 protocols (tcp, udp, icmp), looked up by IP protocol number. A protocol
 * owns parsing of its header and local delivery; it carries no
 * per-forwarding-mode handler (DESIGN §3).
 */
#ifndef PLB_PROTO_H
#define PLB_PROTO_H

#include <stdint.h>
#include <plb/hook.h>
#include <plb/pkt.h>

struct plb_proto_ops {
	uint8_t ipproto;	/**< IPPROTO_TCP, IPPROTO_UDP, ... */
	/**
	 * [fast] Required. Validate the L4 header at pkt->l4_off and fill
	 * sport/dport/tcp_flags. PLB_ACCEPT or PLB_DROP (reason counted).
	 */
	enum plb_verdict (*parse)(struct plb_pkt *pkt);
	/**
	 * [fast] Optional. A packet addressed to plb itself, after LOCAL_IN
	 * accepted it (echo reply, RST). PLB_STOLEN or PLB_DROP.
	 */
	enum plb_verdict (*local_in)(struct plb_pkt *pkt);
};

/** [fast] The protocol registered for @ipproto, or NULL. */
const struct plb_proto_ops *plb_proto_get(uint8_t ipproto);

#endif /* PLB_PROTO_H */
