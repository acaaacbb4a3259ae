/* SPDX-License-Identifier: BSD-3-Clause */
/* Console, ctl and telemetry views of replication (show repl ..., show ha). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>

#include <rte_telemetry.h>

#include "app.h"
#include "control.h"
#include "repl/repl.h"
#include "repl_glue.h"
#include "tcp_glue.h"

static const char *
astate_name(enum ns_repl_astate s)
{
	return s == NS_REPL_A_SYNCED ? "synced" : s == NS_REPL_A_HELLO ? "hello" : "no standby";
}

static const char *
sstate_name(enum ns_repl_sstate s)
{
	return s == NS_REPL_S_SYNCED ? "synced" : s == NS_REPL_S_SYNCING ? "bulk sync" : "joining";
}

/* The instance's role now (worker 0's node), or the configured one before
 * the workers started. */
static const char *
role_now(void)
{
	enum ns_ha_role r = ns_repl_instance_role(NULL);

	return r == NS_HA_ROLE__N ? ns_repl_role_name(app.cfg.repl.role) : ns_ha_role_name(r);
}

static uint32_t
epoch_now(void)
{
	uint32_t e;

	return ns_repl_instance_role(&e) == NS_HA_ROLE__N ? app.cfg.repl.epoch : e;
}

void
ns_ha_stats_sum(uint64_t *out)
{
	memset(out, 0, sizeof(uint64_t) * NS_HA_C__MAX);
	for (uint32_t i = 0; app.worker != NULL && i < app.cfg.n_workers; i++)
		if (ns_repl_ws[i] != NULL)
			ns_ctr_accumulate(out, ns_repl_ws[i]->node.ctr, NS_HA_C__MAX);
}

void
ns_repl_stats_sum(uint64_t *out)
{
	memset(out, 0, sizeof(uint64_t) * NS_REPL_C__MAX);
	for (uint32_t i = 0; app.worker != NULL && i < app.cfg.n_workers; i++)
		if (ns_repl_ws[i] != NULL)
			ns_ctr_accumulate(out, ns_repl_ws[i]->node.ch.ctr, NS_REPL_C__MAX);
}

static int
cmd_show_repl_status(struct ns_out *o, int argc, char **argv)
{
	const struct ns_repl_cfg *rc = &app.cfg.repl;
	uint64_t v[NS_REPL_C__MAX];

	(void)argc, (void)argv;
	ns_out_printf(o, "role %s, epoch %u, port %s, mode %s, frame_max %u, window %u, ring %u\n",
			role_now(), epoch_now(),
			rc->role != NS_REPL_ROLE_NONE ? rc->port_name : "-",
			rc->async ? "async" : "sync", rc->frame_max, rc->window, rc->ring);
	if (rc->role == NS_REPL_ROLE_NONE)
		return 0;
	ns_out_printf(o, "%-6s %-10s %-10s %-18s %8s %8s %8s %10s %10s %12s %12s\n", "chan",
			"state", "session", "peer", "inflight", "queued", "held", "retrans",
			"lag-p50-us", "lag-p99-us", "bulk");
	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		const struct ns_repl_w *r = ns_repl_ws[i];
		char mac[RTE_ETHER_ADDR_FMT_SIZE], bulk[40];

		if (r == NULL)
			continue;
		rte_ether_format_addr(mac, sizeof(mac), &r->peer);
		if (ns_ha_role_is_active(r->node.role)) {
			if (r->node.act.bulk)
				snprintf(bulk, sizeof(bulk), "%u sent", r->node.act.bulk_sent);
			else if (r->node.act.bulk_acked)
				snprintf(bulk, sizeof(bulk), "%u in %.1f ms", r->node.act.bulk_sent,
						r->node.act.bulk_ns / 1e6);
			else
				snprintf(bulk, sizeof(bulk), "-");
		} else {
			snprintf(bulk, sizeof(bulk), "%u/%u", r->node.sb.bulk_got,
					r->node.sb.bulk_expected);
		}
		ns_out_printf(o,
				"%-6u %-10s %-10u %-18s %8u %8u %8u %10" PRIu64 " %10.1f %12.1f "
				"%12s\n",
				i,
				ns_ha_role_is_active(r->node.role) ? astate_name(r->node.act.state)
								   : sstate_name(r->node.sb.state),
				r->node.ch.session, mac, r->node.ch.snd_nxt - r->node.ch.snd_una,
				r->node.ch.snd_top - r->node.ch.snd_nxt,
				ns_repl_hold_len(&r->node.hold),
				r->node.ch.ctr[NS_REPL_C_tx_retransmits],
				(double)ns_ha_hold_pct(&r->node, 50),
				(double)ns_ha_hold_pct(&r->node, 99), bulk);
	}
	ns_repl_stats_sum(v);
	ns_out_printf(o,
			"frames %" PRIu64 " sent / %" PRIu64 " received, events %" PRIu64
			" queued / %" PRIu64 " applied, bytes %" PRIu64 " sent / %" PRIu64
			" received\n",
			v[NS_REPL_C_tx_frames], v[NS_REPL_C_rx_frames], v[NS_REPL_C_tx_events],
			v[NS_REPL_C_ev_applied], v[NS_REPL_C_tx_bytes], v[NS_REPL_C_rx_bytes]);
	ns_out_printf(o, "(lag: how long segments waited for the standby's acknowledgement, 1 us "
			 "buckets up to 1 ms)\n");
	return 0;
}

static int
cmd_show_repl_stats(struct ns_out *o, int argc, char **argv)
{
	uint64_t v[NS_REPL_C__MAX];

	(void)argv;
	ns_repl_stats_sum(v);
	ns_print_ctr_table(o, "repl", ns_repl_ctr_desc, v, NULL, NS_REPL_C__MAX, argc == 4);
	return 0;
}

static int
cmd_show_repl_sessions(struct ns_out *o, int argc, char **argv)
{
	unsigned int n = 0;

	(void)argc, (void)argv;
	ns_out_printf(o, "%-4s %-6s %-22s %-12s %-5s %-8s %10s %10s %s\n", "chan", "conn", "remote",
			"state", "ready", "flag", "lag-us", "max-lag-us", "last-delivered");
	for (uint32_t wi = 0; wi < app.cfg.n_workers; wi++) {
		const struct ns_repl_w *r = ns_repl_ws[wi];

		if (r == NULL)
			continue;
		for (uint32_t id = 0; id < ns_tcp_ws[wi].stack.cfg.max_conns; id++) {
			const struct ns_tcb *c = &ns_tcp_ws[wi].stack.pool[id];
			char ip[INET_ADDRSTRLEN], rs[32];
			bool ready;
			uint8_t flag;
			uint32_t lag, max_lag, last;

			if (c->state == NS_TCP_CLOSED)
				continue;
			if (ns_ha_role_is_active(r->node.role)) {
				const struct ns_repl_aconn *k = &r->node.act.conn[id];

				ready = k->live && k->ready;
				flag = k->flag;
				lag = k->lag_us;
				max_lag = k->lag_us;
				last = c->rcvq.head - 1 - c->irs;
			} else {
				const struct ns_repl_sconn *k = &r->node.sb.conn[id];

				if (!k->imaged)
					continue;
				ready = k->ready && k->flag != NS_REPL_FLAG_CRITICAL;
				flag = k->flag;
				lag = k->lag_us;
				max_lag = k->max_lag_us;
				last = k->last_delivered - c->irs;
			}
			inet_ntop(AF_INET, &c->t.raddr, ip, sizeof(ip));
			snprintf(rs, sizeof(rs), "%s:%u", ip, rte_be_to_cpu_16(c->t.rport));
			ns_out_printf(o, "%-4u %-6u %-22s %-12s %-5s %-8s %10u %10u %u\n", wi, id,
					rs, ns_tcp_state_name(c->state), ready ? "yes" : "no",
					ns_repl_flag_name(flag), lag, max_lag, last);
			n++;
		}
	}
	ns_out_printf(o,
			"%u sessions (last-delivered: the active application's last byte read "
			"when the standby became ready, relative to IRS)\n",
			n);
	return 0;
}

static int
cmd_show_ha(struct ns_out *o, int argc, char **argv)
{
	const struct ns_repl_cfg *rc = &app.cfg.repl;
	uint32_t synced = 0, chans = 0, shadows = 0, ready = 0;
	uint64_t h[NS_HA_C__MAX];
	bool standby = ns_repl_is_standby();

	(void)argv;
	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		const struct ns_repl_w *r = ns_repl_ws[i];

		if (r == NULL)
			continue;
		chans++;
		if (ns_ha_role_is_active(r->node.role)) {
			synced += ns_repl_active_in_sync(&r->node.act);
		} else {
			synced += r->node.sb.state == NS_REPL_S_SYNCED;
			shadows += r->node.sb.n_shadows;
			for (uint32_t id = 0; id < ns_tcp_ws[i].stack.cfg.max_conns; id++)
				ready += r->node.sb.conn[id].imaged && r->node.sb.conn[id].ready &&
					 r->node.sb.conn[id].flag != NS_REPL_FLAG_CRITICAL;
		}
	}
	ns_out_printf(o, "role %s, epoch %u\n", role_now(), epoch_now());
	if (rc->role == NS_REPL_ROLE_NONE) {
		ns_out_printf(o, "no replication configured ([repl] role)\n");
		return 0;
	}
	ns_out_printf(o, "peer %s on port %s: %u of %u channels in sync\n",
			standby ? "active" : "standby", rc->port_name, synced, chans);
	if (standby)
		ns_out_printf(o, "shadows %u, ready for %u\n", shadows, ready);
	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		const struct ns_repl_w *r = ns_repl_ws[i];
		const struct ns_ha_node *n;
		uint64_t now = ns_now_ns();

		if (r == NULL)
			continue;
		n = &r->node;
		ns_out_printf(o, "worker %u: %s, epoch %u", i, ns_ha_role_name(n->role), n->epoch);
		if (n->ch.echo_ns != 0 && now > n->ch.echo_ns)
			ns_out_printf(o, ", last round trip %.1f ms ago (%s %.1f ms)",
					(now - n->ch.echo_ns) / 1e6,
					ns_ha_role_is_active(n->role) ? "lease" : "validity",
					(ns_ha_role_is_active(n->role) ? n->cfg.lease_ns
								       : n->cfg.validity_ns) /
							1e6);
		/* The channel's smoothed round trip of a data frame to the
		 * standby's acknowledgement: the floor of the ACK hold. */
		if (n->ch.srtt_ns != 0)
			ns_out_printf(o, ", frame round trip %.1f us (smoothed)",
					n->ch.srtt_ns / 1e3);
		ns_out_printf(o, "\n");
		if (n->ctr[NS_HA_C_takeovers] != 0)
			ns_out_printf(o,
					"worker %u: took over %" PRIu64
					" time(s); last: active silent "
					"%.1f ms, %u connections activated in %.1f us, %u "
					"failed%s\n",
					i, n->ctr[NS_HA_C_takeovers], n->last_silence_ns / 1e6,
					n->last_activated, n->last_activate_ns / 1e3,
					n->last_failed,
					n->last_partial ? " (bulk sync cut short)" : "");
		if (n->ctr[NS_HA_C_takeovers] != 0)
			ns_out_printf(o, "worker %u: last takeover done at wall %" PRIu64 " ns\n",
					i, n->last_takeover_wall_ns);
		if (n->last_heard_wall_ns != 0)
			ns_out_printf(o,
					"worker %u: last hand-over (the old active's JOIN) heard "
					"at "
					"wall %" PRIu64 " ns\n",
					i, n->last_heard_wall_ns);
		if (n->ctr[NS_HA_C_stepdowns] != 0 || n->ctr[NS_HA_C_switchover_refused] != 0 ||
				n->ctr[NS_HA_C_switchover_aborted] != 0)
			ns_out_printf(o,
					"worker %u: stepped down %" PRIu64 " time(s) (%" PRIu64
					" refused, %" PRIu64
					" aborted); last: frozen at wall %" PRIu64
					" ns, drained in %.1f us\n",
					i, n->ctr[NS_HA_C_stepdowns],
					n->ctr[NS_HA_C_switchover_refused],
					n->ctr[NS_HA_C_switchover_aborted], n->last_freeze_wall_ns,
					n->last_drain_ns / 1e3);
		if (n->stall_end_ns != 0 && now > n->stall_end_ns) {
			ns_out_printf(o, "worker %u: last stood still %.1f ms, %.1f s ago", i,
					n->stall_ns / 1e6, (now - n->stall_end_ns) / 1e9);
			if (n->stall_ran_ns != UINT64_MAX)
				ns_out_printf(o, " (ran %.1f ms of it)", n->stall_ran_ns / 1e6);
			ns_out_printf(o, "; %" PRIu64 " poll gaps over %.1f ms\n",
					n->ctr[NS_HA_C_pauses], n->cfg.pause_ns / 1e6);
		}
		if (n->ctr[NS_HA_C_fences] != 0)
			ns_out_printf(o,
					"worker %u: fenced %" PRIu64
					" time(s): an instance of a newer epoch was the active\n",
					i, n->ctr[NS_HA_C_fences]);
		if (n->ctr[NS_HA_C_refused_stale] != 0 || n->ctr[NS_HA_C_refused_syncing] != 0)
			ns_out_printf(o,
					"worker %u: the active silent, no takeover: %" PRIu64
					" time(s) stale, %" PRIu64 " time(s) not in sync\n",
					i, n->ctr[NS_HA_C_refused_stale],
					n->ctr[NS_HA_C_refused_syncing]);
		if (n->ctr[NS_HA_C_beats_sent] != 0 || n->ctr[NS_HA_C_beats_heard] != 0 ||
				n->ctr[NS_HA_C_split_avoided] != 0)
			ns_out_printf(o,
					"worker %u: service-port heartbeats %" PRIu64
					" sent, %" PRIu64 " heard; takeovers avoided (channel "
					"silent, the active alive "
					"elsewhere) %" PRIu64 "\n",
					i, n->ctr[NS_HA_C_beats_sent], n->ctr[NS_HA_C_beats_heard],
					n->ctr[NS_HA_C_split_avoided]);
		if (n->ctr[NS_HA_C_fwd_kept] != 0 || n->ctr[NS_HA_C_fwd_injected] != 0 ||
				n->ctr[NS_HA_C_fwd_dropped] != 0)
			ns_out_printf(o,
					"worker %u: frames received while stepping down: %" PRIu64
					" forwarded to the successor (%" PRIu64 " sent), %" PRIu64
					" taken from the predecessor, %" PRIu64 " dropped\n",
					i, n->ctr[NS_HA_C_fwd_kept], n->ctr[NS_HA_C_fwd_sent],
					n->ctr[NS_HA_C_fwd_injected], n->ctr[NS_HA_C_fwd_dropped]);
		if (n->ctr[NS_HA_C_neigh_sent] != 0 || n->ctr[NS_HA_C_neigh_learned] != 0)
			ns_out_printf(o,
					"worker %u: neighbours sent to the standby %" PRIu64
					", learned from the active %" PRIu64 "\n",
					i, n->ctr[NS_HA_C_neigh_sent],
					n->ctr[NS_HA_C_neigh_learned]);
	}
	if (argc >= 3) { /* show ha stats [all] */
		ns_ha_stats_sum(h);
		ns_print_ctr_table(o, "ha", ns_ha_ctr_desc, h, NULL, NS_HA_C__MAX, argc == 4);
	}
	return 0;
}

/* 'ha takeover': this standby becomes the active now (planned, or tests). */
static int
cmd_ha_takeover(struct ns_out *o, int argc, char **argv)
{
	uint32_t n = 0;

	(void)argc, (void)argv;
	if (!ns_repl_is_standby()) {
		ns_out_printf(o, "error: this instance is not a standby (role %s)\n", role_now());
		return -1;
	}
	for (uint32_t i = 0; i < app.cfg.n_workers; i++)
		if (ns_repl_ws[i] != NULL && ns_repl_post_takeover(i) == 0)
			n++;
	ns_out_printf(o, "takeover asked of %u worker(s)\n", n);
	return 0;
}

/* 'ha switchover': the active hands everything to its standby and becomes
 * the standby (planned; no connection notices more than a pause). */
static int
cmd_ha_switchover(struct ns_out *o, int argc, char **argv)
{
	uint32_t n = 0;

	(void)argc, (void)argv;
	if (app.cfg.repl.role == NS_REPL_ROLE_NONE || ns_repl_is_standby()) {
		ns_out_printf(o, "error: this instance is not the active (role %s)\n", role_now());
		return -1;
	}
	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		const struct ns_repl_w *r = ns_repl_ws[i];

		if (r != NULL && !ns_repl_active_in_sync(&r->node.act)) {
			ns_out_printf(o,
					"error: worker %u's standby is not in sync (show repl "
					"status)\n",
					i);
			return -1;
		}
	}
	for (uint32_t i = 0; i < app.cfg.n_workers; i++)
		if (ns_repl_ws[i] != NULL && ns_repl_post_switchover(i) == 0)
			n++;
	ns_out_printf(o, "switchover asked of %u worker(s)\n", n);
	return 0;
}

/* 'set repl bulk pause|resume': a bulk sync that stands still (tests). */
static int
cmd_set_repl_bulk(struct ns_out *o, int argc, char **argv)
{
	bool pause = !strcmp(argv[argc - 1], "pause");

	for (uint32_t i = 0; i < app.cfg.n_workers; i++)
		if (ns_repl_ws[i] != NULL)
			ns_repl_ws[i]->node.bulk_paused = pause;
	ns_out_printf(o, "bulk sync %s\n", pause ? "paused" : "running");
	return 0;
}

/* 'set repl backup pause|resume': a slow backup application, for the lag flags. */
static int
cmd_set_repl_backup(struct ns_out *o, int argc, char **argv)
{
	bool pause = !strcmp(argv[argc - 1], "pause");

	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		if (ns_repl_ws[i] != NULL)
			ns_repl_ws[i]->node.backup_paused = pause;
		if (ns_tcp_ws != NULL)
			__atomic_store_n(&ns_tcp_ws[i].aw.backup_paused, pause, __ATOMIC_RELAXED);
	}
	ns_out_printf(o, "backup applications %s\n", pause ? "paused" : "running");
	return 0;
}

static int
tel_status(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	uint64_t v[NS_REPL_C__MAX], h[NS_HA_C__MAX];

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "role", role_now());
	rte_tel_data_add_dict_u64(d, "epoch", epoch_now());
	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		const struct ns_repl_w *r = ns_repl_ws[i];
		struct rte_tel_data *c;
		char key[16];

		if (r == NULL || (c = rte_tel_data_alloc()) == NULL)
			continue;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "state",
				ns_ha_role_is_active(r->node.role) ? astate_name(r->node.act.state)
								   : sstate_name(r->node.sb.state));
		rte_tel_data_add_dict_u64(c, "session", r->node.ch.session);
		rte_tel_data_add_dict_u64(c, "in_flight", r->node.ch.snd_nxt - r->node.ch.snd_una);
		rte_tel_data_add_dict_u64(c, "held", ns_repl_hold_len(&r->node.hold));
		rte_tel_data_add_dict_u64(c, "hold_p50_us", ns_ha_hold_pct(&r->node, 50));
		rte_tel_data_add_dict_u64(c, "hold_p99_us", ns_ha_hold_pct(&r->node, 99));
		if (ns_ha_role_is_active(r->node.role)) {
			rte_tel_data_add_dict_u64(c, "bulk_sent", r->node.act.bulk_sent);
			rte_tel_data_add_dict_u64(c, "bulk_ns", r->node.act.bulk_ns);
		} else {
			rte_tel_data_add_dict_u64(c, "shadows", r->node.sb.n_shadows);
		}
		snprintf(key, sizeof(key), "chan%u", i);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	ns_repl_stats_sum(v);
	for (int i = 0; i < NS_REPL_C__MAX; i++)
		rte_tel_data_add_dict_u64(d, ns_repl_ctr_desc[i].name, v[i]);
	ns_ha_stats_sum(h);
	for (int i = 0; i < NS_HA_C__MAX; i++)
		rte_tel_data_add_dict_u64(d, ns_ha_ctr_desc[i].name, h[i]);
	return 0;
}

const struct ns_cmd ns_repl_cmds[] = {
		{"show repl status", "Display",
				"replication: role, epoch, per channel state, in flight, hold "
				"delay, "
				"bulk sync",
				cmd_show_repl_status},
		{"show repl sessions", "Display",
				"replicated connections: ready, session flag, backup lag, last "
				"delivered",
				cmd_show_repl_sessions},
		{"show repl stats", "Display", "non-zero replication counters",
				cmd_show_repl_stats},
		{"show repl stats all", "Display", "every replication counter with its meaning",
				cmd_show_repl_stats},
		{"show ha", "Display",
				"high availability: role, epoch, lease, peer, channels in sync, "
				"takeovers",
				cmd_show_ha},
		{"show ha stats", "Display", "non-zero role machine counters", cmd_show_ha},
		{"show ha stats all", "Display", "every role machine counter with its meaning",
				cmd_show_ha},
		{"ha takeover", "Control",
				"a standby becomes the active now, whatever its state (its shadows "
				"go live)",
				cmd_ha_takeover},
		{"ha switchover", "Control",
				"planned: the active drains to its standby, which takes over; "
				"the active becomes the standby",
				cmd_ha_switchover},
		{"set repl backup pause|resume", "Control",
				"stop or restart the backup applications (a slow standby, for "
				"tests)",
				cmd_set_repl_backup},
		{"set repl bulk pause|resume", "Control",
				"stop or restart the active's bulk sync (connections "
				"checkpoint only when they change, for tests)",
				cmd_set_repl_bulk},
		{NULL, NULL, NULL, NULL},
};

const struct ns_tel_cmd ns_repl_tel[] = {
		{"/nonstop/repl/status", tel_status,
				"Replication: role, epoch, per channel state, hold delay, bulk "
				"sync; counters. No parameters"},
		{NULL, NULL, NULL},
};
