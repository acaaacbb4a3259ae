/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reassembly.  The receive FIFO is indexed by sequence number, so data that
 * arrives ahead of rcv_nxt is copied to its final place in the ring; what
 * is held is a sorted array of disjoint ranges (struct ns_tcp_reass) in the
 * stack's preallocated memory, found by binary search.  The bound is the
 * receive buffer: any segment within it is kept, as long as a range is left
 * for it (one per 256 bytes of buffer; a peer sending smaller segments with
 * a hole after each one can run out, and then a segment that would open a
 * new range is dropped).  The SACK blocks sent name the most recently
 * changed ranges, most recent first (RFC 2018 4), after a D-SACK block for
 * data received twice (RFC 2883).
 */
#include <string.h>

#include "tcp/tcp_internal.h"

/* Index of the first range whose right edge is at or past seq. */
static uint32_t
first_reaching(const struct ns_tcp_reass *q, uint32_t seq)
{
	uint32_t lo = 0, hi = q->n;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (ns_seq_lt(q->r[mid].right, seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The range holding seq, or NULL. */
static const struct ns_sack_block *
holding(const struct ns_tcp_reass *q, uint32_t seq)
{
	uint32_t i = first_reaching(q, seq + 1);

	return i < q->n && ns_seq_leq(q->r[i].left, seq) ? &q->r[i] : NULL;
}

/* Data [l, r) arrived again: the next ACK reports it first (RFC 2883 4),
 * the first duplicate of an event only. */
void
ns_tcp_dsack_note(struct ns_tcb *c, uint32_t l, uint32_t r)
{
	if (!(c->flags & NS_TCBF_SACK) || c->rq.has_dsack || !ns_seq_lt(l, r))
		return;
	c->rq.dsack = (struct ns_sack_block){l, r};
	c->rq.has_dsack = 1;
}

/* The range [l, r) was just changed: it leads the SACK order, and the
 * ranges it swallowed leave it. */
static void
recent_touch(struct ns_tcp_reass *q, uint32_t l, uint32_t r, uint32_t seq)
{
	uint32_t keep[NS_TCP_MAX_SACK];
	unsigned int k = 0;

	keep[k++] = seq;
	for (unsigned int i = 0; i < q->n_recent && k < NS_TCP_MAX_SACK; i++)
		if (!ns_seq_in(q->recent[i], l, r))
			keep[k++] = q->recent[i];
	memcpy(q->recent, keep, k * sizeof(keep[0]));
	q->n_recent = (uint8_t)k;
}

uint32_t
ns_tcp_reass_insert(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t seq, const uint8_t *data,
		uint32_t len)
{
	struct ns_tcp_reass *q = &c->rq;
	uint32_t limit = c->rcvq.head + c->rcvq.size; /* end of the ring's room */
	uint32_t l = seq, r, i, j;

	if (ns_seq_geq(seq, limit)) {
		NS_TCP_CTR(s, ooo_dropped);
		return 0;
	}
	if (ns_seq_gt(seq + len, limit))
		len = limit - seq;
	r = l + len;
	/* Ranges [i, j) touch or overlap [l, r): they become one. */
	i = first_reaching(q, l);
	for (j = i; j < q->n && ns_seq_leq(q->r[j].left, r); j++)
		;
	if (i < j) /* what it has in common with the first range it meets */
		ns_tcp_dsack_note(c, ns_seq_max(l, q->r[i].left), ns_seq_min(r, q->r[i].right));
	if (i == j) {
		if (q->n == q->cap) {
			NS_TCP_CTR(s, ooo_dropped);
			return 0;
		}
		memmove(&q->r[i + 1], &q->r[i], (q->n - i) * sizeof(q->r[0]));
		q->n++;
	} else {
		l = ns_seq_min(l, q->r[i].left);
		r = ns_seq_max(r, q->r[j - 1].right);
		memmove(&q->r[i + 1], &q->r[j], (q->n - j) * sizeof(q->r[0]));
		q->n -= j - i - 1;
	}
	q->r[i] = (struct ns_sack_block){l, r};
	ns_fifo_put_at(&c->rcvq, seq, data, len);
	recent_touch(q, l, r, seq);
	NS_TCP_CTR(s, ooo_queued);
	return len;
}

uint32_t
ns_tcp_reass_advance(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	struct ns_tcp_reass *q = &c->rq;
	uint32_t added = 0, k = 0;
	unsigned int m = 0;

	while (k < q->n && ns_seq_leq(q->r[k].left, c->rcvq.tail)) {
		/* in-order data that runs into a range held: that part came twice */
		ns_tcp_dsack_note(c, q->r[k].left, ns_seq_min(q->r[k].right, c->rcvq.tail));
		if (ns_seq_gt(q->r[k].right, c->rcvq.tail)) {
			added += q->r[k].right - c->rcvq.tail;
			c->rcvq.tail = q->r[k].right;
		}
		k++;
		NS_TCP_CTR(s, ooo_filled);
	}
	if (k > 0) {
		memmove(&q->r[0], &q->r[k], (q->n - k) * sizeof(q->r[0]));
		q->n -= k;
	}
	for (unsigned int i = 0; i < q->n_recent; i++)
		if (ns_seq_geq(q->recent[i], c->rcvq.tail))
			q->recent[m++] = q->recent[i];
	q->n_recent = (uint8_t)m;
	return added;
}

unsigned int
ns_tcp_reass_blocks(const struct ns_tcb *c, struct ns_sack_block *out, unsigned int max)
{
	const struct ns_tcp_reass *q = &c->rq;
	unsigned int k = 0;

	if (q->has_dsack && max > 0)
		out[k++] = q->dsack;
	for (unsigned int i = 0; i < q->n_recent && k < max; i++) {
		const struct ns_sack_block *b = holding(q, q->recent[i]);
		unsigned int d;

		if (b == NULL)
			continue;
		for (d = q->has_dsack; d < k && out[d].left != b->left; d++)
			;
		if (d == k)
			out[k++] = *b;
	}
	return k;
}

void
ns_tcp_reass_clear(struct ns_tcb *c)
{
	c->rq.n = 0;
	c->rq.n_recent = 0;
	c->rq.has_dsack = 0;
	c->rq.has_fin = 0;
}
