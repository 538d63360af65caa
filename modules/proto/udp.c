/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * udp: the L4 protocol for IP protocol 17. parse() checks the UDP length
 * against the IP payload and records the ports (the checksum is not
 * verified: see docs/protocols.md); every datagram may open a conn; a conn
 * has one state, counts as inactive (as in IPVS) and expires after
 * `timeout` idle seconds. rewrite4() sets ports with an incremental checksum
 * update (a zero checksum, "none", stays zero); reject() answers with an
 * ICMP port unreachable built in place.
 * Config (modules.proto_udp, optional): timeout = 300;	# seconds, 0..31536000
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include <plb/conf.h>
#include <plb/conn.h>
#include <plb/ip4.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/module.h>
#include <plb/proto.h>
#include <plb/stats.h>
#include <plb/worker.h>

/* TTL of the ICMP errors plb originates, as Linux's default */
#define UDP_ICMP_TTL 64
/* largest timeout accepted: one year */
#define UDP_TIMEOUT_MAX 31536000
/* IPVS's default UDP timeout, seconds */
#define UDP_TIMEOUT_DEFAULT 300
/* ICMP destination unreachable, code port unreachable (RFC 792) */
#define UDP_ICMP_DEST_UNREACH 3
#define UDP_ICMP_PORT_UNREACH 3
/* what an ICMP error quotes of the offending datagram beyond its IP header */
#define UDP_ICMP_QUOTE 8
/* what the ICMP error adds in front of the quote: IP header and ICMP header */
#define UDP_ICMP_GROW (sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_icmp_hdr))

/* The one conn state, named as IPVS names it. */
#define UDP_S_NORMAL 0

enum udp_counter {
	UDP_C_RX,
	UDP_C_DROP_BAD_LEN,
	UDP_C_DROP_NONLINEAR,
	UDP_C_UNREACH_SENT,
	UDP_C_REJECT_BAD_SRC,
	UDP_C_REJECT_AF,
	UDP_C_REJECT_NO_ROOM,
	UDP_C_MAX
};

static const char *const udp_counter_names[UDP_C_MAX] = {
	[UDP_C_RX] = "rx",
	[UDP_C_DROP_BAD_LEN] = "drop_bad_len",
	[UDP_C_DROP_NONLINEAR] = "drop_nonlinear",
	[UDP_C_UNREACH_SENT] = "unreach_sent",
	[UDP_C_REJECT_BAD_SRC] = "drop_reject_bad_src",
	[UDP_C_REJECT_AF] = "drop_reject_af",
	[UDP_C_REJECT_NO_ROOM] = "drop_reject_no_room",
};

static uint32_t udp_cnt[UDP_C_MAX];
static uint32_t udp_timeout = UDP_TIMEOUT_DEFAULT;
static uint32_t udp_check_only;	/* under `plb -t`: fini stays quiet */

static inline enum plb_verdict
udp_drop(enum udp_counter c)
{
	plb_counter_inc(udp_cnt[c]);
	return PLB_DROP;
}

/* [fast] Check the UDP header at pkt->l4_off; fill the ports. */
static enum plb_verdict
udp_parse(struct plb_pkt *pkt)
{
	const struct rte_udp_hdr *uh;
	uint32_t l3_hlen = pkt->l4_off - pkt->l3_off, ulen;

	plb_counter_inc(udp_cnt[UDP_C_RX]);
	if (pkt->l3_len < l3_hlen + sizeof(*uh))
		return udp_drop(UDP_C_DROP_BAD_LEN);
	/* the L3 handler trimmed the frame to l3_len: only a chain is shorter */
	if (rte_pktmbuf_data_len(pkt->mbuf) < (uint32_t)pkt->l4_off + sizeof(*uh))
		return udp_drop(UDP_C_DROP_NONLINEAR);
	uh = plb_pkt_l4(pkt);
	/* as Linux: a UDP length shorter than the IP payload is fine, a longer one is not */
	ulen = rte_be_to_cpu_16(uh->dgram_len);
	if (ulen < sizeof(*uh) || ulen > pkt->l3_len - l3_hlen)
		return udp_drop(UDP_C_DROP_BAD_LEN);

	pkt->sport = uh->src_port;
	pkt->dport = uh->dst_port;
	return PLB_ACCEPT;
}

/* [fast] Any datagram may open a conn. */
static int
udp_conn_sched(const struct plb_pkt *pkt)
{
	return 1;
}

/* [fast] One state, never active: just restart the idle timer. */
static void
udp_conn_state(struct plb_conn *conn, const struct plb_pkt *pkt, int dir)
{
	plb_conn_update(conn, UDP_S_NORMAL, 0, udp_timeout);
}

/*
 * [fast] Set ports to @sport/@dport and fix the checksum for them and for
 * the pseudo-header addresses @saddr/@daddr that replace the ones still in
 * the IP header. A zero checksum (none sent) stays zero; a computed zero is
 * sent as 0xffff (RFC 768). pkt->sport/dport follow.
 */
static void
udp_rewrite4(struct plb_pkt *pkt, uint32_t saddr, uint16_t sport, uint32_t daddr,
	     uint16_t dport)
{
	const struct rte_ipv4_hdr *ip = plb_pkt_l3(pkt);
	struct rte_udp_hdr *uh = plb_pkt_l4(pkt);
	if (uh->dgram_cksum != 0) {
		uint32_t s = plb_csum_begin(uh->dgram_cksum);
		uint16_t c;

		s = plb_csum_add4(s, ip->src_addr, saddr);
		s = plb_csum_add4(s, ip->dst_addr, daddr);
		s = plb_csum_add2(s, uh->src_port, sport);
		s = plb_csum_add2(s, uh->dst_port, dport);
		c = plb_csum_end(s);
		uh->dgram_cksum = c != 0 ? c : 0xffff;
	}
	uh->src_port = sport;
	uh->dst_port = dport;
	pkt->sport = sport;
	pkt->dport = dport;
}

/*
 * [fast] Answer the datagram in @pkt with an ICMP port unreachable (RFC 792,
 * RFC 1122 3.2.2) quoting its IP header and first 8 bytes, built in place:
 * the Ethernet header moves into the headroom to make space for the new IP
 * and ICMP headers in front of the quote. Sent back out of the port it came
 * in on, to the MAC it came from.
 */
static enum plb_verdict
udp_reject(struct plb_pkt *pkt)
{
	struct rte_mbuf *m = pkt->mbuf;
	const struct rte_ipv4_hdr *orig = plb_pkt_l3(pkt);
	uint32_t l3_hlen = pkt->l4_off - pkt->l3_off, quote = l3_hlen + UDP_ICMP_QUOTE;
	uint32_t saddr = orig->src_addr, daddr = orig->dst_addr;
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	struct rte_ether_addr mac;
	char *frame;

	if (pkt->af != AF_INET)
		return udp_drop(UDP_C_REJECT_AF);
	if (!plb_ip4_unicast(saddr))
		return udp_drop(UDP_C_REJECT_BAD_SRC);
	if (rte_pktmbuf_headroom(m) < UDP_ICMP_GROW)
		return udp_drop(UDP_C_REJECT_NO_ROOM);

	/* drop what lies beyond the quote, then open a gap in front of it */
	plb_mbuf_truncate(m, pkt->l3_off + quote);
	frame = rte_pktmbuf_prepend(m, UDP_ICMP_GROW);
	memmove(frame, frame + UDP_ICMP_GROW, pkt->l3_off);

	eth = (struct rte_ether_hdr *)frame;
	rte_ether_addr_copy(&eth->src_addr, &mac);
	rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
	rte_ether_addr_copy(&mac, &eth->dst_addr);

	ip = (struct rte_ipv4_hdr *)(frame + pkt->l3_off);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(UDP_ICMP_GROW + quote);
	ip->time_to_live = UDP_ICMP_TTL;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = daddr;
	ip->dst_addr = saddr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = UDP_ICMP_DEST_UNREACH;
	icmp->icmp_code = UDP_ICMP_PORT_UNREACH;
	icmp->icmp_cksum = 0;
	icmp->icmp_ident = 0;	/* "unused" in a destination unreachable */
	icmp->icmp_seq_nb = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + quote);

	pkt->saddr.v4 = daddr;
	pkt->daddr.v4 = saddr;
	pkt->l4_proto = IPPROTO_ICMP;
	pkt->l3_len = (uint16_t)(UDP_ICMP_GROW + quote);
	pkt->l4_off = pkt->l3_off + sizeof(*ip);
	pkt->sport = 0;
	pkt->dport = 0;
	pkt->ttl = UDP_ICMP_TTL;

	plb_counter_inc(udp_cnt[UDP_C_UNREACH_SENT]);
	plb_tx(pkt->port, m);
	return PLB_STOLEN;
}

/* [any] Name of conn state @state. */
static const char *
udp_state_name(uint8_t state)
{
	return state == UDP_S_NORMAL ? "UDP" : "?";
}

/* [ctl] Read the settings, register the counters. */
static int
udp_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { "timeout", NULL };
	const config_setting_t *t;
	long long v;
	int rc;

	udp_timeout = UDP_TIMEOUT_DEFAULT;
	if (conf != NULL) {
		rc = plb_conf_check_keys(conf, keys, err);
		if (rc != 0)
			return rc;
		t = config_setting_get_member(conf, "timeout");
		if (t != NULL) {
			if (config_setting_type(t) != CONFIG_TYPE_INT &&
			    config_setting_type(t) != CONFIG_TYPE_INT64)
				return plb_conf_err(t, err, -EINVAL, "expected an integer");
			v = config_setting_get_int64(t);
			if (v < 0 || v > UDP_TIMEOUT_MAX)
				return plb_conf_err(t, err, -EINVAL, "%lld out of range 0..%d", v,
						    UDP_TIMEOUT_MAX);
			udp_timeout = (uint32_t)v;
		}
	}
	udp_check_only = env->check_only;
	rc = plb_counters_register("udp", udp_counter_names, UDP_C_MAX, udp_cnt, err);
	if (rc != 0)
		return rc;
	return 0;
}

/* [ctl] Workers stopped: log what this module saw. */
static void
udp_fini(void)
{
	if (udp_check_only)
		return;
	PLB_LOG(INFO, "proto.udp", "fini: %" PRIu64 " datagrams, %" PRIu64
		" port unreachables sent", plb_counter_read(udp_cnt[UDP_C_RX]),
		plb_counter_read(udp_cnt[UDP_C_UNREACH_SENT]));
}

static const struct plb_proto_ops udp_ops = {
	.ipproto = IPPROTO_UDP,
	.parse = udp_parse,
	.conn_sched = udp_conn_sched,
	.conn_state = udp_conn_state,
	.rewrite4 = udp_rewrite4,
	.reject = udp_reject,
	.state_name = udp_state_name,
};

PLB_MODULE_REGISTER(PROTO, "udp", &udp_ops,
	.version = "1.0",
	.description = "UDP: parsing, conn timeout, port rewrite, ICMP port unreachable",
	.init = udp_init,
	.fini = udp_fini);
