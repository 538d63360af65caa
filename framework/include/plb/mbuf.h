/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Glue between a DPDK mbuf and its parsed packet. Only for modules that touch
 * packet bytes (L3, L4, forwarding); schedulers never include this.
 */
#ifndef PLB_MBUF_H
#define PLB_MBUF_H

#include <rte_mbuf.h>
#include <plb/pkt.h>

/** [fast] The parsed packet kept in @m's private area. */
static inline struct plb_pkt *
plb_pkt_of(struct rte_mbuf *m)
{
	return (struct plb_pkt *)rte_mbuf_to_priv(m);
}

/** [fast] Pointer to the L3 header of @pkt. */
static inline void *
plb_pkt_l3(const struct plb_pkt *pkt)
{
	return rte_pktmbuf_mtod_offset(pkt->mbuf, char *, pkt->l3_off);
}

/** [fast] Pointer to the L4 header of @pkt (valid once l4_off is set). */
static inline void *
plb_pkt_l4(const struct plb_pkt *pkt)
{
	return rte_pktmbuf_mtod_offset(pkt->mbuf, char *, pkt->l4_off);
}

/** [fast] Cut the frame of @m to its first @len bytes, all in the first segment. */
static inline void
plb_mbuf_truncate(struct rte_mbuf *m, uint32_t len)
{
	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
		m->nb_segs = 1;
	}
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
}

#endif /* PLB_MBUF_H */
