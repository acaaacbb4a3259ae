/* SPDX-License-Identifier: BSD-3-Clause */
/* MD5 against RFC 1321 A.5's test suite, SHA-1 against FIPS 180's examples;
 * incremental updates split at every offset agree with one-shot digests. */
#include <stdlib.h>

#include "common/ns_digest.h"
#include "ns_test.h"

static void
hex(const uint8_t *d, unsigned int n, char *out)
{
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* Out of line: GCC's sanitizer build misreads the buffers as possibly null. */
__attribute__((noinline)) static void
report(const char *what, const char *in, const char *got, const char *want)
{
	fprintf(stderr, "%s(\"%s\") = %s, want %s\n", what, in, got, want);
}

static void
test_md5_rfc1321(void)
{
	static const char *const v[][2] = {
			{"", "d41d8cd98f00b204e9800998ecf8427e"},
			{"a", "0cc175b9c0f1b6a831c399e269772661"},
			{"abc", "900150983cd24fb0d6963f7d28e17f72"},
			{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
			{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
			{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
					"d174ab98d277d9f5a5611c2c9f419d9f"},
			{"1234567890123456789012345678901234567890123456789012345678901234567890"
			 "1234567890",
					"57edf4a22be3c955ac49da2e2107b67a"},
	};

	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t d[NS_MD5_LEN];
		char h[2 * NS_MD5_LEN + 1];

		ns_md5(v[i][0], strlen(v[i][0]), d);
		hex(d, NS_MD5_LEN, h);
		if (strcmp(h, v[i][1]) != 0)
			report("md5", v[i][0], h, v[i][1]);
		CHECK(strcmp(h, v[i][1]) == 0);
	}
}

static void
test_sha1_fips180(void)
{
	static const char *const v[][2] = {
			{"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
			{"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
			{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
					"84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
	};
	uint8_t d[NS_SHA1_LEN];
	char h[2 * NS_SHA1_LEN + 1];
	struct ns_sha1 c;
	char a[1000];

	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ns_sha1(v[i][0], strlen(v[i][0]), d);
		hex(d, NS_SHA1_LEN, h);
		if (strcmp(h, v[i][1]) != 0)
			report("sha1", v[i][0], h, v[i][1]);
		CHECK(strcmp(h, v[i][1]) == 0);
	}
	/* one million 'a', fed 1000 at a time */
	memset(a, 'a', sizeof(a));
	ns_sha1_init(&c);
	for (int i = 0; i < 1000; i++)
		ns_sha1_update(&c, a, sizeof(a));
	ns_sha1_final(&c, d);
	hex(d, NS_SHA1_LEN, h);
	CHECK(strcmp(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f") == 0);
}

/* Every split point of every length up to 200 gives the one-shot digest. */
static void
test_incremental_splits(void)
{
	uint8_t msg[200];
	int bad = 0;

	for (unsigned int i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 37 + 11);
	for (unsigned int len = 0; len <= sizeof(msg); len++) {
		uint8_t m1[NS_MD5_LEN], s1[NS_SHA1_LEN];

		ns_md5(msg, len, m1);
		ns_sha1(msg, len, s1);
		for (unsigned int cut = 0; cut <= len; cut++) {
			uint8_t m2[NS_MD5_LEN], s2[NS_SHA1_LEN];
			struct ns_md5 mc;
			struct ns_sha1 sc;

			ns_md5_init(&mc);
			ns_md5_update(&mc, msg, cut);
			ns_md5_update(&mc, msg + cut, len - cut);
			ns_md5_final(&mc, m2);
			ns_sha1_init(&sc);
			ns_sha1_update(&sc, msg, cut);
			ns_sha1_update(&sc, msg + cut, len - cut);
			ns_sha1_final(&sc, s2);
			bad += memcmp(m1, m2, sizeof(m1)) != 0 || memcmp(s1, s2, sizeof(s1)) != 0;
		}
	}
	CHECK_EQ(bad, 0);
}

int
main(void)
{
	RUN(test_md5_rfc1321);
	RUN(test_sha1_fips180);
	RUN(test_incremental_splits);
	return TEST_SUMMARY();
}
