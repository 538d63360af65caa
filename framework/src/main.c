/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plb: the daemon. Reads the config, loads the modules it names, brings up
 * EAL, ports and workers, then runs the control loop (control socket,
 * signals) until SIGINT/SIGTERM, and shuts down in reverse: workers stopped,
 * ports closed, module fini() in reverse load order, exit 0.
 *
 *   plb [-c FILE] [-t] [-- EAL options that override the config's]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include <plb/log.h>
#include <plb/module.h>

#include "config.h"
#include "conn.h"
#include "ctl.h"
#include "loader.h"
#include "logging.h"
#include "registry.h"
#include "route.h"
#include "runtime.h"
#include "svc.h"

#define LOG_TYPE "core"
#define DEFAULT_CONF "/etc/plb/plb.conf"

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: plb [-c FILE] [-t] [-- EAL-OPTIONS]\n"
		"  -c FILE  configuration file (default " DEFAULT_CONF ")\n"
		"  -t       check the configuration and its modules, then exit (0 = valid)\n"
		"  -h       this help\n"
		"EAL options after -- override the same options in the config's eal list.\n");
}

/* Load every module the config names; the first failure stops start-up. */
static int
load_modules(const struct plb_conf *conf, const struct plb_env *env)
{
	for (uint32_t i = 0; i < conf->n_modules; i++) {
		const struct plb_conf_module *cm = &conf->modules[i];
		char *err = NULL;
		int rc = plb_loader_load(conf->module_path, cm->stem, env, cm->settings, &err);

		if (rc) {
			PLB_LOG(ERR, "core.loader", "%s:%d: modules.load[%u]: %s", conf->file, cm->line,
				i, err ? err : strerror(-rc));
			free(err);
			return rc;
		}
	}
	return 0;
}

static int
check_only(const struct plb_conf *conf)
{
	struct plb_env env = {
		.size = sizeof(env), .n_workers = conf->workers.count, .check_only = 1,
		.socket_id = -1, .conf_file = conf->file,
	};
	char *err = NULL;
	int rc = load_modules(conf, &env);

	if (rc == 0) {
		rc = plb_svc_check(conf, &env, &err);
		if (rc) {
			PLB_LOG(ERR, "core.svc", "%s", err ? err : strerror(-rc));
			free(err);
		}
	}
	plb_loader_unload_all();
	plb_reg_reset();
	if (rc)
		return 1;
	fprintf(stderr, "plb: %s: configuration ok\n", conf->file);
	return 0;
}

static int
run(const struct plb_conf *conf, int cli_argc, char **cli_argv)
{
	struct plb_env env = {
		.size = sizeof(env), .n_workers = conf->workers.count, .check_only = 0,
		.conf_file = conf->file,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	char *err = NULL;
	int rc, status = 1;

	rc = plb_eal_init(conf, cli_argc, cli_argv, &err);
	if (rc) {
		PLB_LOG(ERR, "core.eal", "%s", err);
		free(err);
		return 1;
	}
	env.socket_id = (int)rte_socket_id();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = plb_ports_setup(conf, conf->workers.count, &err);
	if (rc)
		goto err_ports;
	rc = load_modules(conf, &env);
	if (rc)
		goto err_modules;
	rc = plb_routes_setup(conf, &err);
	if (rc)
		goto err_modules;
	rc = plb_rcu_init(conf->workers.count, &err);
	if (rc)
		goto err_modules;
	rc = plb_conns_setup(conf, conf->workers.count, &err);
	if (rc)
		goto err_modules;
	rc = plb_svc_start(conf, &env, &err);
	if (rc)
		goto err_modules;
	rc = plb_stats_start(conf->workers.count);
	if (rc) {
		plb_err(&err, rc, "counters: %s", strerror(-rc));
		goto err_modules;
	}
	rc = plb_workers_setup(conf, &err);
	if (rc)
		goto err_workers;
	rc = plb_ctl_open(conf, &err);
	if (rc)
		goto err_workers;
	rc = plb_ports_start(&err);
	if (rc)
		goto err_ctl;
	rc = plb_workers_launch();
	if (rc) {
		plb_err(&err, rc, "cannot launch workers: %s", strerror(-rc));
		goto err_launch;
	}
	PLB_LOG(INFO, LOG_TYPE, "ready: %u worker(s), %u port(s), control socket %s",
		conf->workers.count, conf->n_ports, conf->control.socket);
	while (!stop_signal)
		plb_ctl_poll(100);
	PLB_LOG(INFO, LOG_TYPE, "signal %d: shutting down", (int)stop_signal);
	status = 0;
err_launch:
	plb_workers_stop();
err_ctl:
	plb_ctl_close();
err_workers:
	plb_workers_free();
err_modules:
	plb_svc_stop();
	plb_conns_free();
	plb_routes_free();
	plb_ports_close();
	plb_loader_unload_all();
	plb_reg_reset();
err_ports:
	if (err) {
		PLB_LOG(ERR, LOG_TYPE, "%s", err);
		free(err);
	}
	plb_stats_reset();
	rte_eal_cleanup();
	if (status == 0)
		PLB_LOG(INFO, LOG_TYPE, "stopped");
	return status;
}

int
main(int argc, char **argv)
{
	const char *file = DEFAULT_CONF;
	struct plb_conf *conf;
	enum plb_log_level lvl;
	char *err = NULL;
	int test = 0, opt, rc;

	while ((opt = getopt(argc, argv, "+c:th")) != -1) {
		switch (opt) {
		case 'c':
			file = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* getopt stops at "--"; what follows goes to EAL */
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0) {
		fprintf(stderr, "plb: unexpected argument \"%s\" (EAL options go after --)\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	rc = plb_conf_load(file, &conf, &err);
	if (rc) {
		PLB_LOG(ERR, "core.config", "%s", err ? err : strerror(-rc));
		free(err);
		return 1;
	}
	if (conf->log_level && plb_log_level_parse(conf->log_level, &lvl) == 0)
		plb_log_set_level(lvl);
	rc = test ? check_only(conf) : run(conf, argc - optind, argv + optind);
	plb_conf_free(conf);
	return rc;
}
