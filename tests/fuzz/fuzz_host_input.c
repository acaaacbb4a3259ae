/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the Ethernet/ARP/IPv4/ICMP parser (ns_host_input).
 * Each input is one frame; the ARP cache persists across inputs with a
 * clock that advances, so aging and retries run too.  A verdict of NS_V_TX
 * must leave a frame no longer than the input; NS_V_L4 must describe a
 * region inside it.  A reply never goes to a group or zero Ethernet address
 * nor, for IPv4, to a source that is no host's (ns_ipv4_src.h): nothing
 * hostile is reflected.
 */
#include <stdlib.h>
#include <string.h>

#include "net/host.h"
#include "common/ns_ipv4_src.h"

static uint64_t ctr[NS_NET__MAX];
static struct ns_host h;
static uint64_t now;

static void
f_release(void *u, void *p, const struct rte_ether_addr *m)
{
	(void)u, (void)p, (void)m;
}
static void
f_discard(void *u, void *p)
{
	(void)u, (void)p;
}
static void
f_solicit(void *u, rte_be32_t ip)
{
	uint8_t buf[64];

	(void)u;
	ns_arp_build_request(&h, ip, buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ns_arp_ops ops = {f_release, f_discard, f_solicit};
	static uint8_t frame[9216];
	struct ns_l4_info l4;
	uint16_t len;
	enum ns_verdict v;

	if (h.ctr == NULL) {
		struct ns_arp_params p = {8, 5000000000ull, 1000000000ull, 3};
		static const struct rte_ether_addr mac = {{0x02, 0, 0, 0, 0, 0x02}};

		h.mac = mac;
		h.ip = RTE_BE32(0xC0000202);
		h.netmask = RTE_BE32(0xffffff00);
		h.ttl = 64;
		h.ctr = ctr;
		if (ns_arp_cache_init(&h.arp, &p, &ops, &h, ctr) != 0)
			abort();
	}
	if (size > sizeof(frame))
		return -1; /* larger than any frame we accept */
	memcpy(frame, data, size);
	len = (uint16_t)size;
	now += 37 * 1000 * 1000;
	v = ns_host_input(&h, frame, &len, now, &l4);
	if (v == NS_V_TX && len > size)
		abort();
	if (v == NS_V_TX) {
		const struct rte_ether_hdr *e = (const struct rte_ether_hdr *)frame;
		rte_be32_t dst;

		if (rte_is_multicast_ether_addr(&e->dst_addr) ||
				rte_is_zero_ether_addr(&e->dst_addr))
			abort();
		memcpy(&dst, frame + 14 + 16, 4);
		if (e->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
				ns_ipv4_src_class(dst, h.ip, h.netmask) != NS_SRC_OK)
			abort();
	}
	if (v == NS_V_L4 && (size_t)l4.l4_off + l4.l4_len > size)
		abort();
	ns_arp_tick(&h.arp, now);
	return 0;
}
