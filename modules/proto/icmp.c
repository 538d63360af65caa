/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmp: the L4 protocol for IP protocol 1. parse() checks the length and
 * the checksum of the ICMP message and records the echo identifier as
 * sport; local_in() answers echo requests to plb's own addresses by turning
 * the request into the reply in place. Other types are counted and dropped.
 * Config keys: none (any key is an error).
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stddef.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <plb/conf.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/module.h>
#include <plb/proto.h>
#include <plb/stats.h>
#include <plb/worker.h>

/* TTL of the replies plb originates, as Linux's default */
#define ICMP_REPLY_TTL 64

enum icmp_counter {
	ICMP_C_RX_ECHO_REQUEST,
	ICMP_C_TX_ECHO_REPLY,
	ICMP_C_DROP_BAD_LEN,
	ICMP_C_DROP_BAD_CSUM,
	ICMP_C_DROP_OTHER_TYPE,
	ICMP_C_MAX
};

static const char *const icmp_counter_names[ICMP_C_MAX] = {
	[ICMP_C_RX_ECHO_REQUEST] = "rx_echo_request",
	[ICMP_C_TX_ECHO_REPLY] = "tx_echo_reply",
	[ICMP_C_DROP_BAD_LEN] = "drop_bad_len",
	[ICMP_C_DROP_BAD_CSUM] = "drop_bad_csum",
	[ICMP_C_DROP_OTHER_TYPE] = "drop_other_type",
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

/* [fast] ICMP to one of plb's addresses: answer pings, drop the rest. */
static enum plb_verdict
icmp_local_in(struct plb_pkt *pkt)
{
	const struct rte_icmp_hdr *icmp = plb_pkt_l4(pkt);

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
	uint32_t i;
	int rc;

	if (conf != NULL) {
		rc = plb_conf_check_keys(conf, keys, err);
		if (rc != 0)
			return rc;
	}
	icmp_check_only = env->check_only;
	for (i = 0; i < ICMP_C_MAX; i++) {
		rc = plb_counter_register("icmp", icmp_counter_names[i], &icmp_cnt[i]);
		if (rc != 0)
			return plb_err(err, rc, "cannot register counter icmp.%s",
				       icmp_counter_names[i]);
	}
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
	.description = "ICMP: echo replies for plb's addresses",
	.init = icmp_init,
	.fini = icmp_fini);
