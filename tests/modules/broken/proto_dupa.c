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
dupa_parse(struct plb_pkt *pkt)
{
	return PLB_ACCEPT;
}

static enum plb_verdict
dupa_rcv(struct plb_pkt *pkt)
{
	return PLB_DROP;
}

static const struct plb_l3_ops dupa_ops = {
	.ethertype = 0x88b5,
	.parse = dupa_parse,
	.rcv = dupa_rcv,
};

PLB_MODULE_REGISTER(L3, "dupa", &dupa_ops);
