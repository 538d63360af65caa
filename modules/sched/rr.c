/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rr: round robin. Each worker walks its own cursor (st->scratch[0], the
 * index to try next) over the service's dests and returns the next one that
 * plb_dest_available() accepts: weight 0 (quiesced), down and full dests are
 * skipped. The cursor starts at dest 0 whenever a new service version is
 * published. No options: `sched_opts` must be empty or absent.
 */
#include <stddef.h>
#include <stdint.h>

#include <plb/conf.h>
#include <plb/module.h>
#include <plb/sched.h>

/* [ctl] No table; only rejects any option. */
static int
rr_build(const struct plb_svc *svc, const config_setting_t *opts, void **table, char **err)
{
	static const char *const keys[] = { NULL };

	*table = NULL;
	return plb_conf_check_keys(opts, keys, err);
}

/* [fast] The next available dest after the last one this worker picked, or NULL. */
static struct plb_dest *
rr_schedule(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_pkt *pkt)
{
	uint32_t n = svc->n_dests, i, idx;

	if (n == 0)
		return NULL;
	idx = (uint32_t)(st->scratch[0] % n);
	for (i = 0; i < n; i++) {
		struct plb_dest *d = svc->dests[idx];

		if (++idx == n)
			idx = 0;
		if (plb_dest_available(d)) {
			st->scratch[0] = idx;
			return d;
		}
	}
	return NULL;	/* none available: the core counts it and drops */
}

static const struct plb_sched_ops rr_ops = {
	.build = rr_build,
	.schedule = rr_schedule,
};

PLB_MODULE_REGISTER(SCHED, "rr", &rr_ops,
	.version = "1.0", .description = "round robin over available dests");
