/* SPDX-License-Identifier: BSD-3-Clause */
/* Redundant unicast overlay: a last hop's request and the first hop's soft
 * state of who asked. */
#include <string.h>

#include "overlay/ns_overlay.h"
#include "common/ns_cksum.h"

uint32_t
ns_ovl_request_build(uint8_t *ip, uint32_t src, uint32_t dst, uint32_t key, uint32_t lifetime_ms,
		uint16_t ip_id, bool sign)
{
	uint8_t *u = ip + 20, *g = u + 8, *b = g + 8;
	uint16_t tot = sign ? NS_OVL_REQ_SIGNED_LEN : NS_OVL_REQ_LEN;

	memset(ip, 0, tot);
	ns_ipv4_hdr_write(ip, 20, 0, tot, ip_id, 0, 64, 17, src, dst);
	ns_put_be16(u, NS_OVL_UDP_PORT);
	ns_put_be16(u + 2, NS_OVL_UDP_PORT);
	ns_put_be16(u + 4, (uint16_t)(tot - 20)); /* checksum 0: allowed over IPv4 (RFC 8086 3.2) */
	ns_put_be16(g, 0x2000);
	ns_put_be16(g + 2, NS_OVL_REQ_PROTO);
	ns_put_be32(g + 4, key);
	memcpy(b, "NSOR", 4);
	b[4] = 1;
	b[5] = sign ? 1 : 0;
	ns_put_be32(b + 8, lifetime_ms);
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
