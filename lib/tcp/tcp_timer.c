/* SPDX-License-Identifier: BSD-3-Clause */
/* Timers (retransmission, delayed ACK, TIME-WAIT, keepalive, tail loss probe,
 * RACK reordering) and the RTT estimator. */
#include <stddef.h>

#include "tcp/tcp_internal.h"

void
ns_tcp_timer_arm(struct ns_tcp_stack *s, struct ns_tcb *c, enum ns_tcp_timer_kind k, uint64_t at)
{
	ns_tw_start(&s->wheel, &c->tmr[k], at);
	NS_TCB_SET(c, NS_TCBG_TIMERS, deadline[k], at);
}

void
ns_tcp_timer_stop(struct ns_tcp_stack *s, struct ns_tcb *c, enum ns_tcp_timer_kind k)
{
	if (!ns_tw_armed(&c->tmr[k]))
		return;
	ns_tw_stop(&s->wheel, &c->tmr[k]);
	NS_TCB_SET(c, NS_TCBG_TIMERS, deadline[k], 0);
}

void
ns_tcp_rto_restart(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	uint64_t rto = (uint64_t)c->rto_us << c->backoff;
	uint64_t max = (uint64_t)s->cfg.rto_max_ms * 1000;

	if (rto > max)
		rto = max;
	ns_tcp_timer_arm(s, c, NS_TCPT_RTO, s->now + rto * 1000);
}

/* RFC 6298 2.2-2.4, with clock granularity G folded into the minimum. */
void
ns_tcp_rtt_sample(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t r)
{
	uint32_t rto, min = s->cfg.rto_min_ms * 1000, max = s->cfg.rto_max_ms * 1000;

	if (r == 0)
		r = 1;
	if (c->srtt_us == 0) {
		c->srtt_us = r;
		c->rttvar_us = r / 2;
	} else {
		uint32_t delta = c->srtt_us > r ? c->srtt_us - r : r - c->srtt_us;

		c->rttvar_us = c->rttvar_us - c->rttvar_us / 4 + delta / 4; /* beta 1/4 */
		c->srtt_us = c->srtt_us - c->srtt_us / 8 + r / 8;	    /* alpha 1/8 */
	}
	rto = c->srtt_us + 4 * c->rttvar_us;
	c->rto_us = rto < min ? min : rto > max ? max : rto;
	c->backoff = 0;
	ns_tcb_dirty(c, NS_TCBG_RTT);
	ns_tcp_rack_rtt_sample(s, c, r);
}

static void
rto_fire(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	if (c->state == NS_TCP_CLOSED)
		return;
	if (c->state == NS_TCP_SYN_RCVD && (c->flags & NS_TCBF_PASSIVE) &&
			c->backoff >= s->cfg.synack_retries) {
		NS_TCP_CTR(s, synack_timed_out); /* the backlog place is freed */
		ns_tcp_drop(s, c, NS_TCPE_CLOSED);
		return;
	}
	if (c->backoff >= s->cfg.max_retries) {
		NS_TCP_CTR(s, conn_timed_out);
		ns_tcp_drop(s, c, NS_TCPE_RESET);
		return;
	}
	NS_TCP_CTR(s, rto_expired);
	c->backoff++;
	ns_tcb_dirty(c, NS_TCBG_RTT);
	c->rtt_seq = 0; /* Karn: no sample from retransmitted data */
	switch (c->state) {
	case NS_TCP_SYN_SENT:
		NS_TCP_CTR(s, retransmits);
		ns_tcp_send_segment(s, c, c->iss, RTE_TCP_SYN_FLAG, 0);
		break;
	case NS_TCP_SYN_RCVD:
		NS_TCP_CTR(s, retransmits);
		ns_tcp_send_segment(s, c, c->iss, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 0);
		break;
	default:
		/* RFC 5681 3.1: ssthresh from the algorithm (eqn 4 for NewReno); cwnd = 1 SMSS. */
		{
			uint32_t flight = c->snd_max - c->snd_una;
			uint32_t half = s->cfg.cc->ssthresh_on_rto(c, flight, s->now);

			NS_TCB_SET(c, NS_TCBG_CC, ssthresh, half);
			NS_TCB_SET(c, NS_TCBG_CC, cwnd, c->snd_mss);
			c->dupacks = 0;
			c->flags &= ~NS_TCBF_IN_RECOVERY;
			ns_tcb_dirty(c, NS_TCBG_STATE);
			ns_tcp_tlp_cancel(s, c);
			ns_tcp_timer_stop(s, c, NS_TCPT_REO);
		}
		if (c->snd_wnd == 0) {
			/* A zero window: a one-byte probe from snd_una, the rest to go
			 * again once the window opens. */
			uint32_t probe = ns_fifo_len(&c->sndq) > 0 ? 1 : 0;
			uint32_t seq = c->snd_una;

			probe = ns_tcp_send_segment(s, c, seq, RTE_TCP_ACK_FLAG, probe);
			NS_TCB_SET(c, NS_TCBG_SND, snd_nxt, seq + probe);
			ns_tcp_txlog_sent(s, c, seq, seq + probe, NS_TSEG_LOST);
			if (ns_seq_gt(c->snd_nxt, c->snd_max))
				c->snd_max = c->snd_nxt;
		} else {
			/* RFC 8985 6.3 / RFC 6675 5.1: the whole flight is lost (SACK
			 * marks forgotten first: the receiver may have reneged, RFC 2018
			 * 8), repaired from snd_una as cwnd grows again. */
			if (c->snd_una != c->snd_max) {
				ns_tcp_txlog_all_lost(c);
				c->flags |= NS_TCBF_LOSS;
				c->recover = c->snd_max;
			}
			NS_TCB_SET(c, NS_TCBG_SND, snd_nxt, c->snd_max);
			ns_tcp_output(s, c);
		}
		break;
	}
	ns_tcp_rto_restart(s, c);
}

/*
 * Keepalive (RFC 9293 3.8.4, RFC 1122 4.2.3.6): the timer is not pushed back
 * by every segment; it checks the idle time when it fires and re-arms for
 * what is left.  A probe is an ACK one below snd_una, which the peer must
 * answer with an ACK.
 */
static void
keepalive_fire(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	uint64_t idle = (uint64_t)s->cfg.keepalive_idle_ms * 1000000;
	uint64_t intvl = (uint64_t)s->cfg.keepalive_intvl_ms * 1000000;

	if (!(c->flags & NS_TCBF_KEEPALIVE) || idle == 0 ||
			(c->state != NS_TCP_ESTABLISHED && c->state != NS_TCP_CLOSE_WAIT &&
					c->state != NS_TCP_FIN_WAIT_2))
		return;
	if (ns_fifo_len(&c->sndq) != 0 || c->snd_max != c->snd_una) {
		/* Data to send or in flight: the retransmission timer watches the peer. */
		ns_tcp_timer_arm(s, c, NS_TCPT_KEEPALIVE, s->now + idle);
		return;
	}
	if (c->ka_probes == 0 && s->now - c->last_rx_ns < idle) {
		ns_tcp_timer_arm(s, c, NS_TCPT_KEEPALIVE, c->last_rx_ns + idle);
		return;
	}
	if (c->ka_probes >= s->cfg.keepalive_cnt) {
		NS_TCP_CTR(s, keepalive_drops);
		ns_tcp_drop(s, c, NS_TCPE_RESET);
		return;
	}
	NS_TCP_CTR(s, keepalive_probes);
	c->ka_probes++;
	ns_tcp_send_segment(s, c, c->snd_una - 1, RTE_TCP_ACK_FLAG, 0);
	ns_tcp_timer_arm(s, c, NS_TCPT_KEEPALIVE, s->now + intvl);
}

static void
timer_fire(struct ns_tw_timer *t, void *arg)
{
	struct ns_tcp_stack *s = arg;
	struct ns_tcb *c = (struct ns_tcb *)((char *)t - offsetof(struct ns_tcb, tmr) -
					     t->kind * sizeof(struct ns_tw_timer));

	/* Act at the time the timer was due: a late advance (a jump of a virtual
	 * clock, a busy lcore) re-arms from there, as if it had run on time. */
	s->now = t->expiry_tick * s->wheel.tick_ns;
	NS_TCB_SET(c, NS_TCBG_TIMERS, deadline[t->kind], 0);
	switch (t->kind) {
	case NS_TCPT_RTO:
		rto_fire(s, c);
		break;
	case NS_TCPT_DELACK:
		if (c->flags & NS_TCBF_DELACK) {
			NS_TCP_CTR(s, acks_delayed);
			c->flags |= NS_TCBF_ACK_NOW;
			ns_tcp_output(s, c);
		}
		break;
	case NS_TCPT_TIMEWAIT:
		ns_tcp_drop(s, c, NS_TCPE_CLOSED);
		return; /* freed */
	case NS_TCPT_KEEPALIVE:
		keepalive_fire(s, c);
		break;
	case NS_TCPT_TLP:
		ns_tcp_tlp_fire(s, c);
		break;
	case NS_TCPT_REO:
		ns_tcp_rack_reo_fire(s, c);
		break;
	default:
		break;
	}
	if (c->state != NS_TCP_CLOSED)
		ns_tcp_commit(s, c);
}

void
ns_tcp_timers(struct ns_tcp_stack *s, uint64_t now)
{
	s->now = now;
	ns_tw_advance(&s->wheel, now, timer_fire, s);
	s->now = now;
}
