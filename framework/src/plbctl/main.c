/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl: the command line for plb's control socket. Sends one JSON request,
 * prints the response as a table (or as JSON with --json). Thin for now:
 * `stats` and `modules`; the control-plane issue adds the service verbs and
 * the ipvsadm syntax.
 *
 *   plbctl [-s SOCKET] [--json] stats|modules
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#define DEFAULT_SOCKET "/run/plb/plb.sock"

static void
usage(FILE *f)
{
	fprintf(f, "usage: plbctl [-s SOCKET] [--json] COMMAND\n"
		"commands:\n"
		"  stats     per-port, per-worker and per-module counters\n"
		"  modules   loaded modules: kind, name, version, description\n"
		"options:\n"
		"  -s, --socket SOCKET  control socket (default " DEFAULT_SOCKET ", or $PLB_SOCKET)\n"
		"  -j, --json           print the raw JSON result\n");
}

static json_t *
request(const char *path, const char *cmd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_t *req, *res;
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
	req = json_pack("{s:i, s:s}", "v", 1, "cmd", cmd);
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
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

static long long
geti(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void
print_stats(json_t *r)
{
	json_t *row, *v;
	size_t i;
	const char *k;

	printf("%-4s %-10s %12s %12s %12s %12s %10s %10s\n", "port", "name", "rx_packets",
	       "tx_packets", "rx_bytes", "tx_bytes", "rx_dropped", "tx_errors");
	json_array_foreach(json_object_get(r, "ports"), i, row)
		printf("%-4lld %-10s %12lld %12lld %12lld %12lld %10lld %10lld\n", geti(row, "id"),
		       json_string_value(json_object_get(row, "name")), geti(row, "rx_packets"),
		       geti(row, "tx_packets"), geti(row, "rx_bytes"), geti(row, "tx_bytes"),
		       geti(row, "rx_dropped"), geti(row, "tx_errors"));
	printf("\n%-6s %-5s %12s %12s %10s %12s %12s %10s %12s\n", "worker", "lcore", "rx", "tx",
	       "tx_drop", "handover_out", "handover_in", "drop", "idle_sleeps");
	json_array_foreach(json_object_get(r, "workers"), i, row)
		printf("%-6lld %-5lld %12lld %12lld %10lld %12lld %12lld %10lld %12lld\n",
		       geti(row, "id"), geti(row, "lcore"), geti(row, "rx"), geti(row, "tx"),
		       geti(row, "tx_drop"), geti(row, "handover_out"), geti(row, "handover_in"),
		       geti(row, "drop"), geti(row, "idle_sleeps"));
	json_array_foreach(json_object_get(r, "services"), i, row) {
		json_t *d;
		size_t j;

		printf("\n%s %s:%lld  scheduler %s  fwd %s  (drops: no_dest %lld, conn_full %lld, "
		       "no_port %lld, not_syn %lld)\n",
		       json_string_value(json_object_get(row, "proto")),
		       json_string_value(json_object_get(row, "vip")), geti(row, "port"),
		       json_string_value(json_object_get(row, "scheduler")),
		       json_string_value(json_object_get(row, "fwd")), geti(row, "drop_no_dest"),
		       geti(row, "drop_conn_full"), geti(row, "drop_no_port"), geti(row, "drop_not_syn"));
		printf("  %-22s %6s %8s %8s %10s %12s %12s\n", "dest", "weight", "active", "inactive",
		       "conns", "pkts_in", "pkts_out");
		json_array_foreach(json_object_get(row, "dests"), j, d) {
			char ep[64];

			snprintf(ep, sizeof(ep), "%s:%lld", json_string_value(json_object_get(d, "addr")),
				 geti(d, "port"));
			printf("  %-22s %6lld %8lld %8lld %10lld %12lld %12lld\n", ep, geti(d, "weight"),
			       geti(d, "active_conns"), geti(d, "inactive_conns"), geti(d, "conns"),
			       geti(d, "pkts_in"), geti(d, "pkts_out"));
		}
	}
	printf("\n%-40s %12s\n", "counter", "value");
	json_object_foreach(json_object_get(r, "counters"), k, v)
		printf("%-40s %12lld\n", k, (long long)json_integer_value(v));
}

static void
print_modules(json_t *r)
{
	json_t *row;
	size_t i;

	printf("%-6s %-12s %-8s %s\n", "kind", "name", "version", "description");
	json_array_foreach(r, i, row)
		printf("%-6s %-12s %-8s %s\n", json_string_value(json_object_get(row, "kind")),
		       json_string_value(json_object_get(row, "name")),
		       json_string_value(json_object_get(row, "version")),
		       json_string_value(json_object_get(row, "description")));
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = getenv("PLB_SOCKET") ? getenv("PLB_SOCKET") : DEFAULT_SOCKET;
	const char *cmd;
	json_t *res, *result;
	int json = 0, opt, rc = 0;

	while ((opt = getopt_long(argc, argv, "s:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "stats") != 0 && strcmp(cmd, "modules") != 0) {
		fprintf(stderr, "plbctl: unknown command \"%s\"\n", cmd);
		usage(stderr);
		return 2;
	}
	res = request(sock, cmd);
	if (res == NULL)
		return 1;
	if (!json_is_true(json_object_get(res, "ok"))) {
		fprintf(stderr, "plbctl: %s: %s\n", cmd,
			json_string_value(json_object_get(res, "error")) ?: "request refused");
		json_decref(res);
		return 1;
	}
	result = json_object_get(res, "result");
	if (json) {
		char *s = json_dumps(result, JSON_INDENT(2) | JSON_SORT_KEYS);

		puts(s ? s : "null");
		free(s);
	} else if (strcmp(cmd, "stats") == 0) {
		print_stats(result);
	} else {
		print_modules(result);
	}
	json_decref(res);
	return rc;
}
