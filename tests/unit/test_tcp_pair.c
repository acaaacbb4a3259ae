/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two TCP cores connected by an in-memory link on a virtual clock:
 * handshake, bulk transfer both ways (byte-exact), close variants, RST,
 * loss and retransmission, and the observer's change groups.
 */
#include "tcp_harness.h"

static void
test_handshake_negotiates_options(void)
{
	struct ns_tcb *c;
	int high_isn = 0;

	for (key_seed = 1; key_seed <= 8; key_seed++) {
		setup(NULL);
		c = open_pair();
		high_isn += c->irs >= 0x80000000u;
		/* 64 KB less the 16 units of 2^7 kept aside for rounding (both the
		 * SYN-ACK's unscaled 63488 and A's 496 << 7) */
		CHECK_EQ(c->rcv_adv - c->rcv_nxt, 63488);
		CHECK_EQ(B.conn->rcv_adv - B.conn->rcv_nxt, 63488);
	}
	CHECK(high_isn > 0 && high_isn < 8); /* both halves of the sequence space seen */
	key_seed = 0;
	setup(NULL);
	c = open_pair();
	CHECK(c->flags & NS_TCBF_TS);
	CHECK(c->flags & NS_TCBF_SACK);
	CHECK(c->flags & NS_TCBF_WS);
	CHECK_EQ(c->snd_wscale, 7);
	CHECK_EQ(c->snd_mss, 1448);	  /* 1460 less the timestamp option */
	CHECK_EQ(B.conn->snd_wnd, 63488); /* 496 << 7 */
	/* The advertised right edge tracks what we announced, on both sides. */
	CHECK_EQ(c->rcv_adv - c->rcv_nxt, 63488);
	CHECK_EQ(B.conn->rcv_adv - B.conn->rcv_nxt, 63488);
	CHECK(c->srtt_us > 0); /* RTT measured on the handshake */
	CHECK_EQ(A.observed_new, 1);
	CHECK_EQ(B.observed_new, 1);
	CHECK(A.observed_groups & NS_TCBG_STATE);
}

static void
test_handshake_without_options(void)
{
	struct ns_tcb *c;

	setup(no_options);
	c = open_pair();
	CHECK(!(c->flags & (NS_TCBF_TS | NS_TCBF_SACK | NS_TCBF_WS)));
	CHECK_EQ(c->snd_wscale, 0);
	CHECK_EQ(c->snd_mss, 536);
}

static void
test_bulk_both_ways(void)
{
	static uint8_t a2b[300000], b2a[200000];
	struct ns_tcb *c;

	setup(NULL);
	c = open_pair();
	fill_pattern(a2b, sizeof(a2b), 1);
	fill_pattern(b2a, sizeof(b2a), 2);
	transfer(&A, c, a2b, sizeof(a2b), now + 60000 * MS);
	transfer(&B, B.conn, b2a, sizeof(b2a), now + 60000 * MS);
	CHECK_EQ(B.rx_len, sizeof(a2b));
	CHECK(memcmp(B.rx, a2b, sizeof(a2b)) == 0);
	CHECK_EQ(A.rx_len, sizeof(b2a));
	CHECK(memcmp(A.rx, b2a, sizeof(b2a)) == 0);
	CHECK_EQ(A.s.ctr[NS_TCP_C_retransmits], 0);
	CHECK(c->snd_una == c->snd_max);
	CHECK(c->cwnd > 10u * c->snd_mss); /* grew past the initial window */
}

static void
test_bulk_with_loss_recovers(void)
{
	static uint8_t a2b[500000];
	struct ns_tcb *c;

	setup(NULL);
	c = open_pair();
	fill_pattern(a2b, sizeof(a2b), 3);
	drop_every = 37;
	transfer(&A, c, a2b, sizeof(a2b), now + 120000 * MS);
	drop_every = 0;
	run(now + 10000 * MS);
	CHECK(dropped > 0);
	CHECK_EQ(B.rx_len, sizeof(a2b));
	CHECK(memcmp(B.rx, a2b, sizeof(a2b)) == 0);
	CHECK(A.s.ctr[NS_TCP_C_retransmits] >= dropped);
	CHECK(A.s.ctr[NS_TCP_C_dup_acks] > 0);
	/* SACK recovery repaired the holes; timeouts stayed rare */
	CHECK(A.s.ctr[NS_TCP_C_sack_recoveries] > 0);
	CHECK(A.s.ctr[NS_TCP_C_sack_rexmits] > 0);
	CHECK(A.s.ctr[NS_TCP_C_rto_expired] * 4 < A.s.ctr[NS_TCP_C_sack_recoveries]);
	if (ns_test_failed_checks)
		printf("    dropped %u retransmits %lu rto %lu sack_recoveries %lu sack_rexmits "
		       "%lu\n",
				dropped, (unsigned long)A.s.ctr[NS_TCP_C_retransmits],
				(unsigned long)A.s.ctr[NS_TCP_C_rto_expired],
				(unsigned long)A.s.ctr[NS_TCP_C_sack_recoveries],
				(unsigned long)A.s.ctr[NS_TCP_C_sack_rexmits]);
	CHECK(B.s.ctr[NS_TCP_C_ooo_queued] > 0); /* kept for reassembly, */
	CHECK(B.s.ctr[NS_TCP_C_ooo_filled] > 0); /* and joined when the hole was filled */
}

static void
no_sack(struct ns_tcp_cfg *cfg)
{
	cfg->sack = false;
}

/* The same loss without SACK: NewReno (RFC 6582) repairs it. */
static void
test_bulk_with_loss_newreno(void)
{
	static uint8_t a2b[300000];
	struct ns_tcb *c;

	setup(no_sack);
	c = open_pair();
	CHECK(!(c->flags & NS_TCBF_SACK));
	fill_pattern(a2b, sizeof(a2b), 4);
	drop_every = 29;
	transfer(&A, c, a2b, sizeof(a2b), now + 120000 * MS);
	drop_every = 0;
	run(now + 10000 * MS);
	CHECK(dropped > 0);
	CHECK_EQ(B.rx_len, sizeof(a2b));
	CHECK(memcmp(B.rx, a2b, sizeof(a2b)) == 0);
	CHECK_EQ(A.s.ctr[NS_TCP_C_sack_recoveries], 0);
	CHECK(A.s.ctr[NS_TCP_C_retransmits] >= dropped);
}

static void
test_active_close_time_wait(void)
{
	struct ns_tcb *c;

	setup(NULL);
	c = open_pair();
	ns_tcp_close(&A.s, c, now);
	run(now + 100 * MS);
	CHECK_EQ(B.conn->state, NS_TCP_CLOSE_WAIT);
	CHECK_EQ(c->state, NS_TCP_FIN_WAIT_2);
	ns_tcp_close(&B.s, B.conn, now);
	run(now + 100 * MS);
	CHECK_EQ(B.closed, 1); /* LAST-ACK -> CLOSED */
	CHECK_EQ(c->state, NS_TCP_TIME_WAIT);
	run(now + 59000 * MS);
	CHECK_EQ(A.closed, 0);
	run(now + 2000 * MS); /* 2 MSL = 60 s */
	CHECK_EQ(A.closed, 1);
	CHECK_EQ(A.s.n_free, 16);
	CHECK_EQ(B.s.n_free, 16);
	CHECK_EQ(A.observed_free, 1);
}

static void
test_simultaneous_close(void)
{
	struct ns_tcb *c;

	setup(NULL);
	c = open_pair();
	ns_tcp_close(&A.s, c, now);
	ns_tcp_close(&B.s, B.conn, now); /* both FINs cross on the link */
	run(now + 100 * MS);
	CHECK_EQ(c->state, NS_TCP_TIME_WAIT);
	CHECK_EQ(B.conn->state, NS_TCP_TIME_WAIT);
	run(now + 61000 * MS);
	CHECK_EQ(A.closed + B.closed, 2);
}

static void
test_abort_resets_peer(void)
{
	struct ns_tcb *c;

	setup(NULL);
	c = open_pair();
	ns_tcp_abort(&A.s, c, now);
	run(now + 10 * MS);
	CHECK_EQ(B.reset, 1);
	CHECK_EQ(B.closed, 1);
	CHECK_EQ(B.s.ctr[NS_TCP_C_conn_reset_rx], 1);
	CHECK_EQ(B.s.n_free, 16);
}

static void
test_syn_to_closed_port_gets_rst(void)
{
	struct ns_tcb *c;

	setup(NULL);
	c = ns_tcp_connect(&A.s, A_IP, B_IP, 9, 0, &app_tag, now); /* B listens on nothing */
	A.conn = c;
	run(now + 10 * MS);
	CHECK_EQ(B.s.ctr[NS_TCP_C_no_conn], 1);
	CHECK_EQ(B.s.ctr[NS_TCP_C_rst_out], 1);
	CHECK_EQ(A.reset, 1);
	CHECK_EQ(A.s.n_free, 16);
}

static void
test_syn_retransmit_backoff_then_timeout(void)
{
	struct ns_tcb *c;

	setup(NULL);
	drop_every = 0;
	c = ns_tcp_connect(&A.s, A_IP, B_IP, 7, 0, &app_tag, now);
	A.conn = c;
	/* Nobody delivers: drain the link without delivering. */
	for (int i = 0; i < 4; i++) {
		uint64_t t0 = now;
		uint64_t before = A.s.ctr[NS_TCP_C_rto_expired];

		while (A.s.ctr[NS_TCP_C_rto_expired] == before && now < t0 + 100000 * MS) {
			q_head = q_tail;
			now += 1 * MS;
			ns_tcp_timers(&A.s, now);
		}
		/* 1 s, 2 s, 4 s, 8 s (RFC 6298 5.5) */
		CHECK_EQ((now - t0) / MS, 1000ull << i);
	}
	CHECK_EQ(A.s.ctr[NS_TCP_C_retransmits], 4);
}

/* Receiver stops reading: zero window; its window update is lost; the
 * sender's persist probe finds the open window and the transfer completes. */
static void
test_zero_window_lost_update_persist(void)
{
	static uint8_t a2b[200000];
	struct ns_tcb *c;
	uint32_t off = 0, n;

	setup(NULL);
	c = open_pair();
	fill_pattern(a2b, sizeof(a2b), 5);
	b_app_paused = 1;
	for (int i = 0; i < 200 && off < sizeof(a2b); i++) {
		off += ns_tcp_send(&A.s, c, a2b + off, (uint32_t)sizeof(a2b) - off, now);
		run(now + 5 * MS);
	}
	CHECK_EQ(c->snd_wnd, 0);
	/* full, but for the 2048 bytes kept out of the offer and the scale unit */
	CHECK(ns_fifo_len(&B.conn->rcvq) > 65536 - 2048 - 128);
	/* B reads everything; the window update it sends is lost. */
	b_app_paused = 0;
	b_drop_next = 1;
	do {
		n = ns_tcp_recv(&B.s, B.conn, B.rx + B.rx_len, (uint32_t)sizeof(B.rx) - B.rx_len,
				now);
		B.rx_len += n;
	} while (n > 0);
	CHECK_EQ(dropped, 1);
	transfer(&A, c, a2b + off, (uint32_t)sizeof(a2b) - off, now + 30000 * MS);
	CHECK_EQ(B.rx_len, sizeof(a2b));
	CHECK(memcmp(B.rx, a2b, sizeof(a2b)) == 0);
	CHECK(A.s.ctr[NS_TCP_C_rto_expired] >= 1); /* the probe came from the timer */
}

/* The right edge B advertises (ACK + window << 7), per segment. */
static uint32_t edge_max, edge_retreats, edge_past_buffer;
static uint64_t edge_capped_seen;

static void
watch_b_edge(struct end *e, const uint8_t *ip, uint16_t len)
{
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ip + 20);
	const struct ns_tcb *r = B.conn;
	uint32_t edge;

	(void)len;
	if (e != &B || r == NULL || (th->tcp_flags & RTE_TCP_SYN_FLAG))
		return;
	edge = rte_be_to_cpu_32(th->recv_ack) + ((uint32_t)rte_be_to_cpu_16(th->rx_win) << 7);
	if (ns_seq_gt(edge, r->rcvq.head + r->rcvq.size))
		edge_past_buffer++;
	if (edge_max != 0 && ns_seq_lt(edge, edge_max) &&
			B.s.ctr[NS_TCP_C_rcv_wnd_capped] == edge_capped_seen)
		edge_retreats++; /* moved left without the buffer forcing it */
	edge_capped_seen = B.s.ctr[NS_TCP_C_rcv_wnd_capped];
	if (edge_max == 0 || ns_seq_gt(edge, edge_max))
		edge_max = edge;
}

/* The scaled window is rounded so that the right edge never moves left
 * (RFC 7323 2.4) and never lies past the buffer: a reader that keeps up,
 * and one that stops reading until the window closes, see neither. */
static void
test_rcv_edge_rounding(void)
{
	static uint8_t a2b[300000];
	struct ns_tcb *c;
	uint32_t off = 0;

	for (int paused = 0; paused <= 1; paused++) {
		setup(NULL);
		c = open_pair();
		fill_pattern(a2b, sizeof(a2b), 11);
		edge_max = edge_retreats = edge_past_buffer = 0;
		edge_capped_seen = 0;
		xmit_hook = watch_b_edge;
		b_app_paused = paused;
		off = 0;
		for (int i = 0; i < 400 && off < sizeof(a2b); i++) {
			/* odd sizes: rcv_nxt lands anywhere in the 128-byte scale unit */
			uint32_t n = RTE_MIN((uint32_t)sizeof(a2b) - off, 1000u + 37u * (i % 13));

			off += ns_tcp_send(&A.s, c, a2b + off, n, now);
			run(now + 1 * MS);
		}
		run(now + 500 * MS);
		CHECK_EQ(edge_retreats, 0);
		CHECK_EQ(edge_past_buffer, 0);
		if (paused) {
			uint32_t n;

			/* full, but for the bytes kept out of the offer */
			CHECK(ns_fifo_len(&B.conn->rcvq) > B.conn->rcvq.size - 2048 - 128);
			CHECK_EQ(c->snd_wnd, 0);
			/* Reading again: the rest arrives. */
			b_app_paused = 0;
			do {
				n = ns_tcp_recv(&B.s, B.conn, B.rx + B.rx_len,
						(uint32_t)sizeof(B.rx) - B.rx_len, now);
				B.rx_len += n;
			} while (n > 0);
			transfer(&A, c, a2b + off, (uint32_t)sizeof(a2b) - off, now + 30000 * MS);
		}
		CHECK_EQ(B.s.ctr[NS_TCP_C_rcv_wnd_capped], 0);
		/* Nothing past the window but A's one-byte probes of the closed
		 * window, each refused (its ACK taken: zero_window_still_takes_acks). */
		CHECK(A.s.ctr[NS_TCP_C_rto_expired] <= (uint64_t)paused * 4);
		CHECK_EQ(B.s.ctr[NS_TCP_C_rcvbuf_full], A.s.ctr[NS_TCP_C_rto_expired]);
		CHECK_EQ(B.rx_len, sizeof(a2b));
		CHECK(memcmp(B.rx, a2b, sizeof(a2b)) == 0);
	}
}

/* Data beyond the advertised window is not accepted; an ACK says where we are. */
static void
test_out_of_window_data_refused(void)
{
	struct ns_tcb *c;
	uint8_t pkt[60];
	uint64_t segs_before;
	uint16_t len;

	setup(NULL);
	c = open_pair();
	/* 20 bytes of data past the 64 KiB window */
	len = craft(pkt, c, B.conn->rcv_nxt + 70000, B.conn->snd_nxt, RTE_TCP_ACK_FLAG, 20);
	segs_before = B.s.ctr[NS_TCP_C_segs_out];
	ns_tcp_input(&B.s, pkt, len, now);
	CHECK_EQ(B.s.ctr[NS_TCP_C_not_acceptable], 1);
	CHECK_EQ(B.s.ctr[NS_TCP_C_segs_out], segs_before + 1);
	CHECK_EQ(B.rx_len, 0);
}

/* Options of the last segment B sent (still on the link, not delivered). */
static int
last_opts_from_b(struct ns_tcp_opts *o)
{
	for (unsigned int k = q_tail; k != q_head; k--) {
		unsigned int i = (k - 1) % 8192;
		const struct rte_tcp_hdr *th = (const void *)(link_q[i].buf + 20);

		if (q_to[i] == 0)
			return ns_tcp_opts_parse((const uint8_t *)(th + 1),
					(unsigned int)((th->data_off >> 4) * 4 - 20), o);
	}
	return -1;
}

/* Segments 2, 4 and 3 arrive before 1: kept in place, SACKed most recent
 * first, joined into rcv_nxt when 1 fills the hole; bytes exact. */
static void
test_reassembly_and_sack_blocks(void)
{
	struct ns_tcb *c;
	uint8_t pkt[1500];
	uint8_t data[4000];
	uint32_t base;
	const struct ns_tcb *r;
	struct ns_sack_block blk[4];

	setup(NULL);
	c = open_pair();
	r = B.conn;
	fill_pattern(data, sizeof(data), 9);
	base = r->rcv_nxt;
	/* craft() sends zeros: write the payload after the 40-byte header */
#define SEG(off, n)                                                                          \
	do {                                                                                 \
		craft(pkt, c, base + (off), r->snd_nxt, RTE_TCP_ACK_FLAG, (n));              \
		memcpy(pkt + 40, data + (off), (n));                                         \
		((struct rte_tcp_hdr *)(pkt + 20))->cksum = 0;                               \
		((struct rte_tcp_hdr *)(pkt + 20))->cksum =                                  \
				rte_ipv4_udptcp_cksum((struct rte_ipv4_hdr *)pkt, pkt + 20); \
		ns_tcp_input(&B.s, pkt, 40 + (n), now);                                      \
	} while (0)
	SEG(1000, 1000);
	SEG(3000, 1000);
	CHECK_EQ(r->rq.n, 2);
	CHECK_EQ(r->rq.r[0].left, base + 1000); /* held in sequence order */
	CHECK_EQ(r->rq.r[1].left, base + 3000);
	CHECK_EQ(ns_tcp_reass_blocks(r, blk, 4), 2);
	CHECK_EQ(blk[0].left, base + 3000); /* reported most recent first */
	CHECK_EQ(blk[1].left, base + 1000);
	{
		struct ns_tcp_opts o;

		CHECK_EQ(last_opts_from_b(&o), 0);
		CHECK(o.present & NS_TCPO_SACK);
		CHECK_EQ(o.n_sack, 2);
		CHECK_EQ(o.sack[0].left, base + 3000);
		CHECK_EQ(o.sack[0].right, base + 4000);
		CHECK_EQ(o.sack[1].left, base + 1000);
	}
	SEG(2000, 1000); /* joins both ranges */
	CHECK_EQ(r->rq.n, 1);
	CHECK_EQ(ns_tcp_reass_blocks(r, blk, 4), 1);
	CHECK_EQ(blk[0].left, base + 1000);
	CHECK_EQ(blk[0].right, base + 4000);
	CHECK_EQ(r->rcv_nxt, base);
	CHECK_EQ(B.rx_len, 0);
	SEG(0, 1000); /* fills the hole: everything is delivered */
	CHECK_EQ(r->rq.n, 0);
	CHECK_EQ(ns_tcp_reass_blocks(r, blk, 4), 0);
	CHECK_EQ(r->rcv_nxt, base + 4000);
	CHECK_EQ(B.rx_len, 4000);
	CHECK(memcmp(B.rx, data, 4000) == 0);
#undef SEG
}

/* Inject data [off, off + n) of 'data' from A's connection into B. */
static void
inject_to_b(const struct ns_tcb *c, uint32_t base, const uint8_t *data, uint32_t off, uint32_t n)
{
	static uint8_t pkt[2048];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(pkt + 20);

	craft(pkt, c, base + off, B.conn->snd_nxt, RTE_TCP_ACK_FLAG, (uint16_t)n);
	th->rx_win = RTE_BE16(4096);
	memcpy(pkt + 40, data + off, n);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum((struct rte_ipv4_hdr *)pkt, th);
	ns_tcp_input(&B.s, pkt, (uint16_t)(40 + n), now);
}

/* Reassembly bounded by the buffer: 60 000 bytes in random pieces (1 to
 * 1460 bytes), sent in a random order with duplicates and overlaps, all
 * held (more than 20 holes at a time) and delivered exact. */
static void
test_reassembly_random_order(void)
{
	static uint8_t data[60000];
	uint32_t cut[200], n = 0, order[200], rng = 12345, base, most = 0;
	struct ns_tcb *c;

	setup(NULL);
	c = open_pair();
	fill_pattern(data, sizeof(data), 21);
	base = B.conn->rcv_nxt;
	for (uint32_t off = 0; off < sizeof(data); n++) {
		rng = rng * 1103515245u + 12345u;
		cut[n] = off;
		off += RTE_MIN(1u + (rng >> 8) % 1460u, (uint32_t)sizeof(data) - off);
	}
	cut[n] = sizeof(data);
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	for (uint32_t i = n - 1; i > 0; i--) { /* shuffle, the first piece last */
		uint32_t j, t;

		rng = rng * 1103515245u + 12345u;
		j = 1 + (rng >> 8) % i;
		t = order[i], order[i] = order[j], order[j] = t;
	}
	for (uint32_t i = 1; i < n; i++) {
		uint32_t k = order[i], off = cut[k], len = cut[k + 1] - cut[k];

		inject_to_b(c, base, data, off, len);
		if (i % 7 == 0) /* a duplicate */
			inject_to_b(c, base, data, off, len);
		if (i % 11 == 0 && k + 1 < n) /* an overlap with the next piece */
			inject_to_b(c, base, data, off + len / 2,
					RTE_MIN(len, (uint32_t)sizeof(data) - off - len / 2));
		most = RTE_MAX(most, B.conn->rq.n);
	}
	CHECK(most > 20);
	CHECK_EQ(B.conn->rq.n, 1); /* all but the first piece */
	CHECK_EQ(B.rx_len, 0);
	inject_to_b(c, base, data, 0, cut[1]);
	CHECK_EQ(B.conn->rq.n, 0);
	CHECK_EQ(B.rx_len, sizeof(data));
	CHECK(memcmp(B.rx, data, sizeof(data)) == 0);
	CHECK_EQ(B.s.ctr[NS_TCP_C_ooo_dropped], 0);
}

/* A peer whose segments are so small that the ranges run out (one per 256
 * bytes of buffer): a segment that would open one more is dropped, and
 * counted; once it comes again in order, everything arrives. */
static void
test_reassembly_ranges_run_out(void)
{
	static uint8_t data[8000];
	uint32_t base;
	struct ns_tcb *c;

	setup(NULL);
	c = open_pair();
	fill_pattern(data, sizeof(data), 22);
	base = B.conn->rcv_nxt;
	for (uint32_t off = 2; off < sizeof(data); off += 2) /* 1 byte, 1 hole, ... */
		inject_to_b(c, base, data, off, 1);
	CHECK_EQ(B.conn->rq.n, B.conn->rq.cap);
	CHECK_EQ(B.s.ctr[NS_TCP_C_ooo_dropped], sizeof(data) / 2 - 1 - B.conn->rq.cap);
	for (uint32_t off = 0; off < sizeof(data); off += 1000)
		inject_to_b(c, base, data, off, 1000);
	CHECK_EQ(B.rx_len, sizeof(data));
	CHECK(memcmp(B.rx, data, sizeof(data)) == 0);
	CHECK_EQ(B.conn->rq.n, 0);
}

/* A blind in-window RST (not exactly rcv_nxt) is challenged, not obeyed (RFC 5961). */
static void
test_blind_rst_challenged(void)
{
	struct ns_tcb *c;
	uint8_t pkt[40];

	setup(NULL);
	c = open_pair();
	ns_tcp_input(&B.s, pkt, craft(pkt, c, B.conn->rcv_nxt + 100, 0, RTE_TCP_RST_FLAG, 0), now);
	CHECK_EQ(B.conn->state, NS_TCP_ESTABLISHED);
	CHECK_EQ(B.s.ctr[NS_TCP_C_challenge_acks], 1);
	ns_tcp_input(&B.s, pkt, craft(pkt, c, B.conn->rcv_nxt, 0, RTE_TCP_RST_FLAG, 0), now);
	CHECK_EQ(B.reset, 1);
}

/* An application-limited sender does not grow cwnd it does not use (RFC 7661):
 * before, every ACK grew it and a long transfer could wrap the 32-bit window. */
static void
test_cwnd_not_grown_when_app_limited(void)
{
	static uint8_t msg[100];
	struct ns_tcb *c;
	uint32_t iw;

	setup(NULL);
	c = open_pair();
	iw = c->cwnd;
	for (int i = 0; i < 300; i++) {
		CHECK_EQ(ns_tcp_send(&A.s, c, msg, sizeof(msg), now), sizeof(msg));
		run(now + 20 * MS);
	}
	CHECK_EQ(B.rx_len, 300 * sizeof(msg));
	CHECK_EQ(c->cwnd, iw);
	CHECK_EQ(A.s.ctr[NS_TCP_C_retransmits], 0);
}

/* Zero-copy both ways: the sender writes into its send queue in place, the
 * receiver reads the receive queue in place; bytes exact across ring wraps. */
static void
test_zero_copy_send_and_receive(void)
{
	static uint8_t data[300000];
	uint32_t off = 0, got = 0;
	struct ns_tcb *c;

	setup(NULL);
	c = open_pair();
	b_app_paused = 1; /* B's event handler does not read: we do, in place */
	fill_pattern(data, sizeof(data), 9);
	while ((off < sizeof(data) || got < sizeof(data)) && now < 120000 * MS) {
		uint8_t *w;
		const uint8_t *r;
		uint32_t n = ns_tcp_send_reserve(c, &w);

		if (n > sizeof(data) - off)
			n = sizeof(data) - off;
		if (n > 0) {
			memcpy(w, data + off, n);
			CHECK_EQ(ns_tcp_send_commit(&A.s, c, n, now), n);
			off += n;
		}
		run(now + 1 * MS);
		while (B.conn != NULL && (n = ns_tcp_recv_peek(B.conn, &r)) > 0) {
			memcpy(B.rx + got, r, n);
			CHECK_EQ(ns_tcp_recv_consume(&B.s, B.conn, n, now), n);
			got += n;
		}
	}
	CHECK_EQ(got, sizeof(data));
	CHECK(memcmp(B.rx, data, sizeof(data)) == 0);
	CHECK_EQ(ns_tcp_send_commit(&A.s, c, 1u << 30, now), 0); /* more than reserved: refused */
}

/* Deliver what is queued now, at time t (no timers run). */
static void
deliver_at(uint64_t t)
{
	unsigned int n = q_tail - q_head;

	now = t;
	for (unsigned int k = 0; k < n; k++) {
		unsigned int i = q_head++ % 8192;

		ns_tcp_input(q_to[i] ? &B.s : &A.s, link_q[i].buf, link_q[i].len, now);
	}
}

/*
 * RTT samples in microseconds from the transmission log, timestamps on or
 * off: round trips of 300 and 700 us are samples of 300 and 700 us (RFC
 * 6298 2.2 and 2.3 arithmetic on them), not the timestamp echo's 0 ms
 * (taken as 500 us).
 */
static void
rtt_sample_in_microseconds(void (*tweak)(struct ns_tcp_cfg *))
{
	static uint8_t data[2 * 1448];
	struct ns_tcb *c;

	setup(tweak);
	c = open_pair();
	run(now + 500 * MS); /* quiet: delayed ACKs sent */
	for (int k = 0; k < 2; k++) {
		uint32_t r = k == 0 ? 300 : 700, srtt = c->srtt_us, var = c->rttvar_us;
		uint32_t delta = srtt > r ? srtt - r : r - srtt;

		CHECK_EQ(ns_tcp_send(&A.s, c, data, c->snd_mss * 2, now), c->snd_mss * 2);
		ns_tcp_output(&A.s, c);
		deliver_at(now + r * 500ull); /* two segments: B acknowledges at once */
		deliver_at(now + r * 500ull);
		CHECK(c->snd_una == c->snd_max);
		if (srtt == 0) {
			CHECK_EQ(c->srtt_us, r);
			CHECK_EQ(c->rttvar_us, r / 2);
		} else {
			CHECK_EQ(c->rttvar_us, var - var / 4 + delta / 4);
			CHECK_EQ(c->srtt_us, srtt - srtt / 8 + r / 8);
		}
		run(now + 500 * MS);
	}
}

static void
test_rtt_sample_in_microseconds(void)
{
	rtt_sample_in_microseconds(NULL);
	rtt_sample_in_microseconds(no_options);
}

int
main(void)
{
	RUN(test_handshake_negotiates_options);
	RUN(test_handshake_without_options);
	RUN(test_bulk_both_ways);
	RUN(test_bulk_with_loss_recovers);
	RUN(test_bulk_with_loss_newreno);
	RUN(test_active_close_time_wait);
	RUN(test_simultaneous_close);
	RUN(test_abort_resets_peer);
	RUN(test_syn_to_closed_port_gets_rst);
	RUN(test_syn_retransmit_backoff_then_timeout);
	RUN(test_zero_window_lost_update_persist);
	RUN(test_out_of_window_data_refused);
	RUN(test_blind_rst_challenged);
	RUN(test_reassembly_and_sack_blocks);
	RUN(test_reassembly_random_order);
	RUN(test_reassembly_ranges_run_out);
	RUN(test_cwnd_not_grown_when_app_limited);
	RUN(test_zero_copy_send_and_receive);
	RUN(test_rcv_edge_rounding);
	RUN(test_rtt_sample_in_microseconds);
	ns_tcp_fini(&A.s);
	ns_tcp_fini(&B.s);
	return TEST_SUMMARY();
}
