/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.ctl: the running services as text and back: service.list (the specs
 * as JSON), save (a whole plb.conf: the sections plb started with, the
 * services as they run now) and reload (a file's services replace the
 * running ones, or nothing changes and the reply says why).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <plb/log.h>

#include "conf_write.h"
#include "config.h"
#include "ctl.h"
#include "logging.h"
#include "lua_runtime.h"
#include "svc.h"

/* ---- service.list, save ---- */

static json_t *
spec_json(const struct plb_conf_svc *s)
{
	char ip[INET_ADDRSTRLEN];
	json_t *o, *la = json_array(), *ds = json_array();

	for (uint32_t i = 0; i < s->n_laddrs; i++) {
		inet_ntop(AF_INET, &s->laddrs[i], ip, sizeof(ip));
		json_array_append_new(la, json_string(ip));
	}
	for (uint32_t i = 0; i < s->n_dests; i++) {
		inet_ntop(AF_INET, &s->dests[i].addr, ip, sizeof(ip));
		json_array_append_new(ds, json_pack("{s:s, s:i, s:i, s:i, s:i, s:b}", "addr", ip,
			"port", s->dests[i].port, "weight", (int)s->dests[i].weight,
			"u_threshold", (int)s->dests[i].u_threshold,
			"l_threshold", (int)s->dests[i].l_threshold, "down", s->dests[i].down));
	}
	inet_ntop(AF_INET, &s->vip, ip, sizeof(ip));
	o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:o, s:b, s:b, s:o}",
		      "proto", s->proto == IPPROTO_TCP ? "tcp" : "udp", "vip", ip, "port", s->port,
		      "scheduler", s->sched, "fwd", s->fwd, "laddrs", la, "ops", s->ops,
		      "expire_quiescent", s->expire_quiescent, "dests", ds);
	if (s->sched_opts_text)
		json_object_set_new(o, "sched_opts_text", json_string(s->sched_opts_text));
	return o;
}

static json_t *
cmd_service_list(json_t *req, char **err)
{
	static const char *const args[] = { NULL };
	const struct plb_conf_svc *s;
	json_t *rows;
	uint32_t n;

	if (plb_ctl_check_args(req, args, err))
		return NULL;
	rows = json_array();
	s = plb_svc_specs(&n);
	for (uint32_t i = 0; i < n; i++)
		json_array_append_new(rows, spec_json(&s[i]));
	return rows;
}

/* libconfig text of the running services: `services = ( ... );` */
static void
write_services(FILE *f)
{
	const struct plb_conf_svc *s;
	uint32_t n;
	char ip[INET_ADDRSTRLEN];

	s = plb_svc_specs(&n);
	fputs("services = (", f);
	for (uint32_t i = 0; i < n; i++) {
		inet_ntop(AF_INET, &s[i].vip, ip, sizeof(ip));
		fprintf(f, "%s\n  { proto = \"%s\"; vip = \"%s\"; port = %u;\n    scheduler = \"%s\";",
			i ? "," : "", s[i].proto == IPPROTO_TCP ? "tcp" : "udp", ip, s[i].port, s[i].sched);
		if (s[i].sched_opts_text)
			fprintf(f, " sched_opts = %s;", s[i].sched_opts_text);
		fprintf(f, " fwd = \"%s\";", s[i].fwd);
		if (s[i].n_laddrs) {
			fputs(" laddrs = [", f);
			for (uint32_t l = 0; l < s[i].n_laddrs; l++) {
				inet_ntop(AF_INET, &s[i].laddrs[l], ip, sizeof(ip));
				fprintf(f, "%s\"%s\"", l ? ", " : " ", ip);
			}
			fputs(" ];", f);
		}
		fprintf(f, " ops = %s; expire_quiescent = %s;\n    dests = (", s[i].ops ? "true" : "false",
			s[i].expire_quiescent ? "true" : "false");
		for (uint32_t d = 0; d < s[i].n_dests; d++) {
			const struct plb_conf_dest *cd = &s[i].dests[d];

			inet_ntop(AF_INET, &cd->addr, ip, sizeof(ip));
			fprintf(f, "%s\n      { addr = \"%s\"; port = %u; weight = %u; u_threshold = %u; "
				"l_threshold = %u;%s }", d ? "," : "", ip, cd->port, cd->weight,
				cd->u_threshold, cd->l_threshold, cd->down ? " down = true;" : "");
		}
		fputs(s[i].n_dests ? "\n    ); }" : " ); }", f);
	}
	fputs(n ? "\n);\n" : " );\n", f);
}

static json_t *
cmd_save(json_t *req, char **err)
{
	static const char *const args[] = { NULL };
	const config_setting_t *root;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	json_t *res;

	if (plb_ctl_check_args(req, args, err))
		return NULL;
	f = open_memstream(&text, &len);
	if (f == NULL)
		return plb_err(err, -ENOMEM, "out of memory"), NULL;
	fprintf(f, "# plb running state, saved by plbctl save (the services as they run now;\n"
		"# every other section as plb started with it)\n");
	root = config_root_setting(&plb_ctl_conf->cfg);
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, i);
		char *t;

		if (!strcmp(config_setting_name(s), "services"))
			continue;
		t = plb_conf_setting_text(s);
		fprintf(f, "%s = %s;\n", config_setting_name(s), t ? t : "");
		free(t);
	}
	write_services(f);
	fclose(f);
	res = json_pack("{s:s}", "text", text ? text : "");
	free(text);
	return res;
}

/* ---- reload ---- */

/* Top-level sections of @a and @b whose text differs (services aside): what a reload cannot apply. */
static json_t *
sections_changed(const struct plb_conf *a, const struct plb_conf *b)
{
	static const char *const keys[] = { "eal", "modules", "workers", "mempool", "ports", "control",
					    "conns", "routes", NULL };
	json_t *out = json_array();

	for (int i = 0; keys[i]; i++) {
		const config_setting_t *sa = config_lookup(&a->cfg, keys[i]);
		const config_setting_t *sb = config_lookup(&b->cfg, keys[i]);
		char *ta = sa ? plb_conf_setting_text(sa) : NULL, *tb = sb ? plb_conf_setting_text(sb) : NULL;

		if ((ta == NULL) != (tb == NULL) || (ta && strcmp(ta, tb)))
			json_array_append_new(out, json_string(keys[i]));
		free(ta);
		free(tb);
	}
	return out;
}

int
plb_ctl_reload(const char *file, json_t **result, char **err)
{
	struct plb_conf *nc;
	enum plb_log_level lvl;
	char *cerr = NULL;
	int rc;

	if (file == NULL)
		file = plb_ctl_conf->file;
	rc = plb_conf_load(file, &nc, &cerr);
	if (rc) {
		plb_err(err, rc, "%s (nothing changed)", cerr ? cerr : strerror(-rc));
		free(cerr);
		return rc;
	}
	rc = plb_svc_replace(nc->services, nc->n_services, file, err);
	if (rc == 0) {
		if (nc->log_level && plb_log_level_parse(nc->log_level, &lvl) == 0)
			plb_log_set_level(lvl);
		if (result)
			*result = json_pack("{s:s, s:i, s:o}", "file", file, "services", nc->n_services,
					    "restart_needed", sections_changed(plb_ctl_conf, nc));
	} else if (err && *err) {
		char *m = NULL;

		if (asprintf(&m, "%s (nothing changed)", *err) > 0) {
			free(*err);
			*err = m;
		}
	}
	plb_conf_free(nc);
	return rc;
}

static json_t *
cmd_reload(json_t *req, char **err)
{
	static const char *const args[] = { "file", NULL };
	json_t *f = json_object_get(req, "file"), *res = NULL;

	if (plb_ctl_check_args(req, args, err))
		return NULL;
	if (f && (!json_is_string(f) || !json_string_value(f)[0]))
		return plb_err(err, -EINVAL, "\"file\" must be a path"), NULL;
	if (plb_ctl_reload(f ? json_string_value(f) : NULL, &res, err))
		return NULL;
	plb_lua_reload_event("config");	/* as SIGHUP: Lua's "reload" handlers run at the next tick */
	return res;
}


const struct plb_ctl_cmd plb_ctl_save_cmds[] = {
	{ "service.list", cmd_service_list },
	{ "save", cmd_save },
	{ "reload", cmd_reload },
	{ NULL, NULL },
};
