/* SPDX-License-Identifier: BSD-3-Clause */
/* Counters of the replication channel and its two ends: X(name, kind, help). */
#ifndef NS_REPL_COUNTERS_H
#define NS_REPL_COUNTERS_H

#include "common/ns_counter.h"

#define NS_REPL_COUNTERS(X)                                                                      \
	X(tx_frames, INFO, "data frames sent for the first time")                                \
	X(tx_retransmits, INFO, "data frames sent again (timeout or a hole in the peer's SACK)") \
	X(tx_acks, INFO, "pure acknowledgement frames sent")                                     \
	X(tx_events, INFO, "events queued into frames")                                          \
	X(tx_bytes, INFO, "bytes of frames sent (header, payload, MAC)")                         \
	X(tx_ring_full, DROP, "events refused: the frame ring is full (backpressure)")           \
	X(tx_timeouts, INFO, "retransmission timeouts")                                          \
	X(rx_frames, INFO, "frames received")                                                    \
	X(rx_delivered, INFO, "data frames delivered in order")                                  \
	X(rx_bytes, INFO, "bytes of frames received")                                            \
	X(rx_short, DROP, "frames shorter than a header and a MAC, or than their length field")  \
	X(rx_bad_version, DROP, "frames of another version or type")                             \
	X(rx_bad_mac, DROP, "frames whose HMAC-SHA256 does not verify (forged or garbled)")      \
	X(rx_bad_chan, DROP, "frames for another channel")                                       \
	X(rx_old_epoch, DROP, "frames of an older epoch")                                        \
	X(rx_bad_session, DROP, "frames of another channel session (a stale incarnation)")       \
	X(rx_duplicate, DROP, "data frames already delivered or held (replays included)")        \
	X(rx_out_of_window, DROP, "data frames beyond the receive window")                       \
	X(rx_reordered, INFO, "data frames held until the ones before them arrive")              \
	X(rx_bad_ack, DROP, "acknowledgements of frames never sent")                             \
	X(ev_bad, DROP, "events malformed or of an unknown type (the frame's rest skipped)")     \
	X(ev_applied, INFO, "events applied")                                                    \
	X(hold_push, INFO, "segments held until the standby acknowledged their state")           \
	X(hold_full, DROP, "segments dropped: the hold queue was full (TCP sends them again)")   \
	X(in_backpressure, DROP, "segments dropped on input: the frame ring was nearly full")    \
	X(standby_tcp_drop, DROP, "TCP segments reaching a standby (it answers none)")           \
	X(handoff_full, DROP, "frames for another worker's channel dropped: its ring was full")  \
	X(tx_no_mbuf, DROP, "frames not sent: no mbuf")                                          \
	X(standby_rx_drop, DROP, "frames on a service port of a standby (it answers nothing)")   \
	X(flags_heard, INFO, "session flag changes heard from the standby (on the active)")      \
	X(flags_raised, INFO, "session flag changes made here: the backup lags (standby)")       \
	X(details_heard, INFO, "the active's details about a session flag received (standby)")

enum ns_repl_ctr {
#define X(name, kind, help) NS_CTR_ENUM(NS_REPL_C_, name, kind, help)
	NS_REPL_COUNTERS(X)
#undef X
			NS_REPL_C__MAX
};

extern const struct ns_ctr_desc ns_repl_ctr_desc[NS_REPL_C__MAX];

#endif /* NS_REPL_COUNTERS_H */
