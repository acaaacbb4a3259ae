/* SPDX-License-Identifier: BSD-3-Clause */
/* First hop: the outer header from a per-session template. */
#include <string.h>

#include "ns_overlay.h"
#include "ovl_cksum.h"

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
	h[0] = 0x45;
	h[8] = ttl;
	h[9] = IPPROTO_U;
	memcpy(h + 12, &src, 4);
	memcpy(h + 16, &group, 4);
	ovl_put16(h + 20 + 2, NS_OVL_UDP_PORT);
	ovl_put16(h + 28, GRE_K | GRE_S);
	ovl_put16(h + 30, ETH_IPV4);
	h[32] = (uint8_t)(key >> 24);
	h[33] = (uint8_t)(key >> 16);
	h[34] = (uint8_t)(key >> 8);
	h[35] = (uint8_t)key;
	s->tmpl_sum = ntohs(ns_cksum_raw(h, 20, 0)); /* folded: the per-packet fields add to it */
}

void
ns_ovl_redirect(const uint8_t *hdr, uint8_t *out, uint32_t dst)
{
	if (out != hdr)
		memcpy(out, hdr, NS_OVL_HDR_LEN);
	ovl_put16(out + 10,
			ovl_cksum_update32(ovl_get16(out + 10), hdr + 16, (const uint8_t *)&dst));
	memcpy(out + 16, &dst, 4);
}

int
ns_ovl_clamp_mss(uint8_t *ip, uint32_t len, uint16_t mss)
{
	uint32_t ihl, doff, tot;
	uint8_t *t;

	if (len < 20 || (ip[0] >> 4) != 4 || ip[9] != 6 || (ovl_get16(ip + 6) & 0x1fff) != 0)
		return 0;
	ihl = (uint32_t)(ip[0] & 15) * 4;
	tot = ovl_get16(ip + 2);
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
			uint16_t old = ovl_get16(t + o + 2);

			if (old <= mss)
				return 0;
			ovl_put16(t + o + 2, mss);
			/* The sum is over 16-bit words at even offsets: a value at an
			 * odd offset straddles two of them. */
			if (((o + 2) & 1) == 0) {
				ovl_put16(t + 16, ovl_cksum_update16(ovl_get16(t + 16), old, mss));
			} else {
				uint8_t before[4], after[4];

				before[0] = t[o + 1];
				before[1] = (uint8_t)(old >> 8);
				before[2] = (uint8_t)old;
				before[3] = t[o + 4];
				memcpy(after, before, 4);
				after[1] = (uint8_t)(mss >> 8);
				after[2] = (uint8_t)mss;
				ovl_put16(t + 16, ovl_cksum_update32(ovl_get16(t + 16), before,
								  after));
			}
			return 1;
		}
		o += t[o + 1];
	}
	return 0;
}
