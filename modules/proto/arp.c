/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arp: the L3 handler for ethertype 0x0806. parse() accepts only Ethernet /
 * IPv4 ARP; rcv() answers requests for one of plb's addresses on the port
 * they arrived on by turning the request into the reply in place. Replies
 * and gratuitous ARP are counted and dropped (no neighbour table yet).
 * No steer(): an ARP packet is handled on the worker that received it.
 * Config keys: none (any key is an error).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include <plb/conf.h>
#include <plb/l3.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/module.h>
#include <plb/port.h>
#include <plb/stats.h>
#include <plb/worker.h>

enum arp_counter {
	ARP_C_RX_REQUEST,
	ARP_C_RX_REPLY,
	ARP_C_RX_GRATUITOUS,
	ARP_C_TX_REPLY,
	ARP_C_DROP_BAD,
	ARP_C_DROP_NOT_FOR_US,
	ARP_C_MAX
};

static const char *const arp_counter_names[ARP_C_MAX] = {
	[ARP_C_RX_REQUEST] = "rx_request",
	[ARP_C_RX_REPLY] = "rx_reply",
	[ARP_C_RX_GRATUITOUS] = "rx_gratuitous",
	[ARP_C_TX_REPLY] = "tx_reply",
	[ARP_C_DROP_BAD] = "drop_bad",
	[ARP_C_DROP_NOT_FOR_US] = "drop_not_for_us",
};

static uint32_t arp_cnt[ARP_C_MAX];
static uint32_t arp_check_only;	/* under `plb -t`: fini stays quiet */

static inline enum plb_verdict
arp_drop(enum arp_counter c)
{
	plb_counter_inc(arp_cnt[c]);
	return PLB_DROP;
}

/* [fast] Accept Ethernet/IPv4 ARP only; record sender and target IPs. */
static enum plb_verdict
arp_parse(struct plb_pkt *pkt)
{
	const struct rte_arp_hdr *arp;

	if (rte_pktmbuf_data_len(pkt->mbuf) < (uint32_t)pkt->l3_off + sizeof(*arp))
		return arp_drop(ARP_C_DROP_BAD);
	arp = plb_pkt_l3(pkt);
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		return arp_drop(ARP_C_DROP_BAD);

	pkt->af = 0;
	pkt->l3_len = sizeof(*arp);
	pkt->saddr.v4 = arp->arp_data.arp_sip;
	pkt->daddr.v4 = arp->arp_data.arp_tip;
	return PLB_ACCEPT;
}

/*
 * [fast] Rewrite the request in @pkt into our reply and send it back out of
 * the port it came in on. A DAD probe (sender IP 0) gets its reply sent to
 * 0.0.0.0 at the prober's MAC, as RFC 5227 expects.
 */
static enum plb_verdict
arp_reply(struct plb_pkt *pkt, const struct plb_port_info *port)
{
	struct rte_mbuf *m = pkt->mbuf;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = plb_pkt_l3(pkt);
	struct rte_arp_ipv4 *d = &arp->arp_data;
	uint32_t tip = d->arp_tip;

	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&d->arp_sha, &d->arp_tha);
	d->arp_tip = d->arp_sip;
	memcpy(d->arp_sha.addr_bytes, port->mac, RTE_ETHER_ADDR_LEN);
	d->arp_sip = tip;

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	memcpy(eth->src_addr.addr_bytes, port->mac, RTE_ETHER_ADDR_LEN);

	plb_counter_inc(arp_cnt[ARP_C_TX_REPLY]);
	plb_tx(pkt->port, m);
	return PLB_STOLEN;
}

/* [fast] Answer requests for our addresses on the RX port; count the rest. */
static enum plb_verdict
arp_rcv(struct plb_pkt *pkt)
{
	const struct rte_arp_hdr *arp = plb_pkt_l3(pkt);
	const struct plb_port_info *port;
	uint32_t sip = arp->arp_data.arp_sip, tip = arp->arp_data.arp_tip;
	uint16_t owner;

	switch (rte_be_to_cpu_16(arp->arp_opcode)) {
	case RTE_ARP_OP_REQUEST:
		plb_counter_inc(arp_cnt[ARP_C_RX_REQUEST]);
		/* an announcement (sender == target) asks nothing of us */
		if (sip == tip)
			return arp_drop(ARP_C_RX_GRATUITOUS);
		if (!plb_addr4_is_local(tip, &owner) || owner != pkt->port)
			return arp_drop(ARP_C_DROP_NOT_FOR_US);
		port = plb_port_get(pkt->port);
		if (port == NULL)
			return arp_drop(ARP_C_DROP_NOT_FOR_US);
		return arp_reply(pkt, port);
	case RTE_ARP_OP_REPLY:
		plb_counter_inc(arp_cnt[ARP_C_RX_REPLY]);
		if (sip == tip)
			plb_counter_inc(arp_cnt[ARP_C_RX_GRATUITOUS]);
		return PLB_DROP;	/* no neighbour table yet */
	default:
		return arp_drop(ARP_C_DROP_BAD);
	}
}

/* [ctl] Reject any config key and register the counters. */
static int
arp_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { NULL };
	uint32_t i;
	int rc;

	if (conf != NULL) {
		rc = plb_conf_check_keys(conf, keys, err);
		if (rc != 0)
			return rc;
	}
	arp_check_only = env->check_only;
	for (i = 0; i < ARP_C_MAX; i++) {
		rc = plb_counter_register("arp", arp_counter_names[i], &arp_cnt[i]);
		if (rc != 0)
			return plb_err(err, rc, "cannot register counter arp.%s",
				       arp_counter_names[i]);
	}
	return 0;
}

/* [ctl] Workers stopped: log what this module saw. */
static void
arp_fini(void)
{
	if (arp_check_only)
		return;
	PLB_LOG(INFO, "proto.arp", "fini: %" PRIu64 " requests received, %" PRIu64 " replies sent",
		plb_counter_read(arp_cnt[ARP_C_RX_REQUEST]),
		plb_counter_read(arp_cnt[ARP_C_TX_REPLY]));
}

static const struct plb_l3_ops arp_ops = {
	.ethertype = RTE_ETHER_TYPE_ARP,
	.parse = arp_parse,
	.rcv = arp_rcv,
};

PLB_MODULE_REGISTER(L3, "arp", &arp_ops,
	.version = "1.0",
	.description = "ARP: answers requests for plb's addresses",
	.init = arp_init,
	.fini = arp_fini);
