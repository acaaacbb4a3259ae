/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What bgp shows: the worker publishes its sessions and table statistics
 * under a sequence lock every 50 ms (the console and telemetry read that)
 * and answers a routes request from the live table, a part per poll.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bgp_app.h"

struct bgp_pub pub;
struct bgp_ask ask;

void
bgp_publish(struct ns_app_worker *w)
{
	__atomic_store_n(&pub.seq, pub.seq + 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	pub.standby = ns_app_standby(w);
	ns_bgp_rib_stats(rib, &pub.st);
	for (uint32_t i = 0; i < cfg.n_peers; i++) {
		const struct peer *p = &cfg.peer[i];
		struct pub_peer *q = &pub.peer[i];

		q->addr = p->addr;
		q->asn = p->asn;
		q->id = p->id;
		q->state = p->state;
		q->hold = p->hold;
		q->up_since_ms = p->up_since_ms;
		q->established = p->established;
		q->dropped = p->dropped;
		memcpy(q->rx, p->rx, sizeof(q->rx));
		memcpy(q->tx, p->tx, sizeof(q->tx));
		q->in = pub.st.in[i];
		q->out = pub.st.out[i];
		q->pending = ns_bgp_rib_pending(rib, i);
		q->last_err[0] = p->last_err[0];
		q->last_err[1] = p->last_err[1];
	}
	__atomic_store_n(&pub.seq, pub.seq + 1, __ATOMIC_RELEASE);
}

static void
attrs_text(char *t, uint32_t size, const struct ns_bgp_attrs *a, bool json)
{
	uint32_t n = 0;
	char nh[16];
	struct in_addr ia = {htonl(a->next_hop)};

	inet_ntop(AF_INET, &ia, nh, sizeof(nh));
	n += (uint32_t)snprintf(t + n, size - n,
			json ? "\"nexthop\":\"%s\",\"origin\":\"%s\",\"aspath\":\""
			     : "nexthop %s origin %s path",
			nh,
			a->origin == 0	 ? "i"
			: a->origin == 1 ? "e"
					 : "?");
	for (uint32_t i = 0; i < a->n_as && n < size; i++)
		n += (uint32_t)snprintf(t + n, size - n, json && i == 0 ? "%u" : " %u", a->as[i]);
	if (n < size && (a->present & (1u << 5)))
		n += (uint32_t)snprintf(t + n, size - n, json ? "\",\"localpref\":%u" : " lpref %u",
				a->local_pref);
	else if (n < size && json)
		n += (uint32_t)snprintf(t + n, size - n, "\"");
	if (n < size && (a->present & (1u << 4)))
		snprintf(t + n, size - n, json ? ",\"med\":%u" : " med %u", a->med);
}

/* Print one entry into the answer. */
static void
route_text(uint32_t *len, const struct ns_bgp_rib_view *v, bool json, bool *first)
{
	char pfx[24], at[2048];
	uint32_t cap = ANSWER_MAX - *len;

	ns_bgp_pfx_str(&v->p, pfx, sizeof(pfx));
	if (json) {
		*len += (uint32_t)snprintf(ask.text + *len, cap,
				"%s\"%s\":{\"best\":\"%s\",\"paths\":[", *first ? "" : ",", pfx,
				v->best == NS_BGP_LOCAL	    ? "local"
				: v->best == NS_BGP_NO_BEST ? "none"
							    : "neighbor");
	} else {
		*len += (uint32_t)snprintf(
				ask.text + *len, cap, "%s%s\n", pfx, v->own ? " (own)" : "");
	}
	*first = false;
	for (uint32_t i = 0, k = 0; i < cfg.n_peers && *len < ANSWER_MAX; i++) {
		char ip[16];
		struct in_addr ia = {htonl(cfg.peer[i].addr)};

		if (v->in[i] == NULL)
			continue;
		inet_ntop(AF_INET, &ia, ip, sizeof(ip));
		attrs_text(at, sizeof(at), v->in[i], json);
		*len += (uint32_t)snprintf(ask.text + *len, ANSWER_MAX - *len,
				json ? "%s{\"from\":\"%s\",\"best\":%s,%s}" : "  %s%s from %s %s\n",
				json ? (k ? "," : "") : (v->best == i ? "*>" : "* "),
				json ? ip : "", json ? (v->best == i ? "true" : "false") : ip, at);
		k++;
	}
	if (json && *len < ANSWER_MAX)
		*len += (uint32_t)snprintf(ask.text + *len, ANSWER_MAX - *len, "]}");
}

/*
 * The answer to the control thread's request, built a bounded part per poll
 * (a whole table would hold the worker for milliseconds): ANSWER_STEP
 * entries, the walk's cursor kept between polls.
 */
#define ANSWER_STEP 2000

void
bgp_answer(void)
{
	static struct ns_bgp_rib_view v;
	static uint64_t cur;
	static uint32_t len, n, busy_req;
	static bool first;
	uint32_t step = 0;

	if (busy_req != ask.req) { /* a new request */
		busy_req = ask.req;
		cur = 0;
		len = n = 0;
		first = true;
		if (ask.json)
			len += (uint32_t)snprintf(ask.text, ANSWER_MAX, "{\"routes\":{");
		if (ask.one) {
			if (ns_bgp_rib_lookup(rib, &ask.p, &v))
				route_text(&len, &v, ask.json, &first);
			else if (!ask.json)
				len += (uint32_t)snprintf(
						ask.text, ANSWER_MAX, "%% not in the table\n");
			goto done;
		}
	}
	while (n < ask.max && len < ANSWER_MAX - 4096) {
		if (step++ == ANSWER_STEP)
			return; /* the rest next poll */
		if (!ns_bgp_rib_walk(rib, &cur, &v))
			break;
		route_text(&len, &v, ask.json, &first);
		n++;
	}
done:
	if (ask.json && len < ANSWER_MAX)
		len += (uint32_t)snprintf(ask.text + len, ANSWER_MAX - len, "}}\n");
	ask.len = len < ANSWER_MAX ? len : ANSWER_MAX - 1;
	__atomic_store_n(&ask.done, ask.req, __ATOMIC_RELEASE);
}

/* --- the console (control thread) ------------------------------------------------- */

static bool
read_pub(struct pub_peer *pp, struct ns_bgp_rib_stats *st, bool *standby)
{
	uint32_t seq;

	for (int tries = 0; tries < 1000; tries++) {
		seq = __atomic_load_n(&pub.seq, __ATOMIC_ACQUIRE);
		if (seq & 1)
			continue;
		memcpy(pp, pub.peer, sizeof(pub.peer));
		*st = pub.st;
		*standby = pub.standby;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (seq == __atomic_load_n(&pub.seq, __ATOMIC_RELAXED)) {
			if (seq != 0)
				return true;
			break;
		}
	}
	return false;
}

#define NOT_YET "the worker has not published its tables yet"

/* A description in JSON: quotes and backslashes (and controls) become '_'. */
static const char *
json_safe(const char *s)
{
	static __thread char t[64];
	size_t i = 0;

	for (; s[i] != '\0' && i + 1 < sizeof(t); i++)
		t[i] = s[i] == '"' || s[i] == '\\' || (unsigned char)s[i] < 0x20 ? '_' : s[i];
	t[i] = '\0';
	return t;
}

static void
uptime(char *t, uint32_t size, uint64_t since_ms, uint8_t state)
{
	struct timespec ts;
	uint64_t now, s;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (state != S_ESTABLISHED || since_ms == 0 || now < since_ms) {
		snprintf(t, size, "never");
		return;
	}
	s = (now - since_ms) / 1000;
	snprintf(t, size, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600, s / 60 % 60, s % 60);
}

static int
show_summary(struct ns_app_out *o, bool json, bool detail)
{
	static struct pub_peer pp[NS_BGP_MAX_PEERS];
	struct ns_bgp_rib_stats st;
	bool standby;
	char rid[16];
	struct in_addr ia = {htonl(cfg.router_id)};

	if (!read_pub(pp, &st, &standby)) {
		ns_app_printf(o, "error: " NOT_YET "\n");
		return -1;
	}
	inet_ntop(AF_INET, &ia, rid, sizeof(rid));
	if (json)
		ns_app_printf(o,
				"{\"routerId\":\"%s\",\"as\":%u,\"role\":\"%s\",\"ribCount\":%u,"
				"\"attrSets\":%u,\"ribBytes\":%" PRIu64 ",\"peers\":{",
				rid, cfg.as, standby ? "standby" : "active", st.prefixes,
				st.attr_sets, st.bytes);
	else
		ns_app_printf(o,
				"BGP router identifier %s, local AS %u (%s)\n"
				"Loc-RIB %u prefixes, %u attribute sets, %" PRIu64 " bytes\n\n"
				"%-15s %10s %8s %8s %8s %-11s %9s %9s %7s\n",
				rid, cfg.as, standby ? "standby" : "active", st.prefixes,
				st.attr_sets, st.bytes, "Neighbor", "AS", "MsgRcvd", "MsgSent",
				"Up/Down", "State", "PfxRcd", "PfxSnt", "Pending");
	for (uint32_t i = 0; i < cfg.n_peers; i++) {
		const struct pub_peer *q = &pp[i];
		char ip[16], up[32];
		struct in_addr a = {htonl(cfg.peer[i].addr)};
		uint64_t rx = 0, tx = 0;

		for (int k = 1; k <= 5; k++)
			rx += q->rx[k], tx += q->tx[k];
		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		uptime(up, sizeof(up), q->up_since_ms, q->state);
		if (json) {
			ns_app_printf(o,
					"%s\"%s\":{\"remoteAs\":%u,\"state\":\"%s\",\"msgRcvd\":"
					"%" PRIu64 ",\"msgSent\":%" PRIu64 ",\"peerUptime\":\"%s\","
					"\"upSinceMs\":%" PRIu64 ",\"pfxRcd\":%u,\"pfxSnt\":%u,"
					"\"pending\":%u,\"established\":%" PRIu64
					",\"dropped\":%" PRIu64,
					i ? "," : "", ip, q->asn, fsm_name[q->state], rx, tx, up,
					q->up_since_ms, q->in, q->out, q->pending, q->established,
					q->dropped);
			if (detail)
				ns_app_printf(o,
						",\"description\":\"%s\",\"holdTime\":%u,"
						"\"routerId\":\"%u.%u.%u.%u\","
						"\"updatesRcvd\":%" PRIu64
						",\"updatesSent\":%" PRIu64
						",\"keepalivesRcvd\":%" PRIu64
						",\"notificationsRcvd\":%" PRIu64
						",\"notificationsSent\":%" PRIu64
						",\"lastError\":\"%u/%u\"",
						json_safe(cfg.peer[i].desc), q->hold, q->id >> 24,
						q->id >> 16 & 255, q->id >> 8 & 255, q->id & 255,
						q->rx[NS_BGP_UPDATE], q->tx[NS_BGP_UPDATE],
						q->rx[NS_BGP_KEEPALIVE], q->rx[NS_BGP_NOTIFICATION],
						q->tx[NS_BGP_NOTIFICATION], q->last_err[0],
						q->last_err[1]);
			ns_app_printf(o, "}");
		} else if (detail) {
			ns_app_printf(o,
					"neighbor %s%s%s, remote AS %u, %s link, state %s, up %s\n"
					"  BGP identifier %u.%u.%u.%u, hold time %u s\n"
					"  established %" PRIu64 " times, dropped %" PRIu64
					" times\n"
					"  messages received: %" PRIu64 " open, %" PRIu64
					" update, %" PRIu64 " notification, %" PRIu64
					" keepalive, %" PRIu64 " refresh\n"
					"  messages sent:     %" PRIu64 " open, %" PRIu64
					" update, %" PRIu64 " notification, %" PRIu64
					" keepalive, %" PRIu64 " refresh\n"
					"  prefixes received %u, advertised %u, pending %u\n"
					"  last NOTIFICATION %u/%u\n\n",
					ip, cfg.peer[i].desc[0] ? " " : "", cfg.peer[i].desc,
					q->asn, q->asn == cfg.as ? "internal" : "external",
					fsm_name[q->state], up, q->id >> 24, q->id >> 16 & 255,
					q->id >> 8 & 255, q->id & 255, q->hold, q->established,
					q->dropped, q->rx[1], q->rx[2], q->rx[3], q->rx[4],
					q->rx[5], q->tx[1], q->tx[2], q->tx[3], q->tx[4], q->tx[5],
					q->in, q->out, q->pending, q->last_err[0], q->last_err[1]);
		} else {
			ns_app_printf(o,
					"%-15s %10u %8" PRIu64 " %8" PRIu64
					" %8s %-11s %9u %9u %7u\n",
					ip, q->asn, rx, tx, up, fsm_name[q->state], q->in, q->out,
					q->pending);
		}
	}
	if (json)
		ns_app_printf(o, "}}\n");
	return 0;
}

/*
 * /nonstop/app/NAME[,summary|neighbors]: the speaker's figures, and a dict
 * per neighbour under its address (dots as '_', telemetry's rule), from
 * what the worker published.
 */
int
bgp_telemetry(struct ns_app_tel *t, const char *params)
{
	static __thread struct pub_peer pp[NS_BGP_MAX_PEERS];
	struct ns_bgp_rib_stats st;
	bool standby, detail;
	char ip[16];
	struct in_addr ia = {htonl(cfg.router_id)};

	while (*params == ' ')
		params++;
	detail = !strcmp(params, "neighbors") || !strcmp(params, "neighbours");
	if (!detail && params[0] != '\0' && strcmp(params, "summary")) {
		ns_app_tel_str(t, "error", "parameters: summary (the default) or neighbors");
		return -1;
	}
	if (!read_pub(pp, &st, &standby)) {
		ns_app_tel_str(t, "error", NOT_YET);
		return -1;
	}
	inet_ntop(AF_INET, &ia, ip, sizeof(ip));
	ns_app_tel_str(t, "routerId", ip);
	ns_app_tel_u64(t, "as", cfg.as);
	ns_app_tel_str(t, "role", standby ? "standby" : "active");
	ns_app_tel_u64(t, "ribCount", st.prefixes);
	ns_app_tel_u64(t, "attrSets", st.attr_sets);
	ns_app_tel_u64(t, "ribBytes", st.bytes);
	ns_app_tel_u64(t, "peers", cfg.n_peers);
	for (uint32_t i = 0; i < cfg.n_peers; i++) {
		const struct pub_peer *q = &pp[i];
		struct in_addr a = {htonl(cfg.peer[i].addr)};
		struct ns_app_tel *d;
		uint64_t rx = 0, tx = 0;
		char rid[16];

		for (int k = 1; k <= 5; k++)
			rx += q->rx[k], tx += q->tx[k];
		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		d = ns_app_tel_dict(t, ip);
		ns_app_tel_str(d, "address", ip);
		ns_app_tel_u64(d, "remoteAs", q->asn);
		ns_app_tel_str(d, "state", fsm_name[q->state]);
		ns_app_tel_u64(d, "upSinceMs", q->state == S_ESTABLISHED ? q->up_since_ms : 0);
		ns_app_tel_u64(d, "msgRcvd", rx);
		ns_app_tel_u64(d, "msgSent", tx);
		ns_app_tel_u64(d, "pfxRcd", q->in);
		ns_app_tel_u64(d, "pfxSnt", q->out);
		ns_app_tel_u64(d, "pending", q->pending);
		ns_app_tel_u64(d, "established", q->established);
		ns_app_tel_u64(d, "dropped", q->dropped);
		if (!detail)
			continue;
		a.s_addr = htonl(q->id);
		inet_ntop(AF_INET, &a, rid, sizeof(rid));
		ns_app_tel_str(d, "description", cfg.peer[i].desc);
		ns_app_tel_str(d, "routerId", rid);
		ns_app_tel_u64(d, "holdTime", q->hold);
		ns_app_tel_u64(d, "opensRcvd", q->rx[NS_BGP_OPEN]);
		ns_app_tel_u64(d, "updatesRcvd", q->rx[NS_BGP_UPDATE]);
		ns_app_tel_u64(d, "notificationsRcvd", q->rx[NS_BGP_NOTIFICATION]);
		ns_app_tel_u64(d, "keepalivesRcvd", q->rx[NS_BGP_KEEPALIVE]);
		ns_app_tel_u64(d, "refreshesRcvd", q->rx[NS_BGP_ROUTE_REFRESH]);
		ns_app_tel_u64(d, "opensSent", q->tx[NS_BGP_OPEN]);
		ns_app_tel_u64(d, "updatesSent", q->tx[NS_BGP_UPDATE]);
		ns_app_tel_u64(d, "notificationsSent", q->tx[NS_BGP_NOTIFICATION]);
		ns_app_tel_u64(d, "keepalivesSent", q->tx[NS_BGP_KEEPALIVE]);
		ns_app_tel_u64(d, "refreshesSent", q->tx[NS_BGP_ROUTE_REFRESH]);
		ns_app_tel_u64(d, "lastErrorCode", q->last_err[0]);
		ns_app_tel_u64(d, "lastErrorSubcode", q->last_err[1]);
	}
	return 0;
}

static int
show_routes(struct ns_app_out *o, int argc, char **argv, bool json)
{
	uint32_t req;

	if (__atomic_load_n(&ask.done, __ATOMIC_ACQUIRE) != ask.req) {
		ns_app_printf(o, "error: the worker is still answering the last request\n");
		return -1;
	}
	ask.one = false;
	ask.max = ROUTES_DEFAULT;
	for (int i = 0; i < argc; i++) {
		uint32_t v;

		if (ns_bgp_pfx_parse(argv[i], &ask.p) == 0)
			ask.one = true;
		else if (!strcmp(argv[i], "all"))
			ask.max = UINT32_MAX;
		else if (bgp_parse_u32(argv[i], &v) == 0 && v > 0)
			ask.max = v;
		else {
			ns_app_printf(o,
					"usage: app %s routes [A.B.C.D/LEN | COUNT | all] [json]\n",
					appname);
			return -1;
		}
	}
	ask.json = json;
	req = ask.req + 1;
	__atomic_store_n(&ask.req, req, __ATOMIC_RELEASE);
	/* The console on the worker's own lcore (one lcore for everything): the
	 * worker waits for the console, so the answer is made here, whole. */
	while (pthread_equal(pthread_self(), worker_thread) &&
			__atomic_load_n(&ask.done, __ATOMIC_ACQUIRE) != req)
		bgp_answer();
	for (int t = 0; t < 10000 && __atomic_load_n(&ask.done, __ATOMIC_ACQUIRE) != req; t++)
		usleep(1000);
	if (__atomic_load_n(&ask.done, __ATOMIC_ACQUIRE) != req) {
		ns_app_printf(o, "error: the worker did not answer within 10 s\n");
		return -1;
	}
	ns_app_printf(o, "%.*s", (int)ask.len, ask.text);
	return 0;
}

/* 'app NAME summary|neighbors|routes ... [json]'. */
int
bgp_show(struct ns_app_out *o, int argc, char **argv)
{
	bool json = argc > 0 && !strcmp(argv[argc - 1], "json");

	if (json)
		argc--;
	if (argc == 0 || !strcmp(argv[0], "summary"))
		return show_summary(o, json, false);
	if (!strcmp(argv[0], "neighbors") || !strcmp(argv[0], "neighbours"))
		return show_summary(o, json, true);
	if (!strcmp(argv[0], "routes"))
		return show_routes(o, argc - 1, argv + 1, json);
	ns_app_printf(o, "usage: app %s [summary | neighbors | routes [PREFIX|COUNT|all]] [json]\n",
			appname);
	return -1;
}
