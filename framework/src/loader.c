/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.loader: opens a module with dlopen(RTLD_NOW | RTLD_LOCAL), checks its
 * descriptor (present, ABI, size, kind and name against the file name, name
 * unique, required ops), registers its ops by kind and calls init(). On any
 * failure it undoes what it did, dlclose()s, and returns one message naming
 * the file and the reason. Modules are unloaded in reverse load order.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <plb/log.h>

#include "loader.h"
#include "registry.h"

struct loaded {
	char *stem;
	char *path;
	void *handle;
	const struct plb_module *mod;
	int inited;
};

static struct loaded *mods;
static uint32_t n_mods, cap_mods;

static const char *const kind_prefix[] = {
	[PLB_MODULE_L3] = "proto",
	[PLB_MODULE_HOOK] = "hook",
	[PLB_MODULE_PROTO] = "proto",
	[PLB_MODULE_SCHED] = "sched",
	[PLB_MODULE_FWD] = "fwd",
};

static const char *const kind_name[] = {
	[PLB_MODULE_L3] = "l3",
	[PLB_MODULE_HOOK] = "hook",
	[PLB_MODULE_PROTO] = "proto",
	[PLB_MODULE_SCHED] = "sched",
	[PLB_MODULE_FWD] = "fwd",
};

const char *
plb_loader_kind_prefix(enum plb_module_kind kind)
{
	if (kind < PLB_MODULE_L3 || kind > PLB_MODULE_FWD)
		return NULL;
	return kind_prefix[kind];
}

static const struct loaded *
find_loaded(const char *stem)
{
	for (uint32_t i = 0; i < n_mods; i++)
		if (strcmp(mods[i].stem, stem) == 0)
			return &mods[i];
	return NULL;
}

const struct plb_module *
plb_loader_find(const char *stem)
{
	const struct loaded *l = find_loaded(stem);

	return l ? l->mod : NULL;
}

/* The stem of the loaded module whose ops are @ops, for duplicate messages. */
static const char *
owner_of(const void *ops)
{
	for (uint32_t i = 0; i < n_mods; i++)
		if (mods[i].mod->ops == ops)
			return mods[i].stem;
	return "the core";
}

static int
check_ops(const struct plb_module *m, const char *path, char **err)
{
#define NEED(op, name) do { if ((op) == NULL) \
	return plb_err(err, -EINVAL, "%s: required op '%s' is NULL", path, name); } while (0)
	if (m->ops == NULL)
		return plb_err(err, -EINVAL, "%s: ops table is NULL", path);
	switch (m->kind) {
	case PLB_MODULE_L3: {
		const struct plb_l3_ops *o = m->ops;
		NEED(o->parse, "parse");
		NEED(o->rcv, "rcv");
		break;
	}
	case PLB_MODULE_HOOK: {
		const struct plb_hook_ops *o = m->ops;
		NEED(o->regs, "regs");
		if (o->n_regs == 0)
			return plb_err(err, -EINVAL, "%s: hook ops register no hook (n_regs is 0)", path);
		for (uint32_t i = 0; i < o->n_regs; i++) {
			const struct plb_hook_reg *r = &o->regs[i];

			if (r->fn == NULL)
				return plb_err(err, -EINVAL,
					       "%s: hook registration %u ('%s'): required op 'fn' is NULL",
					       path, i, r->name ? r->name : "");
			if ((unsigned)r->point >= PLB_HOOK_POINTS)
				return plb_err(err, -EINVAL,
					       "%s: hook registration %u ('%s'): unknown hook point %d",
					       path, i, r->name ? r->name : "", (int)r->point);
		}
		break;
	}
	case PLB_MODULE_PROTO: {
		const struct plb_proto_ops *o = m->ops;
		NEED(o->parse, "parse");
		break;
	}
	case PLB_MODULE_SCHED: {
		const struct plb_sched_ops *o = m->ops;
		NEED(o->schedule, "schedule");
		break;
	}
	case PLB_MODULE_FWD: {
		const struct plb_fwd_ops *o = m->ops;
		NEED(o->xmit_in, "xmit_in");
		break;
	}
	}
	return 0;
#undef NEED
}

static void
unregister(const struct plb_module *m, uint32_t n_hooks)
{
	switch (m->kind) {
	case PLB_MODULE_L3:
		plb_reg_l3_del(m->ops);
		break;
	case PLB_MODULE_HOOK:
		for (uint32_t i = 0; i < n_hooks; i++)
			plb_reg_hook_del(&((const struct plb_hook_ops *)m->ops)->regs[i]);
		break;
	case PLB_MODULE_PROTO:
		plb_reg_proto_del(m->ops);
		break;
	case PLB_MODULE_SCHED:
		plb_reg_sched_del(m->name);
		break;
	case PLB_MODULE_FWD:
		plb_reg_fwd_del(m->name);
		break;
	}
}

static const char *const hook_point_name[] = {
	"PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING",
};

static int
register_ops(const struct plb_module *m, const char *path, char **err)
{
	int rc = 0;

	switch (m->kind) {
	case PLB_MODULE_L3: {
		const struct plb_l3_ops *o = m->ops;
		const struct plb_l3_ops *old = plb_reg_l3_get(o->ethertype);

		rc = plb_reg_l3_add(o);
		if (rc == -EEXIST)
			return plb_err(err, rc, "%s: ethertype 0x%04x is already handled by %s",
				       path, o->ethertype, owner_of(old));
		break;
	}
	case PLB_MODULE_HOOK: {
		const struct plb_hook_ops *o = m->ops;

		for (uint32_t i = 0; i < o->n_regs; i++) {
			rc = plb_reg_hook_add(&o->regs[i]);
			if (rc) {
				unregister(m, i);
				return plb_err(err, rc, "%s: hook '%s' at %s: %s", path,
					       o->regs[i].name ? o->regs[i].name : "",
					       hook_point_name[o->regs[i].point],
					       rc == -EEXIST ? "already registered" : strerror(-rc));
			}
		}
		break;
	}
	case PLB_MODULE_PROTO: {
		const struct plb_proto_ops *o = m->ops;
		const struct plb_proto_ops *old = plb_proto_get(o->ipproto);

		rc = plb_reg_proto_add(o);
		if (rc == -EEXIST)
			return plb_err(err, rc, "%s: IP protocol %u is already handled by %s",
				       path, o->ipproto, owner_of(old));
		break;
	}
	case PLB_MODULE_SCHED:
		rc = plb_reg_sched_add(m->name, m->ops);
		if (rc == -EEXIST)
			return plb_err(err, rc, "%s: a scheduler named \"%s\" is already registered",
				       path, m->name);
		break;
	case PLB_MODULE_FWD:
		rc = plb_reg_fwd_add(m->name, m->ops);
		if (rc == -EEXIST)
			return plb_err(err, rc, "%s: a forwarding mode named \"%s\" is already registered",
				       path, m->name);
		break;
	}
	if (rc)
		return plb_err(err, rc, "%s: cannot register: %s", path, strerror(-rc));
	return 0;
}

static int
check_descriptor(const struct plb_module *m, const char *path, const char *stem, char **err)
{
	const size_t min_size = offsetof(struct plb_module, reserved);
	const char *prefix;
	char *want;
	int match;

	if (m->abi != PLB_MODULE_ABI)
		return plb_err(err, -EINVAL, "%s: module ABI %u, plb expects %u: rebuild it against this SDK",
			       path, m->abi, PLB_MODULE_ABI);
	if (m->size < min_size || m->size > sizeof(struct plb_module))
		return plb_err(err, -EINVAL, "%s: descriptor size %u, plb accepts %zu..%zu",
			       path, m->size, min_size, sizeof(struct plb_module));
	prefix = plb_loader_kind_prefix(m->kind);
	if (prefix == NULL)
		return plb_err(err, -EINVAL, "%s: unknown module kind %d", path, (int)m->kind);
	if (m->name == NULL || m->name[0] == '\0')
		return plb_err(err, -EINVAL, "%s: descriptor has no name", path);
	if (asprintf(&want, "%s_%s", prefix, m->name) < 0)
		return plb_err(err, -ENOMEM, "%s: out of memory", path);
	match = strcmp(want, stem) == 0;
	if (!match)
		plb_err(err, -EINVAL, "%s: descriptor says %s (kind %s, name \"%s\"), file name says %s",
			path, want, kind_name[m->kind], m->name, stem);
	free(want);
	if (!match)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(m->reserved) / sizeof(m->reserved[0]); i++)
		if (m->size == sizeof(struct plb_module) && m->reserved[i])
			return plb_err(err, -EINVAL, "%s: descriptor reserved[%zu] is not zero", path, i);
	return 0;
}

int
plb_loader_load(const char *dir, const char *stem, const struct plb_env *env,
		const config_setting_t *conf, char **err)
{
	const struct plb_module *m;
	struct loaded *l;
	char *path, *ierr = NULL;
	void *h;
	int rc;

	if (asprintf(&path, "%s/%s.so", dir, stem) < 0)
		return plb_err(err, -ENOMEM, "%s/%s.so: out of memory", dir, stem);
	if (find_loaded(stem)) {
		rc = plb_err(err, -EEXIST, "%s: module %s is already loaded", path, stem);
		goto err_free_path;
	}
	if (access(path, F_OK) != 0) {
		rc = -errno;
		plb_err(err, rc, "%s: cannot load: %s", path, strerror(errno));
		goto err_free_path;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		rc = plb_err(err, -EINVAL, "%s: cannot load: %s", path, dlerror());
		goto err_free_path;
	}
	m = dlsym(h, PLB_MODULE_SYMBOL);
	if (m == NULL) {
		rc = plb_err(err, -EINVAL, "%s: no %s symbol: not a plb module", path, PLB_MODULE_SYMBOL);
		goto err_close;
	}
	rc = check_descriptor(m, path, stem, err);
	if (rc)
		goto err_close;
	rc = check_ops(m, path, err);
	if (rc)
		goto err_close;
	if (n_mods == cap_mods) {
		uint32_t ncap = cap_mods ? cap_mods * 2 : 16;
		struct loaded *nm = realloc(mods, ncap * sizeof(*mods));

		if (nm == NULL) {
			rc = plb_err(err, -ENOMEM, "%s: out of memory", path);
			goto err_close;
		}
		mods = nm;
		cap_mods = ncap;
	}
	rc = register_ops(m, path, err);
	if (rc)
		goto err_close;
	l = &mods[n_mods];
	l->stem = strdup(stem);
	l->path = path;
	l->handle = h;
	l->mod = m;
	l->inited = 0;
	if (l->stem == NULL) {
		rc = plb_err(err, -ENOMEM, "%s: out of memory", path);
		goto err_unregister;
	}
	n_mods++;	/* visible to owner_of() and find while init runs */
	if (m->init) {
		rc = m->init(env, conf, &ierr);
		if (rc) {
			n_mods--;
			if (rc > 0)
				rc = -rc;
			plb_err(err, rc, "%s: init failed: %s", path, ierr ? ierr : strerror(-rc));
			free(ierr);
			free(l->stem);
			goto err_unregister;
		}
		free(ierr);
	}
	l->inited = 1;
	PLB_LOG(DEBUG, "core.loader", "%s: loaded %s %s", path, m->name,
		m->version ? m->version : "");
	return 0;

err_unregister:
	unregister(m, m->kind == PLB_MODULE_HOOK ? ((const struct plb_hook_ops *)m->ops)->n_regs : 0);
err_close:
	dlclose(h);
err_free_path:
	free(path);
	return rc;
}

void
plb_loader_foreach(void (*fn)(const struct plb_module *m, const char *path, void *arg), void *arg)
{
	for (uint32_t i = 0; i < n_mods; i++)
		fn(mods[i].mod, mods[i].path, arg);
}

void
plb_loader_unload_all(void)
{
	for (uint32_t i = n_mods; i-- > 0;) {
		if (mods[i].inited && mods[i].mod->fini)
			mods[i].mod->fini();
	}
	for (uint32_t i = n_mods; i-- > 0;) {
		unregister(mods[i].mod, mods[i].mod->kind == PLB_MODULE_HOOK ?
			   ((const struct plb_hook_ops *)mods[i].mod->ops)->n_regs : 0);
		dlclose(mods[i].handle);
		free(mods[i].stem);
		free(mods[i].path);
	}
	free(mods);
	mods = NULL;
	n_mods = cap_mods = 0;
}
