/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RACK-TLP loss detection (RFC 8985), for connections with SACK.
 *
 * RACK: a segment is lost when a segment sent after it has been delivered
 * and more than an RTT plus a reordering window has passed since it was
 * sent; time order, not sequence order, so a lost retransmission is found
 * like any other loss.  The reordering window is 0 in recovery, or once
 * three segments are SACKed, until reordering has been seen; then a quarter
 * of the minimum RTT, grown by D-SACKs (spurious retransmissions), at most
 * SRTT.  Segments not yet lost but due arm the reordering timer.
 *
 * TLP: when the tail of a flight (or its ACK) is lost there is nothing to
 * SACK and RACK cannot act; a probe 2 SRTT after the last ACK (new data if
 * the window allows, else the last segment again) draws an ACK that lets
 * RACK (or the cumulative ACK) repair the loss instead of an RTO.  A probe
 * that repaired a loss (no D-SACK said the original arrived) reduces cwnd
 * as a loss would (RFC 8985 7.4).
 *
 * The state is in the TCB (replicated with the congestion group); the
 * per-segment times are in the transmission log (tcp_txlog.c).
 */
#include "tcp/tcp_internal.h"

#define DUPTHRESH	  3
#define WCDELACKT_NS	  (200 * 1000000ull) /* worst-case delayed ACK (RFC 8985 7.2) */
#define TLP_MIN_EXTRA_NS  (2 * 1000000ull)   /* timer slack with more than one segment out */
#define MIN_RTT_WINDOW_NS (10 * 1000000000ull)

/* Was (t1, s1) sent after (t2, s2)?  Same time: the higher sequence. */
static inline bool
sent_after(uint64_t t1, uint32_t s1, uint64_t t2, uint32_t s2)
{
	return t1 > t2 || (t1 == t2 && ns_seq_gt(s1, s2));
}

void
ns_tcp_rack_init(struct ns_tcb *c)
{
	c->rack_xmit_ns = 0;
	c->rack_end_seq = c->rack_fack = c->snd_una;
	c->rack_rtt_us = c->rack_min_rtt_us = 0;
	c->rack_reo_mult = 1;
	c->rack_reo_persist = 0;
	c->rack_flags = 0;
	c->tlp_end_seq = c->snd_una;
	c->min_rtt_ns = 0;
}

void
ns_tcp_rack_rtt_sample(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t rtt_us)
{
	if (c->rack_min_rtt_us == 0 || rtt_us <= c->rack_min_rtt_us ||
			s->now - c->min_rtt_ns > MIN_RTT_WINDOW_NS) {
		c->rack_min_rtt_us = rtt_us;
		c->min_rtt_ns = s->now;
		ns_tcb_dirty(c, NS_TCBG_CC);
	}
}

/* RFC 8985 6.2 steps 2 and 3: a segment was just delivered, cumulatively or by SACK. */
void
ns_tcp_rack_delivered(struct ns_tcp_stack *s, struct ns_tcb *c, const struct ns_tcp_seg *r,
		const struct ns_tcp_opts *o)
{
	uint64_t rtt = s->now - r->xmit_ns;

	if (r->flags & NS_TSEG_EVER) {
		/* Delivered by its original transmission, not the retransmission:
		 * no RTT from it (the echoed TSval is older than the resend, or the
		 * time since the resend is below any RTT seen). */
		uint32_t tsval = (uint32_t)(r->xmit_ns / 1000000) + c->ts_offset;

		if ((c->flags & NS_TCBF_TS) && o != NULL && (o->present & NS_TCPO_TS) &&
				o->tsecr != 0 && ns_ts_lt(o->tsecr, tsval))
			return;
		if (rtt < (uint64_t)c->rack_min_rtt_us * 1000)
			return;
	}
	c->rack_rtt_us = (uint32_t)RTE_MIN(rtt / 1000, (uint64_t)UINT32_MAX);
	if (c->rack_rtt_us < c->rack_min_rtt_us || c->rack_min_rtt_us == 0) /* step 1 */
		ns_tcp_rack_rtt_sample(s, c, RTE_MAX(c->rack_rtt_us, 1u));
	if (sent_after(r->xmit_ns, r->end, c->rack_xmit_ns, c->rack_end_seq)) {
		c->rack_xmit_ns = r->xmit_ns;
		c->rack_end_seq = r->end;
	}
	if (!(r->flags & NS_TSEG_EVER))
		ns_tcp_rack_reorder_check(s, c, r->end);
	if (ns_seq_gt(r->end, c->rack_fack))
		c->rack_fack = r->end;
	ns_tcb_dirty(c, NS_TCBG_CC);
}

/*
 * A segment sent once, ending at end, was delivered: below the highest one
 * delivered before this ACK, it came out of order (RFC 8985 6.2 step 3).
 * Before this ACK, as Linux does: one ACK reports its SACK blocks (the
 * highest first) and its cumulative point together, which says nothing
 * about the order the segments arrived in.
 */
void
ns_tcp_rack_reorder_check(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t end)
{
	if (ns_seq_lt(end, s->ack_prior_fack) && !(c->rack_flags & NS_RACKF_REORDER)) {
		c->rack_flags |= NS_RACKF_REORDER;
		NS_TCP_CTR(s, rack_reordering);
	}
}

/* RFC 8985 6.2 step 4. */
static uint64_t
reo_wnd_ns(const struct ns_tcb *c)
{
	uint64_t w;

	if (!(c->rack_flags & NS_RACKF_REORDER) &&
			((c->flags & (NS_TCBF_IN_RECOVERY | NS_TCBF_LOSS)) ||
					c->txl.sacked_segs >= DUPTHRESH))
		return 0;
	w = (uint64_t)c->rack_reo_mult * c->rack_min_rtt_us * 1000 / 4;
	return RTE_MIN(w, (uint64_t)c->srtt_us * 1000);
}

/* RFC 8985 6.2 step 5: marks what is lost; returns how long until the next
 * segment not yet lost would be (0: none). */
static uint64_t
detect_loss(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	struct ns_tcp_txlog *l = &c->txl;
	uint64_t wait = 0, due = (uint64_t)c->rack_rtt_us * 1000 + reo_wnd_ns(c);

	for (uint32_t i = l->head; i != l->head + l->n; i++) {
		uint32_t start;
		const struct ns_tcp_seg *r = ns_tcp_txlog_at(c, i, &start);

		if ((r->flags & NS_TSEG_SACKED) ||
				(r->flags & (NS_TSEG_LOST | NS_TSEG_RETRANS)) == NS_TSEG_LOST)
			continue;
		if (!sent_after(c->rack_xmit_ns, c->rack_end_seq, r->xmit_ns, r->end)) {
			/* Sent after the latest delivered segment: so is everything
			 * after it that was never sent again. */
			if (!(r->flags & NS_TSEG_EVER))
				break;
			continue;
		}
		if (r->xmit_ns + due <= s->now) {
			ns_tcp_txlog_mark_lost(c, i);
			NS_TCP_CTR(s, rack_lost);
		} else {
			wait = RTE_MAX(wait, r->xmit_ns + due - s->now);
		}
	}
	return wait;
}

/* Losses found: fast recovery starts (or goes on) and repairs them. */
static void
losses_found(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	if (c->txl.lost_unsent == 0)
		return;
	if (!(c->flags & (NS_TCBF_IN_RECOVERY | NS_TCBF_LOSS)) &&
			ns_seq_geq(c->snd_una, c->recover))
		ns_tcp_recovery_enter(s, c);
}

static void
detect_and_arm(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	uint64_t wait = 0;

	/* With nothing SACKed, no recovery and no segment waiting, the
	 * cumulative ACK delivered in order: nothing sent earlier is left. */
	if (c->txl.sacked_segs == 0 && !(c->flags & (NS_TCBF_IN_RECOVERY | NS_TCBF_LOSS)) &&
			!ns_tw_armed(&c->tmr[NS_TCPT_REO]))
		return;
	if (c->txl.n > 0)
		wait = detect_loss(s, c);

	if (wait != 0)
		ns_tcp_timer_arm(s, c, NS_TCPT_REO, s->now + wait);
	else
		ns_tcp_timer_stop(s, c, NS_TCPT_REO);
	losses_found(s, c);
}

void
ns_tcp_rack_ack(struct ns_tcp_stack *s, struct ns_tcb *c, bool dsack)
{
	if (!(c->flags & NS_TCBF_SACK))
		return;
	/* RFC 8985 6.2 step 4: one D-SACK per round trip widens the window */
	if ((c->rack_flags & NS_RACKF_DSACK_ROUND) && ns_seq_geq(c->snd_una, c->rack_dsack_round))
		c->rack_flags &= ~NS_RACKF_DSACK_ROUND;
	if (dsack && !(c->rack_flags & NS_RACKF_DSACK_ROUND)) {
		c->rack_flags |= NS_RACKF_DSACK_ROUND;
		c->rack_dsack_round = c->snd_max;
		if (c->rack_reo_mult < 255)
			c->rack_reo_mult++;
		c->rack_reo_persist = 16;
	}
	ns_tcb_dirty(c, NS_TCBG_CC);
	detect_and_arm(s, c);
}

void
ns_tcp_rack_recovery_done(struct ns_tcb *c)
{
	if (c->rack_reo_persist > 0 && --c->rack_reo_persist == 0)
		c->rack_reo_mult = 1;
	ns_tcb_dirty(c, NS_TCBG_CC);
}

void
ns_tcp_rack_reo_fire(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	if (!(c->flags & NS_TCBF_SACK))
		return;
	NS_TCP_CTR(s, rack_reo_timeouts);
	detect_and_arm(s, c);
	ns_tcp_output(s, c);
}

/* --- tail loss probe (RFC 8985 7) --------------------------------------- */

/*
 * Probes are for connections with SACK, not after an RTO, at most one out.
 * RFC 8985 7.2 also keeps them out of fast recovery; here they go there
 * too: against a receiver that acknowledges a burst at once, the ACK of
 * the last burst of a recovery being lost left nothing to clock the
 * recovery out, and cost an RTO (most of the stalls of a 3 % loss run).
 * In recovery the probe is the first segment known lost and not sent
 * again, if pipe held it back.
 */
static bool
tlp_allowed(const struct ns_tcb *c)
{
	return (c->flags & NS_TCBF_SACK) && c->snd_una != c->snd_max &&
	       !(c->flags & NS_TCBF_LOSS) && !(c->rack_flags & NS_RACKF_TLP) && c->snd_wnd > 0 &&
	       (c->state == NS_TCP_ESTABLISHED || c->state == NS_TCP_CLOSE_WAIT ||
			       c->state == NS_TCP_FIN_WAIT_1 || c->state == NS_TCP_CLOSING ||
			       c->state == NS_TCP_LAST_ACK);
}

static uint64_t
pto_ns(const struct ns_tcb *c)
{
	if (c->srtt_us == 0)
		return 1000000000ull;
	return 2ull * c->srtt_us * 1000 +
	       (c->snd_max - c->snd_una <= c->snd_mss ? WCDELACKT_NS : TLP_MIN_EXTRA_NS);
}

/* Arm the probe timer for 'from' + PTO, unless the RTO comes first. */
static void
tlp_arm(struct ns_tcp_stack *s, struct ns_tcb *c, uint64_t from)
{
	uint64_t at = from + pto_ns(c);

	if (ns_tw_armed(&c->tmr[NS_TCPT_RTO]) && at >= c->deadline[NS_TCPT_RTO])
		return; /* the RTO does the job */
	ns_tcp_timer_arm(s, c, NS_TCPT_TLP, at);
}

/*
 * The PTO runs from the latest ACK that advanced snd_una or the latest
 * transmission of new data, whichever came last (RFC 8985 7.2).  Each only
 * notes its time (tlp_from_ns); the timer, when it fires early, goes on to
 * the right moment: no timer work per ACK or segment.
 */
void
ns_tcp_tlp_schedule(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	if (ns_tw_armed(&c->tmr[NS_TCPT_TLP]) || !tlp_allowed(c) ||
			ns_tw_armed(&c->tmr[NS_TCPT_REO]))
		return;
	c->tlp_from_ns = s->now;
	tlp_arm(s, c, s->now);
}

void
ns_tcp_tlp_fire(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	bool retrans = false;

	if (!tlp_allowed(c) || ns_tw_armed(&c->tmr[NS_TCPT_REO]))
		return;
	if (c->tlp_from_ns + pto_ns(c) > s->now) {
		tlp_arm(s, c, c->tlp_from_ns); /* an ACK or new data since it was armed */
		return;
	}
	/*
	 * New data if there is some and the peer's window takes it (cwnd is not
	 * asked), else the last segment again (RFC 8985 7.3): two segments of
	 * it where RFC 8985 sends one.  A receiver holds the ACK of a single
	 * in-order segment for its delayed-ACK time (40 ms on Linux, far
	 * longer than the PTO), but acknowledges two at once, and a duplicate
	 * at once: with one, every flight whose ACK was lost cost 40 ms (the
	 * loss benchmark's sender stalls at 3 %).
	 */
	if (c->txl.lost_unsent > 0) {
		ns_tcp_xmit_lost(s, c, true); /* in recovery: what pipe held back */
		retrans = true;
	} else if (ns_tcp_output_probe(s, c)) {
		ns_tcp_output_probe(s, c);
		NS_TCP_CTR(s, tlp_new_data);
	} else {
		uint32_t i = c->txl.head + c->txl.n - 1, start, end;
		const struct ns_tcp_seg *r;

		if (c->txl.n == 0)
			return;
		r = ns_tcp_txlog_at(c, i, &start);
		if (r->flags & NS_TSEG_SACKED)
			return; /* the peer has the tail: nothing to probe with */
		end = r->end;
		if (c->txl.n > 1) { /* and the one before, unless SACKed */
			r = ns_tcp_txlog_at(c, i - 1, &start);
			if (r->flags & NS_TSEG_SACKED)
				start = r->end;
		}
		ns_tcp_resend(s, c, start, end, 0, true);
		retrans = true;
	}
	NS_TCP_CTR(s, tlp_probes);
	c->tlp_end_seq = c->snd_max;
	c->rack_flags &= ~(NS_RACKF_TLP_RETRANS | NS_RACKF_TLP_IN_REC);
	c->rack_flags |= NS_RACKF_TLP;
	if (retrans)
		c->rack_flags |= NS_RACKF_TLP_RETRANS;
	if (c->flags & NS_TCBF_IN_RECOVERY)
		c->rack_flags |= NS_RACKF_TLP_IN_REC;
	ns_tcb_dirty(c, NS_TCBG_CC);
	ns_tcp_rto_restart(s, c);
}

/* RFC 8985 7.4, as Linux's tcp_process_tlp_ack: was the probe a repair? */
void
ns_tcp_tlp_ack(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t ack, bool advanced,
		bool sacked_new, const struct ns_sack_block *dsack)
{
	if (!(c->rack_flags & NS_RACKF_TLP) || ns_seq_lt(ack, c->tlp_end_seq))
		return;
	if (!(c->rack_flags & NS_RACKF_TLP_RETRANS)) {
		c->rack_flags &= ~NS_RACKF_TLP; /* new data delivered */
	} else if (dsack != NULL && ns_seq_geq(dsack->right, c->tlp_end_seq - 1) &&
			ns_seq_leq(dsack->right, c->tlp_end_seq)) {
		c->rack_flags &= ~NS_RACKF_TLP; /* the original and the probe both arrived */
	} else if (ns_seq_gt(ack, c->tlp_end_seq)) {
		/* The probe repaired a loss: the congestion response of one
		 * (not again for a probe sent in fast recovery: it had one). */
		uint32_t flight = c->snd_max - c->snd_una;

		if (!(c->rack_flags & NS_RACKF_TLP_IN_REC)) {
			c->ssthresh = s->cfg.cc->ssthresh_on_loss(c, flight, s->now);
			c->cwnd = RTE_MIN(c->cwnd, c->ssthresh);
		}
		c->rack_flags &= ~NS_RACKF_TLP;
		NS_TCP_CTR(s, tlp_recoveries);
	} else if (!advanced && !sacked_new) {
		c->rack_flags &= ~NS_RACKF_TLP; /* a pure duplicate ACK: both arrived */
	}
	ns_tcb_dirty(c, NS_TCBG_CC);
}

void
ns_tcp_tlp_cancel(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	c->rack_flags &= ~(NS_RACKF_TLP | NS_RACKF_TLP_RETRANS);
	ns_tcp_timer_stop(s, c, NS_TCPT_TLP);
	ns_tcb_dirty(c, NS_TCBG_CC);
}
