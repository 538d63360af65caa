/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Broken plugin for tests/modules/test_loader.c: calls a function nothing
 * defines. It links (shared objects may leave symbols undefined) but
 * dlopen(RTLD_NOW) fails; the loader must pass dlerror()'s text on.
 */
#include <stddef.h>
#include <plb/module.h>
#include <plb/sched.h>

/* deliberately never defined anywhere */
struct plb_dest *plb_no_such_function(const struct plb_svc *svc);

static struct plb_dest *
undef_schedule(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_pkt *pkt)
{
	return plb_no_such_function(svc);
}

static const struct plb_sched_ops undef_ops = {
	.schedule = undef_schedule,
};

PLB_MODULE_REGISTER(SCHED, "undef", &undef_ops);
