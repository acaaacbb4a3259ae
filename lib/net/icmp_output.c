/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP echo requests we originate (the console's ping) and their replies. */
#include <string.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "net/host_internal.h"
#include "common/ns_cksum.h"

uint16_t
ns_icmp_build_echo(struct ns_host *h, rte_be32_t dst, uint16_t ident, uint16_t seq,
		uint16_t payload, uint64_t tx_ns, uint8_t *buf)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	uint8_t *data = (uint8_t *)(icmp + 1);
	uint16_t tot = sizeof(*ip) + sizeof(*icmp) + payload;

	memset(&eth->dst_addr, 0, sizeof(eth->dst_addr));
	eth->src_addr = h->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ns_ipv4_hdr_write(ip, sizeof(*ip), 0, tot, seq, RTE_IPV4_HDR_DF_FLAG, h->ttl, IPPROTO_ICMP,
			h->ip, dst);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_code = 0;
	icmp->icmp_ident = rte_cpu_to_be_16(ident);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(seq);
	memcpy(data, &tx_ns, sizeof(tx_ns));
	for (uint16_t i = sizeof(tx_ns); i < payload; i++)
		data[i] = (uint8_t)i;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~ns_cksum_any(icmp, sizeof(*icmp) + payload, 0);
	h->ctr[NS_NET_icmp_echo_request_tx]++;
	return (uint16_t)(sizeof(*eth) + tot);
}

int
ns_icmp_echo_reply_parse(const uint8_t *frame, const struct ns_l4_info *l4, uint16_t *ident,
		uint16_t *seq, uint64_t *tx_ns)
{
	const struct rte_icmp_hdr *icmp = (const struct rte_icmp_hdr *)(frame + l4->l4_off);

	if (l4->proto != IPPROTO_ICMP || l4->l4_len < sizeof(*icmp) + sizeof(*tx_ns) ||
			icmp->icmp_type != RTE_IP_ICMP_ECHO_REPLY)
		return -1;
	*ident = rte_be_to_cpu_16(icmp->icmp_ident);
	*seq = rte_be_to_cpu_16(icmp->icmp_seq_nb);
	memcpy(tx_ns, icmp + 1, sizeof(*tx_ns));
	return 0;
}
