/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The standby's journal queue (repl_journal.h): records reassembled from
 * pieces, applied in the active's order once their input is replicated,
 * never early, never out of order; a takeover applies the covered prefix
 * and drops the rest; the ring wraps and refuses what does not fit.
 */
#include <stdlib.h>

#include "ns_test.h"
#include "repl/repl_event.h"
#include "repl/repl_journal.h"

#define NCONN 4

static uint32_t head_of[NCONN]; /* the shadows' receive heads */
static uint32_t applied[4096], n_applied;
static uint8_t last[256];
static uint32_t last_len;
static uint16_t last_app;

static bool
covered(void *arg, uint32_t conn, uint32_t pos)
{
	(void)arg;
	return (int32_t)(head_of[conn] - pos) >= 0;
}

/* Records carry their sequence number in their first 4 bytes. */
static void
apply(void *arg, uint16_t app, const uint8_t *rec, uint32_t len)
{
	(void)arg;
	if (len >= 4 && n_applied < 4096)
		memcpy(&applied[n_applied++], rec, 4);
	last_app = app;
	last_len = len < sizeof(last) ? len : sizeof(last);
	memcpy(last, rec, last_len);
}

static void
reset(void)
{
	memset(head_of, 0, sizeof(head_of));
	n_applied = 0;
}

static int
rec(struct ns_repl_jq *q, uint32_t seq, uint32_t conn, uint32_t pos, uint32_t len)
{
	uint8_t b[512] = {0};

	memcpy(b, &seq, 4);
	return ns_repl_jq_piece(q, conn, 1, NS_REPL_JF_FIRST | NS_REPL_JF_LAST, pos, b, len);
}

static void
test_pieces_reassembled(void)
{
	struct ns_repl_jq q;
	uint8_t r[100];

	reset();
	CHECK_EQ(ns_repl_jq_init(&q, 4096, 256, NCONN), 0);
	for (int i = 0; i < 100; i++)
		r[i] = (uint8_t)(i * 7);
	CHECK_EQ(ns_repl_jq_piece(&q, NS_REPL_CONN_NONE, 3, NS_REPL_JF_FIRST, 0, r, 40), 0);
	CHECK(ns_repl_jq_empty(&q)); /* not whole yet */
	CHECK_EQ(ns_repl_jq_piece(&q, NS_REPL_CONN_NONE, 3, 0, 0, r + 40, 40), 0);
	CHECK_EQ(ns_repl_jq_piece(&q, NS_REPL_CONN_NONE, 3, NS_REPL_JF_LAST, 0, r + 80, 20), 0);
	CHECK_EQ(ns_repl_jq_drain(&q, covered, apply, NULL), 1);
	CHECK_EQ(last_app, 3);
	CHECK_EQ(last_len, 100);
	CHECK(memcmp(last, r, 100) == 0);
	/* A piece without its first, another connection's piece in the middle,
	 * a record over the longest: refused and counted. */
	CHECK_EQ(ns_repl_jq_piece(&q, 1, 3, NS_REPL_JF_LAST, 0, r, 10), -1);
	CHECK_EQ(ns_repl_jq_piece(&q, 1, 3, NS_REPL_JF_FIRST, 0, r, 10), 0);
	CHECK_EQ(ns_repl_jq_piece(&q, 2, 3, NS_REPL_JF_LAST, 0, r, 10), -1);
	CHECK_EQ(ns_repl_jq_piece(&q, 9, 3, NS_REPL_JF_FIRST | NS_REPL_JF_LAST, 0, r, 10), -1);
	CHECK_EQ(ns_repl_jq_piece(&q, 1, 3, NS_REPL_JF_FIRST, 0, r, 100), 0);
	CHECK_EQ(ns_repl_jq_piece(&q, 1, 3, 0, 0, r, 100), 0);
	CHECK_EQ(ns_repl_jq_piece(&q, 1, 3, NS_REPL_JF_LAST, 0, r, 100), -1);
	CHECK_EQ(q.bad, 4);
	CHECK(ns_repl_jq_empty(&q));
	ns_repl_jq_fini(&q);
}

/* The first record not covered holds back the later ones, whoever's. */
static void
test_order_and_coverage(void)
{
	struct ns_repl_jq q;

	reset();
	CHECK_EQ(ns_repl_jq_init(&q, 4096, 256, NCONN), 0);
	rec(&q, 1, 0, 10, 8);
	rec(&q, 2, 1, 5, 8);
	rec(&q, 3, NS_REPL_CONN_NONE, 0, 8);
	rec(&q, 4, 0, 20, 8);
	CHECK_EQ(ns_repl_jq_pending(&q, 0), 2);
	head_of[1] = 5; /* connection 1's input is replicated, not 0's */
	CHECK_EQ(ns_repl_jq_drain(&q, covered, apply, NULL), 0);
	head_of[0] = 9;
	CHECK_EQ(ns_repl_jq_drain(&q, covered, apply, NULL), 0);
	head_of[0] = 15;
	CHECK_EQ(ns_repl_jq_drain(&q, covered, apply, NULL), 3);
	CHECK_EQ(n_applied, 3);
	CHECK_EQ(applied[0], 1);
	CHECK_EQ(applied[1], 2);
	CHECK_EQ(applied[2], 3);
	CHECK_EQ(ns_repl_jq_pending(&q, 0), 1);
	head_of[0] = 20;
	CHECK_EQ(ns_repl_jq_drain(&q, covered, apply, NULL), 1);
	CHECK_EQ(applied[3], 4);
	/* Positions wrap around 2^32. */
	head_of[0] = 0xffffffe0u;
	rec(&q, 5, 0, 0xfffffff0u, 8);
	CHECK_EQ(ns_repl_jq_drain(&q, covered, apply, NULL), 0);
	head_of[0] = 0x10;
	CHECK_EQ(ns_repl_jq_drain(&q, covered, apply, NULL), 1);
	CHECK_EQ(applied[4], 5);
	ns_repl_jq_fini(&q);
}

/* A connection that ended: its records apply in their turn. */
static void
test_conn_done(void)
{
	struct ns_repl_jq q;

	reset();
	CHECK_EQ(ns_repl_jq_init(&q, 4096, 256, NCONN), 0);
	rec(&q, 1, 2, 100, 8);
	rec(&q, 2, 3, 1, 8);
	head_of[3] = 1;
	CHECK_EQ(ns_repl_jq_drain(&q, covered, apply, NULL), 0);
	ns_repl_jq_conn_done(&q, 2);
	CHECK_EQ(ns_repl_jq_pending(&q, 2), 0);
	CHECK_EQ(ns_repl_jq_drain(&q, covered, apply, NULL), 2);
	CHECK_EQ(applied[0], 1);
	CHECK_EQ(applied[1], 2);
	ns_repl_jq_fini(&q);
}

/* A takeover: the covered prefix applies, the suffix from the first
 * uncovered record on is dropped (even covered records after it). */
static void
test_settle(void)
{
	struct ns_repl_jq q;

	reset();
	CHECK_EQ(ns_repl_jq_init(&q, 4096, 256, NCONN), 0);
	rec(&q, 1, 0, 10, 8);
	rec(&q, 2, 1, 10, 8);
	rec(&q, 3, 0, 20, 8);
	head_of[0] = 20;
	head_of[1] = 0;
	CHECK_EQ(ns_repl_jq_settle(&q, covered, apply, NULL), 2);
	CHECK_EQ(n_applied, 1);
	CHECK_EQ(applied[0], 1);
	CHECK(ns_repl_jq_empty(&q));
	CHECK_EQ(ns_repl_jq_pending(&q, 0), 0);
	CHECK_EQ(ns_repl_jq_pending(&q, 1), 0);
	CHECK_EQ(q.dropped, 2);
	ns_repl_jq_fini(&q);
}

/* A small ring, records of random sizes: every record applied once, in
 * order, across many wraps; a record that does not fit is refused. */
static void
test_ring_wraps(void)
{
	struct ns_repl_jq q;
	uint32_t seq = 0, next = 0, pushed = 0, refused = 0;
	uint64_t rng = 12345;

	reset();
	CHECK_EQ(ns_repl_jq_init(&q, 1024, 256, NCONN), 0);
	head_of[0] = UINT32_MAX / 2;
	for (int i = 0; i < 20000; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		if ((rng >> 60) < 9) {
			uint32_t len = 4 + (uint32_t)(rng >> 33) % 200;

			if (rec(&q, seq, 0, 1, len) == 0) {
				seq++;
				pushed++;
			} else {
				refused++;
				seq++; /* the standby loses it: the next ones go on */
			}
		} else {
			n_applied = 0;
			ns_repl_jq_drain(&q, covered, apply, NULL);
			for (uint32_t k = 0; k < n_applied; k++) {
				while (next < seq && applied[k] != next)
					next++; /* a refused one */
				CHECK_EQ(applied[k], next);
				next++;
			}
		}
	}
	CHECK(pushed > 1000);
	CHECK(refused > 0);
	CHECK_EQ(q.full, refused);
	ns_repl_jq_fini(&q);
}

int
main(void)
{
	RUN(test_pieces_reassembled);
	RUN(test_order_and_coverage);
	RUN(test_conn_done);
	RUN(test_settle);
	RUN(test_ring_wraps);
	return TEST_SUMMARY();
}
