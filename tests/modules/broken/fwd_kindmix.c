/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Broken plugin for tests/modules/test_loader.c: the file is named fwd_*
 * but the descriptor says it is a scheduler called "kindmix". The loader
 * must refuse the kind/file-name mismatch.
 */
#include <stddef.h>
#include <plb/module.h>
#include <plb/sched.h>

static struct plb_dest *
kindmix_schedule(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_pkt *pkt)
{
	return NULL;
}

static const struct plb_sched_ops kindmix_ops = {
	.schedule = kindmix_schedule,
};

PLB_MODULE_REGISTER(SCHED, "kindmix", &kindmix_ops);
