/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HA role machine under faults, on a virtual clock: two nodes (each a
 * TCP stack running an echo service, and an ns_ha_node), their replication
 * link, and a peer TCP stack whose clients stream a pattern through the echo.
 * The service path is a hub: both nodes receive what the peer sends (the
 * harder case: a stale node hears everything).  A random schedule of faults
 * runs against them: pauses (1 ms .. 2 s, as SIGSTOP) of either node, kill -9
 * and restart (role auto) of either, cuts and loss of the replication link,
 * loss on the service path, planned switchovers; then a quiet period.
 *
 * Checked at every transmission and every step (safety):
 *   S1 no node sends a segment of a connection after a node of a newer epoch
 *      has sent one of it (two instances never answer for one connection);
 *   S2 the node that sends a segment of a connection holds everything the
 *      peer believes delivered (peer's snd_una <= its rcv_nxt) and knows
 *      what the peer received (peer's rcv_nxt <= its snd_max);
 *   S3 every byte the peer gets back is the byte it sent there;
 *   S4 the peer never sees a RST, unless the schedule lost the state (both
 *      copies: a kill while the other node could not take over);
 *   S5 takeovers never outnumber the faults that lasted longer than the
 *      failover time (plus the switchovers).
 * At the end (liveness, when no kill was beyond what the design survives):
 * every connection echoed every byte, one node is the active and the other
 * a ready standby.
 *
 * Usage: test_ha_sim [schedules] [seed] [--no-lease] [-v].  --no-lease
 * turns the node's lease and validity checks off: the run must then find
 * violations (the checks are what keeps it safe).
 */
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include "repl/ha_node.h"
#include "tcp/tcp_internal.h"

#define US    1000ull
#define MS    1000000ull
#define P_IP  RTE_BE32(0xC6336401) /* 198.51.100.1: the peer */
#define S_IP  RTE_BE32(0xC6336402) /* 198.51.100.2: the service address */
#define NCONN 3
#define QCAP  2048 /* frames in flight per link direction */
#define RXCAP 512  /* a node's receive ring per port (what waits while it is paused) */
#define FRAME 1600
#define BURST 8

#define FAILOVER (30 * MS)
#define LOST	 (200 * MS)

struct msg {
	uint64_t at;
	uint16_t len;
	uint8_t repl; /* a replication frame (else an IPv4 packet) */
	uint8_t buf[FRAME];
};

/* A FIFO of messages with non-decreasing delivery times (constant delay). */
struct fifo {
	struct msg *m;
	uint32_t head, tail, cap;
};

static bool
fifo_push(struct fifo *q, uint64_t at, const uint8_t *b, uint32_t len, bool repl)
{
	struct msg *x;

	if (q->tail - q->head == q->cap || len > FRAME)
		return false;
	x = &q->m[q->tail++ % q->cap];
	x->at = at;
	x->len = (uint16_t)len;
	x->repl = repl;
	memcpy(x->buf, b, len);
	return true;
}

static struct msg *
fifo_peek(struct fifo *q)
{
	return q->head == q->tail ? NULL : &q->m[q->head % q->cap];
}

static void
fifo_init(struct fifo *q, uint32_t cap)
{
	q->m = calloc(cap, sizeof(*q->m));
	q->cap = cap;
	q->head = q->tail = 0;
	if (q->m == NULL)
		abort();
}

static uint64_t now, rng;
static uint64_t peer_tick, stop_writing;
static bool verbose, no_lease, trace;
static int trace_conn = -1;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

/* --- the world ---------------------------------------------------------------- */

struct held {
	uint16_t len;
	uint8_t buf[FRAME];
};

struct node {
	int idx;
	bool alive;
	bool inited;
	uint64_t paused_until, next_poll, restart_at;
	struct ns_tcp_stack tcp;
	struct ns_ha_node ha;
	bool svc_open, frozen;
	struct fifo rx_svc, rx_repl; /* arrived, not yet read */
	uint32_t ready[64], n_ready;
	uint8_t in_ready[64];
	int64_t wall_off;
	uint64_t takeovers_seen;
	/* The worker's CPU time: the loop runs between polls a few hundred
	 * microseconds apart; a longer gap ran only if the node was busy (work
	 * of its own held the loop) rather than paused (the host ran others). */
	uint64_t cpu_ns, sys_ns, last_poll_at;
	char held_msg[256]; /* the last hold's warning */
	bool busy;
};

static struct node N[2];
static struct ns_tcp_stack P;
static struct fifo to_peer, to_node[2], repl_to[2];
static uint64_t svc_delay = 300 * US, repl_delay = 40 * US;
static uint32_t svc_loss_pct, repl_loss_pct;
static bool repl_cut;

static struct pconn {
	struct ns_tcb *c;
	uint32_t wrote, got, goal;
	bool reset;
	uint64_t next_write;
} pc[NCONN];

/* Per schedule. */
static uint64_t violations, checks;
static uint32_t max_epoch_tx[NCONN];
static bool excused;	     /* the state was lost: liveness and RST checks waived */
static uint32_t long_faults; /* faults longer than the failover time, switchovers */
static const char *first_violation;
static uint64_t sched_no;

static void
violation(const char *what)
{
	violations++;
	if (first_violation == NULL)
		first_violation = what;
	if (verbose)
		fprintf(stderr, "schedule %llu: violation at %.3f ms: %s\n",
				(unsigned long long)sched_no, now / 1e6, what);
}

static uint8_t
pattern(int conn, uint32_t i)
{
	return (uint8_t)((i + (uint32_t)conn * 7919u) * 2654435761u >> 24);
}

static int
conn_of_port(uint16_t port_be)
{
	for (int i = 0; i < NCONN; i++)
		if (pc[i].c != NULL && pc[i].c->t.lport == port_be)
			return i;
	return -1;
}

/* --- the peer ------------------------------------------------------------------ */

static uint8_t p_scratch[FRAME];

static uint8_t *
p_alloc(void *user, uint16_t len, void **h)
{
	(void)user;
	*h = NULL;
	return len <= sizeof(p_scratch) ? p_scratch : NULL;
}

static void
p_xmit(void *user, void *h, uint16_t len)
{
	(void)user, (void)h;
	if (trace) {
		const struct rte_ipv4_hdr *ip = (const void *)p_scratch;
		const struct rte_tcp_hdr *th = (const void *)(ip + 1);

		if (conn_of_port(th->src_port) == trace_conn)
			fprintf(stderr, "  %.3f ms: peer -> seq %u ack %u len %u flags %x\n",
					now / 1e6,
					rte_be_to_cpu_32(th->sent_seq) - pc[trace_conn].c->iss,
					rte_be_to_cpu_32(th->recv_ack) - pc[trace_conn].c->irs,
					len - 20 - (th->data_off >> 4) * 4, th->tcp_flags);
	}
	/* A hub: both nodes hear it (each side may lose it). */
	for (int i = 0; i < 2; i++)
		if (rnd(100) >= svc_loss_pct)
			fifo_push(&to_node[i], now + svc_delay, p_scratch, len, false);
}

static void
p_event(void *user, struct ns_tcb *c, enum ns_tcp_event ev)
{
	(void)user;
	for (int i = 0; i < NCONN; i++) {
		if (pc[i].c != c)
			continue;
		if (ev == NS_TCPE_READABLE) {
			uint8_t buf[4096];
			uint32_t n;

			while ((n = ns_tcp_recv(&P, c, buf, sizeof(buf), now)) > 0) {
				for (uint32_t k = 0; k < n; k++)
					if (buf[k] != pattern(i, pc[i].got + k)) {
						violation("S3: the echo differs from what was "
							  "sent");
						break;
					}
				pc[i].got += n;
			}
		}
		if (ev == NS_TCPE_RESET) {
			pc[i].reset = true;
			if (!excused)
				violation("S4: the peer got a RST");
		}
		if (ev == NS_TCPE_RESET || ev == NS_TCPE_CLOSED)
			pc[i].c = NULL;
	}
}

static const struct ns_tcp_ops p_ops = {p_alloc, p_xmit, p_event, NULL};

/* --- the nodes' TCP stacks ------------------------------------------------------ */

/* Every segment a node puts on the wire: the safety checks, then the peer. */
static void
node_wire(struct node *n, const uint8_t *b, uint16_t len)
{
	const struct rte_ipv4_hdr *ip = (const void *)b;
	const struct rte_tcp_hdr *th = (const void *)(ip + 1);
	struct ns_tcp_tuple t = {ip->dst_addr, ip->src_addr, th->dst_port, th->src_port};
	struct ns_tcp_tuple nt = {ip->src_addr, ip->dst_addr, th->src_port, th->dst_port};
	const struct ns_tcb *p = ns_tcp_lookup(&P, &t);
	const struct ns_tcb *x = ns_tcp_lookup(&n->tcp, &nt);
	int k = conn_of_port(th->dst_port);

	checks++;
	/* A RST of a flow the sender does not hold is S4's business. */
	if (k >= 0 && x != NULL) {
		if ((int32_t)(n->ha.epoch - max_epoch_tx[k]) < 0)
			violation("S1: a node sends for a connection a newer epoch answers for");
		else
			max_epoch_tx[k] = n->ha.epoch;
	}
	if (p != NULL && x != NULL && p->state >= NS_TCP_ESTABLISHED &&
			x->state >= NS_TCP_ESTABLISHED) {
		if (ns_seq_lt(x->rcv_nxt, p->snd_una))
			violation("S2: the sender lacks bytes the peer believes delivered");
		if (ns_seq_lt(x->snd_max, p->rcv_nxt))
			violation("S2: the peer received bytes the sender does not know it sent");
	}
	if (trace && k == trace_conn)
		fprintf(stderr, "  %.3f ms: node %d -> seq %u ack %u len %u flags %x%s\n",
				now / 1e6, n->idx,
				rte_be_to_cpu_32(th->sent_seq) - (p ? p->irs : 0),
				rte_be_to_cpu_32(th->recv_ack) - (p ? p->iss : 0),
				len - 20 - (th->data_off >> 4) * 4, th->tcp_flags,
				svc_loss_pct ? " (lossy)" : "");
	if (rnd(100) >= svc_loss_pct)
		fifo_push(&to_peer, now + svc_delay, b, len, false);
}

static uint8_t *
n_alloc(void *user, uint16_t len, void **h)
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
n_xmit(void *user, void *h, uint16_t len)
{
	struct node *n = user;
	struct held *k = h;

	k->len = len;
	if (ns_ha_hold(&n->ha, k, n->tcp.xmit_conn, now))
		return;
	node_wire(n, k->buf, k->len);
	free(k);
}

static void
mark_ready(struct node *n, const struct ns_tcb *c)
{
	if (c->id < 64 && !n->in_ready[c->id]) {
		n->in_ready[c->id] = 1;
		n->ready[n->n_ready++] = c->id;
	}
}

static void
n_event(void *user, struct ns_tcb *c, enum ns_tcp_event ev)
{
	struct node *n = user;

	if (ev == NS_TCPE_ACCEPTED || ev == NS_TCPE_READABLE || ev == NS_TCPE_WRITABLE)
		mark_ready(n, c);
}

static void
n_observe(void *user, const struct ns_tcb *c, uint32_t groups)
{
	struct node *n = user;

	ns_ha_observe(&n->ha, c, groups);
}

static const struct ns_tcp_ops n_ops = {n_alloc, n_xmit, n_event, n_observe};

/* The echo: what can be sent back is read, in one step. */
static void
echo_run(struct node *n)
{
	uint32_t cnt = n->n_ready;

	n->n_ready = 0;
	for (uint32_t i = 0; i < cnt; i++) {
		struct ns_tcb *c = &n->tcp.pool[n->ready[i]];
		const uint8_t *d;
		uint8_t *w;
		uint32_t got, room;

		n->in_ready[n->ready[i]] = 0;
		if (c->state != NS_TCP_ESTABLISHED && c->state != NS_TCP_CLOSE_WAIT)
			continue;
		while ((got = ns_tcp_recv_peek(c, &d)) > 0 &&
				(room = ns_tcp_send_reserve(c, &w)) > 0) {
			uint32_t m = got < room ? got : room;

			memcpy(w, d, m);
			ns_tcp_send_commit(&n->tcp, c, m, now);
			ns_tcp_recv_consume(&n->tcp, c, m, now);
		}
	}
}

/* --- the nodes' HA ops ------------------------------------------------------------ */

static void
h_xmit(void *user, bool beat, const uint8_t *f, uint32_t len)
{
	struct node *n = user;
	int o = 1 - n->idx;

	if (beat) { /* on the service path: the hub */
		if (rnd(100) >= svc_loss_pct)
			fifo_push(&to_node[o], now + svc_delay, f, len, true);
		return;
	}
	if (repl_cut || rnd(100) < repl_loss_pct)
		return;
	fifo_push(&repl_to[o], now + repl_delay, f, len, true);
}

static void
h_send(void *user, void *pkt)
{
	struct held *k = pkt;

	node_wire(user, k->buf, k->len);
	free(k);
}

static void
h_free(void *user, void *pkt)
{
	(void)user;
	free(pkt);
}

static const uint8_t *
h_data(void *user, void *pkt, uint32_t *len, uint16_t *port)
{
	struct held *k = pkt;

	(void)user;
	*len = k->len;
	*port = 1;
	return k->buf;
}

static void *
h_make(void *user, uint16_t port, const uint8_t *d, uint32_t len)
{
	struct held *k;

	(void)user;
	if (port != 1 || len > FRAME || (k = malloc(sizeof(*k))) == NULL)
		return NULL;
	k->len = (uint16_t)len;
	memcpy(k->buf, d, len);
	return k;
}

static void
tcp_in(struct node *n, const uint8_t *b, uint16_t len)
{
	if (ns_ha_accept(&n->ha))
		ns_tcp_input(&n->tcp, b, len, now);
}

static void
h_inject(void *user, void *pkt)
{
	struct node *n = user;
	struct held *k = pkt;

	tcp_in(n, k->buf, k->len);
	free(k);
}

static void
h_service(void *user, bool open, bool frozen)
{
	struct node *n = user;

	n->svc_open = open;
	n->frozen = frozen;
}

static void
h_activated(void *user, struct ns_tcb *c)
{
	mark_ready(user, c);
}

static void
h_role(void *user, enum ns_ha_role role, uint32_t epoch)
{
	struct node *n = user;

	if (verbose)
		fprintf(stderr, "  %.3f ms: node %d: %s, epoch %u\n", now / 1e6, n->idx,
				ns_ha_role_name(role), epoch);
	if (ns_ha_role_is_standby(role)) {
		/* The ready list is dropped: so are the marks that keep a
		 * connection from being put on it again (after a later takeover). */
		for (uint32_t i = 0; i < n->n_ready; i++)
			n->in_ready[n->ready[i]] = 0;
		n->n_ready = 0;
	}
}

static void
h_log(void *user, enum ns_ha_log level, const char *msg)
{
	struct node *n = user;

	(void)level;
	if (strstr(msg, "loop was held") != NULL)
		snprintf(n->held_msg, sizeof(n->held_msg), "%s", msg);
	if (verbose)
		fprintf(stderr, "  %.3f ms: node %d: %s\n", now / 1e6, n->idx, msg);
}

static int64_t
h_wall(void *user)
{
	struct node *n = user;

	return n->wall_off;
}

static uint64_t
h_cpu(void *user)
{
	return ((struct node *)user)->cpu_ns;
}

static uint64_t
h_sys(void *user)
{
	return ((struct node *)user)->sys_ns;
}

static void
h_stage(void *user, char *buf, size_t len)
{
	snprintf(buf, len, "the busy stage of node %d", ((struct node *)user)->idx);
}

static const struct ns_ha_ops h_ops = {
		.xmit = h_xmit,
		.pkt_send = h_send,
		.pkt_free = h_free,
		.pkt_data = h_data,
		.pkt_make = h_make,
		.inject = h_inject,
		.service = h_service,
		.conn_activated = h_activated,
		.role = h_role,
		.log = h_log,
		.wall_offset = h_wall,
		.thread_cpu = h_cpu,
		.thread_sys = h_sys,
		.loop_stage = h_stage,
};

static const uint8_t key[] = "the replication key of the simulation";

static void
node_start(struct node *n, bool active)
{
	struct ns_tcp_cfg cfg;
	struct ns_ha_cfg k = {
			.chan = {.chan = 0,
					.frame_max = 1500,
					.ring = 256,
					.window = 128,
					.rto_min_ns = 2 * MS,
					.rto_max_ns = 50 * MS,
					.key = key,
					.key_len = sizeof(key) - 1},
			.start_active = active,
			.auto_role = !active,
			.epoch = 1,
			.failover_ns = FAILOVER,
			.lost_ns = LOST,
			.auto_wait_ns = 150 * MS,
			.grace_ns = 3000 * MS,
			.warn_ns = 50 * MS,
			.crit_ns = 500 * MS,
			.service_beat = true,
			.hold_q = 4096,
			.no_lease_check = no_lease,
	};

	ns_tcp_cfg_defaults(&cfg);
	cfg.max_conns = 16;
	cfg.sndbuf = cfg.rcvbuf = 16384;
	cfg.mss = 1400;
	cfg.rto_min_ms = 20;
	cfg.delack_ms = 5;
	for (int i = 0; i < 16; i++)
		cfg.isn_key[i] = (uint8_t)(rng >> (i % 8) * 8) ^ (uint8_t)n->idx;
	n->wall_off = 1700000000000000000ll + (int64_t)n->idx * 3 * (int64_t)MS;
	if (ns_tcp_init(&n->tcp, &cfg, &n_ops, n, now) != 0 ||
			ns_tcp_listen(&n->tcp, S_IP, 7, NULL) < 0 ||
			ns_ha_init(&n->ha, &k, &h_ops, n, &n->tcp, now) != 0)
		abort();
	n->inited = true;
	n->alive = true;
	n->paused_until = 0;
	n->next_poll = now;
	n->cpu_ns = n->sys_ns = n->last_poll_at = 0;
	n->busy = false;
	n->n_ready = 0;
	memset(n->in_ready, 0, sizeof(n->in_ready));
	n->rx_svc.head = n->rx_svc.tail = 0;
	n->rx_repl.head = n->rx_repl.tail = 0;
}

static void
node_stop(struct node *n)
{
	if (n->inited) {
		ns_ha_fini(&n->ha);
		ns_tcp_fini(&n->tcp);
	}
	n->inited = false;
	n->alive = false;
}

static bool
running(const struct node *n)
{
	return n->alive && now >= n->paused_until;
}

/* One pass of a node's loop: its receive rings, timers, the echo, the role
 * machine (as the dataplane's worker_poll). */
static void
node_poll(struct node *n)
{
	struct msg *m;

	if (n->last_poll_at != 0) {
		n->cpu_ns += n->busy || now - n->last_poll_at <= 2 * MS ? now - n->last_poll_at
									: 300 * US;
		if (n->busy) /* a quarter of a held loop's time in the kernel */
			n->sys_ns += (now - n->last_poll_at) / 4;
	}
	n->last_poll_at = now;
	n->busy = false;
	/* A burst of a few frames per port and pass, as from a busy NIC ring:
	 * after a pause the newest frames (a fence) wait behind older ones. */
	for (int i = 0; i < BURST && (m = fifo_peek(&n->rx_svc)) != NULL; i++) {
		n->rx_svc.head++;
		if (m->repl) {
			ns_ha_frame(&n->ha, true, m->buf, m->len, now);
			continue;
		}
		if (!n->svc_open) {
			struct held *k = h_make(n, 1, m->buf, m->len);

			if (k == NULL)
				continue;
			switch (ns_ha_service_rx(&n->ha, k, now)) {
			case NS_HA_SVC_PROCESS:
				tcp_in(n, k->buf, k->len);
				free(k);
				break;
			case NS_HA_SVC_KEPT:
				break;
			default:
				free(k);
			}
			continue;
		}
		tcp_in(n, m->buf, m->len);
	}
	for (int i = 0; i < BURST && (m = fifo_peek(&n->rx_repl)) != NULL; i++) {
		n->rx_repl.head++;
		ns_ha_frame(&n->ha, false, m->buf, m->len, now);
	}
	if (!n->frozen) {
		ns_tcp_timers(&n->tcp, now);
		if (ns_ha_role_is_active(n->ha.role))
			echo_run(n);
	}
	ns_ha_poll(&n->ha, now, false);
	n->takeovers_seen = n->ha.ctr[NS_HA_C_takeovers];
}

/* Frames whose time has come: to the peer (processed at once), into the
 * nodes' rings (a dead node's are lost; a full ring drops). */
static void
deliver(void)
{
	struct msg *m;

	while ((m = fifo_peek(&to_peer)) != NULL && m->at <= now) {
		to_peer.head++;
		ns_tcp_input(&P, m->buf, m->len, now);
	}
	for (int i = 0; i < 2; i++) {
		while ((m = fifo_peek(&to_node[i])) != NULL && m->at <= now) {
			to_node[i].head++;
			if (N[i].alive)
				fifo_push(&N[i].rx_svc, 0, m->buf, m->len, m->repl);
		}
		while ((m = fifo_peek(&repl_to[i])) != NULL && m->at <= now) {
			repl_to[i].head++;
			if (N[i].alive)
				fifo_push(&N[i].rx_repl, 0, m->buf, m->len, false);
		}
	}
}

static void
peer_clients(uint64_t stop_writing)
{
	for (int i = 0; i < NCONN; i++) {
		struct pconn *k = &pc[i];
		uint8_t buf[1000];
		uint32_t n, w;

		if (k->c == NULL || k->c->state != NS_TCP_ESTABLISHED || now < k->next_write ||
				now >= stop_writing || k->wrote >= k->goal)
			continue;
		n = 1 + rnd(sizeof(buf));
		if (n > k->goal - k->wrote)
			n = k->goal - k->wrote;
		for (uint32_t j = 0; j < n; j++)
			buf[j] = pattern(i, k->wrote + j);
		w = ns_tcp_send(&P, k->c, buf, n, now);
		k->wrote += w;
		k->next_write = now + (1 + rnd(8)) * MS;
	}
}

/* --- faults ---------------------------------------------------------------------- */

enum fault {
	F_PAUSE,
	F_KILL,
	F_CUT,
	F_REPL_LOSS,
	F_SVC_LOSS,
	F_SWITCH,
	F_PAUSE_THEN_KILL, /* pause the standby, kill the active soon after it wakes */
	F_CUT_THEN_KILL,   /* cut the replication link, kill the active during or after */
	F__N
};

/* A kill scheduled by a composite fault (0: none). */
static uint64_t kill_at;

static int
active_node(void)
{
	for (int i = 0; i < 2; i++)
		if (N[i].alive && ns_ha_role_is_active(N[i].ha.role))
			return i;
	return -1;
}

static uint64_t cut_until, repl_loss_until, svc_loss_until;
static uint64_t last_cut_end;

/* A kill of the node that answers for the connections survives only if the
 * other one can take over: alive, a ready standby, not paused before its
 * watch fires, and its last round trip recent (no cut before). */
static void
kill_node(int i)
{
	struct node *o = &N[1 - i];

	if (ns_ha_role_is_active(N[i].ha.role)) {
		/* Its validity must outlast the detection of the death. */
		bool ok = running(o) && o->ha.role == NS_HA_STANDBY_READY && !repl_cut &&
			  now > last_cut_end + LOST && repl_loss_pct < 30 &&
			  o->ha.ch.echo_ns + o->ha.cfg.validity_ns > now + o->ha.detect_ns + 5 * MS;

		if (!ok)
			excused = true;
		long_faults++;
	}
	node_stop(&N[i]);
	N[i].restart_at = now + (50 + rnd(400)) * MS;
	if (verbose)
		fprintf(stderr, "  %.3f ms: kill node %d%s\n", now / 1e6, i,
				excused ? " (excused)" : "");
}

static uint64_t
pause_len(void)
{
	/* 1 ms .. 2 s, every decade about as likely */
	static const uint64_t base[] = {1, 5, 20, 29, 31, 50, 100, 300, 500, 1000, 2000};

	return base[rnd(RTE_DIM(base))] * MS + rnd(1000) * US;
}

static void
fault(void)
{
	enum fault f = (enum fault)rnd(F__N);
	int i = (int)rnd(2);
	uint64_t d;

	switch (f) {
	case F_PAUSE:
		if (!running(&N[i]))
			return;
		d = pause_len();
		N[i].paused_until = now + d;
		if (d > FAILOVER && ns_ha_role_is_active(N[i].ha.role))
			long_faults++;
		/* A standby paused after its active died, before it took over: it
		 * may wake with its last round trip too old to take over. */
		if (!N[1 - i].alive && ns_ha_role_is_standby(N[i].ha.role))
			excused = true;
		if (verbose)
			fprintf(stderr, "  %.3f ms: pause node %d for %.1f ms\n", now / 1e6, i,
					d / 1e6);
		break;
	case F_KILL:
		/* Never both: that is the end of the state, by definition. */
		if (!N[i].alive || !N[1 - i].alive)
			return;
		kill_node(i);
		break;
	case F_CUT:
		d = (1 + rnd(500)) * MS;
		repl_cut = true;
		cut_until = now + d;
		if (verbose)
			fprintf(stderr, "  %.3f ms: cut the replication link for %.1f ms\n",
					now / 1e6, d / 1e6);
		break;
	case F_REPL_LOSS:
		repl_loss_pct = 1 + rnd(50);
		repl_loss_until = now + (10 + rnd(1000)) * MS;
		break;
	case F_SVC_LOSS:
		svc_loss_pct = 1 + rnd(20);
		svc_loss_until = now + (10 + rnd(1000)) * MS;
		break;
	case F_PAUSE_THEN_KILL:
		if ((i = active_node()) < 0 || !running(&N[1 - i]))
			return;
		d = pause_len();
		N[1 - i].paused_until = now + d;
		kill_at = now + d + rnd(150) * MS;
		if (verbose)
			fprintf(stderr,
					"  %.3f ms: pause node %d for %.1f ms, then kill the "
					"active\n",
					now / 1e6, 1 - i, d / 1e6);
		break;
	case F_CUT_THEN_KILL:
		d = (1 + rnd(800)) * MS;
		repl_cut = true;
		cut_until = now + d;
		kill_at = now + rnd((uint32_t)(d / MS) + 200) * MS;
		if (verbose)
			fprintf(stderr,
					"  %.3f ms: cut the replication link for %.1f ms, then "
					"kill "
					"the active\n",
					now / 1e6, d / 1e6);
		break;
	case F_SWITCH:
		if ((i = active_node()) >= 0 && running(&N[i]) &&
				ns_ha_cmd_switchover(&N[i].ha, now) == 0)
			long_faults++;
		break;
	default:
		break;
	}
}

/* --- a schedule ------------------------------------------------------------------- */

static void
world_init(uint64_t seed)
{
	struct ns_tcp_cfg cfg;

	rng = seed * 0x9e3779b97f4a7c15ull + 12345;
	now = 1000 * MS;
	violations = checks = 0;
	excused = false;
	long_faults = 0;
	first_violation = NULL;
	repl_cut = false;
	svc_loss_pct = repl_loss_pct = 0;
	cut_until = repl_loss_until = svc_loss_until = last_cut_end = 0;
	memset(max_epoch_tx, 0, sizeof(max_epoch_tx));
	to_peer.head = to_peer.tail = 0;
	for (int i = 0; i < 2; i++) {
		to_node[i].head = to_node[i].tail = 0;
		repl_to[i].head = repl_to[i].tail = 0;
		N[i].idx = i;
	}
	ns_tcp_cfg_defaults(&cfg);
	cfg.max_conns = 16;
	cfg.sndbuf = cfg.rcvbuf = 16384;
	cfg.mss = 1400;
	cfg.rto_min_ms = 20;
	cfg.max_retries = 30;
	for (int i = 0; i < 16; i++)
		cfg.isn_key[i] = (uint8_t)(seed >> i);
	if (ns_tcp_init(&P, &cfg, &p_ops, NULL, now) != 0)
		abort();
	node_start(&N[0], true);
	node_start(&N[1], false);
	memset(pc, 0, sizeof(pc));
	kill_at = 0;
	peer_tick = 0;
	stop_writing = UINT64_MAX;
}

static void
world_fini(void)
{
	for (int i = 0; i < 2; i++)
		node_stop(&N[i]);
	ns_tcp_fini(&P);
}

/* The next moment anything happens. */
static uint64_t
next_event(uint64_t peer_tick)
{
	uint64_t t = peer_tick;
	struct msg *m;

	if ((m = fifo_peek(&to_peer)) != NULL && m->at < t)
		t = m->at;
	for (int i = 0; i < 2; i++) {
		uint64_t p = N[i].alive ? (N[i].paused_until > N[i].next_poll ? N[i].paused_until
									      : N[i].next_poll)
					: N[i].restart_at;

		if (p < t)
			t = p;
		if ((m = fifo_peek(&to_node[i])) != NULL && m->at < t)
			t = m->at;
		if ((m = fifo_peek(&repl_to[i])) != NULL && m->at < t)
			t = m->at;
	}
	return t > now ? t : now + 1;
}

struct totals {
	uint64_t schedules, violated, excused, takeovers, switchovers, fences, stale, alone, pauses,
			checks, bytes;
};

/* The world runs until 'until': the faults' ends, kills due, restarts,
 * deliveries, the nodes' loops, the peer's timers and clients. */

static void
run_until(uint64_t until)
{
	while (now < until) {
		if (repl_cut && now >= cut_until) {
			repl_cut = false;
			last_cut_end = now;
		}
		if (repl_loss_pct && now >= repl_loss_until)
			repl_loss_pct = 0;
		if (svc_loss_pct && now >= svc_loss_until)
			svc_loss_pct = 0;
		if (kill_at != 0 && now >= kill_at) {
			int a = active_node();

			kill_at = 0;
			if (a >= 0 && N[1 - a].alive)
				kill_node(a);
		}
		for (int i = 0; i < 2; i++) {
			struct node *n = &N[i];

			if (!n->alive && n->restart_at != 0 && now >= n->restart_at) {
				n->restart_at = 0;
				node_start(n, false); /* kill -9, then the same config: role auto */
			}
		}
		deliver();
		for (int i = 0; i < 2; i++) {
			struct node *n = &N[i];

			if (!running(n) || now < n->next_poll)
				continue;
			node_poll(n);
			/* a loop pass every 0.3-1.3 ms (the real loop is faster) */
			n->next_poll = now + 300 * US + rnd(1000) * US;
		}
		if (now >= peer_tick) {
			ns_tcp_timers(&P, now);
			peer_clients(stop_writing);
			peer_tick = now + 1 * MS;
		}
		now = next_event(peer_tick);
		if (now > until)
			now = until;
	}
}

static void
peer_connect(int from, int to)
{
	for (int i = from; i < to; i++) {
		pc[i].c = ns_tcp_connect(&P, P_IP, S_IP, 7, 0, NULL, now);
		pc[i].goal = UINT32_MAX; /* until stop_writing */
	}
}

/* Liveness: the state survived, so everything came back; the pair is whole. */
static void
check_liveness(int conns)
{
	int act = active_node(), sby = act >= 0 ? 1 - act : -1;

	for (int i = 0; i < conns; i++)
		if (pc[i].reset || pc[i].c == NULL || pc[i].got != pc[i].wrote ||
				pc[i].wrote == 0) {
			violation("liveness: a connection did not echo every byte");
			break;
		}
	if (act < 0 || !N[sby].alive || N[sby].ha.role != NS_HA_STANDBY_READY)
		violation("liveness: not one active and a ready standby at the end");
}

/* --- scripted scenarios ---------------------------------------------------------- */

static int scenario_failures;

static void
expect(bool ok, const char *what)
{
	if (!ok)
		violation(what);
}

/* The pair in sync with conns connections streaming, from t = 1 s. */
static void
scenario_start(uint64_t seed, int conns)
{
	world_init(seed);
	run_until(now + 300 * MS);
	peer_connect(0, conns);
	run_until(now + 300 * MS);
}

static void
scenario_end(const char *name, int conns)
{
	stop_writing = now + 200 * MS;
	run_until(now + 4000 * MS);
	check_liveness(conns);
	printf("%s scenario: %s%s\n", violations ? "FAIL" : "ok  ", name, violations ? "" : "");
	if (violations) {
		printf("     first violation: %s\n", first_violation);
		scenario_failures++;
	}
	world_fini();
}

static int
standby_node(void)
{
	int a = active_node();

	return a < 0 ? -1 : 1 - a;
}

/* The SYN-ACK of a passive open leaves only once the standby holds the
 * connection: with the standby unable to answer, the peer gets none. */
static void
sc_synack_waits(void)
{
	int sby;

	scenario_start(11, 0);
	sby = standby_node();
	N[sby].paused_until = now + 50 * MS;
	peer_connect(0, 1);
	run_until(now + 20 * MS);
	expect(pc[0].c != NULL && pc[0].c->state == NS_TCP_SYN_SENT,
			"a SYN-ACK left before the standby held its connection");
	run_until(now + 100 * MS);
	expect(pc[0].c != NULL && pc[0].c->state == NS_TCP_ESTABLISHED,
			"the handshake did not complete once the standby answered");
	scenario_end("SYN-ACK held until the standby has the connection", 1);
}

/* The standby stopped (300 ms: longer than lost_ns here, so the active goes
 * on alone), the active killed 100 ms after it resumes: the standby must have
 * rejoined and synced by then, and take over with current state. */
static void
sc_stale_standby(void)
{
	int act, sby;

	scenario_start(12, NCONN);
	act = active_node();
	sby = 1 - act;
	N[sby].paused_until = now + 300 * MS;
	run_until(now + 400 * MS);
	expect(N[act].ha.ctr[NS_HA_C_went_alone] == 1, "the active did not go on alone");
	node_stop(&N[act]);
	N[act].restart_at = now + 200 * MS;
	run_until(now + 100 * MS);
	expect(N[sby].ha.ctr[NS_HA_C_takeovers] == 1, "the resynced standby did not take over");
	scenario_end("a stale standby resyncs, then takes over with current state", NCONN);
}

/* A pause of the active shorter than the failover time: no takeover. */
static void
sc_short_pause(void)
{
	int act;

	scenario_start(13, NCONN);
	act = active_node();
	for (int i = 0; i < 5; i++) {
		N[act].paused_until = now + FAILOVER - 1 * MS;
		run_until(now + 200 * MS);
	}
	expect(active_node() == act && N[1 - act].ha.ctr[NS_HA_C_takeovers] == 0,
			"a pause shorter than failover_ns caused a takeover");
	scenario_end("pauses of the active shorter than the failover time", NCONN);
}

/* The active stopped 100 ms: the standby takes over; the old one wakes with
 * its lease lapsed, sends nothing, is fenced and rejoins. */
static void
sc_active_pause(void)
{
	int act;

	scenario_start(14, NCONN);
	act = active_node();
	N[act].paused_until = now + 100 * MS;
	run_until(now + 300 * MS);
	expect(active_node() == 1 - act, "the standby did not take over a paused active");
	expect(N[act].ha.ctr[NS_HA_C_fences] == 1, "the old active was not fenced");
	expect(N[act].ha.stall_ns >= 100 * MS && N[act].ha.stall_ran_ns < 2 * MS &&
					N[act].ha.ctr[NS_HA_C_held] == 0,
			"the fenced active did not tell a pause the host made from its own work");
	scenario_end("a paused active is taken over, fenced when it wakes", NCONN);
}

/* The active's loop held by work of its own: half the failover time is
 * counted and told apart from a pause of the same length; the failover time
 * and more is a takeover, and the fenced active knows it ran through it. */
static void
sc_held_loop(void)
{
	int act;

	scenario_start(19, NCONN);
	act = active_node();
	N[act].paused_until = now + 20 * MS;
	run_until(now + 200 * MS);
	expect(N[act].ha.ctr[NS_HA_C_held] == 0 && N[act].ha.stall_ran_ns < 2 * MS,
			"a pause the host made was counted as the worker's own");
	N[act].paused_until = now + 20 * MS;
	N[act].busy = true;
	run_until(now + 200 * MS);
	expect(N[act].ha.ctr[NS_HA_C_held] == 1 && N[act].ha.stall_ran_ns >= 20 * MS,
			"a loop held 20 ms by its own work was not counted");
	{
		char want[64];

		snprintf(want, sizeof(want), "the busy stage of node %d", act);
		expect(strstr(N[act].held_msg, want) != NULL &&
						strstr(N[act].held_msg, "5.0 ms in the kernel") !=
								NULL,
				"the hold's warning did not tell its kernel time and stage");
	}
	expect(active_node() == act && N[1 - act].ha.ctr[NS_HA_C_takeovers] == 0,
			"a loop held shorter than the failover time caused a takeover");
	N[act].paused_until = now + 100 * MS;
	N[act].busy = true;
	run_until(now + 400 * MS);
	expect(active_node() == 1 - act, "the standby did not take over a held active");
	expect(N[act].ha.ctr[NS_HA_C_held] == 2 && N[act].ha.ctr[NS_HA_C_fences] == 1 &&
					N[act].ha.stall_ran_ns >= 100 * MS,
			"the fenced active did not know its own work held it");
	scenario_end("a worker's loop held by its own work, told from a host's pause", NCONN);
}

/* Planned switchovers back and forth: each old active steps down (what it
 * held leaves, what it kept goes on to the successor), even when the
 * successor's first frames reach it before the answer to its hand-over. */
static void
sc_switchovers(void)
{
	uint64_t steps = 0, fences = 0;

	scenario_start(20, NCONN);
	/* The successor's heartbeats on the service path come before its
	 * channel frames half of the time. */
	for (int i = 0; i < 30; i++) {
		svc_delay = i % 2 ? 20 * US : 300 * US;
		repl_delay = i % 2 ? 400 * US : 40 * US;
		int act = active_node();

		run_until(now + 100 * MS);
		if (act < 0 || !ns_repl_active_in_sync(&N[act].ha.act))
			continue;
		expect(ns_ha_cmd_switchover(&N[act].ha, now) == 0, "a switchover was refused");
		run_until(now + 100 * MS);
		expect(active_node() == 1 - act, "a switchover did not move the active");
	}
	svc_delay = 300 * US;
	repl_delay = 40 * US;
	for (int i = 0; i < 2; i++) {
		steps += N[i].ha.ctr[NS_HA_C_stepdowns];
		fences += N[i].ha.ctr[NS_HA_C_fences];
	}
	expect(steps >= 20 && fences == 0,
			"an old active of a switchover was fenced, not stepped down");
	printf("     %llu stepdowns, %llu fences\n", (unsigned long long)steps,
			(unsigned long long)fences);
	scenario_end("switchovers: every old active steps down", NCONN);
}

/* A switchover asked just after the standby died: aborted, the active keeps
 * its connections. */
static void
sc_switchover_dead_standby(void)
{
	int act;

	scenario_start(15, NCONN);
	act = active_node();
	node_stop(&N[1 - act]);
	N[1 - act].restart_at = now + 400 * MS;
	expect(ns_ha_cmd_switchover(&N[act].ha, now) == 0, "the switchover was refused");
	run_until(now + 300 * MS);
	expect(ns_ha_role_is_active(N[act].ha.role) &&
					N[act].ha.ctr[NS_HA_C_switchover_aborted] == 1,
			"the switchover to a dead standby did not abort");
	scenario_end("a switchover to a standby that died is aborted", NCONN);
}

/* The active stopped 100 ms while its standby dies: when it wakes it does not
 * know whether the standby took over first, so it does not go on alone; the
 * restarted standby's session settles it. */
static void
sc_pause_and_standby_death(void)
{
	int act;

	scenario_start(16, NCONN);
	act = active_node();
	N[act].paused_until = now + 100 * MS;
	run_until(now + 10 * MS);
	node_stop(&N[1 - act]);
	N[1 - act].restart_at = now + 700 * MS;
	run_until(now + 500 * MS);
	expect(N[act].ha.ctr[NS_HA_C_went_alone] == 0 && N[act].ha.ctr[NS_HA_C_alone_refused] == 1,
			"an active paused longer than the failover time went on alone");
	scenario_end("a paused active whose standby died waits for the other instance", NCONN);
}

/* The active killed mid-stream: the new active's first act resends what the
 * old one held and tells the peer what it has (three ACKs), so the peer's
 * echo flows again within the failover time and a few round trips, not
 * after a retransmission timeout of the new active.  A connection whose
 * echo waits only for the peer's own segments that died with the old
 * active (the peer has all the new active could send it) waits for the
 * peer's retransmission timer: ACKs without SACK blocks are no sign of loss
 * to a SACK sender (RFC 6675 2, RFC 8985; Linux alike), so nothing the new
 * active sends makes it resend sooner. */
static void
sc_kill_resends_at_once(void)
{
	uint32_t got[NCONN];
	uint64_t dropped, kill, by[NCONN], end = 0;
	bool resumed[NCONN] = {false};
	int act;

	scenario_start(17, NCONN);
	act = active_node();
	run_until(now + 37 * MS); /* mid-flight */
	for (int i = 0; i < NCONN; i++)
		got[i] = pc[i].got;
	dropped = N[1 - act].ha.ctr[NS_HA_C_hold_dropped];
	kill = now;
	node_stop(&N[act]);
	while (now < kill + 2 * FAILOVER && N[1 - act].ha.ctr[NS_HA_C_takeovers] == 0)
		run_until(now + 1 * MS);
	expect(N[1 - act].ha.ctr[NS_HA_C_takeovers] == 1, "the standby did not take over");
	expect(N[1 - act].ha.ctr[NS_HA_C_hold_dropped] == dropped,
			"the new active dropped segments it made while taking over");
	for (int i = 0; i < NCONN; i++) {
		const struct ns_tcb *p = pc[i].c, *x = NULL;

		got[i] = pc[i].got;
		by[i] = now + 20 * MS;
		if (p != NULL) {
			struct ns_tcp_tuple t = {p->t.raddr, p->t.laddr, p->t.rport, p->t.lport};

			x = ns_tcp_lookup(&N[1 - act].tcp, &t);
		}
		if (x != NULL && !ns_seq_lt(p->rcv_nxt, x->snd_max) &&
				ns_seq_lt(x->rcv_nxt, p->snd_max) && p->deadline[NS_TCPT_RTO] != 0)
			by[i] = RTE_MAX(by[i], p->deadline[NS_TCPT_RTO] + 20 * MS);
		end = RTE_MAX(end, by[i]);
	}
	while (now < end) {
		run_until(now + 1 * MS);
		for (int i = 0; i < NCONN; i++)
			if (pc[i].got > got[i] && now <= by[i])
				resumed[i] = true;
	}
	for (int i = 0; i < NCONN; i++)
		expect(resumed[i], "a connection's echo did not resume within 20 ms of the "
				   "takeover (or of the peer's retransmission timeout)");
	N[act].restart_at = now + 100 * MS;
	scenario_end("a killed active's connections resume at once on the new active", NCONN);
}

/* The standby stopped 100 ms (shorter than the time after which the active
 * goes on alone): the active holds its segments meanwhile; once the standby
 * runs again and has caught up, they leave, within a few round trips. */
static void
sc_standby_pause_releases(void)
{
	uint32_t got[NCONN];
	int act, sby;

	scenario_start(18, NCONN);
	act = active_node();
	sby = 1 - act;
	N[sby].paused_until = now + 100 * MS;
	run_until(now + 100 * MS);
	for (int i = 0; i < NCONN; i++)
		got[i] = pc[i].got;
	run_until(now + 30 * MS);
	for (int i = 0; i < NCONN; i++)
		expect(pc[i].got > got[i],
				"the echo did not resume within 30 ms of the standby's resume");
	expect(active_node() == act && N[sby].ha.ctr[NS_HA_C_takeovers] == 0,
			"a pause of the standby caused a takeover");
	scenario_end("the active's held segments leave once a paused standby is back", NCONN);
}

static void
run_scenarios(void)
{
	sc_standby_pause_releases();
	sc_kill_resends_at_once();
	sc_synack_waits();
	sc_stale_standby();
	sc_short_pause();
	sc_active_pause();
	sc_held_loop();
	sc_switchovers();
	sc_switchover_dead_standby();
	sc_pause_and_standby_death();
}

static void
run_schedule(uint64_t seed, struct totals *tot)
{
	const uint64_t t0 = 1000 * MS, faults_from = t0 + 400 * MS;
	const uint64_t faults_to = faults_from + 2000 * MS, end = faults_to + 4000 * MS;
	uint64_t next_fault;
	uint32_t n_faults;
	uint64_t takeovers = 0;

	world_init(seed);
	stop_writing = faults_to + 500 * MS;
	n_faults = 1 + rnd(6);
	next_fault = faults_from + rnd(2000) * MS / n_faults;
	run_until(t0 + 50 * MS);
	peer_connect(0, NCONN);
	while (now < end) {
		if (n_faults != 0 && now >= next_fault && now < faults_to) {
			fault();
			n_faults--;
			next_fault = now + rnd((uint32_t)((faults_to - now) / MS) + 1) * MS /
							   (n_faults + 1);
		}
		run_until(n_faults != 0 && next_fault < end && next_fault > now ? next_fault : end);
	}
	for (int i = 0; i < 2; i++)
		if (N[i].inited)
			takeovers += N[i].ha.ctr[NS_HA_C_takeovers];
	/* S5 (over the whole schedule; the counters of a killed node are gone,
	 * so this counts the survivors' takeovers only: a lower bound). */
	if (takeovers > long_faults)
		violation("S5: more takeovers than faults longer than the failover time");
	if (!excused)
		check_liveness(NCONN);
	if (verbose) {
		int a = active_node();

		for (int i = 0; i < NCONN; i++) {
			const struct ns_tcb *p = pc[i].c, *x = NULL;

			if (p == NULL)
				continue;
			if (a >= 0) {
				struct ns_tcp_tuple t = {
						p->t.raddr, p->t.laddr, p->t.rport, p->t.lport};

				x = ns_tcp_lookup(&N[a].tcp, &t);
			}
			fprintf(stderr,
					"  conn %d: peer %s una %u nxt %u max %u wnd %u rcv_nxt %u "
					"sndq %u rcvq %u\n",
					i, ns_tcp_state_name(p->state), p->snd_una - p->iss,
					p->snd_nxt - p->iss, p->snd_max - p->iss, p->snd_wnd,
					p->rcv_nxt - p->irs, p->sndq.tail - p->sndq.head,
					p->rcvq.tail - p->rcvq.head);
			if (x != NULL)
				fprintf(stderr,
						"          node %d: %s una %u nxt %u max %u wnd %u "
						"rcv_nxt %u adv %u sndq %u rcvq %u cwnd %u flags "
						"%x "
						"timers %llu %llu %llu\n",
						a, ns_tcp_state_name(x->state), x->snd_una - x->iss,
						x->snd_nxt - x->iss, x->snd_max - x->iss,
						x->snd_wnd, x->rcv_nxt - x->irs,
						x->rcv_adv - x->irs, x->sndq.tail - x->sndq.head,
						x->rcvq.tail - x->rcvq.head, x->cwnd, x->flags,
						(unsigned long long)x->deadline[0],
						(unsigned long long)x->deadline[1],
						(unsigned long long)x->deadline[2]);
		}
	}
	if (verbose || violations != 0) {
		int fails = violations != 0;

		fprintf(stderr,
				"schedule %llu (seed %llu): %s%s; takeovers %llu, long faults %u; "
				"bytes",
				(unsigned long long)sched_no, (unsigned long long)seed,
				fails ? "VIOLATION: " : "ok", fails ? first_violation : "",
				(unsigned long long)takeovers, long_faults);
		for (int i = 0; i < NCONN; i++)
			fprintf(stderr, " %u/%u", pc[i].got, pc[i].wrote);
		fprintf(stderr, "%s\n", excused ? " (state lost: liveness excused)" : "");
	}
	tot->schedules++;
	tot->violated += violations != 0;
	tot->excused += excused;
	tot->takeovers += takeovers;
	tot->checks += checks;
	for (int i = 0; i < 2; i++)
		if (N[i].inited) {
			tot->switchovers += N[i].ha.ctr[NS_HA_C_stepdowns];
			tot->fences += N[i].ha.ctr[NS_HA_C_fences];
			tot->stale += N[i].ha.ctr[NS_HA_C_stale_seen];
			tot->alone += N[i].ha.ctr[NS_HA_C_went_alone];
			tot->pauses += N[i].ha.ctr[NS_HA_C_pauses];
		}
	for (int i = 0; i < NCONN; i++)
		tot->bytes += pc[i].got;
	world_fini();
}

int
main(int argc, char **argv)
{
	uint64_t schedules = 2000, seed = 1;
	struct totals tot = {0};
	int pos = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-lease"))
			no_lease = true;
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (pos++ == 0)
			schedules = strtoull(argv[i], NULL, 0);
		else
			seed = strtoull(argv[i], NULL, 0);
	}
	if (getenv("NS_HA_SIM_TRACE") != NULL) {
		trace = true;
		trace_conn = atoi(getenv("NS_HA_SIM_TRACE"));
	}
	if (getenv("NS_HA_SIM_SCHEDULES") != NULL)
		schedules = strtoull(getenv("NS_HA_SIM_SCHEDULES"), NULL, 0);
	fifo_init(&to_peer, QCAP);
	for (int i = 0; i < 2; i++) {
		fifo_init(&to_node[i], QCAP);
		fifo_init(&repl_to[i], QCAP);
		fifo_init(&N[i].rx_svc, RXCAP);
		fifo_init(&N[i].rx_repl, RXCAP);
	}
	if (!no_lease && pos < 2) /* a seed given: that schedule alone */
		run_scenarios();
	for (uint64_t s = 0; s < schedules; s++) {
		sched_no = s;
		run_schedule(seed + s, &tot);
	}
	printf("%llu schedules%s: %llu violated, %llu excused (state lost); takeovers %llu, "
	       "switchovers %llu, fences %llu, stale standbys %llu, went alone %llu, pauses "
	       "seen %llu; %llu transmissions checked, %llu bytes echoed\n",
			(unsigned long long)tot.schedules, no_lease ? " without the lease" : "",
			(unsigned long long)tot.violated, (unsigned long long)tot.excused,
			(unsigned long long)tot.takeovers, (unsigned long long)tot.switchovers,
			(unsigned long long)tot.fences, (unsigned long long)tot.stale,
			(unsigned long long)tot.alone, (unsigned long long)tot.pauses,
			(unsigned long long)tot.checks, (unsigned long long)tot.bytes);
	return tot.violated != 0 || scenario_failures != 0;
}
