/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Last hop, per session: each sequence number once, in order.  A window of
 * NS_OVL_WIN slots from 'next': a packet ahead of it waits in its slot; one
 * at 'next' goes with everything contiguous behind it; one before 'next' or
 * already held is a duplicate (the other copy, multicast or unicast, came
 * first); one beyond the window pushes it (the oldest holes are given up).
 * A hole older than hold_ns is given up by the tick.  Far behind the window
 * (NS_OVL_RESTART), two consecutive numbers are a restarted first hop.
 */
#include <string.h>

#include "ns_overlay.h"

#define SLOT(s) ((s) & (NS_OVL_WIN - 1))

static inline int
unlikely_far(int32_t d)
{
	return __builtin_expect(d < -(int32_t)NS_OVL_RESTART, 0);
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

/* The session starts again at the candidate: what the old one held goes
 * first (in order), then the candidate. */
static void
restart(struct ns_ovl_rx *r, const struct ns_ovl_rx_ops *ops, void *user)
{
	void *p = r->restart_pkt;

	r->restart_held = false;
	ns_ovl_rx_flush(r, ops, user);
	r->restarts++;
	r->next = r->restart_seq + 1;
	r->delivered++;
	ops->deliver(user, p, r->restart_seq);
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
	if (unlikely_far(d)) {
		if (r->restart_held && seq == r->restart_seq + 1) {
			restart(r, ops, user);
			d = 0; /* seq is next now */
		} else {
			if (r->restart_held) { /* the last one was a stale copy */
				r->duplicates++;
				ops->drop(user, r->restart_pkt);
			}
			r->restart_pkt = pkt;
			r->restart_held = true;
			r->restart_seq = seq;
			r->restart_at = now;
			return;
		}
	} else if (r->restart_held) {
		r->duplicates++; /* the stream goes on: the candidate was stale */
		ops->drop(user, r->restart_pkt);
		r->restart_held = false;
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
	if ((uint32_t)d >= NS_OVL_WIN) {
		/* Beyond the window: it moves to end at seq.  What is held before its
		 * new start goes (holes given up), then the start jumps: bounded by
		 * the window, whatever the jump (a sender's restart, a forged seq). */
		uint32_t start = seq - NS_OVL_WIN + 1;

		while (r->held != 0 && (int32_t)(start - r->next) > 0) {
			if (r->at[SLOT(r->next)] != 0)
				release(r, ops, user);
			else
				skip(r);
		}
		if ((int32_t)(start - r->next) > 0) {
			r->lost += start - r->next;
			r->next = start;
		}
		d = (int32_t)(seq - r->next);
	}
	if (d == 0) {
		r->delivered++;
		ops->deliver(user, pkt, seq);
		r->next++;
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
	/* A restart followed by nothing for hold_ns: it was one all the same. */
	if (r->restart_held && now - r->restart_at >= r->hold_ns)
		restart(r, ops, user);
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
	if (r->restart_held) {
		ops->drop(user, r->restart_pkt);
		r->restart_held = false;
	}
	while (r->held != 0) {
		while (r->at[SLOT(r->next)] == 0)
			skip(r);
		release(r, ops, user);
	}
}
