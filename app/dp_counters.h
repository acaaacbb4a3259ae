/* SPDX-License-Identifier: BSD-3-Clause */
/* Counters of the dataplane loop itself (one block per worker lcore). */
#ifndef NS_DP_COUNTERS_H
#define NS_DP_COUNTERS_H

#include "common/ns_counter.h"

#define NS_DP_COUNTERS(X)                                                                    \
	X(rx_packets, INFO, "packets received from rx bursts")                               \
	X(tx_packets, INFO, "packets accepted by tx bursts")                                 \
	X(tx_queue_full, DROP, "packets dropped: tx queue full")                             \
	X(fwd_packets, INFO, "packets io-forwarded to the peer port")                        \
	X(l4_no_handler, DROP, "UDP (or other L4) packets for us: no service on them yet")   \
	X(mbuf_alloc_failed, DROP, "frames we originate not sent: mbuf pool empty")          \
	X(rx_multiseg, DROP, "multi-segment frames (scatter not enabled)")                   \
	X(ping_reply_unmatched, DROP, "ICMP echo replies for no ping in progress")           \
	X(ping_reply_rx, INFO, "ICMP echo replies matched to the ping in progress")          \
	X(igmp_rx, INFO, "IGMP messages handed to the port's membership service")            \
	X(ctl_msgs, INFO, "messages from the control path handled")                          \
	X(polls, INFO, "loop iterations")                                                    \
	X(busy_polls, INFO, "loop iterations that received at least one packet")             \
	X(idle_sleeps, INFO, "sleeps taken by the adaptive idle policy")                     \
	X(bfd_handoff, INFO, "BFD packets passed to the fast-path lcore's ring")             \
	X(bfd_handoff_full, DROP, "BFD packets dropped: the fast-path lcore's ring is full") \
	X(tx_via_owner, INFO, "frames handed to the port's ARP owner (next hop unknown)")    \
	X(tx_via_owner_full, DROP, "frames dropped: the ARP owner's message ring is full")   \
	X(ovl_handoff, INFO, "overlay frames passed to the fast-path lcore's ring")          \
	X(ovl_handoff_full, DROP, "overlay frames dropped: the fast-path lcore's ring is full")

enum ns_dp_ctr {
#define X(name, kind, help) NS_CTR_ENUM(NS_DP_, name, kind, help)
	NS_DP_COUNTERS(X)
#undef X
			NS_DP__MAX
};

extern const struct ns_ctr_desc ns_dp_ctr_desc[NS_DP__MAX];

#endif /* NS_DP_COUNTERS_H */
