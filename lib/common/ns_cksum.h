/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum (RFC 1071) of TCP segments, 32-bit loads into a 64-bit
 * accumulator, four per iteration: about four times fewer additions than
 * DPDK 22.11's rte_raw_cksum (16-bit loads), whose pass over the payload was
 * half of a TCP sender's and receiver's cycles.  Results are those of
 * rte_ipv4_udptcp_cksum() / _verify(), bit for bit (tests/unit/test_cksum.c).
 * Byte order: native words summed and folded, as RFC 1071 2(B) allows.
 */
#ifndef NS_CKSUM_H
#define NS_CKSUM_H

#include <stdint.h>
#include <string.h>

#include <rte_ip.h>

#include "ns_cksum_raw.h"

/* The pseudo-header (RFC 768, RFC 9293 3.1) of an IPv4 packet's L4 part of
 * l4_len bytes, as an unfolded sum for ns_cksum_raw: the same value as
 * rte_ipv4_phdr_cksum(), without its 16-bit loop over a 12-byte copy. */
static inline uint64_t
ns_ipv4_phdr_sum(const struct rte_ipv4_hdr *ip, uint16_t l4_len)
{
	uint32_t s, d;

	memcpy(&s, &ip->src_addr, 4);
	memcpy(&d, &ip->dst_addr, 4);
	return (uint64_t)s + d + rte_cpu_to_be_16((uint16_t)ip->next_proto_id) +
	       rte_cpu_to_be_16(l4_len);
}

/* The TCP/UDP checksum field for an IPv4 packet (as rte_ipv4_udptcp_cksum):
 * a computed 0 is sent as 0xffff only for UDP, where 0 means "no checksum"
 * (RFC 768); TCP sends 0 (RFC 1624 3). */
static inline uint16_t
ns_ipv4_l4_cksum(const struct rte_ipv4_hdr *ip, const void *l4)
{
	uint16_t l4_len = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip));
	uint16_t c = (uint16_t)~ns_cksum_raw(l4, l4_len, ns_ipv4_phdr_sum(ip, l4_len));

	return c == 0 && ip->next_proto_id == IPPROTO_UDP ? 0xffff : c;
}

/* 0 when the TCP/UDP checksum of an IPv4 packet is right (as _verify). */
static inline int
ns_ipv4_l4_cksum_verify(const struct rte_ipv4_hdr *ip, const void *l4)
{
	uint16_t l4_len = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip));

	return ns_cksum_raw(l4, l4_len, ns_ipv4_phdr_sum(ip, l4_len)) == 0xffff ? 0 : -1;
}

#endif /* NS_CKSUM_H */
