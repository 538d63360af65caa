/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs: the load-balancing decision, DPVS's dp_vs_in as a PRE_ROUTING hook at
 * priority 100. For a TCP/UDP packet: look its conn up in both directions;
 * a hit advances the protocol's state machine and goes out through the
 * conn's forwarding mode. A miss to a service schedules a dest and makes a
 * conn (or, for a one-packet UDP service, forwards without one). Steering
 * already brought the packet to the worker that owns its conn.
 *
 * Settings (modules.hook_vs): unknown_port = "drop" | "reject" (default
 * "drop"): what a packet to a VIP port without a service gets; "reject"
 * answers the protocol's way (TCP RST, ICMP port unreachable).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_mbuf.h>

#include <plb/conf.h>
#include <plb/conn.h>
#include <plb/fwd.h>
#include <plb/hook.h>
#include <plb/log.h>
#include <plb/module.h>
#include <plb/port.h>
#include <plb/proto.h>
#include <plb/sched.h>
#include <plb/stats.h>
#include <plb/svc.h>
#include <plb/worker.h>

static int vs_reject_unknown;

static struct {
	uint32_t in, out, conn_new, ops, drop_unknown_port, reject_unknown_port;
	uint32_t drop_no_dest, drop_no_conn, drop_no_reply_path, expire_quiescent, drop_ttl_exceeded;
	uint32_t conn_reused;
} ctr;

static inline void
vs_account(struct plb_dest *d, int dir, const struct plb_pkt *pkt)
{
	struct plb_dest_stats *s = &d->stats[plb_worker_id()];

	if (dir == PLB_DIR_IN) {
		s->pkts_in++;
		s->bytes_in += pkt->l3_len;
	} else {
		s->pkts_out++;
		s->bytes_out += pkt->l3_len;
	}
}

/* A conn's packet: state machine, stats, out through its forwarding mode. */
static enum plb_verdict
vs_xmit(const struct plb_proto_ops *pp, struct plb_conn *c, struct plb_pkt *pkt, int dir)
{
	pp->conn_state(c, pkt, dir);
	vs_account(c->dest, dir, pkt);
	if (dir == PLB_DIR_IN) {
		plb_counter_inc(ctr.in);
		return c->fwd->xmit_in(c, pkt);
	}
	plb_counter_inc(ctr.out);
	if (unlikely(c->fwd->xmit_out == NULL)) {
		plb_counter_inc(ctr.drop_no_reply_path);
		return PLB_DROP;
	}
	return c->fwd->xmit_out(c, pkt);
}

/* One-packet scheduling: forward through a conn that lives on the stack only. */
static enum plb_verdict
vs_ops(const struct plb_proto_ops *pp, const struct plb_svc *svc, struct plb_dest *d,
       struct plb_pkt *pkt)
{
	struct plb_conn c;
	enum plb_verdict v;

	memset(&c, 0, sizeof(c));
	c.flags = PLB_CONN_F_TEMPLATE;
	c.af = pkt->af;
	c.proto = pkt->l4_proto;
	c.caddr = pkt->saddr;
	c.vaddr = pkt->daddr;
	c.cport = pkt->sport;
	c.vport = pkt->dport;
	c.daddr = d->addr;
	c.dport = d->port;
	c.dest = d;
	c.fwd = svc->fwd;
	if (svc->fwd->conn_init(svc, &c, pkt) != 0) {
		svc->stats[plb_worker_id()].drop_no_port++;
		return PLB_DROP;
	}
	plb_counter_inc(ctr.ops);
	d->stats[plb_worker_id()].conns++;
	v = vs_xmit(pp, &c, pkt, PLB_DIR_IN);
	if (svc->fwd->conn_release)
		svc->fwd->conn_release(&c);
	return v;
}

static enum plb_verdict
vs_in(void *priv, struct plb_pkt *pkt)
{
	const struct plb_proto_ops *pp;
	const struct plb_svc *svc;
	struct plb_dest *d;
	struct plb_conn *c;
	int dir;

	if (pkt->af != AF_INET || !(pkt->flags & PLB_PKT_F_L4))
		return PLB_ACCEPT;
	pp = plb_proto_get(pkt->l4_proto);
	if (pp == NULL || pp->conn_sched == NULL)
		return PLB_ACCEPT;
	c = plb_conn_lookup(pkt, &dir);
	if (unlikely(pkt->ttl <= 1) && (c != NULL || PLB_ADDR_INFO_VIP(pkt->dst_info))) {
		/* plb forwards what it balances: a packet that may take no more hops stops here */
		plb_counter_inc(ctr.drop_ttl_exceeded);
		return PLB_DROP;
	}
	if (c != NULL) {
		if (dir == PLB_DIR_IN && unlikely(pp->conn_reused && pp->conn_reused(c, pkt))) {
			/* a new connection from a reused client port: schedule it afresh */
			plb_counter_inc(ctr.conn_reused);
			plb_conn_del(c);
		} else if (likely(dir == PLB_DIR_OUT ||
				  !(c->dest->flags & PLB_DEST_F_EXPIRE_QUIESCENT) ||
				  (c->dest->weight != 0 && !(c->dest->flags & PLB_DEST_F_REMOVED)))) {
			return vs_xmit(pp, c, pkt, dir);
		} else {
			/* its dest was quiesced or removed: drop the conn, treat as a new flow */
			plb_counter_inc(ctr.expire_quiescent);
			plb_conn_del(c);
		}
	}
	svc = plb_svc_lookup(pkt->af, pkt->l4_proto, &pkt->daddr, pkt->dport);
	if (svc == NULL) {
		if (PLB_ADDR_INFO_VIP(pkt->dst_info) == 0)
			return PLB_ACCEPT;	/* not for a VIP: not ours */
		if (vs_reject_unknown && pp->reject) {
			plb_counter_inc(ctr.reject_unknown_port);
			return pp->reject(pkt);
		}
		plb_counter_inc(ctr.drop_unknown_port);
		return PLB_DROP;
	}
	if (!pp->conn_sched(pkt)) {
		svc->stats[plb_worker_id()].drop_not_syn++;
		plb_counter_inc(ctr.drop_no_conn);
		return PLB_DROP;
	}
	d = svc->sched->schedule(svc, &svc->sched_state[plb_worker_id()], pkt);
	if (unlikely(d == NULL)) {
		svc->stats[plb_worker_id()].drop_no_dest++;
		plb_counter_inc(ctr.drop_no_dest);
		return PLB_DROP;
	}
	if (svc->flags & PLB_SVC_F_OPS)
		return vs_ops(pp, svc, d, pkt);
	c = plb_conn_new(svc, d, pkt);
	if (unlikely(c == NULL))
		return PLB_DROP;	/* the service's stats say why */
	plb_counter_inc(ctr.conn_new);
	return vs_xmit(pp, c, pkt, PLB_DIR_IN);
}

static int
vs_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { "unknown_port", NULL };
	const char *v;
	int rc;

	if ((rc = plb_conf_check_keys(conf, keys, err)) != 0)
		return rc;
	vs_reject_unknown = 0;
	if (conf && config_setting_lookup_string(conf, "unknown_port", &v)) {
		if (strcmp(v, "reject") == 0)
			vs_reject_unknown = 1;
		else if (strcmp(v, "drop") != 0)
			return plb_conf_err(config_setting_get_member(conf, "unknown_port"), err, -EINVAL,
					    "expected \"drop\" or \"reject\", got \"%s\"", v);
	} else if (conf && config_setting_get_member(conf, "unknown_port")) {
		return plb_conf_err(config_setting_get_member(conf, "unknown_port"), err, -EINVAL,
				    "expected \"drop\" or \"reject\"");
	}
#define C(n) plb_counter_register("vs", #n, &ctr.n)
	if (C(in) || C(out) || C(conn_new) || C(ops) || C(drop_unknown_port) ||
	    C(reject_unknown_port) || C(drop_no_dest) || C(drop_no_conn) ||
	    C(drop_no_reply_path) || C(expire_quiescent) || C(drop_ttl_exceeded) || C(conn_reused))
		return plb_err(err, -EEXIST, "cannot register counters");
#undef C
	return 0;
}

static const struct plb_hook_reg vs_regs[] = {
	{ .name = "vs_in", .point = PLB_HOOK_PRE_ROUTING, .priority = 100, .fn = vs_in },
};

static const struct plb_hook_ops vs_ops_tbl = {
	.regs = vs_regs,
	.n_regs = 1,
};

PLB_MODULE_REGISTER(HOOK, "vs", &vs_ops_tbl,
	.version = "1.0",
	.description = "the load-balancing decision (dp_vs_in): conns, scheduling, forwarding",
	.init = vs_init);
