/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <inttypes.h>

#include <rte_ring_elem.h>

#include "app.h"
#include "bfd_glue.h"
#include "control.h"
#include "health.h"

#define EV_RING		4096
#define HISTORY		64
#define MAX_SUBSCRIBERS 8

static struct rte_ring *ev_ring;
static struct {
	ns_health_fn fn;
	void *arg;
} subs[MAX_SUBSCRIBERS];
static unsigned int n_subs;
static struct ns_health_event history[HISTORY];
static uint64_t n_events, n_lost;

static void
keep_history(void *arg, const struct ns_health_event *e)
{
	(void)arg;
	history[n_events % HISTORY] = *e;
	n_events++;
}

static void
log_event(void *arg, const struct ns_health_event *e)
{
	(void)arg;
	NS_LOGT(app, INFO, "bfd %s: %s -> %s (diag %u)", ns_bfd_slot(e->slot)->name,
			ns_bfd_state_name(e->old_state), ns_bfd_state_name(e->new_state), e->diag);
}

int
ns_health_init(void)
{
	ev_ring = rte_ring_create_elem("ns_health_ev", sizeof(struct ns_health_event), EV_RING,
			(int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (ev_ring == NULL)
		return -1;
	ns_health_subscribe(keep_history, NULL);
	ns_health_subscribe(log_event, NULL);
	return 0;
}

void
ns_health_fini(void)
{
	rte_ring_free(ev_ring);
	ev_ring = NULL;
	n_subs = 0;
}

int
ns_health_subscribe(ns_health_fn fn, void *arg)
{
	if (n_subs == MAX_SUBSCRIBERS)
		return -1;
	subs[n_subs].fn = fn;
	subs[n_subs].arg = arg;
	n_subs++;
	return 0;
}

void
ns_health_publish(const struct ns_health_event *e)
{
	if (ev_ring == NULL ||
			rte_ring_enqueue_elem(ev_ring, (void *)(uintptr_t)e, sizeof(*e)) != 0)
		__atomic_fetch_add(&n_lost, 1, __ATOMIC_RELAXED);
}

void
ns_health_poll(void)
{
	struct ns_health_event e;

	while (ev_ring != NULL && rte_ring_dequeue_elem(ev_ring, &e, sizeof(e)) == 0)
		for (unsigned int i = 0; i < n_subs; i++)
			subs[i].fn(subs[i].arg, &e);
}

/* Health per peer, as the control plane derives it from the health table. */
int
ns_cmd_show_health(struct ns_out *o, int argc, char **argv)
{
	uint64_t now = ns_now_ns();

	(void)argc, (void)argv;
	ns_out_printf(o, "%-12s %-16s %-8s %12s %10s %12s\n", "session", "peer", "health",
			"since-s", "flaps", "last-rx-ms");
	for (uint32_t i = 0; i < ns_bfd_n_slots(); i++) {
		const struct ns_bfd_cfg *k = ns_bfd_slot(i);
		struct ns_bfd_health h;
		char peer[INET_ADDRSTRLEN];

		if (!ns_bfd_slot_health(i, &h))
			continue;
		inet_ntop(AF_INET, &k->peer, peer, sizeof(peer));
		ns_out_printf(o, "%-12s %-16s %-8s %12.1f %10u %12.1f\n", k->name, peer,
				h.state == NS_BFD_UP ? "up" : "down",
				(now - h.last_change_ns) / 1e9, h.downs,
				h.last_rx_ns ? (now - h.last_rx_ns) / 1e6 : -1.0);
	}
	return 0;
}

int
ns_cmd_show_health_events(struct ns_out *o, int argc, char **argv)
{
	uint64_t now = ns_now_ns(), first = n_events > HISTORY ? n_events - HISTORY : 0;

	(void)argc, (void)argv;
	ns_out_printf(o, "%-12s %10s %-9s %-9s %4s\n", "session", "ago-s", "from", "to", "diag");
	for (uint64_t i = first; i < n_events; i++) {
		const struct ns_health_event *e = &history[i % HISTORY];

		ns_out_printf(o, "%-12s %10.3f %-9s %-9s %4u\n", ns_bfd_slot(e->slot)->name,
				(now - e->t_ns) / 1e9, ns_bfd_state_name(e->old_state),
				ns_bfd_state_name(e->new_state), e->diag);
	}
	ns_out_printf(o, "%" PRIu64 " events, %" PRIu64 " lost (ring full)\n", n_events,
			__atomic_load_n(&n_lost, __ATOMIC_RELAXED));
	return 0;
}
