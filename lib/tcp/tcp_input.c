/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segment arrival (RFC 9293 3.10.7), with RFC 5961 (RST/SYN challenge
 * ACKs), RFC 7323 (PAWS, RTT from timestamps) and RFC 5681/6582
 * (slow start, congestion avoidance, fast retransmit, NewReno recovery).
 */
#include <string.h>

#include "tcp/tcp_internal.h"
#include "tcp/tcp_options.h"

struct seg {
	uint32_t seq, ack, len; /* len: payload only */
	uint32_t wnd;		/* unscaled */
	uint8_t flags;
	const uint8_t *data;
	struct ns_tcp_opts opt;
};

/* A passive connection leaving SYN-RECEIVED frees a place in its listener's backlog. */
static void
leave_syn_rcvd(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	if (c->state == NS_TCP_SYN_RCVD && (c->flags & NS_TCBF_PASSIVE) &&
			s->listener[c->listener].n_syn_rcvd > 0)
		s->listener[c->listener].n_syn_rcvd--;
}

void
ns_tcp_set_state(struct ns_tcp_stack *s, struct ns_tcb *c, enum ns_tcp_state st)
{
	if (st != NS_TCP_SYN_RCVD)
		leave_syn_rcvd(s, c);
	NS_TCB_SET(c, NS_TCBG_STATE, state, (uint16_t)st);
	if (st == NS_TCP_ESTABLISHED) {
		s->cfg.cc->init(c);
		c->last_rx_ns = s->now;
		if (s->cfg.keepalive_idle_ms != 0) {
			c->flags |= NS_TCBF_KEEPALIVE;
			ns_tcp_timer_arm(s, c, NS_TCPT_KEEPALIVE,
					s->now + (uint64_t)s->cfg.keepalive_idle_ms * 1000000);
		}
	}
	if (st == NS_TCP_TIME_WAIT) {
		ns_tcp_timer_stop(s, c, NS_TCPT_RTO);
		ns_tcp_timer_arm(s, c, NS_TCPT_TIMEWAIT,
				s->now + (uint64_t)s->cfg.time_wait_ms * 1000000);
	}
}

void
ns_tcp_drop(struct ns_tcp_stack *s, struct ns_tcb *c, enum ns_tcp_event why)
{
	NS_TCP_CTR(s, conn_closed);
	leave_syn_rcvd(s, c);
	/* The application hears of connections it was given (accepted or connected). */
	if (s->ops.event != NULL && c->app != NULL) {
		if (why == NS_TCPE_RESET)
			s->ops.event(s->user, c, NS_TCPE_RESET);
		s->ops.event(s->user, c, NS_TCPE_CLOSED);
	}
	ns_tcb_dirty(c, NS_TCBG_FREE);
	ns_tcp_commit(s, c);
	ns_tcp_tcb_free(s, c);
}

static void
event(struct ns_tcp_stack *s, struct ns_tcb *c, enum ns_tcp_event ev)
{
	if (s->ops.event != NULL)
		s->ops.event(s->user, c, ev);
}

/* Negotiate options from the peer's SYN or SYN-ACK. */
static void
take_syn_options(struct ns_tcp_stack *s, struct ns_tcb *c, const struct seg *g)
{
	uint16_t peer_mss = (g->opt.present & NS_TCPO_MSS) ? g->opt.mss : 536; /* RFC 9293 3.7.1 */

	c->snd_mss = peer_mss < s->cfg.mss ? peer_mss : s->cfg.mss;
	if (c->snd_mss < 64)
		c->snd_mss = 64;
	if (s->cfg.ws && (g->opt.present & NS_TCPO_WS)) {
		c->flags |= NS_TCBF_WS;
		c->snd_wscale = g->opt.wscale;
		c->rcv_wscale = s->cfg.wscale;
	} else {
		c->snd_wscale = c->rcv_wscale = 0;
	}
	if (s->cfg.ts && (g->opt.present & NS_TCPO_TS)) {
		c->flags |= NS_TCBF_TS;
		c->ts_recent = g->opt.tsval;
		/* SMSS is payload: every segment carries the 12 bytes of timestamps. */
		c->snd_mss -= 12;
	}
	if (s->cfg.sack && (g->opt.present & NS_TCPO_SACK_OK))
		c->flags |= NS_TCBF_SACK;
	ns_tcb_dirty(c, NS_TCBG_OPTS | NS_TCBG_TS);
}

static void
init_sequence(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	c->snd_una = c->recover = c->iss; /* recover: no recovery yet (RFC 6582) */
	c->snd_nxt = c->snd_max = c->iss + 1;
	c->sndq.head = c->sndq.tail = c->iss + 1; /* queue positions are sequence numbers */
	c->rto_us = s->cfg.rto_init_ms * 1000;
	c->ssthresh = UINT32_MAX;
	c->ts_offset = (uint32_t)ns_tcp_isn(
			s, &c->t, 0); /* per-connection TS offset (RFC 7323 5.4) */
	ns_tcp_rack_init(c);
	ns_tcb_dirty(c, NS_TCBG_SND | NS_TCBG_RTT | NS_TCBG_CC | NS_TCBG_NEW);
}

/* RFC 6928: IW = min(10 * MSS, max(2 * MSS, 14600)), once the MSS is known. */
static void
init_cwnd(struct ns_tcb *c)
{
	uint32_t hi = 2u * c->snd_mss > 14600 ? 2u * c->snd_mss : 14600;

	c->cwnd = 10u * c->snd_mss < hi ? 10u * c->snd_mss : hi;
}

static void
syn_received_on_listener(
		struct ns_tcp_stack *s, int li, const struct ns_tcp_tuple *t, const struct seg *g)
{
	struct ns_tcb *c = ns_tcp_tcb_alloc(s, t);

	if (c == NULL) {
		NS_TCP_CTR(s, table_full);
		return;
	}
	c->flags |= NS_TCBF_PASSIVE;
	c->listener = (uint32_t)li;
	c->iss = ns_tcp_isn(s, t, s->now);
	init_sequence(s, c);
	c->irs = g->seq;
	c->rcv_nxt = c->rcv_adv = g->seq + 1;
	c->rcvq.head = c->rcvq.tail = c->rcv_nxt;
	take_syn_options(s, c, g);
	init_cwnd(c);
	c->snd_wnd = g->wnd; /* a SYN's window is never scaled */
	c->snd_wl1 = g->seq;
	c->snd_wl2 = c->iss;
	ns_tcp_set_state(s, c, NS_TCP_SYN_RCVD);
	s->listener[li].n_syn_rcvd++;
	/* Visible (replicated) before its SYN-ACK leaves: the output hold keeps
	 * the SYN-ACK until the standby has the connection. */
	ns_tcp_commit(s, c);
	ns_tcp_send_segment(s, c, c->iss, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 0);
	ns_tcp_rto_restart(s, c);
	ns_tcp_commit(s, c);
}

/* Backlog full: answer with a cookie SYN-ACK and keep nothing (tcp_syncookie.c). */
static void
syn_cookie_reply(struct ns_tcp_stack *s, const struct ns_tcp_tuple *t, const struct seg *g)
{
	struct ns_tcb tmp;
	uint16_t peer_mss = (g->opt.present & NS_TCPO_MSS) ? g->opt.mss : 536;
	/* Window scale and SACK travel in the TSval bits: without timestamps the
	 * cookie cannot remember them, so they are not offered (a peer told of a
	 * scale we then forget would overrun our window). */
	bool ts = s->cfg.ts && (g->opt.present & NS_TCPO_TS);
	bool ws = ts && s->cfg.ws && (g->opt.present & NS_TCPO_WS);
	bool sack = ts && s->cfg.sack && (g->opt.present & NS_TCPO_SACK_OK);
	uint32_t iss = ns_tcp_cookie_make(s, t, g->seq, peer_mss);

	memset(&tmp, 0, sizeof(tmp));
	tmp.t = *t;
	tmp.flags = NS_TCBF_PASSIVE;
	tmp.irs = g->seq;
	tmp.rcv_nxt = tmp.rcv_adv = g->seq + 1;
	tmp.rcvq.size = s->cfg.rcvbuf; /* the window offered; no storage behind it */
	if (ws) {
		tmp.flags |= NS_TCBF_WS;
		tmp.rcv_wscale = s->cfg.wscale;
	}
	if (sack)
		tmp.flags |= NS_TCBF_SACK;
	if (ts) {
		uint32_t bits = ns_tcp_cookie_ts_bits(ws, g->opt.wscale, sack);

		tmp.flags |= NS_TCBF_TS;
		tmp.ts_recent = g->opt.tsval;
		tmp.ts_offset = ns_tcp_cookie_tsval(s, t, bits) - (uint32_t)(s->now / 1000000);
	}
	NS_TCP_CTR(s, syncookies_sent);
	ns_tcp_send_segment(s, &tmp, iss, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 0);
}

/*
 * An ACK for a listener and no connection: the third segment of a cookie
 * handshake if ack - 1 is a valid cookie.  Returns the connection, in
 * SYN-RECEIVED, for the ACK to complete; NULL otherwise.
 */
static struct ns_tcb *
syn_cookie_accept(struct ns_tcp_stack *s, int li, const struct ns_tcp_tuple *t, const struct seg *g)
{
	struct ns_tcb *c;
	uint16_t mss;
	uint32_t wnd0 = s->cfg.rcvbuf > 65535 ? 65535 : s->cfg.rcvbuf;

	if (!ns_tcp_cookie_check(s, t, g->seq - 1, g->ack - 1, &mss))
		return NULL;
	c = ns_tcp_tcb_alloc(s, t);
	if (c == NULL) {
		NS_TCP_CTR(s, table_full);
		return NULL;
	}
	NS_TCP_CTR(s, syncookies_ok);
	c->flags |= NS_TCBF_PASSIVE;
	c->listener = (uint32_t)li;
	c->iss = g->ack - 1;
	init_sequence(s, c);
	c->irs = g->seq - 1;
	c->rcv_nxt = g->seq;
	c->rcv_adv = g->seq + wnd0; /* what the cookie SYN-ACK offered */
	c->last_ack_sent = g->seq;
	c->rcvq.head = c->rcvq.tail = c->rcv_nxt;
	c->snd_mss = mss < s->cfg.mss ? mss : s->cfg.mss;
	if (s->cfg.ts && (g->opt.present & NS_TCPO_TS)) {
		bool ws, sack;
		uint8_t wscale;

		ns_tcp_cookie_ts_decode(g->opt.tsecr, &ws, &wscale, &sack);
		c->flags |= NS_TCBF_TS;
		c->ts_recent = g->opt.tsval;
		c->ts_offset = ns_tcp_cookie_ts_offset(s, t);
		c->snd_mss -= 12;
		if (ws && s->cfg.ws) {
			c->flags |= NS_TCBF_WS;
			c->snd_wscale = wscale;
			c->rcv_wscale = s->cfg.wscale;
		}
		if (sack && s->cfg.sack)
			c->flags |= NS_TCBF_SACK;
	}
	ns_tcb_dirty(c, NS_TCBG_OPTS | NS_TCBG_TS | NS_TCBG_RCV);
	init_cwnd(c);
	c->snd_wl1 = g->seq;
	c->snd_wl2 = c->iss;
	ns_tcp_set_state(s, c, NS_TCP_SYN_RCVD);
	s->listener[li].n_syn_rcvd++;
	return c;
}

/*
 * ACK throttling: replies to out-of-window segments without data (and
 * challenge ACKs) at most once per oow_ack_interval_ms per connection, so
 * that two ends disagreeing on a window cannot ACK each other in a loop.
 */
static bool
oow_ack_allowed(struct ns_tcp_stack *s, struct ns_tcb *c, const struct seg *g)
{
	uint64_t iv = (uint64_t)s->cfg.oow_ack_interval_ms * 1000000;

	if ((g->len > 0 || (g->flags & RTE_TCP_FIN_FLAG)) && !(g->flags & RTE_TCP_SYN_FLAG))
		return true;
	if (iv != 0 && c->last_oow_ack_ns != 0 && s->now + 1 - c->last_oow_ack_ns < iv) {
		NS_TCP_CTR(s, oow_acks_throttled);
		return false;
	}
	c->last_oow_ack_ns = s->now + 1;
	return true;
}

static void
oow_ack(struct ns_tcp_stack *s, struct ns_tcb *c, const struct seg *g)
{
	if (oow_ack_allowed(s, c, g))
		c->flags |= NS_TCBF_ACK_NOW;
}

/* RFC 5961 challenge ACK, throttled per connection and per second for the stack (7). */
static void
challenge_ack(struct ns_tcp_stack *s, struct ns_tcb *c, const struct seg *g)
{
	uint64_t sec = s->now / 1000000000;

	if (!oow_ack_allowed(s, c, g))
		return;
	if (sec != s->chack_second) {
		s->chack_second = sec;
		s->chack_count = 0;
	}
	if (s->cfg.challenge_ack_limit != 0 && ++s->chack_count > s->cfg.challenge_ack_limit) {
		NS_TCP_CTR(s, challenge_acks_throttled);
		return;
	}
	NS_TCP_CTR(s, challenge_acks);
	c->flags |= NS_TCBF_ACK_NOW;
}

/* RFC 9293 3.10.7.4 first check, on the window we advertised. */
static bool
acceptable(const struct ns_tcb *c, const struct seg *g, uint32_t seglen)
{
	uint32_t wnd = ns_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;

	if (seglen == 0)
		return wnd == 0 ? g->seq == c->rcv_nxt
				: ns_seq_in(g->seq, c->rcv_nxt, c->rcv_nxt + wnd);
	if (wnd == 0)
		/* A zero window takes no data, but a segment at rcv_nxt still
		 * carries a valid ACK (RFC 9293 3.10.7.4: "special allowance should
		 * be made to accept valid ACKs"); its text is dropped.  Without it,
		 * two ends with full queues wait for each other's ACK for ever. */
		return g->seq == c->rcv_nxt;
	return ns_seq_in(g->seq, c->rcv_nxt, c->rcv_nxt + wnd) ||
	       ns_seq_in(g->seq + seglen - 1, c->rcv_nxt, c->rcv_nxt + wnd);
}

/*
 * An RTT sample from an ACK of new data.  First choice, as Linux's
 * tcp_ack_update_rtt: the time since the oldest segment it acknowledges was
 * sent, if that segment was sent once (Karn) and not SACKed before (its
 * delivery was timed then): microseconds from the transmission log.  The
 * timestamp echo (RFC 7323 4.1) counts whole milliseconds of the TSval
 * clock: on a path of tens of microseconds every sample was 0 or 1 ms,
 * which set the probe timeout and the RTO from the clock's tick, not the
 * path.  The echo, or one timed segment per RTT without timestamps, stays
 * for ACKs the log cannot time.
 */
static void
rtt_from_ack(struct ns_tcp_stack *s, struct ns_tcb *c, const struct seg *g)
{
	if (c->txl.n > 0) {
		uint32_t start;
		const struct ns_tcp_seg *r = ns_tcp_txlog_at(c, c->txl.head, &start);

		if (ns_seq_leq(r->end, g->ack) && !(r->flags & (NS_TSEG_EVER | NS_TSEG_SACKED)) &&
				s->now >= r->xmit_ns) {
			ns_tcp_rtt_sample(s, c,
					(uint32_t)RTE_MIN((s->now - r->xmit_ns) / 1000,
							(uint64_t)UINT32_MAX));
			c->rtt_seq = 0;
			return;
		}
	}
	if ((c->flags & NS_TCBF_TS) && (g->opt.present & NS_TCPO_TS) && g->opt.tsecr != 0) {
		uint32_t ms = ns_tcp_tsval(s, c) - g->opt.tsecr;

		if (ms < 600000) /* ignore nonsense echoes */
			ns_tcp_rtt_sample(s, c, ms * 1000 + (ms == 0 ? 500 : 0));
	} else if (c->rtt_seq != 0 && ns_seq_gt(g->ack, c->rtt_seq)) {
		ns_tcp_rtt_sample(s, c, (uint32_t)((s->now - c->rtt_start_ns) / 1000));
		c->rtt_seq = 0;
	}
}

/* New data acknowledged: free it, update RTT and congestion state. */
static void
ack_advance(struct ns_tcp_stack *s, struct ns_tcb *c, const struct seg *g)
{
	uint32_t acked = g->ack - c->snd_una, flight = c->snd_max - c->snd_una;
	uint32_t data_end = c->sndq.tail;
	uint32_t data_acked = ns_seq_gt(g->ack, data_end) ? data_end - c->snd_una : acked;

	if (ns_seq_lt(c->snd_una, c->sndq.head))
		data_acked = 0; /* SYN being acknowledged: no queue bytes yet */
	ns_fifo_read(&c->sndq, NULL, data_acked);
	rtt_from_ack(s, c, g);
	ns_tcp_txlog_acked(s, c, g->ack, &g->opt); /* RACK hears of each segment */
	NS_TCB_SET(c, NS_TCBG_SND, snd_una, g->ack);
	if (ns_seq_lt(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	c->dupacks = 0;
	c->backoff = 0;

	if ((c->flags & (NS_TCBF_IN_RECOVERY | NS_TCBF_SACK)) ==
			(NS_TCBF_IN_RECOVERY | NS_TCBF_SACK)) {
		if (ns_seq_geq(g->ack, c->recover)) { /* every hole repaired (RFC 6675) */
			c->cwnd = c->ssthresh;
			c->flags &= ~NS_TCBF_IN_RECOVERY;
			ns_tcp_rack_recovery_done(c);
		} /* partial ACK: RACK and pipe drive the next retransmissions */
	} else if (c->flags & NS_TCBF_IN_RECOVERY) {
		if (ns_seq_geq(g->ack, c->recover)) { /* full ACK: leave recovery (RFC 6582 3.2 step
							 3) */
			uint32_t left = c->snd_max - g->ack;
			uint32_t w = left + c->snd_mss < c->ssthresh ? left + c->snd_mss
								     : c->ssthresh;

			c->cwnd = w;
			c->flags &= ~NS_TCBF_IN_RECOVERY;
		} else { /* partial ACK: retransmit the next hole, deflate */
			ns_tcp_resend(s, c, g->ack,
					ns_seq_min(g->ack + ns_tcp_seg_room(c), c->snd_max),
					NS_TSEG_LOST, false);
			c->cwnd = c->cwnd > acked ? c->cwnd - acked + c->snd_mss : c->snd_mss;
		}
	} else if (data_acked > 0) {
		s->cfg.cc->on_ack(c, data_acked, flight, s->now);
	}
	if ((c->flags & NS_TCBF_LOSS) && ns_seq_geq(g->ack, c->recover)) {
		c->flags &= ~NS_TCBF_LOSS; /* what the RTO found lost is repaired */
		ns_tcp_rack_recovery_done(c);
	}
	ns_tcb_dirty(c, NS_TCBG_CC | NS_TCBG_SNDQ | NS_TCBG_RTT | NS_TCBG_STATE);
	c->tlp_from_ns = s->now; /* the probe timer counts from here */
	if (c->snd_una == c->snd_max)
		ns_tcp_timer_stop(s, c, NS_TCPT_RTO);
	else
		ns_tcp_rto_restart(s, c);
	/* Space freed, or everything including our FIN acknowledged (the sender's
	 * application learns that its data arrived). */
	if (data_acked > 0 || (c->snd_una == c->snd_max && (c->flags & NS_TCBF_FIN_SENT)))
		event(s, c, NS_TCPE_WRITABLE);
}

/*
 * A duplicate ACK.  With SACK its blocks did the work (RACK finds losses,
 * pipe lets new data out as limited transmit would).  Without: limited
 * transmit, and NewReno's fast retransmit and recovery (RFC 6582).
 */
static void
dup_ack(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	NS_TCP_CTR(s, dup_acks);
	c->dupacks++;
	ns_tcb_dirty(c, NS_TCBG_CC);
	if ((c->flags & NS_TCBF_SACK) || (c->flags & NS_TCBF_LOSS))
		return;
	if (c->flags & NS_TCBF_IN_RECOVERY) {
		c->cwnd += c->snd_mss; /* inflate for each segment that left the network */
		return;
	}
	if (c->dupacks < 3) {
		ns_tcp_limited_transmit(s, c);
		return;
	}
	if (c->dupacks == 3 && ns_seq_gt(c->snd_una, c->recover - 1)) {
		uint32_t flight = c->snd_max - c->snd_una;
		uint32_t half = s->cfg.cc->ssthresh_on_loss(c, flight, s->now);

		c->ssthresh = half;
		c->recover = c->snd_max;
		c->cwnd = half + 3u * c->snd_mss;
		c->flags |= NS_TCBF_IN_RECOVERY;
		ns_tcp_resend(s, c, c->snd_una,
				ns_seq_min(c->snd_una + ns_tcp_seg_room(c), c->snd_max),
				NS_TSEG_LOST, false);
		ns_tcp_rto_restart(s, c);
	}
}

static bool
our_fin_acked(const struct ns_tcb *c)
{
	return (c->flags & NS_TCBF_FIN_SENT) && c->snd_una == c->snd_max;
}

static void
established_input(struct ns_tcp_stack *s, struct ns_tcb *c, struct seg *g)
{
	uint32_t seglen = g->len + ((g->flags & RTE_TCP_SYN_FLAG) ? 1 : 0) +
			  ((g->flags & RTE_TCP_FIN_FLAG) ? 1 : 0);
	/* RFC 7323 4.3: TS.Recent follows the segment at the left edge of what our
	 * last ACK acknowledged; with a delayed ACK pending, that is the earlier
	 * segment, not the latest. */
	uint32_t last_ack_sent = c->last_ack_sent;
	struct ns_sack_block dsack;
	uint32_t una_before;
	bool sack_new;

	/* The peer's SYN again in SYN-RECEIVED: our SYN-ACK was lost; send it again.
	 * (Its sequence number is below the window, which RFC 9293 3.10.7.4 would
	 * answer with a bare ACK the peer in SYN-SENT discards: the handshake would
	 * then wait for our retransmission timer.) */
	if (c->state == NS_TCP_SYN_RCVD && g->seq == c->irs &&
			(g->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) ==
					RTE_TCP_SYN_FLAG) {
		ns_tcp_send_segment(s, c, c->iss, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 0);
		return;
	}
	/* TIME-WAIT: the peer's FIN again (our ACK was lost): ACK it and restart
	 * 2 MSL (RFC 9293 3.10.7.4).  It sits just below the window, where the
	 * sequence test alone would ACK it without the restart. */
	if (c->state == NS_TCP_TIME_WAIT && (g->flags & RTE_TCP_FIN_FLAG) &&
			!(g->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)) &&
			g->seq + g->len + 1 == c->rcv_nxt) {
		ns_tcp_set_state(s, c, NS_TCP_TIME_WAIT);
		c->flags |= NS_TCBF_ACK_NOW;
		return;
	}
	/* Simultaneous open: the peer's SYN-ACK repeats its SYN's sequence number
	 * (RFC 9293 figure 7, line 6); its ACK of our SYN completes the handshake. */
	if (c->state == NS_TCP_SYN_RCVD && !(c->flags & NS_TCBF_PASSIVE) && g->seq == c->irs &&
			(g->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) ==
					(RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG) &&
			g->ack == c->snd_max) {
		g->flags &= (uint8_t)~RTE_TCP_SYN_FLAG;
		g->seq = c->irs + 1;
		seglen = g->len + ((g->flags & RTE_TCP_FIN_FLAG) ? 1 : 0);
	}
	/* PAWS (RFC 7323 5.3) */
	if ((c->flags & NS_TCBF_TS) && (g->opt.present & NS_TCPO_TS) &&
			!(g->flags & RTE_TCP_RST_FLAG) && ns_ts_lt(g->opt.tsval, c->ts_recent)) {
		NS_TCP_CTR(s, not_acceptable);
		oow_ack(s, c, g);
		return;
	}
	if (!acceptable(c, g, seglen)) {
		NS_TCP_CTR(s, not_acceptable);
		if (g->flags & RTE_TCP_RST_FLAG)
			return;
		/* Old data again (its ACK was lost): the ACK reports it (RFC 2883 4.1.1). */
		if (g->len > 0 && ns_seq_leq(g->seq + g->len, c->rcv_nxt))
			ns_tcp_dsack_note(c, g->seq, g->seq + g->len);
		oow_ack(s, c, g);
		return;
	}
	c->last_rx_ns = s->now; /* keepalive: the peer is alive */
	c->ka_probes = 0;
	/* RST (RFC 5961 3.2): exact match resets, anything else in window is challenged. */
	if (g->flags & RTE_TCP_RST_FLAG) {
		if (g->seq != c->rcv_nxt) {
			challenge_ack(s, c, g);
			return;
		}
		NS_TCP_CTR(s, conn_reset_rx);
		if (c->state == NS_TCP_SYN_RCVD && (c->flags & NS_TCBF_PASSIVE))
			ns_tcp_drop(s, c, NS_TCPE_CLOSED); /* back to LISTEN: the listener stays */
		else if (c->state == NS_TCP_TIME_WAIT || c->state == NS_TCP_CLOSING ||
				c->state == NS_TCP_LAST_ACK)
			ns_tcp_drop(s, c, NS_TCPE_CLOSED);
		else
			ns_tcp_drop(s, c, NS_TCPE_RESET);
		return;
	}
	/* SYN in a synchronized state (RFC 5961 4.2). */
	if (g->flags & RTE_TCP_SYN_FLAG) {
		NS_TCP_CTR(s, syn_in_window);
		challenge_ack(s, c, g);
		return;
	}
	if (!(g->flags & RTE_TCP_ACK_FLAG))
		return;

	/* Timestamps: remember the peer's TSval for echoing, before the ACK is
	 * processed so that what it triggers echoes this segment (RFC 7323 4.3, 5.3 R3). */
	if ((c->flags & NS_TCBF_TS) && (g->opt.present & NS_TCPO_TS) &&
			ns_seq_leq(g->seq, last_ack_sent) && ns_ts_geq(g->opt.tsval, c->ts_recent))
		NS_TCB_SET(c, NS_TCBG_TS, ts_recent, g->opt.tsval);

	/* ACK processing (the scoreboard first: it decides what a duplicate ACK is) */
	una_before = c->snd_una;
	s->ack_prior_fack = c->rack_fack;
	sack_new = ns_tcp_sack_update(s, c, &g->opt, g->ack, &dsack);
	if (c->state == NS_TCP_SYN_RCVD) {
		if (!ns_seq_gt(g->ack, c->snd_una) || ns_seq_gt(g->ack, c->snd_max)) {
			struct rte_ipv4_hdr ip = {.src_addr = c->t.raddr, .dst_addr = c->t.laddr};
			struct rte_tcp_hdr th = {.src_port = c->t.rport,
					.dst_port = c->t.lport,
					.recv_ack = rte_cpu_to_be_32(g->ack),
					.tcp_flags = RTE_TCP_ACK_FLAG};

			ns_tcp_send_rst_reply(s, &ip, &th, 0);
			return;
		}
		ns_tcp_set_state(s, c, NS_TCP_ESTABLISHED);
		c->snd_wnd = g->wnd << c->snd_wscale;
		c->snd_wl1 = g->seq;
		c->snd_wl2 = g->ack;
		ack_advance(s, c, g);
		if (c->flags & NS_TCBF_PASSIVE) {
			NS_TCP_CTR(s, conn_opened_passive);
			c->app = s->listener[c->listener].app;
			event(s, c, NS_TCPE_ACCEPTED);
		} else { /* simultaneous open: the application called connect() */
			NS_TCP_CTR(s, conn_opened_active);
			event(s, c, NS_TCPE_CONNECTED);
		}
		if (c->state == NS_TCP_CLOSED)
			return;
	} else if (ns_seq_gt(g->ack, c->snd_max)) {
		NS_TCP_CTR(s, bad_ack);
		oow_ack(s, c, g);
		return;
	} else if (ns_seq_gt(g->ack, c->snd_una)) {
		ack_advance(s, c, g);
	} else if (g->ack == c->snd_una && g->len == 0 && !(g->flags & RTE_TCP_FIN_FLAG) &&
			c->snd_max != c->snd_una &&
			(sack_new || (g->wnd << c->snd_wscale) == c->snd_wnd)) {
		dup_ack(s, c);
	}
	/* Window update (RFC 9293 3.10.7.4, fifth check), and, as Linux and
	 * FreeBSD do, from every ACK that advanced SND.UNA: the peer's window is
	 * relative to the ACK in the same segment, so an old retransmitted
	 * segment carrying the newest ACK also carries the newest window.
	 * Without it the right edge would become the new SND.UNA plus a stale
	 * window, past what the peer offers. */
	if (ns_seq_lt(c->snd_wl1, g->seq) ||
			(c->snd_wl1 == g->seq && ns_seq_leq(c->snd_wl2, g->ack)) ||
			ns_seq_gt(g->ack, una_before)) {
		c->snd_wnd = g->wnd << c->snd_wscale;
		c->snd_wl1 = ns_seq_max(c->snd_wl1, g->seq);
		c->snd_wl2 = g->ack;
		ns_tcb_dirty(c, NS_TCBG_SND);
	}
	if (c->state == NS_TCP_CLOSED)
		return; /* the application closed it when told of the ACK */
	/* Loss detection on what this ACK told (RFC 8985 7.4, then 6.2). */
	if (c->rack_flags & NS_RACKF_TLP)
		ns_tcp_tlp_ack(s, c, g->ack, ns_seq_gt(g->ack, una_before), sack_new,
				dsack.left != dsack.right ? &dsack : NULL);
	/* (nothing SACKed, no recovery: RACK has nothing to find) */
	if (c->txl.sacked_segs != 0 || dsack.left != dsack.right ||
			(c->flags & (NS_TCBF_IN_RECOVERY | NS_TCBF_LOSS)) ||
			(c->rack_flags & NS_RACKF_DSACK_ROUND) || ns_tw_armed(&c->tmr[NS_TCPT_REO]))
		ns_tcp_rack_ack(s, c, dsack.left != dsack.right);
	switch (c->state) {
	case NS_TCP_FIN_WAIT_1:
		if (our_fin_acked(c))
			ns_tcp_set_state(s, c, NS_TCP_FIN_WAIT_2);
		break;
	case NS_TCP_CLOSING:
		if (our_fin_acked(c))
			ns_tcp_set_state(s, c, NS_TCP_TIME_WAIT);
		break;
	case NS_TCP_LAST_ACK:
		if (our_fin_acked(c)) {
			if (c->flags & NS_TCBF_RESENT_AFTER_FIN)
				ns_tcp_closed_note(s, c); /* its copy may still draw an ACK */
			ns_tcp_drop(s, c, NS_TCPE_CLOSED);
			return;
		}
		break;
	default:
		break;
	}

	/* Segment text */
	if (g->len > 0 && (c->state == NS_TCP_ESTABLISHED || c->state == NS_TCP_FIN_WAIT_1 ||
					  c->state == NS_TCP_FIN_WAIT_2)) {
		NS_TCP_CTR(s, data_segs_in);
		if (ns_seq_lt(g->seq, c->rcv_nxt)) { /* trim what we already have */
			uint32_t dup = c->rcv_nxt - g->seq;

			ns_tcp_dsack_note(c, g->seq, g->seq + RTE_MIN(dup, g->len));
			if (dup >= g->len) {
				c->flags |= NS_TCBF_ACK_NOW;
				g->len = 0;
			} else {
				g->data += dup;
				g->len -= dup;
				g->seq = c->rcv_nxt;
			}
		}
		/* Nothing past the edge we offered (RFC 9293 3.10.7.4 trims it): the
		 * buffer, and a standby's copy of it, hold that much and no more. */
		if (g->len > 0 && ns_seq_gt(g->seq + g->len, c->rcv_adv)) {
			uint32_t keep = ns_seq_gt(c->rcv_adv, g->seq) ? c->rcv_adv - g->seq : 0;

			NS_TCP_CTR(s, rcvbuf_full);
			g->len = keep;
			g->flags &= (uint8_t)~RTE_TCP_FIN_FLAG;
			c->flags |= NS_TCBF_ACK_NOW;
		}
		if (g->len > 0 && g->seq != c->rcv_nxt) {
			/* Ahead of rcv_nxt: keep it; an immediate ACK carries SACK blocks (RFC
			 * 5681 4.2). */
			uint32_t kept = ns_tcp_reass_insert(s, c, g->seq, g->data, g->len);

			if (kept > 0)
				ns_tcb_dirty(c, NS_TCBG_RCVQ);
			/* A FIN beyond the hole is taken when the hole fills (the
			 * peer need not send it again). */
			if ((g->flags & RTE_TCP_FIN_FLAG) && kept == g->len) {
				c->rq.has_fin = 1;
				c->rq.fin_seq = g->seq + g->len;
			}
			c->flags |= NS_TCBF_ACK_NOW;
			return;
		}
		if (g->len > 0) {
			bool had_holes = c->rq.n > 0;
			uint32_t n = ns_fifo_write(&c->rcvq, g->data, g->len);

			if (n < g->len) {
				NS_TCP_CTR(s, rcvbuf_full);
				c->flags |= NS_TCBF_ACK_NOW; /* the window the peer overran */
				g->flags &= (uint8_t)~RTE_TCP_FIN_FLAG; /* the FIN is beyond what we
									   took */
			}
			s->ctr[NS_TCP_C_data_bytes_in] += n;
			if (had_holes) {
				uint32_t more = ns_tcp_reass_advance(s, c);

				s->ctr[NS_TCP_C_data_bytes_in] += more;
				n += more;
				if (more > 0)
					g->flags &= (uint8_t)~RTE_TCP_FIN_FLAG; /* FIN only in order
										 */
				c->flags |= NS_TCBF_ACK_NOW; /* a hole (partly) filled: ACK at once
							      */
			}
			NS_TCB_SET(c, NS_TCBG_RCV, rcv_nxt, c->rcv_nxt + n);
			ns_tcb_dirty(c, NS_TCBG_RCVQ);
			/* Delayed ACK (RFC 9293 3.8.6.3): at least every second full segment. */
			if (++c->unacked_segs >= 2) {
				c->flags |= NS_TCBF_ACK_NOW;
			} else if (!(c->flags & NS_TCBF_DELACK)) {
				c->flags |= NS_TCBF_DELACK;
				ns_tcp_timer_arm(s, c, NS_TCPT_DELACK,
						s->now + (uint64_t)s->cfg.delack_ms * 1000000);
			}
			event(s, c, NS_TCPE_READABLE);
			if (c->state == NS_TCP_CLOSED)
				return;
		}
	}

	/* A FIN beyond a hole waits for the hole; the segment is out of order: ACK at
	 * once (RFC 5681 4.2). */
	if ((g->flags & RTE_TCP_FIN_FLAG) && g->seq + g->len != c->rcv_nxt) {
		if (g->len == 0 && ns_seq_gt(g->seq, c->rcv_nxt)) {
			c->rq.has_fin = 1; /* a bare FIN beyond the hole */
			c->rq.fin_seq = g->seq;
		}
		c->flags |= NS_TCBF_ACK_NOW;
	}
	/* A FIN held beyond a hole that this segment filled. */
	if (c->rq.has_fin && c->rq.fin_seq == c->rcv_nxt && c->rq.n == 0) {
		c->rq.has_fin = 0;
		g->flags |= RTE_TCP_FIN_FLAG;
		g->seq = c->rcv_nxt;
		g->len = 0;
	}
	/* FIN, in order */
	if ((g->flags & RTE_TCP_FIN_FLAG) && g->seq + g->len == c->rcv_nxt) {
		switch (c->state) {
		case NS_TCP_ESTABLISHED:
			ns_tcp_set_state(s, c, NS_TCP_CLOSE_WAIT);
			break;
		case NS_TCP_FIN_WAIT_1:
			ns_tcp_set_state(
					s, c, our_fin_acked(c) ? NS_TCP_TIME_WAIT : NS_TCP_CLOSING);
			break;
		case NS_TCP_FIN_WAIT_2:
			ns_tcp_set_state(s, c, NS_TCP_TIME_WAIT);
			break;
		case NS_TCP_TIME_WAIT: /* retransmitted FIN: ACK it, restart 2 MSL */
			ns_tcp_set_state(s, c, NS_TCP_TIME_WAIT);
			c->flags |= NS_TCBF_ACK_NOW;
			return;
		default:
			return; /* CLOSE-WAIT, CLOSING, LAST-ACK: FIN already seen */
		}
		NS_TCB_SET(c, NS_TCBG_RCV, rcv_nxt, c->rcv_nxt + 1);
		c->flags |= NS_TCBF_ACK_NOW;
		event(s, c, NS_TCPE_READABLE);
	}
}

static void
syn_sent_input(struct ns_tcp_stack *s, struct ns_tcb *c, const struct seg *g)
{
	bool ack_ok = false;

	if (g->flags & RTE_TCP_ACK_FLAG) {
		if (!ns_seq_gt(g->ack, c->iss) || ns_seq_gt(g->ack, c->snd_max)) {
			if (!(g->flags & RTE_TCP_RST_FLAG)) {
				struct rte_ipv4_hdr ip = {
						.src_addr = c->t.raddr, .dst_addr = c->t.laddr};
				struct rte_tcp_hdr th = {.src_port = c->t.rport,
						.dst_port = c->t.lport,
						.recv_ack = rte_cpu_to_be_32(g->ack),
						.tcp_flags = RTE_TCP_ACK_FLAG};

				ns_tcp_send_rst_reply(s, &ip, &th, 0);
			}
			return;
		}
		ack_ok = true;
	}
	if (g->flags & RTE_TCP_RST_FLAG) {
		if (ack_ok) {
			NS_TCP_CTR(s, conn_reset_rx);
			ns_tcp_drop(s, c, NS_TCPE_RESET);
		}
		return;
	}
	if (!(g->flags & RTE_TCP_SYN_FLAG))
		return;
	c->irs = g->seq;
	c->rcv_nxt = c->rcv_adv = g->seq + 1;
	c->rcvq.head = c->rcvq.tail = c->rcv_nxt;
	take_syn_options(s, c, g);
	init_cwnd(c);
	ns_tcb_dirty(c, NS_TCBG_RCV | NS_TCBG_CC);
	if (ack_ok) {
		struct seg a = *g;

		c->snd_wnd = g->wnd << c->snd_wscale;
		c->snd_wl1 = g->seq;
		c->snd_wl2 = g->ack;
		ns_tcp_set_state(s, c, NS_TCP_ESTABLISHED);
		NS_TCP_CTR(s, conn_opened_active);
		ack_advance(s, c, &a);
		c->flags |= NS_TCBF_ACK_NOW;
		event(s, c, NS_TCPE_CONNECTED);
	} else { /* simultaneous open (RFC 9293 3.5, figure 7) */
		c->snd_wnd = g->wnd;
		c->snd_wl1 = g->seq;
		ns_tcp_set_state(s, c, NS_TCP_SYN_RCVD);
		ns_tcp_send_segment(s, c, c->iss, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 0);
	}
}

static void
tcp_input(struct ns_tcp_stack *s, const uint8_t *ipb, uint16_t ip_len, uint64_t now, bool csum_ok)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)ipb;
	uint16_t hlen = (ip->version_ihl & 0xf) * 4;
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ipb + hlen);
	uint16_t tcp_len = ip_len - hlen, doff;
	struct ns_tcp_tuple t;
	struct ns_tcb *c;
	struct seg g;

	s->now = now;
	NS_TCP_CTR(s, segs_in);
	if (ip_len < hlen + sizeof(*th)) {
		NS_TCP_CTR(s, bad_hdr);
		return;
	}
	doff = (th->data_off >> 4) * 4;
	if (doff < sizeof(*th) || doff > tcp_len ||
			(th->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) ==
					(RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG) ||
			(th->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)) ==
					(RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)) {
		NS_TCP_CTR(s, bad_hdr);
		return;
	}
	if (!csum_ok && ns_ipv4_l4_cksum_verify(ip, th) != 0) {
		NS_TCP_CTR(s, bad_cksum);
		return;
	}
	if (ns_tcp_opts_parse((const uint8_t *)(th + 1), doff - sizeof(*th), &g.opt) !=
			NS_TCPOPT_OK) {
		NS_TCP_CTR(s, bad_opts);
		return;
	}
	g.seq = rte_be_to_cpu_32(th->sent_seq);
	g.ack = rte_be_to_cpu_32(th->recv_ack);
	g.wnd = rte_be_to_cpu_16(th->rx_win);
	g.flags = th->tcp_flags;
	g.data = (const uint8_t *)th + doff;
	g.len = tcp_len - doff;

	t.laddr = ip->dst_addr;
	t.raddr = ip->src_addr;
	t.lport = th->dst_port;
	t.rport = th->src_port;
	c = ns_tcp_lookup(s, &t);
	if (c == NULL && ns_tcp_closed_absorb(s, &t, g.seq, g.ack, g.flags, g.len))
		return;
	if (c == NULL) {
		int li = ns_tcp_listener_match(s, t.laddr, t.lport);
		uint32_t seglen = g.len + ((g.flags & RTE_TCP_SYN_FLAG) ? 1 : 0) +
				  ((g.flags & RTE_TCP_FIN_FLAG) ? 1 : 0);

		if (li >= 0 && s->cfg.syncookies &&
				(g.flags & (RTE_TCP_ACK_FLAG | RTE_TCP_SYN_FLAG |
							   RTE_TCP_RST_FLAG)) == RTE_TCP_ACK_FLAG) {
			c = syn_cookie_accept(s, li, &t, &g);
			if (c != NULL)
				goto established;
			NS_TCP_CTR(s, syncookies_bad);
		}
		if (li < 0 || (g.flags & (RTE_TCP_ACK_FLAG | RTE_TCP_SYN_FLAG)) !=
						RTE_TCP_SYN_FLAG) {
			if (s->now < s->quiet_until_ns) {
				NS_TCP_CTR(s, no_conn_quiet); /* a takeover's grace period */
				return;
			}
			NS_TCP_CTR(s, no_conn);
			if (!(g.flags & RTE_TCP_RST_FLAG) &&
					(li < 0 || (g.flags & RTE_TCP_ACK_FLAG)))
				ns_tcp_send_rst_reply(s, ip, th, seglen);
			return;
		}
		if (s->listener[li].n_syn_rcvd >= s->cfg.syn_backlog || s->n_free == 0) {
			if (s->cfg.syncookies)
				syn_cookie_reply(s, &t, &g);
			else if (s->n_free == 0)
				NS_TCP_CTR(s, table_full);
			else
				NS_TCP_CTR(s, backlog_full);
			return;
		}
		syn_received_on_listener(s, li, &t, &g);
		return;
	}
established:
	if (c->state == NS_TCP_SYN_SENT)
		syn_sent_input(s, c, &g);
	else
		established_input(s, c, &g);
	if (c->state == NS_TCP_CLOSED) /* freed while processing */
		return;
	ns_tcp_output(s, c);
	ns_tcp_commit(s, c);
}

void
ns_tcp_input(struct ns_tcp_stack *s, const uint8_t *ip, uint16_t ip_len, uint64_t now)
{
	tcp_input(s, ip, ip_len, now, false);
}

void
ns_tcp_input_csum_ok(struct ns_tcp_stack *s, const uint8_t *ip, uint16_t ip_len, uint64_t now)
{
	tcp_input(s, ip, ip_len, now, true);
}
