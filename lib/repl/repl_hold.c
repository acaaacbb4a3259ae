/* SPDX-License-Identifier: BSD-3-Clause */
/* The output hold of the sync mode (repl.h). */
#include <stdlib.h>

#include "repl/repl.h"

int
ns_repl_hold_init(struct ns_repl_hold_q *h, uint32_t size)
{
	if (size == 0 || (size & (size - 1)))
		return -1;
	h->pkt = calloc(size, sizeof(*h->pkt));
	h->seq = calloc(size, sizeof(*h->seq));
	h->t_in = calloc(size, sizeof(*h->t_in));
	h->size = size;
	h->head = h->marked = h->tail = 0;
	if (h->pkt == NULL || h->seq == NULL || h->t_in == NULL) {
		ns_repl_hold_fini(h);
		return -1;
	}
	return 0;
}

void
ns_repl_hold_fini(struct ns_repl_hold_q *h)
{
	free(h->pkt);
	free(h->seq);
	free(h->t_in);
	h->pkt = NULL;
	h->seq = NULL;
	h->t_in = NULL;
}

bool
ns_repl_hold_push(struct ns_repl_hold_q *h, void *pkt, uint64_t now)
{
	if (h->tail - h->head == h->size)
		return false;
	h->pkt[h->tail & (h->size - 1)] = pkt;
	h->t_in[h->tail & (h->size - 1)] = now;
	h->tail++;
	return true;
}

void
ns_repl_hold_mark(struct ns_repl_hold_q *h, uint32_t seq)
{
	for (; h->marked != h->tail; h->marked++)
		h->seq[h->marked & (h->size - 1)] = seq;
}

uint32_t
ns_repl_hold_release(struct ns_repl_hold_q *h, const struct ns_repl_chan *ch,
		void (*fn)(void *arg, void *pkt, uint64_t held_ns), void *arg, uint64_t now)
{
	uint32_t n = 0;

	/* Frame seq must be acknowledged: every frame before seq + 1. */
	while (h->head != h->marked &&
			ns_repl_chan_acked(ch, h->seq[h->head & (h->size - 1)] + 1)) {
		uint32_t i = h->head++ & (h->size - 1);

		fn(arg, h->pkt[i], now - h->t_in[i]);
		n++;
	}
	return n;
}

uint32_t
ns_repl_hold_drain(struct ns_repl_hold_q *h, void (*fn)(void *arg, void *pkt, uint64_t held_ns),
		void *arg, uint64_t now)
{
	uint32_t n = 0;

	while (h->head != h->tail) {
		uint32_t i = h->head++ & (h->size - 1);

		fn(arg, h->pkt[i], now - h->t_in[i]);
		n++;
	}
	h->marked = h->tail;
	return n;
}
