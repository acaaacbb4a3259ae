/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the TCP input path against live connections.
 *
 * Each input is a script of 12-byte records run against a fresh stack that
 * listens on port 80 and has completed one handshake (peer 192.0.2.2:4000):
 *   [0]    op: low 2 bits = 0 segment, 1 application call, 2 advance time,
 *          3 segment on a second 4-tuple (opens/cookies/stray segments)
 *   [1]    TCP flags
 *   [2..3] sequence offset from the connection's rcv_nxt (signed)
 *   [4..5] ACK offset from its snd_una (signed)
 *   [6..7] window
 *   [8]    payload length (0..255)
 *   [9]    option selector (none, MSS, TS, SACK block, garbage)
 *   [10]   time step (ms) / application call selector
 *   [11]   payload seed
 * Segments carry valid checksums and sequence numbers near the windows,
 * so the fuzzer reaches reassembly, SACK recovery, closes and timers
 * instead of stopping at the checksum.  The handshake's SYN offers every
 * option (SACK, timestamps, window scaling, MSS), or timestamps only when
 * the input's length leaves one byte after its last record (the paths
 * without SACK).  Properties checked after every record: sequence
 * invariants of every live TCB, FIFO bounds, out-of-order ranges and the
 * transmission log.
 */
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LOCAL_IP  RTE_BE32(0xC0000201)
#define PEER_IP	  RTE_BE32(0xC0000202)
#define MS	  1000000ull
#define POOL_SIZE 8

static uint8_t txbuf[2048];
static struct ns_tcb *accepted;

static uint8_t *
f_alloc(void *user, uint16_t len, void **handle)
{
	(void)user;
	*handle = NULL;
	return len <= sizeof(txbuf) ? txbuf : NULL;
}

static void
f_xmit(void *user, void *handle, uint16_t len)
{
	const struct rte_ipv4_hdr *ip = (const void *)txbuf;

	(void)user, (void)handle;
	/* What we send is well formed: IPv4 and TCP checksums, lengths. */
	if (len < 40 || rte_be_to_cpu_16(ip->total_length) != len || rte_ipv4_cksum(ip) != 0 ||
			rte_ipv4_udptcp_cksum_verify(ip, (const void *)(ip + 1)) != 0)
		abort();
}

static void
f_event(void *user, struct ns_tcb *c, enum ns_tcp_event ev)
{
	(void)user;
	if (ev == NS_TCPE_ACCEPTED && accepted == NULL)
		accepted = c;
	if (ev == NS_TCPE_CLOSED && c == accepted)
		accepted = NULL;
}

static const struct ns_tcp_ops ops = {f_alloc, f_xmit, f_event, NULL};

static uint16_t
build(uint8_t *pkt, uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
		uint8_t optsel, uint32_t tsval, uint8_t plen, uint8_t seed)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint8_t *o = (uint8_t *)(th + 1);
	unsigned int olen = 0;
	uint16_t len;

	switch (optsel == 0xff ? 5 : optsel % 5) {
	case 5: /* a SYN's every option: MSS, SACK-permitted, timestamps, window scale */
		memcpy(o, "\x02\x04\x05\xb4\x04\x02\x08\x0a", 8);
		memcpy(o + 8, &tsval, 4);
		memcpy(o + 12, "\x00\x00\x00\x00\x01\x03\x03\x07", 8);
		olen = 20;
		break;
	case 1: /* MSS */
		memcpy(o, "\x02\x04\x05\xb4", 4);
		olen = 4;
		break;
	case 2: /* timestamps */
		o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
		memcpy(o + 4, &tsval, 4);
		memset(o + 8, 0, 4);
		olen = 12;
		break;
	case 3: { /* one SACK block above ack */
		uint32_t l = rte_cpu_to_be_32(ack + 1448u * (optsel >> 4)),
			 r = rte_cpu_to_be_32(ack + 1448u * ((optsel >> 4) + 1));

		o[0] = 1, o[1] = 1, o[2] = 5, o[3] = 10;
		memcpy(o + 4, &l, 4);
		memcpy(o + 8, &r, 4);
		olen = 12;
		break;
	}
	case 4: /* garbage that must be rejected or skipped */
		memset(o, optsel, 8);
		olen = 8;
		break;
	default:
		break;
	}
	len = (uint16_t)(40 + olen + plen);
	memset(pkt, 0, 40);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = PEER_IP;
	ip->dst_addr = LOCAL_IP;
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = RTE_BE16(80);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)(((20 + olen) / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(win);
	for (unsigned int i = 0; i < plen; i++)
		o[olen + i] = (uint8_t)(seed + i);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	return len;
}

static void
check_invariants(const struct ns_tcp_stack *s)
{
	for (uint32_t i = 0; i < s->cfg.max_conns; i++) {
		const struct ns_tcb *c = &s->pool[i];

		if (c->state == NS_TCP_CLOSED)
			continue;
		if (c->state == NS_TCP_SYN_SENT || c->state == NS_TCP_LISTEN)
			continue;
		if (ns_seq_gt(c->snd_una, c->snd_nxt) || ns_seq_gt(c->snd_nxt, c->snd_max))
			abort();
		if (ns_fifo_len(&c->sndq) > c->sndq.size || ns_fifo_len(&c->rcvq) > c->rcvq.size)
			abort();
		if (c->rq.n > c->rq.cap || c->rq.n_recent > NS_TCP_MAX_SACK)
			abort();
		/* The transmission log covers what is in flight, its counts agree
		 * with its records, and pipe never exceeds what was sent. */
		if (ns_tcp_txlog_check(c) != 0 ||
				ns_tcp_pipe(c) > c->snd_max - c->snd_una + c->txl.retrans)
			abort();
		/* Out-of-order ranges: ascending, disjoint, beyond rcv_nxt, within the ring. */
		for (uint32_t k = 0; k < c->rq.n; k++) {
			const struct ns_sack_block *b = &c->rq.r[k];

			if (!ns_seq_lt(b->left, b->right) || ns_seq_leq(b->left, c->rcvq.tail) ||
					ns_seq_gt(b->right, c->rcvq.head + c->rcvq.size) ||
					(k > 0 && ns_seq_leq(b->left, c->rq.r[k - 1].right)))
				abort();
		}
		if (c->state >= NS_TCP_ESTABLISHED && c->cwnd == 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ns_tcp_stack s;
	static uint8_t app_buf[4096];
	struct ns_tcp_cfg cfg;
	uint8_t pkt[40 + 40 + 256];
	uint64_t now = 1000 * MS;
	uint32_t peer_seq = 1000, ts = 1;
	struct ns_tcp_tuple t = {LOCAL_IP, PEER_IP, RTE_BE16(80), RTE_BE16(4000)};
	struct ns_tcb *c;

	if (size > 12 * 512)
		return -1;
	ns_tcp_cfg_defaults(&cfg);
	cfg.max_conns = POOL_SIZE;
	cfg.sndbuf = cfg.rcvbuf = 16384;
	cfg.syn_backlog = 2;
	cfg.keepalive_idle_ms = 2000;
	cfg.keepalive_intvl_ms = 500;
	for (int i = 0; i < 16; i++)
		cfg.isn_key[i] = (uint8_t)i;
	accepted = NULL;
	if (ns_tcp_init(&s, &cfg, &ops, NULL, now) != 0)
		abort();
	ns_tcp_listen(&s, 0, 80, &s);
	/* Handshake: SYN with every option, then the ACK of the SYN-ACK. */
	ns_tcp_input(&s, pkt,
			build(pkt, 4000, peer_seq, 0, RTE_TCP_SYN_FLAG, 65535,
					size % 12 == 1 ? 2 : 0xff, ts, 0, 0),
			now);
	c = ns_tcp_lookup(&s, &t);
	if (c != NULL)
		ns_tcp_input(&s, pkt,
				build(pkt, 4000, peer_seq + 1, c->iss + 1, RTE_TCP_ACK_FLAG, 65535,
						2, ts, 0, 0),
				now);
	for (size_t off = 0; off + 12 <= size; off += 12) {
		const uint8_t *r = data + off;
		uint8_t op = r[0] & 3, flags = r[1];
		int16_t dseq = (int16_t)(r[2] | r[3] << 8), dack = (int16_t)(r[4] | r[5] << 8);
		uint16_t win = (uint16_t)(r[6] | r[7] << 8);

		c = ns_tcp_lookup(&s, &t);
		switch (op) {
		case 0:
		case 3: {
			uint32_t base_seq = c ? c->rcv_nxt : peer_seq;
			uint32_t base_ack = c ? c->snd_una : 0;
			uint16_t port = op == 0 ? 4000 : (uint16_t)(4001 + (r[11] & 3));

			ts += r[10] & 7;
			ns_tcp_input(&s, pkt,
					build(pkt, port, base_seq + (uint32_t)(int32_t)dseq,
							base_ack + (uint32_t)(int32_t)dack, flags,
							win, r[9], ts, r[8], r[11]),
					now);
			break;
		}
		case 1:
			if (c == NULL || c != accepted)
				break;
			switch (r[10] % 4) {
			case 0:
				memset(app_buf, r[11], sizeof(app_buf));
				ns_tcp_send(&s, c, app_buf, (uint32_t)r[8] * 16, now);
				break;
			case 1:
				ns_tcp_recv(&s, c, app_buf, (uint32_t)r[8] * 16, now);
				break;
			case 2:
				ns_tcp_close(&s, c, now);
				break;
			default:
				if (r[11] == 0xAB)
					ns_tcp_abort(&s, c, now);
				break;
			}
			break;
		default:
			now += (uint64_t)(r[10] + 1) * 10 * MS;
			ns_tcp_timers(&s, now);
			break;
		}
		check_invariants(&s);
	}
	ns_tcp_fini(&s);
	return 0;
}
