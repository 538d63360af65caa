/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The module descriptor: the one symbol every plb module exports. The loader
 * (framework/src/loader.c) dlopen()s a module, finds this descriptor, checks
 * ABI, size, kind and name against the file name, checks the kind's required
 * ops and only then calls init(). Nothing in a module runs before that: no
 * constructors. New fields are appended; reserved[] must be zero.
 */
#ifndef PLB_MODULE_H
#define PLB_MODULE_H

#include <stdint.h>
#include <libconfig.h>

/** Bumped on any incompatible change of the SDK's structs or ops tables. */
#define PLB_MODULE_ABI 4

/** Name of the exported descriptor symbol. */
#define PLB_MODULE_SYMBOL "plb_module_descriptor"

enum plb_module_kind {
	PLB_MODULE_L3 = 1,	/**< ethertype handler (ipv4, arp, ipv6); file prefix "proto_" */
	PLB_MODULE_HOOK,	/**< inet hooks (vs, acl, defence); file prefix "hook_" */
	PLB_MODULE_PROTO,	/**< L4 protocol (tcp, udp, icmp); file prefix "proto_" */
	PLB_MODULE_SCHED,	/**< scheduler (rr, wlc, mh); file prefix "sched_" */
	PLB_MODULE_FWD,		/**< forwarding mode (fnat, nat, dr, tun); file prefix "fwd_" */
};

/** What the core tells a module at init. Read-only; valid until fini(). */
struct plb_env {
	uint32_t size;		/**< sizeof(struct plb_env) of the running core */
	uint32_t n_workers;	/**< worker lcores; worker ids are 0 .. n_workers-1 */
	uint32_t check_only;	/**< 1 under `plb -t`: validate conf, touch no DPDK resource */
	int socket_id;		/**< NUMA socket of the workers (SOCKET_ID_ANY if unknown) */
	const char *conf_file;	/**< the configuration file, for messages */
};

struct plb_module {
	uint32_t abi;		/**< PLB_MODULE_ABI the module was built with */
	uint32_t size;		/**< sizeof(struct plb_module) at build time */
	enum plb_module_kind kind;
	const char *name;	/**< "wlc": the file must be sched_wlc.so */
	const char *version;
	const char *description;
	const void *ops;	/**< kind-specific const ops table (l3.h hook.h proto.h sched.h fwd.h) */
	/**
	 * [ctl] Optional. Called once after the descriptor checks, with the
	 * module's own setting block from the config (NULL when it has none).
	 * Returns 0 or -errno and then sets *err to a malloc'ed message (the
	 * core prefixes file and line). Must reject unknown keys.
	 */
	int (*init)(const struct plb_env *env, const config_setting_t *conf, char **err);
	/** [ctl] Optional. Called at shutdown, in reverse load order, workers stopped. */
	void (*fini)(void);
	uintptr_t reserved[4];	/**< zero; new fields are appended */
};

/**
 * Define the module's descriptor. Use once per module, at file scope:
 *   PLB_MODULE_REGISTER(SCHED, "rr", &rr_ops, .version = "1.0", .description = "round robin");
 */
#define PLB_MODULE_REGISTER(KIND, NAME, OPS, ...)				\
	__attribute__((visibility("default")))				\
	extern const struct plb_module plb_module_descriptor;			\
	__attribute__((visibility("default")))				\
	const struct plb_module plb_module_descriptor = {			\
		.abi = PLB_MODULE_ABI,						\
		.size = sizeof(struct plb_module),				\
		.kind = PLB_MODULE_##KIND,					\
		.name = (NAME),							\
		.ops = (OPS),							\
		__VA_ARGS__							\
	}

#endif /* PLB_MODULE_H */
