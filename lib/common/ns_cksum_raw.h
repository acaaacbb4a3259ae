/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Internet checksum's sum (RFC 1071) with no DPDK header, for the
 * DPDK-free cores too (IGMP, the overlay): 32-bit loads into a 64-bit
 * accumulator.  The result is in native byte order (RFC 1071 2(B)): ntohs()
 * gives the value as the wire's big-endian words would sum.
 */
#ifndef NS_CKSUM_RAW_H
#define NS_CKSUM_RAW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* One's-complement sum of buf folded to 16 bits, plus 'sum' (unfolded). */
static inline uint16_t
ns_cksum_raw(const void *buf, size_t len, uint64_t sum)
{
	const uint8_t *p = buf;
	uint64_t s0 = sum, s1 = 0;

	while (len >= 16) {
		uint32_t w[4];

		memcpy(w, p, 16);
		s0 += (uint64_t)w[0] + w[1];
		s1 += (uint64_t)w[2] + w[3];
		p += 16;
		len -= 16;
	}
	s0 += s1;
	while (len >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		s0 += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t h;

		memcpy(&h, p, 2);
		s0 += h;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		uint16_t h = 0;

		*(uint8_t *)&h = *p; /* the odd byte, padded with zero (RFC 1071) */
		s0 += h;
	}
	s0 = (s0 & 0xffffffffu) + (s0 >> 32);
	s0 = (s0 & 0xffffffffu) + (s0 >> 32);
	s0 = (s0 & 0xffff) + (s0 >> 16);
	s0 = (s0 & 0xffff) + (s0 >> 16);
	return (uint16_t)s0;
}

#endif /* NS_CKSUM_RAW_H */
