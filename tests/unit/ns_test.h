/* SPDX-License-Identifier: BSD-3-Clause */
/* Minimal unit-test harness: no EAL, virtual clock supplied by each test. */
#ifndef NS_TEST_H
#define NS_TEST_H

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

#endif /* NS_TEST_H */
