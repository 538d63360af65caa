/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fnat: full NAT. Client caddr:cport -> vaddr:vport leaves as laddr:lport ->
 * daddr:dport; the reply daddr:dport -> laddr:lport goes back as vaddr:vport
 * -> caddr:cport. Local ports come from pools that belong to a local address
 * (shared by every service that lists it) and are split per worker: worker w
 * only hands out ports p (1024..65535) with plb_steer_lport(p) == w, so the
 * reply steers to the worker that owns the conn. Each worker's share is a
 * FIFO ring (a freed port is reused last, which keeps clear of TIME_WAIT on
 * the real server). Pools live until the module is unloaded.
 * Config keys: none (any key is an error).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>

#include <plb/conf.h>
#include <plb/conn.h>
#include <plb/fwd.h>
#include <plb/ip4.h>
#include <plb/l3.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/module.h>
#include <plb/stats.h>
#include <plb/svc.h>
#include <plb/worker.h>

#define FNAT_PORT_MIN	1024u
#define FNAT_PORT_MAX	65535u

enum fnat_counter {
	FNAT_C_XMIT_IN,
	FNAT_C_XMIT_OUT,
	FNAT_C_DROP_NO_PROTO,
	FNAT_C_DROP_FRAG,
	FNAT_C_CONN_NO_SVC,
	FNAT_C_RELEASE_BAD,
	FNAT_C_MAX
};

static const char *const fnat_counter_names[FNAT_C_MAX] = {
	[FNAT_C_XMIT_IN] = "xmit_in",
	[FNAT_C_XMIT_OUT] = "xmit_out",
	[FNAT_C_DROP_NO_PROTO] = "drop_no_proto",
	[FNAT_C_DROP_FRAG] = "drop_frag",
	[FNAT_C_CONN_NO_SVC] = "conn_no_svc",
	[FNAT_C_RELEASE_BAD] = "release_bad",
};

/* One worker's share of a local address's ports: a ring of free ports. */
struct fnat_ring {
	uint16_t *ports;	/* network order */
	uint32_t cap;		/* ports this worker owns */
	uint32_t head;		/* next to hand out */
	uint32_t count;		/* free ports in the ring */
} __rte_cache_aligned;

/* The ports of one local address, touched by each worker in its own ring only. */
struct fnat_pool {
	uint32_t addr;		/* network order */
	struct fnat_ring *rings;	/* [fnat_n_workers] */
	uint16_t *store;	/* every ring's ports, one allocation */
};

/* What build() makes per service version: its laddrs as pool indices. */
struct fnat_table {
	uint32_t n;
	uint32_t pool[];
};

/*
 * Pool directory, indexed by conn->fwd_data. Workers read it lock-free, so it
 * only grows: a bigger copy is published with a release store and the old
 * array stays allocated (on fnat_retired) until fini.
 */
struct fnat_dir {
	uint32_t n, cap;
	struct fnat_pool *pool[];
};

static struct fnat_dir *fnat_dir;
static struct fnat_dir *fnat_retired[32];	/* doubling: 32 generations cover 2^32 */
static uint32_t fnat_n_retired;
static uint32_t fnat_cnt[FNAT_C_MAX];
static uint32_t fnat_n_workers = 1;
static uint32_t fnat_check_only;
static const struct plb_fwd_ops fnat_ops;

static inline void
fnat_count(enum fnat_counter c)
{
	plb_counter_inc(fnat_cnt[c]);
}

/* [ctl] Allocate the pool of @addr with every port free. NULL without memory. */
static struct fnat_pool *
fnat_pool_new(uint32_t addr)
{
	uint32_t n = fnat_n_workers, w, p, total = FNAT_PORT_MAX - FNAT_PORT_MIN + 1;
	struct fnat_pool *pool;
	struct fnat_ring *r;
	uint16_t *next;

	pool = calloc(1, sizeof(*pool));
	if (pool == NULL)
		return NULL;
	pool->addr = addr;
	pool->store = malloc(total * sizeof(uint16_t));
	pool->rings = aligned_alloc(RTE_CACHE_LINE_SIZE,
				    RTE_ALIGN_CEIL(n * sizeof(*pool->rings), RTE_CACHE_LINE_SIZE));
	if (pool->store == NULL || pool->rings == NULL) {
		free(pool->rings);
		free(pool->store);
		free(pool);
		return NULL;
	}
	memset(pool->rings, 0, n * sizeof(*pool->rings));
	for (p = FNAT_PORT_MIN; p <= FNAT_PORT_MAX; p++)
		pool->rings[plb_steer_lport(htons((uint16_t)p), n)].cap++;
	for (next = pool->store, w = 0; w < n; w++) {
		pool->rings[w].ports = next;
		next += pool->rings[w].cap;
	}
	/* ascending: worker w's first port is the lowest it owns */
	for (p = FNAT_PORT_MIN; p <= FNAT_PORT_MAX; p++) {
		r = &pool->rings[plb_steer_lport(htons((uint16_t)p), n)];
		r->ports[r->count++] = htons((uint16_t)p);
	}
	return pool;
}

/* [ctl] Index of the pool of @addr in the directory, made if new; -ENOMEM. */
static int64_t
fnat_pool_get(uint32_t addr)
{
	struct fnat_dir *d = fnat_dir, *nd;
	struct fnat_pool *pool;
	uint32_t i, cap;

	for (i = 0; d != NULL && i < d->n; i++)
		if (d->pool[i]->addr == addr)
			return i;
	if (d == NULL || d->n == d->cap) {
		if (fnat_n_retired == RTE_DIM(fnat_retired))
			return -ENOMEM;
		cap = d ? d->cap * 2 : 8;
		nd = calloc(1, sizeof(*nd) + cap * sizeof(nd->pool[0]));
		if (nd == NULL)
			return -ENOMEM;
		nd->cap = cap;
		if (d != NULL) {
			nd->n = d->n;
			memcpy(nd->pool, d->pool, d->n * sizeof(d->pool[0]));
			fnat_retired[fnat_n_retired++] = d;
		}
		__atomic_store_n(&fnat_dir, nd, __ATOMIC_RELEASE);
		d = nd;
	}
	pool = fnat_pool_new(addr);
	if (pool == NULL)
		return -ENOMEM;
	d->pool[d->n] = pool;
	/* the entry is visible before the count that covers it */
	__atomic_store_n(&d->n, d->n + 1, __ATOMIC_RELEASE);
	return d->n - 1;
}

/* [fast] The pool at directory index @i, or NULL. */
static inline struct fnat_pool *
fnat_pool_at(uint32_t i)
{
	const struct fnat_dir *d = __atomic_load_n(&fnat_dir, __ATOMIC_ACQUIRE);

	if (d == NULL || i >= __atomic_load_n(&d->n, __ATOMIC_ACQUIRE))
		return NULL;
	return d->pool[i];
}

/*
 * [ctl] Check @svc (IPv4, at least one laddr once it has dests: a service
 * being set up step by step, as ipvsadm -A then -a does, may have neither
 * yet) and map its laddrs to pools.
 * The core prefixes messages with file:line, the service and "fnat".
 */
static int
fnat_build(const struct plb_svc *svc, void **table, char **err)
{
	struct fnat_table *t;
	uint32_t i;
	int64_t idx;

	*table = NULL;
	if (svc->af != AF_INET)
		return plb_err(err, -EINVAL, "only IPv4 services are supported");
	if ((svc->n_laddrs == 0 || svc->laddrs == NULL) && svc->n_dests == 0)
		return 0;	/* nothing to forward yet; conn_init finds no table */
	if (svc->n_laddrs == 0 || svc->laddrs == NULL)
		return plb_err(err, -EINVAL, "needs laddrs (local addresses towards the real "
			       "servers, e.g. laddrs = [ \"198.51.100.1\" ])");
	if (fnat_check_only)
		return 0;	/* `plb -t`: validate only, no pools */

	t = calloc(1, sizeof(*t) + svc->n_laddrs * sizeof(t->pool[0]));
	if (t == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	for (i = 0; i < svc->n_laddrs; i++) {
		idx = fnat_pool_get(svc->laddrs[i].v4);
		if (idx < 0) {
			free(t);
			return plb_err(err, (int)idx, "no memory for the port pool of laddrs[%u]", i);
		}
		t->pool[i] = (uint32_t)idx;
	}
	t->n = svc->n_laddrs;
	*table = t;
	return 0;
}

/* [ctl] The pools stay (conns may still hold their ports); only the map goes. */
static void
fnat_free(void *table)
{
	free(table);
}

/*
 * [fast] Take a local port owned by this worker from the service's laddrs,
 * starting at one picked by the client endpoint and moving on while a pool is
 * empty. conn->fwd_data = the pool's directory index.
 */
static int
fnat_conn_init(const struct plb_svc *svc, struct plb_conn *conn, const struct plb_pkt *pkt)
{
	const struct fnat_table *t;
	struct fnat_pool *pool;
	struct fnat_ring *r;
	uint32_t w = plb_worker_id(), i, k, start;

	if (svc->fwd_table == NULL ||
	    w >= fnat_n_workers) {
		fnat_count(FNAT_C_CONN_NO_SVC);
		return -ENOENT;
	}
	t = svc->fwd_table;
	start = plb_steer_endpoint4(pkt->saddr.v4, pkt->sport, t->n);
	for (k = 0; k < t->n; k++) {
		i = start + k < t->n ? start + k : start + k - t->n;
		pool = fnat_pool_at(t->pool[i]);
		if (pool == NULL)
			continue;
		r = &pool->rings[w];
		if (r->count == 0)
			continue;
		conn->laddr.v4 = pool->addr;
		conn->lport = r->ports[r->head];
		r->head = r->head + 1 == r->cap ? 0 : r->head + 1;
		r->count--;
		conn->fwd_data = t->pool[i];
		return 0;
	}
	return -ENOSPC;
}

/* [fast] Give conn's local port back to the ring of the worker that owns it. */
static void
fnat_conn_release(struct plb_conn *conn)
{
	struct fnat_pool *pool = fnat_pool_at(conn->fwd_data);
	struct fnat_ring *r;
	uint32_t tail;

	if (pool == NULL || pool->addr != conn->laddr.v4 || ntohs(conn->lport) < FNAT_PORT_MIN) {
		fnat_count(FNAT_C_RELEASE_BAD);
		return;
	}
	r = &pool->rings[plb_steer_lport(conn->lport, fnat_n_workers)];
	if (r->count == r->cap) {
		fnat_count(FNAT_C_RELEASE_BAD);	/* released twice: keep the ring sane */
		return;
	}
	tail = r->head + r->count;
	if (tail >= r->cap)
		tail -= r->cap;
	r->ports[tail] = conn->lport;
	r->count++;
}

/* [fast] Rewrite @pkt to saddr:sport -> daddr:dport and route it through @nc (may be NULL). */
static enum plb_verdict
fnat_rewrite_send(struct plb_pkt *pkt, uint32_t saddr, uint16_t sport, uint32_t daddr,
		 uint16_t dport, struct plb_nh_cache *nc)
{
	if (unlikely(pkt->flags & PLB_PKT_F_FRAG)) {
		fnat_count(FNAT_C_DROP_FRAG);
		return PLB_DROP;
	}
	if (unlikely(plb_ip4_rewrite(pkt, saddr, sport, daddr, dport) != 0)) {
		fnat_count(FNAT_C_DROP_NO_PROTO);
		return PLB_DROP;
	}
	return plb_l3_output_cached(pkt, nc);
}

/* [fast] caddr:cport -> vaddr:vport becomes laddr:lport -> daddr:dport. */
static enum plb_verdict
fnat_xmit_in(struct plb_conn *conn, struct plb_pkt *pkt)
{
	fnat_count(FNAT_C_XMIT_IN);
	return fnat_rewrite_send(pkt, conn->laddr.v4, conn->lport, conn->daddr.v4, conn->dport,
				 plb_conn_dest_nh(conn));
}

/* [fast] daddr:dport -> laddr:lport becomes vaddr:vport -> caddr:cport. */
static enum plb_verdict
fnat_xmit_out(struct plb_conn *conn, struct plb_pkt *pkt)
{
	fnat_count(FNAT_C_XMIT_OUT);
	return fnat_rewrite_send(pkt, conn->vaddr.v4, conn->vport, conn->caddr.v4, conn->cport, NULL);
}

/* [ctl] Reject any key, register the counters, remember the worker count. */
static int
fnat_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { NULL };
	int rc;

	if (conf != NULL) {
		rc = plb_conf_check_keys(conf, keys, err);
		if (rc != 0)
			return rc;
	}
	fnat_check_only = env->check_only;
	fnat_n_workers = env->n_workers ? env->n_workers : 1;
	rc = plb_counters_register("fnat", fnat_counter_names, FNAT_C_MAX, fnat_cnt, err);
	if (rc != 0)
		return rc;
	return 0;
}

/* [ctl] Workers stopped, every service freed: free the pools and directories. */
static void
fnat_fini(void)
{
	struct fnat_pool *pool;
	uint32_t i;

	for (i = 0; fnat_dir != NULL && i < fnat_dir->n; i++) {
		pool = fnat_dir->pool[i];
		free(pool->rings);
		free(pool->store);
		free(pool);
	}
	for (i = 0; i < fnat_n_retired; i++)
		free(fnat_retired[i]);
	free(fnat_dir);
	fnat_dir = NULL;
	fnat_n_retired = 0;
}

static const struct plb_fwd_ops fnat_ops = {
	.build = fnat_build,
	.free = fnat_free,
	.conn_init = fnat_conn_init,
	.conn_release = fnat_conn_release,
	.xmit_in = fnat_xmit_in,
	.xmit_out = fnat_xmit_out,
};

PLB_MODULE_REGISTER(FWD, "fnat", &fnat_ops,
	.version = "1.0",
	.description = "full NAT: local address and port towards the real server",
	.init = fnat_init,
	.fini = fnat_fini);
