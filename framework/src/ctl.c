/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.ctl: the control socket server: one JSON request line per
 * connection, dispatched through the command tables of ctl_stats.c (reads)
 * and ctl_svc.c (changes); docs/control.md is the protocol. Requests are
 * validated whole; a bad one gets {"ok":false,"error":...} and changes
 * nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <plb/log.h>

#include "ctl.h"

#define LOG_TYPE "core.ctl"
#define REQ_MAX 65536

static int listen_fd = -1;
static char *sock_path;

static const struct plb_ctl_cmd *const tables[] = {
	plb_ctl_stats_cmds, plb_ctl_svc_cmds, plb_ctl_save_cmds, plb_ctl_acl_cmds, plb_ctl_lua_cmds,
};
const struct plb_conf *plb_ctl_conf;

int
plb_ctl_check_args(json_t *req, const char *const *allowed, char **err)
{
	const char *key;
	json_t *val;

	json_object_foreach(req, key, val) {
		int ok = !strcmp(key, "v") || !strcmp(key, "cmd");
		char list[512] = "";
		size_t n = 0;

		for (int i = 0; !ok && allowed[i]; i++)
			ok = !strcmp(key, allowed[i]);
		if (ok)
			continue;
		for (int i = 0; allowed[i]; i++)
			n += snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, "%s%s",
				      i ? ", " : "", allowed[i]);
		return plb_err(err, -EINVAL, "unknown argument \"%s\" (expected %s%s)", key,
			       allowed[0] ? "one of: " : "none", list);
	}
	return 0;
}

static json_t *
reply_err(const char *msg)
{
	return json_pack("{s:i, s:b, s:s}", "v", PLB_CTL_VERSION, "ok", 0, "error", msg);
}

json_t *
plb_ctl_handle(json_t *req)
{
	json_t *v, *cmd, *res;
	char *err = NULL, *msg;
	const char *name;

	if (!json_is_object(req))
		return reply_err("request: expected a JSON object");
	v = json_object_get(req, "v");
	if (!json_is_integer(v) || json_integer_value(v) != PLB_CTL_VERSION) {
		if (asprintf(&msg, "request: \"v\" must be %d (this plb speaks protocol version %d)",
			     PLB_CTL_VERSION, PLB_CTL_VERSION) < 0)
			return reply_err("out of memory");
		res = reply_err(msg);
		free(msg);
		return res;
	}
	cmd = json_object_get(req, "cmd");
	if (!json_is_string(cmd))
		return reply_err("request: \"cmd\" must be a string");
	name = json_string_value(cmd);
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (const struct plb_ctl_cmd *c = tables[t]; c->name; c++) {
			json_t *r;

			if (strcmp(c->name, name) != 0)
				continue;
			res = c->fn(req, &err);
			if (res != NULL)
				return json_pack("{s:i, s:b, s:o}", "v", PLB_CTL_VERSION, "ok", 1,
						 "result", res);
			if (asprintf(&msg, "%s: %s", name, err ? err : "request failed") < 0)
				msg = NULL;
			r = reply_err(msg ? msg : "out of memory");
			free(msg);
			free(err);
			return r;
		}
	}
	if (asprintf(&msg, "request: unknown command \"%s\"", name) < 0)
		return reply_err("out of memory");
	res = reply_err(msg);
	free(msg);
	return res;
}

static void
serve_one(int fd)
{
	char *buf = malloc(REQ_MAX + 1);
	size_t len = 0;
	json_error_t jerr;
	json_t *req, *res;
	char *out;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (buf == NULL)
		return;
	/* one line; the client is local, but never wait on it for more than 1 s */
	while (len < REQ_MAX && poll(&pfd, 1, 1000) == 1) {
		ssize_t n = read(fd, buf + len, REQ_MAX - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(buf, '\n', len))
			break;
	}
	buf[len] = '\0';
	req = json_loads(buf, JSON_DISABLE_EOF_CHECK, &jerr);
	if (req == NULL) {
		char msg[300];

		snprintf(msg, sizeof(msg), "request: not JSON: %s", jerr.text);
		res = reply_err(msg);
	} else {
		res = plb_ctl_handle(req);
		json_decref(req);
	}
	out = json_dumps(res, JSON_COMPACT);
	json_decref(res);
	if (out) {
		size_t n = strlen(out), off = 0;

		out[n] = '\0';
		while (off < n) {
			ssize_t w = write(fd, out + off, n - off);

			if (w <= 0)
				break;
			off += (size_t)w;
		}
		if (write(fd, "\n", 1) < 0) {
			/* the client went away: nothing to do */
		}
		free(out);
	}
	free(buf);
}

/* control.owner / control.group: a name or a number; -1 = leave as is. */
static int
resolve_ids(const struct plb_conf *conf, uid_t *uid, gid_t *gid, char **err)
{
	char *end;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (conf->control.owner) {
		const struct passwd *pw = getpwnam(conf->control.owner);
		unsigned long v = strtoul(conf->control.owner, &end, 10);

		if (pw)
			*uid = pw->pw_uid;
		else if (*end == '\0')
			*uid = (uid_t)v;
		else
			return plb_err(err, -EINVAL, "%s: control.owner: no user \"%s\"", conf->file,
				       conf->control.owner);
	}
	if (conf->control.group) {
		const struct group *gr = getgrnam(conf->control.group);
		unsigned long v = strtoul(conf->control.group, &end, 10);

		if (gr)
			*gid = gr->gr_gid;
		else if (*end == '\0')
			*gid = (gid_t)v;
		else
			return plb_err(err, -EINVAL, "%s: control.group: no group \"%s\"", conf->file,
				       conf->control.group);
	}
	return 0;
}

int
plb_ctl_open(const struct plb_conf *conf, char **err)
{
	uid_t uid;
	gid_t gid;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = conf->control.socket;
	char *dir, *slash;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return plb_err(err, -ENAMETOOLONG, "control.socket \"%s\": path too long", path);
	dir = strdup(path);
	if (dir == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);	/* the parent, e.g. /run/plb; EEXIST is fine */
	}
	free(dir);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return plb_err(err, -errno, "control.socket: socket: %s", strerror(errno));
	/* a stale socket from a crashed run: refuse if someone still listens on it */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return plb_err(err, -EADDRINUSE, "control.socket \"%s\": another plb is listening there", path);
	}
	close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return plb_err(err, -errno, "control.socket: socket: %s", strerror(errno));
	if (resolve_ids(conf, &uid, &gid, err) != 0) {
		close(fd);
		return -EINVAL;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, conf->control.mode) < 0 ||
	    ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) < 0) ||
	    listen(fd, 16) < 0) {
		int e = errno;

		close(fd);
		return plb_err(err, -e, "control.socket \"%s\": %s", path, strerror(e));
	}
	listen_fd = fd;
	sock_path = strdup(path);
	plb_ctl_conf = conf;
	return 0;
}

void
plb_ctl_poll(int timeout_ms)
{
	struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };

	if (listen_fd < 0 || poll(&pfd, 1, timeout_ms) <= 0)
		return;
	for (;;) {
		int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0)
			return;
		serve_one(c);
		close(c);
	}
}

void
plb_ctl_close(void)
{
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
	if (sock_path)
		unlink(sock_path);
	free(sock_path);
	sock_path = NULL;
}
