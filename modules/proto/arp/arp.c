/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arp: the L3 handler for ethertype 0x0806 and the IPv4 neighbour resolver
 * (neigh_output for AF_INET). It answers requests for every address plb owns
 * (a port address only on its own port, VIPs and local addresses on every
 * port) and keeps one neighbour table per worker, learned from replies,
 * gratuitous ARP and requests addressed to us. Replies and gratuitous ARP are
 * steered to every worker (PLB_STEER_ALL) so that every table learns them.
 * Config keys (modules.proto_arp), all optional: entries = 1024 (learned
 * entries per worker), queue = 16 (packets held per unresolved entry),
 * timeout = 300 (seconds a learned entry stays usable), static = ( { ip;
 * mac; port; } ... ) (permanent entries). See docs/arp.md.
 */
#include "arp.h"

uint32_t arp_cnt[ARP_C_MAX];
uint32_t arp_check_only;	/* under `plb -t`: fini stays quiet */

/* settings, read-only once the workers run */
uint32_t arp_entries, arp_queue, arp_timeout_s;	/* defaults set in init() */
struct arp_static *arp_statics;
uint32_t arp_n_static;

/* per-worker state, allocated in init() */
struct arp_worker *arp_w;
uint32_t arp_n_workers;
uint32_t arp_cap;	/* entries + static entries */
uint32_t arp_mask;	/* index slots - 1 */
uint64_t arp_hz;		/* TSC cycles per second: the request interval */
uint64_t arp_timeout_cyc;
const char *const arp_counter_names[ARP_C_MAX] = { ARP_COUNTERS(ARP_C_NAME) };

/*
 * [fast] Accept Ethernet/IPv4 ARP that concerns us: a request for an address
 * plb answers on this port, a reply to one of plb's addresses, gratuitous ARP
 * (sender == target) not claiming one of plb's addresses. Runs once per packet
 * on the receiving worker, so rx_* and drop_* count packets, not deliveries.
 */
static enum plb_verdict
arp_parse(struct plb_pkt *pkt)
{
	const struct rte_arp_hdr *arp;
	enum plb_addr_kind kind;
	uint32_t sip, tip;
	uint16_t op, owner;

	if (rte_pktmbuf_data_len(pkt->mbuf) < (uint32_t)pkt->l3_off + sizeof(*arp))
		return arp_drop(ARP_C_DROP_BAD);
	arp = plb_pkt_l3(pkt);
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		return arp_drop(ARP_C_DROP_BAD);

	sip = arp->arp_data.arp_sip;
	tip = arp->arp_data.arp_tip;
	pkt->af = 0;
	pkt->l3_len = sizeof(*arp);
	pkt->saddr.v4 = sip;
	pkt->daddr.v4 = tip;

	op = rte_be_to_cpu_16(arp->arp_opcode);
	if (op == RTE_ARP_OP_REQUEST)
		plb_counter_inc(arp_cnt[ARP_C_RX_REQUEST]);
	else if (op == RTE_ARP_OP_REPLY)
		plb_counter_inc(arp_cnt[ARP_C_RX_REPLY]);
	else
		return arp_drop(ARP_C_DROP_BAD);
	if (sip == tip) {
		plb_counter_inc(arp_cnt[ARP_C_RX_GRATUITOUS]);
		if (sip == 0)
			return arp_drop(ARP_C_DROP_BAD);
	}
	if (sip != 0 && plb_addr4_kind(sip, NULL) != PLB_ADDR_NONE) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &sip, a, sizeof(a));
		PLB_LOG_RATELIMIT(WARNING, ARP_LOG, "port %u: address conflict: %s claimed by "
				  RTE_ETHER_ADDR_PRT_FMT, pkt->port, a,
				  RTE_ETHER_ADDR_BYTES(&arp->arp_data.arp_sha));
		return arp_drop(ARP_C_DROP_BAD);
	}
	if (sip == tip)
		return PLB_ACCEPT;
	kind = plb_addr4_kind(tip, &owner);
	if (kind == PLB_ADDR_NONE ||
	    (op == RTE_ARP_OP_REQUEST && kind == PLB_ADDR_IFADDR && owner != pkt->port))
		return arp_drop(ARP_C_DROP_NOT_FOR_US);
	return PLB_ACCEPT;
}

/* [fast] Replies and gratuitous ARP go to every worker's table; requests stay. */
static uint32_t
arp_steer(const struct plb_pkt *pkt)
{
	const struct rte_arp_hdr *arp = plb_pkt_l3(pkt);

	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY) ||
	    arp->arp_data.arp_sip == arp->arp_data.arp_tip)
		return PLB_STEER_ALL;
	return plb_worker_id();
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

/*
 * [fast] A request for us (parse() checked the target): learn the sender,
 * answer in place. A reply or gratuitous ARP (possibly a shared mbuf seen
 * by every worker): learn it into this worker's table, touch nothing, drop.
 */
static enum plb_verdict
arp_rcv(struct plb_pkt *pkt)
{
	const struct rte_arp_hdr *arp = plb_pkt_l3(pkt);
	uint32_t sip = arp->arp_data.arp_sip, tip = arp->arp_data.arp_tip;
	const struct plb_port_info *port;

	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) && sip != tip) {
		port = plb_port_get(pkt->port);
		if (port == NULL)
			return arp_drop(ARP_C_DROP_NOT_FOR_US);
		if (sip != 0)
			arp_learn(sip, pkt->port, &arp->arp_data.arp_sha);
		return arp_reply(pkt, port);
	}
	arp_learn(sip, pkt->port, &arp->arp_data.arp_sha);
	return PLB_DROP;
}

/* [ctl] Read the settings, register the counters, build the tables. */
static int
arp_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	int rc;

	arp_check_only = env->check_only;
	rc = arp_conf_read(conf, err);
	if (rc)
		goto err_free;
	rc = plb_counters_register("arp", arp_counter_names, ARP_C_MAX, arp_cnt, err);
	if (rc != 0)
		goto err_free;
	if (arp_check_only)
		return 0;
	arp_hz = rte_get_tsc_hz();
	arp_timeout_cyc = arp_timeout_s * arp_hz;
	rc = arp_alloc_tables(env, err);
	if (rc == 0) {
		free(arp_statics);	/* copied into every table */
		arp_statics = NULL;
		return 0;
	}
err_free:
	arp_free_all();
	return rc;
}

/* [ctl] Workers stopped: drop what still waits, free the tables, log a summary. */
static void
arp_fini(void)
{
	arp_free_all();
	if (arp_check_only)
		return;
	PLB_LOG(INFO, ARP_LOG, "fini: %" PRIu64 " requests received, %" PRIu64 " replies sent, %"
		PRIu64 " requests sent, %" PRIu64 " neighbours learned",
		plb_counter_read(arp_cnt[ARP_C_RX_REQUEST]),
		plb_counter_read(arp_cnt[ARP_C_TX_REPLY]),
		plb_counter_read(arp_cnt[ARP_C_TX_REQUEST]),
		plb_counter_read(arp_cnt[ARP_C_LEARNED]));
}

static const struct plb_l3_ops arp_ops = {
	.ethertype = RTE_ETHER_TYPE_ARP,
	.neigh_af = AF_INET,
	.parse = arp_parse,
	.steer = arp_steer,
	.rcv = arp_rcv,
	.neigh_output = arp_neigh_output,
};

PLB_MODULE_REGISTER(L3, "arp", &arp_ops,
	.version = "1.1",
	.description = "ARP: answers for plb's addresses, per-worker IPv4 neighbour tables",
	.init = arp_init,
	.fini = arp_fini);
