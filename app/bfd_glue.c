/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BFD engine (lib/bfd) at the DPDK edge.  It runs on one lcore
 * (app.bfd_owner): the fast-path lcore when [lcores] fastpath is set, else
 * worker 0.  Workers that receive a BFD packet (UDP 3784) on their queues
 * hand the mbuf to that lcore through their own single-producer ring; the
 * owner drains the rings every pass, runs the engine's timers, and sends
 * control packets on its own tx queue as IPv4/UDP with TTL 255, DSCP CS6
 * and a source port in 49152-65535 (RFC 5881 4).  Next hops come from the
 * port's ARP owner (ns_worker_send_ip).
 *
 * Sessions live in slots of app.cfg.bfd[]: the config file fills the first
 * ones; 'bfd session add|del' claims and releases others at run time.  The
 * control path owns the slot contents; the engine's lcore creates and
 * deletes the sessions and moves the slot state (app.h).
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
#include "control.h"
#include "health.h"
#include "ns_cksum.h"

#define HANDOFF_RING 1024

static inline uint32_t
slot_of(const struct ns_bfd_session *s)
{
	return (uint32_t)((const struct ns_bfd_cfg *)s->cfg.user - app.cfg.bfd);
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
		w->bfd->ctr[NS_BFD_C_tx_alloc_failed]++;
		return;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	udp = (struct rte_udp_hdr *)(ip + 1);
	eth->src_addr = app.port[k->port_idx].mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0xc0; /* CS6, network control */
	ip->total_length = rte_cpu_to_be_16(tot);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 255; /* RFC 5881 5 */
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = s->cfg.laddr;
	ip->dst_addr = s->cfg.raddr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
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

	session_cfg(&app.cfg.bfd[i], &sc);
	disc = ns_bfd_session_add(w->bfd, &sc, w->now_ns);
	if (disc == 0) {
		NS_LOGT(app, ERR, "bfd %s: the session could not be created", app.cfg.bfd[i].name);
		__atomic_store_n(&app.bfd_slot_state[i], NS_BFD_SLOT_FREE, __ATOMIC_RELEASE);
		return;
	}
	app.bfd_disc[i] = disc;
	__atomic_store_n(&app.bfd_slot_state[i], NS_BFD_SLOT_ACTIVE, __ATOMIC_RELEASE);
}

/* Sessions of the config file (slots 0 .. n_config - 1); later ones come
 * with their NS_WMSG_BFD_ADD. */
static uint32_t n_config;

static void
add_sessions(struct ns_worker *w)
{
	for (uint32_t i = 0; i < n_config; i++)
		if (app.bfd_slot_state[i] == NS_BFD_SLOT_ADDING)
			slot_add(w, i);
	w->bfd_started = true;
}

int
ns_bfd_worker_init(struct ns_worker *w)
{
	static const struct ns_bfd_ops ops = {bfd_xmit, bfd_changed};
	char name[RTE_RING_NAMESIZE];

	if ((int)w->idx != app.bfd_owner) {
		/* BFD packets this worker receives go to the engine's lcore. */
		snprintf(name, sizeof(name), "ns_bfd_rx_%u", w->idx);
		w->to_bfd = rte_ring_create(name, HANDOFF_RING, rte_lcore_to_socket_id(w->lcore),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		return w->to_bfd != NULL ? 0 : -1;
	}
	n_config = app.cfg.n_bfd;
	for (uint32_t i = 0; i < n_config; i++)
		app.bfd_slot_state[i] = NS_BFD_SLOT_ADDING;
	w->bfd = rte_zmalloc("bfd", sizeof(*w->bfd), RTE_CACHE_LINE_SIZE);
	/* Replay: virtual time from the pcap, and a fixed jitter seed (deterministic output). */
	if (w->bfd == NULL || ns_bfd_init(w->bfd, app.cfg.bfd_max, &ops, w,
					      app.replay ? 0 : ns_now_ns()) != 0)
		return -1;
	w->bfd->virtual_time = app.replay;
	/* Replay: the sessions start with the capture's clock, at its first packet
	 * (ns_bfd_worker_poll), not at 0 with decades of timers to catch up. */
	if (!app.replay) {
		w->now_ns = ns_now_ns();
		add_sessions(w);
	}
	return 0;
}

void
ns_bfd_worker_fini(struct ns_worker *w)
{
	if (w->to_bfd != NULL) {
		struct rte_mbuf *m;

		while (rte_ring_dequeue(w->to_bfd, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->to_bfd);
		w->to_bfd = NULL;
	}
	if (w->bfd != NULL) {
		ns_bfd_fini(w->bfd);
		rte_free(w->bfd);
		w->bfd = NULL;
	}
}

static void
bfd_input(struct ns_worker *w, const uint8_t *frame, const struct ns_l4_info *l4)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(frame + l4->l3_off);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(frame + l4->l4_off);
	uint16_t ulen = rte_be_to_cpu_16(udp->dgram_len);

	if (ulen < sizeof(*udp) || ulen > l4->l4_len ||
			(udp->dgram_cksum != 0 && ns_ipv4_l4_cksum_verify(ip, udp) != 0)) {
		w->bfd->ctr[NS_BFD_C_rx_bad_udp]++;
		return;
	}
	ns_bfd_input(w->bfd, ip->dst_addr, ip->src_addr, ip->time_to_live,
			(const uint8_t *)(udp + 1), ulen - (uint32_t)sizeof(*udp), w->now_ns);
}

bool
ns_bfd_worker_rx(struct ns_worker *w, struct rte_mbuf *m, const struct ns_l4_info *l4, bool *taken)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(frame + l4->l4_off);

	*taken = false;
	if (l4->l4_len < sizeof(*udp) || udp->dst_port != RTE_BE16(NS_BFD_PORT))
		return false;
	if (w->bfd != NULL) {
		bfd_input(w, frame, l4);
		return true;
	}
	/* The offsets travel in the mbuf's (rx-unused) header length fields. */
	m->l2_len = l4->l3_off;
	m->l3_len = (uint16_t)(l4->l4_off - l4->l3_off);
	m->l4_len = 0;
	m->tso_segsz = l4->l4_len;
	if (rte_ring_enqueue(w->to_bfd, m) == 0) {
		w->dp_ctr[NS_DP_bfd_handoff]++;
		*taken = true;
	} else {
		w->dp_ctr[NS_DP_bfd_handoff_full]++;
	}
	return true;
}

uint32_t
ns_bfd_drain(struct ns_worker *w)
{
	uint32_t total = 0;

	for (uint32_t i = 0; i < app.n_loops; i++) {
		struct rte_ring *r = app.worker[i].to_bfd;
		struct rte_mbuf *m[32];
		unsigned int n;

		if (r == NULL)
			continue;
		n = rte_ring_dequeue_burst(r, (void **)m, RTE_DIM(m), NULL);
		for (unsigned int k = 0; k < n; k++) {
			if (ns_ovl_is_handoff(m[k])) { /* the ring carries the overlay's too */
				ns_ovl_input(w, m[k]);
				continue;
			}
			struct ns_l4_info l4 = {
					.proto = IPPROTO_UDP,
					.l3_off = m[k]->l2_len,
					.l4_off = (uint16_t)(m[k]->l2_len + m[k]->l3_len),
					.l4_len = m[k]->tso_segsz,
			};

			bfd_input(w, rte_pktmbuf_mtod(m[k], const uint8_t *), &l4);
			rte_pktmbuf_free(m[k]);
		}
		total += n; /* counted in dp.rx_packets by the worker that received them */
	}
	return total;
}

void
ns_bfd_worker_poll(struct ns_worker *w)
{
	if (w->bfd == NULL)
		return;
	if (!w->bfd_started)
		add_sessions(w);
	ns_bfd_timers(w->bfd, w->now_ns);
}

void
ns_bfd_worker_msg(struct ns_worker *w, const struct ns_wmsg *m)
{
	uint32_t i = m->knob;

	if (w->bfd == NULL || i >= NS_MAX_BFD)
		return;
	switch (m->type) {
	case NS_WMSG_BFD_ADD:
		slot_add(w, i);
		break;
	case NS_WMSG_BFD_DEL:
		ns_bfd_session_del(w->bfd, app.bfd_disc[i], w->now_ns);
		app.bfd_disc[i] = 0;
		__atomic_store_n(&app.bfd_slot_state[i], NS_BFD_SLOT_FREE, __ATOMIC_RELEASE);
		break;
	case NS_WMSG_BFD_SET:
		ns_bfd_session_set(w->bfd, app.bfd_disc[i], m->value * 1000, m->count * 1000,
				(uint8_t)m->size, w->now_ns);
		break;
	default:
		break;
	}
}

/* --- control path ------------------------------------------------------- */

static const struct ns_bfd *
engine(void)
{
	return app.worker != NULL ? app.worker[app.bfd_owner].bfd : NULL;
}

/* A consistent health entry of an active slot. */
bool
ns_bfd_slot_health(uint32_t i, struct ns_bfd_health *h)
{
	const struct ns_bfd *b = engine();

	return b != NULL &&
	       __atomic_load_n(&app.bfd_slot_state[i], __ATOMIC_ACQUIRE) == NS_BFD_SLOT_ACTIVE &&
	       ns_bfd_health_read(b, (app.bfd_disc[i] & ((1u << NS_BFD_IDX_BITS) - 1)) - 1, h);
}

static int
slot_by_name(const char *name)
{
	for (uint32_t i = 0; i < app.cfg.n_bfd; i++)
		if (app.bfd_slot_state[i] != NS_BFD_SLOT_FREE &&
				strcmp(app.cfg.bfd[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
ns_cmd_show_bfd_sessions(struct ns_out *o, int argc, char **argv)
{
	uint64_t now = ns_now_ns();

	(void)argv;
	ns_out_printf(o, "%-12s %-16s %-10s %-10s %-9s %-9s %4s %8s %9s %10s %10s\n", "session",
			"peer", "local-disc", "remote-dsc", "state", "remote", "diag", "tx-ms",
			"detect-ms", "rx", "last-rx-ms");
	for (uint32_t i = 0; i < app.cfg.n_bfd; i++) {
		const struct ns_bfd_cfg *k = &app.cfg.bfd[i];
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

void
ns_bfd_stats_sum(uint64_t out[NS_BFD_C__MAX])
{
	const struct ns_bfd *b = engine();

	memset(out, 0, sizeof(uint64_t) * NS_BFD_C__MAX);
	if (b != NULL)
		ns_ctr_accumulate(out, b->ctr, NS_BFD_C__MAX);
}

int
ns_cmd_show_bfd_stats(struct ns_out *o, int argc, char **argv)
{
	uint64_t v[NS_BFD_C__MAX];

	(void)argv;
	ns_bfd_stats_sum(v);
	ns_print_ctr_table(o, "bfd", ns_bfd_ctr_desc, v, NULL, NS_BFD_C__MAX, argc == 4);
	return 0;
}

static int
post(struct ns_out *o, struct ns_wmsg *m)
{
	struct ns_worker *w = &app.worker[app.bfd_owner];

	/* The control path runs on the engine's lcore (between its polls, or
	 * before its loop starts): apply the change here, in that thread. */
	if (w->lcore == rte_lcore_id()) {
		if (!app.replay)
			w->now_ns = ns_now_ns();
		ns_bfd_worker_msg(w, m);
		return 0;
	}
	if (ns_worker_post((uint32_t)app.bfd_owner, m) != 0) {
		ns_out_printf(o, "error: the BFD lcore's message ring is full\n");
		return -1;
	}
	return 0;
}

static bool
parse_ms(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	*out = strtoul(s, &end, 10);
	return *end == '\0' && *out >= lo && *out <= hi;
}

/* 'set bfd session NAME TX_MS RX_MS MULT': applied by the engine's lcore (Poll). */
int
ns_cmd_set_bfd_session(struct ns_out *o, int argc, char **argv)
{
	struct ns_wmsg m = {.type = NS_WMSG_BFD_SET};
	unsigned long tx, rx, mult;
	struct ns_bfd_cfg *k;
	int i;

	if (argc != 7) {
		ns_out_printf(o, "usage: set bfd session NAME TX_MS RX_MS MULTIPLIER\n");
		return -1;
	}
	if (!parse_ms(argv[4], 1, 60000, &tx) || !parse_ms(argv[5], 0, 60000, &rx) ||
			!parse_ms(argv[6], 1, 255, &mult)) {
		ns_out_printf(o, "error: intervals 1..60000 ms (rx 0..60000), multiplier 1..255\n");
		return -1;
	}
	i = slot_by_name(argv[3]);
	if (i < 0) {
		ns_out_printf(o, "error: no BFD session '%s'\n", argv[3]);
		return -1;
	}
	k = &app.cfg.bfd[i];
	k->tx_ms = (uint32_t)tx;
	k->rx_ms = (uint32_t)rx;
	k->multiplier = (uint8_t)mult;
	m.knob = (uint32_t)i;
	m.value = (uint32_t)tx;
	m.count = (uint32_t)rx;
	m.size = (uint16_t)mult;
	if (post(o, &m) != 0)
		return -1;
	ns_out_printf(o, "bfd %s: tx %lu ms rx %lu ms multiplier %lu (Poll sequence)\n", k->name,
			tx, rx, mult);
	return 0;
}

/*
 * 'bfd session add NAME peer A.B.C.D [local A.B.C.D] [tx MS] [rx MS]
 * [multiplier N] [passive] [auth TYPE key KEY [key-id N]]'
 */
int
ns_cmd_bfd_session_add(struct ns_out *o, int argc, char **argv)
{
	struct ns_wmsg m = {.type = NS_WMSG_BFD_ADD};
	const char *auth = NULL, *key = NULL, *why, *what;
	unsigned long v, key_id = 1;
	struct ns_bfd_cfg k = {.tx_ms = 300, .rx_ms = 300, .multiplier = 3};
	struct in_addr a;
	uint32_t slot;

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
	for (int i = 4; i < argc; i++) {
		const char *w = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(w, "passive") == 0) {
			k.passive = true;
			continue;
		}
		if (val == NULL) {
			ns_out_printf(o, "error: '%s' needs a value\n", w);
			return -1;
		}
		i++;
		if (strcmp(w, "peer") == 0 || strcmp(w, "local") == 0) {
			if (inet_pton(AF_INET, val, &a) != 1) {
				ns_out_printf(o, "error: %s: '%s' is not an IPv4 address\n", w,
						val);
				return -1;
			}
			*(w[0] == 'p' ? &k.peer : &k.local) = a.s_addr;
		} else if (strcmp(w, "tx") == 0 && parse_ms(val, 1, 60000, &v)) {
			k.tx_ms = (uint32_t)v;
		} else if (strcmp(w, "rx") == 0 && parse_ms(val, 0, 60000, &v)) {
			k.rx_ms = (uint32_t)v;
		} else if (strcmp(w, "multiplier") == 0 && parse_ms(val, 1, 255, &v)) {
			k.multiplier = (uint8_t)v;
		} else if (strcmp(w, "auth") == 0) {
			auth = val;
		} else if (strcmp(w, "key") == 0) {
			key = val;
		} else if (strcmp(w, "key-id") == 0 && parse_ms(val, 0, 255, &key_id)) {
		} else {
			ns_out_printf(o,
					"error: '%s %s': expected peer, local, tx (1..60000 ms), "
					"rx "
					"(0..60000 ms), multiplier (1..255), passive, auth, key, "
					"key-id (0..255)\n",
					w, val);
			return -1;
		}
	}
	if (k.peer == 0) {
		ns_out_printf(o, "error: 'peer A.B.C.D' is required\n");
		return -1;
	}
	/* Slots the engine released are the control path's again: forget them. */
	for (uint32_t i = 0; i < app.cfg.n_bfd; i++)
		if (__atomic_load_n(&app.bfd_slot_state[i], __ATOMIC_ACQUIRE) == NS_BFD_SLOT_FREE)
			app.cfg.bfd[i].name[0] = '\0';
	if (auth != NULL || key != NULL) {
		why = ns_bfd_auth_from_words(
				auth != NULL ? auth : "?", key, (uint32_t)key_id, &k.auth);
		if (why != NULL) {
			ns_out_printf(o, "error: auth: %s\n", why);
			return -1;
		}
	}
	why = ns_bfd_cfg_resolve(&app.cfg, &k, app.cfg.n_bfd, &what);
	if (why != NULL) {
		ns_out_printf(o, "error: %s: %s\n", what, why);
		return -1;
	}
	for (slot = 0; slot < app.cfg.bfd_max; slot++)
		if (__atomic_load_n(&app.bfd_slot_state[slot], __ATOMIC_ACQUIRE) ==
				NS_BFD_SLOT_FREE)
			break;
	if (slot == app.cfg.bfd_max) {
		ns_out_printf(o, "error: %u BFD sessions exist ([global] bfd_max_sessions)\n",
				app.cfg.bfd_max);
		return -1;
	}
	app.cfg.bfd[slot] = k;
	app.bfd_slot_state[slot] = NS_BFD_SLOT_ADDING;
	if (slot >= app.cfg.n_bfd)
		app.cfg.n_bfd = slot + 1;
	m.knob = slot;
	if (post(o, &m) != 0) {
		app.bfd_slot_state[slot] = NS_BFD_SLOT_FREE;
		return -1;
	}
	/* The engine's lcore answers within a pass of its loop. */
	for (int t = 0; t < 10000 && __atomic_load_n(&app.bfd_slot_state[slot], __ATOMIC_ACQUIRE) ==
						     NS_BFD_SLOT_ADDING;
			t++)
		rte_delay_us_sleep(100);
	switch (__atomic_load_n(&app.bfd_slot_state[slot], __ATOMIC_ACQUIRE)) {
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

int
ns_cmd_bfd_session_del(struct ns_out *o, int argc, char **argv)
{
	struct ns_wmsg m = {.type = NS_WMSG_BFD_DEL};
	int i = slot_by_name(argv[3]);

	(void)argc;
	if (i < 0 || app.bfd_slot_state[i] != NS_BFD_SLOT_ACTIVE) {
		ns_out_printf(o, "error: no BFD session '%s'%s\n", argv[3],
				i >= 0 ? " ready (being added or deleted)" : "");
		return -1;
	}
	app.bfd_slot_state[i] = NS_BFD_SLOT_DELETING;
	m.knob = (uint32_t)i;
	if (post(o, &m) != 0) {
		app.bfd_slot_state[i] = NS_BFD_SLOT_ACTIVE;
		return -1;
	}
	ns_out_printf(o, "bfd %s: deleted\n", argv[3]);
	return 0;
}

/* Telemetry /nonstop/bfd/sessions: one dict per session, from the health table. */
int
ns_bfd_telemetry(struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (uint32_t i = 0; i < app.cfg.n_bfd; i++) {
		const struct ns_bfd_cfg *k = &app.cfg.bfd[i];
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
