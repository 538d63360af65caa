/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's ipvsadm syntax: -A/-E/-D -t|-u VIP:PORT [-s SCHED] [-o],
 * -a/-e/-d -t|-u VIP:PORT -r RS[:PORT] [-g|-i|-m|-b] [-w W] [-x U] [-y L],
 * -L -n [--stats|--rate|-c], -C, -Z, -S, -R, with ipvsadm's long names and
 * short options grouped (-Ln). plb extensions: --laddr ADDR and a forwarding
 * switch on -A/-E (the service's mode). -p and -M (persistence) are refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

enum {
	IO_STATS = 256,
	IO_RATE,
	IO_JSON,
	IO_SOCKET,
	IO_LADDR,
	IO_NOSORT,
	IO_MAX,
};

struct ipvs_opt {
	int id;			/* the short letter, or IO_* */
	const char *name;	/* long name */
	int has_arg;
	int is_cmd;
};

static const struct ipvs_opt ipvs_opts[] = {
	{ 'A', "add-service", 0, 1 },
	{ 'E', "edit-service", 0, 1 },
	{ 'D', "delete-service", 0, 1 },
	{ 'C', "clear", 0, 1 },
	{ 'L', "list", 0, 1 },
	{ 'l', "list", 0, 1 },
	{ 'Z', "zero", 0, 1 },
	{ 'a', "add-server", 0, 1 },
	{ 'e', "edit-server", 0, 1 },
	{ 'd', "delete-server", 0, 1 },
	{ 'S', "save", 0, 1 },
	{ 'R', "restore", 0, 1 },
	{ 'h', "help", 0, 0 },
	{ 't', "tcp-service", 1, 0 },
	{ 'u', "udp-service", 1, 0 },
	{ 's', "scheduler", 1, 0 },
	{ 'p', "persistent", 0, 0 },
	{ 'M', "netmask", 1, 0 },
	{ 'r', "real-server", 1, 0 },
	{ 'g', "gatewaying", 0, 0 },
	{ 'i', "ipip", 0, 0 },
	{ 'm', "masquerading", 0, 0 },
	{ 'b', "fullnat", 0, 0 },
	{ 'w', "weight", 1, 0 },
	{ 'x', "u-threshold", 1, 0 },
	{ 'y', "l-threshold", 1, 0 },
	{ 'n', "numeric", 0, 0 },
	{ 'c', "connection", 0, 0 },
	{ 'o', "ops", 0, 0 },
	{ IO_STATS, "stats", 0, 0 },
	{ IO_RATE, "rate", 0, 0 },
	{ IO_JSON, "json", 0, 0 },
	{ IO_SOCKET, "socket", 1, 0 },
	{ IO_LADDR, "laddr", 1, 0 },
	{ IO_NOSORT, "nosort", 0, 0 },
};

#define IPVS_N_OPTS (sizeof(ipvs_opts) / sizeof(ipvs_opts[0]))

/* What each command accepts besides itself (--json, --socket and -h: everywhere). */
static const struct {
	int cmd;
	const char *allowed;	/* short letters; long-only ones as below */
	int stats_rate;		/* --stats, --rate, --nosort */
	int laddr;
} ipvs_rules[] = {
	{ 'A', "tusogimb", 0, 1 },
	{ 'E', "tusogimb", 0, 1 },
	{ 'D', "tu", 0, 0 },
	{ 'a', "turgimbwxy", 0, 0 },
	{ 'e', "turgimbwxy", 0, 0 },
	{ 'd', "tur", 0, 0 },
	{ 'L', "nc", 1, 0 },
	{ 'C', "", 0, 0 },
	{ 'Z', "tu", 0, 0 },
	{ 'S', "n", 0, 0 },
	{ 'R', "", 0, 0 },
};

struct ipvs_seen {
	int cmd;			/* 'A', ... or 0 */
	const char *val[IO_MAX];	/* value of each option given (last) */
	int set[IO_MAX];
	json_t *laddrs;
};

static const char *
ipvs_name(int id)
{
	static char buf[32];

	if (id < 128) {
		snprintf(buf, sizeof(buf), "-%c", id);
		return buf;
	}
	for (size_t i = 0; i < IPVS_N_OPTS; i++)
		if (ipvs_opts[i].id == id)
			snprintf(buf, sizeof(buf), "--%s", ipvs_opts[i].name);
	return buf;
}

/* Two names in one message: ipvs_name() has one buffer. */
static int
ipvs_fail2(char **err, int a, const char *fmt, int b)
{
	char an[32];

	snprintf(an, sizeof(an), "%s", ipvs_name(a));
	return plbctl_fail(err, fmt, an, ipvs_name(b));
}

/* Record option @o (value @v) in @s. */
static int
ipvs_take(struct ipvs_seen *s, const struct ipvs_opt *o, const char *v, int in_script, char **err)
{
	if (o->id == 'p')
		return plbctl_fail(err, "persistence (-p) is not supported yet");
	if (o->id == 'M')
		return plbctl_fail(err, "persistence (-M netmask) is not supported yet");
	if (o->is_cmd) {
		int id = o->id == 'l' ? 'L' : o->id;

		if (s->cmd != 0 && s->cmd != id)
			return ipvs_fail2(err, id, "%s: only one command at a time (already %s)",
					  s->cmd);
		if (in_script && (id == 'L' || id == 'S' || id == 'R'))
			return plbctl_fail(err, "%s: not allowed in -R input", ipvs_name(id));
		s->cmd = id;
		return 0;
	}
	if (in_script && (o->id == IO_JSON || o->id == IO_SOCKET || o->id == 'h'))
		return plbctl_fail(err, "%s: not allowed in -R input", ipvs_name(o->id));
	if (o->id == IO_LADDR) {
		if (s->laddrs == NULL)
			s->laddrs = json_array();
		json_array_append_new(s->laddrs, json_string(v));
	} else if (s->set[o->id] && o->has_arg) {
		return plbctl_fail(err, "%s: given twice", ipvs_name(o->id));
	}
	s->set[o->id] = 1;
	s->val[o->id] = v;
	return 0;
}

/* Read argv into @s: grouped short options, --long and --long=VALUE. */
static int
ipvs_scan(int argc, char **argv, struct ipvs_seen *s, int in_script, char **err)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		const struct ipvs_opt *o = NULL;
		int rc;

		if (a[0] != '-' || a[1] == '\0')
			return plbctl_fail(err, "unexpected argument \"%s\"", a);
		if (a[1] == '-') {
			const char *eq = strchr(a, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			for (size_t k = 0; k < IPVS_N_OPTS && o == NULL; k++)
				if (strlen(ipvs_opts[k].name) == n &&
				    strncmp(ipvs_opts[k].name, a + 2, n) == 0)
					o = &ipvs_opts[k];
			if (o == NULL || (eq != NULL && !o->has_arg))
				return plbctl_fail(err, "unknown option \"%s\"", a);
			if (o->has_arg) {
				if (eq != NULL)
					v = eq + 1;
				else if (i + 1 < argc)
					v = argv[++i];
				else
					return plbctl_fail(err, "--%s: missing value", o->name);
			}
			if ((rc = ipvs_take(s, o, v, in_script, err)) < 0)
				return rc;
			continue;
		}
		for (const char *c = a + 1; *c != '\0'; c++) {
			o = NULL;
			for (size_t k = 0; k < IPVS_N_OPTS && o == NULL; k++)
				if (ipvs_opts[k].id == *c)
					o = &ipvs_opts[k];
			if (o == NULL) {
				if (c == a + 1)
					return plbctl_fail(err, "unknown option \"%s\"", a);
				return plbctl_fail(err, "unknown option \"-%c\" in \"%s\"", *c, a);
			}
			v = NULL;
			if (o->has_arg) {
				if (c[1] != '\0')
					v = c + 1;
				else if (i + 1 < argc)
					v = argv[++i];
				else
					return plbctl_fail(err, "-%c: missing value", *c);
			}
			if ((rc = ipvs_take(s, o, v, in_script, err)) < 0)
				return rc;
			if (v != NULL)
				break;
		}
	}
	return 0;
}

/* Every option given is one @cmd accepts; at most one of each exclusive set. */
static int
ipvs_check(struct ipvs_seen *s, char **err)
{
	static const char modes[] = "gimb";
	static const int views[] = { 'c', IO_STATS, IO_RATE };
	const char *allowed = NULL;
	int sr = 0, laddr = 0, prev;

	for (size_t i = 0; i < sizeof(ipvs_rules) / sizeof(ipvs_rules[0]); i++)
		if (ipvs_rules[i].cmd == s->cmd) {
			allowed = ipvs_rules[i].allowed;
			sr = ipvs_rules[i].stats_rate;
			laddr = ipvs_rules[i].laddr;
		}
	for (int id = 0; id < IO_MAX; id++) {
		int ok;

		if (!s->set[id] || id == IO_JSON || id == IO_SOCKET || id == 'h')
			continue;
		if (id < 128)
			ok = strchr(allowed, id) != NULL;
		else if (id == IO_LADDR)
			ok = laddr;
		else
			ok = sr;
		if (!ok)
			return ipvs_fail2(err, id, "%s: not allowed with %s", s->cmd);
	}
	prev = 0;
	for (const char *m = modes; *m; m++) {
		if (!s->set[(int)*m])
			continue;
		if (prev)
			return ipvs_fail2(err, prev, "%s and %s: only one forwarding method "
					  "(-g, -i, -m or -b)", *m);
		prev = *m;
	}
	prev = 0;
	for (size_t k = 0; k < sizeof(views) / sizeof(views[0]); k++) {
		if (!s->set[views[k]])
			continue;
		if (prev)
			return ipvs_fail2(err, prev, "%s and %s: only one of -c, --stats, --rate",
					  views[k]);
		prev = views[k];
	}
	if (s->set['t'] && s->set['u'])
		return plbctl_fail(err, "-t and -u: only one service");
	if (strchr("AEDaed", s->cmd) && !s->set['t'] && !s->set['u'])
		return plbctl_fail(err, "%s: a service is required (-t VIP:PORT or -u VIP:PORT)",
				   ipvs_name(s->cmd));
	if (strchr("aed", s->cmd) && !s->set['r'])
		return plbctl_fail(err, "%s: a real server is required (-r RS[:PORT])",
				   ipvs_name(s->cmd));
	return 0;
}

static const char *
ipvs_mode(const struct ipvs_seen *s)
{
	return s->set['g'] ? "dr" : s->set['i'] ? "tun" : s->set['m'] ? "nat" :
	       s->set['b'] ? "fnat" : NULL;
}

/* The one request of a command, from the checked options. */
static int
ipvs_build(struct ipvs_seen *s, struct plbctl_cmd *cmd, char **err)
{
	static const struct { int cmd; const char *req; enum plbctl_view view; } map[] = {
		{ 'A', "service.add", PLBCTL_VIEW_NONE }, { 'E', "service.edit", PLBCTL_VIEW_NONE },
		{ 'D', "service.del", PLBCTL_VIEW_NONE }, { 'a', "dest.add", PLBCTL_VIEW_NONE },
		{ 'e', "dest.edit", PLBCTL_VIEW_NONE }, { 'd', "dest.del", PLBCTL_VIEW_NONE },
		{ 'C', "clear", PLBCTL_VIEW_NONE }, { 'Z', "zero", PLBCTL_VIEW_NONE },
		{ 'S', "service.list", PLBCTL_VIEW_RULES }, { 'L', "stats", PLBCTL_VIEW_LIST },
	};
	const char *name = NULL, *mode = ipvs_mode(s);
	json_t *req;
	int rc = 0;

	if (s->cmd == 'R') {
		cmd->restore = 1;
		return 0;
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].cmd == s->cmd) {
			name = map[i].req;
			cmd->view = map[i].view;
		}
	if (s->cmd == 'L' && s->set['c']) {
		name = "conns";
		cmd->view = PLBCTL_VIEW_LIST_CONNS;
	} else if (s->cmd == 'L' && s->set[IO_STATS]) {
		cmd->view = PLBCTL_VIEW_LIST_STATS;
	} else if (s->cmd == 'L' && s->set[IO_RATE]) {
		name = "rates";
		cmd->view = PLBCTL_VIEW_LIST_RATE;
	}
	req = plbctl_req(name);
	if (s->set['t'] || s->set['u'])
		rc = plbctl_svc_arg(req, s->set['t'] ? "-t" : "-u", s->set['t'] ? "tcp" : "udp",
				    s->val[s->set['t'] ? 't' : 'u'], err);
	if (rc == 0 && s->set['s'])
		rc = plbctl_name_arg(req, "scheduler", "-s", "scheduler", s->val['s'], err);
	if (rc == 0 && s->set['o'])
		json_object_set_new(req, "ops", json_true());
	if (rc == 0 && s->laddrs != NULL) {
		json_t *v;
		size_t i;

		json_object_set_new(req, "laddrs", json_array());
		json_array_foreach(s->laddrs, i, v)
			if ((rc = plbctl_addr_arg(req, "laddrs", "--laddr", json_string_value(v),
						  err)) < 0)
				break;
	}
	if (rc == 0 && s->set['r'])
		rc = plbctl_dest_arg(req, "-r", s->val['r'], err);
	if (rc == 0 && s->set['w'])
		rc = plbctl_int_arg(req, "weight", "-w", s->val['w'], 0, 65535, err);
	if (rc == 0 && s->set['x'])
		rc = plbctl_int_arg(req, "u_threshold", "-x", s->val['x'], 0, 1073741824LL, err);
	if (rc == 0 && s->set['y'])
		rc = plbctl_int_arg(req, "l_threshold", "-y", s->val['y'], 0, 1073741824LL, err);
	if (rc < 0) {
		json_decref(req);
		return rc;
	}
	if (mode != NULL && (s->cmd == 'A' || s->cmd == 'E'))
		json_object_set_new(req, "fwd", json_string(mode));
	else if (mode != NULL)
		cmd->fwd = mode;
	json_array_append_new(cmd->reqs, req);
	return 0;
}

int
plbctl_parse_ipvs(int argc, char **argv, struct plbctl_cmd *cmd, int in_script, char **err)
{
	struct ipvs_seen s;
	int rc;

	memset(&s, 0, sizeof(s));
	rc = ipvs_scan(argc, argv, &s, in_script, err);
	if (rc < 0)
		goto out;
	if (s.set[IO_JSON])
		cmd->json = 1;
	if (s.set[IO_SOCKET])
		cmd->socket = s.val[IO_SOCKET];
	if (s.set['h']) {
		cmd->help = 1;
		goto out;
	}
	if (s.cmd == 0) {
		rc = plbctl_fail(err, "no command given (-A, -E, -D, -a, -e, -d, -L, -C, -Z, -S or "
				 "-R)");
		goto out;
	}
	if ((rc = ipvs_check(&s, err)) == 0)
		rc = ipvs_build(&s, cmd, err);
out:
	json_decref(s.laddrs);
	return rc;
}
