/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "bfd/bfd_auth.h"
#include "bfd/bfd_counters.h"
#include "bfd/bfd_packet.h"
#include "common/ns_digest.h"
#include "common/ns_wire.h"

static const char *const auth_names[] = {
		"none", "simple", "md5", "meticulous-md5", "sha1", "meticulous-sha1"};

const char *
ns_bfd_auth_name(unsigned int type)
{
	return type < 6 ? auth_names[type] : "?";
}

int
ns_bfd_auth_parse_name(const char *s)
{
	for (int i = 0; i < 6; i++)
		if (strcmp(s, auth_names[i]) == 0)
			return i;
	return -1;
}

static bool
is_md5(uint8_t t)
{
	return t == NS_BFD_AUTH_KEYED_MD5 || t == NS_BFD_AUTH_MET_MD5;
}

static bool
is_sha1(uint8_t t)
{
	return t == NS_BFD_AUTH_KEYED_SHA1 || t == NS_BFD_AUTH_MET_SHA1;
}

bool
ns_bfd_auth_cfg_valid(const struct ns_bfd_auth_cfg *a)
{
	if (a->type == NS_BFD_AUTH_NONE)
		return true;
	if (a->type > NS_BFD_AUTH_MET_SHA1 || a->key_len == 0)
		return false;
	return a->key_len <= (is_sha1(a->type) ? NS_BFD_AUTH_KEY_MAX : 16);
}

uint32_t
ns_bfd_auth_len(const struct ns_bfd_auth_cfg *a)
{
	if (a->type == NS_BFD_AUTH_SIMPLE)
		return 3u + a->key_len;
	if (is_md5(a->type))
		return 24;
	if (is_sha1(a->type))
		return 28;
	return 0;
}

/* The digest of a packet whose digest field holds the key, zero-padded (6.7.3/6.7.4). */
static void
digest(const struct ns_bfd_auth_cfg *a, const uint8_t *pkt, uint32_t len, uint8_t *out)
{
	uint8_t tmp[NS_BFD_HDR_LEN + NS_BFD_AUTH_MAX_LEN];
	uint32_t dlen = is_md5(a->type) ? NS_MD5_LEN : NS_SHA1_LEN;
	uint32_t off = NS_BFD_HDR_LEN + 8;

	memcpy(tmp, pkt, off);
	memset(tmp + off, 0, dlen);
	memcpy(tmp + off, a->key, a->key_len);
	if (is_md5(a->type))
		ns_md5(tmp, len, out);
	else
		ns_sha1(tmp, len, out);
}

uint32_t
ns_bfd_auth_sign(const struct ns_bfd_auth_cfg *a, uint32_t seq, uint8_t *buf)
{
	uint8_t *s = buf + NS_BFD_HDR_LEN;
	uint32_t alen = ns_bfd_auth_len(a), len = NS_BFD_HDR_LEN + alen;

	if (alen == 0)
		return NS_BFD_HDR_LEN;
	buf[1] |= NS_BFD_F_AUTH;
	buf[3] = (uint8_t)len;
	s[0] = a->type;
	s[1] = (uint8_t)alen;
	s[2] = a->key_id;
	if (a->type == NS_BFD_AUTH_SIMPLE) {
		memcpy(s + 3, a->key, a->key_len);
		return len;
	}
	s[3] = 0;
	ns_put_be32(s + 4, seq);
	digest(a, buf, len, s + 8);
	return len;
}

/* Constant-time comparison: no early exit on the first differing byte. */
static bool
equal(const uint8_t *x, const uint8_t *y, uint32_t n)
{
	uint8_t d = 0;

	for (uint32_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

int
ns_bfd_auth_verify(const struct ns_bfd_auth_cfg *a, struct ns_bfd_auth_state *st,
		const uint8_t *pkt, uint32_t len, uint8_t detect_mult)
{
	const uint8_t *s = pkt + NS_BFD_HDR_LEN;
	uint8_t want[NS_SHA1_LEN];
	uint32_t alen, dlen, seq, lo, span;
	bool meticulous;

	if (len < NS_BFD_HDR_LEN + 3)
		return NS_BFD_C_rx_auth_bad_len;
	alen = s[1];
	if (s[0] != a->type)
		return NS_BFD_C_rx_auth_bad_type;
	/* 6.7.2-6.7.4: the Auth Len of each type, and it must fill the packet. */
	if (NS_BFD_HDR_LEN + alen != len ||
			(a->type == NS_BFD_AUTH_SIMPLE ? alen < 4 || alen > 19
						       : alen != ns_bfd_auth_len(a)))
		return NS_BFD_C_rx_auth_bad_len;
	if (s[2] != a->key_id)
		return NS_BFD_C_rx_auth_bad_key_id;
	if (a->type == NS_BFD_AUTH_SIMPLE) {
		if (alen - 3 != a->key_len || !equal(s + 3, a->key, a->key_len))
			return NS_BFD_C_rx_auth_bad_digest;
		return -1;
	}
	seq = ns_get_be32(s + 4);
	meticulous = a->type == NS_BFD_AUTH_MET_MD5 || a->type == NS_BFD_AUTH_MET_SHA1;
	if (st->seq_known) {
		/* Keyed: RcvAuthSeq .. +3*mult; meticulous: RcvAuthSeq+1 .. +3*mult
		 * (circular, 32 bits). */
		lo = st->rcv_seq + (meticulous ? 1 : 0);
		span = 3u * detect_mult - (meticulous ? 1 : 0);
		if ((uint32_t)(seq - lo) > span)
			return NS_BFD_C_rx_auth_bad_seq;
	}
	dlen = is_md5(a->type) ? NS_MD5_LEN : NS_SHA1_LEN;
	digest(a, pkt, len, want);
	if (!equal(s + 8, want, dlen))
		return NS_BFD_C_rx_auth_bad_digest;
	st->rcv_seq = seq;
	st->seq_known = true;
	return -1;
}
