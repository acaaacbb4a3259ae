/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NewReno window arithmetic (RFC 5681 3.1; recovery itself per RFC 6582 and
 * RFC 6675 in tcp_input.c and tcp_sack.c), with appropriate byte counting
 * (RFC 3465): cwnd grows by the bytes acknowledged, not by the ACKs that
 * carry them, so a receiver that acknowledges every second segment or a
 * whole burst at once (stretch ACKs) does not slow the sender down.
 *
 * cc_state[0]: bytes acknowledged in congestion avoidance since cwnd last
 * grew (RFC 3465 2.1 bytes_acked); cc_state[1]: NEWRENO_AFTER_RTO while the
 * slow start that follows a retransmission timeout lasts (RFC 3465 2.3).
 */
#include "tcp/tcp_internal.h"

#define NEWRENO_AFTER_RTO 1u

static void
newreno_init(struct ns_tcb *c)
{
	c->cc_state[0] = 0;
	c->cc_state[1] = 0;
}

static void
newreno_on_ack(struct ns_tcb *c, uint32_t acked, uint32_t flight, uint64_t now)
{
	(void)now;
	if (!ns_tcp_cc_window_limited(c->cwnd, c->ssthresh, flight, c->snd_mss))
		return;
	if (c->cwnd < c->ssthresh) {
		/* Slow start: the bytes acknowledged, at most L per ACK: L = 2 SMSS,
		 * 1 SMSS in the slow start that follows an RTO (RFC 3465 2.2, 2.3). */
		uint32_t l = (c->cc_state[1] & NEWRENO_AFTER_RTO) ? c->snd_mss : 2u * c->snd_mss;

		c->cwnd += RTE_MIN(acked, l);
		if (c->cwnd >= c->ssthresh)
			c->cc_state[1] &= ~NEWRENO_AFTER_RTO;
		return;
	}
	/* Congestion avoidance: one SMSS per cwnd bytes acknowledged (RFC 3465 2.1). */
	c->cc_state[0] += acked;
	if (c->cc_state[0] >= c->cwnd) {
		c->cc_state[0] -= c->cwnd;
		c->cwnd += c->snd_mss;
	}
}

/* eqn 4: ssthresh = max(FlightSize / 2, 2 * SMSS) */
static uint32_t
newreno_ssthresh(struct ns_tcb *c, uint32_t flight, uint64_t now)
{
	(void)now;
	c->cc_state[0] = 0;
	c->cc_state[1] &= ~NEWRENO_AFTER_RTO;
	return RTE_MAX(flight / 2, 2u * c->snd_mss);
}

static uint32_t
newreno_ssthresh_rto(struct ns_tcb *c, uint32_t flight, uint64_t now)
{
	uint32_t ssthresh = newreno_ssthresh(c, flight, now);

	c->cc_state[1] |= NEWRENO_AFTER_RTO;
	return ssthresh;
}

const struct ns_tcp_cc_ops ns_tcp_cc_newreno = {
		.name = "newreno",
		.init = newreno_init,
		.on_ack = newreno_on_ack,
		.ssthresh_on_loss = newreno_ssthresh,
		.ssthresh_on_rto = newreno_ssthresh_rto,
};
