/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters of the host stack (Ethernet, ARP, IPv4, ICMP).
 * X(name, kind, help): kind DROP means the frame was dropped for that reason.
 */
#ifndef NS_NET_COUNTERS_H
#define NS_NET_COUNTERS_H

#include "common/ns_counter.h"

#define NS_NET_COUNTERS(X)                                                                        \
	X(rx_frames, INFO, "frames handed to the host stack")                                     \
	X(eth_runt, DROP, "frame shorter than an Ethernet header")                                \
	X(eth_not_for_us, DROP, "unicast frame for another MAC address")                          \
	X(eth_vlan, DROP, "VLAN-tagged frame (no VLAN configured)")                               \
	X(eth_ipv6, DROP, "IPv6 frame (not supported yet)")                                       \
	X(eth_unknown_type, DROP, "unknown EtherType")                                            \
	X(arp_rx, INFO, "ARP frames received")                                                    \
	X(arp_truncated, DROP, "ARP frame shorter than an Ethernet/IPv4 ARP packet")              \
	X(arp_bad_format, DROP, "ARP hardware/protocol type or address length not Ethernet/IPv4") \
	X(arp_bad_op, DROP, "ARP opcode neither request nor reply")                               \
	X(arp_bad_sender, DROP, "ARP sender MAC multicast/zero or sender IP martian")             \
	X(arp_conflict, DROP, "ARP from another host claiming our address")                       \
	X(arp_not_for_us, DROP, "ARP whose target is not our address (cache refreshed only)")     \
	X(arp_request_rx, INFO, "ARP requests for our address")                                   \
	X(arp_reply_rx, INFO, "ARP replies for our address")                                      \
	X(arp_reply_tx, INFO, "ARP replies sent")                                                 \
	X(arp_request_tx, INFO, "ARP requests sent to resolve our own transmissions")             \
	X(arp_learned, INFO, "ARP cache entries created or refreshed from received ARP")          \
	X(arp_cache_full, DROP, "ARP cache full: entry not created, packet dropped")              \
	X(arp_pending_full, DROP, "packet dropped: too many packets waiting for one resolution")  \
	X(arp_resolve_failed, DROP, "packet dropped: address did not resolve after all retries")  \
	X(arp_aged, INFO, "ARP cache entries removed by aging")                                   \
	X(ip_rx, INFO, "IPv4 packets received")                                                   \
	X(ip_bad_eth_src, DROP, "IPv4 frame from a multicast, broadcast or zero Ethernet source") \
	X(ip_truncated, DROP, "frame too short for the IPv4 header")                              \
	X(ip_bad_version, DROP, "IP version is not 4")                                            \
	X(ip_bad_ihl, DROP, "IPv4 header length below 5 words")                                   \
	X(ip_options, DROP, "IPv4 options present (not supported)")                               \
	X(ip_bad_cksum, DROP, "IPv4 header checksum wrong")                                       \
	X(ip_len_too_small, DROP, "IPv4 total length smaller than its header")                    \
	X(ip_len_exceeds_frame, DROP, "IPv4 total length larger than the frame")                  \
	X(ip_ttl_zero, DROP, "IPv4 TTL is zero")                                                  \
	X(ip_fragment, DROP, "IPv4 fragment (reassembly not supported yet)")                      \
	X(ip_bad_src, DROP, "IPv4 source martian: 0/8, 127/8, multicast or 255.255.255.255")      \
	X(ip_src_subnet, DROP, "IPv4 source is our subnet's network or broadcast address")        \
	X(ip_src_ours, DROP, "IPv4 packet to us from our own address (land)")                     \
	X(ip_not_for_us, DROP, "IPv4 destination is not our address")                             \
	X(ip_broadcast, DROP, "IPv4 broadcast (no broadcast service yet)")                        \
	X(ip_multicast, DROP, "IPv4 multicast (no group joined)")                                 \
	X(ip_proto_unknown, DROP, "IPv4 protocol with no handler")                                \
	X(ip_l4_deliver, INFO, "IPv4 packets delivered to an L4 protocol")                        \
	X(icmp_rx, INFO, "ICMP messages received")                                                \
	X(icmp_truncated, DROP, "ICMP message shorter than 8 bytes")                              \
	X(icmp_bad_cksum, DROP, "ICMP checksum wrong")                                            \
	X(icmp_echo_request_rx, INFO, "ICMP echo requests received")                              \
	X(icmp_echo_reply_tx, INFO, "ICMP echo replies sent")                                     \
	X(icmp_echo_request_tx, INFO, "ICMP echo requests sent by the pinger")                    \
	X(icmp_echo_reply_rx, INFO, "ICMP echo replies received (delivered to the pinger)")       \
	X(icmp_other, DROP, "ICMP type not handled")

enum ns_net_ctr {
#define X(name, kind, help) NS_CTR_ENUM(NS_NET_, name, kind, help)
	NS_NET_COUNTERS(X)
#undef X
			NS_NET__MAX
};

extern const struct ns_ctr_desc ns_net_ctr_desc[NS_NET__MAX];

#endif /* NS_NET_COUNTERS_H */
