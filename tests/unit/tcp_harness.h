/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test harness: two TCP cores (A, B) joined by an in-memory link with a
 * 1 ms one-way delay on a virtual clock; loss injection, segment crafting.
 */
#ifndef NS_TCP_HARNESS_H
#define NS_TCP_HARNESS_H

#include <stdlib.h>

#include "ns_test.h"
#include "tcp/tcp_internal.h"

#define MS   1000000ull
#define A_IP RTE_BE32(0xC0000201) /* 192.0.2.1 */
#define B_IP RTE_BE32(0xC0000202) /* 192.0.2.2 */

struct pkt {
	uint8_t buf[2048];
	uint16_t len;
};

struct end {
	struct ns_tcp_stack s;
	struct end *peer;
	struct ns_tcb *conn; /* the application's connection */
	int accepted, connected, readable, closed, reset;
	uint8_t rx[1 << 20];
	uint32_t rx_len;
	uint32_t observed_groups;
	int observed_new, observed_free;
	uint8_t scratch[2048];
};

static struct pkt link_q[8192];
static unsigned int q_head, q_tail;
static int q_to[8192]; /* 0: to A, 1: to B */
static struct end A, B;
static uint64_t now;
static unsigned int drop_every;	   /* drop every Nth data-carrying packet (0: none) */
static unsigned int drop_permille; /* drop any packet, either way, with this chance */
static uint64_t drop_rng = 1;
static unsigned int data_pkts, dropped;
static int b_drop_next;	 /* drop the next N packets B sends */
static int b_app_paused; /* B's application does not read */
/* Called with every segment an end sends, before any loss is applied. */
static void (*xmit_hook)(struct end *e, const uint8_t *ip, uint16_t len);
static int app_tag = 1;
static uint8_t key_seed; /* varies the ISNs: sequence numbers must work anywhere in 2^32 */

static inline uint8_t *
t_alloc(void *user, uint16_t len, void **handle)
{
	struct end *e = user;

	*handle = e;
	return len <= sizeof(e->scratch) ? e->scratch : NULL;
}

static inline void
t_xmit(void *user, void *handle, uint16_t len)
{
	struct end *e = user;
	unsigned int i = q_tail % 8192;
	const struct rte_ipv4_hdr *ip = (const void *)e->scratch;
	const struct rte_tcp_hdr *th = (const void *)(ip + 1);
	uint16_t payload = len - 20 - ((th->data_off >> 4) * 4);

	(void)handle;
	/* Every segment we send must carry valid checksums. */
	CHECK_EQ(rte_raw_cksum(ip, 20), 0xffff);
	CHECK_EQ(rte_ipv4_udptcp_cksum_verify(ip, th), 0);
	/* ...and fit the MSS with its options (RFC 9293 3.7.1): both ends use
	 * the same configuration, so the smaller cfg.mss bounds every segment. */
	if (!(th->tcp_flags & RTE_TCP_SYN_FLAG))
		CHECK(len - 40u <= (uint32_t)RTE_MIN(A.s.cfg.mss, B.s.cfg.mss));
	if (xmit_hook != NULL)
		xmit_hook(e, e->scratch, len);
	if (e == &B && b_drop_next > 0) {
		b_drop_next--;
		dropped++;
		return;
	}
	if (payload > 0 && drop_every && ++data_pkts % drop_every == 0) {
		dropped++;
		return;
	}
	if (drop_permille != 0) {
		drop_rng = drop_rng * 6364136223846793005ull + 1442695040888963407ull;
		if ((drop_rng >> 33) % 1000 < drop_permille) {
			dropped++;
			return;
		}
	}
	memcpy(link_q[i].buf, e->scratch, len);
	link_q[i].len = len;
	q_to[i] = e == &A;
	q_tail++;
}

static inline void
t_event(void *user, struct ns_tcb *c, enum ns_tcp_event ev)
{
	struct end *e = user;

	switch (ev) {
	case NS_TCPE_ACCEPTED:
		e->accepted++;
		e->conn = c;
		break;
	case NS_TCPE_CONNECTED:
		e->connected++;
		break;
	case NS_TCPE_READABLE: {
		uint32_t n;

		e->readable++;
		if (e == &B && b_app_paused)
			break;
		do {
			n = ns_tcp_recv(&e->s, c, e->rx + e->rx_len,
					(uint32_t)sizeof(e->rx) - e->rx_len, now);
			e->rx_len += n;
		} while (n > 0);
		break;
	}
	case NS_TCPE_RESET:
		e->reset++;
		break;
	case NS_TCPE_CLOSED:
		e->closed++;
		e->conn = NULL;
		break;
	default:
		break;
	}
}

static inline void
t_observe(void *user, const struct ns_tcb *c, uint32_t groups)
{
	struct end *e = user;

	(void)c;
	e->observed_groups |= groups;
	e->observed_new += !!(groups & NS_TCBG_NEW);
	e->observed_free += !!(groups & NS_TCBG_FREE);
}

static const struct ns_tcp_ops ops = {t_alloc, t_xmit, t_event, t_observe};

static inline void
setup(void (*tweak)(struct ns_tcp_cfg *cfg))
{
	struct ns_tcp_cfg cfg;

	if (A.s.pool != NULL)
		ns_tcp_fini(&A.s);
	if (B.s.pool != NULL)
		ns_tcp_fini(&B.s);
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	A.peer = &B;
	B.peer = &A;
	q_head = q_tail = 0;
	now = 1000 * MS;
	drop_every = data_pkts = dropped = drop_permille = 0;
	drop_rng = 1;
	b_drop_next = b_app_paused = 0;
	xmit_hook = NULL;
	ns_tcp_cfg_defaults(&cfg);
	cfg.max_conns = 16;
	for (int i = 0; i < 16; i++)
		cfg.isn_key[i] = (uint8_t)(i + key_seed * 16); /* deterministic ISNs */
	if (tweak)
		tweak(&cfg);
	if (ns_tcp_init(&A.s, &cfg, &ops, &A, now) || ns_tcp_init(&B.s, &cfg, &ops, &B, now))
		abort();
}

/* Deliver queued packets (1 ms one-way), run timers; until quiet or 'until'. */
static inline void
run(uint64_t until)
{
	while (now < until) {
		unsigned int n = q_tail - q_head;

		for (unsigned int k = 0; k < n; k++) {
			unsigned int i = q_head++ % 8192;
			struct end *to = q_to[i] ? &B : &A;

			ns_tcp_input(&to->s, link_q[i].buf, link_q[i].len, now);
		}
		now += 1 * MS;
		ns_tcp_timers(&A.s, now);
		ns_tcp_timers(&B.s, now);
	}
}

static inline struct ns_tcb *
open_pair(void)
{
	struct ns_tcb *c;

	CHECK(ns_tcp_listen(&B.s, B_IP, 7, &app_tag) >= 0);
	c = ns_tcp_connect(&A.s, A_IP, B_IP, 7, 0, &app_tag, now);
	CHECK(c != NULL);
	A.conn = c;
	run(now + 50 * MS);
	CHECK_EQ(A.connected, 1);
	CHECK_EQ(B.accepted, 1);
	CHECK(c != NULL && c->state == NS_TCP_ESTABLISHED);
	CHECK(B.conn != NULL && B.conn->state == NS_TCP_ESTABLISHED);
	return c;
}

static inline void
no_options(struct ns_tcp_cfg *cfg)
{
	cfg->ts = cfg->sack = cfg->ws = false;
	cfg->mss = 536;
}

static inline void
fill_pattern(uint8_t *p, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 2654435761u + seed) >> 13);
}

/* Push n bytes from 'from' as the windows allow, running the link. */
static inline void
transfer(struct end *from, struct ns_tcb *c, const uint8_t *data, uint32_t n, uint64_t deadline)
{
	uint32_t off = 0;

	while (off < n && now < deadline) {
		off += ns_tcp_send(&from->s, c, data + off, n - off, now);
		run(now + 1 * MS);
	}
	run(now + 3000 * MS);
}

/* A bare segment from A's connection to B, with a valid checksum (40 bytes + payload). */
static inline uint16_t
craft(uint8_t *pkt, const struct ns_tcb *c, uint32_t seq, uint32_t ack, uint8_t flags,
		uint16_t payload)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint16_t len = 40 + payload;

	memset(pkt, 0, len);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = A_IP;
	ip->dst_addr = B_IP;
	th->src_port = c->t.lport;
	th->dst_port = c->t.rport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = 5 << 4;
	th->tcp_flags = flags;
	th->rx_win = RTE_BE16(512);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	return len;
}

#endif /* NS_TCP_HARNESS_H */
