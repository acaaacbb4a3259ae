/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include "common/timer_wheel.h"

int
ns_tw_init(struct ns_tw *w, uint32_t n_slots, uint64_t tick_ns, uint64_t start_ns)
{
	if (n_slots == 0 || (n_slots & (n_slots - 1)) != 0 || tick_ns == 0)
		return -1;
	w->slot = calloc(n_slots, sizeof(*w->slot));
	if (w->slot == NULL)
		return -1;
	for (uint32_t i = 0; i < n_slots; i++)
		w->slot[i].next = w->slot[i].prev = &w->slot[i];
	w->mask = n_slots - 1;
	w->tick_ns = tick_ns;
	w->cur_tick = start_ns / tick_ns;
	w->armed = 0;
	return 0;
}

void
ns_tw_fini(struct ns_tw *w)
{
	free(w->slot);
	w->slot = NULL;
}

static inline void
link_tail(struct ns_tw_timer *head, struct ns_tw_timer *t)
{
	t->prev = head->prev;
	t->next = head;
	head->prev->next = t;
	head->prev = t;
}

static inline void
unlink_timer(struct ns_tw_timer *t)
{
	t->prev->next = t->next;
	t->next->prev = t->prev;
	t->next = t->prev = NULL;
}

void
ns_tw_start(struct ns_tw *w, struct ns_tw_timer *t, uint64_t at_ns)
{
	/* Round up: never early.  Never into a tick already processed. */
	uint64_t tick = (at_ns + w->tick_ns - 1) / w->tick_ns;

	if (tick <= w->cur_tick)
		tick = w->cur_tick + 1;
	if (ns_tw_armed(t))
		unlink_timer(t);
	else
		w->armed++;
	t->expiry_tick = tick;
	link_tail(&w->slot[tick & w->mask], t);
}

void
ns_tw_stop(struct ns_tw *w, struct ns_tw_timer *t)
{
	if (!ns_tw_armed(t))
		return;
	unlink_timer(t);
	w->armed--;
}

/* Earliest expiry among armed timers (O(slots + timers)): used only to skip
 * over long empty stretches when the clock jumps past a whole revolution. */
static uint64_t
min_expiry(const struct ns_tw *w)
{
	uint64_t mn = UINT64_MAX;

	for (uint32_t i = 0; i <= w->mask; i++)
		for (const struct ns_tw_timer *t = w->slot[i].next; t != &w->slot[i]; t = t->next)
			if (t->expiry_tick < mn)
				mn = t->expiry_tick;
	return mn;
}

unsigned int
ns_tw_advance(struct ns_tw *w, uint64_t now_ns, ns_tw_fire_fn fire, void *arg)
{
	uint64_t now_tick = now_ns / w->tick_ns;
	unsigned int fired = 0;

	/* Tick by tick, so timers fire in expiry order and a timer re-armed by
	 * fire() for a tick <= now still fires in this call. */
	while (w->cur_tick < now_tick && w->armed != 0) {
		struct ns_tw_timer *head, pending;

		if (now_tick - w->cur_tick > w->mask + 1ull) {
			uint64_t mn = min_expiry(w);

			if (mn > now_tick)
				break;
			if (mn > w->cur_tick + 1)
				w->cur_tick = mn - 1;
		}
		w->cur_tick++;
		head = &w->slot[w->cur_tick & w->mask];
		if (head->next == head)
			continue;
		/* Detach the slot: fire() may arm timers into this very slot. */
		pending.next = head->next;
		pending.prev = head->prev;
		pending.next->prev = &pending;
		pending.prev->next = &pending;
		head->next = head->prev = head;
		while (pending.next != &pending) {
			struct ns_tw_timer *t = pending.next;

			unlink_timer(t);
			if (t->expiry_tick <= w->cur_tick) {
				w->armed--;
				fired++;
				fire(t, arg);
			} else {
				link_tail(head, t); /* a later revolution */
			}
		}
	}
	if (w->cur_tick < now_tick)
		w->cur_tick = now_tick;
	return fired;
}
