/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipv4: the L3 handler for ethertype 0x0800. parse() validates the header
 * (version, IHL, lengths, checksum), trims Ethernet padding and fills the
 * plb_pkt; steer() picks the owning worker from a symmetric hash of
 * (saddr, daddr, protocol); rcv() runs PRE_ROUTING, then delivers packets for
 * plb's own addresses through LOCAL_IN to the L4 protocol's local_in().
 * Nothing is routed yet: other destinations are counted and dropped.
 * Config keys: none (any key is an error).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_mbuf.h>

#include <plb/conf.h>
#include <plb/hook.h>
#include <plb/l3.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/module.h>
#include <plb/port.h>
#include <plb/proto.h>
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
};

static uint32_t ipv4_cnt[IPV4_C_MAX];
static uint32_t ipv4_check_only;	/* under `plb -t`: fini stays quiet */
static uint32_t ipv4_n_workers = 1;

/* Seed of the steering hash; any constant works, it only has to be fixed. */
#define IPV4_HASH_SEED 0x9e3779b9u

static inline enum plb_verdict
ipv4_drop(enum ipv4_counter c)
{
	plb_counter_inc(ipv4_cnt[c]);
	return PLB_DROP;
}

/* [fast] Validate the IPv4 header at pkt->l3_off and fill @pkt. */
static enum plb_verdict
ipv4_parse(struct plb_pkt *pkt)
{
	struct rte_mbuf *m = pkt->mbuf;
	const struct rte_ipv4_hdr *ip;
	uint32_t frame_len, ihl, tot_len, frag;

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

	/* summing a valid header, checksum field included, gives 0xffff */
	if (rte_ipv4_cksum(ip) != 0)
		return ipv4_drop(IPV4_C_BAD_CSUM);

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

	frag = rte_be_to_cpu_16(ip->fragment_offset);
	if (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		pkt->flags |= PLB_PKT_F_FRAG;
	if (plb_addr4_is_local(ip->dst_addr, NULL))
		pkt->flags |= PLB_PKT_F_LOCAL;

	/*
	 * XOR first: both directions of a flow hash alike. DESIGN §4 will
	 * refine this (client endpoint, FNAT local port) once conns exist.
	 */
	pkt->hash = rte_jhash_2words(ip->src_addr ^ ip->dst_addr,
				     ip->next_proto_id, IPV4_HASH_SEED);
	return PLB_ACCEPT;
}

/* [fast] Owning worker of a parsed packet: every packet of a flow maps alike. */
static uint32_t
ipv4_steer(const struct plb_pkt *pkt)
{
	return pkt->hash % ipv4_n_workers;
}

/* [fast] Deliver a packet for one of plb's addresses to its L4 protocol. */
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
	if (proto == NULL || proto->local_in == NULL)
		return ipv4_drop(IPV4_C_NO_PROTO);
	if (proto->parse(pkt) != PLB_ACCEPT)
		return PLB_DROP;	/* the protocol counted why */
	return proto->local_in(pkt);
}

/* [fast] Handle a parsed packet on its owning worker. */
static enum plb_verdict
ipv4_rcv(struct plb_pkt *pkt)
{
	enum plb_verdict v;

	v = plb_hook_run(PLB_HOOK_PRE_ROUTING, pkt);
	if (v != PLB_ACCEPT)
		return v;	/* DROP or STOLEN, the chain decided */

	if (pkt->flags & PLB_PKT_F_LOCAL)
		return ipv4_local_deliver(pkt);

	/* no routes yet: nothing is forwarded */
	if (pkt->ttl <= 1)
		return ipv4_drop(IPV4_C_TTL_EXCEEDED);
	return ipv4_drop(IPV4_C_NOT_LOCAL);
}

/* [ctl] Reject any config key, register the counters, cache the worker count. */
static int
ipv4_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { NULL };
	uint32_t i;
	int rc;

	if (conf != NULL) {
		rc = plb_conf_check_keys(conf, keys, err);
		if (rc != 0)
			return rc;
	}
	ipv4_check_only = env->check_only;
	for (i = 0; i < IPV4_C_MAX; i++) {
		rc = plb_counter_register("ipv4", ipv4_counter_names[i], &ipv4_cnt[i]);
		if (rc != 0)
			return plb_err(err, rc, "cannot register counter ipv4.%s",
				       ipv4_counter_names[i]);
	}
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
	for (i = IPV4_C_RX + 1; i < IPV4_C_MAX; i++)
		drops += plb_counter_read(ipv4_cnt[i]);
	PLB_LOG(INFO, "proto.ipv4", "fini: %" PRIu64 " packets received, %" PRIu64 " dropped",
		plb_counter_read(ipv4_cnt[IPV4_C_RX]), drops);
}

static const struct plb_l3_ops ipv4_ops = {
	.ethertype = RTE_ETHER_TYPE_IPV4,
	.parse = ipv4_parse,
	.steer = ipv4_steer,
	.rcv = ipv4_rcv,
};

PLB_MODULE_REGISTER(L3, "ipv4", &ipv4_ops,
	.version = "1.0",
	.description = "IPv4: header checks, steering, local delivery",
	.init = ipv4_init,
	.fini = ipv4_fini);
