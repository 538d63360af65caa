/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding modes (fnat, nat, dr, tun): each owns its rewrite in both
 * directions and asks the protocol only for generic helpers (proto.h
 * rewrite4). A service names its mode: `fwd = "fnat"` finds fwd_fnat.so on
 * the module path. A scheduler knows no mode; a protocol carries no per-mode
 * handler.
 */
#ifndef PLB_FWD_H
#define PLB_FWD_H

#include <stdint.h>
#include <libconfig.h>
#include <plb/conn.h>
#include <plb/hook.h>
#include <plb/pkt.h>
#include <plb/svc.h>
#include <plb/worker.h>

struct plb_fwd_ops {
	/**
	 * [ctl] Optional. Check a service version that uses this mode and
	 * build the mode's per-service data (e.g. FNAT's local port pools for
	 * svc->laddrs). 0 or -errno with *err set (e.g. "fnat needs laddrs").
	 */
	int (*build)(const struct plb_svc *svc, void **table, char **err);
	/** [ctl] Optional. Free what build() made, after every worker left it. */
	void (*free)(void *table);
	/**
	 * [fast] Required. Fill the server side of a new conn of @svc (the
	 * current version, valid during the call only): laddr, lport
	 * (FNAT: a free local port whose owner is the calling worker; NAT: the
	 * client itself; DR/TUN: set PLB_CONN_F_NO_OUT). 0, or -ENOSPC when no
	 * local port is free.
	 */
	int (*conn_init)(const struct plb_svc *svc, struct plb_conn *conn,
			 const struct plb_pkt *pkt);
	/** [fast] Optional. The conn is going away: give back what conn_init took. */
	void (*conn_release)(struct plb_conn *conn);
	/**
	 * [fast] Required. Rewrite and send a client -> server packet of @conn.
	 * PLB_STOLEN when sent or queued, PLB_DROP to have the caller free it.
	 */
	enum plb_verdict (*xmit_in)(struct plb_conn *conn, struct plb_pkt *pkt);
	/** [fast] Optional (DR and TUN never see replies). Server -> client. */
	enum plb_verdict (*xmit_out)(struct plb_conn *conn, struct plb_pkt *pkt);
};

/**
 * [fast] The calling worker's next-hop cache towards @conn's real server
 * (for plb_l3_output_cached / plb_neigh_output_cached, plb/l3.h), or NULL
 * when the dest keeps no per-worker data (scheduler unit tests).
 */
static inline struct plb_nh_cache *
plb_conn_dest_nh(const struct plb_conn *conn)
{
	struct plb_dest_stats *st = conn->dest->stats;

	return st != NULL ? &st[plb_worker_id()].nh : NULL;
}

#endif /* PLB_FWD_H */
