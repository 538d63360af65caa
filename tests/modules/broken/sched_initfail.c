/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Broken plugin for tests/modules/test_loader.c: a valid scheduler whose
 * init() refuses with -EINVAL and "threshold must be below 10". The loader
 * must pass the message on and leave nothing registered.
 */
#include <errno.h>
#include <stddef.h>
#include <plb/log.h>
#include <plb/module.h>
#include <plb/sched.h>

static struct plb_dest *
initfail_schedule(const struct plb_svc *svc, struct plb_sched_state *st,
		  const struct plb_pkt *pkt)
{
	return NULL;
}

static int
initfail_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	return plb_err(err, -EINVAL, "threshold must be below %d", 10);
}

static const struct plb_sched_ops initfail_ops = {
	.schedule = initfail_schedule,
};

PLB_MODULE_REGISTER(SCHED, "initfail", &initfail_ops, .init = initfail_init);
