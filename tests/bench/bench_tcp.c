/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instruction-count driver for the TCP core (scripts/bench/callgrind_tcp.sh):
 * A sends BYTES to B over an in-memory link, in-order, no loss.  Data
 * segments enter B through rx_data(), B's ACKs enter A through rx_ack()
 * (noinline), so callgrind's inclusive cost of each, divided by the counts
 * printed at the end, is the cost per data segment received (including the
 * copy into the receive FIFO and the ACK decision) and per ACK processed.
 *   bench_tcp BYTES [offload]
 * 'offload': checksums as on a NIC with RX/TX TCP checksum offload (the
 * receiver trusts the verdict, the sender leaves the sum to the NIC).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_stack.h"

struct end {
	struct ns_tcp_stack s;
	uint8_t out[64][2048];
	uint16_t out_len[64];
	unsigned int n_out;
	uint8_t scratch[2048];
	struct ns_tcb *conn;
};

static struct end A, B;
static uint64_t now = 1000000000ull;
static int tag;
static int offload;

static uint8_t *
t_alloc(void *user, uint16_t len, void **h)
{
	struct end *e = user;

	*h = e;
	return len <= sizeof(e->scratch) ? e->scratch : NULL;
}

static void
t_xmit(void *user, void *h, uint16_t len)
{
	struct end *e = user;

	(void)h;
	if (e->n_out < 64) {
		memcpy(e->out[e->n_out], e->scratch, len);
		e->out_len[e->n_out++] = len;
	}
}

static void
t_event(void *user, struct ns_tcb *c, enum ns_tcp_event ev)
{
	struct end *e = user;

	if (ev == NS_TCPE_ACCEPTED)
		e->conn = c;
}

static __attribute__((noinline)) void
rx_data(const uint8_t *p, uint16_t len)
{
	if (offload)
		ns_tcp_input_csum_ok(&B.s, p, len, now);
	else
		ns_tcp_input(&B.s, p, len, now);
}

static __attribute__((noinline)) void
rx_ack(const uint8_t *p, uint16_t len)
{
	if (offload)
		ns_tcp_input_csum_ok(&A.s, p, len, now);
	else
		ns_tcp_input(&A.s, p, len, now);
}

static void
deliver(void)
{
	for (unsigned int i = 0; i < A.n_out; i++)
		rx_data(A.out[i], A.out_len[i]);
	A.n_out = 0;
	for (unsigned int i = 0; i < B.n_out; i++)
		rx_ack(B.out[i], B.out_len[i]);
	B.n_out = 0;
}

int
main(int argc, char **argv)
{
	static const struct ns_tcp_ops ops = {t_alloc, t_xmit, t_event, NULL};
	static uint8_t chunk[65536], sink[65536];
	struct ns_tcp_cfg cfg;
	uint64_t total, sent = 0, got = 0;
	struct ns_tcb *c;

	if (argc < 2)
		return 2;
	total = strtoull(argv[1], NULL, 10);
	offload = argc > 2 && strcmp(argv[2], "offload") == 0;
	ns_tcp_cfg_defaults(&cfg);
	cfg.tx_csum_offload = offload;
	cfg.max_conns = 4;
	cfg.sndbuf = cfg.rcvbuf = 262144;
	if (ns_tcp_init(&A.s, &cfg, &ops, &A, now) || ns_tcp_init(&B.s, &cfg, &ops, &B, now))
		return 1;
	ns_tcp_listen(&B.s, 0, 7, &tag);
	c = ns_tcp_connect(&A.s, 0x010200c0, 0x020200c0, 7, 0, &tag, now);
	for (int i = 0; i < 4; i++)
		deliver();
	if (c == NULL || B.conn == NULL || c->state != NS_TCP_ESTABLISHED)
		return 1;
	memset(chunk, 0xa5, sizeof(chunk));
	while (got < total) {
		uint32_t n;

		if (sent < total)
			sent += ns_tcp_send(&A.s, c, chunk,
					(uint32_t)(total - sent < sizeof(chunk) ? total - sent
										: sizeof(chunk)),
					now);
		deliver();
		while ((n = ns_tcp_recv(&B.s, B.conn, sink, sizeof(sink), now)) > 0)
			got += n;
		deliver();
		now += 10000; /* 10 us per round */
		ns_tcp_timers(&A.s, now);
		ns_tcp_timers(&B.s, now);
	}
	printf("data_segs %lu acks %lu bytes %lu\n", (unsigned long)B.s.ctr[NS_TCP_C_data_segs_in],
			(unsigned long)A.s.ctr[NS_TCP_C_segs_in] - 1, (unsigned long)got);
	ns_tcp_fini(&A.s);
	ns_tcp_fini(&B.s);
	return 0;
}
