/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP options: parse what a segment carries, write what we send.
 * MSS (RFC 9293), window scale and timestamps (RFC 7323), SACK-permitted
 * and SACK blocks (RFC 2018).  Unknown options are skipped by their length;
 * a malformed list (length < 2 or past the header) is an error.
 */
#ifndef NS_TCP_OPTIONS_H
#define NS_TCP_OPTIONS_H

#include <stdint.h>

#define NS_TCPOPT_EOL	  0
#define NS_TCPOPT_NOP	  1
#define NS_TCPOPT_MSS	  2
#define NS_TCPOPT_WS	  3
#define NS_TCPOPT_SACK_OK 4
#define NS_TCPOPT_SACK	  5
#define NS_TCPOPT_TS	  8

#define NS_TCP_MAX_SACK	  4  /* blocks in one option (40-byte option space) */
#define NS_TCP_MAX_WSCALE 14 /* RFC 7323 2.3: larger values are clamped */
#define NS_TCP_OPT_SPACE  40

enum {
	NS_TCPO_MSS = 1u << 0,
	NS_TCPO_WS = 1u << 1,
	NS_TCPO_SACK_OK = 1u << 2,
	NS_TCPO_TS = 1u << 3,
	NS_TCPO_SACK = 1u << 4,
};

struct ns_sack_block {
	uint32_t left, right; /* [left, right) in host order */
};

struct ns_tcp_opts {
	uint32_t present; /* NS_TCPO_* */
	uint16_t mss;
	uint8_t wscale; /* clamped to NS_TCP_MAX_WSCALE */
	uint8_t n_sack;
	uint32_t tsval, tsecr;
	struct ns_sack_block sack[NS_TCP_MAX_SACK];
};

enum ns_tcpopt_err {
	NS_TCPOPT_OK = 0,
	NS_TCPOPT_BAD_LEN,  /* an option length < 2 or running past the header */
	NS_TCPOPT_BAD_SIZE, /* a known option with the wrong fixed length */
};

/* Parse len bytes of options (after the fixed 20-byte header). */
enum ns_tcpopt_err ns_tcp_opts_parse(const uint8_t *p, unsigned int len, struct ns_tcp_opts *o);

/*
 * Write the options in o->present into buf (room for 40 bytes), aligned to
 * 32 bits with NOPs the way common stacks lay them out, and return the
 * length (a multiple of 4).  SACK blocks are cut to what fits next to the
 * timestamps.
 */
unsigned int ns_tcp_opts_write(const struct ns_tcp_opts *o, uint8_t *buf);

#endif /* NS_TCP_OPTIONS_H */
