/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unicast-in-multicast overlay, DPDK-free: the first hop wraps an
 * application session's unicast IPv4 packets in outer IPv4 (dst = the
 * session's group, or a last hop's unicast address for the redundant copy)
 * / UDP (dst 4754, RFC 8086 GRE-in-UDP; src port = a hash of the inner flow;
 * checksum 0) / GRE with the K and S bits (key = the session, sequence = a
 * per-session counter).  The last hop parses that, takes each sequence
 * number once (the multicast and the unicast copy: whichever comes first),
 * holds what arrives early in a bounded window and releases in order,
 * skipping a gap after hold_ns, and rewrites the inner destination for each
 * of the session's clients with incremental checksum updates (RFC 1624).
 */
#ifndef NS_OVERLAY_H
#define NS_OVERLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/ns_wire.h"

#define NS_OVL_UDP_PORT 4754
#define NS_OVL_GRE_LEN	12 /* flags/proto, key, sequence */
#define NS_OVL_HDR_LEN	(20 + 8 + NS_OVL_GRE_LEN)

/* Redundant unicast overlay: last hops that asked for the unicast copy
 * (soft state: each request holds for its lifetime, refreshed by the next). */
#define NS_OVL_MAX_SUBS 8

struct ns_ovl_subs {
	uint32_t addr[NS_OVL_MAX_SUBS]; /* network order */
	uint64_t until[NS_OVL_MAX_SUBS];
	uint32_t n;
};

/* 1: a new subscriber, 0: refreshed, -1: the table is full. */
int ns_ovl_subs_refresh(struct ns_ovl_subs *s, uint32_t addr, uint64_t now, uint64_t lifetime_ns);
/* Those whose lifetime ended go; returns how many. */
uint32_t ns_ovl_subs_expire(struct ns_ovl_subs *s, uint64_t now);

/* First hop: one session. */
struct ns_ovl_tx {
	uint32_t key;	/* GRE key */
	uint32_t group; /* outer destination, network order */
	uint32_t src;	/* outer source, network order */
	uint8_t ttl;
	uint32_t seq; /* the next packet's */
	uint16_t ip_id;
	uint8_t tmpl[NS_OVL_HDR_LEN]; /* the header, per-packet fields zero */
	uint32_t tmpl_sum;	      /* one's complement sum of the template's IP header */
	uint64_t packets, bytes;
	struct ns_ovl_subs subs;
};

void ns_ovl_tx_init(struct ns_ovl_tx *s, uint32_t key, uint32_t group, uint32_t src, uint8_t ttl);
/* The outer header for one inner IPv4 packet into hdr (NS_OVL_HDR_LEN bytes,
 * to be prepended: the payload is not copied); returns the sequence number
 * it carries.  inner is read for the flow hash only.  Inline: it is the
 * first hop's per-packet work. */
static inline uint32_t ns_ovl_encap(
		struct ns_ovl_tx *s, uint8_t *hdr, const uint8_t *inner, uint16_t inner_len);
/* The same packet's header toward another outer destination (the redundant
 * unicast copy): same sequence, the IP checksum updated. */
void ns_ovl_redirect(const uint8_t *hdr, uint8_t *out, uint32_t dst);

/* An inner TCP SYN's MSS option lowered to mss (checksum updated
 * incrementally) so that the encapsulated segments fit the MTU; returns 1
 * when it was changed. */
int ns_ovl_clamp_mss(uint8_t *ip, uint32_t len, uint16_t mss);

/*
 * An inner IPv4 packet as the last hop takes it: version 4, a header of 5
 * words or more inside the packet, a total length covering the header and
 * within the bytes there, a right header checksum, a TTL above 0.  The
 * first hop checks it before encapsulating (nothing the last hop would
 * refuse crosses the overlay), the last hop before delivering.
 */
enum ns_ovl_inner {
	NS_OVL_INNER_OK = 0,
	NS_OVL_INNER_BAD_IHL,	/* not version 4, IHL below 5, or the header past the bytes */
	NS_OVL_INNER_BAD_LEN,	/* total length below the header or past the bytes */
	NS_OVL_INNER_BAD_CKSUM, /* header checksum wrong */
	NS_OVL_INNER_TTL_ZERO,	/* TTL 0 */
};
/* Last hop: what a received packet carries. */
struct ns_ovl_hdr {
	uint32_t outer_src, outer_dst;
	uint32_t key, seq;
	uint16_t inner_off, inner_len;
	uint32_t lifetime_ms;	     /* NS_OVL_REQUEST */
	uint16_t mac_off;	     /* NS_OVL_REQUEST: its MAC's offset, 0 when unsigned */
	enum ns_ovl_inner inner_why; /* NS_OVL_BAD_INNER */
};

/*
 * The request of a last hop for the unicast copy of session 'key': GRE-in-UDP
 * to the first hop's address with the K bit only, protocol type 0x88B5 (IEEE
 * local experimental), and a 12-byte body: "NSOR", version 1, 3 zero bytes,
 * the lifetime in ms.  Refreshed well within it (soft state, as a join).
 * Signed (flags bit 0): 32 more bytes, HMAC-SHA256 under the session's
 * request key of NS_OVL_REQ_MAC_IN bytes: the requester's address, the key,
 * the 12-byte body (ns_ovl_request_mac_input).
 */
#define NS_OVL_REQ_PROTO      0x88b5
#define NS_OVL_REQ_LEN	      (20 + 8 + 8 + 12)
#define NS_OVL_REQ_MAC_LEN    32
#define NS_OVL_REQ_SIGNED_LEN (NS_OVL_REQ_LEN + NS_OVL_REQ_MAC_LEN)
#define NS_OVL_REQ_MAC_IN     20
/* Writes the IPv4 packet (NS_OVL_REQ_LEN bytes, or NS_OVL_REQ_SIGNED_LEN
 * with signed: its MAC left zero for the caller) into ip; returns its length. */
uint32_t ns_ovl_request_build(uint8_t *ip, uint32_t src, uint32_t dst, uint32_t key,
		uint32_t lifetime_ms, uint16_t ip_id, bool sign);
/* What a request's MAC covers (ip: a request ns_ovl_parse accepted or
 * ns_ovl_request_build wrote), into in (NS_OVL_REQ_MAC_IN bytes). */
void ns_ovl_request_mac_input(const uint8_t *ip, uint8_t *in);

/* ip: len bytes (the packet, and Ethernet padding when a frame has it). */
enum ns_ovl_inner ns_ovl_inner_check(const uint8_t *ip, uint32_t len);

enum ns_ovl_bad {
	NS_OVL_OK = 0,
	NS_OVL_BAD_IP = -1,    /* not IPv4 / options / fragment / length */
	NS_OVL_NOT_OURS = -2,  /* not UDP to 4754 */
	NS_OVL_BAD_GRE = -3,   /* version, flags without K and S, routing, not IPv4 inside */
	NS_OVL_BAD_INNER = -4, /* the inner packet is refused: h->inner_why says why */
	NS_OVL_BAD_CKSUM = -5, /* the outer IPv4 header checksum is wrong */
	NS_OVL_TTL_ZERO = -6,  /* the outer TTL is 0 */
	NS_OVL_BAD_SRC = -7,   /* the caller's: a martian outer source */
	NS_OVL_REQUEST = 1,    /* a last hop's request (key, lifetime_ms, outer_src) */
};
/* ip: the outer IPv4 header onwards, len bytes.  The outer source is the
 * caller's to judge (ns_ipv4_src.h: it knows the port's subnet). */
int ns_ovl_parse(const uint8_t *ip, uint32_t len, struct ns_ovl_hdr *h);

/* Last hop: in-order, once-only release of one session's packets. */
#define NS_OVL_WIN 64 /* a power of two */

struct ns_ovl_rx {
	uint32_t key;
	bool started;
	uint32_t next; /* the sequence released next */
	uint64_t hold_ns;
	void *pkt[NS_OVL_WIN];
	uint64_t at[NS_OVL_WIN]; /* arrival, 0: empty */
	uint32_t held;
	/* A packet far from the window (NS_OVL_WIN or more ahead, more than
	 * NS_OVL_RESTART behind) moves nothing by itself: it waits as the
	 * candidate, and the window follows it only when the session's next
	 * packet is its successor (a restarted first hop, or a loss longer than
	 * the window).  Any other packet makes it a stray (dropped); after
	 * hold_ns its packet goes too, its number stays as the evidence. */
	void *cand_pkt;
	bool cand_held;	 /* cand_pkt waits */
	bool cand_known; /* cand_seq is a candidate (held or not) */
	uint32_t cand_seq;
	uint64_t cand_at;
	/* counters */
	uint64_t received, delivered, duplicates, lost, reordered, gaps_filled, restarts, strays;
};

#define NS_OVL_RESTART (4 * NS_OVL_WIN)

/* Called for each packet released (in sequence order) or dropped. */
struct ns_ovl_rx_ops {
	void (*deliver)(void *user, void *pkt, uint32_t seq);
	void (*drop)(void *user, void *pkt);
};

void ns_ovl_rx_init(struct ns_ovl_rx *r, uint32_t key, uint64_t hold_ns);
void ns_ovl_rx_offer(struct ns_ovl_rx *r, uint32_t seq, void *pkt, uint64_t now,
		const struct ns_ovl_rx_ops *ops, void *user);
/* Gaps older than hold_ns are given up (counted lost): what waits behind them
 * goes; a candidate's packet held that long is a stray. */
void ns_ovl_rx_tick(struct ns_ovl_rx *r, uint64_t now, const struct ns_ovl_rx_ops *ops, void *user);
/* Everything held goes (in order, skipping the holes): the session ends. */
void ns_ovl_rx_flush(struct ns_ovl_rx *r, const struct ns_ovl_rx_ops *ops, void *user);

/* The inner packet's destination becomes dst; IPv4 header and UDP/TCP
 * checksums updated incrementally (a UDP checksum of 0 stays 0). */
void ns_ovl_rewrite_dst(uint8_t *ip, uint32_t len, uint32_t dst);

/* --- inline bodies ---------------------------------------------------------- */

/* Entropy for ECMP on the multicast tree's links (RFC 8086 3.2): a hash of
 * the inner flow's addresses, protocol and ports (multiply and fold), in the
 * dynamic port range. */
static inline uint16_t
ns_ovl_flow_port(const uint8_t *in, uint16_t len)
{
	uint32_t a, b, p = 0, h, ihl = (uint32_t)(in[0] & 15) * 4;

	if (len < 20)
		return 0xc000;
	memcpy(&a, in + 12, 4);
	memcpy(&b, in + 16, 4);
	if ((in[9] == 6 || in[9] == 17) && len >= ihl + 4)
		memcpy(&p, in + ihl, 4);
	h = (a * 0x9e3779b1u) ^ (b * 0x85ebca77u) ^ ((p ^ in[9]) * 0xc2b2ae3du);
	h ^= h >> 15;
	return (uint16_t)(0xc000 | ((h ^ (h >> 16)) & 0x3fff));
}

static inline uint32_t
ns_ovl_encap(struct ns_ovl_tx *s, uint8_t *hdr, const uint8_t *inner, uint16_t inner_len)
{
	uint32_t tot = NS_OVL_HDR_LEN + inner_len, seq = s->seq++, sum;
	uint16_t id = s->ip_id++;

	memcpy(hdr, s->tmpl, NS_OVL_HDR_LEN);
	sum = s->tmpl_sum + (tot & 0xffff) + id;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ns_put_be16(hdr + 2, (uint16_t)tot);			   /* total length */
	ns_put_be16(hdr + 4, id);				   /* identification */
	ns_put_be16(hdr + 10, (uint16_t)~sum);			   /* header checksum */
	ns_put_be16(hdr + 20, ns_ovl_flow_port(inner, inner_len)); /* UDP source port */
	ns_put_be16(hdr + 24, (uint16_t)(tot - 20));		   /* UDP length */
	ns_put_be32(hdr + 36, seq);				   /* GRE sequence */
	s->packets++;
	s->bytes += inner_len;
	return seq;
}

#endif /* NS_OVERLAY_H */
