/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop: rx burst -> host stack -> tx, per (port, queue) owned by
 * this lcore, with the busy or adaptive idle policy.  Everything a worker
 * writes lives in its own cache-aligned struct ns_worker.
 */
#include <sys/prctl.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring_elem.h>

#include "app.h"
#include "control.h"
#include "repl_chan.h"

const struct ns_ctr_desc ns_dp_ctr_desc[NS_DP__MAX] = {
#define X(name, kind, help) NS_CTR_DESC(name, kind, help)
		NS_DP_COUNTERS(X)
#undef X
};

#define NS_CONTROL_PERIOD_NS (1000ull * 1000) /* main lcore polls control every 1 ms */

static uint64_t ns_per_cycle_q32; /* ns per TSC cycle, 32.32 fixed point */

uint64_t
ns_now_ns(void)
{
	return (uint64_t)(((__uint128_t)rte_get_tsc_cycles() * ns_per_cycle_q32) >> 32);
}

struct host_user {
	struct ns_worker *w;
	uint16_t port_idx;
};
static struct host_user host_user[NS_MAX_WORKERS][NS_MAX_PORTS];

static inline void
worker_tx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m)
{
	/* Returns what it sent when the buffer filled and flushed itself. */
	w->dp_ctr[NS_DP_tx_packets] +=
			rte_eth_tx_buffer(app.port[port_idx].port_id, w->txq, w->txb[port_idx], m);
}

/* ARP callbacks: the host stack hands back packets and asks for requests. */
static void
cb_release(void *user, void *pkt, const struct rte_ether_addr *dst)
{
	struct host_user *u = user;
	struct rte_mbuf *m = pkt;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->dst_addr = *dst;
	worker_tx(u->w, u->port_idx, m);
}

static void
cb_discard(void *user, void *pkt)
{
	(void)user;
	rte_pktmbuf_free(pkt);
}

static void
cb_solicit(void *user, rte_be32_t ip)
{
	struct host_user *u = user;
	struct rte_mbuf *m = rte_pktmbuf_alloc(app.pool);
	uint8_t *buf;

	if (m == NULL) {
		u->w->dp_ctr[NS_DP_mbuf_alloc_failed]++;
		return;
	}
	buf = (uint8_t *)rte_pktmbuf_append(m, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	memset(buf, 0, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	ns_arp_build_request(&u->w->host[u->port_idx], ip, buf);
	worker_tx(u->w, u->port_idx, m);
}

/* Let the TCP glue reach the tx path. */
void
ns_worker_tx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m)
{
	worker_tx(w, port_idx, m);
}

/* The port's ARP cache is the one of the worker polling its queue 0, where
 * replies land.  Other lcores read it without locks; on a miss the frame goes
 * to that worker, which resolves the next hop and sends it. */
static int arp_owner[NS_MAX_PORTS];

static bool
send_via_arp_owner(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m, rte_be32_t nh)
{
	int o = arp_owner[port_idx];
	struct ns_wmsg msg = {.type = NS_WMSG_SEND_IP, .port_idx = port_idx, .dst = nh, .ptr = m};
	struct rte_ether_addr mac;

	if (o < 0 || (uint32_t)o == w->idx)
		return false;
	if (ns_arp_lookup(&app.worker[o].host[port_idx].arp, nh, &mac)) {
		rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr = mac;
		worker_tx(w, port_idx, m);
		return true;
	}
	if (ns_worker_post((uint32_t)o, &msg) == 0) {
		w->dp_ctr[NS_DP_tx_via_owner]++;
	} else {
		w->dp_ctr[NS_DP_tx_via_owner_full]++;
		rte_pktmbuf_free(m);
	}
	return true;
}

void
ns_worker_send_ip(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m, rte_be32_t nh)
{
	struct rte_ether_addr mac;

	if (send_via_arp_owner(w, port_idx, m, nh))
		return;

	switch (ns_arp_resolve(&w->host[port_idx].arp, nh, m, w->now_ns, &mac)) {
	case NS_ARP_HIT:
		rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr = mac;
		worker_tx(w, port_idx, m);
		break;
	case NS_ARP_QUEUED: /* cb_release or cb_discard takes it from here */
		break;
	case NS_ARP_DROPPED: /* counted by the ARP cache */
		rte_pktmbuf_free(m);
		break;
	}
}

int
ns_worker_post(uint32_t widx, const struct ns_wmsg *m)
{
	return rte_ring_enqueue_elem(app.worker[widx].msgq, (void *)(uintptr_t)m, sizeof(*m));
}

int
ns_worker_of_port(uint16_t port_idx)
{
	return port_idx < NS_MAX_PORTS ? arp_owner[port_idx] : -1;
}

static void
worker_msgs(struct ns_worker *w)
{
	struct ns_wmsg m;

	while (rte_ring_dequeue_elem(w->msgq, &m, sizeof(m)) == 0) {
		w->dp_ctr[NS_DP_ctl_msgs]++;
		switch (m.type) {
		case NS_WMSG_PING_START:
		case NS_WMSG_PING_STOP:
			ns_ping_start(w, &m);
			break;
		case NS_WMSG_TCP_SET:
			ns_tcp_knob_apply(w, m.knob, m.value);
			break;
		case NS_WMSG_BFD_SET:
		case NS_WMSG_BFD_ADD:
		case NS_WMSG_BFD_DEL:
			ns_bfd_worker_msg(w, &m);
			break;
		case NS_WMSG_SEND_IP:
			ns_worker_send_ip(w, m.port_idx, m.ptr, m.dst);
			break;
		case NS_WMSG_TAKEOVER:
			ns_repl_worker_takeover(w);
			break;
		case NS_WMSG_SWITCHOVER:
			ns_repl_worker_step_down(w);
			break;
		case NS_WMSG_MCAST:
			ns_mcast_worker_msg(w, m.ptr);
			break;
		default:
			break;
		}
	}
}

static void
tx_drop_cb(struct rte_mbuf **pkts, uint16_t unsent, void *userdata)
{
	struct ns_worker *w = userdata;

	w->dp_ctr[NS_DP_tx_queue_full] += unsent;
	rte_pktmbuf_free_bulk(pkts, unsent);
}

static int
worker_init(struct ns_worker *w, uint32_t widx)
{
	static const struct ns_arp_ops ops = {cb_release, cb_discard, cb_solicit};
	const struct ns_config *cfg = &app.cfg;
	struct ns_arp_params ap = {
			.max_entries = cfg->arp_entries,
			.timeout_ns = (uint64_t)cfg->arp_timeout_s * 1000000000ull,
			.retry_ns = (uint64_t)cfg->arp_retry_ms * 1000000ull,
			.max_tries = cfg->arp_tries,
	};

	char name[RTE_RING_NAMESIZE];

	w->idx = widx;
	w->fastpath = widx >= cfg->n_workers;
	w->lcore = w->fastpath ? (unsigned int)cfg->fastpath_lcore : cfg->workers[widx];
	w->txq = (uint16_t)widx;
	snprintf(name, sizeof(name), "ns_wmsg_%u", widx);
	/* Producers: the control path, and other lcores handing frames over. */
	w->msgq = rte_ring_create_elem(name, sizeof(struct ns_wmsg), 1024,
			rte_lcore_to_socket_id(w->lcore), RING_F_SC_DEQ);
	if (w->msgq == NULL || (!w->fastpath && ns_tcp_worker_init(w) < 0) ||
			ns_bfd_worker_init(w) < 0 || ns_repl_worker_init(w) < 0)
		return -1;
	for (uint16_t p = 0; p < cfg->n_ports; p++) {
		struct ns_host *h = &w->host[p];
		const struct ns_port_cfg *pc = &cfg->port[p];

		h->mac = app.port[p].mac;
		h->ip = pc->ip;
		h->netmask = pc->prefix ? rte_cpu_to_be_32(~0u << (32 - pc->prefix)) : 0;
		h->ttl = cfg->ttl;
		h->ctr = w->net_ctr[p];
		host_user[widx][p].w = w;
		host_user[widx][p].port_idx = p;
		h->user = &host_user[widx][p];
		if (ns_arp_cache_init(&h->arp, &ap, &ops, h->user, w->net_ctr[p]) != 0)
			return -1;
		for (uint8_t k = 0; k < pc->n_neigh; k++)
			if (!ns_arp_add_static(&h->arp, pc->neigh_ip[k], &pc->neigh_mac[k], 0))
				return -1;
		w->txb[p] = rte_zmalloc_socket("txb", RTE_ETH_TX_BUFFER_SIZE(cfg->burst), 0,
				rte_lcore_to_socket_id(w->lcore));
		if (w->txb[p] == NULL)
			return -1;
		rte_eth_tx_buffer_init(w->txb[p], cfg->burst);
		rte_eth_tx_buffer_set_err_callback(w->txb[p], tx_drop_cb, w);
	}
	return 0;
}

void
ns_dataplane_plan(void)
{
	const struct ns_config *cfg = &app.cfg;

	/* A fast-path lcore that is also a worker hosts the engine in that worker's
	 * loop; one of its own gets a loop (and a tx queue per port) of its own. */
	app.n_loops = cfg->n_workers;
	app.bfd_owner = 0;
	if (cfg->fastpath_lcore < 0)
		return;
	for (uint32_t i = 0; i < cfg->n_workers; i++)
		if (cfg->workers[i] == (unsigned int)cfg->fastpath_lcore) {
			app.bfd_owner = (int)i;
			return;
		}
	app.bfd_owner = (int)app.n_loops++;
}

int
ns_dataplane_init(void)
{
	const struct ns_config *cfg = &app.cfg;
	uint32_t next = 0;

	ns_per_cycle_q32 = (uint64_t)(((__uint128_t)1000000000ull << 32) / app.tsc_hz);
	ns_app_init();
	app.worker = rte_zmalloc("workers", sizeof(*app.worker) * app.n_loops, RTE_CACHE_LINE_SIZE);
	if (app.worker == NULL)
		return -1;
	for (uint32_t i = 0; i < app.n_loops; i++)
		if (worker_init(&app.worker[i], i) < 0)
			return -1;
	/* Spread every (port, rx queue) round-robin over the workers. */
	for (uint16_t p = 0; p < cfg->n_ports; p++) {
		arp_owner[p] = -1;
		for (uint16_t q = 0; q < cfg->port[p].rxq; q++) {
			uint32_t wi = next++ % cfg->n_workers;
			struct ns_worker *w = &app.worker[wi];

			if (q == 0)
				arp_owner[p] = (int)wi;
			w->rxq[w->n_rxq++] = (struct ns_rxq){p, app.port[p].port_id, q};
		}
	}
	return 0;
}

void
ns_dataplane_fini(void)
{
	if (app.worker == NULL)
		return;
	for (uint32_t i = 0; i < app.n_loops; i++) {
		struct ns_worker *w = &app.worker[i];

		for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
			ns_arp_cache_fini(&w->host[p].arp);
			rte_free(w->txb[p]);
		}
		rte_ring_free(w->msgq);
		ns_repl_worker_fini(w);
		ns_tcp_worker_fini(w);
		ns_bfd_worker_fini(w);
	}
	rte_free(app.worker);
	app.worker = NULL;
}

void
ns_counters_sum(uint64_t net[NS_NET__MAX], uint64_t dp[NS_DP__MAX])
{
	memset(net, 0, sizeof(uint64_t) * NS_NET__MAX);
	memset(dp, 0, sizeof(uint64_t) * NS_DP__MAX);
	if (app.worker == NULL)
		return;
	for (uint32_t i = 0; i < app.n_loops; i++) {
		for (uint16_t p = 0; p < app.cfg.n_ports; p++)
			ns_ctr_accumulate(net, app.worker[i].net_ctr[p], NS_NET__MAX);
		ns_ctr_accumulate(dp, app.worker[i].dp_ctr, NS_DP__MAX);
	}
}

unsigned int
ns_arp_walk(int (*fn)(const struct ns_arp_view *v, void *arg), void *arg)
{
	uint64_t now = ns_now_ns();
	unsigned int n = 0;

	for (uint32_t wi = 0; app.worker != NULL && wi < app.cfg.n_workers; wi++) {
		const struct ns_worker *w = &app.worker[wi];
		uint64_t t = app.replay ? w->now_ns : now; /* the worker's clock */

		for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
			const struct ns_arp_cache *c = &w->host[p].arp;

			for (uint32_t s = 0; s < ns_arp_capacity(c); s++) {
				struct ns_arp_view v = {.lcore = w->lcore, .port_idx = p};

				if (!ns_arp_read_slot(c, s, &v.e))
					continue;
				v.age_ns = t > v.e.updated_ns ? t - v.e.updated_ns : 0;
				n++;
				if (fn != NULL && fn(&v, arg) != 0)
					return n;
			}
		}
	}
	return n;
}

static inline uint64_t
pkt_time(struct ns_worker *w, struct rte_mbuf *m)
{
	if (app.ts_dynfield >= 0 && (m->ol_flags & app.ts_dynflag))
		return *RTE_MBUF_DYNFIELD(m, app.ts_dynfield, rte_mbuf_timestamp_t *) *
		       app.ts_to_ns;
	return w->now_ns;
}

static bool host_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m);

void
ns_worker_inject(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m)
{
	if (host_rx(w, port_idx, m))
		rte_pktmbuf_free(m);
}

/* One received frame; returns true when the caller is to free it (in bulk). */
static inline bool
host_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m)
{
	struct ns_l4_info l4;
	bool taken = false;
	uint16_t len;

	if (unlikely(m->nb_segs != 1)) {
		w->dp_ctr[NS_DP_rx_multiseg]++;
		return true;
	}
	if (app.replay) {
		/* Virtual time: what was due before this packet happens first. */
		w->now_ns = pkt_time(w, m);
		ns_tcp_timers(&w->tcp, w->now_ns);
		ns_bfd_worker_poll(w);
	}
	len = rte_pktmbuf_data_len(m);
	if (unlikely(len >= RTE_ETHER_HDR_LEN &&
			    rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type ==
					    RTE_BE16(NS_REPL_ETHERTYPE))) {
		ns_repl_worker_rx(w, port_idx, m); /* the replication channel */
		return false;
	}
	if (unlikely(w->service_closed)) {
		/* A standby is silent on the service ports; a stepping-down active
		 * keeps what arrives for the one taking over. */
		enum ns_ha_svc v = ns_repl_worker_closed_rx(w, port_idx, m);

		if (v != NS_HA_SVC_PROCESS)
			return v == NS_HA_SVC_DROP;
	}
	if (unlikely(ns_ovl_port_mask & (1u << port_idx)) && ns_ovl_worker_rx(w, port_idx, m))
		return false; /* the multicast overlay's */
	switch (ns_host_input(
			&w->host[port_idx], rte_pktmbuf_mtod(m, uint8_t *), &len, w->now_ns, &l4)) {
	case NS_V_TX:
		m->data_len = len;
		m->pkt_len = len;
		worker_tx(w, port_idx, m);
		return false;
	case NS_V_L4:
		if (l4.proto == IPPROTO_TCP)
			ns_tcp_worker_rx(w, port_idx, rte_pktmbuf_mtod(m, uint8_t *) + l4.l3_off,
					(uint16_t)(len - l4.l3_off), m->ol_flags);
		else if (l4.proto == IPPROTO_ICMP)
			ns_ping_rx(w, rte_pktmbuf_mtod(m, uint8_t *), &l4);
		else if (l4.proto == IPPROTO_IGMP) {
			w->dp_ctr[NS_DP_igmp_rx]++;
			ns_mcast_worker_rx(w, port_idx, rte_pktmbuf_mtod(m, uint8_t *) + l4.l3_off,
					(uint32_t)(len - l4.l3_off));
		} else if (l4.proto == IPPROTO_UDP && ns_bfd_worker_rx(w, m, &l4, &taken)) {
			if (taken) /* to the fast-path lcore */
				return false;
		} else
			w->dp_ctr[NS_DP_l4_no_handler]++;
		/* fall through */
	case NS_V_DROP:
	default:
		return true;
	}
}

/* If m looks like a BFD control packet (IPv4 without options, UDP 3784),
 * start loading the session it names (the checks come later, in order). */
static inline void
bfd_prefetch(const struct ns_bfd *b, const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	if (m->data_len >= 14 + 20 + 8 + 12 && d[12] == 0x08 && d[13] == 0x00 && d[14] == 0x45 &&
			d[23] == IPPROTO_UDP && d[36] == (NS_BFD_PORT >> 8) &&
			d[37] == (NS_BFD_PORT & 0xff))
		ns_bfd_prefetch(b, d + 14 + 20 + 8);
}

/* One pass over this worker's queues; returns the number of packets received. */
static inline uint32_t
worker_poll(struct ns_worker *w)
{
	const struct ns_config *cfg = &app.cfg;
	struct rte_mbuf *pkts[512], *dead[512];
	uint32_t total = 0, n_dead = 0;

	w->rx_backlog = false;
	for (uint16_t i = 0; i < w->n_rxq; i++) {
		const struct ns_rxq *q = &w->rxq[i];
		int fwd = cfg->port[q->port_idx].forward;
		/* Replay takes one packet per pass: applications and timers run between
		 * packets, as they would have between the peer's segments in real time. */
		uint16_t n = rte_eth_rx_burst(
				q->port_id, q->queue, pkts, app.replay ? 1 : cfg->burst);

		if (n == 0)
			continue;
		if (n == cfg->burst && fwd < 0 && !app.replay)
			w->rx_backlog = true;
		total += n;
		w->rx_untimed += n;
		w->dp_ctr[NS_DP_rx_packets] += n;
		if (fwd < 0)
			for (uint16_t k = 0; k < 2 && k < n; k++) {
				rte_prefetch0(rte_pktmbuf_mtod(pkts[k], void *));
				rte_prefetch0(rte_pktmbuf_mtod(pkts[k], char *) +
						RTE_CACHE_LINE_SIZE);
			}
		if (fwd >= 0) {
			/* io forwarding, as testpmd's iofwd: no inspection. */
			uint16_t sent = rte_eth_tx_burst(app.port[fwd].port_id, w->txq, pkts, n);

			w->dp_ctr[NS_DP_fwd_packets] += sent;
			if (unlikely(sent < n)) {
				w->dp_ctr[NS_DP_tx_queue_full] += n - sent;
				rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
			}
			continue;
		}
		for (uint16_t k = 0; k < n; k++) {
			/* Two stages ahead: the frame of k + 2 (headers and the start of
			 * a BFD payload often end past its first line: 14 + 20 + 8 + 24
			 * bytes), and the BFD session that k + 1, loaded by now, names. */
			if (k + 2 < n) {
				const uint8_t *d = rte_pktmbuf_mtod(pkts[k + 2], const uint8_t *);

				rte_prefetch0(d);
				rte_prefetch0(d + RTE_CACHE_LINE_SIZE);
			}
			if (w->bfd != NULL && k + 1 < n)
				bfd_prefetch(w->bfd, pkts[k + 1]);
			if (host_rx(w, q->port_idx, pkts[k]))
				dead[n_dead++] = pkts[k];
		}
		if (n_dead != 0) {
			rte_pktmbuf_free_bulk(dead, n_dead);
			n_dead = 0;
		}
	}
	if (unlikely(!rte_ring_empty(w->msgq)))
		worker_msgs(w);
	if (w->bfd != NULL) {
		total += ns_bfd_drain(w);
		ns_ovl_worker_poll(w);
	}
	ns_ping_tick(w);
	ns_bfd_worker_poll(w);
	if (!w->fastpath) {
		ns_tcp_worker_poll(w);
		ns_repl_worker_poll(w);
		ns_mcast_worker_poll(w);
	}
	for (uint16_t p = 0; p < cfg->n_ports; p++) {
		uint16_t sent = rte_eth_tx_buffer_flush(app.port[p].port_id, w->txq, w->txb[p]);

		w->dp_ctr[NS_DP_tx_packets] += sent;
		ns_arp_tick(&w->host[p].arp, w->now_ns);
	}
	return total;
}

static void
idle_sleep(uint32_t us)
{
	struct timespec ts = {0, (long)us * 1000};

	nanosleep(&ts, NULL);
}

int
ns_worker_main(void *arg)
{
	struct ns_worker *w = arg;
	const struct ns_config *cfg = &app.cfg;
	const bool is_main = w->lcore == rte_get_main_lcore();
	uint32_t empty = 0, sleep_us = 1;
	uint64_t next_control = 0;

	/* Sleeps are bounded by idle_sleep_max_us, not by the default 50 us slack. */
	prctl(PR_SET_TIMERSLACK, 1000UL);
	w->running = true;
	w->now_ns = app.replay ? 0 : ns_now_ns();
	while (!app.quit) {
		uint32_t n;

		if (!app.replay)
			w->now_ns = ns_now_ns();
		n = worker_poll(w);
		w->dp_ctr[NS_DP_polls]++;
		if (n != 0) {
			w->dp_ctr[NS_DP_busy_polls]++;
			empty = 0;
			sleep_us = 1;
		} else if (app.replay) {
			/* net_pcap reads its file synchronously: an empty burst is EOF. */
			app.quit = true;
			break;
		}
		if (is_main) {
			uint64_t t = app.replay ? ns_now_ns() : w->now_ns;

			if (t >= next_control) {
				ns_control_poll();
				next_control = t + NS_CONTROL_PERIOD_NS;
			}
		}
		if (n == 0 && cfg->idle == NS_IDLE_ADAPTIVE && ++empty >= cfg->idle_threshold) {
			idle_sleep(sleep_us);
			w->dp_ctr[NS_DP_idle_sleeps]++;
			sleep_us = RTE_MIN(sleep_us * 2, cfg->idle_sleep_max_us);
		}
	}
	/* Flush what is buffered so replies to the last packets are not lost. */
	for (uint16_t p = 0; p < cfg->n_ports; p++)
		w->dp_ctr[NS_DP_tx_packets] +=
				rte_eth_tx_buffer_flush(app.port[p].port_id, w->txq, w->txb[p]);
	w->running = false;
	return 0;
}
