/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the overlay's and IGMP's parsers (lib/overlay,
 * lib/igmp): byte 0 picks one.  Overlay: ns_ovl_parse of the rest; when it
 * accepts, the inner packet's bounds and validity are checked, it goes
 * through the reorder window (its key and sequence) and its destination is
 * rewritten; a request refreshes a subscriber table.  Byte 0 & 2: the rest
 * is an inner packet for the first hop (its check, the MSS clamp).  Byte 0
 * & 4: the rest is sequence numbers (4 bytes each) offered to a fresh
 * window: each ends in exactly one place (delivered, duplicate, stray,
 * waiting) and none adds 2^31 or more to the losses.  Byte 0
 * even with bit 1: the querier's input (reports, leaves, queries) and timers.
 * IGMP: the rest is a received IP packet for a host that has joined two
 * groups; ticks follow, every report it sends must be a whole IPv4 packet.
 */
#include <stdlib.h>
#include <string.h>

#include "igmp/ns_igmp.h"
#include "igmp/ns_igmp_querier.h"
#include "overlay/ns_overlay.h"

static uint64_t n_deliver, n_drop;

static void
deliver(void *user, void *pkt, uint32_t seq)
{
	(void)user, (void)pkt, (void)seq;
	n_deliver++;
}

static void
drop(void *user, void *pkt)
{
	(void)user, (void)pkt;
	n_drop++;
}

/* The window's accounting over a sequence of numbers (4 bytes each). */
static void
window_run(const uint8_t *d, size_t n)
{
	static const struct ns_ovl_rx_ops rops = {deliver, drop};
	struct ns_ovl_rx r;
	uint64_t now = 1;

	ns_ovl_rx_init(&r, 1, 3000000);
	n_deliver = n_drop = 0;
	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t seq = (uint32_t)d[i] << 24 | (uint32_t)d[i + 1] << 16 |
			       (uint32_t)d[i + 2] << 8 | d[i + 3];
		uint64_t lost = r.lost;

		ns_ovl_rx_offer(&r, seq, NULL, now, &rops, NULL);
		if (r.lost - lost >= (1ull << 31) || r.held > NS_OVL_WIN)
			abort();
		now += 1000000;
		ns_ovl_rx_tick(&r, now, &rops, NULL);
	}
	if (r.delivered + r.duplicates + r.strays + r.held + (r.cand_held ? 1 : 0) != r.received ||
			r.delivered != n_deliver)
		abort();
	ns_ovl_rx_flush(&r, &rops, NULL);
	if (n_deliver + n_drop != r.received)
		abort();
}

static void
xmit(void *user, const uint8_t *ip, uint32_t len)
{
	(void)user;
	if (len < 24 || (uint32_t)(ip[2] << 8 | ip[3]) != len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ns_ovl_rx_ops rops = {deliver, drop};
	static const struct ns_igmp_ops iops = {xmit};

	if (size < 1 || size > 4096)
		return 0;
	if (data[0] & 1) {
		static struct ns_ovl_rx rx;
		static bool init;
		struct ns_ovl_hdr h;
		uint8_t buf[4096];
		int rc;

		if (!init) {
			ns_ovl_rx_init(&rx, 1, 1000);
			init = true;
		}
		memcpy(buf, data + 1, size - 1);
		if (data[0] & 2) { /* the rest as an inner packet for the first hop */
			if (ns_ovl_inner_check(buf, (uint32_t)(size - 1)) == NS_OVL_INNER_OK)
				ns_ovl_clamp_mss(buf, (uint32_t)(size - 1), 536);
			return 0;
		}
		if (data[0] & 4) {
			window_run(data + 1, size - 1);
			return 0;
		}
		rc = ns_ovl_parse(buf, (uint32_t)(size - 1), &h);
		if (rc == NS_OVL_REQUEST) {
			static struct ns_ovl_subs subs;
			uint8_t in[NS_OVL_REQ_MAC_IN];

			if (h.mac_off != 0 && (size_t)h.mac_off + NS_OVL_REQ_MAC_LEN > size - 1)
				abort();
			ns_ovl_request_mac_input(buf, in);

			if (ns_ovl_subs_refresh(&subs, h.outer_src, h.key, h.lifetime_ms) < 0)
				ns_ovl_subs_expire(&subs, UINT64_MAX);
			if (subs.n > NS_OVL_MAX_SUBS)
				abort();
		}
		if (rc == NS_OVL_OK) {
			if ((uint32_t)h.inner_off + h.inner_len > size - 1 ||
					ns_ovl_inner_check(buf + h.inner_off, h.inner_len) !=
							NS_OVL_INNER_OK)
				abort();
			ns_ovl_rx_offer(&rx, h.seq, NULL, h.seq, &rops, NULL);
			ns_ovl_rx_tick(&rx, h.seq + 5000, &rops, NULL);
			ns_ovl_rewrite_dst(buf + h.inner_off, h.inner_len, 0x0100000a);
		}
	} else if (data[0] & 2) {
		/* The querier: the rest is a received IGMP packet, twice (the second
		 * against the state the first left), then its timers run out. */
		static const struct ns_igmpq_ops qops = {xmit, NULL};
		struct ns_igmpq q;
		uint64_t now = 1000000000ull;

		ns_igmpq_init(&q, 0x0200000c, &qops, NULL, 2, 2000, 1000, 100, now);
		ns_igmpq_input(&q, data + 1, (uint32_t)(size - 1), now);
		ns_igmpq_input(&q, data + 1, (uint32_t)(size - 1), now + 1000000ull);
		for (int k = 1; k <= 20; k++)
			ns_igmpq_tick(&q, now + (uint64_t)k * 500000000ull);
		for (int k = 0; k < NS_IGMPQ_MAX_GROUPS; k++)
			if (q.g[k].n_src > NS_IGMPQ_MAX_SRC || q.g[k].n_hosts > NS_IGMPQ_MAX_HOSTS)
				abort();
	} else {
		struct ns_igmp_if i;
		uint64_t now = 1000000000ull;

		ns_igmp_init(&i, 0x0200000c, &iops, NULL, size);
		ns_igmp_join(&i, 1, 0x010101ef, now);
		ns_igmp_set(&i, 2, 0x020202e8, NS_IGMP_INCLUDE, (const uint32_t[]){0x01020304}, 1,
				now);
		ns_igmp_input(&i, data + 1, (uint32_t)(size - 1), now);
		for (int k = 1; k <= 30; k++)
			ns_igmp_tick(&i, now + (uint64_t)k * 1000000000ull);
	}
	return 0;
}
