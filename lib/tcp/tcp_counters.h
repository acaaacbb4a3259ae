/* SPDX-License-Identifier: BSD-3-Clause */
/* Counters of the TCP core: X(name, kind, help). */
#ifndef NS_TCP_COUNTERS_H
#define NS_TCP_COUNTERS_H

#include "common/ns_counter.h"

#define NS_TCP_COUNTERS(X)                                                                        \
	X(segs_in, INFO, "segments received")                                                     \
	X(segs_out, INFO, "segments sent")                                                        \
	X(data_segs_in, INFO, "segments received carrying data")                                  \
	X(data_bytes_in, INFO, "payload bytes accepted in order")                                 \
	X(data_segs_out, INFO, "segments sent carrying data (first transmissions)")               \
	X(retransmits, INFO, "segments retransmitted")                                            \
	X(rto_expired, INFO, "retransmission timer expiries")                                     \
	X(dup_acks, INFO, "duplicate ACKs received")                                              \
	X(sack_recoveries, INFO, "fast recoveries with SACK (RACK found a loss)")                 \
	X(sack_rexmits, INFO, "lost segments retransmitted in fast recovery with SACK")           \
	X(rack_lost, INFO, "segments RACK deemed lost (a later one was delivered an RTT ago)")    \
	X(rack_reordering, INFO, "connections on which RACK saw reordering (window widened)")     \
	X(rack_reo_timeouts, INFO, "RACK reordering timer expiries")                              \
	X(tlp_probes, INFO, "tail loss probes sent (RFC 8985 7)")                                 \
	X(tlp_new_data, INFO, "tail loss probes that carried new data")                           \
	X(tlp_recoveries, INFO, "tail loss probes that repaired a loss (cwnd reduced)")           \
	X(dsack_rx, INFO, "D-SACK blocks received: the peer got data twice")                      \
	X(acks_delayed, INFO, "ACKs held by the delayed-ACK timer and sent by it")                \
	X(conn_opened_passive, INFO, "connections established by a listener")                     \
	X(conn_opened_active, INFO, "connections established by connect")                         \
	X(conn_closed, INFO, "connections that reached CLOSED")                                   \
	X(conn_reset_rx, INFO, "connections reset by the peer")                                   \
	X(conn_timed_out, INFO, "connections dropped after max_retries retransmission timeouts")  \
	X(challenge_acks, INFO, "RFC 5961 challenge ACKs sent")                                   \
	X(rst_out, INFO, "RSTs sent")                                                             \
	X(bad_cksum, DROP, "TCP checksum wrong")                                                  \
	X(bad_hdr, DROP, "TCP header length or flags invalid")                                    \
	X(bad_opts, DROP, "malformed TCP options")                                                \
	X(no_conn, DROP, "segment for no connection or listener (RST sent unless RST)")           \
	X(no_conn_quiet, DROP, "segment for no connection in a takeover's grace period (no RST)") \
	X(late_dup_acks, DROP,                                                                    \
			"peer's duplicate ACK to a copy sent after our FIN, conn. closed (no "    \
			"RST)")                                                                   \
	X(closed_evicted, INFO, "closes forgotten early, their set full (a late dup ACK: RST)")   \
	X(activated, INFO, "shadows taken over (a standby's promotion)")                          \
	X(not_acceptable, DROP, "segment outside the receive window (ACK sent)")                  \
	X(bad_ack, DROP, "ACK for data never sent")                                               \
	X(ooo_queued, INFO, "out-of-order segments kept for reassembly")                          \
	X(ooo_filled, INFO, "segments that filled a hole (ranges joined)")                        \
	X(dsack_sent, INFO, "D-SACK blocks sent: data received twice (RFC 2883)")                 \
	X(ooo_dropped, DROP, "out-of-order data dropped: past the buffer, or no range left")      \
	X(rcvbuf_full, DROP, "data beyond the receive window or buffer (trimmed)")                \
	X(rcv_wnd_capped, INFO,                                                                   \
			"ACKs whose right edge stepped back: the buffer cannot hold the promise " \
			"rounded up")                                                             \
	X(syn_in_window, DROP, "SYN on a synchronized connection (challenge ACK sent)")           \
	X(table_full, DROP, "SYN refused: connection table full")                                 \
	X(tx_alloc_failed, DROP, "segment not sent: no transmit buffer")                          \
	X(syncookies_sent, INFO, "SYN-ACKs carrying a SYN cookie (backlog or table full)")        \
	X(syncookies_ok, INFO, "connections created from a valid SYN cookie")                     \
	X(syncookies_bad, DROP, "ACK to a listener with an invalid or expired cookie (RST sent)") \
	X(backlog_full, DROP, "SYN dropped: listener backlog full and cookies off")               \
	X(synack_timed_out, INFO, "half-open connections freed after synack_retries")             \
	X(keepalive_probes, INFO, "keepalive probes sent")                                        \
	X(keepalive_drops, INFO, "connections reset after unanswered keepalive probes")           \
	X(oow_acks_throttled, DROP, "ACKs not sent for out-of-window segments (rate limit)")      \
	X(challenge_acks_throttled, DROP, "challenge ACKs not sent (per-second limit)")           \
	X(forgotten, INFO, "connections handed to another instance by a planned switchover")

enum ns_tcp_ctr {
#define X(name, kind, help) NS_CTR_ENUM(NS_TCP_C_, name, kind, help)
	NS_TCP_COUNTERS(X)
#undef X
			NS_TCP_C__MAX
};

extern const struct ns_ctr_desc ns_tcp_ctr_desc[NS_TCP_C__MAX];

#endif /* NS_TCP_COUNTERS_H */
