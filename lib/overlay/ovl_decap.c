/* SPDX-License-Identifier: BSD-3-Clause */
/* Last hop: the outer headers checked and taken off; the inner destination
 * rewritten for a client. */
#include <string.h>

#include "overlay/ns_overlay.h"
#include "common/ns_cksum.h"

enum ns_ovl_inner
ns_ovl_inner_check(const uint8_t *ip, uint32_t len)
{
	uint32_t ihl, tot;

	if (len < 20 || (ip[0] >> 4) != 4 || (ip[0] & 15) < 5 || (uint32_t)(ip[0] & 15) * 4 > len)
		return NS_OVL_INNER_BAD_IHL;
	ihl = (uint32_t)(ip[0] & 15) * 4;
	tot = ns_get_be16(ip + 2);
	if (tot < ihl || tot > len)
		return NS_OVL_INNER_BAD_LEN;
	if (ns_cksum_raw(ip, ihl, 0) != 0xffff)
		return NS_OVL_INNER_BAD_CKSUM;
	if (ip[8] == 0)
		return NS_OVL_INNER_TTL_ZERO;
	return NS_OVL_INNER_OK;
}

int
ns_ovl_parse(const uint8_t *ip, uint32_t len, struct ns_ovl_hdr *h)
{
	uint32_t ihl, tot, off;
	uint16_t flags;

	if (len < 20 || (ip[0] >> 4) != 4)
		return NS_OVL_BAD_IP;
	ihl = (uint32_t)(ip[0] & 15) * 4;
	tot = ns_get_be16(ip + 2);
	if (ihl < 20 || tot < ihl || tot > len || (ns_get_be16(ip + 6) & 0x3fff) != 0)
		return NS_OVL_BAD_IP; /* short, or a fragment */
	if (ns_cksum_raw(ip, ihl, 0) != 0xffff)
		return NS_OVL_BAD_CKSUM;
	if (ip[8] == 0)
		return NS_OVL_TTL_ZERO;
	if (ip[9] != 17 || tot < ihl + 8 || ns_get_be16(ip + ihl + 2) != NS_OVL_UDP_PORT)
		return NS_OVL_NOT_OURS;
	if (ns_get_be16(ip + ihl + 4) < 8 + NS_OVL_GRE_LEN || ns_get_be16(ip + ihl + 4) > tot - ihl)
		return NS_OVL_BAD_IP;
	off = ihl + 8;
	flags = ns_get_be16(ip + off);
	memcpy(&h->outer_src, ip + 12, 4);
	memcpy(&h->outer_dst, ip + 16, 4);
	h->key = ns_get_be32(ip + off + 4);
	if (flags == 0x2000 && ns_get_be16(ip + off + 2) == NS_OVL_REQ_PROTO) {
		/* A request: K only, the body whole, version 1. */
		const uint8_t *b = ip + off + 8;
		bool sign = ns_get_be16(ip + ihl + 4) == 8 + 8 + 12 + NS_OVL_REQ_MAC_LEN;

		if ((ns_get_be16(ip + ihl + 4) != 8 + 8 + 12 && !sign) ||
				memcmp(b, "NSOR", 4) != 0 || b[4] != 1 || (b[5] & 1) != sign)
			return NS_OVL_BAD_GRE;
		h->mac_off = sign ? (uint16_t)(off + 8 + 12) : 0;
		h->lifetime_ms = ns_get_be32(b + 8);
		h->seq = 0;
		h->inner_off = h->inner_len = 0;
		return NS_OVL_REQUEST;
	}
	/* Data: K and S, nothing else (no checksum, no routing, version 0). */
	if (flags != 0x3000 || ns_get_be16(ip + off + 2) != 0x0800)
		return NS_OVL_BAD_GRE;
	h->seq = ns_get_be32(ip + off + 8);
	off += NS_OVL_GRE_LEN;
	h->inner_off = (uint16_t)off;
	h->inner_len = (uint16_t)(ihl + ns_get_be16(ip + ihl + 4) - off);
	/* The inner packet: IPv4, valid, whole (its length is the GRE payload's). */
	h->inner_why = ns_ovl_inner_check(ip + off, h->inner_len);
	if (h->inner_why == NS_OVL_INNER_OK && ns_get_be16(ip + off + 2) != h->inner_len)
		h->inner_why = NS_OVL_INNER_BAD_LEN;
	if (h->inner_why != NS_OVL_INNER_OK)
		return NS_OVL_BAD_INNER;
	return NS_OVL_OK;
}

void
ns_ovl_rewrite_dst(uint8_t *ip, uint32_t len, uint32_t dst)
{
	uint32_t ihl = (uint32_t)(ip[0] & 15) * 4, d, old;

	if (len < 20 || ihl < 20 || ihl > len)
		return;
	memcpy(&old, ip + 16, 4);
	if (old == dst)
		return;
	/* RFC 1624 with the address's change summed once for every checksum */
	d = ns_cksum_delta32(ns_get_be32(ip + 16), ns_get_be32(&dst));
	ns_put_be16(ip + 10, ns_cksum_apply(ns_get_be16(ip + 10), d));
	/* The pseudo-header holds the address: TCP always, UDP unless 0. */
	if ((ns_get_be16(ip + 6) & 0x1fff) == 0) { /* the first fragment carries the L4 header */
		if (ip[9] == 6 && len >= ihl + 18) {
			ns_put_be16(ip + ihl + 16, ns_cksum_apply(ns_get_be16(ip + ihl + 16), d));
		} else if (ip[9] == 17 && len >= ihl + 8 && ns_get_be16(ip + ihl + 6) != 0) {
			uint16_t c = ns_cksum_apply(ns_get_be16(ip + ihl + 6), d);

			ns_put_be16(ip + ihl + 6, c == 0 ? 0xffff : c); /* 0 means none */
		}
	}
	memcpy(ip + 16, &dst, 4);
}
