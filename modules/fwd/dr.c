/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dr: direct routing (IPVS -g). The packet is sent unchanged (still to
 * vaddr:vport) in an Ethernet frame addressed to the real server's MAC; the
 * server holds the VIP on a loopback interface, must not answer ARP for it,
 * and replies straight to the client, so plb never sees replies
 * (PLB_CONN_F_NO_OUT). The server must be on a network connected to one of
 * plb's ports: a dest reached through a gateway is dropped, counted as
 * drop_not_connected. The dest port must equal the service port (or be 0).
 * Config keys: none (any key is an error).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include <rte_branch_prediction.h>

#include <plb/conf.h>
#include <plb/conn.h>
#include <plb/fwd.h>
#include <plb/l3.h>
#include <plb/log.h>
#include <plb/module.h>
#include <plb/route.h>
#include <plb/stats.h>
#include <plb/svc.h>

enum dr_counter {
	DR_C_XMIT_IN,
	DR_C_DROP_NO_ROUTE,
	DR_C_DROP_NOT_CONNECTED,
	DR_C_MAX
};

static const char *const dr_counter_names[DR_C_MAX] = {
	[DR_C_XMIT_IN] = "xmit_in",
	[DR_C_DROP_NO_ROUTE] = "drop_no_route",
	[DR_C_DROP_NOT_CONNECTED] = "drop_not_connected",
};

static uint32_t dr_cnt[DR_C_MAX];

/* [ctl] IPv4 only; DR cannot change the port, so a dest port must be 0 or vport. */
static int
dr_build(const struct plb_svc *svc, void **table, char **err)
{
	char d[INET_ADDRSTRLEN] = "?";
	const struct plb_dest *dest;
	uint32_t i;

	*table = NULL;
	if (svc->af != AF_INET)
		return plb_err(err, -EINVAL, "only IPv4 services are supported");
	for (i = 0; i < svc->n_dests; i++) {
		dest = svc->dests[i];
		if (dest->port == 0 || dest->port == svc->vport)
			continue;
		inet_ntop(AF_INET, &dest->addr, d, sizeof(d));
		return plb_err(err, -EINVAL, "dest %s:%u: the port must be the service's, %u "
			       "(direct routing sends the packet unchanged)", d, ntohs(dest->port),
			       ntohs(svc->vport));
	}
	return 0;
}

/* [fast] Replies go from the server to the client, never through plb. */
static int
dr_conn_init(const struct plb_svc *svc, struct plb_conn *conn, const struct plb_pkt *pkt)
{
	conn->flags |= PLB_CONN_F_NO_OUT;
	return 0;
}

/* [fast] Send @pkt unchanged to the real server's MAC on its connected port. */
static enum plb_verdict
dr_xmit_in(struct plb_conn *conn, struct plb_pkt *pkt)
{
	uint32_t nexthop;
	uint16_t port;

	if (unlikely(plb_route4_lookup(conn->daddr.v4, &port, &nexthop) != 0)) {
		plb_counter_inc(dr_cnt[DR_C_DROP_NO_ROUTE]);
		return PLB_DROP;
	}
	/* WHY: DR needs L2 adjacency; a gateway would route the VIP back to us */
	if (unlikely(nexthop != conn->daddr.v4)) {
		plb_counter_inc(dr_cnt[DR_C_DROP_NOT_CONNECTED]);
		return PLB_DROP;
	}
	plb_counter_inc(dr_cnt[DR_C_XMIT_IN]);
	return plb_neigh_output_cached(pkt, port, &conn->daddr, plb_conn_dest_nh(conn));
}

/* [ctl] Reject any key and register the counters. */
static int
dr_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { NULL };
	int rc;

	if (conf != NULL) {
		rc = plb_conf_check_keys(conf, keys, err);
		if (rc != 0)
			return rc;
	}
	rc = plb_counters_register("dr", dr_counter_names, DR_C_MAX, dr_cnt, err);
	if (rc != 0)
		return rc;
	return 0;
}

static const struct plb_fwd_ops dr_ops = {
	.build = dr_build,
	.conn_init = dr_conn_init,
	.xmit_in = dr_xmit_in,
};

PLB_MODULE_REGISTER(FWD, "dr", &dr_ops,
	.version = "1.0",
	.description = "direct routing: unchanged packet to the real server's MAC",
	.init = dr_init);
