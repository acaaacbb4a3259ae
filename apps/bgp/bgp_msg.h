/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BGP-4 messages (RFC 4271): framing, OPEN with capabilities (4-octet AS,
 * RFC 6793; multiprotocol IPv4 unicast, RFC 4760; route refresh, RFC 2918),
 * UPDATE with RFC 7606 error handling, NOTIFICATION, KEEPALIVE and
 * ROUTE-REFRESH; parse and build.  IPv4 unicast only.
 *
 * Plain C11 and libc: no DPDK, no allocation.  Parsers take the bytes of one
 * whole message (header included) and never read past them; builders write
 * into a caller's buffer and never past its size.
 */
#ifndef NS_BGP_MSG_H
#define NS_BGP_MSG_H

#include <stdbool.h>
#include <stdint.h>

#define NS_BGP_HDR_LEN	  19
#define NS_BGP_MAX_MSG	  4096 /* RFC 4271; extended messages (RFC 8654) are not offered */
#define NS_BGP_PORT	  179
#define NS_BGP_MAX_ASPATH 256 /* AS numbers kept per path; longer is malformed here */
#define NS_BGP_MAX_COMM	  64  /* communities kept (RFC 1997); more are dropped and counted */
#define NS_BGP_MAX_UNK	  256 /* bytes of optional transitive attributes carried along */

enum ns_bgp_type {
	NS_BGP_OPEN = 1,
	NS_BGP_UPDATE = 2,
	NS_BGP_NOTIFICATION = 3,
	NS_BGP_KEEPALIVE = 4,
	NS_BGP_ROUTE_REFRESH = 5,
};

/* NOTIFICATION error codes (RFC 4271 4.5) and the subcodes used here. */
enum ns_bgp_err_code {
	NS_BGP_ERR_HEADER = 1,
	NS_BGP_ERR_OPEN = 2,
	NS_BGP_ERR_UPDATE = 3,
	NS_BGP_ERR_HOLD = 4,
	NS_BGP_ERR_FSM = 5,
	NS_BGP_ERR_CEASE = 6,
	NS_BGP_ERR_ROUTE_REFRESH = 7, /* RFC 7313 */
};

/* A NOTIFICATION to send (or one received). */
struct ns_bgp_notif {
	uint8_t code, subcode;
	uint16_t data_len;
	uint8_t data[64]; /* the RFC's data field, cut to this size */
};

/*
 * Framing.  Looks at buf[0, len), the start of a connection's unread bytes:
 * returns the length of the whole message there (>= 19), 0 when more bytes
 * are needed, -1 on a header error with *n the NOTIFICATION to send
 * (connection not synchronized: marker not all ones; bad message length;
 * bad message type; length wrong for the type, RFC 4271 6.1).
 */
int32_t ns_bgp_frame(const uint8_t *buf, uint32_t len, struct ns_bgp_notif *n);

/* OPEN (RFC 4271 4.2) with its capabilities. */
struct ns_bgp_open {
	uint8_t version;   /* 4 */
	uint32_t asn;	   /* the 4-octet AS capability's when present, else My AS */
	uint16_t my_as;	   /* the 2-octet field as sent (AS_TRANS 23456 for a 4-octet AS) */
	uint16_t hold;	   /* seconds: 0 or >= 3 */
	uint32_t id;	   /* BGP identifier, host order */
	bool cap_as4;	   /* RFC 6793 */
	bool cap_mp_ipv4u; /* RFC 4760, AFI 1 SAFI 1 */
	bool cap_rr;	   /* RFC 2918 (code 2) */
	bool cap_err;	   /* enhanced route refresh, RFC 7313 (code 70) */
};

/*
 * Parse an OPEN.  0, or -1 with *n the NOTIFICATION (unsupported version
 * with the supported one as data, bad peer AS is left to the caller, bad
 * BGP identifier, unacceptable hold time, malformed optional parameters).
 * Unknown capabilities are ignored (RFC 5492).
 */
int ns_bgp_open_parse(
		const uint8_t *msg, uint32_t len, struct ns_bgp_open *o, struct ns_bgp_notif *n);
/* Build an OPEN offering o's capabilities; returns its length, 0 if max is too small. */
uint32_t ns_bgp_open_build(uint8_t *buf, uint32_t max, const struct ns_bgp_open *o);

uint32_t ns_bgp_keepalive_build(uint8_t *buf, uint32_t max);
uint32_t ns_bgp_notif_build(uint8_t *buf, uint32_t max, const struct ns_bgp_notif *n);
int ns_bgp_notif_parse(const uint8_t *msg, uint32_t len, struct ns_bgp_notif *n);
/* ROUTE-REFRESH for AFI 1 SAFI 1 (subtype 0: a request). */
uint32_t ns_bgp_refresh_build(uint8_t *buf, uint32_t max);
/* 0 for an IPv4 unicast request, 1 for another AFI/SAFI (ignore it), -1 malformed (*n). */
int ns_bgp_refresh_parse(const uint8_t *msg, uint32_t len, struct ns_bgp_notif *n);

/* An IPv4 prefix, host order, host bits zero. */
struct ns_bgp_pfx {
	uint32_t addr;
	uint8_t len;
};

enum ns_bgp_origin { NS_BGP_ORIGIN_IGP = 0, NS_BGP_ORIGIN_EGP = 1, NS_BGP_ORIGIN_INCOMPLETE = 2 };

/* AS_PATH segment types (RFC 4271; confederations, RFC 5065, are kept as such). */
enum ns_bgp_seg {
	NS_BGP_AS_SET = 1,
	NS_BGP_AS_SEQUENCE = 2,
	NS_BGP_AS_CONFED_SEQ = 3,
	NS_BGP_AS_CONFED_SET = 4
};

/* A route's path attributes, decoded; 4-octet AS numbers throughout. */
struct ns_bgp_attrs {
	uint32_t present;     /* bit (1 << type code) for each attribute seen */
	uint8_t origin;	      /* enum ns_bgp_origin */
	uint16_t n_seg;	      /* AS_PATH segments */
	uint8_t seg_type[32]; /* enum ns_bgp_seg */
	uint16_t seg_len[32]; /* AS numbers in each */
	uint16_t n_as;	      /* all AS numbers, segment after segment */
	uint32_t as[NS_BGP_MAX_ASPATH];
	uint32_t next_hop; /* host order; MP_REACH_NLRI's when there is no plain NLRI */
	uint32_t med;
	uint32_t local_pref;
	bool atomic_aggregate;
	uint32_t aggr_as, aggr_id;
	uint16_t n_comm;
	uint32_t comm[NS_BGP_MAX_COMM];
	/* Optional transitive attributes this speaker does not know, as they came
	 * (flags, type, length, value); passed on with the Partial bit set. */
	uint16_t unk_len;
	uint8_t unk[NS_BGP_MAX_UNK];
};

/* The AS path length for the decision process: a sequence counts its AS
 * numbers, a set counts 1, confederation segments 0 (RFC 4271 9.1.2.2). */
uint32_t ns_bgp_aspath_len(const struct ns_bgp_attrs *a);
/* The first AS of the path (the neighbour AS), 0 for an empty path. */
uint32_t ns_bgp_aspath_first(const struct ns_bgp_attrs *a);
bool ns_bgp_aspath_contains(const struct ns_bgp_attrs *a, uint32_t asn);

/* What a parsed UPDATE asks of the receiver (RFC 7606). */
enum ns_bgp_upd_action {
	NS_BGP_UPD_OK,		      /* apply withdrawn and nlri */
	NS_BGP_UPD_TREAT_AS_WITHDRAW, /* every nlri prefix (and withdrawn) is withdrawn */
	NS_BGP_UPD_RESET,	      /* session reset: send *n and close (RFC 7606 only
					 where nothing else is safe: unparsable NLRI) */
};

/* Prefixes kept per UPDATE (withdrawn and NLRI each): 4096 bytes of /24s are
 * about 1000; an UPDATE with more (short prefixes) resets (invalid network field). */
#define NS_BGP_UPD_MAX_PFX 1024

struct ns_bgp_update {
	uint16_t n_withdrawn, n_nlri;
	struct ns_bgp_pfx withdrawn[NS_BGP_UPD_MAX_PFX]; /* IPv4 withdrawn routes and MP_UNREACH */
	struct ns_bgp_pfx nlri[NS_BGP_UPD_MAX_PFX];	 /* IPv4 NLRI and MP_REACH */
	struct ns_bgp_attrs attrs;
	bool end_of_rib; /* an empty UPDATE: End-of-RIB for IPv4 unicast (RFC 4724) */
	/* RFC 7606's lesser remedies, for counters: attributes discarded, a
	 * reason for treat-as-withdraw (a short text, for the log). */
	uint16_t attrs_discarded;
	const char *why;
};

/*
 * Parse an UPDATE of a session whose peer sent 4-octet AS numbers in AS_PATH
 * (as4: both sides announced the capability) or 2-octet ones (with AS4_PATH
 * merged as RFC 6793 4.2.3 says).  ebgp: the session is external (LOCAL_PREF
 * from an external peer is discarded, RFC 7606 7.5).  Returns the action;
 * u is filled for OK and TREAT_AS_WITHDRAW, *n for RESET.
 */
enum ns_bgp_upd_action ns_bgp_update_parse(const uint8_t *msg, uint32_t len, bool as4, bool ebgp,
		struct ns_bgp_update *u, struct ns_bgp_notif *n);

/*
 * Build one UPDATE: withdrawn prefixes first, then, when n_nlri > 0, the
 * attributes and the NLRI (plain IPv4 fields, RFC 4271).  Takes as many of
 * each as fit in max (<= NS_BGP_MAX_MSG) and reports how many in *took_w and
 * *took_n; returns the message length (0 when not even one fits).  With no
 * prefixes at all (n_w == n_nlri == 0) it is the End-of-RIB, 23 bytes.
 */
uint32_t ns_bgp_update_build(uint8_t *buf, uint32_t max, bool as4, const struct ns_bgp_pfx *w,
		uint32_t n_w, uint32_t *took_w, const struct ns_bgp_attrs *a,
		const struct ns_bgp_pfx *nlri, uint32_t n_nlri, uint32_t *took_n);

/* Prefix text "a.b.c.d/len" <-> struct; parse returns 0 or -1 (host bits set is -1). */
int ns_bgp_pfx_parse(const char *s, struct ns_bgp_pfx *p);
void ns_bgp_pfx_str(const struct ns_bgp_pfx *p, char *buf, uint32_t size);

#endif
