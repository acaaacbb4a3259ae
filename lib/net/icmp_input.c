/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP (RFC 792): echo reply in place; other types counted. */
#include <rte_icmp.h>
#include <rte_ip.h>

#include "common/ns_cksum.h"
#include "net/host_internal.h"

enum ns_verdict
ns_icmp_input(struct ns_host *h, uint8_t *frame, uint16_t *len, const struct ns_l4_info *l4)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + l4->l3_off);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(frame + l4->l4_off);
	rte_be16_t old_word, new_word;

	NS_CTR(h, icmp_rx);
	if (l4->l4_len < sizeof(*icmp))
		return NS_DROP(h, icmp_truncated);
	if (ns_cksum_any(icmp, l4->l4_len, 0) != 0xffff)
		return NS_DROP(h, icmp_bad_cksum);

	switch (icmp->icmp_type) {
	case RTE_IP_ICMP_ECHO_REQUEST:
		if (icmp->icmp_code != 0)
			return NS_DROP(h, icmp_other);
		break;
	case RTE_IP_ICMP_ECHO_REPLY:
		/* For our own pinger: the edge matches the identifier. */
		NS_CTR(h, icmp_echo_reply_rx);
		return NS_V_L4;
	default:
		return NS_DROP(h, icmp_other);
	}
	NS_CTR(h, icmp_echo_request_rx);

	/* Echo reply: same identifier, sequence and data; only type changes. */
	old_word = rte_cpu_to_be_16(icmp->icmp_type << 8 | icmp->icmp_code);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	new_word = rte_cpu_to_be_16(icmp->icmp_type << 8 | icmp->icmp_code);
	icmp->icmp_cksum = ns_cksum_update16(icmp->icmp_cksum, old_word, new_word);

	/* The request's header with the addresses swapped and our TTL. */
	ns_ipv4_hdr_write(ip, ns_ipv4_hlen(ip), ip->type_of_service,
			rte_be_to_cpu_16(ip->total_length), rte_be_to_cpu_16(ip->packet_id),
			rte_be_to_cpu_16(ip->fragment_offset), h->ttl, ip->next_proto_id,
			ip->dst_addr, ip->src_addr);

	eth->dst_addr = eth->src_addr;
	eth->src_addr = h->mac;
	(void)len; /* length unchanged (padding already trimmed by IPv4) */
	NS_CTR(h, icmp_echo_reply_tx);
	return NS_V_TX;
}
