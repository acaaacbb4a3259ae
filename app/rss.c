/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_thash.h>

#include "rss.h"

/* The key of Microsoft's RSS verification suite (also many NICs' default). */
const uint8_t ns_rss_default_key[NS_RSS_KEY_LEN] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
		0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b,
		0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b,
		0xbe, 0xac, 0x01, 0xfa};

void
ns_rss_init(struct ns_rss *r, uint16_t reta_size, uint16_t nq)
{
	memcpy(r->key, ns_rss_default_key, sizeof(r->key));
	r->reta_size = reta_size > NS_RSS_RETA_MAX ? NS_RSS_RETA_MAX : reta_size;
	for (uint16_t i = 0; i < r->reta_size; i++)
		r->reta[i] = nq ? i % nq : 0;
}

uint16_t
ns_rss_queue(const struct ns_rss *r, rte_be32_t raddr, rte_be32_t laddr, rte_be16_t rport,
		rte_be16_t lport)
{
	/* The NIC hashes the received packet's tuple: source = the peer. */
	uint32_t t[3] = {rte_be_to_cpu_32(raddr), rte_be_to_cpu_32(laddr),
			(uint32_t)rte_be_to_cpu_16(rport) << 16 | rte_be_to_cpu_16(lport)};
	uint32_t h;

	if (r->reta_size == 0)
		return 0;
	h = rte_softrss(t, 3, r->key);
	return r->reta[h % r->reta_size];
}

uint16_t
ns_rss_pick_port(const struct ns_rss *r, rte_be32_t raddr, rte_be32_t laddr, rte_be16_t rport,
		uint16_t start, bool (*want)(uint16_t q, void *arg),
		bool (*in_use)(uint16_t lport, void *arg), void *arg)
{
	for (uint32_t i = 0; i < 16384; i++) {
		uint16_t port = (uint16_t)(49152 + (start + i) % 16384);

		if (!want(ns_rss_queue(r, raddr, laddr, rport, rte_cpu_to_be_16(port)), arg))
			continue;
		if (in_use != NULL && in_use(port, arg))
			continue;
		return port;
	}
	return 0;
}
