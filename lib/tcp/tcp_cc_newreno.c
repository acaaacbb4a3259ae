/* SPDX-License-Identifier: BSD-3-Clause */
/* NewReno window arithmetic (RFC 5681 3.1; recovery itself per RFC 6582 in tcp_input.c). */
#include "tcp_internal.h"

static void
newreno_init(struct ns_tcb *c)
{
	(void)c;
}

static void
newreno_on_ack(struct ns_tcb *c, uint32_t acked, uint32_t flight, uint64_t now)
{
	(void)now;
	if (!ns_tcp_cc_window_limited(c->cwnd, c->ssthresh, flight, c->snd_mss))
		return;
	if (c->cwnd < c->ssthresh) {
		c->cwnd += acked < c->snd_mss ? acked : c->snd_mss; /* slow start (eqn 2) */
	} else {
		uint32_t inc = (uint32_t)((uint64_t)c->snd_mss * c->snd_mss / c->cwnd);

		c->cwnd += inc ? inc : 1; /* congestion avoidance (eqn 3) */
	}
}

/* eqn 4: ssthresh = max(FlightSize / 2, 2 * SMSS) */
static uint32_t
newreno_ssthresh(struct ns_tcb *c, uint32_t flight, uint64_t now)
{
	(void)now;
	return RTE_MAX(flight / 2, 2u * c->snd_mss);
}

const struct ns_tcp_cc_ops ns_tcp_cc_newreno = {
		.name = "newreno",
		.init = newreno_init,
		.on_ack = newreno_on_ack,
		.ssthresh_on_loss = newreno_ssthresh,
		.ssthresh_on_rto = newreno_ssthresh,
};
