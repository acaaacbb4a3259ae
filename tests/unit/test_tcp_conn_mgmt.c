/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection management on a virtual clock: SYN backlog and SYN cookies,
 * SYN-ACK retries, keepalive, ACK throttling (per connection and RFC 5961 7).
 */
#include "tcp_harness.h"

static void
cookies_always(struct ns_tcp_cfg *cfg)
{
	cfg->syn_backlog = 0; /* every SYN is answered with a cookie */
}

/* A peer port B has no connection with (for craft()). */
static void
stranger(struct ns_tcb *fake)
{
	memset(fake, 0, sizeof(*fake));
	fake->t.lport = RTE_BE16(40000);
	fake->t.rport = RTE_BE16(7);
}

/* A connection made from a cookie negotiates what the cookie carries and moves data. */
static void
test_cookie_handshake_and_transfer(void)
{
	static uint8_t a2b[200000], b2a[100000];
	struct ns_tcb *c;

	setup(cookies_always);
	c = open_pair();
	CHECK_EQ(B.s.ctr[NS_TCP_C_syncookies_sent], 1);
	CHECK_EQ(B.s.ctr[NS_TCP_C_syncookies_ok], 1);
	CHECK_EQ(B.s.n_free, 15); /* a TCB exists only since the ACK */
	CHECK(B.conn->flags & NS_TCBF_TS);
	CHECK(B.conn->flags & NS_TCBF_SACK);
	CHECK(B.conn->flags & NS_TCBF_WS);
	CHECK_EQ(B.conn->snd_wscale, 7); /* A's scale, carried in the TSval bits */
	CHECK_EQ(B.conn->snd_mss, 1448); /* 1460 from the cookie's table, less TS */
	CHECK_EQ(c->snd_mss, 1448);
	CHECK_EQ(B.s.listener[0].n_syn_rcvd, 0);
	fill_pattern(a2b, sizeof(a2b), 5);
	fill_pattern(b2a, sizeof(b2a), 6);
	transfer(&A, c, a2b, sizeof(a2b), now + 60000 * MS);
	transfer(&B, B.conn, b2a, sizeof(b2a), now + 60000 * MS);
	CHECK_EQ(B.rx_len, sizeof(a2b));
	CHECK(memcmp(B.rx, a2b, sizeof(a2b)) == 0);
	CHECK_EQ(A.rx_len, sizeof(b2a));
	CHECK(memcmp(A.rx, b2a, sizeof(b2a)) == 0);
	/* B's TSvals never went back after the cookie SYN-ACK: A dropped nothing by PAWS. */
	CHECK_EQ(A.s.ctr[NS_TCP_C_not_acceptable], 0);
	CHECK_EQ(A.s.ctr[NS_TCP_C_retransmits] + B.s.ctr[NS_TCP_C_retransmits], 0);
}

static void
cookies_no_options(struct ns_tcp_cfg *cfg)
{
	cfg->syn_backlog = 0;
	cfg->ts = false;
	cfg->mss = 1400;
}

/* Without timestamps the cookie keeps only the MSS (rounded down to its table). */
static void
test_cookie_without_timestamps(void)
{
	setup(cookies_no_options);
	open_pair();
	CHECK_EQ(B.s.ctr[NS_TCP_C_syncookies_ok], 1);
	CHECK(!(B.conn->flags & (NS_TCBF_TS | NS_TCBF_WS | NS_TCBF_SACK)));
	CHECK_EQ(B.conn->snd_mss, 1400);
	CHECK_EQ(B.conn->snd_wscale, 0);
}

/* Cookies are bound to the 4-tuple and the peer's ISN and expire after 64-128 s. */
static void
test_cookie_validation(void)
{
	struct ns_tcp_tuple t = {A_IP, B_IP, RTE_BE16(7), RTE_BE16(40000)};
	struct ns_tcp_tuple t2 = t;
	uint16_t mss = 0;
	uint32_t ck;
	int good = 0;

	setup(NULL);
	B.s.now = 1000 * MS;
	ck = ns_tcp_cookie_make(&B.s, &t, 12345, 1460);
	CHECK(ns_tcp_cookie_check(&B.s, &t, 12345, ck, &mss));
	CHECK_EQ(mss, 1460);
	CHECK(!ns_tcp_cookie_check(&B.s, &t, 12346, ck, &mss));
	t2.rport = RTE_BE16(40001);
	CHECK(!ns_tcp_cookie_check(&B.s, &t2, 12345, ck, &mss));
	for (uint32_t bit = 0; bit < 32; bit++)
		good += ns_tcp_cookie_check(&B.s, &t, 12345, ck ^ (1u << bit), &mss);
	CHECK_EQ(good, 0);
	B.s.now += 100000 * MS; /* next period: still valid */
	CHECK(ns_tcp_cookie_check(&B.s, &t, 12345, ck, &mss));
	B.s.now += 100000 * MS; /* two periods later: expired */
	CHECK(!ns_tcp_cookie_check(&B.s, &t, 12345, ck, &mss));
	/* A small MSS picks the largest table entry not above it. */
	ck = ns_tcp_cookie_make(&B.s, &t, 1, 1300);
	CHECK(ns_tcp_cookie_check(&B.s, &t, 1, ck, &mss));
	CHECK_EQ(mss, 1200);
}

/* A blind ACK to a listener (no cookie behind it) gets an RST, creates nothing. */
static void
test_forged_cookie_ack_refused(void)
{
	struct ns_tcb fake;
	uint8_t pkt[40];

	setup(NULL);
	CHECK(ns_tcp_listen(&B.s, B_IP, 7, &app_tag) >= 0);
	stranger(&fake);
	ns_tcp_input(&B.s, pkt, craft(pkt, &fake, 1000, 2000, RTE_TCP_ACK_FLAG, 0), now);
	CHECK_EQ(B.s.ctr[NS_TCP_C_syncookies_bad], 1);
	CHECK_EQ(B.s.ctr[NS_TCP_C_rst_out], 1);
	CHECK_EQ(B.s.n_free, 16);
	CHECK_EQ(B.accepted, 0);
}

static void
small_backlog_no_cookies(struct ns_tcp_cfg *cfg)
{
	cfg->syn_backlog = 1;
	cfg->syncookies = false;
}

/* Backlog full and cookies off: the second SYN is dropped; its retransmission succeeds. */
static void
test_backlog_full_drops_syn(void)
{
	struct ns_tcb *c1, *c2;

	setup(small_backlog_no_cookies);
	CHECK(ns_tcp_listen(&B.s, B_IP, 7, &app_tag) >= 0);
	c1 = ns_tcp_connect(&A.s, A_IP, B_IP, 7, 0, &app_tag, now);
	c2 = ns_tcp_connect(&A.s, A_IP, B_IP, 7, 0, &app_tag, now);
	CHECK(c1 != NULL && c2 != NULL);
	run(now + 50 * MS);
	CHECK_EQ(B.s.ctr[NS_TCP_C_backlog_full], 1);
	CHECK_EQ(B.accepted, 1);
	CHECK_EQ(B.s.listener[0].n_syn_rcvd, 0);
	run(now + 1500 * MS); /* c2's SYN retransmitted after 1 s */
	CHECK_EQ(B.accepted, 2);
	CHECK_EQ(A.connected, 2);
	CHECK(c2->state == NS_TCP_ESTABLISHED);
}

/* A half-open connection whose SYN-ACKs go unanswered is freed after synack_retries. */
static void
test_synack_retries_free_backlog(void)
{
	struct ns_tcb fake;
	uint8_t pkt[40];
	uint64_t t0;

	setup(NULL);
	CHECK(ns_tcp_listen(&B.s, B_IP, 7, &app_tag) >= 0);
	stranger(&fake);
	ns_tcp_input(&B.s, pkt, craft(pkt, &fake, 1000, 0, RTE_TCP_SYN_FLAG, 0), now);
	CHECK_EQ(B.s.listener[0].n_syn_rcvd, 1);
	t0 = now;
	while (B.s.ctr[NS_TCP_C_synack_timed_out] == 0 && now < t0 + 100000 * MS) {
		q_head = q_tail; /* nobody answers */
		now += 1 * MS;
		ns_tcp_timers(&B.s, now);
	}
	/* SYN-ACK retransmitted after 1, 2, 4, 8, 16 s; freed 32 s after the fifth */
	CHECK_EQ(B.s.ctr[NS_TCP_C_retransmits], 5);
	CHECK_EQ((now - t0) / MS, 63000);
	CHECK_EQ(B.s.ctr[NS_TCP_C_synack_timed_out], 1);
	CHECK_EQ(B.s.listener[0].n_syn_rcvd, 0);
	CHECK_EQ(B.s.n_free, 16);
	CHECK_EQ(B.accepted, 0);
}

static void
keepalive_fast(struct ns_tcp_cfg *cfg)
{
	cfg->keepalive_idle_ms = 1000;
	cfg->keepalive_intvl_ms = 500;
	cfg->keepalive_cnt = 3;
}

/* Idle connections probe each other and stay up; a silent peer is reset on time. */
static void
test_keepalive(void)
{
	struct ns_tcb *c;
	uint64_t t_silent;

	setup(keepalive_fast);
	c = open_pair();
	run(now + 5500 * MS);
	CHECK(A.s.ctr[NS_TCP_C_keepalive_probes] >= 4);
	CHECK_EQ(A.s.ctr[NS_TCP_C_keepalive_drops], 0);
	CHECK_EQ(c->state, NS_TCP_ESTABLISHED);
	CHECK_EQ(A.reset, 0);
	/* B goes silent: A resets after its idle time plus three unanswered probes. */
	b_drop_next = 1000000;
	t_silent = c->last_rx_ns;
	while (A.reset == 0 && now < t_silent + 10000 * MS)
		run(now + 1 * MS);
	CHECK_EQ(A.reset, 1);
	CHECK_EQ(A.s.ctr[NS_TCP_C_keepalive_drops], 1);
	/* idle 1000 ms, probes at +1000, +1500, +2000, reset at +2500 (1 ms tick slack) */
	CHECK(now - t_silent >= 2500 * MS && now - t_silent <= 2502 * MS);
}

/* Out-of-window pure ACKs and blind RSTs get one ACK per 500 ms per connection. */
static void
test_oow_ack_throttled(void)
{
	struct ns_tcb *c;
	uint8_t pkt[60];
	uint64_t out0;

	setup(NULL);
	c = open_pair();
	out0 = B.s.ctr[NS_TCP_C_segs_out];
	for (int i = 0; i < 10; i++) /* old sequence numbers: not acceptable */
		ns_tcp_input(&B.s, pkt,
				craft(pkt, c, B.conn->rcv_nxt - 1000, B.conn->snd_nxt,
						RTE_TCP_ACK_FLAG, 0),
				now);
	CHECK_EQ(B.s.ctr[NS_TCP_C_segs_out], out0 + 1);
	CHECK_EQ(B.s.ctr[NS_TCP_C_oow_acks_throttled], 9);
	for (int i = 0; i < 5; i++) /* blind in-window RSTs */
		ns_tcp_input(&B.s, pkt, craft(pkt, c, B.conn->rcv_nxt + 10, 0, RTE_TCP_RST_FLAG, 0),
				now);
	CHECK_EQ(B.s.ctr[NS_TCP_C_challenge_acks], 0);
	CHECK_EQ(B.s.ctr[NS_TCP_C_segs_out], out0 + 1);
	now += 501 * MS;
	ns_tcp_input(&B.s, pkt, craft(pkt, c, B.conn->rcv_nxt + 10, 0, RTE_TCP_RST_FLAG, 0), now);
	CHECK_EQ(B.s.ctr[NS_TCP_C_challenge_acks], 1);
	CHECK_EQ(B.s.ctr[NS_TCP_C_segs_out], out0 + 2);
	/* Data out of window is always answered: it cannot be part of an ACK loop. */
	ns_tcp_input(&B.s, pkt,
			craft(pkt, c, B.conn->rcv_nxt - 100, B.conn->snd_nxt, RTE_TCP_ACK_FLAG, 20),
			now);
	CHECK_EQ(B.s.ctr[NS_TCP_C_segs_out], out0 + 3);
	CHECK_EQ(B.conn->state, NS_TCP_ESTABLISHED);
}

static void
chack_limit_two(struct ns_tcp_cfg *cfg)
{
	cfg->challenge_ack_limit = 2;
	cfg->max_conns = 16;
}

/* The stack-wide challenge ACK budget (RFC 5961 7) spans connections. */
static void
test_challenge_ack_global_limit(void)
{
	struct ns_tcb *c[4];
	uint8_t pkt[40];

	setup(chack_limit_two);
	CHECK(ns_tcp_listen(&B.s, B_IP, 7, &app_tag) >= 0);
	for (int i = 0; i < 4; i++)
		c[i] = ns_tcp_connect(&A.s, A_IP, B_IP, 7, 0, &app_tag, now);
	run(now + 50 * MS);
	CHECK_EQ(B.accepted, 4);
	now = (now / (1000 * MS) + 1) * 1000 * MS; /* start of a second */
	for (int i = 0; i < 4; i++) {
		struct ns_tcp_tuple t = {
				c[i]->t.raddr, c[i]->t.laddr, c[i]->t.rport, c[i]->t.lport};
		struct ns_tcb *b = ns_tcp_lookup(&B.s, &t);

		CHECK(b != NULL);
		if (b != NULL)
			ns_tcp_input(&B.s, pkt,
					craft(pkt, c[i], b->rcv_nxt + 10, 0, RTE_TCP_RST_FLAG, 0),
					now);
	}
	CHECK_EQ(B.s.ctr[NS_TCP_C_challenge_acks], 2);
	CHECK_EQ(B.s.ctr[NS_TCP_C_challenge_acks_throttled], 2);
}

/* Passive closes remembered for the peer's late duplicate ACK: several that
 * share a set of the table are all kept (many connections close at once when
 * a loaded host fires their probes together); one more gives up the entry
 * that expires first, and is counted. */
static void
test_closed_set_holds_several(void)
{
	static struct ns_tcp_stack s; /* only the closed table, the clock and the counters */
	struct ns_tcb c[NS_TCP_CLOSED_WAYS + 1];
	const uint8_t ack = RTE_TCP_ACK_FLAG;
	uint32_t n = 0, set = 0;

	memset(c, 0, sizeof(c));
	for (uint16_t port = 1024; n < NS_TCP_CLOSED_WAYS + 1 && port < 65000; port++) {
		struct ns_tcp_tuple t = {.laddr = B_IP,
				.raddr = A_IP,
				.lport = RTE_BE16(7),
				.rport = rte_cpu_to_be_16(port)};
		uint32_t h = ns_tcp_tuple_hash(&t, NS_TCP_CLOSED_SETS - 1);

		if (n == 0)
			set = h;
		if (h != set)
			continue;
		c[n].t = t;
		c[n].rcv_nxt = 1000 + n;
		c[n].snd_max = 5000 + n;
		c[n].rto_us = 200000;
		n++;
	}
	CHECK_EQ(n, NS_TCP_CLOSED_WAYS + 1);
	s.now = 10 * MS;
	for (uint32_t i = 0; i < NS_TCP_CLOSED_WAYS; i++) {
		ns_tcp_closed_note(&s, &c[i]);
		s.now += MS; /* each expires after the one before */
	}
	CHECK_EQ(s.ctr[NS_TCP_C_closed_evicted], 0);
	for (uint32_t i = 0; i < NS_TCP_CLOSED_WAYS; i++)
		CHECK(ns_tcp_closed_absorb(&s, &c[i].t, 1000 + i, 5000 + i, ack, 0));
	/* Only that exact pure ACK. */
	CHECK(!ns_tcp_closed_absorb(&s, &c[0].t, 1001, 5000, ack, 0));
	CHECK(!ns_tcp_closed_absorb(&s, &c[0].t, 1000, 5000, ack | RTE_TCP_FIN_FLAG, 0));
	CHECK(!ns_tcp_closed_absorb(&s, &c[0].t, 1000, 5000, ack, 1));
	CHECK_EQ(s.ctr[NS_TCP_C_late_dup_acks], NS_TCP_CLOSED_WAYS);
	/* A full set: the oldest close (the first to expire) gives way. */
	ns_tcp_closed_note(&s, &c[NS_TCP_CLOSED_WAYS]);
	CHECK_EQ(s.ctr[NS_TCP_C_closed_evicted], 1);
	CHECK(!ns_tcp_closed_absorb(&s, &c[0].t, 1000, 5000, ack, 0));
	CHECK(ns_tcp_closed_absorb(&s, &c[1].t, 1001, 5001, ack, 0));
	CHECK(ns_tcp_closed_absorb(&s, &c[NS_TCP_CLOSED_WAYS].t, 1000 + NS_TCP_CLOSED_WAYS,
			5000 + NS_TCP_CLOSED_WAYS, ack, 0));
	/* The same tuple closing again takes its own entry back: no eviction. */
	ns_tcp_closed_note(&s, &c[1]);
	CHECK_EQ(s.ctr[NS_TCP_C_closed_evicted], 1);
	/* After the linger (1 s at least) the duplicate draws the RST again, and
	 * an expired entry is free for the next close. */
	s.now += 2000 * MS;
	CHECK(!ns_tcp_closed_absorb(&s, &c[2].t, 1002, 5002, ack, 0));
	ns_tcp_closed_note(&s, &c[0]);
	CHECK_EQ(s.ctr[NS_TCP_C_closed_evicted], 1);
	CHECK(ns_tcp_closed_absorb(&s, &c[0].t, 1000, 5000, ack, 0));
}

int
main(void)
{
	RUN(test_cookie_handshake_and_transfer);
	RUN(test_cookie_without_timestamps);
	RUN(test_cookie_validation);
	RUN(test_forged_cookie_ack_refused);
	RUN(test_backlog_full_drops_syn);
	RUN(test_synack_retries_free_backlog);
	RUN(test_keepalive);
	RUN(test_oow_ack_throttled);
	RUN(test_challenge_ack_global_limit);
	RUN(test_closed_set_holds_several);
	ns_tcp_fini(&A.s);
	ns_tcp_fini(&B.s);
	return TEST_SUMMARY();
}
