/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The built-in applications, on the public application API (nonstop/app.h)
 * like any other, bound to listeners or to [client.*] connections:
 *   echo:       sends back what it reads; reads only what the send queue can
 *               take (backpressure without a buffer of its own).
 *   sink:       reads and discards, counting bytes and a CRC-32C digest.
 *   source:     sends the pattern (goal bytes, or until the peer closes) and
 *               reads and discards what comes back; closes when done.
 *   echo-check: sends the pattern and checks that every byte comes back at
 *               its offset; closes when goal bytes have returned.
 * Every application closes after the peer's FIN once it has nothing left.
 *
 * The pattern: byte i of a stream is ns_pattern[i % NS_PATTERN_PERIOD],
 * ns_pattern[k] = (k * 2654435761 mod 2^32) >> 24 (tests recompute it).
 *
 * Backup side: each consumed byte goes through the same digest or
 * comparison; a takeover resumes the pattern where the replicated send
 * queue ends, so nothing is sent twice or left out.
 */
#include <string.h>

#include <rte_common.h>
#include <rte_hash_crc.h>

#include "apps.h"

#define NS_APP_CHUNK	  16384
#define NS_PATTERN_PERIOD 65521u /* prime: no alignment with buffer sizes */

static uint8_t ns_pattern[NS_PATTERN_PERIOD + NS_APP_CHUNK];

/* One connection of a built-in application. */
struct builtin {
	uint8_t kind; /* enum ns_builtin_app */
	uint8_t started;
	uint64_t bytes;	 /* consumed */
	uint64_t sent;	 /* pattern bytes queued */
	uint64_t goal;	 /* source, echo-check: bytes to send (0: forever) */
	uint32_t msg;	 /* echo-check: request size, next one when it came back (0: stream) */
	uint32_t digest; /* CRC-32C state of the bytes consumed (sink, echo) */
};

void
ns_builtin_init(void)
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
start(struct ns_app_conn *c, struct builtin *b, uint8_t kind)
{
	struct ns_app_conn_info in;

	if (b->started)
		return;
	ns_app_conn_info(c, &in);
	b->kind = kind;
	b->started = 1;
	b->goal = in.bytes;
	b->msg = in.msg;
	b->digest = 0xffffffffu;
}

static void
run_echo(struct ns_app_conn *c, struct builtin *b)
{
	/* Zero-copy receive: from the receive queue straight into the send queue,
	 * as much as the send queue takes (backpressure without a buffer). */
	for (;;) {
		const uint8_t *p;
		uint32_t n = ns_app_peek(c, &p);

		if (n == 0)
			break;
		n = ns_app_send(c, p, n);
		if (n == 0)
			break;
		b->digest = crc32c(b->digest, p, n);
		ns_app_consume(c, n);
		b->bytes += n;
	}
}

/* Queue pattern bytes while the send queue has room and the goal is not reached. */
static void
send_pattern(struct ns_app_conn *c, struct builtin *b)
{
	while (b->goal == 0 || b->sent < b->goal) {
		uint64_t want = b->goal == 0 ? NS_APP_CHUNK : b->goal - b->sent;
		uint32_t n;

		if (b->msg != 0) { /* request/response: the next request once all came back */
			uint32_t part = (uint32_t)(b->sent % b->msg);

			if (part == 0 && b->bytes != b->sent)
				break; /* waiting for the response */
			want = RTE_MIN(want, (uint64_t)(b->msg - part));
		}
		if (want > NS_APP_CHUNK)
			want = NS_APP_CHUNK;
		n = ns_app_send(c, pattern_at(b->sent), (uint32_t)want);
		if (n == 0)
			break;
		b->sent += n;
	}
}

/* What sink digests and echo-check compares with the pattern. */
static void
take(struct ns_app_conn *c, struct builtin *b, const uint8_t *buf, uint32_t n)
{
	if (b->kind == NS_APP_SINK || b->kind == NS_APP_ECHO) {
		b->digest = crc32c(b->digest, buf, n);
	} else if (b->kind == NS_APP_ECHO_CHECK) {
		for (uint32_t done = 0; done < n;) {
			uint32_t k = RTE_MIN(n - done, (uint32_t)NS_APP_CHUNK);
			const uint8_t *want = pattern_at(b->bytes + done);

			if (memcmp(buf + done, want, k) != 0) {
				uint64_t bad = 0;

				for (uint32_t i = 0; i < k; i++)
					bad += buf[done + i] != want[i];
				ns_app_client_mismatches(c, bad);
				ns_app_conn_fail(c);
			}
			done += k;
		}
	}
	b->bytes += n;
}

/* Read everything (zero-copy: digested or compared where it is). */
static uint64_t
drain(struct ns_app_conn *c, struct builtin *b)
{
	const uint8_t *buf;
	uint64_t total = 0;
	uint32_t n;

	while ((n = ns_app_peek(c, &buf)) > 0) {
		take(c, b, buf, n);
		total += n;
		ns_app_consume(c, n);
	}
	return total;
}

static void
step(struct ns_app_conn *c, struct builtin *b)
{
	struct ns_app_conn_info in;
	bool finished = false;

	if (b->kind == NS_APP_ECHO) {
		run_echo(c, b);
	} else {
		if (b->kind == NS_APP_SOURCE || b->kind == NS_APP_ECHO_CHECK)
			send_pattern(c, b);
		if (drain(c, b) != 0 && b->msg != 0) /* responses complete: next requests */
			send_pattern(c, b);
	}
	switch (b->kind) {
	case NS_APP_SOURCE:
		finished = b->goal != 0 && b->sent == b->goal;
		break;
	case NS_APP_ECHO_CHECK:
		finished = b->goal != 0 && b->bytes >= b->goal;
		break;
	default:
		break;
	}
	ns_app_conn_info(c, &in);
	/* Our side is done (or the peer closed and nothing is left to read): FIN.
	 * A client whose goal was not met has failed. */
	if (finished || (in.peer_closed && in.unread == 0)) {
		if ((b->kind == NS_APP_SOURCE && b->goal != 0 && b->sent != b->goal) ||
				(b->kind == NS_APP_ECHO_CHECK && b->bytes != b->goal))
			ns_app_conn_fail(c);
		ns_app_shutdown(c);
	}
}

#define BUILTIN_UP(fn, kind)                            \
	static void fn(struct ns_app_conn *c, void *st) \
	{                                               \
		start(c, st, kind);                     \
		step(c, st);                            \
	}
BUILTIN_UP(echo_up, NS_APP_ECHO)
BUILTIN_UP(sink_up, NS_APP_SINK)
BUILTIN_UP(source_up, NS_APP_SOURCE)
BUILTIN_UP(echo_check_up, NS_APP_ECHO_CHECK)

static void
on_io(struct ns_app_conn *c, void *st)
{
	step(c, st);
}

static void
on_closed(struct ns_app_conn *c, void *st, enum ns_app_close_reason why)
{
	const struct builtin *b = st;

	if (why != NS_APP_CLOSE_DONE && why != NS_APP_CLOSE_MOVED)
		ns_app_conn_fail(c);
	else if ((b->kind == NS_APP_SOURCE && b->goal != 0 && b->sent != b->goal) ||
			(b->kind == NS_APP_ECHO_CHECK && b->bytes != b->goal))
		ns_app_conn_fail(c);
}

/* --- backup side --- */

#define BUILTIN_BACKUP(fn, kind)                        \
	static void fn(struct ns_app_conn *c, void *st) \
	{                                               \
		start(c, st, kind);                     \
	}
BUILTIN_BACKUP(echo_backup, NS_APP_ECHO)
BUILTIN_BACKUP(sink_backup, NS_APP_SINK)
BUILTIN_BACKUP(source_backup, NS_APP_SOURCE)
BUILTIN_BACKUP(echo_check_backup, NS_APP_ECHO_CHECK)

static uint32_t
backup_input(struct ns_app_conn *c, void *st, const uint8_t *p, uint32_t len)
{
	take(c, st, p, len);
	return len;
}

/* What the backup side cannot derive from the bytes: where it stands. */
struct ckpt {
	uint8_t kind, started;
	uint32_t msg, digest;
	uint64_t bytes, sent, goal;
};

static uint32_t
checkpoint(struct ns_app_conn *c, const void *st, void *buf, uint32_t max)
{
	const struct builtin *b = st;
	struct ckpt k = {b->kind, b->started, b->msg, b->digest, b->bytes, b->sent, b->goal};

	(void)c;
	if (max < sizeof(k))
		return 0;
	memcpy(buf, &k, sizeof(k));
	return sizeof(k);
}

static void
restore(struct ns_app_conn *c, void *st, const void *buf, uint32_t len)
{
	struct builtin *b = st;
	struct ckpt k;

	(void)c;
	if (len != sizeof(k))
		return;
	memcpy(&k, buf, sizeof(k));
	*b = (struct builtin){k.kind, k.started, k.bytes, k.sent, k.goal, k.msg, k.digest};
}

/* Live now: the pattern goes on where the replicated send queue ends (the
 * dead active may have queued more than its last checkpoint says). */
static void
takeover(struct ns_app_conn *c, void *st)
{
	struct builtin *b = st;
	struct ns_app_conn_info in;

	ns_app_conn_info(c, &in);
	b->sent += (uint32_t)(in.sent_off - (uint32_t)b->sent);
	step(c, b);
}

bool
ns_builtin_digest(const struct ns_app_conn *c, uint32_t *crc)
{
	const struct builtin *b;

	if (c->app == 0 || c->app > NS_APP_N_BUILTIN)
		return false;
	b = ns_apps_conn_state(c);
	if (b->kind != NS_APP_SINK && b->kind != NS_APP_ECHO)
		return false;
	*crc = b->digest ^ 0xffffffffu;
	return true;
}

#define BUILTIN_OPS(var, nm, up, bk)                         \
	const struct ns_app_ops var = {                      \
			.api_version = NS_APP_API_VERSION,   \
			.name = nm,                          \
			.conn_size = sizeof(struct builtin), \
			.accept = up,                        \
			.connected = up,                     \
			.readable = on_io,                   \
			.writable = on_io,                   \
			.closed = on_closed,                 \
			.backup_open = bk,                   \
			.backup_input = backup_input,        \
			.checkpoint = checkpoint,            \
			.restore = restore,                  \
			.takeover = takeover,                \
	}
BUILTIN_OPS(ns_app_echo_ops, "echo", echo_up, echo_backup);
BUILTIN_OPS(ns_app_sink_ops, "sink", sink_up, sink_backup);
BUILTIN_OPS(ns_app_source_ops, "source", source_up, source_backup);
BUILTIN_OPS(ns_app_echo_check_ops, "echo-check", echo_check_up, echo_check_backup);

const struct ns_app_ops *const ns_builtin_apps[NS_APP_N_BUILTIN] = {
		[NS_APP_ECHO] = &ns_app_echo_ops,
		[NS_APP_SINK] = &ns_app_sink_ops,
		[NS_APP_SOURCE] = &ns_app_source_ops,
		[NS_APP_ECHO_CHECK] = &ns_app_echo_check_ops,
};
