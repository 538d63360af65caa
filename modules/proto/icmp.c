/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmp: the L4 protocol for IP protocol 1. parse() checks the length and
 * the checksum of the ICMP message and records the echo identifier as
 * sport; local_in() answers echo requests to plb's own addresses by turning
 * the request into the reply in place, and translates ICMP errors (dest
 * unreachable, time exceeded, parameter problem) that quote a packet of a
 * conn to the other side's view, as IPVS does (docs/protocols.md "ICMP
 * errors"): proto_ipv4 steers them to the conn's worker and hands over the
 * non-local ones (NAT) too. Other types are counted and dropped.
 * Config keys: none (any key is an error).
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include <plb/conf.h>
#include <plb/conn.h>
#include <plb/fwd.h>
#include <plb/ip4.h>
#include <plb/l3.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/module.h>
#include <plb/proto.h>
#include <plb/stats.h>
#include <plb/svc.h>
#include <plb/worker.h>

/* TTL of the replies plb originates, as Linux's default */
#define ICMP_REPLY_TTL 64

enum icmp_counter {
	ICMP_C_RX_ECHO_REQUEST,
	ICMP_C_TX_ECHO_REPLY,
	ICMP_C_DROP_BAD_LEN,
	ICMP_C_DROP_BAD_CSUM,
	ICMP_C_DROP_OTHER_TYPE,
	ICMP_C_ERR_IN_TRANSLATED,
	ICMP_C_ERR_IN_FORWARDED,
	ICMP_C_ERR_OUT_TRANSLATED,
	ICMP_C_ERR_NO_CONN,
	ICMP_C_ERR_BAD_INNER,
	ICMP_C_ERR_TTL_EXCEEDED,
	ICMP_C_MAX
};

static const char *const icmp_counter_names[ICMP_C_MAX] = {
	[ICMP_C_RX_ECHO_REQUEST] = "rx_echo_request",
	[ICMP_C_TX_ECHO_REPLY] = "tx_echo_reply",
	[ICMP_C_DROP_BAD_LEN] = "drop_bad_len",
	[ICMP_C_DROP_BAD_CSUM] = "drop_bad_csum",
	[ICMP_C_DROP_OTHER_TYPE] = "drop_other_type",
	[ICMP_C_ERR_IN_TRANSLATED] = "err_in_translated",
	[ICMP_C_ERR_IN_FORWARDED] = "err_in_forwarded",
	[ICMP_C_ERR_OUT_TRANSLATED] = "err_out_translated",
	[ICMP_C_ERR_NO_CONN] = "err_no_conn",
	[ICMP_C_ERR_BAD_INNER] = "err_bad_inner",
	[ICMP_C_ERR_TTL_EXCEEDED] = "err_ttl_exceeded",
};

/* The packet an ICMP error quotes: its IPv4 header and first L4 bytes. */
struct icmp_quote {
	struct rte_ipv4_hdr *ip;
	unaligned_uint16_t *ports;	/* [0] source, [1] destination */
	uint32_t l4_len;		/* L4 bytes quoted, at least 8 */
};

static uint32_t icmp_cnt[ICMP_C_MAX];
static uint32_t icmp_check_only;	/* under `plb -t`: fini stays quiet */

static inline enum plb_verdict
icmp_drop(enum icmp_counter c)
{
	plb_counter_inc(icmp_cnt[c]);
	return PLB_DROP;
}

/* [fast] Check the ICMP message at pkt->l4_off; echo id -> pkt->sport. */
static enum plb_verdict
icmp_parse(struct plb_pkt *pkt)
{
	const struct rte_icmp_hdr *icmp;
	uint32_t len;
	uint16_t sum;

	if (pkt->l3_len < pkt->l4_off - pkt->l3_off + sizeof(*icmp))
		return icmp_drop(ICMP_C_DROP_BAD_LEN);
	len = pkt->l3_len - (pkt->l4_off - pkt->l3_off);
	if (rte_pktmbuf_data_len(pkt->mbuf) < (uint32_t)pkt->l4_off + sizeof(*icmp))
		return icmp_drop(ICMP_C_DROP_BAD_LEN);
	/* a valid message, checksum field included, sums to 0xffff */
	if (rte_raw_cksum_mbuf(pkt->mbuf, pkt->l4_off, len, &sum) != 0)
		return icmp_drop(ICMP_C_DROP_BAD_LEN);
	if (sum != 0xffff)
		return icmp_drop(ICMP_C_DROP_BAD_CSUM);

	icmp = plb_pkt_l4(pkt);
	if (icmp->icmp_type == RTE_IP_ICMP_ECHO_REQUEST ||
	    icmp->icmp_type == RTE_IP_ICMP_ECHO_REPLY)
		pkt->sport = icmp->icmp_ident;
	return PLB_ACCEPT;
}

/*
 * RFC 1624 incremental update: the checksum @cksum after one 16-bit word of
 * the message changed from @old to @new (all three as stored in the packet).
 */
static inline uint16_t
icmp_cksum_update(uint16_t cksum, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t)~cksum + (uint32_t)(uint16_t)~old + new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* [fast] Turn the echo request in @pkt into its reply and send it back. */
static enum plb_verdict
icmp_echo_reply(struct plb_pkt *pkt)
{
	struct rte_mbuf *m = pkt->mbuf;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = plb_pkt_l3(pkt);
	struct rte_icmp_hdr *icmp = plb_pkt_l4(pkt);
	struct rte_ether_addr mac;
	uint16_t old_word, new_word;
	uint32_t addr;

	/* type and code share the first 16-bit word of the message */
	old_word = *(const unaligned_uint16_t *)icmp;
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_code = 0;
	new_word = *(const unaligned_uint16_t *)icmp;
	icmp->icmp_cksum = icmp_cksum_update(icmp->icmp_cksum, old_word, new_word);

	addr = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = addr;
	ip->time_to_live = ICMP_REPLY_TTL;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	/* the Ethernet header (and any VLAN tag after it) starts the frame */
	rte_ether_addr_copy(&eth->src_addr, &mac);
	rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
	rte_ether_addr_copy(&mac, &eth->dst_addr);

	plb_counter_inc(icmp_cnt[ICMP_C_TX_ECHO_REPLY]);
	plb_tx(pkt->port, m);
	return PLB_STOLEN;
}

/*
 * [fast] Find the packet quoted by ICMP error @pkt (after the 8-byte ICMP
 * header): a whole IPv4 header (IHL >= 5, options included) and at least 8
 * bytes of TCP or UDP, from offset 0 of its datagram, within the message
 * and the mbuf's first segment. 0, or -EINVAL.
 */
static int
icmp_quote(const struct plb_pkt *pkt, struct icmp_quote *q)
{
	uint32_t msg_len, ihl, off = (uint32_t)pkt->l4_off + sizeof(struct rte_icmp_hdr);
	struct rte_ipv4_hdr *ip;

	msg_len = pkt->l3_len - (pkt->l4_off - pkt->l3_off);
	if (msg_len < sizeof(struct rte_icmp_hdr) + sizeof(*ip) + 8 ||
	    rte_pktmbuf_data_len(pkt->mbuf) < off + sizeof(*ip))
		return -EINVAL;
	ip = rte_pktmbuf_mtod_offset(pkt->mbuf, struct rte_ipv4_hdr *, off);
	ihl = rte_ipv4_hdr_len(ip);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) ||
	    sizeof(struct rte_icmp_hdr) + ihl + 8 > msg_len ||
	    rte_pktmbuf_data_len(pkt->mbuf) < off + ihl + 8)
		return -EINVAL;
	if (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP)
		return -EINVAL;
	/* a later fragment carries no ports */
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK))
		return -EINVAL;
	q->ip = ip;
	q->ports = (unaligned_uint16_t *)((uint8_t *)ip + ihl);
	q->l4_len = RTE_MIN(msg_len - (uint32_t)sizeof(struct rte_icmp_hdr) - ihl,
			    rte_pktmbuf_data_len(pkt->mbuf) - off - ihl);
	return 0;
}

/*
 * [fast] Rewrite the quoted packet @q to @saddr:@sport -> @daddr:@dport:
 * addresses and IP header checksum, ports, and the L4 checksum when the
 * quote holds it (UDP always, unless 0 = none; TCP from 18 bytes on), so
 * the receiver finds the header it sent itself.
 */
static void
icmp_quote_rewrite(struct icmp_quote *q, uint32_t saddr, uint16_t sport, uint32_t daddr,
		   uint16_t dport)
{
	unaligned_uint16_t *csum = NULL;
	uint16_t c;

	if (q->ip->next_proto_id == IPPROTO_UDP) {
		if (q->ports[3] != 0)
			csum = &q->ports[3];
	} else if (q->l4_len >= offsetof(struct rte_tcp_hdr, cksum) + 2) {
		csum = &q->ports[offsetof(struct rte_tcp_hdr, cksum) / 2];
	}
	if (csum != NULL) {
		c = plb_csum_replace4(*csum, q->ip->src_addr, saddr);
		c = plb_csum_replace4(c, q->ip->dst_addr, daddr);
		c = plb_csum_replace2(c, q->ports[0], sport);
		c = plb_csum_replace2(c, q->ports[1], dport);
		if (c == 0 && q->ip->next_proto_id == IPPROTO_UDP)
			c = 0xffff;	/* RFC 768: 0 means "no checksum" */
		*csum = c;
	}
	q->ports[0] = sport;
	q->ports[1] = dport;
	plb_ip4_set_addrs(q->ip, saddr, daddr);
}

/*
 * [fast] Set the outer addresses of ICMP error @pkt to @saddr -> @daddr
 * (IP header checksum updated) and recompute the ICMP checksum over the
 * whole message (errors are rare and short; the quote changed in many
 * places), then route and send it.
 */
static enum plb_verdict
icmp_err_send(struct plb_pkt *pkt, uint32_t saddr, uint32_t daddr)
{
	struct rte_icmp_hdr *icmp = plb_pkt_l4(pkt);
	uint32_t len = pkt->l3_len - (pkt->l4_off - pkt->l3_off);
	uint16_t sum;

	plb_ip4_set_addrs(plb_pkt_l3(pkt), saddr, daddr);
	pkt->saddr.v4 = saddr;
	pkt->daddr.v4 = daddr;
	icmp->icmp_cksum = 0;
	if (rte_raw_cksum_mbuf(pkt->mbuf, pkt->l4_off, len, &sum) != 0)
		return icmp_drop(ICMP_C_DROP_BAD_LEN);	/* parse summed it: cannot happen */
	icmp->icmp_cksum = (uint16_t)~sum;
	return plb_l3_output(pkt);
}

/*
 * [fast] An ICMP error (to a VIP, a local address, or handed over by
 * proto_ipv4 because it is addressed to a NAT client): find the conn of the
 * quoted packet on this worker and pass the error to the other side.
 * - From the server side, about laddr:lport -> daddr:dport (the conn's
 *   reply key, reversed): becomes vaddr -> caddr quoting caddr:cport ->
 *   vaddr:vport, as the client sent it.
 * - From the client side, about vaddr:vport -> caddr:cport (the client key,
 *   reversed): FNAT/NAT: becomes [laddr (FNAT) | its source (NAT)] ->
 *   daddr quoting daddr:dport -> laddr:lport; DR/TUN: sent unchanged
 *   through the conn's mode (the server quoted its own packet).
 */
static enum plb_verdict
icmp_err(struct plb_pkt *pkt)
{
	const struct rte_ipv4_hdr *ip = plb_pkt_l3(pkt);
	struct plb_dest_stats *st;
	struct icmp_quote q;
	struct plb_conn *c;
	struct plb_pkt key;
	int dir;

	if (pkt->af != AF_INET || icmp_quote(pkt, &q) != 0)
		return icmp_drop(ICMP_C_ERR_BAD_INNER);
	memset(&key, 0, sizeof(key));
	key.af = AF_INET;
	key.l4_proto = q.ip->next_proto_id;
	key.saddr.v4 = q.ip->dst_addr;
	key.daddr.v4 = q.ip->src_addr;
	key.sport = q.ports[1];
	key.dport = q.ports[0];
	c = plb_conn_lookup(&key, &dir);
	/* the error must go where the quoted packet came from: the VIP, or laddr (NAT: caddr) */
	if (c == NULL || ip->dst_addr != (dir == PLB_DIR_IN ? c->vaddr.v4 : c->laddr.v4))
		return icmp_drop(ICMP_C_ERR_NO_CONN);
	if (pkt->ttl <= 1)
		return icmp_drop(ICMP_C_ERR_TTL_EXCEEDED);

	st = c->dest->stats ? &c->dest->stats[plb_worker_id()] : NULL;
	if (dir == PLB_DIR_OUT) {
		if (st != NULL) {
			st->pkts_out++;
			st->bytes_out += pkt->l3_len;
		}
		plb_counter_inc(icmp_cnt[ICMP_C_ERR_OUT_TRANSLATED]);
		icmp_quote_rewrite(&q, c->caddr.v4, c->cport, c->vaddr.v4, c->vport);
		return icmp_err_send(pkt, c->vaddr.v4, c->caddr.v4);
	}
	if (st != NULL) {
		st->pkts_in++;
		st->bytes_in += pkt->l3_len;
	}
	if (c->flags & PLB_CONN_F_NO_OUT) {
		plb_counter_inc(icmp_cnt[ICMP_C_ERR_IN_FORWARDED]);
		return c->fwd->xmit_in(c, pkt);
	}
	plb_counter_inc(icmp_cnt[ICMP_C_ERR_IN_TRANSLATED]);
	icmp_quote_rewrite(&q, c->daddr.v4, c->dport, c->laddr.v4, c->lport);
	/* FNAT (laddr is plb's): from laddr, so the server sees plb; NAT: keep the source */
	return icmp_err_send(pkt, c->laddr.v4 != c->caddr.v4 ? c->laddr.v4 : ip->src_addr,
			     c->daddr.v4);
}

/*
 * [fast] ICMP to one of plb's addresses: answer pings, translate errors of
 * conns, drop the rest. proto_ipv4 also hands over ICMP errors to other
 * destinations (never anything else): icmp_err() checks the destination.
 */
static enum plb_verdict
icmp_local_in(struct plb_pkt *pkt)
{
	const struct rte_icmp_hdr *icmp = plb_pkt_l4(pkt);

	if (icmp->icmp_type == ICMP_DEST_UNREACH || icmp->icmp_type == ICMP_TIME_EXCEEDED ||
	    icmp->icmp_type == ICMP_PARAMETERPROB)
		return icmp_err(pkt);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || pkt->af != AF_INET)
		return icmp_drop(ICMP_C_DROP_OTHER_TYPE);
	plb_counter_inc(icmp_cnt[ICMP_C_RX_ECHO_REQUEST]);
	return icmp_echo_reply(pkt);
}

/* [ctl] Reject any config key and register the counters. */
static int
icmp_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { NULL };
	int rc;

	if (conf != NULL) {
		rc = plb_conf_check_keys(conf, keys, err);
		if (rc != 0)
			return rc;
	}
	icmp_check_only = env->check_only;
	rc = plb_counters_register("icmp", icmp_counter_names, ICMP_C_MAX, icmp_cnt, err);
	if (rc != 0)
		return rc;
	return 0;
}

/* [ctl] Workers stopped: log what this module saw. */
static void
icmp_fini(void)
{
	if (icmp_check_only)
		return;
	PLB_LOG(INFO, "proto.icmp", "fini: %" PRIu64 " echo requests received, %" PRIu64
		" replies sent", plb_counter_read(icmp_cnt[ICMP_C_RX_ECHO_REQUEST]),
		plb_counter_read(icmp_cnt[ICMP_C_TX_ECHO_REPLY]));
}

static const struct plb_proto_ops icmp_ops = {
	.ipproto = IPPROTO_ICMP,
	.parse = icmp_parse,
	.local_in = icmp_local_in,
};

PLB_MODULE_REGISTER(PROTO, "icmp", &icmp_ops,
	.version = "1.0",
	.description = "ICMP: echo replies for plb's addresses, errors of conns translated",
	.init = icmp_init,
	.fini = icmp_fini);
