/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ns_cksum.h's sums over one buffer, ns per sum (best of 5 rounds):
 *   bench_cksum [LEN=1448] [ROUNDS=2000000]
 * scalar, SSE2 and (where the CPU has it) AVX2, and the copy with its sum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/ns_cksum.h"

static double
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static volatile uint16_t sink;

#define TIME(name, expr)                                               \
	do {                                                           \
		double best = 1e30;                                    \
		for (int r = 0; r < 5; r++) {                          \
			double t0 = now_ns();                          \
			for (unsigned long i = 0; i < rounds; i++)     \
				sink = (expr);                         \
			double t = (now_ns() - t0) / rounds;           \
			best = t < best ? t : best;                    \
		}                                                      \
		printf("%-12s %zu bytes: %.1f ns\n", name, len, best); \
	} while (0)

int
main(int argc, char **argv)
{
	size_t len = argc > 1 ? strtoul(argv[1], NULL, 0) : 1448;
	unsigned long rounds = argc > 2 ? strtoul(argv[2], NULL, 0) : 2000000;
	static uint8_t src[65536], dst[65536];

	if (len > sizeof(src))
		len = sizeof(src);
	for (size_t i = 0; i < len; i++)
		src[i] = (uint8_t)(i * 131 + 7);
	TIME("scalar", ns_cksum_scalar(src, len, 0));
#if defined(__x86_64__) && defined(__GNUC__)
	TIME("sse2", ns_cksum_sse2(src, len, 0));
	if (__builtin_cpu_supports("avx2"))
		TIME("avx2", ns_cksum_avx2(src, len, 0));
#endif
	TIME("any", ns_cksum_any(src, len, 0));
	TIME("copy+sum", ns_cksum_copy(dst, src, len, 0));
	TIME("memcpy+any", (memcpy(dst, src, len), ns_cksum_any(dst, len, 0)));
	return 0;
}
