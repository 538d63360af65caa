/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.config: reads the one libconfig file (DESIGN §5) into struct
 * plb_conf. Every error names FILE:LINE, the key path and what was expected;
 * unknown keys are errors. The top-level sections are a table of parsers
 * (config.c), so later sections (routes, services, lua, metrics) are added
 * as rows, not as code paths.
 */
#ifndef PLB_CORE_CONFIG_H
#define PLB_CORE_CONFIG_H

#include <stdint.h>
#include <libconfig.h>
#include <plb/port.h>

struct plb_conf_port {
	char *name;			/**< "p0": unique */
	char *dev;			/**< devargs: "net_af_packet0,iface=veth0" or a PCI address */
	uint16_t rx_desc;		/**< default 1024 */
	uint16_t tx_desc;		/**< default 1024 */
	uint32_t n_addr4;
	struct plb_ifaddr4 *addr4;	/**< from addresses = ["192.0.2.1/24"] */
	int line;
};

struct plb_conf_module {
	char *stem;			/**< "proto_ipv4": file <path>/<stem>.so */
	const config_setting_t *settings; /**< modules.<stem> block, or NULL */
	int line;
};

struct plb_conf_dest {
	uint32_t addr;			/**< network order */
	uint16_t port;			/**< host order */
	uint32_t weight;		/**< default 1; 0 = quiesced */
	uint32_t u_threshold;		/**< 0 = none */
	uint32_t l_threshold;
	int down;			/**< marked down: never picked (health checks, Lua plb.down) */
	int line;
};

/** One service of `services = ( ... )`. */
struct plb_conf_svc {
	uint8_t proto;			/**< IPPROTO_TCP / IPPROTO_UDP */
	uint32_t vip;			/**< network order */
	uint16_t port;			/**< host order */
	char *sched;			/**< "rr": module sched_rr */
	char *fwd;			/**< "fnat": module fwd_fnat */
	const config_setting_t *sched_opts;	/**< the scheduler's own block in the file, or NULL */
	char *sched_opts_text;		/**< the same block as libconfig text (kept after the file is gone) */
	uint32_t n_laddrs;
	uint32_t *laddrs;		/**< network order */
	int ops;			/**< UDP one-packet scheduling */
	int expire_quiescent;
	uint32_t n_dests;
	struct plb_conf_dest *dests;
	int line;
};

/** One static route of `routes = ( ... )`. */
struct plb_conf_route {
	uint32_t prefix;		/**< network order, host bits zero */
	uint8_t len;			/**< 0..32 */
	uint32_t via;			/**< gateway, network order; 0 = connected */
	char *port;			/**< port name */
	int line;
};

enum plb_poll_mode {
	PLB_POLL_BUSY = 0,		/**< spin on empty polls (default) */
	PLB_POLL_ADAPTIVE,		/**< sleep briefly after idle_after empty polls */
};

struct plb_conf {
	config_t cfg;			/**< kept open: module settings point into it */
	char *file;

	int eal_argc;			/**< from eal = [...] */
	char **eal_argv;		/**< the list as written (no program name), NULL-terminated, never NULL */

	char *module_path;		/**< modules.path, default "build/modules" */
	uint32_t n_modules;
	struct plb_conf_module *modules; /**< modules.load, in load order */

	struct {
		uint32_t count;		/**< workers.count, default 1 */
		enum plb_poll_mode poll;	/**< workers.poll = "busy" | "adaptive" */
		uint32_t idle_after;	/**< workers.idle_after: empty polls before sleeping, default 256 */
		uint32_t idle_sleep_us;	/**< workers.idle_sleep_us, default 100 */
		uint32_t burst;		/**< workers.burst, default 32, 1..512 */
		uint32_t ring_size;	/**< workers.ring_size (steering ring), default 4096, power of 2 */
	} workers;

	struct {
		uint32_t mbufs;		/**< mempool.mbufs, default 16383 */
		uint32_t cache;		/**< mempool.cache, default 256 */
		uint32_t data_room;	/**< mempool.data_room, default 2176 (RTE_MBUF_DEFAULT_BUF_SIZE) */
	} mempool;

	uint32_t n_ports;
	struct plb_conf_port *ports;

	struct {
		char *socket;		/**< control.socket, default "/run/plb/plb.sock" */
		uint32_t mode;		/**< control.mode, default 0600 */
		char *owner;		/**< control.owner: user name or uid owning the socket, default: plb's */
		char *group;		/**< control.group: group name or gid, default: plb's */
		struct plb_conf_listen4 {
			uint32_t addr;	/**< network order; 0.0.0.0 = every address */
			uint16_t port;	/**< host order; 0 = no listener (the default) */
		} metrics;		/**< control.metrics = "HOST:PORT": Prometheus over HTTP */
	} control;

	uint32_t n_services;
	struct plb_conf_svc *services;

	uint32_t n_routes;
	struct plb_conf_route *routes;

	struct {
		uint32_t per_worker;	/**< conns.per_worker: conn table size of each worker, default 65536 */
		uint32_t tick_ms;	/**< conns.tick_ms: timer wheel resolution, default 100 */
	} conns;

	char *log_level;		/**< log_level = "info" (err|warning|notice|info|debug) */

	struct {			/* lua = { ... } (conf_lua.c); settings point into cfg */
		const config_setting_t *scripts;	/**< lua.scripts: array of paths, or NULL */
		uint32_t memory_mb;	/**< lua.memory_mb: the state's memory cap, default 64 */
		uint32_t instructions;	/**< lua.instructions: budget per callback, default 1000000 */
		uint32_t allow;		/**< lua.allow: PLB_LUA_ALLOW_* bits, default none */
		const config_setting_t *vars;	/**< lua.config: what scripts see as plb.config, or NULL */
	} lua;
};

/* lua.allow = [ "io", "os", "ffi", "require", "bytecode" ] */
#define PLB_LUA_ALLOW_IO	0x1
#define PLB_LUA_ALLOW_OS	0x2
#define PLB_LUA_ALLOW_FFI	0x4
#define PLB_LUA_ALLOW_REQUIRE	0x8
#define PLB_LUA_ALLOW_BYTECODE	0x10

/**
 * [ctl] Parse @file. On success *out is a new plb_conf (free with
 * plb_conf_free). On failure *out is NULL, the return is -errno (-ENOENT,
 * -EACCES, -EISDIR, -EIO: the file cannot be read; -EINVAL: its content;
 * -ENOMEM) and *err is a malloc'ed message "FILE:LINE: KEY: what was
 * expected" (or "FILE: cannot read: <reason>"); nothing else is allocated.
 */
int plb_conf_load(const char *file, struct plb_conf **out, char **err);

void plb_conf_free(struct plb_conf *conf);

#endif /* PLB_CORE_CONFIG_H */
