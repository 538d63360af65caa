/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared set-up of the core.lua tests (test_lua.c, test_lua_scripts.c): a
 * minimal EAL, the real services (sched_rr, fwd_fnat, fwd_dr from
 * $PLB_BUILD/modules) and ACL tables, script and config files written to
 * /tmp (removed after each test), and readers of what the scripts changed
 * (specs, the published dests, picks of the real scheduler).
 * Include after cmocka.h.
 */
#ifndef PLB_TEST_LUA_H
#define PLB_TEST_LUA_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <plb/acl.h>
#include <plb/sched.h>
#include <plb/svc.h>

#include "acl.h"
#include "config.h"
#include "loader.h"
#include "lua_runtime.h"
#include "registry.h"
#include "svc.h"

#include "eal_test.h"

#define SVC80	"tcp:192.0.2.100:80"

static char modules_dir[256];
static struct plb_conf *svc_conf;	/* the services every test starts from */
static struct plb_conf *conf;		/* the current test's lua settings */
static char *files[8];
static int n_files;

static const char services[] =
	"services = (\n"
	"  { proto = \"tcp\"; vip = \"192.0.2.100\"; port = 80; scheduler = \"rr\"; fwd = \"fnat\";\n"
	"    laddrs = [ \"198.51.100.1\" ];\n"
	"    dests = ( { addr = \"198.51.100.11\"; port = 8080; weight = 2; },\n"
	"              { addr = \"198.51.100.12\"; port = 8080; weight = 3; } ); },\n"
	"  { proto = \"udp\"; vip = \"192.0.2.100\"; port = 53; scheduler = \"rr\"; fwd = \"dr\";\n"
	"    dests = ( { addr = \"198.51.100.21\"; } ); }\n"
	");\n";

static inline uint32_t
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* Write @text to a new temporary file (removed at teardown); returns its path. */
static inline const char *
write_file(const char *suffix, const char *text, size_t len)
{
	char *path;
	FILE *f;
	int fd;

	assert_true(asprintf(&path, "/tmp/plb_test_lua_XXXXXX%s", suffix) > 0);
	fd = mkstemps(path, (int)strlen(suffix));
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	assert_true(n_files < 8);
	files[n_files++] = path;
	return path;
}

static inline const char *
script(const char *text)
{
	return write_file(".lua", text, strlen(text));
}

/* Replace the content of script @path. */
static inline void
rewrite(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Parse a config of the services plus "lua = { scripts = [@path]; @extra };" into conf. */
static inline void
lua_conf(const char *path, const char *extra)
{
	char *text, *err = NULL;
	const char *cf;

	assert_true(asprintf(&text, "modules = { path = \"%s\"; };\n%slua = { scripts = [ \"%s\" ]; %s };\n",
			     modules_dir, services, path, extra ? extra : "") > 0);
	cf = write_file(".conf", text, strlen(text));
	free(text);
	plb_conf_free(conf);
	if (plb_conf_load(cf, &conf, &err) != 0)
		fail_msg("config: %s", err ? err : "(no message)");
}

static inline void
start_ok(const char *path, const char *extra)
{
	char *err = NULL;

	lua_conf(path, extra);
	if (plb_lua_start(conf, &err) != 0)
		fail_msg("plb_lua_start: %s", err ? err : "(no message)");
	assert_null(err);
}

/* Reload must fail with a message containing @want (e.g. "file:line: ..."). */
static inline void
reload_err(const char *want)
{
	char *err = NULL;
	json_t *st;

	assert_int_not_equal(plb_lua_reload(NULL, &err), 0);
	assert_non_null(err);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	st = plb_lua_status();
	assert_true(json_is_true(json_object_get(st, "running")));	/* the old state goes on */
	assert_non_null(strstr(json_string_value(json_object_get(st, "last_error")), want));
	json_decref(st);
	free(err);
}

static inline uint32_t
weight(const char *dest)
{
	uint32_t n;
	const struct plb_conf_svc *s = plb_svc_specs(&n);
	int i = plb_spec_find(s, n, IPPROTO_TCP, ip("192.0.2.100"), 80);

	assert_true(i >= 0);
	for (uint32_t d = 0; d < s[i].n_dests; d++)
		if (s[i].dests[d].addr == ip(dest))
			return s[i].dests[d].weight;
	fail_msg("no dest %s", dest);
	return 0;
}

static inline const struct plb_svc *
svc80(void)
{
	return plb_svc_lookup(AF_INET, IPPROTO_TCP, &(struct plb_addr){ .v4 = ip("192.0.2.100") },
			      htons(80));
}

/* The running spec's down flag of @dest (of SVC80). */
static inline int
spec_down(const char *dest)
{
	uint32_t n;
	const struct plb_conf_svc *s = plb_svc_specs(&n);
	int i = plb_spec_find(s, n, IPPROTO_TCP, ip("192.0.2.100"), 80);

	assert_true(i >= 0);
	for (uint32_t d = 0; d < s[i].n_dests; d++)
		if (s[i].dests[d].addr == ip(dest))
			return s[i].dests[d].down;
	fail_msg("no dest %s", dest);
	return 0;
}

/* The published dest @dest of SVC80 (what the workers see). */
static inline const struct plb_dest *
live_dest(const char *dest)
{
	const struct plb_svc *s = svc80();

	assert_non_null(s);
	for (uint32_t i = 0; i < s->n_dests; i++)
		if (s->dests[i]->addr.v4 == ip(dest) && !(s->dests[i]->flags & PLB_DEST_F_REMOVED))
			return s->dests[i];
	fail_msg("no live dest %s", dest);
	return NULL;
}

/*
 * Run SVC80's scheduler (the real sched_rr) @n times as worker 0 would for
 * new conns; how many went to @dest. Every call must pick some dest.
 */
static inline uint32_t
picks(const char *dest, uint32_t n)
{
	const struct plb_svc *s = svc80();
	struct plb_pkt pkt;
	uint32_t k = 0;

	assert_non_null(s);
	memset(&pkt, 0, sizeof(pkt));
	for (uint32_t i = 0; i < n; i++) {
		const struct plb_dest *d = s->sched->schedule(s, &s->sched_state[0], &pkt);

		assert_non_null(d);
		k += d->addr.v4 == ip(dest);
	}
	return k;
}

static const struct plb_acl_scope global_sc = { .svc = 0 };
static const struct plb_acl_scope svc80_sc = { .svc = 1, .proto = IPPROTO_TCP,
					       .port = 80 };	/* vip set in setup */
static struct plb_acl_scope svc_sc;

/* Call plb_lua_tick() until weight(@dest) == @w, at most 3 s. */
static inline void
tick_until_weight(const char *dest, uint32_t w)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		plb_lua_tick();
		if (weight(dest) == w)
			return;
		usleep(10000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 3);
	fail_msg("weight of %s is %u, expected %u", dest, weight(dest), w);
}

static inline int
group_setup(void **state)
{
	const char *build = getenv("PLB_BUILD");
	char *text, *err = NULL, path[] = "/tmp/plb_test_lua_svc_XXXXXX";
	struct plb_env env = { .size = sizeof(env), .n_workers = 1, .socket_id = 0 };
	FILE *f;
	int fd;

	snprintf(modules_dir, sizeof(modules_dir), "%s/modules", build && *build ? build : "build");
	if (eal_test_init("test_lua") != 0)
		return -1;
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL || asprintf(&text, "modules = { path = \"%s\"; };\n%s", modules_dir, services) < 0)
		return -1;
	fputs(text, f);
	fclose(f);
	free(text);
	if (plb_conf_load(path, &svc_conf, &err) != 0 || plb_rcu_init(1, &err) != 0 ||
	    plb_acl_init(1, &err) != 0 || plb_svc_start(svc_conf, &env, &err) != 0) {
		print_error("setup: %s\n", err ? err : "?");
		unlink(path);
		return -1;
	}
	unlink(path);
	svc_sc = svc80_sc;
	svc_sc.vip = ip("192.0.2.100");
	return 0;
}

static inline int
group_teardown(void **state)
{
	plb_acl_fini();
	plb_svc_stop();
	plb_conf_free(svc_conf);
	plb_loader_unload_all();
	plb_reg_reset();
	eal_test_cleanup();
	return 0;
}

/* After each test: no runtime, the services and lists as at the start. */
static inline int
test_teardown(void **state)
{
	char *err = NULL;

	plb_lua_stop();
	plb_conf_free(conf);
	conf = NULL;
	for (int i = 0; i < n_files; i++) {
		unlink(files[i]);
		free(files[i]);
	}
	n_files = 0;
	if (plb_svc_replace(svc_conf->services, svc_conf->n_services, "test", &err) != 0)
		return -1;
	for (int l = 0; l < 2; l++) {
		plb_acl_set(&global_sc, l, NULL, 0, NULL);
		plb_acl_set(&svc_sc, l, NULL, 0, NULL);
	}
	return 0;
}

static inline json_int_t
status_int(const char *key)
{
	json_t *st = plb_lua_status();
	json_int_t v = json_integer_value(json_object_get(st, key));

	json_decref(st);
	return v;
}

static inline int
status_true(const char *key)
{
	json_t *st = plb_lua_status();
	int v = json_is_true(json_object_get(st, key));

	json_decref(st);
	return v;
}

/* 1 if status string @key exists and contains @sub. */
static inline int
status_has(const char *key, const char *sub)
{
	json_t *st = plb_lua_status();
	const char *v = json_string_value(json_object_get(st, key));
	int r = v != NULL && strstr(v, sub) != NULL;

	json_decref(st);
	return r;
}

#endif /* PLB_TEST_LUA_H */
