/* SPDX-License-Identifier: BSD-3-Clause */
/* Redundant unicast overlay: a last hop's request and the first hop's soft
 * state of who asked. */
#include <string.h>

#include "ns_overlay.h"
#include "ovl_cksum.h"

uint32_t
ns_ovl_request_build(uint8_t *ip, uint32_t src, uint32_t dst, uint32_t key, uint32_t lifetime_ms,
		uint16_t ip_id, bool sign)
{
	uint8_t *u = ip + 20, *g = u + 8, *b = g + 8;
	uint16_t tot = sign ? NS_OVL_REQ_SIGNED_LEN : NS_OVL_REQ_LEN;

	memset(ip, 0, tot);
	ip[0] = 0x45;
	ovl_put16(ip + 2, tot);
	ovl_put16(ip + 4, ip_id);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	ovl_put16(ip + 10, (uint16_t)~ntohs(ns_cksum_raw(ip, 20, 0)));
	ovl_put16(u, NS_OVL_UDP_PORT);
	ovl_put16(u + 2, NS_OVL_UDP_PORT);
	ovl_put16(u + 4, (uint16_t)(tot - 20)); /* checksum 0: allowed over IPv4 (RFC 8086 3.2) */
	ovl_put16(g, 0x2000);
	ovl_put16(g + 2, NS_OVL_REQ_PROTO);
	g[4] = (uint8_t)(key >> 24);
	g[5] = (uint8_t)(key >> 16);
	g[6] = (uint8_t)(key >> 8);
	g[7] = (uint8_t)key;
	memcpy(b, "NSOR", 4);
	b[4] = 1;
	b[5] = sign ? 1 : 0;
	b[8] = (uint8_t)(lifetime_ms >> 24);
	b[9] = (uint8_t)(lifetime_ms >> 16);
	b[10] = (uint8_t)(lifetime_ms >> 8);
	b[11] = (uint8_t)lifetime_ms;
	return tot;
}

void
ns_ovl_request_mac_input(const uint8_t *ip, uint8_t *in)
{
	uint32_t ihl = (uint32_t)(ip[0] & 15) * 4;

	memcpy(in, ip + 12, 4);		     /* the requester */
	memcpy(in + 4, ip + ihl + 8 + 4, 4); /* the GRE key */
	memcpy(in + 8, ip + ihl + 16, 12);   /* the body */
}

int
ns_ovl_subs_refresh(struct ns_ovl_subs *s, uint32_t addr, uint64_t now, uint64_t lifetime_ns)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (s->addr[i] == addr) {
			s->until[i] = now + lifetime_ns;
			return 0;
		}
	if (s->n == NS_OVL_MAX_SUBS)
		return -1;
	s->addr[s->n] = addr;
	s->until[s->n] = now + lifetime_ns;
	s->n++;
	return 1;
}

uint32_t
ns_ovl_subs_expire(struct ns_ovl_subs *s, uint64_t now)
{
	uint32_t gone = 0;

	for (uint32_t i = 0; i < s->n;)
		if (s->until[i] <= now) {
			s->n--;
			s->addr[i] = s->addr[s->n];
			s->until[i] = s->until[s->n];
			gone++;
		} else {
			i++;
		}
	return gone;
}
