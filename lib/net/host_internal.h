/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-protocol input functions of the host stack (see host.h). */
#ifndef NS_HOST_INTERNAL_H
#define NS_HOST_INTERNAL_H

#include "net/host.h"
#include "common/ns_ipv4_src.h"

#define NS_CTR(h, name)	 ((h)->ctr[NS_NET_##name]++)
#define NS_DROP(h, name) (NS_CTR(h, name), NS_V_DROP)

enum ns_verdict ns_arp_input(struct ns_host *h, uint8_t *frame, uint16_t *len, uint64_t now);
enum ns_verdict ns_ipv4_input(struct ns_host *h, uint8_t *frame, uint16_t *len, uint64_t now,
		struct ns_l4_info *l4);
enum ns_verdict ns_icmp_input(
		struct ns_host *h, uint8_t *frame, uint16_t *len, const struct ns_l4_info *l4);

/* What a received source address is to this interface (ns_ipv4_src.h). */
static inline enum ns_ipv4_src
ns_host_src_class(const struct ns_host *h, rte_be32_t src)
{
	return ns_ipv4_src_class(src, h->ip, h->netmask);
}

#endif /* NS_HOST_INTERNAL_H */
