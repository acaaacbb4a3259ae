/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transmission log (struct ns_tcp_txlog in tcb.h): one record per
 * segment sent of [snd_una, snd_max), in sequence order, each with the time
 * of its latest transmission and whether the peer SACKed it, it is deemed
 * lost, a retransmission of it is in flight.  It is the sender's SACK
 * scoreboard (RFC 6675) and RACK's per-segment clock (RFC 8985); the byte
 * counts it keeps give RFC 6675's pipe in O(1).
 *
 * Records are added at the tail as segments first leave, removed at the
 * head as they are acknowledged, and split when a SACK block ends inside
 * one (which only happens when the peer's view of segment boundaries
 * differs from ours).  New data joins the last record when the ring is
 * full.  Soft state: a standby rebuilds it from snd_una and snd_max when it
 * takes over (ns_tcp_txlog_rebuild).
 */
#include "tcp/tcp_internal.h"

static inline struct ns_tcp_seg *
rec(const struct ns_tcp_txlog *l, uint32_t i)
{
	return &l->r[i & (l->cap - 1)];
}

static inline uint32_t
rec_start(const struct ns_tcp_txlog *l, uint32_t i)
{
	return i == l->head ? l->start : rec(l, i - 1)->end;
}

/*
 * The time of a transmission: now, but after every earlier one of the
 * connection.  RACK orders segments by when they left; many leave within
 * one poll of the dataplane (one 'now'), in an order the sequence numbers
 * do not tell when retransmissions and new data mix.
 */
static inline uint64_t
stamp(struct ns_tcp_txlog *l, uint64_t now)
{
	l->last_ns = now > l->last_ns ? now : l->last_ns + 1;
	return l->last_ns;
}

/* Add (or, with sub, remove) what len bytes flagged f count for. */
static void
account(struct ns_tcp_txlog *l, uint32_t f, uint32_t len, bool sub)
{
	uint32_t d = sub ? (uint32_t)-len : len, one = sub ? (uint32_t)-1 : 1;

	if (f & NS_TSEG_SACKED) {
		l->sacked += d;
		l->sacked_segs += one;
		return;
	}
	if (f & NS_TSEG_LOST)
		l->lost += d;
	if (f & NS_TSEG_RETRANS)
		l->retrans += d;
	if ((f & (NS_TSEG_LOST | NS_TSEG_RETRANS)) == NS_TSEG_LOST)
		l->lost_unsent += d;
}

static void
set_flags(struct ns_tcp_txlog *l, uint32_t i, uint32_t f)
{
	struct ns_tcp_seg *r = rec(l, i);
	uint32_t len = r->end - rec_start(l, i);

	account(l, r->flags, len, true);
	account(l, f, len, false);
	r->flags = f;
}

/* The first record whose end is past seq (the one holding seq), or head + n. */
static uint32_t
find(const struct ns_tcp_txlog *l, uint32_t seq)
{
	uint32_t lo = 0, hi = l->n;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (ns_seq_gt(rec(l, l->head + mid)->end, seq))
			hi = mid;
		else
			lo = mid + 1;
	}
	return l->head + lo;
}

/* Record i becomes [start, seq) and [seq, end) with the same time and
 * flags (the byte counts do not change, the SACKed records' may); false if
 * the ring is full. */
static bool
split(struct ns_tcp_txlog *l, uint32_t i, uint32_t seq)
{
	if (l->n == l->cap)
		return false;
	for (uint32_t k = l->head + l->n; k != i; k--)
		*rec(l, k) = *rec(l, k - 1);
	l->n++;
	rec(l, i)->end = seq;
	if (rec(l, i)->flags & NS_TSEG_SACKED)
		l->sacked_segs++;
	return true;
}

void
ns_tcp_txlog_reset(struct ns_tcb *c)
{
	struct ns_tcp_txlog *l = &c->txl;

	l->n = 0;
	l->start = c->snd_una;
	l->hint = l->head;
	l->sacked = l->lost = l->retrans = l->lost_unsent = l->sacked_segs = 0;
}

void
ns_tcp_txlog_sent(
		struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t seq, uint32_t end, uint32_t how)
{
	struct ns_tcp_txlog *l = &c->txl;

	if (ns_seq_lt(seq, c->snd_max)) { /* sent again: the records it covers */
		uint32_t stop = ns_seq_min(end, c->snd_max);

		for (uint32_t i = find(l, seq);
				i != l->head + l->n && ns_seq_lt(rec_start(l, i), stop); i++) {
			struct ns_tcp_seg *r = rec(l, i);

			if (r->flags & NS_TSEG_SACKED)
				continue;
			set_flags(l, i, r->flags | how | NS_TSEG_RETRANS | NS_TSEG_EVER);
			r->xmit_ns = stamp(l, s->now);
		}
		seq = stop;
	}
	if (!ns_seq_lt(seq, end))
		return;
	if (l->n == 0) {
		l->start = seq;
		l->hint = l->head;
	}
	if (l->n == l->cap) { /* full: the last record takes it (as if sent now) */
		uint32_t i = l->head + l->n - 1;

		set_flags(l, i, 0);
		rec(l, i)->end = end;
		rec(l, i)->xmit_ns = stamp(l, s->now);
		return;
	}
	*rec(l, l->head + l->n) = (struct ns_tcp_seg){stamp(l, s->now), end, 0};
	l->n++;
}

/*
 * Everything below ack is acknowledged.  RACK hears of each segment newly
 * delivered; of a run sent once and never SACKed (delivered in the order
 * sent) only the last one tells it something new, and the first whether
 * they came after a higher one (reordering).
 */
void
ns_tcp_txlog_acked(
		struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t ack, const struct ns_tcp_opts *o)
{
	struct ns_tcp_txlog *l = &c->txl;
	const struct ns_tcp_seg *plain_last = NULL; /* its slot stays as it is here */
	uint32_t plain_first_end = 0;

	while (l->n > 0) {
		struct ns_tcp_seg *r = rec(l, l->head);

		if (ns_seq_gt(r->end, ack)) {
			if (ns_seq_gt(ack, l->start)) { /* partly acknowledged */
				account(l, r->flags & ~NS_TSEG_SACKED, ack - l->start, true);
				if (r->flags & NS_TSEG_SACKED)
					l->sacked -= ack - l->start;
				l->start = ack;
			}
			break;
		}
		if (r->flags == 0) {
			if (plain_last == NULL)
				plain_first_end = r->end;
			plain_last = r;
		} else {
			if (!(r->flags & NS_TSEG_SACKED))
				ns_tcp_rack_delivered(s, c, r, o);
			set_flags(l, l->head, 0);
		}
		l->start = r->end;
		l->head++;
		l->n--;
	}
	if (plain_last != NULL) {
		ns_tcp_rack_reorder_check(s, c, plain_first_end);
		ns_tcp_rack_delivered(s, c, plain_last, o);
	}
	if (l->n == 0)
		l->start = ack;
	if ((int32_t)(l->hint - l->head) < 0)
		l->hint = l->head;
}

bool
ns_tcp_txlog_sack(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t left, uint32_t right,
		const struct ns_tcp_opts *o)
{
	struct ns_tcp_txlog *l = &c->txl;
	bool changed = false;
	uint32_t i;

	if (l->n == 0)
		return false;
	left = ns_seq_max(left, l->start);
	right = ns_seq_min(right, c->snd_max);
	if (!ns_seq_lt(left, right))
		return false;
	i = find(l, left);
	if (i != l->head + l->n && ns_seq_lt(rec_start(l, i), left) &&
			!(rec(l, i)->flags & NS_TSEG_SACKED) && split(l, i, left))
		i++; /* the block begins inside a record: its part from 'left' */
	for (; i != l->head + l->n; i++) {
		struct ns_tcp_seg *r = rec(l, i);
		uint32_t st = rec_start(l, i);

		if (ns_seq_geq(st, right))
			break;
		if (r->flags & NS_TSEG_SACKED)
			continue;
		if (ns_seq_lt(st, left))
			continue; /* a partly covered record the ring had no room to split */
		if (ns_seq_gt(r->end, right) && !split(l, i, right))
			break;
		ns_tcp_rack_delivered(s, c, r, o);
		set_flags(l, i, NS_TSEG_SACKED | (r->flags & NS_TSEG_EVER));
		changed = true;
	}
	return changed;
}

void
ns_tcp_txlog_mark_lost(struct ns_tcb *c, uint32_t i)
{
	struct ns_tcp_txlog *l = &c->txl;

	set_flags(l, i, (rec(l, i)->flags | NS_TSEG_LOST) & ~NS_TSEG_RETRANS);
	if ((int32_t)(i - l->hint) < 0)
		l->hint = i;
}

void
ns_tcp_txlog_all_lost(struct ns_tcb *c)
{
	struct ns_tcp_txlog *l = &c->txl;

	for (uint32_t i = l->head; i != l->head + l->n; i++)
		set_flags(l, i, NS_TSEG_LOST | (rec(l, i)->flags & NS_TSEG_EVER));
	l->hint = l->head;
}

void
ns_tcp_txlog_rebuild(struct ns_tcb *c, uint64_t now)
{
	struct ns_tcp_txlog *l = &c->txl;
	uint32_t seq = c->snd_una, step = RTE_MAX((uint32_t)c->snd_mss, 1u);

	ns_tcp_txlog_reset(c);
	while (ns_seq_lt(seq, c->snd_max)) {
		uint32_t end = c->snd_max - seq > step ? seq + step : c->snd_max;

		if (l->n == l->cap)
			rec(l, l->head + l->n - 1)->end = end;
		else
			*rec(l, l->head + l->n++) = (struct ns_tcp_seg){stamp(l, now), end, 0};
		seq = end;
	}
}

void
ns_tcp_shadow_warm(struct ns_tcb *c, uint32_t bytes)
{
	struct ns_tcp_txlog *l = &c->txl;
	uint32_t last = bytes / RTE_MAX((uint32_t)c->snd_mss, 1u) + 1, step;

	/* One write per page, over the records a rebuild of bytes in flight
	 * fills from the log's start (a shadow's log is empty, head 0), one per
	 * MSS as ns_tcp_txlog_rebuild cuts them. */
	last = RTE_MIN(last, l->cap);
	step = RTE_MAX(4096u / (uint32_t)sizeof(*l->r), 1u);
	for (uint32_t i = 0; i < last; i += step)
		((volatile struct ns_tcp_seg *)l->r)[i].flags = 0;
	((volatile struct ns_tcp_seg *)l->r)[last - 1].flags = 0;
}

uint32_t
ns_tcp_pipe(const struct ns_tcb *c)
{
	const struct ns_tcp_txlog *l = &c->txl;

	return c->snd_max - c->snd_una - l->sacked - l->lost + l->retrans;
}

const struct ns_tcp_seg *
ns_tcp_txlog_at(const struct ns_tcb *c, uint32_t i, uint32_t *start)
{
	*start = rec_start(&c->txl, i);
	return rec(&c->txl, i);
}

int
ns_tcp_txlog_check(const struct ns_tcb *c)
{
	const struct ns_tcp_txlog *l = &c->txl;
	struct ns_tcp_txlog sum = {0};
	uint32_t seq = l->start;

	if (l->n > l->cap)
		return -1;
	if (l->n > 0 && (ns_seq_lt(l->start, c->snd_una) ||
					rec(l, l->head + l->n - 1)->end != c->snd_max))
		return -2;
	for (uint32_t i = l->head; i != l->head + l->n; i++) {
		const struct ns_tcp_seg *r = rec(l, i);

		if (!ns_seq_lt(seq, r->end))
			return -3;
		account(&sum, r->flags, r->end - seq, false);
		seq = r->end;
	}
	if (sum.sacked != l->sacked || sum.lost != l->lost || sum.retrans != l->retrans ||
			sum.lost_unsent != l->lost_unsent || sum.sacked_segs != l->sacked_segs)
		return -4;
	return 0;
}
