/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's output: a response's "result" -> text. The ipvsadm views (-L -n,
 * --stats, --rate, -c, -S) use ipvsadm's layouts so that operators' scripts
 * keep parsing them; the native views are plain tables.
 */
#ifndef PLBCTL_PRINT_H
#define PLBCTL_PRINT_H

#include <stdio.h>
#include <jansson.h>

#include "cli.h"

/** IPVS version printed in the -L header (what ipvsadm users' scripts expect). */
#define PLBCTL_IPVS_VERSION "1.2.1"
/** -L header "size=" when the stats result has no "conn_table_size". */
#define PLBCTL_IPVS_SIZE 4096

/**
 * Print @result of a request as @view wants. 0, or -EINVAL with *err when
 * the result cannot be shown that way (e.g. -S of a mode ipvsadm has no
 * switch for).
 */
int plbctl_print(FILE *f, enum plbctl_view view, json_t *result, char **err);

/** -L -n from a `stats` result: ipvsadm's header, services and dests sorted. */
void plbctl_print_list(FILE *f, json_t *stats);
/** -L -n --stats (@rate 0, a `stats` result) or --rate (@rate 1, a `rates` result). */
void plbctl_print_list_stats(FILE *f, json_t *stats, int rate);
/** -L -n -c from a `conns` result. */
void plbctl_print_list_conns(FILE *f, json_t *conns);
/** -S from a `service.list` result: -R input. 0, or -EINVAL with *err. */
int plbctl_print_rules(FILE *f, json_t *services, char **err);

/* native views (print_native.c) */
/** `stats` (@rate 0) or `stats --rate` (@rate 1): ports, workers, services and dests, counters. */
void plbctl_print_stats(FILE *f, json_t *stats, int rate);
void plbctl_print_modules(FILE *f, json_t *modules);
void plbctl_print_schedulers(FILE *f, json_t *scheds);
/** `service list`: each service's settings, then its dests. */
void plbctl_print_services(FILE *f, json_t *services);
void plbctl_print_conns(FILE *f, json_t *conns);

/* print_policy.c */
/** `reload` / `restore`: the file, the number of services, the sections that need a restart. */
void plbctl_print_reload(FILE *f, json_t *result);
/** `lua status` / `lua reload`: the runtime's status, one setting per line. */
void plbctl_print_lua(FILE *f, json_t *status);
/** `acl add|del|set`: "<scope> <list> list: N prefixes". */
void plbctl_print_acl(FILE *f, json_t *result);
/** `acl list`: per scope and list, size and hits, then the prefixes (unless brief). */
void plbctl_print_acl_list(FILE *f, json_t *scopes);

/** A JSON integer member as long long (0 when absent). */
long long plbctl_geti(json_t *o, const char *key);
/** A JSON string member, or @def. */
const char *plbctl_gets(json_t *o, const char *key, const char *def);

#endif /* PLBCTL_PRINT_H */
