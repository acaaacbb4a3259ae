/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counter tables.
 *
 * Every subsystem declares its counters once, as an X-macro list of
 * X(name, kind, help).  The same list generates the enum used on the fast
 * path, the descriptor table printed by the console, served by telemetry
 * and read by the tests, so the three can never disagree.
 */
#ifndef NS_COUNTER_H
#define NS_COUNTER_H

#include <stdint.h>

enum ns_ctr_kind {
	NS_CTR_INFO, /* an event worth counting */
	NS_CTR_DROP, /* a packet was dropped for this reason */
};

struct ns_ctr_desc {
	const char *name;
	enum ns_ctr_kind kind;
	const char *help;
};

#define NS_CTR_ENUM(prefix, name, kind, help) prefix##name,
#define NS_CTR_DESC(name, kind, help)	      {#name, NS_CTR_##kind, help},

/*
 * Sum counter block 'src' (n counters) into 'dst'.  The owner lcore writes
 * its block with plain stores; readers on other threads load each 64-bit
 * word atomically, so a sum is never torn (it may be a few packets old).
 */
static inline void
ns_ctr_accumulate(uint64_t *dst, const uint64_t *src, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		dst[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

#endif /* NS_COUNTER_H */
