/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.eal argument building (no EAL started): the config's eal list comes
 * first, options given after "--" on the command line replace the config's
 * single-use options (with their values), repeatable ones (--vdev) add up,
 * and without an lcore option plb asks for control + workers.count lcores.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "runtime.h"

static char *
joined(const char **conf_args, int n_conf, char **cli, int n_cli, uint32_t workers)
{
	struct plb_conf conf;
	char **argv, *err = NULL, *out = NULL;
	size_t len = 0;
	int argc;
	FILE *f;

	memset(&conf, 0, sizeof(conf));
	conf.eal_argc = n_conf;
	conf.eal_argv = (char **)conf_args;
	conf.workers.count = workers;
	assert_int_equal(plb_eal_args(&conf, n_cli, cli, &argc, &argv, &err), 0);
	assert_null(err);
	assert_null(argv[argc]);
	f = open_memstream(&out, &len);
	for (int i = 0; i < argc; i++)
		fprintf(f, i ? " %s" : "%s", argv[i]);
	fclose(f);
	plb_eal_args_free(argc, argv);
	return out;
}

static void
test_config_only_adds_lcores(void **state)
{
	const char *c[] = { "--no-huge", "-m", "512", "--vdev=net_null0" };
	char *s = joined(c, 4, NULL, 0, 2);

	/* control lcore 0 plus two workers; the CPUs depend on the machine */
	assert_true(strncmp(s, "plb --no-huge -m 512 --vdev=net_null0 --lcores=0@", 49) == 0);
	assert_non_null(strstr(s, ",1@"));
	assert_non_null(strstr(s, ",2@"));
	assert_null(strstr(s, ",3@"));
	free(s);
}

static void
test_cli_overrides_single_options(void **state)
{
	const char *c[] = { "--no-huge", "-m", "512", "--file-prefix=a", "-l", "0-1", "--vdev=net_null0" };
	char *cli[] = { "-m", "256", "--file-prefix", "b", "--vdev=net_null1" };
	char *s = joined(c, 7, cli, 5, 1);

	/* -m 512 and --file-prefix=a are gone (with their values), -l stays, vdevs add up */
	assert_string_equal(s, "plb --no-huge -l 0-1 --vdev=net_null0 -m 256 --file-prefix b --vdev=net_null1");
	free(s);
}

static void
test_glued_short_option(void **state)
{
	const char *c[] = { "-l0-2", "--no-pci" };
	char *cli[] = { "-l", "0-1" };
	char *s = joined(c, 2, cli, 2, 1);

	assert_string_equal(s, "plb --no-pci -l 0-1");
	free(s);
}

static void
test_cli_lcores_suppress_default(void **state)
{
	char *cli[] = { "--lcores=0@0,1@1" };
	char *s = joined(NULL, 0, cli, 1, 1);

	assert_string_equal(s, "plb --lcores=0@0,1@1");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_only_adds_lcores),
		cmocka_unit_test(test_cli_overrides_single_options),
		cmocka_unit_test(test_glued_short_option),
		cmocka_unit_test(test_cli_lcores_suppress_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
