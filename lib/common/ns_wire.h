/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Byte order on the wire, with no DPDK header (the DPDK-free cores use it
 * too): big-endian loads and stores at any alignment, and network-order
 * constants.  A load is a memcpy (one unaligned move) and a byte swap on a
 * little-endian host, nothing more on a big-endian one.
 */
#ifndef NS_WIRE_H
#define NS_WIRE_H

#include <stdint.h>
#include <string.h>

/* Host order to network order and back (a constant expression for a
 * constant: htonl() where a case label or an initializer needs one). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NS_BE16(x) ((uint16_t)__builtin_bswap16((uint16_t)(x)))
#define NS_BE32(x) ((uint32_t)__builtin_bswap32((uint32_t)(x)))
#else
#define NS_BE16(x) ((uint16_t)(x))
#define NS_BE32(x) ((uint32_t)(x))
#endif

static inline uint16_t
ns_get_be16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return NS_BE16(v);
}

static inline uint32_t
ns_get_be32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return NS_BE32(v);
}

static inline void
ns_put_be16(void *p, uint16_t v)
{
	v = NS_BE16(v);
	memcpy(p, &v, 2);
}

static inline void
ns_put_be32(void *p, uint32_t v)
{
	v = NS_BE32(v);
	memcpy(p, &v, 4);
}

#endif /* NS_WIRE_H */
