/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Last hop, per session: each sequence number once, in order.  A window of
 * NS_OVL_WIN slots from 'next': a packet ahead of it waits in its slot; one
 * at 'next' goes with everything contiguous behind it; one before 'next' or
 * already held is a duplicate (the other copy, multicast or unicast, came
 * first).  A hole older than hold_ns is given up by the tick.
 *
 * A packet far from the window, NS_OVL_WIN or more ahead or more than
 * NS_OVL_RESTART behind, never moves it by itself: one forged or stray
 * sequence number would otherwise silence the session (the window jumps,
 * the real stream falls behind it) or count ~2^31 losses.  It waits as the
 * candidate; the session's next packet decides.  Its successor (candidate
 * + 1) is evidence one packet cannot give: the window follows (a restarted
 * first hop, or a loss longer than the window); anything else makes the
 * candidate a stray.  The window then jumps to the candidate: what it held
 * goes first, in order; the numbers skipped count as lost when the jump was
 * ahead (a loss, however long: fewer than 2^31 numbers), else it is a
 * restart (the first hop's counter started again: nothing to count).
 */
#include <string.h>

#include "overlay/ns_overlay.h"

#define SLOT(s) ((s) & (NS_OVL_WIN - 1))

static inline int
far_from_window(int32_t d)
{
	return __builtin_expect(d >= (int32_t)NS_OVL_WIN || d < -(int32_t)NS_OVL_RESTART, 0);
}

void
ns_ovl_rx_init(struct ns_ovl_rx *r, uint32_t key, uint64_t hold_ns)
{
	memset(r, 0, sizeof(*r));
	r->key = key;
	r->hold_ns = hold_ns;
}

/* Release from next while the slots are full. */
static void
release(struct ns_ovl_rx *r, const struct ns_ovl_rx_ops *ops, void *user)
{
	while (r->at[SLOT(r->next)] != 0) {
		uint32_t k = SLOT(r->next);
		void *p = r->pkt[k];

		r->at[k] = 0;
		r->pkt[k] = NULL;
		r->held--;
		r->delivered++;
		r->reordered++;
		ops->deliver(user, p, r->next);
		r->next++;
	}
}

/* Give up the hole at next (one sequence number). */
static void
skip(struct ns_ovl_rx *r)
{
	r->lost++;
	r->next++;
}

/* Everything held goes, in order, the holes given up. */
static void
release_all(struct ns_ovl_rx *r, const struct ns_ovl_rx_ops *ops, void *user)
{
	while (r->held != 0) {
		while (r->at[SLOT(r->next)] == 0)
			skip(r);
		release(r, ops, user);
	}
}

/* The candidate was not followed by its successor: it goes (if it waits). */
static void
forget_candidate(struct ns_ovl_rx *r, const struct ns_ovl_rx_ops *ops, void *user)
{
	if (r->cand_held) {
		r->strays++;
		ops->drop(user, r->cand_pkt);
	}
	r->cand_held = false;
	r->cand_known = false;
}

/* Its successor came: the window jumps to the candidate. */
static void
follow(struct ns_ovl_rx *r, const struct ns_ovl_rx_ops *ops, void *user)
{
	int32_t d = (int32_t)(r->cand_seq - r->next);

	release_all(r, ops, user);
	if (d > 0)
		r->lost += r->cand_seq - r->next; /* below 2^31: what was held is gone */
	else
		r->restarts++;
	r->next = r->cand_seq + 1;
	if (r->cand_held) {
		r->delivered++;
		ops->deliver(user, r->cand_pkt, r->cand_seq);
	}
	r->cand_held = false;
	r->cand_known = false;
}

void
ns_ovl_rx_offer(struct ns_ovl_rx *r, uint32_t seq, void *pkt, uint64_t now,
		const struct ns_ovl_rx_ops *ops, void *user)
{
	int32_t d;

	r->received++;
	if (now == 0)
		now = 1; /* 0 marks an empty slot */
	if (!r->started) {
		r->started = true;
		r->next = seq;
	}
	d = (int32_t)(seq - r->next);
	if (far_from_window(d)) {
		if (r->cand_known && seq == r->cand_seq + 1) {
			follow(r, ops, user);
			d = 0; /* seq is next now */
		} else if (r->cand_held && seq == r->cand_seq) {
			r->duplicates++; /* the candidate's other copy */
			ops->drop(user, pkt);
			return;
		} else {
			forget_candidate(r, ops, user);
			r->cand_pkt = pkt;
			r->cand_held = true;
			r->cand_known = true;
			r->cand_seq = seq;
			r->cand_at = now;
			return;
		}
	} else if (r->cand_known) {
		forget_candidate(r, ops, user); /* the stream goes on: it was a stray */
	}
	if (d < 0) {
		r->duplicates++; /* released already, or given up: too late either way */
		ops->drop(user, pkt);
		return;
	}
	if (d == 0) {
		bool filled = r->held != 0;

		r->delivered++;
		ops->deliver(user, pkt, seq);
		r->next++;
		if (filled)
			r->gaps_filled++;
		release(r, ops, user);
		return;
	}
	if (r->at[SLOT(seq)] != 0) {
		r->duplicates++;
		ops->drop(user, pkt);
		return;
	}
	r->pkt[SLOT(seq)] = pkt;
	r->at[SLOT(seq)] = now;
	r->held++;
}

void
ns_ovl_rx_tick(struct ns_ovl_rx *r, uint64_t now, const struct ns_ovl_rx_ops *ops, void *user)
{
	/* A candidate's packet is not kept beyond hold_ns (it would come late
	 * anyway); its number stays, so a slow restarted stream is followed. */
	if (r->cand_held && now - r->cand_at >= r->hold_ns) {
		r->strays++;
		ops->drop(user, r->cand_pkt);
		r->cand_held = false;
	}
	while (r->held != 0) {
		uint64_t oldest = UINT64_MAX;

		for (uint32_t i = 0; i < NS_OVL_WIN; i++)
			if (r->at[i] != 0 && r->at[i] < oldest)
				oldest = r->at[i];
		if (now - oldest < r->hold_ns)
			return;
		/* The hole in front of the oldest waiting packet is given up. */
		while (r->at[SLOT(r->next)] == 0)
			skip(r);
		release(r, ops, user);
	}
}

void
ns_ovl_rx_flush(struct ns_ovl_rx *r, const struct ns_ovl_rx_ops *ops, void *user)
{
	forget_candidate(r, ops, user);
	release_all(r, ops, user);
}
