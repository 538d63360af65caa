/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * example: an out-of-tree scheduler, built only against the installed plb
 * SDK (see README.md). Source hashing: the client address picks one of the
 * service's available dests, so one client always lands on the same server
 * while the set of available dests does not change. Quiesced (weight 0),
 * down or full dests are skipped. No per-service options, no table.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <plb/module.h>
#include <plb/sched.h>

/* 32-bit FNV-1a over the client address: cheap and well mixed for a modulo. */
static uint32_t
example_hash(const struct plb_pkt *pkt)
{
	const uint8_t *b = (const uint8_t *)&pkt->saddr;
	size_t n = pkt->af == AF_INET6 ? 16 : 4;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

/* [fast] The (hash mod available)-th available dest, or NULL if none is. */
static struct plb_dest *
example_schedule(const struct plb_svc *svc, struct plb_sched_state *st,
		 const struct plb_pkt *pkt)
{
	uint32_t avail = 0, pick;

	for (uint32_t i = 0; i < svc->n_dests; i++)
		avail += (uint32_t)plb_dest_available(svc->dests[i]);
	if (avail == 0)
		return NULL;
	pick = example_hash(pkt) % avail;
	for (uint32_t i = 0; i < svc->n_dests; i++) {
		if (!plb_dest_available(svc->dests[i]))
			continue;
		if (pick-- == 0)
			return svc->dests[i];
	}
	return NULL;
}

static const struct plb_sched_ops example_ops = {
	.schedule = example_schedule,
};

PLB_MODULE_REGISTER(SCHED, "example", &example_ops,
	.version = "1.0", .description = "source hash over available dests (SDK example)");
