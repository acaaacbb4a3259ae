/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include "ns_test.h"
#include "common/timer_wheel.h"

#define MS 1000000ull

struct obj {
	struct ns_tw_timer t;
	uint64_t due_ns;   /* what the test asked for */
	uint64_t fired_at; /* the advance's 'now' when it fired */
	int fires;
	int rearm_left; /* re-arm with doubling delay this many times */
	uint64_t delay;
};

static uint64_t clock_now;
static uint64_t last_fire_tick;
static int order_violations;

static void
on_fire(struct ns_tw_timer *t, void *arg)
{
	struct obj *o = (struct obj *)t;
	struct ns_tw *w = arg;

	o->fires++;
	o->fired_at = clock_now;
	if (w->cur_tick < last_fire_tick)
		order_violations++;
	last_fire_tick = w->cur_tick;
	if (t->expiry_tick * w->tick_ns < o->due_ns)
		order_violations += 1000; /* fired early */
	if (o->rearm_left-- > 0) {
		o->delay *= 2;
		o->due_ns = t->expiry_tick * w->tick_ns + o->delay;
		ns_tw_start(w, t, o->due_ns);
	}
}

static void
test_fires_at_tick_never_early(void)
{
	struct ns_tw w;
	struct obj a = {0}, b = {0};

	CHECK_EQ(ns_tw_init(&w, 256, MS, 0), 0);
	a.due_ns = 10 * MS + 1; /* rounds up to tick 11 */
	b.due_ns = 10 * MS;
	ns_tw_start(&w, &a.t, a.due_ns);
	ns_tw_start(&w, &b.t, b.due_ns);
	clock_now = 10 * MS;
	ns_tw_advance(&w, clock_now, on_fire, &w);
	CHECK_EQ(b.fires, 1);
	CHECK_EQ(a.fires, 0);
	clock_now = 11 * MS;
	ns_tw_advance(&w, clock_now, on_fire, &w);
	CHECK_EQ(a.fires, 1);
	CHECK_EQ(w.armed, 0);
	ns_tw_fini(&w);
}

static void
test_stop_and_restart(void)
{
	struct ns_tw w;
	struct obj a = {0};

	CHECK_EQ(ns_tw_init(&w, 64, MS, 0), 0);
	a.due_ns = 5 * MS;
	ns_tw_start(&w, &a.t, a.due_ns);
	ns_tw_stop(&w, &a.t);
	CHECK(!ns_tw_armed(&a.t));
	ns_tw_stop(&w, &a.t); /* idempotent */
	clock_now = 100 * MS;
	CHECK_EQ(ns_tw_advance(&w, clock_now, on_fire, &w), 0);
	a.due_ns = 150 * MS;
	ns_tw_start(&w, &a.t, a.due_ns);
	ns_tw_start(&w, &a.t, a.due_ns + 10 * MS); /* re-arm moves it */
	a.due_ns += 10 * MS;
	CHECK_EQ(w.armed, 1);
	clock_now = 155 * MS;
	CHECK_EQ(ns_tw_advance(&w, clock_now, on_fire, &w), 0);
	clock_now = 160 * MS;
	CHECK_EQ(ns_tw_advance(&w, clock_now, on_fire, &w), 1);
	ns_tw_fini(&w);
}

/* RTO-like backoff re-armed from the callback: 1 s, then +2, +4, +8 within one advance. */
static void
test_rearm_in_callback_same_advance(void)
{
	struct ns_tw w;
	struct obj a = {0};

	CHECK_EQ(ns_tw_init(&w, 1024, MS, 0), 0);
	a.delay = 1000 * MS;
	a.due_ns = a.delay;
	a.rearm_left = 3;
	ns_tw_start(&w, &a.t, a.due_ns);
	last_fire_tick = 0;
	order_violations = 0;
	clock_now = 20000 * MS; /* 20 s: several revolutions of a 1.024 s wheel */
	CHECK_EQ(ns_tw_advance(&w, clock_now, on_fire, &w), 4);
	CHECK_EQ(a.fires, 4);
	CHECK_EQ(a.t.expiry_tick, 15000); /* 1 + 2 + 4 + 8 s */
	CHECK_EQ(order_violations, 0);
	ns_tw_fini(&w);
}

/* Random arms/stops/advances against a model: each fires once, in order, never early. */
static void
test_random_against_model(void)
{
	enum { N = 2000 };
	static struct obj o[N];
	struct ns_tw w;
	unsigned int seed = 42;
	int armed_model[N] = {0};

	CHECK_EQ(ns_tw_init(&w, 512, 100000, 0), 0); /* 100 us ticks, 51.2 ms revolution */
	memset(o, 0, sizeof(o));
	clock_now = 0;
	last_fire_tick = 0;
	order_violations = 0;
	for (int step = 0; step < 200000; step++) {
		int i = rand_r(&seed) % N;
		int op = rand_r(&seed) % 10;

		if (op < 5) {
			o[i].due_ns = clock_now + (uint64_t)(rand_r(&seed) % 200) * 1000000ull / 7;
			o[i].fires = 0;
			ns_tw_start(&w, &o[i].t, o[i].due_ns);
			armed_model[i] = 1;
		} else if (op < 7) {
			ns_tw_stop(&w, &o[i].t);
			armed_model[i] = 0;
		} else {
			uint64_t prev = clock_now;

			clock_now += (uint64_t)(rand_r(&seed) % 3000) *
				     10000ull; /* up to 30 ms, sometimes long */
			if (rand_r(&seed) % 500 == 0)
				clock_now += 10000 * MS;
			ns_tw_advance(&w, clock_now, on_fire, &w);
			for (int k = 0; k < N; k++) {
				if (!armed_model[k])
					continue;
				/* due by now (in ticks) => fired exactly once; else not at all */
				if ((o[k].due_ns + 99999) / 100000 <= clock_now / 100000) {
					if (o[k].fires != 1) {
						CHECK_EQ(o[k].fires, 1);
						goto out;
					}
					armed_model[k] = 0;
				} else if (o[k].fires != 0) {
					CHECK_EQ(o[k].fires, 0);
					goto out;
				}
			}
			(void)prev;
		}
	}
out:
	CHECK_EQ(order_violations, 0);
	ns_tw_fini(&w);
}

int
main(void)
{
	RUN(test_fires_at_tick_never_early);
	RUN(test_stop_and_restart);
	RUN(test_rearm_in_callback_same_advance);
	RUN(test_random_against_model);
	return TEST_SUMMARY();
}
