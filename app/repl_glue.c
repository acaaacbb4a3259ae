/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCB replication and the HA role machine at the DPDK edge ([repl]): each
 * worker has an ns_ha_node (lib/repl/ha_node.h), which decides everything;
 * this file only adapts it to mbufs, ports and the worker.  Every worker has
 * its own channel (its index is the channel id) to the same worker of the
 * other instance, over the replication port: frames of EtherType 0x88b5
 * sent on the worker's own tx queue; received frames of another worker's
 * channel are handed to it through a ring.
 */
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "app.h"
#include "bfd_glue.h"
#include "feature.h"
#include "repl/repl.h"
#include "repl_glue.h"
#include "tcp_glue.h"

#define HANDOFF_RING 1024

static int64_t wall_offset(void *user);

struct ns_repl_w *ns_repl_ws[NS_MAX_LOOPS];

/* The instance's role as worker 0's node says it (the console and the
 * netlink service read it). */
static volatile uint8_t inst_role = NS_HA_ROLE__N;
static volatile uint32_t inst_epoch;

bool
ns_repl_is_standby(void)
{
	uint8_t r = inst_role;

	return r != NS_HA_ROLE__N && ns_ha_role_is_standby((enum ns_ha_role)r);
}

enum ns_ha_role
ns_repl_instance_role(uint32_t *epoch)
{
	if (epoch != NULL)
		*epoch = inst_epoch;
	return (enum ns_ha_role)inst_role;
}

static uint64_t
mono_clock(void *user)
{
	(void)user;
	return ns_now_ns();
}

static uint64_t
thread_cpu(void *user)
{
	struct timespec ts;

	(void)user;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Of thread_cpu, the system time (the kernel's tick-sampled split). */
static uint64_t
thread_sys(void *user)
{
	struct rusage ru;

	(void)user;
	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_stime.tv_sec * 1000000000ull + (uint64_t)ru.ru_stime.tv_usec * 1000;
}

static void
loop_stage(void *user, char *buf, size_t len)
{
	struct ns_repl_w *r = user;

	ns_worker_stage_take(r->w, buf, len);
}

static int64_t
wall_offset(void *user)
{
	struct timespec ts;

	(void)user;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) -
	       (int64_t)ns_now_ns();
}

/* --- the node's ops --------------------------------------------------------- */

static bool
is_service_port(uint16_t p)
{
	return p != app.cfg.repl.port_idx && app.cfg.port[p].ip != 0 && app.cfg.port[p].forward < 0;
}

static void
send_frame(struct ns_repl_w *r, uint16_t p, const uint8_t *frame, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(app.pool);
	struct rte_ether_hdr *eth;

	if (m == NULL || (eth = (struct rte_ether_hdr *)rte_pktmbuf_append(
					  m, (uint16_t)(sizeof(*eth) + len))) == NULL) {
		rte_pktmbuf_free(m);
		r->node.ch.ctr[NS_REPL_C_tx_no_mbuf]++;
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
o_xmit(void *user, bool beat, const uint8_t *frame, uint32_t len)
{
	struct ns_repl_w *r = user;

	if (!beat) {
		send_frame(r, app.cfg.repl.port_idx, frame, len);
		return;
	}
	for (uint16_t p = 0; p < app.cfg.n_ports; p++)
		if (is_service_port(p))
			send_frame(r, p, frame, len);
}

/* A held segment: its port and next hop ride in the packet's metadata. */
static void
o_pkt_send(void *user, void *pkt)
{
	struct ns_repl_w *r = user;
	struct rte_mbuf *m = pkt;

	ns_worker_send_ip(r->w, ns_meta(m)->port_idx, m, ns_meta(m)->nh);
}

static void
o_pkt_free(void *user, void *pkt)
{
	(void)user;
	rte_pktmbuf_free(pkt);
}

static const uint8_t *
o_pkt_data(void *user, void *pkt, uint32_t *len, uint16_t *port)
{
	struct rte_mbuf *m = pkt;

	(void)user;
	*len = rte_pktmbuf_data_len(m);
	*port = ns_meta(m)->port_idx;
	return rte_pktmbuf_mtod(m, const uint8_t *);
}

static void *
o_pkt_make(void *user, uint16_t port, const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *m;
	uint8_t *d;

	(void)user;
	if (port >= app.cfg.n_ports || port == app.cfg.repl.port_idx || len > UINT16_MAX)
		return NULL;
	m = rte_pktmbuf_alloc(app.pool);
	if (m == NULL || (d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len)) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(d, data, len);
	ns_meta(m)->port_idx = port;
	return m;
}

static void
o_inject(void *user, void *pkt)
{
	struct ns_repl_w *r = user;
	struct rte_mbuf *m = pkt;

	ns_worker_inject(r->w, ns_meta(m)->port_idx, m);
}

static enum ns_rx closed_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m);

static void
o_service(void *user, bool open, bool frozen)
{
	struct ns_repl_w *r = user;

	r->w->rx_gate = open ? NULL : closed_rx;
	ns_tcp_of(r->w)->frozen = frozen;
}

/* A gratuitous ARP on every service port: the service address moved here
 * (worker 0 speaks for the instance). */
static void
o_garp(void *user)
{
	struct ns_repl_w *r = user;
	struct ns_worker *w = r->w;

	if (w->idx != 0)
		return;
	for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
		struct rte_mbuf *m;
		uint8_t *buf;

		if (!is_service_port(p) || (m = rte_pktmbuf_alloc(app.pool)) == NULL)
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

/* The resolved entries of the service ports whose ARP cache this worker
 * owns go to the standby (they also refresh its ages). */
static void
o_neigh_walk(void *user)
{
	struct ns_repl_w *r = user;
	struct ns_worker *w = r->w;

	for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
		const struct ns_arp_cache *ac = &w->host[p].arp;

		if (p == app.cfg.repl.port_idx || ns_worker_of_port(p) != (int)w->idx ||
				ac->slot == NULL)
			continue;
		for (uint32_t i = 0; i <= ac->mask; i++) {
			const struct ns_arp_entry *e = &ac->slot[i];

			if (e->state == NS_ARP_REACHABLE &&
					ns_ha_neigh(&r->node, p, e->ip, e->mac.addr_bytes) != 0)
				return; /* no room: the next walk */
		}
	}
}

static void
o_conn_activated(void *user, struct ns_tcb *c)
{
	struct ns_repl_w *r = user;

	ns_apps_takeover(ns_tcp_of(r->w), c);
}

static void
o_conn_forgotten(void *user, struct ns_tcb *c)
{
	struct ns_repl_w *r = user;

	ns_apps_closed(ns_tcp_of(r->w), c, NS_APP_CLOSE_MOVED);
}

static void
o_role(void *user, enum ns_ha_role role, uint32_t epoch)
{
	struct ns_repl_w *r = user;

	if (ns_ha_role_is_standby(role)) {
		/* Its connections are gone (or never were, or are shadows now):
		 * the ready list is dropped, and with it the marks that keep a
		 * connection off it, else a shadow that had been ready would
		 * never run again after a later takeover. */
		struct ns_tcp_w *t = ns_tcp_of(r->w);

		for (uint32_t i = 0; i < t->n_ready; i++)
			t->appc[t->ready[i]].ready = 0;
		t->n_ready = 0;
	} else {
		/* Active: the journal records still waiting are settled (a
		 * takeover without connections has no other moment for it). */
		ns_apps_settle(ns_tcp_of(r->w));
	}
	if (r->w->idx != 0)
		return;
	inst_epoch = epoch;
	inst_role = (uint8_t)role;
}

/* Role changes are read next to captures and the other instance's log: they
 * carry the wall clock (UTC, microseconds). */
static void
o_log(void *user, enum ns_ha_log level, const char *msg)
{
	struct ns_repl_w *r = user;
	struct timespec ts;
	struct tm tm;
	char t[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(t, sizeof(t), "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
			ts.tv_nsec / 1000);
	if (level == NS_HA_LOG_ERR)
		NS_LOGT(app, ERR, "repl: %s worker %u: %s", t, r->w->idx, msg);
	else if (level == NS_HA_LOG_WARNING)
		NS_LOGT(app, WARNING, "repl: %s worker %u: %s", t, r->w->idx, msg);
	else
		NS_LOGT(app, INFO, "repl: %s worker %u: %s", t, r->w->idx, msg);
}

static bool
o_conn_async(void *user, const struct ns_tcb *c)
{
	(void)user;
	if (c->flags & NS_TCBF_PASSIVE)
		return c->listener < app.cfg.n_listeners &&
		       app.cfg.listener[c->listener].repl_async;
	return app.cfg.repl.async;
}

/* --- the applications' side ------------------------------------------------ */

static void
a_flag(void *user, const struct ns_tcb *c, uint8_t level, uint32_t lag_us)
{
	struct ns_repl_w *r = user;

	r->node.ch.ctr[NS_REPL_C_flags_heard]++;
	NS_LOGT(app, WARNING, "repl: worker %u conn %u: the standby flags it %s (lag %u us)",
			r->w->idx, c->id, ns_repl_flag_name(level), lag_us);
	ns_apps_flag(ns_tcp_of(r->w), c, level, lag_us, false);
}

static uint32_t
a_state(void *user, const struct ns_tcb *c, uint8_t *buf, uint32_t max)
{
	struct ns_repl_w *r = user;

	return ns_apps_state(ns_tcp_of(r->w), c, buf, max);
}

static bool
a_snapshot(void *user, uint64_t *cursor)
{
	struct ns_repl_w *r = user;

	return ns_apps_snapshot(ns_tcp_of(r->w), cursor);
}

static void
s_journal(void *user, uint32_t conn, uint16_t app_idx, uint8_t flags, uint32_t pos,
		const uint8_t *p, uint32_t len)
{
	struct ns_repl_w *r = user;

	ns_apps_journal_in(ns_tcp_of(r->w), conn, app_idx, flags, pos, p, len);
}

static void
s_bulk_begin(void *user)
{
	struct ns_repl_w *r = user;

	ns_apps_shared_reset(ns_tcp_of(r->w));
}

static void
s_new(void *user, struct ns_tcb *c)
{
	struct ns_repl_w *r = user;

	ns_apps_shadow_new(ns_tcp_of(r->w), c);
}

static void
s_free(void *user, struct ns_tcb *c)
{
	struct ns_repl_w *r = user;

	ns_apps_shadow_free(ns_tcp_of(r->w), c);
}

static uint32_t
s_backup(void *user, struct ns_tcb *c, uint32_t from, uint32_t to)
{
	struct ns_repl_w *r = user;

	return ns_apps_backup(ns_tcp_of(r->w), c, from, to);
}

static void
s_restore(void *user, struct ns_tcb *c, const uint8_t *buf, uint32_t len)
{
	struct ns_repl_w *r = user;

	ns_apps_restore(ns_tcp_of(r->w), c, buf, len);
}

static void
s_flag(void *user, const struct ns_tcb *c, uint8_t level, uint32_t lag_us, bool from_active)
{
	struct ns_repl_w *r = user;

	if (from_active) {
		r->node.ch.ctr[NS_REPL_C_details_heard]++;
		NS_LOGT(app, WARNING, "repl: worker %u conn %u: the active confirms %s (lag %u us)",
				r->w->idx, c->id, ns_repl_flag_name(level), lag_us);
	} else {
		r->node.ch.ctr[NS_REPL_C_flags_raised]++;
		NS_LOGT(app, WARNING, "repl: worker %u conn %u: backup application lag %u us: %s",
				r->w->idx, c->id, lag_us, ns_repl_flag_name(level));
	}
	ns_apps_flag(ns_tcp_of(r->w), c, level, lag_us, from_active);
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
	ns_arp_learn(&r->w->host[port].arp, ip, &ea, true, r->w->now_ns);
}

const char *
ns_repl_flag_name(unsigned int level)
{
	return level == NS_REPL_FLAG_CRITICAL ? "critical"
	       : level == NS_REPL_FLAG_WARN   ? "warn"
					      : "ok";
}

/* --- worker side ----------------------------------------------------------- */

/* The node's configuration from [repl]. */
void
ns_repl_node_cfg(const struct ns_repl_cfg *rc, uint16_t chan, struct ns_ha_cfg *k)
{
	memset(k, 0, sizeof(*k));
	k->chan = (struct ns_repl_chan_cfg){
			.chan = chan,
			.frame_max = rc->frame_max,
			.ring = rc->ring,
			.window = rc->window,
			.rto_min_ns = 5000000ull,   /* 5 ms: a burst of frames takes the standby a
						       while */
			.rto_max_ns = 200000000ull, /* 200 ms */
			.key = rc->key,
			.key_len = rc->key_len,
	};
	k->start_active = rc->role == NS_REPL_ROLE_ACTIVE;
	k->auto_role = rc->auto_role;
	k->epoch = rc->epoch;
	k->failover_ns = (uint64_t)rc->failover_ms * 1000000ull;
	k->lost_ns = (uint64_t)rc->standby_timeout_ms * 1000000ull;
	k->auto_wait_ns = (uint64_t)rc->auto_wait_ms * 1000000ull;
	k->grace_ns = (uint64_t)rc->grace_ms * 1000000ull;
	k->warn_ns = (uint64_t)rc->warn_ms * 1000000ull;
	k->crit_ns = (uint64_t)rc->crit_ms * 1000000ull;
	k->service_beat = rc->service_beat;
	k->repl_async = rc->async;
}

static int
repl_worker_init(struct ns_worker *w)
{
	static const struct ns_ha_ops ops = {
			.xmit = o_xmit,
			.pkt_send = o_pkt_send,
			.pkt_free = o_pkt_free,
			.pkt_data = o_pkt_data,
			.pkt_make = o_pkt_make,
			.inject = o_inject,
			.service = o_service,
			.garp = o_garp,
			.neigh_walk = o_neigh_walk,
			.conn_activated = o_conn_activated,
			.conn_forgotten = o_conn_forgotten,
			.role = o_role,
			.log = o_log,
			.wall_offset = wall_offset,
			.clock = mono_clock,
			.thread_cpu = thread_cpu,
			.thread_sys = thread_sys,
			.loop_stage = loop_stage,
			.conn_async = o_conn_async,
			.active = {a_flag, a_state, a_snapshot},
			.standby = {s_new, s_free, s_backup, s_restore, s_flag, s_neigh, s_journal,
					s_bulk_begin},
	};
	const struct ns_repl_cfg *rc = &app.cfg.repl;
	struct ns_ha_cfg k;
	struct ns_repl_w *r;
	char name[RTE_RING_NAMESIZE];
	uint32_t room = rte_pktmbuf_data_room_size(app.pool) - RTE_PKTMBUF_HEADROOM -
			RTE_ETHER_HDR_LEN;

	if (rc->role == NS_REPL_ROLE_NONE || w->fastpath)
		return 0;
	ns_repl_node_cfg(rc, (uint16_t)w->idx, &k);
	/* A frame must fit one mbuf (received multi-segment frames are dropped). */
	if (k.chan.frame_max > room) {
		if (w->idx == 0)
			NS_LOGT(app, WARNING,
					"repl: frame_max %u above one mbuf's %u bytes: using %u",
					k.chan.frame_max, room, room);
		k.chan.frame_max = room;
	}
	/* A gap between two polls longer than the idle sleep's bound is a pause. */
	k.pause_ns = RTE_MAX(5000000ull, 4000ull * app.cfg.idle_sleep_max_us);
	r = rte_zmalloc("repl", sizeof(*r), RTE_CACHE_LINE_SIZE);
	if (r == NULL)
		return -1;
	ns_repl_ws[w->idx] = r;
	r->w = w;
	w->stage_timing = true; /* a hold's warning names the stage */
	if (rc->has_peer_mac)
		r->peer = rc->peer_mac;
	else
		memset(&r->peer, 0xff, sizeof(r->peer)); /* until the peer's first frame */
	snprintf(name, sizeof(name), "ns_repl_rx_%u", w->idx);
	r->rx = rte_ring_create(
			name, HANDOFF_RING, rte_lcore_to_socket_id(w->lcore), RING_F_SC_DEQ);
	if (r->rx == NULL ||
			ns_ha_init(&r->node, &k, &ops, r, &ns_tcp_of(w)->stack, ns_now_ns()) != 0)
		return -1;
	r->inited = true;
	return 0;
}

static void
repl_worker_fini(struct ns_worker *w)
{
	struct ns_repl_w *r = ns_repl_ws[w->idx];
	struct rte_mbuf *m;

	if (r == NULL)
		return;
	if (r->inited)
		ns_ha_fini(&r->node);
	while (r->rx != NULL && rte_ring_dequeue(r->rx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r->rx);
	rte_free(r);
	ns_repl_ws[w->idx] = NULL;
}

static void
frame_in(struct ns_repl_w *r, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	bool service = ns_meta(m)->port_idx != app.cfg.repl.port_idx;

	/* Learn where the other instance is from its first authentic frame. */
	if (ns_ha_frame(&r->node, service, (const uint8_t *)(eth + 1),
			    rte_pktmbuf_data_len(m) - (uint32_t)sizeof(*eth), r->w->now_ns) &&
			!app.cfg.repl.has_peer_mac && !service &&
			rte_is_unicast_ether_addr(&eth->src_addr))
		r->peer = eth->src_addr;
	rte_pktmbuf_free(m);
}

/* A frame of the replication EtherType (any port, before the gate). */
static enum ns_rx
repl_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *) + RTE_ETHER_HDR_LEN;
	uint32_t chan;

	/* On a service port, only the other instance's heartbeats. */
	if (app.cfg.repl.role == NS_REPL_ROLE_NONE ||
			rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + NS_REPL_HDR_LEN ||
			(port_idx != app.cfg.repl.port_idx && f[1] != NS_REPL_F_BEAT)) {
		w->dp_ctr[NS_DP_l4_no_handler]++;
		return NS_RX_FREE;
	}
	/* frame_in tells the replication port from the others. */
	ns_meta(m)->port_idx = port_idx;
	chan = (uint32_t)f[2] << 8 | f[3];
	if (chan == w->idx && ns_repl_ws[w->idx] != NULL) {
		frame_in(ns_repl_ws[w->idx], m);
		return NS_RX_TAKEN;
	}
	/* Another worker's channel: its ring (a frame for no worker: dropped). */
	if (chan >= app.cfg.n_workers || ns_repl_ws[chan] == NULL) {
		if (ns_repl_ws[w->idx] != NULL)
			ns_repl_ws[w->idx]->node.ch.ctr[NS_REPL_C_rx_bad_chan]++;
		return NS_RX_FREE;
	}
	if (rte_ring_enqueue(ns_repl_ws[chan]->rx, m) != 0) {
		ns_repl_ws[chan]->node.ch.ctr[NS_REPL_C_handoff_full]++;
		return NS_RX_FREE;
	}
	return NS_RX_TAKEN;
}

/* The gate of a loop whose service ports are closed (o_service): a frame
 * on port_idx is taken into the stack (the replication port, or an active
 * after all), kept for the successor of a switchover, or dropped (a standby
 * answers nothing there, ARP included). */
static enum ns_rx
closed_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m)
{
	struct ns_repl_w *r = ns_repl_ws[w->idx];

	if (r == NULL || port_idx == app.cfg.repl.port_idx)
		return NS_RX_CONTINUE;
	ns_meta(m)->port_idx = port_idx; /* a kept frame remembers its port */
	switch (ns_ha_service_rx(&r->node, m, w->now_ns)) {
	case NS_HA_SVC_PROCESS:
		return NS_RX_CONTINUE;
	case NS_HA_SVC_KEPT:
		return NS_RX_TAKEN;
	default:
		return NS_RX_FREE;
	}
}

enum { MSG_TAKEOVER, MSG_SWITCHOVER };

static void
repl_msg(struct ns_worker *w, const struct ns_wmsg *m)
{
	struct ns_repl_w *r = ns_repl_ws[w->idx];

	if (r == NULL)
		return;
	if (m->type == MSG_TAKEOVER) {
		if (ns_ha_cmd_takeover(&r->node, w->now_ns) != 0)
			NS_LOGT(app, WARNING, "repl: worker %u: not a standby: no takeover",
					w->idx);
	} else if (m->type == MSG_SWITCHOVER) {
		ns_ha_cmd_switchover(&r->node, w->now_ns);
	}
}

int
ns_repl_post_takeover(uint32_t widx)
{
	return ns_feature_post(&ns_feature_repl, widx, MSG_TAKEOVER, NULL, 0);
}

int
ns_repl_post_switchover(uint32_t widx)
{
	return ns_feature_post(&ns_feature_repl, widx, MSG_SWITCHOVER, NULL, 0);
}

/* TCP's hooks (tcp_glue.h). */
static bool
tcp_accept(struct ns_worker *w)
{
	return ns_repl_ws[w->idx] == NULL || ns_ha_accept(&ns_repl_ws[w->idx]->node);
}

static void
tcp_observe(struct ns_worker *w, const struct ns_tcb *c, uint32_t groups)
{
	if (ns_repl_ws[w->idx] != NULL)
		ns_ha_observe(&ns_repl_ws[w->idx]->node, c, groups);
}

static int
tcp_journal(struct ns_worker *w, uint32_t conn, uint16_t app_idx, uint32_t pos, const void *rec,
		uint32_t len)
{
	struct ns_repl_w *r = ns_repl_ws[w->idx];

	if (r == NULL || !ns_ha_role_is_active(r->node.role))
		return 0;
	return ns_repl_active_journal(&r->node.act, conn, app_idx, pos, rec, len);
}

static void
tcp_image_now(struct ns_worker *w, const struct ns_tcb *c)
{
	struct ns_repl_w *r = ns_repl_ws[w->idx];

	if (r != NULL && ns_ha_role_is_active(r->node.role))
		ns_repl_active_image_now(&r->node.act, c);
}

static void
tcp_resync(struct ns_worker *w)
{
	struct ns_repl_w *r = ns_repl_ws[w->idx];

	if (r != NULL && ns_ha_role_is_standby(r->node.role))
		ns_repl_standby_rejoin(&r->node.sb);
}

static uint32_t
tcp_room(struct ns_worker *w)
{
	struct ns_repl_w *r = ns_repl_ws[w->idx];

	return r != NULL ? ns_repl_active_room(&r->node.act) : 0;
}

static bool
tcp_hold(struct ns_worker *w, struct rte_mbuf *m, uint16_t port_idx, rte_be32_t nh)
{
	struct ns_pkt_meta *meta;

	if (ns_repl_ws[w->idx] == NULL)
		return false;
	meta = ns_meta(m);
	meta->port_idx = port_idx;
	meta->nh = nh;
	/* the stack says whose segment this is */
	return ns_ha_hold(&ns_repl_ws[w->idx]->node, m, ns_tcp_of(w)->stack.xmit_conn, w->now_ns);
}

/* A liveness BFD session ([repl] bfd) is Up: the other instance answers on
 * that path. */
static bool
live_bfd_up(void)
{
	const struct ns_repl_cfg *rc = &app.cfg.repl;

	for (uint32_t i = 0; i < rc->n_live_bfd; i++) {
		struct ns_bfd_health h;

		if (ns_bfd_slot_health(rc->live_bfd[i], &h) && h.state == NS_BFD_UP)
			return true;
	}
	return false;
}

static void
repl_poll(struct ns_worker *w)
{
	struct ns_repl_w *r = ns_repl_ws[w->idx];
	struct rte_mbuf *m[32];
	unsigned int n;

	if (r == NULL)
		return;
	n = rte_ring_dequeue_burst(r->rx, (void **)m, RTE_DIM(m), NULL);
	for (unsigned int i = 0; i < n; i++)
		frame_in(r, m[i]);
	ns_ha_poll(&r->node, w->now_ns, app.cfg.repl.n_live_bfd != 0 && live_bfd_up());
	/* The stages a hold's warning names are those since this poll. */
	ns_worker_stage_reset(w);
}

static bool
repl_enabled(void)
{
	return app.cfg.repl.role != NS_REPL_ROLE_NONE;
}

/* Before the workers' TCP stacks: replication observes them and holds
 * their segments. */
static int
repl_init(void)
{
	static const struct ns_tcp_hooks h = {
			.accept = tcp_accept,
			.hold = tcp_hold,
			.observe = tcp_observe,
			.clients_wait = ns_repl_is_standby,
			.journal = tcp_journal,
			.image_now = tcp_image_now,
			.room = tcp_room,
			.resync = tcp_resync,
	};

	ns_tcp_set_hooks(&h);
	return 0;
}

struct ns_feature ns_feature_repl = {
		.name = "repl",
		.enabled = repl_enabled,
		.loops = NS_LOOPS_WORKERS,
		.init = repl_init,
		.worker_init = repl_worker_init,
		.worker_fini = repl_worker_fini,
		.ethertype = NS_REPL_ETHERTYPE,
		.rx_ether = repl_rx,
		.poll = repl_poll,
		.msg = repl_msg,
		.cmds = ns_repl_cmds,
		.tel = ns_repl_tel,
		.ctrs = NULL,
};
