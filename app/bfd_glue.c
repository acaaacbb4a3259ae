/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BFD engine (lib/bfd) at the DPDK edge: worker 0 owns it (the lcore
 * that polls queue 0 of every port in the configurations tests and
 * operators use today; the dedicated fast-path lcore is planned), receives
 * UDP 3784 there, runs its timers every pass, and sends control packets as
 * IPv4/UDP with TTL 255 and a source port in 49152-65535 (RFC 5881 4).
 */
#include <arpa/inet.h>
#include <inttypes.h>

#include <rte_malloc.h>
#include <rte_telemetry.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "app.h"
#include "control.h"
#include "ns_cksum.h"

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

static void
bfd_changed(void *user, const struct ns_bfd_session *s, uint8_t old)
{
	const struct ns_bfd_cfg *k = s->cfg.user;

	(void)user;
	NS_LOGT(app, INFO, "bfd %s: %s -> %s (diag %u)", k->name, ns_bfd_state_name(old),
			ns_bfd_state_name(s->state), s->local_diag);
}

static int
add_sessions(struct ns_worker *w, uint64_t now)
{
	for (uint16_t i = 0; i < app.cfg.n_bfd; i++) {
		const struct ns_bfd_cfg *k = &app.cfg.bfd[i];
		struct ns_bfd_session_cfg sc = {
				.laddr = k->local,
				.raddr = k->peer,
				.desired_min_tx_us = k->tx_ms * 1000,
				.required_min_rx_us = k->rx_ms * 1000,
				.detect_mult = k->multiplier,
				.passive = k->passive,
				.user = (void *)(uintptr_t)k,
		};

		app.bfd_disc[i] = ns_bfd_session_add(w->bfd, &sc, now);
		if (app.bfd_disc[i] == 0)
			return -1;
	}
	w->bfd_started = true;
	return 0;
}

int
ns_bfd_worker_init(struct ns_worker *w)
{
	static const struct ns_bfd_ops ops = {bfd_xmit, bfd_changed};

	if (w != &app.worker[0] || app.cfg.n_bfd == 0)
		return 0;
	w->bfd = rte_zmalloc("bfd", sizeof(*w->bfd), RTE_CACHE_LINE_SIZE);
	/* Replay: virtual time from the pcap, and a fixed jitter seed (deterministic output). */
	if (w->bfd == NULL ||
			ns_bfd_init(w->bfd, NS_MAX_BFD, &ops, w, app.replay ? 0 : ns_now_ns()) != 0)
		return -1;
	/* Replay: the sessions start with the capture's clock, at its first packet
	 * (ns_bfd_worker_poll), not at 0 with decades of timers to catch up. */
	return app.replay ? 0 : add_sessions(w, ns_now_ns());
}

void
ns_bfd_worker_fini(struct ns_worker *w)
{
	if (w->bfd != NULL) {
		ns_bfd_fini(w->bfd);
		rte_free(w->bfd);
		w->bfd = NULL;
	}
}

/* A UDP datagram for us: BFD control (3784) goes to the engine. */
bool
ns_bfd_worker_rx(struct ns_worker *w, const uint8_t *frame, const struct ns_l4_info *l4)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(frame + l4->l3_off);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(frame + l4->l4_off);
	uint16_t ulen;

	if (l4->l4_len < sizeof(*udp) || udp->dst_port != RTE_BE16(NS_BFD_PORT))
		return false;
	if (w->bfd == NULL)
		return false;
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (ulen < sizeof(*udp) || ulen > l4->l4_len ||
			(udp->dgram_cksum != 0 && ns_ipv4_l4_cksum_verify(ip, udp) != 0)) {
		w->bfd->ctr[NS_BFD_C_rx_bad_udp]++;
		return true;
	}
	ns_bfd_input(w->bfd, ip->dst_addr, ip->src_addr, ip->time_to_live,
			(const uint8_t *)(udp + 1), ulen - (uint32_t)sizeof(*udp), w->now_ns);
	return true;
}

void
ns_bfd_worker_poll(struct ns_worker *w)
{
	if (w->bfd == NULL)
		return;
	if (!w->bfd_started && add_sessions(w, w->now_ns) != 0)
		NS_LOGT(app, ERR, "bfd: sessions could not be created");
	ns_bfd_timers(w->bfd, w->now_ns);
}

/* --- control path ------------------------------------------------------- */

static const struct ns_bfd *
engine(void)
{
	return app.worker != NULL ? app.worker[0].bfd : NULL;
}

int
ns_cmd_show_bfd_sessions(struct ns_out *o, int argc, char **argv)
{
	const struct ns_bfd *b = engine();
	uint64_t now = ns_now_ns();

	(void)argv;
	ns_out_printf(o, "%-12s %-16s %-10s %-10s %-9s %-9s %4s %8s %9s %10s %10s\n", "session",
			"peer", "local-disc", "remote-dsc", "state", "remote", "diag", "tx-ms",
			"detect-ms", "rx", "last-rx-ms");
	for (uint16_t i = 0; b != NULL && i < app.cfg.n_bfd; i++) {
		const struct ns_bfd_cfg *k = &app.cfg.bfd[i];
		struct ns_bfd_health h;
		char peer[INET_ADDRSTRLEN];

		if (!ns_bfd_health_read(
				    b, (app.bfd_disc[i] & ((1u << NS_BFD_IDX_BITS) - 1)) - 1, &h))
			continue;
		inet_ntop(AF_INET, &k->peer, peer, sizeof(peer));
		ns_out_printf(o,
				"%-12s %-16s %-10u %-10u %-9s %-9s %4u %8.1f %9.1f %10" PRIu64
				" %10.1f\n",
				k->name, peer, h.local_disc, h.remote_disc,
				ns_bfd_state_name(h.state), ns_bfd_state_name(h.remote_state),
				h.local_diag, h.tx_interval_us / 1e3, h.detect_time_us / 1e3, h.rx,
				h.last_rx_ns ? (now - h.last_rx_ns) / 1e6 : -1.0);
		if (argc == 4)
			ns_out_printf(o,
					"    remote: min-rx %u us, min-tx %u us, mult %u; ups %u "
					"downs %u tx "
					"%" PRIu64 "\n",
					h.remote_min_rx_us, h.remote_min_tx_us, h.remote_mult,
					h.ups, h.downs, h.tx);
	}
	return 0;
}

/* Health per peer, as the control plane derives it from the health table. */
int
ns_cmd_show_health(struct ns_out *o, int argc, char **argv)
{
	const struct ns_bfd *b = engine();
	uint64_t now = ns_now_ns();

	(void)argc, (void)argv;
	ns_out_printf(o, "%-12s %-16s %-8s %12s %10s\n", "session", "peer", "health", "since-s",
			"flaps");
	for (uint16_t i = 0; b != NULL && i < app.cfg.n_bfd; i++) {
		const struct ns_bfd_cfg *k = &app.cfg.bfd[i];
		struct ns_bfd_health h;
		char peer[INET_ADDRSTRLEN];

		if (!ns_bfd_health_read(
				    b, (app.bfd_disc[i] & ((1u << NS_BFD_IDX_BITS) - 1)) - 1, &h))
			continue;
		inet_ntop(AF_INET, &k->peer, peer, sizeof(peer));
		ns_out_printf(o, "%-12s %-16s %-8s %12.1f %10u\n", k->name, peer,
				h.state == NS_BFD_UP ? "up" : "down",
				(now - h.last_change_ns) / 1e9, h.downs);
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

/* 'set bfd session NAME TX_MS RX_MS MULT': applied by the engine's worker (Poll). */
int
ns_cmd_set_bfd_session(struct ns_out *o, int argc, char **argv)
{
	struct ns_wmsg m = {.type = NS_WMSG_BFD_SET};
	unsigned long tx, rx, mult;

	if (argc != 7) {
		ns_out_printf(o, "usage: set bfd session NAME TX_MS RX_MS MULTIPLIER\n");
		return -1;
	}
	tx = strtoul(argv[4], NULL, 10);
	rx = strtoul(argv[5], NULL, 10);
	mult = strtoul(argv[6], NULL, 10);
	if (tx < 1 || tx > 60000 || rx > 60000 || mult < 1 || mult > 255) {
		ns_out_printf(o, "error: intervals 1..60000 ms (rx 0..60000), multiplier 1..255\n");
		return -1;
	}
	for (uint16_t i = 0; i < app.cfg.n_bfd; i++) {
		struct ns_bfd_cfg *k = &app.cfg.bfd[i];

		if (strcmp(k->name, argv[3]) != 0)
			continue;
		k->tx_ms = (uint32_t)tx;
		k->rx_ms = (uint32_t)rx;
		k->multiplier = (uint8_t)mult;
		m.knob = app.bfd_disc[i];
		m.value = (uint32_t)tx;
		m.count = (uint32_t)rx;
		m.size = (uint16_t)mult;
		if (ns_worker_post(0, &m) != 0) {
			ns_out_printf(o, "error: worker 0's message ring is full\n");
			return -1;
		}
		ns_out_printf(o, "bfd %s: tx %lu ms rx %lu ms multiplier %lu (Poll sequence)\n",
				k->name, tx, rx, mult);
		return 0;
	}
	ns_out_printf(o, "error: no BFD session '%s'\n", argv[3]);
	return -1;
}

void
ns_bfd_worker_msg(struct ns_worker *w, const struct ns_wmsg *m)
{
	if (w->bfd != NULL)
		ns_bfd_session_set(w->bfd, m->knob, m->value * 1000, m->count * 1000,
				(uint8_t)m->size, w->now_ns);
}

/* Telemetry /nonstop/bfd/sessions: one dict per session, from the health table. */
int
ns_bfd_telemetry(struct rte_tel_data *d)
{
	const struct ns_bfd *b = engine();

	rte_tel_data_start_dict(d);
	for (uint16_t i = 0; b != NULL && i < app.cfg.n_bfd; i++) {
		const struct ns_bfd_cfg *k = &app.cfg.bfd[i];
		uint32_t idx = (app.bfd_disc[i] & ((1u << NS_BFD_IDX_BITS) - 1)) - 1;
		struct rte_tel_data *c;
		struct ns_bfd_health h;
		char peer[INET_ADDRSTRLEN];

		if (!ns_bfd_health_read(b, idx, &h))
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
		rte_tel_data_add_dict_container(d, k->name, c, 0);
	}
	return 0;
}
