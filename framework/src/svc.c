/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.svc: building service versions; publishing them and the fast-path
 * lookups are in svc_table.c. A version holds the services (each with its
 * dests, per-worker scheduler state and stats, the scheduler's and
 * forwarding mode's tables), a map (af, proto, vip, vport) -> service and a
 * map IPv4 address -> what it is to plb (port address, VIP with its
 * protocols, FNAT local address).
 * What outlives versions: each service's stats and each dest (conns point at
 * dests; a dest's counts are its conns). Every change (config at start,
 * control requests, reload) goes through one path: new specs -> build a
 * whole version -> publish -> wait for the workers -> free the old shell.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include <plb/fwd.h>
#include <plb/log.h>
#include <plb/port.h>
#include <plb/sched.h>

#include "loader.h"
#include "registry.h"
#include "runtime.h"
#include "svc.h"

#define LOG_TYPE "core.svc"

#include "svc_table.h"

/* A dest lives as long as a version lists it or a conn holds it. */
struct dest_box {
	struct plb_dest d;		/* first: conns point at it */
	struct dest_box *next;		/* in the trash */
};

/* What a service keeps across versions, by key. */
struct svc_box {
	struct svc_key key;
	struct plb_svc_stats *stats;	/* [workers] */
	uint32_t n_dests;
	struct dest_box **dests;	/* as in the running version */
	struct svc_box *next;
};

/* control thread only */
static struct plb_conf_svc *specs;	/* running desired state */
static uint32_t n_specs;
static struct svc_box *boxes;
static struct dest_box *trash;
static struct plb_env env_saved;
static char *module_path;
static const struct plb_conf *boot_conf;	/* for port addresses; valid while running */

/* ---- building a version ---- */

static const char *
spec_str(const struct plb_conf_svc *cs, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &cs->vip, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u/%s", ip, cs->port, cs->proto == IPPROTO_TCP ? "tcp" : "udp");
	return buf;
}

/* The ops of scheduler / forwarding mode @name, loading <prefix>_<name>.so if needed. */
static const void *
get_module_ops(const char *path, const struct plb_env *env, int sched, const char *name, char **err)
{
	const void *ops = sched ? (const void *)plb_reg_sched_get(name) : (const void *)plb_reg_fwd_get(name);
	char stem[64];

	if (ops)
		return ops;
	snprintf(stem, sizeof(stem), "%s_%s", sched ? "sched" : "fwd", name);
	if (plb_loader_load(path, stem, env, NULL, err) != 0)
		return NULL;
	return sched ? (const void *)plb_reg_sched_get(name) : (const void *)plb_reg_fwd_get(name);
}

static void *
zalloc_aligned(size_t n)
{
	void *p = aligned_alloc(64, (n + 63) & ~(size_t)63);

	if (p)
		memset(p, 0, n);
	return p;
}

/* Free a version's service shell: its own arrays and tables, never dests or stats. */
static void
svc_shell_free(struct plb_svc *svc)
{
	if (svc == NULL)
		return;
	if (svc->sched && svc->sched->free && svc->sched_state && svc->sched_state[0].table)
		svc->sched->free((void *)svc->sched_state[0].table);
	if (svc->fwd && svc->fwd->free && svc->fwd_table)
		svc->fwd->free(svc->fwd_table);
	free((void *)svc->dests);
	free((void *)svc->laddrs);
	free(svc->sched_state);
	free((void *)svc->sched_name);
	free((void *)svc->fwd_name);
	free(svc);
}

static struct dest_box *
dest_new(const struct plb_conf_dest *cd, uint32_t nw)
{
	struct dest_box *b = zalloc_aligned(sizeof(*b));

	if (b == NULL)
		return NULL;
	b->d.addr.v4 = cd->addr;
	b->d.port = htons(cd->port);
	b->d.af = AF_INET;
	b->d.stats = zalloc_aligned(nw * sizeof(*b->d.stats));
	if (b->d.stats == NULL) {
		free(b);
		return NULL;
	}
	return b;
}

static void
dest_free(struct dest_box *b)
{
	free(b->d.stats);
	free(b);
}

static struct svc_box *
box_find(const struct svc_key *k)
{
	for (struct svc_box *b = boxes; b; b = b->next)
		if (memcmp(&b->key, k, sizeof(*k)) == 0)
			return b;
	return NULL;
}

/* Settings of a dest as the spec says (weight, thresholds, flags). */
static void
dest_apply(struct plb_dest *d, const struct plb_conf_dest *cd, const struct plb_conf_svc *cs)
{
	__atomic_store_n(&d->weight, cd->weight, __ATOMIC_RELAXED);
	__atomic_store_n(&d->u_threshold, cd->u_threshold, __ATOMIC_RELAXED);
	__atomic_store_n(&d->l_threshold, cd->l_threshold, __ATOMIC_RELAXED);
	__atomic_store_n(&d->flags, (cd->down ? PLB_DEST_F_DOWN : 0) |
			 (cs->expire_quiescent ? PLB_DEST_F_EXPIRE_QUIESCENT : 0), __ATOMIC_RELAXED);
}

/*
 * Build one service shell from spec @cs. @dests are the dest objects in spec
 * order (already carrying the spec's weights); @stats the service's stats.
 * Check mode passes temporary ones.
 */
static int
svc_build(const struct plb_conf_svc *cs, uint32_t idx, const char *where, struct plb_dest **dests,
	  struct plb_svc_stats *stats, const struct plb_env *env, const char *path,
	  struct plb_svc **out, char **err)
{
	uint32_t nw = env->n_workers ? env->n_workers : 1;
	const config_setting_t *opts = cs->sched_opts;
	struct plb_addr *laddrs;
	struct plb_svc *svc;
	char *merr = NULL, name[64];
	void *table = NULL;
	config_t tmp;
	int rc, have_tmp = 0;

#define FAIL(code, ...) do { rc = (code); plb_err(err, rc, __VA_ARGS__); goto err_free; } while (0)
	spec_str(cs, name, sizeof(name));
	svc = zalloc_aligned(sizeof(*svc));
	if (svc == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	svc->vaddr.v4 = cs->vip;
	svc->vport = htons(cs->port);
	svc->af = AF_INET;
	svc->proto = cs->proto;
	svc->flags = (cs->ops ? PLB_SVC_F_OPS : 0) | (cs->expire_quiescent ? PLB_SVC_F_EXPIRE_QUIESCENT : 0);
	svc->sched_name = strdup(cs->sched);
	svc->fwd_name = strdup(cs->fwd);
	svc->stats = stats;
	svc->dests = dests;
	svc->n_dests = cs->n_dests;
	laddrs = calloc(cs->n_laddrs ? cs->n_laddrs : 1, sizeof(*laddrs));
	svc->laddrs = laddrs;
	svc->sched_state = zalloc_aligned(nw * sizeof(*svc->sched_state));
	if (!laddrs || !svc->sched_state || !svc->sched_name || !svc->fwd_name)
		FAIL(-ENOMEM, "out of memory");
	for (uint32_t i = 0; i < cs->n_laddrs; i++)
		laddrs[i].v4 = cs->laddrs[i];
	svc->n_laddrs = cs->n_laddrs;
	svc->sched = get_module_ops(path, env, 1, cs->sched, &merr);
	if (svc->sched == NULL)
		FAIL(-EINVAL, "%sservices[%u].scheduler: %s", where, idx,
		     merr ? merr : "no such scheduler");
	svc->fwd = get_module_ops(path, env, 0, cs->fwd, &merr);
	if (svc->fwd == NULL)
		FAIL(-EINVAL, "%sservices[%u].fwd: %s", where, idx,
		     merr ? merr : "no such forwarding mode");
	if (opts == NULL && cs->sched_opts_text) {
		/* options kept as text (set by a request, or the file is gone): read them back */
		char *text = NULL;

		config_init(&tmp);
		have_tmp = 1;
		if (asprintf(&text, "sched_opts = %s;", cs->sched_opts_text) < 0)
			FAIL(-ENOMEM, "out of memory");
		rc = config_read_string(&tmp, text) == CONFIG_TRUE;
		free(text);
		if (!rc || (opts = config_lookup(&tmp, "sched_opts")) == NULL)
			FAIL(-EINVAL, "%sservices[%u] %s: sched_opts: %s", where, idx, name,
			     config_error_text(&tmp) ? config_error_text(&tmp) : "not a group");
	}
	if (svc->sched->build) {
		rc = svc->sched->build(svc, opts, &table, &merr);
		if (rc)
			FAIL(rc < 0 ? rc : -EINVAL, "%sservices[%u] %s: scheduler %s: %s", where, idx,
			     name, cs->sched, merr ? merr : "build failed");
	}
	for (uint32_t w = 0; w < nw; w++) {
		svc->sched_state[w].table = table;
		svc->sched_state[w].worker = w;
	}
	table = NULL;
	if (svc->fwd->build) {
		rc = svc->fwd->build(svc, &svc->fwd_table, &merr);
		if (rc)
			FAIL(rc < 0 ? rc : -EINVAL, "%sservices[%u] %s: %s: %s", where, idx, name, cs->fwd,
			     merr ? merr : "build failed");
	}
	if (have_tmp)
		config_destroy(&tmp);
	free(merr);
	*out = svc;
	return 0;
err_free:
	if (table && svc->sched && svc->sched->free)
		svc->sched->free(table);
	if (have_tmp)
		config_destroy(&tmp);
	free(merr);
	svc->dests = NULL;	/* the caller's */
	svc_shell_free(svc);
	return rc;
#undef FAIL
}

int
plb_svc_check(const struct plb_conf *conf, const struct plb_env *env, char **err)
{
	uint32_t nw = env->n_workers ? env->n_workers : 1;
	char where[512];

	for (uint32_t i = 0; i < conf->n_services; i++) {
		const struct plb_conf_svc *cs = &conf->services[i];
		struct plb_dest **dests = calloc(cs->n_dests + 1, sizeof(*dests));
		struct plb_svc_stats *stats = zalloc_aligned(nw * sizeof(*stats));
		struct plb_svc *svc = NULL;
		int rc = (dests && stats) ? 0 : -ENOMEM;

		for (uint32_t d = 0; rc == 0 && d < cs->n_dests; d++) {
			struct dest_box *b = dest_new(&cs->dests[d], nw);

			if (b == NULL) {
				rc = -ENOMEM;
				break;
			}
			dest_apply(&b->d, &cs->dests[d], cs);
			b->d.idx = d;
			dests[d] = &b->d;
		}
		snprintf(where, sizeof(where), "%s:%d: ", conf->file, cs->line);
		if (rc == 0)
			rc = svc_build(cs, i, where, dests, stats, env, conf->module_path, &svc, err);
		else
			plb_err(err, rc, "out of memory");
		for (uint32_t d = 0; dests && d < cs->n_dests; d++)
			if (dests[d])
				dest_free((struct dest_box *)dests[d]);
		if (svc == NULL)
			free(dests);
		svc_shell_free(svc);	/* frees dests[] (the array) */
		free(stats);
		if (rc)
			return rc;
	}
	return 0;
}

static void
version_free(struct version *v)
{
	if (v == NULL)
		return;
	for (uint32_t i = 0; i < v->n_svcs; i++)
		svc_shell_free(v->svcs[i]);
	free(v->svcs);
	free(v->svcm.keys);
	free(v->svcm.vals);
	free(v->addr.keys);
	free(v->addr.vals);
	free(v);
}

/* Enter @addr into the map with @kind; VIP flags accumulate. */
static int
addr_add(struct version *v, uint32_t addr, enum plb_addr_kind kind, uint32_t flags, uint16_t port)
{
	uintptr_t av = AV(kind, flags, port), *slot;

	if (addr == 0)
		return -EINVAL;
	slot = addr_map_find(&v->addr, addr, 1);
	if (*slot) {
		uintptr_t o = *slot;

		if ((o & 0xff) == PLB_ADDR_VIP && kind == PLB_ADDR_VIP)
			av = AV(PLB_ADDR_VIP, ((o >> 8) & 0xff) | flags, 0);
		else if ((o & 0xff) == PLB_ADDR_IFADDR && kind == PLB_ADDR_LADDR)
			av = AV(PLB_ADDR_LADDR, 0, (o >> 16) & 0xffff);	/* a port address used as laddr */
		else if ((o & 0xff) != (uintptr_t)kind)
			return -EEXIST;
		else
			av = o;
	}
	*slot = av;
	return 0;
}

/* What a rebuild made or changed, so that a failure can be undone. */
struct plan {
	uint32_t n;
	struct svc_box **box;		/* [n]: the box each spec uses */
	uint8_t *box_is_new;		/* [n] */
	struct dest_box ***dests;	/* [n][spec's n_dests] */
	uint8_t **dest_is_new;		/* [n][spec's n_dests] */
	uint32_t *n_dests;		/* [n] */
	struct dest_box **reused;	/* dests kept from the running version ... */
	struct plb_dest *saved;		/* ... and their settings before, for rollback */
	uint32_t n_reused;
};

static void
plan_free(struct plan *p, int undo)
{
	for (uint32_t i = 0; i < p->n; i++) {
		for (uint32_t d = 0; undo && p->dests && p->dests[i] && d < p->n_dests[i]; d++)
			if (p->dest_is_new[i][d] && p->dests[i][d])
				dest_free(p->dests[i][d]);
		if (undo && p->box && p->box[i] && p->box_is_new[i]) {
			free(p->box[i]->stats);
			free(p->box[i]);
		}
		if (p->dests)
			free(p->dests[i]);
		if (p->dest_is_new)
			free(p->dest_is_new[i]);
	}
	for (uint32_t r = 0; undo && r < p->n_reused; r++) {
		struct plb_dest *d = &p->reused[r]->d;

		d->weight = p->saved[r].weight;
		d->u_threshold = p->saved[r].u_threshold;
		d->l_threshold = p->saved[r].l_threshold;
		d->flags = p->saved[r].flags;
		__atomic_store_n(&d->idx, p->saved[r].idx, __ATOMIC_RELAXED);
	}
	free(p->box);
	free(p->box_is_new);
	free(p->dests);
	free(p->dest_is_new);
	free(p->n_dests);
	free(p->reused);
	free(p->saved);
}

/* Gather boxes and dests for @sp (reusing the running ones), apply the new settings. */
static int
plan_make(struct plan *p, const struct plb_conf_svc *sp, uint32_t n, char **err)
{
	uint32_t nw = svc_table_workers() ? svc_table_workers() : 1, total = 0;

	memset(p, 0, sizeof(*p));
	p->n = n;
	for (uint32_t i = 0; i < n; i++)
		total += sp[i].n_dests;
	p->box = calloc(n + 1, sizeof(*p->box));
	p->box_is_new = calloc(n + 1, 1);
	p->dests = calloc(n + 1, sizeof(*p->dests));
	p->dest_is_new = calloc(n + 1, sizeof(*p->dest_is_new));
	p->n_dests = calloc(n + 1, sizeof(*p->n_dests));
	p->reused = calloc(total + 1, sizeof(*p->reused));
	p->saved = calloc(total + 1, sizeof(*p->saved));
	if (!p->box || !p->box_is_new || !p->dests || !p->dest_is_new || !p->n_dests ||
	    !p->reused || !p->saved)
		return plb_err(err, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		const struct plb_conf_svc *cs = &sp[i];
		struct svc_key k = { .vaddr = cs->vip, .vport = htons(cs->port), .proto = cs->proto,
				     .af = AF_INET };
		struct svc_box *b = box_find(&k);

		if (b == NULL) {
			b = calloc(1, sizeof(*b));
			if (b == NULL || (b->stats = zalloc_aligned(nw * sizeof(*b->stats))) == NULL) {
				free(b);
				return plb_err(err, -ENOMEM, "out of memory");
			}
			b->key = k;
			p->box_is_new[i] = 1;
		}
		p->box[i] = b;
		p->n_dests[i] = cs->n_dests;
		p->dests[i] = calloc(cs->n_dests + 1, sizeof(**p->dests));
		p->dest_is_new[i] = calloc(cs->n_dests + 1, 1);
		if (!p->dests[i] || !p->dest_is_new[i])
			return plb_err(err, -ENOMEM, "out of memory");
		for (uint32_t d = 0; d < cs->n_dests; d++) {
			const struct plb_conf_dest *cd = &cs->dests[d];
			struct dest_box *db = NULL;

			for (uint32_t o = 0; !p->box_is_new[i] && o < b->n_dests; o++)
				if (b->dests[o]->d.addr.v4 == cd->addr && b->dests[o]->d.port == htons(cd->port))
					db = b->dests[o];
			if (db) {
				p->reused[p->n_reused] = db;
				p->saved[p->n_reused++] = db->d;
			} else {
				db = dest_new(cd, nw);
				if (db == NULL)
					return plb_err(err, -ENOMEM, "out of memory");
				p->dest_is_new[i][d] = 1;
			}
			p->dests[i][d] = db;
			dest_apply(&db->d, cd, cs);
			__atomic_store_n(&db->d.idx, d, __ATOMIC_RELAXED);	/* workers read it */
		}
	}
	return 0;
}

/* Build and publish a version from @sp; on failure nothing live has changed. */
static int
version_swap(const struct plb_conf_svc *sp, uint32_t n, const char *where_fmt, char **err)
{
	struct version *v, *old;
	struct dest_box *gone = NULL;	/* dests the new version drops */
	struct plan p;
	uint32_t n_addr = 0;
	char where[512];
	int rc;

	for (uint32_t i = 0; i < n; i++) {
		n_addr += 1 + sp[i].n_laddrs;
		if (plb_spec_find(sp, i, sp[i].proto, sp[i].vip, sp[i].port) >= 0) {
			char name[64];

			return plb_err(err, -EEXIST, "%s: service %s given twice", where_fmt,
				       spec_str(&sp[i], name, sizeof(name)));
		}
	}
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	for (uint32_t i = 0; boot_conf && i < boot_conf->n_ports; i++)
		n_addr += boot_conf->ports[i].n_addr4;
	rc = svc_map_init(&v->svcm, n);
	if (rc == 0)
		rc = addr_map_init(&v->addr, n_addr);
	v->svcs = calloc(n ? n : 1, sizeof(*v->svcs));
	if (rc || !v->svcs) {
		version_free(v);
		return plb_err(err, -ENOMEM, "services: out of memory");
	}
	for (uint16_t i = 0; i < plb_port_count(); i++) {
		const struct plb_port_info *pi = plb_port_get(plb_ports()->ids[i]);

		for (uint32_t a = 0; a < pi->n_addr4; a++)
			addr_add(v, pi->addr4[a].addr, PLB_ADDR_IFADDR, 0, pi->id);
	}
	rc = plan_make(&p, sp, n, err);
	if (rc)
		goto err_undo;
	for (uint32_t i = 0; i < n; i++) {
		const struct plb_conf_svc *cs = &sp[i];
		struct svc_key k = p.box[i]->key;
		struct plb_dest **arr = calloc(cs->n_dests + 1, sizeof(*arr));
		struct plb_svc *svc;

		if (arr == NULL) {
			rc = plb_err(err, -ENOMEM, "out of memory");
			goto err_undo;
		}
		for (uint32_t d = 0; d < cs->n_dests; d++)
			arr[d] = &p.dests[i][d]->d;
		if (cs->line)
			snprintf(where, sizeof(where), "%s:%d: ", where_fmt, cs->line);
		else
			where[0] = '\0';	/* not from a file: the caller names the request */
		rc = svc_build(cs, i, where, arr, p.box[i]->stats, &env_saved, module_path, &svc, err);
		if (rc) {
			free(arr);
			goto err_undo;
		}
		v->svcs[v->n_svcs++] = svc;
		*svc_map_find(&v->svcm, svc_key_word(&k), 1) = svc;
		rc = addr_add(v, cs->vip, PLB_ADDR_VIP,
			      cs->proto == IPPROTO_TCP ? PLB_VIP_F_TCP : PLB_VIP_F_UDP, 0);
		if (rc == -EEXIST) {
			plb_err(err, rc, "%sservices[%u].vip: the address is also a port address or "
				"an FNAT local address", where, i);
			goto err_undo;
		}
		for (uint32_t l = 0; rc == 0 && l < cs->n_laddrs; l++) {
			rc = addr_add(v, cs->laddrs[l], PLB_ADDR_LADDR, 0, 0);
			if (rc == -EEXIST) {
				plb_err(err, rc, "%sservices[%u].laddrs[%u]: the address is also a VIP",
					where, i, l);
				goto err_undo;
			}
		}
		if (rc) {
			plb_err(err, rc, "services: %s", strerror(-rc));
			goto err_undo;
		}
	}

	/*
	 * commit: point each dest at the service that holds it in the new
	 * version (a removed one at NULL) before publishing it, so that a
	 * worker never follows dest->svc to an unbuilt version nor, after the
	 * grace period, to the old one; publish, wait until no worker can see
	 * the old version, then retire it
	 */
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t d = 0; d < p.n_dests[i]; d++)
			__atomic_store_n(&p.dests[i][d]->d.svc, v->svcs[i], __ATOMIC_RELEASE);
	for (struct svc_box *b = boxes; b; b = b->next) {
		uint32_t keep = 0;

		for (uint32_t i = 0; i < n; i++)
			keep |= p.box[i] == b;
		for (uint32_t o = 0; o < b->n_dests; o++) {
			struct dest_box *db = b->dests[o];
			int listed = 0;

			for (uint32_t i = 0; keep && i < n; i++)
				for (uint32_t d = 0; p.box[i] == b && d < p.n_dests[i]; d++)
					listed |= p.dests[i][d] == db;
			if (!listed) {
				__atomic_store_n(&db->d.svc, NULL, __ATOMIC_RELEASE);
				db->next = gone;
				gone = db;
			}
		}
	}
	old = svc_table_swap(v);
	while (gone) {
		struct dest_box *db = gone;

		gone = db->next;
		__atomic_fetch_or(&db->d.flags, PLB_DEST_F_REMOVED, __ATOMIC_RELAXED);
		db->next = trash;
		trash = db;
	}
	for (struct svc_box **bp = &boxes; *bp;) {
		struct svc_box *b = *bp;
		uint32_t keep = 0;

		for (uint32_t i = 0; i < n; i++)
			keep |= p.box[i] == b;
		if (!keep) {
			*bp = b->next;
			free(b->dests);
			free(b->stats);
			free(b);
		} else {
			bp = &b->next;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		struct svc_box *b = p.box[i];

		free(b->dests);
		b->dests = p.dests[i];
		b->n_dests = p.n_dests[i];
		p.dests[i] = NULL;
		if (p.box_is_new[i]) {
			b->next = boxes;
			boxes = b;
		}
	}
	plan_free(&p, 0);
	version_free(old);
	plb_svc_gc();
	return 0;

err_undo:
	version_free(v);	/* shells only; the plan owns new dests and boxes */
	plan_free(&p, 1);
	return rc;
}

int
plb_svc_replace(const struct plb_conf_svc *sp, uint32_t n, const char *what, char **err)
{
	struct plb_conf_svc *copy;
	int rc;

	if (plb_specs_copy(&copy, sp, n) != 0)
		return plb_err(err, -ENOMEM, "out of memory");
	rc = version_swap(sp, n, what, err);
	if (rc) {
		plb_specs_free(copy, n);
		return rc;
	}
	plb_specs_free(specs, n_specs);
	specs = copy;
	n_specs = n;
	PLB_LOG(INFO, LOG_TYPE, "%s: %u service(s) published", what, n);
	return 0;
}

const struct plb_conf_svc *
plb_svc_specs(uint32_t *n)
{
	*n = n_specs;
	return specs;
}

/* [ctl] No worker counts a conn on @d: every worker's counts read 0, each in one load. */
static int
dest_unused(const struct plb_dest *d, uint32_t nw)
{
	for (uint32_t w = 0; w < nw; w++)
		if (__atomic_load_n(&d->stats[w].live, __ATOMIC_ACQUIRE) != 0)
			return 0;
	return 1;
}

uint32_t
plb_svc_gc(void)
{
	uint32_t nw = env_saved.n_workers ? env_saved.n_workers : 1, left = 0;
	struct dest_box *unused = NULL;

	for (struct dest_box **bp = &trash; *bp;) {
		struct dest_box *b = *bp;

		if (dest_unused(&b->d, nw)) {
			*bp = b->next;
			b->next = unused;
			unused = b;
		} else {
			left++;
			bp = &b->next;
		}
	}
	if (unused == NULL)
		return left;
	/*
	 * WHY wait: a removed dest gets no new conn, so 0 stays 0; but the
	 * worker that freed the last conn may still be reading the dest (the
	 * scheduler's update, dest->svc) until its next quiescent state
	 */
	plb_rcu_synchronize();
	while (unused) {
		struct dest_box *b = unused;

		unused = b->next;
		dest_free(b);
	}
	return left;
}

int
plb_svc_start(const struct plb_conf *conf, const struct plb_env *env, char **err)
{
	int rc;

	env_saved = *env;
	boot_conf = conf;
	free(module_path);
	module_path = strdup(conf->module_path);
	if (module_path == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	/* the first build reads sched_opts from the file, for file:line in messages */
	rc = version_swap(conf->services, conf->n_services, conf->file, err);
	if (rc)
		return rc;
	if (plb_specs_copy(&specs, conf->services, conf->n_services) != 0) {
		plb_svc_stop();
		return plb_err(err, -ENOMEM, "out of memory");
	}
	n_specs = conf->n_services;
	PLB_LOG(INFO, LOG_TYPE, "%u service(s) published", n_specs);
	return 0;
}

void
plb_svc_stop(void)
{
	struct version *v = svc_table_swap(NULL);

	version_free(v);
	while (boxes) {
		struct svc_box *b = boxes;

		boxes = b->next;
		for (uint32_t o = 0; o < b->n_dests; o++)
			dest_free(b->dests[o]);
		free(b->dests);
		free(b->stats);
		free(b);
	}
	while (trash) {
		struct dest_box *b = trash;

		trash = b->next;
		dest_free(b);
	}
	plb_specs_free(specs, n_specs);
	specs = NULL;
	n_specs = 0;
	free(module_path);
	module_path = NULL;
	boot_conf = NULL;
	svc_table_fini();
}
