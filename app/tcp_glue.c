/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP core at the DPDK edge: one ns_tcp_stack per worker lcore (RSS
 * keeps a connection on one queue), mbufs for output, ARP resolution of
 * the next hop, and application work deferred to after the burst so that
 * applications never re-enter the stack from its own callbacks.
 */
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "app.h"
#include "common/ns_cksum.h"
#include "config.h"
#include "feature.h"
#include "tcp_glue.h"

/* Packets taken behind a backlog before the timers run anyway: a ring's
 * worth (rx_desc is 1024 by default; the af_packet rings of the namespace
 * tests hold 4096). */
#define RX_BACKLOG_MAX 4096u

struct ns_tcp_w *ns_tcp_ws;
struct ns_tcp_hooks ns_tcp_hooks;
uint64_t ns_tcp_base[NS_TCP_C__MAX];

void
ns_tcp_set_hooks(const struct ns_tcp_hooks *h)
{
	ns_tcp_hooks = *h;
}

static uint8_t *
tcp_tx_alloc(void *user, uint16_t len, void **handle)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(app.pool);
	char *p;

	(void)user;
	if (m == NULL)
		return NULL;
	p = rte_pktmbuf_append(m, (uint16_t)(RTE_ETHER_HDR_LEN + len));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	*handle = m;
	return (uint8_t *)p + RTE_ETHER_HDR_LEN;
}

/* The port that owns source address ip (no routing table yet). */
static int
port_of_addr(rte_be32_t ip)
{
	for (uint16_t i = 0; i < app.cfg.n_ports; i++)
		if (app.cfg.port[i].ip == ip && app.cfg.port[i].forward < 0)
			return i;
	return -1;
}

static void
tcp_xmit(void *user, void *handle, uint16_t len)
{
	struct ns_tcp_w *t = user;
	struct ns_worker *w = t->w;
	struct rte_mbuf *m = handle;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	int port = port_of_addr(ip->src_addr);

	if (port < 0) {
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN - len));
	/* The core left the pseudo-header sum in the TCP checksum (tx_csum_offload):
	 * the NIC completes it, a trusted link leaves it, software finishes it. */
	if (app.port[port].tx_tcp_cksum_hw) {
		m->l2_len = RTE_ETHER_HDR_LEN;
		m->l3_len = (uint8_t)rte_ipv4_hdr_len(ip);
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
	} else if (!app.cfg.port[port].csum_trust) {
		struct rte_ipv4_hdr *wip = (struct rte_ipv4_hdr *)(eth + 1);
		struct rte_tcp_hdr *th =
				(struct rte_tcp_hdr *)((uint8_t *)wip + rte_ipv4_hdr_len(wip));

		th->cksum = 0;
		th->cksum = ns_ipv4_l4_cksum(wip, th);
	}
	eth->src_addr = app.port[port].mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	/* Held (replication's sync mode: out only once the standby holds what
	 * this segment reflects), or out now. */
	if (ns_tcp_hooks.hold != NULL && ns_tcp_hooks.hold(w, m, (uint16_t)port, ip->dst_addr))
		return;
	ns_worker_send_ip(w, (uint16_t)port, m, ip->dst_addr);
}

static void
tcp_observe(void *user, const struct ns_tcb *c, uint32_t groups)
{
	struct ns_tcp_w *t = user;

	if (t->open_app != 0 && (groups & NS_TCBG_NEW)) {
		ns_apps_attach(t, (struct ns_tcb *)(uintptr_t)c, t->open_app - 1, t->open_client);
		t->open_app = 0; /* done */
	}
	ns_tcp_hooks.observe(t->w, c, groups);
}

static void
tcp_event(void *user, struct ns_tcb *c, enum ns_tcp_event ev)
{
	struct ns_tcp_w *t = user;

	switch (ev) {
	case NS_TCPE_ACCEPTED: {
		const struct ns_listener_cfg *l = c->app;

		if (app.cfg.tcp.nodelay)
			c->flags |= NS_TCBF_NODELAY;
		ns_apps_attach(t, c, l->app, 0);
		ns_apps_event(t, c, NS_APPEV_UP);
		break;
	}
	case NS_TCPE_CONNECTED:
		if (app.cfg.tcp.nodelay)
			c->flags |= NS_TCBF_NODELAY;
		ns_apps_event(t, c, NS_APPEV_UP);
		break;
	case NS_TCPE_READABLE:
		ns_apps_event(t, c, NS_APPEV_READABLE);
		break;
	case NS_TCPE_WRITABLE:
		ns_apps_event(t, c, NS_APPEV_WRITABLE);
		break;
	case NS_TCPE_RESET:
		/* Retransmissions or keepalives exhausted, or the peer's RST. */
		t->appc[c->id].failed = 1;
		t->closing_why =
				c->backoff >= t->stack.cfg.max_retries ||
								(t->stack.cfg.keepalive_idle_ms !=
												0 &&
										c->ka_probes >= t->stack.cfg.keepalive_cnt)
						? NS_APP_CLOSE_TIMEOUT
						: NS_APP_CLOSE_RESET;
		break;
	case NS_TCPE_CLOSED:
		ns_apps_closed(t, c, t->closing_why);
		t->closing_why = NS_APP_CLOSE_DONE;
		break; /* a stale ready entry finds the TCB closed or reused: harmless */
	default:
		break;
	}
}

static int
tcp_init(void)
{
	ns_tcp_ws = rte_zmalloc("tcp", sizeof(*ns_tcp_ws) * app.n_loops, RTE_CACHE_LINE_SIZE);
	if (ns_tcp_ws == NULL)
		return -1;
	return ns_apps_init();
}

static void
tcp_fini(void)
{
	ns_apps_fini();
	rte_free(ns_tcp_ws);
	ns_tcp_ws = NULL;
}

static int
tcp_worker_init(struct ns_worker *w)
{
	struct ns_tcp_w *t = ns_tcp_of(w);
	static const struct ns_tcp_ops ops = {tcp_tx_alloc, tcp_xmit, tcp_event, NULL};
	static const struct ns_tcp_ops repl_ops = {tcp_tx_alloc, tcp_xmit, tcp_event, tcp_observe};
	const struct ns_tcp_knobs *k = &app.cfg.tcp;
	struct ns_tcp_cfg cfg;

	ns_tcp_cfg_defaults(&cfg);
#define X(key, field, kind, min, max, set, where) \
	NS_TCP_KNOB_CORE_##where(cfg.field = (__typeof__(cfg.field))k->field;)
	NS_TCP_KNOBS(X)
#undef X
	cfg.ttl = app.cfg.ttl;
	cfg.tx_csum_offload = true; /* completed per port in tcp_xmit() */
	/* RFC 6528 secret: random, but fixed in replay mode so goldens are stable. */
	for (int i = 0; i < 16; i++)
		cfg.isn_key[i] = app.replay ? (uint8_t)(0x5a ^ i) : (uint8_t)rte_rand();
	t->w = w;
	if (ns_tcp_init(&t->stack, &cfg, ns_tcp_hooks.observe != NULL ? &repl_ops : &ops, t,
			    app.replay ? 0 : ns_now_ns()) != 0)
		return -1;
	t->appc = rte_zmalloc("appc", sizeof(*t->appc) * cfg.max_conns, RTE_CACHE_LINE_SIZE);
	t->ready = rte_zmalloc("ready", sizeof(*t->ready) * cfg.max_conns, RTE_CACHE_LINE_SIZE);
	if (t->appc == NULL || t->ready == NULL || ns_apps_worker_init(t) != 0)
		return -1;
	for (uint16_t i = 0; i < app.cfg.n_listeners; i++) {
		const struct ns_listener_cfg *l = &app.cfg.listener[i];

		if (ns_tcp_listen(&t->stack, l->addr, l->port, (void *)(uintptr_t)l) < 0)
			return -1;
	}
	return 0;
}

static void
tcp_worker_fini(struct ns_worker *w)
{
	struct ns_tcp_w *t;

	if (ns_tcp_ws == NULL)
		return;
	t = ns_tcp_of(w);
	if (t->appc != NULL)
		ns_apps_worker_fini(t);
	if (t->stack.pool != NULL)
		ns_tcp_fini(&t->stack);
	rte_free(t->appc);
	rte_free(t->ready);
	t->appc = NULL;
	t->ready = NULL;
}

static enum ns_rx
tcp_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m, const struct ns_l4_info *l4)
{
	struct ns_tcp_w *t = ns_tcp_of(w);
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *) + l4->l3_off;
	uint16_t ip_len = (uint16_t)(l4->l4_off - l4->l3_off + l4->l4_len); /* no padding */

	/* Replication: a standby answers nothing; an active whose frame ring is
	 * nearly full lets the peer retransmit rather than lose an event. */
	if (ns_tcp_hooks.accept != NULL && !ns_tcp_hooks.accept(w))
		return NS_RX_FREE;
	/* A NIC that verified the checksum, or a trusted link, saves the software
	 * pass over the payload. */
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD ||
			app.cfg.port[port_idx].csum_trust)
		ns_tcp_input_csum_ok(&t->stack, ip, ip_len, w->now_ns);
	else
		ns_tcp_input(&t->stack, ip, ip_len, w->now_ns);
	return NS_RX_FREE; /* the data was copied into the TCB's FIFO */
}

static void
tcp_poll(struct ns_worker *w)
{
	struct ns_tcp_w *t = ns_tcp_of(w);

	if (unlikely(t->frozen))
		return; /* stepping down: the state the standby is taking must hold still */
	/*
	 * The timers wait while segments are queued behind the last burst: an
	 * ACK waiting there would otherwise lose the race with the probe or the
	 * retransmission it makes needless (a busy or descheduled lcore finds
	 * many milliseconds of backlog).  Once every queue came back short,
	 * everything that arrived before now_ns has been processed.  A ring's
	 * worth at most, so that they still run when arrivals outpace us.
	 */
	if (!w->rx_backlog || w->rx_untimed >= RX_BACKLOG_MAX) {
		ns_tcp_timers(&t->stack, w->now_ns);
		w->rx_untimed = 0;
	}
	if (!t->clients_started &&
			(ns_tcp_hooks.clients_wait == NULL || !ns_tcp_hooks.clients_wait()))
		t->clients_started = !ns_app_start_clients(t);
	/* Applications run here, outside the stack's callbacks. */
	ns_apps_poll(t);
}

/* Replay: the timers due by this packet's time. */
static void
tcp_clock(struct ns_worker *w)
{
	ns_tcp_timers(&ns_tcp_of(w)->stack, w->now_ns);
}

void
ns_tcp_stats_sum(uint64_t out[NS_TCP_C__MAX])
{
	memset(out, 0, sizeof(uint64_t) * NS_TCP_C__MAX);
	if (app.worker == NULL || ns_tcp_ws == NULL)
		return;
	for (uint32_t i = 0; i < app.cfg.n_workers; i++)
		ns_ctr_accumulate(out, ns_tcp_ws[i].stack.ctr, NS_TCP_C__MAX);
}

static void
tcp_msg(struct ns_worker *w, const struct ns_wmsg *m)
{
	const struct ns_tcp_set_msg *b = NS_WMSG_BODY(m, const struct ns_tcp_set_msg);

	ns_tcp_knob_apply(ns_tcp_of(w), b->knob, b->value);
}

static const struct ns_feature_ctrs ctrs = {
		.prefix = "tcp",
		.desc = ns_tcp_ctr_desc,
		.n = NS_TCP_C__MAX,
		.sum = ns_tcp_stats_sum,
		.base = ns_tcp_base,
		.dump_when_off = true,
};

struct ns_feature ns_feature_tcp = {
		.name = "tcp",
		.loops = NS_LOOPS_WORKERS,
		.init = tcp_init,
		.worker_init = tcp_worker_init,
		.worker_fini = tcp_worker_fini,
		.fini = tcp_fini,
		.ip_proto = IPPROTO_TCP,
		.rx_l4 = tcp_rx,
		.poll = tcp_poll,
		.clock = tcp_clock,
		.msg = tcp_msg,
		.cmds = ns_tcp_cmds,
		.ctrs = &ctrs,
};
