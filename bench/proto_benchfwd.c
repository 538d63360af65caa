/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * benchfwd: the benchmark's floor (bench/, docs/performance.md): an L3
 * handler for ethertype 0x0800 that looks at nothing and sends every frame
 * back out of the port it came in on. Loaded only by the bench's "floor"
 * scenario (modules.path = build/bench), never by a real configuration: it
 * measures what the core's worker loop costs with no L3 work at all.
 * Config keys: none (any key is an error).
 */
#include <plb/conf.h>
#include <plb/l3.h>
#include <plb/module.h>
#include <plb/worker.h>

/* [fast] Nothing to validate: the floor parses no header. */
static enum plb_verdict
benchfwd_parse(struct plb_pkt *pkt)
{
	return PLB_ACCEPT;
}

/* [fast] Straight back out of the port it arrived on. */
static enum plb_verdict
benchfwd_rcv(struct plb_pkt *pkt)
{
	plb_tx(pkt->port, pkt->mbuf);
	return PLB_STOLEN;
}

static int
benchfwd_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { NULL };

	return plb_conf_check_keys(conf, keys, err);
}

static const struct plb_l3_ops benchfwd_ops = {
	.ethertype = 0x0800,
	.parse = benchfwd_parse,
	.rcv = benchfwd_rcv,
};

PLB_MODULE_REGISTER(L3, "benchfwd", &benchfwd_ops,
	.version = "1.0",
	.description = "benchmark floor: every IPv4 frame straight back out (bench/ only)",
	.init = benchfwd_init);
