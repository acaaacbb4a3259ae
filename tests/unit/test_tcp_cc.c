/* SPDX-License-Identifier: BSD-3-Clause */
/* Congestion-window arithmetic of NewReno with appropriate byte counting (RFC 3465). */
#include "ns_test.h"
#include "tcp/tcp_stack.h"

static struct ns_tcb c;

static void
conn(uint32_t cwnd, uint32_t ssthresh)
{
	memset(&c, 0, sizeof(c));
	c.snd_mss = 1000;
	c.cwnd = cwnd;
	c.ssthresh = ssthresh;
	ns_tcp_cc_newreno.init(&c);
}

/* Slow start: the bytes acknowledged, at most 2 SMSS per ACK (2.2). */
static void
test_slow_start_counts_bytes(void)
{
	conn(10000, UINT32_MAX);
	ns_tcp_cc_newreno.on_ack(&c, 1000, 10000, 0); /* one segment: +1 SMSS */
	CHECK_EQ(c.cwnd, 11000);
	ns_tcp_cc_newreno.on_ack(&c, 2000, 10000, 0); /* a delayed ACK of two: +2 SMSS */
	CHECK_EQ(c.cwnd, 13000);
	ns_tcp_cc_newreno.on_ack(&c, 8000, 13000, 0); /* a stretch ACK of eight: L = 2 SMSS */
	CHECK_EQ(c.cwnd, 15000);
	ns_tcp_cc_newreno.on_ack(&c, 300, 15000, 0); /* a part of a segment: that part */
	CHECK_EQ(c.cwnd, 15300);
}

/* After an RTO, L = 1 SMSS until slow start ends (2.3). */
static void
test_slow_start_after_rto(void)
{
	conn(20000, UINT32_MAX);
	c.ssthresh = ns_tcp_cc_newreno.ssthresh_on_rto(&c, 20000, 0);
	CHECK_EQ(c.ssthresh, 10000);
	c.cwnd = 1000;
	ns_tcp_cc_newreno.on_ack(&c, 3000, 1000, 0);
	CHECK_EQ(c.cwnd, 2000);
	for (int i = 0; i < 8; i++)
		ns_tcp_cc_newreno.on_ack(&c, 2000, c.cwnd, 0);
	CHECK_EQ(c.cwnd, 10000); /* slow start over: the RTO limit is gone */
	c.ssthresh = 30000;
	ns_tcp_cc_newreno.on_ack(&c, 4000, c.cwnd, 0);
	CHECK_EQ(c.cwnd, 12000);
}

/* Congestion avoidance: one SMSS per cwnd bytes acknowledged (2.1), however
 * the ACKs split them: per-ACK growth (SMSS * SMSS / cwnd each) gave half of
 * it against a receiver that acknowledges every second segment. */
static void
test_congestion_avoidance_counts_bytes(void)
{
	conn(10000, 10000);
	for (int i = 0; i < 4; i++)
		ns_tcp_cc_newreno.on_ack(&c, 2000, 10000, 0);
	CHECK_EQ(c.cwnd, 10000); /* 8000 of 10000 bytes */
	ns_tcp_cc_newreno.on_ack(&c, 2000, 10000, 0);
	CHECK_EQ(c.cwnd, 11000);
	for (int i = 0; i < 11; i++) /* 11 000 more: once more, 0 carried over */
		ns_tcp_cc_newreno.on_ack(&c, 1000, 11000, 0);
	CHECK_EQ(c.cwnd, 12000);
	ns_tcp_cc_newreno.on_ack(&c, 12000, 12000, 0); /* one stretch ACK of a window */
	CHECK_EQ(c.cwnd, 13000);
	/* a loss forgets the bytes counted */
	ns_tcp_cc_newreno.on_ack(&c, 5000, 13000, 0);
	c.ssthresh = ns_tcp_cc_newreno.ssthresh_on_loss(&c, 13000, 0);
	c.cwnd = c.ssthresh;
	ns_tcp_cc_newreno.on_ack(&c, 6000, 6500, 0);
	CHECK_EQ(c.cwnd, 6500);
	ns_tcp_cc_newreno.on_ack(&c, 500, 6500, 0);
	CHECK_EQ(c.cwnd, 7500);
}

/* No growth while the window is not used (RFC 7661-style test). */
static void
test_no_growth_when_not_window_limited(void)
{
	conn(10000, UINT32_MAX);
	ns_tcp_cc_newreno.on_ack(&c, 2000, 4000, 0); /* slow start: less than half used */
	CHECK_EQ(c.cwnd, 10000);
	conn(10000, 10000);
	ns_tcp_cc_newreno.on_ack(&c, 20000, 8000, 0); /* avoidance: more than one SMSS unused */
	CHECK_EQ(c.cwnd, 10000);
}

int
main(void)
{
	RUN(test_slow_start_counts_bytes);
	RUN(test_slow_start_after_rto);
	RUN(test_congestion_avoidance_counts_bytes);
	RUN(test_no_growth_when_not_window_limited);
	return TEST_SUMMARY();
}
