/* SPDX-License-Identifier: BSD-3-Clause */
/* Functions shared by the files of the TCP core. */
#ifndef NS_TCP_INTERNAL_H
#define NS_TCP_INTERNAL_H

#include <rte_ip.h>
#include <rte_tcp.h>

#include "ns_cksum.h"
#include "tcp_options.h"
#include "tcp_seq.h"
#include "tcp_stack.h"

#define NS_TCP_CTR(s, name) ((s)->ctr[NS_TCP_C_##name]++)
#define NS_TCP_HDR_MAX	    (sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_tcp_hdr) + 40)

/* tcp_table.c */
struct ns_tcb *ns_tcp_tcb_alloc(struct ns_tcp_stack *s, const struct ns_tcp_tuple *t);
void ns_tcp_tcb_free(struct ns_tcp_stack *s, struct ns_tcb *c);
void ns_tcp_table_insert(struct ns_tcp_stack *s, const struct ns_tcb *c);
int ns_tcp_listener_match(const struct ns_tcp_stack *s, uint32_t laddr, uint16_t lport);
uint32_t ns_tcp_isn(const struct ns_tcp_stack *s, const struct ns_tcp_tuple *t, uint64_t now);

/* tcp_output.c */
/* Send what the windows allow (data, FIN) and an ACK if one is owed. */
void ns_tcp_output(struct ns_tcp_stack *s, struct ns_tcb *c);
/* Send one segment at seq with flags and up to len bytes from the send queue. */
void ns_tcp_send_segment(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t seq, uint8_t flags,
		uint32_t len);
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

/* tcp_sack.c */
bool ns_tcp_sack_update(struct ns_tcb *c, const struct ns_tcp_opts *o);
void ns_tcp_sack_prune(struct ns_tcb *c);
uint32_t ns_tcp_sack_bytes(const struct ns_tcb *c);
bool ns_tcp_sack_loss_detected(const struct ns_tcb *c);
void ns_tcp_sack_recovery_output(struct ns_tcp_stack *s, struct ns_tcb *c);
void ns_tcp_sack_recovery_start(struct ns_tcp_stack *s, struct ns_tcb *c);
void ns_tcp_limited_transmit(struct ns_tcp_stack *s, struct ns_tcb *c);

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
