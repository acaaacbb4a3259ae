/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RSS for active opens: nonstop programs the key and the redirection table
 * of a multi-queue port itself, so it can compute (Toeplitz, rte_softrss) on
 * which queue the replies to a connection it opens will arrive, and pick a
 * source port that brings them to the opening worker's queue.
 */
#ifndef NS_RSS_H
#define NS_RSS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

#define NS_RSS_KEY_LEN	40
#define NS_RSS_RETA_MAX 512

struct ns_rss {
	uint8_t key[NS_RSS_KEY_LEN];
	uint16_t reta_size; /* 0: single queue, no RSS */
	uint16_t reta[NS_RSS_RETA_MAX];
};

extern const uint8_t ns_rss_default_key[NS_RSS_KEY_LEN];

/* Round-robin table over nq queues. */
void ns_rss_init(struct ns_rss *r, uint16_t reta_size, uint16_t nq);

/* The queue a TCP segment from raddr:rport to laddr:lport lands on
 * (addresses and ports in network order). */
uint16_t ns_rss_queue(const struct ns_rss *r, rte_be32_t raddr, rte_be32_t laddr, rte_be16_t rport,
		rte_be16_t lport);

/* A local port in [49152, 65535], starting at 'start', whose replies land on
 * a queue for which want(queue, arg) is true and that in_use() does not
 * refuse; 0 if none. */
uint16_t ns_rss_pick_port(const struct ns_rss *r, rte_be32_t raddr, rte_be32_t laddr,
		rte_be16_t rport, uint16_t start, bool (*want)(uint16_t q, void *arg),
		bool (*in_use)(uint16_t lport, void *arg), void *arg);

#endif /* NS_RSS_H */
