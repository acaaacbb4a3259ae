/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/igmp: RFC 3376 merge, reports only on first join / last leave / filter
 * change, their format, retransmissions, queries, IGMPv2 compatibility. */
#include <stdio.h>
#include <string.h>

#include "igmp/igmp_wire.h"
#include "igmp/ns_igmp.h"
#include "ns_test.h"

#define ip4 ns_test_ip4

static uint8_t sent[64][1500];
static uint32_t sent_len[64], n_sent;

static void
xmit(void *user, const uint8_t *ip, uint32_t len)
{
	(void)user;
	if (n_sent < 64) {
		memcpy(sent[n_sent], ip, len);
		sent_len[n_sent] = len;
	}
	n_sent++;
}

static const struct ns_igmp_ops ops = {xmit};

#define sum16(p, len) ns_test_sum16(p, len, 0)

/* Sent packet k: a well-formed v3 report; its first record's type, group,
 * source count. */
static int
v3_record(uint32_t k, uint8_t *type, uint32_t *group, uint8_t *nsrc)
{
	const uint8_t *p = sent[k];

	if (p[0] != 0x46 || p[8] != 1 || p[9] != 2 || p[20] != 0x94 || p[21] != 4 || p[16] != 224 ||
			p[17] != 0 || p[18] != 0 || p[19] != 22 || sum16(p, 24) != 0xffff ||
			sum16(p + 24, sent_len[k] - 24) != 0xffff || p[24] != 0x22)
		return -1;
	*type = p[32];
	*nsrc = p[35];
	memcpy(group, p + 36, 4);
	return p[30] << 8 | p[31]; /* records */
}

static void
test_merge(void)
{
	struct ns_igmp_filter f[3] = {0}, out;
	uint32_t a = 1, b = 2, c = 3;

	/* INCLUDE {a,b} + INCLUDE {b,c} = INCLUDE {a,b,c} */
	f[0] = (struct ns_igmp_filter){NS_IGMP_INCLUDE, 2, {a, b}};
	f[1] = (struct ns_igmp_filter){NS_IGMP_INCLUDE, 2, {b, c}};
	ns_igmp_merge(f, 2, &out);
	CHECK_EQ(out.mode, NS_IGMP_INCLUDE);
	CHECK_EQ(out.n, 3);
	/* EXCLUDE {a,b} + EXCLUDE {b,c} + INCLUDE {b} = EXCLUDE {} */
	f[0] = (struct ns_igmp_filter){NS_IGMP_EXCLUDE, 2, {a, b}};
	f[1] = (struct ns_igmp_filter){NS_IGMP_EXCLUDE, 2, {b, c}};
	f[2] = (struct ns_igmp_filter){NS_IGMP_INCLUDE, 1, {b}};
	ns_igmp_merge(f, 3, &out);
	CHECK_EQ(out.mode, NS_IGMP_EXCLUDE);
	CHECK_EQ(out.n, 0);
	/* without the INCLUDE: EXCLUDE {b} */
	ns_igmp_merge(f, 2, &out);
	CHECK_EQ(out.n, 1);
	CHECK_EQ(out.src[0], b);
}

static void
test_first_join_last_leave(void)
{
	struct ns_igmp_if i;
	uint32_t g = ip4(239, 1, 1, 1), got;
	uint8_t type, ns;
	uint64_t now = 1000 * MS;

	n_sent = 0;
	ns_igmp_init(&i, ip4(192, 0, 2, 2), &ops, NULL, 42);
	CHECK_EQ(ns_igmp_join(&i, 1, g, now), 0);
	CHECK_EQ(n_sent, 1);
	CHECK_EQ(v3_record(0, &type, &got, &ns), 1);
	CHECK_EQ(type, NS_IGMP_TO_EX);
	CHECK_EQ(got, g);
	CHECK_EQ(ns, 0);
	/* a second application: no report */
	CHECK_EQ(ns_igmp_join(&i, 2, g, now + MS), 0);
	CHECK_EQ(n_sent, 1);
	/* the retransmission (robustness 2): once, within unsolicited_ms */
	ns_igmp_tick(&i, now + 1001 * MS);
	CHECK_EQ(n_sent, 2);
	CHECK_EQ(v3_record(1, &type, &got, &ns), 1);
	CHECK_EQ(type, NS_IGMP_TO_EX);
	ns_igmp_tick(&i, now + 5000 * MS);
	CHECK_EQ(n_sent, 2);
	/* the first leaves: still a member, nothing sent */
	ns_igmp_leave(&i, 1, g, now + 6000 * MS);
	CHECK_EQ(n_sent, 2);
	CHECK(ns_igmp_state(&i, g) != NULL);
	/* the last leaves: TO_IN {} and its retransmission */
	ns_igmp_leave(&i, 2, g, now + 7000 * MS);
	CHECK_EQ(n_sent, 3);
	CHECK_EQ(v3_record(2, &type, &got, &ns), 1);
	CHECK_EQ(type, NS_IGMP_TO_IN);
	CHECK(ns_igmp_state(&i, g) == NULL);
	ns_igmp_tick(&i, now + 8001 * MS);
	CHECK_EQ(n_sent, 4);
	/* link-local groups are never reported */
	CHECK_EQ(ns_igmp_join(&i, 1, ip4(224, 0, 0, 251), now), -1);
}

static void
test_source_change(void)
{
	struct ns_igmp_if i;
	uint32_t g = ip4(232, 1, 1, 1), got, s1 = ip4(198, 51, 100, 1), s2 = ip4(198, 51, 100, 2);
	uint32_t both[2] = {s1, s2};
	uint8_t type, ns;

	n_sent = 0;
	ns_igmp_init(&i, ip4(192, 0, 2, 2), &ops, NULL, 7);
	ns_igmp_set(&i, 1, g, NS_IGMP_INCLUDE, &s1, 1, MS);
	CHECK_EQ(v3_record(0, &type, &got, &ns), 1);
	CHECK_EQ(type, NS_IGMP_ALLOW); /* INCLUDE {} -> INCLUDE {s1}: ALLOW {s1} */
	CHECK_EQ(ns, 1);
	ns_igmp_tick(&i, 2000 * MS); /* its retransmission */
	ns_igmp_set(&i, 1, g, NS_IGMP_INCLUDE, both, 2, 3000 * MS);
	CHECK_EQ(v3_record(n_sent - 1, &type, &got, &ns), 1);
	CHECK_EQ(type, NS_IGMP_ALLOW);
	CHECK_EQ(ns, 1);
	CHECK(!memcmp(sent[n_sent - 1] + 40, &s2, 4));
	ns_igmp_tick(&i, 5000 * MS);
	ns_igmp_set(&i, 1, g, NS_IGMP_INCLUDE, &s2, 1, 6000 * MS);
	CHECK_EQ(v3_record(n_sent - 1, &type, &got, &ns), 1);
	CHECK_EQ(type, NS_IGMP_BLOCK);
}

/* A query as a router sends it (v3: 12 bytes, v2: 8). */
static uint32_t
query(uint8_t *p, uint32_t group, uint8_t max_resp, int v3)
{
	uint32_t l4 = v3 ? 12 : 8;
	uint16_t c;

	memset(p, 0, 20 + l4);
	p[0] = 0x45;
	p[3] = (uint8_t)(20 + l4);
	p[8] = 1;
	p[9] = 2;
	p[20] = 0x11;
	p[21] = max_resp;
	memcpy(p + 24, &group, 4);
	c = (uint16_t)~sum16(p + 20, l4);
	p[22] = (uint8_t)(c >> 8);
	p[23] = (uint8_t)c;
	return 20 + l4;
}

static void
test_queries_and_v2(void)
{
	struct ns_igmp_if i;
	uint32_t g1 = ip4(239, 1, 1, 1), g2 = ip4(239, 2, 2, 2), got;
	uint8_t q[40], type, ns;
	uint64_t now = 100 * MS;

	n_sent = 0;
	ns_igmp_init(&i, ip4(192, 0, 2, 2), &ops, NULL, 9);
	ns_igmp_join(&i, 1, g1, now);
	ns_igmp_join(&i, 1, g2, now);
	ns_igmp_tick(&i, now + 2000 * MS);
	n_sent = 0;
	/* a general query, max resp 1 s: both groups' current state, once, in time */
	ns_igmp_input(&i, q, query(q, 0, 10, 1), now + 3000 * MS);
	ns_igmp_tick(&i, now + 3000 * MS);
	CHECK_EQ(n_sent, 0);
	ns_igmp_tick(&i, now + 4001 * MS);
	CHECK_EQ(n_sent, 1);
	CHECK_EQ(v3_record(0, &type, &got, &ns), 2);
	CHECK_EQ(type, NS_IGMP_IS_EX);
	/* a bad checksum is counted, not answered */
	query(q, 0, 10, 1);
	q[22] ^= 1;
	ns_igmp_input(&i, q, 32, now + 5000 * MS);
	CHECK_EQ(i.bad_packets, 1);
	/* an IGMPv2 querier: leave and join go as v2 messages */
	ns_igmp_input(&i, q, query(q, g1, 100, 0), now + 6000 * MS);
	ns_igmp_tick(&i, now + 17000 * MS); /* its group-specific answer (v2 report) */
	n_sent = 0;
	ns_igmp_leave(&i, 1, g2, now + 18000 * MS);
	CHECK_EQ(n_sent, 1);
	CHECK_EQ(sent[0][24], 0x17); /* leave */
	CHECK_EQ(sent[0][19], 2);    /* to 224.0.0.2 */
	ns_igmp_join(&i, 2, g2, now + 19000 * MS);
	CHECK_EQ(sent[1][24], 0x16);
	CHECK(!memcmp(sent[1] + 16, &g2, 4));
	CHECK_EQ(sum16(sent[1] + 24, 8), 0xffff);
}

/* Which groups are reported and tracked, at the edges of 224.0.0.0/4 and of
 * the link-local 224.0.0.0/24 (groups in network order, as on the wire). */
static void
test_group_tracked(void)
{
	CHECK(!igmp_group_tracked(ip4(223, 255, 255, 255)));
	CHECK(!igmp_group_tracked(ip4(224, 0, 0, 0)));
	CHECK(!igmp_group_tracked(ip4(224, 0, 0, 255)));
	CHECK(igmp_group_tracked(ip4(224, 0, 1, 0)));
	CHECK(igmp_group_tracked(ip4(225, 0, 0, 1)));
	CHECK(igmp_group_tracked(ip4(239, 255, 255, 255)));
	CHECK(!igmp_group_tracked(ip4(240, 0, 0, 0)));
	CHECK(!igmp_group_tracked(ip4(0, 0, 0, 224)));
	CHECK(!igmp_group_tracked(ip4(1, 0, 0, 239)));
}

int
main(void)
{
	RUN(test_merge);
	RUN(test_first_join_last_leave);
	RUN(test_source_change);
	RUN(test_queries_and_v2);
	RUN(test_group_tracked);
	return TEST_SUMMARY();
}
