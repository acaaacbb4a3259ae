/* SPDX-License-Identifier: BSD-3-Clause */
/* Functions shared by the files of the TCP core. */
#ifndef NS_TCP_INTERNAL_H
#define NS_TCP_INTERNAL_H

#include <rte_ip.h>
#include <rte_tcp.h>

#include "common/ns_cksum.h"
#include "tcp/tcp_options.h"
#include "tcp/tcp_seq.h"
#include "tcp/tcp_stack.h"

#define NS_TCP_CTR(s, name) ((s)->ctr[NS_TCP_C_##name]++)
#define NS_TCP_HDR_MAX	    (sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_tcp_hdr) + 40)

static inline uint32_t
ns_tcp_tuple_hash(const struct ns_tcp_tuple *t, uint32_t mask)
{
	uint64_t h = ((uint64_t)t->raddr << 32 | t->laddr) * 0x9E3779B97F4A7C15ull;

	h ^= ((uint64_t)t->rport << 16 | t->lport) * 0xC2B2AE3D27D4EB4Full;
	return (uint32_t)(h >> 32) & mask;
}

static inline bool
ns_tcp_tuple_eq(const struct ns_tcp_tuple *a, const struct ns_tcp_tuple *b)
{
	return a->laddr == b->laddr && a->raddr == b->raddr && a->lport == b->lport &&
	       a->rport == b->rport;
}

/* tcp_closed.c */
/* A passive close (LAST-ACK) after something was sent again past our FIN:
 * remember the peer's expected duplicate ACK for a while. */
void ns_tcp_closed_note(struct ns_tcp_stack *s, const struct ns_tcb *c);
/* A segment for no connection: true if it is that duplicate (drop it quietly). */
bool ns_tcp_closed_absorb(struct ns_tcp_stack *s, const struct ns_tcp_tuple *t, uint32_t seq,
		uint32_t ack, uint8_t flags, uint32_t len);

/* tcp_table.c */
struct ns_tcb *ns_tcp_tcb_alloc(struct ns_tcp_stack *s, const struct ns_tcp_tuple *t);
void ns_tcp_tcb_free(struct ns_tcp_stack *s, struct ns_tcb *c);
void ns_tcp_table_insert(struct ns_tcp_stack *s, const struct ns_tcb *c);
int ns_tcp_listener_match(const struct ns_tcp_stack *s, uint32_t laddr, uint16_t lport);
uint32_t ns_tcp_isn(const struct ns_tcp_stack *s, const struct ns_tcp_tuple *t, uint64_t now);

/* tcp_output.c */
/* Send what the windows allow (data, FIN) and an ACK if one is owed. */
void ns_tcp_output(struct ns_tcp_stack *s, struct ns_tcb *c);
/* Send one segment at seq with flags and up to len bytes from the send queue,
 * as many as fit the MSS with the options; returns how many. */
uint32_t ns_tcp_send_segment(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t seq, uint8_t flags,
		uint32_t len);
/* Payload bytes a data segment can carry now, next to its options. */
uint32_t ns_tcp_seg_room_sack(const struct ns_tcb *c);
static inline uint32_t
ns_tcp_seg_room(const struct ns_tcb *c)
{
	if (c->rq.n == 0 && !c->rq.has_dsack) /* no SACK block to send: SMSS */
		return c->snd_mss;
	return ns_tcp_seg_room_sack(c);
}
/* One new segment for a tail loss probe (no cwnd, no Nagle); false if none. */
bool ns_tcp_output_probe(struct ns_tcp_stack *s, struct ns_tcb *c);
/* RST for a segment that matches no connection (RFC 9293 3.10.7.1). */
void ns_tcp_send_rst_reply(struct ns_tcp_stack *s, const struct rte_ipv4_hdr *ip,
		const struct rte_tcp_hdr *th, uint32_t seg_len);
uint32_t ns_tcp_rcv_wnd(const struct ns_tcb *c);
static inline uint32_t
ns_tcp_tsval(const struct ns_tcp_stack *s, const struct ns_tcb *c)
{
	return (uint32_t)(s->now / 1000000) + c->ts_offset;
}

/* tcp_timer.c */
void ns_tcp_timer_arm(
		struct ns_tcp_stack *s, struct ns_tcb *c, enum ns_tcp_timer_kind k, uint64_t at);
void ns_tcp_timer_stop(struct ns_tcp_stack *s, struct ns_tcb *c, enum ns_tcp_timer_kind k);
void ns_tcp_rtt_sample(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t rtt_us);
void ns_tcp_rto_restart(struct ns_tcp_stack *s, struct ns_tcb *c);

/* tcp_reass.c */
/* Keep out-of-order data at its place in rcvq; returns bytes kept (0: dropped). */
uint32_t ns_tcp_reass_insert(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t seq,
		const uint8_t *data, uint32_t len);
/* After in-order data: extend the FIFO tail over ranges it reached; returns bytes added. */
uint32_t ns_tcp_reass_advance(struct ns_tcp_stack *s, struct ns_tcb *c);
/* The SACK blocks to report, most recent first (RFC 2018 4); at most max. */
unsigned int ns_tcp_reass_blocks(
		const struct ns_tcb *c, struct ns_sack_block *out, unsigned int max);
/* Data [l, r) was received twice: a D-SACK block for the next ACK (RFC 2883). */
void ns_tcp_dsack_note(struct ns_tcb *c, uint32_t l, uint32_t r);
/* Forget what is held out of order (a shadow, a takeover). */
void ns_tcp_reass_clear(struct ns_tcb *c);

/* tcp_sack.c */
/* Apply the SACK blocks of an ACK for 'ack' to the log; a D-SACK goes to
 * *dsack (else left 0:0).  Returns whether something was newly SACKed. */
bool ns_tcp_sack_update(struct ns_tcp_stack *s, struct ns_tcb *c, const struct ns_tcp_opts *o,
		uint32_t ack, struct ns_sack_block *dsack);
/* Send [seq, end) again (one segment, or all of it if whole), FIN included
 * when it holds it, and log it with the flags 'how'; returns the bytes. */
uint32_t ns_tcp_resend(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t seq, uint32_t end,
		uint32_t how, bool whole);
/* Retransmit lost segments as pipe allows (the first regardless if 'first'). */
void ns_tcp_xmit_lost(struct ns_tcp_stack *s, struct ns_tcb *c, bool first);
void ns_tcp_recovery_enter(struct ns_tcp_stack *s, struct ns_tcb *c);
void ns_tcp_limited_transmit(struct ns_tcp_stack *s, struct ns_tcb *c);

/* tcp_txlog.c */
void ns_tcp_txlog_reset(struct ns_tcb *c);
/* [seq, end) just left: appended if new; what lies below snd_max is marked
 * sent again (RETRANS, plus 'how'). */
void ns_tcp_txlog_sent(
		struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t seq, uint32_t end, uint32_t how);
/* Everything below ack is acknowledged (RACK hears of what was delivered). */
void ns_tcp_txlog_acked(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t ack,
		const struct ns_tcp_opts *o);
bool ns_tcp_txlog_sack(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t left, uint32_t right,
		const struct ns_tcp_opts *o);
void ns_tcp_txlog_mark_lost(struct ns_tcb *c, uint32_t i);
/* An RTO: SACK marks forgotten (the peer may renege, RFC 2018 8), all lost. */
void ns_tcp_txlog_all_lost(struct ns_tcb *c);
/* A takeover: [snd_una, snd_max) in SMSS records sent at 'now'. */
void ns_tcp_txlog_rebuild(struct ns_tcb *c, uint64_t now);
/* Record i (a free-running index) and its start. */
const struct ns_tcp_seg *ns_tcp_txlog_at(const struct ns_tcb *c, uint32_t i, uint32_t *start);
/* RFC 6675 pipe: bytes believed in the network. */
uint32_t ns_tcp_pipe(const struct ns_tcb *c);
/* For tests and the fuzzer: 0 when the records and their counts agree. */
int ns_tcp_txlog_check(const struct ns_tcb *c);

/* tcp_rack.c */
void ns_tcp_rack_init(struct ns_tcb *c);
void ns_tcp_rack_rtt_sample(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t rtt_us);
void ns_tcp_rack_delivered(struct ns_tcp_stack *s, struct ns_tcb *c, const struct ns_tcp_seg *r,
		const struct ns_tcp_opts *o);
void ns_tcp_rack_reorder_check(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t end);
/* After an ACK was applied: reordering window, losses, the reordering timer. */
void ns_tcp_rack_ack(struct ns_tcp_stack *s, struct ns_tcb *c, bool dsack);
void ns_tcp_rack_recovery_done(struct ns_tcb *c);
void ns_tcp_rack_reo_fire(struct ns_tcp_stack *s, struct ns_tcb *c);
void ns_tcp_tlp_schedule(struct ns_tcp_stack *s, struct ns_tcb *c);
void ns_tcp_tlp_fire(struct ns_tcp_stack *s, struct ns_tcb *c);
void ns_tcp_tlp_ack(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t ack, bool advanced,
		bool sacked_new, const struct ns_sack_block *dsack);
void ns_tcp_tlp_cancel(struct ns_tcp_stack *s, struct ns_tcb *c);

/* tcp_syncookie.c */
uint32_t ns_tcp_cookie_make(const struct ns_tcp_stack *s, const struct ns_tcp_tuple *t,
		uint32_t irs, uint16_t peer_mss);
bool ns_tcp_cookie_check(const struct ns_tcp_stack *s, const struct ns_tcp_tuple *t, uint32_t irs,
		uint32_t cookie, uint16_t *mss);
uint32_t ns_tcp_cookie_ts_bits(bool ws, uint8_t wscale, bool sack);
void ns_tcp_cookie_ts_decode(uint32_t tsecr, bool *ws, uint8_t *wscale, bool *sack);
uint32_t ns_tcp_cookie_ts_offset(const struct ns_tcp_stack *s, const struct ns_tcp_tuple *t);
uint32_t ns_tcp_cookie_tsval(
		const struct ns_tcp_stack *s, const struct ns_tcp_tuple *t, uint32_t bits);

/* tcp_input.c */
void ns_tcp_set_state(struct ns_tcp_stack *s, struct ns_tcb *c, enum ns_tcp_state st);
/* Tear down: CLOSED event, timers stopped, TCB freed. */
void ns_tcp_drop(struct ns_tcp_stack *s, struct ns_tcb *c, enum ns_tcp_event why);

#endif /* NS_TCP_INTERNAL_H */
