/* SPDX-License-Identifier: BSD-3-Clause */
/* Segment construction and the send decision (what the windows allow). */
#include <string.h>

#include "tcp/tcp_internal.h"
#include "tcp/tcp_options.h"

/*
 * The receive window.  With window scaling the field counts units of
 * 2^scale bytes; the right edge offered (rcv_nxt + window) must not move
 * left (RFC 7323 2.4, RFC 9293 3.8.6.2.1) and must not lie past the buffer
 * (we would have to drop what the peer sends there, and a standby, whose
 * copy of the buffer is as large, could not hold it).  Rounding the room
 * down keeps the edge in the buffer; the promise already made, rounded up,
 * keeps it from retreating.  The two conflict only when a promise lies in
 * the last unit of the buffer: so the room offered leaves 16 units (at most
 * a 16th of the buffer) aside, which a promise rounded up again and again
 * while the application does not read can grow into.  When even that is
 * used up the edge steps back by less than a unit (tcp.rcv_wnd_capped).
 * A SYN's window is never scaled: the room offered, at most 65535.
 */
static uint32_t
rcv_slack(const struct ns_tcb *c)
{
	return c->rcv_wscale == 0 ? 0 : RTE_MIN(16u << c->rcv_wscale, c->rcvq.size / 16);
}

/* The window field of a segment (SYN or not); *capped: the edge stepped back. */
static uint16_t
wnd_field(const struct ns_tcb *c, bool syn, bool *capped)
{
	uint32_t room = ns_fifo_room(&c->rcvq), slack = rcv_slack(c);
	uint32_t offer = room > slack ? room - slack : 0;
	uint32_t promised = ns_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t w, hi, sc = syn ? 0 : c->rcv_wscale;

	*capped = false;
	w = RTE_MAX(offer >> sc, (promised + (1u << sc) - 1) >> sc);
	hi = room >> sc;
	if (w > hi) {
		*capped = true;
		w = hi;
	}
	return (uint16_t)RTE_MIN(w, 65535u);
}

uint32_t
ns_tcp_rcv_wnd(const struct ns_tcb *c)
{
	bool capped;

	return (uint32_t)wnd_field(c, false, &capped) << c->rcv_wscale;
}

static unsigned int
build_opts(struct ns_tcp_stack *s, struct ns_tcb *c, uint8_t flags, uint8_t *buf)
{
	struct ns_tcp_opts o = {0};

	if (flags & RTE_TCP_SYN_FLAG) {
		bool passive = (c->flags & NS_TCBF_PASSIVE) != 0;

		o.present |= NS_TCPO_MSS;
		o.mss = s->cfg.mss;
		/* A SYN offers what we support; a SYN-ACK only what the peer offered. */
		if (passive ? (c->flags & NS_TCBF_WS) : s->cfg.ws) {
			o.present |= NS_TCPO_WS;
			o.wscale = c->rcv_wscale;
		}
		if (passive ? (c->flags & NS_TCBF_SACK) : s->cfg.sack)
			o.present |= NS_TCPO_SACK_OK;
		if (passive ? (c->flags & NS_TCBF_TS) : s->cfg.ts)
			o.present |= NS_TCPO_TS;
	} else {
		if (c->flags & NS_TCBF_TS)
			o.present |= NS_TCPO_TS;
		if ((c->flags & NS_TCBF_SACK) && (c->rq.n > 0 || c->rq.has_dsack) &&
				(flags & RTE_TCP_ACK_FLAG)) {
			/* D-SACK, then most recent first; the writer keeps what fits */
			o.n_sack = (uint8_t)ns_tcp_reass_blocks(c, o.sack, NS_TCP_MAX_SACK);
			o.present |= NS_TCPO_SACK;
			if (c->rq.has_dsack) { /* reported once */
				c->rq.has_dsack = 0;
				NS_TCP_CTR(s, dsack_sent);
			}
		}
	}
	if (o.present & NS_TCPO_TS) {
		o.tsval = ns_tcp_tsval(s, c);
		c->ts_sent = o.tsval; /* replicated: a takeover goes on above it */
		o.tsecr = (flags & RTE_TCP_ACK_FLAG) ? c->ts_recent : 0;
	}
	return ns_tcp_opts_write(&o, buf);
}

/*
 * Payload room of a data segment (RFC 9293 3.7.1), with SACK blocks to send
 * (ns_tcp_seg_room is SMSS without): the effective MSS (the
 * peer's, or ours if smaller: snd_mss plus the timestamps taken out of it)
 * less the options build_opts writes on it: timestamps (12 bytes) and the
 * SACK blocks the receive side reports (4 + 8 per block, three at most next
 * to timestamps, four without).
 */
uint32_t
ns_tcp_seg_room_sack(const struct ns_tcb *c)
{
	uint32_t mss = c->snd_mss, opts = 0;

	if (c->flags & NS_TCBF_TS) {
		mss += 12;
		opts = 12;
	}
	if ((c->flags & NS_TCBF_SACK) && (c->rq.n > 0 || c->rq.has_dsack)) {
		struct ns_sack_block b[NS_TCP_MAX_SACK];
		unsigned int n = ns_tcp_reass_blocks(c, b, (NS_TCP_OPT_SPACE - opts - 4) / 8);

		if (n > 0)
			opts += 4 + 8 * n;
	}
	return mss - opts;
}

static void
fill_ip(struct ns_tcp_stack *s, struct rte_ipv4_hdr *ip, uint32_t src, uint32_t dst, uint16_t tot)
{
	ns_ipv4_hdr_write(ip, sizeof(*ip), 0, tot, s->ip_id++, RTE_IPV4_HDR_DF_FLAG, s->cfg.ttl,
			IPPROTO_TCP, src, dst);
}

uint32_t
ns_tcp_send_segment(
		struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t seq, uint8_t flags, uint32_t len)
{
	uint8_t opts[NS_TCP_OPT_SPACE];
	unsigned int olen = build_opts(s, c, flags, opts);
	uint32_t room = c->snd_mss + ((c->flags & NS_TCBF_TS) ? 12u : 0u) - olen;
	uint16_t tot;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint32_t wnd;
	void *handle;
	uint8_t *buf;

	/* Options and data fit the effective MSS (callers size data with
	 * ns_tcp_seg_room; this keeps every path honest).  A FIN follows the
	 * last byte only. */
	if (len > room && !(flags & RTE_TCP_SYN_FLAG)) {
		len = room;
		flags &= (uint8_t) ~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
	}
	tot = (uint16_t)(sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_tcp_hdr) + olen + len);
	buf = s->ops.tx_alloc(s->user, tot, &handle);
	if (buf == NULL) {
		NS_TCP_CTR(s, tx_alloc_failed);
		return len; /* as if lost on the way */
	}
	ip = (struct rte_ipv4_hdr *)buf;
	th = (struct rte_tcp_hdr *)(ip + 1);
	fill_ip(s, ip, c->t.laddr, c->t.raddr, tot);
	th->src_port = c->t.lport;
	th->dst_port = c->t.rport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = (flags & RTE_TCP_ACK_FLAG) ? rte_cpu_to_be_32(c->rcv_nxt) : 0;
	th->data_off = (uint8_t)((sizeof(*th) + olen) / 4) << 4;
	th->tcp_flags = flags;
	{
		bool syn = (flags & RTE_TCP_SYN_FLAG) != 0, capped;
		uint16_t w = wnd_field(c, syn, &capped);

		if (capped && (flags & RTE_TCP_ACK_FLAG))
			NS_TCP_CTR(s, rcv_wnd_capped);
		th->rx_win = rte_cpu_to_be_16(w);
		wnd = syn ? w : (uint32_t)w << c->rcv_wscale;
	}
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(th + 1, opts, olen);
	if (s->cfg.tx_csum_offload) {
		if (len != 0)
			ns_fifo_get_at(&c->sndq, seq, (uint8_t *)(th + 1) + olen, len);
		th->cksum = rte_ipv4_phdr_cksum(ip, 0);
	} else {
		/* The payload is summed while it is copied out of the send queue;
		 * the header and options, an even length, are summed after it. */
		uint16_t hl = (uint16_t)(sizeof(*th) + olen), pay = 0;

		if (len != 0)
			pay = ns_fifo_get_at_cksum(&c->sndq, seq, (uint8_t *)th + hl, len);
		th->cksum = (uint16_t)~ns_cksum_raw(
				th, hl, ns_ipv4_phdr_sum(ip, (uint16_t)(hl + len)) + pay);
	}

	if (flags & RTE_TCP_ACK_FLAG) {
		uint32_t edge = c->rcv_nxt + wnd; /* the edge the peer sees */

		if (ns_seq_gt(edge, c->rcv_adv))
			NS_TCB_SET(c, NS_TCBG_RCV, rcv_adv, edge);
		c->last_ack_sent = c->rcv_nxt;
		c->flags &= ~(NS_TCBF_ACK_NOW | NS_TCBF_DELACK);
		c->unacked_segs = 0;
		ns_tcp_timer_stop(s, c, NS_TCPT_DELACK);
	}
	if ((c->flags & NS_TCBF_FIN_SENT) && (len > 0 || (flags & RTE_TCP_FIN_FLAG)) &&
			ns_seq_lt(seq, c->snd_max))
		c->flags |= NS_TCBF_RESENT_AFTER_FIN; /* see ns_tcp_closed_note */
	NS_TCP_CTR(s, segs_out);
	if (flags & RTE_TCP_RST_FLAG)
		NS_TCP_CTR(s, rst_out);
	s->xmit_conn = c;
	s->ops.xmit(s->user, handle, tot);
	s->xmit_conn = NULL;
	return len;
}

static bool
can_send(const struct ns_tcb *c)
{
	return c->state == NS_TCP_ESTABLISHED || c->state == NS_TCP_CLOSE_WAIT ||
	       c->state == NS_TCP_FIN_WAIT_1 || c->state == NS_TCP_CLOSING ||
	       c->state == NS_TCP_LAST_ACK;
}

/*
 * What cwnd is measured against: RFC 6675's pipe (what was sent, less what
 * the peer SACKed and what is deemed lost, plus what was sent again); while
 * a go-back-N resend runs (snd_nxt below snd_max: a takeover, a window
 * probe), what it has sent so far.
 */
static uint32_t
in_flight(const struct ns_tcb *c)
{
	return ns_seq_lt(c->snd_nxt, c->snd_max) ? c->snd_nxt - c->snd_una : ns_tcp_pipe(c);
}

/* One segment from snd_nxt as the windows allow (a probe: the peer's window
 * only, and Nagle does not hold it); false when there is none to send. */
static bool
output_segment(struct ns_tcp_stack *s, struct ns_tcb *c, bool probe)
{
	uint32_t data_end = c->sndq.tail; /* sequence after the last queued byte */
	uint32_t avail = ns_seq_lt(c->snd_nxt, data_end) ? data_end - c->snd_nxt : 0;
	uint32_t flight, cw, right, usable, len = avail, room, seq = c->snd_nxt, sent;
	bool rexmit = ns_seq_lt(c->snd_nxt, c->snd_max);
	bool fin = false;
	uint8_t flags = RTE_TCP_ACK_FLAG;

	if (avail == 0 && !(c->flags & NS_TCBF_FIN_QUEUED))
		return false; /* nothing queued (a receiver's usual case) */
	flight = in_flight(c);
	cw = c->cwnd > flight ? c->cwnd - flight : 0;
	right = c->snd_una + c->snd_wnd;
	usable = ns_seq_gt(right, c->snd_nxt) ? right - c->snd_nxt : 0;
	room = ns_tcp_seg_room(c);
	if (!probe && cw < usable)
		usable = cw;
	if (len > usable)
		len = usable;
	if (len > room)
		len = room;
	/* FIN goes with (or after) the last byte, once, and is retransmitted from snd_una. */
	if ((c->flags & NS_TCBF_FIN_QUEUED) && len == avail && ns_seq_leq(c->snd_nxt, data_end) &&
			(!(c->flags & NS_TCBF_FIN_SENT) || rexmit))
		fin = true;
	if (len == 0 && !fin)
		return false;
	/* Nagle (RFC 9293 3.7.4): hold a small new segment while data is
	 * unacknowledged (never what is being sent again, nor a probe). */
	if (!probe && !fin && !rexmit && len < room && len == avail &&
			!(c->flags & NS_TCBF_NODELAY) && c->snd_nxt != c->snd_una)
		return false;
	/* Sender SWS avoidance (RFC 9293 3.8.6.2.1): no window-limited runt while
	 * data is in flight; the next ACK opens the window. */
	if (len < room && len < avail && c->snd_nxt != c->snd_una)
		return false;
	if (probe && rexmit)
		return false; /* a probe is new data only */
	if (len == avail && len > 0)
		flags |= RTE_TCP_PSH_FLAG;
	if (fin)
		flags |= RTE_TCP_FIN_FLAG;
	if (rexmit)
		NS_TCP_CTR(s, retransmits);
	else if (len > 0)
		NS_TCP_CTR(s, data_segs_out);
	if (c->rtt_seq == 0 && !(c->flags & NS_TCBF_TS) && !rexmit) {
		c->rtt_seq = c->snd_nxt; /* time this segment (Karn: never a retransmission) */
		c->rtt_start_ns = s->now;
	}
	sent = ns_tcp_send_segment(s, c, seq, flags, len);
	if (sent < len) /* cannot happen: room is what send_segment allows */
		fin = false;
	/* A go-back-N resend presumes what it sends again lost: counted once in pipe. */
	ns_tcp_txlog_sent(s, c, seq, seq + sent + (fin ? 1 : 0), NS_TSEG_LOST);
	NS_TCB_SET(c, NS_TCBG_SND, snd_nxt, seq + sent + (fin ? 1 : 0));
	if (fin)
		c->flags |= NS_TCBF_FIN_SENT;
	if (ns_seq_gt(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
	/* New data restarts the probe timeout (RFC 8985 7.2): its ACK cannot
	 * come back sooner.  A probe's own new data does not. */
	if (!rexmit && !probe)
		c->tlp_from_ns = s->now;
	if (!ns_tw_armed(&c->tmr[NS_TCPT_RTO]))
		ns_tcp_rto_restart(s, c);
	return !fin;
}

bool
ns_tcp_output_probe(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	uint32_t before = c->snd_max;

	output_segment(s, c, true);
	return c->snd_max != before;
}

void
ns_tcp_output(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	bool ok = can_send(c);

	/* Lost segments first (RFC 6675 NextSeg rule 1), then new data. */
	if (ok && c->txl.lost_unsent > 0)
		ns_tcp_xmit_lost(s, c, false);
	while (ok && output_segment(s, c, false))
		;
	/* Persist: data waits behind a zero window with nothing in flight; the RTO
	 * timer probes the window (rto_fire) so a lost window update cannot stall us. */
	if (ok && c->snd_wnd == 0 && c->snd_nxt == c->snd_una &&
			ns_seq_lt(c->snd_nxt, c->sndq.tail) && !ns_tw_armed(&c->tmr[NS_TCPT_RTO]))
		ns_tcp_rto_restart(s, c);
	if (ok && c->snd_una != c->snd_max && !ns_tw_armed(&c->tmr[NS_TCPT_TLP]))
		ns_tcp_tlp_schedule(s, c);
	/* A segment without data carries the next new sequence number, snd_max,
	 * not snd_nxt: after a timeout snd_nxt went back to snd_una, and an ACK
	 * numbered there is behind what the peer has received; the peer drops it
	 * as old with the acknowledgement it carries (with both ends in that
	 * state, neither ever hears the other's ACK). */
	if (c->flags & NS_TCBF_ACK_NOW)
		ns_tcp_send_segment(s, c, c->snd_max, RTE_TCP_ACK_FLAG, 0);
}

void
ns_tcp_send_rst_reply(struct ns_tcp_stack *s, const struct rte_ipv4_hdr *rip,
		const struct rte_tcp_hdr *rth, uint32_t seg_len)
{
	uint16_t tot = sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_tcp_hdr);
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	void *handle;
	uint8_t *buf;

	if (rth->tcp_flags & RTE_TCP_RST_FLAG)
		return; /* never answer a RST */
	buf = s->ops.tx_alloc(s->user, tot, &handle);
	if (buf == NULL) {
		NS_TCP_CTR(s, tx_alloc_failed);
		return;
	}
	ip = (struct rte_ipv4_hdr *)buf;
	th = (struct rte_tcp_hdr *)(ip + 1);
	fill_ip(s, ip, rip->dst_addr, rip->src_addr, tot);
	th->src_port = rth->dst_port;
	th->dst_port = rth->src_port;
	if (rth->tcp_flags & RTE_TCP_ACK_FLAG) {
		th->sent_seq = rth->recv_ack;
		th->recv_ack = 0;
		th->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		th->sent_seq = 0;
		th->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(rth->sent_seq) + seg_len);
		th->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	th->data_off = 5 << 4;
	th->rx_win = 0;
	th->tcp_urp = 0;
	th->cksum = 0;
	th->cksum = s->cfg.tx_csum_offload ? rte_ipv4_phdr_cksum(ip, 0) : ns_ipv4_l4_cksum(ip, th);
	NS_TCP_CTR(s, segs_out);
	NS_TCP_CTR(s, rst_out);
	s->ops.xmit(s->user, handle, tot);
}
