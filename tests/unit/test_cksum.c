/* SPDX-License-Identifier: BSD-3-Clause */
/* ns_cksum.h against DPDK's rte_ipv4_udptcp_cksum(): every length 0..1600,
 * every alignment 0..7, random contents and addresses, corrupted copies; the
 * incremental update against a full computation, the IPv4 header writer
 * against rte_ipv4_cksum(), and ns_wire.h's loads and stores. */
#include <stdlib.h>

#include <rte_ip.h>

#include "common/ns_cksum.h"
#include "tcp/byte_fifo.h"
#include "ns_test.h"

static void
test_matches_dpdk(void)
{
	/* The IPv4 header aligned (as in an mbuf), the L4 bytes at every offset 0..7. */
	static uint8_t mem[2048 + 64] __attribute__((aligned(64)));
	unsigned int seed = 7, mismatches = 0, verified = 0, caught = 0;

	for (unsigned int len = 0; len <= 1600; len++) {
		unsigned int align = len % 8;
		struct rte_ipv4_hdr ip;
		uint8_t *l4 = mem + align;
		uint16_t c_dpdk, c_ns, zero = 0;

		for (unsigned int i = 0; i < len; i++)
			l4[i] = (uint8_t)rand_r(&seed);
		memset(&ip, 0, sizeof(ip));
		ip.src_addr = (uint32_t)rand_r(&seed);
		ip.dst_addr = (uint32_t)rand_r(&seed);
		ip.version_ihl = 0x45;
		ip.total_length = rte_cpu_to_be_16((uint16_t)(20 + len));
		ip.next_proto_id = IPPROTO_TCP;
		c_dpdk = rte_ipv4_udptcp_cksum(&ip, l4);
		c_ns = ns_ipv4_l4_cksum(&ip, l4);
		mismatches += c_dpdk != c_ns;
		if (len >= 18) { /* store it in the TCP checksum field: both must verify */
			memcpy(l4 + 16, &zero, 2);
			c_ns = ns_ipv4_l4_cksum(&ip, l4);
			memcpy(l4 + 16, &c_ns, 2);
			verified += ns_ipv4_l4_cksum_verify(&ip, l4) == 0 &&
				    rte_ipv4_udptcp_cksum_verify(&ip, l4) == 0;
			l4[len - 1] ^= 0x40; /* one flipped bit is caught */
			caught += ns_ipv4_l4_cksum_verify(&ip, l4) != 0;
		}
	}
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(verified, 1600 - 18 + 1);
	CHECK_EQ(caught, 1600 - 18 + 1);
}

/* A segment whose checksum computes to 0: TCP sends 0x0000 (RFC 1624; tshark
 * flags 0xffff), UDP 0xffff (RFC 768); both verify.  The interop capture
 * caught 9 such TCP segments in 800 000 when 0 was mapped for TCP too. */
static void
test_zero_checksum(void)
{
	uint8_t pkt[20 + 20 + 100] __attribute__((aligned(8)));
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
	uint16_t *fix = (uint16_t *)(pkt + 20 + 20), *field = (uint16_t *)(pkt + 20 + 16);

	for (int proto = 0; proto < 2; proto++) {
		uint8_t p = proto ? IPPROTO_UDP : IPPROTO_TCP;

		for (unsigned int i = 0; i < sizeof(pkt); i++)
			pkt[i] = (uint8_t)(i * 37 + 11);
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16(sizeof(pkt));
		ip->next_proto_id = p;
		*field = 0;
		*fix = 0;
		/* choose one word so that the sum folds to 0xffff: checksum 0 */
		*fix = (uint16_t)(0xffff - ns_cksum_raw(ip + 1, sizeof(pkt) - 20,
							   rte_ipv4_phdr_cksum(ip, 0)));
		CHECK_EQ(rte_ipv4_udptcp_cksum(ip, ip + 1), p == IPPROTO_UDP ? 0xffff : 0);
		CHECK_EQ(ns_ipv4_l4_cksum(ip, ip + 1), p == IPPROTO_UDP ? 0xffff : 0);
		*field = ns_ipv4_l4_cksum(ip, ip + 1);
		CHECK_EQ(ns_ipv4_l4_cksum_verify(ip, ip + 1), 0);
		CHECK_EQ(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
	}
}

/* RFC 1624: one 16-bit field, a 32-bit one, and both at once through a
 * summed delta, in host order and in memory order, against the checksum
 * computed again over the changed bytes. */
static void
test_incremental_update(void)
{
	unsigned int seed = 11, wrong = 0;

	for (int round = 0; round < 20000; round++) {
		uint8_t b[64];
		uint16_t hc, hc_raw, full, old16, new16 = (uint16_t)rand_r(&seed);
		uint32_t old32, new32 = (uint32_t)rand_r(&seed) ^ (uint32_t)rand_r(&seed) << 16, d;
		uint16_t raw_old16, raw_new16;
		uint32_t raw_old32, raw_new32;

		for (unsigned int i = 0; i < sizeof(b); i++)
			b[i] = (uint8_t)rand_r(&seed);
		if (round % 7 == 0)
			memset(b, 0xff, 8); /* sums near the fold */
		b[10] = b[11] = 0;
		ns_put_be16(b + 10, ns_cksum_be(b, sizeof(b)));
		hc = ns_get_be16(b + 10);
		memcpy(&hc_raw, b + 10, 2);
		old16 = ns_get_be16(b + 4);
		memcpy(&raw_old16, b + 4, 2);
		old32 = ns_get_be32(b + 16);
		memcpy(&raw_old32, b + 16, 4);
		ns_put_be16(b + 4, new16);
		ns_put_be32(b + 16, new32);
		memcpy(&raw_new16, b + 4, 2);
		memcpy(&raw_new32, b + 16, 4);
		d = ns_cksum_delta16(old16, new16) + ns_cksum_delta32(old32, new32);
		hc = ns_cksum_apply(hc, d);
		hc_raw = ns_cksum_update32(ns_cksum_update16(hc_raw, raw_old16, raw_new16),
				raw_old32, raw_new32);
		/* the field updated is right: the whole verifies */
		ns_put_be16(b + 10, hc);
		full = ns_cksum_raw(b, sizeof(b), 0);
		wrong += full != 0xffff && full != 0;
		memcpy(b + 10, &hc_raw, 2);
		full = ns_cksum_raw(b, sizeof(b), 0);
		wrong += full != 0xffff && full != 0;
	}
	CHECK_EQ(wrong, 0);
}

static void
test_ipv4_hdr_write(void)
{
	unsigned int seed = 3;

	for (int round = 0; round < 1000; round++) {
		uint8_t b[24];
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;
		uint32_t src = (uint32_t)rand_r(&seed), dst = (uint32_t)rand_r(&seed);
		uint16_t tot = (uint16_t)rand_r(&seed), id = (uint16_t)rand_r(&seed), c;
		uint32_t hlen = round & 1 ? 24 : 20;

		memset(b, 0xee, sizeof(b));
		b[20] = 0x94; /* Router Alert */
		b[21] = 4;
		b[22] = b[23] = 0;
		ns_ipv4_hdr_write(b, hlen, 0xc0, tot, id, 0x4000, 255, 17, src, dst);
		CHECK_EQ(ip->version_ihl, 0x40 | hlen / 4);
		CHECK_EQ(ip->type_of_service, 0xc0);
		CHECK_EQ(rte_be_to_cpu_16(ip->total_length), tot);
		CHECK_EQ(rte_be_to_cpu_16(ip->packet_id), id);
		CHECK_EQ(ip->fragment_offset, RTE_BE16(RTE_IPV4_HDR_DF_FLAG));
		CHECK_EQ(ip->time_to_live, 255);
		CHECK_EQ(ip->next_proto_id, 17);
		CHECK_EQ(ip->src_addr, src);
		CHECK_EQ(ip->dst_addr, dst);
		c = ip->hdr_checksum;
		ip->hdr_checksum = 0;
		CHECK_EQ(c, rte_ipv4_cksum(ip));
		ip->hdr_checksum = c;
	}
}

static void
test_wire(void)
{
	uint8_t b[5] = {0};
	uint32_t host;

	ns_put_be32(b + 1, 0x01020304u);
	CHECK(b[1] == 1 && b[2] == 2 && b[3] == 3 && b[4] == 4);
	CHECK_EQ(ns_get_be32(b + 1), 0x01020304u);
	CHECK_EQ(ns_get_be16(b + 2), 0x0203);
	ns_put_be16(b, 0xa0b0);
	CHECK(b[0] == 0xa0 && b[1] == 0xb0);
	host = 0xe0000016u;
	CHECK_EQ(NS_BE32(host), rte_cpu_to_be_32(host));
	CHECK_EQ(NS_BE16(0x1234), rte_cpu_to_be_16(0x1234));
	CHECK_EQ(ns_get_be32(&(uint32_t){NS_BE32(0xe0000001u)}), 0xe0000001u);
}

/* The vector sums (SSE2 and, where the CPU has it, AVX2) against the scalar
 * one, whichever ns_cksum_any picks on this machine: every length 0..3000 at
 * every alignment 0..7, words of all ones (the lanes' carries) and random
 * words, with an unfolded starting sum as the pseudo-header's. */
static void
test_vector_sums(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	static uint8_t mem[3000 + 8] __attribute__((aligned(64)));
	unsigned int seed = 11, bad_sse2 = 0, bad_avx2 = 0, runs = 0;
	int avx2 = __builtin_cpu_supports("avx2");

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < sizeof(mem); i++)
			mem[i] = pass == 0 ? 0xff : (uint8_t)rand_r(&seed);
		for (unsigned int len = 0; len <= 3000; len++) {
			for (unsigned int off = 0; off < 8; off++) {
				uint64_t start = pass == 0 ? 0x3fffdfffeull
							   : (uint64_t)rand_r(&seed);
				uint16_t ref = ns_cksum_scalar(mem + off, len, start);

				bad_sse2 += ns_cksum_sse2(mem + off, len, start) != ref;
				if (avx2)
					bad_avx2 += ns_cksum_avx2(mem + off, len, start) != ref;
				runs++;
			}
		}
	}
	CHECK_EQ(runs, 2 * 3001 * 8);
	CHECK_EQ(bad_sse2, 0);
	CHECK_EQ(bad_avx2, 0);
	if (!avx2)
		printf("  (no AVX2 on this CPU: its sum not run)\n");
#else
	printf("  (not x86-64: the scalar sum only)\n");
#endif
}

/* The copy with its sum (ns_cksum_copy) against memcpy and ns_cksum_raw at
 * every length 0..3000 and source and destination alignment 0..7, two runs
 * joined at every split (ns_cksum_join, odd splits included), and the send
 * queue's copy out of a ring that wraps at every offset
 * (ns_fifo_get_at_cksum). */
static void
test_copy_sums(void)
{
	static uint8_t src[3000 + 8], dst[3000 + 8], ring[4096];
	unsigned int seed = 13, bad_copy = 0, bad_sum = 0, bad_join = 0, bad_fifo = 0;
	struct ns_fifo f = {.buf = ring, .size = sizeof(ring)};

	for (unsigned int i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)rand_r(&seed);
	for (unsigned int len = 0; len <= 3000; len++) {
		unsigned int so = len % 8, d_o = (len / 8) % 8;
		uint64_t start = (uint64_t)rand_r(&seed) << 3;

		memset(dst, 0, sizeof(dst));
		bad_sum += ns_cksum_copy(dst + d_o, src + so, len, start) !=
			   ns_cksum_raw(src + so, len, start);
		bad_copy += memcmp(dst + d_o, src + so, len) != 0;
		bad_copy += dst[d_o + len] != 0 || (d_o > 0 && dst[d_o - 1] != 0);
	}
	for (unsigned int cut = 0; cut <= 1600; cut++)
		bad_join += ns_cksum_join(ns_cksum_raw(src, cut, 0), cut,
					    ns_cksum_raw(src + cut, 1600 - cut, 0)) !=
			    ns_cksum_raw(src, 1600, 0);
	for (unsigned int i = 0; i < sizeof(ring); i++)
		ring[i] = (uint8_t)rand_r(&seed);
	for (uint32_t pos = 0; pos < sizeof(ring); pos += 1 + pos % 3) {
		uint32_t n = 1 + (pos * 7) % 1500;

		memset(dst, 0, sizeof(dst));
		ns_fifo_get_at(&f, pos, src, n);
		bad_fifo += ns_fifo_get_at_cksum(&f, pos, dst, n) != ns_cksum_raw(src, n, 0);
		bad_fifo += memcmp(dst, src, n) != 0;
	}
	CHECK_EQ(bad_copy, 0);
	CHECK_EQ(bad_sum, 0);
	CHECK_EQ(bad_join, 0);
	CHECK_EQ(bad_fifo, 0);
}

int
main(void)
{
	RUN(test_matches_dpdk);
	RUN(test_vector_sums);
	RUN(test_copy_sums);
	RUN(test_zero_checksum);
	RUN(test_incremental_update);
	RUN(test_ipv4_hdr_write);
	RUN(test_wire);
	return TEST_SUMMARY();
}
