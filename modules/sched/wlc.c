/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wlc: weighted least-connection, as IPVS (ip_vs_wlc.c). A dest's overhead
 * is active_conns * 256 + inactive_conns; the pick is the available dest
 * with the least overhead / weight, compared by cross-multiplication
 * (loh * w_d > doh * w_least), never by division. Ties go to the first dest
 * in order. Unavailable dests (weight 0, down, full) are never picked.
 * No table, no options.
 */
#include <stddef.h>
#include <stdint.h>

#include <plb/conf.h>
#include <plb/module.h>
#include <plb/sched.h>

/* [ctl] No table; only rejects any option. */
static int
wlc_build(const struct plb_svc *svc, const config_setting_t *opts, void **table, char **err)
{
	static const char *const keys[] = { NULL };

	*table = NULL;
	return plb_conf_check_keys(opts, keys, err);
}

/*
 * Overhead as IPVS counts it: an active conn weighs 256 inactive ones.
 * WHY 64 bits suffice: conns are bounded by the conn tables (at most 2^28 a
 * worker, 1024 workers: 2^38), so overhead < 2^47; weights are at most 65535
 * (config and control requests refuse more): the products stay below 2^63.
 */
static inline uint64_t
wlc_overhead(const struct plb_dest *d)
{
	return (d->active_conns << 8) + d->inactive_conns;
}

/* [fast] The available dest with the least overhead per unit weight, or NULL. */
static struct plb_dest *
wlc_schedule(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_pkt *pkt)
{
	struct plb_dest *least = NULL;
	uint64_t loh = 0, doh;

	for (uint32_t i = 0; i < svc->n_dests; i++) {
		struct plb_dest *d = svc->dests[i];

		if (!plb_dest_available(d))
			continue;
		doh = wlc_overhead(d);
		if (least == NULL || loh * (uint64_t)d->weight > doh * (uint64_t)least->weight) {
			least = d;
			loh = doh;
		}
	}
	return least;	/* NULL: none available, the core counts it and drops */
}

static const struct plb_sched_ops wlc_ops = {
	.build = wlc_build,
	.schedule = wlc_schedule,
};

PLB_MODULE_REGISTER(SCHED, "wlc", &wlc_ops,
	.version = "1.0", .description = "weighted least-connection (IPVS wlc)");
