/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet demultiplexing: the entry point of the host stack. */
#include <rte_ether.h>

#include "net/host_internal.h"
#include "net/net_counters.h"

const struct ns_ctr_desc ns_net_ctr_desc[NS_NET__MAX] = {
#define X(name, kind, help) NS_CTR_DESC(name, kind, help)
		NS_NET_COUNTERS(X)
#undef X
};

enum ns_verdict
ns_host_input(struct ns_host *h, uint8_t *frame, uint16_t *len, uint64_t now, struct ns_l4_info *l4)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;

	NS_CTR(h, rx_frames);
	if (*len < sizeof(*eth))
		return NS_DROP(h, eth_runt);
	/* Group frames are filtered by L3 (broadcast ARP, joined groups later). */
	if (!rte_is_multicast_ether_addr(&eth->dst_addr) &&
			!rte_is_same_ether_addr(&eth->dst_addr, &h->mac))
		return NS_DROP(h, eth_not_for_us);

	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return ns_ipv4_input(h, frame, len, now, l4);
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return ns_arp_input(h, frame, len, now);
	case RTE_BE16(RTE_ETHER_TYPE_VLAN):
	case RTE_BE16(RTE_ETHER_TYPE_QINQ):
		return NS_DROP(h, eth_vlan);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		return NS_DROP(h, eth_ipv6);
	default:
		return NS_DROP(h, eth_unknown_type);
	}
}
