/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BFD authentication (RFC 5880 4.2-4.4, 6.7): simple password, keyed and
 * meticulous keyed MD5, keyed and meticulous keyed SHA1.  One key per
 * session (its Key ID); the sequence number rules of 6.7.3/6.7.4 are kept
 * in the session (struct ns_bfd_auth_state).
 */
#ifndef NS_BFD_AUTH_H
#define NS_BFD_AUTH_H

#include <stdbool.h>
#include <stdint.h>

enum ns_bfd_auth_type {
	NS_BFD_AUTH_NONE = 0,
	NS_BFD_AUTH_SIMPLE = 1,
	NS_BFD_AUTH_KEYED_MD5 = 2,
	NS_BFD_AUTH_MET_MD5 = 3,
	NS_BFD_AUTH_KEYED_SHA1 = 4,
	NS_BFD_AUTH_MET_SHA1 = 5,
};

#define NS_BFD_AUTH_KEY_MAX 20 /* SHA1 keys; MD5 and passwords 16 */
#define NS_BFD_AUTH_MAX_LEN 28 /* the SHA1 section */

struct ns_bfd_auth_cfg {
	uint8_t type; /* enum ns_bfd_auth_type */
	uint8_t key_id;
	uint8_t key_len; /* 1..16 (password, MD5), 1..20 (SHA1) */
	uint8_t key[NS_BFD_AUTH_KEY_MAX];
};

struct ns_bfd_auth_state {
	uint32_t xmit_seq; /* bfd.XmitAuthSeq */
	uint32_t rcv_seq;  /* bfd.RcvAuthSeq */
	bool seq_known;	   /* bfd.AuthSeqKnown */
};

const char *ns_bfd_auth_name(unsigned int type);
/* "md5", "meticulous-sha1", ...: the type, or -1. */
int ns_bfd_auth_parse_name(const char *s);
/* Is the configuration usable (type known, key length within its bounds)? */
bool ns_bfd_auth_cfg_valid(const struct ns_bfd_auth_cfg *a);
/* Length of the authentication section this configuration sends (0 for none). */
uint32_t ns_bfd_auth_len(const struct ns_bfd_auth_cfg *a);

/*
 * Append the authentication section to the 24-byte packet in buf (room for
 * NS_BFD_HDR_LEN + NS_BFD_AUTH_MAX_LEN), set the A bit and the length, sign
 * it with seq; returns the new length.
 */
uint32_t ns_bfd_auth_sign(const struct ns_bfd_auth_cfg *a, uint32_t seq, uint8_t *buf);

/*
 * Check a received packet (len = its Length field) with the A bit set against
 * the session's key and sequence state (6.7.2-6.7.4); detect_mult is the
 * received one (the sequence window is 3 x it).  Returns -1 when authentic
 * (and advances st), else the counter (enum ns_bfd_ctr) naming the failure.
 */
int ns_bfd_auth_verify(const struct ns_bfd_auth_cfg *a, struct ns_bfd_auth_state *st,
		const uint8_t *pkt, uint32_t len, uint8_t detect_mult);

#endif /* NS_BFD_AUTH_H */
