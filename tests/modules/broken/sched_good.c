/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test plugin for tests/modules/test_loader.c: a valid scheduler ("good":
 * the first available dest). init() and fini() each log one line
 * ("sched.good: init" / "sched.good: fini") so tests can see when and in
 * which order the loader calls them; modules export nothing else.
 */
#include <stddef.h>
#include <plb/log.h>
#include <plb/module.h>
#include <plb/sched.h>

static struct plb_dest *
good_schedule(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_pkt *pkt)
{
	for (uint32_t i = 0; i < svc->n_dests; i++)
		if (plb_dest_available(svc->dests[i]))
			return svc->dests[i];
	return NULL;
}

static int
good_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	PLB_LOG(INFO, "sched.good", "init");
	return 0;
}

static void
good_fini(void)
{
	PLB_LOG(INFO, "sched.good", "fini");
}

static const struct plb_sched_ops good_ops = {
	.schedule = good_schedule,
};

PLB_MODULE_REGISTER(SCHED, "good", &good_ops,
	.version = "1.0", .description = "first available dest (test plugin)",
	.init = good_init, .fini = good_fini);
