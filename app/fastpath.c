/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hand-off of received frames to the fast-path lcore's loop
 * (app.fastpath_loop: the [lcores] fastpath lcore's own loop, the worker
 * whose lcore it is, or worker 0).  A feature whose state lives on that loop
 * (BFD's engine, the overlay's sessions: one writer each) classifies a frame
 * on the loop that received it and, when that is another loop, hands the
 * mbuf over: each loop has a single-producer ring of its own, the fast-path
 * loop drains them all every pass and gives each frame to its feature's
 * fastpath_rx (the feature's index rides in the packet's metadata).
 * On a NIC, an rte_flow rule steering those frames to a queue of the
 * fast-path lcore would remove the hop.
 */
#include <stdio.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "feature.h"

#define HANDOFF_RING 1024

static struct rte_ring *ring[NS_MAX_LOOPS]; /* of each loop but the fast-path one */
static uint32_t n_rings;

int
ns_fastpath_init(void)
{
	char name[RTE_RING_NAMESIZE];

	for (uint32_t i = 0; i < app.n_loops; i++) {
		if ((int)i == app.fastpath_loop)
			continue;
		snprintf(name, sizeof(name), "ns_fastpath_%u", i);
		ring[i] = rte_ring_create(name, HANDOFF_RING,
				rte_lcore_to_socket_id(app.worker[i].lcore),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (ring[i] == NULL)
			return -1;
		n_rings++;
	}
	app.worker[app.fastpath_loop].drains = n_rings != 0;
	return 0;
}

void
ns_fastpath_fini(void)
{
	for (uint32_t i = 0; i < NS_MAX_LOOPS; i++) {
		struct rte_mbuf *m;

		if (ring[i] == NULL)
			continue;
		while (rte_ring_dequeue(ring[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(ring[i]);
		ring[i] = NULL;
	}
	n_rings = 0;
}

void
ns_fastpath_handoff(struct ns_worker *w, const struct ns_feature *f, struct rte_mbuf *m)
{
	ns_meta(m)->owner = f->id;
	if (rte_ring_enqueue(ring[w->idx], m) == 0) {
		w->dp_ctr[f->handoff_ctr]++;
	} else {
		w->dp_ctr[f->handoff_full_ctr]++;
		rte_pktmbuf_free(m);
	}
}

uint32_t
ns_fastpath_drain(struct ns_worker *w)
{
	uint32_t total = 0;

	for (uint32_t i = 0; i < app.n_loops; i++) {
		struct rte_mbuf *m[32];
		unsigned int n;

		if (ring[i] == NULL)
			continue;
		n = rte_ring_dequeue_burst(ring[i], (void **)m, RTE_DIM(m), NULL);
		for (unsigned int k = 0; k < n; k++)
			ns_features[ns_meta(m[k])->owner]->fastpath_rx(w, m[k]);
		total += n; /* counted in dp.rx_packets by the loop that received them */
	}
	return total;
}
