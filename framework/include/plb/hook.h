/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inet hooks, as in netfilter and DPVS: five hook points, each a chain of
 * functions ordered by priority (lower runs first; equal priorities run in
 * registration order). A HOOK module's ops table lists its registrations;
 * the core builds the chains at start-up and they never change while the
 * workers run. An L3 handler runs a chain with plb_hook_run().
 */
#ifndef PLB_HOOK_H
#define PLB_HOOK_H

#include <stdint.h>
#include <plb/pkt.h>

enum plb_hook_point {
	PLB_HOOK_PRE_ROUTING = 0,
	PLB_HOOK_LOCAL_IN,
	PLB_HOOK_FORWARD,
	PLB_HOOK_LOCAL_OUT,
	PLB_HOOK_POST_ROUTING,
	PLB_HOOK_POINTS		/**< number of hook points */
};

/** What a hook decides. Never mixed with -errno. */
enum plb_verdict {
	PLB_ACCEPT = 0,	/**< go on with the next hook, then the caller's path */
	PLB_DROP,	/**< stop; the caller frees the packet */
	PLB_STOLEN,	/**< stop; the hook owns the packet (sent, queued or freed it) */
	PLB_REPEAT,	/**< run the chain again from its first hook */
	PLB_STOP,	/**< accept and skip the rest of the chain */
};

/** A chain runs again at most this many times on PLB_REPEAT, then drops. */
#define PLB_HOOK_MAX_REPEAT 8

/** [fast] A hook function. @priv is the registration's priv. */
typedef enum plb_verdict (*plb_hook_fn)(void *priv, struct plb_pkt *pkt);

struct plb_hook_reg {
	const char *name;	/**< for logs and stats, e.g. "vs_in" */
	enum plb_hook_point point;
	int priority;		/**< lower runs first */
	plb_hook_fn fn;		/**< required */
	void *priv;
};

/** Ops of a HOOK module: its registrations. */
struct plb_hook_ops {
	const struct plb_hook_reg *regs;	/**< required, @n_regs entries */
	uint32_t n_regs;			/**< at least 1 */
};

/**
 * [fast] Run the chain of @point on @pkt. Returns PLB_ACCEPT (every hook
 * accepted, or one said STOP), PLB_DROP (a hook dropped it, or it repeated
 * more than PLB_HOOK_MAX_REPEAT times) or PLB_STOLEN.
 */
enum plb_verdict plb_hook_run(enum plb_hook_point point, struct plb_pkt *pkt);

#endif /* PLB_HOOK_H */
