/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multicast membership service, DPDK glue of lib/igmp: one IGMPv3
 * host interface per port with 'igmp = true', owned by the worker that owns
 * the port's queue 0 (where its ARP lands): received IGMP goes to it, its
 * reports leave from it, and the control path's joins and leaves reach it
 * as worker messages.  'show mcast groups' reads the tables as snapshots.
 *
 * A port with 'querier = true' also runs the router side (lib/igmp
 * querier): queries, the clients' memberships with RFC 3376 timers.  Its
 * state is published under a seqlock after each change (and each second):
 * 'show mcast querier' and the overlay's last hop (the members of a
 * session's group are its clients) read that copy, never the live one.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <rte_seqlock.h>

#include "app.h"
#include "control.h"
#include "feature.h"
#include "igmp/ns_igmp.h"
#include "igmp/ns_igmp_querier.h"
#include "mcast.h"

#define TICK_NS	   5000000ull
#define PUBLISH_NS 1000000000ull

struct mc_port {
	struct ns_igmp_if ifc;
	uint16_t port;
	bool on;
	uint64_t next_tick_ns;
	uint64_t not_owner; /* IGMP received by another worker: not handled */
	bool querier;
	bool dirty; /* changed since the last publish */
	uint64_t published_ns;
	struct ns_igmpq q;
};

/* The querier's state as the control path and the overlay read it. */
struct mc_pub {
	rte_seqlock_t sl;
	struct ns_igmpq q;
} __rte_cache_aligned;

static struct mc_pub pub[NS_MAX_PORTS];

struct mc_req {
	uint16_t port;
	uint32_t group, app_id;
	uint8_t mode, n;
	uint32_t src[NS_IGMP_MAX_SRC];
};

static struct mc_port mc[NS_MAX_PORTS];
static uint16_t n_on; /* ports with igmp or a querier: none, and the poll costs nothing */

static void
mc_xmit(void *user, const uint8_t *ip, uint32_t len)
{
	struct mc_port *m = user;
	int o = ns_worker_of_port(m->port);
	struct rte_mbuf *b;
	struct rte_ether_hdr *eth;

	if (o < 0 || (b = rte_pktmbuf_alloc(app.pool)) == NULL)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(b, (uint16_t)(sizeof(*eth) + len));
	if (eth == NULL) {
		rte_pktmbuf_free(b);
		return;
	}
	/* RFC 1112 6.4: 01:00:5e and the group's low 23 bits */
	eth->dst_addr = (struct rte_ether_addr){{0x01, 0x00, 0x5e, ip[17] & 0x7f, ip[18], ip[19]}};
	eth->src_addr = app.port[m->port].mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memcpy(eth + 1, ip, len);
	ns_worker_tx(&app.worker[o], m->port, b);
}

static void
publish(struct mc_port *m, uint64_t now)
{
	struct mc_pub *pb = &pub[m->port];

	rte_seqlock_write_lock(&pb->sl);
	pb->q = m->q;
	rte_seqlock_write_unlock(&pb->sl);
	m->published_ns = now;
	m->dirty = false;
}

/* A membership changed: published once the packet or the tick that
 * changed it is done (not per record). */
static void
q_changed(void *user)
{
	((struct mc_port *)user)->dirty = true;
}

static bool
mcast_enabled(void)
{
	for (uint16_t p = 0; p < app.cfg.n_ports; p++)
		if (app.cfg.port[p].igmp || app.cfg.port[p].querier)
			return true;
	return false;
}

static int
mcast_init(void)
{
	static const struct ns_igmp_ops ops = {mc_xmit};
	static const struct ns_igmpq_ops qops = {mc_xmit, q_changed};

	for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
		const struct ns_port_cfg *pc = &app.cfg.port[p];

		if (!pc->igmp && !pc->querier)
			continue;
		if (pc->ip == 0) {
			NS_LOGT(app, ERR, "port %s: igmp and querier need an address", pc->name);
			return -1;
		}
		mc[p].port = p;
		/* Replay: a fixed seed, the report delays are the same every run. */
		ns_igmp_init(&mc[p].ifc, pc->ip, &ops, &mc[p],
				app.replay ? p + 1u : rte_rdtsc() ^ p);
		mc[p].on = pc->igmp;
		rte_seqlock_init(&pub[p].sl);
		if (pc->querier) {
			/* Replay: the clock starts at the first packet (the first poll). */
			ns_igmpq_init(&mc[p].q, pc->ip, &qops, &mc[p], pc->q_robustness,
					pc->q_interval_ms, pc->q_response_ms, pc->q_last_member_ms,
					app.replay ? UINT64_MAX : ns_now_ns());
			mc[p].querier = true;
			publish(&mc[p], 0);
		}
		n_on++;
		rte_eth_allmulticast_enable(app.port[p].port_id);
	}
	return 0;
}

/* The workers' host stacks pass IGMP on for these ports. */
static int
mcast_worker_init(struct ns_worker *w)
{
	for (uint16_t p = 0; p < app.cfg.n_ports; p++)
		if (app.cfg.port[p].igmp || app.cfg.port[p].querier)
			w->host[p].igmp = true;
	return 0;
}

static enum ns_rx
mcast_rx(struct ns_worker *w, uint16_t port, struct rte_mbuf *mb, const struct ns_l4_info *l4)
{
	const uint8_t *ip = rte_pktmbuf_mtod(mb, const uint8_t *) + l4->l3_off;
	uint32_t len = (uint32_t)(l4->l4_off - l4->l3_off + l4->l4_len);

	w->dp_ctr[NS_DP_igmp_rx]++;
	if (port >= NS_MAX_PORTS || (!mc[port].on && !mc[port].querier))
		return NS_RX_FREE;
	if (ns_worker_of_port(port) != (int)w->idx) {
		mc[port].not_owner++;
		return NS_RX_FREE;
	}
	if (mc[port].on)
		ns_igmp_input(&mc[port].ifc, ip, len, w->now_ns);
	if (mc[port].querier) {
		ns_igmpq_input(&mc[port].q, ip, len, w->now_ns);
		if (mc[port].dirty) /* the readers (the overlay's clients) see it at once */
			publish(&mc[port], mc[port].published_ns);
	}
	return NS_RX_FREE;
}

/* The membership service's counters (plain fields of lib/igmp), summed
 * over the ports: host side igmp.*, querier side igmpq.*.  At exit, once
 * the workers are joined. */
#define IGMP_IF_CTRS(X)     \
	X(reports_sent)     \
	X(records_sent)     \
	X(queries_heard)    \
	X(v2_queries_heard) \
	X(bad_packets)
#define IGMPQ_CTRS(X)     \
	X(general_sent)   \
	X(specific_sent)  \
	X(reports)        \
	X(records)        \
	X(v1v2_reports)   \
	X(leaves)         \
	X(bad)            \
	X(expired)        \
	X(elections_lost) \
	X(table_full)

static void
mcast_dump_counters(struct ns_out *o)
{
#define X(f) uint64_t f = 0;
	IGMP_IF_CTRS(X)
	IGMPQ_CTRS(X)
#undef X
	uint64_t not_owner = 0;

	if (n_on == 0)
		return;
	for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
		const struct mc_port *m = &mc[p];

		not_owner += m->not_owner;
#define X(f) f += m->ifc.f;
		IGMP_IF_CTRS(X)
#undef X
#define X(f) f += m->q.f;
		IGMPQ_CTRS(X)
#undef X
	}
#define X(f) ns_out_printf(o, "igmp.%s %" PRIu64 "\n", #f, f);
	IGMP_IF_CTRS(X)
#undef X
	ns_out_printf(o, "igmp.not_owner %" PRIu64 "\n", not_owner);
#define X(f) ns_out_printf(o, "igmpq.%s %" PRIu64 "\n", #f, f);
	IGMPQ_CTRS(X)
#undef X
}

static void
mcast_poll(struct ns_worker *w)
{
	if (n_on == 0 || (app.replay && w->now_ns == 0)) /* replay: from the first packet */
		return;
	for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
		struct mc_port *m = &mc[p];

		if ((!m->on && !m->querier) || w->now_ns < m->next_tick_ns ||
				ns_worker_of_port(p) != (int)w->idx)
			continue;
		m->next_tick_ns = w->now_ns + TICK_NS;
		if (m->on)
			ns_igmp_tick(&m->ifc, w->now_ns);
		if (!m->querier)
			continue;
		if (m->q.next_query == UINT64_MAX) /* replay: started by the first packet */
			m->q.next_query = w->now_ns;
		ns_igmpq_tick(&m->q, w->now_ns);
		if (m->dirty || w->now_ns - m->published_ns >= PUBLISH_NS) /* and counters */
			publish(m, w->now_ns);
	}
}

/* The message's body: a membership change, freed by the worker. */
struct req_msg {
	struct mc_req *q;
};

static void
mcast_msg(struct ns_worker *w, const struct ns_wmsg *m)
{
	struct mc_req *q = NS_WMSG_BODY(m, const struct req_msg)->q;

	if (q->port < NS_MAX_PORTS && mc[q->port].on &&
			ns_igmp_set(&mc[q->port].ifc, q->app_id, q->group, q->mode, q->src, q->n,
					w->now_ns) != 0)
		NS_LOGT(app, WARNING, "mcast: port %s: the group table is full",
				app.cfg.port[q->port].name);
	free(q);
}

uint32_t
ns_mcast_members_gen(uint16_t port)
{
	return port < NS_MAX_PORTS ? rte_seqlock_read_begin(&pub[port].sl) : 0;
}

uint32_t
ns_mcast_members(uint16_t port, uint32_t group, uint32_t *hosts, uint32_t max)
{
	const struct mc_pub *pb = &pub[port];
	uint32_t sn, n;

	if (port >= NS_MAX_PORTS || !mc[port].querier)
		return 0;
	do {
		const struct ns_igmpq_group *g;

		sn = rte_seqlock_read_begin(&pb->sl);
		g = ns_igmpq_group(&pb->q, group);
		n = g != NULL ? RTE_MIN((uint32_t)g->n_hosts, max) : 0;
		if (n != 0)
			memcpy(hosts, g->host, n * sizeof(*hosts));
	} while (rte_seqlock_read_retry(&pb->sl, sn));
	return n;
}

/* --- commands ----------------------------------------------------------------- */

static int
port_arg(struct ns_out *o, const char *name)
{
	for (uint16_t p = 0; p < app.cfg.n_ports; p++)
		if (!strcmp(app.cfg.port[p].name, name)) {
			if (!mc[p].on) {
				ns_out_printf(o, "error: port %s has no igmp (set igmp = true)\n",
						name);
				return -1;
			}
			return p;
		}
	ns_out_printf(o, "error: no port named %s\n", name);
	return -1;
}

static int
post(struct ns_out *o, struct mc_req *q)
{
	int w = ns_worker_of_port(q->port);
	struct req_msg m;
	struct mc_req *heap;

	if (w < 0 || (heap = malloc(sizeof(*heap))) == NULL) {
		ns_out_printf(o, "error: no worker owns the port\n");
		return -1;
	}
	*heap = *q;
	m.q = heap;
	if (ns_feature_post(&ns_feature_mcast, (uint32_t)w, 0, &m, sizeof(m)) != 0) {
		free(heap);
		ns_out_printf(o, "error: the worker's queue is full, try again\n");
		return -1;
	}
	return 0;
}

int
ns_mcast_app_set(uint16_t port, uint32_t group, uint32_t app_id, bool join)
{
	struct mc_req q = {.port = port,
			.group = group,
			.app_id = app_id,
			.mode = join ? NS_IGMP_EXCLUDE : NS_IGMP_INCLUDE};
	struct ns_out o = {0};
	int rc;

	if (port >= NS_MAX_PORTS || !mc[port].on)
		return -1;
	rc = post(&o, &q);
	if (rc != 0)
		NS_LOG(ERR, "mcast: port %s: %.*s", app.cfg.port[port].name, (int)o.len, o.buf);
	ns_out_free(&o);
	return rc;
}

/* mcast join|leave <port> <group>
 * mcast app <n> join|leave <port> <group>
 * mcast app <n> include|exclude <port> <group> [<sources>] */
static int
cmd_mcast(struct ns_out *o, int argc, char **argv)
{
	struct mc_req q = {0};
	struct in_addr a;
	int i = 1, p;
	const char *mode, *gname;

	if (!strcmp(argv[i], "app")) {
		char *end;
		unsigned long v = strtoul(argv[i + 1], &end, 10);

		if (*end != '\0' || v > UINT32_MAX) {
			ns_out_printf(o, "error: '%s' is not an application number\n", argv[i + 1]);
			return -1;
		}
		q.app_id = (uint32_t)v;
		i += 2;
	}
	mode = argv[i++];
	p = port_arg(o, argv[i++]);
	if (p < 0)
		return -1;
	q.port = (uint16_t)p;
	if (inet_pton(AF_INET, argv[i], &a) != 1 || (rte_be_to_cpu_32(a.s_addr) >> 28) != 0xe) {
		ns_out_printf(o, "error: '%s' is not an IPv4 multicast group\n", argv[i]);
		return -1;
	}
	q.group = a.s_addr;
	gname = argv[i++];
	q.mode = !strcmp(mode, "join") || !strcmp(mode, "exclude") ? NS_IGMP_EXCLUDE
								   : NS_IGMP_INCLUDE;
	if (i < argc) {
		char list[256], *save = NULL;

		snprintf(list, sizeof(list), "%s", argv[i]);
		for (char *s = strtok_r(list, ",", &save); s != NULL;
				s = strtok_r(NULL, ",", &save)) {
			if (q.n == NS_IGMP_MAX_SRC || inet_pton(AF_INET, s, &a) != 1) {
				ns_out_printf(o,
						"error: sources: at most %d IPv4 addresses, "
						"a,b,c\n",
						NS_IGMP_MAX_SRC);
				return -1;
			}
			q.src[q.n++] = a.s_addr;
		}
	}
	if (post(o, &q) != 0)
		return -1;
	ns_out_printf(o, "%s %s on %s (application %u)\n", mode, gname, app.cfg.port[p].name,
			q.app_id);
	return 0;
}

static const char *
mode_name(uint8_t m)
{
	return m == NS_IGMP_EXCLUDE ? "EXCLUDE" : "INCLUDE";
}

static void
addr_list(char *buf, size_t len, const uint32_t *a, uint32_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (uint32_t k = 0; k < n && used + 17 < len; k++) {
		char s[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &a[k], s, sizeof(s));
		used += (size_t)snprintf(buf + used, len - used, "%s%s", k ? "," : "", s);
	}
	if (used == 0)
		snprintf(buf, len, "-");
}

static int
cmd_show_mcast_querier(struct ns_out *o, int argc, char **argv)
{
	static struct ns_igmpq q; /* the control path's copy (one thread) */
	uint64_t now = ns_now_ns();
	bool any = false;

	(void)argc, (void)argv;
	for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
		char a[INET_ADDRSTRLEN];
		uint32_t sn;

		if (!mc[p].querier)
			continue;
		any = true;
		do {
			sn = rte_seqlock_read_begin(&pub[p].sl);
			q = pub[p].q;
		} while (rte_seqlock_read_retry(&pub[p].sl, sn));
		if (q.querier)
			ns_out_printf(o, "port %s: querier (us)", app.cfg.port[p].name);
		else
			ns_out_printf(o, "port %s: not the querier: %s is, for %.1f s more",
					app.cfg.port[p].name,
					inet_ntop(AF_INET, &q.other, a, sizeof(a)),
					q.other_until > now ? (q.other_until - now) / 1e9 : 0.0);
		ns_out_printf(o,
				", robustness %u, query interval %u ms, response %u ms, last "
				"member "
				"%u ms x %u, GMI %.1f s\n  general queries %" PRIu64
				", group-specific %" PRIu64 ", reports %" PRIu64 " (%" PRIu64
				" records), v1/v2 reports %" PRIu64 ", v2 leaves %" PRIu64
				", expired %" PRIu64 ", bad %" PRIu64 ", table full %" PRIu64 "\n",
				q.robustness, q.qi_ms, q.qri_ms, q.lmqi_ms, q.lmqc,
				ns_igmpq_gmi(&q) / 1e9, q.general_sent, q.specific_sent, q.reports,
				q.records, q.v1v2_reports, q.leaves, q.expired, q.bad,
				q.table_full);
		ns_out_printf(o, "  %-16s %-8s %8s %-3s %-32s %s\n", "group", "mode", "timer_s",
				"v2", "sources (timer_s, x: excluded)", "hosts");
		for (int k = 0; k < NS_IGMPQ_MAX_GROUPS; k++) {
			const struct ns_igmpq_group *g = &q.g[k];
			char gs[INET_ADDRSTRLEN],
					src[NS_IGMPQ_MAX_SRC * 24 + 2] = "-",
								    hosts[NS_IGMPQ_MAX_HOSTS * 16 +
										    2];
			size_t used = 0;

			if (g->group == 0)
				continue;
			inet_ntop(AF_INET, &g->group, gs, sizeof(gs));
			for (int s = 0; s < g->n_src && used + 25 < sizeof(src); s++) {
				char sa[INET_ADDRSTRLEN];

				inet_ntop(AF_INET, &g->src[s].addr, sa, sizeof(sa));
				if (g->src[s].until == 0)
					used += (size_t)snprintf(src + used, sizeof(src) - used,
							"%s%s(x)", s ? "," : "", sa);
				else
					used += (size_t)snprintf(src + used, sizeof(src) - used,
							"%s%s(%.1f)", s ? "," : "", sa,
							g->src[s].until > now
									? (g->src[s].until - now) /
											  1e9
									: 0.0);
			}
			addr_list(hosts, sizeof(hosts), g->host, g->n_hosts);
			ns_out_printf(o, "  %-16s %-8s %8.1f %-3s %-32s %s\n", gs,
					mode_name(g->mode),
					g->mode == NS_IGMP_EXCLUDE && g->group_until > now
							? (g->group_until - now) / 1e9
							: 0.0,
					g->v2_until > now ? "yes" : "no", src, hosts);
		}
	}
	if (!any)
		ns_out_printf(o, "no port is a querier (querier = true in [port.NAME])\n");
	return 0;
}

static int
cmd_show_mcast(struct ns_out *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	for (uint16_t p = 0; p < app.cfg.n_ports; p++) {
		const struct ns_igmp_if *i = &mc[p].ifc;
		uint64_t now = ns_now_ns();

		if (!mc[p].on)
			continue;
		ns_out_printf(o,
				"port %s: IGMPv%d, reports %" PRIu64 " (%" PRIu64
				" records), queries heard %" PRIu64 " (v1/v2 %" PRIu64
				"), bad %" PRIu64 ", not on the owner %" PRIu64 "\n",
				app.cfg.port[p].name, i->v2_until_ns > now ? 2 : 3, i->reports_sent,
				i->records_sent, i->queries_heard, i->v2_queries_heard,
				i->bad_packets, mc[p].not_owner);
		ns_out_printf(o, "  %-16s %-8s %5s %s\n", "group", "mode", "apps", "sources");
		for (int k = 0; k < NS_IGMP_MAX_GROUPS; k++) {
			const struct ns_igmp_group *g = &i->g[k];
			char gs[INET_ADDRSTRLEN], src[NS_IGMP_MAX_SRC * 16 + 1] = "";
			size_t used = 0;

			if (g->group == 0 || (g->state.mode == NS_IGMP_INCLUDE && g->state.n == 0))
				continue;
			inet_ntop(AF_INET, &g->group, gs, sizeof(gs));
			for (uint8_t s = 0; s < g->state.n && used + 17 < sizeof(src); s++) {
				char a[INET_ADDRSTRLEN];

				inet_ntop(AF_INET, &g->state.src[s], a, sizeof(a));
				used += (size_t)snprintf(src + used, sizeof(src) - used, "%s%s",
						s ? "," : "", a);
			}
			ns_out_printf(o, "  %-16s %-8s %5u %s\n", gs, mode_name(g->state.mode),
					g->n_apps, used ? src : "-");
		}
	}
	return 0;
}

static const struct ns_cmd cmds[] = {
		{"mcast join|leave <port> <group>", "Control",
				"the console (application 0) joins or leaves an IPv4 group on a "
				"port "
				"with igmp = true (IGMPv3 reports on the first join and last "
				"leave)",
				cmd_mcast},
		{"mcast app <n> join|leave|include|exclude <port> <group>", "Control",
				"application n's filter on the group (join = exclude {}, leave = "
				"include {})",
				cmd_mcast},
		{"mcast app <n> include|exclude <port> <group> <sources>", "Control",
				"application n's source filter (sources: a,b,c)", cmd_mcast},
		{"show mcast groups", "Display",
				"per port: IGMP version, reports, queries; the groups' merged "
				"state",
				cmd_show_mcast},
		{"show mcast querier", "Display",
				"per querier port: who queries, timers, counters; each group's "
				"mode, timer, sources and member hosts (RFC 3376 router side)",
				cmd_show_mcast_querier},
		{NULL, NULL, NULL, NULL},
};

struct ns_feature ns_feature_mcast = {
		.name = "mcast",
		.enabled = mcast_enabled,
		.loops = NS_LOOPS_WORKERS,
		.init = mcast_init,
		.worker_init = mcast_worker_init,
		.ip_proto = IPPROTO_IGMP,
		.rx_l4 = mcast_rx,
		.poll = mcast_poll,
		.msg = mcast_msg,
		.cmds = cmds,
		.dump_counters = mcast_dump_counters,
};
