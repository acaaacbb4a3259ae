/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The active end: what the TCP core's commit point reports becomes events.
 * A connection the standby does not have yet gets a checkpoint (its data,
 * then its image); one it has gets the bytes appended to its queues since
 * the last commit, then its image if any replicated field changed (compared
 * with the image last queued, so a change the core forgot to mark is not
 * lost).  An image still in the frame being filled is rewritten in place:
 * one image per connection per frame, however many segments it took.
 */
#include <stdlib.h>
#include <string.h>

#include "repl/repl.h"

int
ns_repl_active_init(struct ns_repl_active *a, struct ns_repl_chan *ch, struct ns_tcp_stack *tcp,
		const struct ns_repl_active_ops *ops, void *user, uint32_t epoch)
{
	uint32_t n = tcp->cfg.max_conns;

	memset(a, 0, sizeof(*a));
	a->ch = ch;
	a->tcp = tcp;
	if (ops != NULL)
		a->ops = *ops;
	a->user = user;
	a->epoch = epoch;
	a->bulk_per_poll = NS_REPL_BULK_PER_POLL;
	a->lost_ns = 100000000ull; /* 100 ms */
	a->conn = calloc(n, sizeof(*a->conn));
	a->dirty_q = calloc(n, sizeof(*a->dirty_q));
	a->ready_q = calloc(2 * n, sizeof(*a->ready_q));
	a->ready_seq = calloc(2 * n, sizeof(*a->ready_seq));
	if (a->conn == NULL || a->ready_q == NULL || a->ready_seq == NULL || a->dirty_q == NULL) {
		ns_repl_active_fini(a);
		return -1;
	}
	return 0;
}

void
ns_repl_active_reset(struct ns_repl_active *a, uint32_t epoch)
{
	struct ns_repl_active k = *a;
	uint32_t n = a->tcp->cfg.max_conns;

	memset(a, 0, sizeof(*a));
	a->ch = k.ch;
	a->tcp = k.tcp;
	a->ops = k.ops;
	a->user = k.user;
	a->conn = k.conn;
	a->dirty_q = k.dirty_q;
	a->ready_q = k.ready_q;
	a->ready_seq = k.ready_seq;
	a->lost_ns = k.lost_ns;
	a->standby_losses = k.standby_losses;
	a->resyncs = k.resyncs;
	a->epoch = epoch;
	a->bulk_per_poll = NS_REPL_BULK_PER_POLL;
	memset(a->conn, 0, n * sizeof(*a->conn));
}

void
ns_repl_active_alone(struct ns_repl_active *a)
{
	if (a->state == NS_REPL_A_IDLE)
		return;
	a->state = NS_REPL_A_IDLE;
	a->standby_losses++;
}

void
ns_repl_active_fini(struct ns_repl_active *a)
{
	free(a->conn);
	free(a->dirty_q);
	free(a->ready_q);
	free(a->ready_seq);
	memset(a, 0, sizeof(*a));
}

static uint8_t *
event(struct ns_repl_active *a, uint8_t type, uint32_t body, uint32_t conn)
{
	uint8_t *p = ns_repl_chan_reserve(a->ch, NS_REPL_EV_HDR + body);

	if (p == NULL) {
		a->overrun = true; /* the standby cannot be trusted any more: resync */
		return NULL;
	}
	ns_repl_ev_hdr(p, type, NS_REPL_EV_HDR + body, conn);
	return p + NS_REPL_EV_HDR;
}

/* Bytes [from, to) of a queue, in events that fit a frame. */
static bool
data(struct ns_repl_active *a, uint8_t type, const struct ns_fifo *q, uint32_t id, uint32_t from,
		uint32_t to)
{
	uint32_t max = ns_repl_chan_event_max(a->ch) - NS_REPL_EV_HDR - 4;

	/* Events fill the frames: one is cut where a frame ends rather than leave
	 * the end of the frame empty. */
	while (from != to) {
		uint32_t n = to - from < max ? to - from : max;
		uint32_t room = ns_repl_chan_open_room(a->ch);

		if (n + NS_REPL_EV_HDR + 4 > room && room >= NS_REPL_EV_HDR + 4 + 128)
			n = room - NS_REPL_EV_HDR - 4;
		uint8_t *p = event(a, type, 4 + n, id);

		if (p == NULL)
			return false;
		ns_put_be32(p, from);
		ns_fifo_get_at(q, from, p + 4, n);
		from += n;
	}
	return true;
}

static void
image(struct ns_repl_active *a, const struct ns_tcb *c, bool force)
{
	struct ns_repl_aconn *k = &a->conn[c->id];
	uint8_t img[NS_REPL_IMG_MAX];
	uint8_t *p;

	ns_repl_img_encode(c, a->off_ns, img);
	if (!force && memcmp(img, k->last, NS_REPL_IMG_LEN) == 0)
		return;
	memcpy(k->last, img, NS_REPL_IMG_LEN);
	if (!force && k->img_seq == ns_repl_chan_open_seq(a->ch) &&
			k->img_off + NS_REPL_EV_HDR + NS_REPL_IMG_LEN <=
					ns_repl_chan_open_len(a->ch)) {
		memcpy(ns_repl_chan_open_at(a->ch, k->img_off + NS_REPL_EV_HDR), img,
				NS_REPL_IMG_LEN);
		return;
	}
	p = event(a, NS_REPL_EV_IMG, NS_REPL_IMG_LEN, c->id);
	if (p == NULL)
		return;
	memcpy(p, img, NS_REPL_IMG_LEN);
	k->img_seq = ns_repl_chan_open_seq(a->ch);
	k->img_off = (uint32_t)(p - NS_REPL_EV_HDR - ns_repl_chan_open_at(a->ch, 0));
}

/* The whole connection: its queues' bytes, then its image. */
static void
checkpoint(struct ns_repl_active *a, const struct ns_tcb *c)
{
	struct ns_repl_aconn *k = &a->conn[c->id];
	uint8_t dirty = k->dirty; /* it may still be on the dirty list */

	memset(k, 0, sizeof(*k));
	k->dirty = dirty;
	k->live = 1;
	k->syn_sent = c->state == NS_TCP_SYN_SENT;
	k->img_seq = ns_repl_chan_open_seq(a->ch) - 1; /* none in the open frame */
	if (!data(a, NS_REPL_EV_SND_DATA, &c->sndq, c->id, c->sndq.head, c->sndq.tail) ||
			!data(a, NS_REPL_EV_RCV_DATA, &c->rcvq, c->id, c->rcvq.head, c->rcvq.tail))
		return;
	k->snd_tail = c->sndq.tail;
	k->rcv_tail = c->rcvq.tail;
	image(a, c, true);
	if (a->ops.app_state != NULL) {
		uint8_t st[256];
		uint32_t n = a->ops.app_state(a->user, c, st, sizeof(st));
		uint8_t *p = n != 0 ? event(a, NS_REPL_EV_APP, n, c->id) : NULL;

		if (p != NULL) {
			memcpy(p, st, n);
			/* The state is that of this image: a later change gets an image
			 * of its own after it, not a rewrite of this one before it. */
			k->img_seq = ns_repl_chan_open_seq(a->ch) - 1;
		}
	}
	/* READY once the frame holding the image is acknowledged. */
	if (a->ready_tail - a->ready_head == 2 * a->tcp->cfg.max_conns) {
		a->overrun = true; /* the standby has not acknowledged a table's worth */
		return;
	}
	a->ready_q[a->ready_tail % (2 * a->tcp->cfg.max_conns)] = c->id;
	a->ready_seq[a->ready_tail % (2 * a->tcp->cfg.max_conns)] = ns_repl_chan_open_seq(a->ch);
	a->ready_tail++;
}

int
ns_repl_active_journal(struct ns_repl_active *a, uint32_t conn, uint16_t app, uint32_t pos,
		const void *rec, uint32_t len)
{
	uint32_t max = ns_repl_chan_event_max(a->ch) - NS_REPL_EV_HDR - NS_REPL_JOURNAL_HDR;
	const uint8_t *r = rec;
	uint8_t flags = NS_REPL_JF_FIRST;

	if (a->state != NS_REPL_A_SYNCED || a->overrun)
		return 0;
	do {
		uint32_t n = len < max ? len : max;
		uint8_t *p = event(a, NS_REPL_EV_JOURNAL, NS_REPL_JOURNAL_HDR + n, conn);

		if (p == NULL)
			return -1;
		if (n == len)
			flags |= NS_REPL_JF_LAST;
		ns_put_be16(p, app);
		p[2] = flags;
		p[3] = 0;
		ns_put_be32(p + 4, pos);
		memcpy(p + NS_REPL_JOURNAL_HDR, r, n);
		r += n;
		len -= n;
		flags = 0;
	} while (len != 0);
	return 0;
}

void
ns_repl_active_image_now(struct ns_repl_active *a, const struct ns_tcb *c)
{
	if (a->state == NS_REPL_A_SYNCED && !a->overrun && a->conn[c->id].live &&
			c->state != NS_TCP_CLOSED)
		image(a, c, false); /* the horizon's writes it again only if it changed */
}

uint32_t
ns_repl_active_room(const struct ns_repl_active *a)
{
	return ns_repl_chan_room(a->ch);
}

int
ns_repl_active_neigh(struct ns_repl_active *a, uint16_t port, uint32_t ip, const uint8_t mac[6])
{
	uint8_t *p;

	/* Never at the cost of a resync: only while the ring has room to spare. */
	if (a->state != NS_REPL_A_SYNCED || a->overrun || ns_repl_chan_room(a->ch) < 8)
		return -1;
	p = event(a, NS_REPL_EV_NEIGH, 12, 0);
	if (p == NULL)
		return -1;
	ns_put_be16(p, port);
	memcpy(p + 2, &ip, 4);
	memcpy(p + 6, mac, 6);
	return 0;
}

void
ns_repl_active_observe(struct ns_repl_active *a, const struct ns_tcb *c, uint32_t groups)
{
	struct ns_repl_aconn *k = &a->conn[c->id];

	if (a->state != NS_REPL_A_SYNCED || a->overrun)
		return;
	if (groups & NS_TCBG_FREE) {
		if (k->live && event(a, NS_REPL_EV_FREE, 0, c->id) != NULL)
			k->live = 0;
		return;
	}
	/* New, or an active open that left SYN_SENT: its receive queue now
	 * starts at the peer's sequence (no byte of the peer's has come yet:
	 * the ACK of its SYN-ACK leaves after this commit), so the standby gets
	 * the whole connection again, its application's state with it. */
	if (!k->live || (k->syn_sent && c->state != NS_TCP_SYN_SENT)) {
		checkpoint(a, c);
		return;
	}
	/* Bytes the application queued, and bytes received in order. */
	if (c->sndq.tail != k->snd_tail) {
		/* Acknowledged before they were replicated cannot happen (the output
		 * hold); bytes already below the head need not be sent. */
		uint32_t from = (int32_t)(k->snd_tail - c->sndq.head) < 0 ? c->sndq.head
									  : k->snd_tail;

		if (!data(a, NS_REPL_EV_SND_DATA, &c->sndq, c->id, from, c->sndq.tail))
			return;
		k->snd_tail = c->sndq.tail;
	}
	if (c->rcvq.tail != k->rcv_tail) {
		uint32_t from = (int32_t)(k->rcv_tail - c->rcvq.head) < 0 ? c->rcvq.head
									  : k->rcv_tail;

		if (!data(a, NS_REPL_EV_RCV_DATA, &c->rcvq, c->id, from, c->rcvq.tail))
			return;
		k->rcv_tail = c->rcvq.tail;
	}
	/* The image waits for ns_repl_active_horizon: one per poll, not per commit
	 * (data events before it carry their own positions). */
	if (!k->dirty) {
		k->dirty = 1;
		a->dirty_q[a->n_dirty++] = c->id;
	}
}

uint32_t
ns_repl_active_horizon(struct ns_repl_active *a)
{
	for (uint32_t i = 0; i < a->n_dirty; i++) {
		uint32_t id = a->dirty_q[i];
		struct ns_repl_aconn *k = &a->conn[id];

		k->dirty = 0;
		if (a->state == NS_REPL_A_SYNCED && !a->overrun && k->live &&
				a->tcp->pool[id].state != NS_TCP_CLOSED)
			image(a, &a->tcp->pool[id], false);
	}
	a->n_dirty = 0;
	return ns_repl_chan_horizon(a->ch);
}

static void
start_session(struct ns_repl_active *a, uint32_t nonce, uint64_t now)
{
	uint8_t hello[20];

	a->session = (uint32_t)(now * 0x9e3779b97f4a7c15ull >> 32) ^ nonce ^ 0x5bd1e995u;
	if (a->session == 0)
		a->session = 1;
	a->nonce = nonce;
	ns_put_be32(hello, nonce);
	ns_put_be32(hello + 4, a->session);
	ns_put_be32(hello + 8, a->tcp->cfg.max_conns);
	ns_put_be32(hello + 12, a->tcp->cfg.sndbuf);
	ns_put_be32(hello + 16, a->tcp->cfg.rcvbuf);
	ns_repl_chan_control(
			a->ch, NS_REPL_F_HELLO, a->epoch, a->session, hello, sizeof(hello), now);
	a->state = NS_REPL_A_HELLO;
	a->hello_ns = now;
}

static void
begin_sync(struct ns_repl_active *a, uint64_t now)
{
	uint32_t live = 0;
	uint8_t *p;

	ns_repl_chan_reset(a->ch, a->epoch, a->session);
	a->ch->last_rx_ns = now;
	memset(a->conn, 0, sizeof(*a->conn) * a->tcp->cfg.max_conns);
	a->n_dirty = 0;
	a->ready_head = a->ready_tail = 0;
	a->overrun = false;
	a->state = NS_REPL_A_SYNCED;
	for (uint32_t i = 0; i < a->tcp->cfg.max_conns; i++)
		live += a->tcp->pool[i].state != NS_TCP_CLOSED;
	a->bulk = true;
	a->snap_done = a->ops.snapshot == NULL;
	a->snap_cursor = 0;
	a->bulk_acked = false;
	a->bulk_cursor = 0;
	a->bulk_sent = 0;
	a->bulk_start_ns = now;
	p = event(a, NS_REPL_EV_BULK_BEGIN, 4, 0);
	if (p != NULL)
		ns_put_be32(p, live);
}

void
ns_repl_active_control(struct ns_repl_active *a, uint8_t type, uint32_t epoch, uint32_t session,
		const uint8_t *p, uint32_t len, uint64_t now)
{
	/* A standby of an older epoch (one that was active before a takeover, now
	 * restarted) may join: the HELLO tells it the epoch.  A newer epoch means
	 * this instance was taken over: it must not go on (fencing, the edge). */
	if ((int32_t)(epoch - a->epoch) > 0) {
		/* the newest heard: a late frame of an older takeover does not win */
		if (!a->fenced || (int32_t)(epoch - a->fence_epoch) > 0)
			a->fence_epoch = epoch;
		a->fenced = true;
		return;
	}
	if (type == NS_REPL_F_JOIN && len >= 4) {
		/* A standby (re)joins: a new session and a full bulk sync.  A replayed
		 * JOIN costs a resync at most; do not let them come faster than this. */
		if (a->last_join_ns != 0 && now - a->last_join_ns < 100000000ull &&
				ns_get_be32(p) == a->nonce)
			return;
		a->last_join_ns = now;
		start_session(a, ns_get_be32(p), now);
	} else if (type == NS_REPL_F_HELLO_ACK && a->state == NS_REPL_A_HELLO &&
			epoch == a->epoch && session == a->session && len >= 4 &&
			ns_get_be32(p) == a->nonce) {
		begin_sync(a, now);
	}
}

void
ns_repl_active_deliver(struct ns_repl_active *a, const uint8_t *p, uint32_t len, uint64_t now)
{
	(void)now;
	while (len >= NS_REPL_EV_HDR) {
		uint32_t elen = ns_get_be16(p + 2), id = ns_get_be32(p + 4);

		if (elen < NS_REPL_EV_HDR || elen > len) {
			a->ch->ctr[NS_REPL_C_ev_bad]++;
			return;
		}
		if (p[0] == NS_REPL_EV_FLAG && elen >= NS_REPL_EV_HDR + 5 &&
				id < a->tcp->cfg.max_conns && a->conn[id].live) {
			struct ns_repl_aconn *k = &a->conn[id];
			const struct ns_tcb *c = &a->tcp->pool[id];
			uint8_t *d;

			k->flag = p[8];
			k->lag_us = ns_get_be32(p + 9);
			a->ch->ctr[NS_REPL_C_ev_applied]++;
			if (a->ops.flag != NULL)
				a->ops.flag(a->user, c, k->flag, k->lag_us);
			/* The session's details go back to the standby. */
			d = event(a, NS_REPL_EV_DETAILS, 25, id);
			if (d != NULL) {
				d[0] = k->flag;
				ns_put_be32(d + 1, k->lag_us);
				ns_put_be32(d + 5, c->state);
				ns_put_be32(d + 9, c->snd_una);
				ns_put_be32(d + 13, c->snd_max);
				ns_put_be32(d + 17, c->rcv_nxt);
				ns_put_be32(d + 21, c->rcvq.head);
			}
		} else {
			a->ch->ctr[NS_REPL_C_ev_bad]++;
		}
		p += elen;
		len -= elen;
	}
}

void
ns_repl_active_poll(struct ns_repl_active *a, uint64_t now)
{
	uint32_t q = 2 * a->tcp->cfg.max_conns;

	if (a->state == NS_REPL_A_HELLO && now - a->hello_ns > 50000000ull)
		start_session(a, a->nonce, now); /* HELLO lost: say it again */
	if (a->state == NS_REPL_A_HELLO) {
		/* A new session is being set up (after an overrun, or a standby
		 * that joins): the keepalives go on in the current one, or a standby
		 * still in it takes a live active for a dead one. */
		ns_repl_chan_flush(a->ch, now);
		return;
	}
	if (a->state != NS_REPL_A_SYNCED)
		return;
	if (a->lost_ns != 0 && now - a->ch->last_rx_ns > a->lost_ns) {
		/* The standby is gone: replicating to nobody would stall every
		 * connection in sync mode.  Alone until a standby joins again. */
		a->state = NS_REPL_A_IDLE;
		a->standby_losses++;
		return;
	}
	if (a->overrun) {
		/* An event did not fit the ring: the standby misses it.  Start over. */
		a->resyncs++;
		a->state = NS_REPL_A_IDLE;
		start_session(a, a->nonce, now);
		return;
	}
	if (a->bulk) {
		uint32_t n = 0;

		while (a->bulk_cursor < a->tcp->cfg.max_conns && n < a->bulk_per_poll &&
				ns_repl_chan_room(a->ch) > 8) {
			const struct ns_tcb *c = &a->tcp->pool[a->bulk_cursor++];

			if (c->state == NS_TCP_CLOSED || a->conn[c->id].live)
				continue;
			checkpoint(a, c);
			a->bulk_sent++;
			n++;
		}
		/* Then the applications' shared state: the connections are live on
		 * the standby by now, so the journal records that the snapshot's
		 * records are queued with there are covered as they come. */
		if (a->bulk_cursor == a->tcp->cfg.max_conns && !a->snap_done) {
			a->snap_done = a->ops.snapshot(a->user, &a->snap_cursor);
			if (a->overrun)
				return; /* restarted by the next poll */
		}
		if (a->bulk_cursor == a->tcp->cfg.max_conns && a->snap_done) {
			uint8_t *p = event(a, NS_REPL_EV_BULK_END, 4, 0);

			if (p != NULL) {
				ns_put_be32(p, a->bulk_sent);
				a->bulk = false;
				a->bulk_end_seq = ns_repl_chan_open_seq(a->ch);
			}
		}
	} else if (!a->bulk_acked && ns_repl_chan_acked(a->ch, a->bulk_end_seq + 1)) {
		a->bulk_acked = true;
		a->bulk_ns = now - a->bulk_start_ns;
	}
	/* Standby ready, per connection, once its checkpoint is acknowledged: with
	 * the last sequence the active application had read by then (patent 002's
	 * notification and sequence number). */
	while (a->ready_head != a->ready_tail &&
			ns_repl_chan_acked(a->ch, a->ready_seq[a->ready_head % q] + 1)) {
		uint32_t id = a->ready_q[a->ready_head++ % q];
		const struct ns_tcb *c = &a->tcp->pool[id];
		uint8_t *p;

		if (!a->conn[id].live || a->conn[id].ready)
			continue;
		p = event(a, NS_REPL_EV_READY, 4, id);
		if (p == NULL)
			break;
		ns_put_be32(p, c->rcvq.head - 1);
		a->conn[id].ready = 1;
	}
	ns_repl_chan_flush(a->ch, now);
}
