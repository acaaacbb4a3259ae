/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/netlink: which requests are served, the bytecode's verdicts, answers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "netlink/ns_netlink.h"
#include "ns_test.h"

static uint8_t msg[1024];

static uint32_t
put_msg(uint16_t type, uint16_t flags, const void *payload, uint32_t plen)
{
	struct nlmsghdr h = {.nlmsg_len = NLMSG_HDRLEN + plen,
			.nlmsg_type = type,
			.nlmsg_flags = flags,
			.nlmsg_seq = 77};

	memcpy(msg, &h, sizeof(h));
	if (plen != 0)
		memcpy(msg + NLMSG_HDRLEN, payload, plen);
	return h.nlmsg_len;
}

static void
test_route_requests(void)
{
	struct ifinfomsg ifi = {0};
	struct ns_nl_req r;
	uint8_t gen = AF_INET;
	int err;

	CHECK_EQ(ns_nl_parse(msg,
				 put_msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifi,
						 sizeof(ifi)),
				 NETLINK_ROUTE, 99, &r, &err),
			NS_NL_SERVE);
	CHECK_EQ(r.kind, NS_NL_LINK);
	CHECK(r.dump);
	CHECK_EQ(r.seq, 77);
	CHECK_EQ(r.pid, 99);
	/* a dump with only the family byte (struct rtgenmsg) */
	CHECK_EQ(ns_nl_parse(msg, put_msg(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &gen, 1),
				 NETLINK_ROUTE, 1, &r, &err),
			NS_NL_SERVE);
	CHECK_EQ(r.family, AF_INET);
	/* not ours: a new address, a route lookup, a message without REQUEST */
	CHECK_EQ(ns_nl_parse(msg, put_msg(RTM_NEWADDR, NLM_F_REQUEST, &ifi, sizeof(ifi)),
				 NETLINK_ROUTE, 1, &r, &err),
			NS_NL_PASS);
	CHECK_EQ(ns_nl_parse(msg, put_msg(RTM_GETROUTE, NLM_F_REQUEST, &ifi, sizeof(ifi)),
				 NETLINK_ROUTE, 1, &r, &err),
			NS_NL_PASS);
	CHECK_EQ(ns_nl_parse(msg, put_msg(RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi)),
				 NETLINK_ROUTE, 1, &r, &err),
			NS_NL_PASS);
	/* malformed: no payload, a length past the buffer, a broken attribute */
	CHECK_EQ(ns_nl_parse(msg, put_msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, NULL, 0),
				 NETLINK_ROUTE, 1, &r, &err),
			NS_NL_MALFORMED);
	CHECK_EQ(err, -EINVAL);
	put_msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifi, sizeof(ifi));
	CHECK_EQ(ns_nl_parse(msg, 20, NETLINK_ROUTE, 1, &r, &err), NS_NL_MALFORMED);
	{
		uint8_t p[sizeof(ifi) + 4];
		struct nlattr a = {.nla_len = 40, .nla_type = IFLA_IFNAME};

		memcpy(p, &ifi, sizeof(ifi));
		memcpy(p + sizeof(ifi), &a, sizeof(a));
		CHECK_EQ(ns_nl_parse(msg, put_msg(RTM_GETLINK, NLM_F_REQUEST, p, sizeof(p)),
					 NETLINK_ROUTE, 1, &r, &err),
				NS_NL_MALFORMED);
	}
}

/* A diag request with bytecode bc; returns the verdict. */
static enum ns_nl_verdict
diag(const uint8_t *bc, uint32_t bc_len, struct ns_nl_req *r)
{
	uint8_t p[sizeof(struct inet_diag_req_v2) + 4 + 64];
	struct inet_diag_req_v2 q = {.sdiag_family = AF_INET,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = 0xfff,
			.idiag_ext = 1 << (INET_DIAG_INFO - 1)};
	struct nlattr a = {.nla_len = (uint16_t)(4 + bc_len), .nla_type = INET_DIAG_REQ_BYTECODE};
	uint32_t n = sizeof(q);
	int err;

	memcpy(p, &q, sizeof(q));
	if (bc_len != 0) {
		memcpy(p + n, &a, 4);
		memcpy(p + n + 4, bc, bc_len);
		n += 4 + bc_len;
	}
	return ns_nl_parse(msg, put_msg(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, p, n),
			NETLINK_SOCK_DIAG, 5, r, &err);
}

static void
test_bytecode(void)
{
	struct ns_nl_tcp t = {.saddr = 0x0200000c,
			.daddr = 0x0102000c,
			.sport = 7,
			.dport = 40000,
			.state = 1};
	struct ns_nl_req r;
	/* sport = :7 as ss writes it: S_COND with port 7, any address */
	uint8_t scond[12] = {INET_DIAG_BC_S_COND, 12, 16, 0, AF_UNSPEC, 0, 0, 0, 7, 0, 0, 0};
	/* dport in [39999, 40001]: D_GE, D_LE */
	uint8_t range[16] = {INET_DIAG_BC_D_GE, 8, 20, 0, 0, 0, 0x3f, 0x9c, INET_DIAG_BC_D_LE, 8,
			12, 0, 0, 0, 0x41, 0x9c};
	/* dst 12.0.2.0/24 (our t.daddr 12.0.2.1 in network order) */
	uint8_t dcond[16] = {INET_DIAG_BC_D_COND, 16, 20, 0, AF_INET, 24, 0, 0, 0xff, 0xff, 0xff,
			0xff, 12, 0, 2, 0};
	uint8_t bad_jump[8] = {INET_DIAG_BC_S_GE, 8, 40, 0, 0, 0, 7, 0};

	CHECK_EQ(diag(scond, sizeof(scond), &r), NS_NL_SERVE);
	CHECK(ns_nl_bc_run(r.bc, r.bc_len, &t));
	t.sport = 8;
	CHECK(!ns_nl_bc_run(r.bc, r.bc_len, &t));
	CHECK_EQ(diag(range, sizeof(range), &r), NS_NL_SERVE);
	CHECK(ns_nl_bc_run(r.bc, r.bc_len, &t));
	t.dport = 40002;
	CHECK(!ns_nl_bc_run(r.bc, r.bc_len, &t));
	t.dport = 39998;
	CHECK(!ns_nl_bc_run(r.bc, r.bc_len, &t));
	CHECK_EQ(diag(dcond, sizeof(dcond), &r), NS_NL_SERVE);
	CHECK(ns_nl_bc_run(r.bc, r.bc_len, &t));
	t.daddr = 0x0103000c; /* 12.0.3.1 */
	CHECK(!ns_nl_bc_run(r.bc, r.bc_len, &t));
	/* the audit: a jump past the end, an unknown op, a short op */
	CHECK_EQ(diag(bad_jump, sizeof(bad_jump), &r), NS_NL_MALFORMED);
	bad_jump[0] = 99;
	bad_jump[2] = 12;
	CHECK_EQ(diag(bad_jump, sizeof(bad_jump), &r), NS_NL_MALFORMED);
	CHECK_EQ(diag(scond, 8, &r), NS_NL_MALFORMED);
	/* A 'no' jump onto bytes the audit walked past (its walk follows 'yes'):
	 * a JMP there with yes = no = 0 must end the run, not loop (found by
	 * fuzz_netlink_req). */
	{
		uint8_t trap[16] = {INET_DIAG_BC_S_EQ, 12, 8, 0, 0, 0, 7, 0, INET_DIAG_BC_JMP, 0, 0,
				0, INET_DIAG_BC_NOP, 4, 0, 0};

		CHECK_EQ(diag(trap, sizeof(trap), &r), NS_NL_SERVE);
		t.sport = 7;
		CHECK(ns_nl_bc_run(r.bc, r.bc_len, &t));
		t.sport = 8;
		CHECK(!ns_nl_bc_run(r.bc, r.bc_len, &t));
		trap[8] = INET_DIAG_BC_NOP; /* a NOP there: its yes, 0, as well */
		CHECK_EQ(diag(trap, sizeof(trap), &r), NS_NL_SERVE);
		CHECK(!ns_nl_bc_run(r.bc, r.bc_len, &t));
		trap[8] = INET_DIAG_BC_JMP; /* a JMP (always 'no') with yes 4, no 0 */
		trap[9] = 4;
		CHECK_EQ(diag(trap, sizeof(trap), &r), NS_NL_SERVE);
		CHECK(!ns_nl_bc_run(r.bc, r.bc_len, &t));
	}
}

static void
test_answers(void)
{
	struct ns_nl_tcp t = {.saddr = 1,
			.daddr = 2,
			.sport = 7,
			.dport = 9,
			.state = 1,
			.snd_mss = 1448,
			.rtt_us = 500,
			.snd_cwnd = 10};
	struct ns_nl_buf b = {0};
	struct ns_nl_req r;
	struct nlmsghdr h;
	struct inet_diag_msg m;
	uint32_t off;

	CHECK_EQ(diag(NULL, 0, &r), NS_NL_SERVE);
	r.states = 1u << 1; /* established only */
	CHECK(ns_nl_put_tcp(&b, &r, &t));
	t.state = 10; /* listen: not asked for */
	CHECK(!ns_nl_put_tcp(&b, &r, &t));
	ns_nl_put_done(&b, &r);
	memcpy(&h, b.p, sizeof(h));
	CHECK_EQ(h.nlmsg_type, SOCK_DIAG_BY_FAMILY);
	CHECK_EQ(h.nlmsg_seq, 77);
	CHECK_EQ(h.nlmsg_pid, 5);
	CHECK(h.nlmsg_flags & NLM_F_MULTI);
	memcpy(&m, b.p + NLMSG_HDRLEN, sizeof(m));
	CHECK_EQ(m.id.idiag_sport, __builtin_bswap16(7));
	CHECK_EQ(m.idiag_state, 1);
	/* INET_DIAG_INFO follows the message */
	CHECK(h.nlmsg_len > NLMSG_HDRLEN + sizeof(m) + 4);
	off = NLMSG_ALIGN(h.nlmsg_len);
	memcpy(&h, b.p + off, sizeof(h));
	CHECK_EQ(h.nlmsg_type, NLMSG_DONE);
	CHECK_EQ(off + NLMSG_ALIGN(h.nlmsg_len), b.len);
	ns_nl_buf_free(&b);
	/* an error carries the request's header */
	put_msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, NULL, 0);
	ns_nl_put_error(&b, msg, NLMSG_HDRLEN, 3, -EINVAL);
	{
		struct nlmsgerr e;

		memcpy(&h, b.p, sizeof(h));
		memcpy(&e, b.p + NLMSG_HDRLEN, sizeof(e));
		CHECK_EQ(h.nlmsg_type, NLMSG_ERROR);
		CHECK_EQ(e.error, -EINVAL);
		CHECK_EQ(e.msg.nlmsg_type, RTM_GETLINK);
		CHECK_EQ(e.msg.nlmsg_seq, 77);
	}
	ns_nl_buf_free(&b);
}

int
main(void)
{
	RUN(test_route_requests);
	RUN(test_bytecode);
	RUN(test_answers);
	return TEST_SUMMARY();
}
