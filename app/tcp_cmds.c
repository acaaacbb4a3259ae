/* SPDX-License-Identifier: BSD-3-Clause */
/* Console commands of the TCP stack. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "control.h"
#include "feature.h"
#include "tcp_glue.h"

/*
 * Connection tables are read here while the workers run: each field is a
 * word-sized load, so a line can mix values from two instants (display only).
 */
static int
cmd_show_tcp_conns(struct ns_out *o, int argc, char **argv)
{
	int detail = argc == 4;
	unsigned int n = 0;

	(void)argv;
	ns_out_printf(o, "%-22s %-22s %-12s %10s %10s %8s %8s\n", "local", "remote", "state",
			"snd-q", "rcv-q", "app", "bytes");
	for (uint32_t wi = 0; wi < app.cfg.n_workers; wi++) {
		const struct ns_tcp_w *t = &ns_tcp_ws[wi];

		for (uint32_t i = 0; i < t->stack.cfg.max_conns; i++) {
			const struct ns_tcb *c = &t->stack.pool[i];
			const struct ns_app_conn *a = &t->appc[i];
			uint32_t crc;
			char l[INET_ADDRSTRLEN], r[INET_ADDRSTRLEN], ls[32], rs[32];
			uint16_t st = __atomic_load_n(&c->state, __ATOMIC_RELAXED);

			if (st == NS_TCP_CLOSED)
				continue;
			inet_ntop(AF_INET, &c->t.laddr, l, sizeof(l));
			inet_ntop(AF_INET, &c->t.raddr, r, sizeof(r));
			snprintf(ls, sizeof(ls), "%s:%u", l, rte_be_to_cpu_16(c->t.lport));
			snprintf(rs, sizeof(rs), "%s:%u", r, rte_be_to_cpu_16(c->t.rport));
			ns_out_printf(o, "%-22s %-22s %-12s %10u %10u %8s %8" PRIu64 "\n", ls, rs,
					ns_tcp_state_name(st), ns_fifo_len(&c->sndq),
					ns_fifo_len(&c->rcvq),
					a->app != 0 ? ns_app_name(a->app - 1u) : "-", a->bytes);
			if (detail) {
				ns_out_printf(o,
						"    snd_una %u snd_nxt %u snd_max %u snd_wnd %u "
						"rcv_nxt %u rcv_adv %u\n",
						c->snd_una - c->iss, c->snd_nxt - c->iss,
						c->snd_max - c->iss, c->snd_wnd,
						c->rcv_nxt - c->irs, c->rcv_adv - c->irs);
				ns_out_printf(o,
						"    mss %u wscale %u/%u ts %s sack %s cwnd %u "
						"ssthresh %u srtt %.3f ms rttvar %.3f ms rto %u ms "
						"backoff %u\n",
						c->snd_mss, c->snd_wscale, c->rcv_wscale,
						(c->flags & NS_TCBF_TS) ? "on" : "off",
						(c->flags & NS_TCBF_SACK) ? "on" : "off", c->cwnd,
						c->ssthresh, c->srtt_us / 1e3, c->rttvar_us / 1e3,
						c->rto_us / 1000, c->backoff);
				if (ns_builtin_digest(a, &crc))
					ns_out_printf(o, "    %s digest crc32c %08x\n",
							ns_app_name(a->app - 1u), crc);
			}
			n++;
		}
	}
	ns_out_printf(o, "%u connections (sequence numbers relative to ISN/IRS)\n", n);
	return 0;
}

static int
cmd_show_tcp_stats(struct ns_out *o, int argc, char **argv)
{
	uint64_t v[NS_TCP_C__MAX];

	(void)argv;
	ns_tcp_stats_sum(v);
	ns_print_ctr_table(o, "tcp", ns_tcp_ctr_desc, v, ns_tcp_base, NS_TCP_C__MAX, argc == 4);
	return 0;
}

static int
cmd_show_listeners(struct ns_out *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	ns_out_printf(o, "%-16s %-16s %6s %s\n", "listener", "address", "port", "app");
	for (uint16_t i = 0; i < app.cfg.n_listeners; i++) {
		const struct ns_listener_cfg *l = &app.cfg.listener[i];
		char a[INET_ADDRSTRLEN] = "*";

		if (l->addr)
			inet_ntop(AF_INET, &l->addr, a, sizeof(a));
		ns_out_printf(o, "%-16s %-16s %6u %s\n", l->name, a, l->port, ns_cfg_app_name(&app.cfg, l->app));
	}
	return 0;
}

/* Listeners and clients with what their connections did (clients summed over
 * workers; 'failed' includes connects refused for want of a TCB or a port). */
static int
cmd_show_tcp_apps(struct ns_out *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	cmd_show_listeners(o, 0, NULL);
	if (app.cfg.n_clients == 0)
		return 0;
	ns_out_printf(o, "\n%-12s %-22s %-10s %6s %6s %6s %6s %12s %12s %6s %10s %10s\n", "client",
			"connect", "app", "opened", "up", "done", "failed", "bytes-tx", "bytes-rx",
			"errors", "Mbit/s", "trans/s");
	for (uint16_t i = 0; i < app.cfg.n_clients; i++) {
		const struct ns_client_cfg *k = &app.cfg.client[i];
		struct ns_client_stats t = {0};
		char d[INET_ADDRSTRLEN], ds[32];
		double secs, mbps = 0, tps = 0;

		for (uint32_t wi = 0; wi < app.cfg.n_workers; wi++) {
			const struct ns_client_stats *s = &ns_tcp_ws[wi].cst[i];

			t.opened += s->opened;
			t.connected += s->connected;
			t.done += s->done;
			t.failed += s->failed;
			t.refused += s->refused;
			t.bytes_tx += s->bytes_tx;
			t.bytes_rx += s->bytes_rx;
			t.mismatches += s->mismatches;
			if (s->t_first_ns != 0 &&
					(t.t_first_ns == 0 || s->t_first_ns < t.t_first_ns))
				t.t_first_ns = s->t_first_ns;
			if (s->t_last_ns > t.t_last_ns)
				t.t_last_ns = s->t_last_ns;
		}
		/* Goodput from the first connect to the last completion, once all are done. */
		secs = (double)(t.t_last_ns - t.t_first_ns) / 1e9;
		if (t.done + t.failed == t.opened && t.opened > 0 && secs > 0) {
			mbps = (double)(t.bytes_tx > t.bytes_rx ? t.bytes_tx : t.bytes_rx) * 8 /
			       secs / 1e6;
			if (k->msg != 0) /* request/response: transactions completed per second */
				tps = (double)(t.bytes_rx / k->msg) / secs;
		}
		inet_ntop(AF_INET, &k->dst, d, sizeof(d));
		snprintf(ds, sizeof(ds), "%s:%u", d, k->dst_port);
		ns_out_printf(o,
				"%-12s %-22s %-10s %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64
				" %12" PRIu64 " %12" PRIu64 " %6" PRIu64 " %10.1f %10.0f\n",
				k->name, ds, ns_cfg_app_name(&app.cfg, k->app), t.opened, t.connected, t.done,
				t.failed + t.refused, t.bytes_tx, t.bytes_rx, t.mismatches, mbps,
				tps);
	}
	return 0;
}

/*
 * 'set tcp KNOB VALUE': the control path checks the value, records it in the
 * configuration (show config) and posts it to every worker, which applies it
 * to its own stack between bursts (no field is written across lcores).
 * New connections use it; for the timers, running connections too.
 */
struct tcp_knob {
	const char *name;
	uint32_t min, max;
	size_t cfg_off, cfg_size;   /* in struct ns_tcp_cfg (worker), size 0: app-level */
	size_t knob_off, knob_size; /* in struct ns_tcp_knobs (app.cfg.tcp) */
};

/* The knobs of NS_TCP_KNOBS that 'set tcp' changes; cfg_size 0: the
 * application's alone (not in the stack). */
#define KNOB_IN_CORE_CORE(field) \
	offsetof(struct ns_tcp_cfg, field), sizeof(((struct ns_tcp_cfg *)0)->field)
#define KNOB_IN_CORE_APP(field) 0, 0
#define X(key, field, kind, min, max, set, where)                                   \
	NS_TCP_KNOB_SET_##set({#key, min, max, KNOB_IN_CORE_##where(field),         \
					      offsetof(struct ns_tcp_knobs, field), \
					      sizeof(((struct ns_tcp_knobs *)0)->field)}, )
static const struct tcp_knob knobs[] = {NS_TCP_KNOBS(X)};
#undef X
/* Their names, for the command's help. */
#define X(key, field, kind, min, max, set, where) NS_TCP_KNOB_SET_##set(" " #key)
static const char knob_names[] = NS_TCP_KNOBS(X);
#undef X

static void
store(void *base, size_t off, size_t size, uint32_t v)
{
	uint8_t *p = (uint8_t *)base + off;

	if (size == 1) {
		uint8_t b = (uint8_t)v;

		memcpy(p, &b, 1);
	} else if (size == 2) {
		uint16_t h = (uint16_t)v;

		memcpy(p, &h, 2);
	} else {
		memcpy(p, &v, 4);
	}
}

void
ns_tcp_knob_apply(struct ns_tcp_w *t, uint32_t knob, uint32_t value)
{
	if (knob < RTE_DIM(knobs) && knobs[knob].cfg_size != 0)
		store(&t->stack.cfg, knobs[knob].cfg_off, knobs[knob].cfg_size, value);
}

static int
cmd_set_tcp(struct ns_out *o, int argc, char **argv)
{
	const char *name = argv[2], *val = argv[3];
	char *end;
	unsigned long v;

	if (argc != 4) {
		ns_out_printf(o, "usage: set tcp KNOB VALUE\n");
		return -1;
	}
	if (!strcmp(val, "on") || !strcmp(val, "yes"))
		val = "1";
	else if (!strcmp(val, "off") || !strcmp(val, "no"))
		val = "0";
	for (unsigned int i = 0; i < RTE_DIM(knobs); i++) {
		struct ns_tcp_set_msg m = {.knob = i};

		if (strcmp(knobs[i].name, name) != 0)
			continue;
		v = strtoul(val, &end, 10);
		if (*val == '\0' || *end != '\0' || v < knobs[i].min || v > knobs[i].max) {
			ns_out_printf(o, "error: %s: '%s' is not in [%u, %u]\n", name, argv[3],
					knobs[i].min, knobs[i].max);
			return -1;
		}
		m.value = (uint32_t)v;
		store(&app.cfg.tcp, knobs[i].knob_off, knobs[i].knob_size, m.value);
		for (uint32_t wi = 0; wi < app.cfg.n_workers; wi++)
			if (ns_feature_post(&ns_feature_tcp, wi, 0, &m, sizeof(m)) != 0) {
				ns_out_printf(o, "error: worker %u's message ring is full\n", wi);
				return -1;
			}
		ns_out_printf(o, "tcp %s = %lu\n", name, v);
		return 0;
	}
	ns_out_printf(o, "error: unknown knob '%s'; knobs:", name);
	for (unsigned int i = 0; i < RTE_DIM(knobs); i++)
		ns_out_printf(o, " %s", knobs[i].name);
	ns_out_printf(o, "\n");
	return -1;
}

const struct ns_cmd ns_tcp_cmds[] = {
		{"show tcp conns", "Display", "TCP connections (all workers)", cmd_show_tcp_conns},
		{"show tcp conns detail", "Display",
				"TCP connections with sequence, window and RTT state",
				cmd_show_tcp_conns},
		{"show tcp apps", "Display", "listeners and clients: connections, bytes, errors",
				cmd_show_tcp_apps},
		{"show tcp stats", "Display", "non-zero TCP counters", cmd_show_tcp_stats},
		{"show tcp stats all", "Display", "every TCP counter with its meaning",
				cmd_show_tcp_stats},
		{"show listeners", "Display", "TCP listeners and their applications",
				cmd_show_listeners},
		{"set tcp <knob> <value>", "Control", knob_names + 1, cmd_set_tcp},
		{NULL, NULL, NULL, NULL},
};
