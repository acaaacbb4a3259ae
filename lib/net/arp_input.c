/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP (RFC 826) responder and learner; request builder for resolution. */
#include <string.h>
#include <rte_arp.h>
#include <rte_ether.h>

#include "net/host_internal.h"

#define NS_ARP_FRAME_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr))

enum ns_verdict
ns_arp_input(struct ns_host *h, uint8_t *frame, uint16_t *len, uint64_t now)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	struct rte_arp_ipv4 *a = &arp->arp_data;
	enum ns_ipv4_src cls;
	rte_be32_t sip, tip;
	uint16_t op;

	NS_CTR(h, arp_rx);
	if (*len < NS_ARP_FRAME_LEN)
		return NS_DROP(h, arp_truncated);
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		return NS_DROP(h, arp_bad_format);
	op = rte_be_to_cpu_16(arp->arp_opcode);
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)
		return NS_DROP(h, arp_bad_op);

	sip = a->arp_sip;
	tip = a->arp_tip;
	/* An address probe (RFC 5227) has sender 0.0.0.0: answer, learn nothing. */
	cls = sip != 0 ? ns_host_src_class(h, sip) : NS_SRC_OK;
	if (rte_is_multicast_ether_addr(&a->arp_sha) || rte_is_zero_ether_addr(&a->arp_sha) ||
			cls == NS_SRC_MARTIAN || cls == NS_SRC_SUBNET)
		return NS_DROP(h, arp_bad_sender);
	if (cls == NS_SRC_OURS)
		return NS_DROP(h, arp_conflict);

	if (tip != h->ip) {
		/* RFC 826 merge: refresh an existing entry, never create one. */
		if (sip != 0)
			ns_arp_learn(&h->arp, sip, &a->arp_sha, false, now);
		return NS_DROP(h, arp_not_for_us);
	}
	if (sip != 0)
		ns_arp_learn(&h->arp, sip, &a->arp_sha, true, now);

	if (op == RTE_ARP_OP_REPLY) {
		NS_CTR(h, arp_reply_rx);
		return NS_V_DROP; /* consumed: nothing to send, caller frees */
	}
	NS_CTR(h, arp_request_rx);

	/* Turn the request into the reply, in place. */
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	a->arp_tha = a->arp_sha;
	a->arp_tip = sip;
	a->arp_sha = h->mac;
	a->arp_sip = h->ip;
	eth->dst_addr = a->arp_tha;
	eth->src_addr = h->mac;
	*len = NS_ARP_FRAME_LEN;
	NS_CTR(h, arp_reply_tx);
	return NS_V_TX;
}

uint16_t
ns_arp_build_request(const struct ns_host *h, rte_be32_t target, uint8_t *buf)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = h->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = h->mac;
	arp->arp_data.arp_sip = h->ip;
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = target;
	return NS_ARP_FRAME_LEN;
}
