/* SPDX-License-Identifier: BSD-3-Clause */
/* Minimal unit-test harness: no EAL, virtual clock supplied by each test. */
#ifndef NS_TEST_H
#define NS_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int ns_test_failed_checks;
static int ns_test_passed, ns_test_failed;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			ns_test_failed_checks++;                                                 \
		}                                                                                \
	} while (0)

#define CHECK_EQ(a, b)                                                                           \
	do {                                                                                     \
		unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
		if (va_ != vb_) {                                                                \
			fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%llu != %llu)\n",     \
					__FILE__, __LINE__, #a, #b, va_, vb_);                   \
			ns_test_failed_checks++;                                                 \
		}                                                                                \
	} while (0)

#define RUN(fn)                                         \
	do {                                            \
		int before_ = ns_test_failed_checks;    \
		fn();                                   \
		if (ns_test_failed_checks == before_) { \
			ns_test_passed++;               \
			printf("ok   %s\n", #fn);       \
		} else {                                \
			ns_test_failed++;               \
			printf("FAIL %s\n", #fn);       \
		}                                       \
	} while (0)

#define TEST_SUMMARY() \
	(printf("%d passed, %d failed\n", ns_test_passed, ns_test_failed), ns_test_failed ? 1 : 0)

/* a.b.c.d in network order */
static inline uint32_t
ns_test_ip4(int a, int b, int c, int d)
{
	uint8_t v[4] = {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d};
	uint32_t r;

	memcpy(&r, v, 4);
	return r;
}

/* The one's complement sum of len bytes, folded (0xffff over a valid header). */
static inline uint16_t
ns_test_sum16(const uint8_t *p, uint32_t len, uint32_t s)
{
	for (uint32_t k = 0; k + 1 < len; k += 2)
		s += (uint32_t)p[k] << 8 | p[k + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

#endif /* NS_TEST_H */
