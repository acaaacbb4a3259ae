/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The [client.*] sections: connections nonstop opens when it starts, each
 * handed to its application (apps.h) as it is opened.
 */
#include <rte_random.h>

#include "app.h"
#include "apps.h"
#include "config.h"
#include "rss.h"
#include "tcp_glue.h"

/*
 * Open the [client.*] connections, paced: at most NS_CLIENT_PENDING
 * handshakes outstanding per client and worker, NS_CLIENT_BURST new ones per
 * poll, so that a large 'conns' does not overflow the transmit ring with
 * SYNs.  Every worker polling a queue of the client's port opens its share,
 * with a source port whose replies RSS brings back to one of its queues
 * (rss.h); without a known RSS table only the worker of queue 0 opens them.
 * Returns true while some remain to be opened.
 */
#define NS_CLIENT_PENDING 256
#define NS_CLIENT_BURST	  64

struct pick {
	struct ns_worker *w;
	uint16_t port_idx;
	const struct ns_client_cfg *k;
};

static bool
queue_is_mine(uint16_t q, void *arg)
{
	const struct pick *p = arg;

	for (uint16_t i = 0; i < p->w->n_rxq; i++)
		if (p->w->rxq[i].port_idx == p->port_idx && p->w->rxq[i].queue == q)
			return true;
	return false;
}

static bool
port_in_use(uint16_t lport, void *arg)
{
	const struct pick *p = arg;
	struct ns_tcp_tuple t = {p->k->src, p->k->dst, rte_cpu_to_be_16(lport),
			rte_cpu_to_be_16(p->k->dst_port)};

	return ns_tcp_lookup(&ns_tcp_of(p->w)->stack, &t) != NULL;
}

/* This worker's share of a client's connections: which of the openers it is. */
static uint32_t
share(struct ns_tcp_w *t, const struct ns_client_cfg *k)
{
	const struct ns_port *port = &app.port[k->port_idx];
	uint32_t openers = 0, me = UINT32_MAX, conns = k->conns;

	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		struct pick p = {&app.worker[i], k->port_idx, k};
		bool opens = port->rss_known ? false : queue_is_mine(0, &p);

		for (uint16_t q = 0; port->rss_known && q < app.cfg.port[k->port_idx].rxq; q++)
			opens |= queue_is_mine(q, &p);
		if (!opens)
			continue;
		if (&app.worker[i] == t->w)
			me = openers;
		openers++;
	}
	if (me == UINT32_MAX)
		return 0;
	return conns / openers + (me < conns % openers ? 1 : 0);
}

__rte_noinline bool
ns_app_start_clients(struct ns_tcp_w *t)
{
	bool more = false;

	for (uint16_t i = 0; i < app.cfg.n_clients; i++) {
		const struct ns_client_cfg *k = &app.cfg.client[i];
		struct ns_client_stats *cs = &t->cst[i];
		uint64_t pending = cs->opened - cs->connected - cs->never_up;
		uint32_t burst = 0, mine = share(t, k);
		struct pick p = {t->w, k->port_idx, k};

		while (cs->opened + cs->refused < mine && pending < NS_CLIENT_PENDING &&
				burst < NS_CLIENT_BURST) {
			uint16_t lport =
					app.port[k->port_idx].rss_known
							? ns_rss_pick_port(&app.port[k->port_idx]
											    .rss,
									  k->dst, k->src,
									  rte_cpu_to_be_16(
											  k->dst_port),
									  (uint16_t)rte_rand(),
									  queue_is_mine,
									  port_in_use, &p)
							: 0;
			struct ns_tcb *c = NULL;

			/* Attached at its first commit: its first image names them. */
			t->open_app = (uint16_t)(k->app + 1);
			t->open_client = (uint8_t)(i + 1);
			if (lport != 0 || !app.port[k->port_idx].rss_known)
				c = ns_tcp_connect(&t->stack, k->src, k->dst, k->dst_port, lport,
						(void *)(uintptr_t)k, t->w->now_ns);
			if (c != NULL && t->open_app != 0) /* no replication hook committed it */
				ns_apps_attach(t, c, k->app, (uint8_t)(i + 1));
			t->open_app = 0;
			burst++;
			if (c == NULL) {
				cs->refused++; /* no TCB or no port: counted, not retried */
				continue;
			}
			pending++;
			cs->opened++;
			if (cs->t_first_ns == 0)
				cs->t_first_ns = t->w->now_ns;
		}
		more |= cs->opened + cs->refused < mine;
	}
	return more;
}
