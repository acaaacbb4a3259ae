/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The standby's queue of journal records (NS_REPL_EV_JOURNAL): records of
 * the applications' shared state, reassembled from their pieces, kept in
 * the order the active wrote them, and applied once the consumption each
 * follows is replicated (the shadow's receive head has passed its
 * position).  The first record that is not covered holds back the ones
 * after it: the active applied them after it.  A takeover applies what is
 * covered and drops the rest, a suffix of the active's history, whose input
 * the new active reads again.
 *
 * A byte ring of records (a header, the bytes, padding to 8); no record
 * crosses the end of the ring.  Single-threaded.
 */
#ifndef NS_REPL_JOURNAL_H
#define NS_REPL_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

struct ns_repl_jq {
	uint8_t *buf;
	uint32_t size;	     /* bytes of buf */
	uint64_t head, tail; /* free-running offsets */
	uint8_t *part;	     /* the record being reassembled */
	uint32_t part_max, part_len, part_conn, part_pos;
	uint16_t part_app;
	bool part_open;
	uint32_t *pending; /* per connection: its records in the ring */
	uint32_t max_conns;
	uint64_t applied, dropped, bad, full;
};

/* Is the input of connection conn up to position pos replicated? */
typedef bool (*ns_repl_jq_covered_fn)(void *arg, uint32_t conn, uint32_t pos);
typedef void (*ns_repl_jq_apply_fn)(void *arg, uint16_t app, const uint8_t *rec, uint32_t len);

/* size: bytes of the ring; rec_max: the longest record. */
int ns_repl_jq_init(struct ns_repl_jq *q, uint32_t size, uint32_t rec_max, uint32_t max_conns);
void ns_repl_jq_fini(struct ns_repl_jq *q);
/* Empty (a new session). */
void ns_repl_jq_reset(struct ns_repl_jq *q);
/* A piece of a record (the event's fields); a complete record joins the
 * ring.  -1: a piece out of order, a record too long, or the ring full (the
 * record is lost: counted). */
int ns_repl_jq_piece(struct ns_repl_jq *q, uint32_t conn, uint16_t app, uint8_t flags, uint32_t pos,
		const uint8_t *p, uint32_t len);
/* Apply the covered records from the head on; returns how many. */
uint32_t ns_repl_jq_drain(struct ns_repl_jq *q, ns_repl_jq_covered_fn covered,
		ns_repl_jq_apply_fn apply, void *arg);
/* The connection ended on the active: its records apply in their turn. */
void ns_repl_jq_conn_done(struct ns_repl_jq *q, uint32_t conn);
/* A takeover: the covered records applied, the rest dropped; returns how
 * many were dropped. */
uint32_t ns_repl_jq_settle(struct ns_repl_jq *q, ns_repl_jq_covered_fn covered,
		ns_repl_jq_apply_fn apply, void *arg);

static inline bool
ns_repl_jq_empty(const struct ns_repl_jq *q)
{
	return q->head == q->tail;
}

static inline uint32_t
ns_repl_jq_pending(const struct ns_repl_jq *q, uint32_t conn)
{
	return conn < q->max_conns ? q->pending[conn] : 0;
}

#endif /* NS_REPL_JOURNAL_H */
