/* SPDX-License-Identifier: BSD-3-Clause */
/* The HA role machine (ha_node.h): roles, leases, takeover, switchover, fencing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl/ha_node.h"

const struct ns_ctr_desc ns_ha_ctr_desc[NS_HA_C__MAX] = {
#define X(name, kind, help) NS_CTR_DESC(name, kind, help)
		NS_HA_COUNTERS(X)
#undef X
};

#define CTR(n, x)      ((n)->ctr[NS_HA_C_##x]++)
#define MS	       1000000ull
#define HOLD_Q	       (1u << 16)
#define ROOM_FOR_IN    64 /* frames the ring must have free before a segment is processed */
#define TELL_EVERY_NS  (10 * MS)
#define NEIGH_EVERY    (100 * MS)
#define HANDOVER_EVERY (20 * MS)
#define DETECT_SLACK   (3 * MS)

static const char *const role_names[NS_HA_ROLE__N] = {
		[NS_HA_STANDBY_JOINING] = "standby (joining)",
		[NS_HA_STANDBY_SYNCING] = "standby (syncing)",
		[NS_HA_STANDBY_READY] = "standby (ready)",
		[NS_HA_STANDBY_STALE] = "standby (stale)",
		[NS_HA_ACTIVE] = "active",
		[NS_HA_ACTIVE_ALONE] = "active (alone)",
		[NS_HA_DRAINING] = "active (draining)",
};

const char *
ns_ha_role_name(enum ns_ha_role r)
{
	return r < NS_HA_ROLE__N && role_names[r] != NULL ? role_names[r] : "?";
}

static void __attribute__((format(printf, 3, 4)))
say(struct ns_ha_node *n, enum ns_ha_log level, const char *fmt, ...)
{
	char buf[320];
	va_list ap;

	if (n->ops.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n->ops.log(n->user, level, buf);
}

static void
set_role(struct ns_ha_node *n, enum ns_ha_role role)
{
	if (n->role == role)
		return;
	n->role = role;
	if (n->ops.role != NULL)
		n->ops.role(n->user, role, n->epoch);
}

static void
service(struct ns_ha_node *n, bool open, bool frozen)
{
	if (n->ops.service != NULL)
		n->ops.service(n->user, open, frozen);
}

static int64_t
wall_offset(struct ns_ha_node *n)
{
	return n->ops.wall_offset != NULL ? n->ops.wall_offset(n->user) : 0;
}

/* --- the channel's and the two ends' callbacks ------------------------------- */

static void
ch_xmit(void *user, const uint8_t *f, uint32_t len)
{
	struct ns_ha_node *n = user;

	n->ops.xmit(n->user, n->beat_tx, f, len);
}

static void
ch_deliver(void *user, const uint8_t *p, uint32_t len, uint64_t now)
{
	struct ns_ha_node *n = user;

	if (ns_ha_role_is_active(n->role))
		ns_repl_active_deliver(&n->act, p, len, now);
	else
		ns_repl_standby_deliver(&n->sb, p, len, now);
}

static void fwd_in(struct ns_ha_node *n, uint32_t epoch, const uint8_t *p, uint32_t len);

static void set_role(struct ns_ha_node *n, enum ns_ha_role role);

static void
adopt_epoch(struct ns_ha_node *n, uint32_t epoch, uint64_t now)
{
	(void)now;
	n->act.epoch = epoch;
	n->epoch = epoch;
	ns_repl_chan_reset(&n->ch, epoch, 0);
	if (n->act.state != NS_REPL_A_IDLE)
		ns_repl_active_alone(&n->act);
	if (n->ops.role != NULL)
		n->ops.role(n->user, n->role, epoch);
}

static uint32_t
conns_held(const struct ns_ha_node *n)
{
	return n->tcp->cfg.max_conns - n->tcp->n_free;
}

/* A heartbeat of another active of our epoch: does it win (more connections,
 * then the larger instance nonce)? */
static bool
beat_wins(const struct ns_ha_node *n, uint32_t conns, uint32_t nonce)
{
	uint32_t mine = conns_held(n);

	return conns > mine || (conns == mine && nonce > n->nonce);
}
static void step_down(struct ns_ha_node *n, uint64_t now);
static bool standby_valid(const struct ns_ha_node *n, uint64_t now);

static void
ch_control(void *user, uint8_t type, uint32_t epoch, uint32_t session, const uint8_t *p,
		uint32_t len, uint64_t now)
{
	struct ns_ha_node *n = user;

	if (type == NS_REPL_F_FWD) {
		fwd_in(n, epoch, p, len);
		return;
	}
	if (n->role == NS_HA_DRAINING && n->sw_nonce != 0 && type == NS_REPL_F_HELLO &&
			epoch == n->act.epoch + 1 && len >= 20 && ns_get_be32(p) == n->sw_nonce) {
		/* The new active answers the hand-over: this one is its standby. */
		step_down(n, now);
		ns_repl_standby_control(&n->sb, type, epoch, session, p, len, now);
		return;
	}
	if (ns_ha_role_is_active(n->role)) {
		if (type == NS_REPL_F_BEAT && epoch == n->act.epoch && len >= 8 &&
				beat_wins(n, ns_get_be32(p), ns_get_be32(p + 4))) {
			/* Another active of this very epoch (two instances that each
			 * found nobody at start): the one holding more connections
			 * stays, the other becomes its standby. */
			n->act.fenced = true;
			n->act.fence_epoch = epoch;
			return;
		}
		if (type == NS_REPL_F_JOIN && (int32_t)(epoch - n->act.epoch) > 0 &&
				n->role != NS_HA_DRAINING)
			/* A standby that knew a newer epoch (its active is gone, or it
			 * was started with an older configuration than this one's
			 * pair): this active takes that epoch rather than be fenced
			 * by a standby; an active of that epoch, if there is one,
			 * settles it with its heartbeats. */
			adopt_epoch(n, epoch, now);
		/* JOIN (a standby), HELLO_ACK; anything of a newer epoch fences. */
		ns_repl_active_control(&n->act, type, epoch, session, p, len, now);
		return;
	}
	if (type == NS_REPL_F_BEAT) {
		if ((int32_t)(epoch - n->sb.epoch) >= 0) {
			n->beat_rx_ns = now;
			CTR(n, beats_heard);
		}
		return;
	}
	/* A JOIN of a newer epoch while in sync: the active stepped down (a
	 * planned switchover) and asks to be this one's standby.  Taken over at
	 * the next poll (not inside the channel's receive path); the JOIN is then
	 * answered as the active. */
	if (type == NS_REPL_F_CANCEL) {
		/* The hand-over asked for is off: frames are in order, so a JOIN
		 * that waited in this one's ring with it is cancelled too. */
		if (n->stepdown_heard && epoch == n->stepdown_epoch)
			n->stepdown_heard = false;
		return;
	}
	/* (Only while its state is current: a JOIN that waited in the ring of a
	 * paused standby may come from a switchover long aborted.) */
	if (type == NS_REPL_F_JOIN && n->sb.state == NS_REPL_S_SYNCED &&
			(int32_t)(epoch - n->sb.epoch) > 0 && len <= sizeof(n->stepdown_join) &&
			standby_valid(n, now)) {
		n->stepdown_heard = true;
		n->heard_ns = n->ops.clock != NULL ? n->ops.clock(n->user) : now;
		n->stepdown_epoch = epoch;
		n->stepdown_session = session;
		n->stepdown_len = len;
		memcpy(n->stepdown_join, p, len);
		return;
	}
	if (type == NS_REPL_F_RESET && n->sb.state != NS_REPL_S_JOINING && epoch == n->sb.epoch &&
			session == n->ch.session)
		CTR(n, resets_heard);
	ns_repl_standby_control(&n->sb, type, epoch, session, p, len, now);
}

static void
a_flag(void *user, const struct ns_tcb *c, uint8_t level, uint32_t lag_us)
{
	struct ns_ha_node *n = user;

	if (n->ops.active.flag != NULL)
		n->ops.active.flag(n->user, c, level, lag_us);
}

static uint32_t
a_state(void *user, const struct ns_tcb *c, uint8_t *buf, uint32_t max)
{
	struct ns_ha_node *n = user;

	return n->ops.active.app_state != NULL ? n->ops.active.app_state(n->user, c, buf, max) : 0;
}

static bool
a_snapshot(void *user, uint64_t *cursor)
{
	struct ns_ha_node *n = user;

	return n->ops.active.snapshot != NULL ? n->ops.active.snapshot(n->user, cursor) : true;
}

static void
s_journal(void *user, uint32_t conn, uint16_t app, uint8_t flags, uint32_t pos, const uint8_t *p,
		uint32_t len)
{
	struct ns_ha_node *n = user;

	if (n->ops.standby.journal != NULL)
		n->ops.standby.journal(n->user, conn, app, flags, pos, p, len);
}

static void
s_bulk_begin(void *user)
{
	struct ns_ha_node *n = user;

	if (n->ops.standby.bulk_begin != NULL)
		n->ops.standby.bulk_begin(n->user);
}

static void
s_new(void *user, struct ns_tcb *c)
{
	struct ns_ha_node *n = user;

	if (n->ops.standby.shadow_new != NULL)
		n->ops.standby.shadow_new(n->user, c);
}

static void
s_free(void *user, struct ns_tcb *c)
{
	struct ns_ha_node *n = user;

	if (n->ops.standby.shadow_free != NULL)
		n->ops.standby.shadow_free(n->user, c);
}

static uint32_t
s_backup(void *user, struct ns_tcb *c, uint32_t from, uint32_t to)
{
	struct ns_ha_node *n = user;

	if (n->backup_paused)
		return from; /* a slow backup application (tests) */
	return n->ops.standby.backup != NULL ? n->ops.standby.backup(n->user, c, from, to) : to;
}

static void
s_restore(void *user, struct ns_tcb *c, const uint8_t *buf, uint32_t len)
{
	struct ns_ha_node *n = user;

	if (n->ops.standby.app_restore != NULL)
		n->ops.standby.app_restore(n->user, c, buf, len);
}

static void
s_flag(void *user, const struct ns_tcb *c, uint8_t level, uint32_t lag_us, bool from_active)
{
	struct ns_ha_node *n = user;

	if (n->ops.standby.flag != NULL)
		n->ops.standby.flag(n->user, c, level, lag_us, from_active);
}

static void
s_neigh(void *user, uint16_t port, uint32_t ip, const uint8_t mac[6])
{
	struct ns_ha_node *n = user;

	if (n->ops.standby.neigh != NULL) {
		n->ops.standby.neigh(n->user, port, ip, mac);
		CTR(n, neigh_learned);
	}
}

/* --- set-up -------------------------------------------------------------------- */

static uint64_t
at_least(uint64_t v, uint64_t min)
{
	return v > min ? v : min;
}

int
ns_ha_init(struct ns_ha_node *n, const struct ns_ha_cfg *cfg, const struct ns_ha_ops *ops,
		void *user, struct ns_tcp_stack *tcp, uint64_t now)
{
	static const struct ns_repl_chan_ops chops = {ch_xmit, ch_deliver, ch_control};
	static const struct ns_repl_active_ops aops = {a_flag, a_state, a_snapshot};
	static const struct ns_repl_standby_ops sops = {s_new, s_free, s_backup, s_restore, s_flag,
			s_neigh, s_journal, s_bulk_begin};
	struct ns_repl_chan_cfg cc = cfg->chan;
	struct ns_ha_cfg *k = &n->cfg;

	memset(n, 0, sizeof(*n));
	n->cfg = *cfg;
	n->ops = *ops;
	n->user = user;
	n->tcp = tcp;
	if (cc.keepalive_ns == 0)
		/* four keepalives in the standby's failover time */
		cc.keepalive_ns = k->failover_ns >= 8 * MS ? k->failover_ns / 4 : 2 * MS;
	k->chan = cc;
	if (k->lost_ns == 0)
		k->lost_ns = 1000 * MS;
	if (k->validity_ns == 0)
		k->validity_ns = k->lost_ns - at_least(k->lost_ns / 8, 2 * MS);
	if (k->lease_ns == 0)
		k->lease_ns = k->failover_ns != 0
					      ? k->failover_ns - at_least(k->failover_ns / 8, MS)
					      : UINT64_MAX / 4;
	/* A live active is never silent longer than a keepalive interval: a
	 * pause up to failover_ns is not a death, one keepalive (and the loops'
	 * granularity) more is. */
	n->detect_ns = k->failover_ns + cc.keepalive_ns + DETECT_SLACK;
	if (k->listen_ns == 0)
		k->listen_ns = at_least(k->failover_ns, 2 * cc.keepalive_ns + 2 * MS);
	if (k->hold_q == 0)
		k->hold_q = HOLD_Q;
	if (k->pause_ns == 0)
		k->pause_ns = 5 * MS;
	if (k->resync_ns == 0)
		k->resync_ns = 1000 * MS;
	if (k->drain_max_ns == 0)
		k->drain_max_ns = 200 * MS;
	if (k->fwd_after_ns == 0)
		k->fwd_after_ns = 20 * MS;
	/* A standby that may take over must hold everything the peers were
	 * told: its validity ends before the active may go on alone. */
	if (k->validity_ns >= k->lost_ns || (k->failover_ns != 0 && k->lease_ns >= k->failover_ns))
		return -1;
	if (ns_repl_chan_init(&n->ch, &cc, &chops, n) != 0 ||
			ns_repl_hold_init(&n->hold, k->hold_q) != 0 ||
			ns_repl_active_init(&n->act, &n->ch, tcp, &aops, n, cfg->epoch) != 0 ||
			ns_repl_standby_init(&n->sb, &n->ch, tcp, &sops, n, cfg->warn_ns,
					cfg->crit_ns) != 0) {
		ns_ha_fini(n);
		return -1;
	}
	n->act.lost_ns = 0; /* the node decides when the standby is gone */
	n->sb.resync_ns = k->resync_ns;
	n->epoch = cfg->epoch;
	n->start_ns = now;
	n->nonce = (uint32_t)((now ^ (uint64_t)(uintptr_t)n ^ (uint64_t)(uintptr_t)tcp) *
					      0x9e3779b97f4a7c15ull >>
			      32);
	n->last_poll_ns = now;
	ns_repl_chan_reset(&n->ch, n->epoch, 0);
	if (cfg->start_active) {
		n->act.off_ns = wall_offset(n);
		n->role = NS_HA_ACTIVE_ALONE;
		service(n, true, false);
	} else {
		n->sb.off_ns = wall_offset(n);
		n->sb.epoch = n->epoch;
		n->role = NS_HA_STANDBY_JOINING;
		service(n, false, false);
	}
	if (n->ops.role != NULL)
		n->ops.role(n->user, n->role, n->epoch);
	return 0;
}

static void
free_pkt(void *arg, void *pkt, uint64_t held_ns)
{
	struct ns_ha_node *n = arg;

	(void)held_ns;
	n->ops.pkt_free(n->user, pkt);
}

void
ns_ha_fini(struct ns_ha_node *n)
{
	if (n->hold.pkt != NULL)
		ns_repl_hold_drain(&n->hold, free_pkt, n, 0);
	ns_repl_hold_fini(&n->hold);
	for (uint32_t i = 0; i < n->n_fwd; i++)
		n->ops.pkt_free(n->user, n->fwd[i]);
	n->n_fwd = 0;
	ns_repl_active_fini(&n->act);
	ns_repl_standby_fini(&n->sb);
	if (n->ch.slot != NULL)
		ns_repl_chan_fini(&n->ch);
}

/* --- the output hold and the lease ---------------------------------------------- */

bool
ns_ha_lease_valid(const struct ns_ha_node *n, uint64_t now)
{
	if (n->cfg.no_lease_check || !n->guard)
		return true;
	return n->ch.echo_ns != 0 && now < n->ch.echo_ns + n->cfg.lease_ns;
}

static void
release(void *arg, void *pkt, uint64_t held_ns)
{
	struct ns_ha_node *n = arg;
	uint64_t us = held_ns / 1000;
	unsigned int b;

	if (us < 1024) {
		b = (unsigned int)us;
	} else {
		b = 1024;
		while (b + 1 < sizeof(n->held_us) / sizeof(n->held_us[0]) &&
				(us >> (b - 1024 + 11)) != 0)
			b++;
	}
	n->held_us[b]++;
	n->ops.pkt_send(n->user, pkt);
}

uint64_t
ns_ha_hold_pct(const struct ns_ha_node *n, unsigned int p)
{
	const unsigned int nb = sizeof(n->held_us) / sizeof(n->held_us[0]);
	uint64_t total = 0, acc = 0;

	for (unsigned int i = 0; i < nb; i++)
		total += n->held_us[i];
	if (total == 0)
		return 0;
	for (unsigned int i = 0; i < nb; i++) {
		acc += n->held_us[i];
		if (acc * 100 >= total * p)
			return i < 1024 ? i + 1 : 1ull << (i - 1024 + 11);
	}
	return 0;
}

static bool
conn_async(struct ns_ha_node *n, const struct ns_tcb *c)
{
	return n->ops.conn_async != NULL ? n->ops.conn_async(n->user, c) : n->cfg.repl_async;
}

bool
ns_ha_hold(struct ns_ha_node *n, void *pkt, const struct ns_tcb *c, uint64_t now)
{
	if (!ns_ha_role_is_active(n->role) || n->act.fenced) {
		/* Not (or no longer) the active: this instance must stay silent. */
		n->ops.pkt_free(n->user, pkt);
		CTR(n, hold_dropped);
		return true;
	}
	/* Alone, or a standby that holds nothing of ours yet; a RST of no
	 * connection: nothing to wait for. */
	if (!n->guard || c == NULL)
		return false;
	if (n->act.state == NS_REPL_A_SYNCED) {
		/* A connection the bulk sync has not reached: the standby does not
		 * have it (and, syncing, could not take over on its own). */
		if (!n->act.conn[c->id].live)
			return false;
		/* Async mode waits only when half the window is unacknowledged:
		 * what a failover can lose is bounded by that. */
		if (conn_async(n, c) && ns_repl_chan_unacked(&n->ch) <= n->ch.cfg.window / 2 &&
				ns_ha_lease_valid(n, now))
			return false;
	}
	/* Otherwise (a new session is being set up after one that was in sync)
	 * it waits until the standby has dropped the old session's state. */
	if (!ns_repl_hold_push(&n->hold, pkt, now)) {
		n->ops.pkt_free(n->user, pkt);
		n->ch.ctr[NS_REPL_C_hold_full]++;
		return true;
	}
	n->ch.ctr[NS_REPL_C_hold_push]++;
	if (!ns_ha_lease_valid(n, now))
		CTR(n, lease_held);
	return true;
}

void
ns_ha_observe(struct ns_ha_node *n, const struct ns_tcb *c, uint32_t groups)
{
	if (ns_ha_role_is_active(n->role))
		ns_repl_active_observe(&n->act, c, groups);
}

bool
ns_ha_accept(struct ns_ha_node *n)
{
	if (!ns_ha_role_is_active(n->role)) {
		n->ch.ctr[NS_REPL_C_standby_tcp_drop]++;
		return false;
	}
	if (n->act.state == NS_REPL_A_SYNCED && ns_repl_chan_room(&n->ch) < ROOM_FOR_IN) {
		n->ch.ctr[NS_REPL_C_in_backpressure]++;
		return false;
	}
	return true;
}

/* --- frames in ------------------------------------------------------------------ */

bool
ns_ha_frame(struct ns_ha_node *n, bool service_port, const uint8_t *f, uint32_t len, uint64_t now)
{
	uint64_t old_epoch = n->ch.ctr[NS_REPL_C_rx_old_epoch];
	uint64_t bad_session = n->ch.ctr[NS_REPL_C_rx_bad_session];

	/* On a service port, only the other instance's heartbeats. */
	if (service_port && (len < NS_REPL_HDR_LEN || f[1] != NS_REPL_F_BEAT))
		return false;
	if (!ns_repl_chan_input(&n->ch, f, len, now))
		return false;
	if (!ns_ha_role_is_active(n->role))
		return true;
	/* An instance that was taken over still talks: tell it (a control frame
	 * of our epoch fences it), at most every 10 ms. */
	if (n->ch.ctr[NS_REPL_C_rx_old_epoch] != old_epoch &&
			now - n->fence_sent_ns > TELL_EVERY_NS) {
		static const uint8_t nothing[4];

		n->fence_sent_ns = now;
		ns_repl_chan_control(&n->ch, NS_REPL_F_HELLO, n->epoch, 0, nothing, sizeof(nothing),
				now);
		CTR(n, fence_sent);
	}
	/* A standby that talks in a session that is over (this active went on
	 * alone, or started another): its state is stale, it must join again. */
	if (n->ch.ctr[NS_REPL_C_rx_bad_session] != bad_session && ns_get_be32(f + 4) == n->epoch &&
			now - n->reset_sent_ns > TELL_EVERY_NS &&
			(n->act.state == NS_REPL_A_IDLE || n->act.state == NS_REPL_A_SYNCED)) {
		n->reset_sent_ns = now;
		ns_repl_chan_control(&n->ch, NS_REPL_F_RESET, n->epoch, ns_get_be32(f + 8), NULL, 0,
				now);
		CTR(n, resets_sent);
	}
	return true;
}

enum ns_ha_svc
ns_ha_service_rx(struct ns_ha_node *n, void *pkt, uint64_t now)
{
	uint32_t len;
	uint16_t port;

	if ((n->role == NS_HA_ACTIVE || n->role == NS_HA_ACTIVE_ALONE) && !n->act.fenced)
		return NS_HA_SVC_PROCESS;
	if (n->role != NS_HA_DRAINING && now >= n->fwd_until_ns) {
		n->ch.ctr[NS_REPL_C_standby_rx_drop]++;
		return NS_HA_SVC_DROP;
	}
	/* Stepping down (and a little after): the successor gets it. */
	n->ops.pkt_data(n->user, pkt, &len, &port);
	if (n->n_fwd == NS_HA_FWD_MAX || len + 2u > ns_repl_chan_event_max(&n->ch)) {
		CTR(n, fwd_dropped);
		return NS_HA_SVC_DROP;
	}
	n->fwd[n->n_fwd++] = pkt;
	CTR(n, fwd_kept);
	return NS_HA_SVC_KEPT;
}

/* The stepped-down instance's kept frames, after its JOIN. */
static void
fwd_send(struct ns_ha_node *n, uint64_t now)
{
	uint8_t buf[2048];

	for (uint32_t i = 0; i < n->n_fwd; i++) {
		uint32_t len;
		uint16_t port;
		const uint8_t *d = n->ops.pkt_data(n->user, n->fwd[i], &len, &port);

		if (len + 2 <= sizeof(buf)) {
			ns_put_be16(buf, port);
			memcpy(buf + 2, d, len);
			ns_repl_chan_control(
					&n->ch, NS_REPL_F_FWD, n->sb.epoch, 0, buf, len + 2, now);
			CTR(n, fwd_sent);
		} else {
			CTR(n, fwd_dropped);
		}
		n->ops.pkt_free(n->user, n->fwd[i]);
	}
	n->n_fwd = 0;
}

/* On the new active: a forwarded frame as if its service port received it
 * (before the takeover, kept until then). */
static void
fwd_in(struct ns_ha_node *n, uint32_t epoch, const uint8_t *p, uint32_t len)
{
	bool active = ns_ha_role_is_active(n->role);
	void *pkt;

	if (len < 2 + 14 || epoch != (active ? n->act.epoch : n->stepdown_epoch) ||
			(!active && !n->stepdown_heard) || (!active && n->n_fwd == NS_HA_FWD_MAX) ||
			(pkt = n->ops.pkt_make(n->user, ns_get_be16(p), p + 2, len - 2)) == NULL) {
		CTR(n, fwd_dropped);
		return;
	}
	if (!active) {
		n->fwd[n->n_fwd++] = pkt;
		return;
	}
	CTR(n, fwd_injected);
	n->ops.inject(n->user, pkt);
}

/* --- roles ------------------------------------------------------------------------ */

/* The standby becomes the active of the next epoch.  drained: the old active
 * stepped down after every segment it made left it (nothing is sent again). */
static void
takeover(struct ns_ha_node *n, const char *why, bool drained, uint64_t now)
{
	uint32_t epoch = n->sb.epoch + 1, got, failed = 0;
	uint64_t t0 = n->ops.clock != NULL ? n->ops.clock(n->user) : now;

	n->last_silence_ns = n->ch.last_rx_ns != 0 ? now - n->ch.last_rx_ns : 0;
	n->last_partial = n->sb.state != NS_REPL_S_SYNCED && n->ch.last_rx_ns != 0;
	/* A heartbeat of the new epoch before the first segment: an old active
	 * that was only paused finds it in its receive ring when it wakes, ahead
	 * of anything the peers answer to this one, and is fenced by it. */
	if (n->cfg.service_beat) {
		uint8_t p[8];

		ns_put_be32(p, n->sb.n_shadows);
		ns_put_be32(p + 4, n->nonce);
		n->beat_tx = true;
		ns_repl_chan_control(&n->ch, NS_REPL_F_BEAT, epoch, 0, p, sizeof(p), now);
		n->beat_tx = false;
		CTR(n, beats_sent);
	}
	/* The active (alone) before the first shadow is activated: what the
	 * activation sends (everything unacknowledged, the ACKs that make the
	 * peer resend what died with the old one) must leave, not be taken for
	 * a standby's segments and dropped. */
	ns_repl_active_reset(&n->act, epoch);
	n->act.off_ns = wall_offset(n);
	n->epoch = epoch;
	n->guard = false;
	set_role(n, NS_HA_ACTIVE_ALONE);
	got = ns_repl_standby_promote(&n->sb, now, drained, &failed);
	/* The backup applications become the applications. */
	for (uint32_t id = 0; id < n->tcp->cfg.max_conns; id++)
		if (n->tcp->pool[id].state != NS_TCP_CLOSED && n->ops.conn_activated != NULL)
			n->ops.conn_activated(n->user, &n->tcp->pool[id]);
	n->tcp->quiet_until_ns = now + n->cfg.grace_ns;
	ns_repl_standby_reset(&n->sb, epoch);
	ns_repl_chan_reset(&n->ch, epoch, 0);
	n->stepdown_heard = false;
	n->lapsed_ns = 0;
	CTR(n, takeovers);
	n->last_activated = got;
	n->last_failed = failed;
	n->last_takeover_ns = n->ops.clock != NULL ? n->ops.clock(n->user) : now;
	n->last_activate_ns = n->last_takeover_ns - t0;
	n->last_takeover_wall_ns = n->last_takeover_ns + (uint64_t)wall_offset(n);
	service(n, true, false);
	if (n->ops.garp != NULL)
		n->ops.garp(n->user);
	n->garp_left = 2; /* twice more, in case the first is lost */
	n->garp_next_ns = now + 20 * MS;
	say(n, NS_HA_LOG_WARNING,
			"takes over (%s, active silent %.1f ms): %u connections activated in "
			"%.1f us, %u failed; epoch %u%s",
			why, n->last_silence_ns / 1e6, got, n->last_activate_ns / 1e3, failed,
			epoch,
			n->last_partial ? " (not in sync: only the connections checkpointed)" : "");
}

/* The active becomes a standby of epoch: its connections leave this stack
 * without a word (another instance holds them); what it held goes out
 * (drained: the standby acknowledged it all) or is dropped (fenced: a stale
 * instance must stay silent). */
static uint32_t
demote(struct ns_ha_node *n, uint32_t epoch, bool drained, uint64_t now)
{
	uint32_t got = 0;

	ns_repl_hold_drain(&n->hold, drained ? release : free_pkt, n, now);
	if (!drained) {
		for (uint32_t i = 0; i < n->n_fwd; i++)
			n->ops.pkt_free(n->user, n->fwd[i]);
		n->n_fwd = 0;
	}
	for (uint32_t id = 0; id < n->tcp->cfg.max_conns; id++) {
		struct ns_tcb *c = &n->tcp->pool[id];

		if (c->state == NS_TCP_CLOSED)
			continue;
		if (n->ops.conn_forgotten != NULL)
			n->ops.conn_forgotten(n->user, c);
		ns_tcp_forget(n->tcp, c);
		got++;
	}
	ns_repl_active_reset(&n->act, epoch);
	ns_repl_standby_reset(&n->sb, epoch);
	n->sb.off_ns = wall_offset(n);
	ns_repl_chan_reset(&n->ch, epoch, 0);
	n->epoch = epoch;
	n->guard = false;
	n->lapsed_ns = 0;
	n->suspect_ns = 0;
	n->beat_rx_ns = 0;
	n->split_logged = n->refusal_logged = false;
	n->sw_nonce = 0;
	set_role(n, NS_HA_STANDBY_JOINING);
	service(n, false, false);
	return got;
}

/* The standby is gone (lease lapsed, silent for lost_ns, nothing heard while
 * listening): no more replication, what waited for it goes now. */
static void
go_alone(struct ns_ha_node *n, uint64_t now)
{
	uint64_t silent = now - n->ch.last_rx_ns;
	uint32_t held;

	ns_repl_active_alone(&n->act);
	/* The session ends here: whatever this instance says from now on cannot
	 * renew the old standby's validity; its frames get a RESET. */
	ns_repl_chan_reset(&n->ch, n->epoch, 0);
	n->guard = false;
	n->lapsed_ns = 0;
	n->suspect_ns = 0;
	held = ns_repl_hold_drain(&n->hold, release, n, now);
	CTR(n, went_alone);
	set_role(n, NS_HA_ACTIVE_ALONE);
	say(n, NS_HA_LOG_WARNING,
			"the standby is silent (%.1f ms): going on alone, %u held segments sent",
			silent / 1e6, held);
}

/*
 * Planned switchover.  The active freezes (ns_ha_cmd_switchover); once the
 * standby has acknowledged every event and nothing waits in the hold, it asks
 * to become the standby of the next epoch (a JOIN of epoch + 1, repeated),
 * still holding its connections.  The standby takes that for the hand-over:
 * it takes over (nothing sent again: what is in flight is on its way) and
 * answers the JOIN as the new active.  Only that answer (or anything else of
 * the new epoch) makes this instance forget its connections; a standby that
 * never answers within drain_max_ns leaves them here, unfrozen.
 */
static void
send_handover(struct ns_ha_node *n, uint64_t now)
{
	uint8_t p[4];

	if (n->sw_nonce == 0)
		n->sw_nonce = (uint32_t)((now ^ (uint64_t)(uintptr_t)n) * 0x9e3779b97f4a7c15ull >>
					      32) |
			      1;
	ns_put_be32(p, n->sw_nonce);
	ns_repl_chan_control(&n->ch, NS_REPL_F_JOIN, n->act.epoch + 1, 0, p, sizeof(p), now);
	n->sw_join_ns = now;
}

static void
step_down(struct ns_ha_node *n, uint64_t now)
{
	uint32_t epoch = n->act.epoch + 1, got, nonce = n->sw_nonce;

	CTR(n, stepdowns);
	got = demote(n, epoch, true, now);
	/* The JOIN this instance sent is the standby's: the new active's HELLO
	 * answers it. */
	n->sb.nonce = nonce;
	n->sb.join_ns = now;
	/* Until the peers' frames come to the new active (its first frames move
	 * the service MAC in the switches), what still arrives here goes on too. */
	n->fwd_until_ns = now + n->cfg.fwd_after_ns;
	say(n, NS_HA_LOG_WARNING,
			"steps down (planned switchover): %u connections handed over, drained in "
			"%.1f us; standby of epoch %u",
			got, n->last_drain_ns / 1e3, epoch);
}

static void
drain_or_step_down(struct ns_ha_node *n, uint32_t horizon, uint64_t now)
{
	if (n->role != NS_HA_DRAINING)
		return;
	if (n->act.fenced && n->sw_nonce != 0 && n->act.fence_epoch == n->act.epoch + 1) {
		/* The new active speaks (its beats, or a frame of its epoch): the
		 * hand-over happened, its HELLO comes again. */
		n->act.fenced = false;
		step_down(n, now);
		return;
	}
	if (n->act.state != NS_REPL_A_SYNCED || n->act.fenced ||
			now - n->sw_start_ns > n->cfg.drain_max_ns) {
		/* The standby went away or never answered: carry on as the active. */
		bool fenced = n->act.fenced;

		CTR(n, switchover_aborted);
		if (n->sw_nonce != 0 && !fenced)
			/* The standby may still take the JOIN it has not seen yet. */
			ns_repl_chan_control(&n->ch, NS_REPL_F_CANCEL, n->act.epoch + 1, 0, NULL, 0,
					now);
		n->sw_nonce = 0;
		set_role(n, NS_HA_ACTIVE);
		service(n, !fenced, false);
		/* What the freeze kept is this instance's again (or nobody's). */
		for (uint32_t i = 0; i < n->n_fwd; i++)
			if (fenced)
				n->ops.pkt_free(n->user, n->fwd[i]);
			else
				n->ops.inject(n->user, n->fwd[i]);
		n->n_fwd = 0;
		say(n, NS_HA_LOG_WARNING, "switchover aborted: the standby is %s",
				fenced ? "of a newer epoch" : "not answering");
		return;
	}
	if (n->sw_nonce == 0) {
		if (ns_repl_chan_acked(&n->ch, horizon) && ns_repl_hold_len(&n->hold) == 0) {
			n->last_drain_ns = now - n->sw_start_ns;
			send_handover(n, now);
		}
	} else if (now - n->sw_join_ns >= HANDOVER_EVERY) {
		send_handover(n, now); /* lost, or not yet heard */
	}
}

static void
send_beats(struct ns_ha_node *n, uint64_t now)
{
	uint8_t p[8];

	if (!n->cfg.service_beat || n->act.fenced || now < n->beat_next_ns)
		return;
	n->beat_next_ns = now + n->ch.cfg.keepalive_ns;
	ns_put_be32(p, conns_held(n));
	ns_put_be32(p + 4, n->nonce);
	n->beat_tx = true;
	ns_repl_chan_control(
			&n->ch, NS_REPL_F_BEAT, n->act.epoch, n->act.session, p, sizeof(p), now);
	n->beat_tx = false;
	CTR(n, beats_sent);
}

int
ns_ha_neigh(struct ns_ha_node *n, uint16_t port, uint32_t ip, const uint8_t mac[6])
{
	if (!ns_ha_role_is_active(n->role) || ns_repl_active_neigh(&n->act, port, ip, mac) != 0)
		return -1;
	CTR(n, neigh_sent);
	return 0;
}

static void
active_poll(struct ns_ha_node *n, uint64_t now)
{
	uint32_t horizon;
	bool valid;

	if (n->act.fenced && n->role == NS_HA_DRAINING && n->sw_nonce != 0 &&
			n->act.fence_epoch == n->act.epoch + 1) {
		/* The successor of this switchover spoke before this pass saw its
		 * answer: a hand-over, not a fence (what this one holds goes out,
		 * what it kept goes on to the successor). */
		drain_or_step_down(n, 0, now);
		return;
	}
	if (n->act.fenced) {
		/* An instance of a newer epoch took over: silent at once, and its
		 * standby from now on (it bulk-syncs this one). */
		uint32_t epoch = n->act.fence_epoch, got = demote(n, epoch, false, now);

		CTR(n, fences);
		/* Whether this instance itself stood still long enough to be taken
		 * over (a host that did not run it) or went on running. */
		if (n->stall_end_ns != 0 && now - n->stall_end_ns < 1000 * MS &&
				n->stall_ran_ns != UINT64_MAX)
			say(n, NS_HA_LOG_WARNING,
					"fenced: an instance of epoch %u is the active; %u "
					"connections dropped here, joining it as the standby "
					"(this worker last stood still %.1f ms, %.1f ms ago, "
					"and ran %.1f ms of it)",
					epoch, got, n->stall_ns / 1e6,
					(now - n->stall_end_ns) / 1e6, n->stall_ran_ns / 1e6);
		else if (n->stall_end_ns != 0 && now - n->stall_end_ns < 1000 * MS)
			say(n, NS_HA_LOG_WARNING,
					"fenced: an instance of epoch %u is the active; %u "
					"connections dropped here, joining it as the standby "
					"(this worker last stood still %.1f ms, %.1f ms ago)",
					epoch, got, n->stall_ns / 1e6,
					(now - n->stall_end_ns) / 1e6);
		else
			say(n, NS_HA_LOG_WARNING,
					"fenced: an instance of epoch %u is the active; %u "
					"connections dropped here, joining it as the standby "
					"(this worker did not stand still over %.1f ms in the "
					"last second)",
					epoch, got, n->cfg.pause_ns / 1e6);
		return;
	}
	/* This pass's segments depend on every event written so far. */
	horizon = ns_repl_active_horizon(&n->act);
	ns_repl_hold_mark(&n->hold, horizon);
	n->act.bulk_per_poll = n->bulk_paused ? 0 : NS_REPL_BULK_PER_POLL;
	ns_repl_active_poll(&n->act, now);
	if (n->act.state == NS_REPL_A_SYNCED && (!n->guard || n->act.session != n->guard_session)) {
		/* A standby took a new session: it dropped whatever it held of an
		 * older one (and cannot take over on its own until it is in sync
		 * again).  What waited for the older one goes now; from here on the
		 * standby guards this instance's connections. */
		ns_repl_hold_drain(&n->hold, release, n, now);
		n->guard = true;
		n->guard_session = n->act.session;
	}
	valid = ns_ha_lease_valid(n, now);
	if (!valid && n->lapsed_ns == 0) {
		n->lapsed_ns = now;
		CTR(n, lease_lapses);
	} else if (valid) {
		n->lapsed_ns = 0;
	}
	if (n->guard && n->act.state == NS_REPL_A_SYNCED && valid)
		ns_repl_hold_release(&n->hold, &n->ch, release, n, now);
	/* A round trip begun after the pause: the standby did not take over. */
	if (n->suspect_ns != 0 && n->ch.echo_ns >= n->suspect_ns)
		n->suspect_ns = 0;
	/* (A draining active aborts its switchover first: drain_max_ns.) */
	if (n->guard && n->role != NS_HA_DRAINING && now - n->ch.last_rx_ns >= n->cfg.lost_ns &&
			(n->cfg.no_lease_check ||
					n->cfg.failover_ns == 0 /* no takeover on silence */ ||
					(!valid && now - n->lapsed_ns >= n->cfg.listen_ns &&
							now - n->pause_end_ns >=
									n->cfg.listen_ns))) {
		if (n->suspect_ns == 0 || n->cfg.no_lease_check) {
			go_alone(n, now);
		} else if (!n->suspect_logged) {
			n->suspect_logged = true;
			CTR(n, alone_refused);
			say(n, NS_HA_LOG_ERR,
					"this active was paused %.1f ms and its standby is silent: "
					"it may have taken over; not going on alone until the "
					"other "
					"instance is heard",
					n->suspect_gap_ns / 1e6);
		}
	}
	if (n->act.state == NS_REPL_A_SYNCED && now >= n->neigh_next_ns &&
			n->ops.neigh_walk != NULL) {
		n->neigh_next_ns = now + NEIGH_EVERY;
		n->ops.neigh_walk(n->user);
	}
	if (n->garp_left != 0 && now >= n->garp_next_ns) {
		if (n->ops.garp != NULL)
			n->ops.garp(n->user);
		n->garp_left--;
		n->garp_next_ns = now + 80 * MS;
	}
	drain_or_step_down(n, horizon, now);
	if (!ns_ha_role_is_active(n->role))
		return; /* stepped down */
	send_beats(n, now);
	if (n->role != NS_HA_DRAINING)
		set_role(n, n->act.state == NS_REPL_A_IDLE ? NS_HA_ACTIVE_ALONE : NS_HA_ACTIVE);
}

static bool
standby_valid(const struct ns_ha_node *n, uint64_t now)
{
	return n->cfg.no_lease_check ||
	       (n->ch.echo_ns != 0 && now < n->ch.echo_ns + n->cfg.validity_ns);
}

static void
standby_poll(struct ns_ha_node *n, uint64_t now, bool live_path)
{
	const struct ns_ha_cfg *k = &n->cfg;
	enum ns_ha_role role;
	bool beat;

	if (n->stepdown_heard) {
		n->last_heard_wall_ns = n->heard_ns + (uint64_t)wall_offset(n);
		takeover(n, "the active stepped down", true, now);
		/* Its JOIN, answered now by the new active: the bulk sync starts. */
		ns_repl_active_control(&n->act, NS_REPL_F_JOIN, n->stepdown_epoch,
				n->stepdown_session, n->stepdown_join, n->stepdown_len, now);
		set_role(n, NS_HA_ACTIVE);
		/* What reached the old one while it was frozen. */
		for (uint32_t i = 0; i < n->n_fwd; i++) {
			CTR(n, fwd_injected);
			n->ops.inject(n->user, n->fwd[i]);
		}
		n->n_fwd = 0;
		return;
	}
	/* role = auto: nothing at all answered since this standby started. */
	if (k->auto_role && n->sb.state == NS_REPL_S_JOINING && n->ch.last_rx_ns == 0 &&
			n->beat_rx_ns == 0 && n->ctr[NS_HA_C_takeovers] == 0 &&
			n->ctr[NS_HA_C_stepdowns] == 0 && n->ctr[NS_HA_C_fences] == 0 &&
			now - n->start_ns > k->auto_wait_ns) {
		/* The configured epoch, not the next: an active that was only paused
		 * (its epoch is at least the next) fences this one when it wakes,
		 * and this one holds no connection yet. */
		n->sb.epoch = k->epoch - 1;
		takeover(n, "role auto: no active answered", false, now);
		return;
	}
	ns_repl_standby_poll(&n->sb, now);
	if (n->n_fwd != 0)
		fwd_send(n, now); /* after the JOIN that made the other one active */
	n->epoch = n->sb.epoch;
	switch (n->sb.state) {
	case NS_REPL_S_JOINING:
		role = NS_HA_STANDBY_JOINING;
		break;
	case NS_REPL_S_SYNCING:
		role = NS_HA_STANDBY_SYNCING;
		break;
	default:
		role = standby_valid(n, now) ? NS_HA_STANDBY_READY : NS_HA_STANDBY_STALE;
		if (role == NS_HA_STANDBY_STALE && n->role == NS_HA_STANDBY_READY) {
			CTR(n, stale_seen);
			say(n, NS_HA_LOG_WARNING,
					"no round trip with the active for %.1f ms: this standby's "
					"state is not provably current (no takeover until one)",
					(now - n->ch.echo_ns) / 1e6);
		}
		break;
	}
	set_role(n, role);
	/* The watch.  The channel silent for failover_ns is a dead active only
	 * when every other path is silent too: no heartbeat on a service port in
	 * that time and no liveness session up.  Otherwise the replication link
	 * alone died: taking over would make two actives. */
	if (k->failover_ns == 0 || n->ch.last_rx_ns == 0 ||
			now - n->ch.last_rx_ns <= n->detect_ns) {
		n->split_logged = n->refusal_logged = false;
		return;
	}
	beat = n->beat_rx_ns != 0 && now - n->beat_rx_ns <= n->detect_ns;
	if (beat || live_path) {
		if (!n->split_logged) {
			n->split_logged = true;
			CTR(n, split_avoided);
			say(n, NS_HA_LOG_WARNING,
					"the replication channel is silent but the active is alive "
					"(%s): no takeover",
					beat ? "heartbeats on a service port"
					     : "liveness session up");
		}
		return;
	}
	if (role == NS_HA_STANDBY_READY) {
		takeover(n, "the active is silent", false, now);
		return;
	}
	if (!n->refusal_logged) {
		n->refusal_logged = true;
		if (role == NS_HA_STANDBY_STALE)
			CTR(n, refused_stale);
		else
			CTR(n, refused_syncing);
		say(n, NS_HA_LOG_ERR,
				"the active is silent (%.1f ms) but this standby is %s: no "
				"takeover ('ha takeover' forces one)",
				(now - n->ch.last_rx_ns) / 1e6,
				role == NS_HA_STANDBY_STALE ? "stale (the active may have gone "
							      "on alone)"
							    : "not in sync");
	}
}

void
ns_ha_poll(struct ns_ha_node *n, uint64_t now, bool live_path)
{
	if (now - n->last_poll_ns > n->cfg.pause_ns) {
		CTR(n, pauses);
		n->pause_end_ns = now;
		n->stall_ns = now - n->last_poll_ns;
		n->stall_end_ns = now;
		n->stall_ran_ns = UINT64_MAX;
		if (n->ops.thread_cpu != NULL && n->cpu_at_ns != 0) {
			uint64_t cpu = n->ops.thread_cpu(n->user);

			/* Of the time since the last sample (the gap and at most a
			 * millisecond before it), what the worker ran: a share of
			 * the gap, the rest the host gave to others. */
			uint64_t sys = n->ops.thread_sys != NULL ? n->ops.thread_sys(n->user) : 0;

			n->stall_ran_ns = cpu - n->cpu_ns < n->stall_ns ? cpu - n->cpu_ns
									: n->stall_ns;
			if (n->cfg.failover_ns != 0 && 2 * n->stall_ns >= n->cfg.failover_ns &&
					2 * n->stall_ran_ns >= n->stall_ns) {
				char where[96] = "";

				if (n->ops.loop_stage != NULL)
					n->ops.loop_stage(n->user, where, sizeof(where));
				CTR(n, held);
				say(n, NS_HA_LOG_WARNING,
						"this worker's loop was held %.1f ms by work of "
						"its own (it ran %.1f ms of it, %.1f ms in the "
						"kernel; %s), half the failover time or more",
						n->stall_ns / 1e6, n->stall_ran_ns / 1e6,
						(sys - n->sys_ns) / 1e6,
						where[0] != '\0' ? where : "stage not known");
			}
			n->cpu_ns = cpu;
			n->sys_ns = sys;
			n->cpu_at_ns = now;
		}
		/* Paused for half the failover time or more: the standby may have
		 * seen a dead active (its frames are a keepalive apart while it
		 * runs).  Going on alone now needs a round trip begun after this. */
		if (ns_ha_role_is_active(n->role) && n->guard && n->cfg.failover_ns != 0 &&
				now - n->last_poll_ns >= n->cfg.failover_ns / 2) {
			n->suspect_ns = now;
			n->suspect_gap_ns = now - n->last_poll_ns;
			n->suspect_logged = false;
		}
	}
	n->last_poll_ns = now;
	if (n->ops.thread_cpu != NULL && now - n->cpu_at_ns >= MS) {
		n->cpu_ns = n->ops.thread_cpu(n->user);
		if (n->ops.thread_sys != NULL)
			n->sys_ns = n->ops.thread_sys(n->user);
		n->cpu_at_ns = now;
	}
	ns_repl_chan_timers(&n->ch, now);
	if (ns_ha_role_is_active(n->role))
		active_poll(n, now);
	else
		standby_poll(n, now, live_path);
}

/* --- operator commands ------------------------------------------------------------ */

int
ns_ha_cmd_takeover(struct ns_ha_node *n, uint64_t now)
{
	if (!ns_ha_role_is_standby(n->role))
		return -1;
	CTR(n, takeovers_forced);
	takeover(n, "asked by the operator", false, now);
	return 0;
}

int
ns_ha_cmd_switchover(struct ns_ha_node *n, uint64_t now)
{
	if (n->role != NS_HA_ACTIVE || !ns_repl_active_in_sync(&n->act) || n->act.fenced) {
		CTR(n, switchover_refused);
		say(n, NS_HA_LOG_WARNING, "no switchover: the standby is not in sync");
		return -1;
	}
	/* Freeze: the service ports stop taking frames and the stack runs no
	 * timers and no applications, so the state the standby holds stops
	 * moving.  drain_or_step_down does the rest. */
	n->sw_start_ns = now;
	n->sw_nonce = 0;
	n->last_freeze_ns = n->ops.clock != NULL ? n->ops.clock(n->user) : now;
	n->last_freeze_wall_ns = n->last_freeze_ns + (uint64_t)wall_offset(n);
	set_role(n, NS_HA_DRAINING);
	service(n, false, true);
	return 0;
}
