/* SPDX-License-Identifier: BSD-3-Clause */
/* MD5 (RFC 1321 3.1-3.5) and SHA-1 (FIPS 180-4 6.1), written from the specifications. */
#include <string.h>

#include "common/ns_digest.h"

static inline uint32_t
rol32(uint32_t x, unsigned int n)
{
	return x << n | x >> (32 - n);
}

/* Both digests take 64-byte blocks: buffer a partial one between updates. */
static void
absorb(uint32_t *h, uint8_t buf[64], uint64_t *total, const uint8_t *p, size_t len,
		void (*block)(uint32_t *h, const uint8_t *p))
{
	size_t have = *total & 63;

	*total += len;
	if (have != 0) {
		size_t take = 64 - have < len ? 64 - have : len;

		memcpy(buf + have, p, take);
		p += take;
		len -= take;
		if (have + take < 64)
			return;
		block(h, buf);
	}
	for (; len >= 64; p += 64, len -= 64)
		block(h, p);
	memcpy(buf, p, len);
}

/* --- MD5 ---------------------------------------------------------------- */

/* T[i] = floor(2^32 * |sin(i + 1)|) (RFC 1321 3.4). */
static const uint32_t md5_t[64] = {0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf,
		0x4787c62a, 0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
		0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51,
		0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6,
		0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942,
		0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
		0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8,
		0xc4ac5665, 0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
		0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82,
		0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
static const uint8_t md5_s[4][4] = {
		{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

static void
md5_block(uint32_t *h, const uint8_t *p)
{
	uint32_t x[16], a = h[0], b = h[1], c = h[2], d = h[3];

	for (int i = 0; i < 16; i++)
		x[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
		       (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
	for (int i = 0; i < 64; i++) {
		uint32_t f, t;
		int k, r = i >> 4;

		switch (r) {
		case 0:
			f = (b & c) | (~b & d);
			k = i;
			break;
		case 1:
			f = (b & d) | (c & ~d);
			k = (5 * i + 1) & 15;
			break;
		case 2:
			f = b ^ c ^ d;
			k = (3 * i + 5) & 15;
			break;
		default:
			f = c ^ (b | ~d);
			k = (7 * i) & 15;
			break;
		}
		t = d;
		d = c;
		c = b;
		b = b + rol32(a + f + md5_t[i] + x[k], md5_s[r][i & 3]);
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

void
ns_md5_init(struct ns_md5 *c)
{
	c->h[0] = 0x67452301;
	c->h[1] = 0xefcdab89;
	c->h[2] = 0x98badcfe;
	c->h[3] = 0x10325476;
	c->len = 0;
}

void
ns_md5_update(struct ns_md5 *c, const void *data, size_t len)
{
	absorb(c->h, c->buf, &c->len, data, len, md5_block);
}

void
ns_md5_final(struct ns_md5 *c, uint8_t out[NS_MD5_LEN])
{
	uint64_t bits = c->len * 8;
	uint8_t pad[72] = {0x80};
	size_t have = c->len & 63, n = have < 56 ? 56 - have : 120 - have;

	for (int i = 0; i < 8; i++)
		pad[n + i] = (uint8_t)(bits >> (8 * i)); /* length, little endian */
	ns_md5_update(c, pad, n + 8);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (uint8_t)(c->h[i] >> (8 * j));
}

void
ns_md5(const void *data, size_t len, uint8_t out[NS_MD5_LEN])
{
	struct ns_md5 c;

	ns_md5_init(&c);
	ns_md5_update(&c, data, len);
	ns_md5_final(&c, out);
}

/* --- SHA-1 -------------------------------------------------------------- */

static void
sha1_block(uint32_t *h, const uint8_t *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;

		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol32(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol32(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void
ns_sha1_init(struct ns_sha1 *c)
{
	c->h[0] = 0x67452301;
	c->h[1] = 0xefcdab89;
	c->h[2] = 0x98badcfe;
	c->h[3] = 0x10325476;
	c->h[4] = 0xc3d2e1f0;
	c->len = 0;
}

void
ns_sha1_update(struct ns_sha1 *c, const void *data, size_t len)
{
	absorb(c->h, c->buf, &c->len, data, len, sha1_block);
}

void
ns_sha1_final(struct ns_sha1 *c, uint8_t out[NS_SHA1_LEN])
{
	uint64_t bits = c->len * 8;
	uint8_t pad[72] = {0x80};
	size_t have = c->len & 63, n = have < 56 ? 56 - have : 120 - have;

	for (int i = 0; i < 8; i++)
		pad[n + i] = (uint8_t)(bits >> (56 - 8 * i)); /* length, big endian */
	ns_sha1_update(c, pad, n + 8);
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (uint8_t)(c->h[i] >> (24 - 8 * j));
}

void
ns_sha1(const void *data, size_t len, uint8_t out[NS_SHA1_LEN])
{
	struct ns_sha1 c;

	ns_sha1_init(&c);
	ns_sha1_update(&c, data, len);
	ns_sha1_final(&c, out);
}
