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
#include "ns_cksum.h"

/* Packets taken behind a backlog before the timers run anyway: a ring's
 * worth (rx_desc is 1024 by default; the af_packet rings of the namespace
 * tests hold 4096). */
#define RX_BACKLOG_MAX 4096u

void ns_worker_tx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m);

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
	struct ns_worker *w = user;
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
	/* Sync mode: out only once the standby holds what this segment reflects. */
	if (ns_repl_worker_hold(w, m, (uint16_t)port, ip->dst_addr))
		return;
	ns_worker_send_ip(w, (uint16_t)port, m, ip->dst_addr);
}

static void
tcp_observe(void *user, const struct ns_tcb *c, uint32_t groups)
{
	ns_repl_worker_observe(user, c, groups);
}

void
ns_tcp_worker_mark_ready(struct ns_worker *w, const struct ns_tcb *c)
{
	struct ns_appconn *a = &w->appc[c->id];

	if (!a->ready && w->n_ready < w->tcp.cfg.max_conns) {
		a->ready = 1;
		w->ready[w->n_ready++] = c->id;
	}
}

static void
tcp_event(void *user, struct ns_tcb *c, enum ns_tcp_event ev)
{
	struct ns_worker *w = user;
	struct ns_appconn *a = &w->appc[c->id];

	switch (ev) {
	case NS_TCPE_ACCEPTED: {
		const struct ns_listener_cfg *l = c->app;

		*a = (struct ns_appconn){.kind = (uint8_t)l->app,
				.ready = a->ready,
				.active = 1,
				.goal = l->bytes,
				.digest = 0xffffffffu};
		if (app.cfg.tcp.nodelay)
			c->flags |= NS_TCBF_NODELAY;
		ns_tcp_worker_mark_ready(w, c); /* data may have come with the handshake's ACK */
		break;
	}
	case NS_TCPE_CONNECTED:
		if (a->client != 0) {
			w->cst[a->client - 1].connected++;
			a->up = 1;
		}
		ns_tcp_worker_mark_ready(w, c);
		break;
	case NS_TCPE_READABLE:
	case NS_TCPE_WRITABLE:
		ns_tcp_worker_mark_ready(w, c);
		break;
	case NS_TCPE_RESET:
		a->failed = 1;
		break;
	case NS_TCPE_CLOSED:
		if (a->active)
			ns_app_closed(w, c, a->failed);
		a->active = 0;
		break; /* a stale ready entry finds the TCB closed or reused: harmless */
	default:
		break;
	}
}

int
ns_tcp_worker_init(struct ns_worker *w)
{
	static const struct ns_tcp_ops ops = {tcp_tx_alloc, tcp_xmit, tcp_event, NULL};
	static const struct ns_tcp_ops repl_ops = {tcp_tx_alloc, tcp_xmit, tcp_event, tcp_observe};
	const struct ns_tcp_knobs *k = &app.cfg.tcp;
	struct ns_tcp_cfg cfg;

	ns_tcp_cfg_defaults(&cfg);
	cfg.max_conns = k->max_conns;
	cfg.sndbuf = k->sndbuf;
	cfg.rcvbuf = k->rcvbuf;
	cfg.mss = (uint16_t)k->mss;
	cfg.wscale = (uint8_t)k->wscale;
	cfg.ts = k->ts;
	cfg.sack = k->sack;
	cfg.ws = k->ws;
	cfg.rto_min_ms = k->rto_min_ms;
	cfg.rto_init_ms = k->rto_init_ms;
	cfg.delack_ms = k->delack_ms;
	cfg.time_wait_ms = k->time_wait_ms;
	cfg.syn_backlog = k->syn_backlog;
	cfg.syncookies = k->syncookies;
	cfg.keepalive_idle_ms = k->keepalive_idle_ms;
	cfg.keepalive_intvl_ms = k->keepalive_intvl_ms;
	cfg.keepalive_cnt = (uint8_t)k->keepalive_cnt;
	cfg.ttl = app.cfg.ttl;
	cfg.tx_csum_offload = true; /* completed per port in tcp_xmit() */
	/* RFC 6528 secret: random, but fixed in replay mode so goldens are stable. */
	for (int i = 0; i < 16; i++)
		cfg.isn_key[i] = app.replay ? (uint8_t)(0x5a ^ i) : (uint8_t)rte_rand();
	if (ns_tcp_init(&w->tcp, &cfg, app.cfg.repl.role != NS_REPL_ROLE_NONE ? &repl_ops : &ops, w,
			    app.replay ? 0 : ns_now_ns()) != 0)
		return -1;
	w->appc = rte_zmalloc("appc", sizeof(*w->appc) * cfg.max_conns, RTE_CACHE_LINE_SIZE);
	w->ready = rte_zmalloc("ready", sizeof(*w->ready) * cfg.max_conns, RTE_CACHE_LINE_SIZE);
	if (w->appc == NULL || w->ready == NULL)
		return -1;
	for (uint16_t i = 0; i < app.cfg.n_listeners; i++) {
		const struct ns_listener_cfg *l = &app.cfg.listener[i];

		if (ns_tcp_listen(&w->tcp, l->addr, l->port, (void *)(uintptr_t)l) < 0)
			return -1;
	}
	return 0;
}

void
ns_tcp_worker_fini(struct ns_worker *w)
{
	if (w->tcp.pool != NULL)
		ns_tcp_fini(&w->tcp);
	rte_free(w->appc);
	rte_free(w->ready);
	w->appc = NULL;
	w->ready = NULL;
}

void
ns_tcp_worker_rx(struct ns_worker *w, uint16_t port_idx, const uint8_t *ip, uint16_t ip_len,
		uint64_t ol_flags)
{
	/* A standby answers nothing; an active whose frame ring is nearly full
	 * lets the peer retransmit rather than lose an event. */
	if (!ns_repl_worker_accept(w))
		return;
	/* A NIC that verified the checksum, or a trusted link, saves the software
	 * pass over the payload. */
	if ((ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD ||
			app.cfg.port[port_idx].csum_trust)
		ns_tcp_input_csum_ok(&w->tcp, ip, ip_len, w->now_ns);
	else
		ns_tcp_input(&w->tcp, ip, ip_len, w->now_ns);
}

void
ns_tcp_worker_poll(struct ns_worker *w)
{
	if (unlikely(w->tcp_frozen))
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
		ns_tcp_timers(&w->tcp, w->now_ns);
		w->rx_untimed = 0;
	}
	if (!w->clients_started && !ns_repl_is_standby())
		w->clients_started = !ns_app_start_clients(w);
	/* Applications run here, outside the stack's callbacks. */
	for (uint32_t i = 0; i < w->n_ready; i++) {
		struct ns_tcb *c = &w->tcp.pool[w->ready[i]];

		w->appc[c->id].ready = 0;
		if (c->state != NS_TCP_CLOSED && w->appc[c->id].active)
			ns_app_run(w, c);
	}
	w->n_ready = 0;
}

void
ns_tcp_stats_sum(uint64_t out[NS_TCP_C__MAX])
{
	memset(out, 0, sizeof(uint64_t) * NS_TCP_C__MAX);
	if (app.worker == NULL)
		return;
	for (uint32_t i = 0; i < app.cfg.n_workers; i++)
		ns_ctr_accumulate(out, app.worker[i].tcp.ctr, NS_TCP_C__MAX);
}
