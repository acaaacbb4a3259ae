/* SPDX-License-Identifier: BSD-3-Clause */
/* ns_cksum.h against DPDK's rte_ipv4_udptcp_cksum(): every length 0..1600,
 * every alignment 0..7, random contents and addresses, corrupted copies. */
#include <stdlib.h>

#include "ns_cksum.h"
#include "ns_test.h"

static void
test_matches_dpdk(void)
{
	static uint8_t mem[2048 + 64];
	unsigned int seed = 7, mismatches = 0, verified = 0, caught = 0;

	for (unsigned int len = 0; len <= 1600; len++) {
		unsigned int align = len % 8;
		uint8_t *pkt = mem + align;
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
		uint16_t c_dpdk, c_ns;

		for (unsigned int i = 0; i < 20 + len; i++)
			pkt[i] = (uint8_t)rand_r(&seed);
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + len));
		ip->next_proto_id = IPPROTO_TCP;
		c_dpdk = rte_ipv4_udptcp_cksum(ip, ip + 1);
		c_ns = ns_ipv4_l4_cksum(ip, ip + 1);
		mismatches += c_dpdk != c_ns;
		if (len >= 18) { /* store it in the TCP checksum field: both must verify */
			uint16_t *f = (uint16_t *)((uint8_t *)(ip + 1) + 16);

			*f = 0;
			*f = ns_ipv4_l4_cksum(ip, ip + 1);
			verified += ns_ipv4_l4_cksum_verify(ip, ip + 1) == 0 &&
				    rte_ipv4_udptcp_cksum_verify(ip, ip + 1) == 0;
			pkt[20 + len - 1] ^= 0x40; /* one flipped bit is caught */
			caught += ns_ipv4_l4_cksum_verify(ip, ip + 1) != 0;
		}
	}
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(verified, 1600 - 18 + 1);
	CHECK_EQ(caught, 1600 - 18 + 1);
}

int
main(void)
{
	RUN(test_matches_dpdk);
	return TEST_SUMMARY();
}
