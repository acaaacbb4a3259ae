#!/usr/bin/python3
"""Every frame a replay read is accounted for, in exactly one counter.

    accounting.py COUNTERS_FILE     (nonstop --dump-counters output)

FATES are the counters where a received frame's handling ends, disjoint and
covering every path: at the edge (io-forwarded, multi-segment, handed to no
service, a hand-off ring full), in the host stack (each drop reason, an
answer or a consumed ARP reply), or at the entry of the service that took
it (TCP, BFD, IGMP, the pinger, the overlay's first hop, last hop and
requests; their own counters then say what became of it).  Their sum must
equal dp.rx_packets.  net.arp_cache_full, arp_pending_full and
arp_resolve_failed are about our own output, not received frames; the
*_handoff counters are hops on the way to a service that counts the frame.
A counter added on a receive path must be placed here, or the replay
cases fail.
"""
import sys

NET_NOT_RX = {"arp_cache_full", "arp_pending_full", "arp_resolve_failed"}
FATES = [
    # the edge (app/dataplane.c, app/ping.c, app/bfd_glue.c, app/overlay.c)
    "dp.fwd_packets", "dp.rx_multiseg", "dp.l4_no_handler", "dp.bfd_handoff_full",
    "dp.ovl_handoff_full", "dp.ping_reply_unmatched", "dp.ping_reply_rx", "dp.igmp_rx",
    # the host stack: answered or consumed (its drops are added below)
    "net.arp_reply_tx", "net.arp_reply_rx", "net.icmp_echo_reply_tx",
    # services: each counts every frame it is given
    "tcp.segs_in", "bfd.rx_bad_udp", "bfd.rx_packets",
    "ovl.encap_rx", "ovl.decap_packets", "ovl.requests_rx", "ovl.requests_refused",
    "ovl.requests_bad_auth", "ovl.subscribers_full",
]
# Every DROP counter of lib/net/net_counters.h but NET_NOT_RX.
NET_DROPS = [
    "eth_runt", "eth_not_for_us", "eth_vlan", "eth_ipv6", "eth_unknown_type",
    "arp_truncated", "arp_bad_format", "arp_bad_op", "arp_bad_sender", "arp_conflict",
    "arp_not_for_us", "ip_bad_eth_src", "ip_truncated", "ip_bad_version", "ip_bad_ihl",
    "ip_options", "ip_bad_cksum", "ip_len_too_small", "ip_len_exceeds_frame", "ip_ttl_zero",
    "ip_fragment", "ip_bad_src", "ip_src_subnet", "ip_src_ours", "ip_not_for_us",
    "ip_broadcast", "ip_multicast", "ip_proto_unknown", "icmp_truncated", "icmp_bad_cksum",
    "icmp_other",
]
# Counters of a table nonstop may leave out of the dump when the service is off.
OPTIONAL_TABLES = ("ovl.",)


def main():
    c = {}
    for line in open(sys.argv[1]):
        name, value = line.split()
        c[name] = int(value)
    fates = FATES + ["net." + n for n in NET_DROPS]
    bad = []
    # Every net.* counter is either a fate, a step on the way, or not about
    # received frames: a new one has to be placed (NET_INFO below).
    net_info = {"rx_frames", "arp_rx", "arp_request_rx", "arp_reply_tx", "arp_reply_rx",
                "arp_request_tx", "arp_learned", "arp_aged", "ip_rx", "ip_l4_deliver",
                "icmp_rx", "icmp_echo_request_rx", "icmp_echo_reply_tx",
                "icmp_echo_request_tx", "icmp_echo_reply_rx"}
    for name in c:
        if name.startswith("net.") and name[4:] not in set(NET_DROPS) | NET_NOT_RX | net_info:
            bad.append("%s: a host-stack counter accounting.py does not know" % name)
    for f in fates:
        if f not in c and not f.startswith(OPTIONAL_TABLES):
            bad.append("%s: not in the dump (renamed?)" % f)
    total = sum(c.get(f, 0) for f in fates)
    if total != c["dp.rx_packets"]:
        bad.append("dp.rx_packets %d, but the fates sum to %d:" % (c["dp.rx_packets"], total))
        bad += ["  %s %d" % (f, c[f]) for f in fates if c.get(f, 0)]
    if bad:
        print("accounting: " + "\n".join(bad))
        return 1
    print("accounting: %d frames read, each in one counter" % total)
    return 0


sys.exit(main())
