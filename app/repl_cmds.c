/* SPDX-License-Identifier: BSD-3-Clause */
/* Console, ctl and telemetry views of replication (show repl ..., show ha). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>

#include <rte_telemetry.h>

#include "app.h"
#include "control.h"
#include "repl_glue.h"

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

void
ns_repl_stats_sum(uint64_t *out)
{
	memset(out, 0, sizeof(uint64_t) * NS_REPL_C__MAX);
	for (uint32_t i = 0; app.worker != NULL && i < app.cfg.n_workers; i++)
		if (app.worker[i].repl != NULL)
			ns_ctr_accumulate(out, app.worker[i].repl->ch.ctr, NS_REPL_C__MAX);
}

int
ns_cmd_show_repl_status(struct ns_out *o, int argc, char **argv)
{
	const struct ns_repl_cfg *rc = &app.cfg.repl;
	uint64_t v[NS_REPL_C__MAX];

	(void)argc, (void)argv;
	ns_out_printf(o, "role %s, epoch %u, port %s, mode %s, frame_max %u, window %u, ring %u\n",
			ns_repl_role_name(rc->role), rc->epoch,
			rc->role != NS_REPL_ROLE_NONE ? rc->port_name : "-",
			rc->async ? "async" : "sync", rc->frame_max, rc->window, rc->ring);
	if (rc->role == NS_REPL_ROLE_NONE)
		return 0;
	ns_out_printf(o, "%-6s %-10s %-10s %-18s %8s %8s %8s %10s %10s %12s %12s\n", "chan",
			"state", "session", "peer", "inflight", "queued", "held", "retrans",
			"lag-p50-us", "lag-p99-us", "bulk");
	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		const struct ns_repl_w *r = app.worker[i].repl;
		char mac[RTE_ETHER_ADDR_FMT_SIZE], bulk[40];

		if (r == NULL)
			continue;
		rte_ether_format_addr(mac, sizeof(mac), &r->peer);
		if (r->active) {
			if (r->act.bulk)
				snprintf(bulk, sizeof(bulk), "%u sent", r->act.bulk_sent);
			else if (r->act.bulk_acked)
				snprintf(bulk, sizeof(bulk), "%u in %.1f ms", r->act.bulk_sent,
						r->act.bulk_ns / 1e6);
			else
				snprintf(bulk, sizeof(bulk), "-");
		} else {
			snprintf(bulk, sizeof(bulk), "%u/%u", r->sb.bulk_got, r->sb.bulk_expected);
		}
		ns_out_printf(o,
				"%-6u %-10s %-10u %-18s %8u %8u %8u %10" PRIu64 " %10.1f %12.1f "
				"%12s\n",
				i, r->active ? astate_name(r->act.state) : sstate_name(r->sb.state),
				r->ch.session, mac, r->ch.snd_nxt - r->ch.snd_una,
				r->ch.snd_top - r->ch.snd_nxt, ns_repl_hold_len(&r->hold),
				r->ch.ctr[NS_REPL_C_tx_retransmits],
				(double)ns_repl_hold_pct(r, 50), (double)ns_repl_hold_pct(r, 99),
				bulk);
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

int
ns_cmd_show_repl_stats(struct ns_out *o, int argc, char **argv)
{
	uint64_t v[NS_REPL_C__MAX];

	(void)argv;
	ns_repl_stats_sum(v);
	ns_print_ctr_table(o, "repl", ns_repl_ctr_desc, v, NULL, NS_REPL_C__MAX, argc == 4);
	return 0;
}

int
ns_cmd_show_repl_sessions(struct ns_out *o, int argc, char **argv)
{
	unsigned int n = 0;

	(void)argc, (void)argv;
	ns_out_printf(o, "%-4s %-6s %-22s %-12s %-5s %-8s %10s %10s %s\n", "chan", "conn", "remote",
			"state", "ready", "flag", "lag-us", "max-lag-us", "last-delivered");
	for (uint32_t wi = 0; wi < app.cfg.n_workers; wi++) {
		const struct ns_repl_w *r = app.worker[wi].repl;

		if (r == NULL)
			continue;
		for (uint32_t id = 0; id < app.worker[wi].tcp.cfg.max_conns; id++) {
			const struct ns_tcb *c = &app.worker[wi].tcp.pool[id];
			char ip[INET_ADDRSTRLEN], rs[32];
			bool ready;
			uint8_t flag;
			uint32_t lag, max_lag, last;

			if (c->state == NS_TCP_CLOSED)
				continue;
			if (r->active) {
				const struct ns_repl_aconn *k = &r->act.conn[id];

				ready = k->live && k->ready;
				flag = k->flag;
				lag = k->lag_us;
				max_lag = k->lag_us;
				last = c->rcvq.head - 1 - c->irs;
			} else {
				const struct ns_repl_sconn *k = &r->sb.conn[id];

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

int
ns_cmd_show_ha(struct ns_out *o, int argc, char **argv)
{
	const struct ns_repl_cfg *rc = &app.cfg.repl;
	uint32_t synced = 0, chans = 0, shadows = 0, ready = 0;

	(void)argc, (void)argv;
	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		const struct ns_repl_w *r = app.worker[i].repl;

		if (r == NULL)
			continue;
		chans++;
		if (r->active) {
			synced += ns_repl_active_in_sync(&r->act);
		} else {
			synced += r->sb.state == NS_REPL_S_SYNCED;
			shadows += r->sb.n_shadows;
			for (uint32_t id = 0; id < app.worker[i].tcp.cfg.max_conns; id++)
				ready += r->sb.conn[id].imaged && r->sb.conn[id].ready &&
					 r->sb.conn[id].flag != NS_REPL_FLAG_CRITICAL;
		}
	}
	ns_out_printf(o, "role %s, epoch %u\n", ns_repl_role_name(rc->role), rc->epoch);
	if (rc->role == NS_REPL_ROLE_NONE) {
		ns_out_printf(o, "no replication configured ([repl] role)\n");
		return 0;
	}
	ns_out_printf(o, "peer %s on port %s: %u of %u channels in sync\n",
			rc->role == NS_REPL_ROLE_ACTIVE ? "standby" : "active", rc->port_name,
			synced, chans);
	if (rc->role == NS_REPL_ROLE_STANDBY)
		ns_out_printf(o, "shadows %u, ready for %u\n", shadows, ready);
	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		const struct ns_repl_w *r = app.worker[i].repl;

		if (r == NULL)
			continue;
		if (r->takeovers != 0)
			ns_out_printf(o,
					"worker %u: took over %" PRIu64
					" time(s); last: active silent "
					"%.1f ms, %u connections activated in %.1f us, %u "
					"failed%s\n",
					i, r->takeovers, r->last_silence_ns / 1e6,
					r->last_activated, r->last_activate_ns / 1e3,
					r->last_failed,
					r->last_partial ? " (bulk sync cut short)" : "");
		if (r->takeovers != 0)
			ns_out_printf(o, "worker %u: last takeover done at wall %" PRIu64 " ns\n",
					i, r->takeover_wall_ns);
		if (r->stepdowns != 0 || r->sw_refused != 0 || r->sw_aborted != 0)
			ns_out_printf(o,
					"worker %u: stepped down %" PRIu64 " time(s) (%" PRIu64
					" refused, %" PRIu64 " aborted); last: frozen at wall "
					"%" PRIu64 " ns, drained in %.1f us\n",
					i, r->stepdowns, r->sw_refused, r->sw_aborted,
					r->sw_freeze_wall_ns, r->last_drain_ns / 1e3);
		if (r->fences != 0)
			ns_out_printf(o,
					"worker %u: fenced %" PRIu64
					" time(s): an instance of a newer epoch was the active\n",
					i, r->fences);
		if (r->beats_sent != 0 || r->beats_heard != 0 || r->split_avoided != 0)
			ns_out_printf(o,
					"worker %u: service-port heartbeats %" PRIu64
					" sent, %" PRIu64 " heard; takeovers avoided (channel "
					"silent, the active alive "
					"elsewhere) %" PRIu64 "\n",
					i, r->beats_sent, r->beats_heard, r->split_avoided);
		if (r->fwd_kept != 0 || r->fwd_injected != 0 || r->fwd_dropped != 0)
			ns_out_printf(o,
					"worker %u: frames received while stepping down: %" PRIu64
					" forwarded to the successor (%" PRIu64 " sent), %" PRIu64
					" taken from the predecessor, %" PRIu64 " dropped\n",
					i, r->fwd_kept, r->fwd_sent, r->fwd_injected,
					r->fwd_dropped);
		if (r->neigh_sent != 0 || r->neigh_learned != 0)
			ns_out_printf(o,
					"worker %u: neighbours sent to the standby %" PRIu64
					", learned from the active %" PRIu64 "\n",
					i, r->neigh_sent, r->neigh_learned);
	}
	return 0;
}

/* 'ha takeover': this standby becomes the active now (planned, or tests). */
int
ns_cmd_ha_takeover(struct ns_out *o, int argc, char **argv)
{
	struct ns_wmsg m = {.type = NS_WMSG_TAKEOVER};
	uint32_t n = 0;

	(void)argc, (void)argv;
	if (app.cfg.repl.role != NS_REPL_ROLE_STANDBY) {
		ns_out_printf(o, "error: this instance is not a standby (role %s)\n",
				ns_repl_role_name(app.cfg.repl.role));
		return -1;
	}
	for (uint32_t i = 0; i < app.cfg.n_workers; i++)
		if (app.worker[i].repl != NULL && ns_worker_post(i, &m) == 0)
			n++;
	ns_out_printf(o, "takeover asked of %u worker(s)\n", n);
	return 0;
}

/* 'ha switchover': the active hands everything to its standby and becomes
 * the standby (planned; no connection notices more than a pause). */
int
ns_cmd_ha_switchover(struct ns_out *o, int argc, char **argv)
{
	struct ns_wmsg m = {.type = NS_WMSG_SWITCHOVER};
	uint32_t n = 0;

	(void)argc, (void)argv;
	if (app.cfg.repl.role != NS_REPL_ROLE_ACTIVE) {
		ns_out_printf(o, "error: this instance is not the active (role %s)\n",
				ns_repl_role_name(app.cfg.repl.role));
		return -1;
	}
	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		const struct ns_repl_w *r = app.worker[i].repl;

		if (r != NULL && !ns_repl_active_in_sync(&r->act)) {
			ns_out_printf(o,
					"error: worker %u's standby is not in sync (show repl "
					"status)\n",
					i);
			return -1;
		}
	}
	for (uint32_t i = 0; i < app.cfg.n_workers; i++)
		if (app.worker[i].repl != NULL && ns_worker_post(i, &m) == 0)
			n++;
	ns_out_printf(o, "switchover asked of %u worker(s)\n", n);
	return 0;
}

/* 'set repl bulk pause|resume': a bulk sync that stands still (tests). */
int
ns_cmd_set_repl_bulk(struct ns_out *o, int argc, char **argv)
{
	bool pause = !strcmp(argv[argc - 1], "pause");

	for (uint32_t i = 0; i < app.cfg.n_workers; i++)
		if (app.worker[i].repl != NULL)
			app.worker[i].repl->bulk_paused = pause;
	ns_out_printf(o, "bulk sync %s\n", pause ? "paused" : "running");
	return 0;
}

/* 'set repl backup pause|resume': a slow backup application, for the lag flags. */
int
ns_cmd_set_repl_backup(struct ns_out *o, int argc, char **argv)
{
	bool pause = !strcmp(argv[argc - 1], "pause");

	for (uint32_t i = 0; i < app.cfg.n_workers; i++)
		if (app.worker[i].repl != NULL)
			app.worker[i].repl->backup_paused = pause;
	ns_out_printf(o, "backup applications %s\n", pause ? "paused" : "running");
	return 0;
}

int
ns_repl_telemetry_status(struct rte_tel_data *d)
{
	uint64_t v[NS_REPL_C__MAX];

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "role", ns_repl_role_name(app.cfg.repl.role));
	rte_tel_data_add_dict_u64(d, "epoch", app.cfg.repl.epoch);
	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		const struct ns_repl_w *r = app.worker[i].repl;
		struct rte_tel_data *c;
		char key[16];

		if (r == NULL || (c = rte_tel_data_alloc()) == NULL)
			continue;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "state",
				r->active ? astate_name(r->act.state) : sstate_name(r->sb.state));
		rte_tel_data_add_dict_u64(c, "session", r->ch.session);
		rte_tel_data_add_dict_u64(c, "in_flight", r->ch.snd_nxt - r->ch.snd_una);
		rte_tel_data_add_dict_u64(c, "held", ns_repl_hold_len(&r->hold));
		rte_tel_data_add_dict_u64(c, "hold_p50_us", ns_repl_hold_pct(r, 50));
		rte_tel_data_add_dict_u64(c, "hold_p99_us", ns_repl_hold_pct(r, 99));
		if (r->active) {
			rte_tel_data_add_dict_u64(c, "bulk_sent", r->act.bulk_sent);
			rte_tel_data_add_dict_u64(c, "bulk_ns", r->act.bulk_ns);
		} else {
			rte_tel_data_add_dict_u64(c, "shadows", r->sb.n_shadows);
		}
		snprintf(key, sizeof(key), "chan%u", i);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	ns_repl_stats_sum(v);
	for (int i = 0; i < NS_REPL_C__MAX; i++)
		rte_tel_data_add_dict_u64(d, ns_repl_ctr_desc[i].name, v[i]);
	return 0;
}
