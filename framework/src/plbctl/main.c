/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl: the command line for plb's control socket (docs/control.md).
 * Parses argv (cli.c: native verbs or ipvsadm syntax) into JSON requests,
 * sends them one per connection in order, stops at the first refusal, and
 * prints the last result (print.c) or, with --json, the raw result.
 * Exit codes: 0 done, 1 refused by plb or plb unreachable, 2 usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "print.h"

#define DEFAULT_SOCKET "/run/plb/plb.sock"

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2 };

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: plbctl [-s SOCKET] [--json] COMMAND ...     (native verbs)\n"
		"       plbctl [--socket SOCKET] -A|-E|-D|-a|-e|-d|-L|-C|-Z|-S|-R ...   (ipvsadm syntax)\n"
		"native commands:\n"
		"  service add|edit tcp|udp VIP:PORT [--sched S] [--fwd F] [--laddr A]...\n"
		"                 [--sched-opt KEY=VALUE]... [--ops] [--expire-quiescent]\n"
		"                 (edit also: --no-ops, --no-expire-quiescent)\n"
		"  service del tcp|udp VIP:PORT        service list\n"
		"  dest add|edit tcp|udp VIP:PORT RS[:PORT] [--weight W] [--upper U] [--lower L]\n"
		"                 (edit also: --down, --up)\n"
		"  dest del tcp|udp VIP:PORT RS[:PORT]\n"
		"  laddr add|del tcp|udp VIP:PORT ADDR\n"
		"  modules | schedulers | stats [--rate]\n"
		"  conns [--proto P] [--vip V] [--port P] [--client C] [--dest D] [--limit N]\n"
		"  save [FILE] | reload [FILE] | restore FILE | clear | zero [tcp|udp VIP:PORT]\n"
		"  acl add|del|set deny|allow [tcp|udp VIP:PORT] [PREFIX]... [--file FILE]...\n"
		"  acl list [deny|allow] [tcp|udp VIP:PORT] [--brief]\n"
		"  lua reload | lua status\n"
		"ipvsadm syntax:\n"
		"  -A|-E -t|-u VIP:PORT [-s SCHED] [-o] [--laddr A]... [-g|-i|-m|-b]\n"
		"  -D -t|-u VIP:PORT\n"
		"  -a|-e -t|-u VIP:PORT -r RS[:PORT] [-g|-i|-m|-b] [-w W] [-x U] [-y L]\n"
		"  -d -t|-u VIP:PORT -r RS[:PORT]\n"
		"  -L|-l -n [--stats|--rate|-c]    -C    -Z [-t|-u VIP:PORT]    -S -n    -R < FILE\n"
		"  (-g dr, -i tun, -m nat, -b fnat: the forwarding mode is the service's)\n"
		"options:\n"
		"  -s, --socket SOCKET  control socket (default " DEFAULT_SOCKET ", or $PLB_SOCKET);\n"
		"                       in ipvsadm syntax -s is the scheduler: use --socket\n"
		"  -j, --json           print the raw JSON result of a read command\n"
		"exit codes: 0 done, 1 refused by plb (or plb unreachable), 2 usage error\n");
}

static json_t *
request(const char *path, json_t *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_t *res;
	json_error_t jerr;
	char *line, *buf = NULL;
	size_t len = 0, cap = 0;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "plbctl: socket path too long: %s\n", path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "plbctl: cannot connect to %s: %s (is plb running?)\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	line = json_dumps(req, JSON_COMPACT);
	if (line == NULL || write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0) {
		fprintf(stderr, "plbctl: cannot send to %s: %s\n", path, strerror(errno));
		free(line);
		close(fd);
		return NULL;
	}
	free(line);
	for (;;) {
		ssize_t n;

		if (len + 4096 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (nb == NULL)
				break;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf == NULL) {
		fprintf(stderr, "plbctl: no answer from %s\n", path);
		return NULL;
	}
	buf[len] = '\0';
	res = json_loads(buf, JSON_DISABLE_EOF_CHECK, &jerr);
	free(buf);
	if (res == NULL)
		fprintf(stderr, "plbctl: bad answer from %s: %s\n", path, jerr.text);
	return res;
}

/* Send @req; the response when plb accepted it, else NULL after saying why (prefixed by @where). */
static json_t *
send_req(const char *sock, json_t *req, const char *where)
{
	json_t *res = request(sock, req);
	const char *cmd = json_string_value(json_object_get(req, "cmd"));

	if (res == NULL)
		return NULL;
	if (!json_is_true(json_object_get(res, "ok"))) {
		const char *e = json_string_value(json_object_get(res, "error")) ?: "request refused";
		size_t n = cmd ? strlen(cmd) : 0;

		/* name the request unless plb's message already starts with it */
		if (cmd != NULL && (strncmp(e, cmd, n) != 0 || e[n] != ':'))
			fprintf(stderr, "plbctl: %s%s: %s\n", where, cmd, e);
		else
			fprintf(stderr, "plbctl: %s%s\n", where, e);
		json_decref(res);
		return NULL;
	}
	return res;
}

/* The forwarding map (cli.h) of the running services, or NULL. */
static json_t *
fwd_map(const char *sock, const char *where)
{
	json_t *req = json_pack("{s:i, s:s}", "v", 1, "cmd", "service.list");
	json_t *res = send_req(sock, req, where), *map;

	json_decref(req);
	if (res == NULL)
		return NULL;
	map = plbctl_fwd_map(json_object_get(res, "result"));
	json_decref(res);
	return map;
}

/* Send what @cmd plans against @map; the last response, or NULL after a refusal. */
static json_t *
run(const char *sock, const struct plbctl_cmd *cmd, json_t *map, const char *where)
{
	json_t *reqs = plbctl_plan(cmd, map), *req, *res = NULL;
	size_t i;

	json_array_foreach(reqs, i, req) {
		json_decref(res);
		res = send_req(sock, req, where);
		if (res == NULL)
			break;
	}
	json_decref(reqs);
	return res;
}

static char *
read_all(FILE *f)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL;

	do {
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (nb == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	return buf;
}

/* -R: every line parsed first, then sent in order; stops at the first refused line. */
static int
restore(const char *sock)
{
	struct plbctl_script s;
	char *text = read_all(stdin), *err = NULL, where[32];
	json_t *map = NULL;
	int rc = 0;

	if (text == NULL) {
		fprintf(stderr, "plbctl: -R: cannot read stdin\n");
		return EXIT_REFUSED;
	}
	if (plbctl_script_parse(text, &s, &err) < 0) {
		fprintf(stderr, "plbctl: -R: %s\n", err ? err : "out of memory");
		free(err);
		free(text);
		return EXIT_USAGE;
	}
	free(text);
	for (unsigned int i = 0; i < s.n; i++)
		if (s.cmds[i].fwd != NULL) {
			map = fwd_map(sock, "-R: ");
			if (map == NULL)
				rc = EXIT_REFUSED;
			break;
		}
	if (map == NULL && rc == 0)
		map = json_object();
	for (unsigned int i = 0; i < s.n && rc == 0; i++) {
		json_t *res;

		snprintf(where, sizeof(where), "-R: line %u: ", s.lines[i]);
		res = run(sock, &s.cmds[i], map, where);
		if (res == NULL)
			rc = EXIT_REFUSED;
		json_decref(res);
	}
	json_decref(map);
	plbctl_script_clear(&s);
	return rc;
}

static int
show(const struct plbctl_cmd *cmd, json_t *result)
{
	char *err = NULL;

	if (cmd->view == PLBCTL_VIEW_NONE)
		return 0;
	if (cmd->json) {
		char *s = json_dumps(result, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);

		puts(s ? s : "null");
		free(s);
		return 0;
	}
	if (cmd->view == PLBCTL_VIEW_SAVE && cmd->file != NULL) {
		FILE *f = fopen(cmd->file, "w");
		const char *text = json_string_value(json_object_get(result, "text")) ?: "";

		if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
			fprintf(stderr, "plbctl: save: cannot write %s: %s\n", cmd->file,
				strerror(errno));
			return EXIT_REFUSED;
		}
		return 0;
	}
	if (plbctl_print(stdout, cmd->view, result, &err) < 0) {
		fprintf(stderr, "plbctl: %s\n", err ? err : "out of memory");
		free(err);
		return EXIT_REFUSED;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct plbctl_cmd cmd;
	const char *sock;
	json_t *map = NULL, *res;
	char *err = NULL;
	int rc;

	if (plbctl_parse(argc - 1, argv + 1, &cmd, &err) < 0) {
		fprintf(stderr, "plbctl: %s\n", err ? err : "out of memory");
		free(err);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cmd.help) {
		usage(stdout);
		plbctl_cmd_clear(&cmd);
		return 0;
	}
	sock = cmd.socket ?: getenv("PLB_SOCKET") ?: DEFAULT_SOCKET;
	if (cmd.restore) {
		rc = restore(sock);
		plbctl_cmd_clear(&cmd);
		return rc;
	}
	if (cmd.fwd != NULL)
		map = fwd_map(sock, "");
	else
		map = json_object();
	res = map != NULL ? run(sock, &cmd, map, "") : NULL;
	rc = res != NULL ? show(&cmd, json_object_get(res, "result")) : EXIT_REFUSED;
	json_decref(res);
	json_decref(map);
	plbctl_cmd_clear(&cmd);
	return rc;
}
