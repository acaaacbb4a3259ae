/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instruction-count driver for scripts/bench/callgrind_bfd.sh: N Up sessions
 * in one engine, then ROUNDS rounds in which every session receives one
 * control packet from its peer (Your Discriminator set: the O(1) path) and
 * the timers run.  rx_round() is what callgrind divides by the packet count.
 *   bench_bfd SESSIONS ROUNDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bfd/bfd.h"

static uint64_t sent;

static void
xmit(void *user, const struct ns_bfd_session *s, const uint8_t *p, uint32_t len)
{
	(void)user, (void)s, (void)p, (void)len;
	sent++;
}

static const struct ns_bfd_ops ops = {xmit, NULL};

static void
ctl(uint8_t *p, uint8_t state, uint32_t my, uint32_t your)
{
	struct ns_bfd_ctl c = {.state = state,
			.detect_mult = 3,
			.my_disc = my,
			.your_disc = your,
			.desired_min_tx_us = 10000,
			.required_min_rx_us = 10000};

	ns_bfd_build(&c, p);
}

__attribute__((noinline)) static void
rx_round(struct ns_bfd *b, uint8_t (*pkts)[NS_BFD_HDR_LEN], uint32_t n, uint64_t now)
{
	for (uint32_t i = 0; i < n; i++)
		ns_bfd_input(b, 1, 0x0a000000u + i, 255, pkts[i], NS_BFD_HDR_LEN, now);
}

int
main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)atoi(argv[1]) : 10000;
	uint32_t rounds = argc > 2 ? (uint32_t)atoi(argv[2]) : 10;
	uint8_t(*pkts)[NS_BFD_HDR_LEN] = calloc(n, NS_BFD_HDR_LEN);
	uint32_t *disc = calloc(n, sizeof(*disc));
	struct ns_bfd b;
	uint64_t now = 1000000000ull, rx0;

	if (pkts == NULL || disc == NULL || ns_bfd_init(&b, n, &ops, NULL, now) != 0)
		return 1;
	for (uint32_t i = 0; i < n; i++) {
		struct ns_bfd_session_cfg c = {
				1, 0x0a000000u + i, 10000, 10000, 3, false, NULL, {0}};

		disc[i] = ns_bfd_session_add(&b, &c, now);
	}
	/* Bring every session Up: Init from the peer, then Up. */
	for (uint32_t i = 0; i < n; i++) {
		ctl(pkts[i], NS_BFD_INIT, 0x80000000u + i, disc[i]);
		ns_bfd_input(&b, 1, 0x0a000000u + i, 255, pkts[i], NS_BFD_HDR_LEN, now);
		ctl(pkts[i], NS_BFD_UP, 0x80000000u + i, disc[i]);
	}
	rx0 = b.ctr[NS_BFD_C_rx_packets];
	for (uint32_t r = 0; r < rounds; r++) {
		now += 10000000; /* 10 ms: one packet per session per interval */
		rx_round(&b, pkts, n, now);
		ns_bfd_timers(&b, now);
	}
	printf("packets %llu up %llu sent %llu\n",
			(unsigned long long)(b.ctr[NS_BFD_C_rx_packets] - rx0),
			(unsigned long long)b.ctr[NS_BFD_C_state_up], (unsigned long long)sent);
	ns_bfd_fini(&b);
	free(pkts);
	free(disc);
	return 0;
}
