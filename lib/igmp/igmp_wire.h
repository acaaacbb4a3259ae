/* SPDX-License-Identifier: BSD-3-Clause */
/* IGMP on the wire, shared by the host side and the querier (no DPDK). */
#ifndef NS_IGMP_WIRE_H
#define NS_IGMP_WIRE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/ns_cksum.h"

#define MS	       1000000ull	    /* ns */
#define ALL_SYSTEMS    NS_BE32(0xe0000001u) /* 224.0.0.1, network order */
#define ALL_ROUTERS    NS_BE32(0xe0000002u) /* 224.0.0.2 */
#define ALL_V3_ROUTERS NS_BE32(0xe0000016u) /* 224.0.0.22 */
#define T_QUERY	       0x11
#define T_V1_REPORT    0x12
#define T_V2_REPORT    0x16
#define T_V2_LEAVE     0x17
#define T_V3_REPORT    0x22

/* A group IGMP reports and tracks: multicast (224.0.0.0/4) but not the
 * link-local 224.0.0.0/24, which is never reported (RFC 3376 5, 6.4).  The
 * group is in network order; the test is on its host-order value, so it
 * holds on either byte order. */
static inline bool
igmp_group_tracked(uint32_t group)
{
	uint32_t a = NS_BE32(group);

	return (a & 0xf0000000u) == 0xe0000000u && (a & 0xffffff00u) != 0xe0000000u;
}

/* IPv4 header with Router Alert (RFC 2113), TTL 1, protocol 2, at p; 24 bytes. */
static inline void
igmp_ip_hdr(uint8_t *p, uint32_t src, uint32_t dst, uint32_t l4_len)
{
	p[20] = 0x94;
	p[21] = 4;
	p[22] = p[23] = 0;
	/* internetwork control, DF */
	ns_ipv4_hdr_write(p, 24, 0xc0, (uint16_t)(24 + l4_len), 0, 0x4000, 1, 2, src, dst);
}

/* Max Resp Code and QQIC (4.1.1, 4.1.7): below 128 as is, else a 3-bit
 * exponent and 4-bit mantissa: (mant | 0x10) << (exp + 3). */
static inline uint32_t
igmp_code_value(uint8_t code)
{
	if (code < 128)
		return code;
	return ((uint32_t)(code & 0x0f) | 0x10) << (((code >> 4) & 7) + 3);
}

/* The largest code whose value does not exceed v (the maximum 31744). */
static inline uint8_t
igmp_code_encode(uint32_t v)
{
	if (v < 128)
		return (uint8_t)v;
	for (int e = 7; e >= 0; e--)
		for (int m = 15; m >= 0; m--)
			if ((((uint32_t)m | 0x10) << (e + 3)) <= v)
				return (uint8_t)(0x80 | e << 4 | m);
	return 127;
}

#endif /* NS_IGMP_WIRE_H */
