/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.ctl: the control socket. A UNIX stream socket; each connection
 * carries one JSON request line {"v":1,"cmd":"stats",...} and gets one JSON
 * response line {"v":1,"ok":true,"result":...} or {"v":1,"ok":false,"error":"..."}.
 * Served from the control thread's loop; never touches a worker's state
 * other than reading its counters.
 */
#ifndef PLB_CORE_CTL_H
#define PLB_CORE_CTL_H

#include <jansson.h>

#include "config.h"

#define PLB_CTL_VERSION 1

/** A command: returns the result, or NULL with *err set (the request changed nothing). */
struct plb_ctl_cmd {
	const char *name;
	json_t *(*fn)(json_t *req, char **err);
};

/* command tables, ended by a { NULL } row */
extern const struct plb_ctl_cmd plb_ctl_stats_cmds[];
extern const struct plb_ctl_cmd plb_ctl_svc_cmds[];
extern const struct plb_ctl_cmd plb_ctl_save_cmds[];	/* ctl_save.c */
extern const struct plb_ctl_cmd plb_ctl_acl_cmds[];	/* ctl_acl.c */
extern const struct plb_ctl_cmd plb_ctl_lua_cmds[];	/* ctl_lua.c */

/** The configuration plb runs (set by plb_ctl_open). */
extern const struct plb_conf *plb_ctl_conf;

/** Refuse arguments other than "v", "cmd" and @allowed (NULL-terminated). */
int plb_ctl_check_args(json_t *req, const char *const *allowed, char **err);

/**
 * [ctl] The `stats` command's result (ports, workers, counters, services
 * with dests), a new reference; what the Prometheus listener renders.
 */
json_t *plb_ctl_stats_json(void);

/** [ctl] Once a second from the control loop: the rate estimator, dest GC. */
void plb_ctl_tick(void);

/** [ctl] Reload the services from @file (NULL: the file plb started with). */
int plb_ctl_reload(const char *file, json_t **result, char **err);

/** Create, bind and chmod the socket from conf->control. 0 or -errno with *err. */
int plb_ctl_open(const struct plb_conf *conf, char **err);

/** Serve pending requests, waiting at most @timeout_ms for one. */
void plb_ctl_poll(int timeout_ms);

/** Close and unlink the socket. */
void plb_ctl_close(void);

/**
 * Handle one request object; returns a new response object. Exposed for
 * unit tests of request validation.
 */
json_t *plb_ctl_handle(json_t *req);

#endif /* PLB_CORE_CTL_H */
