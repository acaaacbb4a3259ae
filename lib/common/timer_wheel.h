/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hashed timing wheel: O(1) start and stop, expiry work proportional to the
 * timers in the slots the clock passes.  Timers are intrusive (embedded in
 * the TCB, the BFD session, ...), so the wheel never allocates after init.
 * Time is an explicit 'now' in nanoseconds, rounded up to ticks: a timer
 * never fires early.  Single-threaded: one wheel per lcore.
 */
#ifndef NS_TIMER_WHEEL_H
#define NS_TIMER_WHEEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ns_tw_timer {
	struct ns_tw_timer *next, *prev; /* NULL prev: not armed */
	uint64_t expiry_tick;
	uint32_t kind; /* what fires (the owner's timer id) */
};

struct ns_tw {
	struct ns_tw_timer *slot; /* list heads (sentinels) */
	uint32_t mask;		  /* n_slots - 1 */
	uint64_t tick_ns;
	uint64_t cur_tick; /* every tick <= cur_tick has been processed */
	uint64_t armed;
};

typedef void (*ns_tw_fire_fn)(struct ns_tw_timer *t, void *arg);

/* n_slots: power of two.  start_ns: the clock at init. */
int ns_tw_init(struct ns_tw *w, uint32_t n_slots, uint64_t tick_ns, uint64_t start_ns);
void ns_tw_fini(struct ns_tw *w);

static inline bool
ns_tw_armed(const struct ns_tw_timer *t)
{
	return t->prev != NULL;
}

/* (Re)arm t to fire at or after 'at_ns'.  A time in the past fires on the next advance. */
void ns_tw_start(struct ns_tw *w, struct ns_tw_timer *t, uint64_t at_ns);
void ns_tw_stop(struct ns_tw *w, struct ns_tw_timer *t);

/* Fire every timer due at now_ns; fire() may start or stop any timer. Returns timers fired. */
unsigned int ns_tw_advance(struct ns_tw *w, uint64_t now_ns, ns_tw_fire_fn fire, void *arg);

/* The time a timer armed for at_ns actually fires (its tick's end). */
static inline uint64_t
ns_tw_fire_time(const struct ns_tw *w, uint64_t at_ns)
{
	return (at_ns + w->tick_ns - 1) / w->tick_ns * w->tick_ns;
}

#endif /* NS_TIMER_WHEEL_H */
