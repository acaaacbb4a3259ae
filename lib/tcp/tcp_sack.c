/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sender side of SACK and loss repair.  The peer's SACK blocks (RFC 2018)
 * mark the transmission log (tcp_txlog.c), a first block below the ACK or
 * inside the second is a D-SACK (RFC 2883) and only informs RACK and TLP.
 * Losses are found by RACK (tcp_rack.c) with SACK, by three duplicate ACKs
 * without (RFC 6582, tcp_input.c), and by the RTO (all of the flight).
 * Repair follows RFC 6675: in fast recovery cwnd is ssthresh and segments
 * go out while pipe (what is believed in the network) leaves room, lost
 * segments first, then new data (ns_tcp_output); the first lost segment at
 * once.  Limited transmit (RFC 3042) serves connections without SACK; with
 * SACK, pipe already counts what the peer holds.
 */
#include "tcp/tcp_internal.h"

/* RFC 2883 4: the first block reports a duplicate if it lies below the
 * cumulative ACK or inside the second block. */
static bool
is_dsack(const struct ns_tcp_opts *o, uint32_t ack)
{
	const struct ns_sack_block *b = &o->sack[0];

	if (!ns_seq_lt(b->left, b->right))
		return false;
	if (ns_seq_leq(b->right, ack))
		return true;
	return o->n_sack > 1 && ns_seq_geq(b->left, o->sack[1].left) &&
	       ns_seq_leq(b->right, o->sack[1].right);
}

bool
ns_tcp_sack_update(struct ns_tcp_stack *s, struct ns_tcb *c, const struct ns_tcp_opts *o,
		uint32_t ack, struct ns_sack_block *dsack)
{
	bool changed = false;
	unsigned int b = 0;

	dsack->left = dsack->right = 0;
	if (!(c->flags & NS_TCBF_SACK) || !(o->present & NS_TCPO_SACK) || o->n_sack == 0)
		return false;
	if (is_dsack(o, ack)) {
		*dsack = o->sack[0];
		NS_TCP_CTR(s, dsack_rx);
		b = 1;
	}
	for (; b < o->n_sack; b++)
		if (ns_tcp_txlog_sack(s, c, o->sack[b].left, o->sack[b].right, o))
			changed = true;
	if (changed)
		ns_tcb_dirty(c, NS_TCBG_CC);
	return changed;
}

uint32_t
ns_tcp_resend(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t seq, uint32_t end, uint32_t how,
		bool whole)
{
	uint32_t data_end = c->sndq.tail, from = seq;

	/* [seq, end) may hold the FIN (at data_end) if it was sent. */
	while (ns_seq_lt(seq, end)) {
		uint32_t dlen = ns_seq_lt(seq, data_end) ? ns_seq_min(end, data_end) - seq : 0;
		uint32_t len = RTE_MIN(dlen, ns_tcp_seg_room(c)), sent;
		bool fin = (c->flags & NS_TCBF_FIN_SENT) && seq + len == data_end &&
			   ns_seq_gt(end, data_end);
		uint8_t flags = RTE_TCP_ACK_FLAG;

		if (seq + len == data_end && len > 0)
			flags |= RTE_TCP_PSH_FLAG;
		if (fin)
			flags |= RTE_TCP_FIN_FLAG;
		if (len == 0 && !fin)
			break; /* nothing of it is left to send */
		NS_TCP_CTR(s, retransmits);
		sent = ns_tcp_send_segment(s, c, seq, flags, len);
		seq += sent + (fin && sent == len ? 1 : 0);
		if (!whole)
			break;
	}
	ns_tcp_txlog_sent(s, c, from, seq, how);
	return seq - from;
}

void
ns_tcp_xmit_lost(struct ns_tcp_stack *s, struct ns_tcb *c, bool first)
{
	struct ns_tcp_txlog *l = &c->txl;
	uint32_t pipe = ns_tcp_pipe(c), right = c->snd_una + c->snd_wnd;

	for (uint32_t i = l->hint; i != l->head + l->n && l->lost_unsent > 0; i++) {
		uint32_t start, len;
		const struct ns_tcp_seg *r = ns_tcp_txlog_at(c, i, &start);

		if ((r->flags & (NS_TSEG_LOST | NS_TSEG_RETRANS | NS_TSEG_SACKED)) !=
				NS_TSEG_LOST) {
			if (i == l->hint)
				l->hint++; /* nothing to send before it */
			continue;
		}
		/* what a go-back-N resend (snd_nxt below snd_max) covers, it sends;
		 * nothing past the peer's window but the first segment */
		if (ns_seq_geq(start, c->snd_nxt) ||
				(start != c->snd_una && ns_seq_geq(start, right)))
			break;
		len = r->end - start;
		if (!first && pipe > 0 && pipe + RTE_MIN(len, ns_tcp_seg_room(c)) > c->cwnd)
			break;
		first = false;
		if ((c->flags & (NS_TCBF_IN_RECOVERY | NS_TCBF_SACK)) ==
				(NS_TCBF_IN_RECOVERY | NS_TCBF_SACK))
			NS_TCP_CTR(s, sack_rexmits);
		pipe += ns_tcp_resend(s, c, start, r->end, 0, true);
	}
}

/*
 * Fast recovery with SACK (RFC 6675 5, steps 4.2-4.5, loss found by RACK):
 * ssthresh from the algorithm, cwnd = ssthresh, the recovery point, and the
 * first lost segment at once whatever pipe says; the rest as pipe allows.
 */
void
ns_tcp_recovery_enter(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	uint32_t flight = c->snd_max - c->snd_una;

	c->ssthresh = s->cfg.cc->ssthresh_on_loss(c, flight, s->now);
	c->cwnd = c->ssthresh;
	c->recover = c->snd_max;
	c->flags |= NS_TCBF_IN_RECOVERY;
	ns_tcb_dirty(c, NS_TCBG_CC | NS_TCBG_STATE);
	NS_TCP_CTR(s, sack_recoveries);
	ns_tcp_tlp_cancel(s, c); /* the recovery's reduction covers the probe's loss */
	ns_tcp_xmit_lost(s, c, true);
	ns_tcp_rto_restart(s, c);
}

/* One new segment if the peer's window allows it (RFC 3042); returns its length. */
static uint32_t
send_new(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	uint32_t avail = ns_seq_lt(c->snd_nxt, c->sndq.tail) ? c->sndq.tail - c->snd_nxt : 0;
	uint32_t right = c->snd_una + c->snd_wnd;
	uint32_t room = ns_seq_gt(right, c->snd_nxt) ? right - c->snd_nxt : 0;
	uint32_t len = RTE_MIN(RTE_MIN(avail, room), ns_tcp_seg_room(c));

	if (len == 0 || ns_seq_lt(c->snd_nxt, c->snd_max))
		return 0;
	NS_TCP_CTR(s, data_segs_out);
	len = ns_tcp_send_segment(s, c, c->snd_nxt,
			RTE_TCP_ACK_FLAG | (len == avail ? RTE_TCP_PSH_FLAG : 0), len);
	ns_tcp_txlog_sent(s, c, c->snd_nxt, c->snd_nxt + len, 0);
	NS_TCB_SET(c, NS_TCBG_SND, snd_nxt, c->snd_nxt + len);
	c->snd_max = c->snd_nxt;
	return len;
}

/* RFC 3042: each of the first two duplicate ACKs may release one new segment. */
void
ns_tcp_limited_transmit(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	if (c->dupacks <= 2 && c->snd_max - c->snd_una + c->snd_mss <= c->cwnd + 2u * c->snd_mss)
		send_new(s, c);
}
