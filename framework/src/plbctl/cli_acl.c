/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's acl and lua verbs (docs/control.md): `acl add|del|set|list` and
 * `lua reload|status`. Prefixes come from arguments and from files (--file,
 * one prefix per line, # comments; the only I/O of the parser), are checked
 * here with the messages plb would give, and are sent PLBCTL_ACL_CHUNK at a
 * time, because plb refuses requests over 64 KiB: `acl set` of many
 * prefixes becomes acl.set of the first chunk, then acl.add of the others.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

/* "A.B.C.D" or "A.B.C.D/LEN" with no host bits: NULL, or why not (in @why). */
static const char *
acl_prefix_check(const char *s, char *why, size_t len)
{
	char buf[64], *slash, *end, net[INET_ADDRSTRLEN];
	struct in6_addr in6;
	struct in_addr in;
	long plen = 32;
	uint32_t a, mask;

	if (strlen(s) >= sizeof(buf))
		goto err_bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash++ = '\0';
		if (*slash < '0' || *slash > '9' || strlen(slash) > 2)
			goto err_bad;
		plen = strtol(slash, &end, 10);
		if (*end != '\0')
			goto err_bad;
	}
	if (inet_pton(AF_INET, buf, &in) != 1) {
		if (inet_pton(AF_INET6, buf, &in6) == 1) {
			snprintf(why, len, "\"%s\": IPv6 is not supported yet", s);
			return why;
		}
		goto err_bad;
	}
	if (plen > 32) {
		snprintf(why, len, "\"%s\": prefix length %ld is out of range 0..32", s, plen);
		return why;
	}
	a = ntohl(in.s_addr);
	mask = plen ? ~0u << (32 - plen) : 0;
	if (a & ~mask) {
		in.s_addr = htonl(a & mask);
		inet_ntop(AF_INET, &in, net, sizeof(net));
		snprintf(why, len, "\"%s\" has host bits set (the prefix is %s/%ld)", s, net, plen);
		return why;
	}
	return NULL;
err_bad:
	snprintf(why, len, "\"%s\" is not an IPv4 prefix such as \"203.0.113.0/24\"", s);
	return why;
}

/* A prefix argument: checked, then appended to @list. */
static int
acl_prefix_arg(json_t *list, const char *verb, const char *s, char **err)
{
	char why[160];

	if (acl_prefix_check(s, why, sizeof(why)) != NULL)
		return plbctl_fail(err, "%s: %s", verb, why);
	json_array_append_new(list, json_string(s));
	return 0;
}

/* --file FILE: one prefix per line, '#' starts a comment, blank lines skipped. */
static int
acl_prefix_file(json_t *list, const char *path, char **err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, why[160];
	size_t cap = 0;
	unsigned int ln = 0;
	int rc = 0;

	if (f == NULL)
		return plbctl_fail(err, "--file %s: cannot read: %s", path, strerror(errno));
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		char *s = line, *e;

		ln++;
		if ((e = strchr(s, '#')) != NULL)
			*e = '\0';
		s += strspn(s, " \t\r\n");
		e = s + strcspn(s, " \t\r\n");
		if (*e != '\0' && e[strspn(e, " \t\r\n")] != '\0') {
			rc = plbctl_fail(err, "%s:%u: one prefix per line", path, ln);
			break;
		}
		*e = '\0';
		if (*s == '\0')
			continue;
		if (acl_prefix_check(s, why, sizeof(why)) != NULL)
			rc = plbctl_fail(err, "%s:%u: %s", path, ln, why);
		else
			json_array_append_new(list, json_string(s));
	}
	if (rc == 0 && ferror(f))
		rc = plbctl_fail(err, "--file %s: cannot read: %s", path, strerror(errno));
	free(line);
	fclose(f);
	return rc;
}

/* The requests of a change: @prefixes split into chunks; set = set + add... */
static void
acl_requests(struct plbctl_cmd *cmd, const char *action, json_t *svc, const char *list,
	     json_t *prefixes)
{
	size_t n = json_array_size(prefixes), off = 0;

	do {
		json_t *req = plbctl_req(off == 0 && !strcmp(action, "set") ? "acl.set" :
					 !strcmp(action, "del") ? "acl.del" : "acl.add");
		json_t *chunk = json_array();

		json_object_set_new(req, "list", json_string(list));
		if (svc != NULL)
			json_object_set(req, "service", svc);
		for (size_t i = off; i < n && i < off + PLBCTL_ACL_CHUNK; i++)
			json_array_append(chunk, json_array_get(prefixes, i));
		json_object_set_new(req, "prefixes", chunk);
		json_array_append_new(cmd->reqs, req);
		off += PLBCTL_ACL_CHUNK;
	} while (off < n);
}

/* [tcp|udp VIP:PORT] at a->i: a new {"proto","vip","port"} in *svc, or nothing. */
static int
acl_svc(struct plbctl_args *a, const char *verb, json_t **svc, char **err)
{
	const char *p = a->i < a->argc ? a->argv[a->i] : "";

	if (*svc != NULL || (strcmp(p, "tcp") != 0 && strcmp(p, "udp") != 0))
		return 0;
	*svc = json_object();
	return plbctl_nat_svc(a, *svc, verb, err) < 0 ? -EINVAL : 1;
}

/* acl list [deny|allow] [tcp|udp VIP:PORT] [--brief] */
static int
acl_list(struct plbctl_args *a, struct plbctl_cmd *cmd, char **err)
{
	json_t *req = plbctl_req("acl.list"), *svc = NULL;
	const char *arg;
	int rc = 0;

	while (rc >= 0 && a->i < a->argc) {
		arg = a->argv[a->i];
		if ((rc = plbctl_opt(a, "--brief", NULL, err)) != 0) {
			if (rc > 0)
				json_object_set_new(req, "brief", json_true());
		} else if ((rc = acl_svc(a, "acl list", &svc, err)) != 0) {
			/* the service, or its error */
		} else if (!json_object_get(req, "list") &&
			   (!strcmp(arg, "deny") || !strcmp(arg, "allow"))) {
			json_object_set_new(req, "list", json_string(arg));
			a->i++;
		} else {
			rc = plbctl_extra(a, err);
		}
	}
	if (svc != NULL)
		json_object_set_new(req, "service", svc);
	if (rc < 0) {
		json_decref(req);
		return rc;
	}
	cmd->view = PLBCTL_VIEW_ACL_LIST;
	json_array_append_new(cmd->reqs, req);
	return 0;
}

int
plbctl_parse_acl(struct plbctl_args *a, struct plbctl_cmd *cmd, char **err)
{
	const char *action, *list = NULL, *arg, *file;
	json_t *prefixes, *svc = NULL;
	char verb[16];
	int rc = 0, files = 0;

	if (a->i >= a->argc)
		return plbctl_fail(err, "acl: missing action (add, del, set, list)");
	action = a->argv[a->i++];
	if (strcmp(action, "list") == 0)
		return acl_list(a, cmd, err);
	if (strcmp(action, "add") != 0 && strcmp(action, "del") != 0 && strcmp(action, "set") != 0)
		return plbctl_fail(err, "acl: unknown action \"%s\" (expected add, del, set or list)",
				   action);
	snprintf(verb, sizeof(verb), "acl %s", action);
	prefixes = json_array();
	while (rc >= 0 && a->i < a->argc) {
		arg = a->argv[a->i];
		if ((rc = plbctl_opt(a, "--file", &file, err)) != 0) {
			if (rc > 0) {
				files++;
				rc = acl_prefix_file(prefixes, file, err);
			}
		} else if (arg[0] == '-' && arg[1] != '\0') {
			rc = plbctl_extra(a, err);
		} else if (list == NULL) {
			if (strcmp(arg, "deny") != 0 && strcmp(arg, "allow") != 0)
				rc = plbctl_fail(err, "%s: expected the list, deny or allow, got \"%s\"",
						 verb, arg);
			list = arg;
			a->i++;
		} else if (json_array_size(prefixes) == 0 && !files &&
			   (rc = acl_svc(a, verb, &svc, err)) != 0) {
			/* the service, or its error */
		} else {
			rc = acl_prefix_arg(prefixes, verb, arg, err);
			a->i++;
		}
	}
	if (rc >= 0 && list == NULL)
		rc = plbctl_fail(err, "%s: missing the list (deny or allow)", verb);
	if (rc >= 0 && json_array_size(prefixes) == 0 && !files && strcmp(action, "set") != 0)
		rc = plbctl_fail(err, "%s: no prefixes (give PREFIX arguments or --file FILE)", verb);
	if (rc >= 0) {
		acl_requests(cmd, action, svc, list, prefixes);
		cmd->view = PLBCTL_VIEW_ACL;
	}
	json_decref(prefixes);
	json_decref(svc);
	return rc < 0 ? rc : 0;
}

int
plbctl_parse_lua(struct plbctl_args *a, struct plbctl_cmd *cmd, char **err)
{
	const char *action;
	int rc;

	if (a->i >= a->argc)
		return plbctl_fail(err, "lua: missing action (reload or status)");
	action = a->argv[a->i++];
	if (strcmp(action, "reload") != 0 && strcmp(action, "status") != 0)
		return plbctl_fail(err, "lua: unknown action \"%s\" (expected reload or status)",
				   action);
	if ((rc = plbctl_end(a, err)) < 0)
		return rc;
	json_array_append_new(cmd->reqs, plbctl_req(action[0] == 'r' ? "lua.reload" : "lua.status"));
	cmd->view = PLBCTL_VIEW_LUA;
	return 0;
}
