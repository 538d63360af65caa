/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipv4: the L3 handler for ethertype 0x0800. parse() validates the header
 * (version, IHL, lengths, checksum), trims Ethernet padding, fills the
 * plb_pkt and, for non-fragments, has the L4 protocol parse its header;
 * steer() names the owning worker from the destination's kind (worker.h,
 * docs/protocols.md); rcv() runs PRE_ROUTING (the LB hook takes VIP traffic
 * there), delivers what is left for plb's own addresses, VIPs and local
 * addresses through LOCAL_IN to the protocol's local_in(), and drops the
 * rest after FORWARD (plb is no router), except ICMP errors, which go to
 * proto_icmp's local_in() whatever their destination (a NAT conn's errors
 * are addressed to the client). ICMP errors that quote a TCP/UDP packet are
 * steered by the quoted packet, to the worker that owns its conn. output()
 * routes a packet a forwarding mode rewrote and hands it to the neighbour
 * resolver.
 * Config keys: none (any key is an error).
 */
#include <errno.h>
#include <string.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stddef.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <plb/conf.h>
#include <plb/hook.h>
#include <plb/l3.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/module.h>
#include <plb/port.h>
#include <plb/proto.h>
#include <plb/route.h>
#include <plb/stats.h>
#include <plb/worker.h>

enum ipv4_counter {
	IPV4_C_RX,
	IPV4_C_TRUNCATED,
	IPV4_C_BAD_VERSION,
	IPV4_C_BAD_IHL,
	IPV4_C_BAD_LEN,
	IPV4_C_BAD_CSUM,
	IPV4_C_TTL_EXCEEDED,
	IPV4_C_NOT_LOCAL,
	IPV4_C_NO_PROTO,
	IPV4_C_FRAG_LOCAL,
	IPV4_C_NO_ROUTE,
	IPV4_C_ICMP_ERR_FORWARD,
	IPV4_C_MAX
};

static const char *const ipv4_counter_names[IPV4_C_MAX] = {
	[IPV4_C_RX] = "rx",
	[IPV4_C_TRUNCATED] = "drop_truncated",
	[IPV4_C_BAD_VERSION] = "drop_bad_version",
	[IPV4_C_BAD_IHL] = "drop_bad_ihl",
	[IPV4_C_BAD_LEN] = "drop_bad_len",
	[IPV4_C_BAD_CSUM] = "drop_bad_csum",
	[IPV4_C_TTL_EXCEEDED] = "drop_ttl_exceeded",
	[IPV4_C_NOT_LOCAL] = "drop_not_local",
	[IPV4_C_NO_PROTO] = "drop_no_proto",
	[IPV4_C_FRAG_LOCAL] = "drop_frag_local",
	[IPV4_C_NO_ROUTE] = "drop_no_route",
	[IPV4_C_ICMP_ERR_FORWARD] = "icmp_err_forward",
};

static uint32_t ipv4_cnt[IPV4_C_MAX];
static uint32_t ipv4_check_only;	/* under `plb -t`: fini stays quiet */
static uint32_t ipv4_n_workers = 1;

static inline enum plb_verdict
ipv4_drop(enum ipv4_counter c)
{
	plb_counter_inc(ipv4_cnt[c]);
	return PLB_DROP;
}

/*
 * [fast] 1 if @pkt (L4 parsed) is an ICMP error of a type plb translates for
 * its conns (docs/protocols.md "ICMP errors"): destination unreachable, time
 * exceeded, parameter problem.
 */
static inline int
ipv4_is_icmp_err(const struct plb_pkt *pkt)
{
	const uint8_t *icmp;

	if (pkt->l4_proto != IPPROTO_ICMP || !(pkt->flags & PLB_PKT_F_L4))
		return 0;
	icmp = plb_pkt_l4(pkt);	/* proto_icmp's parse checked its 8 bytes are there */
	return icmp[0] == ICMP_DEST_UNREACH || icmp[0] == ICMP_TIME_EXCEEDED ||
	       icmp[0] == ICMP_PARAMETERPROB;
}

/*
 * [fast] The packet quoted by ICMP error @pkt: its addresses and ports into
 * @in (saddr, daddr, sport, dport; network order). 0, or -EINVAL when the
 * quote is not a whole IPv4 header (any IHL, options included) plus 8 bytes
 * of TCP or UDP, from the start of the datagram, in the first segment.
 * proto_icmp validates the quote again before it translates (modules share
 * no code); this copy only steers, and a bad quote steers the usual way.
 */
static int
ipv4_icmp_inner(const struct plb_pkt *pkt, struct plb_pkt *in)
{
	const struct rte_ipv4_hdr *ip;
	const uint16_t *ports;
	uint32_t msg_len, ihl, off = (uint32_t)pkt->l4_off + 8;

	msg_len = pkt->l3_len - (pkt->l4_off - pkt->l3_off);
	if (msg_len < 8 + sizeof(*ip) + 8 || rte_pktmbuf_data_len(pkt->mbuf) < off + sizeof(*ip))
		return -EINVAL;
	ip = rte_pktmbuf_mtod_offset(pkt->mbuf, const struct rte_ipv4_hdr *, off);
	ihl = rte_ipv4_hdr_len(ip);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || 8 + ihl + 8 > msg_len ||
	    rte_pktmbuf_data_len(pkt->mbuf) < off + ihl + 8 ||
	    (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP) ||
	    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)))
		return -EINVAL;
	ports = (const uint16_t *)((const uint8_t *)ip + ihl);
	in->saddr.v4 = ip->src_addr;
	in->daddr.v4 = ip->dst_addr;
	in->sport = ports[0];
	in->dport = ports[1];
	return 0;
}

/*
 * [fast] The worker that owns @pkt, whose destination is of @kind
 * (DESIGN §4, worker.h): traffic to a VIP by the client endpoint; FNAT
 * replies (to a local address) by the local port; NAT replies and anything
 * else not plb's by the destination endpoint (the client); packets for an
 * interface address by the source endpoint. Ports count only when the L4
 * protocol parsed them and are not ICMP ids: ICMP and fragments use port 0.
 * An ICMP error quoting a TCP/UDP packet goes where that packet's conn
 * lives: to a VIP (the quote is vaddr:vport -> caddr:cport) by the quote's
 * destination; to a local address (laddr:lport -> daddr:dport) by the
 * quote's source port; to anyone else (NAT: caddr:cport -> daddr:dport) by
 * the quote's source endpoint.
 */
static inline uint32_t
ipv4_owner(const struct plb_pkt *pkt, enum plb_addr_kind kind)
{
	uint16_t sport = 0, dport = 0;
	struct plb_pkt in;

	if (unlikely(ipv4_is_icmp_err(pkt)) && kind != PLB_ADDR_IFADDR &&
	    ipv4_icmp_inner(pkt, &in) == 0) {
		if (kind == PLB_ADDR_VIP)
			return plb_steer_endpoint4(in.daddr.v4, in.dport, ipv4_n_workers);
		if (kind == PLB_ADDR_LADDR)
			return plb_steer_lport(in.sport, ipv4_n_workers);
		return plb_steer_endpoint4(in.saddr.v4, in.sport, ipv4_n_workers);
	}
	if ((pkt->flags & PLB_PKT_F_L4) && pkt->l4_proto != IPPROTO_ICMP) {
		sport = pkt->sport;
		dport = pkt->dport;
	}
	switch (kind) {
	case PLB_ADDR_VIP:
	case PLB_ADDR_IFADDR:
		return plb_steer_endpoint4(pkt->saddr.v4, sport, ipv4_n_workers);
	case PLB_ADDR_LADDR:
		return plb_steer_lport(dport, ipv4_n_workers);
	case PLB_ADDR_NONE:
	default:
		return plb_steer_endpoint4(pkt->daddr.v4, dport, ipv4_n_workers);
	}
}

/*
 * [fast] 1 if the one's complement sum of the @ihl-byte header (checksum
 * field included) is 0xffff. 32-bit words into a 64-bit sum: a fifth of the
 * work of a generic checksum for the usual 20 bytes (bench/).
 */
static inline int
ipv4_hdr_sum_ok(const void *hdr, uint32_t ihl)
{
	const uint8_t *p = hdr;
	uint32_t w[5];
	uint64_t sum;

	memcpy(w, p, sizeof(w));	/* unaligned-safe; compiles to plain loads */
	sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	for (uint32_t i = sizeof(w); i < ihl; i += 4) {
		uint32_t x;

		memcpy(&x, p + i, 4);
		sum += x;
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* [fast] Validate the IPv4 header at pkt->l3_off and fill @pkt. */
static enum plb_verdict
ipv4_parse(struct plb_pkt *pkt)
{
	struct rte_mbuf *m = pkt->mbuf;
	const struct plb_proto_ops *proto;
	const struct rte_ipv4_hdr *ip;
	uint32_t frame_len, ihl, tot_len, frag;
	enum plb_addr_kind kind;

	plb_counter_inc(ipv4_cnt[IPV4_C_RX]);

	/* the header itself must be contiguous in the first segment */
	if (rte_pktmbuf_data_len(m) < (uint32_t)pkt->l3_off + sizeof(*ip))
		return ipv4_drop(IPV4_C_TRUNCATED);
	ip = plb_pkt_l3(pkt);

	if ((ip->version_ihl >> 4) != 4)
		return ipv4_drop(IPV4_C_BAD_VERSION);
	ihl = rte_ipv4_hdr_len(ip);
	if (ihl < sizeof(*ip) || pkt->l3_off + ihl > rte_pktmbuf_data_len(m))
		return ipv4_drop(IPV4_C_BAD_IHL);

	frame_len = rte_pktmbuf_pkt_len(m) - pkt->l3_off;
	tot_len = rte_be_to_cpu_16(ip->total_length);
	if (tot_len > frame_len || tot_len < ihl)
		return ipv4_drop(IPV4_C_BAD_LEN);

	/* the NIC may have checked it already; otherwise sum it here */
	if (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_GOOD) {
		/* verified by the device */
	} else if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
		   !ipv4_hdr_sum_ok(plb_pkt_l3(pkt), ihl)) {
		return ipv4_drop(IPV4_C_BAD_CSUM);
	}

	/* Ethernet pads short frames: cut what lies beyond the IP packet */
	if (tot_len < frame_len &&
	    rte_pktmbuf_trim(m, (uint16_t)(frame_len - tot_len)) != 0)
		return ipv4_drop(IPV4_C_BAD_LEN);

	pkt->af = AF_INET;
	pkt->saddr.v4 = ip->src_addr;
	pkt->daddr.v4 = ip->dst_addr;
	pkt->l4_proto = ip->next_proto_id;
	pkt->ttl = ip->time_to_live;
	pkt->l3_len = (uint16_t)tot_len;
	pkt->l4_off = (uint16_t)(pkt->l3_off + ihl);
	pkt->sport = 0;
	pkt->dport = 0;
	pkt->tcp_flags = 0;

	/* only whole datagrams get their L4 header parsed (no reassembly) */
	frag = rte_be_to_cpu_16(ip->fragment_offset);
	if (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) {
		pkt->flags |= PLB_PKT_F_FRAG;
	} else {
		proto = plb_proto_get(ip->next_proto_id);
		if (proto != NULL) {
			if (proto->parse(pkt) != PLB_ACCEPT)
				return PLB_DROP;	/* the protocol counted why */
			pkt->flags |= PLB_PKT_F_L4;
		}
	}

	pkt->dst_info = plb_addr4_info(ip->dst_addr);
	kind = PLB_ADDR_INFO_KIND(pkt->dst_info);
	if (kind == PLB_ADDR_IFADDR)
		pkt->flags |= PLB_PKT_F_LOCAL;
	/* steering needs the kind: decide the owner now (pkt->hash = owner id), steer() reads it */
	pkt->hash = ipv4_n_workers > 1 ? ipv4_owner(pkt, kind) : 0;
	return PLB_ACCEPT;
}

/* [fast] Owning worker recorded by parse(). */
static uint32_t
ipv4_steer(const struct plb_pkt *pkt)
{
	return pkt->hash;
}

/*
 * [fast] Deliver a packet for plb itself (an interface address, or a VIP or
 * local address no hook took) to its L4 protocol's local_in().
 */
static enum plb_verdict
ipv4_local_deliver(struct plb_pkt *pkt)
{
	const struct plb_proto_ops *proto;
	enum plb_verdict v;

	/* no reassembly: a fragment cannot be delivered locally */
	if (pkt->flags & PLB_PKT_F_FRAG)
		return ipv4_drop(IPV4_C_FRAG_LOCAL);

	v = plb_hook_run(PLB_HOOK_LOCAL_IN, pkt);
	if (v != PLB_ACCEPT)
		return v;

	proto = plb_proto_get(pkt->l4_proto);
	if (proto == NULL || proto->local_in == NULL || !(pkt->flags & PLB_PKT_F_L4))
		return ipv4_drop(IPV4_C_NO_PROTO);
	return proto->local_in(pkt);
}

/* [fast] Handle a parsed packet on its owning worker. */
static enum plb_verdict
ipv4_rcv(struct plb_pkt *pkt)
{
	const struct plb_proto_ops *proto;
	enum plb_addr_kind kind;
	enum plb_verdict v;

	v = plb_hook_run(PLB_HOOK_PRE_ROUTING, pkt);
	if (v != PLB_ACCEPT)
		return v;	/* DROP or STOLEN, the chain decided */

	if (pkt->flags & PLB_PKT_F_LOCAL)
		return ipv4_local_deliver(pkt);
	/* a VIP or local address is plb's too: e.g. a ping to a VIP is answered */
	kind = PLB_ADDR_INFO_KIND(pkt->dst_info);
	if (kind == PLB_ADDR_VIP || kind == PLB_ADDR_LADDR)
		return ipv4_local_deliver(pkt);

	v = plb_hook_run(PLB_HOOK_FORWARD, pkt);
	if (v != PLB_ACCEPT)
		return v;
	/* plb balances, it does not route: what no hook took is dropped */
	if (pkt->ttl <= 1)
		return ipv4_drop(IPV4_C_TTL_EXCEEDED);
	/*
	 * WHY a hand-off: an ICMP error about a NAT conn's packet to the real
	 * server is addressed to the client, not to plb; proto_icmp's local_in()
	 * translates ICMP errors whatever their destination (it never answers
	 * one), so it gets them here too and drops those of no conn.
	 */
	if (ipv4_is_icmp_err(pkt)) {
		proto = plb_proto_get(IPPROTO_ICMP);
		if (proto != NULL && proto->local_in != NULL) {
			plb_counter_inc(ipv4_cnt[IPV4_C_ICMP_ERR_FORWARD]);
			return proto->local_in(pkt);
		}
	}
	return ipv4_drop(IPV4_C_NOT_LOCAL);
}

/*
 * [fast] Route the final IPv4 packet in @pkt (header checksum already
 * fixed by the caller) and hand it to the neighbour resolver. The TTL is
 * left alone: the forwarding mode owns the header (docs/protocols.md).
 */
static enum plb_verdict
ipv4_output(struct plb_pkt *pkt)
{
	const struct rte_ipv4_hdr *ip = plb_pkt_l3(pkt);
	struct plb_addr nexthop = { .v6_32 = { 0 } };
	struct plb_nh_cache *nc;
	uint16_t port;

	if (plb_route4_lookup_nh(ip->dst_addr, &port, &nexthop.v4, &nc) != 0)
		return ipv4_drop(IPV4_C_NO_ROUTE);
	pkt->af = AF_INET;
	/* through a gateway, the route's next-hop cache saves the neighbour lookup (NULL: none) */
	return plb_neigh_output_cached(pkt, port, &nexthop, nc);
}

/* [ctl] Reject any config key, register the counters, cache the worker count. */
static int
ipv4_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { NULL };
	int rc;

	if (conf != NULL) {
		rc = plb_conf_check_keys(conf, keys, err);
		if (rc != 0)
			return rc;
	}
	ipv4_check_only = env->check_only;
	rc = plb_counters_register("ipv4", ipv4_counter_names, IPV4_C_MAX, ipv4_cnt, err);
	if (rc != 0)
		return rc;
	/* the env carries the count; the call is for a core that set it later */
	ipv4_n_workers = env->n_workers ? env->n_workers : plb_worker_count();
	if (ipv4_n_workers == 0)
		ipv4_n_workers = 1;
	return 0;
}

/* [ctl] Workers stopped: log what this module saw. */
static void
ipv4_fini(void)
{
	uint64_t drops = 0;
	uint32_t i;

	if (ipv4_check_only)
		return;
	for (i = IPV4_C_RX + 1; i < IPV4_C_ICMP_ERR_FORWARD; i++)	/* the drop reasons */
		drops += plb_counter_read(ipv4_cnt[i]);
	PLB_LOG(INFO, "proto.ipv4", "fini: %" PRIu64 " packets received, %" PRIu64 " dropped",
		plb_counter_read(ipv4_cnt[IPV4_C_RX]), drops);
}

static const struct plb_l3_ops ipv4_ops = {
	.ethertype = RTE_ETHER_TYPE_IPV4,
	.parse = ipv4_parse,
	.steer = ipv4_steer,
	.rcv = ipv4_rcv,
	.output = ipv4_output,
};

PLB_MODULE_REGISTER(L3, "ipv4", &ipv4_ops,
	.version = "1.0",
	.description = "IPv4: header checks, L4 parse, steering, local delivery, output",
	.init = ipv4_init,
	.fini = ipv4_fini);
