/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.boot: start-up in dependency order and shut-down in reverse. Each
 * stage records that it ran, so a failure part-way and a normal stop share
 * one unwind path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include <plb/log.h>

#include "acl.h"
#include "boot.h"
#include "conn.h"
#include "ctl.h"
#include "loader.h"
#include "lua_runtime.h"
#include "metrics.h"
#include "nh.h"
#include "registry.h"
#include "route.h"
#include "runtime.h"
#include "svc.h"

enum stage {
	ST_NONE, ST_EAL, ST_PORTS, ST_MODULES, ST_TABLES, ST_WORKERS, ST_CTL, ST_METRICS,
	ST_LAUNCHED,
};

static enum stage reached;

static int
load_modules(const struct plb_conf *conf, const struct plb_env *env, char **err)
{
	for (uint32_t i = 0; i < conf->n_modules; i++) {
		const struct plb_conf_module *cm = &conf->modules[i];
		char *merr = NULL;
		int rc = plb_loader_load(conf->module_path, cm->stem, env, cm->settings, &merr);

		if (rc) {
			plb_err(err, rc, "%s:%d: modules.load[%u]: %s", conf->file, cm->line, i,
				merr ? merr : strerror(-rc));
			free(merr);
			return rc;
		}
	}
	return 0;
}

int
plb_check(const struct plb_conf *conf, char **err)
{
	struct plb_env env = {
		.size = sizeof(env), .n_workers = conf->workers.count, .check_only = 1,
		.socket_id = -1, .conf_file = conf->file,
	};
	int rc = load_modules(conf, &env, err);

	if (rc == 0)
		rc = plb_svc_check(conf, &env, err);
	if (rc == 0)
		rc = plb_lua_check(conf, err);	/* the scripts' top level, nothing applied */
	plb_loader_unload_all();
	plb_reg_reset();
	return rc;
}

int
plb_boot(const struct plb_conf *conf, const struct plb_boot_opts *o, char **err)
{
	struct plb_env env = {
		.size = sizeof(env), .n_workers = conf->workers.count, .check_only = 0,
		.conf_file = conf->file,
	};
	uint32_t nw = conf->workers.count;
	int rc;

	rc = plb_eal_init(conf, o->cli_argc, o->cli_argv, err);
	if (rc)
		return rc;
	reached = ST_EAL;
	env.socket_id = (int)rte_socket_id();
	if (o->before_ports && (rc = o->before_ports(o->arg, err)) != 0)
		goto err_unwind;
	if ((rc = plb_ports_setup(conf, nw, err)) != 0)
		goto err_unwind;
	reached = ST_PORTS;
	if ((rc = load_modules(conf, &env, err)) != 0)
		goto err_unwind;
	reached = ST_MODULES;
	if ((rc = plb_routes_setup(conf, err)) != 0 || (rc = plb_nh_setup(err)) != 0 ||
	    (rc = plb_rcu_init(nw, err)) != 0 ||
	    (rc = plb_acl_init(nw, err)) != 0 ||
	    (rc = plb_conns_setup(conf, nw, err)) != 0 || (rc = plb_svc_start(conf, &env, err)) != 0)
		goto err_tables;
	if ((rc = plb_stats_start(nw)) != 0) {
		plb_err(err, rc, "counters: %s", strerror(-rc));
		goto err_tables;
	}
	/* after the services and the ACL tables: the scripts' top level changes them */
	if ((rc = plb_lua_start(conf, err)) != 0)
		goto err_tables;
	reached = ST_TABLES;
	if ((rc = plb_workers_setup(conf, err)) != 0)
		goto err_workers;
	reached = ST_WORKERS;
	if (!o->no_ctl && (rc = plb_ctl_open(conf, err)) != 0)
		goto err_unwind;
	reached = ST_CTL;
	if (!o->no_ctl && (rc = plb_metrics_start(conf, err)) != 0)
		goto err_unwind;
	reached = ST_METRICS;
	if ((rc = plb_ports_start(err)) != 0)
		goto err_unwind;
	if ((rc = plb_workers_launch()) != 0) {
		plb_err(err, rc, "cannot launch workers: %s", strerror(-rc));
		goto err_unwind;
	}
	reached = ST_LAUNCHED;
	return 0;

err_tables:
	reached = ST_TABLES;	/* the table stages undo safely when half-built */
	goto err_unwind;
err_workers:
	reached = ST_WORKERS;	/* workers_free undoes a partial setup */
err_unwind:
	plb_shutdown();
	return rc;
}

void
plb_shutdown(void)
{
	if (reached >= ST_LAUNCHED)
		plb_workers_stop();
	plb_lua_stop();		/* no timers from here on; the policy stays until the tables go */
	if (reached >= ST_METRICS)
		plb_metrics_stop();
	if (reached >= ST_CTL)
		plb_ctl_close();
	if (reached >= ST_WORKERS)
		plb_workers_free();
	if (reached >= ST_TABLES) {
		plb_acl_fini();	/* before plb_svc_stop(), which frees the RCU state */
		plb_svc_stop();
		plb_conns_free();
		plb_routes_free();
	}
	/* modules first: their fini() may free mbufs they hold, before the pool goes */
	if (reached >= ST_MODULES || reached >= ST_PORTS) {
		plb_loader_unload_all();
		plb_reg_reset();
	}
	if (reached >= ST_EAL)
		plb_ports_close();	/* also undoes a partial plb_ports_setup() */
	plb_stats_reset();
	if (reached >= ST_EAL)
		rte_eal_cleanup();
	reached = ST_NONE;
}
