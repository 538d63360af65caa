/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.metrics: Prometheus text exposition over HTTP (libmicrohttpd) on
 * control.metrics = "HOST:PORT". The control thread renders the text from
 * the same numbers as the control socket's `stats` once a second; the HTTP
 * thread only serves the latest rendering (docs/control.md, "Metrics").
 */
#ifndef PLB_CORE_METRICS_H
#define PLB_CORE_METRICS_H

#include <stddef.h>
#include <jansson.h>
#include <libconfig.h>

#include "config.h"

struct conf_key;

/**
 * [ctl] conf_key parser of control.metrics: a string "a.b.c.d:PORT"
 * (port 1..65535) into the struct plb_conf_listen4 at base + k->off;
 * absent: port 0 (no listener). -EINVAL with a "FILE:LINE: control.metrics:
 * expected ..." message.
 */
int plb_metrics_conf_parse(const config_setting_t *s, const struct conf_key *k, void *base,
			   char **err);

/**
 * [ctl] Bind conf->control.metrics, render the first text and start the
 * HTTP thread. 0 when done or when no listener is configured; -errno with
 * *err ("control.metrics 127.0.0.1:9100: cannot listen: Address already in
 * use") and nothing left running otherwise.
 */
int plb_metrics_start(const struct plb_conf *conf, char **err);

/**
 * [ctl] Render the text from the current stats and publish it to the HTTP
 * thread. Called once a second from the control loop; a no-op when the
 * listener is not running.
 */
void plb_metrics_tick(void);

/** [ctl] Stop the HTTP thread, close the listener, free the text. Idempotent. */
void plb_metrics_stop(void);

/**
 * Render the exposition text of @stats (the `stats` command's result) into
 * a new malloc'ed NUL-terminated string; *len gets its length. NULL when out
 * of memory. Pure (no plb state): exposed for unit tests.
 */
char *plb_metrics_render(json_t *stats, size_t *len);

#endif /* PLB_CORE_METRICS_H */
