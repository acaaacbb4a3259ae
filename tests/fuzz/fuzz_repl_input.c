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
 *   first byte & 3 == 2: frames (a length byte before each) that the
 *         harness seals with the right MAC, fed to an HA role machine
 *         (standby or active per bit 2): what it does with authentic
 *         control frames (JOIN, HELLO, RESET, BEAT payloads, FWD frames) of
 *         any epoch, session and length, and the channel's acks.
 */
#include <stdlib.h>
#include <string.h>

#include "repl/ha_node.h"
#include "common/ns_hmac.h"
#include "repl/repl.h"

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

/* --- an HA node fed authentic frames --------------------------------------- */

static void
h_xmit(void *user, bool beat, const uint8_t *f, uint32_t len)
{
	(void)user, (void)beat, (void)f, (void)len;
}

static void
h_send(void *user, void *pkt)
{
	(void)user;
	free(pkt);
}

static void
h_free(void *user, void *pkt)
{
	(void)user;
	free(pkt);
}

static const uint8_t *
h_data(void *user, void *pkt, uint32_t *len, uint16_t *port)
{
	(void)user;
	*len = 16;
	*port = 1;
	return pkt;
}

static void *
h_make(void *user, uint16_t port, const uint8_t *d, uint32_t len)
{
	uint8_t *p;

	(void)user;
	if (port > 3 || (p = malloc(len)) == NULL)
		return NULL;
	memcpy(p, d, len);
	return p;
}

static void
h_inject(void *user, void *pkt)
{
	(void)user;
	free(pkt);
}

static const uint8_t node_key[] = "fuzzing key, sixteen bytes or more";

static void
fuzz_node(const uint8_t *data, size_t size, bool active)
{
	static const struct ns_ha_ops ops = {.xmit = h_xmit,
			.pkt_send = h_send,
			.pkt_free = h_free,
			.pkt_data = h_data,
			.pkt_make = h_make,
			.inject = h_inject};
	struct ns_ha_cfg k = {.chan = {.chan = 0,
					      .frame_max = 1500,
					      .ring = 16,
					      .window = 8,
					      .rto_min_ns = 1000000,
					      .rto_max_ns = 10000000,
					      .key = node_key,
					      .key_len = sizeof(node_key) - 1},
			.start_active = active,
			.epoch = 5,
			.failover_ns = 30000000,
			.lost_ns = 200000000,
			.auto_wait_ns = 100000000,
			.service_beat = true,
			.hold_q = 64};
	static const struct ns_tcp_ops tops = {NULL, NULL, NULL, NULL};
	struct ns_tcp_cfg tc;
	struct ns_tcp_stack tcp;
	struct ns_ha_node n;
	struct ns_hmac *mac = ns_hmac_new(node_key, sizeof(node_key) - 1);
	uint64_t now = 1000000000ull;
	uint8_t f[1600], m[NS_HMAC_SHA256_LEN];

	ns_tcp_cfg_defaults(&tc);
	tc.max_conns = 8;
	tc.sndbuf = tc.rcvbuf = 4096;
	if (mac == NULL || ns_tcp_init(&tcp, &tc, &tops, NULL, now) ||
			ns_ha_init(&n, &k, &ops, NULL, &tcp, now))
		abort();
	while (size > 0) {
		uint32_t len = data[0], plen;

		data++, size--;
		if (len > size)
			len = (uint32_t)size;
		if (len < NS_REPL_HDR_LEN)
			len = len < size ? len : (uint32_t)size;
		memset(f, 0, sizeof(f));
		memcpy(f, data, len);
		data += len, size -= len;
		if (len < NS_REPL_HDR_LEN)
			len = NS_REPL_HDR_LEN;
		f[0] = NS_REPL_VERSION;
		plen = len - NS_REPL_HDR_LEN;
		f[26] = (uint8_t)(plen >> 8);
		f[27] = (uint8_t)plen;
		ns_hmac_sha256(mac, f, len, NULL, 0, m);
		memcpy(f + len, m, NS_REPL_MAC_LEN);
		ns_ha_frame(&n, f[1] == NS_REPL_F_BEAT && (len & 1), f, len + NS_REPL_MAC_LEN,
				now);
		now += 3000000;
		ns_ha_poll(&n, now, false);
	}
	ns_ha_fini(&n);
	ns_tcp_fini(&tcp);
	ns_hmac_free(mac);
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
	if ((data[0] & 3) == 2) {
		fuzz_node(data + 1, size - 1, data[0] & 4);
		return 0;
	}
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
