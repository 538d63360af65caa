/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.config: parse plb.conf (libconfig) into struct plb_conf. Keys are
 * data: every section and every member of a group is a row of a conf_key
 * table (name, parser, where the value goes, bounds, default), so a new key
 * is a new row. A parser called with no setting stores the default. The
 * first error stops the parse; its message is "FILE:LINE: PATH: expected X,
 * got Y" (docs/config.md lists every key).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <plb/conf.h>
#include <plb/log.h>

#include "config.h"

#include "conf_table.h"
#include "metrics.h"

/* ------------------------------------------------------------------ */
/* messages */

static const char *
conf_type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a float";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_LIST: return "a list";
	default: return "nothing";
	}
}

/* "expected <what>, got <a type>": @s has the wrong type. */
int
conf_bad_type(const config_setting_t *s, const char *what, char **err)
{
	return plb_conf_err(s, err, -EINVAL, "expected %s, got %s", what, conf_type_name(s));
}

/* "expected <what>, got <value>": @s has the right type, a wrong value. */
int
conf_bad_value(const config_setting_t *s, const char *what, char **err)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return plb_conf_err(s, err, -EINVAL, "expected %s, got \"%.80s\"", what,
				    config_setting_get_string(s));
	if (config_setting_type(s) == CONFIG_TYPE_INT || config_setting_type(s) == CONFIG_TYPE_INT64)
		return plb_conf_err(s, err, -EINVAL, "expected %s, got %lld", what,
				    config_setting_get_int64(s));
	return conf_bad_type(s, what, err);
}

int
conf_nomem(char **err)
{
	return plb_err(err, -ENOMEM, "out of memory");
}

/* strdup into *dst (freeing the old value); NULL @v stores NULL. */
int
conf_strdup(char **dst, const char *v, char **err)
{
	char *c = NULL;

	if (v != NULL && (c = strdup(v)) == NULL)
		return conf_nomem(err);
	free(*dst);
	*dst = c;
	return 0;
}

/* ------------------------------------------------------------------ */
/* scalar parsers */

int
conf_int(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	char *dst = (char *)base + k->off;
	long long v = k->def;
	char what[96];

	snprintf(what, sizeof(what), "%s %lld..%lld",
		 k->flags & CONF_POW2 ? "a power of two" : "an integer", k->min, k->max);
	if (s != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			return conf_bad_type(s, what, err);
		v = config_setting_get_int64(s);
		if (v < k->min || v > k->max ||
		    ((k->flags & CONF_POW2) && (v & (v - 1)) != 0))
			return conf_bad_value(s, what, err);
	}
	switch (k->size) {
	case sizeof(uint16_t): *(uint16_t *)dst = (uint16_t)v; break;
	case sizeof(uint32_t): *(uint32_t *)dst = (uint32_t)v; break;
	default: *(uint64_t *)dst = (uint64_t)v; break;
	}
	return 0;
}

/* "A-Z a-z 0-9 _ . -" for @accept (which holds whole ranges A-Z, a-z, 0-9). */
static void
conf_accept_what(const char *accept, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const char *c = accept; *c != '\0' && n < len; c++) {
		char one[2] = { *c, '\0' };
		const char *w = *c == 'A' ? "A-Z" : *c == 'a' ? "a-z" : *c == '0' ? "0-9" : one;

		if (w == one && isalnum((unsigned char)*c))
			continue;	/* inside a range already named */
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n > 0 ? " " : "", w);
	}
}

/* A string of k->min..k->max bytes, of the characters in k->accept. */
int
conf_str(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	char **dst = (char **)((char *)base + k->off);
	const char *v = k->def_str;
	char what[160], chars[80];
	size_t len;

	if (k->accept != NULL) {
		conf_accept_what(k->accept, chars, sizeof(chars));
		snprintf(what, sizeof(what), "a name of %lld..%lld characters from %s",
			 k->min, k->max, chars);
	} else if (k->min > 0) {
		snprintf(what, sizeof(what), "a non-empty string of at most %lld bytes", k->max);
	} else {
		snprintf(what, sizeof(what), "a string of at most %lld bytes", k->max);
	}
	if (s != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return conf_bad_type(s, what, err);
		v = config_setting_get_string(s);
		len = strlen(v);
		if ((long long)len < k->min || (long long)len > k->max ||
		    (k->accept != NULL && strspn(v, k->accept) != len))
			return conf_bad_value(s, what, err);
	}
	return conf_strdup(dst, v, err);
}

/* One word of k->choices; stores its index (an enum) as an int. */
static int
conf_choice_common(const config_setting_t *s, const struct conf_key *k, long long *idx,
		   char **err)
{
	char what[160] = "one of ";
	size_t n = strlen(what);

	for (int i = 0; k->choices[i] != NULL; i++)
		n += snprintf(what + n, n < sizeof(what) ? sizeof(what) - n : 0, "%s\"%s\"",
			      i > 0 ? ", " : "", k->choices[i]);
	*idx = k->def;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_bad_type(s, what, err);
	for (int i = 0; k->choices[i] != NULL; i++) {
		if (strcmp(k->choices[i], config_setting_get_string(s)) == 0) {
			*idx = i;
			return 0;
		}
	}
	return conf_bad_value(s, what, err);
}

int
conf_choice(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	long long idx;
	int rc = conf_choice_common(s, k, &idx, err);

	if (rc == 0)
		*(int *)((char *)base + k->off) = (int)idx;
	return rc;
}

/* One word of k->choices, stored as a string. */
static int
conf_choice_str(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	long long idx;
	int rc = conf_choice_common(s, k, &idx, err);

	if (rc != 0)
		return rc;
	return conf_strdup((char **)((char *)base + k->off), k->choices[idx], err);
}

/*
 * File permission bits, 0..0777: a string of octal digits ("0600"), or an
 * integer. libconfig reads `0600` as the decimal 600, so an integer's decimal
 * digits are taken as octal digits, like chmod's; a hex integer (0x180) is
 * taken as is.
 */
static int
conf_mode(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	static const char what[] = "permission bits in octal such as \"0600\" (at most 0777)";
	uint32_t *dst = (uint32_t *)((char *)base + k->off);
	char buf[32];
	const char *v;
	unsigned long m;

	if (s == NULL) {
		*dst = (uint32_t)k->def;
		return 0;
	}
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		v = config_setting_get_string(s);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		if (config_setting_get_format(s) == CONFIG_FORMAT_HEX) {
			if (config_setting_get_int64(s) < 0 || config_setting_get_int64(s) > 0777)
				return conf_bad_value(s, what, err);
			*dst = (uint32_t)config_setting_get_int64(s);
			return 0;
		}
		snprintf(buf, sizeof(buf), "%lld", config_setting_get_int64(s));
		v = buf;
		break;
	default:
		return conf_bad_type(s, what, err);
	}
	if (v[0] == '\0' || strlen(v) > 4 || strspn(v, "01234567") != strlen(v))
		return conf_bad_value(s, what, err);
	m = strtoul(v, NULL, 8);
	if (m > 0777)
		return conf_bad_value(s, what, err);
	*dst = (uint32_t)m;
	return 0;
}

/*
 * Check that @s is an array or list of non-empty strings; *n gets its
 * length. @what names one element.
 */
int
conf_check_strings(const config_setting_t *s, const char *what, int *n, char **err)
{
	char lwhat[128];

	snprintf(lwhat, sizeof(lwhat), "a list of strings [ \"...\", ... ] (%s)", what);
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST)
		return conf_bad_type(s, lwhat, err);
	*n = config_setting_length(s);
	for (int i = 0; i < *n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return conf_bad_type(e, "a non-empty string", err);
		if (config_setting_get_string(e)[0] == '\0')
			return conf_bad_value(e, "a non-empty string", err);
	}
	return 0;
}

/* eal = [ "--no-huge", ... ]: argv without a program name, NULL-terminated. */
static int
conf_eal(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	struct plb_conf *conf = base;
	int n = 0, rc;

	if (s != NULL && (rc = conf_check_strings(s, "EAL arguments", &n, err)) != 0)
		return rc;
	conf->eal_argv = calloc((size_t)n + 1, sizeof(char *));
	if (conf->eal_argv == NULL)
		return conf_nomem(err);
	for (int i = 0; i < n; i++) {
		conf->eal_argv[i] = strdup(config_setting_get_string_elem(s, i));
		if (conf->eal_argv[i] == NULL)
			return conf_nomem(err);
		conf->eal_argc = i + 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* groups */

/* The NULL-terminated names of @rows, for plb_conf_check_keys; free() it. */
static const char **
conf_key_names(const struct conf_key *rows)
{
	const char **names;
	size_t n = 0;

	while (rows[n].name != NULL)
		n++;
	names = calloc(n + 1, sizeof(*names));
	for (size_t i = 0; names != NULL && i < n; i++)
		names[i] = rows[i].name;
	return names;
}

/* Parse group @s (NULL: all defaults) with the rows @rows into @base. */
int
conf_parse_rows(const config_setting_t *s, const struct conf_key *rows, void *base,
		char **err)
{
	const char **names;
	int rc;

	if (s != NULL) {
		if (!config_setting_is_group(s))
			return conf_bad_type(s, "a group { ... }", err);
		names = conf_key_names(rows);
		if (names == NULL)
			return conf_nomem(err);
		rc = plb_conf_check_keys(s, names, err);
		free(names);
		if (rc != 0)
			return rc;
	}
	for (const struct conf_key *k = rows; k->name != NULL; k++) {
		const config_setting_t *m = s != NULL ? config_setting_get_member(s, k->name) : NULL;

		if (m == NULL && k->required != NULL && s != NULL)
			return plb_conf_err(s, err, -EINVAL, "missing key '%s' (%s)",
					    k->name, k->required);
		rc = k->parse(m, k, base, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* A plain group: its members' rows are k->members, its struct at base + off. */
int
conf_group(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	return conf_parse_rows(s, k->members, (char *)base + k->off, err);
}

/* ------------------------------------------------------------------ */
/* ports */

/* "a.b.c.d/len" -> @a; returns NULL or why it is not one. */
const char *
conf_parse_addr4(const char *v, struct plb_ifaddr4 *a)
{
	const char *slash = strchr(v, '/');
	char ip[INET_ADDRSTRLEN];
	struct in_addr in;
	size_t iplen;
	long len = 0;

	if (slash == NULL)
		return "no prefix length";
	iplen = (size_t)(slash - v);
	if (iplen == 0 || iplen >= sizeof(ip))
		return "bad IPv4 address";
	memcpy(ip, v, iplen);
	ip[iplen] = '\0';
	if (inet_pton(AF_INET, ip, &in) != 1)
		return "bad IPv4 address";
	if (slash[1] == '\0' || strlen(slash + 1) > 2 ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1))
		return "prefix length must be 1..32";
	len = strtol(slash + 1, NULL, 10);
	if (len < 1 || len > 32)
		return "prefix length must be 1..32";
	a->addr = in.s_addr;
	a->prefix_len = (uint8_t)len;
	return NULL;
}

/* addresses = [ "192.0.2.1/24", ... ] of one port */
static int
conf_addresses(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	static const char what[] = "\"a.b.c.d/len\" (e.g. \"192.0.2.1/24\")";
	struct plb_conf_port *p = base;
	const char *why;
	int n = 0, rc;

	if (s == NULL)
		return 0;
	if ((rc = conf_check_strings(s, "IPv4 addresses such as \"192.0.2.1/24\"", &n, err)) != 0)
		return rc;
	if (n == 0)
		return 0;
	p->addr4 = calloc((size_t)n, sizeof(*p->addr4));
	if (p->addr4 == NULL)
		return conf_nomem(err);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		why = conf_parse_addr4(config_setting_get_string(e), &p->addr4[i]);
		if (why != NULL)
			return plb_conf_err(e, err, -EINVAL, "expected %s, got \"%.80s\": %s",
					    what, config_setting_get_string(e), why);
		p->n_addr4 = i + 1;
	}
	return 0;
}

#define PORT_NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"

static const struct conf_key port_keys[] = {
	{ .name = "name", .parse = conf_str, .off = offsetof(struct plb_conf_port, name),
	  .min = 1, .max = 31, .accept = PORT_NAME_CHARS,
	  .required = "the port's name, unique, such as \"p0\"" },
	{ .name = "dev", .parse = conf_str, .off = offsetof(struct plb_conf_port, dev),
	  .min = 1, .max = 1023,
	  .required = "the device: a PCI address or a vdev such as net_af_packet0,iface=veth0" },
	CONF_INT(struct plb_conf_port, "rx_desc", rx_desc, 64, 16384, 1024),
	CONF_INT(struct plb_conf_port, "tx_desc", tx_desc, 64, 16384, 1024),
	{ .name = "addresses", .parse = conf_addresses },
	{ .name = NULL },
};

/* Is the address at ports[pi].addresses[ai] also earlier in the file? */
static int
conf_addr_dup(const struct plb_conf *conf, const config_setting_t *list, uint32_t pi,
	      uint32_t ai, char **err)
{
	uint32_t addr = conf->ports[pi].addr4[ai].addr;

	for (uint32_t q = 0; q <= pi; q++) {
		const struct plb_conf_port *o = &conf->ports[q];

		for (uint32_t j = 0; j < (q == pi ? ai : o->n_addr4); j++) {
			const config_setting_t *e;
			char ip[INET_ADDRSTRLEN];

			if (o->addr4[j].addr != addr)
				continue;
			e = config_setting_get_member(config_setting_get_elem(list, pi), "addresses");
			e = config_setting_get_elem(e, ai);
			inet_ntop(AF_INET, &addr, ip, sizeof(ip));
			return plb_conf_err(e, err, -EINVAL,
					    "duplicate address %s (also on port \"%s\", ports[%u].addresses[%u])",
					    ip, o->name, q, j);
		}
	}
	return 0;
}

/* ports = ( { name = ...; dev = ...; ... }, ... ) */
static int
conf_ports(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	struct plb_conf *conf = base;
	int n, rc;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return conf_bad_type(s, "a list of groups ( { name = ...; dev = ...; }, ... )", err);
	n = config_setting_length(s);
	if (n == 0)
		return 0;
	conf->ports = calloc((size_t)n, sizeof(*conf->ports));
	if (conf->ports == NULL)
		return conf_nomem(err);
	conf->n_ports = (uint32_t)n;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		struct plb_conf_port *p = &conf->ports[i];

		rc = conf_parse_rows(e, port_keys, p, err);
		if (rc != 0)
			return rc;
		p->line = (int)config_setting_source_line(e);
		for (int j = 0; j < i; j++)
			if (strcmp(conf->ports[j].name, p->name) == 0)
				return plb_conf_err(config_setting_get_member(e, "name"), err,
						    -EINVAL, "duplicate port name \"%s\" (also ports[%d], line %d)",
						    p->name, j, conf->ports[j].line);
		for (uint32_t a = 0; a < p->n_addr4; a++)
			if ((rc = conf_addr_dup(conf, s, (uint32_t)i, a, err)) != 0)
				return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* modules */

static const char *const stem_kinds[] = { "proto_", "hook_", "sched_", "fwd_", NULL };

/* ^(proto|hook|sched|fwd)_[a-z0-9_]+$ */
static int
conf_is_stem(const char *v)
{
	for (int i = 0; stem_kinds[i] != NULL; i++) {
		size_t n = strlen(stem_kinds[i]);

		if (strncmp(v, stem_kinds[i], n) == 0)
			return v[n] != '\0' &&
			       strspn(v + n, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(v + n);
	}
	return 0;
}

static const struct conf_key modules_keys[] = {
	{ .name = "path", .parse = conf_str, .off = offsetof(struct plb_conf, module_path),
	  .min = 1, .max = 4095, .def_str = "build/modules" },
	{ .name = NULL },
};

/* modules.load = [ "proto_ipv4", ... ] */
static int
conf_modules_load(const config_setting_t *s, struct plb_conf *conf, char **err)
{
	int n = 0, rc;

	if (s == NULL)
		return 0;
	rc = conf_check_strings(s, "module names such as \"proto_ipv4\"", &n, err);
	if (rc != 0 || n == 0)
		return rc;
	conf->modules = calloc((size_t)n, sizeof(*conf->modules));
	if (conf->modules == NULL)
		return conf_nomem(err);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);

		if (!conf_is_stem(v))
			return conf_bad_value(e, "a module name <proto|hook|sched|fwd>_<name> "
					      "of a-z 0-9 _ (such as \"sched_rr\")", err);
		for (int j = 0; j < i; j++)
			if (strcmp(conf->modules[j].stem, v) == 0)
				return plb_conf_err(e, err, -EINVAL,
						    "duplicate module \"%s\" (also modules.load[%d], line %d)",
						    v, j, conf->modules[j].line);
		conf->modules[i].stem = strdup(v);
		if (conf->modules[i].stem == NULL)
			return conf_nomem(err);
		conf->modules[i].line = (int)config_setting_source_line(e);
		conf->n_modules = (uint32_t)i + 1;
	}
	return 0;
}

/*
 * modules = { path = ...; load = [...]; <stem> = { ... }; }: every member
 * other than path and load is the settings group of a module in load.
 */
static int
conf_modules(const config_setting_t *s, const struct conf_key *k, void *base, char **err)
{
	struct plb_conf *conf = base;
	int rc;

	if (s != NULL && !config_setting_is_group(s))
		return conf_bad_type(s, "a group { path = ...; load = [...]; }", err);
	rc = conf_modules_load(s != NULL ? config_setting_get_member(s, "load") : NULL, conf, err);
	if (rc != 0)
		return rc;
	for (int i = 0; s != NULL && i < config_setting_length(s); i++) {
		const config_setting_t *m = config_setting_get_elem(s, i);
		const char *name = config_setting_name(m);
		uint32_t j;

		if (strcmp(name, "load") == 0 || strcmp(name, "path") == 0)
			continue;
		for (j = 0; j < conf->n_modules; j++)
			if (strcmp(conf->modules[j].stem, name) == 0)
				break;
		if (j == conf->n_modules && !conf_is_stem(name))
			return plb_conf_err(m, err, -EINVAL, "unknown key (expected one of: path, "
					    "load, or a settings group named after a module in load)");
		if (j == conf->n_modules)
			return plb_conf_err(m, err, -EINVAL, "no such module in modules.load");
		if (!config_setting_is_group(m))
			return conf_bad_type(m, "a group { ... } (the module's settings)", err);
		conf->modules[j].settings = m;
	}
	for (const struct conf_key *r = modules_keys; r->name != NULL; r++) {
		rc = r->parse(s != NULL ? config_setting_get_member(s, r->name) : NULL, r, conf, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* the tables */

static const char *const poll_names[] = {
	[PLB_POLL_BUSY] = "busy", [PLB_POLL_ADAPTIVE] = "adaptive", NULL,
};

#define W(k, f, lo, hi, d) CONF_INT(struct plb_conf, k, workers.f, lo, hi, d)
static const struct conf_key workers_keys[] = {
	W("count", count, 1, 1024, 1),
	{ .name = "poll", .parse = conf_choice, .off = offsetof(struct plb_conf, workers.poll),
	  .choices = poll_names, .def = PLB_POLL_BUSY },
	W("idle_after", idle_after, 1, 1000000000, 256),
	W("idle_sleep_us", idle_sleep_us, 1, 1000000, 100),
	W("burst", burst, 1, 512, 32),
	CONF_INT(struct plb_conf, "ring_size", workers.ring_size, 64, 1048576, 4096,
		 .flags = CONF_POW2),
	{ .name = NULL },
};
#undef W

static const struct conf_key mempool_keys[] = {
	CONF_INT(struct plb_conf, "mbufs", mempool.mbufs, 1023, 16777215, 16383),
	CONF_INT(struct plb_conf, "cache", mempool.cache, 0, 512, 256),
	CONF_INT(struct plb_conf, "data_room", mempool.data_room, 1024, 65535, 2176),
	{ .name = NULL },
};

static const struct conf_key control_keys[] = {
	/* sun_path holds 108 bytes with the terminating NUL */
	{ .name = "socket", .parse = conf_str, .off = offsetof(struct plb_conf, control.socket),
	  .min = 1, .max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1,
	  .def_str = "/run/plb/plb.sock" },
	{ .name = "mode", .parse = conf_mode, .off = offsetof(struct plb_conf, control.mode),
	  .def = 0600 },
	{ .name = "metrics", .parse = plb_metrics_conf_parse,
	  .off = offsetof(struct plb_conf, control.metrics) },
	{ .name = "owner", .parse = conf_str, .off = offsetof(struct plb_conf, control.owner),
	  .min = 1, .max = 255 },
	{ .name = "group", .parse = conf_str, .off = offsetof(struct plb_conf, control.group),
	  .min = 1, .max = 255 },
	{ .name = NULL },
};

static const char *const log_level_names[] = {
	"err", "warning", "notice", "info", "debug", NULL,
};

extern const struct conf_key plb_conf_lua_keys[];	/* conf_lua.c */

/* Top level, in the order they are parsed (members are base = struct plb_conf). */
static const struct conf_key top_keys[] = {
	{ .name = "eal", .parse = conf_eal },
	{ .name = "log_level", .parse = conf_choice_str, .off = offsetof(struct plb_conf, log_level),
	  .choices = log_level_names, .def = 3 /* info */ },
	{ .name = "modules", .parse = conf_modules },
	{ .name = "workers", .parse = conf_group, .members = workers_keys },
	{ .name = "mempool", .parse = conf_group, .members = mempool_keys },
	{ .name = "ports", .parse = conf_ports },
	{ .name = "control", .parse = conf_group, .members = control_keys },
	{ .name = "conns", .parse = conf_group, .members = conns_keys },
	{ .name = "services", .parse = conf_services },
	{ .name = "routes", .parse = conf_routes },
	{ .name = "lua", .parse = conf_group, .members = plb_conf_lua_keys },
	{ .name = NULL },
};

/* ------------------------------------------------------------------ */

void
plb_conf_free(struct plb_conf *conf)
{
	if (conf == NULL)
		return;
	for (uint32_t i = 0; i < conf->n_ports; i++) {
		free(conf->ports[i].name);
		free(conf->ports[i].dev);
		free(conf->ports[i].addr4);
	}
	free(conf->ports);
	conf_svc_free(conf);
	for (uint32_t i = 0; i < conf->n_modules; i++)
		free(conf->modules[i].stem);
	free(conf->modules);
	for (int i = 0; i < conf->eal_argc; i++)
		free(conf->eal_argv[i]);
	free(conf->eal_argv);
	free(conf->module_path);
	free(conf->control.socket);
	free(conf->control.owner);
	free(conf->control.group);
	free(conf->log_level);
	free(conf->file);
	config_destroy(&conf->cfg);
	free(conf);
}

/* Read @file into conf->cfg; @includes are relative to the file's folder. */
static int
conf_read(struct plb_conf *conf, const char *file, char **err)
{
	struct stat st;
	char *dir;
	FILE *f;
	int rc;

	/* libconfig says only "file I/O error": find the reason first */
	f = fopen(file, "r");
	if (f == NULL) {
		rc = -errno;
		return plb_err(err, rc, "%s: cannot read: %s", file, strerror(-rc));
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return plb_err(err, -EISDIR, "%s: cannot read: %s", file, strerror(EISDIR));
	}
	fclose(f);
	dir = strdup(file);
	if (dir == NULL)
		return conf_nomem(err);
	config_set_include_dir(&conf->cfg, dirname(dir));
	free(dir);
	if (config_read_file(&conf->cfg, file) == CONFIG_TRUE)
		return 0;
	if (config_error_type(&conf->cfg) == CONFIG_ERR_FILE_IO)
		return plb_err(err, -EIO, "%s: cannot read: %s", file, config_error_text(&conf->cfg));
	return plb_err(err, -EINVAL, "%s:%d: %s",
		       config_error_file(&conf->cfg) ? config_error_file(&conf->cfg) : file,
		       config_error_line(&conf->cfg), config_error_text(&conf->cfg));
}

int
plb_conf_load(const char *file, struct plb_conf **out, char **err)
{
	struct plb_conf *conf;
	int rc;

	*out = NULL;
	conf = calloc(1, sizeof(*conf));
	if (conf == NULL)
		return conf_nomem(err);
	config_init(&conf->cfg);
	conf->file = strdup(file);
	if (conf->file == NULL) {
		rc = conf_nomem(err);
		goto err_free_conf;
	}
	rc = conf_read(conf, file, err);
	if (rc != 0)
		goto err_free_conf;
	rc = conf_parse_rows(config_root_setting(&conf->cfg), top_keys, conf, err);
	if (rc != 0)
		goto err_free_conf;
	*out = conf;
	return 0;

err_free_conf:
	plb_conf_free(conf);
	return rc;
}
