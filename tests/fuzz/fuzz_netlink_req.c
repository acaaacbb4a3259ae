/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the network state service's request parser
 * (lib/netlink): byte 0 picks the protocol (even: NETLINK_ROUTE, odd:
 * NETLINK_SOCK_DIAG), the rest is one request as an application sent it.
 * A served request is answered (a link, an address, a neighbour, a route, a
 * TCP connection run through its bytecode, DONE); a malformed one gets the
 * error message.  Every answer must be a sequence of well-formed messages.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "netlink/ns_netlink.h"

static void
check_answer(const struct ns_nl_buf *b)
{
	uint32_t off = 0;

	while (off < b->len) {
		struct nlmsghdr h;

		if (b->len - off < sizeof(h))
			abort();
		memcpy(&h, b->p + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || off + h.nlmsg_len > b->len)
			abort();
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_nl_req r;
	struct ns_nl_buf b = {0};
	int err;
	enum ns_nl_verdict v;

	if (size < 1 || size > 8192)
		return 0;
	v = ns_nl_parse(data + 1, (uint32_t)(size - 1),
			(data[0] & 1) ? NETLINK_SOCK_DIAG : NETLINK_ROUTE, 4242, &r, &err);
	if (v == NS_NL_MALFORMED) {
		if (err >= 0)
			abort();
		ns_nl_put_error(&b, data + 1, (uint32_t)(size - 1), 4242, err);
	} else if (v == NS_NL_SERVE) {
		struct ns_nl_link l = {.ifindex = 1, .name = "p0", .mtu = 1500, .up = true};
		struct ns_nl_addr a = {1, "p0", 0x0200000c, 24};
		struct ns_nl_neigh n = {.ifindex = 1, .ip = 0x0100000c, .nud = 2};
		struct ns_nl_route rt = {1, 0x0000000c, 0x0200000c, 0, 24};
		struct ns_nl_tcp t = {.saddr = 0x0200000c,
				.daddr = 0x0100000c,
				.sport = 7,
				.dport = 40000,
				.state = 1,
				.ifindex = 1,
				.snd_mss = 1448};

		if (r.bc != NULL && (r.bc < data || r.bc + r.bc_len > data + size))
			abort();
		ns_nl_put_link(&b, &r, &l);
		ns_nl_put_addr(&b, &r, &a);
		ns_nl_put_neigh(&b, &r, &n);
		ns_nl_put_route(&b, &r, &rt);
		ns_nl_put_tcp(&b, &r, &t);
		t.sport = 8;
		t.daddr = 0x0300000d;
		ns_nl_put_tcp(&b, &r, &t);
		ns_nl_put_done(&b, &r);
	}
	check_answer(&b);
	ns_nl_buf_free(&b);
	return 0;
}
