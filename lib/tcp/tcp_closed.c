/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a passive close leaves behind.  RFC 9293 frees the TCB when the FIN
 * of LAST-ACK is acknowledged, and answers anything later for the tuple with
 * a RST.  If a copy of our last segment (a tail loss probe, a retransmission)
 * crossed the peer's ACK of the FIN, the peer, in TIME-WAIT, acknowledges
 * that copy once more: a duplicate that is no error, so it is dropped here
 * without a RST.  Only that exact segment is: a pure ACK at the sequence
 * numbers both sides had at the close, within a few RTOs.
 */
#include <rte_common.h>
#include <rte_tcp.h>

#include "tcp/tcp_internal.h"

/* How long the duplicate may take: twice the RTO, at least this. */
#define CLOSED_LINGER_MIN_NS 1000000000ull

void
ns_tcp_closed_note(struct ns_tcp_stack *s, const struct ns_tcb *c)
{
	struct ns_tcp_closed *set = s->closed[ns_tcp_tuple_hash(&c->t, NS_TCP_CLOSED_SETS - 1)];
	struct ns_tcp_closed *e = &set[0];
	uint64_t linger = RTE_MAX(2ull * c->rto_us * 1000, CLOSED_LINGER_MIN_NS);

	/* The same tuple's older close, else a free or expired way, else the
	 * entry that would expire first. */
	for (unsigned int w = 0; w < NS_TCP_CLOSED_WAYS; w++) {
		struct ns_tcp_closed *x = &set[w];

		if (x->until_ns != 0 && ns_tcp_tuple_eq(&x->t, &c->t)) {
			e = x;
			break;
		}
		if (x->until_ns <= s->now) {
			e = x;
			continue;
		}
		if (e->until_ns > s->now && x->until_ns < e->until_ns)
			e = x;
	}
	if (e->until_ns > s->now && !ns_tcp_tuple_eq(&e->t, &c->t))
		NS_TCP_CTR(s, closed_evicted);
	e->t = c->t;
	e->seq = c->rcv_nxt;
	e->ack = c->snd_max;
	e->until_ns = s->now + linger;
}

bool
ns_tcp_closed_absorb(struct ns_tcp_stack *s, const struct ns_tcp_tuple *t, uint32_t seq,
		uint32_t ack, uint8_t flags, uint32_t len)
{
	struct ns_tcp_closed *set = s->closed[ns_tcp_tuple_hash(t, NS_TCP_CLOSED_SETS - 1)],
			     *e = NULL;

	for (unsigned int w = 0; w < NS_TCP_CLOSED_WAYS && e == NULL; w++)
		if (set[w].until_ns != 0 && ns_tcp_tuple_eq(&set[w].t, t))
			e = &set[w];
	if (e == NULL)
		return false;
	if (s->now >= e->until_ns) {
		e->until_ns = 0;
		return false;
	}
	if (len != 0 || seq != e->seq || ack != e->ack ||
			(flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG |
						 RTE_TCP_ACK_FLAG)) != RTE_TCP_ACK_FLAG)
		return false;
	NS_TCP_CTR(s, late_dup_acks);
	return true;
}
