/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP sequence-number arithmetic modulo 2^32 (RFC 9293 3.4): a < b when
 * the signed distance from b to a is negative.  Valid while the compared
 * values are within 2^31 of each other, which the window rules guarantee.
 */
#ifndef NS_TCP_SEQ_H
#define NS_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

static inline bool
ns_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool
ns_seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static inline bool
ns_seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline bool
ns_seq_geq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

static inline uint32_t
ns_seq_max(uint32_t a, uint32_t b)
{
	return ns_seq_gt(a, b) ? a : b;
}

static inline uint32_t
ns_seq_min(uint32_t a, uint32_t b)
{
	return ns_seq_lt(a, b) ? a : b;
}

/* lo <= x < hi, for a window [lo, hi). */
static inline bool
ns_seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
	return ns_seq_geq(x, lo) && ns_seq_lt(x, hi);
}

/* Timestamps compare the same way (RFC 7323 5.2, PAWS). */
#define ns_ts_lt  ns_seq_lt
#define ns_ts_geq ns_seq_geq

#endif /* NS_TCP_SEQ_H */
