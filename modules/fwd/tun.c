/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tun: IP-in-IP tunnelling (IPVS -i). The client's packet, unchanged, gets a
 * 20-byte outer IPv4 header (protocol 4) to the real server, which
 * decapsulates it (ipip), holds the VIP locally and replies straight to the
 * client: plb never sees replies (PLB_CONN_F_NO_OUT). The outer header:
 * source = the outgoing port's address on the next hop's subnet (else the
 * port's first), TTL 64, TOS and DF copied from the inner one, id from a
 * per-worker counter. The SDK has no port MTU yet: an outer packet over 1500
 * bytes is dropped (drop_too_big), no ICMP is sent.
 * Config keys: none (any key is an error).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <plb/conf.h>
#include <plb/conn.h>
#include <plb/fwd.h>
#include <plb/l3.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/module.h>
#include <plb/port.h>
#include <plb/route.h>
#include <plb/stats.h>
#include <plb/svc.h>
#include <plb/worker.h>

/* WHY a constant: port.h reports no MTU yet; every port is taken as Ethernet's 1500 */
#define TUN_MTU		1500u
#define TUN_TTL		64
#define TUN_HDR_LEN	((uint16_t)sizeof(struct rte_ipv4_hdr))

enum tun_counter {
	TUN_C_XMIT_IN,
	TUN_C_DROP_NO_ROUTE,
	TUN_C_DROP_NO_SRC,
	TUN_C_DROP_TOO_BIG,
	TUN_C_DROP_NO_HEADROOM,
	TUN_C_MAX
};

static const char *const tun_counter_names[TUN_C_MAX] = {
	[TUN_C_XMIT_IN] = "xmit_in",
	[TUN_C_DROP_NO_ROUTE] = "drop_no_route",
	[TUN_C_DROP_NO_SRC] = "drop_no_src",
	[TUN_C_DROP_TOO_BIG] = "drop_too_big",
	[TUN_C_DROP_NO_HEADROOM] = "drop_no_headroom",
};

/* Each worker numbers its outer headers itself. */
struct tun_worker {
	uint16_t ip_id;
} __rte_cache_aligned;

static uint32_t tun_cnt[TUN_C_MAX];
static struct tun_worker *tun_workers;	/* [tun_n_workers], NULL under check_only */
static uint32_t tun_n_workers;

static inline enum plb_verdict
tun_drop(enum tun_counter c)
{
	plb_counter_inc(tun_cnt[c]);
	return PLB_DROP;
}

/* [ctl] The outer and inner headers are IPv4. */
static int
tun_build(const struct plb_svc *svc, void **table, char **err)
{
	*table = NULL;
	if (svc->af != AF_INET)
		return plb_err(err, -EINVAL, "only IPv4 services are supported");
	return 0;
}

/* [fast] Replies go from the server to the client, never through plb. */
static int
tun_conn_init(const struct plb_svc *svc, struct plb_conn *conn, const struct plb_pkt *pkt)
{
	conn->flags |= PLB_CONN_F_NO_OUT;
	return 0;
}

/*
 * [fast] Outer source on @info's port: the address whose connected prefix
 * holds @nexthop (as Linux picks a route's source), else the port's first.
 */
static inline uint32_t
tun_source(const struct plb_port_info *info, uint32_t nexthop)
{
	uint32_t i, mask;

	for (i = 0; i < info->n_addr4; i++) {
		mask = info->addr4[i].prefix_len ? htonl(~0u << (32 - info->addr4[i].prefix_len)) : 0;
		if (((info->addr4[i].addr ^ nexthop) & mask) == 0)
			return info->addr4[i].addr;
	}
	return info->addr4[0].addr;
}

/*
 * [fast] Encapsulate @pkt in IPv4 to the real server and send it to the next
 * hop. Afterwards @pkt describes the outer packet: l3_off unchanged (the
 * Ethernet header moves to the new front), l4_off = the inner IP header,
 * l4_proto = IPPROTO_IPIP, addresses = the outer ones.
 */
static enum plb_verdict
tun_xmit_in(struct plb_conn *conn, struct plb_pkt *pkt)
{
	const struct plb_port_info *info;
	const struct rte_ipv4_hdr *inner;
	struct rte_ipv4_hdr *outer;
	uint32_t nexthop, saddr, len, w;
	uint16_t port;
	char *front;

	len = (uint32_t)pkt->l3_len + TUN_HDR_LEN;
	if (unlikely(len > TUN_MTU))
		return tun_drop(TUN_C_DROP_TOO_BIG);
	if (unlikely(plb_route4_lookup(conn->daddr.v4, &port, &nexthop) != 0))
		return tun_drop(TUN_C_DROP_NO_ROUTE);
	info = plb_port_get(port);
	if (unlikely(info == NULL || info->n_addr4 == 0))
		return tun_drop(TUN_C_DROP_NO_SRC);
	saddr = tun_source(info, nexthop);

	front = rte_pktmbuf_prepend(pkt->mbuf, TUN_HDR_LEN);
	if (unlikely(front == NULL))
		return tun_drop(TUN_C_DROP_NO_HEADROOM);
	memmove(front, front + TUN_HDR_LEN, pkt->l3_off);	/* Ethernet (+ VLAN) to the front */
	outer = plb_pkt_l3(pkt);
	inner = (const struct rte_ipv4_hdr *)(outer + 1);

	w = plb_worker_id();
	if (unlikely(w >= tun_n_workers))
		w = 0;
	outer->version_ihl = RTE_IPV4_VHL_DEF;
	outer->type_of_service = inner->type_of_service;
	outer->total_length = htons((uint16_t)len);
	outer->packet_id = htons(tun_workers[w].ip_id++);
	outer->fragment_offset = inner->fragment_offset & htons(RTE_IPV4_HDR_DF_FLAG);
	outer->time_to_live = TUN_TTL;
	outer->next_proto_id = IPPROTO_IPIP;
	outer->src_addr = saddr;
	outer->dst_addr = conn->daddr.v4;
	outer->hdr_checksum = 0;
	outer->hdr_checksum = rte_ipv4_cksum(outer);

	pkt->l4_off = pkt->l3_off + TUN_HDR_LEN;
	pkt->l3_len = (uint16_t)len;
	pkt->l4_proto = IPPROTO_IPIP;
	pkt->ttl = TUN_TTL;
	pkt->saddr.v4 = saddr;
	pkt->daddr.v4 = conn->daddr.v4;
	pkt->sport = 0;
	pkt->dport = 0;
	pkt->flags &= ~PLB_PKT_F_FRAG;

	plb_counter_inc(tun_cnt[TUN_C_XMIT_IN]);
	/* WHY not plb_l3_output(): the route is known already, don't look it up twice */
	return plb_neigh_output_cached(pkt, port, &(struct plb_addr){ .v4 = nexthop },
				       plb_conn_dest_nh(conn));
}

/* [ctl] Reject any key, register the counters, make the per-worker ids. */
static int
tun_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { NULL };
	uint32_t i, n;
	int rc;

	if (conf != NULL) {
		rc = plb_conf_check_keys(conf, keys, err);
		if (rc != 0)
			return rc;
	}
	rc = plb_counters_register("tun", tun_counter_names, TUN_C_MAX, tun_cnt, err);
	if (rc != 0)
		return rc;
	if (env->check_only)
		return 0;
	n = env->n_workers ? env->n_workers : 1;
	tun_workers = aligned_alloc(RTE_CACHE_LINE_SIZE, n * sizeof(*tun_workers));
	if (tun_workers == NULL)
		return plb_err(err, -ENOMEM, "tun: no memory for %u workers", n);
	memset(tun_workers, 0, n * sizeof(*tun_workers));
	/* spread the workers' id sequences over the 16-bit space */
	for (i = 0; i < n; i++)
		tun_workers[i].ip_id = (uint16_t)(i * (65536u / n));
	tun_n_workers = n;
	return 0;
}

/* [ctl] Workers stopped. */
static void
tun_fini(void)
{
	free(tun_workers);
	tun_workers = NULL;
	tun_n_workers = 0;
}

static const struct plb_fwd_ops tun_ops = {
	.build = tun_build,
	.conn_init = tun_conn_init,
	.xmit_in = tun_xmit_in,
};

PLB_MODULE_REGISTER(FWD, "tun", &tun_ops,
	.version = "1.0",
	.description = "IP-in-IP tunnel to the real server",
	.init = tun_init,
	.fini = tun_fini);
