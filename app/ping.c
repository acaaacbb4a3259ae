/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ping: ICMP echo requests originated by the dataplane, asynchronous like
 * VPP's.  The control path posts a start message to the worker that polls
 * queue 0 of the port (ARP replies land there); that worker sends at the
 * interval, resolving the next hop through its ARP cache (packets wait in
 * the cache while a request is out).  Replies may land on any worker
 * (RSS): each counts the replies carrying the current identifier, with the
 * RTT from the timestamp inside the payload; 'show ping' sums them.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "app.h"
#include "control.h"

#define NS_PING_MAX_SIZE 1472

void
ns_ping_start(struct ns_worker *w, const struct ns_wmsg *m)
{
	struct ns_pinger *p = &w->ping;

	if (m->type == NS_WMSG_PING_STOP) {
		p->count = p->sent;
		return;
	}
	p->dst = m->dst;
	p->port_idx = m->port_idx;
	p->ident = m->ident;
	p->size = m->size;
	p->count = m->count;
	p->sent = 0;
	p->interval_ns = (uint64_t)m->interval_ms * 1000000ull;
	p->next_tx_ns = w->now_ns;
}

void
ns_ping_tick(struct ns_worker *w)
{
	struct ns_pinger *p = &w->ping;
	struct ns_host *h;
	struct rte_mbuf *m;
	uint8_t *buf;
	uint16_t len;

	if (likely(p->sent >= p->count) || w->now_ns < p->next_tx_ns)
		return;
	h = &w->host[p->port_idx];
	m = rte_pktmbuf_alloc(app.pool);
	if (m == NULL) {
		w->dp_ctr[NS_DP_mbuf_alloc_failed]++;
		return; /* retried next poll */
	}
	buf = (uint8_t *)rte_pktmbuf_append(m, RTE_ETHER_HDR_LEN + 28 + p->size);
	len = ns_icmp_build_echo(
			h, p->dst, p->ident, (uint16_t)(p->sent + 1), p->size, w->now_ns, buf);
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - len);
	p->sent++;
	p->next_tx_ns = w->now_ns + p->interval_ns;
	ns_worker_send_ip(w, p->port_idx, m, p->dst);
}

void
ns_ping_rx(struct ns_worker *w, const uint8_t *frame, const struct ns_l4_info *l4)
{
	struct ns_pinger *p = &w->ping;
	uint16_t ident, seq;
	uint64_t tx_ns, rtt;

	if (ns_icmp_echo_reply_parse(frame, l4, &ident, &seq, &tx_ns) < 0 ||
			ident != app.ping_ident || ident == 0) {
		w->dp_ctr[NS_DP_ping_reply_unmatched]++;
		return;
	}
	if (p->rx_ident != ident) {
		p->rx_ident = ident;
		p->received = 0;
		p->rtt_min_ns = UINT64_MAX;
		p->rtt_max_ns = 0;
		p->rtt_sum_ns = 0;
	}
	rtt = w->now_ns > tx_ns ? w->now_ns - tx_ns : 0;
	w->dp_ctr[NS_DP_ping_reply_rx]++;
	p->received++;
	p->rtt_sum_ns += rtt;
	if (rtt < p->rtt_min_ns)
		p->rtt_min_ns = rtt;
	if (rtt > p->rtt_max_ns)
		p->rtt_max_ns = rtt;
}

/* ping <address> [count N] [interval MS] [size BYTES] [port NAME] */
int
ns_cmd_ping(struct ns_out *o, int argc, char **argv)
{
	struct ns_wmsg m = {
			.type = NS_WMSG_PING_START, .count = 5, .interval_ms = 1000, .size = 56};
	struct in_addr a;
	int port = -1, widx;
	char *end;

	if (inet_pton(AF_INET, argv[1], &a) != 1) {
		ns_out_printf(o, "error: '%s' is not an IPv4 address\n", argv[1]);
		return -1;
	}
	for (int i = 2; i < argc; i += 2) {
		unsigned long v = 0;

		if (i + 1 >= argc) {
			ns_out_printf(o, "error: '%s' needs a value\n", argv[i]);
			return -1;
		}
		if (strcmp(argv[i], "port") != 0) {
			v = strtoul(argv[i + 1], &end, 10);
			if (*end != '\0' || end == argv[i + 1]) {
				ns_out_printf(o, "error: %s '%s' is not a number\n", argv[i],
						argv[i + 1]);
				return -1;
			}
		}
		if (!strcmp(argv[i], "count") && v >= 1 && v <= 1000000) {
			m.count = (uint32_t)v;
		} else if (!strcmp(argv[i], "interval") && v >= 1 && v <= 60000) {
			m.interval_ms = (uint32_t)v;
		} else if (!strcmp(argv[i], "size") && v >= 8 && v <= NS_PING_MAX_SIZE) {
			m.size = (uint16_t)v;
		} else if (!strcmp(argv[i], "port")) {
			int last;

			if (ns_port_by_arg(argv[i + 1], &port, &last) < 0 || port != last) {
				ns_out_printf(o, "error: no port '%s'\n", argv[i + 1]);
				return -1;
			}
		} else {
			ns_out_printf(o,
					"error: bad option '%s %s' (count 1-1000000, interval "
					"1-60000 ms, size 8-%d, port NAME)\n",
					argv[i], argv[i + 1], NS_PING_MAX_SIZE);
			return -1;
		}
	}
	/* No routes yet: the destination must be on a connected subnet (of the named port). */
	for (int i = 0; i < app.cfg.n_ports; i++) {
		const struct ns_port_cfg *pc = &app.cfg.port[i];
		rte_be32_t mask = pc->prefix ? rte_cpu_to_be_32(~0u << (32 - pc->prefix)) : 0;
		bool on_link = pc->ip != 0 && pc->forward < 0 &&
			       (a.s_addr & mask) == (pc->ip & mask);

		if (port < 0 && on_link)
			port = i;
		else if (port == i && !on_link)
			port = -2; /* named port: not on its subnet */
	}
	if (port < 0) {
		ns_out_printf(o, "error: %s is not on a connected subnet of %s (no routes yet)\n",
				argv[1], port == -2 ? "that port" : "a port with an address");
		return -1;
	}
	widx = ns_worker_of_port((uint16_t)port);
	if (widx < 0) {
		ns_out_printf(o, "error: no worker polls port %s\n", app.cfg.port[port].name);
		return -1;
	}
	m.port_idx = (uint16_t)port;
	m.dst = a.s_addr;
	m.ident = (uint16_t)(app.ping_ident + 1);
	if (m.ident == 0)
		m.ident = 1;
	app.ping_ident = m.ident; /* replies with the old identifier are no longer counted */
	if (ns_worker_post((uint32_t)widx, &m) != 0) {
		ns_out_printf(o, "error: worker %d message queue full\n", widx);
		return -1;
	}
	app.ping_worker = widx;
	app.ping_dst = a.s_addr;
	app.ping_count = m.count;
	ns_out_printf(o,
			"PING %s from port %s: %u echo requests of %u data bytes every %u ms, id "
			"%u ('show ping' for results)\n",
			argv[1], app.cfg.port[port].name, m.count, m.size, m.interval_ms, m.ident);
	return 0;
}

int
ns_cmd_show_ping(struct ns_out *o, int argc, char **argv)
{
	uint32_t sent, received = 0;
	uint64_t sum = 0, mn = UINT64_MAX, mx = 0;
	char ip[INET_ADDRSTRLEN];

	(void)argc, (void)argv;
	if (app.ping_ident == 0) {
		ns_out_printf(o, "no ping since start\n");
		return 0;
	}
	sent = __atomic_load_n(&app.worker[app.ping_worker].ping.sent, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		const struct ns_pinger *p = &app.worker[i].ping;

		if (__atomic_load_n(&p->rx_ident, __ATOMIC_ACQUIRE) != app.ping_ident)
			continue;
		received += p->received;
		sum += p->rtt_sum_ns;
		mn = RTE_MIN(mn, p->rtt_min_ns);
		mx = RTE_MAX(mx, p->rtt_max_ns);
	}
	inet_ntop(AF_INET, &app.ping_dst, ip, sizeof(ip));
	ns_out_printf(o, "ping %s id %u: %u/%u sent, %u received, %.1f%% loss%s\n", ip,
			app.ping_ident, sent, app.ping_count, received,
			sent ? 100.0 * (sent - RTE_MIN(received, sent)) / sent : 0.0,
			sent < app.ping_count ? " (in progress)" : "");
	if (received)
		ns_out_printf(o, "rtt min/avg/max = %.3f/%.3f/%.3f ms\n", mn / 1e6,
				sum / 1e6 / received, mx / 1e6);
	return 0;
}

int
ns_cmd_ping_stop(struct ns_out *o, int argc, char **argv)
{
	struct ns_wmsg m = {.type = NS_WMSG_PING_STOP};

	(void)argc, (void)argv;
	if (app.ping_ident == 0 || ns_worker_post((uint32_t)app.ping_worker, &m) != 0) {
		ns_out_printf(o, "error: no ping to stop\n");
		return -1;
	}
	ns_out_printf(o, "ping stopped\n");
	return 0;
}
