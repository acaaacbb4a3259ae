/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application table and the public application API
 * (include/nonstop/app.h) on top of a worker's TCP stack.
 *
 * The stack's events never call an application directly (an application
 * must not re-enter the stack from inside it): they mark the connection
 * ready with what happened, and ns_apps_poll() runs the callbacks after the
 * burst.  Only closed() is called from inside the stack, and it may not
 * call back.  Every callback is timed against [global] app_budget_us.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "app.h"
#include "apps.h"
#include "config.h"
#include "control.h"
#include "repl/repl_event.h"
#include "tcp_glue.h"

struct ns_app_entry ns_app_table[NS_MAX_APPS];
uint32_t ns_n_apps;

static uint64_t budget_cycles;

#define APP_TICK_NS  1000000ull /* the applications' timer wheel: 1 ms ticks */
#define JQ_SIZE	     (8u << 20) /* a standby's journal records waiting, per worker */
#define APP_SLOTS    1024
#define LOG_EVERY_NS 1000000000ull

static inline struct ns_tcb *
tcb_of(const struct ns_app_conn *a)
{
	return &a->t->stack.pool[a->id];
}

static inline const struct ns_app_ops *
ops_of(const struct ns_app_conn *a)
{
	return ns_app_table[a->app - 1].ops;
}

static inline void *
st_of(const struct ns_app_conn *a)
{
	const struct ns_app_worker *w = &a->t->aw;

	return w->st + (size_t)a->id * w->stride;
}

static void jq_drain(struct ns_tcp_w *t);

/* --- the table ------------------------------------------------------------- */

static int
add(const char *name, const struct ns_app_ops *ops)
{
	struct ns_app_entry *e;
	uint32_t n = 0;

	if (ns_n_apps == NS_MAX_APPS) {
		NS_LOG(ERR, "more than %d applications", NS_MAX_APPS);
		return -1;
	}
	while (ops->counters != NULL && ops->counters[n] != NULL)
		n++;
	if (n > NS_APP_MAX_CTRS) {
		NS_LOG(ERR, "application %s: %u counters, at most %d", name, n, NS_APP_MAX_CTRS);
		return -1;
	}
	e = &ns_app_table[ns_n_apps++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->ops = ops;
	e->n_ctrs = n;
	e->slow = 0;
	return 0;
}

/*
 * An application refused its keys.  When its message names one of them
 * ("KEY: why", or "unknown key 'KEY'"), the message gives that key's line,
 * as the file's own errors do.
 */
static void
init_refused(const struct ns_app_cfg *k, const char *err)
{
	char sec[sizeof(k->name) + NS_APP_CFG_KEY_LEN + 8];
	const char *key = NULL, *why = err;
	int sub_len = 0;

	snprintf(sec, sizeof(sec), "app.%s", k->name);
	for (uint32_t j = 0; j < k->n_kv && key == NULL; j++) {
		size_t n = strlen(k->kv[j].key);
		char quoted[NS_APP_CFG_KEY_LEN + 16];

		snprintf(quoted, sizeof(quoted), "unknown key '%s'", k->kv[j].key);
		if (!strncmp(err, k->kv[j].key, n) && err[n] == ':') {
			key = k->kv[j].key;
			sub_len = k->kv[j].sub_len;
			why = err + n + 1 + (err[n + 1] == ' ');
		} else if (!strncmp(err, quoted, strlen(quoted))) {
			key = k->kv[j].key;
			sub_len = k->kv[j].sub_len;
		}
	}
	if (err[0] == '\0')
		why = "the application refused to start";
	/* 'SUB.key' is key in [app.NAME.SUB]. */
	if (key != NULL && sub_len != 0) {
		snprintf(sec, sizeof(sec), "app.%s.%.*s", k->name, sub_len, key);
		key += sub_len + 1;
	}
	if (key != NULL)
		NS_LOG(ERR, "%s:%d: [%s] %s: %s", app.cfg.path,
				ns_cfg_line_of(app.cfg.path, sec, key), sec, key, why);
	else
		NS_LOG(ERR, "%s:%d: [%s]: %s", app.cfg.path,
				ns_cfg_line_of(app.cfg.path, sec, NULL), sec, why);
}

int
ns_apps_init(void)
{
	ns_n_apps = 0;
	/* Replay runs on a virtual clock: what a callback costs in real time
	 * would make its counters depend on the machine. */
	budget_cycles = app.replay ? 0 : app.cfg.app_budget_us * rte_get_tsc_hz() / 1000000;
	ns_builtin_init();
	for (uint32_t i = 0; i < NS_APP_N_BUILTIN; i++)
		if (add(ns_builtin_apps[i]->name, ns_builtin_apps[i]) < 0)
			return -1;
	for (uint32_t i = 0; i < app.cfg.n_apps; i++) {
		const struct ns_app_cfg *k = &app.cfg.apps[i];
		struct ns_app_kv kv[NS_APP_MAX_KEYS];
		char err[256] = "";

		if (add(k->name, k->ops) < 0)
			return -1;
		for (uint32_t j = 0; j < k->n_kv; j++)
			kv[j] = (struct ns_app_kv){k->kv[j].key, k->kv[j].value};
		if (k->ops->init != NULL &&
				k->ops->init(k->name, kv, k->n_kv, err, sizeof(err)) != 0) {
			init_refused(k, err);
			return -1;
		}
	}
	return 0;
}

void
ns_apps_fini(void)
{
	for (uint32_t i = 0; i < ns_n_apps; i++)
		if (ns_app_table[i].ops->fini != NULL)
			ns_app_table[i].ops->fini();
}

int
ns_app_find(const char *name)
{
	for (uint32_t i = 0; i < ns_n_apps; i++)
		if (!strcmp(ns_app_table[i].name, name))
			return (int)i;
	return -1;
}

const char *
ns_app_name(uint32_t idx)
{
	return idx < ns_n_apps ? ns_app_table[idx].name : "?";
}

/* --- timing ----------------------------------------------------------------- */

static void
slow(struct ns_app_worker *w, uint32_t app1, uint64_t cycles, const char *cb)
{
	static RTE_DEFINE_PER_LCORE(uint64_t, logged_ns);
	struct ns_app_entry *e = &ns_app_table[app1 - 1];

	__atomic_fetch_add(&e->slow, 1, __ATOMIC_RELAXED);
	if (w->t->w->now_ns - RTE_PER_LCORE(logged_ns) >= LOG_EVERY_NS) {
		RTE_PER_LCORE(logged_ns) = w->t->w->now_ns;
		NS_LOG(WARNING, "application %s: %s ran %" PRIu64 " us (budget %u us)", e->name, cb,
				cycles * 1000000 / rte_get_tsc_hz(), app.cfg.app_budget_us);
	}
}

/* Run one callback of application app1 (index + 1), timed. */
#define CALL(w, app1, cb, ...)                                          \
	do {                                                            \
		uint64_t t0_ = rte_rdtsc(), d_;                         \
		(w)->cur_app = (app1);                                  \
		ns_app_table[(app1)-1].ops->cb(__VA_ARGS__);            \
		d_ = rte_rdtsc() - t0_;                                 \
		if (unlikely(d_ > budget_cycles) && budget_cycles != 0) \
			slow((w), (app1), d_, #cb);                     \
	} while (0)
#define CALL_RET(ret, w, app1, cb, ...)                                 \
	do {                                                            \
		uint64_t t0_ = rte_rdtsc(), d_;                         \
		(w)->cur_app = (app1);                                  \
		(ret) = ns_app_table[(app1)-1].ops->cb(__VA_ARGS__);    \
		d_ = rte_rdtsc() - t0_;                                 \
		if (unlikely(d_ > budget_cycles) && budget_cycles != 0) \
			slow((w), (app1), d_, #cb);                     \
	} while (0)

/* --- per worker ------------------------------------------------------------- */

int
ns_apps_worker_init(struct ns_tcp_w *t)
{
	struct ns_app_worker *w = &t->aw;
	uint32_t max = t->stack.cfg.max_conns, stride = 16;
	struct timespec rt;

	w->t = t;
	clock_gettime(CLOCK_REALTIME, &rt);
	w->wall_off_ns = (uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec -
			 (app.replay ? 0 : ns_now_ns());
	for (uint32_t i = 0; i < ns_n_apps; i++)
		stride = RTE_MAX(stride, RTE_ALIGN_CEIL(ns_app_table[i].ops->conn_size, 16));
	w->stride = stride;
	w->st = rte_zmalloc("app_st", (size_t)stride * max, RTE_CACHE_LINE_SIZE);
	w->scratch_len = t->stack.cfg.rcvbuf;
	w->scratch = rte_malloc("app_scratch", w->scratch_len, RTE_CACHE_LINE_SIZE);
	if (w->st == NULL || w->scratch == NULL ||
			ns_repl_jq_init(&w->jq, JQ_SIZE, NS_APP_JOURNAL_MAX, max) != 0 ||
			ns_tw_init(&w->wheel, APP_SLOTS, APP_TICK_NS,
					app.replay ? 0 : t->w->now_ns) != 0)
		return -1;
	for (uint32_t i = 0; i < max; i++) {
		t->appc[i].t = t;
		t->appc[i].id = i;
	}
	for (uint32_t i = 0; i < ns_n_apps; i++) {
		int rc = 0;

		if (ns_app_table[i].ops->worker_init != NULL)
			CALL_RET(rc, w, i + 1, worker_init, w);
		if (rc != 0) {
			NS_LOG(ERR, "application %s: worker %u refused to start",
					ns_app_table[i].name, t->w->idx);
			return -1;
		}
	}
	return 0;
}

void
ns_apps_worker_fini(struct ns_tcp_w *t)
{
	struct ns_app_worker *w = &t->aw;

	if (w->st != NULL)
		for (uint32_t i = 0; i < ns_n_apps; i++)
			if (ns_app_table[i].ops->worker_fini != NULL)
				ns_app_table[i].ops->worker_fini(w);
	if (w->wheel.slot != NULL)
		ns_tw_fini(&w->wheel);
	rte_free(w->st);
	rte_free(w->scratch);
	ns_repl_jq_fini(&w->jq);
	w->st = NULL;
	w->scratch = NULL;
}

static void
mark(struct ns_tcp_w *t, struct ns_app_conn *a, uint8_t ev)
{
	a->ev |= ev;
	if (!a->ready && t->n_ready < t->stack.cfg.max_conns) {
		a->ready = 1;
		t->ready[t->n_ready++] = a->id;
	}
}

static void
timer_fire(struct ns_tw_timer *tm, void *arg)
{
	struct ns_app_conn *a = container_of(tm, struct ns_app_conn, timer);

	mark(arg, a, NS_APPEV_TIMER);
}

static bool
peer_closed(const struct ns_tcb *c)
{
	return c->state == NS_TCP_CLOSE_WAIT || c->state == NS_TCP_LAST_ACK ||
	       c->state == NS_TCP_CLOSING || c->state == NS_TCP_TIME_WAIT;
}

/* A client's outcome, once: when its FIN is acknowledged or the connection ends. */
static void
account(struct ns_tcp_w *t, struct ns_app_conn *a, bool failed)
{
	struct ns_client_stats *cs;

	if (a->client == 0 || a->counted)
		return;
	a->counted = 1;
	cs = &t->cst[a->client - 1];
	if (failed || a->failed)
		cs->failed++;
	if (!a->up)
		cs->never_up++;
	else
		cs->done++;
	cs->t_last_ns = t->w->now_ns;
}

static void
run(struct ns_tcp_w *t, struct ns_app_conn *a, struct ns_tcb *c)
{
	struct ns_app_worker *w = &t->aw;
	uint8_t ev = a->ev;
	uint16_t app1 = a->app;
	const struct ns_app_ops *ops = ns_app_table[app1 - 1].ops;

	a->ev = 0;
	if ((ev & NS_APPEV_TAKEOVER) && ops->takeover != NULL)
		CALL(w, app1, takeover, a, st_of(a));
	if ((ev & NS_APPEV_UP) && c->state != NS_TCP_CLOSED) {
		bool passive = (c->flags & NS_TCBF_PASSIVE) != 0;

		if (passive && ops->accept != NULL)
			CALL(w, app1, accept, a, st_of(a));
		else if (!passive && ops->connected != NULL)
			CALL(w, app1, connected, a, st_of(a));
		ev |= NS_APPEV_READABLE; /* data may have come with the handshake */
	}
	if ((ev & NS_APPEV_TIMER) && c->state != NS_TCP_CLOSED && a->app == app1 &&
			ops->timer != NULL)
		CALL(w, app1, timer, a, st_of(a));
	if (a->closing && c->state != NS_TCP_CLOSED)
		ns_app_consume(a, ns_fifo_len(&c->rcvq)); /* closed: discarded */
	else if ((ev & (NS_APPEV_READABLE | NS_APPEV_TAKEOVER)) && c->state != NS_TCP_CLOSED &&
			a->app == app1 && ops->readable != NULL &&
			(ns_fifo_len(&c->rcvq) != 0 || peer_closed(c)))
		CALL(w, app1, readable, a, st_of(a));
	if ((ev & NS_APPEV_WRITABLE) && c->state != NS_TCP_CLOSED && a->app == app1 &&
			ops->writable != NULL)
		CALL(w, app1, writable, a, st_of(a));
	if (w->journaled) {
		/* The image follows the records, in callback order (repl.h). */
		w->journaled = false;
		if (c->state != NS_TCP_CLOSED && ns_tcp_hooks.image_now != NULL)
			ns_tcp_hooks.image_now(t->w, c);
	}
	if (c->state == NS_TCP_CLOSED || a->app != app1)
		return;
	/* Our FIN acknowledged: everything we sent arrived (TIME-WAIT may last). */
	if ((c->state == NS_TCP_FIN_WAIT_2 || c->state == NS_TCP_TIME_WAIT) &&
			c->snd_una == c->snd_max)
		account(t, a, false);
}

/* Out of line: the pass's TCP poll stays small when nothing is ready. */
__rte_noinline static void
run_ready(struct ns_tcp_w *t)
{
	for (uint32_t i = 0; i < t->n_ready; i++) {
		struct ns_app_conn *a = &t->appc[t->ready[i]];
		struct ns_tcb *c = tcb_of(a);

		a->ready = 0;
		if (c->state != NS_TCP_CLOSED && a->app != 0 && !a->backup)
			run(t, a, c);
		else
			a->ev = 0;
	}
	t->n_ready = 0;
}

void
ns_apps_poll(struct ns_tcp_w *t)
{
	struct ns_app_worker *w = &t->aw;

	if (w->wheel.armed != 0)
		ns_tw_advance(&w->wheel, t->w->now_ns, timer_fire, t);
	/* A standby: journal records whose input came in an earlier frame. */
	if (!ns_repl_jq_empty(&w->jq) && !__atomic_load_n(&w->backup_paused, __ATOMIC_RELAXED))
		jq_drain(t);
	if (t->n_ready != 0)
		run_ready(t);
	for (uint32_t i = 0; i < ns_n_apps; i++)
		if (ns_app_table[i].ops->poll != NULL)
			CALL(w, i + 1, poll, w);
}

/* --- from the TCP stack --------------------------------------------------------- */

void
ns_apps_attach(struct ns_tcp_w *t, struct ns_tcb *c, uint32_t app_idx, uint8_t client)
{
	struct ns_app_conn *a = &t->appc[c->id];
	uint8_t ready = a->ready;

	if (ns_tw_armed(&a->timer))
		ns_tw_stop(&t->aw.wheel, &a->timer);
	memset((uint8_t *)a + offsetof(struct ns_app_conn, app), 0,
			sizeof(*a) - offsetof(struct ns_app_conn, app));
	a->ready = ready;
	a->app = (uint16_t)(app_idx + 1);
	a->client = client;
	memset(st_of(a), 0, t->aw.stride);
}

void
ns_apps_event(struct ns_tcp_w *t, struct ns_tcb *c, uint8_t ev)
{
	struct ns_app_conn *a = &t->appc[c->id];

	if (a->app == 0 || a->backup)
		return;
	if (ev & NS_APPEV_UP) {
		a->up = 1;
		if (a->client != 0)
			t->cst[a->client - 1].connected++;
	}
	mark(t, a, ev);
}

void
ns_apps_closed(struct ns_tcp_w *t, struct ns_tcb *c, enum ns_app_close_reason why)
{
	struct ns_app_conn *a = &t->appc[c->id];
	uint16_t app1 = a->app;

	if (app1 == 0)
		return;
	if (ns_tw_armed(&a->timer))
		ns_tw_stop(&t->aw.wheel, &a->timer);
	a->app = 0; /* no call on it from here; a stale ready entry finds it detached */
	if (ns_app_table[app1 - 1].ops->closed != NULL)
		CALL(&t->aw, app1, closed, a, st_of(a), why);
	if (!a->backup && why != NS_APP_CLOSE_MOVED)
		account(t, a, why == NS_APP_CLOSE_RESET || why == NS_APP_CLOSE_TIMEOUT);
}

/* --- from replication ------------------------------------------------------------- */

/* What the standby needs besides the application's own checkpoint. */
struct conn_hdr {
	uint16_t app; /* index + 1 */
	uint8_t client, failed, up, pad[3];
	uint64_t bytes, sent;
};

void
ns_apps_shadow_new(struct ns_tcp_w *t, struct ns_tcb *c)
{
	struct ns_app_conn *a = &t->appc[c->id];
	uint32_t idx = UINT32_MAX;

	if ((c->flags & NS_TCBF_PASSIVE) && c->listener < app.cfg.n_listeners)
		idx = app.cfg.listener[c->listener].app;
	ns_apps_attach(t, c, 0, 0);
	a->app = 0;
	a->backup = 1;
	if (idx != UINT32_MAX) { /* a client connection's comes with its checkpoint */
		a->app = (uint16_t)(idx + 1);
		a->up = 1;
		if (ops_of(a)->backup_open != NULL)
			CALL(&t->aw, a->app, backup_open, a, st_of(a));
	}
}

void
ns_apps_shadow_free(struct ns_tcp_w *t, struct ns_tcb *c)
{
	struct ns_app_worker *w = &t->aw;

	/* Its records were made by input the active consumed: they apply in turn. */
	ns_repl_jq_conn_done(&w->jq, c->id);
	ns_apps_closed(t, c, NS_APP_CLOSE_DONE);
	memset((uint8_t *)&t->appc[c->id] + offsetof(struct ns_app_conn, app), 0,
			sizeof(struct ns_app_conn) - offsetof(struct ns_app_conn, app));
}

/* The active application consumed [from, to): the backup application gets
 * the same bytes, in one piece (a range across the ring's wrap is copied). */
uint32_t
ns_apps_backup(struct ns_tcp_w *t, struct ns_tcb *c, uint32_t from, uint32_t to)
{
	struct ns_app_conn *a = &t->appc[c->id];
	struct ns_app_worker *w = &t->aw;
	uint32_t n = to - from, off = from & (c->rcvq.size - 1), used = n;
	const uint8_t *p = c->rcvq.buf + off;

	if (!ns_repl_jq_empty(&w->jq))
		jq_drain(t);
	if (a->app == 0 || n == 0)
		return to;
	if (ops_of(a)->backup_input == NULL) {
		/* Consumed once its journal records are applied. */
		if (ns_repl_jq_pending(&w->jq, c->id) != 0)
			return from;
		a->bytes += n;
		return to;
	}
	if (n > c->rcvq.size - off) {
		if (n > w->scratch_len)
			n = w->scratch_len;
		ns_fifo_get_at(&c->rcvq, from, w->scratch, n);
		p = w->scratch;
	}
	CALL_RET(used, w, a->app, backup_input, a, st_of(a), p, n);
	if (used > n)
		used = n;
	a->bytes += used;
	return from + used;
}

uint32_t
ns_apps_state(struct ns_tcp_w *t, const struct ns_tcb *c, uint8_t *buf, uint32_t max)
{
	const struct ns_app_conn *a = &t->appc[c->id];
	struct conn_hdr h = {a->app, a->client, a->failed, a->up, {0}, a->bytes, a->sent};
	uint32_t n = 0;

	if (a->app == 0 || max < sizeof(h))
		return 0; /* not attached yet: the standby derives it from the listener */
	memcpy(buf, &h, sizeof(h));
	if (ops_of(a)->checkpoint != NULL)
		CALL_RET(n, &t->aw, a->app, checkpoint, (struct ns_app_conn *)(uintptr_t)a,
				st_of(a), buf + sizeof(h),
				RTE_MIN(max - (uint32_t)sizeof(h), (uint32_t)NS_APP_STATE_MAX));
	return (uint32_t)sizeof(h) + n;
}

void
ns_apps_restore(struct ns_tcp_w *t, struct ns_tcb *c, const uint8_t *buf, uint32_t len)
{
	struct ns_app_conn *a = &t->appc[c->id];
	struct conn_hdr h;

	if (len < sizeof(h))
		return;
	memcpy(&h, buf, sizeof(h));
	if (h.app == 0 || h.app > ns_n_apps)
		return;
	if (a->app != h.app) { /* a client's connection: its application starts here */
		a->app = h.app;
		memset(st_of(a), 0, t->aw.stride);
		if (ops_of(a)->backup_open != NULL)
			CALL(&t->aw, a->app, backup_open, a, st_of(a));
	}
	a->client = h.client;
	a->failed = h.failed;
	a->up = h.up;
	a->bytes = h.bytes;
	a->sent = h.sent;
	if (ops_of(a)->restore != NULL)
		CALL(&t->aw, a->app, restore, a, st_of(a), buf + sizeof(h),
				len - (uint32_t)sizeof(h));
}

void
ns_apps_takeover(struct ns_tcp_w *t, struct ns_tcb *c)
{
	struct ns_app_conn *a = &t->appc[c->id];

	ns_apps_settle(t); /* the shared state first: the first takeover settles it */
	a->backup = 0;
	if (a->app == 0)
		return;
	/* Its sent count is what the replicated send queue holds. */
	a->sent += (uint32_t)(c->sndq.tail - (c->iss + 1) - (uint32_t)a->sent);
	mark(t, a, NS_APPEV_TAKEOVER | NS_APPEV_WRITABLE);
}

void
ns_apps_flag(struct ns_tcp_w *t, const struct ns_tcb *c, uint8_t level, uint32_t lag_us,
		bool from_active)
{
	struct ns_app_conn *a = &t->appc[c->id];
	struct ns_app_flag f = {level, from_active, lag_us, c->id, ns_fifo_len(&c->rcvq)};

	if (a->app != 0 && ops_of(a)->flag != NULL)
		CALL(&t->aw, a->app, flag, a, st_of(a), &f);
}

uint64_t
ns_apps_ctr_sum(uint32_t idx_app, uint32_t idx)
{
	uint64_t v = 0;

	if (ns_tcp_ws == NULL)
		return 0;
	for (uint32_t i = 0; i < app.cfg.n_workers; i++)
		v += __atomic_load_n(&ns_tcp_ws[i].aw.app[idx_app].ctr[idx], __ATOMIC_RELAXED);
	return v;
}

void *
ns_apps_conn_state(const struct ns_app_conn *a)
{
	return st_of(a);
}

void
ns_app_conn_fail(struct ns_app_conn *a)
{
	a->failed = 1;
}

void
ns_app_client_mismatches(struct ns_app_conn *a, uint64_t n)
{
	if (a->client != 0)
		a->t->cst[a->client - 1].mismatches += n;
}

/* --- the public API ---------------------------------------------------------------- */

static inline struct ns_tcp_stack *
stack_of(const struct ns_app_conn *a)
{
	return &a->t->stack;
}

static inline uint64_t
now_of(const struct ns_app_conn *a)
{
	return a->t->w->now_ns;
}

static inline bool
usable(const struct ns_app_conn *a)
{
	return a->app != 0 && !a->backup && tcb_of(a)->state != NS_TCP_CLOSED;
}

uint32_t
ns_app_peek(struct ns_app_conn *a, const uint8_t **p)
{
	if (!usable(a) || a->closing)
		return 0;
	return ns_tcp_recv_peek(tcb_of(a), p);
}

uint32_t
ns_app_copy(struct ns_app_conn *a, uint32_t off, void *buf, uint32_t len)
{
	const struct ns_tcb *c = tcb_of(a);
	uint32_t unread = ns_fifo_len(&c->rcvq);

	if (!usable(a) || a->closing || off >= unread)
		return 0;
	if (len > unread - off)
		len = unread - off;
	ns_fifo_get_at(&c->rcvq, c->rcvq.head + off, buf, len);
	return len;
}

uint32_t
ns_app_consume(struct ns_app_conn *a, uint32_t n)
{
	uint32_t got;

	if (!usable(a))
		return 0;
	got = ns_tcp_recv_consume(stack_of(a), tcb_of(a), n, now_of(a));
	a->bytes += got;
	if (a->client != 0)
		a->t->cst[a->client - 1].bytes_rx += got;
	return got;
}

uint32_t
ns_app_recv(struct ns_app_conn *a, void *buf, uint32_t len)
{
	uint32_t got;

	if (!usable(a) || a->closing)
		return 0;
	got = ns_tcp_recv(stack_of(a), tcb_of(a), buf, len, now_of(a));
	a->bytes += got;
	if (a->client != 0)
		a->t->cst[a->client - 1].bytes_rx += got;
	return got;
}

uint32_t
ns_app_reserve(struct ns_app_conn *a, uint8_t **p)
{
	if (!usable(a))
		return 0;
	return ns_tcp_send_reserve(tcb_of(a), p);
}

static inline void
count_sent(struct ns_app_conn *a, uint32_t n)
{
	a->sent += n;
	if (a->client != 0)
		a->t->cst[a->client - 1].bytes_tx += n;
}

uint32_t
ns_app_commit(struct ns_app_conn *a, uint32_t n)
{
	if (!usable(a))
		return 0;
	n = ns_tcp_send_commit(stack_of(a), tcb_of(a), n, now_of(a));
	count_sent(a, n);
	return n;
}

uint32_t
ns_app_send(struct ns_app_conn *a, const void *buf, uint32_t len)
{
	uint32_t n;

	if (!usable(a))
		return 0;
	n = ns_tcp_send(stack_of(a), tcb_of(a), buf, len, now_of(a));
	count_sent(a, n);
	return n;
}

void
ns_app_shutdown(struct ns_app_conn *a)
{
	if (usable(a))
		ns_tcp_close(stack_of(a), tcb_of(a), now_of(a));
}

void
ns_app_close(struct ns_app_conn *a)
{
	if (!usable(a))
		return;
	a->closing = 1;
	ns_tcp_recv_consume(stack_of(a), tcb_of(a), ns_fifo_len(&tcb_of(a)->rcvq), now_of(a));
	if (usable(a))
		ns_tcp_close(stack_of(a), tcb_of(a), now_of(a));
}

void
ns_app_abort(struct ns_app_conn *a)
{
	struct ns_tcb *c = tcb_of(a);
	uint16_t app1 = a->app;

	if (!usable(a))
		return;
	/* The stack's CLOSED event comes from inside the abort: its reason is ours. */
	a->app = 0;
	ns_tcp_abort(stack_of(a), c, now_of(a));
	a->app = app1;
	ns_apps_closed(a->t, c, NS_APP_CLOSE_ABORTED);
}

void
ns_app_set_nodelay(struct ns_app_conn *a, bool on)
{
	struct ns_tcb *c = tcb_of(a);

	if (!usable(a))
		return;
	if (on)
		c->flags |= NS_TCBF_NODELAY;
	else
		c->flags &= (uint16_t)~NS_TCBF_NODELAY;
}

void
ns_app_conn_info(const struct ns_app_conn *a, struct ns_app_conn_info *info)
{
	const struct ns_tcb *c = tcb_of(a);
	bool passive = (c->flags & NS_TCBF_PASSIVE) != 0;

	memset(info, 0, sizeof(*info));
	info->id = a->id;
	info->laddr = c->t.laddr;
	info->raddr = c->t.raddr;
	info->lport = rte_be_to_cpu_16(c->t.lport);
	info->rport = rte_be_to_cpu_16(c->t.rport);
	info->passive = passive;
	info->backup = a->backup;
	if (passive && c->listener < app.cfg.n_listeners) {
		info->binding = app.cfg.listener[c->listener].name;
		info->bytes = app.cfg.listener[c->listener].bytes;
	} else if (a->client != 0) {
		const struct ns_client_cfg *k = &app.cfg.client[a->client - 1];

		info->binding = k->name;
		info->bytes = k->bytes;
		info->msg = k->msg;
	} else {
		info->binding = "";
	}
	info->worker = a->t->w->idx;
	info->sent_off = c->sndq.tail - (c->iss + 1);
	info->read_off = c->rcvq.head - (c->irs + 1);
	info->snd_space = c->state == NS_TCP_CLOSED ? 0 : ns_fifo_room(&c->sndq);
	info->unread = ns_fifo_len(&c->rcvq);
	info->rcv_space = c->state == NS_TCP_CLOSED ? 0 : ns_fifo_room(&c->rcvq);
	info->peer_closed = peer_closed(c);
}

struct ns_app_worker *
ns_app_conn_worker(const struct ns_app_conn *a)
{
	return &a->t->aw;
}

void
ns_app_timer_arm(struct ns_app_conn *a, uint64_t delay_us)
{
	if (a->app == 0)
		return;
	ns_tw_start(&a->t->aw.wheel, &a->timer, now_of(a) + delay_us * 1000);
}

void
ns_app_timer_stop(struct ns_app_conn *a)
{
	if (ns_tw_armed(&a->timer))
		ns_tw_stop(&a->t->aw.wheel, &a->timer);
}

uint64_t
ns_app_now_ns(const struct ns_app_worker *w)
{
	return w->t->w->now_ns;
}

uint64_t
ns_app_wall_ms(const struct ns_app_worker *w)
{
	return (w->t->w->now_ns + w->wall_off_ns) / 1000000;
}

uint32_t
ns_app_worker_index(const struct ns_app_worker *w)
{
	return w->t->w->idx;
}

uint32_t
ns_app_n_workers(void)
{
	return app.cfg.n_workers;
}

void **
ns_app_worker_priv(struct ns_app_worker *w)
{
	return &w->app[w->cur_app - 1].priv;
}

void
ns_app_count(struct ns_app_worker *w, uint32_t idx, uint64_t n)
{
	struct ns_app_wstate *s = &w->app[w->cur_app - 1];

	if (idx < ns_app_table[w->cur_app - 1].n_ctrs)
		__atomic_store_n(&s->ctr[idx], s->ctr[idx] + n, __ATOMIC_RELAXED);
}

struct ns_app_conn *
ns_app_connect(struct ns_app_worker *w, uint32_t raddr, uint16_t rport)
{
	struct ns_tcp_w *t = w->t;
	rte_be32_t src = 0;
	struct ns_tcb *c;

	for (uint16_t i = 0; i < app.cfg.n_ports && src == 0; i++) {
		const struct ns_port_cfg *p = &app.cfg.port[i];
		uint32_t mask = p->prefix ? rte_cpu_to_be_32(~0u << (32 - p->prefix)) : 0;

		if (p->forward < 0 && p->ip != 0 && ((p->ip ^ raddr) & mask) == 0)
			src = p->ip;
	}
	if (src == 0)
		return NULL;
	/* A non-NULL owner: the stack tells the owner of a connection when it
	 * closes or is reset. */
	t->open_app = w->cur_app; /* attached at its first commit (tcp_glue.c) */
	t->open_client = 0;
	c = ns_tcp_connect(&t->stack, src, raddr, rport, 0, &ns_app_table[w->cur_app - 1],
			t->w->now_ns);
	if (c != NULL && t->open_app != 0) /* no replication hook committed it */
		ns_apps_attach(t, c, w->cur_app - 1, 0);
	t->open_app = 0;
	if (c == NULL)
		return NULL;
	return &t->appc[c->id];
}

void
ns_app_log(enum ns_app_log_level level, const char *fmt, ...)
{
	static const uint32_t lv[] = {RTE_LOG_ERR, RTE_LOG_WARNING, RTE_LOG_INFO, RTE_LOG_DEBUG};
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rte_log(lv[(unsigned int)level < RTE_DIM(lv) ? level : NS_APP_LOG_DEBUG], ns_logtype_app,
			"nonstop: app: %s\n", buf);
}

void
ns_app_printf(struct ns_app_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ns_out_vprintf((struct ns_out *)o, fmt, ap);
	va_end(ap);
}

/* --- shared state: journal and snapshot --------------------------------------- */

int
ns_app_journal(struct ns_app_conn *a, const void *rec, uint32_t len)
{
	struct ns_app_worker *w = &a->t->aw;
	const struct ns_tcb *c = tcb_of(a);

	if (!usable(a) || len > NS_APP_JOURNAL_MAX)
		return -1;
	if (ns_tcp_hooks.journal == NULL)
		return 0;
	w->journaled = true;
	return ns_tcp_hooks.journal(a->t->w, a->id, (uint16_t)(a->app - 1), c->rcvq.head, rec, len);
}

int
ns_app_journal_worker(struct ns_app_worker *w, const void *rec, uint32_t len)
{
	if (len > NS_APP_JOURNAL_MAX)
		return -1;
	if (ns_tcp_hooks.journal == NULL)
		return 0;
	return ns_tcp_hooks.journal(
			w->t->w, NS_REPL_CONN_NONE, (uint16_t)(w->cur_app - 1), 0, rec, len);
}

bool
ns_app_standby(const struct ns_app_worker *w)
{
	(void)w;
	return ns_tcp_hooks.clients_wait != NULL && ns_tcp_hooks.clients_wait();
}

/* Frames a snapshot leaves to the connections' own events. */
#define SNAP_RESERVE 16
/* A poll's share of a snapshot: the records (and their frames, sealed and
 * sent) cost about 2.5 ms a megabyte, and the loop must come round well
 * within the failover time.  A keyspace of 10 MB takes some 160 polls. */
#define SNAP_POLL_BYTES (64u << 10)

int
ns_app_snapshot_record(struct ns_app_worker *w, const void *rec, uint32_t len)
{
	if (len > NS_APP_JOURNAL_MAX || ns_tcp_hooks.journal == NULL)
		return -1;
	if (ns_tcp_hooks.room(w->t->w) < SNAP_RESERVE + len / 1024)
		return -1;
	if (len > w->snap_left && w->snap_left != SNAP_POLL_BYTES)
		return -1; /* this poll's share is written: the rest next poll */
	w->snap_left = len > w->snap_left ? 0 : w->snap_left - len;
	return ns_tcp_hooks.journal(
			w->t->w, NS_REPL_CONN_NONE, (uint16_t)(w->cur_app - 1), 0, rec, len);
}

bool
ns_apps_snapshot(struct ns_tcp_w *t, uint64_t *cursor)
{
	struct ns_app_worker *w = &t->aw;

	if (*cursor == 0) { /* a new bulk sync */
		w->snap_app = 0;
		w->snap_cursor = 0;
		*cursor = 1;
	}
	w->snap_left = SNAP_POLL_BYTES;
	while (w->snap_app < ns_n_apps) {
		const struct ns_app_ops *ops = ns_app_table[w->snap_app].ops;
		bool done = true;

		if (ops->snapshot != NULL)
			CALL_RET(done, w, w->snap_app + 1, snapshot, w, &w->snap_cursor);
		if (!done)
			return false;
		w->snap_app++;
		w->snap_cursor = 0;
	}
	return true;
}

/* The shadow's receive head is the active's consumption, as imaged. */
static bool
jq_covered(void *arg, uint32_t conn, uint32_t pos)
{
	struct ns_tcp_w *t = arg;
	const struct ns_tcb *c = &t->stack.pool[conn];

	return c->state != NS_TCP_CLOSED && (int32_t)(c->rcvq.head - pos) >= 0;
}

static void
jq_apply(void *arg, uint16_t app_idx, const uint8_t *rec, uint32_t len)
{
	struct ns_tcp_w *t = arg;

	if (app_idx < ns_n_apps && ns_app_table[app_idx].ops->journal_apply != NULL)
		CALL(&t->aw, app_idx + 1u, journal_apply, &t->aw, rec, len);
}

static void
jq_drain(struct ns_tcp_w *t)
{
	ns_repl_jq_drain(&t->aw.jq, jq_covered, jq_apply, t);
}

void
ns_apps_journal_in(struct ns_tcp_w *t, uint32_t conn, uint16_t app_idx, uint8_t flags, uint32_t pos,
		const uint8_t *p, uint32_t len)
{
	struct ns_repl_jq *q = &t->aw.jq;
	uint64_t full = q->full;
	bool was_empty = ns_repl_jq_empty(q);

	if (ns_repl_jq_piece(q, conn, app_idx, flags, pos, p, len) < 0 && q->full != full) {
		/* The shared state lost a change: not a standby to take over with. */
		NS_LOG(ERR,
				"worker %u: %u bytes of journal records wait on the backup "
				"applications: one dropped, joining the active again",
				t->w->idx, q->size);
		if (ns_tcp_hooks.resync != NULL)
			ns_tcp_hooks.resync(t->w);
		return;
	}
	/* Alone in the queue, a record of no connection (a snapshot's) applies now;
	 * the others wait for the image that covers them (ns_apps_backup). */
	if (was_empty && conn == NS_REPL_CONN_NONE && (flags & NS_REPL_JF_LAST))
		jq_drain(t);
}

void
ns_apps_shared_reset(struct ns_tcp_w *t)
{
	struct ns_app_worker *w = &t->aw;

	ns_repl_jq_reset(&w->jq);
	for (uint32_t i = 0; i < ns_n_apps; i++)
		if (ns_app_table[i].ops->shared_reset != NULL)
			CALL(w, i + 1, shared_reset, w);
}

void
ns_apps_settle(struct ns_tcp_w *t)
{
	if (!ns_repl_jq_empty(&t->aw.jq))
		ns_repl_jq_settle(&t->aw.jq, jq_covered, jq_apply, t);
}
