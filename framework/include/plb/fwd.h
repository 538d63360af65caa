/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding modes (fnat, nat, dr, tun): each owns its rewrite in both
 * directions and asks the protocol only for generic helpers. A service
 * names its mode; `fwd = "fnat"` finds fwd_fnat.so on the module path.
 */
#ifndef PLB_FWD_H
#define PLB_FWD_H

#include <stdint.h>
#include <plb/conn.h>
#include <plb/hook.h>
#include <plb/pkt.h>

struct plb_fwd_ops {
	/**
	 * [fast] Required. Rewrite and send a client -> server packet of @conn.
	 * PLB_STOLEN when sent or queued, PLB_DROP to have the caller free it.
	 */
	enum plb_verdict (*xmit_in)(struct plb_conn *conn, struct plb_pkt *pkt);
	/** [fast] Optional (DR and TUN never see replies). Server -> client. */
	enum plb_verdict (*xmit_out)(struct plb_conn *conn, struct plb_pkt *pkt);
};

#endif /* PLB_FWD_H */
