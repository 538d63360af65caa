/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proto_arp's settings (modules.proto_arp: entries, queue, timeout, static)
 * and the per-worker tables they size, static entries included.
 */
#include "arp.h"

/* Read integer member @key of @conf into *v if present, within lo..hi. */
static int
arp_conf_uint(const config_setting_t *conf, const char *key, uint32_t lo, uint32_t hi,
	      uint32_t *v, char **err)
{
	const config_setting_t *s = config_setting_get_member(conf, key);
	long long x;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return plb_conf_err(s, err, -EINVAL, "expected an integer %u..%u", lo, hi);
	x = config_setting_get_int64(s);
	if (x < lo || x > hi)
		return plb_conf_err(s, err, -EINVAL, "expected an integer %u..%u, got %lld",
				    lo, hi, x);
	*v = (uint32_t)x;
	return 0;
}

/* String member @key of group @g, or NULL (and *err set) if missing or not a string. */
static const char *
arp_conf_str(const config_setting_t *g, const char *key, int required, int *rc, char **err)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING)
		return config_setting_get_string(s);
	if (s != NULL)
		*rc = plb_conf_err(s, err, -EINVAL, "expected a string");
	else if (required)
		*rc = plb_conf_err(g, err, -EINVAL, "missing key '%s'", key);
	return NULL;
}

/* The port named @name, or (@name NULL) the one with a prefix holding @ip; -ENOENT. */
static int
arp_port_find(const char *name, uint32_t ip, uint16_t *id)
{
	for (uint16_t i = 0; i < plb_port_count(); i++) {
		const struct plb_port_info *pi = plb_port_get(i);

		for (uint32_t a = 0; pi != NULL && a < (name ? 1 : pi->n_addr4); a++) {
			uint8_t len = name ? 0 : pi->addr4[a].prefix_len;
			uint32_t mask = len ? rte_cpu_to_be_32(~0u << (32 - len)) : 0;

			if (name ? strcmp(pi->name, name) == 0 : ((ip ^ pi->addr4[a].addr) & mask) == 0) {
				*id = pi->id;
				return 0;
			}
		}
	}
	return -ENOENT;
}

/* Parse static[i] into @st. Ports are resolved only when they exist. */
static int
arp_conf_static_one(const config_setting_t *g, struct arp_static *st, char **err)
{
	static const char *const keys[] = { "ip", "mac", "port", NULL };
	const char *ip, *mac, *port;
	int rc = 0;

	if (!config_setting_is_group(g))
		return plb_conf_err(g, err, -EINVAL,
				    "expected a group { ip = \"a.b.c.d\"; mac = \"xx:xx:xx:xx:xx:xx\"; port = \"name\"; }");
	rc = plb_conf_check_keys(g, keys, err);
	if (rc)
		return rc;
	ip = arp_conf_str(g, "ip", 1, &rc, err);
	if (ip == NULL)
		return rc;
	mac = arp_conf_str(g, "mac", 1, &rc, err);
	if (mac == NULL)
		return rc;
	port = arp_conf_str(g, "port", 0, &rc, err);
	if (rc)
		return rc;
	st->s = g;
	if (inet_pton(AF_INET, ip, &st->ip) != 1 || st->ip == 0)
		return plb_conf_err(config_setting_get_member(g, "ip"), err, -EINVAL,
				    "expected an IPv4 address \"a.b.c.d\", got \"%s\"", ip);
	if (rte_ether_unformat_addr(mac, &st->mac) != 0 || strlen(mac) != 17 ||
	    !rte_is_unicast_ether_addr(&st->mac) || rte_is_zero_ether_addr(&st->mac))
		return plb_conf_err(config_setting_get_member(g, "mac"), err, -EINVAL,
				    "expected a unicast MAC \"xx:xx:xx:xx:xx:xx\", got \"%s\"", mac);
	st->port_name = port;
	if (arp_check_only)
		return 0;	/* no ports in check mode: syntax only */
	if (arp_port_find(port, st->ip, &st->port) == 0)
		return 0;
	if (port != NULL)
		return plb_conf_err(config_setting_get_member(g, "port"), err, -EINVAL,
				    "no port named \"%s\" in ports", port);
	return plb_conf_err(g, err, -EINVAL, "no port has a prefix holding %s: set port = \"name\"", ip);
}

/* Parse the static list into arp_statics[]; reject duplicates. */
static int
arp_conf_static(const config_setting_t *conf, char **err)
{
	const config_setting_t *l = config_setting_get_member(conf, "static");
	int n, rc;

	if (l == NULL)
		return 0;
	if (!config_setting_is_list(l) && !config_setting_is_array(l))
		return plb_conf_err(l, err, -EINVAL, "expected a list ( { ip; mac; port; }, ... )");
	n = config_setting_length(l);
	if (n == 0)
		return 0;
	arp_statics = calloc((size_t)n, sizeof(*arp_statics));
	if (arp_statics == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		struct arp_static *st = &arp_statics[i];

		rc = arp_conf_static_one(config_setting_get_elem(l, (unsigned)i), st, err);
		if (rc)
			return rc;
		for (int j = 0; j < i; j++) {
			const struct arp_static *o = &arp_statics[j];

			/* check mode knows port names only */
			if (o->ip == st->ip && (!arp_check_only ? o->port == st->port :
			    (o->port_name == NULL || st->port_name == NULL) ?
			    o->port_name == st->port_name : strcmp(o->port_name, st->port_name) == 0))
				return plb_conf_err(st->s, err, -EINVAL,
						    "duplicate static entry (also static[%d], line %d)",
						    j, config_setting_source_line(arp_statics[j].s));
		}
		arp_n_static++;
	}
	return 0;
}

/* [ctl] The settings (modules.proto_arp, NULL: all defaults) into the arp_* globals. */
int
arp_conf_read(const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { "entries", "queue", "timeout", "static", NULL };
	int rc;

	arp_entries = 1024, arp_queue = 16, arp_timeout_s = 300;	/* the defaults */
	if (conf == NULL)
		return 0;
	rc = plb_conf_check_keys(conf, keys, err);
	if (rc == 0)
		rc = arp_conf_uint(conf, "entries", 1, 1u << 22, &arp_entries, err);
	if (rc == 0)
		rc = arp_conf_uint(conf, "queue", 0, 4096, &arp_queue, err);
	if (rc == 0)
		rc = arp_conf_uint(conf, "timeout", 1, 86400, &arp_timeout_s, err);
	if (rc == 0)
		rc = arp_conf_static(conf, err);
	return rc;
}

/* [ctl] Free the tables (and what still waits in them) and the static list. */
void
arp_free_all(void)
{
	for (uint32_t i = 0; arp_w != NULL && i < arp_n_workers; i++) {
		struct arp_worker *w = &arp_w[i];

		for (uint32_t k = 0; w->ent != NULL && k < arp_cap; k++)
			if (w->ent[k].n_q)
				rte_pktmbuf_free_bulk(&w->q[(size_t)k * arp_queue], w->ent[k].n_q);
		rte_free(w->ent);
		rte_free(w->q);
		rte_free(w->slot);
	}
	rte_free(arp_w);
	arp_w = NULL;
	arp_n_workers = 0;
	free(arp_statics);
	arp_statics = NULL;
	arp_n_static = 0;
}

/* [ctl] Allocate every worker's table and put the static entries in. */
int
arp_alloc_tables(const struct plb_env *env, char **err)
{
	uint32_t slots;

	arp_cap = arp_entries + arp_n_static;
	slots = rte_align32pow2(arp_cap * 2);
	arp_mask = slots - 1;
	arp_w = rte_zmalloc_socket("plb_arp", env->n_workers * sizeof(*arp_w),
				   RTE_CACHE_LINE_SIZE, env->socket_id);
	if (arp_w == NULL)
		return plb_err(err, -ENOMEM, "out of memory for %u neighbour tables", env->n_workers);
	arp_n_workers = env->n_workers;
	for (uint32_t i = 0; i < arp_n_workers; i++) {
		struct arp_worker *w = &arp_w[i];

		w->ent = rte_zmalloc_socket("plb_arp", arp_cap * sizeof(*w->ent), 0, env->socket_id);
		w->slot = rte_zmalloc_socket("plb_arp", slots * sizeof(*w->slot), 0, env->socket_id);
		w->q = arp_queue == 0 ? NULL : rte_zmalloc_socket("plb_arp",
			(size_t)arp_cap * arp_queue * sizeof(*w->q), 0, env->socket_id);
		if (w->ent == NULL || w->slot == NULL || (arp_queue != 0 && w->q == NULL))
			return plb_err(err, -ENOMEM, "out of memory for %u neighbours x %u queued packets",
				       arp_cap, arp_queue);
		for (uint32_t k = 0; k < arp_cap; k++)
			w->ent[k].next_free = k + 1 == arp_cap ? UINT32_MAX : k + 1;
		w->free_head = 0;
		for (uint32_t k = 0; k < arp_n_static; k++) {
			struct arp_entry *e = arp_insert(w, arp_statics[k].ip, arp_statics[k].port);

			e->state = ARP_S_STATIC;
			rte_ether_addr_copy(&arp_statics[k].mac, &e->mac);
		}
	}
	return 0;
}
