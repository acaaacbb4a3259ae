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
#include "feature.h"
#include "ping.h"

#define NS_PING_MAX_SIZE 1472

/* A loop's pinger: the sender and the replies it saw. */
struct pinger {
	rte_be32_t dst;
	uint16_t port_idx;
	uint16_t ident;
	uint16_t size;
	uint32_t count, sent;
	uint64_t interval_ns, next_tx_ns;
	uint16_t rx_ident; /* replies below are for this ping */
	uint32_t received;
	uint64_t rtt_min_ns, rtt_max_ns, rtt_sum_ns;
} __rte_cache_aligned;

static struct pinger pinger[NS_MAX_LOOPS];

/* The ping in progress (control side). */
static volatile uint16_t ping_ident;
static int ping_worker;
static rte_be32_t ping_dst;
static uint32_t ping_count;

enum { MSG_START, MSG_STOP };

struct start_msg {
	rte_be32_t dst;
	uint16_t port_idx, ident, size;
	uint32_t count, interval_ms;
};

static void
ping_msg(struct ns_worker *w, const struct ns_wmsg *msg)
{
	const struct start_msg *m = NS_WMSG_BODY(msg, const struct start_msg);
	struct pinger *p = &pinger[w->idx];

	if (msg->type == MSG_STOP) {
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

static __rte_noinline void
ping_send(struct ns_worker *w, struct pinger *p)
{
	struct ns_host *h;
	struct rte_mbuf *m;
	uint8_t *buf;
	uint16_t len;

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

/* Each pass: the next request when it is due (out of line: most passes
 * have none to send). */
static void
ping_tick(struct ns_worker *w)
{
	struct pinger *p = &pinger[w->idx];

	if (unlikely(p->sent < p->count) && w->now_ns >= p->next_tx_ns)
		ping_send(w, p);
}

/* An ICMP echo reply the host stack passed on (the frame is freed). */
static enum ns_rx
ping_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m, const struct ns_l4_info *l4)
{
	struct pinger *p = &pinger[w->idx];
	uint16_t ident, seq;
	uint64_t tx_ns, rtt;

	(void)port_idx;
	if (ns_icmp_echo_reply_parse(
			    rte_pktmbuf_mtod(m, const uint8_t *), l4, &ident, &seq, &tx_ns) < 0 ||
			ident != ping_ident || ident == 0) {
		w->dp_ctr[NS_DP_ping_reply_unmatched]++;
		return NS_RX_FREE;
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
	return NS_RX_FREE;
}

/* ping <address> [count N] [interval MS] [size BYTES] [port NAME] */
static int
cmd_ping(struct ns_out *o, int argc, char **argv)
{
	struct start_msg m = {.count = 5, .interval_ms = 1000, .size = 56};
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
	m.ident = (uint16_t)(ping_ident + 1);
	if (m.ident == 0)
		m.ident = 1;
	ping_ident = m.ident; /* replies with the old identifier are no longer counted */
	if (ns_feature_post(&ns_feature_ping, (uint32_t)widx, MSG_START, &m, sizeof(m)) != 0) {
		ns_out_printf(o, "error: worker %d message queue full\n", widx);
		return -1;
	}
	ping_worker = widx;
	ping_dst = a.s_addr;
	ping_count = m.count;
	ns_out_printf(o,
			"PING %s from port %s: %u echo requests of %u data bytes every %u ms, id "
			"%u ('show ping' for results)\n",
			argv[1], app.cfg.port[port].name, m.count, m.size, m.interval_ms, m.ident);
	return 0;
}

static int
cmd_show_ping(struct ns_out *o, int argc, char **argv)
{
	uint32_t sent, received = 0;
	uint64_t sum = 0, mn = UINT64_MAX, mx = 0;
	char ip[INET_ADDRSTRLEN];

	(void)argc, (void)argv;
	if (ping_ident == 0) {
		ns_out_printf(o, "no ping since start\n");
		return 0;
	}
	sent = __atomic_load_n(&pinger[ping_worker].sent, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < app.cfg.n_workers; i++) {
		const struct pinger *p = &pinger[i];

		if (__atomic_load_n(&p->rx_ident, __ATOMIC_ACQUIRE) != ping_ident)
			continue;
		received += p->received;
		sum += p->rtt_sum_ns;
		mn = RTE_MIN(mn, p->rtt_min_ns);
		mx = RTE_MAX(mx, p->rtt_max_ns);
	}
	inet_ntop(AF_INET, &ping_dst, ip, sizeof(ip));
	ns_out_printf(o, "ping %s id %u: %u/%u sent, %u received, %.1f%% loss%s\n", ip, ping_ident,
			sent, ping_count, received,
			sent ? 100.0 * (sent - RTE_MIN(received, sent)) / sent : 0.0,
			sent < ping_count ? " (in progress)" : "");
	if (received)
		ns_out_printf(o, "rtt min/avg/max = %.3f/%.3f/%.3f ms\n", mn / 1e6,
				sum / 1e6 / received, mx / 1e6);
	return 0;
}

static int
cmd_ping_stop(struct ns_out *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	if (ping_ident == 0 || ns_feature_post(&ns_feature_ping, (uint32_t)ping_worker, MSG_STOP,
					       NULL, 0) != 0) {
		ns_out_printf(o, "error: no ping to stop\n");
		return -1;
	}
	ns_out_printf(o, "ping stopped\n");
	return 0;
}

static const struct ns_cmd cmds[] = {
		{"show ping", "Display", "result of the last ping", cmd_show_ping},
		{"ping stop", "Control", "stop the ping in progress", cmd_ping_stop},
		{"ping <address>", "Control", "send 5 ICMP echo requests, 1 s apart (asynchronous)",
				cmd_ping},
		{"ping <address> <options...>", "Control",
				"options: count N, interval MS, size BYTES, port NAME", cmd_ping},
		{NULL, NULL, NULL, NULL},
};

struct ns_feature ns_feature_ping = {
		.name = "ping",
		.loops = NS_LOOPS_ALL,
		.ip_proto = IPPROTO_ICMP,
		.rx_l4 = ping_rx,
		.poll = ping_tick,
		.msg = ping_msg,
		.cmds = cmds,
};
