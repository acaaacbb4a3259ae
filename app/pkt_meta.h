/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nonstop's per-packet metadata: one registered mbuf dynamic field, instead
 * of fields of the mbuf that mean something else (hash.usr, the header
 * lengths of tx offloads, m->port, which stays the ethdev id the PMD wrote).
 */
#ifndef NS_PKT_META_H
#define NS_PKT_META_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

struct ns_pkt_meta {
	rte_be32_t nh;	   /* the next hop of a frame waiting to be sent (a held segment) */
	uint32_t arg;	   /* the owner's own (the overlay: its session, the copy it was) */
	uint16_t port_idx; /* the port (app.port[] index) it came in on or goes out of */
	uint8_t owner;	   /* a hand-off to the fast-path lcore: the feature it is for */
	uint8_t kind;	   /* the owner's own: what the frame is */
	uint16_t l3_off, l4_off, l4_len; /* where its headers are, when classified already */
};

/* The field's offset in the mbuf (ns_pkt_meta_register, once, at start). */
extern int ns_pkt_meta_off;

int ns_pkt_meta_register(void);

static inline struct ns_pkt_meta *
ns_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, ns_pkt_meta_off, struct ns_pkt_meta *);
}

static inline const struct ns_pkt_meta *
ns_meta_c(const struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, ns_pkt_meta_off, const struct ns_pkt_meta *);
}

#endif /* NS_PKT_META_H */
