/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-protocol input functions of the host stack (see host.h). */
#ifndef NS_HOST_INTERNAL_H
#define NS_HOST_INTERNAL_H

#include "host.h"

#define NS_CTR(h, name)	 ((h)->ctr[NS_NET_##name]++)
#define NS_DROP(h, name) (NS_CTR(h, name), NS_V_DROP)

enum ns_verdict ns_arp_input(struct ns_host *h, uint8_t *frame, uint16_t *len, uint64_t now);
enum ns_verdict ns_ipv4_input(struct ns_host *h, uint8_t *frame, uint16_t *len, uint64_t now,
		struct ns_l4_info *l4);
enum ns_verdict ns_icmp_input(
		struct ns_host *h, uint8_t *frame, uint16_t *len, const struct ns_l4_info *l4);

/* Addresses that can never be a unicast source (RFC 1122 3.2.1.3). */
static inline int
ns_ipv4_martian_src(const struct ns_host *h, rte_be32_t src)
{
	uint32_t a = rte_be_to_cpu_32(src);

	return a == 0 || (a >> 24) == 127 || (a >> 28) == 0xe || a == 0xffffffffu ||
	       (h->netmask != 0xffffffff && (src & ~h->netmask) == ~h->netmask);
}

#endif /* NS_HOST_INTERNAL_H */
