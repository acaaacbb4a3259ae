/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_telemetry endpoints under /nonstop/ (dpdk-telemetry.py -f PREFIX).
 * They read the same snapshots as the console, so both print the same numbers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "app.h"
#include "apps.h"
#include "control.h"
#include "feature.h"

/* Keys may not contain '.' in 22.11 telemetry: counters nest as {"dp": {...}, "net": {...}}. */
static struct rte_tel_data *
counter_dict(const struct ns_ctr_desc *desc, const uint64_t *v, const uint64_t *base, int n)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	for (int i = 0; i < n; i++)
		rte_tel_data_add_dict_u64(d, desc[i].name, v[i] - (base ? base[i] : 0));
	return d;
}

static int
tel_counters(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t net[NS_NET__MAX], dp[NS_DP__MAX], ctl[NS_CTL__MAX];
	struct rte_tel_data *c;
	struct ns_feature *f;

	(void)cmd, (void)params;
	ns_counters_sum(net, dp);
	rte_tel_data_start_dict(d);
	c = counter_dict(ns_dp_ctr_desc, dp, app.dp_base, NS_DP__MAX);
	if (c != NULL)
		rte_tel_data_add_dict_container(d, "dp", c, 0);
	c = counter_dict(ns_net_ctr_desc, net, app.net_base, NS_NET__MAX);
	if (c != NULL)
		rte_tel_data_add_dict_container(d, "net", c, 0);
	NS_FEATURE_FOREACH(i, f)
	{
		const struct ns_feature_ctrs *k = f->ctrs;
		uint64_t *v;

		if (k == NULL || (v = calloc(k->n, sizeof(*v))) == NULL)
			continue;
		k->sum(v);
		c = counter_dict(k->desc, v, k->base, (int)k->n);
		free(v);
		if (c != NULL)
			rte_tel_data_add_dict_container(d, k->prefix, c, 0);
	}
	ns_ctl_stats_sum(ctl);
	c = counter_dict(ns_ctl_ctr_desc, ctl, app.ctl_base, NS_CTL__MAX);
	if (c != NULL)
		rte_tel_data_add_dict_container(d, "ctl", c, 0);
	return 0;
}

/* One string per entry: "ADDRESS MAC STATE age_ms=N port=NAME lcore=N". */
static int
arp_string(const struct ns_arp_view *v, void *arg)
{
	char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE], val[128];
	bool ok = v->e.state == NS_ARP_REACHABLE;

	inet_ntop(AF_INET, &v->e.ip, ip, sizeof(ip));
	rte_ether_format_addr(mac, sizeof(mac), &v->e.mac);
	snprintf(val, sizeof(val), "%s %s %s age_ms=%" PRIu64 " port=%s lcore=%u", ip,
			ok ? mac : "-", ok ? "reachable" : "incomplete", v->age_ns / 1000000,
			app.cfg.port[v->port_idx].name, v->lcore);
	/* telemetry arrays are bounded: the console lists them all */
	return rte_tel_data_add_array_string(arg, val) != 0;
}

static int
tel_arp(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	ns_arp_walk(arp_string, d);
	return 0;
}

static int
tel_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ns_feature *f;

	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	for (uint32_t i = 0; i < app.n_loops; i++) {
		const struct ns_worker *w = &app.worker[i];
		struct rte_tel_data *c = rte_tel_data_alloc();
		char key[32], q[512] = "";
		size_t n = 0;

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_int(c, "lcore", (int)w->lcore);
		rte_tel_data_add_dict_int(c, "main", w->lcore == rte_get_main_lcore());
		rte_tel_data_add_dict_int(c, "fastpath", w->fastpath);
		NS_FEATURE_FOREACH(k, f)
		if (f->lcore_tag != NULL)
			rte_tel_data_add_dict_int(c, f->lcore_tag,
					ns_feature_on(f) && ns_feature_runs_on(f, w));
		for (uint16_t k = 0; k < w->n_rxq && n < sizeof(q) - 16; k++)
			n += snprintf(q + n, sizeof(q) - n, "%s%u:%u", k ? " " : "",
					w->rxq[k].port_id, w->rxq[k].queue);
		rte_tel_data_add_dict_string(c, "rx_queues", q);
		rte_tel_data_add_dict_u64(c, "polls", w->dp_ctr[NS_DP_polls]);
		rte_tel_data_add_dict_u64(c, "busy_polls", w->dp_ctr[NS_DP_busy_polls]);
		rte_tel_data_add_dict_u64(c, "idle_sleeps", w->dp_ctr[NS_DP_idle_sleeps]);
		snprintf(key, sizeof(key), "worker%u", i);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	rte_tel_data_add_dict_int(d, "control_lcore", (int)rte_get_main_lcore());
	rte_tel_data_add_dict_int(d, "fastpath_lcore", app.cfg.fastpath_lcore);
	rte_tel_data_add_dict_string(d, "idle", ns_idle_name(app.cfg.idle));
	return 0;
}

/* /nonstop/config: a key as a number or a string. */
static void
tel_kv(void *arg, const char *key, const char *text, const uint64_t *num)
{
	if (num != NULL)
		rte_tel_data_add_dict_u64(arg, key, *num);
	else
		rte_tel_data_add_dict_string(arg, key, text);
}

/* A section as a dict of its own under name; -ENOMEM when it cannot be made. */
static struct rte_tel_data *
tel_section(struct rte_tel_data *d, const char *fmt, const char *name)
{
	struct rte_tel_data *s = rte_tel_data_alloc();
	char key[64];

	if (s == NULL)
		return NULL;
	rte_tel_data_start_dict(s);
	snprintf(key, sizeof(key), fmt, name);
	rte_tel_data_add_dict_container(d, key, s, 0);
	return s;
}

/* The sections of 'show config' but the BFD sessions (/nonstop/bfd/sessions):
 * [global] at the top, the others as dicts (lcores, tcp, repl, port_NAME with
 * the ethdev's port_id, listener_NAME, client_NAME, overlay_NAME). */
static int
tel_config(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct ns_config *c = &app.cfg;
	struct rte_tel_data *s;

	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "file", c->path);
	ns_cfg_each_global(c, tel_kv, d);
	if ((s = tel_section(d, "%s", "lcores")) == NULL)
		return -ENOMEM;
	ns_cfg_each_lcores(c, tel_kv, s);
	for (uint16_t i = 0; i < c->n_ports; i++) {
		if ((s = tel_section(d, "port_%s", c->port[i].name)) == NULL)
			return -ENOMEM;
		rte_tel_data_add_dict_int(s, "port_id", app.port[i].port_id);
		ns_cfg_each_port(&c->port[i], tel_kv, s);
	}
	if ((s = tel_section(d, "%s", "tcp")) == NULL)
		return -ENOMEM;
	ns_cfg_each_tcp(&c->tcp, tel_kv, s);
	if ((s = tel_section(d, "%s", "repl")) == NULL)
		return -ENOMEM;
	ns_cfg_each_repl(c, tel_kv, s);
	for (uint16_t i = 0; i < c->n_listeners; i++) {
		if ((s = tel_section(d, "listener_%s", c->listener[i].name)) == NULL)
			return -ENOMEM;
		ns_cfg_each_listener(c, &c->listener[i], tel_kv, s);
	}
	for (uint16_t i = 0; i < c->n_clients; i++) {
		if ((s = tel_section(d, "client_%s", c->client[i].name)) == NULL)
			return -ENOMEM;
		ns_cfg_each_client(c, &c->client[i], tel_kv, s);
	}
	for (uint32_t i = 0; i < c->n_ovl; i++) {
		if ((s = tel_section(d, "overlay_%s", c->ovl[i].name)) == NULL)
			return -ENOMEM;
		ns_cfg_each_overlay(&c->ovl[i], tel_kv, s);
	}
	return 0;
}

void
ns_telemetry_init(void)
{
	struct ns_feature *f;

	rte_telemetry_register_cmd("/nonstop/counters", tel_counters,
			"Dataplane and host-stack counters (same as 'show counters all'). No "
			"parameters");
	rte_telemetry_register_cmd("/nonstop/arp", tel_arp,
			"ARP cache entries per port and worker. No parameters");
	rte_telemetry_register_cmd("/nonstop/lcores", tel_lcores,
			"lcore roles, queues and poll statistics. No parameters");
	rte_telemetry_register_cmd(
			"/nonstop/config", tel_config, "Configuration in effect. No parameters");
	NS_FEATURE_FOREACH(i, f)
	for (const struct ns_tel_cmd *t = f->tel; t != NULL && t->path != NULL; t++)
		if (rte_telemetry_register_cmd(t->path, t->fn, t->help) != 0)
			NS_LOGT(app, WARNING, "telemetry: %s not registered", t->path);
	ns_apps_tel_register();
}
