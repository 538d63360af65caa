/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Broken plugin for tests/modules/test_loader.c: file sched_namemix.so, but
 * the descriptor's name is "other". The loader must refuse the name/file-name
 * mismatch (so `scheduler = "other"` could never find it).
 */
#include <stddef.h>
#include <plb/module.h>
#include <plb/sched.h>

static struct plb_dest *
namemix_schedule(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_pkt *pkt)
{
	return NULL;
}

static const struct plb_sched_ops namemix_ops = {
	.schedule = namemix_schedule,
};

PLB_MODULE_REGISTER(SCHED, "other", &namemix_ops);
