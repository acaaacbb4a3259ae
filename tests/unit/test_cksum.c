/* SPDX-License-Identifier: BSD-3-Clause */
/* ns_cksum.h against DPDK's rte_ipv4_udptcp_cksum(): every length 0..1600,
 * every alignment 0..7, random contents and addresses, corrupted copies. */
#include <stdlib.h>

#include "ns_cksum.h"
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

int
main(void)
{
	RUN(test_matches_dpdk);
	RUN(test_zero_checksum);
	return TEST_SUMMARY();
}
