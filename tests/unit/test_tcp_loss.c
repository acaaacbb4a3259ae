/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loss recovery on a lossy link: random drops of data and ACKs in both
 * directions, with and without SACK and timestamps.  Every byte arrives in
 * order; the sender's transmission log stays consistent after every segment
 * (records cover [snd_una, snd_max), their counts agree); RACK and the tail
 * loss probe do the repairs, the RTO stays rare.
 */
#include "tcp_harness.h"

static uint32_t log_errors;

/* After every segment either end sends: both logs consistent. */
static void
check_logs(struct end *e, const uint8_t *ip, uint16_t len)
{
	(void)e, (void)ip, (void)len;
	if (A.conn != NULL && A.conn->state != NS_TCP_CLOSED && ns_tcp_txlog_check(A.conn) != 0)
		log_errors++;
	if (B.conn != NULL && B.conn->state != NS_TCP_CLOSED && ns_tcp_txlog_check(B.conn) != 0)
		log_errors++;
}

static void
no_sack(struct ns_tcp_cfg *cfg)
{
	cfg->sack = false;
}

static void
no_ts(struct ns_tcp_cfg *cfg)
{
	cfg->ts = false;
}

static void
big_buffers(struct ns_tcp_cfg *cfg)
{
	cfg->sndbuf = cfg->rcvbuf = 256 * 1024;
}

static void
print_counters(const char *what)
{
	printf("    %s: dropped %u retransmits %lu rto %lu tlp %lu rack_lost %lu recoveries %lu "
	       "dsack_rx %lu\n",
			what, dropped, (unsigned long)A.s.ctr[NS_TCP_C_retransmits],
			(unsigned long)A.s.ctr[NS_TCP_C_rto_expired],
			(unsigned long)A.s.ctr[NS_TCP_C_tlp_probes],
			(unsigned long)A.s.ctr[NS_TCP_C_rack_lost],
			(unsigned long)A.s.ctr[NS_TCP_C_sack_recoveries],
			(unsigned long)A.s.ctr[NS_TCP_C_dsack_rx]);
}

/* n bytes A -> B with drop_permille loss both ways (data and ACKs). */
static void
lossy_transfer(void (*tweak)(struct ns_tcp_cfg *), unsigned int permille, uint32_t n, uint64_t seed)
{
	static uint8_t a2b[1 << 20];
	struct ns_tcb *c;

	setup(tweak);
	c = open_pair();
	log_errors = 0;
	xmit_hook = check_logs;
	fill_pattern(a2b, n, (uint32_t)seed);
	drop_rng = seed;
	drop_permille = permille;
	transfer(&A, c, a2b, n, now + 600000 * MS);
	drop_permille = 0;
	run(now + 20000 * MS);
	CHECK(dropped > 0);
	CHECK_EQ(B.rx_len, n);
	CHECK(memcmp(B.rx, a2b, n) == 0);
	CHECK_EQ(log_errors, 0);
	CHECK(c->snd_una == c->snd_max);
	CHECK_EQ(c->txl.n, 0);
}

/* Ten runs of lossy_transfer: the totals of the sender's counters. */
static uint64_t tot[NS_TCP_C__MAX];

static void
runs(void (*tweak)(struct ns_tcp_cfg *), unsigned int permille, uint32_t n, uint64_t seed)
{
	memset(tot, 0, sizeof(tot));
	for (uint64_t k = 0; k < 10; k++) {
		lossy_transfer(tweak, permille, n, seed * 100 + k);
		for (int i = 0; i < NS_TCP_C__MAX; i++)
			tot[i] += A.s.ctr[i];
	}
	printf("    %u permille: retransmits %lu rto %lu tlp %lu rack_lost %lu recoveries %lu "
	       "dsack_rx %lu\n",
			permille, (unsigned long)tot[NS_TCP_C_retransmits],
			(unsigned long)tot[NS_TCP_C_rto_expired],
			(unsigned long)tot[NS_TCP_C_tlp_probes],
			(unsigned long)tot[NS_TCP_C_rack_lost],
			(unsigned long)tot[NS_TCP_C_sack_recoveries],
			(unsigned long)tot[NS_TCP_C_dsack_rx]);
}

/* SACK and timestamps, 3 % loss both ways: RACK repairs the holes (lost
 * retransmissions included), the probes the tails; RTOs are rare.  The
 * link neither reorders nor duplicates: a D-SACK would mean a segment sent
 * again that had arrived (RACK ordering segments sent within one clock
 * tick by their sequence numbers did that, a third of the time). */
static void
test_sack_ts_three_percent(void)
{
	runs(NULL, 30, 1 << 20, 1);
	CHECK(tot[NS_TCP_C_rack_lost] > 100);
	CHECK(tot[NS_TCP_C_tlp_probes] > 0);
	CHECK(tot[NS_TCP_C_rto_expired] * 10 < tot[NS_TCP_C_sack_recoveries]);
	CHECK_EQ(tot[NS_TCP_C_dsack_rx], 0);
	CHECK_EQ(tot[NS_TCP_C_rack_reordering], 0);
}

/* SACK without timestamps (RTT by Karn's rule): the same. */
static void
test_sack_no_ts_three_percent(void)
{
	runs(no_ts, 30, 1 << 20, 2);
	CHECK(tot[NS_TCP_C_rack_lost] > 100);
	CHECK(tot[NS_TCP_C_rto_expired] * 10 < tot[NS_TCP_C_sack_recoveries]);
	CHECK_EQ(tot[NS_TCP_C_dsack_rx], 0);
}

/* Without SACK: NewReno and the RTO (through the same log). */
static void
test_no_sack_three_percent(void)
{
	runs(no_sack, 30, 512 * 1024, 3);
	CHECK_EQ(tot[NS_TCP_C_rack_lost], 0);
	CHECK_EQ(tot[NS_TCP_C_tlp_probes], 0);
	CHECK(tot[NS_TCP_C_retransmits] > 100);
}

/* Windows of 256 KB (more segments in flight than a 64 KB log holds). */
static void
test_big_window_one_percent(void)
{
	runs(big_buffers, 10, 1 << 20, 4);
	CHECK(tot[NS_TCP_C_rto_expired] * 10 < tot[NS_TCP_C_sack_recoveries]);
	CHECK_EQ(tot[NS_TCP_C_dsack_rx], 0);
}

/* Only ACKs are lost (10 % of B's segments): the data all arrives; the
 * probes, not the RTO, recover the flights whose last ACKs died. */
static void
test_ack_loss_probes(void)
{
	static uint8_t a2b[300000];
	struct ns_tcb *c;
	uint32_t off = 0;

	setup(NULL);
	c = open_pair();
	fill_pattern(a2b, sizeof(a2b), 12);
	log_errors = 0;
	xmit_hook = check_logs;
	/* application-limited bursts: a flight, then quiet, so the tail matters */
	for (int i = 0; i < 300 && off < sizeof(a2b); i++) {
		for (int k = 0; k < 10; k++) {
			if (k == 0) {
				uint32_t n = RTE_MIN(5000u, (uint32_t)sizeof(a2b) - off);

				off += ns_tcp_send(&A.s, c, a2b + off, n, now);
			}
			b_drop_next = (i % 10 == 3 && k == 0) ? 2 : 0; /* B's next ACKs die */
			run(now + 1 * MS);
		}
		run(now + 10 * MS);
	}
	run(now + 5000 * MS);
	CHECK_EQ(B.rx_len, sizeof(a2b));
	CHECK(memcmp(B.rx, a2b, sizeof(a2b)) == 0);
	CHECK_EQ(log_errors, 0);
	CHECK(A.s.ctr[NS_TCP_C_tlp_probes] > 0);
	CHECK(A.s.ctr[NS_TCP_C_rto_expired] < A.s.ctr[NS_TCP_C_tlp_probes]);
	if (ns_test_failed_checks)
		print_counters("ack loss");
}

/* Echo-like: both ways at once with 2 % loss.  Data segments carry the SACK
 * blocks of the other direction and shrink to fit the MSS (the harness
 * checks every segment against it); the logs of both ends hold. */
static void
test_both_ways_two_percent(void)
{
	static uint8_t a2b[400000], b2a[400000];
	uint32_t oa = 0, ob = 0;
	struct ns_tcb *c;

	setup(NULL);
	c = open_pair();
	log_errors = 0;
	xmit_hook = check_logs;
	fill_pattern(a2b, sizeof(a2b), 13);
	fill_pattern(b2a, sizeof(b2a), 14);
	drop_rng = 14;
	drop_permille = 20;
	for (int i = 0; i < 600000 && (oa < sizeof(a2b) || ob < sizeof(b2a)); i++) {
		oa += ns_tcp_send(&A.s, c, a2b + oa, (uint32_t)sizeof(a2b) - oa, now);
		ob += ns_tcp_send(&B.s, B.conn, b2a + ob, (uint32_t)sizeof(b2a) - ob, now);
		run(now + 1 * MS);
	}
	drop_permille = 0;
	run(now + 20000 * MS);
	CHECK_EQ(B.rx_len, sizeof(a2b));
	CHECK(memcmp(B.rx, a2b, sizeof(a2b)) == 0);
	CHECK_EQ(A.rx_len, sizeof(b2a));
	CHECK(memcmp(A.rx, b2a, sizeof(b2a)) == 0);
	CHECK_EQ(log_errors, 0);
}

int
main(void)
{
	RUN(test_sack_ts_three_percent);
	RUN(test_sack_no_ts_three_percent);
	RUN(test_no_sack_three_percent);
	RUN(test_big_window_one_percent);
	RUN(test_ack_loss_probes);
	RUN(test_both_ways_two_percent);
	return TEST_SUMMARY();
}
