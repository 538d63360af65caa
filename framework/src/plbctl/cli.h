/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's command line, without I/O: argv -> the JSON requests to send
 * (protocol v1, docs/control.md) and how to print the answer. Two syntaxes,
 * told apart by the first argument after the global options: a verb
 * (`service add ...`) or a dash option (ipvsadm's `-A -t ...`). Also the
 * reader of `-R` input and the forwarding-mode planner for `-a -m` etc.
 */
#ifndef PLBCTL_CLI_H
#define PLBCTL_CLI_H

#include <jansson.h>

/** How main prints the result of the last request. */
enum plbctl_view {
	PLBCTL_VIEW_NONE,	/**< a change: print nothing */
	PLBCTL_VIEW_STATS,	/**< native `stats` */
	PLBCTL_VIEW_RATES,	/**< native `stats --rate` */
	PLBCTL_VIEW_MODULES,
	PLBCTL_VIEW_SCHEDULERS,
	PLBCTL_VIEW_SERVICES,	/**< native `service list` */
	PLBCTL_VIEW_CONNS,	/**< native `conns` */
	PLBCTL_VIEW_SAVE,	/**< result.text to stdout or to cmd->file */
	PLBCTL_VIEW_LIST,	/**< -L -n */
	PLBCTL_VIEW_LIST_STATS,	/**< -L -n --stats */
	PLBCTL_VIEW_LIST_RATE,	/**< -L -n --rate */
	PLBCTL_VIEW_LIST_CONNS,	/**< -L -n -c */
	PLBCTL_VIEW_RULES,	/**< -S */
	PLBCTL_VIEW_RELOAD,	/**< `reload`, `restore`: what was reloaded, what needs a restart */
	PLBCTL_VIEW_LUA,	/**< `lua status`, `lua reload` */
	PLBCTL_VIEW_ACL,	/**< `acl add|del|set`: the list's size after the change */
	PLBCTL_VIEW_ACL_LIST,	/**< `acl list` */
};

/**
 * Prefixes per acl.* request: plb refuses requests over 64 KiB, and 2000
 * prefixes of up to 21 bytes ("255.255.255.255/32",) are 42 KiB.
 */
#define PLBCTL_ACL_CHUNK 2000

struct plbctl_cmd {
	json_t *reqs;		/**< array of request objects, sent in order */
	enum plbctl_view view;
	int json;		/**< --json: print the raw result */
	int help;		/**< -h / --help: print usage, send nothing */
	int restore;		/**< -R: the requests come from stdin */
	const char *socket;	/**< -s / --socket (points into argv), or NULL */
	const char *fwd;	/**< -a/-e with -g/-i/-m/-b: the mode the service must have */
	const char *file;	/**< `save FILE` (points into argv), or NULL */
};

/**
 * Parse @argc arguments (without the program name). 0 with @cmd filled (free
 * it with plbctl_cmd_clear), or -EINVAL with *err a malloc'ed message naming
 * the bad argument (and @cmd empty).
 */
int plbctl_parse(int argc, char **argv, struct plbctl_cmd *cmd, char **err);

void plbctl_cmd_clear(struct plbctl_cmd *cmd);

/** -R input: one ipvsadm command per line, read whole before anything is sent. */
struct plbctl_script {
	struct plbctl_cmd *cmds;
	unsigned int *lines;	/**< the input line number of cmds[i] */
	unsigned int n;
};

/**
 * Parse -R input @text: blank lines and lines starting with '#' are skipped,
 * every other line is `-A/-E/-D/-a/-e/-d/-C/-Z ...`. A service added here
 * and given dests with a forwarding mode later in the input is added with that
 * mode. 0, or -EINVAL with *err "line N: ..." and @s empty.
 */
int plbctl_script_parse(const char *text, struct plbctl_script *s, char **err);

void plbctl_script_clear(struct plbctl_script *s);

/**
 * The forwarding mode of every service in @services (a service.list or stats
 * result): a new object {"tcp 192.0.2.100:80": "fnat", ...}.
 */
json_t *plbctl_fwd_map(json_t *services);

/**
 * The requests to send for @cmd, given the services' modes in @fwd_map
 * (updated as if every request succeeds): @cmd's requests, with a
 * service.edit setting cmd->fwd before a dest.add / dest.edit whose service
 * has another mode. A new array.
 */
json_t *plbctl_plan(const struct plbctl_cmd *cmd, json_t *fwd_map);

#endif /* PLBCTL_CLI_H */
