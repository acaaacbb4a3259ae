/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 validation (RFC 791, RFC 1122 3.2.1, RFC 1812 5.3.7) and protocol demux. */
#include <rte_ip.h>

#include "net/host_internal.h"
#include "common/ns_cksum.h"

enum ns_verdict
ns_ipv4_input(struct ns_host *h, uint8_t *frame, uint16_t *len, uint64_t now, struct ns_l4_info *l4)
{
	const uint16_t l3 = sizeof(struct rte_ether_hdr);
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(frame + l3);
	enum ns_ipv4_src src;
	uint16_t avail, hlen, tot;

	(void)now;
	NS_CTR(h, ip_rx);
	/* A group or zero Ethernet source is no sender (IEEE 802: the I/G bit
	 * is for destinations): whatever answers it would go to the group. */
	if (rte_is_multicast_ether_addr(&eth->src_addr) || rte_is_zero_ether_addr(&eth->src_addr))
		return NS_DROP(h, ip_bad_eth_src);
	if (*len < l3 + sizeof(*ip))
		return NS_DROP(h, ip_truncated);
	avail = *len - l3;
	if ((ip->version_ihl >> 4) != 4)
		return NS_DROP(h, ip_bad_version);
	hlen = (ip->version_ihl & 0xf) * 4;
	if (hlen < sizeof(*ip))
		return NS_DROP(h, ip_bad_ihl);
	if (hlen > avail)
		return NS_DROP(h, ip_truncated);
	if (ns_cksum_raw(ip, hlen, 0) != 0xffff)
		return NS_DROP(h, ip_bad_cksum);
	/* Options: only IGMP's Router Alert (RFC 2113) is expected, and passed on. */
	if (hlen != sizeof(*ip) && !(h->igmp && ip->next_proto_id == IPPROTO_IGMP))
		return NS_DROP(h, ip_options);
	tot = rte_be_to_cpu_16(ip->total_length);
	if (tot < hlen)
		return NS_DROP(h, ip_len_too_small);
	if (tot > avail)
		return NS_DROP(h, ip_len_exceeds_frame);
	if (ip->time_to_live == 0)
		return NS_DROP(h, ip_ttl_zero);
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return NS_DROP(h, ip_fragment);
	/* Martian sources (ns_ipv4_src.h): nothing is ever answered to them. */
	src = ns_host_src_class(h, ip->src_addr);
	if (src == NS_SRC_MARTIAN)
		return NS_DROP(h, ip_bad_src);
	if (src == NS_SRC_SUBNET)
		return NS_DROP(h, ip_src_subnet);
	if (ip->dst_addr != h->ip) {
		uint32_t d = rte_be_to_cpu_32(ip->dst_addr);

		if ((d >> 28) == 0xe) {
			if (!(h->igmp && ip->next_proto_id == IPPROTO_IGMP))
				return NS_DROP(h, ip_multicast);
		} else if (ip->dst_addr == RTE_BE32(0xffffffff) ||
				(ip->dst_addr | h->netmask) == RTE_BE32(0xffffffff)) {
			return NS_DROP(h, ip_broadcast);
		} else {
			return NS_DROP(h, ip_not_for_us);
		}
	}

	/* Our own address as the source of a packet to us: a "land" packet (or
	 * a loop); frames of another host that merely pass by were counted as
	 * not for us above. */
	if (src == NS_SRC_OURS)
		return NS_DROP(h, ip_src_ours);

	/* Ethernet padding beyond the IP datagram is not payload. */
	*len = l3 + tot;
	l4->l3_off = l3;
	l4->l4_off = l3 + hlen;
	l4->l4_len = tot - hlen;
	l4->proto = ip->next_proto_id;

	switch (ip->next_proto_id) {
	case IPPROTO_ICMP:
		return ns_icmp_input(h, frame, len, l4);
	case IPPROTO_IGMP:
		if (!h->igmp)
			return NS_DROP(h, ip_proto_unknown);
		/* fall through */
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		NS_CTR(h, ip_l4_deliver);
		return NS_V_L4;
	default:
		return NS_DROP(h, ip_proto_unknown);
	}
}
