/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test plugin for tests/modules/test_loader.c: a valid L3 handler for the
 * experimental ethertype 0x88b5. proto_dupa and proto_dupb both claim it:
 * the second one loaded must fail, naming the first.
 */
#include <stddef.h>
#include <plb/l3.h>
#include <plb/module.h>

static enum plb_verdict
dupb_parse(struct plb_pkt *pkt)
{
	return PLB_ACCEPT;
}

static enum plb_verdict
dupb_rcv(struct plb_pkt *pkt)
{
	return PLB_DROP;
}

static const struct plb_l3_ops dupb_ops = {
	.ethertype = 0x88b5,
	.parse = dupb_parse,
	.rcv = dupb_rcv,
};

PLB_MODULE_REGISTER(L3, "dupb", &dupb_ops);
