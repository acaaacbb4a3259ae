/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reassembly.  The receive FIFO is indexed by sequence number, so data that
 * arrives ahead of rcv_nxt is copied to its final place in the ring; the
 * TCB remembers at most NS_TCP_OOO_MAX ranges, most recently changed first,
 * which is also the order SACK blocks are reported in (RFC 2018 4).
 */
#include "tcp_internal.h"

static void
ooo_remove(struct ns_tcb *c, unsigned int i)
{
	for (; i + 1 < c->n_ooo; i++)
		c->ooo[i] = c->ooo[i + 1];
	c->n_ooo--;
}

uint32_t
ns_tcp_reass_insert(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t seq, const uint8_t *data,
		uint32_t len)
{
	uint32_t limit = c->rcvq.head + c->rcvq.size; /* end of the ring's room */
	uint32_t l = seq, r;
	unsigned int i;

	if (ns_seq_geq(seq, limit))
		return 0;
	if (ns_seq_gt(seq + len, limit))
		len = limit - seq;
	r = l + len;
	/* Join every range it touches or overlaps. */
	for (i = 0; i < c->n_ooo;) {
		if (ns_seq_leq(c->ooo[i].left, r) && ns_seq_leq(l, c->ooo[i].right)) {
			l = ns_seq_min(l, c->ooo[i].left);
			r = ns_seq_max(r, c->ooo[i].right);
			ooo_remove(c, i);
		} else {
			i++;
		}
	}
	if (c->n_ooo == NS_TCP_OOO_MAX) {
		NS_TCP_CTR(s, ooo_dropped);
		return 0; /* a fifth hole: the sender retransmits it */
	}
	ns_fifo_put_at(&c->rcvq, seq, data, len);
	for (i = c->n_ooo; i > 0; i--)
		c->ooo[i] = c->ooo[i - 1];
	c->ooo[0] = (struct ns_sack_block){l, r};
	c->n_ooo++;
	NS_TCP_CTR(s, ooo_queued);
	return len;
}

uint32_t
ns_tcp_reass_advance(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	uint32_t added = 0;
	unsigned int i = 0;

	while (i < c->n_ooo) {
		if (ns_seq_leq(c->ooo[i].left, c->rcvq.tail)) {
			if (ns_seq_gt(c->ooo[i].right, c->rcvq.tail)) {
				added += c->ooo[i].right - c->rcvq.tail;
				c->rcvq.tail = c->ooo[i].right;
			}
			ooo_remove(c, i);
			NS_TCP_CTR(s, ooo_filled);
			i = 0; /* the new tail may reach another range */
		} else {
			i++;
		}
	}
	return added;
}
