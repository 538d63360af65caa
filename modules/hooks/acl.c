/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl: PRE_ROUTING at priority 95, before the LB decision (vs, 100). A
 * TCP/UDP packet to a service is checked against the compiled access lists
 * (plb/acl.h: global deny, global allow, the service's deny, its allow) and
 * dropped when one refuses it; each verdict has its counter. By default only
 * packets that start a flow are checked (no conn yet), so a list change
 * never cuts an established conn and established traffic pays one conn
 * lookup. The lists come from Lua policy and plbctl (docs/acl.md).
 *
 * Settings (modules.hook_acl): every_packet = true | false (default false):
 * check every packet to a service, established conns included.
 */
#include <errno.h>
#include <sys/socket.h>

#include <plb/acl.h>
#include <plb/conf.h>
#include <plb/conn.h>
#include <plb/hook.h>
#include <plb/log.h>
#include <plb/module.h>
#include <plb/port.h>
#include <plb/stats.h>
#include <plb/svc.h>

static int acl_every_packet;

/* indexed by enum plb_acl_verdict */
static uint32_t ctr[5];
static const char *const ctr_name[5] = {
	"pass", "drop_global_deny", "drop_global_allow", "drop_svc_deny", "drop_svc_allow",
};

static enum plb_verdict
acl_in(void *priv, struct plb_pkt *pkt)
{
	const struct plb_svc *svc;
	enum plb_acl_verdict v;
	int dir;

	if (pkt->af != AF_INET || !(pkt->flags & PLB_PKT_F_L4))
		return PLB_ACCEPT;
	/* not to a VIP (replies to a local address or a client): nothing to check */
	if (PLB_ADDR_INFO_VIP(pkt->dst_info) == 0)
		return PLB_ACCEPT;
	/* services first: a VIP port without one ends here at no conn lookup */
	svc = plb_svc_lookup(pkt->af, pkt->l4_proto, &pkt->daddr, pkt->dport);
	if (svc == NULL)
		return PLB_ACCEPT;
	if (!acl_every_packet && plb_conn_lookup(pkt, &dir) != NULL)
		return PLB_ACCEPT;
	v = plb_acl4_check(pkt->saddr.v4, svc);
	plb_counter_inc(ctr[v]);
	return v == PLB_ACL_PASS ? PLB_ACCEPT : PLB_DROP;
}

static int
acl_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { "every_packet", NULL };
	const config_setting_t *s;
	int rc;

	if ((rc = plb_conf_check_keys(conf, keys, err)) != 0)
		return rc;
	acl_every_packet = 0;
	s = conf ? config_setting_get_member(conf, "every_packet") : NULL;
	if (s) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return plb_conf_err(s, err, -EINVAL, "expected true or false");
		acl_every_packet = config_setting_get_bool(s);
	}
	for (int i = 0; i < 5; i++)
		if (plb_counter_register("acl", ctr_name[i], &ctr[i]))
			return plb_err(err, -EEXIST, "cannot register counters");
	return 0;
}

static const struct plb_hook_reg acl_regs[] = {
	{ .name = "acl_in", .point = PLB_HOOK_PRE_ROUTING, .priority = 95, .fn = acl_in },
};

static const struct plb_hook_ops acl_ops = { .regs = acl_regs, .n_regs = 1 };

PLB_MODULE_REGISTER(HOOK, "acl", &acl_ops,
	.version = "1.0",
	.description = "drops flows refused by the global and per-service deny/allow lists",
	.init = acl_init);
