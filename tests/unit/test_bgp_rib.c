/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BGP routing tables: the decision process case by case, independence of
 * the arrival order, the export rules (eBGP and iBGP), withdrawals, no
 * re-send of what a neighbour has, the standby's Adj-RIB-Out learned from the
 * active's UPDATEs (out_apply, out_resync) leading to the same remaining
 * export, a full table, and a 100 000-prefix table timed and measured.
 *
 * The UPDATEs export writes are read back by a small decoder of this file.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ns_test.h"
#include "bgp_rib.h"

#define LOCAL_AS 65000

static struct ns_bgp_update upd;
static uint8_t xbuf[1 << 20];

static struct ns_bgp_pfx
pfx(int a, int b, int c, int d, int len)
{
	struct ns_bgp_pfx p = {
			(uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | (uint32_t)d,
			(uint8_t)len};

	return p;
}

static bool
pfx_eq(const struct ns_bgp_pfx *a, const struct ns_bgp_pfx *b)
{
	return a->addr == b->addr && a->len == b->len;
}

/* Attributes: origin, one AS_SEQUENCE of n ASes, next hop. */
static void
attrs_path(struct ns_bgp_attrs *a, uint8_t origin, const uint32_t *as, uint16_t n, uint32_t nh)
{
	memset(a, 0, sizeof(*a));
	a->present = 1u << 1 | 1u << 2 | 1u << 3;
	a->origin = origin;
	if (n > 0) {
		a->n_seg = 1;
		a->seg_type[0] = NS_BGP_AS_SEQUENCE;
		a->seg_len[0] = n;
		memcpy(a->as, as, n * sizeof(*as));
		a->n_as = n;
	}
	a->next_hop = nh;
}

static void
attrs_med(struct ns_bgp_attrs *a, uint32_t med)
{
	a->present |= 1u << 4;
	a->med = med;
}

static void
attrs_lp(struct ns_bgp_attrs *a, uint32_t lp)
{
	a->present |= 1u << 5;
	a->local_pref = lp;
}

/* Announce p with a from idx. */
static uint32_t
announce(struct ns_bgp_rib *r, uint32_t idx, const struct ns_bgp_pfx *p,
		const struct ns_bgp_attrs *a)
{
	memset(&upd, 0, sizeof(upd));
	upd.attrs = *a;
	upd.nlri[0] = *p;
	upd.n_nlri = 1;
	return ns_bgp_rib_input(r, idx, &upd, NS_BGP_UPD_OK);
}

static void
withdraw(struct ns_bgp_rib *r, uint32_t idx, const struct ns_bgp_pfx *p)
{
	memset(&upd, 0, sizeof(upd));
	upd.withdrawn[0] = *p;
	upd.n_withdrawn = 1;
	ns_bgp_rib_input(r, idx, &upd, NS_BGP_UPD_OK);
}

static uint8_t
best_of(struct ns_bgp_rib *r, const struct ns_bgp_pfx *p)
{
	static struct ns_bgp_rib_view v;

	if (!ns_bgp_rib_lookup(r, p, &v))
		return 0xee;
	return v.best;
}

/* ---- a minimal UPDATE decoder (for what export writes) ---- */

static uint32_t
be16(const uint8_t *b)
{
	return (uint32_t)b[0] << 8 | b[1];
}

static uint32_t
be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int
dec_pfx(const uint8_t *b, uint32_t len, struct ns_bgp_pfx *out, uint16_t *n)
{
	for (uint32_t o = 0; o < len;) {
		uint32_t l = b[o], nb = (l + 7) / 8;
		uint32_t addr = 0;

		if (l > 32 || o + 1 + nb > len || *n >= NS_BGP_UPD_MAX_PFX)
			return -1;
		for (uint32_t i = 0; i < nb; i++)
			addr |= (uint32_t)b[o + 1 + i] << (24 - 8 * i);
		out[*n].addr = addr;
		out[*n].len = (uint8_t)l;
		(*n)++;
		o += 1 + nb;
	}
	return 0;
}

/* Set when the last message decoded had an AS4_PATH / an extended length. */
static bool dec_saw_as4_path, dec_saw_extlen;

static int
dec_path(const uint8_t *v, uint32_t len, bool wide, struct ns_bgp_attrs *a)
{
	uint32_t w = wide ? 4 : 2;

	a->n_seg = 0;
	a->n_as = 0;
	for (uint32_t o = 0; o < len;) {
		uint32_t c;

		if (o + 2 > len || a->n_seg >= 32)
			return -1;
		c = v[o + 1];
		if (o + 2 + c * w > len || a->n_as + c > NS_BGP_MAX_ASPATH)
			return -1;
		a->seg_type[a->n_seg] = v[o];
		a->seg_len[a->n_seg++] = (uint16_t)c;
		for (uint32_t i = 0; i < c; i++)
			a->as[a->n_as++] = wide ? be32(v + o + 2 + 4 * i) : be16(v + o + 2 + 2 * i);
		o += 2 + c * w;
	}
	return 0;
}

/* Decode the UPDATE at b; returns its length, -1 when malformed. */
static int32_t
dec_update(const uint8_t *b, uint32_t len, bool as4, struct ns_bgp_update *u)
{
	uint32_t mlen, wl, pal, o;
	struct ns_bgp_attrs p4;
	bool have4 = false;
	uint32_t aggr4 = 0;

	memset(u, 0, sizeof(*u));
	dec_saw_as4_path = false;
	dec_saw_extlen = false;
	if (len < 23)
		return -1;
	for (int i = 0; i < 16; i++)
		if (b[i] != 0xff)
			return -1;
	mlen = be16(b + 16);
	if (mlen < 23 || mlen > len || mlen > NS_BGP_MAX_MSG || b[18] != NS_BGP_UPDATE)
		return -1;
	wl = be16(b + 19);
	if (21 + wl + 2 > mlen || dec_pfx(b + 21, wl, u->withdrawn, &u->n_withdrawn) < 0)
		return -1;
	pal = be16(b + 21 + wl);
	o = 23 + wl;
	if (o + pal > mlen)
		return -1;
	for (uint32_t e = o + pal; o < e;) {
		uint8_t f = b[o], t = b[o + 1];
		uint32_t h = f & 0x10 ? 4 : 3, l;
		const uint8_t *v;

		if (o + h > e)
			return -1;
		l = f & 0x10 ? be16(b + o + 2) : b[o + 2];
		if (f & 0x10)
			dec_saw_extlen = true;
		if (o + h + l > e)
			return -1;
		v = b + o + h;
		if (t < 32)
			u->attrs.present |= 1u << t;
		switch (t) {
		case 1:
			u->attrs.origin = v[0];
			break;
		case 2:
			if (dec_path(v, l, as4, &u->attrs) < 0)
				return -1;
			break;
		case 3:
			u->attrs.next_hop = be32(v);
			break;
		case 4:
			u->attrs.med = be32(v);
			break;
		case 5:
			u->attrs.local_pref = be32(v);
			break;
		case 6:
			u->attrs.atomic_aggregate = true;
			break;
		case 7:
			u->attrs.aggr_as = as4 ? be32(v) : be16(v);
			u->attrs.aggr_id = be32(v + (as4 ? 4 : 2));
			break;
		case 8:
			for (uint32_t i = 0; i + 4 <= l && u->attrs.n_comm < NS_BGP_MAX_COMM;
					i += 4)
				u->attrs.comm[u->attrs.n_comm++] = be32(v + i);
			break;
		case 17:
			dec_saw_as4_path = true;
			memset(&p4, 0, sizeof(p4));
			if (dec_path(v, l, true, &p4) < 0)
				return -1;
			have4 = true;
			break;
		case 18:
			aggr4 = be32(v);
			break;
		default:
			if (u->attrs.unk_len + h + l > NS_BGP_MAX_UNK)
				return -1;
			memcpy(u->attrs.unk + u->attrs.unk_len, b + o, h + l);
			u->attrs.unk_len = (uint16_t)(u->attrs.unk_len + h + l);
		}
		o += h + l;
	}
	/* RFC 6793 merge, for the paths the tests use (no confederations). */
	if (have4 && !as4) {
		u->attrs.n_seg = p4.n_seg;
		u->attrs.n_as = p4.n_as;
		memcpy(u->attrs.seg_type, p4.seg_type, sizeof(p4.seg_type));
		memcpy(u->attrs.seg_len, p4.seg_len, sizeof(p4.seg_len));
		memcpy(u->attrs.as, p4.as, sizeof(p4.as));
	}
	if (aggr4 != 0 && !as4)
		u->attrs.aggr_as = aggr4;
	if (dec_pfx(b + o, mlen - o, u->nlri, &u->n_nlri) < 0)
		return -1;
	return (int32_t)mlen;
}

/* What export told about one prefix. */
struct rec {
	struct ns_bgp_pfx p;
	bool wd;
	struct ns_bgp_attrs a;
};

#define MAX_REC 4096
static struct rec recs_a[MAX_REC], recs_b[MAX_REC];
static struct ns_bgp_update dupd;

/* Decode n bytes of messages into recs (the last word per prefix wins);
 * returns the number of records, -1 on a malformed message. */
static int
dec_all(const uint8_t *b, uint32_t n, bool as4, struct rec *recs, int nrec, int *msgs)
{
	for (uint32_t o = 0; o < n;) {
		int32_t l = dec_update(b + o, n - o, as4, &dupd);

		if (l < 0)
			return -1;
		if (msgs != NULL)
			(*msgs)++;
		for (uint32_t i = 0; i < dupd.n_withdrawn + dupd.n_nlri; i++) {
			bool wd = i < dupd.n_withdrawn;
			const struct ns_bgp_pfx *p =
					wd ? &dupd.withdrawn[i] : &dupd.nlri[i - dupd.n_withdrawn];
			int k;

			for (k = 0; k < nrec; k++)
				if (pfx_eq(&recs[k].p, p))
					break;
			if (k == nrec) {
				if (nrec == MAX_REC)
					return -1;
				nrec++;
			}
			recs[k].p = *p;
			recs[k].wd = wd;
			if (wd)
				memset(&recs[k].a, 0, sizeof(recs[k].a));
			else
				recs[k].a = dupd.attrs;
		}
		o += (uint32_t)l;
	}
	return nrec;
}

/* Export everything pending for idx and decode it. */
static int
export_all(struct ns_bgp_rib *r, uint32_t idx, bool as4, struct rec *recs, int *msgs)
{
	int nrec = 0;
	uint32_t n;

	if (msgs != NULL)
		*msgs = 0;
	while ((n = ns_bgp_rib_export(r, idx, as4, xbuf, sizeof(xbuf))) > 0) {
		nrec = dec_all(xbuf, n, as4, recs, nrec, msgs);
		if (nrec < 0)
			return -1;
	}
	return nrec;
}

static const struct rec *
rec_find(const struct rec *recs, int n, const struct ns_bgp_pfx *p)
{
	for (int i = 0; i < n; i++)
		if (pfx_eq(&recs[i].p, p))
			return &recs[i];
	return NULL;
}

/* ---- tables used by the tests ---- */

static struct ns_bgp_rib *
new_rib(uint32_t n_peers, uint32_t max_prefixes)
{
	struct ns_bgp_rib_cfg cfg = {.local_as = LOCAL_AS,
			.router_id = 0x0a000001,
			.max_prefixes = max_prefixes,
			.n_peers = n_peers,
			.default_lpref = 100};
	struct ns_bgp_rib *r = ns_bgp_rib_create(&cfg);

	CHECK(r != NULL);
	return r;
}

/* Neighbour i: AS asn, identifier id, address 10.0.i.2, ours 10.0.i.1. */
static void
set_peer(struct ns_bgp_rib *r, uint32_t i, uint32_t asn, uint32_t id, bool nhs)
{
	struct ns_bgp_peer_desc d = {.asn = asn,
			.id = id,
			.addr = 0x0a000002 | i << 8,
			.local_addr = 0x0a000001 | i << 8,
			.next_hop_self = nhs};

	CHECK_EQ(ns_bgp_rib_peer_set(r, i, &d), 0);
}

static void
test_plist(void)
{
	struct ns_bgp_plist l = {.n = 3};
	struct ns_bgp_pfx p;

	l.e[0].p = pfx(10, 1, 0, 0, 16);
	l.e[0].permit = false;
	l.e[1].p = pfx(10, 0, 0, 0, 8);
	l.e[1].ge = 16;
	l.e[1].le = 24;
	l.e[1].permit = true;
	l.e[2].p = pfx(192, 168, 0, 0, 16);
	l.e[2].permit = true;
	p = pfx(10, 1, 0, 0, 16);
	CHECK(!ns_bgp_plist_permits(&l, &p));
	p = pfx(10, 2, 0, 0, 16);
	CHECK(ns_bgp_plist_permits(&l, &p));
	p = pfx(10, 2, 3, 0, 24);
	CHECK(ns_bgp_plist_permits(&l, &p));
	p = pfx(10, 2, 3, 128, 25);
	CHECK(!ns_bgp_plist_permits(&l, &p));
	p = pfx(10, 0, 0, 0, 8);
	CHECK(!ns_bgp_plist_permits(&l, &p));
	p = pfx(192, 168, 0, 0, 16);
	CHECK(ns_bgp_plist_permits(&l, &p));
	p = pfx(192, 168, 1, 0, 24);
	CHECK(!ns_bgp_plist_permits(&l, &p));
	CHECK(ns_bgp_plist_permits(NULL, &p));
}

/* Paths a from i and b from j for a fresh prefix, given in both orders:
 * the best (the same both times). */
static uint8_t
duel(struct ns_bgp_rib *r, uint32_t i, const struct ns_bgp_attrs *a, uint32_t j,
		const struct ns_bgp_attrs *b)
{
	static int n;
	struct ns_bgp_pfx p = pfx(101, 0, n, 0, 24), q = pfx(101, 1, n++, 0, 24);

	announce(r, i, &p, a);
	announce(r, j, &p, b);
	announce(r, j, &q, b);
	announce(r, i, &q, a);
	CHECK_EQ(best_of(r, &p), best_of(r, &q));
	return best_of(r, &p);
}

/*
 * The decision process, one rule at a time.  Neighbours: 0, 1 iBGP; 2, 3
 * eBGP in AS 65002; 4 eBGP in AS 65004; 5 iBGP.
 */
static void
test_decision(void)
{
	struct ns_bgp_rib *r = new_rib(6, 1000);
	struct ns_bgp_attrs a, b;
	struct ns_bgp_rib_stats st;
	struct ns_bgp_plist deny10 = {.n = 2};
	struct ns_bgp_peer_desc d5;
	uint32_t p1[] = {7}, p2[] = {7, 8}, p3[] = {65002, 9}, p4[] = {65004, 9};
	uint32_t loop[] = {7, LOCAL_AS, 9};
	struct ns_bgp_pfx p;
	int n = 0;

	set_peer(r, 0, LOCAL_AS, 0x0a000010, false);
	set_peer(r, 1, LOCAL_AS, 0x0a000005, false);
	set_peer(r, 2, 65002, 0x0a000020, false);
	set_peer(r, 3, 65002, 0x0a000020, false);
	set_peer(r, 4, 65004, 0x0a000001, false);
	deny10.e[0].p = pfx(10, 0, 0, 0, 8);
	deny10.e[0].le = 32;
	deny10.e[1].p = pfx(0, 0, 0, 0, 0);
	deny10.e[1].le = 32;
	deny10.e[1].permit = true;
	d5 = (struct ns_bgp_peer_desc){.asn = LOCAL_AS, .id = 1, .addr = 5, .import = &deny10};
	ns_bgp_rib_peer_set(r, 5, &d5);

	/* Own prefix first, whatever its competitor. */
	p = pfx(100, 0, n++, 0, 24);
	attrs_path(&a, 0, NULL, 0, 1);
	attrs_lp(&a, 1000);
	announce(r, 0, &p, &a);
	CHECK_EQ(best_of(r, &p), 0);
	CHECK_EQ(ns_bgp_rib_originate(r, &p), 0);
	CHECK_EQ(best_of(r, &p), NS_BGP_LOCAL);
	CHECK_EQ(ns_bgp_rib_unoriginate(r, &p), 0);
	CHECK_EQ(best_of(r, &p), 0);

	/* Highest LOCAL_PREF; absent counts as the default (100). */
	attrs_path(&a, 0, p2, 2, 1);
	attrs_lp(&a, 150);
	attrs_path(&b, 0, p1, 1, 1);
	CHECK_EQ(duel(r, 0, &a, 1, &b), 0);
	attrs_lp(&b, 99);
	attrs_path(&a, 0, p2, 2, 1);
	CHECK_EQ(duel(r, 0, &a, 1, &b), 0);

	/* An eBGP path's LOCAL_PREF is not believed: 500 from eBGP counts 100. */
	attrs_path(&a, 0, p3, 2, 1);
	attrs_lp(&a, 500);
	attrs_path(&b, 0, p2, 2, 1);
	attrs_lp(&b, 101);
	CHECK_EQ(duel(r, 2, &a, 0, &b), 0);

	/* Shortest AS path; a set counts 1, confederation segments 0. */
	attrs_path(&a, 0, p2, 2, 1);
	attrs_path(&b, 0, p1, 1, 1);
	CHECK_EQ(duel(r, 0, &a, 1, &b), 1);
	attrs_path(&a, 0, NULL, 0, 1);
	a.n_seg = 2;
	a.seg_type[0] = NS_BGP_AS_CONFED_SEQ;
	a.seg_len[0] = 3;
	a.seg_type[1] = NS_BGP_AS_SET;
	a.seg_len[1] = 3;
	a.n_as = 6;
	for (int i = 0; i < 6; i++)
		a.as[i] = (uint32_t)(11 + i);
	attrs_path(&b, 0, p2, 2, 1);
	CHECK_EQ(duel(r, 0, &a, 1, &b), 0);

	/* Lowest ORIGIN. */
	attrs_path(&a, 2, p1, 1, 1);
	attrs_path(&b, 1, p1, 1, 1);
	CHECK_EQ(duel(r, 0, &a, 1, &b), 1);

	/* Lowest MED between paths from the same AS; absent MED is 0.  2 and 3
	 * have the same identifier, 2 the lower address. */
	attrs_path(&a, 0, p3, 2, 1);
	attrs_med(&a, 10);
	attrs_path(&b, 0, p3, 2, 1);
	attrs_med(&b, 5);
	CHECK_EQ(duel(r, 2, &a, 3, &b), 3);
	attrs_path(&b, 0, p3, 2, 1);
	CHECK_EQ(duel(r, 2, &a, 3, &b), 3);
	/* ... and not between different neighbour ASes: 4 has the lower id. */
	attrs_path(&a, 0, p3, 2, 1);
	attrs_med(&a, 1);
	attrs_path(&b, 0, p4, 2, 1);
	attrs_med(&b, 1000);
	CHECK_EQ(duel(r, 2, &a, 4, &b), 4);

	/* eBGP over iBGP. */
	attrs_path(&a, 0, p4, 2, 1);
	attrs_path(&b, 0, p4, 2, 1);
	CHECK_EQ(duel(r, 1, &a, 4, &b), 4);

	/* Lowest BGP identifier (1's is lower than 0's). */
	attrs_path(&a, 0, p1, 1, 1);
	CHECK_EQ(duel(r, 0, &a, 1, &a), 1);
	/* Same identifier: lowest address (2's). */
	attrs_path(&a, 0, p3, 2, 1);
	CHECK_EQ(duel(r, 3, &a, 2, &a), 2);
	/* Same identifier and address: lowest index. */
	set_peer(r, 3, 65002, 0x0a000020, false);
	{
		struct ns_bgp_peer_desc d = {.asn = 65002,
				.id = 0x0a000020,
				.addr = 0x0a000202,
				.local_addr = 9};

		ns_bgp_rib_peer_set(r, 3, &d);
	}
	p = pfx(100, 0, n++, 0, 24);
	announce(r, 3, &p, &a);
	announce(r, 2, &p, &a);
	CHECK_EQ(best_of(r, &p), 2);
	/* Withdrawing the best falls back to the other. */
	withdraw(r, 2, &p);
	CHECK_EQ(best_of(r, &p), 3);
	withdraw(r, 3, &p);
	CHECK_EQ(best_of(r, &p), 0xee); /* the entry is gone */

	/* A path with our AS in it is ignored, and replaces an earlier one. */
	p = pfx(100, 0, n++, 0, 24);
	attrs_path(&a, 0, p1, 1, 1);
	announce(r, 0, &p, &a);
	attrs_path(&a, 0, loop, 3, 1);
	announce(r, 0, &p, &a);
	CHECK_EQ(best_of(r, &p), 0xee);
	ns_bgp_rib_stats(r, &st);
	CHECK_EQ(st.loops, 1);

	/* Import filter: 5 may not give 10/8 routes. */
	p = pfx(10, 1, 0, 0, 16);
	attrs_path(&a, 0, p1, 1, 1);
	announce(r, 5, &p, &a);
	CHECK_EQ(best_of(r, &p), 0xee);
	p = pfx(11, 1, 0, 0, 16);
	announce(r, 5, &p, &a);
	CHECK_EQ(best_of(r, &p), 5);
	ns_bgp_rib_stats(r, &st);
	CHECK_EQ(st.filtered, 1);
	CHECK_EQ(st.entries, st.prefixes);
	/* Sharing: the same attributes from two neighbours are one set. */
	CHECK(st.attr_sets < 20);

	/* Treat-as-withdraw removes. */
	memset(&upd, 0, sizeof(upd));
	upd.nlri[0] = p;
	upd.n_nlri = 1;
	upd.attrs = a;
	CHECK_EQ(ns_bgp_rib_input(r, 5, &upd, NS_BGP_UPD_TREAT_AS_WITHDRAW), 0);
	CHECK_EQ(best_of(r, &p), 0xee);
	ns_bgp_rib_destroy(r);
}

/* A neighbour's description changes: the decision and its export follow. */
static void
test_peer_change(void)
{
	struct ns_bgp_rib *r = new_rib(3, 100);
	static struct ns_bgp_plist none = {.n = 0};
	struct ns_bgp_peer_desc d2 = {.asn = 65002, .id = 9, .addr = 3, .local_addr = 4};
	uint32_t path[] = {65001, 7};
	struct ns_bgp_pfx p = pfx(1, 2, 3, 0, 24);
	struct ns_bgp_attrs a;
	int n;

	set_peer(r, 0, LOCAL_AS, 5, false);
	set_peer(r, 1, LOCAL_AS, 4, false);
	ns_bgp_rib_peer_set(r, 2, &d2);
	ns_bgp_rib_peer_up(r, 2);
	attrs_path(&a, 0, path, 2, 1);
	announce(r, 0, &p, &a);
	attrs_path(&a, 0, path, 2, 2);
	announce(r, 1, &p, &a);
	CHECK_EQ(best_of(r, &p), 1);
	n = export_all(r, 2, true, recs_a, NULL);
	CHECK(n == 1 && recs_a[0].a.n_as == 3);
	/* 0 comes back with a lower identifier: it is the best now. */
	set_peer(r, 0, LOCAL_AS, 3, false);
	CHECK_EQ(best_of(r, &p), 0);
	/* The same path for 2 (the next hop is ours): nothing to send. */
	CHECK_EQ(export_all(r, 2, true, recs_a, NULL), 0);
	/* 2's export filter now denies everything: a withdrawal. */
	d2.export = &none;
	ns_bgp_rib_peer_set(r, 2, &d2);
	n = export_all(r, 2, true, recs_a, NULL);
	CHECK(n == 1 && recs_a[0].wd);
	ns_bgp_rib_destroy(r);
}

/* ---- order independence ---- */

/* libc's generator, seeded in main: the runs are the same every time. */
static uint32_t
rnd(uint32_t n)
{
	return (uint32_t)rand() % n;
}

#define OI_PEERS 4
#define OI_UPD	 200
#define OI_PFX	 60

struct oi_upd {
	bool wd;
	uint16_t pfx;
	uint8_t set;
};
static struct oi_upd oi[OI_PEERS][OI_UPD];

static void
oi_attrs(struct ns_bgp_attrs *a, uint32_t peer, uint8_t set)
{
	uint32_t path[3] = {peer < 2 ? 65100u + set % 3 : 65002u + peer, 65200u + set % 2, 7};

	attrs_path(a, (uint8_t)(set % 3 == 0 ? 1 : 0), path, (uint16_t)(1 + set % 3), 1 + set);
	if (set & 1)
		attrs_med(a, set * 7u % 5);
	if (set & 4)
		attrs_lp(a, 100 + set % 2 * 50);
}

static void
oi_feed(struct ns_bgp_rib *r)
{
	uint32_t pos[OI_PEERS] = {0};
	uint32_t left = OI_PEERS * OI_UPD;

	while (left > 0) {
		uint32_t i = rnd(OI_PEERS);
		struct ns_bgp_attrs a;
		struct ns_bgp_pfx p;
		const struct oi_upd *u;

		if (pos[i] == OI_UPD)
			continue;
		u = &oi[i][pos[i]++];
		left--;
		p = pfx(20, 0, u->pfx, 0, 24);
		if (u->wd) {
			withdraw(r, i, &p);
		} else {
			oi_attrs(&a, i, u->set);
			announce(r, i, &p, &a);
		}
	}
}

static void
test_order_independence(void)
{
	struct ns_bgp_rib *r[2];
	static struct ns_bgp_rib_view va, vb;
	uint64_t cur = 0;
	int entries = 0, diff = 0;

	for (int k = 0; k < 2; k++) {
		r[k] = new_rib(OI_PEERS, 200);
		set_peer(r[k], 0, LOCAL_AS, 9, false);
		set_peer(r[k], 1, LOCAL_AS, 3, false);
		set_peer(r[k], 2, 65004, 3, false);
		set_peer(r[k], 3, 65005, 3, false);
	}
	for (int i = 0; i < OI_PEERS; i++)
		for (int j = 0; j < OI_UPD; j++) {
			oi[i][j].wd = rnd(5) == 0;
			oi[i][j].pfx = (uint16_t)rnd(OI_PFX);
			oi[i][j].set = (uint8_t)rnd(12);
		}
	oi_feed(r[0]);
	oi_feed(r[1]);
	while (ns_bgp_rib_walk(r[0], &cur, &va)) {
		entries++;
		if (!ns_bgp_rib_lookup(r[1], &va.p, &vb)) {
			diff++;
			continue;
		}
		if (va.best != vb.best || va.own != vb.own)
			diff++;
		for (int i = 0; i < OI_PEERS; i++) {
			if ((va.in[i] == NULL) != (vb.in[i] == NULL))
				diff++;
			else if (va.in[i] != NULL && memcmp(va.in[i], vb.in[i], sizeof(*va.in[i])))
				diff++;
		}
	}
	CHECK_EQ(diff, 0);
	CHECK(entries > OI_PFX / 2);
	{
		struct ns_bgp_rib_stats sa, sb;

		ns_bgp_rib_stats(r[0], &sa);
		ns_bgp_rib_stats(r[1], &sb);
		CHECK_EQ(sa.entries, sb.entries);
		CHECK_EQ(sa.prefixes, sb.prefixes);
		CHECK_EQ(sa.attr_sets, sb.attr_sets);
		CHECK(memcmp(sa.in, sb.in, sizeof(sa.in)) == 0);
	}
	ns_bgp_rib_destroy(r[0]);
	ns_bgp_rib_destroy(r[1]);
}

/* ---- export ---- */

/*
 * Neighbours: 0 eBGP AS 65001, 1 eBGP AS 65002, 2 iBGP, 3 iBGP with
 * next-hop-self, 4 eBGP AS 70000 (4-octet) with an export filter.
 */
static struct ns_bgp_rib *
export_rib(void)
{
	struct ns_bgp_rib *r = new_rib(5, 4000);

	set_peer(r, 0, 65001, 1, false);
	set_peer(r, 1, 65002, 2, false);
	set_peer(r, 2, LOCAL_AS, 3, false);
	set_peer(r, 3, LOCAL_AS, 4, true);
	set_peer(r, 4, 70000, 5, false);
	return r;
}

static void
test_export_rules(void)
{
	struct ns_bgp_rib *r = export_rib();
	static struct ns_bgp_plist only1 = {.n = 1};
	struct ns_bgp_peer_desc d4 = {
			.asn = 70000, .id = 5, .addr = 0x0a000402, .local_addr = 0x0a000401};
	uint32_t pa[] = {65001, 7}, pb[] = {65009}, pc[] = {65001, 65002}, pd[] = {65001, 70000};
	struct ns_bgp_pfx p1 = pfx(1, 0, 0, 0, 8), p2 = pfx(2, 0, 0, 0, 8), p3 = pfx(3, 0, 0, 0, 8),
			  p4 = pfx(4, 0, 0, 0, 8), p5 = pfx(5, 0, 0, 0, 8);
	struct ns_bgp_attrs a;
	const struct rec *x;
	int n;

	only1.e[0].p = p1;
	only1.e[0].permit = true;
	d4.export = &only1;
	ns_bgp_rib_peer_set(r, 4, &d4);
	attrs_path(&a, 0, pa, 2, 0x0b000001);
	attrs_med(&a, 33);
	a.unk[0] = 0xc0; /* optional transitive, type 99, 2 bytes */
	a.unk[1] = 99;
	a.unk[2] = 2;
	a.unk[3] = 0xab;
	a.unk[4] = 0xcd;
	a.unk_len = 5;
	a.n_comm = 2;
	a.comm[0] = 0xfde80001;
	a.comm[1] = 0xfde80002;
	announce(r, 0, &p1, &a);
	attrs_path(&a, 0, pb, 1, 0x0b000002);
	attrs_lp(&a, 300);
	announce(r, 2, &p2, &a);
	attrs_path(&a, 2, pc, 2, 0x0b000001);
	announce(r, 0, &p3, &a);
	CHECK_EQ(ns_bgp_rib_originate(r, &p4), 0);
	attrs_path(&a, 0, pd, 2, 0x0b000001);
	announce(r, 0, &p5, &a);
	/* Nothing goes out before a neighbour is up. */
	CHECK_EQ(ns_bgp_rib_pending(r, 1), 0);
	CHECK_EQ(ns_bgp_rib_export(r, 1, true, xbuf, sizeof(xbuf)), 0);
	for (uint32_t i = 0; i < 5; i++)
		ns_bgp_rib_peer_up(r, i);
	CHECK_EQ(ns_bgp_rib_pending(r, 1), 5);

	/* eBGP 1: our AS prepended, our next hop, no LOCAL_PREF nor MED; not p3
	 * (65002 is in its path). */
	n = export_all(r, 1, true, recs_a, NULL);
	CHECK_EQ(n, 4);
	x = rec_find(recs_a, n, &p1);
	CHECK(x != NULL && !x->wd);
	if (x != NULL) {
		CHECK_EQ(x->a.n_as, 3);
		CHECK_EQ(x->a.as[0], LOCAL_AS);
		CHECK_EQ(x->a.as[1], 65001);
		CHECK_EQ(x->a.next_hop, 0x0a000101);
		CHECK(!(x->a.present & (1u << 5)) && !(x->a.present & (1u << 4)));
		CHECK_EQ(x->a.n_comm, 2);
		CHECK_EQ(x->a.comm[1], 0xfde80002);
		/* The unknown attribute passed on, Partial. */
		CHECK_EQ(x->a.unk_len, 5);
		CHECK_EQ(x->a.unk[0], 0xe0);
		CHECK_EQ(x->a.unk[4], 0xcd);
	}
	x = rec_find(recs_a, n, &p2);
	CHECK(x != NULL && x->a.n_as == 2 && x->a.as[0] == LOCAL_AS && x->a.as[1] == 65009);
	CHECK(rec_find(recs_a, n, &p3) == NULL);
	x = rec_find(recs_a, n, &p4);
	CHECK(x != NULL && x->a.n_as == 1 && x->a.as[0] == LOCAL_AS && x->a.origin == 0);
	CHECK(x != NULL && x->a.next_hop == 0x0a000101);
	CHECK_EQ(ns_bgp_rib_pending(r, 1), 0);

	/* eBGP 0: nothing back to where it came from. */
	n = export_all(r, 0, true, recs_a, NULL);
	CHECK_EQ(n, 2);
	CHECK(rec_find(recs_a, n, &p2) != NULL && rec_find(recs_a, n, &p4) != NULL);

	/* iBGP 2: LOCAL_PREF set, next hop kept, MED passed; no iBGP-learned p2;
	 * own p4 with our next hop. */
	n = export_all(r, 2, true, recs_a, NULL);
	CHECK_EQ(n, 4);
	CHECK(rec_find(recs_a, n, &p2) == NULL);
	x = rec_find(recs_a, n, &p1);
	CHECK(x != NULL && x->a.n_as == 2 && x->a.as[0] == 65001);
	CHECK(x != NULL && x->a.next_hop == 0x0b000001 && x->a.local_pref == 100);
	CHECK(x != NULL && (x->a.present & (1u << 5)) && x->a.med == 33);
	x = rec_find(recs_a, n, &p4);
	CHECK(x != NULL && x->a.n_as == 0 && x->a.next_hop == 0x0a000201);
	CHECK(x != NULL && x->a.local_pref == 100);

	/* iBGP 3, next-hop-self. */
	n = export_all(r, 3, true, recs_a, NULL);
	CHECK_EQ(n, 4);
	x = rec_find(recs_a, n, &p1);
	CHECK(x != NULL && x->a.next_hop == 0x0a000301);

	/* eBGP 4 (AS 70000): only p1 passes its export filter; p5 has its AS
	 * anyway.  Over a 2-octet session: AS_TRANS and AS4_PATH. */
	attrs_path(&a, 0, pd, 1, 0x0b000001);
	a.as[0] = 80000;
	a.present |= 1u << 7; /* AGGREGATOR 80000 1.2.3.4 */
	a.aggr_as = 80000;
	a.aggr_id = 0x01020304;
	a.atomic_aggregate = true;
	announce(r, 0, &p1, &a); /* p1 now [80000] */
	n = export_all(r, 4, false, recs_a, NULL);
	CHECK_EQ(n, 1);
	CHECK(dec_saw_as4_path);
	x = rec_find(recs_a, n, &p1);
	CHECK(x != NULL && x->a.n_as == 2 && x->a.as[0] == LOCAL_AS && x->a.as[1] == 80000);
	CHECK(x != NULL && x->a.aggr_as == 80000 && x->a.aggr_id == 0x01020304);
	CHECK(x != NULL && x->a.atomic_aggregate);
	{
		/* The raw AS_PATH says 23456. */
		uint32_t len = 0;

		ns_bgp_rib_peer_down(r, 4);
		ns_bgp_rib_peer_up(r, 4);
		len = ns_bgp_rib_export(r, 4, false, xbuf, sizeof(xbuf));
		CHECK(len > 0);
		CHECK(memmem(xbuf, len, "\x02\x02\xfd\xe8\x5b\xa0", 6) != NULL);
		/* AGGREGATOR with AS_TRANS, then AS4_AGGREGATOR (type 18). */
		CHECK(memmem(xbuf, len, "\xc0\x07\x06\x5b\xa0\x01\x02\x03\x04", 9) != NULL);
		CHECK(memmem(xbuf, len, "\xc0\x12\x08\x00\x01\x38\x80", 7) != NULL);
	}

	/* Long values get the extended length: 64 communities are 256 bytes. */
	attrs_path(&a, 0, pa, 2, 0x0b000001);
	a.n_comm = 64;
	for (int i = 0; i < 64; i++)
		a.comm[i] = (uint32_t)i;
	announce(r, 0, &p1, &a);
	n = export_all(r, 1, true, recs_a, NULL);
	CHECK_EQ(n, 1);
	CHECK(dec_saw_extlen);
	CHECK(n == 1 && recs_a[0].a.n_comm == 64 && recs_a[0].a.comm[63] == 63);
	ns_bgp_rib_destroy(r);
}

/* Losing the best path: a withdrawal, or the next best; nothing unchanged sent again. */
static void
test_withdraw_and_unchanged(void)
{
	struct ns_bgp_rib *r = export_rib();
	uint32_t pa[] = {65001, 7}, pb[] = {65009, 8, 7};
	struct ns_bgp_pfx p = pfx(1, 0, 0, 0, 8), q = pfx(9, 9, 0, 0, 16);
	struct ns_bgp_attrs a, b;
	struct ns_bgp_rib_stats st;
	const struct rec *x;
	int n;

	for (uint32_t i = 0; i < 5; i++)
		ns_bgp_rib_peer_up(r, i);
	attrs_path(&a, 0, pa, 2, 0x0b000001);
	attrs_path(&b, 0, pb, 3, 0x0b000002);
	announce(r, 0, &p, &a);
	announce(r, 0, &q, &a);
	announce(r, 2, &p, &b);
	CHECK_EQ(export_all(r, 1, true, recs_a, NULL), 2);
	CHECK_EQ(export_all(r, 1, true, recs_a, NULL), 0);

	/* The same UPDATE again: nothing pending, nothing sent. */
	announce(r, 0, &p, &a);
	CHECK_EQ(ns_bgp_rib_pending(r, 1), 0);
	/* Another MED: the best changed, but not what eBGP 1 gets. */
	attrs_med(&a, 5);
	announce(r, 0, &p, &a);
	CHECK_EQ(ns_bgp_rib_pending(r, 1), 1);
	CHECK_EQ(ns_bgp_rib_export(r, 1, true, xbuf, sizeof(xbuf)), 0);
	CHECK_EQ(ns_bgp_rib_pending(r, 1), 0);
	/* A worse path elsewhere changes nothing. */
	attrs_path(&b, 0, pb, 3, 0x0b000003);
	announce(r, 2, &p, &b);
	CHECK_EQ(ns_bgp_rib_pending(r, 1), 0);

	/* The best goes: the next best (2's) is announced. */
	withdraw(r, 0, &p);
	n = export_all(r, 1, true, recs_a, NULL);
	CHECK_EQ(n, 1);
	x = rec_find(recs_a, n, &p);
	CHECK(x != NULL && !x->wd && x->a.n_as == 4 && x->a.as[1] == 65009);
	/* The last path goes: a withdrawal. */
	withdraw(r, 2, &p);
	n = export_all(r, 1, true, recs_a, NULL);
	CHECK_EQ(n, 1);
	CHECK(n == 1 && recs_a[0].wd && pfx_eq(&recs_a[0].p, &p));
	/* Never sent, gone before export: nothing at all. */
	announce(r, 2, &p, &b);
	withdraw(r, 2, &p);
	CHECK_EQ(export_all(r, 1, true, recs_a, NULL), 0);
	/* Session down: its routes are withdrawn from the others. */
	ns_bgp_rib_peer_down(r, 0);
	n = export_all(r, 1, true, recs_a, NULL);
	CHECK(n == 1 && recs_a[0].wd && pfx_eq(&recs_a[0].p, &q));
	ns_bgp_rib_stats(r, &st);
	CHECK_EQ(st.entries, 0);
	CHECK_EQ(st.out[1], 0);
	CHECK_EQ(st.attr_sets, 1); /* the own path's */
	/* Reset keeps own prefixes, and they go out again. */
	ns_bgp_rib_originate(r, &p);
	CHECK_EQ(export_all(r, 1, true, recs_a, NULL), 1);
	ns_bgp_rib_reset(r);
	CHECK_EQ(ns_bgp_rib_pending(r, 1), 1);
	ns_bgp_rib_destroy(r);
}

/*
 * Non-stop routing: an active and a standby get the same input (in another
 * order: the standby's backwards, 2's path of a prefix before 0's); the active
 * exports part of its pending set, the standby learns from those UPDATEs
 * (out_apply), more input arrives on both, the standby takes over
 * (out_resync): what it sends is what the active would still have sent.
 */
static void
nsr_feed(struct ns_bgp_rib *r, int round, bool reverse)
{
	for (int i = 0; i < 1500; i++) {
		int k = reverse ? 1499 - i : i;
		struct ns_bgp_pfx p = pfx(30 + round, k >> 8, k & 0xff, 0, 24);
		uint32_t path[2] = {65001, 100u + (uint32_t)(k % 37)};
		struct ns_bgp_attrs a, b;

		attrs_path(&a, 0, path, 2, 1);
		if (k % 5 == 0)
			attrs_med(&a, (uint32_t)k % 3);
		path[0] = 65009;
		attrs_path(&b, 0, path, 1, 2);
		if (!reverse)
			announce(r, 0, &p, &a);
		if (k % 7 == 0)
			announce(r, 2, &p, &b);
		if (reverse)
			announce(r, 0, &p, &a);
	}
}

static void
nsr_change(struct ns_bgp_rib *r)
{
	/* Withdraw some that were sent, some not yet sent; change some paths. */
	for (int k = 0; k < 1500; k += 3) {
		struct ns_bgp_pfx p = pfx(30, k >> 8, k & 0xff, 0, 24);

		if (k % 2 == 0) {
			withdraw(r, 0, &p);
		} else {
			uint32_t path[3] = {65001, 5, 6};
			struct ns_bgp_attrs a;

			attrs_path(&a, 0, path, 3, 1);
			announce(r, 0, &p, &a);
		}
	}
}

static int
rec_cmp(const void *x, const void *y)
{
	const struct rec *a = x, *b = y;

	if (a->p.addr != b->p.addr)
		return a->p.addr < b->p.addr ? -1 : 1;
	return (int)a->p.len - (int)b->p.len;
}

static void
test_nsr(void)
{
	struct ns_bgp_rib *act = export_rib(), *stb = export_rib();
	static struct ns_bgp_update ju;
	struct ns_bgp_rib_stats sa, sb;
	int na, nb, journaled = 0, diff = 0;
	uint64_t cur = 0;
	static struct ns_bgp_rib_view va, vb;

	ns_bgp_rib_peer_up(act, 1);
	ns_bgp_rib_peer_up(stb, 1);
	nsr_feed(act, 0, false);
	nsr_feed(stb, 0, true);
	/* The active sends part of it (two calls of 6000 bytes); the journal
	 * carries the bytes to the standby. */
	for (int c = 0; c < 2; c++) {
		uint32_t len = ns_bgp_rib_export(act, 1, true, xbuf, 6000);

		CHECK(len > 0);
		for (uint32_t o = 0; o < len;) {
			int32_t l = dec_update(xbuf + o, len - o, true, &ju);

			CHECK(l > 0);
			if (l <= 0)
				break;
			ns_bgp_rib_out_apply(stb, 1, &ju);
			journaled += ju.n_nlri + ju.n_withdrawn;
			o += (uint32_t)l;
		}
	}
	CHECK(journaled > 100 && journaled < 1500);
	/* While pending equals between the two: out_apply took the sent ones off. */
	CHECK_EQ(ns_bgp_rib_pending(act, 1), ns_bgp_rib_pending(stb, 1));
	nsr_change(act);
	nsr_change(stb);
	nsr_feed(act, 1, false);
	nsr_feed(stb, 1, true);
	ns_bgp_rib_out_resync(stb, 1);
	na = export_all(act, 1, true, recs_a, NULL);
	nb = export_all(stb, 1, true, recs_b, NULL);
	printf("    %d prefixes journaled; then the active sends %d, the standby %d\n", journaled,
			na, nb);
	CHECK(na > 1500);
	CHECK_EQ(na, nb);
	if (na == nb && na > 0) {
		qsort(recs_a, (size_t)na, sizeof(recs_a[0]), rec_cmp);
		qsort(recs_b, (size_t)nb, sizeof(recs_b[0]), rec_cmp);
		for (int i = 0; i < na; i++)
			if (!pfx_eq(&recs_a[i].p, &recs_b[i].p) || recs_a[i].wd != recs_b[i].wd ||
					memcmp(&recs_a[i].a, &recs_b[i].a, sizeof(recs_a[i].a)))
				diff++;
	}
	CHECK_EQ(diff, 0);
	/* And both Adj-RIBs-Out are the same now. */
	ns_bgp_rib_stats(act, &sa);
	ns_bgp_rib_stats(stb, &sb);
	CHECK_EQ(sa.out[1], sb.out[1]);
	CHECK_EQ(sa.entries, sb.entries);
	while (ns_bgp_rib_walk(act, &cur, &va)) {
		if (!ns_bgp_rib_lookup(stb, &va.p, &vb) ||
				(va.out[1] == NULL) != (vb.out[1] == NULL) ||
				(va.out[1] != NULL &&
						memcmp(va.out[1], vb.out[1], sizeof(*va.out[1]))))
			diff++;
	}
	CHECK_EQ(diff, 0);
	/* A standby told nothing new resyncs to nothing. */
	ns_bgp_rib_out_resync(stb, 1);
	CHECK_EQ(ns_bgp_rib_pending(stb, 1), 0);
	ns_bgp_rib_destroy(act);
	ns_bgp_rib_destroy(stb);
}

/* The standby hears of an UPDATE the active sent before the input behind it. */
static void
test_out_apply_early(void)
{
	struct ns_bgp_rib *r = export_rib();
	static struct ns_bgp_update ou;
	uint32_t sent[] = {LOCAL_AS, 65001, 7}, in[] = {65001, 7};
	struct ns_bgp_pfx p = pfx(8, 8, 8, 0, 24), q = pfx(9, 9, 9, 0, 24);
	struct ns_bgp_attrs a;
	struct ns_bgp_rib_stats st;
	int n;

	ns_bgp_rib_peer_up(r, 1);
	memset(&ou, 0, sizeof(ou));
	attrs_path(&ou.attrs, 0, sent, 3, 0x0a000101);
	ou.nlri[0] = p;
	ou.nlri[1] = q;
	ou.n_nlri = 2;
	ou.withdrawn[0] = pfx(7, 7, 7, 0, 24); /* never known: nothing */
	ou.n_withdrawn = 1;
	ns_bgp_rib_out_apply(r, 1, &ou);
	ns_bgp_rib_stats(r, &st);
	CHECK_EQ(st.out[1], 2);
	CHECK_EQ(st.entries, 2);
	/* The input arrives for p only. */
	attrs_path(&a, 0, in, 2, 0x0b000001);
	announce(r, 0, &p, &a);
	ns_bgp_rib_out_resync(r, 1);
	CHECK_EQ(ns_bgp_rib_pending(r, 1), 1);
	/* p is what 1 has; q was never the standby's: withdrawn. */
	n = export_all(r, 1, true, recs_a, NULL);
	CHECK(n == 1 && recs_a[0].wd && pfx_eq(&recs_a[0].p, &q));
	ns_bgp_rib_stats(r, &st);
	CHECK_EQ(st.out[1], 1);
	CHECK_EQ(st.entries, 1);
	ns_bgp_rib_destroy(r);
}

/*
 * Incremental export converges: random input, originations, sessions going
 * down and up, and partial exports of random sizes on one table; a fresh
 * table given the final input and exporting everything at once must end
 * with the same Loc-RIB and the same Adj-RIBs-Out.
 */
/* The sizes stats keeps as it goes equal a count over the whole table. */
static void
stats_match_walk(const struct ns_bgp_rib *r, uint32_t n_peers)
{
	static struct ns_bgp_rib_view v;
	struct ns_bgp_rib_stats st;
	uint32_t best = 0, in[NS_BGP_MAX_PEERS] = {0}, out[NS_BGP_MAX_PEERS] = {0};
	uint64_t cur = 0;

	while (ns_bgp_rib_walk(r, &cur, &v)) {
		best += v.best != NS_BGP_NO_BEST;
		for (uint32_t i = 0; i < n_peers; i++) {
			in[i] += v.in[i] != NULL;
			out[i] += v.out[i] != NULL;
		}
	}
	ns_bgp_rib_stats(r, &st);
	CHECK_EQ(st.prefixes, best);
	for (uint32_t i = 0; i < n_peers; i++) {
		CHECK_EQ(st.in[i], in[i]);
		CHECK_EQ(st.out[i], out[i]);
	}
}

#define CV_PEERS 4
#define CV_PFX	 80
static int cv_in[CV_PEERS][CV_PFX]; /* the set a neighbour gave (-1: none) */
static bool cv_own[CV_PFX];

static void
cv_attrs(struct ns_bgp_attrs *a, uint32_t peer, int set)
{
	uint32_t path[3] = {peer >= 2 ? 65002u + peer : 65100u + (uint32_t)set % 2,
			65001u + (uint32_t)set % 4, 7};

	attrs_path(a, (uint8_t)(set % 2), path, (uint16_t)(1 + set % 3), 1 + (uint32_t)set % 3);
	if (set & 2)
		attrs_med(a, (uint32_t)set);
	if (set & 4)
		attrs_lp(a, 90 + (uint32_t)set);
}

static struct ns_bgp_rib *
cv_rib(void)
{
	struct ns_bgp_rib *r = new_rib(CV_PEERS, 500);

	set_peer(r, 0, LOCAL_AS, 1, false);
	set_peer(r, 1, LOCAL_AS, 2, true);
	set_peer(r, 2, 65004, 3, false);
	set_peer(r, 3, 65005, 4, false);
	return r;
}

static int
cv_compare(struct ns_bgp_rib *x, struct ns_bgp_rib *y)
{
	static struct ns_bgp_rib_view vx, vy;
	uint64_t cur = 0;
	int diff = 0;

	while (ns_bgp_rib_walk(x, &cur, &vx)) {
		if (!ns_bgp_rib_lookup(y, &vx.p, &vy)) {
			/* Only an entry holding nothing may be missing. */
			diff += vx.best != NS_BGP_NO_BEST;
			for (int i = 0; i < CV_PEERS; i++)
				diff += vx.out[i] != NULL;
			continue;
		}
		diff += vx.best != vy.best;
		for (int i = 0; i < CV_PEERS; i++) {
			diff += (vx.out[i] == NULL) != (vy.out[i] == NULL);
			if (vx.out[i] != NULL && vy.out[i] != NULL)
				diff += memcmp(vx.out[i], vy.out[i], sizeof(*vx.out[i])) != 0;
		}
	}
	return diff;
}

static void
test_converges(void)
{
	struct ns_bgp_rib *a = cv_rib(), *b = cv_rib();
	struct ns_bgp_attrs at;
	bool up[CV_PEERS];
	int diff;

	memset(cv_in, 0xff, sizeof(cv_in));
	memset(cv_own, 0, sizeof(cv_own));
	for (uint32_t i = 0; i < CV_PEERS; i++) {
		ns_bgp_rib_peer_up(a, i);
		up[i] = true;
	}
	for (int op = 0; op < 5000; op++) {
		uint32_t i = rnd(CV_PEERS), k = rnd(CV_PFX), what = rnd(100);
		struct ns_bgp_pfx p = pfx(60, 0, (int)k, 0, 24);

		/* The last 1000 without sessions going down (a neighbour
		 * coming up makes everything pending for it). */
		if (op == 4000)
			for (uint32_t j = 0; j < CV_PEERS; j++)
				if (!up[j]) {
					ns_bgp_rib_peer_up(a, j);
					up[j] = true;
				}
		if (op >= 4000 && what >= 97)
			what = 90;
		if (what < 50 && up[i]) {
			int set = (int)rnd(16);

			cv_attrs(&at, i, set);
			announce(a, i, &p, &at);
			cv_in[i][k] = set;
		} else if (what < 75) {
			withdraw(a, i, &p);
			cv_in[i][k] = -1;
		} else if (what < 80) {
			if (cv_own[k])
				ns_bgp_rib_unoriginate(a, &p);
			else
				ns_bgp_rib_originate(a, &p);
			cv_own[k] = !cv_own[k];
		} else if (what < 97) {
			ns_bgp_rib_export(a, i, i % 2 == 0, xbuf, 100 + rnd(6000));
		} else if (up[i]) {
			ns_bgp_rib_peer_down(a, i);
			for (int j = 0; j < CV_PFX; j++)
				cv_in[i][j] = -1;
			up[i] = false;
		} else {
			ns_bgp_rib_peer_up(a, i);
			up[i] = true;
		}
	}
	for (uint32_t i = 0; i < CV_PEERS; i++) {
		while (ns_bgp_rib_export(a, i, i % 2 == 0, xbuf, sizeof(xbuf)) > 0)
			;
		CHECK_EQ(ns_bgp_rib_pending(a, i), 0);
	}
	/* The fresh table. */
	for (int k = 0; k < CV_PFX; k++) {
		struct ns_bgp_pfx p = pfx(60, 0, k, 0, 24);

		for (uint32_t i = 0; i < CV_PEERS; i++)
			if (cv_in[i][k] >= 0) {
				cv_attrs(&at, i, cv_in[i][k]);
				announce(b, i, &p, &at);
			}
		if (cv_own[k])
			ns_bgp_rib_originate(b, &p);
	}
	for (uint32_t i = 0; i < CV_PEERS; i++) {
		ns_bgp_rib_peer_up(b, i);
		while (ns_bgp_rib_export(b, i, i % 2 == 0, xbuf, sizeof(xbuf)) > 0)
			;
	}
	diff = cv_compare(a, b) + cv_compare(b, a);
	CHECK_EQ(diff, 0);
	stats_match_walk(a, CV_PEERS);
	stats_match_walk(b, CV_PEERS);
	ns_bgp_rib_destroy(a);
	ns_bgp_rib_destroy(b);
}

/* A full table refuses and counts; churn through tombstones keeps it right. */
static void
test_table_full(void)
{
	struct ns_bgp_rib *r = new_rib(2, 100);
	struct ns_bgp_rib_stats st;
	struct ns_bgp_attrs a;
	uint32_t path[] = {65001};
	uint32_t refused = 0;

	set_peer(r, 0, 65001, 1, false);
	set_peer(r, 1, 65002, 2, false);
	ns_bgp_rib_peer_up(r, 1);
	attrs_path(&a, 0, path, 1, 1);
	for (int k = 0; k < 150; k++) {
		struct ns_bgp_pfx p = pfx(40, 0, k, 0, 24);

		refused += announce(r, 0, &p, &a);
	}
	CHECK_EQ(refused, 50);
	ns_bgp_rib_stats(r, &st);
	CHECK_EQ(st.table_full, 50);
	CHECK_EQ(st.entries, 100);
	CHECK_EQ(ns_bgp_rib_pending(r, 1), 100);
	/* Churn: withdraw and announce other prefixes many times over. */
	for (int round = 0; round < 20; round++) {
		for (int k = 0; k < 100; k++) {
			struct ns_bgp_pfx p = pfx(40 + round, 0, k, 0, 24);
			struct ns_bgp_pfx q = pfx(41 + round, 0, k, 0, 24);

			withdraw(r, 0, &p);
			CHECK_EQ(announce(r, 0, &q, &a), 0);
		}
	}
	ns_bgp_rib_stats(r, &st);
	CHECK_EQ(st.entries, 100);
	CHECK_EQ(ns_bgp_rib_pending(r, 1), 100);
	for (int k = 0; k < 100; k++) {
		struct ns_bgp_pfx q = pfx(60, 0, k, 0, 24);

		CHECK_EQ(best_of(r, &q), 0);
	}
	CHECK_EQ(export_all(r, 1, true, recs_a, NULL), 100);
	ns_bgp_rib_destroy(r);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#define SCALE_N 100000

/* SCALE_N /24 prefixes from neighbour 0, 100 an UPDATE, with 1000 attribute sets. */
static void
scale_feed(struct ns_bgp_rib *r)
{
	for (uint32_t u = 0; u < SCALE_N / 100; u++) {
		uint32_t path[3] = {65001, 1000 + u % 1000, 7};

		memset(&upd, 0, sizeof(upd));
		attrs_path(&upd.attrs, 0, path, 3, 0x0b000001);
		attrs_med(&upd.attrs, u % 1000);
		for (uint32_t i = 0; i < 100; i++) {
			uint32_t k = u * 100 + i;

			upd.nlri[i] = pfx(50 + (int)(k >> 16), (int)(k >> 8) & 0xff, (int)k & 0xff,
					0, 24);
		}
		upd.n_nlri = 100;
		CHECK_EQ(ns_bgp_rib_input(r, 0, &upd, NS_BGP_UPD_OK), 0);
	}
}

/* 100 000 prefixes from one neighbour with 1000 attribute sets, exported to another. */
static void
test_scale(void)
{
	const uint32_t N = SCALE_N;
	struct ns_bgp_rib *r = new_rib(1, N);
	struct ns_bgp_rib_stats st;
	uint32_t prefixes = 0, msgs = 0, n;
	double t0, t1, t2;

	/* The table of a single neighbour. */
	set_peer(r, 0, 65001, 1, false);
	scale_feed(r);
	ns_bgp_rib_stats(r, &st);
	CHECK_EQ(st.prefixes, N);
	printf("    1 neighbour, %u prefixes: %u sets, %.1f bytes/prefix\n", N, st.attr_sets,
			(double)st.bytes / N);
	ns_bgp_rib_destroy(r);

	/* Two: 0 gives, 1 gets. */
	r = new_rib(2, N);
	set_peer(r, 0, 65001, 1, false);
	set_peer(r, 1, 65002, 2, false);
	ns_bgp_rib_peer_up(r, 1);
	t0 = now_s();
	scale_feed(r);
	t1 = now_s();
	ns_bgp_rib_stats(r, &st);
	CHECK_EQ(st.prefixes, N);
	CHECK_EQ(st.attr_sets, 1001);
	printf("    2 neighbours, input %u prefixes: %.1f ms; %u sets, %.1f bytes/prefix\n", N,
			(t1 - t0) * 1e3, st.attr_sets, (double)st.bytes / N);
	CHECK_EQ(ns_bgp_rib_pending(r, 1), N);
	while ((n = ns_bgp_rib_export(r, 1, true, xbuf, sizeof(xbuf))) > 0) {
		for (uint32_t o = 0; o < n;) {
			uint32_t l = be16(xbuf + o + 16);

			prefixes += (l - 23 - be16(xbuf + o + 21)) / 4; /* all /24 */
			msgs++;
			o += l;
		}
	}
	t2 = now_s();
	ns_bgp_rib_stats(r, &st);
	CHECK_EQ(prefixes, N);
	CHECK_EQ(st.out[1], N);
	printf("    export %u prefixes in %u UPDATEs: %.1f ms; %u sets, %.1f bytes/prefix with "
	       "Adj-RIB-Out\n",
			prefixes, msgs, (t2 - t1) * 1e3, st.attr_sets, (double)st.bytes / N);
	/* A withdrawn neighbour: everything withdrawn, fast. */
	ns_bgp_rib_peer_down(r, 0);
	prefixes = 0;
	while ((n = ns_bgp_rib_export(r, 1, true, xbuf, sizeof(xbuf))) > 0)
		for (uint32_t o = 0; o < n; o += be16(xbuf + o + 16))
			prefixes += be16(xbuf + o + 19) / 4;
	printf("    peer down + withdraw export: %.1f ms\n", (now_s() - t2) * 1e3);
	CHECK_EQ(prefixes, N);
	ns_bgp_rib_stats(r, &st);
	CHECK_EQ(st.entries, 0);
	CHECK_EQ(st.attr_sets, 1);
	ns_bgp_rib_destroy(r);
}

int
main(void)
{
	srand(20261203);
	RUN(test_plist);
	RUN(test_decision);
	RUN(test_peer_change);
	RUN(test_order_independence);
	RUN(test_export_rules);
	RUN(test_withdraw_and_unchanged);
	RUN(test_nsr);
	RUN(test_out_apply_early);
	RUN(test_converges);
	RUN(test_table_full);
	RUN(test_scale);
	return TEST_SUMMARY();
}
