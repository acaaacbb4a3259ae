/* SPDX-License-Identifier: BSD-3-Clause */
/* Counters of the BFD engine: X(name, kind, help). */
#ifndef NS_BFD_COUNTERS_H
#define NS_BFD_COUNTERS_H

#include "common/ns_counter.h"

#define NS_BFD_COUNTERS(X)                                                                      \
	X(rx_packets, INFO, "BFD control packets received")                                     \
	X(rx_predicted, INFO, "received packets equal to the session's last one (fast path)")   \
	X(rx_bad_udp, DROP, "UDP length or checksum wrong (counted at the edge)")               \
	X(tx_packets, INFO, "BFD control packets sent")                                         \
	X(rx_bad_version, DROP, "version is not 1")                                             \
	X(rx_bad_length, DROP, "length field below 24 (26 with A), or above the UDP payload")   \
	X(rx_bad_mult, DROP, "detect multiplier 0")                                             \
	X(rx_multipoint, DROP, "M bit set")                                                     \
	X(rx_my_disc_zero, DROP, "My Discriminator 0")                                          \
	X(rx_your_disc_zero, DROP, "Your Discriminator 0 in a state other than Down/AdminDown") \
	X(rx_unknown_disc, DROP, "Your Discriminator names no session")                         \
	X(rx_no_session, DROP, "Your Discriminator 0 and no session for the addresses")         \
	X(rx_addr_mismatch, DROP, "session found by discriminator, addresses differ")           \
	X(rx_bad_ttl, DROP, "TTL not 255 (RFC 5881 5)")                                         \
	X(rx_auth_mismatch, DROP, "A bit differs from the session's authentication setting")    \
	X(rx_auth_bad_type, DROP, "authentication type differs from the session's")             \
	X(rx_auth_bad_len, DROP, "Auth Len wrong for its type, or not filling the packet")      \
	X(rx_auth_bad_key_id, DROP, "Key ID differs from the session's")                        \
	X(rx_auth_bad_seq, DROP, "sequence number outside the window of RFC 5880 6.7.3/6.7.4")  \
	X(rx_auth_bad_digest, DROP, "digest or password wrong")                                 \
	X(rx_admin_down_local, DROP, "received while the session is AdminDown")                 \
	X(poll_sent, INFO, "Poll sequences started")                                            \
	X(final_sent, INFO, "packets with F answering a Poll")                                  \
	X(poll_done, INFO, "Poll sequences completed by an F")                                  \
	X(state_up, INFO, "sessions that went Up")                                              \
	X(state_down, INFO, "sessions that went Down (any cause)")                              \
	X(detect_expired, INFO, "detection time expired (diag 1)")                              \
	X(neighbor_down, INFO, "neighbor signaled session down (diag 3)")                       \
	X(tx_alloc_failed, DROP, "packet not sent: no transmit buffer")

enum ns_bfd_ctr {
#define X(name, kind, help) NS_CTR_ENUM(NS_BFD_C_, name, kind, help)
	NS_BFD_COUNTERS(X)
#undef X
			NS_BFD_C__MAX
};

extern const struct ns_ctr_desc ns_bfd_ctr_desc[NS_BFD_C__MAX];

#endif /* NS_BFD_COUNTERS_H */
