/* SPDX-License-Identifier: BSD-3-Clause */
/* The active-open RSS port picker: Toeplitz against Microsoft's published
 * verification vectors, and picked ports landing on the wanted queue. */
#include <arpa/inet.h>

#include <rte_thash.h>

#include "ns_test.h"
#include "rss.h"

static rte_be32_t
ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

/* "Verifying the RSS Hash Calculation" (Microsoft), IPv4 with TCP ports. */
static void
test_toeplitz_vectors(void)
{
	static const struct {
		const char *src, *dst;
		uint16_t sport, dport;
		uint32_t hash;
	} v[] = {
			{"66.9.149.187", "161.142.100.80", 2794, 1766, 0x51ccc178},
			{"199.92.111.2", "65.69.140.83", 14230, 4739, 0xc626b0ea},
			{"24.19.198.95", "12.22.207.184", 12898, 38024, 0x5c2b394a},
			{"38.27.205.30", "209.142.163.6", 48228, 2217, 0xafc7327f},
			{"153.39.163.191", "202.188.127.2", 44251, 1303, 0x10e828a2},
	};
	struct ns_rss r;

	ns_rss_init(&r, 0, 1);
	for (unsigned int i = 0; i < RTE_DIM(v); i++) {
		uint32_t t[3] = {rte_be_to_cpu_32(ip(v[i].src)), rte_be_to_cpu_32(ip(v[i].dst)),
				(uint32_t)v[i].sport << 16 | v[i].dport};

		CHECK_EQ(rte_softrss(t, 3, r.key), v[i].hash);
	}
	/* ns_rss_queue hashes the reply: source = the remote end. */
	r.reta_size = 128;
	for (uint16_t k = 0; k < 128; k++)
		r.reta[k] = k;
	CHECK_EQ(ns_rss_queue(&r, ip("66.9.149.187"), ip("161.142.100.80"), rte_cpu_to_be_16(2794),
				 rte_cpu_to_be_16(1766)),
			0x51ccc178 % 128);
}

static bool
want_q(uint16_t q, void *arg)
{
	return q == *(uint16_t *)arg;
}

static void
test_picked_ports_land_on_the_queue(void)
{
	struct ns_rss r;
	unsigned int ok = 0, n = 0;

	ns_rss_init(&r, 128, 4);
	for (uint16_t q = 0; q < 4; q++)
		for (uint16_t start = 0; start < 2000; start += 97) {
			uint16_t port = ns_rss_pick_port(&r, ip("198.51.100.7"), ip("198.51.100.1"),
					rte_cpu_to_be_16(80), start, want_q, NULL, &q);

			n++;
			ok += port >= 49152 &&
			      ns_rss_queue(&r, ip("198.51.100.7"), ip("198.51.100.1"),
					      rte_cpu_to_be_16(80), rte_cpu_to_be_16(port)) == q;
		}
	CHECK_EQ(ok, n);
}

int
main(void)
{
	RUN(test_toeplitz_vectors);
	RUN(test_picked_ports_land_on_the_queue);
	return TEST_SUMMARY();
}
