/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.eal: EAL arguments from the config's `eal` list, overridable by what
 * follows "--" on plb's command line, and rte_eal_init(). When no lcore
 * option is given, plb asks for one control lcore plus workers.count worker
 * lcores, spread over the CPUs it may run on.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <plb/log.h>

#include "runtime.h"

/* EAL options that may be given once; a command-line one replaces the config's. */
static const struct {
	const char *name;
	int has_arg;		/* value in the next argv element unless "--opt=value" */
} eal_single[] = {
	{ "-l", 1 }, { "--lcores", 1 }, { "-c", 1 }, { "-m", 1 }, { "-n", 1 },
	{ "--socket-mem", 1 }, { "--file-prefix", 1 }, { "--main-lcore", 1 },
	{ "--proc-type", 1 }, { "--iova-mode", 1 }, { "--huge-dir", 1 },
	{ "--no-huge", 0 }, { "--no-pci", 0 }, { "--in-memory", 0 },
};

static int
opt_index(const char *arg)
{
	for (size_t i = 0; i < RTE_DIM(eal_single); i++) {
		size_t n = strlen(eal_single[i].name);

		if (strncmp(arg, eal_single[i].name, n) == 0 && (arg[n] == '\0' || arg[n] == '='))
			return (int)i;
		/* short options may carry their value glued on: -l0-1 */
		if (n == 2 && eal_single[i].has_arg && strncmp(arg, eal_single[i].name, 2) == 0 &&
		    arg[2] != '\0' && arg[1] != '-')
			return (int)i;
	}
	return -1;
}

static int
arg_has_value_next(const char *arg, int idx)
{
	return idx >= 0 && eal_single[idx].has_arg && strchr(arg, '=') == NULL &&
	       !(strlen(eal_single[idx].name) == 2 && arg[2] != '\0');
}

static int
cli_has(int cli_argc, char **cli_argv, int idx)
{
	for (int i = 0; i < cli_argc; i++)
		if (opt_index(cli_argv[i]) == idx)
			return 1;
	return 0;
}

static int
is_lcore_opt(int idx)
{
	return idx >= 0 && (!strcmp(eal_single[idx].name, "-l") ||
			    !strcmp(eal_single[idx].name, "--lcores") ||
			    !strcmp(eal_single[idx].name, "-c"));
}

static int
push(char ***v, int *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(**v));

	if (nv == NULL)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (nv[*n] == NULL)
		return -ENOMEM;
	(*n)++;
	nv[*n] = NULL;
	return 0;
}

/* "--lcores=0@C0,1@C1,..": control on the first allowed CPU, workers after it. */
static char *
lcores_arg(uint32_t n_workers)
{
	cpu_set_t set;
	int cpus[CPU_SETSIZE], n_cpus = 0;
	char *s = NULL;
	size_t len = 0;
	FILE *f;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpus[n_cpus++] = c;
	if (n_cpus == 0)
		cpus[n_cpus++] = 0;
	f = open_memstream(&s, &len);
	if (f == NULL)
		return NULL;
	fprintf(f, "--lcores=0@%d", cpus[0]);
	for (uint32_t w = 0; w < n_workers; w++)
		fprintf(f, ",%u@%d", w + 1, cpus[(w + 1) % n_cpus]);
	fclose(f);
	return s;
}

int
plb_eal_args(const struct plb_conf *conf, int cli_argc, char **cli_argv,
	     int *argc, char ***argv, char **err)
{
	char **v = NULL;
	int n = 0, have_lcores = 0;

	if (push(&v, &n, "plb"))
		goto err_nomem;
	for (int i = 0; i < conf->eal_argc; i++) {
		const char *a = conf->eal_argv[i];
		int idx = opt_index(a);

		if (idx >= 0 && cli_has(cli_argc, cli_argv, idx)) {
			if (arg_has_value_next(a, idx))
				i++;	/* skip its value too */
			continue;
		}
		have_lcores |= is_lcore_opt(idx);
		if (push(&v, &n, a))
			goto err_nomem;
	}
	for (int i = 0; i < cli_argc; i++) {
		have_lcores |= is_lcore_opt(opt_index(cli_argv[i]));
		if (push(&v, &n, cli_argv[i]))
			goto err_nomem;
	}
	if (!have_lcores) {
		char *l = lcores_arg(conf->workers.count);

		if (l == NULL || push(&v, &n, l)) {
			free(l);
			goto err_nomem;
		}
		free(l);
	}
	*argc = n;
	*argv = v;
	return 0;
err_nomem:
	plb_eal_args_free(n, v);
	return plb_err(err, -ENOMEM, "eal: out of memory");
}

void
plb_eal_args_free(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

int
plb_eal_init(const struct plb_conf *conf, int cli_argc, char **cli_argv, char **err)
{
	char **argv, **copy;
	int argc, rc;
	unsigned n_lcores;

	rc = plb_eal_args(conf, cli_argc, cli_argv, &argc, &argv, err);
	if (rc)
		return rc;
	/* rte_eal_init() permutes argv: hand it a copy, keep ours to free */
	copy = calloc(argc + 1, sizeof(*copy));
	if (copy == NULL) {
		plb_eal_args_free(argc, argv);
		return plb_err(err, -ENOMEM, "eal: out of memory");
	}
	memcpy(copy, argv, argc * sizeof(*copy));
	rc = rte_eal_init(argc, copy);
	free(copy);
	if (rc < 0) {
		rc = -rte_errno;
		plb_err(err, rc ? rc : -EINVAL, "eal: rte_eal_init failed: %s (arguments from %s `eal` and after `--`)",
			rte_strerror(rte_errno), conf->file);
		plb_eal_args_free(argc, argv);
		return rc ? rc : -EINVAL;
	}
	plb_eal_args_free(argc, argv);
	n_lcores = rte_lcore_count() - 1;
	if (n_lcores != conf->workers.count)
		return plb_err(err, -EINVAL,
			       "eal: the lcore option gives %u worker lcore(s) besides the main one, "
			       "workers.count is %u: make them agree (or drop the lcore option and plb picks)",
			       n_lcores, conf->workers.count);
	return 0;
}
