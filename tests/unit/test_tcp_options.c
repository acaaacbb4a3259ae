/* SPDX-License-Identifier: BSD-3-Clause */
#include "ns_test.h"
#include "tcp/tcp_options.h"
#include "tcp/tcp_seq.h"

static void
test_seq_wraparound(void)
{
	CHECK(ns_seq_lt(0xfffffff0u, 0x10));
	CHECK(ns_seq_gt(0x10, 0xfffffff0u));
	CHECK(ns_seq_leq(5, 5) && ns_seq_geq(5, 5));
	CHECK(!ns_seq_lt(5, 5));
	CHECK_EQ(ns_seq_max(0xfffffff0u, 0x10), 0x10);
	CHECK_EQ(ns_seq_min(0xfffffff0u, 0x10), 0xfffffff0u);
	CHECK(ns_seq_in(0xffffffffu, 0xfffffff0u, 0x10));
	CHECK(!ns_seq_in(0x10, 0xfffffff0u, 0x10));
}

/* Options of a Linux SYN: MSS 1460, SACK_PERM, TS, NOP, WS 7. */
static void
test_parse_linux_syn(void)
{
	static const uint8_t syn[] = {
			2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 1, 3, 3, 7};
	struct ns_tcp_opts o;

	CHECK_EQ(ns_tcp_opts_parse(syn, sizeof(syn), &o), NS_TCPOPT_OK);
	CHECK_EQ(o.present, NS_TCPO_MSS | NS_TCPO_SACK_OK | NS_TCPO_TS | NS_TCPO_WS);
	CHECK_EQ(o.mss, 1460);
	CHECK_EQ(o.wscale, 7);
	CHECK_EQ(o.tsval, 0x1234);
	CHECK_EQ(o.tsecr, 0);
}

static void
test_malformed(void)
{
	static const uint8_t zero_len[] = {2, 0, 0, 0};
	static const uint8_t overrun[] = {8, 10, 0, 0};
	static const uint8_t bad_mss[] = {2, 3, 5, 1};
	static const uint8_t lone_kind[] = {1, 1, 1, 3};
	static const uint8_t bad_sack[] = {5, 6, 0, 0, 0, 0};
	struct ns_tcp_opts o;

	CHECK_EQ(ns_tcp_opts_parse(zero_len, 4, &o), NS_TCPOPT_BAD_LEN);
	CHECK_EQ(ns_tcp_opts_parse(overrun, 4, &o), NS_TCPOPT_BAD_LEN);
	CHECK_EQ(ns_tcp_opts_parse(bad_mss, 4, &o), NS_TCPOPT_BAD_SIZE);
	CHECK_EQ(ns_tcp_opts_parse(lone_kind, 4, &o), NS_TCPOPT_BAD_LEN);
	CHECK_EQ(ns_tcp_opts_parse(bad_sack, 6, &o), NS_TCPOPT_BAD_SIZE);
}

static void
test_unknown_skipped_eol_stops(void)
{
	static const uint8_t p[] = {30, 4, 0xaa, 0xbb, 3, 3, 20, 0, 2, 4, 1, 1};
	struct ns_tcp_opts o;

	CHECK_EQ(ns_tcp_opts_parse(p, sizeof(p), &o), NS_TCPOPT_OK);
	CHECK_EQ(o.present, NS_TCPO_WS);
	CHECK_EQ(o.wscale, NS_TCP_MAX_WSCALE); /* 20 clamped to 14 */
}

static void
test_write_parse_round_trip(void)
{
	struct ns_tcp_opts in = {0}, out;
	uint8_t buf[NS_TCP_OPT_SPACE];
	unsigned int n;

	in.present = NS_TCPO_MSS | NS_TCPO_SACK_OK | NS_TCPO_TS | NS_TCPO_WS;
	in.mss = 1448;
	in.wscale = 9;
	in.tsval = 0xdeadbeef;
	in.tsecr = 7;
	n = ns_tcp_opts_write(&in, buf);
	CHECK_EQ(n, 20);
	CHECK_EQ(n % 4, 0);
	CHECK_EQ(ns_tcp_opts_parse(buf, n, &out), NS_TCPOPT_OK);
	CHECK_EQ(out.present, in.present);
	CHECK_EQ(out.mss, 1448);
	CHECK_EQ(out.wscale, 9);
	CHECK_EQ(out.tsval, 0xdeadbeef);
	CHECK_EQ(out.tsecr, 7);

	/* Data segment: TS + 4 SACK blocks: only 3 fit beside the timestamps. */
	memset(&in, 0, sizeof(in));
	in.present = NS_TCPO_TS | NS_TCPO_SACK;
	in.n_sack = 4;
	for (int i = 0; i < 4; i++)
		in.sack[i] = (struct ns_sack_block){1000u * (i + 1), 1000u * (i + 1) + 500};
	n = ns_tcp_opts_write(&in, buf);
	CHECK_EQ(n, 12 + 4 + 24);
	CHECK_EQ(ns_tcp_opts_parse(buf, n, &out), NS_TCPOPT_OK);
	CHECK_EQ(out.n_sack, 3);
	CHECK_EQ(out.sack[2].left, 3000);
	CHECK_EQ(out.sack[2].right, 3500);

	/* Without timestamps all 4 blocks fit. */
	in.present = NS_TCPO_SACK;
	n = ns_tcp_opts_write(&in, buf);
	CHECK_EQ(n, 4 + 32);
	CHECK_EQ(ns_tcp_opts_parse(buf, n, &out), NS_TCPOPT_OK);
	CHECK_EQ(out.n_sack, 4);
}

int
main(void)
{
	RUN(test_seq_wraparound);
	RUN(test_parse_linux_syn);
	RUN(test_malformed);
	RUN(test_unknown_skipped_eol_stops);
	RUN(test_write_parse_round_trip);
	return TEST_SUMMARY();
}
