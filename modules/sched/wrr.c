/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrr: weighted round robin, the IPVS algorithm (ip_vs_wrr.c). build()
 * computes the largest weight mw and the gcd di of the non-zero weights;
 * each worker keeps its own position (st->scratch[0], the index to try next)
 * and current weight cw (st->scratch[1]). Dests are scanned in order and one
 * is picked when its weight >= cw; each wrap lowers cw by di, from mw down to
 * di, then back to mw. Weights 4,3,2 give A A B A B C A B C. A weight change
 * needs a new service version (a rebuild): mw and di come from build().
 * Unavailable dests (weight 0, down, full) are skipped. No options.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <plb/conf.h>
#include <plb/log.h>
#include <plb/module.h>
#include <plb/sched.h>

struct wrr_table {
	uint32_t n_dests;	/* dests when built */
	uint32_t mw;		/* largest weight, 0 = none has a weight */
	uint32_t di;		/* gcd of the non-zero weights */
};

static uint32_t
wrr_gcd(uint32_t a, uint32_t b)
{
	while (b != 0) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* [ctl] Rejects any option; computes mw and di. */
static int
wrr_build(const struct plb_svc *svc, const config_setting_t *opts, void **table, char **err)
{
	static const char *const keys[] = { NULL };
	struct wrr_table *t;
	int rc;

	*table = NULL;
	rc = plb_conf_check_keys(opts, keys, err);
	if (rc)
		return rc;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return plb_err(err, -ENOMEM, "wrr: out of memory");
	t->n_dests = svc->n_dests;
	for (uint32_t i = 0; i < svc->n_dests; i++) {
		uint32_t w = svc->dests[i]->weight;

		if (w == 0)
			continue;
		if (w > t->mw)
			t->mw = w;
		t->di = wrr_gcd(w, t->di);
	}
	*table = t;
	return 0;
}

static void
wrr_free(void *table)
{
	free(table);
}

/*
 * [fast] The IPVS wrr pick, or NULL. Gives up after one full pass at
 * cw == di (where every dest with a weight qualifies) found nothing, or
 * after any full pass in which no dest was available at all.
 */
static struct plb_dest *
wrr_schedule(const struct plb_svc *svc, struct plb_sched_state *st, const struct plb_pkt *pkt)
{
	const struct wrr_table *t = st->table;
	uint32_t n = svc->n_dests, idx, cw, low_seen = 0, seen = 0, avail = 0;

	if (t == NULL || t->mw == 0 || n == 0)
		return NULL;
	cw = (uint32_t)st->scratch[1];
	if (cw == 0 || cw > t->mw)
		cw = t->mw;	/* fresh state: IPVS starts at cw = mw */
	idx = st->scratch[0] < n ? (uint32_t)st->scratch[0] : n;
	if (idx == n) {		/* the last pick ended a pass */
		idx = 0;
		cw = cw > t->di ? cw - t->di : t->mw;
	}
	for (;;) {
		struct plb_dest *d = svc->dests[idx];

		if (plb_dest_available(d)) {
			if (d->weight >= cw) {
				st->scratch[0] = idx + 1;
				st->scratch[1] = cw;
				return d;
			}
			avail++;
		}
		if (cw <= t->di && ++low_seen == n)
			return NULL;
		if (++seen == n && avail == 0)
			return NULL;
		if (++idx == n) {
			idx = 0;
			cw = cw > t->di ? cw - t->di : t->mw;
		}
	}
}

static const struct plb_sched_ops wrr_ops = {
	.build = wrr_build,
	.free = wrr_free,
	.schedule = wrr_schedule,
};

PLB_MODULE_REGISTER(SCHED, "wrr", &wrr_ops,
	.version = "1.0", .description = "weighted round robin (IPVS wrr)");
