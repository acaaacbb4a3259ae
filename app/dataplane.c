/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loop: rx burst -> the features' hooks and the host stack -> tx, per
 * (port, queue) owned by this lcore, with the busy or adaptive idle policy.
 * Everything a loop writes lives in its own cache-aligned struct ns_worker
 * (and in the features' per-loop state).  What runs besides the host stack
 * comes from the feature table (feature.h): this file names no feature.
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
#include <rte_udp.h>

#include "app.h"
#include "control.h"
#include "feature.h"

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

int ns_pkt_meta_off = -1;

int
ns_pkt_meta_register(void)
{
	static const struct rte_mbuf_dynfield d = {
			.name = "nonstop_pkt_meta",
			.size = sizeof(struct ns_pkt_meta),
			.align = __alignof__(struct ns_pkt_meta),
	};

	ns_pkt_meta_off = rte_mbuf_dynfield_register(&d);
	return ns_pkt_meta_off < 0 ? -1 : 0;
}

struct host_user {
	struct ns_worker *w;
	uint16_t port_idx;
};
static struct host_user host_user[NS_MAX_LOOPS][NS_MAX_PORTS];

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

/* The features reach the tx path here. */
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
	struct ns_wmsg msg = {.feature = NS_WMSG_CORE,
			.u.send_ip = {.m = m, .nh = nh, .port_idx = port_idx}};
	struct rte_ether_addr mac;

	if (o < 0 || (uint32_t)o == w->idx)
		return false;
	if (ns_arp_lookup(&app.worker[o].host[port_idx].arp, nh, &mac)) {
		rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr = mac;
		worker_tx(w, port_idx, m);
		return true;
	}
	if (rte_ring_enqueue_elem(app.worker[o].msgq, &msg, sizeof(msg)) == 0) {
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
ns_worker_of_port(uint16_t port_idx)
{
	return port_idx < NS_MAX_PORTS ? arp_owner[port_idx] : -1;
}

int
ns_feature_post(const struct ns_feature *f, uint32_t widx, uint8_t type, const void *body,
		size_t len)
{
	struct ns_wmsg m = {.feature = f->id, .type = type};

	if (len > sizeof(m.u.body))
		return -1;
	memcpy(m.u.body, body, len);
	return rte_ring_enqueue_elem(app.worker[widx].msgq, &m, sizeof(m));
}

static void
worker_msgs(struct ns_worker *w)
{
	struct ns_wmsg m;

	while (rte_ring_dequeue_elem(w->msgq, &m, sizeof(m)) == 0) {
		w->dp_ctr[NS_DP_ctl_msgs]++;
		if (m.feature == NS_WMSG_CORE)
			ns_worker_send_ip(w, m.u.send_ip.port_idx, m.u.send_ip.m, m.u.send_ip.nh);
		else if (m.feature < ns_n_features && ns_features[m.feature]->msg != NULL)
			ns_features[m.feature]->msg(w, &m);
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
	/* Producers: the control path, and other loops handing frames over. */
	w->msgq = rte_ring_create_elem(name, sizeof(struct ns_wmsg), 1024,
			rte_lcore_to_socket_id(w->lcore), RING_F_SC_DEQ);
	if (w->msgq == NULL)
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

	/* A fast-path lcore that is also a worker runs the fast path in that
	 * worker's loop; one of its own gets a loop (and a tx queue per port). */
	app.n_loops = cfg->n_workers;
	app.fastpath_loop = 0;
	if (cfg->fastpath_lcore < 0)
		return;
	for (uint32_t i = 0; i < cfg->n_workers; i++)
		if (cfg->workers[i] == (unsigned int)cfg->fastpath_lcore) {
			app.fastpath_loop = (int)i;
			return;
		}
	app.fastpath_loop = (int)app.n_loops++;
}

/* The features' receive hooks, gathered from the table at start. */
typedef enum ns_rx (*l4_fn)(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m,
		const struct ns_l4_info *l4);
static struct {
	uint8_t n_ether, n_pre, n_udp;
	struct {
		rte_be16_t type;
		ns_rx_fn fn;
	} ether[4];
	uint32_t pre_ports; /* ports with a pre hook */
	struct {
		uint32_t ports;
		ns_rx_fn fn;
		ns_rx_burst_fn burst;
	} pre[4];
	/* Per port: the burst form of its only pre hook, or NULL. */
	ns_rx_burst_fn pre_burst[NS_MAX_PORTS];
	l4_fn l4[256];
	struct {
		rte_be16_t port;
		l4_fn fn;
	} udp[8];
} hooks;

static int
hooks_init(void)
{
	struct ns_feature *f;

	memset(&hooks, 0, sizeof(hooks));
	NS_FEATURE_FOREACH(i, f)
	{
		f->id = (uint8_t)i;
		if (f->rx_ether != NULL) {
			if (hooks.n_ether == RTE_DIM(hooks.ether))
				return -1;
			hooks.ether[hooks.n_ether].type = rte_cpu_to_be_16(f->ethertype);
			hooks.ether[hooks.n_ether++].fn = f->rx_ether;
		}
		if (f->rx_pre != NULL && f->rx_pre_ports != NULL && f->rx_pre_ports() != 0) {
			if (hooks.n_pre == RTE_DIM(hooks.pre))
				return -1;
			hooks.pre[hooks.n_pre].ports = f->rx_pre_ports();
			hooks.pre[hooks.n_pre].fn = f->rx_pre;
			hooks.pre[hooks.n_pre].burst = f->rx_pre_burst;
			hooks.pre_ports |= hooks.pre[hooks.n_pre++].ports;
		}
		if (f->rx_l4 != NULL && f->ip_proto == IPPROTO_UDP) {
			if (hooks.n_udp == RTE_DIM(hooks.udp))
				return -1;
			hooks.udp[hooks.n_udp].port = rte_cpu_to_be_16(f->udp_port);
			hooks.udp[hooks.n_udp++].fn = f->rx_l4;
		} else if (f->rx_l4 != NULL) {
			if (hooks.l4[f->ip_proto] != NULL)
				return -1;
			hooks.l4[f->ip_proto] = f->rx_l4;
		}
	}
	/* A burst hook runs before the EtherType hooks: only where none of
	 * those could want an IPv4 frame, and only as a port's one pre hook. */
	for (unsigned int i = 0; i < hooks.n_ether; i++)
		if (hooks.ether[i].type == RTE_BE16(RTE_ETHER_TYPE_IPV4))
			return 0;
	for (uint16_t p = 0; p < NS_MAX_PORTS; p++) {
		unsigned int n = 0, last = 0;

		for (unsigned int i = 0; i < hooks.n_pre; i++)
			if (hooks.pre[i].ports & (1u << p)) {
				n++;
				last = i;
			}
		if (n == 1)
			hooks.pre_burst[p] = hooks.pre[last].burst;
	}
	return 0;
}

/* The features of loop w that poll (and, in replay, move their clocks),
 * in table order. */
static void
polls_init(struct ns_worker *w)
{
	struct ns_feature *f;

	w->n_polls = w->n_clocks = 0;
	NS_FEATURE_FOREACH(i, f)
	{
		if (!ns_feature_on(f) || !ns_feature_runs_on(f, w))
			continue;
		if (f->poll != NULL && w->n_polls < RTE_DIM(w->polls)) {
			w->poll_name[w->n_polls] = f->name;
			w->polls[w->n_polls++] = f->poll;
		}
		if (f->clock != NULL && w->n_clocks < RTE_DIM(w->clocks))
			w->clocks[w->n_clocks++] = f->clock;
	}
}

int
ns_dataplane_init(const char **what)
{
	const struct ns_config *cfg = &app.cfg;
	struct ns_feature *f;
	uint32_t next = 0;

	*what = "dataplane";
	ns_per_cycle_q32 = (uint64_t)(((__uint128_t)1000000000ull << 32) / app.tsc_hz);
	if (ns_pkt_meta_register() < 0 || hooks_init() < 0)
		return -1;
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
	if (ns_fastpath_init() < 0)
		return -1;
	/* The features: init, then each of their loops, then start. */
	NS_FEATURE_FOREACH(i, f)
	if (ns_feature_on(f) && f->init != NULL && f->init() < 0) {
		*what = f->name;
		return -1;
	}
	for (uint32_t i = 0; i < app.n_loops; i++) {
		struct ns_worker *w = &app.worker[i];

		NS_FEATURE_FOREACH(k, f)
		if (ns_feature_on(f) && ns_feature_runs_on(f, w) && f->worker_init != NULL &&
				f->worker_init(w) < 0) {
			*what = f->name;
			return -1;
		}
		polls_init(w);
	}
	NS_FEATURE_FOREACH(i, f)
	if (ns_feature_on(f) && f->start != NULL && f->start() < 0) {
		*what = f->name;
		return -1;
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

		for (unsigned int k = ns_n_features; k-- > 0;) {
			const struct ns_feature *f = ns_features[k];

			if (ns_feature_on(f) && ns_feature_runs_on(f, w) && f->worker_fini != NULL)
				f->worker_fini(w);
		}
		for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
			ns_arp_cache_fini(&w->host[p].arp);
			rte_free(w->txb[p]);
		}
		rte_ring_free(w->msgq);
	}
	ns_fastpath_fini();
	for (unsigned int k = ns_n_features; k-- > 0;)
		if (ns_feature_on(ns_features[k]) && ns_features[k]->fini != NULL)
			ns_features[k]->fini();
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

/* Replay: virtual time; what was due before packet m happens first. */
static inline void
replay_clock(struct ns_worker *w, struct rte_mbuf *m)
{
	void (*const *clock)(struct ns_worker * w) = w->clocks;
	unsigned int n = w->n_clocks;

	w->now_ns = pkt_time(w, m);
	for (unsigned int i = 0; i < n; i++)
		clock[i](w);
}

static bool host_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m, bool pre_done);

void
ns_worker_inject(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m)
{
	if (host_rx(w, port_idx, m, false))
		rte_pktmbuf_free(m);
}

/* An IPv4 packet for us: the feature of its protocol (UDP: of its port). */
static inline bool
l4_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m, const struct ns_l4_info *l4)
{
	l4_fn fn = hooks.l4[l4->proto];

	if (l4->proto == IPPROTO_UDP) {
		rte_be16_t port = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, l4->l4_off)
						  ->dst_port;
		unsigned int i = 0;

		fn = NULL;
		if (likely(l4->l4_len >= sizeof(struct rte_udp_hdr)))
			for (; i < hooks.n_udp; i++)
				if (hooks.udp[i].port == port) {
					fn = hooks.udp[i].fn;
					break;
				}
	}
	if (unlikely(fn == NULL)) {
		w->dp_ctr[NS_DP_l4_no_handler]++;
		return true;
	}
	return fn(w, port_idx, m, l4) == NS_RX_FREE;
}

/* One received frame; returns true when the caller is to free it (in bulk). */
static inline bool
host_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m, bool pre_done)
{
	struct ns_l4_info l4;
	enum ns_rx v;
	uint16_t len;

	if (unlikely(m->nb_segs != 1)) {
		w->dp_ctr[NS_DP_rx_multiseg]++;
		return true;
	}
	if (app.replay && !pre_done)
		replay_clock(w, m);
	len = rte_pktmbuf_data_len(m);
	if (likely(len >= RTE_ETHER_HDR_LEN)) {
		rte_be16_t type = rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type;

		for (unsigned int i = 0; i < hooks.n_ether; i++)
			if (unlikely(type == hooks.ether[i].type))
				return hooks.ether[i].fn(w, port_idx, m) == NS_RX_FREE;
	}
	if (unlikely(w->rx_gate != NULL)) {
		/* The loop's input is closed: the feature that closed it decides. */
		v = w->rx_gate(w, port_idx, m);
		if (v != NS_RX_CONTINUE)
			return v == NS_RX_FREE;
	}
	if (unlikely(hooks.pre_ports & (1u << port_idx)) && !pre_done)
		for (unsigned int i = 0; i < hooks.n_pre; i++) {
			if (!(hooks.pre[i].ports & (1u << port_idx)))
				continue;
			v = hooks.pre[i].fn(w, port_idx, m);
			if (v != NS_RX_CONTINUE)
				return v == NS_RX_FREE;
		}
	switch (ns_host_input(
			&w->host[port_idx], rte_pktmbuf_mtod(m, uint8_t *), &len, w->now_ns, &l4)) {
	case NS_V_TX:
		m->data_len = len;
		m->pkt_len = len;
		worker_tx(w, port_idx, m);
		return false;
	case NS_V_L4:
		return l4_rx(w, port_idx, m, &l4);
	case NS_V_DROP:
	default:
		return true;
	}
}

/* A stage of the loop ends: the longest since ns_worker_stage_take kept. */
static inline void
stage_end(struct ns_worker *w, const char *name, int arg)
{
	uint64_t t, d;

	if (likely(!w->stage_timing))
		return;
	t = rte_rdtsc();
	d = t - w->stage_t;
	w->stage_t = t;
	if (d > w->stage_max) {
		w->stage_max = d;
		w->stage_max_name = name;
		w->stage_max_arg = arg;
	}
}

void
ns_worker_stage_take(struct ns_worker *w, char *buf, size_t len)
{
	uint64_t now = rte_rdtsc(), cur = now - w->stage_t;

	if (!w->stage_timing) {
		snprintf(buf, len, "stages not timed");
	} else if (w->stage_max_name == NULL || cur > w->stage_max) {
		snprintf(buf, len, "the longest stage: the one under way, %.1f ms so far",
				(double)cur * 1e3 / (double)app.tsc_hz);
	} else {
		char arg[16] = "";

		if (w->stage_max_arg >= 0)
			snprintf(arg, sizeof(arg), " %d", w->stage_max_arg);
		snprintf(buf, len, "the longest stage: %s%s, %.1f ms", w->stage_max_name, arg,
				(double)w->stage_max * 1e3 / (double)app.tsc_hz);
	}
	ns_worker_stage_reset(w);
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
		bool pre_done;
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
		/* A feature that owns frames of this port takes them burst-wide
		 * first; the others go on frame by frame.  (Replay: bursts of one,
		 * the clock moved to the frame's time first.) */
		pre_done = hooks.pre_burst[q->port_idx] != NULL && w->rx_gate == NULL;
		if (pre_done) {
			if (app.replay)
				replay_clock(w, pkts[0]);
			n = hooks.pre_burst[q->port_idx](w, q->port_idx, pkts, n);
			if (n == 0) {
				stage_end(w, "a burst of port", q->port_idx);
				continue;
			}
		}
		for (uint16_t k = 0; k < n; k++) {
			/* Two stages ahead: the frame of k + 2 (headers and the start of
			 * a payload often end past its first line: 14 + 20 + 8 + 24
			 * bytes), and what k + 1, loaded by now, will look up. */
			if (k + 2 < n) {
				const uint8_t *d = rte_pktmbuf_mtod(pkts[k + 2], const uint8_t *);

				rte_prefetch0(d);
				rte_prefetch0(d + RTE_CACHE_LINE_SIZE);
			}
			if (w->rx_prefetch != NULL && k + 1 < n)
				w->rx_prefetch(pkts[k + 1]);
			if (host_rx(w, q->port_idx, pkts[k], pre_done))
				dead[n_dead++] = pkts[k];
		}
		if (n_dead == 1) /* a bulk free of one costs twice a plain one */
			rte_pktmbuf_free(dead[0]);
		else if (n_dead != 0)
			rte_pktmbuf_free_bulk(dead, n_dead);
		n_dead = 0;
		stage_end(w, "a burst of port", q->port_idx);
	}
	if (unlikely(!rte_ring_empty(w->msgq))) {
		worker_msgs(w);
		stage_end(w, "the loop's messages", -1);
	}
	if (w->drains) {
		total += ns_fastpath_drain(w);
		stage_end(w, "the fast-path hand-over", -1);
	}
	for (unsigned int i = 0, n = w->n_polls; i < n; i++) {
		w->polls[i](w);
		stage_end(w, w->poll_name[i], -1);
	}
	for (uint16_t p = 0; p < cfg->n_ports; p++) {
		uint16_t sent = rte_eth_tx_buffer_flush(app.port[p].port_id, w->txq, w->txb[p]);

		w->dp_ctr[NS_DP_tx_packets] += sent;
		ns_arp_tick(&w->host[p].arp, w->now_ns);
	}
	stage_end(w, "the tx flush", -1);
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
	w->stage_t = rte_rdtsc();
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
				stage_end(w, "the control path", -1);
			}
		}
		if (n == 0 && cfg->idle == NS_IDLE_ADAPTIVE && ++empty >= cfg->idle_threshold) {
			idle_sleep(sleep_us);
			stage_end(w, "an idle sleep", -1);
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
