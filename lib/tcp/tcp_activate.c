/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Takeover: a shadow (a standby's replica of another instance's TCB) becomes
 * a live connection of this stack.  It enters the 4-tuple table, its timers
 * are armed from their replicated deadlines (one already past fires at the
 * next run), the keepalive bookkeeping starts afresh, its timestamp clock
 * moves forward a little (a TSval a peer saw must not be repeated), and it
 * tells the peer it is there: the first unacknowledged segment again when
 * data is outstanding, and three ACKs of its receive point.
 */
#include "tcp_internal.h"

/* TSvals may have been sent by the old instance up to the moment it died;
 * the clocks of the two agree only within their real-time offsets. */
#define TS_STEP_MS 10

int
ns_tcp_activate(struct ns_tcp_stack *s, struct ns_tcb *c, uint64_t now)
{
	s->now = now;
	if (c->state == NS_TCP_CLOSED || c->state == NS_TCP_LISTEN ||
			ns_tcp_lookup(s, &c->t) != NULL)
		return -1;
	ns_tcp_table_insert(s, c);
	c->last_rx_ns = now;
	c->last_oow_ack_ns = 0;
	c->ka_probes = 0;
	c->ts_offset += TS_STEP_MS;
	for (int k = 0; k < NS_TCPT__N; k++) {
		uint64_t at = c->deadline[k];

		if (at != 0)
			ns_tcp_timer_arm(s, c, (enum ns_tcp_timer_kind)k, at > now ? at : now);
	}
	if (c->state == NS_TCP_TIME_WAIT) {
		ns_tcp_commit(s, c);
		return 0;
	}
	/* The peer's retransmission timer would find us in time; telling it at
	 * once that we are here saves a timeout: the first unacknowledged
	 * segment (or the SYN-ACK / FIN due), and a window update. */
	if (ns_seq_lt(c->snd_una, c->snd_max) && c->state != NS_TCP_SYN_RCVD) {
		uint32_t len = c->sndq.tail - c->snd_una;

		if (len > c->snd_mss)
			len = c->snd_mss;
		ns_tcp_send_segment(s, c, c->snd_una, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, len);
	} else {
		c->flags |= NS_TCBF_ACK_NOW;
	}
	ns_tcp_output(s, c);
	/* Two more ACKs of the same sequence: with the first, three duplicates
	 * (RFC 5681 3.2), so a peer whose last segments died with the old
	 * instance retransmits them now rather than after its timeout. */
	if (c->state == NS_TCP_ESTABLISHED || c->state == NS_TCP_CLOSE_WAIT)
		for (int i = 0; i < 2; i++)
			ns_tcp_send_segment(s, c, c->snd_nxt, RTE_TCP_ACK_FLAG, 0);
	ns_tcp_commit(s, c);
	NS_TCP_CTR(s, activated);
	return 0;
}
