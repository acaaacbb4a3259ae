/* SPDX-License-Identifier: BSD-3-Clause */
/* One's complement helpers of the overlay (no DPDK headers). */
#ifndef NS_OVL_CKSUM_H
#define NS_OVL_CKSUM_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "ns_cksum_raw.h"

static inline uint16_t
ovl_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit word. */
static inline uint16_t
ovl_cksum_update16(uint16_t hc, uint16_t m, uint16_t m2)
{
	uint32_t s = (uint16_t)~hc + (uint32_t)(uint16_t)~m + m2;

	return (uint16_t)~ovl_fold(s);
}

static inline uint16_t
ovl_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
ovl_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A 32-bit field (network order in memory) changed from old to new. */
static inline uint16_t
ovl_cksum_update32(uint16_t hc, const uint8_t *old4, const uint8_t *new4)
{
	hc = ovl_cksum_update16(hc, ovl_get16(old4), ovl_get16(new4));
	return ovl_cksum_update16(hc, ovl_get16(old4 + 2), ovl_get16(new4 + 2));
}

#endif /* NS_OVL_CKSUM_H */
