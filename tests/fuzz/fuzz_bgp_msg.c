/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the BGP message codec (apps/bgp): byte 0 says whether
 * the session is external, the rest is a peer's byte stream, framed into
 * messages, each parsed as its type.  An UPDATE is parsed for both AS number
 * sizes; an accepted one is rebuilt with ns_bgp_update_build (as many
 * messages as it takes) and parsed again: the prefixes must be the same.
 * An accepted OPEN or NOTIFICATION is rebuilt and must parse the same too.
 */
#include <stdlib.h>
#include <string.h>

#include "bgp_msg.h"

static struct ns_bgp_update u, r;
static struct ns_bgp_pfx got_w[NS_BGP_UPD_MAX_PFX], got_n[NS_BGP_UPD_MAX_PFX];
static uint8_t out[NS_BGP_MAX_MSG];

/* Rebuild an accepted UPDATE and check that its prefixes come back. */
static void
rebuild(bool as4, bool ebgp)
{
	uint32_t dw = 0, dn = 0;

	while (dw < u.n_withdrawn || dn < u.n_nlri) {
		uint32_t tw, tn, len;
		struct ns_bgp_notif n;

		len = ns_bgp_update_build(out, sizeof(out), as4, u.withdrawn + dw,
				u.n_withdrawn - dw, &tw, &u.attrs, u.nlri + dn, u.n_nlri - dn, &tn);
		if (len < 23 || len > sizeof(out) || tw + tn == 0)
			abort();
		if (ns_bgp_frame(out, len, &n) != (int32_t)len)
			abort();
		if (ns_bgp_update_parse(out, len, as4, ebgp, &r, &n) != NS_BGP_UPD_OK)
			abort();
		if (r.n_withdrawn != tw || r.n_nlri != tn)
			abort();
		memcpy(got_w + dw, r.withdrawn, tw * sizeof(r.withdrawn[0]));
		memcpy(got_n + dn, r.nlri, tn * sizeof(r.nlri[0]));
		dw += tw;
		dn += tn;
	}
	/* Field by field: the structs have padding. */
	for (uint32_t i = 0; i < u.n_withdrawn; i++)
		if (got_w[i].addr != u.withdrawn[i].addr || got_w[i].len != u.withdrawn[i].len)
			abort();
	for (uint32_t i = 0; i < u.n_nlri; i++)
		if (got_n[i].addr != u.nlri[i].addr || got_n[i].len != u.nlri[i].len)
			abort();
}

static void
check_update(const uint8_t *msg, uint32_t len, bool ebgp)
{
	for (int as4 = 0; as4 < 2; as4++) {
		struct ns_bgp_notif n = {0};
		enum ns_bgp_upd_action act = ns_bgp_update_parse(msg, len, as4, ebgp, &u, &n);

		if (act == NS_BGP_UPD_RESET) {
			if (n.code != NS_BGP_ERR_UPDATE || u.why == NULL)
				abort();
			continue;
		}
		if (u.n_withdrawn > NS_BGP_UPD_MAX_PFX || u.n_nlri > NS_BGP_UPD_MAX_PFX ||
				u.attrs.n_as > NS_BGP_MAX_ASPATH || u.attrs.n_seg > 32 ||
				u.attrs.n_comm > NS_BGP_MAX_COMM ||
				u.attrs.unk_len > NS_BGP_MAX_UNK)
			abort();
		for (uint32_t i = 0; i < u.n_nlri; i++)
			if (u.nlri[i].len > 32)
				abort();
		if (act == NS_BGP_UPD_TREAT_AS_WITHDRAW) {
			if (u.why == NULL)
				abort();
			continue;
		}
		if (u.end_of_rib && (u.n_withdrawn > 0 || u.n_nlri > 0))
			abort();
		rebuild(as4, ebgp);
	}
}

static void
check_open(const uint8_t *msg, uint32_t len)
{
	struct ns_bgp_open o, p;
	struct ns_bgp_notif n;
	uint32_t blen;

	if (ns_bgp_open_parse(msg, len, &o, &n) < 0) {
		if (n.code != NS_BGP_ERR_OPEN && n.code != NS_BGP_ERR_HEADER)
			abort();
		return;
	}
	blen = ns_bgp_open_build(out, sizeof(out), &o);
	if (blen < 29 || ns_bgp_open_parse(out, blen, &p, &n) != 0)
		abort();
	if (p.asn != o.asn || p.hold != o.hold || p.id != o.id || p.cap_as4 != o.cap_as4 ||
			p.cap_mp_ipv4u != o.cap_mp_ipv4u || p.cap_rr != o.cap_rr ||
			p.cap_err != o.cap_err)
		abort();
}

static void
check_notif(const uint8_t *msg, uint32_t len)
{
	struct ns_bgp_notif n, p;
	uint32_t blen;

	if (ns_bgp_notif_parse(msg, len, &n) < 0)
		abort(); /* framing let it through */
	blen = ns_bgp_notif_build(out, sizeof(out), &n);
	if (blen < 21 || ns_bgp_notif_parse(out, blen, &p) != 0 || p.code != n.code ||
			p.subcode != n.subcode || p.data_len != n.data_len ||
			memcmp(p.data, n.data, n.data_len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 1;
	bool ebgp;

	if (size < 1 || size > 65536)
		return 0;
	ebgp = data[0] & 1;
	while (off < size) {
		struct ns_bgp_notif n = {0};
		int32_t len = ns_bgp_frame(data + off, (uint32_t)(size - off), &n);
		const uint8_t *msg = data + off;

		if (len < 0) {
			if (n.code != NS_BGP_ERR_HEADER)
				abort();
			break;
		}
		if (len == 0)
			break;
		if (len < NS_BGP_HDR_LEN || len > NS_BGP_MAX_MSG || (size_t)len > size - off)
			abort();
		off += (size_t)len;
		switch (msg[18]) {
		case NS_BGP_OPEN:
			check_open(msg, (uint32_t)len);
			break;
		case NS_BGP_UPDATE:
			check_update(msg, (uint32_t)len, ebgp);
			break;
		case NS_BGP_NOTIFICATION:
			check_notif(msg, (uint32_t)len);
			break;
		case NS_BGP_ROUTE_REFRESH:
			if (ns_bgp_refresh_parse(msg, (uint32_t)len, &n) < 0)
				abort(); /* framing checked the length */
			break;
		case NS_BGP_KEEPALIVE:
			break;
		default:
			abort();
		}
	}
	return 0;
}
