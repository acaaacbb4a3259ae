/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BGP message codec (apps/bgp/bgp_msg.c): framing and header errors, OPEN
 * and its capabilities and errors, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH,
 * UPDATE round trips, each RFC 7606 remedy on a hand-built message, AS4_PATH
 * merging (RFC 6793), End-of-RIB, and the builder's packing and limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns_test.h"
#include "bgp_msg.h"

/* A byte array as two arguments: pointer and size. */
#define B(...) (const uint8_t[]){__VA_ARGS__}, (uint32_t)sizeof((const uint8_t[]){__VA_ARGS__})
#define NONE   NULL, 0

/* ORIGIN IGP, AS_PATH (sequence 65001, 2-octet), NEXT_HOP 10.0.0.1. */
#define ORIGIN_IGP 0x40, 1, 1, 0
#define PATH65001  0x40, 2, 4, 2, 1, 0xfd, 0xe9
#define NH10001	   0x40, 3, 4, 10, 0, 0, 1
#define BASE	   ORIGIN_IGP, PATH65001, NH10001
#define NL24	   24, 10, 1, 2 /* 10.1.2.0/24 */

static uint8_t m[NS_BGP_MAX_MSG + 64];
static struct ns_bgp_update u, u2;
static struct ns_bgp_notif nt;

/* A message of type from its body. */
static uint32_t
mk(uint8_t type, const uint8_t *body, uint32_t blen)
{
	memset(m, 0xff, 16);
	m[16] = (uint8_t)((19 + blen) >> 8);
	m[17] = (uint8_t)(19 + blen);
	m[18] = type;
	if (blen > 0)
		memcpy(m + 19, body, blen);
	return 19 + blen;
}

/* An UPDATE from its three fields. */
static uint32_t
mk_upd(const uint8_t *wd, uint32_t wl, const uint8_t *at, uint32_t al, const uint8_t *nl,
		uint32_t nll)
{
	uint8_t body[NS_BGP_MAX_MSG];
	uint32_t o = 0;

	body[o++] = (uint8_t)(wl >> 8);
	body[o++] = (uint8_t)wl;
	if (wl > 0)
		memcpy(body + o, wd, wl);
	o += wl;
	body[o++] = (uint8_t)(al >> 8);
	body[o++] = (uint8_t)al;
	if (al > 0)
		memcpy(body + o, at, al);
	o += al;
	if (nll > 0)
		memcpy(body + o, nl, nll);
	o += nll;
	return mk(NS_BGP_UPDATE, body, o);
}

static enum ns_bgp_upd_action
parse_upd(uint32_t len, bool as4, bool ebgp)
{
	memset(&nt, 0, sizeof(nt));
	return ns_bgp_update_parse(m, len, as4, ebgp, &u, &nt);
}

/* An UPDATE of these fields parses (2-octet, eBGP) to act. */
#define EXPECT_UPD(act, ...) CHECK_EQ(parse_upd(mk_upd(__VA_ARGS__), false, true), act)
#define EXPECT_RESET(sub, ...)                                              \
	do {                                                                \
		EXPECT_UPD(NS_BGP_UPD_RESET, __VA_ARGS__);                  \
		CHECK(nt.code == NS_BGP_ERR_UPDATE && nt.subcode == (sub)); \
	} while (0)

static void
test_frame(void)
{
	uint32_t len = mk(NS_BGP_KEEPALIVE, NULL, 0);

	CHECK_EQ(ns_bgp_frame(m, 18, &nt), 0); /* more bytes needed */
	CHECK_EQ(ns_bgp_frame(m, len, &nt), 19);
	CHECK_EQ(ns_bgp_frame(m, len + 10, &nt), 19); /* the next message follows */
	m[3] = 0xfe;
	CHECK_EQ(ns_bgp_frame(m, len, &nt), -1);
	CHECK(nt.code == 1 && nt.subcode == 1);
	/* Bad message lengths, the length as data. */
	mk(NS_BGP_KEEPALIVE, NULL, 0);
	m[17] = 18;
	CHECK_EQ(ns_bgp_frame(m, 19, &nt), -1);
	CHECK(nt.code == 1 && nt.subcode == 2 && nt.data_len == 2 && nt.data[1] == 18);
	m[16] = 0x10;
	m[17] = 0x01; /* 4097 */
	CHECK_EQ(ns_bgp_frame(m, 19, &nt), -1);
	CHECK(nt.code == 1 && nt.subcode == 2);
	/* Bad type, the type as data. */
	mk(6, NULL, 0);
	CHECK_EQ(ns_bgp_frame(m, 19, &nt), -1);
	CHECK(nt.code == 1 && nt.subcode == 3 && nt.data_len == 1 && nt.data[0] == 6);
	mk(0, NULL, 0);
	CHECK_EQ(ns_bgp_frame(m, 19, &nt), -1);
	/* Length wrong for the type. */
	CHECK_EQ(ns_bgp_frame(m, mk(NS_BGP_KEEPALIVE, B(0)), &nt), -1);
	CHECK(nt.code == 1 && nt.subcode == 2);
	CHECK_EQ(ns_bgp_frame(m, mk(NS_BGP_OPEN, B(4, 0, 1, 0, 90, 1, 2, 3, 4)), &nt), -1);
	CHECK_EQ(ns_bgp_frame(m, mk(NS_BGP_OPEN, B(4, 0, 1, 0, 90, 1, 2, 3, 4, 0)), &nt), 29);
	CHECK_EQ(ns_bgp_frame(m, mk(NS_BGP_UPDATE, B(0, 0, 0)), &nt), -1);
	CHECK_EQ(ns_bgp_frame(m, mk(NS_BGP_UPDATE, B(0, 0, 0, 0)), &nt), 23);
	CHECK_EQ(ns_bgp_frame(m, mk(NS_BGP_NOTIFICATION, B(6)), &nt), -1);
	CHECK_EQ(ns_bgp_frame(m, mk(NS_BGP_NOTIFICATION, B(6, 2)), &nt), 21);
	CHECK_EQ(ns_bgp_frame(m, mk(NS_BGP_ROUTE_REFRESH, B(0, 1, 0, 1, 0)), &nt), -1);
	CHECK_EQ(ns_bgp_frame(m, mk(NS_BGP_ROUTE_REFRESH, B(0, 1, 0)), &nt), -1);
	CHECK_EQ(ns_bgp_frame(m, mk(NS_BGP_ROUTE_REFRESH, B(0, 1, 0, 1)), &nt), 23);
	/* A header error shows before the body arrives; a good one waits. */
	len = mk(NS_BGP_UPDATE, B(0, 0, 0, 0, 24, 10, 1, 2));
	CHECK_EQ(ns_bgp_frame(m, len - 1, &nt), 0);
	CHECK_EQ(ns_bgp_frame(m, 19, &nt), 0);
}

static void
test_open(void)
{
	struct ns_bgp_open o = {.asn = 65001,
					   .hold = 90,
					   .id = 0x0a000001,
					   .cap_as4 = true,
					   .cap_mp_ipv4u = true,
					   .cap_rr = true,
					   .cap_err = true},
			   p;
	uint32_t len = ns_bgp_open_build(m, sizeof(m), &o);

	CHECK(len > 29);
	CHECK_EQ(ns_bgp_frame(m, len, &nt), len);
	CHECK_EQ(ns_bgp_open_parse(m, len, &p, &nt), 0);
	CHECK(p.version == 4 && p.asn == 65001 && p.my_as == 65001 && p.hold == 90);
	CHECK(p.id == 0x0a000001 && p.cap_as4 && p.cap_mp_ipv4u && p.cap_rr && p.cap_err);
	/* Too small a buffer: nothing. */
	CHECK_EQ(ns_bgp_open_build(m, len - 1, &o), 0);
	/* A 4-octet AS: AS_TRANS in My AS. */
	o.asn = 4200000001u;
	o.cap_rr = o.cap_err = o.cap_mp_ipv4u = false;
	len = ns_bgp_open_build(m, sizeof(m), &o);
	CHECK_EQ(ns_bgp_open_parse(m, len, &p, &nt), 0);
	CHECK(p.asn == 4200000001u && p.my_as == 23456 && p.cap_as4);
	CHECK(!p.cap_rr && !p.cap_err && !p.cap_mp_ipv4u);
	/* No capabilities at all: no optional parameters. */
	o.cap_as4 = false;
	o.asn = 100;
	CHECK_EQ(ns_bgp_open_build(m, sizeof(m), &o), 29);
	CHECK_EQ(ns_bgp_open_parse(m, 29, &p, &nt), 0);
	CHECK(p.asn == 100 && !p.cap_as4);
}

static void
test_open_caps(void)
{
	struct ns_bgp_open p;

	/* Unknown capability 64 ignored; MP for AFI 2 not IPv4 unicast; two
	 * parameters; route refresh and 4-octet AS in the second. */
	CHECK_EQ(ns_bgp_open_parse(m,
				 mk(NS_BGP_OPEN, B(4, 0xfd, 0xe9, 0, 0, 1, 1, 1, 1, 22, 2, 10, 64,
								 2, 0, 0, 1, 4, 0, 2, 0, 1, 2, 8, 2,
								 0, 65, 4, 0, 0, 0xfd, 0xea)),
				 &p, &nt),
			0);
	CHECK(!p.cap_mp_ipv4u && p.cap_rr && p.cap_as4 && !p.cap_err && p.asn == 65002);
	CHECK(p.my_as == 65001 && p.hold == 0);
	/* RFC 9072 extended optional parameters length. */
	CHECK_EQ(ns_bgp_open_parse(m,
				 mk(NS_BGP_OPEN, B(4, 0, 100, 0, 90, 1, 1, 1, 1, 255, 255, 0, 9, 2,
								 0, 6, 1, 4, 0, 1, 0, 1)),
				 &p, &nt),
			0);
	CHECK(p.cap_mp_ipv4u && p.asn == 100);
}

static void
test_open_errors(void)
{
	struct ns_bgp_open p;

	/* Unsupported version: the supported one as data. */
	CHECK_EQ(ns_bgp_open_parse(m, mk(NS_BGP_OPEN, B(3, 0, 1, 0, 90, 1, 2, 3, 4, 0)), &p, &nt),
			-1);
	CHECK(nt.code == 2 && nt.subcode == 1 && nt.data_len == 2 && nt.data[0] == 0 &&
			nt.data[1] == 4);
	/* Hold time 1 and 2 are unacceptable, 0 and 3 fine. */
	CHECK_EQ(ns_bgp_open_parse(m, mk(NS_BGP_OPEN, B(4, 0, 1, 0, 1, 1, 2, 3, 4, 0)), &p, &nt),
			-1);
	CHECK(nt.code == 2 && nt.subcode == 6);
	CHECK_EQ(ns_bgp_open_parse(m, mk(NS_BGP_OPEN, B(4, 0, 1, 0, 2, 1, 2, 3, 4, 0)), &p, &nt),
			-1);
	CHECK_EQ(ns_bgp_open_parse(m, mk(NS_BGP_OPEN, B(4, 0, 1, 0, 3, 1, 2, 3, 4, 0)), &p, &nt),
			0);
	/* BGP identifier 0. */
	CHECK_EQ(ns_bgp_open_parse(m, mk(NS_BGP_OPEN, B(4, 0, 1, 0, 90, 0, 0, 0, 0, 0)), &p, &nt),
			-1);
	CHECK(nt.code == 2 && nt.subcode == 3);
	/* Optional parameter type 1 (authentication, deprecated). */
	CHECK_EQ(ns_bgp_open_parse(m, mk(NS_BGP_OPEN, B(4, 0, 1, 0, 90, 1, 2, 3, 4, 2, 1, 0)), &p,
				 &nt),
			-1);
	CHECK(nt.code == 2 && nt.subcode == 4);
	/* Optional parameters length disagreeing with the message; a parameter
	 * and a capability overrunning theirs. */
	CHECK_EQ(ns_bgp_open_parse(m, mk(NS_BGP_OPEN, B(4, 0, 1, 0, 90, 1, 2, 3, 4, 3, 2, 0)), &p,
				 &nt),
			-1);
	CHECK(nt.code == 2 && nt.subcode == 0);
	CHECK_EQ(ns_bgp_open_parse(m, mk(NS_BGP_OPEN, B(4, 0, 1, 0, 90, 1, 2, 3, 4, 2, 2, 1)), &p,
				 &nt),
			-1);
	CHECK_EQ(ns_bgp_open_parse(m,
				 mk(NS_BGP_OPEN, B(4, 0, 1, 0, 90, 1, 2, 3, 4, 4, 2, 2, 65, 4)), &p,
				 &nt),
			-1);
	CHECK(nt.code == 2 && nt.subcode == 0);
	CHECK_EQ(ns_bgp_open_parse(m, 28, &p, &nt), -1);
}

static void
test_keepalive_notif_refresh(void)
{
	struct ns_bgp_notif n = {.code = 6, .subcode = 2, .data_len = 3, .data = {1, 2, 3}}, p;
	uint32_t len;

	CHECK_EQ(ns_bgp_keepalive_build(m, 18), 0);
	len = ns_bgp_keepalive_build(m, sizeof(m));
	CHECK_EQ(len, 19);
	CHECK_EQ(ns_bgp_frame(m, len, &nt), 19);
	CHECK_EQ(m[18], NS_BGP_KEEPALIVE);

	len = ns_bgp_notif_build(m, sizeof(m), &n);
	CHECK_EQ(len, 24);
	CHECK_EQ(ns_bgp_notif_build(m, 23, &n), 0);
	CHECK_EQ(ns_bgp_frame(m, len, &nt), 24);
	CHECK_EQ(ns_bgp_notif_parse(m, len, &p), 0);
	CHECK(p.code == 6 && p.subcode == 2 && p.data_len == 3 && memcmp(p.data, n.data, 3) == 0);
	CHECK_EQ(ns_bgp_notif_parse(m, 20, &p), -1);
	/* Received data longer than kept is cut. */
	memset(m + 200, 7, 100);
	len = mk(NS_BGP_NOTIFICATION, m + 198, 102);
	CHECK_EQ(ns_bgp_notif_parse(m, len, &p), 0);
	CHECK(p.data_len == sizeof(p.data) && p.data[63] == 7);

	len = ns_bgp_refresh_build(m, sizeof(m));
	CHECK_EQ(len, 23);
	CHECK_EQ(ns_bgp_refresh_build(m, 22), 0);
	CHECK_EQ(ns_bgp_frame(m, len, &nt), 23);
	CHECK_EQ(ns_bgp_refresh_parse(m, len, &nt), 0);
	/* Another AFI; a beginning-of-refresh (RFC 7313). */
	CHECK_EQ(ns_bgp_refresh_parse(m, mk(NS_BGP_ROUTE_REFRESH, B(0, 2, 0, 1)), &nt), 1);
	CHECK_EQ(ns_bgp_refresh_parse(m, mk(NS_BGP_ROUTE_REFRESH, B(0, 1, 1, 1)), &nt), 1);
	CHECK_EQ(ns_bgp_refresh_parse(m, mk(NS_BGP_ROUTE_REFRESH, B(0, 1, 0, 1, 0)), &nt), -1);
	CHECK(nt.code == NS_BGP_ERR_ROUTE_REFRESH && nt.subcode == 1 && nt.data_len == 24);
}

/* A path with every attribute. */
static void
full_attrs(struct ns_bgp_attrs *a, uint32_t big_as)
{
	memset(a, 0, sizeof(*a));
	a->present = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 7 | 1u << 8;
	a->origin = NS_BGP_ORIGIN_EGP;
	a->n_seg = 2;
	a->seg_type[0] = NS_BGP_AS_SEQUENCE;
	a->seg_len[0] = 3;
	a->seg_type[1] = NS_BGP_AS_SET;
	a->seg_len[1] = 2;
	a->n_as = 5;
	a->as[0] = 65001;
	a->as[1] = big_as;
	a->as[2] = 65003;
	a->as[3] = 7;
	a->as[4] = 8;
	a->next_hop = 0x0a000001;
	a->med = 50;
	a->local_pref = 200;
	a->atomic_aggregate = true;
	a->aggr_as = big_as;
	a->aggr_id = 0x01020304;
	a->n_comm = 2;
	a->comm[0] = 0xfde90001;
	a->comm[1] = 0xffffff01;
}

static bool
attrs_equal(const struct ns_bgp_attrs *a, const struct ns_bgp_attrs *b)
{
	return a->present == b->present && a->origin == b->origin && a->n_seg == b->n_seg &&
	       memcmp(a->seg_type, b->seg_type, a->n_seg) == 0 &&
	       memcmp(a->seg_len, b->seg_len, a->n_seg * sizeof(uint16_t)) == 0 &&
	       a->n_as == b->n_as && memcmp(a->as, b->as, a->n_as * sizeof(uint32_t)) == 0 &&
	       a->next_hop == b->next_hop && a->med == b->med && a->local_pref == b->local_pref &&
	       a->atomic_aggregate == b->atomic_aggregate && a->aggr_as == b->aggr_as &&
	       a->aggr_id == b->aggr_id && a->n_comm == b->n_comm &&
	       memcmp(a->comm, b->comm, a->n_comm * sizeof(uint32_t)) == 0;
}

/* Prefix arrays compared field by field (the structs have padding). */
static bool
pfx_eq(const struct ns_bgp_pfx *a, const struct ns_bgp_pfx *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i].addr != b[i].addr || a[i].len != b[i].len)
			return false;
	return true;
}

static void
test_update_roundtrip(void)
{
	struct ns_bgp_pfx w[2] = {{0x0a000000, 8}, {0, 0}},
			  n[3] = {{0xc0a80100, 24}, {0xc0a80180, 25}, {0x01020304, 32}};
	struct ns_bgp_attrs a;
	uint32_t tw, tn, len;

	/* Both AS sizes, a 2-octet and a 4-octet AS in the path: a 2-octet
	 * session gets AS_TRANS and AS4_PATH/AS4_AGGREGATOR, merged back. */
	for (int as4 = 0; as4 < 2; as4++) {
		for (int big = 0; big < 2; big++) {
			full_attrs(&a, big ? 4200000002u : 65002);
			len = ns_bgp_update_build(m, sizeof(m), as4, w, 2, &tw, &a, n, 3, &tn);
			CHECK(len > 23 && tw == 2 && tn == 3);
			CHECK_EQ(ns_bgp_frame(m, len, &nt), len);
			CHECK_EQ(ns_bgp_update_parse(m, len, as4, false, &u, &nt), NS_BGP_UPD_OK);
			CHECK(attrs_equal(&a, &u.attrs));
			CHECK(u.n_withdrawn == 2 && u.n_nlri == 3 && !u.end_of_rib);
			CHECK(pfx_eq(u.withdrawn, w, 2) && pfx_eq(u.nlri, n, 3));
			CHECK_EQ(u.attrs_discarded, 0);
			/* The AS4 attributes only when needed. */
			CHECK_EQ(memchr(m + 23, 17, len - 23) != NULL || as4 || !big, true);
		}
	}
	/* A 4-octet AS in a confederation segment only: no AS4_PATH. */
	memset(&a, 0, sizeof(a));
	a.present = 1u << 1 | 1u << 2 | 1u << 3;
	a.next_hop = 0x0a000001;
	a.n_seg = 2;
	a.seg_type[0] = NS_BGP_AS_CONFED_SEQ;
	a.seg_len[0] = 1;
	a.seg_type[1] = NS_BGP_AS_SEQUENCE;
	a.seg_len[1] = 1;
	a.n_as = 2;
	a.as[0] = 4200000009u;
	a.as[1] = 65001;
	len = ns_bgp_update_build(m, sizeof(m), false, NULL, 0, &tw, &a, n, 1, &tn);
	CHECK_EQ(len, 23 + 4 + 11 + 7 + 4); /* ORIGIN, AS_PATH, NEXT_HOP, one prefix */
	CHECK_EQ(ns_bgp_update_parse(m, len, false, false, &u, &nt), NS_BGP_UPD_OK);
	CHECK(u.attrs.n_as == 2 && u.attrs.as[0] == 23456 && u.attrs.as[1] == 65001);
	/* Withdrawn only: no attributes. */
	len = ns_bgp_update_build(m, sizeof(m), true, w, 1, &tw, &a, NULL, 0, &tn);
	CHECK(len == 23 + 2 && tw == 1 && tn == 0);
	CHECK_EQ(ns_bgp_update_parse(m, len, true, true, &u, &nt), NS_BGP_UPD_OK);
	CHECK(u.n_withdrawn == 1 && u.n_nlri == 0 && u.attrs.present == 0);
	/* An AS_PATH longer than 255 in one sequence is split. */
	memset(&a, 0, sizeof(a));
	a.present = 1u << 1 | 1u << 2 | 1u << 3;
	a.next_hop = 0x0a000001;
	a.n_seg = 1;
	a.seg_type[0] = NS_BGP_AS_SEQUENCE;
	a.seg_len[0] = NS_BGP_MAX_ASPATH;
	a.n_as = NS_BGP_MAX_ASPATH;
	for (int i = 0; i < NS_BGP_MAX_ASPATH; i++)
		a.as[i] = 70000u + (uint32_t)i;
	len = ns_bgp_update_build(m, sizeof(m), false, NULL, 0, &tw, &a, n, 1, &tn);
	CHECK_EQ(ns_bgp_update_parse(m, len, false, true, &u, &nt), NS_BGP_UPD_OK);
	CHECK(u.attrs.n_as == NS_BGP_MAX_ASPATH && u.attrs.n_seg == 2 && u.attrs.as[255] == 70255);
	CHECK_EQ(ns_bgp_aspath_len(&u.attrs), NS_BGP_MAX_ASPATH);
}

static void
test_end_of_rib(void)
{
	uint32_t tw, tn,
			len = ns_bgp_update_build(
					m, sizeof(m), true, NULL, 0, &tw, NULL, NULL, 0, &tn);

	CHECK_EQ(len, 23);
	CHECK_EQ(ns_bgp_update_parse(m, len, true, true, &u, &nt), NS_BGP_UPD_OK);
	CHECK(u.end_of_rib && u.n_nlri == 0 && u.n_withdrawn == 0);
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, NONE, NONE);
	CHECK(u.end_of_rib);
	/* Attributes only (no prefixes at all) is not End-of-RIB. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, B(BASE), NONE);
	CHECK(!u.end_of_rib);
}

/* RFC 4271 6.3 / RFC 7606 4 and 5.3: what cannot be parsed around. */
static void
test_7606_session_reset(void)
{
	/* Withdrawn routes length past the message. */
	CHECK_EQ(parse_upd(mk(NS_BGP_UPDATE, B(0, 9, 0, 0)), false, true), NS_BGP_UPD_RESET);
	CHECK(nt.code == 3 && nt.subcode == 1);
	/* Total attribute length past the message. */
	CHECK_EQ(parse_upd(mk(NS_BGP_UPDATE, B(0, 0, 0, 5, 0x40, 1, 1, 0)), false, true),
			NS_BGP_UPD_RESET);
	CHECK(nt.code == 3 && nt.subcode == 1);
	/* Prefix length over 32 or overrunning, in NLRI and withdrawn routes. */
	EXPECT_RESET(10, NONE, B(BASE), B(33, 1, 2, 3, 4, 5));
	EXPECT_RESET(10, NONE, B(BASE), B(24, 10, 1));
	EXPECT_RESET(10, B(33, 1, 2, 3, 4, 5), NONE, NONE);
	EXPECT_RESET(10, B(8), NONE, NONE);
	/* MP_REACH_NLRI: repeated, malformed, a bad prefix; MP_UNREACH too. */
	EXPECT_RESET(1, NONE,
			B(BASE, 0x80, 14, 9, 0, 1, 1, 4, 10, 0, 0, 2, 0, 0x80, 14, 9, 0, 1, 1, 4,
					10, 0, 0, 2, 0),
			NONE);
	EXPECT_RESET(9, NONE, B(BASE, 0x80, 14, 4, 0, 1, 1, 4), NONE);
	EXPECT_RESET(9, NONE, B(BASE, 0x80, 14, 10, 0, 1, 1, 5, 10, 0, 0, 2, 1, 0), NONE);
	EXPECT_RESET(10, NONE, B(BASE, 0x80, 14, 11, 0, 1, 1, 4, 10, 0, 0, 2, 0, 40, 1), NONE);
	EXPECT_RESET(1, NONE, B(0x80, 15, 3, 0, 1, 1, 0x80, 15, 3, 0, 1, 1), NONE);
	EXPECT_RESET(9, NONE, B(0x80, 15, 2, 0, 1), NONE);
	EXPECT_RESET(10, NONE, B(0x80, 15, 4, 0, 1, 1, 16), NONE);
	/* More prefixes than an update holds (/8s, repeated). */
	{
		uint8_t nl[2 * (NS_BGP_UPD_MAX_PFX + 1)];

		for (int i = 0; i < NS_BGP_UPD_MAX_PFX + 1; i++) {
			nl[2 * i] = 8;
			nl[2 * i + 1] = (uint8_t)i;
		}
		EXPECT_RESET(10, NONE, B(BASE), nl, sizeof(nl));
		EXPECT_UPD(NS_BGP_UPD_OK, NONE, B(BASE), nl, sizeof(nl) - 2);
		CHECK_EQ(u.n_nlri, NS_BGP_UPD_MAX_PFX);
	}
	/* An unrecognized well-known attribute (RFC 4271): the attribute as data. */
	EXPECT_RESET(2, NONE, B(BASE, 0x40, 99, 1, 5), B(NL24));
	CHECK(nt.data_len == 4 && nt.data[1] == 99 && nt.data[3] == 5);
}

/* The treat-as-withdraw cases: the prefixes are still all there. */
static void
test_7606_treat_as_withdraw(void)
{
	static const struct {
		const char *name;
		uint8_t attrs[48];
		uint32_t len;
		bool ebgp;
	} cases[] = {
			{"ORIGIN length", {0x40, 1, 2, 0, 0, PATH65001, NH10001}, 19, true},
			{"ORIGIN value", {0x40, 1, 1, 3, PATH65001, NH10001}, 18, true},
			{"ORIGIN flags", {0xc0, 1, 1, 0, PATH65001, NH10001}, 18, true},
			{"AS_PATH segment length 0", {ORIGIN_IGP, 0x40, 2, 2, 2, 0, NH10001}, 16,
					true},
			{"AS_PATH overrun", {ORIGIN_IGP, 0x40, 2, 4, 2, 2, 0xfd, 0xe9, NH10001}, 18,
					true},
			{"AS_PATH lone byte",
					{ORIGIN_IGP, 0x40, 2, 5, 2, 1, 0xfd, 0xe9, 2, NH10001}, 19,
					true},
			{"AS_PATH segment type",
					{ORIGIN_IGP, 0x40, 2, 4, 5, 1, 0xfd, 0xe9, NH10001}, 18,
					true},
			{"AS_PATH confed from eBGP",
					{ORIGIN_IGP, 0x40, 2, 4, 3, 1, 0xfd, 0xe9, NH10001}, 18,
					true},
			{"AS_PATH flags", {ORIGIN_IGP, 0xd0, 2, 0, 4, 2, 1, 0xfd, 0xe9, NH10001},
					19, true},
			{"NEXT_HOP length", {ORIGIN_IGP, PATH65001, 0x40, 3, 3, 10, 0, 0}, 17,
					true},
			{"NEXT_HOP 0.0.0.0", {ORIGIN_IGP, PATH65001, 0x40, 3, 4, 0, 0, 0, 0}, 18,
					true},
			{"NEXT_HOP class D", {ORIGIN_IGP, PATH65001, 0x40, 3, 4, 224, 0, 0, 1}, 18,
					true},
			{"NEXT_HOP loopback", {ORIGIN_IGP, PATH65001, 0x40, 3, 4, 127, 0, 0, 1}, 18,
					true},
			{"MED length", {BASE, 0x80, 4, 3, 0, 0, 1}, 24, true},
			{"MED flags", {BASE, 0xc0, 4, 4, 0, 0, 0, 1}, 25, true},
			{"LOCAL_PREF length (iBGP)", {BASE, 0x40, 5, 3, 0, 0, 1}, 24, false},
			{"COMMUNITIES length 0", {BASE, 0xc0, 8, 0}, 21, true},
			{"COMMUNITIES length 6", {BASE, 0xc0, 8, 6, 0, 1, 0, 2, 0, 3}, 27, true},
			{"missing ORIGIN", {PATH65001, NH10001}, 14, true},
			{"missing AS_PATH", {ORIGIN_IGP, NH10001}, 11, true},
			{"missing NEXT_HOP", {ORIGIN_IGP, PATH65001}, 11, true},
			{"attribute overruns the field", {BASE, 0xc0, 8, 8, 0, 1, 0, 2}, 25, true},
			{"truncated attribute header", {BASE, 0xc0, 8}, 20, true},
			{"truncated extended header", {BASE, 0xd0, 8, 0}, 21, true},
			{"MP_REACH_NLRI next hop",
					{ORIGIN_IGP, PATH65001, 0x80, 14, 9, 0, 1, 1, 4, 0, 0, 0, 0,
							0},
					23, true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t len = mk_upd(B(16, 10, 9), cases[i].attrs, cases[i].len, B(NL24, 8, 11));

		if (parse_upd(len, false, cases[i].ebgp) != NS_BGP_UPD_TREAT_AS_WITHDRAW ||
				u.n_nlri != 2 || u.n_withdrawn != 1 || u.why == NULL) {
			fprintf(stderr, "treat-as-withdraw case '%s' failed\n", cases[i].name);
			ns_test_failed_checks++;
		}
	}
	/* Treat-as-withdraw still reaches MP_REACH_NLRI after the bad attribute,
	 * and MP_REACH_NLRI with flags in conflict still gives its prefixes. */
	EXPECT_UPD(NS_BGP_UPD_TREAT_AS_WITHDRAW, NONE,
			B(0x40, 1, 1, 9, PATH65001, 0x80, 14, 11, 0, 1, 1, 4, 10, 0, 0, 2, 0, 8,
					12),
			NONE);
	CHECK(u.n_nlri == 1 && u.nlri[0].addr == 0x0c000000);
	EXPECT_UPD(NS_BGP_UPD_TREAT_AS_WITHDRAW, NONE,
			B(ORIGIN_IGP, PATH65001, 0xc0, 14, 11, 0, 1, 1, 4, 10, 0, 0, 2, 0, 8, 12),
			NONE);
	CHECK(u.n_nlri == 1);
	/* Malformed attributes without NLRI: withdrawing them is all there is. */
	EXPECT_UPD(NS_BGP_UPD_TREAT_AS_WITHDRAW, B(NL24), B(0x40, 1, 2, 0, 0), NONE);
	CHECK(u.n_withdrawn == 1 && u.n_nlri == 0);
	/* Confederation segments from an iBGP (confederation) peer are fine. */
	CHECK_EQ(parse_upd(mk_upd(NONE, B(ORIGIN_IGP, 0x40, 2, 4, 3, 1, 0xfd, 0xe9, NH10001),
					   B(NL24)),
				 false, false),
			NS_BGP_UPD_OK);
	CHECK_EQ(ns_bgp_aspath_len(&u.attrs), 0);
	CHECK_EQ(ns_bgp_aspath_first(&u.attrs), 0);
}

/* AS_PATH over this codec's limits: treat-as-withdraw. */
static void
test_aspath_limits(void)
{
	uint8_t at[NS_BGP_MAX_MSG];
	uint32_t o = 0, p;

	/* 257 AS numbers in two sequences (extended length). */
	memcpy(at, (const uint8_t[]){ORIGIN_IGP, NH10001}, 11);
	o = 11;
	at[o++] = 0x50;
	at[o++] = 2;
	at[o++] = (2 + 510 + 2 + 4) >> 8;
	at[o++] = (uint8_t)(2 + 510 + 2 + 4);
	at[o++] = 2;
	at[o++] = 255;
	for (int i = 0; i < 255; i++, o += 2)
		at[o] = 1, at[o + 1] = (uint8_t)i;
	at[o++] = 2;
	at[o++] = 2;
	for (int i = 0; i < 2; i++, o += 2)
		at[o] = 2, at[o + 1] = (uint8_t)i;
	EXPECT_UPD(NS_BGP_UPD_TREAT_AS_WITHDRAW, NONE, at, o, B(NL24));
	/* 256 is fine (one fewer in the last segment). */
	at[13] = (2 + 510 + 2 + 2) >> 8;
	at[14] = (uint8_t)(2 + 510 + 2 + 2);
	at[o - 5] = 1;
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, at, o - 2, B(NL24));
	CHECK(u.attrs.n_as == 256 && u.attrs.n_seg == 2 && ns_bgp_aspath_first(&u.attrs) == 256);
	/* 33 segments of one AS each; 32 are fine. */
	o = 11;
	at[o++] = 0x40;
	at[o++] = 2;
	p = o++;
	for (int i = 0; i < 33; i++) {
		at[o++] = i % 2 ? 1 : 2;
		at[o++] = 1;
		at[o++] = 0;
		at[o++] = (uint8_t)(i + 1);
	}
	at[p] = (uint8_t)(o - p - 1);
	EXPECT_UPD(NS_BGP_UPD_TREAT_AS_WITHDRAW, NONE, at, o, B(NL24));
	at[p] = (uint8_t)(o - p - 1 - 4);
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, at, o - 4, B(NL24));
	CHECK(u.attrs.n_seg == 32 && ns_bgp_aspath_len(&u.attrs) == 16 + 16);
	CHECK(ns_bgp_aspath_contains(&u.attrs, 32) && !ns_bgp_aspath_contains(&u.attrs, 33));
}

/* The lesser remedies: attribute discard, repeats, unknown attributes. */
static void
test_7606_discard(void)
{
	uint8_t at[512];

	/* LOCAL_PREF from an external peer (even malformed); kept from an internal one. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, B(BASE, 0x40, 5, 4, 0, 0, 0, 100), B(NL24));
	CHECK(u.attrs_discarded == 1 && !(u.attrs.present & 1u << 5));
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, B(BASE, 0x40, 5, 3, 0, 0, 100), B(NL24));
	CHECK_EQ(u.attrs_discarded, 1);
	CHECK_EQ(parse_upd(mk_upd(NONE, B(BASE, 0x40, 5, 4, 0, 0, 0, 100), B(NL24)), false, false),
			NS_BGP_UPD_OK);
	CHECK(u.attrs_discarded == 0 && (u.attrs.present & 1u << 5) && u.attrs.local_pref == 100);
	/* ATOMIC_AGGREGATE with a value, AGGREGATOR of the wrong length. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, B(BASE, 0x40, 6, 1, 0), B(NL24));
	CHECK(u.attrs_discarded == 1 && !u.attrs.atomic_aggregate);
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, B(BASE, 0xc0, 7, 7, 0, 1, 1, 2, 3, 4, 5), B(NL24));
	CHECK(u.attrs_discarded == 1 && !(u.attrs.present & 1u << 7));
	CHECK_EQ(parse_upd(mk_upd(NONE, B(BASE, 0xc0, 7, 6, 0, 1, 1, 2, 3, 4), B(NL24)), true,
				 true),
			NS_BGP_UPD_TREAT_AS_WITHDRAW); /* 2-octet AS_PATH on a 4-octet session */
	CHECK_EQ(u.attrs_discarded, 1);
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, B(BASE, 0xc0, 7, 6, 0, 1, 1, 2, 3, 4), B(NL24));
	CHECK(u.attrs_discarded == 0 && u.attrs.aggr_as == 1 && u.attrs.aggr_id == 0x01020304);
	/* A repeated attribute: the first stays. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, B(BASE, 0x40, 1, 1, 2), B(NL24));
	CHECK(u.attrs_discarded == 1 && u.attrs.origin == 0);
	/* Unknown optional transitive kept as it came, passed on Partial;
	 * unknown optional non-transitive dropped. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, B(BASE, 0xc0, 99, 2, 7, 8, 0x80, 98, 1, 1), B(NL24));
	CHECK(u.attrs_discarded == 0 && u.attrs.unk_len == 5 && u.attrs.unk[0] == 0xc0 &&
			u.attrs.unk[1] == 99);
	{
		struct ns_bgp_pfx p = {0x0a010200, 24};
		uint32_t tw, tn,
				len = ns_bgp_update_build(m, sizeof(m), false, NULL, 0, &tw,
						&u.attrs, &p, 1, &tn);

		CHECK_EQ(ns_bgp_update_parse(m, len, false, true, &u2, &nt), NS_BGP_UPD_OK);
		CHECK(u2.attrs.unk_len == 5 && u2.attrs.unk[0] == (0xc0 | 0x20) &&
				u2.attrs.unk[4] == 8);
	}
	/* Unknown transitive beyond NS_BGP_MAX_UNK: dropped and counted. */
	memcpy(at, (const uint8_t[]){BASE, 0xd0, 99, 1, 0}, 22);
	memset(at + 22, 0, 256);
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, at, 22 + 256, B(NL24));
	CHECK(u.attrs_discarded == 1 && u.attrs.unk_len == 0);
	/* More communities than kept: the first NS_BGP_MAX_COMM, one discard. */
	memcpy(at, (const uint8_t[]){BASE, 0xd0, 8, 1, 0x18}, 22);
	for (int i = 0; i < 70 * 4; i++)
		at[22 + i] = (uint8_t)i;
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, at, 22 + 280, B(NL24));
	CHECK(u.attrs_discarded == 1 && u.attrs.n_comm == NS_BGP_MAX_COMM &&
			u.attrs.comm[1] == 0x04050607);
	/* MP_REACH_NLRI alone carries the next hop; another AFI is ignored. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE,
			B(0x80, 14, 12, 0, 1, 1, 4, 10, 0, 0, 9, 0, 16, 10, 7, ORIGIN_IGP,
					PATH65001),
			NONE);
	CHECK(u.n_nlri == 1 && u.nlri[0].addr == 0x0a070000 && u.attrs.next_hop == 0x0a000009);
	EXPECT_UPD(NS_BGP_UPD_OK, NONE,
			B(0x80, 14, 26, 0, 2, 1, 16, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					0, 0, 1, 0, 32, 0x20, 1, 0xd, 0xb8, 0x80, 15, 3, 0, 2, 1),
			NONE);
	CHECK(u.n_nlri == 0 && u.n_withdrawn == 0 && !u.end_of_rib);
	/* Without plain NLRI a NEXT_HOP is ignored for MP_REACH_NLRI's (RFC 4760 3). */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE,
			B(BASE, 0x80, 14, 12, 0, 1, 1, 4, 10, 0, 0, 9, 0, 16, 10, 7), NONE);
	CHECK(u.n_nlri == 1 && u.attrs.next_hop == 0x0a000009);
	EXPECT_UPD(NS_BGP_UPD_OK, NONE,
			B(BASE, 0x80, 14, 12, 0, 1, 1, 4, 10, 0, 0, 9, 0, 16, 10, 7), B(NL24));
	CHECK(u.n_nlri == 2 && u.attrs.next_hop == 0x0a000001);
	/* MP_UNREACH_NLRI withdraws. */
	EXPECT_UPD(NS_BGP_UPD_OK, B(NL24), B(0x80, 15, 6, 0, 1, 1, 16, 10, 7), NONE);
	CHECK(u.n_withdrawn == 2 && u.withdrawn[1].addr == 0x0a070000 && u.withdrawn[1].len == 16);
	/* Host bits in a prefix are cleared. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, B(BASE), B(20, 10, 1, 0xff));
	CHECK(u.nlri[0].addr == 0x0a01f000 && u.nlri[0].len == 20);
	/* A malformed AS4_PATH is discarded (RFC 6793). */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE, B(BASE, 0xc0, 17, 3, 2, 1, 0), B(NL24));
	CHECK(u.attrs_discarded == 1 && u.attrs.n_as == 1 && u.attrs.as[0] == 65001);
}

/* RFC 6793 4.2.3 on a 2-octet session. */
static void
test_as4_merge(void)
{
	/* AS_PATH 100 23456 200, AS4_PATH 4200000000 200: 100 4200000000 200. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE,
			B(ORIGIN_IGP, NH10001, 0x40, 2, 8, 2, 3, 0, 100, 0x5b, 0xa0, 0, 200, 0xc0,
					17, 10, 2, 2, 0xfa, 0x56, 0xea, 0, 0, 0, 0, 200),
			B(NL24));
	CHECK(u.attrs.n_as == 3 && u.attrs.as[0] == 100 && u.attrs.as[1] == 4200000000u &&
			u.attrs.as[2] == 200 && u.attrs.n_seg == 1 && u.attrs.seg_len[0] == 3);
	CHECK_EQ(u.attrs_discarded, 0);
	/* AS4_PATH first, then AS_PATH: same result. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE,
			B(0xc0, 17, 10, 2, 2, 0xfa, 0x56, 0xea, 0, 0, 0, 0, 200, ORIGIN_IGP,
					NH10001, 0x40, 2, 8, 2, 3, 0, 100, 0x5b, 0xa0, 0, 200),
			B(NL24));
	CHECK(u.attrs.n_as == 3 && u.attrs.as[1] == 4200000000u);
	/* AS4_PATH longer than AS_PATH: ignored. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE,
			B(ORIGIN_IGP, NH10001, 0x40, 2, 4, 2, 1, 0x5b, 0xa0, 0xc0, 17, 10, 2, 2,
					0xfa, 0x56, 0xea, 0, 0, 0, 0, 200),
			B(NL24));
	CHECK(u.attrs.n_as == 1 && u.attrs.as[0] == 23456 && u.attrs_discarded == 1);
	/* An AGGREGATOR of an AS other than AS_TRANS: AS4_PATH stale, ignored. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE,
			B(ORIGIN_IGP, NH10001, 0x40, 2, 8, 2, 3, 0, 100, 0x5b, 0xa0, 0, 200, 0xc0,
					7, 6, 0, 5, 1, 1, 1, 1, 0xc0, 17, 10, 2, 2, 0xfa, 0x56,
					0xea, 0, 0, 0, 0, 200),
			B(NL24));
	CHECK(u.attrs.as[1] == 23456 && u.attrs.aggr_as == 5);
	/* AGGREGATOR AS_TRANS with AS4_AGGREGATOR. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE,
			B(BASE, 0xc0, 7, 6, 0x5b, 0xa0, 1, 1, 1, 1, 0xc0, 18, 8, 0xfa, 0x56, 0xea,
					0, 2, 2, 2, 2),
			B(NL24));
	CHECK(u.attrs.aggr_as == 4200000000u && u.attrs.aggr_id == 0x02020202);
	/* On a 4-octet session AS4_PATH is discarded. */
	CHECK_EQ(parse_upd(mk_upd(NONE,
					   B(ORIGIN_IGP, NH10001, 0x40, 2, 6, 2, 1, 0, 0, 0, 100,
							   0xc0, 17, 6, 2, 1, 0, 0, 0, 7),
					   B(NL24)),
				 true, true),
			NS_BGP_UPD_OK);
	CHECK(u.attrs.n_as == 1 && u.attrs.as[0] == 100 && u.attrs_discarded == 1);
	/* A set in the uncovered part stays, counted as one. */
	EXPECT_UPD(NS_BGP_UPD_OK, NONE,
			B(ORIGIN_IGP, NH10001, 0x40, 2, 14, 2, 1, 0, 100, 1, 2, 0, 7, 0, 8, 2, 1,
					0x5b, 0xa0, 0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0),
			B(NL24));
	CHECK(u.attrs.n_seg == 3 && u.attrs.n_as == 4 && u.attrs.as[3] == 4200000000u);
	CHECK_EQ(ns_bgp_aspath_len(&u.attrs), 3);
	CHECK_EQ(ns_bgp_aspath_first(&u.attrs), 100);
}

/* The builder never writes past max and what it writes parses. */
static void
test_build_limits(void)
{
	static uint8_t buf[NS_BGP_MAX_MSG + 16];
	struct ns_bgp_pfx w[4] = {{0x0a000000, 8}, {0x0b000000, 8}, {0x0c000000, 8}, {0, 0}};
	struct ns_bgp_pfx n[4] = {
			{0xc0a80100, 24}, {0xc0a80200, 24}, {0xc0a80300, 24}, {0xc0a80400, 24}};
	struct ns_bgp_attrs a;
	uint32_t tw, tn, len;

	full_attrs(&a, 4200000002u);
	for (uint32_t max = 0; max < 200; max++) {
		memset(buf, 0xa5, sizeof(buf));
		len = ns_bgp_update_build(buf, max, false, w, 4, &tw, &a, n, 4, &tn);
		CHECK(len <= max && buf[max] == 0xa5);
		if (len == 0) {
			CHECK(tw == 0 && tn == 0);
			continue;
		}
		CHECK(tw > 0 || tn > 0);
		CHECK_EQ(ns_bgp_update_parse(buf, len, false, true, &u, &nt), NS_BGP_UPD_OK);
		CHECK(u.n_withdrawn == tw && u.n_nlri == tn);
	}
	/* Attributes only when a prefix goes with them. */
	len = ns_bgp_update_build(buf, 30, false, NULL, 0, &tw, &a, n, 4, &tn);
	CHECK(len == 0 && tn == 0);
	/* The other builders. */
	for (uint32_t max = 0; max < 40; max++) {
		struct ns_bgp_open o = {
				.asn = 1, .hold = 9, .id = 1, .cap_as4 = true, .cap_rr = true};
		struct ns_bgp_notif nn = {.code = 6, .data_len = 10};

		memset(buf, 0xa5, sizeof(buf));
		CHECK(ns_bgp_open_build(buf, max, &o) <= max && buf[max] == 0xa5);
		CHECK(ns_bgp_notif_build(buf, max, &nn) <= max && buf[max] == 0xa5);
		CHECK(ns_bgp_keepalive_build(buf, max) <= max && buf[max] == 0xa5);
		CHECK(ns_bgp_refresh_build(buf, max) <= max && buf[max] == 0xa5);
	}
}

/* Many prefixes go out in full messages, none lost. */
static void
test_build_packing(void)
{
	static struct ns_bgp_pfx w[3000], n[3000];
	static uint8_t buf[NS_BGP_MAX_MSG];
	struct ns_bgp_attrs a;
	uint32_t dw = 0, dn = 0, msgs = 0;

	full_attrs(&a, 65002);
	for (uint32_t i = 0; i < 3000; i++) {
		w[i].addr = 0x0a000000 | i << 8;
		w[i].len = 24;
		n[i].addr = 0x14000000 | i << 4;
		n[i].len = 28;
	}
	while (dw < 3000 || dn < 3000) {
		uint32_t tw, tn,
				len = ns_bgp_update_build(buf, 100000, true, w + dw, 3000 - dw, &tw,
						&a, n + dn, 3000 - dn, &tn);

		CHECK(len > 0 && len <= NS_BGP_MAX_MSG);
		if (len == 0)
			break;
		/* Full: another prefix would not have fitted. */
		CHECK(len > NS_BGP_MAX_MSG - 5 || (dw + tw == 3000 && dn + tn == 3000));
		CHECK_EQ(ns_bgp_update_parse(buf, len, true, false, &u, &nt), NS_BGP_UPD_OK);
		CHECK(u.n_withdrawn == tw && u.n_nlri == tn);
		CHECK(pfx_eq(u.withdrawn, w + dw, tw));
		CHECK(pfx_eq(u.nlri, n + dn, tn));
		if (tn > 0)
			CHECK(attrs_equal(&a, &u.attrs));
		dw += tw;
		dn += tn;
		msgs++;
	}
	CHECK(dw == 3000 && dn == 3000);
	/* 3000 * 4 + 3000 * 5 bytes of prefixes: 7 messages at least. */
	CHECK(msgs >= 7 && msgs <= 8);
}

static void
test_pfx_text(void)
{
	struct ns_bgp_pfx p;
	char s[32];

	CHECK_EQ(ns_bgp_pfx_parse("10.1.2.0/24", &p), 0);
	CHECK(p.addr == 0x0a010200 && p.len == 24);
	ns_bgp_pfx_str(&p, s, sizeof(s));
	CHECK(strcmp(s, "10.1.2.0/24") == 0);
	CHECK_EQ(ns_bgp_pfx_parse("0.0.0.0/0", &p), 0);
	CHECK(p.addr == 0 && p.len == 0);
	CHECK_EQ(ns_bgp_pfx_parse("255.255.255.255/32", &p), 0);
	ns_bgp_pfx_str(&p, s, sizeof(s));
	CHECK(strcmp(s, "255.255.255.255/32") == 0);
	ns_bgp_pfx_str(&p, s, 5);
	CHECK(strcmp(s, "255.") == 0);
	CHECK_EQ(ns_bgp_pfx_parse("10.1.2.1/24", &p), -1); /* host bits */
	CHECK_EQ(ns_bgp_pfx_parse("10.1.2.0/33", &p), -1);
	CHECK_EQ(ns_bgp_pfx_parse("10.1.256.0/24", &p), -1);
	CHECK_EQ(ns_bgp_pfx_parse("10.1.2/24", &p), -1);
	CHECK_EQ(ns_bgp_pfx_parse("10.1.2.0", &p), -1);
	CHECK_EQ(ns_bgp_pfx_parse("10.1.2.0/24x", &p), -1);
	CHECK_EQ(ns_bgp_pfx_parse("10.1.2.0/", &p), -1);
	CHECK_EQ(ns_bgp_pfx_parse("0010.1.2.0/24", &p), -1);
	CHECK_EQ(ns_bgp_pfx_parse("", &p), -1);
}

int
main(void)
{
	RUN(test_frame);
	RUN(test_open);
	RUN(test_open_caps);
	RUN(test_open_errors);
	RUN(test_keepalive_notif_refresh);
	RUN(test_update_roundtrip);
	RUN(test_end_of_rib);
	RUN(test_7606_session_reset);
	RUN(test_7606_treat_as_withdraw);
	RUN(test_aspath_limits);
	RUN(test_7606_discard);
	RUN(test_as4_merge);
	RUN(test_build_limits);
	RUN(test_build_packing);
	RUN(test_pfx_text);
	return TEST_SUMMARY();
}
