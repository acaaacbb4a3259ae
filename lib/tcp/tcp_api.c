/* SPDX-License-Identifier: BSD-3-Clause */
/* The application side: connect, send, recv, close, abort. */
#include "tcp/tcp_internal.h"

struct ns_tcb *
ns_tcp_connect(struct ns_tcp_stack *s, uint32_t laddr, uint32_t raddr, uint16_t rport,
		uint16_t lport, void *app, uint64_t now)
{
	struct ns_tcp_tuple t = {laddr, raddr, 0, rte_cpu_to_be_16(rport)};
	struct ns_tcb *c;

	s->now = now;
	if (lport != 0) {
		t.lport = rte_cpu_to_be_16(lport);
		if (ns_tcp_lookup(s, &t) != NULL)
			return NULL;
	} else {
		/* Ephemeral range 49152-65535 (RFC 6335), starting at a hashed offset. */
		uint32_t start = ns_tcp_isn(s, &t, now) % 16384;

		for (uint32_t i = 0; i < 16384 && t.lport == 0; i++) {
			t.lport = rte_cpu_to_be_16((uint16_t)(49152 + (start + i) % 16384));
			if (ns_tcp_lookup(s, &t) != NULL)
				t.lport = 0;
		}
		if (t.lport == 0)
			return NULL;
	}
	c = ns_tcp_tcb_alloc(s, &t);
	if (c == NULL) {
		NS_TCP_CTR(s, table_full);
		return NULL;
	}
	c->app = app;
	c->iss = ns_tcp_isn(s, &t, now);
	c->snd_mss = s->cfg.mss;
	c->rcv_wscale = s->cfg.ws ? s->cfg.wscale : 0;
	c->snd_una = c->recover = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1;
	c->sndq.head = c->sndq.tail = c->iss + 1;
	c->rto_us = s->cfg.rto_init_ms * 1000;
	c->ssthresh = UINT32_MAX;
	c->ts_offset = (uint32_t)ns_tcp_isn(s, &t, 0);
	ns_tcp_rack_init(c);
	ns_tcb_dirty(c, NS_TCBG_NEW | NS_TCBG_SND | NS_TCBG_RTT | NS_TCBG_CC | NS_TCBG_OPTS);
	ns_tcp_set_state(s, c, NS_TCP_SYN_SENT);
	/* Visible (replicated) before its SYN leaves: a standby that takes over
	 * knows every connection a peer may answer. */
	ns_tcp_commit(s, c);
	/* The SYN's options: the window scale we will use if the peer agrees. */
	ns_tcp_send_segment(s, c, c->iss, RTE_TCP_SYN_FLAG, 0);
	ns_tcp_rto_restart(s, c);
	ns_tcp_commit(s, c);
	return c;
}

static bool
can_send(const struct ns_tcb *c)
{
	return (c->state == NS_TCP_ESTABLISHED || c->state == NS_TCP_CLOSE_WAIT) &&
	       !(c->flags & NS_TCBF_FIN_QUEUED);
}

static void
sent(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	ns_tcb_dirty(c, NS_TCBG_SNDQ);
	ns_tcp_output(s, c);
	ns_tcp_commit(s, c);
}

uint32_t
ns_tcp_send(struct ns_tcp_stack *s, struct ns_tcb *c, const void *data, uint32_t len, uint64_t now)
{
	uint32_t n;

	if (!can_send(c))
		return 0;
	s->now = now;
	n = ns_fifo_write(&c->sndq, data, len);
	if (n > 0)
		sent(s, c);
	return n;
}

uint32_t
ns_tcp_send_reserve(const struct ns_tcb *c, uint8_t **buf)
{
	return can_send(c) ? ns_fifo_reserve(&c->sndq, buf) : 0;
}

uint32_t
ns_tcp_send_commit(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t len, uint64_t now)
{
	uint8_t *p;

	if (len == 0 || len > ns_tcp_send_reserve(c, &p))
		return 0;
	s->now = now;
	c->sndq.tail += len;
	sent(s, c);
	return len;
}

uint32_t
ns_tcp_recv_peek(const struct ns_tcb *c, const uint8_t **data)
{
	uint8_t *p;
	uint32_t n = ns_fifo_peek(&c->rcvq, &p);

	*data = p;
	return n;
}

uint32_t
ns_tcp_recv_consume(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t len, uint64_t now)
{
	return ns_tcp_recv(s, c, NULL, len, now);
}

uint32_t
ns_tcp_recv(struct ns_tcp_stack *s, struct ns_tcb *c, void *data, uint32_t len, uint64_t now)
{
	uint32_t before, after, n;

	s->now = now;
	before = ns_tcp_rcv_wnd(c);
	n = ns_fifo_read(&c->rcvq, data, len);
	if (n == 0)
		return 0;
	ns_tcb_dirty(c, NS_TCBG_RCVQ);
	after = ns_tcp_rcv_wnd(c);
	/* Window update once it opens by two segments or half the buffer (SWS avoidance). */
	if (c->state != NS_TCP_CLOSED && after - before >= 2u * c->snd_mss &&
			(before < c->rcvq.size / 2 || after - before >= c->rcvq.size / 2))
		c->flags |= NS_TCBF_ACK_NOW;
	ns_tcp_output(s, c);
	ns_tcp_commit(s, c);
	return n;
}

void
ns_tcp_close(struct ns_tcp_stack *s, struct ns_tcb *c, uint64_t now)
{
	s->now = now;
	switch (c->state) {
	case NS_TCP_SYN_SENT:
		ns_tcp_drop(s, c, NS_TCPE_CLOSED);
		return;
	case NS_TCP_SYN_RCVD:
	case NS_TCP_ESTABLISHED:
		c->flags |= NS_TCBF_FIN_QUEUED;
		ns_tcp_set_state(s, c, NS_TCP_FIN_WAIT_1);
		break;
	case NS_TCP_CLOSE_WAIT:
		c->flags |= NS_TCBF_FIN_QUEUED;
		ns_tcp_set_state(s, c, NS_TCP_LAST_ACK);
		break;
	default:
		return; /* already closing */
	}
	ns_tcp_output(s, c);
	ns_tcp_commit(s, c);
}

void
ns_tcp_abort(struct ns_tcp_stack *s, struct ns_tcb *c, uint64_t now)
{
	s->now = now;
	if (c->state == NS_TCP_CLOSED)
		return; /* already freed: nothing to abort */
	if (c->state != NS_TCP_SYN_SENT && c->state != NS_TCP_CLOSED &&
			c->state != NS_TCP_TIME_WAIT)
		ns_tcp_send_segment(s, c, c->snd_nxt, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 0);
	ns_tcp_drop(s, c, NS_TCPE_CLOSED);
}
