/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The replication channel on a virtual clock: two ends joined by an
 * in-memory link that loses, duplicates, reorders and corrupts frames; every
 * event arrives once and in order.  Forged, truncated, replayed, old-epoch
 * and stale-session frames are dropped with their counters and change
 * nothing.  HMAC-SHA256 against RFC 4231's test cases.
 */
#include <stdlib.h>

#include "common/ns_hmac.h"
#include "ns_test.h"
#include "repl/repl_chan.h"

#define US 1000ull
#define MS 1000000ull

struct frame {
	uint8_t buf[2048];
	uint32_t len;
	uint64_t at;
	int to; /* 0: to end 0, 1: to end 1 */
};

static struct frame q[1 << 16];
static uint32_t qn;
static struct ns_repl_chan E[2];
static uint64_t now;
static uint32_t loss_pct, dup_pct, reorder_pct, corrupt_pct;
static uint64_t rng = 88172645463325252ull;
static uint32_t next_rx[2], bad_order;
static uint8_t last_frame[2048];
static uint32_t last_frame_len;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void
push(const uint8_t *f, uint32_t len, int to, uint64_t delay)
{
	struct frame *k;

	if (qn == sizeof(q) / sizeof(q[0]))
		return;
	k = &q[qn++];
	memcpy(k->buf, f, len);
	k->len = len;
	k->at = now + delay;
	k->to = to;
}

static void
xmit(void *user, const uint8_t *f, uint32_t len)
{
	int to = user == &E[0] ? 1 : 0;

	memcpy(last_frame, f, len);
	last_frame_len = len;
	if (rnd(100) < loss_pct)
		return;
	push(f, len, to, rnd(100) < reorder_pct ? 200 * US + rnd(500) * US : 20 * US);
	if (rnd(100) < dup_pct)
		push(f, len, to, 300 * US);
	if (rnd(100) < corrupt_pct) {
		push(f, len, to, 25 * US);
		q[qn - 1].buf[rnd(len)] ^= (uint8_t)(1 + rnd(255));
	}
}

/* Events are 4-byte counters; each end checks it sees 0, 1, 2, ... */
static void
deliver(void *user, const uint8_t *p, uint32_t len, uint64_t t)
{
	int me = user == &E[0] ? 0 : 1;

	(void)t;
	for (uint32_t o = 0; o + 4 <= len; o += 4) {
		uint32_t v;

		memcpy(&v, p + o, 4);
		if (v != next_rx[me])
			bad_order++;
		next_rx[me] = v + 1;
	}
}

static const struct ns_repl_chan_ops ops = {xmit, deliver, NULL};
static const uint8_t key[] = "replication key 0123456789abcdef";

static void
setup(void)
{
	struct ns_repl_chan_cfg cfg = {
			.chan = 3,
			.frame_max = 512,
			.ring = 256,
			.window = 64,
			.rto_min_ns = 1 * MS,
			.rto_max_ns = 50 * MS,
			.key = key,
			.key_len = sizeof(key) - 1,
	};

	for (int i = 0; i < 2; i++) {
		if (E[i].slot != NULL)
			ns_repl_chan_fini(&E[i]);
		CHECK_EQ(ns_repl_chan_init(&E[i], &cfg, &ops, &E[i]), 0);
		ns_repl_chan_reset(&E[i], 7, 0xabcdef);
	}
	qn = 0;
	now = 1000 * MS;
	next_rx[0] = next_rx[1] = 0;
	bad_order = 0;
	loss_pct = dup_pct = reorder_pct = corrupt_pct = 0;
}

/* Deliver what is due, run timers, flush both; 10 us steps. */
static void
run(uint64_t until)
{
	while (now < until) {
		uint32_t w = 0, n = qn;

		now += 10 * US;
		for (uint32_t i = 0; i < n; i++) {
			if (q[i].at <= now)
				ns_repl_chan_input(&E[q[i].to], q[i].buf, q[i].len, now);
			else
				q[w++] = q[i];
		}
		/* frames pushed while delivering are at the end */
		for (uint32_t i = n; i < qn; i++)
			q[w++] = q[i];
		qn = w;
		for (int e = 0; e < 2; e++) {
			ns_repl_chan_timers(&E[e], now);
			ns_repl_chan_flush(&E[e], now);
		}
	}
}

static uint32_t sent[2];

/* Queue n counter events from end e (as many as the ring takes). */
static uint32_t
produce(int e, uint32_t n)
{
	uint32_t k = 0;

	for (; k < n; k++) {
		uint8_t *p = ns_repl_chan_reserve(&E[e], 4);

		if (p == NULL)
			break;
		memcpy(p, &sent[e], 4);
		sent[e]++;
	}
	return k;
}

static void
test_lossless_in_order_under_faults(void)
{
	setup();
	sent[0] = sent[1] = 0;
	loss_pct = 10;
	dup_pct = 5;
	reorder_pct = 10;
	corrupt_pct = 3;
	for (int round = 0; round < 2000; round++) {
		produce(0, 1 + rnd(300));
		if (round % 3 == 0)
			produce(1, 1 + rnd(50)); /* the other direction too */
		run(now + 100 * US);
	}
	loss_pct = dup_pct = reorder_pct = corrupt_pct = 0;
	run(now + 2000 * MS);
	CHECK_EQ(bad_order, 0);
	CHECK_EQ(next_rx[1], sent[0]);
	CHECK_EQ(next_rx[0], sent[1]);
	CHECK(sent[0] > 100000);
	CHECK(E[1].ctr[NS_REPL_C_rx_duplicate] > 0);
	CHECK(E[1].ctr[NS_REPL_C_rx_reordered] > 0);
	CHECK(E[1].ctr[NS_REPL_C_rx_bad_mac] > 0);
	CHECK(E[0].ctr[NS_REPL_C_tx_retransmits] > 0);
	CHECK_EQ(ns_repl_chan_unacked(&E[0]), 0);
}

/* The ring is the backpressure: reserve fails when it is full, never loses. */
static void
test_ring_full_backpressure(void)
{
	uint32_t first;

	setup();
	sent[0] = 0;
	loss_pct = 100; /* nothing gets through: the ring fills */
	first = produce(0, 1000000);
	CHECK(first < 1000000);
	CHECK(E[0].ctr[NS_REPL_C_tx_ring_full] > 0);
	run(now + 10 * MS);
	loss_pct = 0;
	run(now + 500 * MS);
	CHECK_EQ(next_rx[1], first);
	CHECK_EQ(bad_order, 0);
	CHECK(ns_repl_chan_room(&E[0]) > 200);
}

static uint64_t
state_sum(const struct ns_repl_chan *c)
{
	return (uint64_t)c->rcv_nxt << 32 ^ c->snd_una ^ (uint64_t)c->snd_nxt << 16;
}

/* Frames that must change nothing: each dropped under its own counter. */
static void
test_bad_frames_change_nothing(void)
{
	uint8_t f[2048], good[2048];
	uint32_t glen;
	uint64_t before;

	setup();
	sent[0] = 0;
	produce(0, 10);
	ns_repl_chan_flush(&E[0], now); /* one frame, captured */
	memcpy(good, last_frame, last_frame_len);
	glen = last_frame_len;
	run(now + 10 * MS);
	CHECK_EQ(next_rx[1], 10);
	before = state_sum(&E[1]);

	/* replayed after delivery */
	ns_repl_chan_input(&E[1], good, glen, now);
	CHECK_EQ(E[1].ctr[NS_REPL_C_rx_duplicate], 1);
	/* forged: one payload byte changed */
	memcpy(f, good, glen);
	f[NS_REPL_HDR_LEN + 1] ^= 1;
	ns_repl_chan_input(&E[1], f, glen, now);
	CHECK_EQ(E[1].ctr[NS_REPL_C_rx_bad_mac], 1);
	/* forged: the sequence moved forward (a new frame the key never signed) */
	memcpy(f, good, glen);
	f[15] += 1;
	ns_repl_chan_input(&E[1], f, glen, now);
	CHECK_EQ(E[1].ctr[NS_REPL_C_rx_bad_mac], 2);
	/* truncated: header only, and one byte short of its length field */
	ns_repl_chan_input(&E[1], good, NS_REPL_HDR_LEN, now);
	ns_repl_chan_input(&E[1], good, glen - 1, now);
	CHECK_EQ(E[1].ctr[NS_REPL_C_rx_short], 2);
	/* another version */
	memcpy(f, good, glen);
	f[0] = 9;
	ns_repl_chan_input(&E[1], f, glen, now);
	CHECK_EQ(E[1].ctr[NS_REPL_C_rx_bad_version], 1);
	/* an older epoch, and a stale session, correctly signed by a sender with
	 * the key (a fenced active, a previous incarnation) */
	ns_repl_chan_reset(&E[0], 6, 0xabcdef);
	produce(0, 1);
	ns_repl_chan_flush(&E[0], now);
	ns_repl_chan_input(&E[1], last_frame, last_frame_len, now);
	CHECK_EQ(E[1].ctr[NS_REPL_C_rx_old_epoch], 1);
	ns_repl_chan_reset(&E[0], 7, 0x1234);
	produce(0, 1);
	ns_repl_chan_flush(&E[0], now);
	ns_repl_chan_input(&E[1], last_frame, last_frame_len, now);
	CHECK_EQ(E[1].ctr[NS_REPL_C_rx_bad_session], 1);
	/* a frame signed with another key */
	{
		struct ns_repl_chan x;
		struct ns_repl_chan_cfg cfg = E[0].cfg;
		static const uint8_t other[] = "another key";

		cfg.key = other;
		cfg.key_len = sizeof(other) - 1;
		CHECK_EQ(ns_repl_chan_init(&x, &cfg, &ops, &E[0]), 0);
		ns_repl_chan_reset(&x, 7, 0xabcdef);
		memcpy(ns_repl_chan_reserve(&x, 4), "abcd", 4);
		ns_repl_chan_flush(&x, now);
		ns_repl_chan_input(&E[1], last_frame, last_frame_len, now);
		CHECK_EQ(E[1].ctr[NS_REPL_C_rx_bad_mac], 3);
		ns_repl_chan_fini(&x);
	}
	CHECK_EQ(state_sum(&E[1]), before);
	CHECK_EQ(next_rx[1], 10);
	CHECK_EQ(bad_order, 0);
}

/* RFC 4231 4.2 and 4.3 (test cases 1 and 2); a context used twice. */
static void
test_hmac_rfc4231(void)
{
	static const uint8_t k1[20] = {0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
			0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
	static const uint8_t want1[32] = {0xb0, 0x34, 0x4c, 0x61, 0xd8, 0xdb, 0x38, 0x53, 0x5c,
			0xa8, 0xaf, 0xce, 0xaf, 0x0b, 0xf1, 0x2b, 0x88, 0x1d, 0xc2, 0x00, 0xc9,
			0x83, 0x3d, 0xa7, 0x26, 0xe9, 0x37, 0x6c, 0x2e, 0x32, 0xcf, 0xf7};
	static const uint8_t want2[32] = {0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a,
			0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d,
			0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
	struct ns_hmac *h = ns_hmac_new(k1, sizeof(k1));
	uint8_t out[32];

	CHECK(h != NULL);
	CHECK_EQ(ns_hmac_sha256(h, "Hi There", 8, NULL, 0, out), 0);
	CHECK(memcmp(out, want1, 32) == 0);
	CHECK_EQ(ns_hmac_sha256(h, "Hi ", 3, "There", 5, out), 0); /* same key, two parts */
	CHECK(memcmp(out, want1, 32) == 0);
	ns_hmac_free(h);
	h = ns_hmac_new((const uint8_t *)"Jefe", 4);
	CHECK_EQ(ns_hmac_sha256(h, "what do ya want for nothing?", 28, NULL, 0, out), 0);
	CHECK(memcmp(out, want2, 32) == 0);
	ns_hmac_free(h);
}

int
main(void)
{
	RUN(test_hmac_rfc4231);
	RUN(test_lossless_in_order_under_faults);
	RUN(test_ring_full_backpressure);
	RUN(test_bad_frames_change_nothing);
	ns_repl_chan_fini(&E[0]);
	ns_repl_chan_fini(&E[1]);
	return TEST_SUMMARY();
}
