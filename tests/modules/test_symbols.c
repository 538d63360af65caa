/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pins the symbol hygiene of DESIGN §2 with nm -D --defined-only: every
 * module in $PLB_BUILD/modules (and the test plugin sched_good) exports only
 * plb_module_descriptor; build/plb exports exactly the SDK functions listed
 * in framework/plb.dynlist (each declared in an SDK header) plus
 * a short, explained allow-list; every SDK function is exported. Run from
 * the repository root (make unit does).
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static char broken_dir[4096];
static char build_dir[2048];	/* $PLB_BUILD, default "build" */

struct names {
	char **v;
	unsigned n;
};

static void
names_add(struct names *s, const char *name, size_t len)
{
	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	assert_non_null(s->v);
	s->v[s->n] = strndup(name, len);
	assert_non_null(s->v[s->n]);
	s->n++;
}

static int
names_has(const struct names *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 1;
	return 0;
}

static void
names_free(struct names *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Defined dynamic symbols of @file (version suffixes "@GLIBC_..." stripped). */
static void
defined_dynsyms(const char *file, struct names *out)
{
	char *cmd, line[1024];
	FILE *p;

	assert_true(asprintf(&cmd, "nm -D --defined-only '%s' 2>&1", file) > 0);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char addr[64], type[8], name[512];

		if (sscanf(line, "%63s %7s %511s", addr, type, name) != 3) {
			print_error("nm %s: unexpected line: %s", file, line);
			fail();
		}
		names_add(out, name, strcspn(name, "@"));
	}
	if (pclose(p) != 0) {
		print_error("`%s` failed (is binutils installed, does the file exist?)\n", cmd);
		fail();
	}
	free(cmd);
}

static void
assert_only_descriptor(const char *file)
{
	struct names s = { 0 };

	defined_dynsyms(file, &s);
	for (unsigned i = 0; i < s.n; i++)
		if (strcmp(s.v[i], "plb_module_descriptor") != 0)
			print_error("%s exports %s\n", file, s.v[i]);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0], "plb_module_descriptor");
	names_free(&s);
}

static void
test_modules_export_only_descriptor(void **state)
{
	char *pat, *good;
	glob_t g;

	assert_true(asprintf(&pat, "%s/modules/*.so", build_dir) > 0);
	if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		print_error("no module matches %s: build the modules first (make all)\n", pat);
		fail();
	}
	for (size_t i = 0; i < g.gl_pathc; i++)
		assert_only_descriptor(g.gl_pathv[i]);
	globfree(&g);
	assert_true(asprintf(&good, "%s/sched_good.so", broken_dir) > 0);
	assert_only_descriptor(good);
	free(good);
	free(pat);
}

/* The whole text of every SDK header, comments blanked out. */
static char *
sdk_headers_text(void)
{
	char *all = NULL;
	size_t len = 0;
	glob_t g;

	if (glob("framework/include/plb/*.h", 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		print_error("framework/include/plb/*.h not found: run from the repository root\n");
		fail();
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		char buf[4096];
		size_t r;

		assert_non_null(f);
		while ((r = fread(buf, 1, sizeof(buf), f)) > 0) {
			all = realloc(all, len + r + 2);
			assert_non_null(all);
			memcpy(all + len, buf, r);
			len += r;
		}
		fclose(f);
		all[len++] = '\n';
	}
	globfree(&g);
	all[len] = '\0';
	for (char *c = strstr(all, "/*"); c; c = strstr(c, "/*")) {
		char *e = strstr(c + 2, "*/");

		e = e ? e + 2 : all + len;
		memset(c, ' ', (size_t)(e - c));
		c = e;
	}
	return all;
}

static int
is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/*
 * 1 if @name appears in @text as a whole word followed by '(' (a prototype
 * or a call), or as the name in an `extern` declaration (the thread-locals
 * the SDK's inline functions read).
 */
static int
declared_in_sdk(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
		const char *q = p + n, *bol = p;

		if (p > text && is_ident(p[-1]))
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '(')
			return 1;
		while (bol > text && bol[-1] != '\n')
			bol--;
		if ((*q == ';' || strncmp(q, "__attribute__", 13) == 0) &&
		    strncmp(bol, "extern ", 7) == 0)
			return 1;
	}
	return 0;
}

/* Entries of framework/plb.dynlist ("{ plb_log; plb_err; ... };"). */
static void
dynlist_names(struct names *out)
{
	FILE *f = fopen("framework/plb.dynlist", "r");
	char line[512];

	if (f == NULL) {
		print_error("framework/plb.dynlist not found: run from the repository root\n");
		fail();
	}
	while (fgets(line, sizeof(line), f)) {
		char *c = strstr(line, "/*");

		if (c)
			*c = '\0';
		for (char *p = line; *p;) {
			char *s;

			while (*p && !is_ident(*p))
				p++;
			s = p;
			while (is_ident(*p))
				p++;
			if (p > s && *p == ';')
				names_add(out, s, (size_t)(p - s));
		}
	}
	fclose(f);
}

/*
 * Defined dynamic symbols of build/plb that are not the SDK and must stay
 * (found with nm -D --defined-only on Debian 12, binutils 2.40, DPDK 22.11):
 * - __bss_start, _edata, _end: section markers ld always exports from an
 *   executable with a dynamic section, whatever the dynamic list says;
 * - stdin, stdout, stderr, optarg, optind, opterr, optopt: glibc data the
 *   core uses (stdio, getopt); a PIE reaches them through copy relocations,
 *   so the executable holds the copy and exports it for libc to bind to;
 * - rte_eth_fp_ops, rte_mempool_ops_table: the same for DPDK data that its
 *   inline fast-path functions (rte_eth_rx_burst, rte_pktmbuf_free, ...)
 *   read; librte_ethdev and librte_mempool bind to the executable's copy.
 * Anything else is a leak of a core symbol: add it here only with a reason.
 */
static const char *const extra_allow[] = {
	"__bss_start", "_edata", "_end",
	"stdin", "stdout", "stderr", "optarg", "optind", "opterr", "optopt",
	"rte_eth_fp_ops", "rte_mempool_ops_table",
};

static void
test_plb_exports_only_sdk(void **state)
{
	struct names syms = { 0 }, dyn = { 0 };
	char *plb, *hdr = sdk_headers_text();
	int bad = 0;

	assert_true(asprintf(&plb, "%s/plb", build_dir) > 0);
	defined_dynsyms(plb, &syms);
	dynlist_names(&dyn);
	assert_true(dyn.n > 0);
	for (unsigned i = 0; i < syms.n; i++) {
		const char *s = syms.v[i];
		int allowed = 0;

		if (strncmp(s, "plb_", 4) == 0) {
			if (!declared_in_sdk(hdr, s)) {
				print_error("%s exports %s, declared in no framework/include/plb/*.h\n",
					    plb, s);
				bad = 1;
			}
			if (!names_has(&dyn, s)) {
				print_error("%s exports %s, not in framework/plb.dynlist\n", plb, s);
				bad = 1;
			}
			continue;
		}
		for (size_t a = 0; a < sizeof(extra_allow) / sizeof(extra_allow[0]); a++)
			allowed |= strcmp(s, extra_allow[a]) == 0;
		if (!allowed) {
			print_error("%s exports %s: not plb_*, not in the allow-list\n", plb, s);
			bad = 1;
		}
	}
	/* and every dynlist entry really is exported (a typo there fails dlopen of modules) */
	for (unsigned i = 0; i < dyn.n; i++) {
		if (!names_has(&syms, dyn.v[i])) {
			print_error("framework/plb.dynlist lists %s but %s does not export it\n",
				    dyn.v[i], plb);
			bad = 1;
		}
	}
	assert_int_equal(bad, 0);
	names_free(&syms);
	names_free(&dyn);
	free(hdr);
	free(plb);
}

/*
 * The other direction: every non-inline function the SDK headers declare is
 * exported by build/plb, or a module that calls it fails to dlopen.
 * A declaration is "plb_x(" not at the start of a line (DPDK style puts
 * static inline definitions' names there) and not a function-pointer type.
 */
static void
test_sdk_functions_exported(void **state)
{
	struct names syms = { 0 }, inl = { 0 };
	char *plb, *hdr = sdk_headers_text();
	int bad = 0;

	assert_true(asprintf(&plb, "%s/plb", build_dir) > 0);
	defined_dynsyms(plb, &syms);
	/* names defined inline: "plb_x(" at the start of a line */
	for (char *p = hdr; (p = strstr(p, "plb_")); p++) {
		const char *s = p;
		size_t n = 0;

		while (is_ident(s[n]))
			n++;
		if ((p == hdr || p[-1] == '\n') && s[n] == '(')
			names_add(&inl, s, n);
	}
	for (char *p = hdr; (p = strstr(p, "plb_")); p++) {
		const char *s = p, *q;
		size_t n = 0;
		char *name;

		if (p > hdr && (is_ident(p[-1]) || p[-1] == '*'))
			continue;	/* part of a longer name, or (*plb_fn_t) */
		if ((p - hdr >= 5 && strncmp(p - 5, "enum ", 5) == 0) ||
		    (p - hdr >= 7 && strncmp(p - 7, "struct ", 7) == 0))
			continue;	/* a type: "enum plb_verdict (*parse)(...)" */
		while (is_ident(s[n]))
			n++;
		q = s + n;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '(')
			continue;
		name = strndup(s, n);
		if (!names_has(&inl, name) && !names_has(&syms, name)) {
			print_error("framework/include/plb declares %s() but %s does not export it\n",
				    name, plb);
			bad = 1;
		}
		free(name);
	}
	assert_int_equal(bad, 0);
	names_free(&syms);
	names_free(&inl);
	free(hdr);
	free(plb);
}

int
main(void)
{
	const char *b = getenv("PLB_BUILD");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modules_export_only_descriptor),
		cmocka_unit_test(test_plb_exports_only_sdk),
		cmocka_unit_test(test_sdk_functions_exported),
	};

	snprintf(build_dir, sizeof(build_dir), "%s", b && *b ? b : "build");
	snprintf(broken_dir, sizeof(broken_dir), "%s/tests/broken", build_dir);
	return cmocka_run_group_tests_name("symbols", tests, NULL, NULL);
}
