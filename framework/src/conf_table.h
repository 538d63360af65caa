/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.config internals shared by the files that parse sections of plb.conf
 * (config.c: the top level, workers, ports, modules; conf_svc.c: services,
 * routes, conns). A key is a row of a conf_key table; these are the generic
 * row parsers and message helpers.
 */
#ifndef PLB_CORE_CONF_TABLE_H
#define PLB_CORE_CONF_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <libconfig.h>
#include <plb/port.h>

struct plb_conf;
struct conf_key;

/*
 * Parse setting @s (NULL: the key is absent, store the default) described
 * by row @k into the struct at @base (the value goes to base + k->off).
 * Returns 0 or -errno with *err set.
 */
typedef int (*conf_parse_fn)(const config_setting_t *s, const struct conf_key *k,
			     void *base, char **err);

struct conf_key {
	const char *name;
	conf_parse_fn parse;
	size_t off;			/**< offset of the value in the base struct */
	size_t size;			/**< sizeof the value (integers) */
	long long min, max;		/**< integer bounds; string length bounds */
	long long def;			/**< default integer / index into choices */
	const char *def_str;		/**< default string (NULL: none) */
	const char *const *choices;	/**< NULL-terminated list of allowed words */
	const char *accept;		/**< characters a string may hold (NULL: any) */
	const struct conf_key *members;	/**< a group's rows, ended by a {NULL} row */
	const char *required;		/**< non-NULL: required; says what the key is */
	unsigned int flags;
};

#define CONF_POW2	0x1		/**< integer must be a power of two */

#define CONF_INT(st, k, fld, lo, hi, d, ...) { .name = k, .parse = conf_int,	\
	.off = offsetof(st, fld), .size = sizeof(((st *)0)->fld),		\
	.min = lo, .max = hi, .def = d, __VA_ARGS__ }


/* messages: "expected <what>, got <type or value>" at @s; -EINVAL */
int conf_bad_type(const config_setting_t *s, const char *what, char **err);
int conf_bad_value(const config_setting_t *s, const char *what, char **err);
int conf_nomem(char **err);
int conf_strdup(char **dst, const char *v, char **err);

/* row parsers (conf_parse_fn) */
int conf_int(const config_setting_t *s, const struct conf_key *k, void *base, char **err);
int conf_str(const config_setting_t *s, const struct conf_key *k, void *base, char **err);
int conf_choice(const config_setting_t *s, const struct conf_key *k, void *base, char **err);
int conf_bool(const config_setting_t *s, const struct conf_key *k, void *base, char **err);
int conf_group(const config_setting_t *s, const struct conf_key *k, void *base, char **err);

/* Parse group @s (NULL: all defaults) with the rows @rows into @base. */
int conf_parse_rows(const config_setting_t *s, const struct conf_key *rows, void *base, char **err);
/* @s is an array or list of non-empty strings; *n gets its length. */
int conf_check_strings(const config_setting_t *s, const char *what, int *n, char **err);
/* "a.b.c.d/len" -> @a; NULL or why it is not one. */
const char *conf_parse_addr4(const char *v, struct plb_ifaddr4 *a);

/* conf_svc.c: the services, routes and conns sections */
int conf_services(const config_setting_t *s, const struct conf_key *k, void *base, char **err);
int conf_routes(const config_setting_t *s, const struct conf_key *k, void *base, char **err);
extern const struct conf_key conns_keys[];
void conf_svc_free(struct plb_conf *conf);

#endif /* PLB_CORE_CONF_TABLE_H */
