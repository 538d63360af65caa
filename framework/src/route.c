/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.route: IPv4 routes in an rte_lpm: the connected prefix of every port
 * address, then the config's static routes (a static route may override a
 * connected one of the same prefix). Built once at start-up on the control
 * thread before the workers run; read lock-free by them. Each worker has a
 * next-hop cache per gateway route (plb_route4_lookup_nh).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_errno.h>
#include <rte_lpm.h>

#include <plb/log.h>
#include <plb/port.h>
#include <plb/route.h>
#include <plb/worker.h>

#include "config.h"
#include "route.h"

#define LOG_TYPE "core.route"

struct nexthop {
	uint16_t port;
	uint32_t gw;		/* 0: connected */
};

static struct rte_lpm *lpm;
static struct nexthop *hops;
static uint32_t n_hops;
static struct plb_nh_cache *nh_caches;	/* [workers][nh_stride]: a worker's own cache lines */
static uint32_t nh_workers, nh_stride;

static int
route_add(uint32_t prefix, uint8_t len, uint16_t port, uint32_t gw, char **err, const char *what)
{
	struct nexthop *nh = realloc(hops, (n_hops + 1) * sizeof(*hops));
	int rc;

	if (nh == NULL)
		return plb_err(err, -ENOMEM, "routes: out of memory");
	hops = nh;
	hops[n_hops].port = port;
	hops[n_hops].gw = gw;
	rc = rte_lpm_add(lpm, ntohl(prefix), len, n_hops);
	if (rc)
		return plb_err(err, rc, "%s: cannot add route: %s", what, rte_strerror(-rc));
	n_hops++;
	return 0;
}

int
plb_routes_setup(const struct plb_conf *conf, char **err)
{
	struct rte_lpm_config lc = {
		.max_rules = conf->n_routes + 64, .number_tbl8s = 256,
	};
	char what[128];
	int rc;

	for (uint32_t i = 0; i < conf->n_ports; i++)
		lc.max_rules += conf->ports[i].n_addr4;
	lpm = rte_lpm_create("plb_routes", (int)rte_socket_id(), &lc);
	if (lpm == NULL)
		return plb_err(err, -rte_errno, "routes: rte_lpm_create: %s", rte_strerror(rte_errno));
	for (uint16_t i = 0; i < plb_port_count(); i++) {
		const struct plb_port_info *pi = plb_port_get(plb_ports()->ids[i]);

		for (uint32_t a = 0; a < pi->n_addr4; a++) {
			uint8_t len = pi->addr4[a].prefix_len;
			uint32_t mask = len ? htonl(0xffffffffu << (32 - len)) : 0;

			snprintf(what, sizeof(what), "port %s", pi->name);
			rc = route_add(pi->addr4[a].addr & mask, len, pi->id, 0, err, what);
			if (rc)
				return rc;
		}
	}
	for (uint32_t i = 0; i < conf->n_routes; i++) {
		const struct plb_conf_route *r = &conf->routes[i];
		uint16_t port = UINT16_MAX;

		for (uint16_t p = 0; p < plb_port_count(); p++)
			if (strcmp(plb_port_get(plb_ports()->ids[p])->name, r->port) == 0)
				port = plb_ports()->ids[p];
		snprintf(what, sizeof(what), "%s:%d: routes[%u]", conf->file, r->line, i);
		if (port == UINT16_MAX)
			return plb_err(err, -EINVAL, "%s: no port %s", what, r->port);
		rc = route_add(r->prefix, r->len, port, r->via, err, what);
		if (rc)
			return rc;
	}
	nh_workers = conf->workers.count ? conf->workers.count : 1;
	nh_stride = RTE_ALIGN_CEIL((n_hops ? n_hops : 1) * sizeof(*nh_caches), RTE_CACHE_LINE_SIZE) /
		    sizeof(*nh_caches);
	nh_caches = aligned_alloc(RTE_CACHE_LINE_SIZE,
				  (size_t)nh_workers * nh_stride * sizeof(*nh_caches));
	if (nh_caches == NULL)
		return plb_err(err, -ENOMEM, "routes: out of memory");
	memset(nh_caches, 0, (size_t)nh_workers * nh_stride * sizeof(*nh_caches));
	return 0;
}

void
plb_routes_free(void)
{
	rte_lpm_free(lpm);
	lpm = NULL;
	free(hops);
	hops = NULL;
	n_hops = 0;
	free(nh_caches);
	nh_caches = NULL;
	nh_workers = nh_stride = 0;
}

int
plb_route4_lookup(uint32_t daddr, uint16_t *port, uint32_t *nexthop)
{
	struct plb_nh_cache *nc;

	return plb_route4_lookup_nh(daddr, port, nexthop, &nc);
}

int
plb_route4_lookup_nh(uint32_t daddr, uint16_t *port, uint32_t *nexthop, struct plb_nh_cache **nc)
{
	uint32_t idx, w = plb_worker_id();

	if (unlikely(lpm == NULL) || rte_lpm_lookup(lpm, ntohl(daddr), &idx) != 0)
		return -ENOENT;
	*port = hops[idx].port;
	if (hops[idx].gw == 0) {
		*nexthop = daddr;
		*nc = NULL;
		return 0;
	}
	*nexthop = hops[idx].gw;
	*nc = w < nh_workers ? &nh_caches[(size_t)w * nh_stride + idx] : NULL;
	return 0;
}
