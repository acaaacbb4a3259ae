/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IGMPv3 router side (RFC 3376 section 6) for a client-facing port,
 * DPDK-free: querier election (6.6.2: the lowest address queries; the others
 * wait the Other Querier Present Interval), general queries (startup ones at
 * a quarter of the interval), per-group router state — filter mode, group
 * timer, source records with their timers — driven by the tables of 6.4.1
 * (current-state records) and 6.4.2 (state-change records), group-specific
 * and group-and-source-specific queries (6.6.3) that lower the timers to the
 * Last Member Query Time, IGMPv1/v2 hosts (7.3.2: the Older Host Present
 * timer; a v2 leave is TO_IN {}, BLOCK ignored and TO_EX as TO_EX {} while
 * it runs), a non-querier that adopts the querier's QRV and QQI (4.1.6,
 * 4.1.7) and lowers its timers on the querier's specific queries unless they
 * say S (6.6.1), and, beyond the RFC, explicit tracking of which hosts are members
 * (a host whose last record wanted the group, until GMI of silence) so that
 * the overlay's last hop knows whom to send a session to.
 */
#ifndef NS_IGMP_QUERIER_H
#define NS_IGMP_QUERIER_H

#include <stdbool.h>
#include <stdint.h>

#define NS_IGMPQ_MAX_GROUPS 64
#define NS_IGMPQ_MAX_SRC    16
#define NS_IGMPQ_MAX_HOSTS  16

struct ns_igmpq_src {
	uint32_t addr;	/* network order */
	uint64_t until; /* source timer; 0 in EXCLUDE mode: excluded (the Y set) */
};

struct ns_igmpq_group {
	uint32_t group; /* network order; 0: free */
	uint8_t mode;	/* NS_IGMP_INCLUDE / NS_IGMP_EXCLUDE */
	uint8_t n_src;
	uint64_t group_until; /* group timer (EXCLUDE mode) */
	uint64_t v2_until;    /* Older Host Present: IGMPv1/v2 hosts */
	struct ns_igmpq_src src[NS_IGMPQ_MAX_SRC];
	/* pending group-specific (q_left) and group-and-source-specific queries */
	uint8_t q_left, qs_left, n_qs;
	uint64_t q_next, qs_next;
	uint32_t qs[NS_IGMPQ_MAX_SRC];
	/* explicit tracking */
	uint8_t n_hosts;
	uint32_t host[NS_IGMPQ_MAX_HOSTS];
	uint64_t host_until[NS_IGMPQ_MAX_HOSTS];
};

struct ns_igmpq_ops {
	void (*xmit)(void *user, const uint8_t *ip, uint32_t len); /* a whole IPv4 packet */
	void (*changed)(void *user);				   /* membership changed */
};

struct ns_igmpq {
	uint32_t addr; /* ours, network order */
	uint8_t robustness;
	uint32_t qi_ms, qri_ms, lmqi_ms; /* query interval, max response, last member interval */
	uint8_t lmqc;
	uint8_t cfg_robustness; /* ours, back when we query again (4.1.6, 4.1.7: a */
	uint32_t cfg_qi_ms;	/* non-querier adopts the querier's QRV and QQI) */
	uint32_t cfg_qri_ms;
	bool querier;
	uint32_t other; /* the querier we heard (when not us) */
	uint64_t other_until, next_query;
	uint8_t startup_left;
	struct ns_igmpq_group g[NS_IGMPQ_MAX_GROUPS];
	struct ns_igmpq_ops ops;
	void *user;
	/* counters */
	uint64_t general_sent, specific_sent, reports, records, v1v2_reports, leaves, bad, expired,
			elections_lost, table_full;
};

/* Defaults of RFC 3376 8: robustness 2, 125 s, 10 s, 1 s; 0 keeps a default. */
void ns_igmpq_init(struct ns_igmpq *q, uint32_t addr, const struct ns_igmpq_ops *ops, void *user,
		uint8_t robustness, uint32_t qi_ms, uint32_t qri_ms, uint32_t lmqi_ms,
		uint64_t now);
void ns_igmpq_input(struct ns_igmpq *q, const uint8_t *ip, uint32_t len, uint64_t now);
void ns_igmpq_tick(struct ns_igmpq *q, uint64_t now);
/* Group Membership Interval (8.4), ns. */
uint64_t ns_igmpq_gmi(const struct ns_igmpq *q);
/* The group's state, or NULL when nobody is a member. */
const struct ns_igmpq_group *ns_igmpq_group(const struct ns_igmpq *q, uint32_t group);
/* Does the group's state forward traffic from src (0: any source)? */
bool ns_igmpq_forwards(const struct ns_igmpq *q, uint32_t group, uint32_t src, uint64_t now);

#endif /* NS_IGMP_QUERIER_H */
