/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's command line: global options (--json, --socket / -s), the native
 * verbs (service, dest, laddr, modules, schedulers, stats, conns, save,
 * reload, restore, clear, zero) and the argument checks both syntaxes share.
 * The acl and lua verbs are in cli_acl.c, the ipvsadm syntax in cli_ipvs.c.
 * Nothing here does I/O.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"

#define CLI_THRESHOLD_MAX 1073741824LL

int
plbctl_fail(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return -EINVAL;
}

json_t *
plbctl_req(const char *cmd)
{
	return json_pack("{s:i, s:s}", "v", PLBCTL_PROTO_VERSION, "cmd", cmd);
}

static int
cli_is_ipv6(const char *s)
{
	const char *c = strchr(s, ':');

	return s[0] == '[' || (c != NULL && strchr(c + 1, ':') != NULL);
}

/* Split "A[:P]" into the address (normalised) and the port (-1: none). */
static int
cli_endpoint(const char *s, char addr[INET_ADDRSTRLEN], long *port)
{
	char buf[64], *c, *end;
	struct in_addr a;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	*port = -1;
	c = strchr(buf, ':');
	if (c != NULL) {
		*c++ = '\0';
		if (*c < '0' || *c > '9')
			return -1;
		errno = 0;
		*port = strtol(c, &end, 10);
		if (errno != 0 || *end != '\0' || *port < 1 || *port > 65535)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	inet_ntop(AF_INET, &a, addr, INET_ADDRSTRLEN);
	return 0;
}

int
plbctl_svc_arg(json_t *req, const char *opt, const char *proto, const char *s, char **err)
{
	char addr[INET_ADDRSTRLEN];
	long port;

	if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
		return plbctl_fail(err, "protocol \"%s\": expected tcp or udp", proto);
	if (cli_is_ipv6(s))
		return plbctl_fail(err, "%s \"%s\": IPv6 services are not supported yet", opt, s);
	if (cli_endpoint(s, addr, &port) < 0 || port < 0)
		return plbctl_fail(err, "%s \"%s\": expected VIP:PORT, an IPv4 address and a port "
				   "1..65535 (e.g. 192.0.2.100:80)", opt, s);
	json_object_set_new(req, "proto", json_string(proto));
	json_object_set_new(req, "vip", json_string(addr));
	json_object_set_new(req, "port", json_integer(port));
	return 0;
}

int
plbctl_dest_arg(json_t *req, const char *opt, const char *s, char **err)
{
	char addr[INET_ADDRSTRLEN];
	long port;

	if (cli_is_ipv6(s))
		return plbctl_fail(err, "%s \"%s\": IPv6 services are not supported yet", opt, s);
	if (cli_endpoint(s, addr, &port) < 0)
		return plbctl_fail(err, "%s \"%s\": expected RS[:PORT], an IPv4 address and an "
				   "optional port 1..65535 (e.g. 198.51.100.11:8080)", opt, s);
	json_object_set_new(req, "addr", json_string(addr));
	if (port > 0)
		json_object_set_new(req, "dport", json_integer(port));
	return 0;
}

int
plbctl_addr_arg(json_t *req, const char *key, const char *opt, const char *s, char **err)
{
	char addr[INET_ADDRSTRLEN];
	long port;

	if (cli_is_ipv6(s))
		return plbctl_fail(err, "%s \"%s\": IPv6 services are not supported yet", opt, s);
	if (strchr(s, ':') != NULL || cli_endpoint(s, addr, &port) < 0)
		return plbctl_fail(err, "%s \"%s\": expected an IPv4 address (e.g. 198.51.100.200)",
				   opt, s);
	if (json_is_array(json_object_get(req, key)))
		json_array_append_new(json_object_get(req, key), json_string(addr));
	else
		json_object_set_new(req, key, json_string(addr));
	return 0;
}

int
plbctl_int_arg(json_t *req, const char *key, const char *opt, const char *s, long long min,
	       long long max, char **err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] == '\0' || s[0] == ' ' || *end != '\0' || errno != 0 || v < min || v > max)
		return plbctl_fail(err, "%s \"%s\": expected an integer %lld..%lld", opt, s, min, max);
	json_object_set_new(req, key, json_integer(v));
	return 0;
}

int
plbctl_name_arg(json_t *req, const char *key, const char *opt, const char *what, const char *s,
		char **err)
{
	size_t n = strlen(s);

	if (n < 1 || n > 31 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
		return plbctl_fail(err, "%s \"%s\": expected a %s name, 1..31 characters of a-z 0-9 _",
				   opt, s, what);
	json_object_set_new(req, key, json_string(s));
	return 0;
}

const char *
plbctl_svc_key(json_t *o)
{
	static char key[64];

	snprintf(key, sizeof(key), "%s %s:%lld",
		 json_string_value(json_object_get(o, "proto")) ?: "?",
		 json_string_value(json_object_get(o, "vip")) ?: "?",
		 (long long)json_integer_value(json_object_get(o, "port")));
	return key;
}

json_t *
plbctl_svc_array(json_t *result)
{
	return json_is_object(result) ? json_object_get(result, "services") : result;
}

/* ---- native verbs ---- */

int
plbctl_opt(struct plbctl_args *a, const char *name, const char **val, char **err)
{
	const char *arg = a->argv[a->i];
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
		return 0;
	if (val == NULL) {
		if (arg[n] == '=')
			return plbctl_fail(err, "%s takes no value", name);
		a->i++;
		return 1;
	}
	if (arg[n] == '=') {
		*val = arg + n + 1;
		a->i++;
		return 1;
	}
	if (a->i + 1 >= a->argc)
		return plbctl_fail(err, "%s: missing value", name);
	*val = a->argv[a->i + 1];
	a->i += 2;
	return 1;
}

int
plbctl_extra(struct plbctl_args *a, char **err)
{
	const char *arg = a->argv[a->i];

	if (arg[0] == '-' && arg[1] != '\0')
		return plbctl_fail(err, "unknown option \"%s\"", arg);
	return plbctl_fail(err, "unexpected argument \"%s\"", arg);
}

int
plbctl_pos(struct plbctl_args *a, const char *verb, const char *what, const char **val, char **err)
{
	if (a->i >= a->argc)
		return plbctl_fail(err, "%s: missing %s", verb, what);
	if (a->argv[a->i][0] == '-' && a->argv[a->i][1] != '\0')
		return plbctl_fail(err, "%s: missing %s (got option \"%s\")", verb, what,
				   a->argv[a->i]);
	*val = a->argv[a->i++];
	return 0;
}

int
plbctl_end(struct plbctl_args *a, char **err)
{
	return a->i < a->argc ? plbctl_extra(a, err) : 0;
}

int
plbctl_nat_svc(struct plbctl_args *a, json_t *req, const char *verb, char **err)
{
	const char *proto = NULL, *vip = NULL;
	int rc;

	if ((rc = plbctl_pos(a, verb, "protocol (tcp or udp)", &proto, err)) < 0 ||
	    (rc = plbctl_pos(a, verb, "VIP:PORT", &vip, err)) < 0)
		return rc;
	return plbctl_svc_arg(req, "VIP:PORT", proto, vip, err);
}

/* --sched-opt KEY=VALUE: dotted keys make groups; VALUE true/false, integer, float, JSON, string */
static int
nat_sched_opt(json_t *req, const char *s, char **err)
{
	json_t *opts = json_object_get(req, "sched_opts"), *o, *v;
	char *kv = strdup(s), *eq, *key, *dot, *end;
	long long i;
	double d;
	int rc = 0, is_int, is_real;

	if (kv == NULL)
		return plbctl_fail(err, "out of memory");
	eq = strchr(kv, '=');
	if (eq == NULL || eq == kv) {
		rc = plbctl_fail(err, "--sched-opt \"%s\": expected KEY=VALUE (e.g. table_size=65537)",
				 s);
		goto out;
	}
	*eq++ = '\0';
	if (opts == NULL) {
		opts = json_object();
		json_object_set_new(req, "sched_opts", opts);
	}
	o = opts;
	for (key = kv;; key = dot + 1) {
		dot = strchr(key, '.');
		if (dot != NULL)
			*dot = '\0';
		if (key[0] == '\0' || !((key[0] >= 'a' && key[0] <= 'z') ||
		    (key[0] >= 'A' && key[0] <= 'Z')) || strspn(key, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(key)) {
			rc = plbctl_fail(err, "--sched-opt \"%s\": a key is a letter then letters, "
					 "digits, _ or - (dots separate groups)", s);
			goto out;
		}
		if (dot == NULL)
			break;
		v = json_object_get(o, key);
		if (v == NULL) {
			v = json_object();
			json_object_set_new(o, key, v);
		} else if (!json_is_object(v)) {
			rc = plbctl_fail(err, "--sched-opt \"%s\": \"%s\" is not a group", s, key);
			goto out;
		}
		o = v;
	}
	errno = 0;
	i = strtoll(eq, &end, 10);
	is_int = eq[0] != '\0' && *end == '\0' && errno == 0;
	d = strtod(eq, &end);
	is_real = eq[0] != '\0' && *end == '\0' && strpbrk(eq, ".eE") != NULL;
	if (strcmp(eq, "true") == 0 || strcmp(eq, "false") == 0) {
		v = json_boolean(eq[0] == 't');
	} else if (is_int) {
		v = json_integer(i);
	} else if (is_real) {
		v = json_real(d);
	} else if (eq[0] == '[' || eq[0] == '{') {
		v = json_loads(eq, JSON_DECODE_ANY, NULL);
		if (v == NULL) {
			rc = plbctl_fail(err, "--sched-opt \"%s\": the value is not valid JSON", s);
			goto out;
		}
	} else {
		v = json_string(eq);
	}
	json_object_set_new(o, key, v);
out:
	free(kv);
	return rc;
}

/* service add|edit PROTO VIP:PORT [options] */
static int
nat_service_set(struct plbctl_args *a, json_t *req, const char *verb, int edit, char **err)
{
	const char *v;
	int rc;

	if ((rc = plbctl_nat_svc(a, req, verb, err)) < 0)
		return rc;
	while (a->i < a->argc) {
		if ((rc = plbctl_opt(a, "--sched", &v, err)) != 0) {
			if (rc < 0 || (rc = plbctl_name_arg(req, "scheduler", "--sched", "scheduler",
							    v, err)) < 0)
				return rc;
		} else if ((rc = plbctl_opt(a, "--fwd", &v, err)) != 0) {
			if (rc < 0 || (rc = plbctl_name_arg(req, "fwd", "--fwd", "forwarding mode",
							    v, err)) < 0)
				return rc;
		} else if ((rc = plbctl_opt(a, "--laddr", &v, err)) != 0) {
			if (rc < 0)
				return rc;
			if (json_object_get(req, "laddrs") == NULL)
				json_object_set_new(req, "laddrs", json_array());
			if ((rc = plbctl_addr_arg(req, "laddrs", "--laddr", v, err)) < 0)
				return rc;
		} else if ((rc = plbctl_opt(a, "--sched-opt", &v, err)) != 0) {
			if (rc < 0 || (rc = nat_sched_opt(req, v, err)) < 0)
				return rc;
		} else if ((rc = plbctl_opt(a, "--ops", NULL, err)) != 0) {
			if (rc < 0)
				return rc;
			json_object_set_new(req, "ops", json_true());
		} else if ((rc = plbctl_opt(a, "--expire-quiescent", NULL, err)) != 0) {
			if (rc < 0)
				return rc;
			json_object_set_new(req, "expire_quiescent", json_true());
		} else if (edit && (rc = plbctl_opt(a, "--no-ops", NULL, err)) != 0) {
			if (rc < 0)
				return rc;
			json_object_set_new(req, "ops", json_false());
		} else if (edit && (rc = plbctl_opt(a, "--no-expire-quiescent", NULL, err)) != 0) {
			if (rc < 0)
				return rc;
			json_object_set_new(req, "expire_quiescent", json_false());
		} else {
			return plbctl_extra(a, err);
		}
	}
	return 0;
}

/*
 * dest add|edit|del (@op 'a', 'e', 'd') PROTO VIP:PORT RS[:PORT]
 * [--weight W] [--upper U] [--lower L], edit also [--down | --up]
 */
static int
nat_dest_set(struct plbctl_args *a, json_t *req, const char *verb, char op, char **err)
{
	const char *v;
	int rc;

	if ((rc = plbctl_nat_svc(a, req, verb, err)) < 0 ||
	    (rc = plbctl_pos(a, verb, "RS[:PORT]", &v, err)) < 0 ||
	    (rc = plbctl_dest_arg(req, "RS[:PORT]", v, err)) < 0)
		return rc;
	while (op != 'd' && a->i < a->argc) {
		if ((rc = plbctl_opt(a, "--weight", &v, err)) != 0) {
			if (rc < 0 || (rc = plbctl_int_arg(req, "weight", "--weight", v, 0, 65535,
							   err)) < 0)
				return rc;
		} else if ((rc = plbctl_opt(a, "--upper", &v, err)) != 0) {
			if (rc < 0 || (rc = plbctl_int_arg(req, "u_threshold", "--upper", v, 0,
							   CLI_THRESHOLD_MAX, err)) < 0)
				return rc;
		} else if ((rc = plbctl_opt(a, "--lower", &v, err)) != 0) {
			if (rc < 0 || (rc = plbctl_int_arg(req, "l_threshold", "--lower", v, 0,
							   CLI_THRESHOLD_MAX, err)) < 0)
				return rc;
		} else if (op == 'e' && ((rc = plbctl_opt(a, "--down", NULL, err)) != 0 ||
					 (rc = plbctl_opt(a, "--up", NULL, err)) != 0)) {
			if (rc < 0)
				return rc;
			json_object_set_new(req, "down", json_boolean(a->argv[a->i - 1][2] == 'd'));
		} else {
			return plbctl_extra(a, err);
		}
	}
	return plbctl_end(a, err);
}

/* conns [--proto P] [--vip V] [--port P] [--client C] [--dest D] [--limit N] */
static int
nat_conns(struct plbctl_args *a, json_t *req, char **err)
{
	const char *v;
	int rc;

	while (a->i < a->argc) {
		if ((rc = plbctl_opt(a, "--proto", &v, err)) != 0) {
			if (rc < 0)
				return rc;
			if (strcmp(v, "tcp") != 0 && strcmp(v, "udp") != 0)
				return plbctl_fail(err, "--proto \"%s\": expected tcp or udp", v);
			json_object_set_new(req, "proto", json_string(v));
		} else if ((rc = plbctl_opt(a, "--vip", &v, err)) != 0) {
			if (rc < 0 || (rc = plbctl_addr_arg(req, "vip", "--vip", v, err)) < 0)
				return rc;
		} else if ((rc = plbctl_opt(a, "--port", &v, err)) != 0) {
			if (rc < 0 || (rc = plbctl_int_arg(req, "port", "--port", v, 1, 65535, err)) < 0)
				return rc;
		} else if ((rc = plbctl_opt(a, "--client", &v, err)) != 0) {
			if (rc < 0 || (rc = plbctl_addr_arg(req, "client", "--client", v, err)) < 0)
				return rc;
		} else if ((rc = plbctl_opt(a, "--dest", &v, err)) != 0) {
			if (rc < 0 || (rc = plbctl_addr_arg(req, "dest", "--dest", v, err)) < 0)
				return rc;
		} else if ((rc = plbctl_opt(a, "--limit", &v, err)) != 0) {
			if (rc < 0 || (rc = plbctl_int_arg(req, "limit", "--limit", v, 1, 10000000,
							   err)) < 0)
				return rc;
		} else {
			return plbctl_extra(a, err);
		}
	}
	return 0;
}

int
plbctl_abs_file(json_t *req, const char *verb, const char *f, char **err)
{
	char cwd[PATH_MAX], *p;

	if (f[0] == '/') {
		json_object_set_new(req, "file", json_string(f));
		return 0;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return plbctl_fail(err, "%s \"%s\": cannot resolve a relative path: %s", verb, f,
				   strerror(errno));
	if (asprintf(&p, "%s/%s", cwd, f) < 0)
		return plbctl_fail(err, "out of memory");
	json_object_set_new(req, "file", json_string(p));
	free(p);
	return 0;
}

static int
nat_parse(struct plbctl_args *a, struct plbctl_cmd *cmd, char **err)
{
	const char *verb = a->argv[a->i++], *sub = NULL, *v;
	char what[32];
	json_t *req = NULL;
	int rc = 0;

	if (strcmp(verb, "service") == 0 || strcmp(verb, "dest") == 0 ||
	    strcmp(verb, "laddr") == 0) {
		if (a->i >= a->argc)
			return plbctl_fail(err, "%s: missing action (add, edit, del%s)", verb,
					   verb[0] == 's' ? ", list" : "");
		sub = a->argv[a->i++];
		snprintf(what, sizeof(what), "%s %s", verb, sub);
	}
	if (strcmp(verb, "service") == 0) {
		if (strcmp(sub, "list") == 0) {
			req = plbctl_req("service.list");
			cmd->view = PLBCTL_VIEW_SERVICES;
			rc = plbctl_end(a, err);
		} else if (strcmp(sub, "add") == 0 || strcmp(sub, "edit") == 0) {
			req = plbctl_req(sub[0] == 'a' ? "service.add" : "service.edit");
			rc = nat_service_set(a, req, what, sub[0] == 'e', err);
		} else if (strcmp(sub, "del") == 0) {
			req = plbctl_req("service.del");
			if ((rc = plbctl_nat_svc(a, req, what, err)) == 0)
				rc = plbctl_end(a, err);
		} else {
			return plbctl_fail(err, "service: unknown action \"%s\" (expected add, edit, "
					   "del or list)", sub);
		}
	} else if (strcmp(verb, "dest") == 0) {
		if (strcmp(sub, "add") != 0 && strcmp(sub, "edit") != 0 && strcmp(sub, "del") != 0)
			return plbctl_fail(err, "dest: unknown action \"%s\" (expected add, edit or "
					   "del)", sub);
		req = plbctl_req(sub[0] == 'a' ? "dest.add" : sub[0] == 'e' ? "dest.edit" :
				 "dest.del");
		rc = nat_dest_set(a, req, what, sub[0], err);
	} else if (strcmp(verb, "laddr") == 0) {
		if (strcmp(sub, "add") != 0 && strcmp(sub, "del") != 0)
			return plbctl_fail(err, "laddr: unknown action \"%s\" (expected add or del)",
					   sub);
		req = plbctl_req(sub[0] == 'a' ? "laddr.add" : "laddr.del");
		if ((rc = plbctl_nat_svc(a, req, what, err)) == 0 &&
		    (rc = plbctl_pos(a, what, "ADDR", &v, err)) == 0 &&
		    (rc = plbctl_addr_arg(req, "laddr", "ADDR", v, err)) == 0)
			rc = plbctl_end(a, err);
	} else if (strcmp(verb, "modules") == 0 || strcmp(verb, "schedulers") == 0 ||
		   strcmp(verb, "clear") == 0) {
		req = plbctl_req(verb);
		cmd->view = verb[0] == 'm' ? PLBCTL_VIEW_MODULES : verb[0] == 's' ?
			    PLBCTL_VIEW_SCHEDULERS : PLBCTL_VIEW_NONE;
		rc = plbctl_end(a, err);
	} else if (strcmp(verb, "stats") == 0) {
		cmd->view = PLBCTL_VIEW_STATS;
		if (a->i < a->argc && (rc = plbctl_opt(a, "--rate", NULL, err)) > 0)
			cmd->view = PLBCTL_VIEW_RATES;
		if (rc >= 0)
			rc = plbctl_end(a, err);
		req = plbctl_req(cmd->view == PLBCTL_VIEW_RATES ? "rates" : "stats");
	} else if (strcmp(verb, "conns") == 0) {
		req = plbctl_req("conns");
		cmd->view = PLBCTL_VIEW_CONNS;
		rc = nat_conns(a, req, err);
	} else if (strcmp(verb, "zero") == 0) {
		req = plbctl_req("zero");
		if (a->i < a->argc && (rc = plbctl_nat_svc(a, req, "zero", err)) == 0)
			rc = plbctl_end(a, err);
	} else if (strcmp(verb, "save") == 0 || strcmp(verb, "reload") == 0) {
		req = plbctl_req(verb);
		cmd->view = verb[0] == 's' ? PLBCTL_VIEW_SAVE : PLBCTL_VIEW_RELOAD;
		if (a->i < a->argc && (rc = plbctl_pos(a, verb, "FILE", &v, err)) == 0) {
			if (verb[0] == 's')
				cmd->file = v;
			else
				rc = plbctl_abs_file(req, verb, v, err);
		}
		if (rc == 0)
			rc = plbctl_end(a, err);
	} else if (strcmp(verb, "restore") == 0) {
		/* what `save` wrote, back: a reload from that file (it is a whole plb.conf) */
		req = plbctl_req("reload");
		cmd->view = PLBCTL_VIEW_RELOAD;
		if ((rc = plbctl_pos(a, verb, "FILE", &v, err)) == 0 &&
		    (rc = plbctl_abs_file(req, verb, v, err)) == 0)
			rc = plbctl_end(a, err);
	} else if (strcmp(verb, "acl") == 0) {
		return plbctl_parse_acl(a, cmd, err);
	} else if (strcmp(verb, "lua") == 0) {
		return plbctl_parse_lua(a, cmd, err);
	} else if (strcmp(verb, "help") == 0) {
		cmd->help = 1;
		return plbctl_end(a, err);
	} else {
		return plbctl_fail(err, "unknown command \"%s\"", verb);
	}
	if (rc < 0) {
		json_decref(req);
		return rc;
	}
	json_array_append_new(cmd->reqs, req);
	return 0;
}

/* A global option at argv[*i]: --json, -j, --socket S, --socket=S, -h, --help. */
static int
cli_global(int argc, char **argv, int *i, struct plbctl_cmd *cmd, char **err)
{
	const char *a = argv[*i];

	if (strcmp(a, "--json") == 0 || strcmp(a, "-j") == 0) {
		cmd->json = 1;
	} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
		cmd->help = 1;
	} else if (strncmp(a, "--socket=", 9) == 0) {
		cmd->socket = a + 9;
	} else if (strcmp(a, "--socket") == 0) {
		if (*i + 1 >= argc)
			return plbctl_fail(err, "--socket: missing value");
		cmd->socket = argv[++*i];
	} else {
		return 0;
	}
	++*i;
	return 1;
}

/* A native verb comes at @j, after any --json / -j. */
static int
cli_verb_follows(int argc, char **argv, int j)
{
	while (j < argc && (strcmp(argv[j], "--json") == 0 || strcmp(argv[j], "-j") == 0))
		j++;
	return j < argc && argv[j][0] != '-';
}

int
plbctl_parse(int argc, char **argv, struct plbctl_cmd *cmd, char **err)
{
	struct plbctl_args a = { .argc = 0, .argv = NULL, .i = 0 };
	int i = 0, rc;

	memset(cmd, 0, sizeof(*cmd));
	cmd->reqs = json_array();
	*err = NULL;
	/* leading global options; -s SOCKET only when a verb follows (else -s is ipvsadm's) */
	for (;;) {
		if (i < argc && (rc = cli_global(argc, argv, &i, cmd, err)) != 0) {
			if (rc < 0)
				goto fail;
		} else if (i + 1 < argc && strcmp(argv[i], "-s") == 0 &&
			   cli_verb_follows(argc, argv, i + 2)) {
			cmd->socket = argv[i + 1];
			i += 2;
		} else {
			break;
		}
	}
	if (i >= argc) {
		if (cmd->help)
			return 0;
		rc = plbctl_fail(err, "no command given");
		goto fail;
	}
	if (argv[i][0] == '-') {
		rc = plbctl_parse_ipvs(argc - i, argv + i, cmd, 0, err);
		if (rc < 0)
			goto fail;
		return 0;
	}
	/* native: global options may also come after the verb */
	a.argv = calloc((size_t)argc + 1, sizeof(*a.argv));
	if (a.argv == NULL) {
		rc = plbctl_fail(err, "out of memory");
		goto fail;
	}
	while (i < argc) {
		if ((rc = cli_global(argc, argv, &i, cmd, err)) < 0)
			goto fail;
		if (rc == 0 && strcmp(argv[i], "-s") == 0) {
			if (i + 1 >= argc) {
				rc = plbctl_fail(err, "-s: missing value");
				goto fail;
			}
			cmd->socket = argv[i + 1];
			i += 2;
		} else if (rc == 0) {
			a.argv[a.argc++] = argv[i++];
		}
	}
	rc = 0;
	if (!cmd->help || a.argc > 0)
		rc = nat_parse(&a, cmd, err);
	if (rc < 0)
		goto fail;
	free(a.argv);
	return 0;
fail:
	free(a.argv);
	plbctl_cmd_clear(cmd);
	return rc;
}

void
plbctl_cmd_clear(struct plbctl_cmd *cmd)
{
	json_decref(cmd->reqs);
	memset(cmd, 0, sizeof(*cmd));
}
