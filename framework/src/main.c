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
#include <time.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include <plb/log.h>
#include <plb/module.h>

#include "boot.h"
#include "config.h"
#include "ctl.h"
#include "logging.h"
#include "lua_runtime.h"
#include "metrics.h"

#define LOG_TYPE "core"
#define DEFAULT_CONF "/etc/plb/plb.conf"

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reload_signal;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_signal = 1;
	else
		stop_signal = sig;
}

/* SIGHUP, after the services: the lua section and its scripts (the old ones stay on failure). */
static void
reload_lua(void)
{
	struct plb_conf *nc;
	char *err = NULL;

	plb_lua_reload_event("config");
	if (plb_conf_load(plb_ctl_conf->file, &nc, &err) == 0)
		plb_lua_configure(nc, &err);	/* takes nc; logs its own failure */
	else
		PLB_LOG(ERR, LOG_TYPE, "SIGHUP: Lua scripts not reloaded: %s", err ? err : "?");
	free(err);
}

/* SIGHUP: reload the services from the file, or keep everything and say why. */
static void
reload(void)
{
	json_t *res = NULL;
	char *err = NULL;

	reload_signal = 0;
	if (plb_ctl_reload(NULL, &res, &err) != 0) {
		PLB_LOG(ERR, LOG_TYPE, "SIGHUP: reload refused: %s", err ? err : "?");
		free(err);
		return;
	}
	if (json_array_size(json_object_get(res, "restart_needed")))
		PLB_LOG(WARNING, LOG_TYPE, "SIGHUP: reloaded the services; other changed sections "
			"need a restart");
	json_decref(res);
	reload_lua();
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

static int
check_only(const struct plb_conf *conf)
{
	char *err = NULL;
	int rc = plb_check(conf, &err);

	if (rc) {
		PLB_LOG(ERR, "core", "%s", err ? err : strerror(-rc));
		free(err);
		return 1;
	}
	fprintf(stderr, "plb: %s: configuration ok\n", conf->file);
	return 0;
}

static int
run(const struct plb_conf *conf, int cli_argc, char **cli_argv)
{
	struct plb_boot_opts o = { .cli_argc = cli_argc, .cli_argv = cli_argv };
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec last, now;
	char *err = NULL;
	int rc;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = plb_boot(conf, &o, &err);
	if (rc) {
		PLB_LOG(ERR, LOG_TYPE, "%s", err ? err : strerror(-rc));
		free(err);
		return 1;
	}
	PLB_LOG(INFO, LOG_TYPE, "ready: %u worker(s), %u port(s), control socket %s",
		conf->workers.count, conf->n_ports, conf->control.socket);
	clock_gettime(CLOCK_MONOTONIC, &last);
	while (!stop_signal) {
		plb_ctl_poll(100);
		if (reload_signal)
			reload();
		plb_lua_tick();	/* Lua timers and events: resolution = this loop's 100 ms */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > last.tv_sec) {
			plb_ctl_tick();	/* rates, freeing removed dests */
			plb_metrics_tick();	/* the text GET /metrics serves */
			last = now;
		}
	}
	PLB_LOG(INFO, LOG_TYPE, "signal %d: shutting down", (int)stop_signal);
	plb_shutdown();
	PLB_LOG(INFO, LOG_TYPE, "stopped");
	return 0;
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
