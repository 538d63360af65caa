/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers for plbctl's unit tests: expected JSON written with ' for ",
 * argv literals, and comparisons that print both sides on a mismatch.
 * Include after <cmocka.h>.
 */
#ifndef PLB_TEST_PLBCTL_H
#define PLB_TEST_PLBCTL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

#define ARGV(...) ((const char *[]){ __VA_ARGS__, NULL })

/* JSON text with ' for " (for readable expectations); fails the test if invalid. */
static inline json_t *
pt_json(const char *s)
{
	char *t = strdup(s);
	json_error_t e;
	json_t *v;

	assert_non_null(t);
	for (char *p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(t, JSON_DECODE_ANY, &e);
	if (v == NULL)
		fail_msg("bad expected JSON %s: %s", t, e.text);
	free(t);
	return v;
}

static inline void
pt_assert_json(json_t *got, const char *expect)
{
	json_t *e = pt_json(expect);

	if (!json_equal(got, e)) {
		char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
		char *x = json_dumps(e, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);

		fail_msg("got      %s\nexpected %s", g, x);
	}
	json_decref(e);
}

static inline int
pt_argc(const char **argv)
{
	int n = 0;

	while (argv[n] != NULL)
		n++;
	return n;
}

/* Parse @argv, which must succeed. */
static inline void
pt_parse(const char **argv, struct plbctl_cmd *cmd)
{
	char *err = NULL;

	if (plbctl_parse(pt_argc(argv), (char **)argv, cmd, &err) != 0)
		fail_msg("parse of %s... failed: %s", argv[0], err);
	assert_null(err);
}

/* Capture what @fn prints to a memory stream. */
#define PT_CAPTURE(buf, call)							\
	do {									\
		size_t pt_len_;							\
		FILE *f = open_memstream(&(buf), &pt_len_);			\
		assert_non_null(f);						\
		call;								\
		fclose(f);							\
	} while (0)

#endif /* PLB_TEST_PLBCTL_H */
