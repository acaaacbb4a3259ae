/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Takeover (and its converse, ns_tcp_forget): a shadow (a standby's replica of another instance's
 * TCB) becomes a live connection of this stack.  It enters the 4-tuple table, its timers are armed
 * from their replicated deadlines (one already past fires at the next run), the keepalive
 * bookkeeping starts afresh, its timestamp clock moves forward a little (a TSval a peer saw must
 * not be repeated), and it tells the peer it is there: all unacknowledged data again (as far as the
 * windows allow), and three ACKs of its receive point.
 */
#include "tcp/tcp_internal.h"

/* TSvals may have been sent by the old instance up to the moment it died;
 * the clocks of the two agree only within their real-time offsets. */
#define TS_STEP_MS 10

void
ns_tcp_forget(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	if (c->state == NS_TCP_CLOSED)
		return;
	if (c->state == NS_TCP_SYN_RCVD && (c->flags & NS_TCBF_PASSIVE) &&
			s->listener[c->listener].n_syn_rcvd > 0)
		s->listener[c->listener].n_syn_rcvd--; /* its backlog place */
	if (ns_tcp_lookup(s, &c->t) == c)
		ns_tcp_tcb_free(s, c);
	else
		ns_tcp_shadow_free(s, c);
	NS_TCP_CTR(s, forgotten);
}

int
ns_tcp_activate(struct ns_tcp_stack *s, struct ns_tcb *c, uint64_t now, bool drained)
{
	s->now = now;
	if (c->state == NS_TCP_CLOSED || c->state == NS_TCP_LISTEN ||
			ns_tcp_lookup(s, &c->t) != NULL)
		return -1;
	ns_tcp_table_insert(s, c);
	c->last_rx_ns = now;
	c->tlp_from_ns = now;
	c->last_oow_ack_ns = 0;
	c->ka_probes = 0;
	/* Above both the old instance's clock as translated and the last TSval
	 * it replicated (the two hosts' wall clocks may disagree): a peer's PAWS
	 * (RFC 7323 5) drops segments whose TSval went back. */
	c->ts_offset += TS_STEP_MS;
	if (c->flags & NS_TCBF_TS) {
		int32_t ahead = (int32_t)(ns_tcp_tsval(s, c) - c->ts_sent);

		if (ahead < TS_STEP_MS)
			c->ts_offset += (uint32_t)(TS_STEP_MS - ahead);
	}
	/* The transmission log is not replicated: what is in flight counts as
	 * sent now. */
	ns_tcp_txlog_rebuild(c, now);
	for (int k = 0; k < NS_TCPT__N; k++) {
		uint64_t at = c->deadline[k];

		if (at != 0)
			ns_tcp_timer_arm(s, c, (enum ns_tcp_timer_kind)k, at > now ? at : now);
	}
	if (c->state == NS_TCP_TIME_WAIT || drained) {
		if (drained)
			ns_tcp_output(s, c); /* what the application queued, if any */
		ns_tcp_commit(s, c);
		NS_TCP_CTR(s, activated);
		return 0;
	}
	/* Everything unacknowledged goes again at once, as far as the windows
	 * allow (go-back-N from snd_una, cwnd kept: the path did not change).
	 * Segments the old instance still held were never sent, and waiting
	 * for the retransmission timer would stall the peer for an RTO. */
	if (ns_seq_lt(c->snd_una, c->snd_max) && c->state != NS_TCP_SYN_RCVD) {
		NS_TCB_SET(c, NS_TCBG_SND, snd_nxt, c->snd_una);
		c->rtt_seq = 0; /* Karn */
		c->dupacks = 0;
		c->flags &= ~(NS_TCBF_IN_RECOVERY | NS_TCBF_LOSS);
		c->rack_flags &= ~(NS_RACKF_TLP | NS_RACKF_TLP_RETRANS);
		ns_tcb_dirty(c, NS_TCBG_STATE | NS_TCBG_CC);
	}
	c->flags |= NS_TCBF_ACK_NOW;
	ns_tcp_output(s, c);
	/* Two more ACKs of the same sequence: with the first, three duplicates
	 * (RFC 5681 3.2), so a peer whose last segments died with the old
	 * instance retransmits them now rather than after its timeout. */
	if (c->state == NS_TCP_ESTABLISHED || c->state == NS_TCP_CLOSE_WAIT)
		for (int i = 0; i < 2; i++)
			ns_tcp_send_segment(s, c, c->snd_max, RTE_TCP_ACK_FLAG, 0);
	ns_tcp_commit(s, c);
	NS_TCP_CTR(s, activated);
	return 0;
}
