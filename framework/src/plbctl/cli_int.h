/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's parser internals shared by cli.c (global options, native verbs,
 * argument checks), cli_ipvs.c (the ipvsadm syntax) and cli_script.c (-R
 * input, forwarding-mode planning). Every check fails with -EINVAL and a
 * malloc'ed message in *err that names the argument.
 */
#ifndef PLBCTL_CLI_INT_H
#define PLBCTL_CLI_INT_H

#include <jansson.h>

#include "cli.h"

#define PLBCTL_PROTO_VERSION 1

/** *err = the formatted message; returns -EINVAL. */
int plbctl_fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** A new request {"v": 1, "cmd": @cmd}. */
json_t *plbctl_req(const char *cmd);

/** Set "proto", "vip", "port" on @req from @proto ("tcp"/"udp") and VIP:PORT @s. */
int plbctl_svc_arg(json_t *req, const char *opt, const char *proto, const char *s, char **err);

/** Set "addr" and, when @s has a port, "dport" on @req from RS[:PORT] @s. */
int plbctl_dest_arg(json_t *req, const char *opt, const char *s, char **err);

/** Set @key on @req to the IPv4 address @s. */
int plbctl_addr_arg(json_t *req, const char *key, const char *opt, const char *s, char **err);

/** Set @key on @req to the integer @s, which must be in @min..@max. */
int plbctl_int_arg(json_t *req, const char *key, const char *opt, const char *s, long long min,
		   long long max, char **err);

/** Set @key on @req to the module name @s (1..31 of a-z 0-9 _), a @what. */
int plbctl_name_arg(json_t *req, const char *key, const char *opt, const char *what, const char *s,
		    char **err);

/** The key of a service in a forwarding map: "tcp 192.0.2.100:80" (static buffer). */
const char *plbctl_svc_key(json_t *obj);

/** The array of services in a service.list result (an array, or {"services": [...]}). */
json_t *plbctl_svc_array(json_t *result);

/** The arguments of a native verb: positionals are taken in order, options by name. */
struct plbctl_args {
	int argc;
	char **argv;
	int i;		/**< the next argument */
};

/**
 * argv[a->i] is option @name (or "@name=VALUE"): 1 with its value in *val
 * (@val NULL: a flag, which takes no value) and a->i past it; 0 when it is
 * another argument; -EINVAL with *err.
 */
int plbctl_opt(struct plbctl_args *a, const char *name, const char **val, char **err);

/** -EINVAL: argv[a->i] is an unknown option or an unexpected argument. */
int plbctl_extra(struct plbctl_args *a, char **err);

/** The next positional argument (@what, for @verb's messages) in *val, or -EINVAL. */
int plbctl_pos(struct plbctl_args *a, const char *verb, const char *what, const char **val,
	       char **err);

/** 0 when every argument was used, else plbctl_extra(). */
int plbctl_end(struct plbctl_args *a, char **err);

/** "PROTO VIP:PORT" positionals -> "proto", "vip", "port" on @req. */
int plbctl_nat_svc(struct plbctl_args *a, json_t *req, const char *verb, char **err);

/** "file" on @req = @f made absolute (plb's cwd is not ours); @verb names it in errors. */
int plbctl_abs_file(json_t *req, const char *verb, const char *f, char **err);

/** `acl add|del|set|list ...` (cli_acl.c); a->i is past "acl". */
int plbctl_parse_acl(struct plbctl_args *a, struct plbctl_cmd *cmd, char **err);

/** `lua reload|status` (cli_acl.c); a->i is past "lua". */
int plbctl_parse_lua(struct plbctl_args *a, struct plbctl_cmd *cmd, char **err);

/**
 * The ipvsadm syntax. @in_script: a line of -R input (no -L, -S, -R, no
 * --json / --socket).
 */
int plbctl_parse_ipvs(int argc, char **argv, struct plbctl_cmd *cmd, int in_script, char **err);

#endif /* PLBCTL_CLI_INT_H */
