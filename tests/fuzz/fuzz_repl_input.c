/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: what a replication standby parses.  The first byte picks
 * the path, the rest is the input:
 *   even: a frame for the channel (header, MAC, control frames) — the
 *         fuzzer cannot forge the MAC, so this covers what runs before it;
 *   odd:  a batch of events applied to a synchronized standby, as if an
 *         authentic frame carried them (images, data at any position,
 *         frees, app state, flags): shadows stay consistent with its TCP
 *         pool, nothing reads or writes out of bounds.
 * The same events also go to an active's parser (session flags).
 */
#include <stdlib.h>
#include <string.h>

#include "repl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
xmit(void *user, const uint8_t *f, uint32_t len)
{
	(void)user, (void)f, (void)len;
}

static void
deliver(void *user, const uint8_t *p, uint32_t len, uint64_t now)
{
	ns_repl_standby_deliver(user, p, len, now);
}

static void
control(void *user, uint8_t type, uint32_t epoch, uint32_t session, const uint8_t *p, uint32_t len,
		uint64_t now)
{
	ns_repl_standby_control(user, type, epoch, session, p, len, now);
}

static uint32_t
backup(void *user, struct ns_tcb *c, uint32_t from, uint32_t to)
{
	uint32_t sum = 0;

	(void)user;
	for (uint32_t s = from; s != to && s - from < 1u << 20; s++) {
		uint8_t b;

		ns_fifo_get_at(&c->rcvq, s, &b, 1);
		sum += b;
	}
	(void)sum;
	return to;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[] = "fuzzing key, sixteen bytes or more";
	static const struct ns_repl_chan_ops ops = {xmit, deliver, control};
	static const struct ns_repl_standby_ops sops = {.backup = backup};
	static const struct ns_tcp_ops tops = {NULL, NULL, NULL, NULL};
	struct ns_repl_chan_cfg cc = {.chan = 0,
			.frame_max = 2034,
			.ring = 16,
			.window = 8,
			.rto_min_ns = 1000000,
			.rto_max_ns = 10000000,
			.key = key,
			.key_len = sizeof(key) - 1};
	struct ns_tcp_cfg tc;
	struct ns_tcp_stack tcp, atcp;
	struct ns_repl_chan ch, ach;
	struct ns_repl_standby sb;
	struct ns_repl_active a;
	uint32_t shadows = 0;

	if (size < 1 || size > 4096)
		return -1;
	ns_tcp_cfg_defaults(&tc);
	tc.max_conns = 8;
	tc.sndbuf = tc.rcvbuf = 4096;
	if (ns_tcp_init(&tcp, &tc, &tops, NULL, 0) || ns_tcp_init(&atcp, &tc, &tops, NULL, 0) ||
			ns_repl_chan_init(&ch, &cc, &ops, &sb) ||
			ns_repl_chan_init(&ach, &cc, &ops, &sb) ||
			ns_repl_standby_init(&sb, &ch, &tcp, &sops, NULL, 1000, 2000) ||
			ns_repl_active_init(&a, &ach, &atcp, NULL, NULL, 1))
		abort();
	ns_repl_chan_reset(&ch, 1, 7);
	if (data[0] & 1) {
		sb.state = NS_REPL_S_SYNCING;
		ns_repl_standby_deliver(&sb, data + 1, (uint32_t)(size - 1), 1000);
		ns_repl_standby_poll(&sb, 2000000);
		a.state = NS_REPL_A_SYNCED;
		a.conn[data[0] >> 5 & 7].live = 1;
		ns_repl_active_deliver(&a, data + 1, (uint32_t)(size - 1), 1000);
	} else {
		ns_repl_chan_input(&ch, data + 1, (uint32_t)(size - 1), 1000);
	}
	/* Every shadow is a slot taken out of the pool's free list. */
	for (uint32_t i = 0; i < tc.max_conns; i++) {
		if (sb.conn[i].present != (tcp.free_pos[i] == UINT32_MAX))
			abort();
		shadows += sb.conn[i].present;
	}
	if (shadows != sb.n_shadows || tcp.n_free + shadows != tc.max_conns)
		abort();
	ns_repl_active_fini(&a);
	ns_repl_standby_fini(&sb);
	ns_repl_chan_fini(&ch);
	ns_repl_chan_fini(&ach);
	ns_tcp_fini(&tcp);
	ns_tcp_fini(&atcp);
	return 0;
}
