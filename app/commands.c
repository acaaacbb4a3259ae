/* SPDX-License-Identifier: BSD-3-Clause */
/* The command table and its handlers (console, ctl socket, command files). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include "app.h"
#include "control.h"
#include "health.h"

static int
port_range(struct ns_out *o, const char *arg, int *first, int *last)
{
	if (ns_port_by_arg(arg, first, last) < 0) {
		ns_out_printf(o, "error: no port '%s' (ethdev id, name, or all)\n", arg);
		return -1;
	}
	return 0;
}

static const char *
fmt_mac(const struct rte_ether_addr *m, char *buf)
{
	rte_ether_format_addr(buf, RTE_ETHER_ADDR_FMT_SIZE, m);
	return buf;
}

static const char *
fmt_ip(rte_be32_t ip, char *buf)
{
	return inet_ntop(AF_INET, &ip, buf, INET_ADDRSTRLEN);
}

static int
cmd_help(struct ns_out *o, int argc, char **argv)
{
	const char *last = "";

	(void)argc, (void)argv;
	for (unsigned int i = 0; i < ns_n_cmds; i++) {
		const struct ns_cmd *c = &ns_cmds[i];

		if (strcmp(c->section, last) != 0) {
			ns_out_printf(o, "%s%s:\n", i ? "\n" : "", c->section);
			last = c->section;
		}
		ns_out_printf(o, "  %-40s %s\n", c->pattern, c->help);
	}
	return 0;
}

static int
cmd_show_version(struct ns_out *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	ns_out_printf(o, "nonstop 0.1.0 on %s\n", rte_version());
	return 0;
}

static int
cmd_show_config(struct ns_out *o, int argc, char **argv)
{
	const struct ns_config *c = &app.cfg;
	char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];

	(void)argc, (void)argv;
	ns_out_printf(o, "# %s\n[global]\nidle = %s\nidle_threshold = %u\nidle_sleep_max_us = %u\n",
			c->path, ns_idle_name(c->idle), c->idle_threshold, c->idle_sleep_max_us);
	ns_out_printf(o, "burst = %u\nmbufs = %u\nmbuf_cache = %u\n", c->burst, c->mbufs,
			c->mbuf_cache);
	ns_out_printf(o,
			"arp_entries = %u\narp_timeout_s = %u\narp_retry_ms = %u\narp_tries = "
			"%u\nttl = %u\n",
			c->arp_entries, c->arp_timeout_s, c->arp_retry_ms, c->arp_tries, c->ttl);
	ns_out_printf(o, "\n[lcores]\nworkers = ");
	for (uint32_t i = 0; i < c->n_workers; i++)
		ns_out_printf(o, "%s%u", i ? "," : "", c->workers[i]);
	ns_out_printf(o, "\n");
	if (c->fastpath_lcore >= 0)
		ns_out_printf(o, "fastpath = %d\n", c->fastpath_lcore);
	if (c->replication_lcore >= 0)
		ns_out_printf(o, "replication = %d\n", c->replication_lcore);
	for (uint16_t i = 0; i < c->n_ports; i++) {
		const struct ns_port_cfg *p = &c->port[i];

		ns_out_printf(o, "\n[port.%s]\ndev = %s\n", p->name, p->dev);
		if (p->args[0])
			ns_out_printf(o, "args = %s\n", p->args);
		ns_out_printf(o, "role = %s\n", ns_role_name(p->role));
		if (p->ip)
			ns_out_printf(o, "ip = %s/%u\n", fmt_ip(p->ip, ip), p->prefix);
		if (p->has_mac)
			ns_out_printf(o, "mac = %s\n", fmt_mac(&p->mac, mac));
		ns_out_printf(o, "rxq = %u\nrx_desc = %u\ntx_desc = %u\npromisc = %s\n", p->rxq,
				p->rx_desc, p->tx_desc, p->promisc ? "yes" : "no");
		if (p->forward >= 0)
			ns_out_printf(o, "forward = %s\n", p->forward_name);
	}
	ns_out_printf(o,
			"\n[tcp]\nmax_conns = %u\nsndbuf = %u\nrcvbuf = %u\nmss = %u\nwscale = "
			"%u\n",
			c->tcp.max_conns, c->tcp.sndbuf, c->tcp.rcvbuf, c->tcp.mss, c->tcp.wscale);
	ns_out_printf(o, "timestamps = %s\nsack = %s\nwindow_scaling = %s\nnodelay = %s\n",
			c->tcp.ts ? "yes" : "no", c->tcp.sack ? "yes" : "no",
			c->tcp.ws ? "yes" : "no", c->tcp.nodelay ? "yes" : "no");
	ns_out_printf(o, "rto_min_ms = %u\nrto_init_ms = %u\ndelack_ms = %u\ntime_wait_ms = %u\n",
			c->tcp.rto_min_ms, c->tcp.rto_init_ms, c->tcp.delack_ms,
			c->tcp.time_wait_ms);
	ns_out_printf(o,
			"syn_backlog = %u\nsyncookies = %s\nkeepalive_idle_ms = %u\n"
			"keepalive_intvl_ms = %u\nkeepalive_cnt = %u\n",
			c->tcp.syn_backlog, c->tcp.syncookies ? "yes" : "no",
			c->tcp.keepalive_idle_ms, c->tcp.keepalive_intvl_ms, c->tcp.keepalive_cnt);
	for (uint16_t i = 0; i < c->n_listeners; i++) {
		const struct ns_listener_cfg *l = &c->listener[i];

		ns_out_printf(o, "\n[listener.%s]\nport = %u\n", l->name, l->port);
		if (l->addr)
			ns_out_printf(o, "address = %s\n", fmt_ip(l->addr, ip));
		ns_out_printf(o, "app = %s\n", ns_app_name(l->app));
		if (l->bytes)
			ns_out_printf(o, "bytes = %" PRIu64 "\n", l->bytes);
	}
	for (uint16_t i = 0; i < c->n_clients; i++) {
		const struct ns_client_cfg *k = &c->client[i];

		ns_out_printf(o, "\n[client.%s]\nconnect = %s:%u\n", k->name, fmt_ip(k->dst, ip),
				k->port);
		if (k->msg)
			ns_out_printf(o, "msg = %u\n", k->msg);
		ns_out_printf(o, "source = %s\napp = %s\nbytes = %" PRIu64 "\nconns = %u\n",
				fmt_ip(k->src, ip), ns_app_name(k->app), k->bytes, k->conns);
	}
	for (uint32_t i = 0; i < c->n_bfd; i++) {
		const struct ns_bfd_cfg *k = &c->bfd[i];

		if (__atomic_load_n(&app.bfd_slot_state[i], __ATOMIC_ACQUIRE) == NS_BFD_SLOT_FREE)
			continue;
		ns_out_printf(o, "\n[bfd.%s]\npeer = %s\n", k->name, fmt_ip(k->peer, ip));
		ns_out_printf(o, "local = %s\ntx_interval_ms = %u\nrx_interval_ms = %u\n",
				fmt_ip(k->local, ip), k->tx_ms, k->rx_ms);
		ns_out_printf(o, "multiplier = %u\npassive = %s\n", k->multiplier,
				k->passive ? "yes" : "no");
		if (k->auth.type != NS_BFD_AUTH_NONE)
			ns_out_printf(o, "auth = %s\nauth_key_id = %u\nauth_key = (not shown)\n",
					ns_bfd_auth_name(k->auth.type), k->auth.key_id);
	}
	return 0;
}

static void
lcore_roles(unsigned int lc, char *buf, size_t len)
{
	const struct ns_config *c = &app.cfg;
	size_t n = 0;

	buf[0] = '\0';
	if (lc == rte_get_main_lcore())
		n += snprintf(buf + n, len - n, "control ");
	for (uint32_t i = 0; i < c->n_workers; i++)
		if (c->workers[i] == lc)
			n += snprintf(buf + n, len - n, "worker ");
	if (c->fastpath_lcore == (int)lc)
		n += snprintf(buf + n, len - n, "fastpath ");
	if (c->replication_lcore == (int)lc)
		n += snprintf(buf + n, len - n, "replication ");
	if (n > 0)
		buf[n - 1] = '\0';
}

static int
cmd_show_lcores(struct ns_out *o, int argc, char **argv)
{
	unsigned int lc;
	char roles[96];

	(void)argc, (void)argv;
	ns_out_printf(o, "%-6s %-6s %-34s %s\n", "lcore", "socket", "roles", "queues (port:queue)");
	RTE_LCORE_FOREACH(lc)
	{
		lcore_roles(lc, roles, sizeof(roles));
		ns_out_printf(o, "%-6u %-6u %-34s", lc, rte_lcore_to_socket_id(lc),
				roles[0] ? roles : "-");
		for (uint32_t i = 0; i < app.n_loops; i++) {
			const struct ns_worker *w = &app.worker[i];

			if (w->lcore != lc)
				continue;
			if ((int)i == app.bfd_owner)
				ns_out_printf(o, " bfd");
			for (uint16_t k = 0; k < w->n_rxq; k++)
				ns_out_printf(o, " %u:%u", w->rxq[k].port_id, w->rxq[k].queue);
		}
		ns_out_printf(o, "\n");
	}
	ns_out_printf(o, "\n%-6s %14s %14s %7s %12s\n", "lcore", "polls", "busy polls", "busy%",
			"idle sleeps");
	for (uint32_t i = 0; i < app.n_loops; i++) {
		const struct ns_worker *w = &app.worker[i];
		uint64_t polls = __atomic_load_n(&w->dp_ctr[NS_DP_polls], __ATOMIC_RELAXED);
		uint64_t busy = __atomic_load_n(&w->dp_ctr[NS_DP_busy_polls], __ATOMIC_RELAXED);

		ns_out_printf(o, "%-6u %14" PRIu64 " %14" PRIu64 " %6.2f%% %12" PRIu64 "\n",
				w->lcore, polls, busy, polls ? 100.0 * busy / polls : 0.0,
				w->dp_ctr[NS_DP_idle_sleeps]);
	}
	ns_out_printf(o, "idle policy: %s", ns_idle_name(app.cfg.idle));
	if (app.cfg.idle == NS_IDLE_ADAPTIVE)
		ns_out_printf(o, " (sleep after %u empty polls, at most %u us)",
				app.cfg.idle_threshold, app.cfg.idle_sleep_max_us);
	ns_out_printf(o, "\n");
	return 0;
}

static void
port_info(struct ns_out *o, int i)
{
	const struct ns_port_cfg *pc = &app.cfg.port[i];
	const struct ns_port *p = &app.port[i];
	struct rte_eth_dev_info info;
	struct rte_eth_link link;
	char mac[RTE_ETHER_ADDR_FMT_SIZE], ip[INET_ADDRSTRLEN], ls[RTE_ETH_LINK_MAX_STR_LEN];
	uint16_t mtu = 0;

	memset(&info, 0, sizeof(info));
	rte_eth_dev_info_get(p->port_id, &info);
	rte_eth_link_get_nowait(p->port_id, &link);
	rte_eth_link_to_str(ls, sizeof(ls), &link);
	rte_eth_dev_get_mtu(p->port_id, &mtu);
	ns_out_printf(o, "port %u (%s)\n", p->port_id, pc->name);
	ns_out_printf(o, "  device:   %s  driver %s\n", pc->dev,
			info.driver_name ? info.driver_name : "?");
	ns_out_printf(o, "  role:     %s\n", ns_role_name(pc->role));
	ns_out_printf(o, "  mac:      %s\n", fmt_mac(&p->mac, mac));
	if (pc->ip)
		ns_out_printf(o, "  address:  %s/%u\n", fmt_ip(pc->ip, ip), pc->prefix);
	if (pc->forward >= 0)
		ns_out_printf(o, "  forward:  io to port %u (%s)\n", app.port[pc->forward].port_id,
				pc->forward_name);
	ns_out_printf(o, "  link:     %s\n", ls);
	ns_out_printf(o, "  mtu:      %u\n", mtu);
	ns_out_printf(o, "  queues:   %u rx (%u desc), %u tx (%u desc)\n", pc->rxq, pc->rx_desc,
			p->nb_txq, pc->tx_desc);
	ns_out_printf(o, "  promisc:  %s\n",
			rte_eth_promiscuous_get(p->port_id) == 1 ? "on" : "off");
}

static void
port_stats(struct ns_out *o, int i)
{
	const struct ns_port *p = &app.port[i];
	struct rte_eth_stats s;

	if (rte_eth_stats_get(p->port_id, &s) != 0) {
		ns_out_printf(o, "port %u: stats unavailable\n", p->port_id);
		return;
	}
	ns_out_printf(o, "port %u (%s)\n", p->port_id, app.cfg.port[i].name);
	ns_out_printf(o,
			"  rx-packets: %-14" PRIu64 " rx-missed: %-10" PRIu64 " rx-bytes: %" PRIu64
			"\n",
			s.ipackets, s.imissed, s.ibytes);
	ns_out_printf(o, "  rx-errors:  %-14" PRIu64 " rx-nombuf: %" PRIu64 "\n", s.ierrors,
			s.rx_nombuf);
	ns_out_printf(o,
			"  tx-packets: %-14" PRIu64 " tx-errors: %-10" PRIu64 " tx-bytes: %" PRIu64
			"\n",
			s.opackets, s.oerrors, s.obytes);
}

static void
port_xstats(struct ns_out *o, int i)
{
	const struct ns_port *p = &app.port[i];
	int n = rte_eth_xstats_get(p->port_id, NULL, 0);
	struct rte_eth_xstat *xs;
	struct rte_eth_xstat_name *names;

	if (n <= 0) {
		ns_out_printf(o, "port %u: no xstats\n", p->port_id);
		return;
	}
	xs = calloc(n, sizeof(*xs));
	names = calloc(n, sizeof(*names));
	if (xs != NULL && names != NULL && rte_eth_xstats_get(p->port_id, xs, n) == n &&
			rte_eth_xstats_get_names(p->port_id, names, n) == n) {
		ns_out_printf(o, "port %u (%s)\n", p->port_id, app.cfg.port[i].name);
		for (int k = 0; k < n; k++)
			ns_out_printf(o, "  %-40s %" PRIu64 "\n", names[xs[k].id].name,
					xs[k].value);
	}
	free(xs);
	free(names);
}

static int
cmd_show_port(struct ns_out *o, int argc, char **argv)
{
	int first, last;

	(void)argc;
	if (port_range(o, argv[3], &first, &last) < 0)
		return -1;
	for (int i = first; i <= last; i++) {
		if (!strcmp(argv[2], "info"))
			port_info(o, i);
		else if (!strcmp(argv[2], "stats"))
			port_stats(o, i);
		else
			port_xstats(o, i);
	}
	return 0;
}

static int
cmd_clear_port_stats(struct ns_out *o, int argc, char **argv)
{
	int first, last;

	(void)argc;
	if (port_range(o, argv[3], &first, &last) < 0)
		return -1;
	for (int i = first; i <= last; i++) {
		rte_eth_stats_reset(app.port[i].port_id);
		rte_eth_xstats_reset(app.port[i].port_id);
		ns_out_printf(o, "port %u: stats cleared\n", app.port[i].port_id);
	}
	return 0;
}

void
ns_print_ctr_table(struct ns_out *o, const char *prefix, const struct ns_ctr_desc *desc,
		const uint64_t *v, const uint64_t *base, int n, int all)
{
	for (int i = 0; i < n; i++) {
		uint64_t x = v[i] - (base != NULL ? base[i] : 0);
		char name[64];

		if (x == 0 && !all)
			continue;
		snprintf(name, sizeof(name), "%s.%s", prefix, desc[i].name);
		ns_out_printf(o, "%-31s %12" PRIu64 "  %s%s\n", name, x,
				desc[i].kind == NS_CTR_DROP ? "drop: " : "", desc[i].help);
	}
}

void
ns_print_counters(struct ns_out *o, int all, int raw)
{
	uint64_t net[NS_NET__MAX], dp[NS_DP__MAX], ctl[NS_CTL__MAX];

	ns_counters_sum(net, dp);
	ns_print_ctr_table(o, "dp", ns_dp_ctr_desc, dp, raw ? NULL : app.dp_base, NS_DP__MAX, all);
	ns_print_ctr_table(o, "net", ns_net_ctr_desc, net, raw ? NULL : app.net_base, NS_NET__MAX,
			all);
	ns_ctl_stats_sum(ctl);
	ns_print_ctr_table(o, "ctl", ns_ctl_ctr_desc, ctl, raw ? NULL : app.ctl_base, NS_CTL__MAX,
			all);
}

static int
cmd_show_counters(struct ns_out *o, int argc, char **argv)
{
	(void)argv;
	ns_print_counters(o, argc == 3, 0);
	return 0;
}

static int
cmd_clear_counters(struct ns_out *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	ns_counters_sum(app.net_base, app.dp_base);
	ns_tcp_stats_sum(app.tcp_base);
	ns_ctl_stats_sum(app.ctl_base);
	ns_out_printf(o, "counters cleared\n");
	return 0;
}

static int
arp_line(const struct ns_arp_view *v, void *arg)
{
	char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];
	bool ok = v->e.state == NS_ARP_REACHABLE;
	const char *st = ok ? (v->e.permanent ? "permanent" : "reachable") : "incomplete";

	ns_out_printf(arg, "%-16s %-18s %-11s %-8.1f %-7u %s\n", fmt_ip(v->e.ip, ip),
			ok ? fmt_mac(&v->e.mac, mac) : "-", st, v->age_ns / 1e9, v->lcore,
			app.cfg.port[v->port_idx].name);
	return 0;
}

static int
cmd_show_arp(struct ns_out *o, int argc, char **argv)
{
	unsigned int n;

	(void)argc, (void)argv;
	ns_out_printf(o, "%-16s %-18s %-11s %-8s %-7s %s\n", "address", "mac", "state", "age(s)",
			"worker", "port");
	n = ns_arp_walk(arp_line, o);
	ns_out_printf(o, "%u entries\n", n);
	return 0;
}

static int
cmd_quit(struct ns_out *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	ns_out_printf(o, "quitting\n");
	app.quit = true;
	return 0;
}

const struct ns_cmd ns_cmds[] = {
		{"help", "Help", "list commands", cmd_help},
		{"show version", "Display", "version of nonstop and DPDK", cmd_show_version},
		{"show config", "Display", "configuration in effect (INI)", cmd_show_config},
		{"show lcores", "Display", "lcore roles, queues and busy ratio", cmd_show_lcores},
		{"show port info|stats|xstats <port>", "Display",
				"port details (ethdev id, name or all)", cmd_show_port},
		{"show counters", "Display", "non-zero dataplane and host-stack counters",
				cmd_show_counters},
		{"show counters all", "Display", "every counter with its meaning",
				cmd_show_counters},
		{"show arp", "Display", "ARP cache of every worker", cmd_show_arp},
		{"show tcp conns", "Display", "TCP connections (all workers)",
				ns_cmd_show_tcp_conns},
		{"show tcp conns detail", "Display",
				"TCP connections with sequence, window and RTT state",
				ns_cmd_show_tcp_conns},
		{"show tcp apps", "Display", "listeners and clients: connections, bytes, errors",
				ns_cmd_show_tcp_apps},
		{"show tcp stats", "Display", "non-zero TCP counters", ns_cmd_show_tcp_stats},
		{"show tcp stats all", "Display", "every TCP counter with its meaning",
				ns_cmd_show_tcp_stats},
		{"show listeners", "Display", "TCP listeners and their applications",
				ns_cmd_show_listeners},
		{"show ping", "Display", "result of the last ping", ns_cmd_show_ping},
		{"show bfd sessions", "Display", "BFD sessions: state, discriminators, timers",
				ns_cmd_show_bfd_sessions},
		{"show bfd sessions detail", "Display", "BFD sessions with the remote's parameters",
				ns_cmd_show_bfd_sessions},
		{"show bfd stats", "Display", "non-zero BFD counters", ns_cmd_show_bfd_stats},
		{"show bfd stats all", "Display", "every BFD counter with its meaning",
				ns_cmd_show_bfd_stats},
		{"show health", "Display", "peer health derived from the BFD health table",
				ns_cmd_show_health},
		{"show health events", "Display", "the last 64 BFD state changes, oldest first",
				ns_cmd_show_health_events},
		{"show repl status", "Display",
				"replication: role, epoch, per channel state, in flight, hold "
				"delay, "
				"bulk sync",
				ns_cmd_show_repl_status},
		{"show repl sessions", "Display",
				"replicated connections: ready, session flag, backup lag, last "
				"delivered",
				ns_cmd_show_repl_sessions},
		{"show repl stats", "Display", "non-zero replication counters",
				ns_cmd_show_repl_stats},
		{"show repl stats all", "Display", "every replication counter with its meaning",
				ns_cmd_show_repl_stats},
		{"show ha", "Display",
				"high availability: role, epoch, lease, peer, channels in sync, "
				"takeovers",
				ns_cmd_show_ha},
		{"show ha stats", "Display", "non-zero role machine counters", ns_cmd_show_ha},
		{"show ha stats all", "Display", "every role machine counter with its meaning",
				ns_cmd_show_ha},
		{"ha takeover", "Control",
				"a standby becomes the active now, whatever its state (its shadows "
				"go live)",
				ns_cmd_ha_takeover},
		{"mcast join|leave <port> <group>", "Control",
				"the console (application 0) joins or leaves an IPv4 group on a "
				"port "
				"with igmp = true (IGMPv3 reports on the first join and last "
				"leave)",
				ns_cmd_mcast},
		{"mcast app <n> join|leave|include|exclude <port> <group>", "Control",
				"application n's filter on the group (join = exclude {}, leave = "
				"include {})",
				ns_cmd_mcast},
		{"mcast app <n> include|exclude <port> <group> <sources>", "Control",
				"application n's source filter (sources: a,b,c)", ns_cmd_mcast},
		{"show mcast groups", "Display",
				"per port: IGMP version, reports, queries; the groups' merged "
				"state",
				ns_cmd_show_mcast},
		{"show mcast querier", "Display",
				"per querier port: who queries, timers, counters; each group's "
				"mode, timer, sources and member hosts (RFC 3376 router side)",
				ns_cmd_show_mcast_querier},
		{"show overlay sessions", "Display",
				"multicast overlay sessions: packets, unicast copies, gaps filled, "
				"duplicates dropped, reorder releases, lost",
				ns_cmd_show_overlay},
		{"show overlay stats", "Display", "non-zero overlay counters",
				ns_cmd_show_overlay_stats},
		{"show overlay stats all", "Display", "every overlay counter with its meaning",
				ns_cmd_show_overlay_stats},
		{"netlink route|diag <pid> <hex>", "Control",
				"one netlink request, hex (from libnonstop_netstate.so): the "
				"kernel-format answer in hex, or 'pass'",
				ns_cmd_netlink},
		{"show netstate json", "Display",
				"links, addresses, neighbours, routes and TCP connections as the "
				"netlink service shows them, JSON",
				ns_cmd_show_netstate},
		{"ha switchover", "Control",
				"planned: the active drains to its standby, which takes over; "
				"the active becomes the standby",
				ns_cmd_ha_switchover},
		{"set repl backup pause|resume", "Control",
				"stop or restart the backup applications (a slow standby, for "
				"tests)",
				ns_cmd_set_repl_backup},
		{"set overlay <name> request on|off", "Control",
				"a last hop stops (or resumes) asking its first hop for the "
				"unicast copy; the first hop stops sending it when the last "
				"request's lifetime ends",
				ns_cmd_set_overlay_request},
		{"set repl bulk pause|resume", "Control",
				"stop or restart the active's bulk sync (connections "
				"checkpoint only when they change, for tests)",
				ns_cmd_set_repl_bulk},
		{"bfd session add <name> <options...>", "Control",
				"add a session: peer A.B.C.D [local A.B.C.D] [tx MS] [rx MS] "
				"[multiplier N] [passive] [auth TYPE key KEY [key-id N]]",
				ns_cmd_bfd_session_add},
		{"bfd session del <name>", "Control",
				"delete a session (the peer sees it go "
				"silent)",
				ns_cmd_bfd_session_del},
		{"set bfd session <name> <tx_ms> <rx_ms> <multiplier>", "Control",
				"change a session's timers (a Poll sequence while Up)",
				ns_cmd_set_bfd_session},
		{"set tcp <knob> <value>", "Control",
				"delack_ms rto_min_ms rto_init_ms time_wait_ms syn_backlog "
				"syncookies "
				"keepalive_idle_ms keepalive_intvl_ms keepalive_cnt nodelay",
				ns_cmd_set_tcp},
		{"ping stop", "Control", "stop the ping in progress", ns_cmd_ping_stop},
		{"ping <address>", "Control", "send 5 ICMP echo requests, 1 s apart (asynchronous)",
				ns_cmd_ping},
		{"ping <address> <options...>", "Control",
				"options: count N, interval MS, size BYTES, port NAME",
				ns_cmd_ping},
		{"clear port stats <port>", "Control", "reset ethdev stats and xstats",
				cmd_clear_port_stats},
		{"clear counters", "Control", "zero the counters (console and telemetry)",
				cmd_clear_counters},
		{"quit", "Control", "stop the dataplane and exit", cmd_quit},
};
const unsigned int ns_n_cmds = sizeof(ns_cmds) / sizeof(ns_cmds[0]);
