/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksum helpers not provided by rte_ip.h (22.11). */
#ifndef NS_CKSUM_H
#define NS_CKSUM_H

#include <stdint.h>
#include <rte_byteorder.h>

/*
 * Incremental update (RFC 1624, eqn. 3): HC' = ~(~HC + ~m + m') for one
 * 16-bit field changing from old to new.  All values in network order; the
 * one's complement sum is byte-order independent.
 */
static inline rte_be16_t
ns_cksum_adjust16(rte_be16_t hc, rte_be16_t old, rte_be16_t new_)
{
	uint32_t sum = (uint16_t)~hc;

	sum += (uint16_t)~old;
	sum += new_;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (rte_be16_t)~sum;
}

static inline rte_be16_t
ns_cksum_adjust32(rte_be16_t hc, rte_be32_t old, rte_be32_t new_)
{
	hc = ns_cksum_adjust16(hc, (rte_be16_t)(old & 0xffff), (rte_be16_t)(new_ & 0xffff));
	return ns_cksum_adjust16(hc, (rte_be16_t)(old >> 16), (rte_be16_t)(new_ >> 16));
}

#endif /* NS_CKSUM_H */
