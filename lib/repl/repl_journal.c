/* SPDX-License-Identifier: BSD-3-Clause */
/* The standby's queue of journal records (repl_journal.h). */
#include <stdlib.h>
#include <string.h>

#include "repl/repl_event.h"
#include "repl/repl_journal.h"

/* A record in the ring; its bytes follow, padded to 8. */
struct jrec {
	uint32_t len;  /* the record's; WRAP: the rest of the ring is unused */
	uint32_t conn; /* NS_REPL_CONN_NONE: no connection's (a snapshot's, a timer's) */
	uint32_t pos;  /* the receive-queue position it follows */
	uint16_t app;
	uint8_t done; /* its connection ended: it applies in its turn */
	uint8_t pad;
};

#define WRAP	     UINT32_MAX
#define SPACE(len)   (sizeof(struct jrec) + (((uint64_t)(len) + 7) & ~7ull))
#define REC_AT(q, o) ((struct jrec *)((q)->buf + (o) % (q)->size))

int
ns_repl_jq_init(struct ns_repl_jq *q, uint32_t size, uint32_t rec_max, uint32_t max_conns)
{
	memset(q, 0, sizeof(*q));
	size &= ~7u;
	if (size < SPACE(rec_max))
		return -1;
	q->buf = malloc(size);
	q->part = malloc(rec_max ? rec_max : 1);
	q->pending = calloc(max_conns ? max_conns : 1, sizeof(*q->pending));
	if (q->buf == NULL || q->part == NULL || q->pending == NULL) {
		ns_repl_jq_fini(q);
		return -1;
	}
	q->size = size;
	q->part_max = rec_max;
	q->max_conns = max_conns;
	return 0;
}

void
ns_repl_jq_fini(struct ns_repl_jq *q)
{
	free(q->buf);
	free(q->part);
	free(q->pending);
	memset(q, 0, sizeof(*q));
}

void
ns_repl_jq_reset(struct ns_repl_jq *q)
{
	q->head = q->tail = 0;
	q->part_open = false;
	memset(q->pending, 0, sizeof(*q->pending) * q->max_conns);
}

/* The record at the head, past a wrap mark; NULL when empty. */
static struct jrec *
first(struct ns_repl_jq *q)
{
	while (q->head != q->tail) {
		struct jrec *r = REC_AT(q, q->head);

		if (r->len != WRAP)
			return r;
		q->head += q->size - q->head % q->size;
	}
	return NULL;
}

static void
pop(struct ns_repl_jq *q, struct jrec *r)
{
	if (r->conn < q->max_conns && !r->done && q->pending[r->conn] != 0)
		q->pending[r->conn]--;
	q->head += SPACE(r->len);
}

static int
push(struct ns_repl_jq *q)
{
	uint64_t need = SPACE(q->part_len), off = q->tail % q->size;
	struct jrec *r;

	if (off + need > q->size) { /* no record across the end */
		if (q->tail - q->head + (q->size - off) + need > q->size)
			goto full;
		REC_AT(q, q->tail)->len = WRAP; /* room: records are 8-aligned, >= 16 bytes */
		q->tail += q->size - off;
	}
	if (q->tail - q->head + need > q->size)
		goto full;
	r = REC_AT(q, q->tail);
	*r = (struct jrec){q->part_len, q->part_conn, q->part_pos, q->part_app, 0, 0};
	memcpy(r + 1, q->part, q->part_len);
	q->tail += need;
	if (q->part_conn < q->max_conns)
		q->pending[q->part_conn]++;
	return 0;
full:
	q->full++;
	return -1;
}

int
ns_repl_jq_piece(struct ns_repl_jq *q, uint32_t conn, uint16_t app, uint8_t flags, uint32_t pos,
		const uint8_t *p, uint32_t len)
{
	if (flags & NS_REPL_JF_FIRST) {
		q->part_open = true;
		q->part_len = 0;
		q->part_conn = conn;
		q->part_app = app;
		q->part_pos = pos;
	}
	if (!q->part_open || conn != q->part_conn || app != q->part_app ||
			len > q->part_max - q->part_len ||
			(conn != NS_REPL_CONN_NONE && conn >= q->max_conns)) {
		q->bad++;
		q->part_open = false;
		return -1;
	}
	memcpy(q->part + q->part_len, p, len);
	q->part_len += len;
	if (!(flags & NS_REPL_JF_LAST))
		return 0;
	q->part_open = false;
	return push(q);
}

static bool
covered(struct ns_repl_jq *q, const struct jrec *r, ns_repl_jq_covered_fn fn, void *arg)
{
	(void)q;
	return r->conn == NS_REPL_CONN_NONE || r->done || fn(arg, r->conn, r->pos);
}

uint32_t
ns_repl_jq_drain(struct ns_repl_jq *q, ns_repl_jq_covered_fn fn, ns_repl_jq_apply_fn apply,
		void *arg)
{
	uint32_t n = 0;
	struct jrec *r;

	while ((r = first(q)) != NULL && covered(q, r, fn, arg)) {
		apply(arg, r->app, (const uint8_t *)(r + 1), r->len);
		q->applied++;
		n++;
		pop(q, r);
	}
	return n;
}

void
ns_repl_jq_conn_done(struct ns_repl_jq *q, uint32_t conn)
{
	if (conn >= q->max_conns)
		return;
	for (uint64_t off = q->head; q->pending[conn] != 0 && off != q->tail;) {
		struct jrec *r = REC_AT(q, off);

		if (r->len == WRAP) {
			off += q->size - off % q->size;
			continue;
		}
		if (r->conn == conn && !r->done) {
			r->done = 1;
			q->pending[conn]--;
		}
		off += SPACE(r->len);
	}
}

uint32_t
ns_repl_jq_settle(struct ns_repl_jq *q, ns_repl_jq_covered_fn fn, ns_repl_jq_apply_fn apply,
		void *arg)
{
	uint32_t n = 0;
	struct jrec *r;

	ns_repl_jq_drain(q, fn, apply, arg);
	while ((r = first(q)) != NULL) {
		q->dropped++;
		n++;
		pop(q, r);
	}
	q->part_open = false;
	return n;
}
