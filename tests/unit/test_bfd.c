/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BFD engine on a virtual clock: two engines joined by an in-memory link
 * (1 ms one way): bring-up through Down/Init/Up, negotiated intervals,
 * jitter bounds, Poll/Final on a timer change, detection time exactness
 * when the peer goes silent, AdminDown, and each malformed packet counted.
 */
#include <stdlib.h>

#include <rte_common.h>

#include "bfd/bfd.h"
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
	uint8_t last_pkt[64]; /* the last packet sent */
	uint32_t last_len;
};

static struct pkt q[4096];
static unsigned int qh, qt;
static struct end A, B;
static uint64_t now;
static bool a_silent;	       /* A stops transmitting (a dead peer) */
static uint64_t a_stall_until; /* A's lcore does not run before then */

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
	memcpy(e->last_pkt, p, len);
	e->last_len = len;
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
		bool a_runs = now + 100000 >= a_stall_until;

		now += 100000;
		/* in order; while A stalls, what is for A (and behind it) waits */
		while (qh != qt && q[qh % 4096].at <= now && (q[qh % 4096].to_b || a_runs)) {
			struct pkt *k = &q[qh++ % 4096];

			if (k->to_b)
				ns_bfd_input(&B.b, B_IP, A_IP, 255, k->buf, k->len, now);
			else
				ns_bfd_input(&A.b, A_IP, B_IP, 255, k->buf, k->len, now);
		}
		if (a_runs)
			ns_bfd_timers(&A.b, now);
		ns_bfd_timers(&B.b, now);
	}
}

static uint32_t da, db;
static struct ns_bfd_auth_cfg ka, kb; /* the next setup()'s keys (zero: none) */

static void
setup(uint32_t tx_us, uint32_t rx_us, uint8_t mult)
{
	struct ns_bfd_session_cfg ca = {A_IP, B_IP, tx_us, rx_us, mult, false, NULL, ka};
	struct ns_bfd_session_cfg cb = {B_IP, A_IP, tx_us, rx_us, mult, false, NULL, kb};

	ns_bfd_fini(&A.b);
	ns_bfd_fini(&B.b);
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	qh = qt = 0;
	now = 1000 * MS;
	a_silent = false;
	a_stall_until = 0;
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
	/* The steady state takes the header-prediction path. */
	CHECK(A.b.ctr[NS_BFD_C_rx_predicted] * 10 > A.b.ctr[NS_BFD_C_rx_packets] * 9);
}

/*
 * 6.8.7 between the packets that leave: after the lcore stalled (80 ms
 * here, 8 intervals of 10 ms; the peer's detection time is 100 ms), one
 * packet goes at once and the next one a jittered interval after it, not
 * a burst of the ones the stall skipped.  The health entry's tx count
 * follows every packet, not only state changes.
 */
static void
test_no_burst_after_stall(void)
{
	struct ns_bfd_health h;
	uint64_t before;

	setup(10000, 10000, 10);
	run_until(now + 3000 * MS);
	CHECK_EQ(ns_bfd_session_get(&A.b, da)->state, NS_BFD_UP);
	CHECK(ns_bfd_health_read(&A.b, 0, &h));
	CHECK_EQ(h.tx, ns_bfd_session_get(&A.b, da)->tx);
	CHECK_EQ(h.tx, A.b.ctr[NS_BFD_C_tx_packets]);
	for (int round = 0; round < 20; round++) {
		A.measure = true;
		A.min_gap = UINT64_MAX;
		A.max_gap = 0;
		A.last_tx_at = 0;
		run_until(now + 200 * MS);
		a_stall_until = now + 80 * MS;
		before = A.b.ctr[NS_BFD_C_tx_packets];
		run_until(a_stall_until + 100000);
		CHECK_EQ(A.b.ctr[NS_BFD_C_tx_packets] - before, 1); /* one packet, no burst */
		run_until(now + 200 * MS);
		if (A.min_gap < 7500000 - 100000)
			fprintf(stderr, "round %d: packets %llu us apart\n", round,
					(unsigned long long)A.min_gap / 1000);
		CHECK(A.min_gap >= 7500000 - 100000);
	}
	CHECK_EQ(ns_bfd_session_get(&A.b, da)->state, NS_BFD_UP);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->state, NS_BFD_UP);
	CHECK(ns_bfd_health_read(&A.b, 0, &h));
	CHECK_EQ(h.tx, A.b.ctr[NS_BFD_C_tx_packets]);
	CHECK_EQ(h.rx, ns_bfd_session_get(&A.b, da)->rx);
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
	/* B predicts A's packets; the first one that differs (AdminDown) is not. */
	CHECK(B.b.ctr[NS_BFD_C_rx_predicted] > 0);
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
		struct ns_bfd_session_cfg c = {
				A_IP, 0x0a000000u + i, 50000, 50000, 3, true, NULL, {0}};

		d[i] = ns_bfd_session_add(&b, &c, now);
		CHECK(d[i] != 0);
	}
	{
		struct ns_bfd_session_cfg c = {A_IP, 0x0b000000u, 50000, 50000, 3, true, NULL, {0}};

		CHECK_EQ(ns_bfd_session_add(&b, &c, now), 0); /* full */
	}
	for (uint32_t i = 0; i < 16; i += 2)
		CHECK_EQ(ns_bfd_session_del(&b, d[i], now), 0);
	for (uint32_t i = 0; i < 16; i++)
		CHECK((ns_bfd_session_get(&b, d[i]) != NULL) == (i % 2 == 1));
	{
		struct ns_bfd_session_cfg c = {A_IP, 0x0c000000u, 50000, 50000, 3, true, NULL, {0}};
		uint32_t n = ns_bfd_session_add(&b, &c, now);

		CHECK(n != 0 && n != d[0]); /* a reused slot gets a new discriminator */
		CHECK(ns_bfd_session_get(&b, d[0]) == NULL);
	}
	ns_bfd_fini(&b);
}

static struct ns_bfd_auth_cfg
key(uint8_t type, uint8_t id, const char *k)
{
	struct ns_bfd_auth_cfg a = {.type = type, .key_id = id, .key_len = (uint8_t)strlen(k)};

	memcpy(a.key, k, a.key_len);
	return a;
}

static uint64_t
auth_drops(const struct ns_bfd *b)
{
	return b->ctr[NS_BFD_C_rx_auth_mismatch] + b->ctr[NS_BFD_C_rx_auth_bad_type] +
	       b->ctr[NS_BFD_C_rx_auth_bad_len] + b->ctr[NS_BFD_C_rx_auth_bad_key_id] +
	       b->ctr[NS_BFD_C_rx_auth_bad_seq] + b->ctr[NS_BFD_C_rx_auth_bad_digest];
}

/* Every type comes Up with the same key on both sides, and no packet is refused. */
static void
test_auth_bring_up_each_type(void)
{
	static const uint8_t len[] = {0, 24 + 3 + 6, 48, 48, 52, 52};

	for (uint8_t t = NS_BFD_AUTH_SIMPLE; t <= NS_BFD_AUTH_MET_SHA1; t++) {
		ka = kb = key(t, 7, "secret");
		setup(50000, 50000, 3);
		run_until(now + 3000 * MS);
		CHECK_EQ(ns_bfd_session_get(&A.b, da)->state, NS_BFD_UP);
		CHECK_EQ(ns_bfd_session_get(&B.b, db)->state, NS_BFD_UP);
		CHECK_EQ(auth_drops(&A.b) + auth_drops(&B.b), 0);
		CHECK_EQ(A.last_len, len[t]);
		CHECK_EQ(A.last_pkt[3], len[t]);      /* Length covers the section */
		CHECK(A.last_pkt[1] & NS_BFD_F_AUTH); /* A bit */
		CHECK_EQ(A.last_pkt[24], t);	      /* Auth Type */
		CHECK_EQ(A.last_pkt[26], 7);	      /* Key ID */
	}
	memset(&ka, 0, sizeof(ka));
	memset(&kb, 0, sizeof(kb));
}

/* Wrong key, key ID or type, or authentication on one side only: never Up, counted. */
static void
test_auth_mismatches(void)
{
	static const struct {
		uint8_t ta, tb, ida, idb;
		const char *kA, *kB;
		int ctr;
	} cases[] = {
			{NS_BFD_AUTH_KEYED_MD5, NS_BFD_AUTH_KEYED_MD5, 1, 1, "secret", "secreT",
					NS_BFD_C_rx_auth_bad_digest},
			{NS_BFD_AUTH_MET_SHA1, NS_BFD_AUTH_MET_SHA1, 1, 1, "secret", "secret2",
					NS_BFD_C_rx_auth_bad_digest},
			{NS_BFD_AUTH_SIMPLE, NS_BFD_AUTH_SIMPLE, 1, 1, "pw", "px",
					NS_BFD_C_rx_auth_bad_digest},
			{NS_BFD_AUTH_KEYED_SHA1, NS_BFD_AUTH_KEYED_SHA1, 1, 2, "k", "k",
					NS_BFD_C_rx_auth_bad_key_id},
			{NS_BFD_AUTH_KEYED_MD5, NS_BFD_AUTH_KEYED_SHA1, 1, 1, "k", "k",
					NS_BFD_C_rx_auth_bad_type},
			{NS_BFD_AUTH_MET_MD5, NS_BFD_AUTH_NONE, 1, 0, "k", "",
					NS_BFD_C_rx_auth_mismatch},
			{NS_BFD_AUTH_NONE, NS_BFD_AUTH_MET_MD5, 0, 1, "", "k",
					NS_BFD_C_rx_auth_mismatch},
	};

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		ka = key(cases[i].ta, cases[i].ida, cases[i].kA);
		kb = key(cases[i].tb, cases[i].idb, cases[i].kB);
		if (cases[i].ta == NS_BFD_AUTH_NONE)
			memset(&ka, 0, sizeof(ka));
		if (cases[i].tb == NS_BFD_AUTH_NONE)
			memset(&kb, 0, sizeof(kb));
		setup(50000, 50000, 3);
		run_until(now + 5000 * MS);
		CHECK(ns_bfd_session_get(&B.b, db)->state != NS_BFD_UP);
		CHECK(B.b.ctr[cases[i].ctr] >= 4);
		CHECK_EQ(ns_bfd_session_get(&B.b, db)->rx, 0); /* nothing was applied */
	}
	memset(&ka, 0, sizeof(ka));
	memset(&kb, 0, sizeof(kb));
}

/* Sign A's last packet again with sequence number seq and give it to B. */
static void
inject_a_seq(uint32_t seq)
{
	uint8_t p[64];

	memcpy(p, A.last_pkt, NS_BFD_HDR_LEN);
	ns_bfd_auth_sign(&ka, seq, p);
	ns_bfd_input(&B.b, B_IP, A_IP, 255, p, p[3], now);
}

/* 6.7.3/6.7.4: replays and sequence numbers outside 3 x DetectMult are refused. */
static void
test_auth_sequence_window(void)
{
	uint8_t old[64];
	uint32_t r;
	uint64_t rx;

	/* Meticulous: an old packet replayed is refused, as is the same number again. */
	ka = kb = key(NS_BFD_AUTH_MET_SHA1, 3, "0123456789abcdefghij");
	setup(50000, 50000, 3);
	run_until(now + 2000 * MS);
	memcpy(old, A.last_pkt, A.last_len);
	run_until(now + 1000 * MS);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->state, NS_BFD_UP);
	rx = ns_bfd_session_get(&B.b, db)->rx;
	ns_bfd_input(&B.b, B_IP, A_IP, 255, old, old[3], now);
	CHECK_EQ(B.b.ctr[NS_BFD_C_rx_auth_bad_seq], 1);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->rx, rx);
	r = ns_bfd_session_get(&B.b, db)->auth.rcv_seq;
	inject_a_seq(r); /* meticulous: the same number is a replay */
	CHECK_EQ(B.b.ctr[NS_BFD_C_rx_auth_bad_seq], 2);
	inject_a_seq(r + 3 * 3 + 1); /* beyond the window */
	CHECK_EQ(B.b.ctr[NS_BFD_C_rx_auth_bad_seq], 3);
	inject_a_seq(r + 3 * 3); /* the window's edge */
	CHECK_EQ(B.b.ctr[NS_BFD_C_rx_auth_bad_seq], 3);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->auth.rcv_seq, r + 9);
	CHECK_EQ(B.b.ctr[NS_BFD_C_rx_auth_bad_digest], 0);

	/* Keyed (not meticulous): the same number is accepted, an older one is not. */
	ka = kb = key(NS_BFD_AUTH_KEYED_MD5, 3, "key");
	setup(50000, 50000, 3);
	run_until(now + 3000 * MS);
	r = ns_bfd_session_get(&B.b, db)->auth.rcv_seq;
	inject_a_seq(r);
	inject_a_seq(r - 1);
	CHECK_EQ(B.b.ctr[NS_BFD_C_rx_auth_bad_seq], 1);

	/* 6.8.1: after 2 x detection time without packets the number is relearnt. */
	a_silent = true;
	run_until(now + 400 * MS); /* detection 150 ms: B is Down, 2 x passed */
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->state, NS_BFD_DOWN);
	inject_a_seq(r + 1000000);
	CHECK_EQ(B.b.ctr[NS_BFD_C_rx_auth_bad_seq], 1);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->auth.rcv_seq, r + 1000000);
	memset(&ka, 0, sizeof(ka));
	memset(&kb, 0, sizeof(kb));
}

/* Every packet dropped for any reason (the DROP counters). */
static uint64_t
all_drops(const struct ns_bfd *b)
{
	uint64_t n = 0;

	for (int i = 0; i < NS_BFD_C__MAX; i++)
		if (ns_bfd_ctr_desc[i].kind == NS_CTR_DROP)
			n += b->ctr[i];
	return n;
}

/* A flipped bit anywhere in an authenticated packet gets it refused. */
static void
test_auth_tamper(void)
{
	uint32_t refused = 0;
	uint64_t rx;

	ka = kb = key(NS_BFD_AUTH_MET_MD5, 9, "tamper");
	setup(50000, 50000, 3);
	run_until(now + 3000 * MS);
	rx = ns_bfd_session_get(&B.b, db)->rx;
	for (uint32_t bit = 0; bit < 8 * A.last_len; bit++) {
		uint64_t before = all_drops(&B.b);
		uint8_t p[64];

		/* a fresh, valid number so only the flipped bit can make it fail */
		memcpy(p, A.last_pkt, NS_BFD_HDR_LEN);
		ns_bfd_auth_sign(&ka, ns_bfd_session_get(&B.b, db)->auth.rcv_seq + 1, p);
		p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ns_bfd_input(&B.b, B_IP, A_IP, 255, p, A.last_len, now);
		refused += all_drops(&B.b) == before + 1;
	}
	CHECK_EQ(refused, 8 * A.last_len);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->rx, rx);
	CHECK_EQ(ns_bfd_session_get(&B.b, db)->state, NS_BFD_UP);
	memset(&ka, 0, sizeof(ka));
	memset(&kb, 0, sizeof(kb));
}

/* Known answers: packets signed by Python's hashlib (key "nonstop", Key ID 5,
 * sequence 0x01020304), so both ends of the engine cannot share a mistake. */
static void
test_auth_known_answers(void)
{
	static const char *const want[] = {
			"20c4033011223344556677880000c3500000c3500000000002180500010203049b3fa7a59e"
			"2d1b7a41cbdf3130098028",
			"20c4033011223344556677880000c3500000c3500000000003180500010203043893994cd9"
			"7eed7d88607074c52ea074",
			"20c4033411223344556677880000c3500000c35000000000041c050001020304a63aa3711e"
			"a961cf31dc2d4e0663051c45b07cdc",
			"20c4033411223344556677880000c3500000c35000000000051c050001020304041dabef05"
			"c7e6573c1cfa6134f46bd7a0bb06eb",
	};

	for (uint8_t t = NS_BFD_AUTH_KEYED_MD5; t <= NS_BFD_AUTH_MET_SHA1; t++) {
		struct ns_bfd_auth_cfg a = key(t, 5, "nonstop");
		struct ns_bfd_auth_state st = {0};
		struct ns_bfd_ctl c = {.state = NS_BFD_UP,
				.detect_mult = 3,
				.my_disc = 0x11223344,
				.your_disc = 0x55667788,
				.desired_min_tx_us = 50000,
				.required_min_rx_us = 50000};
		uint8_t p[64];
		char hex[2 * sizeof(p) + 1];
		uint32_t len;

		ns_bfd_build(&c, p);
		len = ns_bfd_auth_sign(&a, 0x01020304, p);
		for (uint32_t i = 0; i < len; i++)
			sprintf(hex + 2 * i, "%02x", p[i]);
		CHECK(strcmp(hex, want[t - NS_BFD_AUTH_KEYED_MD5]) == 0);
		CHECK_EQ(ns_bfd_auth_verify(&a, &st, p, len, 3), -1);
	}
}

int
main(void)
{
	RUN(test_bring_up_and_negotiate);
	RUN(test_jitter_bounds_and_stability);
	RUN(test_no_burst_after_stall);
	RUN(test_detection_time);
	RUN(test_poll_final_on_timer_change);
	RUN(test_admin_down);
	RUN(test_bad_packets_counted);
	RUN(test_table_add_del);
	RUN(test_auth_bring_up_each_type);
	RUN(test_auth_mismatches);
	RUN(test_auth_sequence_window);
	RUN(test_auth_tamper);
	RUN(test_auth_known_answers);
	ns_bfd_fini(&A.b);
	ns_bfd_fini(&B.b);
	return TEST_SUMMARY();
}
