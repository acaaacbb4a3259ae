/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The network state service, dataplane side: 'netlink PROTO PID
 * HEX' carries one netlink request an application addressed to the kernel
 * (forwarded by libnonstop_netstate.so); the answer is the kernel's would-be
 * reply, built from this instance's ports, addresses, ARP caches and TCP
 * connections, hex encoded ("pass" when the kernel is to answer it).
 * Interface indexes are the port's index + 1 in this view.  The same state
 * as JSON: 'show netstate json' and /nonstop/netstate.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <netinet/tcp.h>

#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "app.h"
#include "control.h"
#include "feature.h"
#include "netlink/ns_netlink.h"
#include "netstate.h"
#include "repl_glue.h"
#include "tcp_glue.h"

static uint64_t netstate_served, netstate_malformed; /* netlink requests */

#define NS_NETLINK_REQ_MAX 4096

static void
link_of(uint16_t p, struct ns_nl_link *l)
{
	const struct ns_port *pt = &app.port[p];
	struct rte_eth_link link = {0};
	struct rte_eth_stats st = {0};
	uint16_t mtu = 1500;

	memset(l, 0, sizeof(*l));
	l->ifindex = p + 1;
	l->name = app.cfg.port[p].name;
	memcpy(l->mac, pt->mac.addr_bytes, 6);
	if (rte_eth_dev_get_mtu(pt->port_id, &mtu) == 0)
		l->mtu = mtu;
	else
		l->mtu = 1500;
	rte_eth_link_get_nowait(pt->port_id, &link);
	l->up = pt->started && link.link_status == RTE_ETH_LINK_UP;
	if (rte_eth_stats_get(pt->port_id, &st) == 0) {
		l->rx_packets = st.ipackets;
		l->tx_packets = st.opackets;
		l->rx_bytes = st.ibytes;
		l->tx_bytes = st.obytes;
		l->rx_errors = st.ierrors;
		l->tx_errors = st.oerrors;
		l->rx_dropped = st.imissed + st.rx_nombuf;
	}
}

static uint8_t
linux_state(uint16_t s)
{
	switch (s) {
	case NS_TCP_ESTABLISHED:
		return TCP_ESTABLISHED;
	case NS_TCP_SYN_SENT:
		return TCP_SYN_SENT;
	case NS_TCP_SYN_RCVD:
		return TCP_SYN_RECV;
	case NS_TCP_FIN_WAIT_1:
		return TCP_FIN_WAIT1;
	case NS_TCP_FIN_WAIT_2:
		return TCP_FIN_WAIT2;
	case NS_TCP_TIME_WAIT:
		return TCP_TIME_WAIT;
	case NS_TCP_CLOSE_WAIT:
		return TCP_CLOSE_WAIT;
	case NS_TCP_LAST_ACK:
		return TCP_LAST_ACK;
	case NS_TCP_LISTEN:
		return TCP_LISTEN;
	case NS_TCP_CLOSING:
		return TCP_CLOSING;
	default:
		return TCP_CLOSE;
	}
}

/* A TCB as ss sees it (read from the control path: fields may move, each
 * one is read once; a snapshot, as the kernel's own dump is). */
static void
tcp_of(const struct ns_tcp_w *w, const struct ns_tcb *c, uint16_t st, struct ns_nl_tcp *t)
{
	uint64_t now = ns_now_ns();

	memset(t, 0, sizeof(*t));
	t->saddr = c->t.laddr;
	t->daddr = c->t.raddr;
	t->sport = rte_be_to_cpu_16(c->t.lport);
	t->dport = rte_be_to_cpu_16(c->t.rport);
	t->state = linux_state(st);
	t->ifindex = 0; /* bound to no device (idiag_if), as the kernel's sockets */
	t->cookie = ((uint64_t)w->w->idx << 32) | c->id;
	t->rqueue = ns_fifo_len(&c->rcvq);
	t->wqueue = ns_fifo_len(&c->sndq);
	t->ca_state = (c->flags & NS_TCBF_IN_RECOVERY) ? 3 /* TCP_CA_Recovery */ : 0;
	t->retransmits = c->backoff;
	t->backoff = c->backoff;
	t->options = ((c->flags & NS_TCBF_TS) ? TCPI_OPT_TIMESTAMPS : 0) |
		     ((c->flags & NS_TCBF_SACK) ? TCPI_OPT_SACK : 0) |
		     ((c->flags & NS_TCBF_WS) ? TCPI_OPT_WSCALE : 0);
	t->snd_wscale = c->snd_wscale;
	t->rcv_wscale = c->rcv_wscale;
	t->rto_us = c->rto_us;
	t->snd_mss = c->snd_mss;
	t->rcv_mss = c->snd_mss;
	t->advmss = w->stack.cfg.mss;
	t->unacked = c->snd_mss ? (c->snd_max - c->snd_una + c->snd_mss - 1) / c->snd_mss : 0;
	t->rtt_us = c->srtt_us;
	t->rttvar_us = c->rttvar_us;
	t->snd_ssthresh = c->snd_mss ? c->ssthresh / c->snd_mss : 0;
	t->snd_cwnd = c->snd_mss ? c->cwnd / c->snd_mss : 0;
	t->snd_wnd = c->snd_wnd;
	t->rcv_wnd = ns_fifo_room(&c->rcvq);
	if (st != NS_TCP_LISTEN && st != NS_TCP_SYN_SENT) {
		t->bytes_acked = c->snd_una - c->iss - 1;
		t->bytes_received = c->rcv_nxt - c->irs - 1;
		t->bytes_sent = c->snd_max - c->iss - 1;
	}
	if (c->last_rx_ns != 0 && now > c->last_rx_ns)
		t->last_data_recv_ms = t->last_ack_recv_ms =
				(uint32_t)((now - c->last_rx_ns) / 1000000);
}

struct walk {
	struct ns_nl_buf *b;
	const struct ns_nl_req *r;
};

static int
neigh_one(const struct ns_arp_view *v, void *arg)
{
	struct walk *k = arg;
	struct ns_nl_neigh n = {.ifindex = v->port_idx + 1, .ip = v->e.ip};

	memcpy(n.mac, v->e.mac.addr_bytes, 6);
	n.nud = v->e.state == NS_ARP_REACHABLE ? NUD_REACHABLE : NUD_INCOMPLETE;
	ns_nl_put_neigh(k->b, k->r, &n);
	return 0;
}

static void
tcp_all(struct ns_nl_buf *b, const struct ns_nl_req *r)
{
	struct ns_tcb lc; /* a listener, dressed as a TCB for tcp_of */

	/* A standby's shadows are not its connections. */
	for (uint32_t wi = 0; wi < app.cfg.n_workers && !ns_repl_is_standby(); wi++) {
		const struct ns_tcp_w *w = &ns_tcp_ws[wi];

		for (uint32_t i = 0; i < w->stack.cfg.max_conns; i++) {
			const struct ns_tcb *c = &w->stack.pool[i];
			uint16_t st = __atomic_load_n(&c->state, __ATOMIC_RELAXED);
			struct ns_nl_tcp t;

			if (st == NS_TCP_CLOSED)
				continue;
			tcp_of(w, c, st, &t);
			ns_nl_put_tcp(b, r, &t);
		}
	}
	/* Listeners: one per configured one (every worker listens on it). */
	for (uint16_t i = 0; i < app.cfg.n_listeners; i++) {
		struct ns_nl_tcp t;

		memset(&lc, 0, sizeof(lc));
		lc.t.laddr = app.cfg.listener[i].addr;
		lc.t.lport = rte_cpu_to_be_16(app.cfg.listener[i].port);
		tcp_of(&ns_tcp_ws[0], &lc, NS_TCP_LISTEN, &t);
		t.cookie = 0xffff000000000000ull | i;
		ns_nl_put_tcp(b, r, &t);
	}
}

static void
answer(struct ns_nl_buf *b, const struct ns_nl_req *r)
{
	struct walk k = {b, r};

	switch (r->kind) {
	case NS_NL_LINK:
		for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
			struct ns_nl_link l;

			if (!r->dump && r->ifindex != p + 1 &&
					strcmp(r->ifname, app.cfg.port[p].name) != 0)
				continue;
			link_of(p, &l);
			ns_nl_put_link(b, r, &l);
		}
		break;
	case NS_NL_ADDR:
		for (uint16_t p = 0; p < app.cfg.n_ports && r->family != AF_INET6; p++) {
			struct ns_nl_addr a = {p + 1, app.cfg.port[p].name, app.cfg.port[p].ip,
					app.cfg.port[p].prefix};

			if (a.ip != 0)
				ns_nl_put_addr(b, r, &a);
		}
		break;
	case NS_NL_ROUTE:
		for (uint16_t p = 0; p < app.cfg.n_ports && r->family != AF_INET6; p++) {
			const struct ns_port_cfg *pc = &app.cfg.port[p];
			uint32_t mask = pc->prefix ? rte_cpu_to_be_32(~0u << (32 - pc->prefix)) : 0;
			struct ns_nl_route rt = {p + 1, pc->ip & mask, pc->ip, 0, pc->prefix};

			if (pc->ip != 0)
				ns_nl_put_route(b, r, &rt);
		}
		break;
	case NS_NL_NEIGH:
		if (r->family != AF_INET6)
			ns_arp_walk(neigh_one, &k);
		break;
	case NS_NL_TCP:
		tcp_all(b, r);
		break;
	}
	if (r->dump)
		ns_nl_put_done(b, r);
}

static int
unhex(const char *s, uint8_t *out, uint32_t max, uint32_t *len)
{
	size_t n = strlen(s);

	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		char pair[3] = {s[2 * i], s[2 * i + 1], 0}, *end;
		unsigned long v = strtoul(pair, &end, 16);

		if (*end != '\0' || !isxdigit((unsigned char)pair[0]))
			return -1;
		out[i] = (uint8_t)v;
	}
	*len = (uint32_t)(n / 2);
	return 0;
}

/* 'netlink route|diag PID HEX' */
static int
cmd_netlink(struct ns_out *o, int argc, char **argv)
{
	static uint8_t req[NS_NETLINK_REQ_MAX];
	int proto = !strcmp(argv[1], "route") ? NETLINK_ROUTE : NETLINK_SOCK_DIAG;
	uint32_t len, pid = (uint32_t)strtoul(argv[2], NULL, 10);
	struct ns_nl_buf b = {0};
	struct ns_nl_req r;
	int err;

	(void)argc;
	if (unhex(argv[3], req, sizeof(req), &len) != 0) {
		ns_out_printf(o, "error: the request is not hex bytes (at most %u)\n",
				NS_NETLINK_REQ_MAX);
		return -1;
	}
	switch (ns_nl_parse(req, len, proto, pid, &r, &err)) {
	case NS_NL_PASS:
		ns_out_printf(o, "pass\n");
		return 0;
	case NS_NL_MALFORMED:
		ns_nl_put_error(&b, req, len, pid, err);
		netstate_malformed++;
		break;
	case NS_NL_SERVE:
		answer(&b, &r);
		if (b.len == 0) { /* not one of ours (ip link show dev lo): the kernel's */
			ns_out_printf(o, "pass\n");
			return 0;
		}
		netstate_served++;
		break;
	}
	if (b.oom) {
		ns_nl_buf_free(&b);
		ns_out_printf(o, "error: out of memory\n");
		return -1;
	}
	for (uint32_t i = 0; i < b.len; i += 64) {
		static const char hx[] = "0123456789abcdef";
		char line[129];
		uint32_t n = b.len - i < 64 ? b.len - i : 64;

		for (uint32_t j = 0; j < n; j++) {
			line[2 * j] = hx[b.p[i + j] >> 4];
			line[2 * j + 1] = hx[b.p[i + j] & 15];
		}
		line[2 * n] = '\0';
		ns_out_printf(o, "%s", line);
	}
	ns_out_printf(o, "\n");
	ns_nl_buf_free(&b);
	return 0;
}

/* --- the same state as JSON (ctl) and telemetry ------------------------------ */

static int
neigh_json(const struct ns_arp_view *v, void *arg)
{
	struct ns_out *o = arg;
	char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];

	inet_ntop(AF_INET, &v->e.ip, ip, sizeof(ip));
	rte_ether_format_addr(mac, sizeof(mac), &v->e.mac);
	ns_out_printf(o, "%s{\"dst\":\"%s\",\"dev\":\"%s\",\"lladdr\":\"%s\",\"state\":\"%s\"}",
			o->len && o->buf[o->len - 1] == '}' ? "," : "", ip,
			app.cfg.port[v->port_idx].name, mac,
			v->e.state == NS_ARP_REACHABLE ? "REACHABLE" : "INCOMPLETE");
	return 0;
}

static int
cmd_show_netstate(struct ns_out *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	ns_out_printf(o, "{\"links\":[");
	for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
		struct ns_nl_link l;
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		link_of(p, &l);
		rte_ether_format_addr(mac, sizeof(mac), &app.port[p].mac);
		ns_out_printf(o,
				"%s{\"ifindex\":%d,\"ifname\":\"%s\",\"address\":\"%s\",\"mtu\":%u,"
				"\"operstate\":\"%s\",\"rx_packets\":%" PRIu64
				",\"tx_packets\":%" PRIu64 "}",
				p ? "," : "", l.ifindex, l.name, mac, l.mtu, l.up ? "UP" : "DOWN",
				l.rx_packets, l.tx_packets);
	}
	ns_out_printf(o, "],\"addresses\":[");
	for (uint16_t p = 0, n = 0; p < app.cfg.n_ports; p++) {
		char ip[INET_ADDRSTRLEN];

		if (app.cfg.port[p].ip == 0)
			continue;
		inet_ntop(AF_INET, &app.cfg.port[p].ip, ip, sizeof(ip));
		ns_out_printf(o, "%s{\"ifname\":\"%s\",\"local\":\"%s\",\"prefixlen\":%u}",
				n++ ? "," : "", app.cfg.port[p].name, ip, app.cfg.port[p].prefix);
	}
	ns_out_printf(o, "],\"neighbours\":[");
	ns_arp_walk(neigh_json, o);
	ns_out_printf(o, "],\"tcp\":[");
	for (uint32_t wi = 0, n = 0; wi < app.cfg.n_workers && !ns_repl_is_standby(); wi++) {
		const struct ns_tcp_w *w = &ns_tcp_ws[wi];

		for (uint32_t i = 0; i < w->stack.cfg.max_conns; i++) {
			const struct ns_tcb *c = &w->stack.pool[i];
			uint16_t st = __atomic_load_n(&c->state, __ATOMIC_RELAXED);
			char l[INET_ADDRSTRLEN], r[INET_ADDRSTRLEN];
			struct ns_nl_tcp t;

			if (st == NS_TCP_CLOSED)
				continue;
			tcp_of(w, c, st, &t);
			inet_ntop(AF_INET, &t.saddr, l, sizeof(l));
			inet_ntop(AF_INET, &t.daddr, r, sizeof(r));
			ns_out_printf(o,
					"%s{\"local\":\"%s:%u\",\"peer\":\"%s:%u\",\"state\":\"%"
					"s\","
					"\"recv_q\":%u,\"send_q\":%u,\"rtt_us\":%u,\"rttvar_us\":%"
					"u,"
					"\"cwnd\":%u,\"ssthresh\":%u,\"mss\":%u,\"retrans\":%u,"
					"\"wscale\":\"%u,%u\"}",
					n++ ? "," : "", l, t.sport, r, t.dport,
					ns_tcp_state_name((enum ns_tcp_state)st), t.rqueue,
					t.wqueue, t.rtt_us, t.rttvar_us, t.snd_cwnd, t.snd_ssthresh,
					t.snd_mss, t.retransmits, t.snd_wscale, t.rcv_wscale);
		}
	}
	ns_out_printf(o,
			"],\"netlink_requests\":{\"served\":%" PRIu64 ",\"malformed\":%" PRIu64
			"}}\n",
			netstate_served, netstate_malformed);
	return 0;
}

/* A list kept as a dict ("0", "1", ...). */
struct tel_list {
	struct rte_tel_data *d;
	unsigned int n;
};

static int
tel_add(struct tel_list *l, const char *v)
{
	char k[16];

	snprintf(k, sizeof(k), "%u", l->n++);
	return rte_tel_data_add_dict_string(l->d, k, v);
}

static int
tel_neigh(const struct ns_arp_view *v, void *arg)
{
	char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE], e[96];

	inet_ntop(AF_INET, &v->e.ip, ip, sizeof(ip));
	rte_ether_format_addr(mac, sizeof(mac), &v->e.mac);
	snprintf(e, sizeof(e), "%s dev %s lladdr %s %s", ip, app.cfg.port[v->port_idx].name, mac,
			v->e.state == NS_ARP_REACHABLE ? "REACHABLE" : "INCOMPLETE");
	return tel_add(arg, e);
}

/* /nonstop/netstate: the lists 'show netstate json' gives, one string per
 * entry (ip/ss's wording) keyed "0", "1", ... (DPDK 22.11's telemetry nests
 * dicts and number arrays, not string arrays), and the request counters. */
static int
tel_netstate(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tel_list links = {rte_tel_data_alloc(), 0}, addrs = {rte_tel_data_alloc(), 0},
			neigh = {rte_tel_data_alloc(), 0}, tcp = {rte_tel_data_alloc(), 0};
	char e[128];

	(void)cmd, (void)params;
	if (links.d == NULL || addrs.d == NULL || neigh.d == NULL || tcp.d == NULL) {
		rte_tel_data_free(links.d);
		rte_tel_data_free(addrs.d);
		rte_tel_data_free(neigh.d);
		rte_tel_data_free(tcp.d);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_start_dict(links.d);
	rte_tel_data_start_dict(addrs.d);
	rte_tel_data_start_dict(neigh.d);
	rte_tel_data_start_dict(tcp.d);
	for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
		struct ns_nl_link l;
		char mac[RTE_ETHER_ADDR_FMT_SIZE], ip[INET_ADDRSTRLEN];

		link_of(p, &l);
		rte_ether_format_addr(mac, sizeof(mac), &app.port[p].mac);
		snprintf(e, sizeof(e), "%d: %s link/ether %s mtu %u state %s", l.ifindex, l.name,
				mac, l.mtu, l.up ? "UP" : "DOWN");
		tel_add(&links, e);
		if (app.cfg.port[p].ip == 0)
			continue;
		inet_ntop(AF_INET, &app.cfg.port[p].ip, ip, sizeof(ip));
		snprintf(e, sizeof(e), "%s inet %s/%u", l.name, ip, app.cfg.port[p].prefix);
		tel_add(&addrs, e);
	}
	ns_arp_walk(tel_neigh, &neigh);
	for (uint32_t wi = 0; wi < app.cfg.n_workers && !ns_repl_is_standby(); wi++) {
		const struct ns_tcp_w *w = &ns_tcp_ws[wi];

		for (uint32_t i = 0; i < w->stack.cfg.max_conns; i++) {
			const struct ns_tcb *c = &w->stack.pool[i];
			uint16_t st = __atomic_load_n(&c->state, __ATOMIC_RELAXED);
			char l[INET_ADDRSTRLEN], r[INET_ADDRSTRLEN];

			if (st == NS_TCP_CLOSED)
				continue;
			inet_ntop(AF_INET, &c->t.laddr, l, sizeof(l));
			inet_ntop(AF_INET, &c->t.raddr, r, sizeof(r));
			snprintf(e, sizeof(e), "%s:%u %s:%u %s", l, rte_be_to_cpu_16(c->t.lport), r,
					rte_be_to_cpu_16(c->t.rport),
					ns_tcp_state_name((enum ns_tcp_state)st));
			if (tel_add(&tcp, e) != 0)
				break; /* the dict is full: the ctl JSON has them all */
		}
	}
	rte_tel_data_add_dict_container(d, "links", links.d, 0);
	rte_tel_data_add_dict_container(d, "addresses", addrs.d, 0);
	rte_tel_data_add_dict_container(d, "neighbours", neigh.d, 0);
	rte_tel_data_add_dict_container(d, "tcp", tcp.d, 0);
	rte_tel_data_add_dict_u64(d, "netlink_served", netstate_served);
	rte_tel_data_add_dict_u64(d, "netlink_malformed", netstate_malformed);
	return 0;
}

static const struct ns_tel_cmd tel[] = {
		{"/nonstop/netstate", tel_netstate,
				"Links, addresses, neighbours, TCP connections as ip/ss see them; "
				"netlink requests. No parameters"},
		{NULL, NULL, NULL},
};

static const struct ns_cmd cmds[] = {
		{"netlink route|diag <pid> <hex>", "Control",
				"one netlink request, hex (from libnonstop_netstate.so): the "
				"kernel-format answer in hex, or 'pass'",
				cmd_netlink},
		{"show netstate json", "Display",
				"links, addresses, neighbours, routes and TCP connections as the "
				"netlink service shows them, JSON",
				cmd_show_netstate},
		{NULL, NULL, NULL, NULL},
};

struct ns_feature ns_feature_netstate = {
		.name = "netstate",
		.loops = NS_LOOPS_WORKERS,
		.cmds = cmds,
		.tel = tel,
};
