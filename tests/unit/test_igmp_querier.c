/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/igmp querier: RFC 3376 6.4 tables, timers, queries on the wire,
 * election, IGMPv2 hosts, explicit host tracking; on a virtual clock. */
#include <stdio.h>
#include <string.h>

#include "igmp/ns_igmp.h"
#include "igmp/ns_igmp_querier.h"
#include "ns_test.h"

#define MS 1000000ull

#define ip4	     ns_test_ip4
#define fold(p, len) ns_test_sum16(p, len, 0)

/* What the querier sent: a query's group, its sources, Max Resp Code. */
struct sent_q {
	uint32_t dst, group, n_src, src[16];
	uint8_t mrc, qrv, qqic;
};
static struct sent_q sq[256];
static uint32_t n_sq, n_changed, bad_wire;

static void
xmit(void *user, const uint8_t *ip, uint32_t len)
{
	const uint8_t *m = ip + 24;
	struct sent_q *s = &sq[n_sq % 256];

	(void)user;
	/* TTL 1, Router Alert, both checksums good, a v3 query */
	if (len < 36 || ip[0] != 0x46 || ip[8] != 1 || ip[20] != 0x94 || fold(ip, 24) != 0xffff ||
			fold(m, len - 24) != 0xffff || m[0] != 0x11 ||
			(uint32_t)(ip[2] << 8 | ip[3]) != len)
		bad_wire++;
	memcpy(&s->dst, ip + 16, 4);
	memcpy(&s->group, m + 4, 4);
	s->mrc = m[1];
	s->qrv = m[8] & 7;
	s->qqic = m[9];
	s->n_src = (uint32_t)(m[10] << 8 | m[11]);
	for (uint32_t k = 0; k < s->n_src && k < 16; k++)
		memcpy(&s->src[k], m + 12 + 4 * k, 4);
	n_sq++;
}

static void
changed(void *user)
{
	(void)user;
	n_changed++;
}

static const struct ns_igmpq_ops qops = {xmit, changed};

static uint8_t last_report[128];
static uint32_t last_len;

/* A v3 report from host h with one record (kept in last_report). */
static void
report(struct ns_igmpq *q, uint32_t h, uint8_t type, uint32_t group, const uint32_t *src,
		uint32_t n, uint64_t now)
{
	uint8_t p[24 + 8 + 8 + 64] = {0}, *m = p + 24;
	uint32_t l4 = 8 + 8 + 4 * n;
	uint16_t c;
	uint32_t dst = ip4(224, 0, 0, 22);

	p[0] = 0x46;
	p[2] = (uint8_t)((24 + l4) >> 8);
	p[3] = (uint8_t)(24 + l4);
	p[8] = 1;
	p[9] = 2;
	memcpy(p + 12, &h, 4);
	memcpy(p + 16, &dst, 4);
	p[20] = 0x94;
	p[21] = 4;
	m[0] = 0x22;
	m[7] = 1;
	m[8] = type;
	m[11] = (uint8_t)n;
	memcpy(m + 12, &group, 4);
	if (n != 0)
		memcpy(m + 16, src, 4 * n);
	c = (uint16_t)~fold(m, l4);
	m[2] = (uint8_t)(c >> 8);
	m[3] = (uint8_t)c;
	memcpy(last_report, p, 24 + l4);
	last_len = 24 + l4;
	ns_igmpq_input(q, p, 24 + l4, now);
}

/* IGMPv1/v2 messages and queries: 8 or 12 bytes after a 20-byte header. */
static void
short_msg(struct ns_igmpq *q, uint32_t from, uint8_t type, uint32_t group, bool v3, uint64_t now)
{
	uint8_t p[32] = {0}, *m = p + 20;
	uint32_t l4 = v3 ? 12 : 8;
	uint16_t c;

	p[0] = 0x45;
	p[3] = (uint8_t)(20 + l4);
	p[8] = 1;
	p[9] = 2;
	memcpy(p + 12, &from, 4);
	m[0] = type;
	m[1] = 100;
	memcpy(m + 4, &group, 4);
	c = (uint16_t)~fold(m, l4);
	m[2] = (uint8_t)(c >> 8);
	m[3] = (uint8_t)c;
	ns_igmpq_input(q, p, 20 + l4, now);
}

static void
setup(struct ns_igmpq *q, uint64_t now)
{
	n_sq = n_changed = bad_wire = 0;
	/* robustness 2, query interval 10 s, response 2 s, last member 500 ms:
	 * GMI 22 s, LMQT 1 s, Other Querier Present 21 s */
	ns_igmpq_init(q, ip4(192, 0, 2, 2), &qops, NULL, 2, 10000, 2000, 500, now);
}

static void
test_queries(void)
{
	struct ns_igmpq q;
	uint64_t t = 1000 * MS;

	setup(&q, t);
	ns_igmpq_tick(&q, t);
	CHECK_EQ(n_sq, 1); /* the first startup query at once */
	CHECK_EQ(sq[0].dst, ip4(224, 0, 0, 1));
	CHECK_EQ(sq[0].group, 0);
	CHECK_EQ(sq[0].mrc, 20); /* 2 s in tenths */
	CHECK_EQ(sq[0].qrv, 2);
	CHECK_EQ(sq[0].qqic, 10);
	ns_igmpq_tick(&q, t + 2499 * MS);
	CHECK_EQ(n_sq, 1);
	ns_igmpq_tick(&q, t + 2500 * MS); /* startup interval: a quarter */
	CHECK_EQ(n_sq, 2);
	ns_igmpq_tick(&q, t + 12499 * MS);
	CHECK_EQ(n_sq, 2);
	ns_igmpq_tick(&q, t + 12500 * MS); /* then the query interval */
	CHECK_EQ(n_sq, 3);
	CHECK_EQ(bad_wire, 0);
	CHECK_EQ(q.general_sent, 3);
	/* A lower address queries: we stop for the Other Querier Present Interval */
	short_msg(&q, ip4(192, 0, 2, 1), 0x11, 0, true, t + 13000 * MS);
	CHECK(!q.querier);
	CHECK_EQ(q.elections_lost, 1);
	ns_igmpq_tick(&q, t + 33999 * MS);
	CHECK_EQ(n_sq, 3);
	ns_igmpq_tick(&q, t + 34000 * MS); /* 13 + 21 s: it went quiet, we query */
	CHECK(q.querier);
	CHECK_EQ(n_sq, 4);
	/* A higher address does not win */
	short_msg(&q, ip4(192, 0, 2, 9), 0x11, 0, false, t + 35000 * MS);
	CHECK(q.querier);
}

static void
test_exclude_leave(void)
{
	struct ns_igmpq q;
	uint64_t t = 1000 * MS;
	uint32_t g = ip4(239, 1, 1, 1), h1 = ip4(192, 0, 2, 10), h2 = ip4(192, 0, 2, 11);
	const struct ns_igmpq_group *st;

	setup(&q, t);
	ns_igmpq_tick(&q, t);
	n_sq = 0;
	report(&q, h1, NS_IGMP_TO_EX, g, NULL, 0, t); /* a join */
	report(&q, h2, NS_IGMP_IS_EX, g, NULL, 0, t);
	st = ns_igmpq_group(&q, g);
	CHECK(st != NULL);
	CHECK_EQ(st->mode, NS_IGMP_EXCLUDE);
	CHECK_EQ(st->n_hosts, 2);
	CHECK(ns_igmpq_forwards(&q, g, ip4(198, 51, 100, 1), t));
	CHECK(n_changed >= 2);
	/* h1 leaves: explicit tracking drops it at once; the group stays for
	 * h2's sake until the group-specific queries (2, 500 ms apart) end. */
	report(&q, h1, NS_IGMP_TO_IN, g, NULL, 0, t + 100 * MS);
	CHECK_EQ(st->n_hosts, 1);
	CHECK_EQ(st->host[0], h2);
	ns_igmpq_tick(&q, t + 100 * MS);
	CHECK_EQ(n_sq, 1);
	CHECK_EQ(sq[0].dst, g);
	CHECK_EQ(sq[0].group, g);
	CHECK_EQ(sq[0].mrc, 5);
	CHECK_EQ(sq[0].n_src, 0);
	ns_igmpq_tick(&q, t + 600 * MS);
	CHECK_EQ(n_sq, 2);
	/* h2 answers (IS_EX): the group timer is GMI again */
	report(&q, h2, NS_IGMP_IS_EX, g, NULL, 0, t + 700 * MS);
	ns_igmpq_tick(&q, t + 1200 * MS);
	CHECK(ns_igmpq_group(&q, g) != NULL);
	CHECK_EQ(n_sq, 2); /* lmqc queries only */
	/* h2 leaves and nobody answers: gone after the Last Member Query Time */
	report(&q, h2, NS_IGMP_TO_IN, g, NULL, 0, t + 2000 * MS);
	ns_igmpq_tick(&q, t + 2000 * MS);
	ns_igmpq_tick(&q, t + 2500 * MS);
	CHECK(ns_igmpq_group(&q, g) != NULL);
	ns_igmpq_tick(&q, t + 2999 * MS);
	CHECK(ns_igmpq_group(&q, g) != NULL);
	ns_igmpq_tick(&q, t + 3000 * MS);
	CHECK(ns_igmpq_group(&q, g) == NULL);
	CHECK(!ns_igmpq_forwards(&q, g, 0, t + 3000 * MS));
	CHECK_EQ(q.expired, 1);
	/* Without any leave a membership ends after GMI of silence */
	report(&q, h1, NS_IGMP_IS_EX, g, NULL, 0, t + 4000 * MS);
	ns_igmpq_tick(&q, t + 25999 * MS);
	CHECK(ns_igmpq_group(&q, g) != NULL);
	ns_igmpq_tick(&q, t + 26000 * MS);
	CHECK(ns_igmpq_group(&q, g) == NULL);
	CHECK_EQ(bad_wire, 0);
}

static void
test_sources(void)
{
	struct ns_igmpq q;
	uint64_t t = 1000 * MS;
	uint32_t g = ip4(232, 1, 1, 1), h = ip4(192, 0, 2, 10);
	uint32_t s1 = ip4(198, 51, 100, 1), s2 = ip4(198, 51, 100, 2), s3 = ip4(198, 51, 100, 3);
	const struct ns_igmpq_group *st;

	setup(&q, t);
	ns_igmpq_tick(&q, t);
	n_sq = 0;
	/* INCLUDE {} + ALLOW {s1, s2} = INCLUDE {s1, s2} */
	report(&q, h, NS_IGMP_ALLOW, g, (uint32_t[]){s1, s2}, 2, t);
	st = ns_igmpq_group(&q, g);
	CHECK(st != NULL && st->mode == NS_IGMP_INCLUDE && st->n_src == 2);
	CHECK(ns_igmpq_forwards(&q, g, s1, t));
	CHECK(!ns_igmpq_forwards(&q, g, s3, t));
	/* BLOCK {s1}: Q(G,{s1}); s1 goes after LMQT, s2 stays */
	report(&q, h, NS_IGMP_BLOCK, g, (uint32_t[]){s1}, 1, t + 100 * MS);
	ns_igmpq_tick(&q, t + 100 * MS);
	CHECK_EQ(n_sq, 1);
	CHECK_EQ(sq[0].group, g);
	CHECK_EQ(sq[0].n_src, 1);
	CHECK_EQ(sq[0].src[0], s1);
	ns_igmpq_tick(&q, t + 600 * MS);
	CHECK_EQ(n_sq, 2);
	ns_igmpq_tick(&q, t + 1100 * MS);
	CHECK(!ns_igmpq_forwards(&q, g, s1, t + 1100 * MS));
	CHECK(ns_igmpq_forwards(&q, g, s2, t + 1100 * MS));
	/* INCLUDE {s2} + TO_EX {s2, s3} = EXCLUDE ({s2}, {s3}): s3 excluded */
	report(&q, h, NS_IGMP_TO_EX, g, (uint32_t[]){s2, s3}, 2, t + 2000 * MS);
	CHECK_EQ(st->mode, NS_IGMP_EXCLUDE);
	CHECK(ns_igmpq_forwards(&q, g, s2, t + 2000 * MS));
	CHECK(!ns_igmpq_forwards(&q, g, s3, t + 2000 * MS));
	CHECK(ns_igmpq_forwards(&q, g, s1, t + 2000 * MS)); /* EXCLUDE: all but Y */
	/* EXCLUDE (X, Y) + IS_IN {s3} = EXCLUDE (X + s3, Y - s3) */
	report(&q, h, NS_IGMP_IS_IN, g, (uint32_t[]){s3}, 1, t + 2100 * MS);
	CHECK(ns_igmpq_forwards(&q, g, s3, t + 2100 * MS));
	/* The group timer (GMI) runs out: INCLUDE with the running sources */
	ns_igmpq_tick(&q, t + 2000 * MS + 22000 * MS);
	CHECK_EQ(st->mode, NS_IGMP_INCLUDE);
	CHECK(ns_igmpq_forwards(&q, g, s3, t + 24000 * MS));
	CHECK(!ns_igmpq_forwards(&q, g, s1, t + 24000 * MS));
	CHECK_EQ(bad_wire, 0);
}

static void
test_v2_hosts(void)
{
	struct ns_igmpq q;
	uint64_t t = 1000 * MS;
	uint32_t g = ip4(239, 2, 2, 2), s1 = ip4(198, 51, 100, 1);
	const struct ns_igmpq_group *st;

	setup(&q, t);
	short_msg(&q, ip4(192, 0, 2, 20), 0x16, g, false, t); /* v2 report */
	st = ns_igmpq_group(&q, g);
	CHECK(st != NULL && st->mode == NS_IGMP_EXCLUDE);
	CHECK(st->v2_until > t);
	/* while a v2 host is present, BLOCK is ignored and TO_EX is TO_EX {} */
	report(&q, ip4(192, 0, 2, 21), NS_IGMP_TO_EX, g, (uint32_t[]){s1}, 1, t + 10 * MS);
	CHECK(ns_igmpq_forwards(&q, g, s1, t + 10 * MS));
	report(&q, ip4(192, 0, 2, 21), NS_IGMP_BLOCK, g, (uint32_t[]){s1}, 1, t + 20 * MS);
	CHECK(ns_igmpq_forwards(&q, g, s1, t + 20 * MS));
	/* a v2 leave is TO_IN {}: group-specific queries, then gone unless answered */
	n_sq = 0;
	short_msg(&q, ip4(192, 0, 2, 20), 0x17, g, false, t + 100 * MS);
	report(&q, ip4(192, 0, 2, 21), NS_IGMP_TO_IN, g, NULL, 0, t + 100 * MS);
	CHECK_EQ(q.leaves, 1);
	for (uint64_t k = 100; k <= 1100; k += 100)
		ns_igmpq_tick(&q, t + k * MS);
	CHECK(ns_igmpq_group(&q, g) == NULL);
}

static void
test_bad_input(void)
{
	struct ns_igmpq q;
	uint8_t p[64];
	uint64_t t = 1000 * MS;
	uint32_t g = ip4(239, 1, 1, 1);

	setup(&q, t);
	report(&q, ip4(192, 0, 2, 10), NS_IGMP_IS_EX, g, NULL, 0, t);
	/* every truncation of a valid report (of another group) is refused */
	report(&q, ip4(192, 0, 2, 11), NS_IGMP_TO_EX, ip4(239, 9, 9, 9), NULL, 0, t);
	ns_igmpq_tick(&q, t);
	memcpy(p, last_report, last_len);
	q.bad = 0;
	for (uint32_t len = 0; len < last_len; len++)
		ns_igmpq_input(&q, p, len, t + 1);
	CHECK_EQ(q.bad, last_len);
	/* a record count larger than the message: the records there are taken,
	 * the missing one is counted bad */
	p[24 + 7] = 2;
	p[24 + 2] = p[24 + 3] = 0;
	{
		uint16_t c = (uint16_t)~fold(p + 24, last_len - 24);

		p[24 + 2] = (uint8_t)(c >> 8);
		p[24 + 3] = (uint8_t)c;
	}
	q.bad = 0;
	ns_igmpq_input(&q, p, last_len, t + 2);
	CHECK_EQ(q.bad, 1);
	CHECK(ns_igmpq_group(&q, ip4(239, 9, 9, 9)) != NULL);
	/* 224.0.0.x is never tracked */
	report(&q, ip4(192, 0, 2, 10), NS_IGMP_IS_EX, ip4(224, 0, 0, 251), NULL, 0, t);
	CHECK(ns_igmpq_group(&q, ip4(224, 0, 0, 251)) == NULL);
	CHECK(ns_igmpq_group(&q, g) != NULL);
}

/* A v3 query from another router: group, S|QRV byte, QQIC. */
static void
query_from(struct ns_igmpq *q, uint32_t from, uint32_t group, uint8_t s_qrv, uint8_t qqic,
		uint64_t now)
{
	uint8_t p[32] = {0}, *m = p + 20;
	uint16_t c;

	p[0] = 0x45;
	p[3] = 32;
	p[8] = 1;
	p[9] = 2;
	memcpy(p + 12, &from, 4);
	m[0] = 0x11;
	m[1] = 10;
	memcpy(m + 4, &group, 4);
	m[8] = s_qrv;
	m[9] = qqic;
	c = (uint16_t)~fold(m, 12);
	m[2] = (uint8_t)(c >> 8);
	m[3] = (uint8_t)c;
	ns_igmpq_input(q, p, 32, now);
}

/* A non-querier adopts the querier's QRV and QQI (4.1.6, 4.1.7), lowers its
 * group timer on the querier's group-specific query unless S is set
 * (6.6.1), and takes its own values back when it queries again. */
static void
test_non_querier(void)
{
	struct ns_igmpq q;
	uint64_t t = 1000 * MS;
	uint32_t g = ip4(239, 3, 3, 3), other = ip4(192, 0, 2, 1);

	setup(&q, t);
	report(&q, ip4(192, 0, 2, 10), NS_IGMP_IS_EX, g, NULL, 0, t);
	query_from(&q, other, 0, 3, 20, t); /* QRV 3, QQI 20 s */
	CHECK(!q.querier);
	CHECK_EQ(q.robustness, 3);
	CHECK_EQ(q.qi_ms, 20000);
	CHECK_EQ(ns_igmpq_gmi(&q), 62000 * MS); /* 3 x 20 s + 2 s */
	/* S set: our timer stays */
	query_from(&q, other, g, 0x08 | 3, 20, t + 100 * MS);
	ns_igmpq_tick(&q, t + 100 * MS + 1600 * MS);
	CHECK(ns_igmpq_group(&q, g) != NULL);
	/* S clear: lowered to LMQT (3 x 500 ms) like the querier's */
	query_from(&q, other, g, 3, 20, t + 2000 * MS);
	ns_igmpq_tick(&q, t + 2000 * MS + 1499 * MS);
	CHECK(ns_igmpq_group(&q, g) != NULL);
	ns_igmpq_tick(&q, t + 2000 * MS + 1500 * MS);
	CHECK(ns_igmpq_group(&q, g) == NULL);
	/* the querier goes quiet (OQPI 3 x 20 s + 1 s after its last query) */
	ns_igmpq_tick(&q, t + 2000 * MS + 61000 * MS);
	CHECK(q.querier);
	CHECK_EQ(q.robustness, 2);
	CHECK_EQ(q.qi_ms, 10000);
}

int
main(void)
{
	RUN(test_queries);
	RUN(test_exclude_leave);
	RUN(test_sources);
	RUN(test_v2_hosts);
	RUN(test_bad_input);
	RUN(test_non_querier);
	return TEST_SUMMARY();
}
