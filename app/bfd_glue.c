/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BFD engine (lib/bfd) at the DPDK edge.  It runs on the fast-path
 * lcore's loop (app.fastpath_loop: the [lcores] fastpath lcore, else worker
 * 0).  Other loops that receive a BFD packet (UDP 3784) hand the mbuf over
 * (fastpath.c); the engine's loop runs its timers and sends control packets
 * on its own tx queue as IPv4/UDP with TTL 255, DSCP CS6 and a source port
 * in 49152-65535 (RFC 5881 4).  Next hops come from the port's ARP owner
 * (ns_worker_send_ip).
 *
 * Sessions live in slots (bfd_glue.h): the config file fills the first
 * ones; 'bfd session add|del' claims and releases others at run time.  The
 * control path owns the slot contents; the engine's lcore creates and
 * deletes the sessions and moves the slot state.
 */
#include <arpa/inet.h>
#include <inttypes.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_telemetry.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "app.h"
#include "bfd_glue.h"
#include "common/ns_cksum.h"
#include "control.h"
#include "feature.h"
#include "health.h"

/* The engine, on the fast-path loop; the slots (bfd_max_sessions of them). */
static struct ns_bfd *engine;
static bool started; /* sessions of the config file created (replay: at the first packet) */
static struct ns_bfd_cfg *slot;
static uint32_t *slot_disc; /* local discriminator of slot i */
static uint8_t *slot_state; /* enum ns_bfd_slot_state */
static uint32_t n_slots;    /* used at some point */
static uint32_t n_config;   /* the config file's: slots 0 .. n_config - 1 */

enum { MSG_ADD, MSG_DEL, MSG_SET };

struct bfd_msg {
	uint32_t slot;
	uint32_t tx_ms, rx_ms; /* MSG_SET */
	uint8_t multiplier;
};

static inline uint32_t
slot_of(const struct ns_bfd_session *s)
{
	return (uint32_t)((const struct ns_bfd_cfg *)s->cfg.user - slot);
}

uint32_t
ns_bfd_n_slots(void)
{
	return n_slots;
}

const struct ns_bfd_cfg *
ns_bfd_slot(uint32_t i)
{
	return &slot[i];
}

static void
bfd_xmit(void *user, const struct ns_bfd_session *s, const uint8_t *pkt, uint32_t len)
{
	struct ns_worker *w = user;
	const struct ns_bfd_cfg *k = s->cfg.user;
	struct rte_mbuf *m = rte_pktmbuf_alloc(app.pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint16_t tot = (uint16_t)(sizeof(*ip) + sizeof(*udp) + len);

	if (m == NULL || rte_pktmbuf_append(m, (uint16_t)(sizeof(*eth) + tot)) == NULL) {
		rte_pktmbuf_free(m);
		engine->ctr[NS_BFD_C_tx_alloc_failed]++;
		return;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	udp = (struct rte_udp_hdr *)(ip + 1);
	eth->src_addr = app.port[k->port_idx].mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	/* CS6 (network control), TTL 255 (RFC 5881 5) */
	ns_ipv4_hdr_write(ip, sizeof(*ip), 0xc0, tot, 0, RTE_IPV4_HDR_DF_FLAG, 255, IPPROTO_UDP,
			s->cfg.laddr, s->cfg.raddr);
	/* One source port per session, in the range RFC 5881 4 requires. */
	udp->src_port = rte_cpu_to_be_16(
			(uint16_t)(NS_BFD_SRC_PORT_MIN + (s->local_disc & 0x3fff)));
	udp->dst_port = RTE_BE16(NS_BFD_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, pkt, len);
	udp->dgram_cksum = ns_ipv4_l4_cksum(ip, udp);
	ns_worker_send_ip(w, k->port_idx, m, s->cfg.raddr);
}

/* Engine's lcore: tell the control plane (health events). */
static void
bfd_changed(void *user, const struct ns_bfd_session *s, uint8_t old)
{
	struct ns_worker *w = user;
	struct ns_health_event e = {
			.t_ns = w->now_ns,
			.slot = slot_of(s),
			.disc = s->local_disc,
			.old_state = old,
			.new_state = s->state,
			.diag = s->local_diag,
	};

	ns_health_publish(&e);
}

static void
session_cfg(const struct ns_bfd_cfg *k, struct ns_bfd_session_cfg *sc)
{
	*sc = (struct ns_bfd_session_cfg){
			.laddr = k->local,
			.raddr = k->peer,
			.desired_min_tx_us = k->tx_ms * 1000,
			.required_min_rx_us = k->rx_ms * 1000,
			.detect_mult = k->multiplier,
			.passive = k->passive,
			.user = (void *)(uintptr_t)k,
			.auth = k->auth,
	};
}

/* Engine's lcore: create the session of a slot the control path filled in. */
static void
slot_add(struct ns_worker *w, uint32_t i)
{
	struct ns_bfd_session_cfg sc;
	uint32_t disc;

	session_cfg(&slot[i], &sc);
	disc = ns_bfd_session_add(engine, &sc, w->now_ns);
	if (disc == 0) {
		NS_LOGT(app, ERR, "bfd %s: the session could not be created", slot[i].name);
		__atomic_store_n(&slot_state[i], NS_BFD_SLOT_FREE, __ATOMIC_RELEASE);
		return;
	}
	slot_disc[i] = disc;
	__atomic_store_n(&slot_state[i], NS_BFD_SLOT_ACTIVE, __ATOMIC_RELEASE);
}

/* Sessions of the config file (slots 0 .. n_config - 1); later ones come
 * with their MSG_ADD. */
static void
add_sessions(struct ns_worker *w)
{
	for (uint32_t i = 0; i < n_config; i++)
		if (slot_state[i] == NS_BFD_SLOT_ADDING)
			slot_add(w, i);
	started = true;
}

/* The slots, the config file's sessions in the first ones; the health table. */
static int
bfd_init(void)
{
	uint32_t n = app.cfg.bfd_max_sessions;

	slot = rte_zmalloc("bfd_slots", sizeof(*slot) * n, RTE_CACHE_LINE_SIZE);
	slot_disc = rte_zmalloc("bfd_disc", sizeof(*slot_disc) * n, RTE_CACHE_LINE_SIZE);
	slot_state = rte_zmalloc("bfd_state", sizeof(*slot_state) * n, RTE_CACHE_LINE_SIZE);
	if (slot == NULL || slot_disc == NULL || slot_state == NULL || app.cfg.n_bfd > n)
		return -1;
	n_config = n_slots = app.cfg.n_bfd;
	for (uint32_t i = 0; i < n_config; i++) {
		slot[i] = app.cfg.bfd[i];
		slot_state[i] = NS_BFD_SLOT_ADDING;
	}
	return ns_health_init();
}

static void
bfd_fini(void)
{
	ns_health_fini();
	rte_free(slot);
	rte_free(slot_disc);
	rte_free(slot_state);
	slot = NULL;
	slot_disc = NULL;
	slot_state = NULL;
	n_slots = n_config = 0;
}

/* If m looks like a BFD control packet (IPv4 without options, UDP 3784),
 * start loading the session it names (the checks come later, in order). */
static void
bfd_prefetch(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	if (m->data_len >= 14 + 20 + 8 + 12 && d[12] == 0x08 && d[13] == 0x00 && d[14] == 0x45 &&
			d[23] == IPPROTO_UDP && d[36] == (NS_BFD_PORT >> 8) &&
			d[37] == (NS_BFD_PORT & 0xff))
		ns_bfd_prefetch(engine, d + 14 + 20 + 8);
}

/* The engine, on the fast-path loop. */
static int
bfd_worker_init(struct ns_worker *w)
{
	static const struct ns_bfd_ops ops = {bfd_xmit, bfd_changed};

	engine = rte_zmalloc("bfd", sizeof(*engine), RTE_CACHE_LINE_SIZE);
	/* Replay: virtual time from the pcap, and a fixed jitter seed (deterministic output). */
	if (engine == NULL || ns_bfd_init(engine, app.cfg.bfd_max_sessions, &ops, w,
					      app.replay ? 0 : ns_now_ns()) != 0)
		return -1;
	engine->virtual_time = app.replay;
	w->rx_prefetch = bfd_prefetch;
	/* Replay: the sessions start with the capture's clock, at its first packet
	 * (bfd_poll), not at 0 with decades of timers to catch up. */
	if (!app.replay) {
		w->now_ns = ns_now_ns();
		add_sessions(w);
	}
	return 0;
}

static void
bfd_worker_fini(struct ns_worker *w)
{
	(void)w;
	if (engine != NULL) {
		ns_bfd_fini(engine);
		rte_free(engine);
		engine = NULL;
	}
	started = false;
}

static void
bfd_input(struct ns_worker *w, const uint8_t *frame, const struct ns_l4_info *l4)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(frame + l4->l3_off);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(frame + l4->l4_off);
	uint16_t ulen = rte_be_to_cpu_16(udp->dgram_len);

	if (ulen < sizeof(*udp) || ulen > l4->l4_len ||
			(udp->dgram_cksum != 0 && ns_ipv4_l4_cksum_verify(ip, udp) != 0)) {
		engine->ctr[NS_BFD_C_rx_bad_udp]++;
		return;
	}
	ns_bfd_input(engine, ip->dst_addr, ip->src_addr, ip->time_to_live,
			(const uint8_t *)(udp + 1), ulen - (uint32_t)sizeof(*udp), w->now_ns);
}

/* UDP to port 3784: the engine's loop takes it in, another hands it over. */
static enum ns_rx
bfd_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m, const struct ns_l4_info *l4)
{
	struct ns_pkt_meta *meta;

	(void)port_idx;
	if (ns_is_fastpath(w)) {
		bfd_input(w, rte_pktmbuf_mtod(m, const uint8_t *), l4);
		return NS_RX_FREE;
	}
	meta = ns_meta(m);
	meta->l3_off = l4->l3_off;
	meta->l4_off = l4->l4_off;
	meta->l4_len = l4->l4_len;
	ns_fastpath_handoff(w, &ns_feature_bfd, m);
	return NS_RX_TAKEN;
}

/* The engine's loop: a packet another loop received. */
static void
bfd_fastpath_rx(struct ns_worker *w, struct rte_mbuf *m)
{
	const struct ns_pkt_meta *meta = ns_meta(m);
	struct ns_l4_info l4 = {
			.proto = IPPROTO_UDP,
			.l3_off = meta->l3_off,
			.l4_off = meta->l4_off,
			.l4_len = meta->l4_len,
	};

	bfd_input(w, rte_pktmbuf_mtod(m, const uint8_t *), &l4);
	rte_pktmbuf_free(m);
}

static void
bfd_poll(struct ns_worker *w)
{
	if (!started)
		add_sessions(w);
	ns_bfd_timers(engine, w->now_ns);
}

static void
bfd_msg(struct ns_worker *w, const struct ns_wmsg *msg)
{
	const struct bfd_msg *m = NS_WMSG_BODY(msg, const struct bfd_msg);
	uint32_t i = m->slot;

	if (engine == NULL || i >= app.cfg.bfd_max_sessions)
		return;
	switch (msg->type) {
	case MSG_ADD:
		slot_add(w, i);
		break;
	case MSG_DEL:
		ns_bfd_session_del(engine, slot_disc[i], w->now_ns);
		slot_disc[i] = 0;
		__atomic_store_n(&slot_state[i], NS_BFD_SLOT_FREE, __ATOMIC_RELEASE);
		break;
	case MSG_SET:
		ns_bfd_session_set(engine, slot_disc[i], m->tx_ms * 1000, m->rx_ms * 1000,
				m->multiplier, w->now_ns);
		break;
	default:
		break;
	}
}

/* --- control path ------------------------------------------------------- */

/* A consistent health entry of an active slot. */
bool
ns_bfd_slot_health(uint32_t i, struct ns_bfd_health *h)
{
	const struct ns_bfd *b = engine;

	return b != NULL && i < n_slots &&
	       __atomic_load_n(&slot_state[i], __ATOMIC_ACQUIRE) == NS_BFD_SLOT_ACTIVE &&
	       ns_bfd_health_read(b, (slot_disc[i] & ((1u << NS_BFD_IDX_BITS) - 1)) - 1, h);
}

static int
slot_by_name(const char *name)
{
	for (uint32_t i = 0; i < n_slots; i++)
		if (slot_state[i] != NS_BFD_SLOT_FREE && strcmp(slot[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
cmd_show_bfd_sessions(struct ns_out *o, int argc, char **argv)
{
	uint64_t now = ns_now_ns();

	(void)argv;
	ns_out_printf(o, "%-12s %-16s %-10s %-10s %-9s %-9s %4s %8s %9s %10s %10s\n", "session",
			"peer", "local-disc", "remote-dsc", "state", "remote", "diag", "tx-ms",
			"detect-ms", "rx", "last-rx-ms");
	for (uint32_t i = 0; i < n_slots; i++) {
		const struct ns_bfd_cfg *k = &slot[i];
		struct ns_bfd_health h;
		char peer[INET_ADDRSTRLEN], local[INET_ADDRSTRLEN];

		if (!ns_bfd_slot_health(i, &h))
			continue;
		inet_ntop(AF_INET, &k->peer, peer, sizeof(peer));
		ns_out_printf(o,
				"%-12s %-16s %-10u %-10u %-9s %-9s %4u %8.1f %9.1f %10" PRIu64
				" %10.1f\n",
				k->name, peer, h.local_disc, h.remote_disc,
				ns_bfd_state_name(h.state), ns_bfd_state_name(h.remote_state),
				h.local_diag, h.tx_interval_us / 1e3, h.detect_time_us / 1e3, h.rx,
				h.last_rx_ns ? (now - h.last_rx_ns) / 1e6 : -1.0);
		if (argc == 4) {
			inet_ntop(AF_INET, &k->local, local, sizeof(local));
			ns_out_printf(o,
					"    local %s port %s; configured tx %u ms rx %u ms mult "
					"%u%s; "
					"auth %s",
					local, app.cfg.port[k->port_idx].name, k->tx_ms, k->rx_ms,
					k->multiplier, k->passive ? " passive" : "",
					ns_bfd_auth_name(k->auth.type));
			if (k->auth.type != NS_BFD_AUTH_NONE)
				ns_out_printf(o, " key-id %u", k->auth.key_id);
			ns_out_printf(o,
					"\n    remote: min-rx %u us, min-tx %u us, mult %u; ups %u "
					"downs %u tx %" PRIu64 "\n",
					h.remote_min_rx_us, h.remote_min_tx_us, h.remote_mult,
					h.ups, h.downs, h.tx);
		}
	}
	return 0;
}

static void
stats_sum(uint64_t *out)
{
	const struct ns_bfd *b = engine;

	memset(out, 0, sizeof(uint64_t) * NS_BFD_C__MAX);
	if (b != NULL)
		ns_ctr_accumulate(out, b->ctr, NS_BFD_C__MAX);
}

static int
cmd_show_bfd_stats(struct ns_out *o, int argc, char **argv)
{
	uint64_t v[NS_BFD_C__MAX];

	(void)argv;
	stats_sum(v);
	ns_print_ctr_table(o, "bfd", ns_bfd_ctr_desc, v, NULL, NS_BFD_C__MAX, argc == 4);
	return 0;
}

static int
post(struct ns_out *o, uint8_t type, const struct bfd_msg *b)
{
	struct ns_worker *w = &app.worker[app.fastpath_loop];

	/* The control path runs on the engine's lcore (between its polls, or
	 * before its loop starts): apply the change here, in that thread. */
	if (w->lcore == rte_lcore_id()) {
		struct ns_wmsg m = {.feature = ns_feature_bfd.id, .type = type};

		*NS_WMSG_BODY(&m, struct bfd_msg) = *b;
		if (!app.replay)
			w->now_ns = ns_now_ns();
		bfd_msg(w, &m);
		return 0;
	}
	if (ns_feature_post(&ns_feature_bfd, (uint32_t)app.fastpath_loop, type, b, sizeof(*b)) !=
			0) {
		ns_out_printf(o, "error: the BFD lcore's message ring is full\n");
		return -1;
	}
	return 0;
}

/* 'set bfd session NAME TX_MS RX_MS MULT': applied by the engine's lcore (Poll). */
static int
cmd_set_bfd_session(struct ns_out *o, int argc, char **argv)
{
	struct ns_bfd_words w;
	struct bfd_msg m;
	struct ns_bfd_cfg *k;
	char why[96];
	int i;

	if (argc != 7) {
		ns_out_printf(o, "usage: set bfd session NAME TX_MS RX_MS MULTIPLIER\n");
		return -1;
	}
	ns_bfd_words_init(&w);
	if (!ns_bfd_words_set(&w, NS_BFD_KEY_tx_interval_ms, argv[4], why, sizeof(why)) ||
			!ns_bfd_words_set(
					&w, NS_BFD_KEY_rx_interval_ms, argv[5], why, sizeof(why)) ||
			!ns_bfd_words_set(&w, NS_BFD_KEY_multiplier, argv[6], why, sizeof(why))) {
		ns_out_printf(o, "error: intervals 1..60000 ms (rx 0..60000), multiplier 1..255\n");
		return -1;
	}
	i = slot_by_name(argv[3]);
	if (i < 0) {
		ns_out_printf(o, "error: no BFD session '%s'\n", argv[3]);
		return -1;
	}
	k = &slot[i];
	k->tx_ms = w.num[NS_BFD_KEY_tx_interval_ms];
	k->rx_ms = w.num[NS_BFD_KEY_rx_interval_ms];
	k->multiplier = (uint8_t)w.num[NS_BFD_KEY_multiplier];
	m = (struct bfd_msg){
			.slot = (uint32_t)i,
			.tx_ms = k->tx_ms,
			.rx_ms = k->rx_ms,
			.multiplier = k->multiplier,
	};
	if (post(o, MSG_SET, &m) != 0)
		return -1;
	ns_out_printf(o, "bfd %s: tx %u ms rx %u ms multiplier %u (Poll sequence)\n", k->name,
			k->tx_ms, k->rx_ms, k->multiplier);
	return 0;
}

/* The console's words of NS_BFD_KEYS with their ranges, for its error message. */
static void
print_bfd_words(struct ns_out *o)
{
	const char *sep = "";

	for (int i = 0; i < NS_BFD_KEY__N; i++) {
		const struct ns_bfd_key_desc *d = &ns_bfd_keys[i];
		size_t n = strlen(d->key);

		if (d->word == NULL)
			continue;
		ns_out_printf(o, "%s%s", sep, d->word);
		if (d->kind == NS_BFD_KIND_U32)
			ns_out_printf(o, " (%u..%u%s)", d->min, d->max,
					n > 3 && strcmp(d->key + n - 3, "_ms") == 0 ? " ms" : "");
		sep = ", ";
	}
	ns_out_printf(o, "\n");
}

/*
 * 'bfd session add NAME peer A.B.C.D [local A.B.C.D] [tx MS] [rx MS]
 * [multiplier N] [passive] [auth TYPE key KEY [key-id N]]': the words of
 * NS_BFD_KEYS, read as the config file's keys are.
 */
static int
cmd_bfd_session_add(struct ns_out *o, int argc, char **argv)
{
	const char *what, *e;
	struct ns_bfd_words w;
	struct ns_bfd_cfg k = {0};
	char why[160];
	uint32_t i;

	if (strlen(argv[3]) >= sizeof(k.name)) {
		ns_out_printf(o, "error: session name must be 1-%zu characters\n",
				sizeof(k.name) - 1);
		return -1;
	}
	if (slot_by_name(argv[3]) >= 0) {
		ns_out_printf(o, "error: a BFD session '%s' exists\n", argv[3]);
		return -1;
	}
	snprintf(k.name, sizeof(k.name), "%s", argv[3]);
	ns_bfd_words_init(&w);
	for (int i = 4; i < argc; i++) {
		int x = ns_bfd_key_find(argv[i], true);
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (x >= 0 && ns_bfd_keys[x].kind == NS_BFD_KIND_BOOL) {
			ns_bfd_words_set(&w, x, "yes", why, sizeof(why));
			continue;
		}
		if (val == NULL) {
			ns_out_printf(o, "error: '%s' needs a value\n", argv[i]);
			return -1;
		}
		i++;
		if (x >= 0 && ns_bfd_words_set(&w, x, val, why, sizeof(why)))
			continue;
		if (x >= 0 && ns_bfd_keys[x].kind == NS_BFD_KIND_ADDR) {
			ns_out_printf(o, "error: %s: %s\n", argv[i - 1], why);
			return -1;
		}
		ns_out_printf(o, "error: '%s %s': expected ", argv[i - 1], val);
		print_bfd_words(o);
		return -1;
	}
	if (!w.given[NS_BFD_KEY_peer]) {
		ns_out_printf(o, "error: 'peer A.B.C.D' is required\n");
		return -1;
	}
	if (!ns_bfd_words_finish(&w, &k, &what, why, sizeof(why))) {
		ns_out_printf(o, "error: auth: %s\n", why);
		return -1;
	}
	/* Slots the engine released are the control path's again: forget them. */
	for (uint32_t j = 0; j < n_slots; j++)
		if (__atomic_load_n(&slot_state[j], __ATOMIC_ACQUIRE) == NS_BFD_SLOT_FREE)
			slot[j].name[0] = '\0';
	e = ns_bfd_cfg_resolve(&app.cfg, &k, slot, n_slots, &what);
	if (e != NULL) {
		ns_out_printf(o, "error: %s: %s\n", what, e);
		return -1;
	}
	for (i = 0; i < app.cfg.bfd_max_sessions; i++)
		if (__atomic_load_n(&slot_state[i], __ATOMIC_ACQUIRE) == NS_BFD_SLOT_FREE)
			break;
	if (i == app.cfg.bfd_max_sessions) {
		ns_out_printf(o, "error: %u BFD sessions exist ([global] bfd_max_sessions)\n",
				app.cfg.bfd_max_sessions);
		return -1;
	}
	slot[i] = k;
	slot_state[i] = NS_BFD_SLOT_ADDING;
	if (i >= n_slots)
		n_slots = i + 1;
	if (post(o, MSG_ADD, &(struct bfd_msg){.slot = i}) != 0) {
		slot_state[i] = NS_BFD_SLOT_FREE;
		return -1;
	}
	/* The engine's lcore answers within a pass of its loop. */
	for (int t = 0; t < 10000 &&
			__atomic_load_n(&slot_state[i], __ATOMIC_ACQUIRE) == NS_BFD_SLOT_ADDING;
			t++)
		rte_delay_us_sleep(100);
	switch (__atomic_load_n(&slot_state[i], __ATOMIC_ACQUIRE)) {
	case NS_BFD_SLOT_ACTIVE:
		ns_out_printf(o, "bfd %s: added\n", k.name);
		return 0;
	case NS_BFD_SLOT_FREE:
		ns_out_printf(o,
				"error: bfd %s: the engine refused the session (same addresses "
				"as another?)\n",
				k.name);
		return -1;
	default:
		ns_out_printf(o, "bfd %s: queued (the BFD lcore has not answered in 1 s)\n",
				k.name);
		return 0;
	}
}

static int
cmd_bfd_session_del(struct ns_out *o, int argc, char **argv)
{
	int i = slot_by_name(argv[3]);

	(void)argc;
	if (i < 0 || slot_state[i] != NS_BFD_SLOT_ACTIVE) {
		ns_out_printf(o, "error: no BFD session '%s'%s\n", argv[3],
				i >= 0 ? " ready (being added or deleted)" : "");
		return -1;
	}
	slot_state[i] = NS_BFD_SLOT_DELETING;
	if (post(o, MSG_DEL, &(struct bfd_msg){.slot = (uint32_t)i}) != 0) {
		slot_state[i] = NS_BFD_SLOT_ACTIVE;
		return -1;
	}
	ns_out_printf(o, "bfd %s: deleted\n", argv[3]);
	return 0;
}

/* Telemetry /nonstop/bfd/sessions: one dict per session, from the health table. */
static int
tel_sessions(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	for (uint32_t i = 0; i < n_slots; i++) {
		const struct ns_bfd_cfg *k = &slot[i];
		struct rte_tel_data *c;
		struct ns_bfd_health h;
		char peer[INET_ADDRSTRLEN];

		if (!ns_bfd_slot_health(i, &h))
			continue;
		c = rte_tel_data_alloc();
		if (c == NULL)
			return -ENOMEM;
		inet_ntop(AF_INET, &k->peer, peer, sizeof(peer));
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "peer", peer);
		rte_tel_data_add_dict_string(c, "state", ns_bfd_state_name(h.state));
		rte_tel_data_add_dict_string(c, "remote_state", ns_bfd_state_name(h.remote_state));
		rte_tel_data_add_dict_int(c, "diag", h.local_diag);
		rte_tel_data_add_dict_u64(c, "local_disc", h.local_disc);
		rte_tel_data_add_dict_u64(c, "remote_disc", h.remote_disc);
		rte_tel_data_add_dict_u64(c, "tx_interval_us", h.tx_interval_us);
		rte_tel_data_add_dict_u64(c, "detect_time_us", h.detect_time_us);
		rte_tel_data_add_dict_u64(c, "rx", h.rx);
		rte_tel_data_add_dict_u64(c, "ups", h.ups);
		rte_tel_data_add_dict_u64(c, "downs", h.downs);
		rte_tel_data_add_dict_string(c, "auth", ns_bfd_auth_name(k->auth.type));
		rte_tel_data_add_dict_container(d, k->name, c, 0);
	}
	return 0;
}

/* 'show config': the sessions of the slots in use, the config file's and the
 * console's, key by key of NS_BFD_KEYS (ns_bfd_words_of: the key is not shown). */
static void
bfd_show_config(struct ns_out *o)
{
	char ip[INET_ADDRSTRLEN];
	struct ns_bfd_words w;

	for (uint32_t i = 0; i < n_slots; i++) {
		if (__atomic_load_n(&slot_state[i], __ATOMIC_ACQUIRE) == NS_BFD_SLOT_FREE)
			continue;
		ns_out_printf(o, "\n[bfd.%s]\n", slot[i].name);
		ns_bfd_words_of(&slot[i], &w);
		for (int j = 0; j < NS_BFD_KEY__N; j++) {
			const char *key = ns_bfd_keys[j].key;

			if (!w.given[j])
				continue;
			switch (ns_bfd_keys[j].kind) {
			case NS_BFD_KIND_ADDR:
				ns_out_printf(o, "%s = %s\n", key,
						inet_ntop(AF_INET, &w.num[j], ip, sizeof(ip)));
				break;
			case NS_BFD_KIND_U32:
				ns_out_printf(o, "%s = %u\n", key, w.num[j]);
				break;
			case NS_BFD_KIND_BOOL:
				ns_out_printf(o, "%s = %s\n", key, w.num[j] ? "yes" : "no");
				break;
			case NS_BFD_KIND_TEXT:
				ns_out_printf(o, "%s = %s\n", key, w.text[j]);
				break;
			}
		}
	}
}

static const struct ns_cmd cmds[] = {
		{"show bfd sessions", "Display", "BFD sessions: state, discriminators, timers",
				cmd_show_bfd_sessions},
		{"show bfd sessions detail", "Display", "BFD sessions with the remote's parameters",
				cmd_show_bfd_sessions},
		{"show bfd stats", "Display", "non-zero BFD counters", cmd_show_bfd_stats},
		{"show bfd stats all", "Display", "every BFD counter with its meaning",
				cmd_show_bfd_stats},
		{"show health", "Display", "peer health derived from the BFD health table",
				ns_cmd_show_health},
		{"show health events", "Display", "the last 64 BFD state changes, oldest first",
				ns_cmd_show_health_events},
		{"bfd session add <name> <options...>", "Control",
				"add a session: peer A.B.C.D [local A.B.C.D] [tx MS] [rx MS] "
				"[multiplier N] [passive] [auth TYPE key KEY [key-id N]]",
				cmd_bfd_session_add},
		{"bfd session del <name>", "Control",
				"delete a session (the peer sees it go "
				"silent)",
				cmd_bfd_session_del},
		{"set bfd session <name> <tx_ms> <rx_ms> <multiplier>", "Control",
				"change a session's timers (a Poll sequence while Up)",
				cmd_set_bfd_session},
		{NULL, NULL, NULL, NULL},
};

static const struct ns_tel_cmd tel[] = {
		{"/nonstop/bfd/sessions", tel_sessions,
				"BFD sessions from the health table (state, discriminators, "
				"timers). No parameters"},
		{NULL, NULL, NULL},
};

static const struct ns_feature_ctrs ctrs = {
		.prefix = "bfd",
		.desc = ns_bfd_ctr_desc,
		.n = NS_BFD_C__MAX,
		.sum = stats_sum,
		.dump_when_off = true,
};

struct ns_feature ns_feature_bfd = {
		.name = "bfd",
		.loops = NS_LOOPS_FASTPATH,
		.init = bfd_init,
		.worker_init = bfd_worker_init,
		.worker_fini = bfd_worker_fini,
		.fini = bfd_fini,
		.ip_proto = IPPROTO_UDP,
		.udp_port = NS_BFD_PORT,
		.rx_l4 = bfd_rx,
		.fastpath_rx = bfd_fastpath_rx,
		.handoff_ctr = NS_DP_bfd_handoff,
		.handoff_full_ctr = NS_DP_bfd_handoff_full,
		.poll = bfd_poll,
		.clock = bfd_poll,
		.msg = bfd_msg,
		.control_poll = ns_health_poll,
		.cmds = cmds,
		.show_config = bfd_show_config,
		.tel = tel,
		.ctrs = &ctrs,
		.lcore_tag = "bfd",
};
