/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * defence: PRE_ROUTING at priority 99, before the LB decision. Drops what
 * no service can take and what would only cost the LB work: IP fragments
 * to a VIP (plb does not reassemble; IPVS does not balance fragments
 * either) and UDP to a VIP that has only TCP services. Both counted.
 * No settings.
 */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <plb/conf.h>
#include <plb/hook.h>
#include <plb/log.h>
#include <plb/module.h>
#include <plb/port.h>
#include <plb/stats.h>
#include <plb/svc.h>

static uint32_t ctr_frag, ctr_udp;

static enum plb_verdict
defence_in(void *priv, struct plb_pkt *pkt)
{
	uint32_t vip;

	if (pkt->af != AF_INET)
		return PLB_ACCEPT;
	vip = PLB_ADDR_INFO_VIP(pkt->dst_info);	/* looked up once by proto_ipv4 */
	if (vip == 0)
		return PLB_ACCEPT;
	if (pkt->flags & PLB_PKT_F_FRAG) {
		plb_counter_inc(ctr_frag);
		return PLB_DROP;
	}
	if (pkt->l4_proto == IPPROTO_UDP && !(vip & PLB_VIP_F_UDP)) {
		plb_counter_inc(ctr_udp);
		return PLB_DROP;
	}
	return PLB_ACCEPT;
}

static int
defence_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { NULL };
	int rc = plb_conf_check_keys(conf, keys, err);

	if (rc)
		return rc;
	if (plb_counter_register("defence", "drop_frag_to_vip", &ctr_frag) ||
	    plb_counter_register("defence", "drop_udp_to_tcp_vip", &ctr_udp))
		return plb_err(err, -EEXIST, "cannot register counters");
	return 0;
}

static const struct plb_hook_reg defence_regs[] = {
	{ .name = "defence_in", .point = PLB_HOOK_PRE_ROUTING, .priority = 99, .fn = defence_in },
};

static const struct plb_hook_ops defence_ops = { .regs = defence_regs, .n_regs = 1 };

PLB_MODULE_REGISTER(HOOK, "defence", &defence_ops,
	.version = "1.0",
	.description = "drops fragments to VIPs and UDP to TCP-only VIPs",
	.init = defence_init);
