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
#include "feature.h"

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

/* 'show config': a key as an INI line. */
static void
show_kv(void *arg, const char *key, const char *text, const uint64_t *num)
{
	(void)num;
	ns_out_printf(arg, "%s = %s\n", key, text);
}

static int
cmd_show_config(struct ns_out *o, int argc, char **argv)
{
	const struct ns_config *c = &app.cfg;
	struct ns_feature *f;

	(void)argc, (void)argv;
	ns_out_printf(o, "# %s\n[global]\n", c->path);
	ns_cfg_each_global(c, show_kv, o);
	ns_out_printf(o, "\n[lcores]\n");
	ns_cfg_each_lcores(c, show_kv, o);
	for (uint16_t i = 0; i < c->n_ports; i++) {
		ns_out_printf(o, "\n[port.%s]\n", c->port[i].name);
		ns_cfg_each_port(&c->port[i], show_kv, o);
	}
	ns_out_printf(o, "\n[tcp]\n");
	ns_cfg_each_tcp(&c->tcp, show_kv, o);
	for (uint16_t i = 0; i < c->n_listeners; i++) {
		ns_out_printf(o, "\n[listener.%s]\n", c->listener[i].name);
		ns_cfg_each_listener(c, &c->listener[i], show_kv, o);
	}
	for (uint16_t i = 0; i < c->n_clients; i++) {
		ns_out_printf(o, "\n[client.%s]\n", c->client[i].name);
		ns_cfg_each_client(c, &c->client[i], show_kv, o);
	}
	ns_out_printf(o, "\n[repl]\n");
	ns_cfg_each_repl(c, show_kv, o);
	for (uint32_t i = 0; i < c->n_ovl; i++) {
		ns_out_printf(o, "\n[overlay.%s]\n", c->ovl[i].name);
		ns_cfg_each_overlay(&c->ovl[i], show_kv, o);
	}
	NS_FEATURE_FOREACH(i, f)
	if (f->show_config != NULL)
		f->show_config(o);
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
			struct ns_feature *f;

			if (w->lcore != lc)
				continue;
			NS_FEATURE_FOREACH(k, f)
			if (f->lcore_tag != NULL && ns_feature_on(f) && ns_feature_runs_on(f, w))
				ns_out_printf(o, " %s", f->lcore_tag);
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
	struct ns_feature *f;

	(void)argc, (void)argv;
	ns_counters_sum(app.net_base, app.dp_base);
	NS_FEATURE_FOREACH(i, f)
	if (f->ctrs != NULL && f->ctrs->base != NULL)
		f->ctrs->sum(f->ctrs->base);
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

/* The core's commands; the features' come between head and tail. */
static const struct ns_cmd head[] = {
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
};
static const struct ns_cmd tail[] = {
		{"clear port stats <port>", "Control", "reset ethdev stats and xstats",
				cmd_clear_port_stats},
		{"clear counters", "Control", "zero the counters (console and telemetry)",
				cmd_clear_counters},
		{"quit", "Control", "stop the dataplane and exit", cmd_quit},
};

const struct ns_cmd *ns_cmds;
unsigned int ns_n_cmds;
static struct ns_cmd *table;

static int
section_rank(const char *s)
{
	return !strcmp(s, "Help") ? 0 : !strcmp(s, "Display") ? 1 : 2;
}

/* head, the features' in table order, tail; then grouped by section, each
 * group in that order (the first pattern that matches runs: 'ping stop'
 * before 'ping <address>'). */
int
ns_cmds_build(void)
{
	struct ns_feature *f;
	unsigned int n = RTE_DIM(head) + RTE_DIM(tail), k = 0;
	struct ns_cmd *all;

	NS_FEATURE_FOREACH(i, f)
	for (const struct ns_cmd *c = f->cmds; c != NULL && c->pattern != NULL; c++)
		n++;
	all = calloc(n, sizeof(*all));
	table = calloc(n, sizeof(*table));
	if (all == NULL || table == NULL) {
		free(all);
		return -1;
	}
	for (unsigned int i = 0; i < RTE_DIM(head); i++)
		all[k++] = head[i];
	NS_FEATURE_FOREACH(i, f)
	for (const struct ns_cmd *c = f->cmds; c != NULL && c->pattern != NULL; c++)
		all[k++] = *c;
	for (unsigned int i = 0; i < RTE_DIM(tail); i++)
		all[k++] = tail[i];
	k = 0;
	for (int rank = 0; rank < 3; rank++)
		for (unsigned int i = 0; i < n; i++)
			if (section_rank(all[i].section) == rank)
				table[k++] = all[i];
	free(all);
	ns_cmds = table;
	ns_n_cmds = n;
	return 0;
}

void
ns_cmds_free(void)
{
	free(table);
	table = NULL;
	ns_cmds = NULL;
	ns_n_cmds = 0;
}
