/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/overlay: the header on the wire, parse, reorder/dedup, rewrite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "overlay/ns_overlay.h"
#include "ns_test.h"

#define ip4   ns_test_ip4
#define sum16 ns_test_sum16

/* An inner IPv4/UDP packet with a correct UDP checksum. */
static uint32_t
inner_udp(uint8_t *p, uint32_t dst, uint16_t sport, uint32_t payload)
{
	uint32_t tot = 28 + payload, s;
	uint32_t src = ip4(198, 51, 100, 7);
	uint16_t c;

	memset(p, 0, tot);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	c = (uint16_t)~sum16(p, 20, 0);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	p[20] = (uint8_t)(sport >> 8);
	p[21] = (uint8_t)sport;
	p[23] = 99;
	p[24] = (uint8_t)((8 + payload) >> 8);
	p[25] = (uint8_t)(8 + payload);
	for (uint32_t i = 0; i < payload; i++)
		p[28 + i] = (uint8_t)(i * 7);
	s = sum16(p + 12, 8, 0) + 17 + 8 + payload;
	c = (uint16_t)~sum16(p + 20, 8 + payload, s);
	p[26] = (uint8_t)(c >> 8);
	p[27] = (uint8_t)c;
	return tot;
}

static void
test_encap_parse(void)
{
	struct ns_ovl_tx s;
	struct ns_ovl_hdr h;
	uint8_t pkt[NS_OVL_HDR_LEN + 256], copy[NS_OVL_HDR_LEN + 256];
	uint32_t n, g = ip4(239, 1, 2, 3), me = ip4(203, 0, 113, 1), lh = ip4(203, 0, 113, 9);

	ns_ovl_tx_init(&s, 0xabcd1234, g, me, 16);
	n = inner_udp(pkt + NS_OVL_HDR_LEN, ip4(192, 0, 2, 50), 5000, 100);
	for (int k = 0; k < 3; k++)
		CHECK_EQ(ns_ovl_encap(&s, pkt, pkt + NS_OVL_HDR_LEN, (uint16_t)n), (unsigned)k);
	/* the outer IPv4 header sums to 0xffff; UDP to 4754, checksum 0; GRE K|S */
	CHECK_EQ(sum16(pkt, 20, 0), 0xffff);
	CHECK_EQ(pkt[8], 16);
	CHECK_EQ(pkt[22] << 8 | pkt[23], 4754);
	CHECK_EQ(pkt[26] << 8 | pkt[27], 0);
	CHECK_EQ(pkt[28] << 8 | pkt[29], 0x3000);
	CHECK(pkt[20] >= 0xc0);
	CHECK_EQ(ns_ovl_parse(pkt, NS_OVL_HDR_LEN + n, &h), NS_OVL_OK);
	CHECK_EQ(h.key, 0xabcd1234);
	CHECK_EQ(h.seq, 2);
	CHECK_EQ(h.outer_dst, g);
	CHECK_EQ(h.inner_off, NS_OVL_HDR_LEN);
	CHECK_EQ(h.inner_len, n);
	CHECK(memcmp(pkt + h.inner_off, pkt + NS_OVL_HDR_LEN, n) == 0);
	/* the redundant unicast copy: same sequence, its own destination, valid sum */
	memcpy(copy, pkt, NS_OVL_HDR_LEN + n);
	ns_ovl_redirect(pkt, copy, lh);
	CHECK_EQ(sum16(copy, 20, 0), 0xffff);
	CHECK_EQ(ns_ovl_parse(copy, NS_OVL_HDR_LEN + n, &h), NS_OVL_OK);
	CHECK_EQ(h.seq, 2);
	CHECK_EQ(h.outer_dst, lh);
	/* refused: truncated, another UDP port, GRE with a checksum, a fragment */
	CHECK_EQ(ns_ovl_parse(pkt, 30, &h), NS_OVL_BAD_IP);
	memcpy(copy, pkt, NS_OVL_HDR_LEN + n);
	copy[23] = 0x53;
	CHECK_EQ(ns_ovl_parse(copy, NS_OVL_HDR_LEN + n, &h), NS_OVL_NOT_OURS);
	memcpy(copy, pkt, NS_OVL_HDR_LEN + n);
	copy[28] = 0xb0;
	CHECK_EQ(ns_ovl_parse(copy, NS_OVL_HDR_LEN + n, &h), NS_OVL_BAD_GRE);
	memcpy(copy, pkt, NS_OVL_HDR_LEN + n);
	copy[6] = 0x20;
	CHECK_EQ(ns_ovl_parse(copy, NS_OVL_HDR_LEN + n, &h), NS_OVL_BAD_IP);
	memcpy(copy, pkt, NS_OVL_HDR_LEN + n);
	copy[NS_OVL_HDR_LEN + 3]++; /* inner length disagrees */
	CHECK_EQ(ns_ovl_parse(copy, NS_OVL_HDR_LEN + n, &h), NS_OVL_BAD_INNER);
}

static void
test_rewrite(void)
{
	uint8_t p[300];
	uint32_t n = inner_udp(p, ip4(192, 0, 2, 50), 7000, 201);
	uint32_t s;

	ns_ovl_rewrite_dst(p, n, ip4(192, 0, 2, 77));
	CHECK_EQ(p[19], 77);
	CHECK_EQ(sum16(p, 20, 0), 0xffff);
	s = sum16(p + 12, 8, 0) + 17 + n - 20;
	CHECK_EQ(sum16(p + 20, n - 20, s), 0xffff);
	/* random destinations, sizes and payloads: both sums stay valid */
	for (uint32_t k = 0, x = 12345; k < 2000; k++) {
		uint32_t to, pl;

		x = x * 1103515245u + 12345u;
		pl = (x >> 8) % 200;
		to = x ^ 0x5a5a5a5a;
		n = inner_udp(p, ip4(192, 0, 2, (int)(k & 0xff)), (uint16_t)x, pl);
		ns_ovl_rewrite_dst(p, n, to);
		CHECK(memcmp(p + 16, &to, 4) == 0);
		CHECK_EQ(sum16(p, 20, 0), 0xffff);
		s = sum16(p + 12, 8, 0) + 17 + n - 20;
		if (p[26] == 0xff && p[27] == 0xff) /* the one's complement zero, sent as ffff */
			CHECK(sum16(p + 20, n - 20, s) == 0xffff || sum16(p + 20, n - 20, s) == 0);
		else
			CHECK_EQ(sum16(p + 20, n - 20, s), 0xffff);
	}
	/* a UDP checksum of 0 (none) stays 0 */
	n = inner_udp(p, ip4(192, 0, 2, 50), 7000, 10);
	p[26] = p[27] = 0;
	ns_ovl_rewrite_dst(p, n, ip4(10, 9, 8, 7));
	CHECK_EQ(p[26] | p[27], 0);
	CHECK_EQ(sum16(p, 20, 0), 0xffff);
}

/* --- reorder ------------------------------------------------------------------- */

static uint32_t out[4096], n_out, n_drop;

static void
deliver(void *user, void *pkt, uint32_t seq)
{
	(void)user;
	CHECK_EQ((uint32_t)(uintptr_t)pkt, seq);
	out[n_out++ % 4096] = seq;
}

static void
drop(void *user, void *pkt)
{
	(void)user, (void)pkt;
	n_drop++;
}

static const struct ns_ovl_rx_ops rops = {deliver, drop};

/* Sequence numbers from..to-1 offered in order, one clock unit apart. */
static void
offer_run(struct ns_ovl_rx *r, uint32_t from, uint32_t to, uint64_t *now)
{
	for (uint32_t q = from; q != to; q++)
		ns_ovl_rx_offer(r, q, (void *)(uintptr_t)q, (*now)++, &rops, NULL);
}

static void
test_reorder(void)
{
	struct ns_ovl_rx r;
	uint64_t now = 1000;
	uint32_t seqs[] = {10, 12, 11, 11, 13, 15, 14, 9, 16};

	ns_ovl_rx_init(&r, 1, 5000000);
	n_out = n_drop = 0;
	for (unsigned k = 0; k < sizeof(seqs) / sizeof(seqs[0]); k++)
		ns_ovl_rx_offer(&r, seqs[k], (void *)(uintptr_t)seqs[k], now++, &rops, NULL);
	CHECK_EQ(n_out, 7); /* 10..16 */
	for (uint32_t k = 0; k < n_out; k++)
		CHECK_EQ(out[k], 10 + k);
	CHECK_EQ(n_drop, 2); /* 11 again, 9 behind */
	CHECK_EQ(r.duplicates, 2);
	CHECK_EQ(r.gaps_filled, 2);
	/* a hole: 18 and 19 wait, the tick gives 17 up after hold_ns */
	ns_ovl_rx_offer(&r, 18, (void *)18, now, &rops, NULL);
	ns_ovl_rx_offer(&r, 19, (void *)19, now, &rops, NULL);
	CHECK_EQ(n_out, 7);
	ns_ovl_rx_tick(&r, now + 4000000, &rops, NULL);
	CHECK_EQ(n_out, 7);
	ns_ovl_rx_tick(&r, now + 5000000, &rops, NULL);
	CHECK_EQ(n_out, 9);
	CHECK_EQ(out[7], 18);
	CHECK_EQ(r.lost, 1);
	/* 17 comes late: a duplicate (given up) */
	ns_ovl_rx_offer(&r, 17, (void *)17, now, &rops, NULL);
	CHECK_EQ(n_drop, 3);
	/* far ahead: alone it moves nothing (a candidate); its successor moves
	 * the window there, the numbers skipped are given up */
	ns_ovl_rx_offer(&r, 20 + NS_OVL_WIN + 5, (void *)(uintptr_t)(20 + NS_OVL_WIN + 5), now,
			&rops, NULL);
	CHECK_EQ(r.next, 20);
	CHECK_EQ(r.held, 0);
	CHECK(r.cand_held);
	ns_ovl_rx_offer(&r, 20 + NS_OVL_WIN + 6, (void *)(uintptr_t)(20 + NS_OVL_WIN + 6), now,
			&rops, NULL);
	CHECK_EQ(r.next, 20 + NS_OVL_WIN + 7);
	CHECK_EQ(r.lost, 1 + NS_OVL_WIN + 5);
	CHECK_EQ(out[(n_out - 2) % 4096], 20 + NS_OVL_WIN + 5);
	CHECK_EQ(out[(n_out - 1) % 4096], 20 + NS_OVL_WIN + 6);
	CHECK_EQ(r.restarts, 0);
	ns_ovl_rx_flush(&r, &rops, NULL);
	CHECK_EQ(r.held, 0);
}

/* Two copies of one stream (multicast losing 10 %, unicast 3 %, both
 * reordering a little): every sequence number comes out once, in order,
 * unless both copies lost it. */
static void
test_two_paths(void)
{
	struct ns_ovl_rx r;
	uint64_t rng = 12345, now = 1;
	uint32_t total = 3000, both_lost = 0, expect = 0;
	uint8_t *lost_m = calloc(total, 1), *lost_u = calloc(total, 1);

	ns_ovl_rx_init(&r, 7, 2000000);
	n_out = n_drop = 0;
	for (uint32_t s = 0; s < total; s++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		lost_m[s] = (rng >> 33) % 100 < 10;
		lost_u[s] = (rng >> 45) % 100 < 3;
		both_lost += lost_m[s] && lost_u[s];
	}
	for (uint32_t s = 0; s < total; s += 2) {
		/* pairs swap on the multicast path (not the first: the session
		 * starts where its first packet is); the unicast copy a little later */
		for (int k = s ? 1 : 0; s ? k >= 0 : k < 2; k += s ? -1 : 1)
			if (s + (uint32_t)k < total && !lost_m[s + k])
				ns_ovl_rx_offer(&r, s + k, (void *)(uintptr_t)(s + k), now, &rops,
						NULL);
		now += 100000;
		if (s >= 4)
			for (int k = 0; k < 2; k++)
				if (!lost_u[s - 4 + k])
					ns_ovl_rx_offer(&r, s - 4 + k,
							(void *)(uintptr_t)(s - 4 + k), now, &rops,
							NULL);
		ns_ovl_rx_tick(&r, now, &rops, NULL);
	}
	for (uint32_t s = total - 4; s < total; s++)
		if (!lost_u[s])
			ns_ovl_rx_offer(&r, s, (void *)(uintptr_t)s, now, &rops, NULL);
	ns_ovl_rx_flush(&r, &rops, NULL);
	CHECK_EQ(n_out + both_lost, total);
	for (uint32_t k = 0, s = 0; k < n_out && k < 4096; k++) {
		while (lost_m[s] && lost_u[s])
			s++;
		expect = s++;
		if (out[k] != expect) {
			CHECK_EQ(out[k], expect); /* the first difference only */
			break;
		}
	}
	CHECK_EQ(r.lost, both_lost);
	printf("two paths: %u sent, %u delivered once each, %u lost on both, %llu duplicates "
	       "dropped, %llu reorder releases\n",
			total, n_out, both_lost, (unsigned long long)r.duplicates,
			(unsigned long long)r.reordered);
	free(lost_m);
	free(lost_u);
}

/* A last hop's request: parsed back; its refusals; the soft state. */
static void
test_request_subs(void)
{
	uint8_t p[NS_OVL_REQ_LEN], c[NS_OVL_REQ_LEN];
	struct ns_ovl_hdr h;
	struct ns_ovl_subs subs = {0};
	uint32_t lh = ip4(198, 51, 100, 2), fh = ip4(198, 51, 100, 1);

	CHECK_EQ(ns_ovl_request_build(p, lh, fh, 0x01020304, 3000, 9, false), NS_OVL_REQ_LEN);
	CHECK_EQ(sum16(p, 20, 0), 0xffff);
	CHECK_EQ(ns_ovl_parse(p, sizeof(p), &h), NS_OVL_REQUEST);
	CHECK_EQ(h.key, 0x01020304);
	CHECK_EQ(h.lifetime_ms, 3000);
	CHECK_EQ(h.outer_src, lh);
	for (uint32_t i = 0; i < sizeof(p); i++) { /* no truncation is taken */
		int rc = ns_ovl_parse(p, i, &h);

		CHECK(rc < 0);
	}
	memcpy(c, p, sizeof(p));
	c[36] = 'X'; /* the magic */
	CHECK_EQ(ns_ovl_parse(c, sizeof(c), &h), NS_OVL_BAD_GRE);
	memcpy(c, p, sizeof(p));
	c[40] = 2; /* version */
	CHECK_EQ(ns_ovl_parse(c, sizeof(c), &h), NS_OVL_BAD_GRE);
	memcpy(c, p, sizeof(p));
	c[28] = 0x30; /* K and S with the request's protocol: neither data nor request */
	CHECK(ns_ovl_parse(c, sizeof(c), &h) < 0);
	CHECK_EQ(h.mac_off, 0);
	{
		/* signed: 32 more bytes, the flag; the MAC's input names the requester */
		uint8_t sp[NS_OVL_REQ_SIGNED_LEN], in[NS_OVL_REQ_MAC_IN];

		CHECK_EQ(ns_ovl_request_build(sp, lh, fh, 0x01020304, 3000, 9, true),
				NS_OVL_REQ_SIGNED_LEN);
		CHECK_EQ(sum16(sp, 20, 0), 0xffff);
		CHECK_EQ(ns_ovl_parse(sp, sizeof(sp), &h), NS_OVL_REQUEST);
		CHECK_EQ(h.mac_off, NS_OVL_REQ_LEN);
		ns_ovl_request_mac_input(sp, in);
		CHECK(memcmp(in, &lh, 4) == 0);
		CHECK_EQ(in[4] << 24 | in[5] << 16 | in[6] << 8 | in[7], 0x01020304);
		CHECK(memcmp(in + 8, "NSOR", 4) == 0);
		sp[41] = 0; /* the flag off with the MAC's length: refused */
		CHECK_EQ(ns_ovl_parse(sp, sizeof(sp), &h), NS_OVL_BAD_GRE);
		p[41] = 1; /* the flag on without the MAC: refused */
		CHECK_EQ(ns_ovl_parse(p, sizeof(p), &h), NS_OVL_BAD_GRE);
		p[41] = 0;
	}

	CHECK_EQ(ns_ovl_subs_refresh(&subs, lh, 1000, 3000), 1);
	CHECK_EQ(ns_ovl_subs_refresh(&subs, lh, 2000, 3000), 0); /* refreshed: until 5000 */
	CHECK_EQ(ns_ovl_subs_expire(&subs, 4999), 0);
	CHECK_EQ(subs.n, 1);
	for (uint32_t i = 1; i < NS_OVL_MAX_SUBS; i++)
		CHECK_EQ(ns_ovl_subs_refresh(&subs, lh + (i << 24), 4000, 100000), 1);
	CHECK_EQ(ns_ovl_subs_refresh(&subs, ip4(10, 0, 0, 1), 4000, 100), -1);
	CHECK_EQ(ns_ovl_subs_expire(&subs, 5000), 1); /* lh's lifetime ended */
	CHECK_EQ(subs.n, NS_OVL_MAX_SUBS - 1);
	for (uint32_t i = 0; i < subs.n; i++)
		CHECK(subs.addr[i] != lh);
}

/* A TCP SYN: the MSS option lowered, the checksum still right, at an even
 * and an odd offset (a NOP before it); a SYN with a smaller MSS, an ACK and
 * a UDP packet are left alone. */
static uint32_t
tcp_syn(uint8_t *p, const uint8_t *opt, uint32_t olen, uint8_t flags)
{
	uint32_t doff = 20 + olen, tot = 20 + doff, s;
	uint32_t src = ip4(198, 51, 100, 7), dst = ip4(203, 0, 113, 100);
	uint16_t c;

	memset(p, 0, tot);
	p[0] = 0x45;
	p[3] = (uint8_t)tot;
	p[8] = 64;
	p[9] = 6;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	c = (uint16_t)~sum16(p, 20, 0);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	p[20] = 0x30;
	p[23] = 80;
	p[32] = (uint8_t)((doff / 4) << 4);
	p[33] = flags;
	p[34] = 0xff;
	memcpy(p + 40, opt, olen);
	s = sum16(p + 12, 8, 0) + 6 + doff;
	c = (uint16_t)~sum16(p + 20, doff, s);
	p[36] = (uint8_t)(c >> 8);
	p[37] = (uint8_t)c;
	return tot;
}

static void
test_mss_clamp(void)
{
	static const uint8_t even[] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2};
	static const uint8_t odd[] = {1, 2, 4, 0x05, 0xb4, 1, 4, 2};
	static const uint8_t small[] = {2, 4, 0x04, 0x00, 1, 1, 4, 2};
	uint8_t p[80];
	uint32_t n;

	for (int k = 0; k < 2; k++) {
		n = tcp_syn(p, k ? odd : even, 8, 0x02);
		CHECK_EQ(ns_ovl_clamp_mss(p, n, 1400), 1);
		CHECK_EQ(p[40 + 2 + k] << 8 | p[40 + 3 + k], 1400);
		CHECK_EQ(sum16(p + 20, n - 20, sum16(p + 12, 8, 0) + 6 + n - 20), 0xffff);
	}
	n = tcp_syn(p, small, 8, 0x02);
	CHECK_EQ(ns_ovl_clamp_mss(p, n, 1400), 0);
	n = tcp_syn(p, even, 8, 0x10);
	CHECK_EQ(ns_ovl_clamp_mss(p, n, 1400), 0);
	n = inner_udp(p, ip4(192, 0, 2, 50), 7000, 10);
	CHECK_EQ(ns_ovl_clamp_mss(p, n, 1400), 0);
}

/* A first hop that restarts (sequence back to 0) is followed after two
 * consecutive packets; a single stale copy far behind is dropped; a restart's
 * first packet followed by silence goes after hold_ns (a stray: one packet
 * is no evidence), and its successor, however late, is followed. */
static void
test_restart(void)
{
	struct ns_ovl_rx r;
	uint64_t now = 1000;

	ns_ovl_rx_init(&r, 1, 5000000);
	n_out = n_drop = 0;
	for (uint32_t s = 0; s < 1000; s++)
		ns_ovl_rx_offer(&r, s, (void *)(uintptr_t)s, now++, &rops, NULL);
	CHECK_EQ(n_out, 1000);
	for (uint32_t s = 0; s < 10; s++)
		ns_ovl_rx_offer(&r, s, (void *)(uintptr_t)s, now++, &rops, NULL);
	CHECK_EQ(r.restarts, 1);
	CHECK_EQ(n_out, 1010);
	CHECK_EQ(n_drop, 0);
	for (uint32_t k = 0; k < 10; k++)
		CHECK_EQ(out[1000 + k], k);
	/* a stale copy far behind, then the stream goes on: dropped */
	ns_ovl_rx_offer(&r, 10 - 300, (void *)(uintptr_t)(10 - 300), now++, &rops, NULL);
	ns_ovl_rx_offer(&r, 10, (void *)10, now++, &rops, NULL);
	CHECK_EQ(r.restarts, 1);
	CHECK_EQ(n_drop, 1);
	CHECK_EQ(out[1010], 10);
	/* restart, then nothing: the tick drops its packet after hold_ns, the
	 * window stays; the successor a second later is followed */
	for (uint32_t q = 11; q < 500; q++)
		ns_ovl_rx_offer(&r, q, (void *)(uintptr_t)q, now++, &rops, NULL);
	n_out = 1011;
	ns_ovl_rx_offer(&r, 0, (void *)0, now, &rops, NULL);
	ns_ovl_rx_tick(&r, now + 4999999, &rops, NULL);
	CHECK_EQ(r.strays, 1); /* the stale copy above */
	ns_ovl_rx_tick(&r, now + 5000000, &rops, NULL);
	CHECK_EQ(r.restarts, 1);
	CHECK_EQ(r.strays, 2);
	CHECK_EQ(n_drop, 2);
	CHECK_EQ(r.next, 500);
	ns_ovl_rx_offer(&r, 1, (void *)1, now + 1000000000ull, &rops, NULL);
	CHECK_EQ(r.restarts, 2);
	CHECK_EQ(out[1011], 1);
	CHECK_EQ(r.next, 2);
	CHECK_EQ(r.lost, 0);
}

static void
set_cksum(uint8_t *ip)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = (uint16_t)~sum16(ip, (uint32_t)(ip[0] & 15) * 4, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* The inner packets the last hop refuses, refused by the check both hops
 * run: the reported frame (IHL 4), IHL 0, a wrong checksum, TTL 0, total
 * lengths below the header or past the bytes; Ethernet padding is fine. */
static void
test_inner_check(void)
{
	static const char reported[] = "020000000002020000000099080044000023300100004011e3c5cb00710"
				       "7c63364c800010002000f7ec050332d69686c34";
	uint8_t f[64], p[300];
	uint32_t n;

	for (size_t i = 0; i < sizeof(f) && 2 * i + 1 < sizeof(reported); i++)
		sscanf(reported + 2 * i, "%2hhx", &f[i]);
	CHECK_EQ(ns_ovl_inner_check(f + 14, (sizeof(reported) - 1) / 2 - 14), NS_OVL_INNER_BAD_IHL);
	n = inner_udp(p, ip4(192, 0, 2, 50), 5000, 20);
	CHECK_EQ(ns_ovl_inner_check(p, n), NS_OVL_INNER_OK);
	CHECK_EQ(ns_ovl_inner_check(p, n + 18), NS_OVL_INNER_OK); /* padded */
	CHECK_EQ(ns_ovl_inner_check(p, 19), NS_OVL_INNER_BAD_IHL);
	p[0] = 0x40;
	CHECK_EQ(ns_ovl_inner_check(p, n), NS_OVL_INNER_BAD_IHL);
	p[0] = 0x65;
	CHECK_EQ(ns_ovl_inner_check(p, n), NS_OVL_INNER_BAD_IHL);
	p[0] = 0x4f; /* 60 bytes of header in a 48-byte packet */
	CHECK_EQ(ns_ovl_inner_check(p, n), NS_OVL_INNER_BAD_IHL);
	n = inner_udp(p, ip4(192, 0, 2, 50), 5000, 20);
	p[11] ^= 1;
	CHECK_EQ(ns_ovl_inner_check(p, n), NS_OVL_INNER_BAD_CKSUM);
	n = inner_udp(p, ip4(192, 0, 2, 50), 5000, 20);
	p[8] = 0;
	set_cksum(p);
	CHECK_EQ(ns_ovl_inner_check(p, n), NS_OVL_INNER_TTL_ZERO);
	n = inner_udp(p, ip4(192, 0, 2, 50), 5000, 20);
	p[2] = 0, p[3] = 19;
	set_cksum(p);
	CHECK_EQ(ns_ovl_inner_check(p, n), NS_OVL_INNER_BAD_LEN);
	p[3] = (uint8_t)(n + 1);
	set_cksum(p);
	CHECK_EQ(ns_ovl_inner_check(p, n), NS_OVL_INNER_BAD_LEN);
}

/* The last hop checks the outer header too: its checksum, a TTL of 0; and
 * the inner one as the first hop does (the reason given). */
static void
test_parse_outer_inner(void)
{
	struct ns_ovl_tx s;
	struct ns_ovl_hdr h;
	uint8_t pkt[NS_OVL_HDR_LEN + 256], copy[NS_OVL_HDR_LEN + 256];
	uint32_t n;

	ns_ovl_tx_init(&s, 7001, ip4(239, 1, 1, 1), ip4(192, 0, 2, 1), 8);
	n = inner_udp(pkt + NS_OVL_HDR_LEN, ip4(203, 0, 113, 100), 5000, 30);
	ns_ovl_encap(&s, pkt, pkt + NS_OVL_HDR_LEN, (uint16_t)n);
	CHECK_EQ(ns_ovl_parse(pkt, NS_OVL_HDR_LEN + n, &h), NS_OVL_OK);
	memcpy(copy, pkt, NS_OVL_HDR_LEN + n);
	copy[10] ^= 0x40;
	CHECK_EQ(ns_ovl_parse(copy, NS_OVL_HDR_LEN + n, &h), NS_OVL_BAD_CKSUM);
	memcpy(copy, pkt, NS_OVL_HDR_LEN + n);
	copy[8] = 0;
	set_cksum(copy);
	CHECK_EQ(ns_ovl_parse(copy, NS_OVL_HDR_LEN + n, &h), NS_OVL_TTL_ZERO);
	memcpy(copy, pkt, NS_OVL_HDR_LEN + n);
	copy[NS_OVL_HDR_LEN + 11] ^= 1;
	CHECK_EQ(ns_ovl_parse(copy, NS_OVL_HDR_LEN + n, &h), NS_OVL_BAD_INNER);
	CHECK_EQ(h.inner_why, NS_OVL_INNER_BAD_CKSUM);
	memcpy(copy, pkt, NS_OVL_HDR_LEN + n);
	copy[NS_OVL_HDR_LEN + 8] = 0;
	set_cksum(copy + NS_OVL_HDR_LEN);
	CHECK_EQ(ns_ovl_parse(copy, NS_OVL_HDR_LEN + n, &h), NS_OVL_BAD_INNER);
	CHECK_EQ(h.inner_why, NS_OVL_INNER_TTL_ZERO);
	memcpy(copy, pkt, NS_OVL_HDR_LEN + n);
	copy[NS_OVL_HDR_LEN] = 0x44;
	CHECK_EQ(ns_ovl_parse(copy, NS_OVL_HDR_LEN + n, &h), NS_OVL_BAD_INNER);
	CHECK_EQ(h.inner_why, NS_OVL_INNER_BAD_IHL);
}

/* One packet far from the window (any jump from the window's end to far
 * ahead, or far behind) never silences a session nor counts losses: the
 * stream around it is delivered whole, in order, the packet a stray. */
static void
test_stray_sequence(void)
{
	static const uint32_t far[] = {
			200, 0x7fffffffu, 0x80000000u, 0x80000005u, 0xfffffe00u, 0xffffff00u};
	uint32_t jumps = 0;

	for (uint32_t j = 0; j < 330 + sizeof(far) / sizeof(far[0]); j++) {
		uint32_t jump = j < 330 ? j : far[j - 330];
		struct ns_ovl_rx r;
		uint64_t now = 1000;
		int32_t dj = (int32_t)jump;

		if (j < 330 && j < NS_OVL_WIN)
			continue; /* inside the window: an early packet, held */
		if (dj < 0 && dj >= -(int32_t)NS_OVL_RESTART)
			continue; /* a late duplicate */
		jumps++;
		ns_ovl_rx_init(&r, 7001, 50000000);
		n_out = n_drop = 0;
		offer_run(&r, 1000, 1020, &now);
		ns_ovl_rx_offer(&r, 1020 + jump, (void *)(uintptr_t)(1020 + jump), now++, &rops,
				NULL);
		for (uint32_t q = 1020; q < 1040; q++) {
			ns_ovl_rx_offer(&r, q, (void *)(uintptr_t)q, now++, &rops, NULL);
			ns_ovl_rx_tick(&r, now, &rops, NULL);
		}
		if (n_out != 40 || r.lost != 0)
			fprintf(stderr, "jump %u: %u delivered, %llu lost\n", jump, n_out,
					(unsigned long long)r.lost);
		CHECK_EQ(n_out, 40);
		for (uint32_t k = 0; k < n_out && k < 40; k++)
			CHECK_EQ(out[k], 1000 + k);
		CHECK_EQ(n_drop, 1);
		CHECK_EQ(r.strays, 1);
		CHECK_EQ(r.lost, 0);
		CHECK_EQ(r.duplicates, 0);
		CHECK_EQ(r.restarts, 0);
		CHECK_EQ(r.next, 1040);
	}
	CHECK(jumps > 250);
}

/* A stray between every two packets of the stream, forged as the stream's
 * successor of the last stray (the one thing that would move the window)
 * is impossible to tell from a restart only when it comes twice in a row:
 * alternating, the session stays whole. */
static void
test_stray_every_other(void)
{
	struct ns_ovl_rx r;
	uint64_t now = 1000, x = 99;

	ns_ovl_rx_init(&r, 1, 50000000);
	n_out = n_drop = 0;
	for (uint32_t q = 0; q < 2000; q++) {
		uint32_t f;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		f = q + NS_OVL_WIN + (uint32_t)(x >> 33) % 0x7fffff00u;
		ns_ovl_rx_offer(&r, q, (void *)(uintptr_t)q, now++, &rops, NULL);
		ns_ovl_rx_offer(&r, f, (void *)(uintptr_t)f, now++, &rops, NULL);
	}
	ns_ovl_rx_flush(&r, &rops, NULL);
	CHECK_EQ(n_out, 2000);
	CHECK_EQ(r.strays, 2000);
	CHECK_EQ(r.lost, 0);
	CHECK_EQ(r.restarts, 0);
}

/* A loss longer than the window on both paths: two consecutive numbers
 * after it are followed, the numbers skipped counted as lost, however many;
 * a jump back (a first hop that restarted) is a restart, nothing lost. */
static void
test_long_loss_followed(void)
{
	struct ns_ovl_rx r;
	uint64_t now = 1000;

	ns_ovl_rx_init(&r, 1, 50000000);
	n_out = n_drop = 0;
	offer_run(&r, 0, 10, &now);
	offer_run(&r, 110, 113, &now);
	CHECK_EQ(n_out, 13);
	CHECK_EQ(out[10], 110);
	CHECK_EQ(r.lost, 100);
	CHECK_EQ(r.restarts, 0);
	/* its other copy, and the candidate's own, are duplicates */
	ns_ovl_rx_offer(&r, 110, (void *)110, now++, &rops, NULL);
	CHECK_EQ(r.duplicates, 1);
	ns_ovl_rx_offer(&r, 100113, (void *)100113, now++, &rops, NULL);
	ns_ovl_rx_offer(&r, 100113, (void *)100113, now++, &rops, NULL);
	CHECK_EQ(r.duplicates, 2);
	ns_ovl_rx_offer(&r, 100114, (void *)100114, now++, &rops, NULL);
	CHECK_EQ(r.restarts, 0);
	CHECK_EQ(r.lost, 100 + 100000);
	CHECK_EQ(n_out, 15);
	CHECK_EQ(out[14], 100114);
	CHECK_EQ(r.next, 100115);
	/* back to 0: a restart */
	offer_run(&r, 0, 2, &now);
	CHECK_EQ(r.restarts, 1);
	CHECK_EQ(r.lost, 100 + 100000);
	CHECK_EQ(n_out, 17);
	CHECK_EQ(r.next, 2);
}

/* Random streams (loss, reordering, both copies) with random strays: every
 * packet offered ends in exactly one place (delivered, duplicate, stray, or
 * still waiting), and one packet never adds 2^31 or more to lost. */
static void
test_window_accounting(void)
{
	uint64_t x = 4242;

	for (int run = 0; run < 50; run++) {
		struct ns_ovl_rx r;
		uint64_t now = 1, lost_before;
		uint32_t seq = (uint32_t)(x >> 20);

		ns_ovl_rx_init(&r, 1, 5000000);
		n_out = n_drop = 0;
		for (int k = 0; k < 3000; k++) {
			uint32_t q;

			x = x * 6364136223846793005ull + 1442695040888963407ull;
			switch ((x >> 60) & 15) {
			case 0:
				q = (uint32_t)(x >> 16); /* anywhere */
				break;
			case 1:
				q = seq - (uint32_t)(x >> 40) % 600; /* behind */
				break;
			case 2:
				seq += (uint32_t)(x >> 40) % 300; /* a loss */
								  /* fall through */
			default:
				q = seq++;
				if ((x >> 50) & 1) /* reordered a little */
					q += (uint32_t)(x >> 51) % 3;
				break;
			}
			lost_before = r.lost;
			ns_ovl_rx_offer(&r, q, (void *)(uintptr_t)q, now, &rops, NULL);
			CHECK(r.lost - lost_before < (1ull << 31));
			now += 100000;
			if ((k & 15) == 0)
				ns_ovl_rx_tick(&r, now, &rops, NULL);
		}
		CHECK_EQ(r.delivered + r.duplicates + r.strays + r.held + (r.cand_held ? 1 : 0),
				r.received);
		CHECK_EQ(r.delivered, n_out);
		CHECK_EQ(r.duplicates + r.strays, n_drop);
		ns_ovl_rx_flush(&r, &rops, NULL);
		CHECK_EQ(r.delivered + r.duplicates + r.strays, r.received);
	}
}

int
main(void)
{
	RUN(test_encap_parse);
	RUN(test_rewrite);
	RUN(test_reorder);
	RUN(test_two_paths);
	RUN(test_request_subs);
	RUN(test_mss_clamp);
	RUN(test_restart);
	RUN(test_inner_check);
	RUN(test_parse_outer_inner);
	RUN(test_stray_sequence);
	RUN(test_stray_every_other);
	RUN(test_long_loss_followed);
	RUN(test_window_accounting);
	return TEST_SUMMARY();
}
