/* SPDX-License-Identifier: BSD-3-Clause */
/* Host stack input: ARP responder, IPv4 validation, ICMP echo, drop counters. */
#include <stdlib.h>
#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "net/host.h"
#include "ns_test.h"

static uint64_t ctr[NS_NET__MAX];
static struct ns_host h;
static int frames_sent;

static const struct rte_ether_addr our_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
static const struct rte_ether_addr peer_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
#define OUR_IP	RTE_BE32(0xC0000202) /* 192.0.2.2 */
#define PEER_IP RTE_BE32(0xC0000201) /* 192.0.2.1 */

static void
nop_release(void *u, void *p, const struct rte_ether_addr *m)
{
	(void)u, (void)p, (void)m;
}
static void
nop_discard(void *u, void *p)
{
	(void)u, (void)p;
}
static void
send_req(void *u, rte_be32_t ip)
{
	uint8_t buf[64];

	(void)u;
	CHECK_EQ(ns_arp_build_request(&h, ip, buf), 42);
	frames_sent++;
}

static void
setup(void)
{
	static const struct ns_arp_ops ops = {nop_release, nop_discard, send_req};
	struct ns_arp_params p = {64, 300ull * 1000000000, 1000000000, 3};

	if (h.arp.slot != NULL)
		ns_arp_cache_fini(&h.arp);
	memset(ctr, 0, sizeof(ctr));
	memset(&h, 0, sizeof(h));
	h.mac = our_mac;
	h.ip = OUR_IP;
	h.netmask = RTE_BE32(0xffffff00);
	h.ttl = 64;
	h.ctr = ctr;
	if (ns_arp_cache_init(&h.arp, &p, &ops, &h, ctr) != 0)
		abort();
	frames_sent = 0;
}

static uint16_t
build_arp(uint8_t *f, uint16_t op, rte_be32_t sip, rte_be32_t tip)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)f;
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(e + 1);

	memset(f, 0, 60);
	memset(&e->dst_addr, 0xff, 6);
	e->src_addr = peer_mac;
	e->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	a->arp_data.arp_sha = peer_mac;
	a->arp_data.arp_sip = sip;
	a->arp_data.arp_tip = tip;
	return 60; /* minimum frame, padded */
}

static uint16_t
build_echo(uint8_t *f, uint16_t payload)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);
	uint16_t tot = sizeof(*ip) + sizeof(*ic) + payload;

	memset(f, 0, 14 + tot);
	e->dst_addr = our_mac;
	e->src_addr = peer_mac;
	e->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(tot);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = PEER_IP;
	ip->dst_addr = OUR_IP;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_ident = RTE_BE16(0x1234);
	ic->icmp_seq_nb = RTE_BE16(7);
	for (uint16_t i = 0; i < payload; i++)
		((uint8_t *)(ic + 1))[i] = (uint8_t)i;
	ic->icmp_cksum = ~rte_raw_cksum(ic, sizeof(*ic) + payload);
	return 14 + tot;
}

static void
test_arp_request_answered(void)
{
	uint8_t f[128];
	uint16_t len = build_arp(f, RTE_ARP_OP_REQUEST, PEER_IP, OUR_IP);
	struct ns_l4_info l4;
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(f + 14);

	setup();
	CHECK_EQ(ns_host_input(&h, f, &len, 0, &l4), NS_V_TX);
	CHECK_EQ(len, 42);
	CHECK_EQ(a->arp_opcode, RTE_BE16(RTE_ARP_OP_REPLY));
	CHECK(rte_is_same_ether_addr(&a->arp_data.arp_sha, &our_mac));
	CHECK(rte_is_same_ether_addr(&a->arp_data.arp_tha, &peer_mac));
	CHECK_EQ(a->arp_data.arp_sip, OUR_IP);
	CHECK_EQ(a->arp_data.arp_tip, PEER_IP);
	CHECK(rte_is_same_ether_addr(&((struct rte_ether_hdr *)f)->dst_addr, &peer_mac));
	CHECK_EQ(ctr[NS_NET_arp_reply_tx], 1);
	CHECK_EQ(h.arp.count, 1); /* requester learned */
}

static void
test_arp_not_for_us_does_not_create(void)
{
	uint8_t f[128];
	uint16_t len = build_arp(f, RTE_ARP_OP_REQUEST, PEER_IP, RTE_BE32(0xC0000209));
	struct ns_l4_info l4;

	setup();
	CHECK_EQ(ns_host_input(&h, f, &len, 0, &l4), NS_V_DROP);
	CHECK_EQ(ctr[NS_NET_arp_not_for_us], 1);
	CHECK_EQ(h.arp.count, 0);
}

static void
test_arp_bad_inputs(void)
{
	uint8_t f[128];
	uint16_t len;
	struct ns_l4_info l4;

	setup();
	len = build_arp(f, 3, PEER_IP, OUR_IP);
	CHECK_EQ(ns_host_input(&h, f, &len, 0, &l4), NS_V_DROP);
	CHECK_EQ(ctr[NS_NET_arp_bad_op], 1);
	len = 30;
	build_arp(f, RTE_ARP_OP_REQUEST, PEER_IP, OUR_IP);
	CHECK_EQ(ns_host_input(&h, f, &len, 0, &l4), NS_V_DROP);
	CHECK_EQ(ctr[NS_NET_arp_truncated], 1);
	len = build_arp(f, RTE_ARP_OP_REQUEST, PEER_IP, OUR_IP);
	f[14 + 4] = 8; /* hlen */
	CHECK_EQ(ns_host_input(&h, f, &len, 0, &l4), NS_V_DROP);
	CHECK_EQ(ctr[NS_NET_arp_bad_format], 1);
	len = build_arp(f, RTE_ARP_OP_REQUEST, OUR_IP, OUR_IP);
	CHECK_EQ(ns_host_input(&h, f, &len, 0, &l4), NS_V_DROP);
	CHECK_EQ(ctr[NS_NET_arp_conflict], 1);
	len = build_arp(f, RTE_ARP_OP_REQUEST, RTE_BE32(0xE0000001), OUR_IP);
	CHECK_EQ(ns_host_input(&h, f, &len, 0, &l4), NS_V_DROP);
	CHECK_EQ(ctr[NS_NET_arp_bad_sender], 1);
}

static void
test_echo_reply(void)
{
	uint8_t f[256];
	uint16_t len = build_echo(f, 56);
	struct ns_l4_info l4;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);

	setup();
	CHECK_EQ(ns_host_input(&h, f, &len, 0, &l4), NS_V_TX);
	CHECK_EQ(len, 14 + 20 + 8 + 56);
	CHECK_EQ(ic->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	CHECK_EQ(ip->src_addr, OUR_IP);
	CHECK_EQ(ip->dst_addr, PEER_IP);
	CHECK_EQ(rte_raw_cksum(ip, 20), 0xffff);
	CHECK_EQ(rte_raw_cksum(ic, 64), 0xffff);
	CHECK_EQ(ic->icmp_seq_nb, RTE_BE16(7));
}

static void
test_echo_padding_trimmed(void)
{
	uint8_t f[256];
	uint16_t len = build_echo(f, 0); /* 42 bytes: a NIC pads to 60 */
	struct ns_l4_info l4;

	setup();
	len = 60;
	CHECK_EQ(ns_host_input(&h, f, &len, 0, &l4), NS_V_TX);
	CHECK_EQ(len, 42);
}

struct bad_case {
	const char *what;
	void (*mutate)(uint8_t *f, uint16_t *len);
	enum ns_net_ctr ctr;
};

static struct rte_ipv4_hdr *
iph(uint8_t *f)
{
	return (struct rte_ipv4_hdr *)(f + 14);
}
static void
fix_ck(uint8_t *f)
{
	iph(f)->hdr_checksum = 0;
	iph(f)->hdr_checksum = rte_ipv4_cksum(iph(f));
}
static void
m_runt(uint8_t *f, uint16_t *len)
{
	(void)f;
	*len = 10;
}
static void
m_ip_trunc(uint8_t *f, uint16_t *len)
{
	(void)f;
	*len = 14 + 12;
}
static void
m_version(uint8_t *f, uint16_t *len)
{
	(void)len;
	iph(f)->version_ihl = 0x65;
	fix_ck(f);
}
static void
m_ihl(uint8_t *f, uint16_t *len)
{
	(void)len;
	iph(f)->version_ihl = 0x44;
}
static void
m_cksum(uint8_t *f, uint16_t *len)
{
	(void)len;
	iph(f)->hdr_checksum ^= 0x0101;
}
static void
m_options(uint8_t *f, uint16_t *len)
{
	(void)len;
	iph(f)->version_ihl = 0x46;
	fix_ck(f);
}
static void
m_len_big(uint8_t *f, uint16_t *len)
{
	iph(f)->total_length = rte_cpu_to_be_16(*len); /* 14 more than the IP part */
	fix_ck(f);
}
static void
m_len_small(uint8_t *f, uint16_t *len)
{
	(void)len;
	iph(f)->total_length = RTE_BE16(16);
	fix_ck(f);
}
static void
m_ttl(uint8_t *f, uint16_t *len)
{
	(void)len;
	iph(f)->time_to_live = 0;
	fix_ck(f);
}
static void
m_frag(uint8_t *f, uint16_t *len)
{
	(void)len;
	iph(f)->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	fix_ck(f);
}
static void
m_not_us(uint8_t *f, uint16_t *len)
{
	(void)len;
	iph(f)->dst_addr = RTE_BE32(0xC0000263);
	fix_ck(f);
}
static void
m_src_mcast(uint8_t *f, uint16_t *len)
{
	(void)len;
	iph(f)->src_addr = RTE_BE32(0xEF000001);
	fix_ck(f);
}
static void
m_icmp_ck(uint8_t *f, uint16_t *len)
{
	(void)len;
	f[14 + 20 + 4] ^= 0xff;
}
static void
m_icmp_trunc(uint8_t *f, uint16_t *len)
{
	iph(f)->total_length = RTE_BE16(20 + 4);
	*len = 14 + 24;
	fix_ck(f);
}
static void
m_ipv6(uint8_t *f, uint16_t *len)
{
	(void)len;
	((struct rte_ether_hdr *)f)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
}
static void
m_junk_type(uint8_t *f, uint16_t *len)
{
	(void)len;
	((struct rte_ether_hdr *)f)->ether_type = RTE_BE16(0x88cc);
}
static void
m_other_mac(uint8_t *f, uint16_t *len)
{
	(void)len;
	f[5] = 0x77;
}

static void
test_bad_ipv4_each_counted(void)
{
	static const struct bad_case cases[] = {
			{"runt", m_runt, NS_NET_eth_runt},
			{"ip truncated", m_ip_trunc, NS_NET_ip_truncated},
			{"version 6 in v4 frame", m_version, NS_NET_ip_bad_version},
			{"ihl 4", m_ihl, NS_NET_ip_bad_ihl},
			{"bad ip checksum", m_cksum, NS_NET_ip_bad_cksum},
			{"options", m_options, NS_NET_ip_options},
			{"total length > frame", m_len_big, NS_NET_ip_len_exceeds_frame},
			{"total length < header", m_len_small, NS_NET_ip_len_too_small},
			{"ttl 0", m_ttl, NS_NET_ip_ttl_zero},
			{"fragment", m_frag, NS_NET_ip_fragment},
			{"not for us", m_not_us, NS_NET_ip_not_for_us},
			{"multicast source", m_src_mcast, NS_NET_ip_bad_src},
			{"icmp checksum", m_icmp_ck, NS_NET_icmp_bad_cksum},
			{"icmp truncated", m_icmp_trunc, NS_NET_icmp_truncated},
			{"ipv6", m_ipv6, NS_NET_eth_ipv6},
			{"junk ethertype", m_junk_type, NS_NET_eth_unknown_type},
			{"other mac", m_other_mac, NS_NET_eth_not_for_us},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t f[256];
		uint16_t len = build_echo(f, 16);
		struct ns_l4_info l4;
		uint64_t drops = 0;

		setup();
		cases[i].mutate(f, &len);
		if (ns_host_input(&h, f, &len, 0, &l4) != NS_V_DROP)
			fprintf(stderr, "case '%s' not dropped\n", cases[i].what);
		if (ctr[cases[i].ctr] != 1)
			fprintf(stderr, "case '%s' counter not bumped\n", cases[i].what);
		CHECK_EQ(ctr[cases[i].ctr], 1);
		for (int c = 0; c < NS_NET__MAX; c++)
			if (ns_net_ctr_desc[c].kind == NS_CTR_DROP)
				drops += ctr[c];
		CHECK_EQ(drops, 1); /* exactly one reason per dropped frame */
	}
}

/*
 * Echo requests nothing may answer: a group or zero Ethernet source (the
 * reply would go to the group), and martian IPv4 sources (RFC 1812 5.3.7,
 * Linux): our own address (land), the subnet's network and broadcast
 * addresses, 0/8, 127/8, multicast, the limited broadcast.  Each is dropped
 * with its own counter and nothing is written; the ones that stay valid
 * (240/4 as Linux, both ends of a /31) are answered.
 */
static void
test_hostile_sources(void)
{
	static const struct {
		const char *what;
		uint8_t eth_src[6];
		rte_be32_t src, netmask;
		int ctr; /* -1: answered */
	} cases[] = {
			{"broadcast MAC", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, PEER_IP, 0,
					NS_NET_ip_bad_eth_src},
			{"multicast MAC", {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}, PEER_IP, 0,
					NS_NET_ip_bad_eth_src},
			{"zero MAC", {0}, PEER_IP, 0, NS_NET_ip_bad_eth_src},
			{"land", {0x02, 0, 0, 0, 0, 0x01}, OUR_IP, 0, NS_NET_ip_src_ours},
			{"network address", {0x02, 0, 0, 0, 0, 0x01}, RTE_BE32(0xC0000200), 0,
					NS_NET_ip_src_subnet},
			{"subnet broadcast", {0x02, 0, 0, 0, 0, 0x01}, RTE_BE32(0xC00002ff), 0,
					NS_NET_ip_src_subnet},
			{"0/8", {0x02, 0, 0, 0, 0, 0x01}, RTE_BE32(0x00010203), 0,
					NS_NET_ip_bad_src},
			{"0.0.0.0", {0x02, 0, 0, 0, 0, 0x01}, 0, 0, NS_NET_ip_bad_src},
			{"loopback", {0x02, 0, 0, 0, 0, 0x01}, RTE_BE32(0x7f000001), 0,
					NS_NET_ip_bad_src},
			{"multicast", {0x02, 0, 0, 0, 0, 0x01}, RTE_BE32(0xe0000001), 0,
					NS_NET_ip_bad_src},
			{"limited broadcast", {0x02, 0, 0, 0, 0, 0x01}, RTE_BE32(0xffffffff), 0,
					NS_NET_ip_bad_src},
			{"240/4 (as Linux)", {0x02, 0, 0, 0, 0, 0x01}, RTE_BE32(0xf0000001), 0, -1},
			{"the other end of a /31", {0x02, 0, 0, 0, 0, 0x01}, RTE_BE32(0xC0000203),
					RTE_BE32(0xfffffffe), -1},
			{"/32: no broadcast address", {0x02, 0, 0, 0, 0, 0x01},
					RTE_BE32(0xC00002ff), RTE_BE32(0xffffffff), -1},
			{"/30: .3 is", {0x02, 0, 0, 0, 0, 0x01}, RTE_BE32(0xC0000203),
					RTE_BE32(0xfffffffc), NS_NET_ip_src_subnet},
	};
	struct ns_l4_info l4a;
	uint8_t a[128];
	uint16_t alen;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t f[256], before[256];
		uint16_t len = build_echo(f, 16);
		struct ns_l4_info l4;
		enum ns_verdict v;

		setup();
		if (cases[i].netmask != 0)
			h.netmask = cases[i].netmask;
		memcpy(f + 6, cases[i].eth_src, 6);
		iph(f)->src_addr = cases[i].src;
		fix_ck(f);
		memcpy(before, f, len);
		v = ns_host_input(&h, f, &len, 0, &l4);
		if (cases[i].ctr < 0) {
			if (v != NS_V_TX)
				fprintf(stderr, "case '%s' not answered\n", cases[i].what);
			CHECK_EQ(v, NS_V_TX);
			continue;
		}
		if (v != NS_V_DROP || ctr[cases[i].ctr] != 1)
			fprintf(stderr, "case '%s' not dropped as expected\n", cases[i].what);
		CHECK_EQ(v, NS_V_DROP);
		CHECK_EQ(ctr[cases[i].ctr], 1);
		CHECK_EQ(ctr[NS_NET_icmp_echo_reply_tx], 0);
		CHECK(memcmp(before, f, len) == 0); /* nothing rewritten */
	}
	/* ARP from the subnet's network address teaches nothing either. */
	setup();
	alen = build_arp(a, RTE_ARP_OP_REQUEST, RTE_BE32(0xC0000200), OUR_IP);
	CHECK_EQ(ns_host_input(&h, a, &alen, 0, &l4a), NS_V_DROP);
	CHECK_EQ(ctr[NS_NET_arp_bad_sender], 1);
}

static void
test_tcp_delivered_to_l4(void)
{
	uint8_t f[256];
	uint16_t len = build_echo(f, 16);
	struct ns_l4_info l4;

	setup();
	iph(f)->next_proto_id = IPPROTO_TCP;
	fix_ck(f);
	CHECK_EQ(ns_host_input(&h, f, &len, 0, &l4), NS_V_L4);
	CHECK_EQ(l4.proto, IPPROTO_TCP);
	CHECK_EQ(l4.l4_off, 34);
	CHECK_EQ(l4.l4_len, 24);
}

/* Our echo request, answered by a second host stack, parses back on our side. */
static void
test_echo_originated_round_trip(void)
{
	static const struct ns_arp_ops ops = {nop_release, nop_discard, send_req};
	struct ns_arp_params p = {8, 1000000000ull, 1000000000ull, 3};
	uint64_t ctr2[NS_NET__MAX] = {0};
	struct ns_host peer = {.mac = peer_mac, .ip = PEER_IP, .ttl = 64, .ctr = ctr2};
	uint8_t f[256];
	struct ns_l4_info l4;
	uint16_t len, ident, seq;
	uint64_t ts;

	setup();
	peer.netmask = RTE_BE32(0xffffff00);
	CHECK_EQ(ns_arp_cache_init(&peer.arp, &p, &ops, &peer, ctr2), 0);
	len = ns_icmp_build_echo(&h, PEER_IP, 77, 5, 56, 123456789ull, f);
	CHECK_EQ(len, 14 + 20 + 8 + 56);
	CHECK_EQ(rte_raw_cksum(f + 14, 20), 0xffff);
	CHECK_EQ(rte_raw_cksum(f + 34, 64), 0xffff);
	CHECK_EQ(ctr[NS_NET_icmp_echo_request_tx], 1);
	((struct rte_ether_hdr *)f)->dst_addr = peer_mac; /* as ARP resolution would */
	CHECK_EQ(ns_host_input(&peer, f, &len, 0, &l4), NS_V_TX);
	CHECK_EQ(ns_host_input(&h, f, &len, 0, &l4), NS_V_L4);
	CHECK_EQ(ctr[NS_NET_icmp_echo_reply_rx], 1);
	CHECK_EQ(ns_icmp_echo_reply_parse(f, &l4, &ident, &seq, &ts), 0);
	CHECK_EQ(ident, 77);
	CHECK_EQ(seq, 5);
	CHECK_EQ(ts, 123456789ull);
	ns_arp_cache_fini(&peer.arp);
}

static void
test_counter_names_unique(void)
{
	for (int i = 0; i < NS_NET__MAX; i++)
		for (int j = i + 1; j < NS_NET__MAX; j++)
			CHECK(strcmp(ns_net_ctr_desc[i].name, ns_net_ctr_desc[j].name) != 0);
}

int
main(void)
{
	RUN(test_arp_request_answered);
	RUN(test_arp_not_for_us_does_not_create);
	RUN(test_arp_bad_inputs);
	RUN(test_echo_reply);
	RUN(test_echo_padding_trimmed);
	RUN(test_bad_ipv4_each_counted);
	RUN(test_hostile_sources);
	RUN(test_tcp_delivered_to_l4);
	RUN(test_echo_originated_round_trip);
	RUN(test_counter_names_unique);
	ns_arp_cache_fini(&h.arp);
	return TEST_SUMMARY();
}
