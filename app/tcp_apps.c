/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in applications, bound to listeners or to [client.*] connections:
 *   echo:       sends back what it reads; reads only what the send queue can
 *               take (backpressure without a buffer of its own).
 *   sink:       reads and discards, counting bytes and an FNV-1a digest.
 *   source:     sends the pattern (goal bytes, or until the peer closes) and
 *               reads and discards what comes back; closes when done.
 *   echo-check: sends the pattern and checks that every byte comes back at
 *               its offset; closes when goal bytes have returned.
 * Every application closes after the peer's FIN once it has nothing left.
 *
 * The pattern: byte i of a stream is ns_pattern[i % NS_PATTERN_PERIOD],
 * ns_pattern[k] = (k * 2654435761 mod 2^32) >> 24 (tests recompute it).
 */
#include <rte_hash_crc.h>
#include <rte_random.h>

#include "app.h"
#include "tcp_glue.h"

#define NS_APP_CHUNK	  16384
#define NS_PATTERN_PERIOD 65521u /* prime: no alignment with buffer sizes */

static uint8_t ns_pattern[NS_PATTERN_PERIOD + NS_APP_CHUNK];

void
ns_app_init(void)
{
	for (uint32_t k = 0; k < RTE_DIM(ns_pattern); k++)
		ns_pattern[k] = (uint8_t)(((k % NS_PATTERN_PERIOD) * 2654435761u) >> 24);
}

static inline const uint8_t *
pattern_at(uint64_t off)
{
	return ns_pattern + off % NS_PATTERN_PERIOD; /* NS_APP_CHUNK bytes readable */
}

/* The sink's running digest: CRC-32C (the SSE4.2 instruction through
 * rte_hash_crc), 8 bytes per step; a byte-wise hash capped the sink near
 * 4 Gbit/s.  Seed 0xffffffff, no final inversion: crc32c(data) ^ 0xffffffff. */
static uint32_t
crc32c(uint32_t h, const uint8_t *p, uint32_t n)
{
	/* rte_hash_crc loads 8-byte words: align them (the receive queue is read
	 * in place, at any offset). */
	while (n > 0 && ((uintptr_t)p & 7) != 0) {
		h = rte_hash_crc_1byte(*p++, h);
		n--;
	}
	return rte_hash_crc(p, n, h);
}

static void
run_echo(struct ns_tcp_w *t, struct ns_tcb *c, struct ns_appconn *a)
{
	/* Zero-copy receive: from the receive queue straight into the send queue,
	 * as much as the send queue takes (backpressure without a buffer). */
	while (c->state != NS_TCP_CLOSED) {
		const uint8_t *p;
		uint32_t n = ns_tcp_recv_peek(c, &p);

		if (n == 0)
			break;
		n = ns_tcp_send(&t->stack, c, p, n, t->w->now_ns);
		if (n == 0 || c->state == NS_TCP_CLOSED)
			break;
		a->digest = crc32c((uint32_t)a->digest, p, n);
		ns_tcp_recv_consume(&t->stack, c, n, t->w->now_ns);
		a->bytes += n;
	}
}

/* Queue pattern bytes while the send queue has room and the goal is not reached. */
static uint64_t
send_pattern(struct ns_tcp_w *t, struct ns_tcb *c, struct ns_appconn *a)
{
	uint64_t total = 0;

	while (c->state != NS_TCP_CLOSED && (a->goal == 0 || a->sent < a->goal)) {
		uint64_t want = a->goal == 0 ? NS_APP_CHUNK : a->goal - a->sent;
		uint32_t n;

		if (a->msg != 0) { /* request/response: the next request once all came back */
			uint32_t part = (uint32_t)(a->sent % a->msg);

			if (part == 0 && a->bytes != a->sent)
				break; /* waiting for the response */
			want = RTE_MIN(want, (uint64_t)(a->msg - part));
		}
		if (want > NS_APP_CHUNK)
			want = NS_APP_CHUNK;
		n = ns_tcp_send(&t->stack, c, pattern_at(a->sent), (uint32_t)want, t->w->now_ns);
		if (n == 0)
			break;
		a->sent += n;
		total += n;
	}
	return total;
}

/* Read everything; sink digests it, echo-check compares it with the pattern. */
static uint64_t
drain(struct ns_tcp_w *t, struct ns_tcb *c, struct ns_appconn *a, uint64_t *mismatches)
{
	const uint8_t *buf;
	uint64_t total = 0;
	uint32_t n;

	/* Zero-copy: digest or compare the bytes where they are, then release them. */
	while (c->state != NS_TCP_CLOSED && (n = ns_tcp_recv_peek(c, &buf)) > 0) {
		if (n > NS_APP_CHUNK)
			n = NS_APP_CHUNK; /* pattern_at() is readable for NS_APP_CHUNK bytes */
		if (a->kind == NS_APP_SINK)
			a->digest = crc32c((uint32_t)a->digest, buf, n);
		else if (a->kind == NS_APP_ECHO_CHECK &&
				memcmp(buf, pattern_at(a->bytes), n) != 0) {
			for (uint32_t i = 0; i < n; i++)
				*mismatches += buf[i] != pattern_at(a->bytes)[i];
			a->failed = 1;
		}
		a->bytes += n;
		total += n;
		ns_tcp_recv_consume(&t->stack, c, n, t->w->now_ns);
	}
	return total;
}

static void account(struct ns_tcp_w *t, struct ns_appconn *a, bool reset);

/* Out of line: the pass's TCP poll stays small when no application is ready. */
__rte_noinline void
ns_app_run(struct ns_tcp_w *t, struct ns_tcb *c)
{
	struct ns_appconn *a = &t->appc[c->id];
	struct ns_client_stats *cs = a->client ? &t->cst[a->client - 1] : NULL;
	uint64_t mism = 0, tx = 0, rx;
	bool finished = false;

	if (a->kind == NS_APP_ECHO) {
		run_echo(t, c, a);
		rx = 0;
	} else {
		if (a->kind == NS_APP_SOURCE || a->kind == NS_APP_ECHO_CHECK)
			tx = send_pattern(t, c, a);
		rx = drain(t, c, a, &mism);
		if (a->msg != 0 && rx != 0) /* responses complete: next requests */
			tx += send_pattern(t, c, a);
	}
	if (cs != NULL) {
		cs->bytes_tx += tx;
		cs->bytes_rx += rx;
		cs->mismatches += mism;
	}
	if (c->state == NS_TCP_CLOSED)
		return;
	/* Our FIN acknowledged: everything we sent arrived (TIME-WAIT may last). */
	if ((c->state == NS_TCP_FIN_WAIT_2 || c->state == NS_TCP_TIME_WAIT) &&
			c->snd_una == c->snd_max)
		account(t, a, false);
	switch (a->kind) {
	case NS_APP_SOURCE:
		finished = a->goal != 0 && a->sent == a->goal;
		break;
	case NS_APP_ECHO_CHECK:
		finished = a->goal != 0 && a->bytes >= a->goal;
		break;
	default:
		break;
	}
	/* Our side is done (or the peer closed and nothing is left to read): FIN. */
	if ((finished && (c->state == NS_TCP_ESTABLISHED || c->state == NS_TCP_CLOSE_WAIT)) ||
			(c->state == NS_TCP_CLOSE_WAIT && ns_fifo_len(&c->rcvq) == 0))
		ns_tcp_close(&t->stack, c, t->w->now_ns);
}

/* A client's outcome, once: when its FIN is acknowledged or the connection ends. */
static void
account(struct ns_tcp_w *t, struct ns_appconn *a, bool reset)
{
	struct ns_client_stats *cs;
	bool ok;

	if (a->client == 0 || a->counted)
		return;
	a->counted = 1;
	cs = &t->cst[a->client - 1];
	switch (a->kind) {
	case NS_APP_SOURCE:
		ok = a->goal == 0 || a->sent == a->goal;
		break;
	case NS_APP_ECHO_CHECK:
		ok = a->bytes == a->goal;
		break;
	default:
		ok = true; /* sink, echo: the peer decides when it ends */
		break;
	}
	if (reset || a->failed || !ok)
		cs->failed++;
	if (!a->up)
		cs->never_up++;
	else
		cs->done++;
	cs->t_last_ns = t->w->now_ns;
}

void
ns_app_closed(struct ns_tcp_w *t, struct ns_tcb *c, bool reset)
{
	account(t, &t->appc[c->id], reset);
}

/*
 * Open the [client.*] connections, paced: at most NS_CLIENT_PENDING
 * handshakes outstanding per client and worker, NS_CLIENT_BURST new ones per
 * poll, so that a large 'conns' does not overflow the transmit ring with
 * SYNs.  Every worker polling a queue of the client's port opens its share,
 * with a source port whose replies RSS brings back to one of its queues
 * (rss.h); without a known RSS table only the worker of queue 0 opens them.
 * Returns true while some remain to be opened.
 */
#define NS_CLIENT_PENDING 256
#define NS_CLIENT_BURST	  64

struct pick {
	struct ns_worker *w;
	uint16_t port_idx;
	const struct ns_client_cfg *k;
};

static bool
queue_is_mine(uint16_t q, void *arg)
{
	const struct pick *p = arg;

	for (uint16_t i = 0; i < p->w->n_rxq; i++)
		if (p->w->rxq[i].port_idx == p->port_idx && p->w->rxq[i].queue == q)
			return true;
	return false;
}

static bool
port_in_use(uint16_t lport, void *arg)
{
	const struct pick *p = arg;
	struct ns_tcp_tuple t = {p->k->src, p->k->dst, rte_cpu_to_be_16(lport),
			rte_cpu_to_be_16(p->k->port)};

	return ns_tcp_lookup(&ns_tcp_of(p->w)->stack, &t) != NULL;
}

/* This worker's share of a client's connections: which of the openers it is. */
static uint32_t
share(struct ns_tcp_w *t, const struct ns_client_cfg *k)
{
	const struct ns_port *port = &app.port[k->port_idx];
	uint32_t openers = 0, me = UINT32_MAX, conns = k->conns;

	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		struct pick p = {&app.worker[i], k->port_idx, k};
		bool opens = port->rss_known ? false : queue_is_mine(0, &p);

		for (uint16_t q = 0; port->rss_known && q < app.cfg.port[k->port_idx].rxq; q++)
			opens |= queue_is_mine(q, &p);
		if (!opens)
			continue;
		if (&app.worker[i] == t->w)
			me = openers;
		openers++;
	}
	if (me == UINT32_MAX)
		return 0;
	return conns / openers + (me < conns % openers ? 1 : 0);
}

__rte_noinline bool
ns_app_start_clients(struct ns_tcp_w *t)
{
	bool more = false;

	for (uint16_t i = 0; i < app.cfg.n_clients; i++) {
		const struct ns_client_cfg *k = &app.cfg.client[i];
		struct ns_client_stats *cs = &t->cst[i];
		uint64_t pending = cs->opened - cs->connected - cs->never_up;
		uint32_t burst = 0, mine = share(t, k);
		struct pick p = {t->w, k->port_idx, k};

		while (cs->opened + cs->refused < mine && pending < NS_CLIENT_PENDING &&
				burst < NS_CLIENT_BURST) {
			uint16_t lport =
					app.port[k->port_idx].rss_known
							? ns_rss_pick_port(&app.port[k->port_idx]
											    .rss,
									  k->dst, k->src,
									  rte_cpu_to_be_16(k->port),
									  (uint16_t)rte_rand(),
									  queue_is_mine,
									  port_in_use, &p)
							: 0;
			struct ns_tcb *c = NULL;
			struct ns_appconn *a;

			if (lport != 0 || !app.port[k->port_idx].rss_known)
				c = ns_tcp_connect(&t->stack, k->src, k->dst, k->port, lport,
						(void *)(uintptr_t)k, t->w->now_ns);
			burst++;
			if (c == NULL) {
				cs->refused++; /* no TCB or no port: counted, not retried */
				continue;
			}
			pending++;
			a = &t->appc[c->id];
			*a = (struct ns_appconn){.kind = (uint8_t)k->app,
					.active = 1,
					.client = (uint8_t)(i + 1),
					.goal = k->bytes,
					.msg = k->msg,
					.digest = 0xffffffffu};
			cs->opened++;
			if (cs->t_first_ns == 0)
				cs->t_first_ns = t->w->now_ns;
		}
		more |= cs->opened + cs->refused < mine;
	}
	return more;
}

/* --- backup applications (replication standby) ---------------------------- */

/* What a backup application needs to continue where the active one is. */
struct app_state {
	uint8_t kind, client, active, failed;
	uint32_t msg;
	uint64_t bytes, sent, goal, digest;
};

void
ns_app_shadow_new(struct ns_tcp_w *t, struct ns_tcb *c)
{
	struct ns_appconn *a = &t->appc[c->id];

	memset(a, 0, sizeof(*a));
	a->backup = 1;
	a->digest = 0xffffffffu;
	if ((c->flags & NS_TCBF_PASSIVE) && c->listener < app.cfg.n_listeners) {
		const struct ns_listener_cfg *l = &app.cfg.listener[c->listener];

		a->kind = (uint8_t)l->app;
		a->goal = l->bytes;
		a->active = 1;
	}
}

/* The active application read [from, to): the backup consumes the same bytes
 * from the shadow's receive queue, where they still are. */
uint32_t
ns_app_backup(struct ns_tcp_w *t, struct ns_tcb *c, uint32_t from, uint32_t to)
{
	struct ns_appconn *a = &t->appc[c->id];

	while (from != to) {
		uint32_t off = from & (c->rcvq.size - 1), n = to - from;

		if (n > c->rcvq.size - off)
			n = c->rcvq.size - off;
		if (a->kind == NS_APP_SINK || a->kind == NS_APP_ECHO)
			a->digest = crc32c((uint32_t)a->digest, c->rcvq.buf + off, n);
		a->bytes += n;
		from += n;
	}
	return to;
}

uint32_t
ns_app_state(struct ns_tcp_w *t, const struct ns_tcb *c, uint8_t *buf, uint32_t max)
{
	const struct ns_appconn *a = &t->appc[c->id];
	struct app_state st = {a->kind, a->client, a->active, a->failed, a->msg, a->bytes, a->sent,
			a->goal, a->digest};

	if (!a->active || max < sizeof(st))
		return 0; /* not attached yet: the standby derives it from the listener */
	memcpy(buf, &st, sizeof(st));
	return sizeof(st);
}

void
ns_app_restore(struct ns_tcp_w *t, struct ns_tcb *c, const uint8_t *buf, uint32_t len)
{
	struct ns_appconn *a = &t->appc[c->id];
	struct app_state st;

	if (len != sizeof(st))
		return;
	memcpy(&st, buf, sizeof(st));
	a->kind = st.kind;
	a->client = st.client;
	a->active = st.active;
	a->failed = st.failed;
	a->msg = st.msg;
	a->bytes = st.bytes;
	a->sent = st.sent;
	a->goal = st.goal;
	a->digest = st.digest;
}
