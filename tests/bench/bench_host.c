/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instruction-count driver for the host stack (run under callgrind by
 * scripts/bench/callgrind_host.sh): feeds N frames of one kind through
 * ns_host_input.  Mode "copy" only restores the frame, to subtract.
 *   bench_host echo|arp|bad_cksum|copy N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "net/host.h"

static uint64_t ctr[NS_NET__MAX];

static void
nop_rel(void *u, void *p, const struct rte_ether_addr *m)
{
	(void)u, (void)p, (void)m;
}
static void
nop_disc(void *u, void *p)
{
	(void)u, (void)p;
}
static void
nop_sol(void *u, rte_be32_t ip)
{
	(void)u, (void)ip;
}

static uint16_t
make_echo(uint8_t *f)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);
	const uint16_t tot = 20 + 8 + 56;

	memset(f, 0, 14 + tot);
	e->dst_addr = (struct rte_ether_addr){{2, 0, 0, 0, 0, 2}};
	e->src_addr = (struct rte_ether_addr){{2, 0, 0, 0, 0, 1}};
	e->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(tot);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = RTE_BE32(0xC0000201);
	ip->dst_addr = RTE_BE32(0xC0000202);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_cksum = ~rte_raw_cksum(ic, 64);
	return 14 + tot;
}

static uint16_t
make_arp(uint8_t *f)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)f;
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(e + 1);

	memset(f, 0, 60);
	memset(&e->dst_addr, 0xff, 6);
	e->src_addr = (struct rte_ether_addr){{2, 0, 0, 0, 0, 1}};
	e->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	a->arp_data.arp_sha = e->src_addr;
	a->arp_data.arp_sip = RTE_BE32(0xC0000201);
	a->arp_data.arp_tip = RTE_BE32(0xC0000202);
	return 60;
}

int
main(int argc, char **argv)
{
	static const struct ns_arp_ops ops = {nop_rel, nop_disc, nop_sol};
	struct ns_arp_params p = {64, 300000000000ull, 1000000000ull, 3};
	struct ns_host h = {0};
	uint8_t tmpl[128], f[128];
	uint16_t tlen;
	long n;
	int copy_only = 0;
	unsigned long sink = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_host echo|arp|bad_cksum|copy N\n");
		return 2;
	}
	n = atol(argv[2]);
	h.mac = (struct rte_ether_addr){{2, 0, 0, 0, 0, 2}};
	h.ip = RTE_BE32(0xC0000202);
	h.netmask = RTE_BE32(0xffffff00);
	h.ttl = 64;
	h.ctr = ctr;
	if (ns_arp_cache_init(&h.arp, &p, &ops, &h, ctr) != 0)
		return 1;
	if (!strcmp(argv[1], "arp")) {
		tlen = make_arp(tmpl);
	} else {
		tlen = make_echo(tmpl);
		if (!strcmp(argv[1], "bad_cksum"))
			tmpl[24] ^= 0xff;
		else if (!strcmp(argv[1], "copy"))
			copy_only = 1;
	}
	for (long i = 0; i < n; i++) {
		struct ns_l4_info l4;
		uint16_t len = tlen;

		memcpy(f, tmpl, tlen);
		if (!copy_only)
			sink += ns_host_input(&h, f, &len, (uint64_t)i * 1000, &l4);
		sink += f[20];
	}
	ns_arp_cache_fini(&h.arp);
	printf("%lu\n", sink);
	return 0;
}
