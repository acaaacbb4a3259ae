/* SPDX-License-Identifier: BSD-3-Clause */
/* First hop: the outer header from a per-session template. */
#include <string.h>

#include "overlay/ns_overlay.h"
#include "common/ns_cksum.h"

#define GRE_K	  0x2000
#define GRE_S	  0x1000
#define ETH_IPV4  0x0800
#define IPPROTO_U 17

void
ns_ovl_tx_init(struct ns_ovl_tx *s, uint32_t key, uint32_t group, uint32_t src, uint8_t ttl)
{
	uint8_t *h = s->tmpl;

	memset(s, 0, sizeof(*s));
	s->key = key;
	s->group = group;
	s->src = src;
	s->ttl = ttl;
	/* Length and identification 0: each packet adds its own to tmpl_sum. */
	ns_ipv4_hdr_write(h, 20, 0, 0, 0, 0, ttl, IPPROTO_U, src, group);
	s->tmpl_sum = (uint16_t)~ns_get_be16(h + 10);
	ns_put_be16(h + 20 + 2, NS_OVL_UDP_PORT);
	ns_put_be16(h + 28, GRE_K | GRE_S);
	ns_put_be16(h + 30, ETH_IPV4);
	ns_put_be32(h + 32, key);
}

void
ns_ovl_redirect(const uint8_t *hdr, uint8_t *out, uint32_t dst)
{
	if (out != hdr)
		memcpy(out, hdr, NS_OVL_HDR_LEN);
	ns_put_be16(out + 10, ns_cksum_update32(ns_get_be16(out + 10), ns_get_be32(hdr + 16),
					      ns_get_be32(&dst)));
	memcpy(out + 16, &dst, 4);
}

int
ns_ovl_clamp_mss(uint8_t *ip, uint32_t len, uint16_t mss)
{
	uint32_t ihl, doff, tot;
	uint8_t *t;

	if (len < 20 || (ip[0] >> 4) != 4 || ip[9] != 6 || (ns_get_be16(ip + 6) & 0x1fff) != 0)
		return 0;
	ihl = (uint32_t)(ip[0] & 15) * 4;
	tot = ns_get_be16(ip + 2);
	if (ihl < 20 || tot > len || tot < ihl + 20)
		return 0;
	t = ip + ihl;
	doff = (uint32_t)(t[12] >> 4) * 4;
	if (!(t[13] & 0x02) || doff < 20 || ihl + doff > tot)
		return 0; /* not a SYN, or its header does not fit */
	for (uint32_t o = 20; o < doff;) {
		uint8_t kind = t[o];

		if (kind == 0) /* end of options */
			break;
		if (kind == 1) {
			o++;
			continue;
		}
		if (o + 1 >= doff || t[o + 1] < 2 || o + t[o + 1] > doff)
			break; /* malformed: left as it is */
		if (kind == 2 && t[o + 1] == 4) {
			uint16_t old = ns_get_be16(t + o + 2);

			if (old <= mss)
				return 0;
			ns_put_be16(t + o + 2, mss);
			/* The sum is over 16-bit words at even offsets: a value at an
			 * odd offset straddles two of them. */
			if (((o + 2) & 1) == 0) {
				ns_put_be16(t + 16,
						ns_cksum_update16(ns_get_be16(t + 16), old, mss));
			} else {
				uint8_t before[4], after[4];

				before[0] = t[o + 1];
				before[1] = (uint8_t)(old >> 8);
				before[2] = (uint8_t)old;
				before[3] = t[o + 4];
				memcpy(after, before, 4);
				after[1] = (uint8_t)(mss >> 8);
				after[2] = (uint8_t)mss;
				ns_put_be16(t + 16, ns_cksum_update32(ns_get_be16(t + 16),
								    ns_get_be32(before),
								    ns_get_be32(after)));
			}
			return 1;
		}
		o += t[o + 1];
	}
	return 0;
}
