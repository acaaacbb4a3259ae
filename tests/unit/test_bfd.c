/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BFD engine on a virtual clock: two engines joined by an in-memory link
 * (1 ms one way): bring-up through Down/Init/Up, negotiated intervals,
 * jitter bounds, Poll/Final on a timer change, detection time exactness
 * when the peer goes silent, AdminDown, and each malformed packet counted.
 */
#include <stdlib.h>

#include <rte_common.h>

#include "bfd.h"
#include "ns_test.h"

#define MS   1000000ull
#define A_IP 0x010200c0u /* 192.0.2.1 in network order on little endian */
#define B_IP 0x020200c0u

struct pkt {
	uint8_t buf[64];
	uint32_t len;
	uint64_t at;
	int to_b;
};

struct end {
	struct ns_bfd b;
	int changes;
	uint8_t last_state;
	uint64_t down_at;
	uint64_t last_tx_at;
	uint64_t min_gap, max_gap; /* between periodic transmissions while Up */
	bool measure;
};

static struct pkt q[4096];
static unsigned int qh, qt;
static struct end A, B;
static uint64_t now;
static bool a_silent; /* A stops transmitting (a dead peer) */

static void
xmit(void *user, const struct ns_bfd_session *s, const uint8_t *p, uint32_t len)
{
	struct end *e = user;
	struct pkt *k = &q[qt % 4096];

	(void)s;
	if (e->measure && e->last_tx_at != 0) {
		uint64_t gap = now - e->last_tx_at;

		if (gap < e->min_gap)
			e->min_gap = gap;
		if (gap > e->max_gap)
			e->max_gap = gap;
	}
	e->last_tx_at = now;
	if (e == &A && a_silent)
		return;
	memcpy(k->buf, p, len);
	k->len = len;
	k->at = now + 1 * MS;
	k->to_b = e == &A;
	qt++;
}

static void
changed(void *user, const struct ns_bfd_session *s, uint8_t old)
{
	struct end *e = user;

	(void)old;
	e->changes++;
	e->last_state = s->state;
	if (s->state == NS_BFD_DOWN)
		e->down_at = now;
}

static const struct ns_bfd_ops ops = {xmit, changed};

/* Advance in 100 us steps, delivering packets when due. */
static void
run_until(uint64_t t)
{
	while (now < t) {
		now += 100000;
		while (qh != qt && q[qh % 4096].at <= now) {
			struct pkt *k = &q[qh++ % 4096];

			if (k->to_b)
				ns_bfd_input(&B.b, B_IP, A_IP, 255, k->buf, k->len, now);
			else
				ns_bfd_input(&A.b, A_IP, B_IP, 255, k->buf, k->len, now);
		}
		ns_bfd_timers(&A.b, now);
		ns_bfd_timers(&B.b, now);
	}
}

static uint32_t da, db;

static void
setup(uint32_t tx_us, uint32_t rx_us, uint8_t mult)
{
	struct ns_bfd_session_cfg ca = {A_IP, B_IP, tx_us, rx_us, mult, false, NULL};
	struct ns_bfd_session_cfg cb = {B_IP, A_IP, tx_us, rx_us, mult, false, NULL};

	ns_bfd_fini(&A.b);
	ns_bfd_fini(&B.b);
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	qh = qt = 0;
	now = 1000 * MS;
	a_silent = false;
	CHECK_EQ(ns_bfd_init(&A.b, 16, &ops, &A, now), 0);
	CHECK_EQ(ns_bfd_init(&B.b, 16, &ops, &B, now), 0);
	da = ns_bfd_session_add(&A.b, &ca, now);
	db = ns_bfd_session_add(&B.b, &cb, now);
	CHECK(da != 0 && db != 0);
}

static void
test_bring_up_and_negotiate(void)
{
	struct ns_bfd_health h;

	setup(50000, 50000, 3);
	run_until(now + 3000 * MS);
	CHECK_EQ(ns_bfd_session_get(&A.b, da)->state, NS_BFD_UP);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->state, NS_BFD_UP);
	CHECK(ns_bfd_health_read(&A.b, 0, &h));
	CHECK_EQ(h.state, NS_BFD_UP);
	CHECK_EQ(h.tx_interval_us, 50000); /* the Poll after Up completed: 50 ms in force */
	CHECK_EQ(h.detect_time_us, 150000);
	CHECK_EQ(h.remote_disc, db);
	CHECK(A.b.ctr[NS_BFD_C_poll_done] >= 1);
	CHECK_EQ(A.b.ctr[NS_BFD_C_state_up], 1);
}

/* 6.8.7: intervals between 75 % and 100 % of 50 ms while Up; no flap over 60 s. */
static void
test_jitter_bounds_and_stability(void)
{
	setup(50000, 50000, 3);
	run_until(now + 3000 * MS);
	A.measure = true;
	A.min_gap = UINT64_MAX;
	A.last_tx_at = 0;
	run_until(now + 60000 * MS);
	CHECK(A.min_gap >= 37500000 - 100000);
	CHECK(A.max_gap <= 50000000 + 100000);
	CHECK(A.min_gap < 40000000); /* the spread is used, not a constant */
	CHECK_EQ(A.b.ctr[NS_BFD_C_state_down], 0);
	CHECK_EQ(A.changes, 2); /* Down -> Init -> Up only */
}

/* A silent peer is declared down after the detection time, within a tick + the link. */
static void
test_detection_time(void)
{
	uint64_t last_rx;

	setup(10000, 10000, 3);
	run_until(now + 3000 * MS);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->state, NS_BFD_UP);
	a_silent = true;
	run_until(now + 200 * MS);
	last_rx = ns_bfd_session_get(&B.b, db)->last_rx_ns;
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->state, NS_BFD_DOWN);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->local_diag, NS_BFD_DIAG_DETECT_EXPIRED);
	/* detection time 3 x 10 ms after the last packet, late by at most one 100 us tick */
	CHECK(B.down_at - last_rx >= 30 * MS);
	CHECK(B.down_at - last_rx <= 30 * MS + 100000);
	CHECK_EQ(B.b.ctr[NS_BFD_C_detect_expired], 1);
	/* A hears B's Down (diag 3 on its side) and both come back up once A talks again. */
	a_silent = false;
	run_until(now + 5000 * MS);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->state, NS_BFD_UP);
	CHECK_EQ(ns_bfd_session_get(&A.b, da)->state, NS_BFD_UP);
}

/* A timer change while Up: Poll, Final, new intervals in force afterwards. */
static void
test_poll_final_on_timer_change(void)
{
	struct ns_bfd_health h;
	uint64_t polls;

	setup(50000, 50000, 3);
	run_until(now + 3000 * MS);
	polls = A.b.ctr[NS_BFD_C_poll_done];
	CHECK_EQ(ns_bfd_session_set(&A.b, da, 200000, 200000, 5, now), 0);
	run_until(now + 500 * MS);
	CHECK_EQ(A.b.ctr[NS_BFD_C_poll_done], polls + 1);
	CHECK(B.b.ctr[NS_BFD_C_final_sent] >= 1);
	CHECK(ns_bfd_health_read(&A.b, 0, &h));
	CHECK_EQ(h.tx_interval_us, 200000);
	CHECK(ns_bfd_health_read(&B.b, 0, &h));
	CHECK_EQ(h.detect_time_us, 5 * 200000); /* B: A's mult x A's desired TX */
	CHECK_EQ(ns_bfd_session_get(&A.b, da)->state, NS_BFD_UP);
}

static void
test_admin_down(void)
{
	setup(50000, 50000, 3);
	run_until(now + 3000 * MS);
	CHECK_EQ(ns_bfd_session_admin(&A.b, da, true, now), 0);
	run_until(now + 100 * MS);
	CHECK_EQ(ns_bfd_session_get(&A.b, da)->state, NS_BFD_ADMIN_DOWN);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->state, NS_BFD_DOWN);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->local_diag, NS_BFD_DIAG_NEIGHBOR_DOWN);
	CHECK_EQ(ns_bfd_session_admin(&A.b, da, false, now), 0);
	run_until(now + 5000 * MS);
	CHECK_EQ(ns_bfd_session_get(&A.b, da)->state, NS_BFD_UP);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Each malformed packet is dropped and counted under its own reason. */
static void
test_bad_packets_counted(void)
{
	static const struct {
		int ctr;
		int version, state, mult, length, my, your, flags;
		uint8_t ttl;
	} cases[] = {
			{NS_BFD_C_rx_bad_version, 2, 1, 3, 24, 7, 0, 0, 255},
			{NS_BFD_C_rx_bad_length, 1, 1, 3, 20, 7, 0, 0, 255},
			{NS_BFD_C_rx_bad_length, 1, 1, 3, 40, 7, 0, 0, 255},
			{NS_BFD_C_rx_bad_mult, 1, 1, 0, 24, 7, 0, 0, 255},
			{NS_BFD_C_rx_multipoint, 1, 1, 3, 24, 7, 0, NS_BFD_F_MULTIPOINT, 255},
			{NS_BFD_C_rx_my_disc_zero, 1, 1, 3, 24, 0, 0, 0, 255},
			{NS_BFD_C_rx_your_disc_zero, 1, 3, 3, 24, 7, 0, 0, 255},
			{NS_BFD_C_rx_unknown_disc, 1, 1, 3, 24, 7, 0x12345, 0, 255},
			{NS_BFD_C_rx_bad_ttl, 1, 1, 3, 24, 7, 0, 0, 254},
			{NS_BFD_C_rx_auth_mismatch, 1, 1, 3, 26, 7, 0, NS_BFD_F_AUTH, 255},
	};

	setup(50000, 50000, 3);
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		uint8_t p[64] = {0};
		uint64_t before = B.b.ctr[cases[i].ctr];

		p[0] = (uint8_t)(cases[i].version << 5);
		p[1] = (uint8_t)(cases[i].state << 6 | cases[i].flags);
		p[2] = (uint8_t)cases[i].mult;
		p[3] = (uint8_t)cases[i].length;
		put32(p + 4, (uint32_t)cases[i].my);
		put32(p + 8, (uint32_t)cases[i].your);
		put32(p + 12, 1000000);
		put32(p + 16, 1000000);
		ns_bfd_input(&B.b, B_IP, A_IP, cases[i].ttl, p, 26, now);
		CHECK_EQ(B.b.ctr[cases[i].ctr], before + 1);
	}
	/* Your Discriminator 0 from an address with no session. */
	{
		uint8_t p[24] = {1 << 5, NS_BFD_DOWN << 6, 3, 24};

		put32(p + 4, 9);
		ns_bfd_input(&B.b, B_IP, 0x090200c0u, 255, p, 24, now);
		CHECK_EQ(B.b.ctr[NS_BFD_C_rx_no_session], 1);
	}
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->rx, 0);
}

/* Sessions are found by discriminator in O(1) and deleted without breaking lookups. */
static void
test_table_add_del(void)
{
	struct ns_bfd b;
	uint32_t d[16];

	CHECK_EQ(ns_bfd_init(&b, 16, &ops, &A, now), 0);
	for (uint32_t i = 0; i < 16; i++) {
		struct ns_bfd_session_cfg c = {A_IP, 0x0a000000u + i, 50000, 50000, 3, true, NULL};

		d[i] = ns_bfd_session_add(&b, &c, now);
		CHECK(d[i] != 0);
	}
	{
		struct ns_bfd_session_cfg c = {A_IP, 0x0b000000u, 50000, 50000, 3, true, NULL};

		CHECK_EQ(ns_bfd_session_add(&b, &c, now), 0); /* full */
	}
	for (uint32_t i = 0; i < 16; i += 2)
		CHECK_EQ(ns_bfd_session_del(&b, d[i], now), 0);
	for (uint32_t i = 0; i < 16; i++)
		CHECK((ns_bfd_session_get(&b, d[i]) != NULL) == (i % 2 == 1));
	{
		struct ns_bfd_session_cfg c = {A_IP, 0x0c000000u, 50000, 50000, 3, true, NULL};
		uint32_t n = ns_bfd_session_add(&b, &c, now);

		CHECK(n != 0 && n != d[0]); /* a reused slot gets a new discriminator */
		CHECK(ns_bfd_session_get(&b, d[0]) == NULL);
	}
	ns_bfd_fini(&b);
}

int
main(void)
{
	RUN(test_bring_up_and_negotiate);
	RUN(test_jitter_bounds_and_stability);
	RUN(test_detection_time);
	RUN(test_poll_final_on_timer_change);
	RUN(test_admin_down);
	RUN(test_bad_packets_counted);
	RUN(test_table_add_del);
	ns_bfd_fini(&A.b);
	ns_bfd_fini(&B.b);
	return TEST_SUMMARY();
}
