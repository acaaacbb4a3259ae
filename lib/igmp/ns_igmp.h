/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IGMPv3 host side (RFC 3376) for local applications, DPDK-free:
 * applications set their filter on a group (INCLUDE or EXCLUDE a source
 * list; joining is EXCLUDE {}, leaving is INCLUDE {}); the interface state is
 * their merge (3.2); a report goes out only when the interface state
 * changes — the first join, the last leave, a filter change (5.1: TO_EX,
 * TO_IN, ALLOW, BLOCK) — and is sent robustness times in all, at random
 * intervals of at most unsolicited_ms; a query is answered with current-state
 * records after a random delay up to its maximum response time (5.2); an
 * IGMPv1/v2 querier turns on v2 compatibility (7.2.1) for the Older Version
 * Querier Present Timeout.  Reports are whole IPv4 packets (TTL 1, Router
 * Alert, 224.0.0.22) handed to ops.xmit.
 */
#ifndef NS_IGMP_H
#define NS_IGMP_H

#include <stdbool.h>
#include <stdint.h>

#define NS_IGMP_MAX_SRC	   8
#define NS_IGMP_MAX_APPS   8
#define NS_IGMP_MAX_GROUPS 64
#define NS_IGMP_REPORT_MAX 1400

enum ns_igmp_mode { NS_IGMP_INCLUDE = 1, NS_IGMP_EXCLUDE = 2 };

/* Record types (RFC 3376 4.2.12) */
enum ns_igmp_rec {
	NS_IGMP_IS_IN = 1,
	NS_IGMP_IS_EX = 2,
	NS_IGMP_TO_IN = 3,
	NS_IGMP_TO_EX = 4,
	NS_IGMP_ALLOW = 5,
	NS_IGMP_BLOCK = 6,
};

struct ns_igmp_filter {
	uint8_t mode; /* enum ns_igmp_mode */
	uint8_t n;
	uint32_t src[NS_IGMP_MAX_SRC]; /* network order, ascending */
};

struct ns_igmp_group {
	uint32_t group; /* network order; 0: free slot */
	uint32_t app[NS_IGMP_MAX_APPS];
	struct ns_igmp_filter f[NS_IGMP_MAX_APPS];
	uint8_t n_apps;
	struct ns_igmp_filter state; /* the merge */
	/* pending state-change report */
	uint8_t retrans_left;
	uint64_t next_ns;
	uint8_t rec_type; /* TO_IN / TO_EX, or 0: ALLOW and BLOCK below */
	struct ns_igmp_filter allow, block;
	/* group-specific query pending */
	uint64_t query_at_ns;
};

struct ns_igmp_ops {
	void (*xmit)(void *user, const uint8_t *ip, uint32_t len);
};

struct ns_igmp_if {
	uint32_t addr; /* our address, network order */
	uint8_t robustness;
	uint32_t unsolicited_ms;
	struct ns_igmp_group g[NS_IGMP_MAX_GROUPS];
	uint64_t general_at_ns; /* a general query's answer pending */
	uint64_t v2_until_ns;	/* IGMPv2 compatibility until then */
	uint64_t rng;
	struct ns_igmp_ops ops;
	void *user;
	/* counters */
	uint64_t reports_sent, records_sent, queries_heard, v2_queries_heard, bad_packets;
};

void ns_igmp_init(struct ns_igmp_if *i, uint32_t addr, const struct ns_igmp_ops *ops, void *user,
		uint64_t seed);
/* An application's filter on group (INCLUDE {} = not a member); -1 when the
 * tables are full or the arguments are invalid. */
int ns_igmp_set(struct ns_igmp_if *i, uint32_t app, uint32_t group, uint8_t mode,
		const uint32_t *src, uint8_t n, uint64_t now);
static inline int
ns_igmp_join(struct ns_igmp_if *i, uint32_t app, uint32_t group, uint64_t now)
{
	return ns_igmp_set(i, app, group, NS_IGMP_EXCLUDE, 0, 0, now);
}
static inline int
ns_igmp_leave(struct ns_igmp_if *i, uint32_t app, uint32_t group, uint64_t now)
{
	return ns_igmp_set(i, app, group, NS_IGMP_INCLUDE, 0, 0, now);
}
/* A received IGMP message (ip: its IPv4 header onwards). */
void ns_igmp_input(struct ns_igmp_if *i, const uint8_t *ip, uint32_t len, uint64_t now);
/* Retransmissions and delayed answers due by now. */
void ns_igmp_tick(struct ns_igmp_if *i, uint64_t now);
/* The interface state of group, or NULL when not a member. */
const struct ns_igmp_filter *ns_igmp_state(const struct ns_igmp_if *i, uint32_t group);

/* The merge of RFC 3376 3.2 (exposed for tests). */
void ns_igmp_merge(const struct ns_igmp_filter *f, uint8_t n, struct ns_igmp_filter *out);

#endif /* NS_IGMP_H */
