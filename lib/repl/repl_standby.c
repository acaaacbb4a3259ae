/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The standby end: frames from the active become shadow TCBs in this
 * instance's TCP stack (same ids, outside its lookup table, no timers), and
 * the backup application's consumption of the replicated data is timed
 * against two thresholds that raise session flags (patent 000's
 * US20240134751A1): a flag goes to the active, which answers with the
 * session's details; both applications hear of it.
 */
#include <stdlib.h>
#include <string.h>

#include "repl/repl.h"

#define JOIN_EVERY_NS 100000000ull /* 100 ms */

int
ns_repl_standby_init(struct ns_repl_standby *sb, struct ns_repl_chan *ch, struct ns_tcp_stack *tcp,
		const struct ns_repl_standby_ops *ops, void *user, uint64_t warn_ns,
		uint64_t crit_ns)
{
	memset(sb, 0, sizeof(*sb));
	sb->ch = ch;
	sb->tcp = tcp;
	if (ops != NULL)
		sb->ops = *ops;
	sb->user = user;
	sb->warn_ns = warn_ns;
	sb->crit_ns = crit_ns;
	sb->resync_ns = 1000000000ull;
	sb->state = NS_REPL_S_JOINING;
	sb->conn = calloc(tcp->cfg.max_conns, sizeof(*sb->conn));
	sb->pend = calloc(tcp->cfg.max_conns, sizeof(*sb->pend));
	if (sb->conn == NULL || sb->pend == NULL) {
		ns_repl_standby_fini(sb);
		return -1;
	}
	return 0;
}

void
ns_repl_standby_reset(struct ns_repl_standby *sb, uint32_t epoch)
{
	struct ns_repl_standby k = *sb;

	memset(sb, 0, sizeof(*sb));
	sb->ch = k.ch;
	sb->tcp = k.tcp;
	sb->ops = k.ops;
	sb->user = k.user;
	sb->conn = k.conn;
	sb->pend = k.pend;
	sb->warn_ns = k.warn_ns;
	sb->crit_ns = k.crit_ns;
	sb->resync_ns = k.resync_ns;
	sb->joins = k.joins;
	sb->sessions = k.sessions;
	sb->bad_events = k.bad_events;
	sb->resets = k.resets;
	sb->epoch = epoch;
	sb->state = NS_REPL_S_JOINING;
	memset(sb->conn, 0, sb->tcp->cfg.max_conns * sizeof(*sb->conn));
}

void
ns_repl_standby_fini(struct ns_repl_standby *sb)
{
	free(sb->conn);
	free(sb->pend);
	memset(sb, 0, sizeof(*sb));
}

static void
drop_shadow(struct ns_repl_standby *sb, uint32_t id)
{
	struct ns_tcb *c = &sb->tcp->pool[id];

	if (!sb->conn[id].present)
		return;
	if (sb->conn[id].imaged && sb->ops.shadow_free != NULL)
		sb->ops.shadow_free(sb->user, c);
	ns_tcp_shadow_free(sb->tcp, c);
	memset(&sb->conn[id], 0, sizeof(sb->conn[id]));
	sb->n_shadows--;
}

static void
drop_all(struct ns_repl_standby *sb)
{
	for (uint32_t i = 0; i < sb->tcp->cfg.max_conns; i++)
		drop_shadow(sb, i);
	sb->n_pend = 0;
}

static void
send_join(struct ns_repl_standby *sb, uint64_t now)
{
	uint8_t p[4];

	sb->nonce = (uint32_t)((now ^ (uint64_t)(uintptr_t)sb) * 0x9e3779b97f4a7c15ull >> 32) ^
		    (uint32_t)sb->joins;
	ns_put_be32(p, sb->nonce);
	ns_repl_chan_control(sb->ch, NS_REPL_F_JOIN, sb->epoch, 0, p, sizeof(p), now);
	sb->join_ns = now;
	sb->joins++;
}

void
ns_repl_standby_control(struct ns_repl_standby *sb, uint8_t type, uint32_t epoch, uint32_t session,
		const uint8_t *p, uint32_t len, uint64_t now)
{
	uint8_t ack[4];

	/* RESET: the active went on alone after this session; what the shadows
	 * hold is older than what the peers have seen.  Join again at once. */
	if (type == NS_REPL_F_RESET) {
		if (sb->state != NS_REPL_S_JOINING && epoch == sb->epoch &&
				session == sb->ch->session) {
			drop_all(sb);
			sb->state = NS_REPL_S_JOINING;
			sb->join_ns = 0;
			sb->resets++;
		}
		return;
	}
	/* HELLO: the active's new session, answering our latest JOIN. */
	if (type != NS_REPL_F_HELLO || len < 20 || ns_get_be32(p) != sb->nonce ||
			(int32_t)(epoch - sb->epoch) < 0)
		return;
	if (ns_get_be32(p + 8) != sb->tcp->cfg.max_conns ||
			ns_get_be32(p + 12) != sb->tcp->cfg.sndbuf ||
			ns_get_be32(p + 16) != sb->tcp->cfg.rcvbuf) {
		sb->bad_events++; /* another table geometry: the shadows could not match */
		return;
	}
	if (session != sb->ch->session || sb->state == NS_REPL_S_JOINING) {
		drop_all(sb);
		sb->epoch = epoch;
		ns_repl_chan_reset(sb->ch, epoch, session);
		sb->state = NS_REPL_S_SYNCING;
		sb->bulk_expected = sb->bulk_got = 0;
		sb->sessions++;
	}
	ns_put_be32(ack, sb->nonce);
	ns_repl_chan_control(
			sb->ch, NS_REPL_F_HELLO_ACK, sb->epoch, session, ack, sizeof(ack), now);
	sb->ch->last_rx_ns = now;
}

static void consume_pending(struct ns_repl_standby *sb, uint64_t now);

static void
pend_add(struct ns_repl_standby *sb, uint32_t id)
{
	if (!sb->conn[id].pending) {
		sb->conn[id].pending = 1;
		sb->pend[sb->n_pend++] = id;
	}
}

static void
set_flag(struct ns_repl_standby *sb, uint32_t id, uint8_t level, uint32_t lag_us)
{
	struct ns_repl_sconn *k = &sb->conn[id];
	uint8_t *p;

	if (k->flag == level)
		return;
	k->flag = level;
	if (sb->ops.flag != NULL)
		sb->ops.flag(sb->user, &sb->tcp->pool[id], level, lag_us, false);
	p = ns_repl_chan_reserve(sb->ch, NS_REPL_EV_HDR + 5);
	if (p == NULL)
		return;
	ns_repl_ev_hdr(p, NS_REPL_EV_FLAG, NS_REPL_EV_HDR + 5, id);
	p[8] = level;
	ns_put_be32(p + 9, lag_us);
}

static uint8_t
level_of(const struct ns_repl_standby *sb, uint64_t lag)
{
	if (sb->crit_ns != 0 && lag > sb->crit_ns)
		return NS_REPL_FLAG_CRITICAL;
	if (sb->warn_ns != 0 && lag > sb->warn_ns)
		return NS_REPL_FLAG_WARN;
	return NS_REPL_FLAG_NONE;
}

/* The slot of connection id, taken for a shadow if it is not yet (data may
 * come before the image; the image, if given, names the tuple). */
static bool
take(struct ns_repl_standby *sb, uint32_t id, const uint8_t *img)
{
	struct ns_tcp_tuple t = {0};

	if (sb->conn[id].present)
		return true;
	if (img != NULL)
		ns_repl_img_tuple(img, &t);
	if (ns_tcp_shadow_alloc(sb->tcp, id, &t) == NULL)
		return false;
	sb->conn[id].present = 1;
	sb->n_shadows++;
	return true;
}

static void
apply(struct ns_repl_standby *sb, uint8_t type, uint32_t id, const uint8_t *b, uint32_t blen,
		uint64_t now)
{
	struct ns_tcb *c = id < sb->tcp->cfg.max_conns ? &sb->tcp->pool[id] : NULL;
	struct ns_repl_sconn *k = c != NULL ? &sb->conn[id] : NULL;
	uint32_t pos, n;

	switch (type) {
	case NS_REPL_EV_IMG:
		if (c == NULL || blen < NS_REPL_IMG_LEN || !take(sb, id, b))
			goto bad;
		ns_repl_img_decode(c, sb->off_ns, b);
		if (!k->imaged) {
			k->imaged = 1;
			k->app_pos = c->rcvq.head;
			if (sb->ops.shadow_new != NULL)
				sb->ops.shadow_new(sb->user, c);
		} else if (k->syn_sent && c->state != NS_TCP_SYN_SENT) {
			/* An active open past its SYN-ACK: the receive queue starts at
			 * the peer's sequence now, nothing of it read yet. */
			k->app_pos = c->rcvq.head;
		}
		k->syn_sent = c->state == NS_TCP_SYN_SENT;
		if (c->rcvq.head != k->app_pos)
			pend_add(sb, id); /* the active application read: the backup's turn */
		break;
	case NS_REPL_EV_SND_DATA:
	case NS_REPL_EV_RCV_DATA:
		if (c == NULL || blen < 4 || !take(sb, id, NULL))
			goto bad;
		pos = ns_get_be32(b);
		n = blen - 4;
		if (n > (type == NS_REPL_EV_SND_DATA ? c->sndq.size : c->rcvq.size))
			goto bad;
		ns_fifo_put_at(type == NS_REPL_EV_SND_DATA ? &c->sndq : &c->rcvq, pos, b + 4, n);
		if (type == NS_REPL_EV_SND_DATA) {
			uint32_t held = pos + n - c->sndq.head;

			ns_tcp_shadow_warm(c, held < c->sndq.size ? held : c->sndq.size);
		}
		if (type == NS_REPL_EV_RCV_DATA) {
			/* A data object for the backup application: its arrival time. */
			uint8_t t = k->lq_tail;

			if ((uint8_t)(t - k->lq_head) == NS_REPL_LAG_Q) {
				k->lq_end[(uint8_t)(t - 1) % NS_REPL_LAG_Q] = pos + n; /* merge */
			} else {
				k->lq_end[t % NS_REPL_LAG_Q] = pos + n;
				k->lq_t[t % NS_REPL_LAG_Q] = now;
				k->lq_tail++;
			}
			pend_add(sb, id);
		}
		break;
	case NS_REPL_EV_FREE:
		if (c == NULL)
			goto bad;
		drop_shadow(sb, id);
		break;
	case NS_REPL_EV_APP:
		if (k == NULL || !k->imaged)
			goto bad;
		if (sb->ops.app_restore != NULL)
			sb->ops.app_restore(sb->user, c, b, blen);
		break;
	case NS_REPL_EV_BULK_BEGIN:
		sb->bulk_expected = blen >= 4 ? ns_get_be32(b) : 0;
		if (sb->ops.bulk_begin != NULL)
			sb->ops.bulk_begin(sb->user);
		break;
	case NS_REPL_EV_JOURNAL:
		if (blen < NS_REPL_JOURNAL_HDR || (id != NS_REPL_CONN_NONE && c == NULL))
			goto bad;
		if (sb->ops.journal != NULL)
			sb->ops.journal(sb->user, id, ns_get_be16(b), b[2], ns_get_be32(b + 4),
					b + NS_REPL_JOURNAL_HDR, blen - NS_REPL_JOURNAL_HDR);
		break;
	case NS_REPL_EV_BULK_END:
		sb->bulk_got = blen >= 4 ? ns_get_be32(b) : 0;
		sb->state = NS_REPL_S_SYNCED;
		break;
	case NS_REPL_EV_READY:
		if (k == NULL || !k->imaged || blen < 4)
			goto bad;
		k->ready = 1;
		k->last_delivered = ns_get_be32(b);
		break;
	case NS_REPL_EV_DETAILS:
		if (k == NULL || !k->imaged || blen < 25)
			goto bad;
		if (sb->ops.flag != NULL)
			sb->ops.flag(sb->user, c, b[0], ns_get_be32(b + 1), true);
		break;
	case NS_REPL_EV_NEIGH:
		if (blen < 12)
			goto bad;
		if (sb->ops.neigh != NULL) {
			uint32_t ip;

			memcpy(&ip, b + 2, 4);
			sb->ops.neigh(sb->user, ns_get_be16(b), ip, b + 6);
		}
		break;
	default:
		goto bad;
	}
	sb->ch->ctr[NS_REPL_C_ev_applied]++;
	return;
bad:
	sb->ch->ctr[NS_REPL_C_ev_bad]++;
}

void
ns_repl_standby_deliver(struct ns_repl_standby *sb, const uint8_t *p, uint32_t len, uint64_t now)
{
	if (sb->state == NS_REPL_S_JOINING)
		return;
	while (len >= NS_REPL_EV_HDR) {
		uint32_t elen = ns_get_be16(p + 2);

		if (elen < NS_REPL_EV_HDR || elen > len) {
			sb->ch->ctr[NS_REPL_C_ev_bad]++;
			break;
		}
		apply(sb, p[0], ns_get_be32(p + 4), p + NS_REPL_EV_HDR, elen - NS_REPL_EV_HDR, now);
		p += elen;
		len -= elen;
	}
	/* After the whole frame: the bytes the active application read are still
	 * in the shadow's ring (a later frame could overwrite them). */
	consume_pending(sb, now);
}

/* Let the backup application consume what the active one read; the lag of
 * each data object is its arrival to its consumption, and what is still
 * waiting ages too: the worst of both raises or clears the session flag. */
static void
consume(struct ns_repl_standby *sb, uint32_t id, uint64_t now)
{
	struct ns_repl_sconn *k = &sb->conn[id];
	struct ns_tcb *c = &sb->tcp->pool[id];
	uint64_t worst = 0;

	/* More than the ring holds was read: those bytes are gone here (the
	 * backup fell that far behind, or the image is nonsense). */
	if (c->rcvq.head - k->app_pos > c->rcvq.size) {
		sb->ch->ctr[NS_REPL_C_ev_bad]++;
		k->app_pos = c->rcvq.head - c->rcvq.size;
	}
	if (k->app_pos != c->rcvq.head && sb->ops.backup != NULL)
		k->app_pos = sb->ops.backup(sb->user, c, k->app_pos, c->rcvq.head);
	else
		k->app_pos = c->rcvq.head;
	while (k->lq_head != k->lq_tail &&
			(int32_t)(k->lq_end[k->lq_head % NS_REPL_LAG_Q] - k->app_pos) <= 0) {
		uint64_t lag = now - k->lq_t[k->lq_head % NS_REPL_LAG_Q];

		if (lag > worst)
			worst = lag;
		k->lq_head++;
	}
	/* Received but not consumed: it is as late as it is old, once the active
	 * application has read it (bytes it has not read are not the backup's). */
	if (k->lq_head != k->lq_tail && k->app_pos != c->rcvq.head) {
		uint64_t age = now - k->lq_t[k->lq_head % NS_REPL_LAG_Q];

		if (age > worst)
			worst = age;
	}
	k->lag_us = (uint32_t)(worst / 1000);
	if (k->lag_us > k->max_lag_us)
		k->max_lag_us = k->lag_us;
	set_flag(sb, id, level_of(sb, worst), k->lag_us);
}

static void
consume_pending(struct ns_repl_standby *sb, uint64_t now)
{
	uint32_t w = 0;

	for (uint32_t i = 0; i < sb->n_pend; i++) {
		uint32_t id = sb->pend[i];
		struct ns_repl_sconn *k = &sb->conn[id];

		if (!k->imaged) {
			k->pending = 0;
			continue;
		}
		consume(sb, id, now);
		/* Done when the backup has what the active read and no flag is up;
		 * the next image that moves the active's position brings it back. */
		if (k->app_pos == sb->tcp->pool[id].rcvq.head && k->flag == NS_REPL_FLAG_NONE) {
			k->pending = 0;
			continue;
		}
		sb->pend[w++] = id;
	}
	sb->n_pend = w;
}

void
ns_repl_standby_rejoin(struct ns_repl_standby *sb)
{
	sb->state = NS_REPL_S_JOINING;
	sb->join_ns = 0;
	sb->resets++;
}

void
ns_repl_standby_poll(struct ns_repl_standby *sb, uint64_t now)
{
	if (sb->state != NS_REPL_S_JOINING && sb->ch->last_rx_ns != 0 &&
			now - sb->ch->last_rx_ns > sb->resync_ns) {
		/* The active went silent: ask whoever is the active now.  The
		 * shadows stay until a session answers (an operator may still take
		 * them over); a new session starts afresh. */
		sb->state = NS_REPL_S_JOINING;
		sb->join_ns = 0;
	}
	if (sb->state == NS_REPL_S_JOINING) {
		if (sb->join_ns == 0 || now - sb->join_ns >= JOIN_EVERY_NS)
			send_join(sb, now);
		return;
	}
	consume_pending(sb, now);
	ns_repl_chan_flush(sb->ch, now);
}
