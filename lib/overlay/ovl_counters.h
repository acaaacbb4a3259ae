/* SPDX-License-Identifier: BSD-3-Clause */
/* Counters of the overlay engine (one block, on the fast-path lcore): the
 * console, telemetry and the tests read the same table. */
#ifndef NS_OVL_COUNTERS_H
#define NS_OVL_COUNTERS_H

#include "common/ns_counter.h"

#define NS_OVL_COUNTERS(X)                                                                    \
	X(encap_rx, INFO, "inner packets to a session's match received (first hop)")          \
	X(encap_packets, INFO, "inner packets encapsulated (multicast copy sent)")            \
	X(encap_unicast_copies, INFO, "redundant unicast copies sent to last hops")           \
	X(encap_too_big, DROP, "inner packets dropped: encapsulated they exceed the MTU")     \
	X(encap_mss_clamped, INFO, "inner TCP SYNs whose MSS option was lowered (mss_clamp)") \
	X(requests_rx, INFO, "unicast overlay requests received (a last hop's soft state)")   \
	X(requests_refused, DROP, "requests dropped: no encap session accepts the key")       \
	X(requests_bad_auth, DROP, "requests dropped: unsigned or a wrong MAC (request_key)") \
	X(subscribers_full, DROP, "requests dropped: the session's subscriber table is full") \
	X(subscribers_expired, INFO, "last hops that stopped asking for the unicast copy")    \
	X(requests_tx, INFO, "unicast overlay requests sent to first hops")                   \
	X(decap_packets, INFO, "overlay packets received (either copy)")                      \
	X(decap_unicast, INFO, "overlay packets received by unicast")                         \
	X(decap_bad, DROP, "overlay packets dropped: malformed outer IPv4/UDP or GRE header") \
	X(outer_bad_cksum, DROP, "overlay packets dropped: outer IPv4 header checksum wrong") \
	X(outer_ttl_zero, DROP, "overlay packets dropped: outer TTL 0")                       \
	X(outer_bad_src, DROP, "overlay packets dropped: martian outer source (or ours)")     \
	X(inner_bad_ihl, DROP, "inner packets refused (either hop): not IPv4, IHL below 5")   \
	X(inner_bad_len, DROP, "inner packets refused (either hop): total length wrong")      \
	X(inner_bad_cksum, DROP, "inner packets refused (either hop): header checksum wrong") \
	X(inner_ttl_zero, DROP, "inner packets refused (either hop): TTL 0")                  \
	X(decap_unknown_key, DROP, "overlay packets dropped: no decap session has the key")   \
	X(decap_wrong_dst, DROP, "overlay packets dropped: outer dst not the group nor ours") \
	X(decap_duplicate, DROP, "overlay packets dropped: the other copy came first")        \
	X(decap_stray, DROP, "overlay packets dropped: far from the window, no successor")    \
	X(decap_lost, INFO, "sequence numbers given up: neither copy came within hold_ms")    \
	X(client_tx, INFO, "inner packets sent to the sessions' clients")                     \
	X(client_none, DROP, "released packets dropped: the session has no client yet")       \
	X(mbuf_alloc_failed, DROP, "client or unicast copies not made: mbuf pool empty")

enum ns_ovl_ctr {
#define X(name, kind, help) NS_CTR_ENUM(NS_OVL_C_, name, kind, help)
	NS_OVL_COUNTERS(X)
#undef X
			NS_OVL_C__MAX
};

#endif /* NS_OVL_COUNTERS_H */
