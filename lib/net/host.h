/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host stack of one interface: Ethernet demux, ARP responder and cache,
 * IPv4 validation, ICMP echo.  Plain C over a frame buffer and an explicit
 * clock: no EAL call, no allocation per packet.  Replies are written in
 * place into the received frame so the edge just transmits the same mbuf.
 */
#ifndef NS_HOST_H
#define NS_HOST_H

#include <stdint.h>
#include <rte_ether.h>

#include "net/arp_cache.h"
#include "net/net_counters.h"

struct ns_host {
	struct rte_ether_addr mac;
	rte_be32_t ip;	    /* our address */
	rte_be32_t netmask; /* of the connected subnet */
	uint8_t ttl;	    /* for packets we originate */
	bool igmp;	    /* IGMP delivered (multicast destinations, Router Alert) */
	uint64_t *ctr;	    /* counter block, NS_NET__MAX entries */
	struct ns_arp_cache arp;
	void *user;
};

enum ns_verdict {
	NS_V_DROP = 0, /* counted; the caller frees the frame */
	NS_V_TX,       /* rewritten in place, *len updated: send on the receiving port */
	NS_V_L4,       /* valid IPv4 for us, L4 protocol not handled here: see ns_l4_info */
};

/* Where an accepted packet's layers start, for L4 handlers. */
struct ns_l4_info {
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t l4_len;
	uint8_t proto;
};

/*
 * Process one received frame.  *len is the frame length on input; on NS_V_TX
 * it is the length of the reply now in 'frame'.
 */
enum ns_verdict ns_host_input(struct ns_host *h, uint8_t *frame, uint16_t *len, uint64_t now,
		struct ns_l4_info *l4);

/* Write an ARP request for 'target' into buf (>= 42 bytes); returns its length. */
uint16_t ns_arp_build_request(const struct ns_host *h, rte_be32_t target, uint8_t *buf);

/*
 * ICMP echo request from us to dst, without the Ethernet destination (the
 * caller resolves it): writes the frame into buf (room for 14+20+8+payload
 * bytes) and returns its length.  The first 8 payload bytes carry tx_ns
 * (for the RTT), the rest a fixed pattern.  payload >= 8.
 */
uint16_t ns_icmp_build_echo(struct ns_host *h, rte_be32_t dst, uint16_t ident, uint16_t seq,
		uint16_t payload, uint64_t tx_ns, uint8_t *buf);

/* Fields of an echo reply delivered as NS_V_L4 (proto ICMP); -1 if not one of ours. */
int ns_icmp_echo_reply_parse(const uint8_t *frame, const struct ns_l4_info *l4, uint16_t *ident,
		uint16_t *seq, uint64_t *tx_ns);

/* Is ip inside our connected subnet? */
static inline int
ns_host_on_link(const struct ns_host *h, rte_be32_t ip)
{
	return (ip & h->netmask) == (h->ip & h->netmask);
}

#endif /* NS_HOST_H */
