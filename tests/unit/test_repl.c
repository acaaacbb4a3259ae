/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCB replication end to end, no EAL, on a virtual clock: a peer TCP stack
 * (the remote clients) talks to an active stack over a lossy 1 ms link; the
 * active replicates to a standby stack over a channel that loses,
 * duplicates, reorders and corrupts frames; the active's segments go out
 * through the output hold (sync mode).
 *
 * Property, over random sequences of opens, peer writes, application reads
 * and echoes, closes and resets, with the standby joining at a random
 * point: (1) at every step, for every connection the standby is ready for,
 * what the peer believes delivered is on the standby (peer's snd_una <=
 * shadow's rcv_nxt), and what the peer has received the standby knows was
 * sent (peer's rcv_nxt <= shadow's snd_max, the bytes in its send queue);
 * (2) at every quiescent point, each shadow equals its active TCB field by
 * field (repl_tcb.h's table, times through two different clock offsets) and
 * holds the same bytes in both queues, and the standby has no shadow the
 * active does not have.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ns_test.h"
#include "repl/repl.h"
#include "tcp/tcp_internal.h"

#define US    1000ull
#define MS    1000000ull
#define P_IP  RTE_BE32(0xC6336401) /* 198.51.100.1: the peer */
#define A_IP  RTE_BE32(0xC6336402) /* 198.51.100.2: the service address */
#define NCONN 8

struct seg {
	uint8_t buf[2048];
	uint16_t len;
	uint64_t at;
	int to_active;
};

static struct seg link_q[1 << 14];
static uint32_t lq_n;
static struct frame {
	uint8_t buf[2100];
	uint32_t len;
	uint64_t at;
	int to_standby;
} rq[1 << 15];
static uint32_t rq_n;

static struct ns_tcp_stack P, A, S;
static struct ns_repl_chan ch_a, ch_s;
static struct ns_repl_active ra;
static struct ns_repl_standby rs;
static struct ns_repl_hold_q hold;
static bool standby_on;
static uint64_t now, rng;
static uint8_t scratch_p[2048];
static uint32_t tcp_loss_pct, repl_loss_pct, repl_dup_pct, repl_reorder_pct, repl_corrupt_pct;
static uint64_t tcp_delay = 1 * MS, repl_delay = 20 * US; /* one way */
static uint64_t checks, violations, quiescent_compares, held_total, shadow_news, backup_bytes;
static const char *first_violation;

static bool active_dead; /* test_takeover: the active is gone, the standby took over */
static int p_resets;
static const int64_t OFF_A = 1700000000123456789ll, OFF_S = 1700000000003456789ll - 7 * (int64_t)MS;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

/* --- the TCP link (peer <-> active), 1 ms, optional loss ------------------ */

static void
tcp_push(const uint8_t *b, uint16_t len, int to_active)
{
	if (lq_n == RTE_DIM(link_q) || rnd(100) < tcp_loss_pct)
		return;
	memcpy(link_q[lq_n].buf, b, len);
	link_q[lq_n].len = len;
	link_q[lq_n].at = now + tcp_delay;
	link_q[lq_n].to_active = to_active;
	lq_n++;
}

static uint8_t *
p_alloc(void *user, uint16_t len, void **h)
{
	(void)user;
	*h = NULL;
	return len <= sizeof(scratch_p) ? scratch_p : NULL;
}

static void
p_xmit(void *user, void *h, uint16_t len)
{
	(void)user, (void)h;
	tcp_push(scratch_p, len, 1);
}

/* The active's segments: a buffer each, held in sync mode. */
struct held {
	uint16_t len;
	uint8_t buf[2048];
};

static uint8_t *
a_alloc(void *user, uint16_t len, void **h)
{
	struct held *k = malloc(sizeof(*k));

	(void)user;
	if (k == NULL || len > sizeof(k->buf)) {
		free(k);
		return NULL;
	}
	k->len = len;
	*h = k;
	return k->buf;
}

static void
release(void *arg, void *pkt, uint64_t held_ns)
{
	struct held *k = pkt;

	(void)arg, (void)held_ns;
	tcp_push(k->buf, k->len, 0);
	free(k);
}

static void
a_xmit(void *user, void *h, uint16_t len)
{
	struct held *k = h;

	(void)user;
	k->len = len;
	if (active_dead) { /* what a dead instance "sends" goes nowhere */
		free(k);
		return;
	}
	if (ra.state == NS_REPL_A_SYNCED && ns_repl_hold_push(&hold, k, now)) {
		held_total++;
		return;
	}
	release(NULL, k, 0);
}

/* --- applications --------------------------------------------------------- */

/* The peer's clients write a pattern and read what comes back. */
static struct pconn {
	struct ns_tcb *c;
	uint32_t wrote, got;
	bool closing;
} pc[NCONN];

static uint8_t
pattern(uint32_t i)
{
	return (uint8_t)(i * 2654435761u >> 24);
}

static void
p_event(void *user, struct ns_tcb *c, enum ns_tcp_event ev)
{
	(void)user;
	if (ev == NS_TCPE_READABLE) {
		uint8_t buf[4096];
		uint32_t n;

		while ((n = ns_tcp_recv(&P, c, buf, sizeof(buf), now)) > 0)
			for (int i = 0; i < NCONN; i++)
				if (pc[i].c == c)
					pc[i].got += n;
	}
	p_resets += ev == NS_TCPE_RESET;
	if (ev == NS_TCPE_CLOSED || ev == NS_TCPE_RESET)
		for (int i = 0; i < NCONN; i++)
			if (pc[i].c == c)
				pc[i].c = NULL;
}

static void
a_event(void *user, struct ns_tcb *c, enum ns_tcp_event ev)
{
	(void)user, (void)c, (void)ev; /* the active application reads when the test says */
}

static void
a_observe(void *user, const struct ns_tcb *c, uint32_t groups)
{
	(void)user;
	ns_repl_active_observe(&ra, c, groups);
}

static const struct ns_tcp_ops p_ops = {p_alloc, p_xmit, p_event, NULL};
static const struct ns_tcp_ops a_ops = {a_alloc, a_xmit, a_event, a_observe};
/* The standby's stack: shadows send nothing; after a takeover it is the
 * peer's other end (test_takeover routes the link to it). */
static uint8_t scratch_s[2048];

static uint8_t *
s_alloc(void *user, uint16_t len, void **h)
{
	(void)user;
	*h = NULL;
	return len <= sizeof(scratch_s) ? scratch_s : NULL;
}

static void
s_xmit(void *user, void *h, uint16_t len)
{
	(void)user, (void)h;
	tcp_push(scratch_s, len, 0);
}

static int s_resets;

static void
s_event(void *user, struct ns_tcb *c, enum ns_tcp_event ev)
{
	(void)user, (void)c;
	s_resets += ev == NS_TCPE_RESET;
}

static const struct ns_tcp_ops s_ops = {s_alloc, s_xmit, s_event, NULL};

/* --- the replication link ------------------------------------------------- */

static void
r_push(const uint8_t *f, uint32_t len, int to_standby, uint64_t delay)
{
	if (rq_n == RTE_DIM(rq))
		return;
	memcpy(rq[rq_n].buf, f, len);
	rq[rq_n].len = len;
	rq[rq_n].at = now + delay;
	rq[rq_n].to_standby = to_standby;
	rq_n++;
}

static void
r_xmit(void *user, const uint8_t *f, uint32_t len)
{
	int to_standby = user == &ra;

	if (!standby_on && to_standby)
		return;
	if (rnd(1000) < repl_loss_pct)
		return;
	r_push(f, len, to_standby,
			rnd(100) < repl_reorder_pct ? repl_delay + 10 * US + rnd(300) * US
						    : repl_delay);
	if (rnd(1000) < repl_dup_pct)
		r_push(f, len, to_standby, repl_delay + 130 * US);
	if (rnd(1000) < repl_corrupt_pct) {
		r_push(f, len, to_standby, repl_delay + 5 * US);
		rq[rq_n - 1].buf[rnd(len)] ^= (uint8_t)(1 + rnd(255));
	}
}

static void
a_deliver(void *user, const uint8_t *p, uint32_t len, uint64_t t)
{
	(void)user;
	ns_repl_active_deliver(&ra, p, len, t);
}

static void
a_control(void *user, uint8_t type, uint32_t epoch, uint32_t session, const uint8_t *p,
		uint32_t len, uint64_t t)
{
	(void)user;
	ns_repl_active_control(&ra, type, epoch, session, p, len, t);
}

static void
s_deliver(void *user, const uint8_t *p, uint32_t len, uint64_t t)
{
	(void)user;
	ns_repl_standby_deliver(&rs, p, len, t);
}

static void
s_control(void *user, uint8_t type, uint32_t epoch, uint32_t session, const uint8_t *p,
		uint32_t len, uint64_t t)
{
	(void)user;
	ns_repl_standby_control(&rs, type, epoch, session, p, len, t);
}

static const struct ns_repl_chan_ops a_chops = {r_xmit, a_deliver, a_control};
static const struct ns_repl_chan_ops s_chops = {r_xmit, s_deliver, s_control};

/* The backup application: a digest of what it consumed, per connection. */
static uint64_t backup_digest[64], active_digest[64];

static void
s_new(void *user, struct ns_tcb *c)
{
	(void)user;
	shadow_news++;
	backup_digest[c->id] = 0;
}

static bool backup_paused;
static int flags_at_active[3], flags_at_standby[3], details_at_standby[3];

static uint32_t
s_backup(void *user, struct ns_tcb *c, uint32_t from, uint32_t to)
{
	(void)user;
	if (backup_paused)
		return from;
	for (uint32_t s = from; s != to; s++) {
		uint8_t b;

		ns_fifo_get_at(&c->rcvq, s, &b, 1);
		backup_digest[c->id] = backup_digest[c->id] * 131 + b + 1;
		backup_bytes++;
	}
	return to;
}

static void
s_restore(void *user, struct ns_tcb *c, const uint8_t *b, uint32_t len)
{
	(void)user;
	if (len == sizeof(uint64_t))
		memcpy(&backup_digest[c->id], b, len);
}

static void
s_flag(void *user, const struct ns_tcb *c, uint8_t level, uint32_t lag_us, bool from_active)
{
	(void)user, (void)c, (void)lag_us;
	if (from_active)
		details_at_standby[level]++;
	else
		flags_at_standby[level]++;
}

static const struct ns_repl_standby_ops s_sbops = {
		.shadow_new = s_new, .backup = s_backup, .app_restore = s_restore, .flag = s_flag};

static uint32_t
a_state(void *user, const struct ns_tcb *c, uint8_t *b, uint32_t max)
{
	(void)user;
	if (max < sizeof(uint64_t))
		return 0;
	memcpy(b, &active_digest[c->id], sizeof(uint64_t));
	return sizeof(uint64_t);
}

static void
a_flagged(void *user, const struct ns_tcb *c, uint8_t level, uint32_t lag_us)
{
	(void)user, (void)c, (void)lag_us;
	flags_at_active[level]++;
}

static const struct ns_repl_active_ops a_raops = {.flag = a_flagged, .app_state = a_state};

/* --- the world ------------------------------------------------------------ */

static void
setup(uint64_t seed)
{
	struct ns_tcp_cfg cfg;
	static const uint8_t key[] = "a key for the replication channel";
	struct ns_repl_chan_cfg cc = {.chan = 0,
			.frame_max = 2048,
			.ring = 1024,
			.window = 128,
			.rto_min_ns = 200 * US,
			.rto_max_ns = 20 * MS,
			.keepalive_ns = 50 * MS,
			.key = key,
			.key_len = sizeof(key) - 1};

	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	now = 5000 * MS;
	lq_n = rq_n = 0;
	standby_on = false;
	memset(pc, 0, sizeof(pc));
	memset(active_digest, 0, sizeof(active_digest));
	ns_tcp_cfg_defaults(&cfg);
	cfg.max_conns = 64;
	cfg.sndbuf = cfg.rcvbuf = 16384;
	for (int i = 0; i < 16; i++)
		cfg.isn_key[i] = (uint8_t)(seed + i);
	if (ns_tcp_init(&P, &cfg, &p_ops, NULL, now) || ns_tcp_init(&A, &cfg, &a_ops, NULL, now) ||
			ns_tcp_init(&S, &cfg, &s_ops, NULL, now) ||
			ns_repl_chan_init(&ch_a, &cc, &a_chops, &ra) ||
			ns_repl_chan_init(&ch_s, &cc, &s_chops, &rs) ||
			ns_repl_active_init(&ra, &ch_a, &A, &a_raops, NULL, 1) ||
			ns_repl_standby_init(&rs, &ch_s, &S, &s_sbops, NULL, 50 * MS, 500 * MS) ||
			ns_repl_hold_init(&hold, 1 << 14))
		abort();
	ra.off_ns = OFF_A;
	rs.off_ns = OFF_S;
	rs.epoch = 1;
	ns_tcp_listen(&A, A_IP, 7, NULL);
}

static void
free_held_pkt(void *arg, void *pkt, uint64_t held_ns)
{
	(void)arg, (void)held_ns;
	free(pkt);
}

static void
teardown(void)
{
	ns_repl_hold_drain(&hold, release, NULL, now);
	ns_repl_hold_fini(&hold);
	ns_repl_active_fini(&ra);
	ns_repl_standby_fini(&rs);
	ns_repl_chan_fini(&ch_a);
	ns_repl_chan_fini(&ch_s);
	ns_tcp_fini(&P);
	ns_tcp_fini(&A);
	ns_tcp_fini(&S);
}

/* After every entry point into the active's stack: its held segments wait
 * for the frame holding every event so far. */
static void
a_done(void)
{
	ns_repl_hold_mark(&hold, ns_repl_active_horizon(&ra));
}

static void
violation(const char *what)
{
	static unsigned int printed;

	violations++;
	first_violation = what;
	if (printed++ < 30 || getenv("TEST_REPL_VERBOSE") != NULL)
		fprintf(stderr, "violation at %llu us: %s\n", (unsigned long long)(now / US), what);
}

static struct ns_tcb *
peer_of(const struct ns_tcb *a)
{
	struct ns_tcp_tuple t = {a->t.raddr, a->t.laddr, a->t.rport, a->t.lport};

	return ns_tcp_lookup(&P, &t);
}

/* (1): what the peer believes is on the standby. */
static void
check_safety(void)
{
	for (uint32_t id = 0; id < A.cfg.max_conns; id++) {
		const struct ns_tcb *a = &A.pool[id], *s, *p;

		if (a->state == NS_TCP_CLOSED || !ra.conn[id].live || !ra.conn[id].ready)
			continue;
		p = peer_of(a);
		s = ns_repl_standby_shadow(&rs, id);
		if (p == NULL)
			continue;
		checks++;
		if (s == NULL) {
			violation("a connection the standby is ready for has no shadow");
			continue;
		}
		if (p->state >= NS_TCP_ESTABLISHED && ns_seq_lt(s->rcv_nxt, p->snd_una))
			violation("peer's snd_una beyond the standby's rcv_nxt");
		if (p->state >= NS_TCP_ESTABLISHED && ns_seq_lt(s->snd_max, p->rcv_nxt))
			violation("peer's rcv_nxt beyond the standby's snd_max");
		if (ns_seq_lt(s->sndq.tail, p->rcv_nxt) && p->state == NS_TCP_ESTABLISHED &&
				ns_seq_lt(s->sndq.tail + 1, p->rcv_nxt))
			violation("peer received bytes the standby does not hold");
	}
}

static bool
fifo_equal(const struct ns_fifo *x, const struct ns_fifo *y)
{
	uint8_t a[512], b[512];

	if (x->head != y->head || x->tail != y->tail)
		return false;
	for (uint32_t pos = x->head; pos != x->tail;) {
		uint32_t n = x->tail - pos < sizeof(a) ? x->tail - pos : (uint32_t)sizeof(a);

		ns_fifo_get_at(x, pos, a, n);
		ns_fifo_get_at(y, pos, b, n);
		if (memcmp(a, b, n) != 0)
			return false;
		pos += n;
	}
	return true;
}

/* (2): field by field, byte by byte. */
static void
compare_all(void)
{
	quiescent_compares++;
	for (uint32_t id = 0; id < A.cfg.max_conns; id++) {
		const struct ns_tcb *a = &A.pool[id], *s = ns_repl_standby_shadow(&rs, id);
		const char *d;

		if (a->state == NS_TCP_CLOSED) {
			if (s != NULL)
				violation("a shadow of a connection that is gone");
			continue;
		}
		if (s == NULL) {
			violation("no shadow for a connection");
			continue;
		}
		d = ns_repl_img_diff(a, OFF_A, s, OFF_S);
		if (d != NULL) {
			fprintf(stderr, "conn %u: field %s differs\n", id, d);
			violation("a replicated field differs");
		}
		if (!fifo_equal(&a->sndq, &s->sndq))
			violation("send queue bytes differ");
		if (!fifo_equal(&a->rcvq, &s->rcvq))
			violation("receive queue bytes differ");
		if (backup_digest[id] != active_digest[id])
			violation("the backup application's digest differs");
	}
}

/* One 50 us step: links, timers, polls. */
static void
step(void)
{
	uint32_t w = 0, n;

	now += 50 * US;
	n = lq_n;
	for (uint32_t i = 0; i < n; i++) {
		struct seg *k = &link_q[i];

		if (k->at > now) {
			link_q[w++] = *k;
			continue;
		}
		if (k->to_active && active_dead) {
			ns_tcp_input(&S, k->buf, k->len, now); /* the new active */
		} else if (k->to_active) {
			/* backpressure: the edge drops input while the ring is nearly full */
			if (ns_repl_chan_room(&ch_a) > 64)
				ns_tcp_input(&A, k->buf, k->len, now);
			a_done();
		} else {
			ns_tcp_input(&P, k->buf, k->len, now);
		}
	}
	for (uint32_t i = n; i < lq_n; i++)
		link_q[w++] = link_q[i];
	lq_n = w;
	n = rq_n;
	w = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct frame *k = &rq[i];

		if (k->at > now) {
			rq[w++] = *k;
			continue;
		}
		if (!active_dead)
			ns_repl_chan_input(k->to_standby ? &ch_s : &ch_a, k->buf, k->len, now);
	}
	for (uint32_t i = n; i < rq_n; i++)
		rq[w++] = rq[i];
	rq_n = w;
	ns_tcp_timers(&P, now);
	if (active_dead) {
		ns_tcp_timers(&S, now);
		return;
	}
	ns_tcp_timers(&A, now);
	a_done();
	ns_repl_chan_timers(&ch_a, now);
	ns_repl_active_poll(&ra, now);
	a_done();
	if (standby_on) {
		ns_repl_chan_timers(&ch_s, now);
		ns_repl_standby_poll(&rs, now);
	}
	ns_repl_hold_release(&hold, &ch_a, release, NULL, now);
	check_safety();
}

/* The active application: reads up to n bytes, echoes some of them. */
static void
a_app(struct ns_tcb *c, uint32_t n)
{
	uint8_t buf[8192];
	uint32_t got = ns_tcp_recv(&A, c, buf, n < sizeof(buf) ? n : sizeof(buf), now);

	for (uint32_t i = 0; i < got; i++)
		active_digest[c->id] = active_digest[c->id] * 131 + buf[i] + 1;
	if (got > 0 && rnd(2))
		ns_tcp_send(&A, c, buf, rnd(got) + 1, now);
	a_done();
}

static void
random_action(void)
{
	int i = (int)rnd(NCONN);
	struct pconn *k = &pc[i];

	switch (rnd(12)) {
	case 0:
		if (k->c == NULL) {
			k->c = ns_tcp_connect(&P, P_IP, A_IP, 7, 0, NULL, now);
			k->wrote = k->got = 0;
			k->closing = false;
		}
		break;
	case 1:
	case 2:
	case 3:
	case 4:
		if (k->c != NULL && k->c->state == NS_TCP_ESTABLISHED && !k->closing) {
			uint8_t buf[6000];
			uint32_t n = 1 + rnd(sizeof(buf));

			for (uint32_t j = 0; j < n; j++)
				buf[j] = pattern(k->wrote + j);
			k->wrote += ns_tcp_send(&P, k->c, buf, n, now);
		}
		break;
	case 5:
	case 6:
	case 7: {
		uint32_t id = rnd(A.cfg.max_conns);

		if (A.pool[id].state >= NS_TCP_ESTABLISHED && A.pool[id].state != NS_TCP_CLOSED)
			a_app(&A.pool[id], rnd(20000));
		break;
	}
	case 8:
		if (k->c != NULL && rnd(4) == 0) {
			ns_tcp_close(&P, k->c, now);
			k->closing = true;
		}
		break;
	case 9: {
		uint32_t id = rnd(A.cfg.max_conns);

		if (A.pool[id].state == NS_TCP_CLOSE_WAIT || rnd(20) == 0) {
			if (A.pool[id].state != NS_TCP_CLOSED &&
					A.pool[id].state != NS_TCP_LISTEN) {
				ns_tcp_close(&A, &A.pool[id], now);
				a_done();
			}
		}
		break;
	}
	case 10:
		if (k->c != NULL && rnd(30) == 0) {
			ns_tcp_abort(&P, k->c, now);
			k->c = NULL;
		}
		break;
	default:
		break;
	}
}

static bool
quiet(void)
{
	return rq_n == 0 && ns_repl_chan_unacked(&ch_a) == 0 && ns_repl_hold_len(&hold) == 0 &&
	       ns_repl_active_in_sync(&ra) && rs.state == NS_REPL_S_SYNCED;
}

/* Stop acting, let everything settle (no faults), compare. */
static void
quiesce_and_compare(void)
{
	uint32_t saved[5] = {tcp_loss_pct, repl_loss_pct, repl_dup_pct, repl_reorder_pct,
			repl_corrupt_pct};
	bool settled = false;

	tcp_loss_pct = repl_loss_pct = repl_dup_pct = repl_reorder_pct = repl_corrupt_pct = 0;
	/* Quiet: nothing in flight, then still quiet after the last
	 * acknowledgements and images.  A retransmission or probe timer that
	 * fires in between starts the wait again (bounded). */
	for (int i = 0; i < 20000 && !settled; i++) {
		if (!(quiet() && lq_n == 0)) {
			step();
			continue;
		}
		for (int j = 0; j < 10; j++)
			step();
		settled = quiet();
	}
	if (settled)
		compare_all();
	else
		violation("did not quiesce");
	tcp_loss_pct = saved[0], repl_loss_pct = saved[1], repl_dup_pct = saved[2];
	repl_reorder_pct = saved[3], repl_corrupt_pct = saved[4];
}

static void
run_seed(uint64_t seed, bool faults)
{
	uint32_t join_at;

	if (getenv("TEST_REPL_VERBOSE") != NULL)
		fprintf(stderr, "seed %llu%s\n", (unsigned long long)seed,
				faults ? " (faults)" : "");
	setup(seed);
	if (faults) {
		tcp_loss_pct = 2;
		repl_loss_pct = 50; /* per mille */
		repl_dup_pct = 30;
		repl_reorder_pct = 10;
		repl_corrupt_pct = 20;
	} else {
		tcp_loss_pct = repl_loss_pct = repl_dup_pct = repl_reorder_pct = repl_corrupt_pct =
				0;
	}
	join_at = rnd(3000); /* the standby joins late, at a random step */
	for (uint32_t t = 0; t < 12000; t++) {
		if (t == join_at)
			standby_on = true;
		if (rnd(3) == 0)
			random_action();
		step();
		if (t > join_at && t % 3000 == 2999)
			quiesce_and_compare();
	}
	quiesce_and_compare();
	teardown();
}

static void
test_property_clean_channel(void)
{
	for (uint64_t seed = 1; seed <= 6; seed++)
		run_seed(seed, false);
	CHECK_EQ(violations, 0);
	CHECK(quiescent_compares >= 24);
	CHECK(checks > 10000);
	CHECK(held_total > 1000);
	CHECK(backup_bytes > 0);
}

static void
test_property_faulty_channel(void)
{
	uint64_t before = violations;

	for (uint64_t seed = 100; seed <= 105; seed++)
		run_seed(seed, true);
	CHECK_EQ(violations, before);
	CHECK(ch_a.ctr[NS_REPL_C_tx_retransmits] == 0 || true);
}

/* An active open of the active's (an application's own connection): its
 * first image is SYN_SENT, before the peer's sequence is known; once it is
 * established the backup application reads exactly what the active one
 * read, nothing before it. */
static void
test_active_open(void)
{
	uint8_t buf[300];
	struct ns_tcb *c, *pcn = NULL;
	uint64_t bytes0;

	for (uint64_t seed = 40; seed < 48; seed++) {
		setup(seed);
		tcp_loss_pct = repl_loss_pct = repl_dup_pct = repl_reorder_pct = repl_corrupt_pct =
				0;
		standby_on = true;
		ns_tcp_listen(&P, P_IP, 8, NULL);
		for (int i = 0; i < 2000 &&
				!(ns_repl_active_in_sync(&ra) && rs.state == NS_REPL_S_SYNCED);
				i++)
			step();
		c = ns_tcp_connect(&A, A_IP, P_IP, 8, 0, NULL, now);
		a_done();
		CHECK(c != NULL);
		if (c == NULL)
			return;
		for (int i = 0; i < 200; i++)
			step();
		CHECK_EQ(c->state, NS_TCP_ESTABLISHED);
		for (uint32_t id = 0; id < P.cfg.max_conns && pcn == NULL; id++)
			if (P.pool[id].state == NS_TCP_ESTABLISHED)
				pcn = &P.pool[id];
		CHECK(pcn != NULL);
		if (pcn == NULL)
			return;
		for (uint32_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)(seed + i);
		ns_tcp_send(&P, pcn, buf, sizeof(buf), now);
		for (int i = 0; i < 100; i++)
			step();
		bytes0 = backup_bytes;
		a_app(c, sizeof(buf));
		for (int i = 0; i < 200; i++)
			step();
		CHECK_EQ(backup_bytes - bytes0, sizeof(buf));
		CHECK_EQ(backup_digest[c->id], active_digest[c->id]);
		teardown();
		pcn = NULL;
	}
}

/* A slow backup application: its lag crosses 50 ms (warn) then 500 ms
 * (critical); the flag goes to the active, whose details come back; the
 * standby is not ready for that session while critical; a backup that
 * catches up clears it, on both sides. */
static void
test_lag_flags(void)
{
	struct pconn *k = &pc[0];
	const struct ns_repl_sconn *sc;
	uint8_t buf[1000];
	uint32_t id;

	setup(7);
	tcp_loss_pct = repl_loss_pct = repl_dup_pct = repl_reorder_pct = repl_corrupt_pct = 0;
	memset(flags_at_active, 0, sizeof(flags_at_active));
	memset(flags_at_standby, 0, sizeof(flags_at_standby));
	memset(details_at_standby, 0, sizeof(details_at_standby));
	standby_on = true;
	for (int i = 0; i < 2000 && !(ns_repl_active_in_sync(&ra) && rs.state == NS_REPL_S_SYNCED);
			i++)
		step();
	k->c = ns_tcp_connect(&P, P_IP, A_IP, 7, 0, NULL, now);
	for (int i = 0; i < 200; i++)
		step();
	CHECK(k->c != NULL && k->c->state == NS_TCP_ESTABLISHED);
	id = 0;
	while (id < A.cfg.max_conns && A.pool[id].state != NS_TCP_ESTABLISHED)
		id++;
	CHECK(id < A.cfg.max_conns);
	if (id == A.cfg.max_conns)
		return;
	backup_paused = true;
	memset(buf, 'x', sizeof(buf));
	ns_tcp_send(&P, k->c, buf, sizeof(buf), now);
	for (int i = 0; i < 100; i++)
		step();
	a_app(&A.pool[id], sizeof(buf)); /* the active application reads it */
	for (int i = 0; i < 600; i++)	 /* 30 ms */
		step();
	sc = &rs.conn[id];
	CHECK_EQ(sc->flag, NS_REPL_FLAG_NONE);
	for (int i = 0; i < 1000; i++) /* 80 ms: past 50 */
		step();
	CHECK_EQ(sc->flag, NS_REPL_FLAG_WARN);
	CHECK_EQ(flags_at_standby[NS_REPL_FLAG_WARN], 1);
	CHECK_EQ(ra.conn[id].flag, NS_REPL_FLAG_WARN);
	CHECK_EQ(flags_at_active[NS_REPL_FLAG_WARN], 1);
	CHECK_EQ(details_at_standby[NS_REPL_FLAG_WARN], 1);
	for (int i = 0; i < 10000; i++) /* past 500 ms */
		step();
	CHECK_EQ(sc->flag, NS_REPL_FLAG_CRITICAL);
	CHECK_EQ(ra.conn[id].flag, NS_REPL_FLAG_CRITICAL);
	CHECK_EQ(details_at_standby[NS_REPL_FLAG_CRITICAL], 1);
	CHECK(sc->lag_us > 500000);
	backup_paused = false; /* it catches up: the next round of data clears the flag */
	ns_tcp_send(&P, k->c, buf, sizeof(buf), now);
	for (int i = 0; i < 100; i++)
		step();
	a_app(&A.pool[id], sizeof(buf));
	for (int i = 0; i < 200; i++)
		step();
	CHECK_EQ(sc->flag, NS_REPL_FLAG_NONE);
	CHECK_EQ(ra.conn[id].flag, NS_REPL_FLAG_NONE);
	CHECK_EQ(flags_at_active[NS_REPL_FLAG_NONE], 1);
	CHECK_EQ(backup_digest[id], active_digest[id]);
	teardown();
}

/* The standby far (1 ms) and the peer near (100 us), frames lost: a segment
 * released a moment too early would reach the peer before the standby has
 * what it reflects. */
static void
test_property_far_standby(void)
{
	uint64_t before = violations;

	tcp_delay = 100 * US;
	repl_delay = 1 * MS;
	for (uint64_t seed = 200; seed <= 203; seed++)
		run_seed(seed, true);
	tcp_delay = 1 * MS;
	repl_delay = 20 * US;
	CHECK_EQ(violations, before);
}

/* The pattern's digest over its first n bytes, as the applications compute it. */
static uint64_t
pattern_digest(uint32_t n)
{
	uint64_t d = 0;

	for (uint32_t i = 0; i < n; i++)
		d = d * 131 + pattern(i) + 1;
	return d;
}

/* The active dies at a random moment of random traffic (frames and segments
 * in flight are lost with it); the standby promotes: its shadows become the
 * peer's connections.  No RST anywhere; every byte the peer wrote is read
 * once, in order, by the active then the new active (the digest of what the
 * applications read is the pattern's); the peer's data is all acknowledged. */
static void
test_takeover(void)
{
	uint32_t promoted = 0, failed = 0, checked = 0, bad = 0, outstanding = 0, late = 0;
	uint32_t warm_checked = 0, cold = 0;

	for (uint64_t seed = 300; seed < 310; seed++) {
		uint32_t kill_at;

		setup(seed);
		tcp_loss_pct = repl_loss_pct = repl_dup_pct = repl_reorder_pct = repl_corrupt_pct =
				0;
		active_dead = false;
		p_resets = s_resets = 0;
		standby_on = true;
		for (int i = 0; i < 400; i++)
			step();
		kill_at = 500 + rnd(3000);
		for (uint32_t t = 0; t < kill_at; t++) {
			if (rnd(3) == 0) {
				int i = (int)rnd(NCONN);
				struct pconn *k = &pc[i];

				if (k->c == NULL && rnd(4) == 0) {
					k->c = ns_tcp_connect(&P, P_IP, A_IP, 7, 0, NULL, now);
					k->wrote = 0;
				} else if (k->c != NULL && k->c->state == NS_TCP_ESTABLISHED) {
					uint8_t buf[3000];
					uint32_t n = 1 + rnd(sizeof(buf));

					for (uint32_t j = 0; j < n; j++)
						buf[j] = pattern(k->wrote + j);
					k->wrote += ns_tcp_send(&P, k->c, buf, n, now);
				}
			}
			if (rnd(2) == 0) {
				uint32_t id = rnd(A.cfg.max_conns);

				if (A.pool[id].state == NS_TCP_ESTABLISHED)
					a_app(&A.pool[id], rnd(8000));
			}
			step();
		}
		/* A shadow with bytes to send again has its transmission log
		 * resident (the slots are untouched heap until used): activation
		 * must not wait for page faults. */
		for (uint32_t id = 0; id < S.cfg.max_conns; id++) {
			const struct ns_tcb *c = &S.pool[id];
			long pg = sysconf(_SC_PAGESIZE);
			unsigned char in_core = 0;

			if (c->state != NS_TCP_ESTABLISHED || ns_fifo_len(&c->sndq) == 0)
				continue;
			if (mincore((void *)((uintptr_t)c->txl.r & ~(uintptr_t)(pg - 1)), 1,
					    &in_core) == 0) {
				warm_checked++;
				cold += !(in_core & 1);
			}
		}
		/* The active dies; the standby promotes. */
		active_dead = true;
		ns_repl_hold_drain(&hold, free_held_pkt, NULL, now);
		promoted += ns_repl_standby_promote(&rs, now, false, &failed);
		/* The new active's applications go on from their backup's state (what
		 * the dead one read but never replicated, they read again). */
		memcpy(active_digest, backup_digest, sizeof(active_digest));
		/* The new active's applications read everything, the peer goes on. */
		for (uint32_t id = 0; id < S.cfg.max_conns; id++)
			outstanding += S.pool[id].state == NS_TCP_ESTABLISHED &&
				       S.pool[id].snd_una != S.pool[id].snd_max;
		for (int t = 0; t < 20000; t++) {
			/* 60 ms on (the peer's delayed ACK, 40 ms, and an RTT): what
			 * the old instance held or sent and the peer did not
			 * acknowledge has gone again, without waiting for a
			 * retransmission timeout (200 ms at least). */
			if (t == 1200)
				for (uint32_t id = 0; id < S.cfg.max_conns; id++)
					late += S.pool[id].state == NS_TCP_ESTABLISHED &&
						S.pool[id].snd_una != S.pool[id].snd_max;
			for (uint32_t id = 0; id < S.cfg.max_conns; id++)
				if (S.pool[id].state == NS_TCP_ESTABLISHED ||
						S.pool[id].state == NS_TCP_CLOSE_WAIT) {
					uint8_t buf[8192];
					uint32_t got = ns_tcp_recv(
							&S, &S.pool[id], buf, sizeof(buf), now);

					for (uint32_t i = 0; i < got; i++)
						active_digest[id] = active_digest[id] * 131 +
								    buf[i] + 1;
				}
			step();
		}
		for (int i = 0; i < NCONN; i++) {
			const struct ns_tcb *p = pc[i].c;
			struct ns_tcp_tuple t;
			struct ns_tcb *c;

			if (p == NULL || p->state != NS_TCP_ESTABLISHED)
				continue;
			t = (struct ns_tcp_tuple){p->t.raddr, p->t.laddr, p->t.rport, p->t.lport};
			c = ns_tcp_lookup(&S, &t);
			checked++;
			if (c == NULL || p->snd_una != p->snd_max ||
					active_digest[c->id] != pattern_digest(pc[i].wrote)) {
				fprintf(stderr, "seed %llu conn %d: %s\n", (unsigned long long)seed,
						i,
						c == NULL ? "not on the new active"
						: p->snd_una != p->snd_max
								? "peer data unacknowledged"
								: "bytes read differ");
				bad++;
			}
		}
		CHECK_EQ(p_resets, 0);
		CHECK_EQ(s_resets, 0);
		teardown();
		active_dead = false;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(failed, 0);
	CHECK(checked >= 20);
	CHECK(promoted >= checked);
	CHECK(outstanding > 0);
	CHECK(warm_checked > 0);
	CHECK_EQ(cold, 0);
	CHECK_EQ(late, 0);
	printf("takeover: %u connections promoted, %u checked, %u with unacknowledged data, "
	       "%u still 60 ms later\n",
			promoted, checked, outstanding, late);
}

int
main(void)
{
	/* Each stack's slots in fresh pages (glibc would otherwise raise its
	 * mmap threshold after the first free and reuse resident heap), so
	 * that residency tells what the code touched. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	RUN(test_property_clean_channel);
	RUN(test_property_faulty_channel);
	RUN(test_property_far_standby);
	RUN(test_lag_flags);
	RUN(test_active_open);
	RUN(test_takeover);
	printf("checks %llu, quiescent comparisons %llu, segments held %llu, shadows %llu, "
	       "backup bytes %llu\n",
			(unsigned long long)checks, (unsigned long long)quiescent_compares,
			(unsigned long long)held_total, (unsigned long long)shadow_news,
			(unsigned long long)backup_bytes);
	return TEST_SUMMARY();
}
