/* SPDX-License-Identifier: BSD-3-Clause */
/* Segment construction and the send decision (what the windows allow). */
#include <string.h>

#include "tcp_internal.h"
#include "tcp_options.h"

uint32_t
ns_tcp_rcv_wnd(const struct ns_tcb *c)
{
	uint32_t room = ns_fifo_room(&c->rcvq);
	uint32_t max = 65535u << c->rcv_wscale;
	/* Never move the advertised right edge to the left (RFC 9293 3.8.6.2.1). */
	uint32_t promised = ns_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;

	if (room < promised)
		room = promised;
	return room > max ? max : room;
}

static unsigned int
build_opts(const struct ns_tcp_stack *s, struct ns_tcb *c, uint8_t flags, uint8_t *buf)
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
		if ((c->flags & NS_TCBF_SACK) && c->n_ooo > 0 && (flags & RTE_TCP_ACK_FLAG)) {
			o.present |= NS_TCPO_SACK; /* most recent first; the writer keeps what fits
						    */
			o.n_sack = c->n_ooo;
			for (unsigned int i = 0; i < c->n_ooo; i++)
				o.sack[i] = c->ooo[i];
		}
	}
	if (o.present & NS_TCPO_TS) {
		o.tsval = ns_tcp_tsval(s, c);
		c->ts_sent = o.tsval; /* replicated: a takeover goes on above it */
		o.tsecr = (flags & RTE_TCP_ACK_FLAG) ? c->ts_recent : 0;
	}
	return ns_tcp_opts_write(&o, buf);
}

static void
fill_ip(struct ns_tcp_stack *s, struct rte_ipv4_hdr *ip, uint32_t src, uint32_t dst, uint16_t tot)
{
	ns_ipv4_hdr_write(ip, sizeof(*ip), 0, tot, s->ip_id++, RTE_IPV4_HDR_DF_FLAG, s->cfg.ttl,
			IPPROTO_TCP, src, dst);
}

void
ns_tcp_send_segment(
		struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t seq, uint8_t flags, uint32_t len)
{
	uint8_t opts[NS_TCP_OPT_SPACE];
	unsigned int olen = build_opts(s, c, flags, opts);
	uint16_t tot = (uint16_t)(sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_tcp_hdr) + olen +
				  len);
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint32_t wnd;
	void *handle;
	uint8_t *buf = s->ops.tx_alloc(s->user, tot, &handle);

	if (buf == NULL) {
		NS_TCP_CTR(s, tx_alloc_failed);
		return;
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
	wnd = ns_tcp_rcv_wnd(c);
	if (flags & RTE_TCP_SYN_FLAG)
		th->rx_win = rte_cpu_to_be_16(
				(uint16_t)(wnd > 65535 ? 65535 : wnd)); /* never scaled */
	else
		th->rx_win = rte_cpu_to_be_16((uint16_t)(wnd >> c->rcv_wscale));
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(th + 1, opts, olen);
	if (len != 0)
		ns_fifo_get_at(&c->sndq, seq, (uint8_t *)(th + 1) + olen, len);
	th->cksum = s->cfg.tx_csum_offload ? rte_ipv4_phdr_cksum(ip, 0) : ns_ipv4_l4_cksum(ip, th);

	if (flags & RTE_TCP_ACK_FLAG) {
		uint32_t edge = c->rcv_nxt +
				((flags & RTE_TCP_SYN_FLAG) ? wnd
							    : (wnd >> c->rcv_wscale << c->rcv_wscale));

		if (ns_seq_gt(edge, c->rcv_adv))
			NS_TCB_SET(c, NS_TCBG_RCV, rcv_adv, edge);
		c->last_ack_sent = c->rcv_nxt;
		c->flags &= ~(NS_TCBF_ACK_NOW | NS_TCBF_DELACK);
		c->unacked_segs = 0;
		ns_tcp_timer_stop(s, c, NS_TCPT_DELACK);
	}
	NS_TCP_CTR(s, segs_out);
	if (flags & RTE_TCP_RST_FLAG)
		NS_TCP_CTR(s, rst_out);
	s->xmit_conn = c;
	s->ops.xmit(s->user, handle, tot);
	s->xmit_conn = NULL;
}

static inline uint32_t
seg_room(const struct ns_tcb *c)
{
	return c->snd_mss;
}

void
ns_tcp_output(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	bool can_send = c->state == NS_TCP_ESTABLISHED || c->state == NS_TCP_CLOSE_WAIT ||
			c->state == NS_TCP_FIN_WAIT_1 || c->state == NS_TCP_CLOSING ||
			c->state == NS_TCP_LAST_ACK;

	while (can_send) {
		uint32_t data_end = c->sndq.tail; /* sequence after the last queued byte */
		uint32_t avail = ns_seq_lt(c->snd_nxt, data_end) ? data_end - c->snd_nxt : 0;
		uint32_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
		uint32_t right = c->snd_una + wnd;
		uint32_t usable = ns_seq_gt(right, c->snd_nxt) ? right - c->snd_nxt : 0;
		uint32_t len = avail;
		bool fin = false;
		uint8_t flags = RTE_TCP_ACK_FLAG;

		if (len > usable)
			len = usable;
		if (len > seg_room(c))
			len = seg_room(c);
		/* FIN goes with (or after) the last byte, once, and is retransmitted from snd_una.
		 */
		if ((c->flags & NS_TCBF_FIN_QUEUED) && len == avail &&
				ns_seq_leq(c->snd_nxt, data_end) &&
				(!(c->flags & NS_TCBF_FIN_SENT) ||
						ns_seq_lt(c->snd_nxt, c->snd_max)))
			fin = true;
		if (len == 0 && !fin)
			break;
		/* Nagle (RFC 9293 3.7.4): hold a small segment while data is unacknowledged. */
		if (!fin && len < seg_room(c) && len == avail && !(c->flags & NS_TCBF_NODELAY) &&
				c->snd_nxt != c->snd_una)
			break;
		/* Sender SWS avoidance (RFC 9293 3.8.6.2.1): no window-limited runt while
		 * data is in flight; the next ACK opens the window. */
		if (len < seg_room(c) && len < avail && c->snd_nxt != c->snd_una)
			break;
		if (len == avail && len > 0)
			flags |= RTE_TCP_PSH_FLAG;
		if (fin)
			flags |= RTE_TCP_FIN_FLAG;
		if (ns_seq_lt(c->snd_nxt, c->snd_max))
			NS_TCP_CTR(s, retransmits);
		else if (len > 0)
			NS_TCP_CTR(s, data_segs_out);
		if (c->rtt_seq == 0 && !(c->flags & NS_TCBF_TS) &&
				!ns_seq_lt(c->snd_nxt, c->snd_max)) {
			c->rtt_seq = c->snd_nxt; /* time this segment (Karn: never a retransmission)
						  */
			c->rtt_start_ns = s->now;
		}
		ns_tcp_send_segment(s, c, c->snd_nxt, flags, len);
		NS_TCB_SET(c, NS_TCBG_SND, snd_nxt, c->snd_nxt + len + (fin ? 1 : 0));
		if (fin)
			c->flags |= NS_TCBF_FIN_SENT;
		if (ns_seq_gt(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
		if (!ns_tw_armed(&c->tmr[NS_TCPT_RTO]))
			ns_tcp_rto_restart(s, c);
		if (fin)
			break;
	}
	/* Persist: data waits behind a zero window with nothing in flight; the RTO
	 * timer probes the window (rto_fire) so a lost window update cannot stall us. */
	if (can_send && c->snd_wnd == 0 && c->snd_nxt == c->snd_una &&
			ns_seq_lt(c->snd_nxt, c->sndq.tail) && !ns_tw_armed(&c->tmr[NS_TCPT_RTO]))
		ns_tcp_rto_restart(s, c);
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
