/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BGP-4 message codec (bgp_msg.h): framing, OPEN with capabilities, UPDATE
 * with the revised error handling of RFC 7606, NOTIFICATION, KEEPALIVE and
 * ROUTE-REFRESH.  Every read is checked against the message length and every
 * write against the caller's buffer size.
 */
#include <stdio.h>
#include <string.h>

#include "bgp_msg.h"

#define AS_TRANS 23456 /* RFC 6793 */

/* Path attribute type codes. */
enum {
	ATTR_ORIGIN = 1,
	ATTR_AS_PATH = 2,
	ATTR_NEXT_HOP = 3,
	ATTR_MED = 4,
	ATTR_LOCAL_PREF = 5,
	ATTR_ATOMIC_AGGR = 6,
	ATTR_AGGREGATOR = 7,
	ATTR_COMMUNITIES = 8,
	ATTR_MP_REACH = 14,
	ATTR_MP_UNREACH = 15,
	ATTR_AS4_PATH = 17,
	ATTR_AS4_AGGREGATOR = 18,
};

/* Path attribute flags. */
#define F_OPTIONAL   0x80
#define F_TRANSITIVE 0x40
#define F_PARTIAL    0x20
#define F_EXTLEN     0x10

/* UPDATE message error subcodes (RFC 4271 6.3). */
enum {
	UPD_MALFORMED_LIST = 1,
	UPD_UNRECOGNIZED_WK = 2,
	UPD_OPTIONAL_ATTR = 9,
	UPD_INVALID_NETWORK = 10,
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Fill *n with a NOTIFICATION, its data cut to what the struct holds. */
static void
notif_set(struct ns_bgp_notif *n, uint8_t code, uint8_t subcode, const uint8_t *data, uint32_t len)
{
	if (n == NULL)
		return;
	n->code = code;
	n->subcode = subcode;
	if (len > sizeof(n->data))
		len = sizeof(n->data);
	n->data_len = (uint16_t)len;
	if (len > 0)
		memcpy(n->data, data, len);
}

/* The common header: marker, length, type.  buf holds at least 19 bytes. */
static void
put_header(uint8_t *buf, uint32_t len, uint8_t type)
{
	memset(buf, 0xff, 16);
	put16(buf + 16, len);
	buf[18] = type;
}

int32_t
ns_bgp_frame(const uint8_t *buf, uint32_t len, struct ns_bgp_notif *n)
{
	uint16_t mlen;
	uint8_t type, lenb[2];
	bool ok;

	if (len < NS_BGP_HDR_LEN)
		return 0;
	for (int i = 0; i < 16; i++) {
		if (buf[i] != 0xff) {
			notif_set(n, NS_BGP_ERR_HEADER, 1, NULL,
					0); /* connection not synchronized */
			return -1;
		}
	}
	mlen = get16(buf + 16);
	type = buf[18];
	memcpy(lenb, buf + 16, 2);
	if (mlen < NS_BGP_HDR_LEN || mlen > NS_BGP_MAX_MSG) {
		notif_set(n, NS_BGP_ERR_HEADER, 2, lenb, 2); /* bad message length */
		return -1;
	}
	/* The length each type needs (RFC 4271 6.1; RFC 2918 for ROUTE-REFRESH). */
	switch (type) {
	case NS_BGP_OPEN:
		ok = mlen >= 29;
		break;
	case NS_BGP_UPDATE:
		ok = mlen >= 23;
		break;
	case NS_BGP_NOTIFICATION:
		ok = mlen >= 21;
		break;
	case NS_BGP_KEEPALIVE:
		ok = mlen == 19;
		break;
	case NS_BGP_ROUTE_REFRESH:
		ok = mlen == 23;
		break;
	default:
		notif_set(n, NS_BGP_ERR_HEADER, 3, &type, 1); /* bad message type */
		return -1;
	}
	if (!ok) {
		notif_set(n, NS_BGP_ERR_HEADER, 2, lenb, 2);
		return -1;
	}
	if (len < mlen)
		return 0;
	return mlen;
}

/*
 * The capabilities of one optional parameter (RFC 5492): code, length,
 * value, one after the other.  Unknown ones, and known ones of an odd
 * length, are ignored.  -1 when a capability overruns the parameter.
 */
static int
parse_caps(const uint8_t *p, uint32_t len, struct ns_bgp_open *o)
{
	uint32_t off = 0;

	while (off < len) {
		uint8_t code, clen;

		if (len - off < 2)
			return -1;
		code = p[off];
		clen = p[off + 1];
		off += 2;
		if (clen > len - off)
			return -1;
		if (code == 65 && clen == 4) {
			o->cap_as4 = true;
			o->asn = get32(p + off);
		} else if (code == 1 && clen == 4) {
			if (get16(p + off) == 1 && p[off + 3] == 1)
				o->cap_mp_ipv4u = true;
		} else if (code == 2) {
			o->cap_rr = true;
		} else if (code == 70) {
			o->cap_err = true;
		}
		off += clen;
	}
	return 0;
}

int
ns_bgp_open_parse(const uint8_t *msg, uint32_t len, struct ns_bgp_open *o, struct ns_bgp_notif *n)
{
	uint32_t off, end, plen_size = 1;
	static const uint8_t version4[2] = {0, 4};

	memset(o, 0, sizeof(*o));
	if (len < 29) {
		uint8_t lenb[2] = {(uint8_t)(len >> 8), (uint8_t)len};

		notif_set(n, NS_BGP_ERR_HEADER, 2, lenb, 2);
		return -1;
	}
	o->version = msg[19];
	o->my_as = get16(msg + 20);
	o->asn = o->my_as;
	o->hold = get16(msg + 22);
	o->id = get32(msg + 24);
	if (o->version != 4) {
		notif_set(n, NS_BGP_ERR_OPEN, 1, version4, 2); /* unsupported version */
		return -1;
	}
	if (o->hold == 1 || o->hold == 2) {
		notif_set(n, NS_BGP_ERR_OPEN, 6, NULL, 0); /* unacceptable hold time */
		return -1;
	}
	if (o->id == 0) {
		notif_set(n, NS_BGP_ERR_OPEN, 3, NULL, 0); /* bad BGP identifier */
		return -1;
	}
	off = 29;
	end = 29 + msg[28];
	/* RFC 9072: a length of 255 with a first parameter type of 255 announces
	 * a 2-byte length, and each parameter has a 2-byte length too. */
	if (msg[28] == 255 && len >= 32 && msg[29] == 255) {
		plen_size = 2;
		off = 32;
		end = 32 + get16(msg + 30);
	}
	if (end != len) {
		notif_set(n, NS_BGP_ERR_OPEN, 0, NULL, 0); /* malformed optional parameters */
		return -1;
	}
	while (off < end) {
		uint8_t type;
		uint32_t plen;

		if (end - off < 1 + plen_size) {
			notif_set(n, NS_BGP_ERR_OPEN, 0, NULL, 0);
			return -1;
		}
		type = msg[off];
		plen = plen_size == 2 ? get16(msg + off + 1) : msg[off + 1];
		off += 1 + plen_size;
		if (plen > end - off) {
			notif_set(n, NS_BGP_ERR_OPEN, 0, NULL, 0);
			return -1;
		}
		if (type != 2) {
			notif_set(n, NS_BGP_ERR_OPEN, 4, NULL,
					0); /* unsupported optional parameter */
			return -1;
		}
		if (parse_caps(msg + off, plen, o) < 0) {
			notif_set(n, NS_BGP_ERR_OPEN, 0, NULL, 0);
			return -1;
		}
		off += plen;
	}
	return 0;
}

uint32_t
ns_bgp_open_build(uint8_t *buf, uint32_t max, const struct ns_bgp_open *o)
{
	uint8_t caps[32];
	uint32_t c = 0, len;

	if (o->cap_mp_ipv4u) {
		const uint8_t mp[6] = {1, 4, 0, 1, 0, 1};

		memcpy(caps + c, mp, sizeof(mp));
		c += sizeof(mp);
	}
	if (o->cap_rr) {
		caps[c++] = 2;
		caps[c++] = 0;
	}
	if (o->cap_err) {
		caps[c++] = 70;
		caps[c++] = 0;
	}
	if (o->cap_as4) {
		caps[c++] = 65;
		caps[c++] = 4;
		put32(caps + c, o->asn);
		c += 4;
	}
	len = 29 + (c > 0 ? 2 + c : 0);
	if (max < len)
		return 0;
	put_header(buf, len, NS_BGP_OPEN);
	buf[19] = 4;
	put16(buf + 20, o->asn > 65535 ? AS_TRANS : o->asn);
	put16(buf + 22, o->hold);
	put32(buf + 24, o->id);
	buf[28] = (uint8_t)(len - 29);
	if (c > 0) {
		/* All capabilities in one optional parameter of type 2. */
		buf[29] = 2;
		buf[30] = (uint8_t)c;
		memcpy(buf + 31, caps, c);
	}
	return len;
}

uint32_t
ns_bgp_keepalive_build(uint8_t *buf, uint32_t max)
{
	if (max < NS_BGP_HDR_LEN)
		return 0;
	put_header(buf, NS_BGP_HDR_LEN, NS_BGP_KEEPALIVE);
	return NS_BGP_HDR_LEN;
}

uint32_t
ns_bgp_notif_build(uint8_t *buf, uint32_t max, const struct ns_bgp_notif *n)
{
	uint32_t dlen = n->data_len > sizeof(n->data) ? sizeof(n->data) : n->data_len;
	uint32_t len = 21 + dlen;

	if (max < len)
		return 0;
	put_header(buf, len, NS_BGP_NOTIFICATION);
	buf[19] = n->code;
	buf[20] = n->subcode;
	memcpy(buf + 21, n->data, dlen);
	return len;
}

int
ns_bgp_notif_parse(const uint8_t *msg, uint32_t len, struct ns_bgp_notif *n)
{
	if (len < 21)
		return -1;
	notif_set(n, msg[19], msg[20], msg + 21, len - 21);
	return 0;
}

uint32_t
ns_bgp_refresh_build(uint8_t *buf, uint32_t max)
{
	if (max < 23)
		return 0;
	put_header(buf, 23, NS_BGP_ROUTE_REFRESH);
	put16(buf + 19, 1); /* AFI IPv4 */
	buf[21] = 0;	    /* subtype: a request (RFC 7313) */
	buf[22] = 1;	    /* SAFI unicast */
	return 23;
}

int
ns_bgp_refresh_parse(const uint8_t *msg, uint32_t len, struct ns_bgp_notif *n)
{
	if (len != 23) {
		/* RFC 7313: invalid message length, the message as data. */
		notif_set(n, NS_BGP_ERR_ROUTE_REFRESH, 1, msg, len);
		return -1;
	}
	/* Beginning and end of a refresh (subtypes 1 and 2) ask nothing of us. */
	if (get16(msg + 19) == 1 && msg[21] == 0 && msg[22] == 1)
		return 0;
	return 1;
}

/* ---- prefixes ---- */

/* The mask of a prefix length (0..32), host order. */
static uint32_t
pfx_mask(uint32_t len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

/*
 * Append the prefixes of an NLRI-encoded field (length, then the
 * significant bytes) to out[*n].  Host bits are cleared.  -1 when the field
 * is unparsable (a length over 32, a prefix overrunning the field) or holds
 * more than the array does.
 */
static int
parse_pfxs(const uint8_t *p, uint32_t len, struct ns_bgp_pfx *out, uint16_t *n)
{
	uint32_t off = 0;

	while (off < len) {
		uint8_t plen = p[off++];
		uint32_t nb = (plen + 7u) / 8, addr = 0;

		if (plen > 32 || nb > len - off || *n >= NS_BGP_UPD_MAX_PFX)
			return -1;
		for (uint32_t i = 0; i < nb; i++)
			addr |= (uint32_t)p[off + i] << (24 - 8 * i);
		off += nb;
		out[*n].addr = addr & pfx_mask(plen);
		out[*n].len = plen;
		(*n)++;
	}
	return 0;
}

/* Encode one prefix; its length in bytes, 0 when room is too small. */
static uint32_t
put_pfx(uint8_t *p, uint32_t room, const struct ns_bgp_pfx *x)
{
	uint32_t plen = x->len > 32 ? 32 : x->len, nb = (plen + 7) / 8;

	if (room < 1 + nb)
		return 0;
	p[0] = (uint8_t)plen;
	for (uint32_t i = 0; i < nb; i++)
		p[1 + i] = (uint8_t)(x->addr >> (24 - 8 * i));
	return 1 + nb;
}

int
ns_bgp_pfx_parse(const char *s, struct ns_bgp_pfx *p)
{
	uint32_t addr = 0, v;
	int i, digits;

	/* Four dotted decimal octets, a slash and a length, nothing more. */
	for (i = 0; i < 5; i++) {
		v = 0;
		digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 3) {
			v = v * 10 + (uint32_t)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || (*s >= '0' && *s <= '9'))
			return -1;
		if (i < 4) {
			if (v > 255 || *s++ != (i < 3 ? '.' : '/'))
				return -1;
			addr = addr << 8 | v;
		} else if (v > 32 || *s != '\0') {
			return -1;
		}
	}
	if ((addr & ~pfx_mask(v)) != 0)
		return -1;
	p->addr = addr;
	p->len = (uint8_t)v;
	return 0;
}

void
ns_bgp_pfx_str(const struct ns_bgp_pfx *p, char *buf, uint32_t size)
{
	if (size == 0)
		return;
	snprintf(buf, size, "%u.%u.%u.%u/%u", p->addr >> 24, (p->addr >> 16) & 0xff,
			(p->addr >> 8) & 0xff, p->addr & 0xff, p->len);
}

/* ---- AS paths ---- */

uint32_t
ns_bgp_aspath_len(const struct ns_bgp_attrs *a)
{
	uint32_t len = 0;

	for (uint32_t s = 0; s < a->n_seg && s < 32; s++) {
		if (a->seg_type[s] == NS_BGP_AS_SEQUENCE)
			len += a->seg_len[s];
		else if (a->seg_type[s] == NS_BGP_AS_SET)
			len++;
	}
	return len;
}

uint32_t
ns_bgp_aspath_first(const struct ns_bgp_attrs *a)
{
	uint32_t i = 0;

	/* Confederation segments come first and are skipped (RFC 5065); a path
	 * starting with an AS_SET has no neighbour AS. */
	for (uint32_t s = 0; s < a->n_seg && s < 32; s++) {
		if (a->seg_type[s] == NS_BGP_AS_SEQUENCE && a->seg_len[s] > 0 && i < a->n_as &&
				i < NS_BGP_MAX_ASPATH)
			return a->as[i];
		if (a->seg_type[s] != NS_BGP_AS_CONFED_SEQ &&
				a->seg_type[s] != NS_BGP_AS_CONFED_SET)
			return 0;
		i += a->seg_len[s];
	}
	return 0;
}

bool
ns_bgp_aspath_contains(const struct ns_bgp_attrs *a, uint32_t asn)
{
	for (uint32_t i = 0; i < a->n_as && i < NS_BGP_MAX_ASPATH; i++)
		if (a->as[i] == asn)
			return true;
	return false;
}

/* An AS path while it is decoded, before it goes into the attributes. */
struct path {
	uint16_t n_seg, n_as;
	uint8_t type[32];
	uint16_t len[32];
	uint32_t as[NS_BGP_MAX_ASPATH];
};

enum { PATH_OK, PATH_MALFORMED, PATH_TOO_LONG };

/*
 * Decode AS_PATH or AS4_PATH segments of asz-byte AS numbers (RFC 7606
 * 7.2: a segment of length 0, one overrunning the attribute, a lone
 * trailing byte or an unknown segment type make it malformed).
 */
static int
parse_path(const uint8_t *v, uint32_t vlen, uint32_t asz, struct path *pa)
{
	uint32_t off = 0;
	bool too_long = false;

	pa->n_seg = 0;
	pa->n_as = 0;
	while (off < vlen) {
		uint8_t type, cnt;

		if (vlen - off < 2)
			return PATH_MALFORMED;
		type = v[off];
		cnt = v[off + 1];
		off += 2;
		if (type < NS_BGP_AS_SET || type > NS_BGP_AS_CONFED_SET || cnt == 0 ||
				(uint32_t)cnt * asz > vlen - off)
			return PATH_MALFORMED;
		/* Keep checking the syntax after the limits are passed. */
		if (pa->n_seg >= 32 || pa->n_as + cnt > NS_BGP_MAX_ASPATH)
			too_long = true;
		if (!too_long) {
			pa->type[pa->n_seg] = type;
			pa->len[pa->n_seg] = cnt;
			pa->n_seg++;
			for (uint32_t i = 0; i < cnt; i++)
				pa->as[pa->n_as++] = asz == 4 ? get32(v + off + 4 * i)
							      : get16(v + off + 2 * i);
		}
		off += (uint32_t)cnt * asz;
	}
	return too_long ? PATH_TOO_LONG : PATH_OK;
}

/* The path length of RFC 4271 9.1.2.2 (a set counts 1, confederations 0). */
static uint32_t
path_count(const struct path *pa)
{
	uint32_t len = 0;

	for (uint32_t s = 0; s < pa->n_seg; s++) {
		if (pa->type[s] == NS_BGP_AS_SEQUENCE)
			len += pa->len[s];
		else if (pa->type[s] == NS_BGP_AS_SET)
			len++;
	}
	return len;
}

/*
 * RFC 6793 4.2.3: rebuild the path of a 2-octet session from AS_PATH and
 * AS4_PATH.  The leading part of AS_PATH that AS4_PATH does not cover is
 * kept, then AS4_PATH follows.  false when AS4_PATH is to be ignored (it is
 * longer than AS_PATH, or the result would pass this codec's limits).
 */
static bool
path_merge(const struct path *p2, const struct path *p4, struct path *out)
{
	uint32_t c2 = path_count(p2), c4 = path_count(p4), keep, taken = 0, i2 = 0;

	if (c2 < c4)
		return false;
	keep = c2 - c4;
	out->n_seg = 0;
	out->n_as = 0;
	for (uint32_t s = 0; s < p2->n_seg; s++) {
		uint32_t n = p2->len[s];

		if (p2->type[s] == NS_BGP_AS_SEQUENCE) {
			if (n > keep - taken)
				n = keep - taken;
			taken += n;
		} else if (p2->type[s] == NS_BGP_AS_SET) {
			if (taken >= keep)
				n = 0;
			else
				taken++;
		}
		if (n > 0) {
			out->type[out->n_seg] = p2->type[s];
			out->len[out->n_seg] = (uint16_t)n;
			out->n_seg++;
			memcpy(out->as + out->n_as, p2->as + i2, n * sizeof(uint32_t));
			out->n_as = (uint16_t)(out->n_as + n);
		}
		i2 += p2->len[s];
	}
	for (uint32_t s = 0, i4 = 0; s < p4->n_seg; i4 += p4->len[s], s++) {
		uint32_t last = out->n_seg - 1u;

		if (out->n_as + p4->len[s] > NS_BGP_MAX_ASPATH)
			return false;
		/* Two sequences meeting at the seam become one when it fits a segment. */
		if (s == 0 && out->n_seg > 0 && out->type[last] == NS_BGP_AS_SEQUENCE &&
				p4->type[s] == NS_BGP_AS_SEQUENCE &&
				out->len[last] + p4->len[s] <= 255) {
			out->len[last] = (uint16_t)(out->len[last] + p4->len[s]);
		} else {
			if (out->n_seg >= 32)
				return false;
			out->type[out->n_seg] = p4->type[s];
			out->len[out->n_seg] = p4->len[s];
			out->n_seg++;
		}
		memcpy(out->as + out->n_as, p4->as + i4, p4->len[s] * sizeof(uint32_t));
		out->n_as = (uint16_t)(out->n_as + p4->len[s]);
	}
	return true;
}

static void
path_to_attrs(const struct path *pa, struct ns_bgp_attrs *a)
{
	a->n_seg = pa->n_seg;
	memcpy(a->seg_type, pa->type, pa->n_seg);
	memcpy(a->seg_len, pa->len, pa->n_seg * sizeof(uint16_t));
	a->n_as = pa->n_as;
	memcpy(a->as, pa->as, pa->n_as * sizeof(uint32_t));
}

/* ---- UPDATE parsing ---- */

/* A next hop no route can use (RFC 4271 6.3): 0/8, loopback, class D and E. */
static bool
martian_next_hop(uint32_t nh)
{
	return (nh >> 24) == 0 || (nh >> 24) == 127 || nh >= 0xe0000000u;
}

/* What the parse has decided so far; the worst remedy wins. */
struct upd_state {
	enum ns_bgp_upd_action act;
	struct ns_bgp_update *u;
	struct ns_bgp_notif *n;
};

static void
taw(struct upd_state *st, const char *why)
{
	if (st->act == NS_BGP_UPD_OK) {
		st->act = NS_BGP_UPD_TREAT_AS_WITHDRAW;
		st->u->why = why;
	}
}

static void
reset(struct upd_state *st, uint8_t subcode, const uint8_t *data, uint32_t dlen, const char *why)
{
	if (st->act != NS_BGP_UPD_RESET) {
		st->act = NS_BGP_UPD_RESET;
		st->u->why = why;
		notif_set(st->n, NS_BGP_ERR_UPDATE, subcode, data, dlen);
	}
}

/* The Optional and Transitive bits a known attribute must have; -1 unknown. */
static int
known_flags(uint8_t type)
{
	switch (type) {
	case ATTR_ORIGIN:
	case ATTR_AS_PATH:
	case ATTR_NEXT_HOP:
	case ATTR_LOCAL_PREF:
	case ATTR_ATOMIC_AGGR:
		return F_TRANSITIVE;
	case ATTR_MED:
	case ATTR_MP_REACH:
	case ATTR_MP_UNREACH:
		return F_OPTIONAL;
	case ATTR_AGGREGATOR:
	case ATTR_COMMUNITIES:
	case ATTR_AS4_PATH:
	case ATTR_AS4_AGGREGATOR:
		return F_OPTIONAL | F_TRANSITIVE;
	default:
		return -1;
	}
}

/* The AS4_PATH and AS4_AGGREGATOR of a 2-octet session, merged at the end. */
struct as4_info {
	bool have_path, have_aggr;
	uint32_t aggr_as, aggr_id;
	struct path path;
};

/*
 * MP_REACH_NLRI (RFC 4760): AFI, SAFI, next hop, a reserved byte, NLRI.
 * Only IPv4 unicast is taken; a malformed one resets the session (RFC 7606
 * 7.11), its prefixes being out of reach of treat-as-withdraw.
 */
static void
parse_mp_reach(struct upd_state *st, const uint8_t *attr, uint32_t alen, const uint8_t *v,
		uint32_t vlen, bool *mp_nh, uint32_t *mp_next_hop)
{
	uint8_t nhlen;

	if (vlen < 5 || (nhlen = v[3], (uint32_t)nhlen + 5 > vlen)) {
		reset(st, UPD_OPTIONAL_ATTR, attr, alen, "malformed MP_REACH_NLRI");
		return;
	}
	if (get16(v) != 1 || v[2] != 1)
		return; /* not IPv4 unicast: ignored */
	if (nhlen != 4) {
		reset(st, UPD_OPTIONAL_ATTR, attr, alen, "MP_REACH_NLRI next hop length");
		return;
	}
	*mp_nh = true;
	*mp_next_hop = get32(v + 4);
	if (parse_pfxs(v + 9, vlen - 9, st->u->nlri, &st->u->n_nlri) < 0)
		reset(st, UPD_INVALID_NETWORK, NULL, 0, "invalid MP_REACH_NLRI prefix");
}

static void
parse_mp_unreach(struct upd_state *st, const uint8_t *attr, uint32_t alen, const uint8_t *v,
		uint32_t vlen)
{
	if (vlen < 3) {
		reset(st, UPD_OPTIONAL_ATTR, attr, alen, "malformed MP_UNREACH_NLRI");
		return;
	}
	if (get16(v) != 1 || v[2] != 1)
		return;
	if (parse_pfxs(v + 3, vlen - 3, st->u->withdrawn, &st->u->n_withdrawn) < 0)
		reset(st, UPD_INVALID_NETWORK, NULL, 0, "invalid MP_UNREACH_NLRI prefix");
}

/*
 * One known attribute's value, with RFC 7606 7's remedy when it is
 * malformed: attribute discard is done here, treat-as-withdraw is returned
 * (its reason), NULL otherwise.
 */
static const char *
parse_known(struct upd_state *st, uint8_t type, const uint8_t *v, uint32_t vlen, bool as4,
		bool ebgp, struct path *pa, struct as4_info *x)
{
	struct ns_bgp_attrs *a = &st->u->attrs;
	int r;

	switch (type) {
	case ATTR_ORIGIN:
		if (vlen != 1 || v[0] > NS_BGP_ORIGIN_INCOMPLETE)
			return "malformed ORIGIN";
		a->origin = v[0];
		break;
	case ATTR_AS_PATH:
		r = parse_path(v, vlen, as4 ? 4 : 2, pa);
		if (r == PATH_MALFORMED)
			return "malformed AS_PATH";
		if (r == PATH_TOO_LONG)
			return "AS_PATH too long";
		/* Confederation segments from outside a confederation (RFC 5065). */
		for (uint32_t s = 0; ebgp && s < pa->n_seg; s++)
			if (pa->type[s] == NS_BGP_AS_CONFED_SEQ ||
					pa->type[s] == NS_BGP_AS_CONFED_SET)
				return "AS_PATH confederation segment from eBGP";
		break;
	case ATTR_NEXT_HOP:
		if (vlen != 4)
			return "malformed NEXT_HOP";
		a->next_hop = get32(v);
		if (martian_next_hop(a->next_hop))
			return "invalid NEXT_HOP";
		break;
	case ATTR_MED:
		if (vlen != 4)
			return "malformed MULTI_EXIT_DISC";
		a->med = get32(v);
		break;
	case ATTR_LOCAL_PREF:
		if (ebgp) {
			st->u->attrs_discarded++;
			return NULL;
		}
		if (vlen != 4)
			return "malformed LOCAL_PREF";
		a->local_pref = get32(v);
		break;
	case ATTR_ATOMIC_AGGR:
		if (vlen != 0) {
			st->u->attrs_discarded++;
			return NULL;
		}
		a->atomic_aggregate = true;
		break;
	case ATTR_AGGREGATOR:
		if (vlen != (as4 ? 8u : 6u)) {
			st->u->attrs_discarded++;
			return NULL;
		}
		a->aggr_as = as4 ? get32(v) : get16(v);
		a->aggr_id = get32(v + (as4 ? 4 : 2));
		break;
	case ATTR_COMMUNITIES:
		if (vlen == 0 || vlen % 4 != 0)
			return "malformed COMMUNITIES";
		a->n_comm = 0;
		for (uint32_t i = 0; i < vlen / 4; i++) {
			if (a->n_comm < NS_BGP_MAX_COMM)
				a->comm[a->n_comm++] = get32(v + 4 * i);
		}
		if (vlen / 4 > NS_BGP_MAX_COMM)
			st->u->attrs_discarded++;
		break;
	case ATTR_AS4_PATH:
		/* Meaningful from a 2-octet speaker only (RFC 6793); a malformed
		 * one, or one with confederation segments, is discarded (RFC 6793). */
		if (as4 || parse_path(v, vlen, 4, &x->path) != PATH_OK) {
			st->u->attrs_discarded++;
			return NULL;
		}
		for (uint32_t s = 0; s < x->path.n_seg; s++) {
			if (x->path.type[s] == NS_BGP_AS_CONFED_SEQ ||
					x->path.type[s] == NS_BGP_AS_CONFED_SET) {
				st->u->attrs_discarded++;
				return NULL;
			}
		}
		x->have_path = true;
		return NULL;
	case ATTR_AS4_AGGREGATOR:
		if (as4 || vlen != 8) {
			st->u->attrs_discarded++;
			return NULL;
		}
		x->have_aggr = true;
		x->aggr_as = get32(v);
		x->aggr_id = get32(v + 4);
		return NULL;
	default:
		return NULL;
	}
	a->present |= 1u << type;
	return NULL;
}

/* Keep an unknown optional transitive attribute as it came, if it fits. */
static void
keep_unknown(struct ns_bgp_update *u, const uint8_t *attr, uint32_t alen)
{
	struct ns_bgp_attrs *a = &u->attrs;

	if (alen > (uint32_t)NS_BGP_MAX_UNK - a->unk_len) {
		u->attrs_discarded++;
		return;
	}
	memcpy(a->unk + a->unk_len, attr, alen);
	a->unk_len = (uint16_t)(a->unk_len + alen);
}

enum ns_bgp_upd_action
ns_bgp_update_parse(const uint8_t *msg, uint32_t len, bool as4, bool ebgp, struct ns_bgp_update *u,
		struct ns_bgp_notif *n)
{
	struct upd_state st = {.act = NS_BGP_UPD_OK, .u = u, .n = n};
	uint8_t seen[32] = {0}; /* one bit per attribute type */
	struct path pa = {0};
	struct as4_info x;
	uint32_t wlen, alen, off, end, mp_next_hop = 0;
	uint16_t n_plain;
	bool mp_nh = false;

	u->n_withdrawn = 0;
	u->n_nlri = 0;
	memset(&u->attrs, 0, sizeof(u->attrs));
	u->end_of_rib = false;
	u->attrs_discarded = 0;
	u->why = NULL;
	x.have_path = false;
	x.have_aggr = false;

	/* The three fields' lengths must add up (RFC 4271 6.3). */
	if (len < 23 || (wlen = get16(msg + 19)) > len - 23 ||
			(alen = get16(msg + 21 + wlen)) > len - 23 - wlen) {
		reset(&st, UPD_MALFORMED_LIST, NULL, 0, "field lengths exceed the message");
		return st.act;
	}
	/* Withdrawn routes and NLRI cannot be skipped over: an unparsable
	 * field resets the session (RFC 7606 5.3). */
	if (parse_pfxs(msg + 21, wlen, u->withdrawn, &u->n_withdrawn) < 0) {
		reset(&st, UPD_INVALID_NETWORK, NULL, 0, "invalid withdrawn routes");
		return st.act;
	}
	if (parse_pfxs(msg + 23 + wlen + alen, len - 23 - wlen - alen, u->nlri, &u->n_nlri) < 0) {
		reset(&st, UPD_INVALID_NETWORK, NULL, 0, "invalid NLRI");
		return st.act;
	}
	n_plain = u->n_nlri;
	if (wlen == 0 && alen == 0 && n_plain == 0) {
		u->end_of_rib = true;
		return st.act;
	}

	off = 23 + wlen;
	end = off + alen;
	while (off < end && st.act != NS_BGP_UPD_RESET) {
		uint8_t flags, type;
		uint32_t hl, vlen;
		const uint8_t *attr = msg + off;
		const char *why;
		int want;

		/* An attribute header or value overrunning the attribute field:
		 * the rest cannot be parsed, the NLRI can (RFC 7606 4). */
		if (end - off < 3 || (hl = (msg[off] & F_EXTLEN) ? 4 : 3) > end - off) {
			taw(&st, "truncated attribute header");
			break;
		}
		flags = msg[off];
		type = msg[off + 1];
		vlen = hl == 4 ? get16(msg + off + 2) : msg[off + 2];
		if (vlen > end - off - hl) {
			taw(&st, "attribute length overruns the attributes");
			break;
		}
		off += hl + vlen;

		/* A repeated MP_(UN)REACH_NLRI resets; any other repeat is
		 * discarded (RFC 7606 3). */
		if (seen[type >> 3] & (1u << (type & 7))) {
			if (type == ATTR_MP_REACH || type == ATTR_MP_UNREACH)
				reset(&st, UPD_MALFORMED_LIST, NULL, 0, "repeated MP attribute");
			else
				u->attrs_discarded++;
			continue;
		}
		seen[type >> 3] |= (uint8_t)(1u << (type & 7));

		want = known_flags(type);
		if (want < 0) {
			if (!(flags & F_OPTIONAL))
				reset(&st, UPD_UNRECOGNIZED_WK, attr, hl + vlen,
						"unrecognized well-known attribute");
			else if (flags & F_TRANSITIVE)
				keep_unknown(u, attr, hl + vlen);
			continue;
		}
		if ((flags & (F_OPTIONAL | F_TRANSITIVE)) != want) {
			/* Attribute flags in conflict with the type (RFC 7606 3). The
			 * AS4 ones are discarded (RFC 6793); MP ones still carry the
			 * prefixes treat-as-withdraw needs. */
			if (type == ATTR_AS4_PATH || type == ATTR_AS4_AGGREGATOR) {
				u->attrs_discarded++;
				continue;
			}
			taw(&st, "attribute flags error");
			if (type != ATTR_MP_REACH && type != ATTR_MP_UNREACH)
				continue;
		}
		if (type == ATTR_MP_REACH)
			parse_mp_reach(&st, attr, hl + vlen, msg + off - vlen, vlen, &mp_nh,
					&mp_next_hop);
		else if (type == ATTR_MP_UNREACH)
			parse_mp_unreach(&st, attr, hl + vlen, msg + off - vlen, vlen);
		else if ((why = parse_known(&st, type, msg + off - vlen, vlen, as4, ebgp, &pa, &x)))
			taw(&st, why);
	}
	if (st.act == NS_BGP_UPD_RESET)
		return st.act;

	/* RFC 6793 4.2.3: AGGREGATOR with an AS other than AS_TRANS means the
	 * AS4 attributes are stale; otherwise they complete the 2-octet ones. */
	if (!as4 && (x.have_path || x.have_aggr)) {
		struct ns_bgp_attrs *a = &u->attrs;

		if ((a->present & (1u << ATTR_AGGREGATOR)) && a->aggr_as != AS_TRANS) {
			u->attrs_discarded =
					(uint16_t)(u->attrs_discarded + x.have_path + x.have_aggr);
		} else {
			if (x.have_aggr && (a->present & (1u << ATTR_AGGREGATOR))) {
				a->aggr_as = x.aggr_as;
				a->aggr_id = x.aggr_id;
			}
			if (x.have_path && (a->present & (1u << ATTR_AS_PATH))) {
				struct path tmp;

				if (path_merge(&pa, &x.path, &tmp))
					pa = tmp;
				else
					u->attrs_discarded++;
			}
		}
	}
	if (u->attrs.present & (1u << ATTR_AS_PATH))
		path_to_attrs(&pa, &u->attrs);

	/* The next hop of MP_REACH_NLRI stands for NEXT_HOP when there is no
	 * plain NLRI (a NEXT_HOP then is ignored, RFC 4760 3) or no NEXT_HOP.
	 * With both kinds of NLRI, NEXT_HOP serves both. */
	if (mp_nh && (n_plain == 0 || !(u->attrs.present & (1u << ATTR_NEXT_HOP)))) {
		u->attrs.next_hop = mp_next_hop;
		u->attrs.present |= 1u << ATTR_NEXT_HOP;
		if (martian_next_hop(mp_next_hop))
			taw(&st, "invalid MP_REACH_NLRI next hop");
	}

	/* Well-known mandatory attributes, when there is something to reach
	 * (RFC 7606 3; NEXT_HOP only for the plain NLRI, RFC 4760 3). */
	if (u->n_nlri > 0) {
		uint32_t need = 1u << ATTR_ORIGIN | 1u << ATTR_AS_PATH;

		if (n_plain > 0)
			need |= 1u << ATTR_NEXT_HOP;
		if ((u->attrs.present & need) != need)
			taw(&st, "missing well-known mandatory attribute");
	}
	return st.act;
}

/* ---- UPDATE building ---- */

/* Write an attribute header for a value of vlen bytes; its size, 0 if no room. */
static uint32_t
put_attr_hdr(uint8_t *p, uint32_t room, uint8_t flags, uint8_t type, uint32_t vlen)
{
	uint32_t hl = vlen > 255 ? 4 : 3;

	if (room < hl + vlen)
		return 0;
	p[0] = (uint8_t)(vlen > 255 ? flags | F_EXTLEN : flags);
	p[1] = type;
	if (hl == 4)
		put16(p + 2, vlen);
	else
		p[2] = (uint8_t)vlen;
	return hl;
}

/*
 * An AS path attribute's value: segments of asz-byte AS numbers (AS_TRANS
 * for those that do not fit 2 bytes), confederation segments left out when
 * skip_confed (AS4_PATH, RFC 6793).  Segments longer than 255 are split
 * (sequences only).  Its length, or UINT32_MAX when it does not fit.
 */
static uint32_t
put_path(uint8_t *p, uint32_t room, const struct ns_bgp_attrs *a, uint32_t asz, bool skip_confed)
{
	uint32_t off = 0, i = 0;

	for (uint32_t s = 0; s < a->n_seg && s < 32; s++) {
		uint32_t left = a->seg_len[s];
		uint8_t type = a->seg_type[s];

		if (skip_confed && (type == NS_BGP_AS_CONFED_SEQ || type == NS_BGP_AS_CONFED_SET)) {
			i += left;
			continue;
		}
		while (left > 0 && i < a->n_as && i < NS_BGP_MAX_ASPATH) {
			uint32_t cnt = left > 255 ? 255 : left;

			if (cnt > a->n_as - i)
				cnt = a->n_as - i;
			if (cnt > NS_BGP_MAX_ASPATH - i)
				cnt = NS_BGP_MAX_ASPATH - i;
			if (room - off < 2 + cnt * asz)
				return UINT32_MAX;
			p[off] = type;
			p[off + 1] = (uint8_t)cnt;
			off += 2;
			for (uint32_t k = 0; k < cnt; k++, i++) {
				if (asz == 4)
					put32(p + off, a->as[i]);
				else
					put16(p + off, a->as[i] > 65535 ? AS_TRANS : a->as[i]);
				off += asz;
			}
			left -= cnt;
		}
	}
	return off;
}

/* Whether a 2-octet path loses anything: an AS over 65535 outside the
 * confederation segments (those stay out of AS4_PATH). */
static bool
path_needs_as4(const struct ns_bgp_attrs *a)
{
	uint32_t i = 0;

	for (uint32_t s = 0; s < a->n_seg && s < 32; s++) {
		bool confed = a->seg_type[s] == NS_BGP_AS_CONFED_SEQ ||
			      a->seg_type[s] == NS_BGP_AS_CONFED_SET;

		for (uint32_t k = 0; k < a->seg_len[s] && i < a->n_as && i < NS_BGP_MAX_ASPATH;
				k++, i++)
			if (!confed && a->as[i] > 65535)
				return true;
	}
	return false;
}

/* A whole path attribute with a path value; its size, 0 if no room. */
static uint32_t
put_path_attr(uint8_t *p, uint32_t room, uint8_t flags, uint8_t type, const struct ns_bgp_attrs *a,
		uint32_t asz, bool skip_confed)
{
	uint32_t vlen, hl;

	/* The value's length first, written past a 4-byte header, then moved. */
	if (room < 4)
		return 0;
	vlen = put_path(p + 4, room - 4, a, asz, skip_confed);
	if (vlen == UINT32_MAX)
		return 0;
	hl = vlen > 255 ? 4 : 3;
	if (hl == 3)
		memmove(p + 3, p + 4, vlen);
	put_attr_hdr(p, room, flags, type, vlen);
	return hl + vlen;
}

/* A fixed-size attribute. */
static uint32_t
put_attr(uint8_t *p, uint32_t room, uint8_t flags, uint8_t type, const uint8_t *v, uint32_t vlen)
{
	uint32_t hl = put_attr_hdr(p, room, flags, type, vlen);

	if (hl == 0)
		return 0;
	memcpy(p + hl, v, vlen);
	return hl + vlen;
}

/* The path attributes of a; their length, 0 when they do not fit room. */
static uint32_t
put_attrs(uint8_t *p, uint32_t room, bool as4, const struct ns_bgp_attrs *a)
{
	uint32_t off = 0, r, aggr_as = a->aggr_as;
	uint8_t v[8];
	bool two_octet_aggr;

#define EMIT(expr)                \
	do {                      \
		r = (expr);       \
		if (r == 0)       \
			return 0; \
		off += r;         \
	} while (0)

	v[0] = a->origin;
	EMIT(put_attr(p + off, room - off, F_TRANSITIVE, ATTR_ORIGIN, v, 1));
	EMIT(put_path_attr(p + off, room - off, F_TRANSITIVE, ATTR_AS_PATH, a, as4 ? 4 : 2, false));
	put32(v, a->next_hop);
	EMIT(put_attr(p + off, room - off, F_TRANSITIVE, ATTR_NEXT_HOP, v, 4));
	if (a->present & (1u << ATTR_MED)) {
		put32(v, a->med);
		EMIT(put_attr(p + off, room - off, F_OPTIONAL, ATTR_MED, v, 4));
	}
	if (a->present & (1u << ATTR_LOCAL_PREF)) {
		put32(v, a->local_pref);
		EMIT(put_attr(p + off, room - off, F_TRANSITIVE, ATTR_LOCAL_PREF, v, 4));
	}
	if (a->atomic_aggregate || (a->present & (1u << ATTR_ATOMIC_AGGR)))
		EMIT(put_attr(p + off, room - off, F_TRANSITIVE, ATTR_ATOMIC_AGGR, v, 0));
	two_octet_aggr = !as4 && aggr_as > 65535;
	if (a->present & (1u << ATTR_AGGREGATOR)) {
		if (as4) {
			put32(v, aggr_as);
			put32(v + 4, a->aggr_id);
		} else {
			put16(v, two_octet_aggr ? AS_TRANS : aggr_as);
			put32(v + 2, a->aggr_id);
		}
		EMIT(put_attr(p + off, room - off, F_OPTIONAL | F_TRANSITIVE, ATTR_AGGREGATOR, v,
				as4 ? 8 : 6));
	}
	if ((a->present & (1u << ATTR_COMMUNITIES)) && a->n_comm > 0) {
		uint32_t nc = a->n_comm > NS_BGP_MAX_COMM ? NS_BGP_MAX_COMM : a->n_comm;
		uint32_t hl = put_attr_hdr(p + off, room - off, F_OPTIONAL | F_TRANSITIVE,
				ATTR_COMMUNITIES, 4 * nc);

		if (hl == 0)
			return 0;
		off += hl;
		for (uint32_t i = 0; i < nc; i++, off += 4)
			put32(p + off, a->comm[i]);
	}
	/* A 2-octet session's peer learns the 4-octet numbers from AS4_PATH and
	 * AS4_AGGREGATOR (RFC 6793 4.2.2). */
	if (!as4 && path_needs_as4(a))
		EMIT(put_path_attr(p + off, room - off, F_OPTIONAL | F_TRANSITIVE, ATTR_AS4_PATH, a,
				4, true));
	if (two_octet_aggr && (a->present & (1u << ATTR_AGGREGATOR))) {
		put32(v, aggr_as);
		put32(v + 4, a->aggr_id);
		EMIT(put_attr(p + off, room - off, F_OPTIONAL | F_TRANSITIVE, ATTR_AS4_AGGREGATOR,
				v, 8));
	}
	/* Unknown optional transitive attributes, passed on marked Partial. */
	for (uint32_t u = 0, ul = a->unk_len > NS_BGP_MAX_UNK ? NS_BGP_MAX_UNK : a->unk_len;
			u + 3 <= ul;) {
		uint32_t hl = (a->unk[u] & F_EXTLEN) ? 4 : 3, vlen;

		if (u + hl > ul)
			break;
		vlen = hl == 4 ? get16(a->unk + u + 2) : a->unk[u + 2];
		if (vlen > ul - u - hl)
			break;
		if (room - off < hl + vlen)
			return 0;
		memcpy(p + off, a->unk + u, hl + vlen);
		p[off] |= F_PARTIAL;
		off += hl + vlen;
		u += hl + vlen;
	}
#undef EMIT
	return off;
}

uint32_t
ns_bgp_update_build(uint8_t *buf, uint32_t max, bool as4, const struct ns_bgp_pfx *w, uint32_t n_w,
		uint32_t *took_w, const struct ns_bgp_attrs *a, const struct ns_bgp_pfx *nlri,
		uint32_t n_nlri, uint32_t *took_n)
{
	uint32_t off = 21, r, wlen, alen = 0, tw = 0, tn = 0;

	*took_w = 0;
	*took_n = 0;
	if (max > NS_BGP_MAX_MSG)
		max = NS_BGP_MAX_MSG;
	if (max < 23)
		return 0;
	/* Withdrawn routes, keeping two bytes for the attributes' length. */
	while (tw < n_w && (r = put_pfx(buf + off, max - 2 - off, &w[tw])) > 0) {
		off += r;
		tw++;
	}
	wlen = off - 21;
	put16(buf + 19, wlen);
	off += 2;
	if (n_nlri > 0 && a != NULL) {
		alen = put_attrs(buf + off, max - off, as4, a);
		if (alen > 0) {
			uint32_t o2 = off + alen;

			while (tn < n_nlri && (r = put_pfx(buf + o2, max - o2, &nlri[tn])) > 0) {
				o2 += r;
				tn++;
			}
			/* Attributes without a prefix are not sent. */
			if (tn > 0)
				off = o2;
			else
				alen = 0;
		}
	}
	put16(buf + 21 + wlen, alen);
	if (tw == 0 && tn == 0 && (n_w > 0 || n_nlri > 0))
		return 0;
	put_header(buf, off, NS_BGP_UPDATE);
	*took_w = tw;
	*took_n = tn;
	return off;
}
