/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Internet checksum (RFC 1071), with no DPDK header: every core and the
 * edge use this one file.
 *
 * The scalar sum takes 32-bit loads into a 64-bit accumulator, four per
 * iteration: about four times fewer additions than DPDK 22.11's
 * rte_raw_cksum (16-bit loads), whose pass over the payload was half of a
 * TCP sender's and receiver's cycles.  Payloads (ns_cksum_any, the L4
 * checksums) of 128 bytes and more take a vector sum on x86-64 (below).
 * Results are those of rte_ipv4_udptcp_cksum() / _verify(), bit for bit
 * (tests/unit/test_cksum.c).  Byte order: native words summed and folded,
 * as RFC 1071 2(B) allows; a result is in memory order (store it with
 * memcpy, or ns_get_be16() its bytes for the value).
 */
#ifndef NS_CKSUM_H
#define NS_CKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/ns_wire.h"

/* An unfolded sum folded to 16 bits (the carries added back). */
static inline uint16_t
ns_cksum_fold(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The scalar sum: ns_cksum_raw below, short buffers, and the tail of the
 * vector sums. */
static inline uint16_t
ns_cksum_scalar(const void *buf, size_t len, uint64_t sum)
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
	return ns_cksum_fold(s0);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/*
 * Payload-sized buffers on x86-64: each 32-bit word is widened to a 64-bit
 * lane (unpack with zero) and added there, 8 words per AVX2 add and 4 per
 * SSE2 add, against one per scalar add; the lanes are summed and folded at
 * the end (2^32 words could not overflow a lane).  1448 bytes: 15 ns with
 * AVX2, 28 ns with SSE2, 47 ns scalar (tests/bench/bench_cksum.c, project
 * VM).  AVX2 is picked at run time (the build's -march is corei7); SSE2 is
 * part of x86-64.
 */
#define NS_CKSUM_VEC_MIN 128

static inline uint64_t
ns_cksum_lanes(const uint64_t *t, unsigned int n, uint64_t sum)
{
	uint64_t s = (sum & 0xffffffffu) + (sum >> 32);

	for (unsigned int i = 0; i < n; i++)
		s += (t[i] & 0xffffffffu) + (t[i] >> 32);
	return s;
}

/*
 * One body per instruction set: the sum of len bytes from src, storing each
 * block at dst on the way when copy is set (a constant in every caller, so
 * each wrapper is compiled without the test).
 */
__attribute__((target("avx2"), always_inline)) static inline uint16_t
ns_cksum_avx2_body(void *dst, const void *src, size_t len, uint64_t sum, const bool copy)
{
	const uint8_t *p = src;
	uint8_t *d = dst;
	__m256i z = _mm256_setzero_si256(), a0 = z, a1 = z;
	uint64_t t[4];
	size_t off = 0;

	for (; len - off >= 64; off += 64) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + off));
		__m256i u = _mm256_loadu_si256((const __m256i *)(const void *)(p + off + 32));

		if (copy) {
			_mm256_storeu_si256((__m256i *)(void *)(d + off), v);
			_mm256_storeu_si256((__m256i *)(void *)(d + off + 32), u);
		}
		a0 = _mm256_add_epi64(a0, _mm256_unpacklo_epi32(v, z));
		a1 = _mm256_add_epi64(a1, _mm256_unpackhi_epi32(v, z));
		a0 = _mm256_add_epi64(a0, _mm256_unpacklo_epi32(u, z));
		a1 = _mm256_add_epi64(a1, _mm256_unpackhi_epi32(u, z));
	}
	if (copy)
		memcpy(d + off, p + off, len - off);
	_mm256_storeu_si256((__m256i *)(void *)t, _mm256_add_epi64(a0, a1));
	return ns_cksum_scalar(p + off, len - off, ns_cksum_lanes(t, 4, sum));
}

__attribute__((always_inline)) static inline uint16_t
ns_cksum_sse2_body(void *dst, const void *src, size_t len, uint64_t sum, const bool copy)
{
	const uint8_t *p = src;
	uint8_t *d = dst;
	__m128i z = _mm_setzero_si128(), a0 = z, a1 = z;
	uint64_t t[2];
	size_t off = 0;

	for (; len - off >= 32; off += 32) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + off));
		__m128i u = _mm_loadu_si128((const __m128i *)(const void *)(p + off + 16));

		if (copy) {
			_mm_storeu_si128((__m128i *)(void *)(d + off), v);
			_mm_storeu_si128((__m128i *)(void *)(d + off + 16), u);
		}
		a0 = _mm_add_epi64(a0, _mm_unpacklo_epi32(v, z));
		a1 = _mm_add_epi64(a1, _mm_unpackhi_epi32(v, z));
		a0 = _mm_add_epi64(a0, _mm_unpacklo_epi32(u, z));
		a1 = _mm_add_epi64(a1, _mm_unpackhi_epi32(u, z));
	}
	if (copy)
		memcpy(d + off, p + off, len - off);
	_mm_storeu_si128((__m128i *)(void *)t, _mm_add_epi64(a0, a1));
	return ns_cksum_scalar(p + off, len - off, ns_cksum_lanes(t, 2, sum));
}

__attribute__((target("avx2"), unused)) static uint16_t
ns_cksum_avx2(const void *buf, size_t len, uint64_t sum)
{
	return ns_cksum_avx2_body(NULL, buf, len, sum, false);
}

__attribute__((target("avx2"), unused)) static uint16_t
ns_cksum_copy_avx2(void *dst, const void *src, size_t len, uint64_t sum)
{
	return ns_cksum_avx2_body(dst, src, len, sum, true);
}

__attribute__((unused)) static uint16_t
ns_cksum_sse2(const void *buf, size_t len, uint64_t sum)
{
	return ns_cksum_sse2_body(NULL, buf, len, sum, false);
}

__attribute__((unused)) static uint16_t
ns_cksum_copy_sse2(void *dst, const void *src, size_t len, uint64_t sum)
{
	return ns_cksum_sse2_body(dst, src, len, sum, true);
}
#endif

/* One's-complement sum of buf folded to 16 bits, plus 'sum' (unfolded):
 * headers, whose length is short and often known at compile time. */
static inline uint16_t
ns_cksum_raw(const void *buf, size_t len, uint64_t sum)
{
	return ns_cksum_scalar(buf, len, sum);
}

/* The same for buffers of any length (payloads): the vector sum from
 * NS_CKSUM_VEC_MIN bytes. */
static inline uint16_t
ns_cksum_any(const void *buf, size_t len, uint64_t sum)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (len >= NS_CKSUM_VEC_MIN)
		return __builtin_cpu_supports("avx2") ? ns_cksum_avx2(buf, len, sum)
						      : ns_cksum_sse2(buf, len, sum);
#endif
	return ns_cksum_scalar(buf, len, sum);
}

/*
 * Copies len bytes from src to dst (not overlapping) and returns their sum as
 * ns_cksum_any(dst, len, sum) would: a sender's payload summed while it is
 * copied into the frame, in one pass over the bytes.
 */
static inline uint16_t
ns_cksum_copy(void *dst, const void *src, size_t len, uint64_t sum)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (len >= NS_CKSUM_VEC_MIN)
		return __builtin_cpu_supports("avx2") ? ns_cksum_copy_avx2(dst, src, len, sum)
						      : ns_cksum_copy_sse2(dst, src, len, sum);
#endif
	memcpy(dst, src, len);
	return ns_cksum_scalar(dst, len, sum);
}

/*
 * The sum of two runs of bytes, b after a: a_sum and b_sum as ns_cksum_raw
 * gives them for each run on its own.  A run that starts at an odd offset
 * has its bytes in the other lanes of the 16-bit words (RFC 1071 2(B)).
 */
static inline uint16_t
ns_cksum_join(uint16_t a_sum, size_t a_len, uint16_t b_sum)
{
	if (a_len & 1)
		b_sum = (uint16_t)(b_sum << 8 | b_sum >> 8);
	return ns_cksum_fold((uint64_t)a_sum + b_sum);
}

/* The checksum field of len bytes whose field holds 0, as a host-order
 * value (ns_put_be16 it). */
static inline uint16_t
ns_cksum_be(const void *buf, size_t len)
{
	uint16_t s = ns_cksum_raw(buf, len, 0);

	return (uint16_t)~ns_get_be16(&s);
}

/*
 * Incremental update (RFC 1624, eqn. 3): HC' = ~(~HC + ~m + m').  Every
 * value in one byte order, whichever (the one's complement sum does not
 * depend on it): network-order fields loaded raw, or host-order values read
 * with ns_get_be16/32.  A 32-bit field is its two 16-bit halves; the change
 * d of several fields can be summed first (ns_cksum_delta*) and applied once.
 */
static inline uint32_t
ns_cksum_delta16(uint16_t old, uint16_t new_)
{
	return (uint32_t)(uint16_t)~old + new_;
}

static inline uint32_t
ns_cksum_delta32(uint32_t old, uint32_t new_)
{
	return ns_cksum_delta16((uint16_t)(old >> 16), (uint16_t)(new_ >> 16)) +
	       ns_cksum_delta16((uint16_t)old, (uint16_t)new_);
}

static inline uint16_t
ns_cksum_apply(uint16_t hc, uint32_t d)
{
	uint32_t s = (uint16_t)~hc + d;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static inline uint16_t
ns_cksum_update16(uint16_t hc, uint16_t old, uint16_t new_)
{
	return ns_cksum_apply(hc, ns_cksum_delta16(old, new_));
}

static inline uint16_t
ns_cksum_update32(uint16_t hc, uint32_t old, uint32_t new_)
{
	return ns_cksum_apply(hc, ns_cksum_delta32(old, new_));
}

/* IPv4 headers as bytes (ip: the header; struct rte_ipv4_hdr * converts). */
static inline uint32_t
ns_ipv4_hlen(const void *ip)
{
	return (uint32_t)(*(const uint8_t *)ip & 15) * 4;
}

/* The pseudo-header (RFC 768, RFC 9293 3.1) of an IPv4 packet's L4 part of
 * l4_len bytes, as an unfolded sum for ns_cksum_raw: the same value as
 * rte_ipv4_phdr_cksum(), without its 16-bit loop over a 12-byte copy. */
static inline uint64_t
ns_ipv4_phdr_sum(const void *ip, uint16_t l4_len)
{
	const uint8_t *b = ip;
	uint32_t s, d;

	memcpy(&s, b + 12, 4);
	memcpy(&d, b + 16, 4);
	return (uint64_t)s + d + NS_BE16(b[9]) + NS_BE16(l4_len);
}

/* The TCP/UDP checksum field for an IPv4 packet, in memory order (as
 * rte_ipv4_udptcp_cksum): a computed 0 is sent as 0xffff only for UDP, where
 * 0 means "no checksum" (RFC 768); TCP sends 0 (RFC 1624 3). */
static inline uint16_t
ns_ipv4_l4_cksum(const void *ip, const void *l4)
{
	const uint8_t *b = ip;
	uint16_t l4_len = (uint16_t)(ns_get_be16(b + 2) - ns_ipv4_hlen(b));
	uint16_t c = (uint16_t)~ns_cksum_any(l4, l4_len, ns_ipv4_phdr_sum(b, l4_len));

	return c == 0 && b[9] == 17 ? 0xffff : c;
}

/* 0 when the TCP/UDP checksum of an IPv4 packet is right (as _verify). */
static inline int
ns_ipv4_l4_cksum_verify(const void *ip, const void *l4)
{
	const uint8_t *b = ip;
	uint16_t l4_len = (uint16_t)(ns_get_be16(b + 2) - ns_ipv4_hlen(b));

	return ns_cksum_any(l4, l4_len, ns_ipv4_phdr_sum(b, l4_len)) == 0xffff ? 0 : -1;
}

/*
 * An IPv4 header at ip: the 20 fixed bytes and the checksum over hlen bytes
 * (options from ip + 20 written by the caller first).  Addresses in network
 * order; frag: the flags and offset field (0x4000: DF).
 */
static inline void
ns_ipv4_hdr_write(void *ip, uint32_t hlen, uint8_t tos, uint16_t tot, uint16_t id, uint16_t frag,
		uint8_t ttl, uint8_t proto, uint32_t src, uint32_t dst)
{
	uint8_t *b = ip;
	uint16_t c;

	b[0] = (uint8_t)(0x40 | hlen / 4);
	b[1] = tos;
	ns_put_be16(b + 2, tot);
	ns_put_be16(b + 4, id);
	ns_put_be16(b + 6, frag);
	b[8] = ttl;
	b[9] = proto;
	b[10] = b[11] = 0;
	memcpy(b + 12, &src, 4);
	memcpy(b + 16, &dst, 4);
	c = (uint16_t)~ns_cksum_raw(b, hlen, 0);
	memcpy(b + 10, &c, 2);
}

#endif /* NS_CKSUM_H */
