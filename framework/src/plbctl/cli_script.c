/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's -R reader (ipvsadm commands, one a line, as -S prints them) and
 * the forwarding-mode planner: plb's forwarding mode belongs to the service,
 * so `-a ... -m` becomes a dest.add preceded, when the service has another
 * mode, by a service.edit setting "fwd" (which plb refuses once the service
 * has dests).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

#define SCRIPT_DEFAULT_FWD "fnat"	/* plb's default for service.add */

static const char *
script_cmd(const struct plbctl_cmd *c)
{
	return json_string_value(json_object_get(json_array_get(c->reqs, 0), "cmd")) ?: "";
}

/* Split @line (modified) at blanks into a malloc'ed argv; *argc its length. */
static char **
script_split(char *line, int *argc)
{
	char **argv = NULL, *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		char **nv = realloc(argv, sizeof(*argv) * (size_t)(n + 1));

		if (nv == NULL) {
			free(argv);
			return NULL;
		}
		argv = nv;
		argv[n++] = tok;
	}
	*argc = n;
	return argv;
}

/*
 * A service.add without "fwd" whose service gets dests with a mode later in
 * the input: add it with that mode, so no service.edit is needed between.
 */
static void
script_fold_modes(struct plbctl_script *s)
{
	for (unsigned int i = 0; i < s->n; i++) {
		json_t *add = json_array_get(s->cmds[i].reqs, 0);
		char key[64];

		if (strcmp(script_cmd(&s->cmds[i]), "service.add") != 0 ||
		    json_object_get(add, "fwd") != NULL)
			continue;
		snprintf(key, sizeof(key), "%s", plbctl_svc_key(add));
		for (unsigned int j = i + 1; j < s->n; j++) {
			const char *c = script_cmd(&s->cmds[j]);
			json_t *r = json_array_get(s->cmds[j].reqs, 0);

			if (strcmp(c, "clear") == 0)
				break;
			if (json_object_get(r, "proto") == NULL ||
			    strcmp(plbctl_svc_key(r), key) != 0)
				continue;
			if (strcmp(c, "service.del") == 0 || (strcmp(c, "service.edit") == 0 &&
							      json_object_get(r, "fwd") != NULL))
				break;
			if (strcmp(c, "dest.add") == 0 && s->cmds[j].fwd != NULL) {
				json_object_set_new(add, "fwd", json_string(s->cmds[j].fwd));
				break;
			}
		}
	}
}

int
plbctl_script_parse(const char *text, struct plbctl_script *s, char **err)
{
	char *copy = strdup(text), *line, *next;
	unsigned int lineno = 0;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	*err = NULL;
	if (copy == NULL)
		return plbctl_fail(err, "out of memory");
	for (line = copy; line != NULL; line = next) {
		struct plbctl_cmd cmd;
		char **argv, *msg = NULL;
		int argc;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		line += strspn(line, " \t\r");
		if (line[0] == '\0' || line[0] == '#')
			continue;
		argv = script_split(line, &argc);
		if (argv == NULL) {
			rc = plbctl_fail(err, "out of memory");
			break;
		}
		memset(&cmd, 0, sizeof(cmd));
		cmd.reqs = json_array();
		/* in_script: -h, -R, -L, -S refused, so a line that parses has its request */
		rc = plbctl_parse_ipvs(argc, argv, &cmd, 1, &msg);
		free(argv);
		if (rc < 0) {
			plbctl_fail(err, "line %u: %s", lineno, msg ? msg : "out of memory");
			free(msg);
			plbctl_cmd_clear(&cmd);
			break;
		}
		/* the argv pointed into @copy, freed below: nothing in cmd may keep it */
		cmd.socket = NULL;
		cmd.file = NULL;
		{
			struct plbctl_cmd *nc = realloc(s->cmds, sizeof(*nc) * (s->n + 1));
			unsigned int *nl = realloc(s->lines, sizeof(*nl) * (s->n + 1));

			if (nc != NULL)
				s->cmds = nc;
			if (nl != NULL)
				s->lines = nl;
			if (nc == NULL || nl == NULL) {
				plbctl_cmd_clear(&cmd);
				rc = plbctl_fail(err, "out of memory");
				break;
			}
		}
		s->cmds[s->n] = cmd;
		s->lines[s->n++] = lineno;
	}
	free(copy);
	if (rc < 0) {
		plbctl_script_clear(s);
		return rc;
	}
	script_fold_modes(s);
	return 0;
}

void
plbctl_script_clear(struct plbctl_script *s)
{
	for (unsigned int i = 0; i < s->n; i++)
		plbctl_cmd_clear(&s->cmds[i]);
	free(s->cmds);
	free(s->lines);
	memset(s, 0, sizeof(*s));
}

json_t *
plbctl_fwd_map(json_t *services)
{
	json_t *map = json_object(), *svc;
	size_t i;

	json_array_foreach(plbctl_svc_array(services), i, svc) {
		const char *fwd = json_string_value(json_object_get(svc, "fwd"));

		json_object_set_new(map, plbctl_svc_key(svc), json_string(fwd ?: SCRIPT_DEFAULT_FWD));
	}
	return map;
}

json_t *
plbctl_plan(const struct plbctl_cmd *cmd, json_t *fwd_map)
{
	json_t *out = json_array(), *req;
	size_t i;

	json_array_foreach(cmd->reqs, i, req) {
		const char *c = json_string_value(json_object_get(req, "cmd")) ?: "";
		const char *fwd = json_string_value(json_object_get(req, "fwd"));
		char key[64];

		snprintf(key, sizeof(key), "%s", plbctl_svc_key(req));
		if (cmd->fwd != NULL && (strcmp(c, "dest.add") == 0 || strcmp(c, "dest.edit") == 0)) {
			const char *cur = json_string_value(json_object_get(fwd_map, key));

			if (cur != NULL && strcmp(cur, cmd->fwd) != 0) {
				json_t *edit = plbctl_req("service.edit");

				json_object_set(edit, "proto", json_object_get(req, "proto"));
				json_object_set(edit, "vip", json_object_get(req, "vip"));
				json_object_set(edit, "port", json_object_get(req, "port"));
				json_object_set_new(edit, "fwd", json_string(cmd->fwd));
				json_array_append_new(out, edit);
				json_object_set_new(fwd_map, key, json_string(cmd->fwd));
			}
		}
		json_array_append(out, req);
		if (strcmp(c, "service.add") == 0)
			json_object_set_new(fwd_map, key, json_string(fwd ?: SCRIPT_DEFAULT_FWD));
		else if (strcmp(c, "service.edit") == 0 && fwd != NULL)
			json_object_set_new(fwd_map, key, json_string(fwd));
		else if (strcmp(c, "service.del") == 0)
			json_object_del(fwd_map, key);
		else if (strcmp(c, "clear") == 0)
			json_object_clear(fwd_map);
	}
	return out;
}
