/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nat: masquerading (IPVS -m). The client keeps its address: caddr:cport ->
 * vaddr:vport leaves as caddr:cport -> daddr:dport, and the reply
 * daddr:dport -> caddr:cport goes back as vaddr:vport -> caddr:cport. The
 * real servers must route their replies through plb (plb is their default
 * gateway, or they have a route to the clients via plb); replies steer by
 * the client endpoint, like the client's packets. IPv4 only.
 * Config keys: none (any key is an error).
 */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include <plb/conf.h>
#include <plb/conn.h>
#include <plb/fwd.h>
#include <plb/ip4.h>
#include <plb/l3.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/module.h>
#include <plb/stats.h>
#include <plb/svc.h>

enum nat_counter {
	NAT_C_XMIT_IN,
	NAT_C_XMIT_OUT,
	NAT_C_DROP_NO_PROTO,
	NAT_C_DROP_FRAG,
	NAT_C_MAX
};

static const char *const nat_counter_names[NAT_C_MAX] = {
	[NAT_C_XMIT_IN] = "xmit_in",
	[NAT_C_XMIT_OUT] = "xmit_out",
	[NAT_C_DROP_NO_PROTO] = "drop_no_proto",
	[NAT_C_DROP_FRAG] = "drop_frag",
};

static uint32_t nat_cnt[NAT_C_MAX];

static inline void
nat_count(enum nat_counter c)
{
	plb_counter_inc(nat_cnt[c]);
}

/* [ctl] NAT rewrites IPv4 headers only. */
static int
nat_build(const struct plb_svc *svc, void **table, char **err)
{
	*table = NULL;
	if (svc->af != AF_INET)
		return plb_err(err, -EINVAL, "only IPv4 services are supported");
	return 0;
}

/* [fast] The real server sees the client itself (@pkt is the client's first packet). */
static int
nat_conn_init(const struct plb_svc *svc, struct plb_conn *conn, const struct plb_pkt *pkt)
{
	conn->laddr = pkt->saddr;
	conn->lport = pkt->sport;
	return 0;
}

/* [fast] Rewrite @pkt to saddr:sport -> daddr:dport and route it through @nc (may be NULL). */
static enum plb_verdict
nat_rewrite_send(struct plb_pkt *pkt, uint32_t saddr, uint16_t sport, uint32_t daddr,
		uint16_t dport, struct plb_nh_cache *nc)
{
	if (unlikely(pkt->flags & PLB_PKT_F_FRAG)) {
		nat_count(NAT_C_DROP_FRAG);
		return PLB_DROP;
	}
	if (unlikely(plb_ip4_rewrite(pkt, saddr, sport, daddr, dport) != 0)) {
		nat_count(NAT_C_DROP_NO_PROTO);
		return PLB_DROP;
	}
	return plb_l3_output_cached(pkt, nc);
}

/* [fast] caddr:cport -> vaddr:vport becomes caddr:cport -> daddr:dport. */
static enum plb_verdict
nat_xmit_in(struct plb_conn *conn, struct plb_pkt *pkt)
{
	nat_count(NAT_C_XMIT_IN);
	return nat_rewrite_send(pkt, conn->caddr.v4, conn->cport, conn->daddr.v4, conn->dport,
				plb_conn_dest_nh(conn));
}

/* [fast] daddr:dport -> caddr:cport becomes vaddr:vport -> caddr:cport. */
static enum plb_verdict
nat_xmit_out(struct plb_conn *conn, struct plb_pkt *pkt)
{
	nat_count(NAT_C_XMIT_OUT);
	return nat_rewrite_send(pkt, conn->vaddr.v4, conn->vport, conn->caddr.v4, conn->cport, NULL);
}

/* [ctl] Reject any key and register the counters. */
static int
nat_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { NULL };
	int rc;

	if (conf != NULL) {
		rc = plb_conf_check_keys(conf, keys, err);
		if (rc != 0)
			return rc;
	}
	rc = plb_counters_register("nat", nat_counter_names, NAT_C_MAX, nat_cnt, err);
	if (rc != 0)
		return rc;
	return 0;
}

static const struct plb_fwd_ops nat_ops = {
	.build = nat_build,
	.conn_init = nat_conn_init,
	.xmit_in = nat_xmit_in,
	.xmit_out = nat_xmit_out,
};

PLB_MODULE_REGISTER(FWD, "nat", &nat_ops,
	.version = "1.0",
	.description = "NAT (masquerade): real servers route replies through plb",
	.init = nat_init);
