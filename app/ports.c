/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet device bring-up and teardown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf_dyn.h>

#include "app.h"

static int
port_lookup(struct ns_port_cfg *pc, struct ns_port *p, char *err, size_t errlen)
{
	uint16_t id;

	if (rte_eth_dev_get_port_by_name(pc->dev, &id) != 0) {
		char devargs[400];

		if (pc->args[0] == '\0') {
			snprintf(err, errlen,
					"[port.%s] dev: no ethdev named '%s' (pass --vdev/-a to "
					"EAL, or set args =)",
					pc->name, pc->dev);
			return -1;
		}
		snprintf(devargs, sizeof(devargs), "%s,%s", pc->dev, pc->args);
		if (rte_dev_probe(devargs) != 0 ||
				rte_eth_dev_get_port_by_name(pc->dev, &id) != 0) {
			snprintf(err, errlen, "[port.%s] args: probing '%s' failed", pc->name,
					devargs);
			return -1;
		}
		p->probed = true;
	}
	p->port_id = id;
	return 0;
}

static int
port_setup(uint16_t idx, char *err, size_t errlen)
{
	struct ns_port_cfg *pc = &app.cfg.port[idx];
	struct ns_port *p = &app.port[idx];
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = pc->rx_desc, nb_txd = pc->tx_desc;
	int socket, rc;

	if (port_lookup(pc, p, err, errlen) < 0)
		return -1;
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0) {
		snprintf(err, errlen, "[port.%s]: dev_info_get: %s", pc->name, rte_strerror(-rc));
		return -1;
	}
	p->nb_txq = (uint16_t)app.n_loops; /* one per worker, and the fast path's */
	if (pc->rxq > info.max_rx_queues || p->nb_txq > info.max_tx_queues) {
		snprintf(err, errlen,
				"[port.%s] rxq: %s supports %u rx / %u tx queues, asked %u rx / %u "
				"tx (one tx per worker)",
				pc->name, pc->dev, info.max_rx_queues, info.max_tx_queues, pc->rxq,
				p->nb_txq);
		return -1;
	}

	memset(&conf, 0, sizeof(conf));
	p->rss_known = pc->rxq == 1; /* one queue: every reply lands on queue 0 */
	ns_rss_init(&p->rss, 0, 1);
	if (pc->rxq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
				(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
				info.flow_type_rss_offloads;
		/* Our own key (and, after start, table): active opens compute where
		 * their replies land (rss.h). */
		if (info.hash_key_size == NS_RSS_KEY_LEN) {
			conf.rx_adv_conf.rss_conf.rss_key = p->rss.key;
			conf.rx_adv_conf.rss_conf.rss_key_len = NS_RSS_KEY_LEN;
		}
	}
	if (app.replay && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP))
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
	/* DPDK leaves the unit to the driver: net_pcap stores the pcap's microseconds
	 * (and fills the field without advertising the offload). */
	if (app.replay && strcmp(info.driver_name, "net_pcap") == 0)
		app.ts_to_ns = 1000;
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_CKSUM)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	p->tx_tcp_cksum_hw = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) != 0;
	if (p->tx_tcp_cksum_hw)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;

	rc = rte_eth_dev_configure(p->port_id, pc->rxq, p->nb_txq, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "[port.%s]: configure: %s", pc->name, rte_strerror(-rc));
		return -1;
	}
	rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	socket = rte_eth_dev_socket_id(p->port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	for (uint16_t q = 0; q < pc->rxq; q++) {
		struct rte_eth_rxconf rxc = info.default_rxconf;

		rxc.offloads = conf.rxmode.offloads;
		rc = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd, socket, &rxc, app.pool);
		if (rc != 0) {
			snprintf(err, errlen, "[port.%s]: rx queue %u: %s", pc->name, q,
					rte_strerror(-rc));
			return -1;
		}
	}
	for (uint16_t q = 0; q < p->nb_txq; q++) {
		struct rte_eth_txconf txc = info.default_txconf;

		txc.offloads = conf.txmode.offloads;
		rc = rte_eth_tx_queue_setup(p->port_id, q, nb_txd, socket, &txc);
		if (rc != 0) {
			snprintf(err, errlen, "[port.%s]: tx queue %u: %s", pc->name, q,
					rte_strerror(-rc));
			return -1;
		}
	}
	if (pc->has_mac) {
		/* Virtual devices may refuse: then promiscuous mode receives our MAC. */
		if (rte_eth_dev_default_mac_addr_set(p->port_id, &pc->mac) != 0)
			NS_LOGT(port, INFO,
					"port %s: device keeps its MAC; using "
					"%02x:%02x:%02x:%02x:%02x:%02x in software",
					pc->name, pc->mac.addr_bytes[0], pc->mac.addr_bytes[1],
					pc->mac.addr_bytes[2], pc->mac.addr_bytes[3],
					pc->mac.addr_bytes[4], pc->mac.addr_bytes[5]);
		p->mac = pc->mac;
	} else {
		rte_eth_macaddr_get(p->port_id, &p->mac);
		if (pc->ip != 0 && !rte_is_valid_assigned_ether_addr(&p->mac)) {
			char m[RTE_ETHER_ADDR_FMT_SIZE];

			rte_ether_format_addr(m, sizeof(m), &p->mac);
			snprintf(err, errlen,
					"[port.%s] mac: %s has no unicast MAC address (%s): set "
					"mac =",
					pc->name, pc->dev, m);
			return -1;
		}
	}
	rc = rte_eth_dev_start(p->port_id);
	if (rc != 0) {
		snprintf(err, errlen, "[port.%s]: start: %s", pc->name, rte_strerror(-rc));
		return -1;
	}
	p->started = true;
	if (pc->rxq > 1 && info.hash_key_size == NS_RSS_KEY_LEN && info.reta_size > 0 &&
			info.reta_size <= NS_RSS_RETA_MAX) {
		struct rte_eth_rss_reta_entry64 reta[NS_RSS_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];

		ns_rss_init(&p->rss, info.reta_size, pc->rxq);
		memset(reta, 0, sizeof(reta));
		for (uint16_t i = 0; i < info.reta_size; i++) {
			reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ull
								  << (i % RTE_ETH_RETA_GROUP_SIZE);
			reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
					p->rss.reta[i];
		}
		p->rss_known = rte_eth_dev_rss_reta_update(p->port_id, reta, info.reta_size) == 0;
	}
	if (pc->rxq > 1 && !p->rss_known)
		NS_LOGT(port, WARNING,
				"port %s: RSS key/table not programmable: [client] connections "
				"on it are opened by the worker of queue 0 only",
				pc->name);
	NS_LOGT(port, INFO, "port %s: ethdev %u (%s) started, %u rx / %u tx queues", pc->name,
			p->port_id, pc->dev, pc->rxq, p->nb_txq);
	if (pc->promisc || pc->forward >= 0)
		rte_eth_promiscuous_enable(p->port_id);
	return 0;
}

int
ns_ports_init(char *err, size_t errlen)
{
	if (app.replay) {
		/* Virtual time comes from the pcap timestamps the PMD stores here. */
		if (rte_mbuf_dyn_rx_timestamp_register(&app.ts_dynfield, &app.ts_dynflag) != 0)
			app.ts_dynfield = -1;
	}
	for (uint16_t i = 0; i < app.cfg.n_ports; i++)
		if (port_setup(i, err, errlen) < 0)
			return -1;
	return 0;
}

void
ns_ports_fini(void)
{
	for (uint16_t i = 0; i < app.cfg.n_ports; i++) {
		struct ns_port *p = &app.port[i];
		struct rte_eth_dev_info info;
		char name[RTE_ETH_NAME_MAX_LEN];

		if (!p->started && !p->probed)
			continue;
		if (p->started) {
			rte_eth_dev_stop(p->port_id);
			p->started = false;
		}
		if (rte_eth_dev_info_get(p->port_id, &info) != 0 ||
				rte_eth_dev_get_name_by_port(p->port_id, name) != 0)
			name[0] = '\0';
		rte_eth_dev_close(p->port_id);
		if (p->probed && info.device != NULL)
			rte_dev_remove(info.device);
	}
}

/* "all", an ethdev port id or a port name: the range [first, last] of app.port[] indexes. */
int
ns_port_by_arg(const char *arg, int *first, int *last)
{
	char *end;
	long n;

	if (!strcmp(arg, "all")) {
		*first = 0;
		*last = app.cfg.n_ports - 1;
		return 0;
	}
	n = strtol(arg, &end, 10);
	if (end != arg && *end == '\0') {
		/* A number is the ethdev port id, as in testpmd and /ethdev/stats. */
		for (int i = 0; i < app.cfg.n_ports; i++)
			if (app.port[i].port_id == n) {
				*first = *last = i;
				return 0;
			}
		return -1;
	}
	for (int i = 0; i < app.cfg.n_ports; i++)
		if (!strcmp(app.cfg.port[i].name, arg)) {
			*first = *last = i;
			return 0;
		}
	return -1;
}
