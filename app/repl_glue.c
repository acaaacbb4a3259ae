/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCB replication at the DPDK edge ([repl], lib/repl).  Every worker has its
 * own channel (its index is the channel id) to the same worker of the other
 * instance, over the replication port: frames of EtherType 0x88b5 sent on
 * the worker's own tx queue; received frames of another worker's channel are
 * handed to it through a ring.  The active worker's TCP stack reports every
 * commit (observe); its segments wait in the output hold until the standby
 * has acknowledged the frame that was open when they were made (sync mode;
 * a listener with repl = async sends at once).  The standby's stack holds
 * shadows, and its backup applications consume what the active ones read.
 */
#include <stdlib.h>
#include <time.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "app.h"
#include "repl.h"
#include "repl_glue.h"

#define HOLD_Q	       (1u << 16)
#define HANDOFF_RING   1024
#define ROOM_FOR_INPUT 64 /* frames the ring must have free before a segment is processed */

static uint64_t
wall_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int64_t
wall_offset_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) -
	       (int64_t)ns_now_ns();
}

bool
ns_repl_is_standby(void)
{
	return app.cfg.repl.role == NS_REPL_ROLE_STANDBY;
}

static void
chan_xmit(void *user, const uint8_t *frame, uint32_t len)
{
	struct ns_repl_w *r = user;
	struct rte_mbuf *m = rte_pktmbuf_alloc(app.pool);
	struct rte_ether_hdr *eth;
	uint16_t p = r->tx_port;

	if (m == NULL || (eth = (struct rte_ether_hdr *)rte_pktmbuf_append(
					  m, (uint16_t)(sizeof(*eth) + len))) == NULL) {
		rte_pktmbuf_free(m);
		r->ch.ctr[NS_REPL_C_tx_no_mbuf]++;
		return;
	}
	if (p == app.cfg.repl.port_idx)
		eth->dst_addr = r->peer;
	else
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr)); /* a beat: whoever listens */
	eth->src_addr = app.port[p].mac;
	eth->ether_type = RTE_BE16(NS_REPL_ETHERTYPE);
	memcpy(eth + 1, frame, len);
	ns_worker_tx(r->w, p, m);
}

static void
chan_deliver(void *user, const uint8_t *p, uint32_t len, uint64_t now)
{
	struct ns_repl_w *r = user;

	if (r->active)
		ns_repl_active_deliver(&r->act, p, len, now);
	else
		ns_repl_standby_deliver(&r->sb, p, len, now);
}

static void fwd_in(struct ns_repl_w *r, uint32_t epoch, const uint8_t *p, uint32_t len);

static void
chan_control(void *user, uint8_t type, uint32_t epoch, uint32_t session, const uint8_t *p,
		uint32_t len, uint64_t now)
{
	struct ns_repl_w *r = user;

	if (type == NS_REPL_F_FWD) {
		fwd_in(r, epoch, p, len);
		return;
	}
	if (type == NS_REPL_F_BEAT && !r->active) {
		if ((int32_t)(epoch - r->sb.epoch) >= 0) {
			r->beat_rx_ns = now;
			r->beats_heard++;
		}
		return;
	}
	if (r->active) {
		ns_repl_active_control(&r->act, type, epoch, session, p, len, now);
		return;
	}
	/* A JOIN of a newer epoch while in sync: the active stepped down (a
	 * planned switchover) and asks to be this one's standby.  Taken over at
	 * the next poll (not inside the channel's own receive path); the JOIN is
	 * then answered as the active. */
	if (type == NS_REPL_F_JOIN && r->sb.state == NS_REPL_S_SYNCED &&
			(int32_t)(epoch - r->sb.epoch) > 0 && len <= sizeof(r->stepdown_join)) {
		r->stepdown_heard = true;
		r->stepdown_epoch = epoch;
		r->stepdown_session = session;
		r->stepdown_len = len;
		memcpy(r->stepdown_join, p, len);
		return;
	}
	ns_repl_standby_control(&r->sb, type, epoch, session, p, len, now);
}

/* --- the applications' side ------------------------------------------------ */

static void
a_flag(void *user, const struct ns_tcb *c, uint8_t level, uint32_t lag_us)
{
	struct ns_repl_w *r = user;

	r->flags_heard++;
	NS_LOGT(app, WARNING, "repl: worker %u conn %u: the standby flags it %s (lag %u us)",
			r->w->idx, c->id, ns_repl_flag_name(level), lag_us);
}

static uint32_t
a_state(void *user, const struct ns_tcb *c, uint8_t *buf, uint32_t max)
{
	struct ns_repl_w *r = user;

	return ns_app_state(r->w, c, buf, max);
}

static void
s_new(void *user, struct ns_tcb *c)
{
	struct ns_repl_w *r = user;

	ns_app_shadow_new(r->w, c);
}

static void
s_free(void *user, struct ns_tcb *c)
{
	struct ns_repl_w *r = user;

	memset(&r->w->appc[c->id], 0, sizeof(r->w->appc[c->id]));
}

static uint32_t
s_backup(void *user, struct ns_tcb *c, uint32_t from, uint32_t to)
{
	struct ns_repl_w *r = user;

	if (r->backup_paused)
		return from; /* a slow backup application (set repl backup pause) */
	return ns_app_backup(r->w, c, from, to);
}

static void
s_restore(void *user, struct ns_tcb *c, const uint8_t *buf, uint32_t len)
{
	struct ns_repl_w *r = user;

	ns_app_restore(r->w, c, buf, len);
}

/* The active's neighbours, learned by the worker that owns the port's ARP
 * cache: after a takeover the first segments need no resolution (pending
 * packets per unresolved neighbour are few, connections may be thousands). */
static void
s_neigh(void *user, uint16_t port, uint32_t ip, const uint8_t mac[6])
{
	struct ns_repl_w *r = user;
	struct rte_ether_addr ea;

	if (port >= app.cfg.n_ports || port == app.cfg.repl.port_idx ||
			ns_worker_of_port(port) != (int)r->w->idx)
		return;
	memcpy(ea.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	if (ns_arp_learn(&r->w->host[port].arp, ip, &ea, true, r->w->now_ns))
		r->neigh_learned++;
}

/* Every NEIGH_PERIOD_NS, the resolved entries of the service ports whose ARP
 * cache this worker owns go to the standby (they also refresh its ages). */
#define NEIGH_PERIOD_NS 100000000ull

static void
send_neighbours(struct ns_repl_w *r)
{
	struct ns_worker *w = r->w;

	if (r->act.state != NS_REPL_A_SYNCED || w->now_ns < r->neigh_next_ns)
		return;
	r->neigh_next_ns = w->now_ns + NEIGH_PERIOD_NS;
	for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
		const struct ns_arp_cache *ac = &w->host[p].arp;

		if (p == app.cfg.repl.port_idx || ns_worker_of_port(p) != (int)w->idx ||
				ac->slot == NULL)
			continue;
		for (uint32_t i = 0; i <= ac->mask; i++) {
			const struct ns_arp_entry *e = &ac->slot[i];

			if (e->state != NS_ARP_REACHABLE)
				continue;
			if (ns_repl_active_neigh(&r->act, p, e->ip, e->mac.addr_bytes) != 0)
				return; /* no room: the next pass */
			r->neigh_sent++;
		}
	}
}

static void
s_flag(void *user, const struct ns_tcb *c, uint8_t level, uint32_t lag_us, bool from_active)
{
	struct ns_repl_w *r = user;

	if (from_active) {
		r->details_heard++;
		NS_LOGT(app, WARNING, "repl: worker %u conn %u: the active confirms %s (lag %u us)",
				r->w->idx, c->id, ns_repl_flag_name(level), lag_us);
	} else {
		r->flags_raised++;
		NS_LOGT(app, WARNING, "repl: worker %u conn %u: backup application lag %u us: %s",
				r->w->idx, c->id, lag_us, ns_repl_flag_name(level));
	}
}

const char *
ns_repl_flag_name(unsigned int level)
{
	return level == NS_REPL_FLAG_CRITICAL ? "critical"
	       : level == NS_REPL_FLAG_WARN   ? "warn"
					      : "ok";
}

/* --- worker side ----------------------------------------------------------- */

/* --- liveness ---------------------------------------------------------------- */

/* The active's heartbeats on every service port (the second path), as often
 * as the channel's keepalives. */
static void
send_beats(struct ns_repl_w *r)
{
	const struct ns_repl_cfg *rc = &app.cfg.repl;
	struct ns_worker *w = r->w;

	if (!rc->service_beat || r->act.fenced || w->now_ns < r->beat_next_ns)
		return;
	r->beat_next_ns = w->now_ns + r->ch.cfg.keepalive_ns;
	for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
		if (p == rc->port_idx || app.cfg.port[p].ip == 0 || app.cfg.port[p].forward >= 0)
			continue;
		r->tx_port = p;
		ns_repl_chan_control(&r->ch, NS_REPL_F_BEAT, r->act.epoch, r->act.session, NULL, 0);
		r->beats_sent++;
	}
	r->tx_port = rc->port_idx;
}

/* A liveness BFD session ([repl] bfd) is Up: the active answers on that path. */
static const char *
live_bfd_up(void)
{
	const struct ns_repl_cfg *rc = &app.cfg.repl;

	for (uint32_t i = 0; i < rc->n_live_bfd; i++) {
		struct ns_bfd_health h;

		if (ns_bfd_slot_health(rc->live_bfd[i], &h) && h.state == NS_BFD_UP)
			return app.cfg.bfd[rc->live_bfd[i]].name;
	}
	return NULL;
}

/*
 * The standby's watch.  The channel silent for failover_ms is a dead active
 * only when every other path is silent too: no heartbeat on a service port in
 * that time and no liveness BFD session Up.  Otherwise the replication link
 * alone died: taking over would make two actives (split brain).  With
 * role = auto, a standby that heard nothing at all within auto_wait_ms of its
 * start is the first instance up: it becomes the active.
 */
static void
standby_watch(struct ns_repl_w *r)
{
	const struct ns_repl_cfg *rc = &app.cfg.repl;
	struct ns_worker *w = r->w;
	uint64_t fo = (uint64_t)rc->failover_ms * 1000000ull;
	const char *bfd;
	bool beat;

	if (r->start_ns == 0)
		r->start_ns = w->now_ns;
	if (rc->auto_role && r->sb.state == NS_REPL_S_JOINING && r->ch.last_rx_ns == 0 &&
			r->beat_rx_ns == 0 && r->takeovers == 0 && r->stepdowns == 0 &&
			w->now_ns - r->start_ns > (uint64_t)rc->auto_wait_ms * 1000000ull) {
		ns_repl_worker_takeover(w, "role auto: no active answered");
		return;
	}
	/* Also in the middle of a bulk sync: the connections checkpointed so far
	 * go on; the others' peers get a RST after the grace period, instead of
	 * hanging half-open. */
	if (fo == 0 || r->sb.state == NS_REPL_S_JOINING || w->now_ns - r->ch.last_rx_ns <= fo) {
		r->split_logged = false;
		return;
	}
	beat = r->beat_rx_ns != 0 && w->now_ns - r->beat_rx_ns <= fo;
	bfd = live_bfd_up();
	if (!beat && bfd == NULL) {
		ns_repl_worker_takeover(w, "the active is silent");
		return;
	}
	if (!r->split_logged) {
		r->split_logged = true;
		r->split_avoided++;
		NS_LOGT(app, WARNING,
				"repl: worker %u: the replication channel is silent but the active "
				"is alive (%s%s): no takeover",
				w->idx, beat ? "heartbeats on a service port" : "BFD session ",
				beat ? "" : bfd);
	}
}

/* This worker becomes (or starts as) a standby of the given epoch. */
static int
standby_start(struct ns_repl_w *r, uint32_t epoch)
{
	static const struct ns_repl_standby_ops sops = {
			.shadow_new = s_new,
			.shadow_free = s_free,
			.backup = s_backup,
			.flag = s_flag,
			.app_restore = s_restore,
			.neigh = s_neigh,
	};
	const struct ns_repl_cfg *rc = &app.cfg.repl;

	if (ns_repl_standby_init(&r->sb, &r->ch, &r->w->tcp, &sops, r,
			    (uint64_t)rc->warn_ms * 1000000ull,
			    (uint64_t)rc->crit_ms * 1000000ull) != 0)
		return -1;
	r->active = false;
	r->sb.off_ns = wall_offset_ns();
	r->sb.epoch = epoch;
	r->w->service_closed = true;
	ns_repl_chan_reset(&r->ch, epoch, 0);
	return 0;
}

int
ns_repl_worker_init(struct ns_worker *w)
{
	static const struct ns_repl_chan_ops chops = {chan_xmit, chan_deliver, chan_control};
	static const struct ns_repl_active_ops aops = {a_flag, a_state};
	const struct ns_repl_cfg *rc = &app.cfg.repl;
	struct ns_repl_chan_cfg cc = {
			.chan = (uint16_t)w->idx,
			.frame_max = rc->frame_max,
			.ring = rc->ring,
			.window = rc->window,
			.rto_min_ns = 5000000ull,   /* 5 ms: a burst of frames takes the standby a
						       while */
			.rto_max_ns = 200000000ull, /* 200 ms */
			/* four keepalives in the standby's failover time */
			.keepalive_ns = rc->failover_ms >= 8 ? (uint64_t)rc->failover_ms * 250000ull
							     : 2000000ull,
			.key = rc->key,
			.key_len = rc->key_len,
	};
	struct ns_repl_w *r;
	char name[RTE_RING_NAMESIZE];
	uint32_t room = rte_pktmbuf_data_room_size(app.pool) - RTE_PKTMBUF_HEADROOM -
			RTE_ETHER_HDR_LEN;

	if (rc->role == NS_REPL_ROLE_NONE || w->fastpath)
		return 0;
	/* A frame must fit one mbuf (received multi-segment frames are dropped). */
	if (cc.frame_max > room) {
		if (w->idx == 0)
			NS_LOGT(app, WARNING,
					"repl: frame_max %u above one mbuf's %u bytes: using %u",
					cc.frame_max, room, room);
		cc.frame_max = room;
	}
	r = rte_zmalloc("repl", sizeof(*r), RTE_CACHE_LINE_SIZE);
	if (r == NULL)
		return -1;
	w->repl = r;
	r->w = w;
	r->tx_port = rc->port_idx;
	r->active = rc->role == NS_REPL_ROLE_ACTIVE;
	if (rc->has_peer_mac)
		r->peer = rc->peer_mac;
	else
		memset(&r->peer, 0xff, sizeof(r->peer)); /* until the peer's first frame */
	snprintf(name, sizeof(name), "ns_repl_rx_%u", w->idx);
	r->rx = rte_ring_create(
			name, HANDOFF_RING, rte_lcore_to_socket_id(w->lcore), RING_F_SC_DEQ);
	if (r->rx == NULL || ns_repl_chan_init(&r->ch, &cc, &chops, r) != 0 ||
			ns_repl_hold_init(&r->hold, HOLD_Q) != 0)
		return -1;
	if (r->active) {
		if (ns_repl_active_init(&r->act, &r->ch, &w->tcp, &aops, r, rc->epoch) != 0)
			return -1;
		r->act.off_ns = wall_offset_ns();
		r->act.lost_ns = (uint64_t)rc->standby_timeout_ms * 1000000ull;
		ns_repl_chan_reset(&r->ch, rc->epoch, 0);
	} else if (standby_start(r, rc->epoch) != 0) {
		return -1;
	}
	return 0;
}

static void
free_held(void *arg, void *pkt, uint64_t held_ns)
{
	(void)arg, (void)held_ns;
	rte_pktmbuf_free(pkt);
}

void
ns_repl_worker_fini(struct ns_worker *w)
{
	struct ns_repl_w *r = w->repl;
	struct rte_mbuf *m;

	if (r == NULL)
		return;
	if (r->hold.pkt != NULL)
		ns_repl_hold_drain(&r->hold, free_held, NULL, 0);
	ns_repl_hold_fini(&r->hold);
	if (r->active)
		ns_repl_active_fini(&r->act);
	else
		ns_repl_standby_fini(&r->sb);
	if (r->ch.slot != NULL)
		ns_repl_chan_fini(&r->ch);
	while (r->rx != NULL && rte_ring_dequeue(r->rx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r->rx);
	rte_free(r);
	w->repl = NULL;
}

static void
frame_in(struct ns_repl_w *r, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint64_t auth_before = r->ch.ctr[NS_REPL_C_rx_bad_mac];
	uint64_t old_epoch = r->ch.ctr[NS_REPL_C_rx_old_epoch];

	ns_repl_chan_input(&r->ch, (const uint8_t *)(eth + 1),
			rte_pktmbuf_data_len(m) - (uint32_t)sizeof(*eth), r->w->now_ns);
	/* Learn where the other instance is from its first authentic frame. */
	if (!app.cfg.repl.has_peer_mac && m->port == app.port[app.cfg.repl.port_idx].port_id &&
			r->ch.ctr[NS_REPL_C_rx_bad_mac] == auth_before &&
			r->ch.last_rx_ns == r->w->now_ns &&
			rte_is_unicast_ether_addr(&eth->src_addr))
		r->peer = eth->src_addr;
	/* Frames of an older epoch: an instance that was taken over still talks.
	 * Tell it (a control frame of our epoch fences it), at most every 10 ms. */
	if (r->active && r->ch.ctr[NS_REPL_C_rx_old_epoch] != old_epoch &&
			r->w->now_ns - r->fence_sent_ns > 10000000ull) {
		uint8_t nothing[4] = {0};

		r->fence_sent_ns = r->w->now_ns;
		ns_repl_chan_control(
				&r->ch, NS_REPL_F_HELLO, r->ch.epoch, 0, nothing, sizeof(nothing));
	}
	rte_pktmbuf_free(m);
}

void
ns_repl_worker_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *) + RTE_ETHER_HDR_LEN;
	uint32_t chan;

	/* On a service port, only the other instance's heartbeats. */
	if (app.cfg.repl.role == NS_REPL_ROLE_NONE ||
			rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + NS_REPL_HDR_LEN ||
			(port_idx != app.cfg.repl.port_idx && f[1] != NS_REPL_F_BEAT)) {
		w->dp_ctr[NS_DP_l4_no_handler]++;
		rte_pktmbuf_free(m);
		return;
	}
	chan = (uint32_t)f[2] << 8 | f[3];
	if (chan == w->idx && w->repl != NULL) {
		frame_in(w->repl, m);
		return;
	}
	/* Another worker's channel: its ring (a frame for no worker: dropped). */
	if (chan >= app.cfg.n_workers || app.worker[chan].repl == NULL) {
		if (w->repl != NULL)
			w->repl->ch.ctr[NS_REPL_C_rx_bad_chan]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (rte_ring_enqueue(app.worker[chan].repl->rx, m) != 0) {
		app.worker[chan].repl->ch.ctr[NS_REPL_C_handoff_full]++;
		rte_pktmbuf_free(m);
	}
}

bool
ns_repl_worker_service_open(struct ns_worker *w, uint16_t port_idx)
{
	struct ns_repl_w *r = w->repl;

	if (r == NULL || port_idx == app.cfg.repl.port_idx ||
			(r->active && !r->act.fenced && r->sw_state == 0))
		return true;
	if (r->sw_state == 0) /* a freezing active keeps them (ns_repl_worker_keep) */
		r->ch.ctr[NS_REPL_C_standby_rx_drop]++;
	return false;
}

bool
ns_repl_worker_keep(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m)
{
	struct ns_repl_w *r = w->repl;

	if (r == NULL || port_idx == app.cfg.repl.port_idx ||
			(r->sw_state == 0 && w->now_ns >= r->fwd_until_ns))
		return false;
	if (r->n_fwd == RTE_DIM(r->fwd) ||
			rte_pktmbuf_data_len(m) + 2u > ns_repl_chan_event_max(&r->ch)) {
		r->fwd_dropped++;
		return false;
	}
	m->port = port_idx;
	r->fwd[r->n_fwd++] = m;
	r->fwd_kept++;
	return true;
}

/* The stepped-down instance's kept frames, after its JOIN. */
static void
fwd_send(struct ns_repl_w *r)
{
	uint8_t buf[2048];

	for (uint32_t i = 0; i < r->n_fwd; i++) {
		struct rte_mbuf *m = r->fwd[i];
		uint32_t len = rte_pktmbuf_data_len(m);

		if (len + 2 <= sizeof(buf)) {
			ns_repl_put16(buf, m->port);
			memcpy(buf + 2, rte_pktmbuf_mtod(m, const uint8_t *), len);
			ns_repl_chan_control(&r->ch, NS_REPL_F_FWD, r->sb.epoch, 0, buf, len + 2);
			r->fwd_sent++;
		}
		rte_pktmbuf_free(m);
	}
	r->n_fwd = 0;
}

/* On the new active: a forwarded frame as if its service port received it
 * (before the takeover, kept until then). */
static void
fwd_in(struct ns_repl_w *r, uint32_t epoch, const uint8_t *p, uint32_t len)
{
	struct rte_mbuf *m;
	uint8_t *d;

	if (len < 2 + RTE_ETHER_HDR_LEN || ns_repl_get16(p) >= app.cfg.n_ports ||
			ns_repl_get16(p) == app.cfg.repl.port_idx ||
			epoch != (r->active ? r->act.epoch : r->stepdown_epoch) ||
			(!r->active && !r->stepdown_heard) ||
			(!r->active && r->n_fwd == RTE_DIM(r->fwd))) {
		r->fwd_dropped++;
		return;
	}
	m = rte_pktmbuf_alloc(app.pool);
	if (m == NULL || (d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(len - 2))) == NULL) {
		rte_pktmbuf_free(m);
		r->fwd_dropped++;
		return;
	}
	memcpy(d, p + 2, len - 2);
	m->port = ns_repl_get16(p);
	if (!r->active) {
		r->fwd[r->n_fwd++] = m;
		return;
	}
	r->fwd_injected++;
	ns_worker_inject(r->w, m->port, m);
}

/* A gratuitous ARP on every service port: the service address moved here. */
static void
send_garp(struct ns_worker *w)
{
	for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
		struct rte_mbuf *m;
		uint8_t *buf;

		if (p == app.cfg.repl.port_idx || app.cfg.port[p].ip == 0 ||
				app.cfg.port[p].forward >= 0)
			continue;
		m = rte_pktmbuf_alloc(app.pool);
		if (m == NULL)
			continue;
		buf = (uint8_t *)rte_pktmbuf_append(m, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
		if (buf == NULL) {
			rte_pktmbuf_free(m);
			continue;
		}
		memset(buf, 0, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
		ns_arp_build_request(&w->host[p], w->host[p].ip, buf);
		ns_worker_tx(w, p, m);
	}
}

static void takeover(struct ns_worker *w, const char *why, bool drained);

void
ns_repl_worker_takeover(struct ns_worker *w, const char *why)
{
	takeover(w, why, false);
}

static void
takeover(struct ns_worker *w, const char *why, bool drained)
{
	static const struct ns_repl_active_ops aops = {a_flag, a_state};
	const struct ns_repl_cfg *rc = &app.cfg.repl;
	struct ns_repl_w *r = w->repl;
	uint64_t t0 = ns_now_ns(), silence;
	uint32_t epoch, n, failed = 0;

	if (r == NULL || r->active)
		return;
	silence = w->now_ns - r->ch.last_rx_ns;
	if (r->ch.last_rx_ns == 0)
		silence = 0; /* role auto: there never was an active */
	r->last_partial = r->sb.state != NS_REPL_S_SYNCED && r->ch.last_rx_ns != 0;
	epoch = r->sb.epoch + 1; /* frames and heartbeats of the old one are refused */
	n = ns_repl_standby_promote(&r->sb, w->now_ns, drained, &failed);
	/* The backup applications become the applications. */
	for (uint32_t id = 0; id < w->tcp.cfg.max_conns; id++) {
		struct ns_tcb *c = &w->tcp.pool[id];

		if (c->state == NS_TCP_CLOSED)
			continue;
		w->appc[id].backup = 0;
		ns_tcp_worker_mark_ready(w, c);
	}
	w->tcp.quiet_until_ns = w->now_ns + (uint64_t)rc->grace_ms * 1000000ull;
	ns_repl_standby_fini(&r->sb);
	r->active = true;
	w->service_closed = false;
	if (ns_repl_active_init(&r->act, &r->ch, &w->tcp, &aops, r, epoch) == 0) {
		r->act.off_ns = wall_offset_ns();
		r->act.lost_ns = (uint64_t)rc->standby_timeout_ms * 1000000ull;
	}
	ns_repl_chan_reset(&r->ch, epoch, 0);
	r->ch.ctr[NS_REPL_C_takeovers]++;
	r->takeovers++;
	r->last_silence_ns = silence;
	r->last_activated = n;
	r->last_failed = failed;
	r->last_activate_ns = ns_now_ns() - t0;
	r->takeover_wall_ns = wall_now_ns();
	if (w->idx == 0) {
		app.cfg.repl.role = NS_REPL_ROLE_ACTIVE;
		app.cfg.repl.epoch = epoch;
		send_garp(w);
		r->garp_left = 2; /* twice more, in case the first is lost */
		r->garp_next_ns = w->now_ns + 20000000ull;
	}
	NS_LOGT(app, WARNING,
			"repl: worker %u takes over (%s, active silent %.1f ms): %u connections "
			"activated in %.1f us, %u failed; epoch %u%s",
			w->idx, why, silence / 1e6, n, r->last_activate_ns / 1e3, failed, epoch,
			r->last_partial ? " (bulk sync cut short: only the connections "
					  "checkpointed)"
					: "");
}

/*
 * Planned switchover, on the active.  Step 1 (here): freeze — the service
 * ports stop taking frames and the stack runs no timers and no applications,
 * so the state the standby holds stops moving.  Step 2 (drain_or_step_down,
 * every poll): once the standby acknowledged every event and the held
 * segments went out, this worker forgets its connections (no RST: the
 * standby has them), becomes a standby of the next epoch and says JOIN; the
 * standby takes that for the step-down and takes over.  The pause the peers
 * see is the drain (a replication round trip) plus the takeover.
 */
static void release(void *arg, void *pkt, uint64_t held_ns);

#define DRAIN_MAX_NS 200000000ull /* a standby that does not acknowledge: abort */
#define FWD_AFTER_NS 20000000ull  /* frames forwarded after the step-down, 20 ms */

void
ns_repl_worker_step_down(struct ns_worker *w)
{
	struct ns_repl_w *r = w->repl;

	if (r == NULL || !r->active || r->sw_state != 0)
		return;
	if (!ns_repl_active_in_sync(&r->act) || r->act.fenced) {
		r->sw_refused++;
		NS_LOGT(app, WARNING, "repl: worker %u: no switchover: the standby is not in sync",
				w->idx);
		return;
	}
	r->sw_state = 1;
	r->sw_start_ns = w->now_ns;
	r->sw_freeze_wall_ns = wall_now_ns();
	w->service_closed = true;
	w->tcp_frozen = true;
}

/* The active becomes a standby of epoch: its connections leave this stack
 * without a word (another instance holds them), what it held goes out
 * (drained) or is dropped (fenced: a stale instance must stay silent). */
static uint32_t
demote(struct ns_repl_w *r, uint32_t epoch, bool drained)
{
	struct ns_worker *w = r->w;
	uint32_t n = 0;

	ns_repl_hold_drain(&r->hold, drained ? release : free_held, r, w->now_ns);
	if (!drained) { /* fenced: what it kept for a successor must not reach anyone */
		for (uint32_t i = 0; i < r->n_fwd; i++)
			rte_pktmbuf_free(r->fwd[i]);
		r->n_fwd = 0;
	}
	ns_repl_active_fini(&r->act);
	for (uint32_t id = 0; id < w->tcp.cfg.max_conns; id++) {
		struct ns_tcb *c = &w->tcp.pool[id];

		if (c->state == NS_TCP_CLOSED)
			continue;
		ns_tcp_forget(&w->tcp, c);
		memset(&w->appc[id], 0, sizeof(w->appc[id]));
		n++;
	}
	w->n_ready = 0;
	r->sw_state = 0;
	if (standby_start(r, epoch) != 0) {
		/* Neither active (its state is gone) nor standby: silent. */
		NS_LOGT(app, ERR, "repl: worker %u: cannot become a standby", w->idx);
		w->service_closed = true;
		w->tcp_frozen = true;
		return n;
	}
	w->tcp_frozen = false;
	if (w->idx == 0) {
		app.cfg.repl.role = NS_REPL_ROLE_STANDBY;
		app.cfg.repl.epoch = epoch;
	}
	return n;
}

static void
step_down(struct ns_repl_w *r)
{
	struct ns_worker *w = r->w;
	uint32_t epoch = r->act.epoch + 1, n;

	r->last_drain_ns = w->now_ns - r->sw_start_ns;
	r->stepdowns++;
	n = demote(r, epoch, true);
	/* Until the peers' frames come to the new active (its first frames move
	 * the service MAC in the switches), what still arrives here goes on too. */
	r->fwd_until_ns = w->now_ns + FWD_AFTER_NS;
	NS_LOGT(app, WARNING,
			"repl: worker %u steps down (planned switchover): %u connections "
			"handed over, drained in %.1f us; standby of epoch %u",
			w->idx, n, r->last_drain_ns / 1e3, epoch);
}

static void
drain_or_step_down(struct ns_repl_w *r, uint32_t horizon)
{
	struct ns_worker *w = r->w;

	if (r->sw_state == 0)
		return;
	if (r->act.state != NS_REPL_A_SYNCED || r->act.fenced ||
			w->now_ns - r->sw_start_ns > DRAIN_MAX_NS) {
		/* The standby went away or never answered: carry on as the active. */
		r->sw_state = 0;
		r->sw_aborted++;
		w->tcp_frozen = false;
		w->service_closed = r->act.fenced;
		/* What the freeze kept is this instance's again (or nobody's). */
		for (uint32_t i = 0; i < r->n_fwd; i++)
			if (r->act.fenced)
				rte_pktmbuf_free(r->fwd[i]);
			else
				ns_worker_inject(w, r->fwd[i]->port, r->fwd[i]);
		r->n_fwd = 0;
		NS_LOGT(app, WARNING, "repl: worker %u: switchover aborted: the standby is %s",
				w->idx, r->act.fenced ? "of a newer epoch" : "not acknowledging");
		return;
	}
	if (ns_repl_chan_acked(&r->ch, horizon) && r->hold.head == r->hold.tail)
		step_down(r);
}

bool
ns_repl_worker_accept(struct ns_worker *w)
{
	struct ns_repl_w *r = w->repl;

	if (r == NULL)
		return true;
	if (!r->active) {
		r->ch.ctr[NS_REPL_C_standby_tcp_drop]++;
		return false;
	}
	if (r->act.state == NS_REPL_A_SYNCED && ns_repl_chan_room(&r->ch) < ROOM_FOR_INPUT) {
		r->ch.ctr[NS_REPL_C_in_backpressure]++;
		return false;
	}
	return true;
}

void
ns_repl_worker_observe(struct ns_worker *w, const struct ns_tcb *c, uint32_t groups)
{
	if (w->repl != NULL && w->repl->active)
		ns_repl_active_observe(&w->repl->act, c, groups);
}

static bool
conn_async(const struct ns_tcb *c)
{
	if (c->flags & NS_TCBF_PASSIVE)
		return c->listener < app.cfg.n_listeners &&
		       app.cfg.listener[c->listener].repl_async;
	return app.cfg.repl.async;
}

bool
ns_repl_worker_hold(struct ns_worker *w, struct rte_mbuf *m, uint16_t port_idx, rte_be32_t nh)
{
	struct ns_repl_w *r = w->repl;
	const struct ns_tcb *c;

	if (r != NULL && r->active && r->act.fenced) {
		rte_pktmbuf_free(m); /* taken over: this instance must stay silent */
		r->ch.ctr[NS_REPL_C_standby_rx_drop]++;
		return true;
	}
	if (r == NULL || !r->active || r->act.state != NS_REPL_A_SYNCED)
		return false;
	c = w->tcp.xmit_conn; /* the stack says whose segment this is */
	/* A connection the standby does not have yet (bulk sync not there), or no
	 * connection at all (a RST): nothing to wait for.  Async mode waits only
	 * when half the window is unacknowledged: what a failover can lose is
	 * bounded by that, and replication cannot fall behind without limit. */
	if (c == NULL || !r->act.conn[c->id].live)
		return false;
	if (conn_async(c) && ns_repl_chan_unacked(&r->ch) <= r->ch.cfg.window / 2)
		return false;
	m->port = port_idx;
	m->hash.usr = nh;
	if (!ns_repl_hold_push(&r->hold, m, w->now_ns)) {
		r->ch.ctr[NS_REPL_C_hold_full]++;
		return false;
	}
	r->ch.ctr[NS_REPL_C_hold_push]++;
	return true;
}

static void
release(void *arg, void *pkt, uint64_t held_ns)
{
	struct ns_repl_w *r = arg;
	struct rte_mbuf *m = pkt;
	uint64_t us = held_ns / 1000;
	unsigned int b;

	if (us < 1024) {
		b = (unsigned int)us;
	} else {
		b = 1024;
		while (b + 1 < RTE_DIM(r->held_us) && (us >> (b - 1024 + 11)) != 0)
			b++;
	}
	r->held_us[b]++;
	ns_worker_send_ip(r->w, m->port, m, m->hash.usr);
}

void
ns_repl_worker_poll(struct ns_worker *w)
{
	struct ns_repl_w *r = w->repl;
	struct rte_mbuf *m[32];
	unsigned int n;

	if (r == NULL)
		return;
	n = rte_ring_dequeue_burst(r->rx, (void **)m, RTE_DIM(m), NULL);
	for (unsigned int i = 0; i < n; i++)
		frame_in(r, m[i]);
	ns_repl_chan_timers(&r->ch, w->now_ns);
	if (r->active) {
		uint32_t session = r->act.session;

		if (r->act.fenced) {
			/* An instance of a newer epoch took over: silent at once, and
			 * its standby from now on (it bulk-syncs this one). */
			uint32_t epoch = r->act.fence_epoch, n = demote(r, epoch, false);

			r->fences++;
			NS_LOGT(app, WARNING,
					"repl: worker %u fenced: an instance of epoch %u is the "
					"active; %u connections dropped here, joining it as the "
					"standby",
					w->idx, epoch, n);
			return;
		}

		/* This pass's segments depend on every event written so far. */
		uint32_t horizon = ns_repl_active_horizon(&r->act);

		ns_repl_hold_mark(&r->hold, horizon);
		r->act.bulk_per_poll = r->bulk_paused ? 0 : NS_REPL_BULK_PER_POLL;
		ns_repl_active_poll(&r->act, w->now_ns);
		send_neighbours(r);
		if (r->act.session != session || r->act.state != NS_REPL_A_SYNCED)
			/* A new session: what waited for the old standby goes now. */
			ns_repl_hold_drain(&r->hold, release, r, w->now_ns);
		ns_repl_hold_release(&r->hold, &r->ch, release, r, w->now_ns);
		if (r->garp_left != 0 && w->now_ns >= r->garp_next_ns) {
			send_garp(w);
			r->garp_left--;
			r->garp_next_ns = w->now_ns + 80000000ull;
		}
		drain_or_step_down(r, horizon);
		send_beats(r);
	} else {
		if (r->stepdown_heard) {
			r->stepdown_heard = false;
			takeover(w, "the active stepped down", true);
			/* Its JOIN, answered now by the new active: the bulk sync starts. */
			ns_repl_active_control(&r->act, NS_REPL_F_JOIN, r->stepdown_epoch,
					r->stepdown_session, r->stepdown_join, r->stepdown_len,
					w->now_ns);
			/* What reached the old one while it was frozen. */
			for (uint32_t i = 0; i < r->n_fwd; i++) {
				r->fwd_injected++;
				ns_worker_inject(w, r->fwd[i]->port, r->fwd[i]);
			}
			r->n_fwd = 0;
			return;
		}
		ns_repl_standby_poll(&r->sb, w->now_ns);
		if (r->n_fwd != 0)
			fwd_send(r); /* after the JOIN that made the other one active */
		standby_watch(r);
	}
}

uint64_t
ns_repl_hold_pct(const struct ns_repl_w *r, unsigned int p)
{
	uint64_t total = 0, acc = 0;

	for (unsigned int i = 0; i < RTE_DIM(r->held_us); i++)
		total += r->held_us[i];
	if (total == 0)
		return 0;
	for (unsigned int i = 0; i < RTE_DIM(r->held_us); i++) {
		acc += r->held_us[i];
		if (acc * 100 >= total * p)
			return i < 1024 ? i + 1 : 1ull << (i - 1024 + 11);
	}
	return 0;
}
