/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multicast overlay, DPDK glue of lib/overlay.  The sessions live on the
 * fast-path lcore's loop (app.fastpath_loop): one writer for each session's
 * sequence counter and reorder window.  A loop that receives an overlay
 * frame classifies it (O(1): a hash of the inner destination for the first
 * hop, of the GRE key for the last hop) and, when it is not that loop, hands
 * the mbuf over (fastpath.c).
 *
 * First hop: the outer headers are written over the old Ethernet header,
 * in the headroom (the payload is not copied); the redundant unicast copies
 * share the payload (a header mbuf chained to a clone) unless it is small.
 * Last hop: the outer headers are cut, the reorder window takes each
 * sequence number once, and each client gets the inner packet with its own
 * destination (the last client the received mbuf itself, the others a
 * header copy chained to a clone of the payload).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_telemetry.h>

#include "app.h"
#include "common/ns_hmac.h"
#include "common/ns_ipv4_src.h"
#include "control.h"
#include "feature.h"
#include "mcast.h"
#include "overlay.h"
#include "overlay/ns_overlay.h"
#include "overlay/ovl_counters.h"

#define TICK_NS		1000000ull /* reorder holds, requests, subscriber lifetimes */
#define COPY_MAX	192	   /* payloads up to this are copied, longer ones cloned */
#define ETH_LEN		RTE_ETHER_HDR_LEN
#define MAX_LIFETIME_MS 60000u
#define LD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED) /* the engine's, read elsewhere */

const struct ns_ctr_desc ns_ovl_ctr_desc[NS_OVL_C__MAX] = {
#define X(name, kind, help) NS_CTR_DESC(name, kind, help)
		NS_OVL_COUNTERS(X)
#undef X
};

struct ovl_sess {
	const struct ns_ovl_cfg *cfg;
	struct ns_ovl_tx tx; /* encap */
	struct ns_ovl_rx rx; /* decap */
	uint64_t next_req_ns;
	uint16_t req_id;
	uint64_t copies, too_big, clamped; /* encap */
	uint64_t via_unicast, client_tx;   /* decap */
	volatile bool request_off; /* the console's: stop asking (set by the control path) */
	uint32_t n_members;	   /* member_clients: the group's members on the client port */
	rte_be32_t member[NS_OVL_MAX_CLIENTS];
	uint32_t members_gen; /* of the querier's publication they came from */
	struct ns_hmac *hmac; /* request_key: signs (last hop) or checks (first hop) */
	/* The clients' next hops (static ones, then members), from the client
	 * port's ARP cache every tick: no lookup per packet and client. */
	bool mac_ok[2 * NS_OVL_MAX_CLIENTS];
	struct rte_ether_addr mac[2 * NS_OVL_MAX_CLIENTS];
} __rte_cache_aligned;

struct match_key {
	rte_be32_t dst;
	uint16_t port; /* host order, 0: any */
	uint16_t pad;
};

static struct {
	struct ovl_sess *s;
	struct rte_hash *by_match; /* encap: inner destination -> session */
	struct rte_hash *by_key;   /* GRE key -> session */
	bool encap;		   /* any encap session: frames to a match, requests */
	bool decap_port[NS_MAX_PORTS];
	struct ns_worker *w; /* the fast-path loop, while it processes */
	uint64_t next_tick_ns;
	uint64_t ctr[NS_OVL_C__MAX];
} ovl;

/* GRE key -> session: the last one found first (a session's packets come
 * in runs), then the hash. */
static inline struct ovl_sess *
by_key(uint32_t key)
{
	static RTE_DEFINE_PER_LCORE(struct ovl_sess *, last);
	struct ovl_sess *s = RTE_PER_LCORE(last);
	void *v;

	if (likely(s != NULL && s->cfg->key == key))
		return s;
	if (rte_hash_lookup_data(ovl.by_key, &key, &v) < 0)
		return NULL;
	s = &ovl.s[(uintptr_t)v];
	RTE_PER_LCORE(last) = s;
	return s;
}

/* Inner destination (and port) -> encap session, the same way; -1: none. */
static inline int
by_match(rte_be32_t dst, uint16_t port)
{
	static RTE_DEFINE_PER_LCORE(struct match_key, last_key);
	static RTE_DEFINE_PER_LCORE(int, last) = -1;
	struct match_key k = {.dst = dst, .port = port};
	void *v;
	int i;

	if (likely(RTE_PER_LCORE(last) >= 0 && RTE_PER_LCORE(last_key).dst == dst &&
			    RTE_PER_LCORE(last_key).port == port))
		return RTE_PER_LCORE(last);
	if (rte_hash_lookup_data(ovl.by_match, &k, &v) < 0) {
		k.port = 0;
		if (rte_hash_lookup_data(ovl.by_match, &k, &v) < 0)
			return -1; /* not cached: a miss costs the lookups each time */
	}
	i = (int)(uintptr_t)v;
	RTE_PER_LCORE(last_key) = (struct match_key){.dst = dst, .port = port};
	RTE_PER_LCORE(last) = i;
	return i;
}

static bool
ovl_enabled(void)
{
	return app.cfg.n_ovl != 0;
}

/* The ports whose frames may be the overlay's: the last hops' overlay
 * ports; every port with a first hop (inner packets come in anywhere). */
static uint32_t
ovl_ports(void)
{
	uint32_t mask = 0;

	for (uint32_t i = 0; i < app.cfg.n_ovl; i++) {
		if (!app.cfg.ovl[i].decap)
			return (1u << app.cfg.n_ports) - 1;
		mask |= 1u << app.cfg.ovl[i].port_idx;
	}
	return mask;
}

/* Once every loop is built: the last hops join through the membership
 * service (mcast.c). */
static int
ovl_start(void)
{
	struct rte_hash_parameters hp = {.entries = NS_MAX_OVL * 2, .hash_func = rte_hash_crc};
	const struct ns_config *cfg = &app.cfg;

	if (cfg->n_ovl == 0)
		return 0;
	ovl.s = rte_zmalloc("ovl_sessions", sizeof(*ovl.s) * cfg->n_ovl, RTE_CACHE_LINE_SIZE);
	hp.name = "ovl_by_match";
	hp.key_len = sizeof(struct match_key);
	ovl.by_match = rte_hash_create(&hp);
	hp.name = "ovl_by_key";
	hp.key_len = sizeof(uint32_t);
	ovl.by_key = rte_hash_create(&hp);
	if (ovl.s == NULL || ovl.by_match == NULL || ovl.by_key == NULL) {
		NS_LOG(ERR, "overlay: no memory for %u sessions", cfg->n_ovl);
		return -1;
	}
	for (uint32_t i = 0; i < cfg->n_ovl; i++) {
		const struct ns_ovl_cfg *c = &cfg->ovl[i];
		struct ovl_sess *s = &ovl.s[i];
		uintptr_t v = i;

		s->cfg = c;
		if (c->request_key_len != 0 && (s->hmac = ns_hmac_new(c->request_key,
								c->request_key_len)) == NULL) {
			NS_LOG(ERR, "overlay %s: no HMAC-SHA256 (libcrypto)", c->name);
			return -1;
		}
		if (rte_hash_add_key_data(ovl.by_key, &c->key, (void *)v) < 0)
			return -1;
		if (!c->decap) {
			struct match_key k = {.dst = c->match, .port = c->match_port};

			ns_ovl_tx_init(&s->tx, c->key, c->group, cfg->port[c->port_idx].ip, c->ttl);
			if (rte_hash_add_key_data(ovl.by_match, &k, (void *)v) < 0)
				return -1;
			ovl.encap = true;
			continue;
		}
		ns_ovl_rx_init(&s->rx, c->key, (uint64_t)c->hold_ms * 1000000);
		ovl.decap_port[c->port_idx] = true;
		/* The last hop joins the group through the membership service, as
		 * an application of its own (the console's are 0 and up). */
		if (ns_mcast_app_set(c->port_idx, c->group, 0xff000000u | i, true) != 0)
			return -1;
	}
	NS_LOG(INFO, "overlay: %u sessions on the fast-path lcore %u", cfg->n_ovl,
			app.worker[app.fastpath_loop].lcore);
	return 0;
}

static void
ovl_fini(void)
{
	for (uint32_t i = 0; ovl.s != NULL && i < app.cfg.n_ovl; i++) {
		struct ovl_sess *s = &ovl.s[i];

		ns_hmac_free(s->hmac);
		for (uint32_t k = 0; k < NS_OVL_WIN; k++)
			if (s->rx.at[k] != 0)
				rte_pktmbuf_free(s->rx.pkt[k]);
		if (s->rx.cand_held)
			rte_pktmbuf_free(s->rx.cand_pkt);
	}
	rte_hash_free(ovl.by_match);
	rte_hash_free(ovl.by_key);
	rte_free(ovl.s);
	memset(&ovl, 0, sizeof(ovl));
}

/* --- classification (any worker) ---------------------------------------------- */

enum { KIND_ENCAP = 1, KIND_OVERLAY = 2 };

/* What a frame of an overlay port is to the overlay: KIND_OVERLAY (ours
 * to decapsulate, or a request), KIND_ENCAP (to a session's match, *idx the
 * session) or 0 (the host stack's). */
static inline uint32_t
classify(uint16_t port_idx, const struct rte_mbuf *m, uint32_t *idx)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *), *ip = d + ETH_LEN;
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)d;
	uint16_t len = rte_pktmbuf_data_len(m), port = 0;
	uint32_t ihl;
	rte_be32_t dst;
	int i;

	if (len < ETH_LEN + 20 || eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			(ip[0] >> 4) != 4)
		return 0;
	ihl = (uint32_t)(ip[0] & 15) * 4;
	memcpy(&dst, ip + 16, 4);
	if (ihl >= 20 && ip[9] == IPPROTO_UDP && len >= ETH_LEN + ihl + 8 &&
			ip[ihl + 2] == (NS_OVL_UDP_PORT >> 8) &&
			ip[ihl + 3] == (NS_OVL_UDP_PORT & 0xff) &&
			(dst == app.cfg.port[port_idx].ip ||
					(ovl.decap_port[port_idx] &&
							(rte_be_to_cpu_32(dst) >> 28) ==
									0xe))) /* 224/4 */
		return KIND_OVERLAY;
	if (!ovl.encap || !rte_is_same_ether_addr(&eth->dst_addr, &app.port[port_idx].mac) ||
			dst == app.cfg.port[port_idx].ip)
		return 0;
	if (ihl >= 20 && (ip[9] == IPPROTO_UDP || ip[9] == IPPROTO_TCP) && (ip[6] & 0x3f) == 0 &&
			ip[7] == 0 && len >= ETH_LEN + ihl + 4)
		port = (uint16_t)(ip[ihl + 2] << 8 | ip[ihl + 3]);
	i = by_match(dst, port);
	if (i < 0)
		return 0;
	*idx = (uint32_t)i;
	return KIND_ENCAP;
}

static void encap(struct ns_worker *w, struct ovl_sess *s, struct rte_mbuf *m);
static void overlay_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m);

/* A classified frame: processed on the fast-path loop, else handed to it. */
static inline void
take(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m, uint32_t kind, uint32_t idx)
{
	struct ns_pkt_meta *meta;

	if (ns_is_fastpath(w)) {
		ovl.w = w;
		if (kind == KIND_ENCAP)
			encap(w, &ovl.s[idx], m);
		else
			overlay_rx(w, port_idx, m);
		return;
	}
	meta = ns_meta(m);
	meta->kind = (uint8_t)kind;
	meta->port_idx = port_idx;
	meta->arg = idx;
	ns_fastpath_handoff(w, &ns_feature_overlay, m);
}

/* A frame of an overlay port, before the host stack: the overlay's (taken:
 * processed, or handed to the fast-path loop), or not (NS_RX_CONTINUE).
 * A loop whose input is gated (a standby's) uses this one; the others
 * ovl_rx_burst. */
static enum ns_rx
ovl_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m)
{
	uint32_t idx = 0, kind = classify(port_idx, m, &idx);

	if (kind == 0)
		return NS_RX_CONTINUE;
	take(w, port_idx, m, kind, idx);
	return NS_RX_TAKEN;
}

/* A burst of an overlay port: the overlay's frames classified and processed
 * in one pass (no per-frame dispatch through the host stack's hooks), the
 * others left, in order, for the host stack.  Out of line (also under LTO):
 * callgrind_overlay.sh has one function to count. */
static __rte_noinline uint16_t
ovl_rx_burst(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t left = 0;

	for (uint16_t k = 0; k < n; k++) {
		struct rte_mbuf *m = pkts[k];
		uint32_t idx = 0, kind;

		/* The frame two ahead: its headers are read by the time its
		 * turn comes (the loop has loaded the first two). */
		if (k + 2 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[k + 2], void *));
		kind = likely(m->nb_segs == 1) ? classify(port_idx, m, &idx) : 0;
		if (kind == 0)
			pkts[left++] = m;
		else
			take(w, port_idx, m, kind, idx);
	}
	return left;
}

/* --- the engine (fast-path lcore) ----------------------------------------------- */

/*
 * A copy of m's data after its first skip bytes (m: one segment) with
 * prefix bytes of room in front: the first head bytes copied (the caller
 * may rewrite them), the rest copied too when short, else a clone of m's
 * buffer chained behind.
 */
static struct rte_mbuf *
dup_pkt(struct rte_mbuf *m, uint16_t skip, uint16_t prefix, uint16_t head)
{
	uint16_t len = (uint16_t)(rte_pktmbuf_data_len(m) - skip);
	uint16_t in = len - head <= COPY_MAX ? len : head;
	struct rte_mbuf *h = rte_pktmbuf_alloc(app.pool), *c = NULL;
	uint8_t *p;

	if (h == NULL)
		goto fail;
	if (in < len) {
		c = rte_pktmbuf_clone(m, app.pool);
		if (c == NULL)
			goto fail;
		rte_pktmbuf_adj(c, (uint16_t)(skip + head));
	}
	p = (uint8_t *)rte_pktmbuf_append(h, (uint16_t)(prefix + in));
	if (p == NULL)
		goto fail;
	memcpy(p + prefix, rte_pktmbuf_mtod_offset(m, const uint8_t *, skip), in);
	if (c != NULL && rte_pktmbuf_chain(h, c) != 0)
		goto fail;
	return h;
fail:
	rte_pktmbuf_free(c);
	rte_pktmbuf_free(h);
	ovl.ctr[NS_OVL_C_mbuf_alloc_failed]++;
	return NULL;
}

static inline void
eth_fill(struct rte_ether_hdr *e, uint16_t port_idx)
{
	e->src_addr = app.port[port_idx].mac;
	e->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
}

static void
expire(struct ovl_sess *s, uint64_t now)
{
	uint32_t gone = ns_ovl_subs_expire(&s->tx.subs, now);

	if (gone != 0) {
		ovl.ctr[NS_OVL_C_subscribers_expired] += gone;
		NS_LOG(INFO, "overlay %s: %u last hop(s) stopped asking for the unicast copy",
				s->cfg->name, gone);
	}
}

/* The counter of each reason an inner packet is refused. */
static const uint8_t inner_ctr[] = {
		[NS_OVL_INNER_BAD_IHL] = NS_OVL_C_inner_bad_ihl,
		[NS_OVL_INNER_BAD_LEN] = NS_OVL_C_inner_bad_len,
		[NS_OVL_INNER_BAD_CKSUM] = NS_OVL_C_inner_bad_cksum,
		[NS_OVL_INNER_TTL_ZERO] = NS_OVL_C_inner_ttl_zero,
};

static void
encap(struct ns_worker *w, struct ovl_sess *s, struct rte_mbuf *m)
{
	const struct ns_ovl_cfg *c = s->cfg;
	uint8_t *inner = rte_pktmbuf_mtod_offset(m, uint8_t *, ETH_LEN), *hdr;
	uint16_t tot = (uint16_t)(inner[2] << 8 | inner[3]);
	struct rte_ether_hdr *e;
	uint32_t g = rte_be_to_cpu_32(c->group), n_copies = 0;
	struct rte_mbuf *copy[NS_OVL_MAX_UNICAST + NS_OVL_MAX_SUBS];
	rte_be32_t copy_to[NS_OVL_MAX_UNICAST + NS_OVL_MAX_SUBS];
	enum ns_ovl_inner why;

	ovl.ctr[NS_OVL_C_encap_rx]++;
	/* Nothing the last hop would refuse crosses the overlay. */
	why = ns_ovl_inner_check(inner, rte_pktmbuf_data_len(m) - ETH_LEN);
	if (unlikely(why != NS_OVL_INNER_OK)) {
		ovl.ctr[inner_ctr[why]]++;
		goto drop;
	}
	if (unlikely(tot + NS_OVL_HDR_LEN > c->mtu)) {
		s->too_big++;
		goto drop;
	}
	if (c->mss_clamp != 0 && inner[9] == IPPROTO_TCP &&
			ns_ovl_clamp_mss(inner, tot, c->mss_clamp)) {
		s->clamped++;
	}
	if (unlikely(rte_pktmbuf_data_len(m) != ETH_LEN + tot)) /* Ethernet padding */
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - ETH_LEN - tot));
	/* The outer headers go in front, over the old Ethernet header: the
	 * packet stays where it is. */
	e = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, NS_OVL_HDR_LEN);
	if (unlikely(e == NULL)) { /* no headroom: cannot happen with the pool's 128 bytes */
		ovl.ctr[NS_OVL_C_mbuf_alloc_failed]++;
		goto drop;
	}
	hdr = (uint8_t *)(e + 1);
	ns_ovl_encap(&s->tx, hdr, inner, tot);
	/* RFC 1112 6.4: 01:00:5e and the group's low 23 bits */
	e->dst_addr = (struct rte_ether_addr){
			{0x01, 0x00, 0x5e, (g >> 16) & 0x7f, (uint8_t)(g >> 8), (uint8_t)g}};
	eth_fill(e, c->port_idx);
	/* The redundant unicast copies (configured, then those that asked) share
	 * the payload; they are made before the multicast one may leave (and be
	 * freed) and go after it: that one is the primary. */
	if (unlikely(c->n_unicast + s->tx.subs.n != 0)) {
		expire(s, w->now_ns); /* a lifetime may have ended since the last tick */
		for (uint32_t k = 0; k < c->n_unicast + s->tx.subs.n; k++) {
			rte_be32_t to = k < c->n_unicast ? c->unicast[k]
							 : s->tx.subs.addr[k - c->n_unicast];
			struct rte_mbuf *u = dup_pkt(
					m, ETH_LEN + NS_OVL_HDR_LEN, ETH_LEN + NS_OVL_HDR_LEN, 0);
			struct rte_ether_hdr *ue;

			if (u == NULL)
				continue;
			ue = rte_pktmbuf_mtod(u, struct rte_ether_hdr *);
			eth_fill(ue, c->port_idx);
			ns_ovl_redirect(hdr, (uint8_t *)(ue + 1), to);
			copy[n_copies] = u;
			copy_to[n_copies++] = to;
		}
	}
	ns_worker_tx(w, c->port_idx, m);
	for (uint32_t k = 0; k < n_copies; k++)
		ns_worker_send_ip(w, c->port_idx, copy[k], copy_to[k]);
	s->copies += n_copies;
	return;
drop:
	rte_pktmbuf_free(m);
}

/* The members of the session's group on its client port, as the querier
 * there published them, less the configured clients (no one gets two). */
static void
refresh_members(struct ovl_sess *s)
{
	const struct ns_ovl_cfg *c = s->cfg;
	const struct ns_port_cfg *p = &app.cfg.port[c->client_port_idx];
	rte_be32_t h[NS_OVL_MAX_CLIENTS], mask = rte_cpu_to_be_32(~0u << (32 - p->prefix));
	uint32_t n, m = 0;

	s->members_gen = ns_mcast_members_gen(c->client_port_idx);
	n = ns_mcast_members(c->client_port_idx, c->group, h, NS_OVL_MAX_CLIENTS);

	for (uint32_t k = 0; k < n; k++) {
		bool dup = (h[k] & mask) != (p->ip & mask) || h[k] == p->ip; /* on the link only */

		for (uint32_t j = 0; j < c->n_clients && !dup; j++)
			dup = c->clients[j] == h[k];
		if (dup)
			continue;
		if (m >= s->n_members || s->member[m] != h[k]) /* a new one: its MAC unknown */
			s->mac_ok[c->n_clients + m] = false;
		s->member[m++] = h[k];
	}
	s->n_members = m;
}

/* The clients' MACs as the client port's ARP owner knows them (a tick old
 * at most); those unknown go through ns_worker_send_ip, which resolves. */
static void
refresh_macs(struct ovl_sess *s)
{
	const struct ns_ovl_cfg *c = s->cfg;
	int o = ns_worker_of_port(c->client_port_idx);

	for (uint32_t k = 0; k < c->n_clients + s->n_members; k++) {
		rte_be32_t to = k < c->n_clients ? c->clients[k] : s->member[k - c->n_clients];

		s->mac_ok[k] = o >= 0 && ns_arp_lookup(&app.worker[o].host[c->client_port_idx].arp,
							 to, &s->mac[k]);
	}
}

/* The reorder window releases a packet (m: the inner IPv4 packet). */
static void
deliver(void *user, void *pkt, uint32_t seq)
{
	struct ovl_sess *s = user;
	const struct ns_ovl_cfg *c = s->cfg;
	struct rte_mbuf *m = pkt;
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t len = rte_pktmbuf_data_len(m), ihl = (uint16_t)((ip[0] & 15) * 4), head;
	uint32_t n;

	(void)seq;
	if (ns_meta(m)->arg != 0) /* the unicast copy (overlay_rx) */
		s->via_unicast++;
	/* What a destination rewrite touches: the IPv4 header and the L4 checksum. */
	head = (uint16_t)RTE_MIN(len, ihl + (ip[9] == IPPROTO_TCP ? 20 : 8));
	if (c->member_clients &&
			unlikely(ns_mcast_members_gen(c->client_port_idx) != s->members_gen))
		refresh_members(s); /* the querier published a change */
	n = c->n_clients + s->n_members;
	if (n == 0) { /* nobody to send it to (no member yet) */
		ovl.ctr[NS_OVL_C_client_none]++;
		rte_pktmbuf_free(m);
		return;
	}
	for (uint32_t k = 0; k < n; k++) {
		bool last = k + 1 == n;
		rte_be32_t to = k < c->n_clients ? c->clients[k] : s->member[k - c->n_clients];
		struct rte_mbuf *x = last ? m : dup_pkt(m, 0, ETH_LEN, head);
		struct rte_ether_hdr *e;

		if (x == NULL)
			continue;
		e = last ? (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, ETH_LEN)
			 : rte_pktmbuf_mtod(x, struct rte_ether_hdr *);
		eth_fill(e, c->client_port_idx);
		ns_ovl_rewrite_dst((uint8_t *)(e + 1), rte_pktmbuf_data_len(x) - ETH_LEN, to);
		if (likely(s->mac_ok[k])) {
			e->dst_addr = s->mac[k];
			ns_worker_tx(ovl.w, c->client_port_idx, x);
		} else {
			ns_worker_send_ip(ovl.w, c->client_port_idx, x, to); /* resolves it */
		}
		s->client_tx++;
	}
}

static void
dup_drop(void *user, void *pkt)
{
	(void)user; /* counted by the window (rx.duplicates, rx.strays) */
	rte_pktmbuf_free(pkt);
}

static const struct ns_ovl_rx_ops rx_ops = {deliver, dup_drop};

/* A request under the session's key: signed, and the MAC right (compared in
 * constant time).  The MAC covers the requester's address: nobody can have
 * the copies sent elsewhere; a replay only refreshes that last hop's. */
static bool
request_authentic(const struct ovl_sess *s, const struct rte_mbuf *m, const struct ns_ovl_hdr *h)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_LEN);
	uint8_t in[NS_OVL_REQ_MAC_IN], mac[NS_HMAC_SHA256_LEN], diff = 0;

	if (h->mac_off == 0)
		return false;
	ns_ovl_request_mac_input(ip, in);
	if (ns_hmac_sha256(s->hmac, in, sizeof(in), NULL, 0, mac) != 0)
		return false;
	for (int k = 0; k < NS_HMAC_SHA256_LEN; k++)
		diff |= mac[k] ^ ip[h->mac_off + k];
	return diff == 0;
}

static void
overlay_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m)
{
	const struct ns_port_cfg *pc = &app.cfg.port[port_idx];
	rte_be32_t me = pc->ip, mask = rte_cpu_to_be_32(pc->prefix ? ~0u << (32 - pc->prefix) : 0);
	struct ns_ovl_hdr h;
	struct ovl_sess *s;
	int rc = ns_ovl_parse(rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_LEN),
			rte_pktmbuf_data_len(m) - ETH_LEN, &h);

	/* No martian sender (ns_ipv4_src.h), nor our own address: its packets
	 * would be delivered, a request would have copies sent there. */
	if ((rc == NS_OVL_OK || rc == NS_OVL_REQUEST) &&
			ns_ipv4_src_class(h.outer_src, me, mask) != NS_SRC_OK)
		rc = NS_OVL_BAD_SRC;
	if (rc == NS_OVL_REQUEST) {
		s = by_key(h.key);
		if (s == NULL || s->cfg->decap || !s->cfg->accept_requests || h.outer_dst != me ||
				s->cfg->port_idx != port_idx) {
			ovl.ctr[NS_OVL_C_requests_refused]++;
		} else if (s->hmac != NULL && !request_authentic(s, m, &h)) {
			ovl.ctr[NS_OVL_C_requests_bad_auth]++;
		} else {
			uint64_t life = RTE_MIN(h.lifetime_ms, MAX_LIFETIME_MS) * 1000000ull;
			char a[INET_ADDRSTRLEN];

			rc = ns_ovl_subs_refresh(&s->tx.subs, h.outer_src, w->now_ns, life);
			ovl.ctr[rc < 0 ? NS_OVL_C_subscribers_full : NS_OVL_C_requests_rx]++;
			if (rc > 0)
				NS_LOG(INFO, "overlay %s: %s asks for the unicast copy",
						s->cfg->name,
						inet_ntop(AF_INET, &h.outer_src, a, sizeof(a)));
		}
		rte_pktmbuf_free(m);
		return;
	}
	ovl.ctr[NS_OVL_C_decap_packets]++;
	if (rc != NS_OVL_OK) {
		ovl.ctr[rc == NS_OVL_BAD_CKSUM		 ? NS_OVL_C_outer_bad_cksum
				: rc == NS_OVL_TTL_ZERO	 ? NS_OVL_C_outer_ttl_zero
				: rc == NS_OVL_BAD_SRC	 ? NS_OVL_C_outer_bad_src
				: rc == NS_OVL_BAD_INNER ? inner_ctr[h.inner_why]
							 : NS_OVL_C_decap_bad]++;
		rte_pktmbuf_free(m);
		return;
	}
	s = by_key(h.key);
	if (s == NULL || !s->cfg->decap || s->cfg->port_idx != port_idx) {
		ovl.ctr[NS_OVL_C_decap_unknown_key]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (h.outer_dst != s->cfg->group && h.outer_dst != me) {
		ovl.ctr[NS_OVL_C_decap_wrong_dst]++;
		rte_pktmbuf_free(m);
		return;
	}
	ns_meta(m)->arg = h.outer_dst == me; /* which copy: deliver() counts the unicast ones */
	ovl.ctr[NS_OVL_C_decap_unicast] += ns_meta(m)->arg;
	rte_pktmbuf_adj(m, (uint16_t)(ETH_LEN + h.inner_off));
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - h.inner_len));
	ns_ovl_rx_offer(&s->rx, h.seq, m, w->now_ns, &rx_ops, s);
}

/* The fast-path loop: a frame ovl_rx classified (consumed). */
static void
ovl_input(struct ns_worker *w, struct rte_mbuf *m)
{
	const struct ns_pkt_meta *meta = ns_meta(m);

	ovl.w = w;
	if (meta->kind == KIND_ENCAP)
		encap(w, &ovl.s[meta->arg], m);
	else
		overlay_rx(w, meta->port_idx, m);
}

static void
send_request(struct ns_worker *w, struct ovl_sess *s)
{
	const struct ns_ovl_cfg *c = s->cfg;
	struct rte_mbuf *m = rte_pktmbuf_alloc(app.pool);
	uint16_t len = s->hmac != NULL ? NS_OVL_REQ_SIGNED_LEN : NS_OVL_REQ_LEN;
	struct rte_ether_hdr *e;
	uint8_t *ip;

	if (m == NULL || (e = (struct rte_ether_hdr *)rte_pktmbuf_append(m, ETH_LEN + len)) ==
					 NULL) {
		rte_pktmbuf_free(m);
		ovl.ctr[NS_OVL_C_mbuf_alloc_failed]++;
		return;
	}
	eth_fill(e, c->port_idx);
	ip = (uint8_t *)(e + 1);
	ns_ovl_request_build(ip, app.cfg.port[c->port_idx].ip, c->request, c->key,
			3 * c->request_ms, s->req_id++, s->hmac != NULL);
	if (s->hmac != NULL) {
		uint8_t in[NS_OVL_REQ_MAC_IN];

		ns_ovl_request_mac_input(ip, in);
		if (ns_hmac_sha256(s->hmac, in, sizeof(in), NULL, 0, ip + NS_OVL_REQ_LEN) != 0) {
			rte_pktmbuf_free(m);
			return;
		}
	}
	ns_worker_send_ip(w, c->port_idx, m, c->request);
	ovl.ctr[NS_OVL_C_requests_tx]++;
}

static void
ovl_poll(struct ns_worker *w)
{
	/* Replay: the clock starts with the capture's first packet. */
	if (w->now_ns < ovl.next_tick_ns || (app.replay && w->now_ns == 0))
		return;
	ovl.next_tick_ns = w->now_ns + TICK_NS;
	ovl.w = w;
	for (uint32_t i = 0; i < app.cfg.n_ovl; i++) {
		struct ovl_sess *s = &ovl.s[i];

		if (!s->cfg->decap) {
			expire(s, w->now_ns);
			continue;
		}
		refresh_macs(s);
		if (s->rx.held != 0 || s->rx.cand_held)
			ns_ovl_rx_tick(&s->rx, w->now_ns, &rx_ops, s);
		if (s->cfg->request != 0 && !s->request_off && w->now_ns >= s->next_req_ns) {
			s->next_req_ns = w->now_ns + (uint64_t)s->cfg->request_ms * 1000000;
			send_request(w, s);
		}
	}
}

/* The engine's own counters, and those the sessions keep anyway summed
 * here rather than counted twice per packet. */
static void
stats_sum(uint64_t *out)
{
	for (int i = 0; i < NS_OVL_C__MAX; i++)
		out[i] = __atomic_load_n(&ovl.ctr[i], __ATOMIC_RELAXED);
	for (uint32_t i = 0; ovl.s != NULL && i < app.cfg.n_ovl; i++) {
		const struct ovl_sess *s = &ovl.s[i];

		out[NS_OVL_C_encap_packets] += LD(s->tx.packets);
		out[NS_OVL_C_encap_unicast_copies] += LD(s->copies);
		out[NS_OVL_C_encap_too_big] += LD(s->too_big);
		out[NS_OVL_C_encap_mss_clamped] += LD(s->clamped);
		out[NS_OVL_C_decap_duplicate] += LD(s->rx.duplicates);
		out[NS_OVL_C_decap_stray] += LD(s->rx.strays);
		out[NS_OVL_C_decap_lost] += LD(s->rx.lost);
		out[NS_OVL_C_client_tx] += LD(s->client_tx);
	}
}

/* --- show overlay sessions, telemetry -------------------------------------------- */

static int
cmd_show_overlay(struct ns_out *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	if (app.cfg.n_ovl == 0) {
		ns_out_printf(o, "no overlay sessions ([overlay.NAME] in the config)\n");
		return 0;
	}
	for (uint32_t i = 0; i < app.cfg.n_ovl; i++) {
		const struct ovl_sess *s = &ovl.s[i];
		const struct ns_ovl_cfg *c = s->cfg;
		char g[INET_ADDRSTRLEN], a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &c->group, g, sizeof(g));
		if (!c->decap) {
			inet_ntop(AF_INET, &c->match, a, sizeof(a));
			ns_out_printf(o,
					"%s: encap key %u group %s match %s:%u out %s, packets "
					"%" PRIu64 " bytes %" PRIu64 " next seq %u, unicast copies "
					"%" PRIu64 " (to %u configured + %u asking), too big "
					"%" PRIu64 ", mss clamped %" PRIu64 "\n",
					c->name, c->key, g, a, c->match_port,
					app.cfg.port[c->port_idx].name, LD(s->tx.packets),
					LD(s->tx.bytes), LD(s->tx.seq), LD(s->copies), c->n_unicast,
					LD(s->tx.subs.n), LD(s->too_big), LD(s->clamped));
			continue;
		}
		ns_out_printf(o,
				"%s: decap key %u group %s on %s -> %u clients + %u members on %s, "
				"packets "
				"%" PRIu64 ", delivered %" PRIu64 " (%" PRIu64 " from the unicast "
				"copy), gaps filled %" PRIu64 ", duplicates dropped %" PRIu64
				", reorder releases %" PRIu64 ", lost %" PRIu64 ", held %u, "
				"next seq %u, client packets %" PRIu64
				", first-hop restarts %" PRIu64 ", strays %" PRIu64 "\n",
				c->name, c->key, g, app.cfg.port[c->port_idx].name, c->n_clients,
				LD(s->n_members), app.cfg.port[c->client_port_idx].name,
				LD(s->rx.received), LD(s->rx.delivered), LD(s->via_unicast),
				LD(s->rx.gaps_filled), LD(s->rx.duplicates), LD(s->rx.reordered),
				LD(s->rx.lost), LD(s->rx.held), LD(s->rx.next), LD(s->client_tx),
				LD(s->rx.restarts), LD(s->rx.strays));
	}
	return 0;
}

static int
cmd_set_overlay_request(struct ns_out *o, int argc, char **argv)
{
	(void)argc;
	for (uint32_t i = 0; i < app.cfg.n_ovl; i++) {
		struct ovl_sess *s = &ovl.s[i];

		if (strcmp(s->cfg->name, argv[2]) != 0)
			continue;
		if (!s->cfg->decap || s->cfg->request == 0) {
			ns_out_printf(o, "error: overlay %s is not a last hop with 'request ='\n",
					argv[2]);
			return -1;
		}
		s->request_off = strcmp(argv[4], "off") == 0;
		ns_out_printf(o, "overlay %s: requests for the unicast copy %s\n", argv[2],
				s->request_off ? "stopped" : "resumed");
		return 0;
	}
	ns_out_printf(o, "error: no overlay session named %s\n", argv[2]);
	return -1;
}

static int
cmd_show_overlay_stats(struct ns_out *o, int argc, char **argv)
{
	uint64_t v[NS_OVL_C__MAX];

	(void)argv;
	stats_sum(v);
	ns_print_ctr_table(o, "ovl", ns_ovl_ctr_desc, v, NULL, NS_OVL_C__MAX, argc == 4);
	return 0;
}

/* {"NAME": {"role": .., "key": .., counters}, ...} */
static int
tel_overlay(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	for (uint32_t i = 0; i < app.cfg.n_ovl; i++) {
		const struct ovl_sess *s = &ovl.s[i];
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "role", s->cfg->decap ? "decap" : "encap");
		rte_tel_data_add_dict_u64(c, "key", s->cfg->key);
		if (!s->cfg->decap) {
			rte_tel_data_add_dict_u64(c, "packets", LD(s->tx.packets));
			rte_tel_data_add_dict_u64(c, "bytes", LD(s->tx.bytes));
			rte_tel_data_add_dict_u64(c, "unicast_copies", LD(s->copies));
			rte_tel_data_add_dict_u64(c, "subscribers", LD(s->tx.subs.n));
			rte_tel_data_add_dict_u64(c, "too_big", LD(s->too_big));
		} else {
			rte_tel_data_add_dict_u64(c, "packets", LD(s->rx.received));
			rte_tel_data_add_dict_u64(c, "delivered", LD(s->rx.delivered));
			rte_tel_data_add_dict_u64(c, "via_unicast", LD(s->via_unicast));
			rte_tel_data_add_dict_u64(c, "gaps_filled", LD(s->rx.gaps_filled));
			rte_tel_data_add_dict_u64(c, "duplicates", LD(s->rx.duplicates));
			rte_tel_data_add_dict_u64(c, "reorder_releases", LD(s->rx.reordered));
			rte_tel_data_add_dict_u64(c, "lost", LD(s->rx.lost));
			rte_tel_data_add_dict_u64(c, "client_packets", LD(s->client_tx));
			rte_tel_data_add_dict_u64(c, "restarts", LD(s->rx.restarts));
			rte_tel_data_add_dict_u64(c, "strays", LD(s->rx.strays));
		}
		rte_tel_data_add_dict_container(d, s->cfg->name, c, 0);
	}
	return 0;
}

static const struct ns_cmd cmds[] = {
		{"show overlay sessions", "Display",
				"multicast overlay sessions: packets, unicast copies, gaps filled, "
				"duplicates dropped, reorder releases, lost",
				cmd_show_overlay},
		{"show overlay stats", "Display", "non-zero overlay counters",
				cmd_show_overlay_stats},
		{"show overlay stats all", "Display", "every overlay counter with its meaning",
				cmd_show_overlay_stats},
		{"set overlay <name> request on|off", "Control",
				"a last hop stops (or resumes) asking its first hop for the "
				"unicast copy; the first hop stops sending it when the last "
				"request's lifetime ends",
				cmd_set_overlay_request},
		{NULL, NULL, NULL, NULL},
};

static const struct ns_tel_cmd tel[] = {
		{"/nonstop/overlay", tel_overlay,
				"Multicast overlay sessions: role, key, packets, copies, gaps "
				"filled, duplicates. No parameters"},
		{NULL, NULL, NULL},
};

static const struct ns_feature_ctrs ctrs = {
		.prefix = "ovl",
		.desc = ns_ovl_ctr_desc,
		.n = NS_OVL_C__MAX,
		.sum = stats_sum,
};

struct ns_feature ns_feature_overlay = {
		.name = "overlay",
		.enabled = ovl_enabled,
		.loops = NS_LOOPS_FASTPATH,
		.start = ovl_start,
		.fini = ovl_fini,
		.rx_pre_ports = ovl_ports,
		.rx_pre = ovl_rx,
		.rx_pre_burst = ovl_rx_burst,
		.fastpath_rx = ovl_input,
		.handoff_ctr = NS_DP_ovl_handoff,
		.handoff_full_ctr = NS_DP_ovl_handoff_full,
		.poll = ovl_poll,
		.cmds = cmds,
		.tel = tel,
		.ctrs = &ctrs,
		.lcore_tag = "overlay",
};
