/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The replicated image of a TCB: every field a standby needs to take the
 * connection over, big endian, in a fixed layout (NS_REPL_IMG_LEN bytes).
 * The field list is one X-macro table, shared by the encoder, the decoder
 * and the tests that compare an active's and a standby's TCBs field by
 * field.
 *
 * Times change clocks on the way: a local monotonic time t goes on the wire
 * as t + off_ns, where off_ns is the sender's (CLOCK_REALTIME - monotonic)
 * offset, and comes back as wire - off_ns of the receiver: timer deadlines
 * and the RTT timing start keep their meaning on another host whose clocks
 * agree on real time.  The timestamp offset (TSval = now_ms + ts_offset)
 * changes by the difference of the two offsets in milliseconds.
 *
 * Not replicated: local bookkeeping (keepalive idle time, ACK throttling,
 * probe count, the age of the minimum RTT), the timer links, the
 * application pointer, out-of-order data with its ranges and a pending
 * D-SACK (a standby does not have those bytes, and forgetting SACKed data
 * is allowed, RFC 2018 8: the peer's sender keeps it), and the transmission
 * log with the SACK scoreboard in it: at takeover the standby rebuilds it
 * from snd_una and snd_max, every segment sent at that moment (the RACK-TLP
 * state, which is replicated, then finds nothing lost until new deliveries
 * say so; what the peer SACKed is learnt again or sent again).
 */
#ifndef NS_REPL_TCB_H
#define NS_REPL_TCB_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp/tcb.h"

/* X(bits, field): scalar fields copied as they are. */
#define NS_REPL_IMG_SCALARS(X)  \
	X(16, state)            \
	X(16, flags)            \
	X(32, listener)         \
	X(32, iss)              \
	X(32, snd_una)          \
	X(32, snd_nxt)          \
	X(32, snd_max)          \
	X(32, snd_wnd)          \
	X(32, snd_wl1)          \
	X(32, snd_wl2)          \
	X(32, irs)              \
	X(32, rcv_nxt)          \
	X(32, rcv_adv)          \
	X(16, snd_mss)          \
	X(8, snd_wscale)        \
	X(8, rcv_wscale)        \
	X(32, ts_recent)        \
	X(32, last_ack_sent)    \
	X(32, srtt_us)          \
	X(32, rttvar_us)        \
	X(32, rto_us)           \
	X(8, backoff)           \
	X(8, dupacks)           \
	X(16, unacked_segs)     \
	X(32, rtt_seq)          \
	X(32, cwnd)             \
	X(32, ssthresh)         \
	X(32, recover)          \
	X(32, cc_state[0])      \
	X(32, cc_state[1])      \
	X(32, cc_state[2])      \
	X(32, cc_state[3])      \
	X(32, rack_end_seq)     \
	X(32, rack_rtt_us)      \
	X(32, rack_min_rtt_us)  \
	X(32, rack_fack)        \
	X(32, rack_dsack_round) \
	X(32, tlp_end_seq)      \
	X(8, rack_reo_mult)     \
	X(8, rack_reo_persist)  \
	X(8, rack_flags)        \
	X(32, sndq.head)        \
	X(32, sndq.tail)        \
	X(32, rcvq.head)        \
	X(32, rcvq.tail)

/* Bytes: the scalars, the tuple (12), ts_offset (4), rtt_start_ns (8), the
 * deadlines (8 each), rack_xmit_ns (8), ts_sent (4). */
#define NS_REPL_IMG_LEN (ns_repl_img_scalar_len() + 12 + 4 + 8 + 8 * NS_TCPT__N + 8 + 4)
#define NS_REPL_IMG_MAX 256

uint32_t ns_repl_img_scalar_len(void);

/* Write c's image (NS_REPL_IMG_LEN bytes) into out. */
void ns_repl_img_encode(const struct ns_tcb *c, int64_t off_ns, uint8_t *out);
/* Set c's replicated fields from an image (the FIFOs' positions included,
 * their bytes not); out-of-order state and the transmission log are cleared. */
void ns_repl_img_decode(struct ns_tcb *c, int64_t off_ns, const uint8_t *in);
/* The tuple in an image, without decoding the rest. */
void ns_repl_img_tuple(const uint8_t *in, struct ns_tcp_tuple *t);

/* For tests: the first replicated field that differs between two TCBs, each
 * with its own clock offset (NULL when equal). */
const char *ns_repl_img_diff(
		const struct ns_tcb *a, int64_t off_a, const struct ns_tcb *b, int64_t off_b);

#endif /* NS_REPL_TCB_H */
