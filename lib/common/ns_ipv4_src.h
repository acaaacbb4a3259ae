/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which IPv4 source addresses a received packet may carry, with no DPDK
 * header (the host stack, the overlay and the edge share it).  The rules are
 * RFC 1812 5.3.7 and RFC 1122 3.2.1.3 as Linux applies them to input
 * (ip_route_input_slow and fib_validate_source: "martian source"):
 *   - 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4 (multicast) and 255.255.255.255
 *     are never a sender;
 *   - nor the network or broadcast address of the receiving port's subnet
 *     (prefixes up to /30; /31 and /32 have neither, RFC 3021);
 *   - nor our own address (a "land" packet: it would be answered to us).
 * 240.0.0.0/4 below the limited broadcast is accepted, as Linux does (RFC
 * 1812 would refuse it; it is reserved, not invalid).
 */
#ifndef NS_IPV4_SRC_H
#define NS_IPV4_SRC_H

#include <stdint.h>

#include "common/ns_wire.h"

enum ns_ipv4_src {
	NS_SRC_OK = 0,
	NS_SRC_MARTIAN, /* 0/8, 127/8, multicast, limited broadcast */
	NS_SRC_SUBNET,	/* the subnet's network or broadcast address */
	NS_SRC_OURS,	/* our own address */
};

/* src, ours, netmask: network order (netmask 0: no subnet known). */
static inline enum ns_ipv4_src
ns_ipv4_src_class(uint32_t src, uint32_t ours, uint32_t netmask)
{
	uint32_t a = ns_get_be32(&src), m = ns_get_be32(&netmask);

	if ((a >> 24) == 0 || (a >> 24) == 127 || (a >> 28) == 0xe || a == 0xffffffffu)
		return NS_SRC_MARTIAN;
	if (m != 0 && ~m > 1 && (a & m) == (ns_get_be32(&ours) & m) &&
			((a & ~m) == 0 || (a & ~m) == ~m))
		return NS_SRC_SUBNET;
	if (src == ours)
		return NS_SRC_OURS;
	return NS_SRC_OK;
}

#endif /* NS_IPV4_SRC_H */
