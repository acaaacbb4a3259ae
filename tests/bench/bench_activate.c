/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCB activation cost: N shadows, filled in as a standby's are
 * (established, timestamps, a retransmission deadline, IN_FLIGHT bytes sent
 * and unacknowledged), become live connections of the stack through
 * ns_tcp_activate, timed on CLOCK_MONOTONIC around the whole loop.
 *   bench_activate N IN_FLIGHT drained|unplanned [ROUNDS] [cold]
 * drained: a planned switchover's (table, timers, nothing sent again);
 * unplanned: a failover's (also every unacknowledged byte again as far as
 * cwnd allows, and three ACKs; the segments are built and handed to a
 * transmit callback that drops them).  Prints the best of ROUNDS (default 5)
 * in ns per connection, and the segments built per connection.  The
 * shadows' send queues hold the bytes in flight and their transmission logs
 * are made resident as a standby's are (ns_tcp_shadow_warm); cold leaves the
 * logs untouched, to show what the page faults cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcp/tcp_stack.h"

static uint8_t scratch[2048];
static uint64_t segs;
static bool warm = true;

static uint8_t *
b_alloc(void *user, uint16_t len, void **h)
{
	(void)user;
	*h = NULL;
	return len <= sizeof(scratch) ? scratch : NULL;
}

static void
b_xmit(void *user, void *h, uint16_t len)
{
	(void)user, (void)h, (void)len;
	segs++;
}

static void
b_event(void *user, struct ns_tcb *c, enum ns_tcp_event ev)
{
	(void)user, (void)c, (void)ev;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A standby's shadow of an established connection, id i. */
static void
fill(struct ns_tcp_stack *s, uint32_t i, uint32_t in_flight, uint64_t now)
{
	struct ns_tcp_tuple t = {
			.laddr = 0x0202000c, /* 12.0.2.2, network order on little endian */
			.raddr = 0x0102000c + ((i >> 16) << 24),
			.lport = 0x0700,
			.rport = (uint16_t)(((i & 0xff) << 8) | ((i >> 8) & 0xff)),
	};
	struct ns_tcb *c = ns_tcp_shadow_alloc(s, i, &t);
	uint32_t una = 1000000u + i * 7919u;

	if (c == NULL) {
		fprintf(stderr, "shadow %u: no slot\n", i);
		exit(1);
	}
	c->state = NS_TCP_ESTABLISHED;
	c->flags = NS_TCBF_TS | NS_TCBF_SACK | NS_TCBF_WS;
	c->iss = una - 1;
	c->snd_una = una;
	c->snd_nxt = c->snd_max = una + in_flight;
	c->snd_wnd = 1u << 20;
	c->irs = 5000;
	c->rcv_nxt = 5001;
	c->rcv_adv = 5001 + 65535;
	c->snd_mss = 1448;
	c->cwnd = 10 * 1448;
	c->ssthresh = 1u << 30;
	c->sndq.head = una;
	c->sndq.tail = una + in_flight;
	c->rcvq.head = c->rcvq.tail = 5001;
	c->ts_recent = 123456;
	c->ts_sent = 654321;
	c->srtt_us = 500;
	c->rttvar_us = 250;
	c->rto_us = 200000;
	c->deadline[NS_TCPT_RTO] = in_flight != 0 ? now + 200000000ull : 0;
	/* The bytes in flight, as replicated data events wrote them. */
	for (uint32_t k = 0; k < in_flight; k += 64) {
		uint8_t b[64];

		memset(b, (int)(i + k), sizeof(b));
		ns_fifo_put_at(&c->sndq, una + k, b, in_flight - k < 64 ? in_flight - k : 64);
	}
	if (warm)
		ns_tcp_shadow_warm(c, in_flight);
}

int
main(int argc, char **argv)
{
	static const struct ns_tcp_ops ops = {b_alloc, b_xmit, b_event, NULL};
	uint32_t n, in_flight, rounds = 5;
	uint64_t best = UINT64_MAX, segs_per = 0, now = 10000000000ull;
	bool drained;
	struct ns_tcp_cfg cfg;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_activate N IN_FLIGHT drained|unplanned [ROUNDS] "
				"[cold]\n");
		return 2;
	}
	n = (uint32_t)strtoul(argv[1], NULL, 10);
	in_flight = (uint32_t)strtoul(argv[2], NULL, 10);
	drained = !strcmp(argv[3], "drained");
	if (argc > 4)
		rounds = (uint32_t)strtoul(argv[4], NULL, 10);
	if (argc > 5 && !strcmp(argv[5], "cold"))
		warm = false;
	ns_tcp_cfg_defaults(&cfg);
	cfg.max_conns = n;
	for (uint32_t r = 0; r < rounds; r++) {
		struct ns_tcp_stack s;
		uint64_t t0, dt;
		uint32_t ok = 0;

		if (ns_tcp_init(&s, &cfg, &ops, NULL, now) != 0) {
			fprintf(stderr, "ns_tcp_init failed (max_conns %u)\n", n);
			return 1;
		}
		for (uint32_t i = 0; i < n; i++)
			fill(&s, i, in_flight, now);
		segs = 0;
		t0 = mono_ns();
		for (uint32_t i = 0; i < n; i++)
			ok += ns_tcp_activate(&s, &s.pool[i], now, drained) == 0;
		dt = mono_ns() - t0;
		if (ok != n) {
			fprintf(stderr, "%u of %u activated\n", ok, n);
			return 1;
		}
		if (dt < best) {
			best = dt;
			segs_per = segs;
		}
		ns_tcp_fini(&s);
	}
	printf("activate %s: %u connections, %u bytes in flight each: %.1f ns per connection "
	       "(best of %u), %.1f segments built per connection%s\n",
			drained ? "drained" : "unplanned", n, in_flight, (double)best / n, rounds,
			(double)segs_per / n, warm ? "" : ", logs cold");
	return 0;
}
