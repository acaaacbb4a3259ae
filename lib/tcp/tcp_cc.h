/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control behind a small ops table: the loss-recovery mechanics
 * (fast retransmit, NewReno partial ACKs, SACK recovery, RTO) stay in the
 * input and timer code; an algorithm decides how cwnd grows on ACKs and what
 * ssthresh becomes on a loss.  Per-connection algorithm state lives in the
 * TCB's cc_state words (flat, replicated with the NS_TCBG_CC group).
 */
#ifndef NS_TCP_CC_H
#define NS_TCP_CC_H

#include <stdint.h>

struct ns_tcb;

struct ns_tcp_cc_ops {
	const char *name;
	/* Connection established: initial cwnd already set (RFC 6928). */
	void (*init)(struct ns_tcb *c);
	/* 'acked' new bytes acknowledged outside recovery; 'flight' were
	 * outstanding before this ACK. */
	void (*on_ack)(struct ns_tcb *c, uint32_t acked, uint32_t flight, uint64_t now);
	/* Loss detected by duplicate ACKs or SACK: returns the new ssthresh. */
	uint32_t (*ssthresh_on_loss)(struct ns_tcb *c, uint32_t flight, uint64_t now);
	/* Retransmission timeout: returns the new ssthresh (cwnd becomes 1 SMSS). */
	uint32_t (*ssthresh_on_rto)(struct ns_tcb *c, uint32_t flight, uint64_t now);
};

extern const struct ns_tcp_cc_ops ns_tcp_cc_newreno;

/* RFC 7661 4.2-style test: is the sender using the window it has?  Growth
 * of an unused window would let cwnd run away (and wrap) on long transfers
 * limited by the application or the receiver. */
static inline int
ns_tcp_cc_window_limited(uint32_t cwnd, uint32_t ssthresh, uint32_t flight, uint32_t smss)
{
	if (cwnd < ssthresh) /* slow start: grow while at least half is used */
		return flight >= cwnd / 2;
	return flight + smss >= cwnd;
}

#endif /* NS_TCP_CC_H */
