/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bgp on nonstop: a BGP-4 speaker (IPv4 unicast) as a nonstop application
 * with non-stop routing, loaded from a shared object:
 *
 *     [app.bgp]
 *     lib = .../libnonstop_bgp.so
 *     as = 65001
 *     router_id = 192.0.2.1
 *     hold_time = 90                      ; offered; the session uses the smaller
 *     network = 198.51.100.0/24           ; repeated: the speaker's own prefixes
 *     network_range = 10.0.0.0/24 10000   ; 10000 consecutive /24s from 10.0.0.0
 *     prefix_list = NAME permit|deny PFX [ge N] [le N]   ; repeated, in order
 *     neighbor = 203.0.113.2 remote-as 65002 [next-hop-self] [connect] [import L] [export L]
 *     max_prefixes = 262144               ; distinct prefixes the tables hold
 *
 *     [listener.bgp]
 *     port = 179
 *     app = bgp
 *
 * The neighbours open the sessions (nonstop listens; a connection from an
 * address that is no neighbour is refused with a Cease); with 'connect'
 * nonstop opens them too, again every CONNECT_RETRY_S while the session is
 * down.  One connection per neighbour: the neighbour's own connection wins
 * over ours while ours is not Established (ours gets a Cease, connection
 * collision resolution), an Established session refuses a new one.  Each
 * session runs the RFC 4271 state machine from OpenSent on; the tables are
 * bgp_rib's.
 *
 * Non-stop routing.  The standby's backup side parses the same input: every
 * byte the active consumed (OPEN, KEEPALIVE, UPDATE, NOTIFICATION) goes
 * through the same state machine and into the same Adj-RIB-In, and the
 * Loc-RIB follows from those (bgp_rib decides independently of arrival
 * order).  What the active sent is the one thing the input does not tell:
 * every UPDATE the active writes to a neighbour is also a journal record,
 * which the standby applies to that neighbour's Adj-RIB-Out.  A joining
 * standby gets the Adj-RIBs-In and -Out as a snapshot.  At a takeover the
 * new active sends a KEEPALIVE at once, restarts the hold timer, and sends
 * only what differs between its Loc-RIB's export and the Adj-RIB-Out: no
 * OPEN, no NOTIFICATION, nothing withdrawn and announced again.
 *
 * Exports run in each session's timer callback (armed at once when the
 * session has pending changes), so the connection's replication image
 * follows the journal record of what it sent.  One worker (the tables are
 * one speaker's).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <nonstop/app.h>

#include "bgp_msg.h"
#include "bgp_rib.h"

#define MAX_PLISTS	16
#define EXPORT_CHUNK	(64u << 10) /* bytes of UPDATEs per export step */
#define CONNECT_RETRY_S 5
#define OPEN_HOLD_S	240	    /* hold time before the peer's OPEN (RFC 4271 8) */
#define SNAP_REC_MAX	(32u << 10) /* bytes per snapshot record, short of its last entry */
#define REC_BUF		(SNAP_REC_MAX + 2 * NS_BGP_MAX_PEERS * (6 + NS_BGP_MAX_MSG))
#define ANSWER_MAX	(16u << 20) /* a routes answer: a whole table in JSON */
#define ROUTES_DEFAULT	200

enum fsm {
	S_IDLE,
	S_OPENSENT,
	S_OPENCONFIRM,
	S_ESTABLISHED,
	S_CLOSING, /* a NOTIFICATION went out or came in: the TCP close follows */
};
static const char *const fsm_name[] = {"Idle", "OpenSent", "OpenConfirm", "Established", "Closing"};

/* Journal and snapshot records: a type byte, the neighbour, whether its
 * AS numbers are 4 octets, a pad byte, then UPDATE messages back to back. */
enum {
	REC_OUT = 1,  /* UPDATEs the active sent to the neighbour: its Adj-RIB-Out */
	REC_IN = 2,   /* snapshot: the neighbour's Adj-RIB-In, as UPDATEs */
	REC_SNAP = 3, /* snapshot: pieces (kind, neighbour, as4, pad, u16 length, UPDATE) */
};
#define REC_HDR 4

enum {
	C_MSGS_RX,
	C_MSGS_TX,
	C_UPDATES_RX,
	C_UPDATES_TX,
	C_PREFIXES_RX,
	C_WITHDRAWS_RX,
	C_TREAT_AS_WITHDRAW,
	C_ATTRS_DISCARDED,
	C_NOTIFICATIONS_RX,
	C_NOTIFICATIONS_TX,
	C_KEEPALIVES_TX,
	C_ESTABLISHED,
	C_DROPPED,
	C_REFUSED, /* connections from no neighbour, or a second one */
	C_HOLD_EXPIRED,
	C_JOURNAL,
	C_JOURNAL_LOST,
	C_APPLIED,
	C_SNAP_RECORDS,
	C_TAKEOVERS,
	C_REFRESH_RX,
	C_FLAGS,
};
static const char *const counters[] = {"msgs_rx", "msgs_tx", "updates_rx", "updates_tx",
		"prefixes_rx", "withdraws_rx", "treat_as_withdraw", "attrs_discarded",
		"notifications_rx", "notifications_tx", "keepalives_tx", "established", "dropped",
		"refused", "hold_expired", "journal_records", "journal_lost", "records_applied",
		"snapshot_records", "takeovers", "route_refresh_rx", "flags", NULL};

struct plist {
	char name[32];
	struct ns_bgp_plist l;
};

/* A neighbour: its configuration and its session (the worker's). */
struct peer {
	uint32_t addr; /* host order */
	uint32_t asn;
	bool nhs;
	bool connect;	    /* open the session too (else wait for the neighbour's) */
	int import, export; /* prefix list index, -1: none */
	/* session */
	struct ns_app_conn *conn;
	uint8_t state;
	bool as4, rib_up;
	bool kick;		  /* its timer is armed to export at once */
	bool own_open;		  /* conn is the connection we opened */
	void *st;		  /* conn's state (a yielded attempt is marked through it) */
	uint64_t next_connect_ns; /* ConnectRetry */
	uint16_t hold;		  /* negotiated, s */
	uint32_t id;		  /* its BGP identifier */
	uint32_t local_addr;
	uint64_t up_since_ms; /* wall clock */
	uint64_t established, dropped;
	uint64_t rx[6], tx[6]; /* messages by type */
	uint8_t last_err[2];   /* the last NOTIFICATION's code, subcode (either way) */
};

/* What the session's checkpoint and snapshot carry: what the input alone
 * does not give a standby that joins late. */
struct peer_rec {
	uint8_t state, as4;
	uint16_t hold;
	uint32_t id, local_addr;
	uint64_t up_since_ms, established, dropped;
};

/* Per connection. */
struct conn {
	int16_t peer; /* index + 1; 0: none */
	uint8_t state;
	uint64_t last_rx_ns, last_tx_ns; /* hold and keepalive timers */
};

static struct {
	uint32_t as, router_id, hold, max_prefixes;
	uint32_t n_peers, n_plists, n_nets;
	struct peer peer[NS_BGP_MAX_PEERS];
	struct plist plist[MAX_PLISTS];
	struct ns_bgp_pfx *nets;
} cfg;

static struct ns_bgp_rib *rib;
static pthread_t worker_thread; /* the tables' worker (the console may run on it) */
static uint8_t *buf, *rec;
static struct ns_bgp_update *upd;
static char appname[32];

/* --- what the control thread reads ---------------------------------------- */

struct pub_peer {
	uint32_t addr, asn, id;
	uint8_t state;
	uint16_t hold;
	uint64_t up_since_ms, established, dropped;
	uint64_t rx[6], tx[6];
	uint32_t in, out, pending;
	uint8_t last_err[2];
};

/* Published by the worker after its poll, a sequence lock (odd while written). */
static struct {
	uint32_t seq;
	bool standby;
	struct ns_bgp_rib_stats st;
	struct pub_peer peer[NS_BGP_MAX_PEERS];
} pub;

/* A request from the control thread that needs the live tables ('routes'):
 * posted here, answered by the worker in its poll. */
static struct {
	uint32_t req, done; /* the control thread bumps req, the worker sets done = req */
	bool json, one;
	struct ns_bgp_pfx p;
	uint32_t max;
	uint32_t len;
	char text[ANSWER_MAX];
} ask;

/* --- configuration ---------------------------------------------------------- */

static int
parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n > UINT32_MAX)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

static int
parse_ip(const char *s, uint32_t *v)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*v = ntohl(a.s_addr);
	return 0;
}

static int
plist_find(const char *name)
{
	for (uint32_t i = 0; i < cfg.n_plists; i++)
		if (!strcmp(cfg.plist[i].name, name))
			return (int)i;
	return -1;
}

/* Split v into words (at most max), in place. */
static int
words(char *v, char **w, int max)
{
	int n = 0;

	for (char *t = strtok(v, " \t"); t != NULL; t = strtok(NULL, " \t"))
		if (n < max)
			w[n++] = t;
		else
			return -1;
	return n;
}

static int
add_plist(char *v, char *err, uint32_t errlen)
{
	char *w[8];
	int n = words(v, w, 8), i;
	struct ns_bgp_plist_entry e = {0};
	uint32_t x;

	if (n < 3 || (strcmp(w[1], "permit") && strcmp(w[1], "deny")) ||
			ns_bgp_pfx_parse(w[2], &e.p) < 0)
		goto bad;
	e.permit = !strcmp(w[1], "permit");
	for (int k = 3; k < n; k += 2) {
		if (k + 1 >= n || parse_u32(w[k + 1], &x) < 0 || x > 32 || x < e.p.len)
			goto bad;
		if (!strcmp(w[k], "ge"))
			e.ge = (uint8_t)x;
		else if (!strcmp(w[k], "le"))
			e.le = (uint8_t)x;
		else
			goto bad;
	}
	i = plist_find(w[0]);
	if (i < 0) {
		if (cfg.n_plists == MAX_PLISTS || strlen(w[0]) >= sizeof(cfg.plist[0].name)) {
			snprintf(err, errlen,
					"prefix_list: at most %d lists, names of %zu characters",
					MAX_PLISTS, sizeof(cfg.plist[0].name) - 1);
			return -1;
		}
		i = (int)cfg.n_plists++;
		snprintf(cfg.plist[i].name, sizeof(cfg.plist[i].name), "%s", w[0]);
	}
	if (cfg.plist[i].l.n == sizeof(cfg.plist[i].l.e) / sizeof(cfg.plist[i].l.e[0])) {
		snprintf(err, errlen, "prefix_list %s: at most %zu entries", w[0],
				sizeof(cfg.plist[i].l.e) / sizeof(cfg.plist[i].l.e[0]));
		return -1;
	}
	cfg.plist[i].l.e[cfg.plist[i].l.n++] = e;
	return 0;
bad:
	snprintf(err, errlen, "prefix_list: 'NAME permit|deny A.B.C.D/LEN [ge N] [le N]' expected");
	return -1;
}

/* Neighbours name prefix lists that may come later in the file: resolved at the end. */
static char peer_import[NS_BGP_MAX_PEERS][32], peer_export[NS_BGP_MAX_PEERS][32];

static int
add_neighbor(char *v, char *err, uint32_t errlen)
{
	char *w[10];
	int n = words(v, w, 10);
	struct peer *p = &cfg.peer[cfg.n_peers];

	if (cfg.n_peers == NS_BGP_MAX_PEERS) {
		snprintf(err, errlen, "neighbor: at most %d", NS_BGP_MAX_PEERS);
		return -1;
	}
	memset(p, 0, sizeof(*p));
	if (n < 3 || parse_ip(w[0], &p->addr) < 0 || strcmp(w[1], "remote-as") ||
			parse_u32(w[2], &p->asn) < 0 || p->asn == 0)
		goto bad;
	for (uint32_t i = 0; i < cfg.n_peers; i++)
		if (cfg.peer[i].addr == p->addr) {
			snprintf(err, errlen, "neighbor %s: given twice", w[0]);
			return -1;
		}
	peer_import[cfg.n_peers][0] = peer_export[cfg.n_peers][0] = '\0';
	for (int k = 3; k < n; k++) {
		if (!strcmp(w[k], "next-hop-self"))
			p->nhs = true;
		else if (!strcmp(w[k], "connect"))
			p->connect = true;
		else if (!strcmp(w[k], "import") && k + 1 < n && strlen(w[k + 1]) < 32)
			snprintf(peer_import[cfg.n_peers], 32, "%s", w[++k]);
		else if (!strcmp(w[k], "export") && k + 1 < n && strlen(w[k + 1]) < 32)
			snprintf(peer_export[cfg.n_peers], 32, "%s", w[++k]);
		else
			goto bad;
	}
	cfg.n_peers++;
	return 0;
bad:
	snprintf(err, errlen,
			"neighbor: 'A.B.C.D remote-as N [next-hop-self] [connect] [import LIST] "
			"[export LIST]' expected");
	return -1;
}

static int
add_nets(const struct ns_bgp_pfx *first, uint32_t count, char *err, uint32_t errlen)
{
	struct ns_bgp_pfx *n;
	uint64_t step = first->len ? 1ull << (32 - first->len) : 0;

	if (count == 0 || (step == 0 && count > 1) ||
			(uint64_t)first->addr + step * (count - 1) > UINT32_MAX) {
		snprintf(err, errlen, "network_range: the range leaves the address space");
		return -1;
	}
	n = realloc(cfg.nets, sizeof(*n) * (cfg.n_nets + count));
	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cfg.nets = n;
	for (uint32_t i = 0; i < count; i++)
		cfg.nets[cfg.n_nets++] =
				(struct ns_bgp_pfx){(uint32_t)(first->addr + step * i), first->len};
	return 0;
}

static int
bgp_init(const char *name, const struct ns_app_kv *kv, uint32_t n, char *err, uint32_t errlen)
{
	free(cfg.nets);
	memset(&cfg, 0, sizeof(cfg));
	cfg.hold = 90;
	cfg.max_prefixes = 1u << 18;
	snprintf(appname, sizeof(appname), "%s", name);
	for (uint32_t i = 0; i < n; i++) {
		const char *k = kv[i].key;
		char v[256];
		struct ns_bgp_pfx p;

		snprintf(v, sizeof(v), "%s", kv[i].value);
		if (!strcmp(k, "as")) {
			if (parse_u32(v, &cfg.as) < 0 || cfg.as == 0) {
				snprintf(err, errlen,
						"as: '%s' is not an AS number (1 .. 4294967295)",
						v);
				return -1;
			}
		} else if (!strcmp(k, "router_id")) {
			if (parse_ip(v, &cfg.router_id) < 0 || cfg.router_id == 0) {
				snprintf(err, errlen, "router_id: '%s' is not an IPv4 address", v);
				return -1;
			}
		} else if (!strcmp(k, "hold_time")) {
			if (parse_u32(v, &cfg.hold) < 0 || cfg.hold > 65535 ||
					(cfg.hold != 0 && cfg.hold < 3)) {
				snprintf(err, errlen, "hold_time: '%s' is not 0 or 3 .. 65535", v);
				return -1;
			}
		} else if (!strcmp(k, "max_prefixes")) {
			if (parse_u32(v, &cfg.max_prefixes) < 0 || cfg.max_prefixes < 16) {
				snprintf(err, errlen, "max_prefixes: '%s' is not a number >= 16",
						v);
				return -1;
			}
		} else if (!strcmp(k, "network")) {
			if (ns_bgp_pfx_parse(v, &p) < 0) {
				snprintf(err, errlen,
						"network: '%s' is not A.B.C.D/LEN (host bits 0)",
						v);
				return -1;
			}
			if (add_nets(&p, 1, err, errlen) < 0)
				return -1;
		} else if (!strcmp(k, "network_range")) {
			char *w[2];
			uint32_t count;

			if (words(v, w, 2) != 2 || ns_bgp_pfx_parse(w[0], &p) < 0 ||
					parse_u32(w[1], &count) < 0) {
				snprintf(err, errlen,
						"network_range: 'A.B.C.D/LEN COUNT' expected");
				return -1;
			}
			if (add_nets(&p, count, err, errlen) < 0)
				return -1;
		} else if (!strcmp(k, "prefix_list")) {
			if (add_plist(v, err, errlen) < 0)
				return -1;
		} else if (!strcmp(k, "neighbor")) {
			if (add_neighbor(v, err, errlen) < 0)
				return -1;
		} else {
			snprintf(err, errlen,
					"unknown key '%s' (as, router_id, hold_time, network, "
					"network_range, prefix_list, neighbor, max_prefixes)",
					k);
			return -1;
		}
	}
	if (cfg.as == 0 || cfg.router_id == 0) {
		snprintf(err, errlen, "as and router_id are required");
		return -1;
	}
	for (uint32_t i = 0; i < cfg.n_peers; i++) {
		struct peer *p = &cfg.peer[i];

		p->import = peer_import[i][0] ? plist_find(peer_import[i]) : -1;
		p->export = peer_export[i][0] ? plist_find(peer_export[i]) : -1;
		if ((peer_import[i][0] && p->import < 0) || (peer_export[i][0] && p->export < 0)) {
			snprintf(err, errlen, "neighbor %u: prefix list '%s' is not defined", i + 1,
					p->import < 0 && peer_import[i][0] ? peer_import[i]
									   : peer_export[i]);
			return -1;
		}
	}
	if (ns_app_n_workers() != 1) {
		snprintf(err, errlen,
				"bgp keeps one speaker's tables on one worker ([lcores] workers "
				"lists %u)",
				ns_app_n_workers());
		return -1;
	}
	ns_app_log(NS_APP_LOG_INFO, "%s: BGP-4 speaker AS %u, %u neighbours, %u own prefixes", name,
			cfg.as, cfg.n_peers, cfg.n_nets);
	return 0;
}

static void
bgp_fini(void)
{
	free(cfg.nets);
	cfg.nets = NULL;
}

static void
peer_desc(uint32_t i)
{
	struct peer *p = &cfg.peer[i];
	struct ns_bgp_peer_desc d = {
			.asn = p->asn,
			.id = p->id,
			.addr = p->addr,
			.local_addr = p->local_addr,
			.next_hop_self = p->nhs,
			.import = p->import >= 0 ? &cfg.plist[p->import].l : NULL,
			.export = p->export >= 0 ? &cfg.plist[p->export].l : NULL,
	};

	ns_bgp_rib_peer_set(rib, i, &d);
}

static int
bgp_worker_init(struct ns_app_worker *w)
{
	struct ns_bgp_rib_cfg rc = {
			.local_as = cfg.as,
			.router_id = cfg.router_id,
			.max_prefixes = cfg.max_prefixes,
			.n_peers = cfg.n_peers ? cfg.n_peers : 1,
			.default_lpref = 100,
	};

	(void)w;
	worker_thread = pthread_self();
	rib = ns_bgp_rib_create(&rc);
	buf = malloc(EXPORT_CHUNK + REC_HDR);
	rec = malloc(REC_BUF);
	upd = malloc(sizeof(*upd));
	if (rib == NULL || buf == NULL || rec == NULL || upd == NULL)
		return -1;
	for (uint32_t i = 0; i < cfg.n_peers; i++)
		peer_desc(i);
	for (uint32_t i = 0; i < cfg.n_nets; i++)
		ns_bgp_rib_originate(rib, &cfg.nets[i]);
	return 0;
}

static void
bgp_worker_fini(struct ns_app_worker *w)
{
	(void)w;
	ns_bgp_rib_destroy(rib);
	rib = NULL;
	free(buf);
	free(rec);
	free(upd);
}

/* --- sessions ---------------------------------------------------------------- */

static struct peer *
peer_of(const struct conn *s)
{
	return s->peer > 0 ? &cfg.peer[s->peer - 1] : NULL;
}

static uint32_t
peer_idx(const struct peer *p)
{
	return (uint32_t)(p - cfg.peer);
}

static void
send_msg(struct ns_app_conn *c, struct conn *s, const uint8_t *m, uint32_t len)
{
	struct peer *p = peer_of(s);
	struct ns_app_worker *w = ns_app_conn_worker(c);

	if (ns_app_send(c, m, len) != len)
		ns_app_log(NS_APP_LOG_WARNING, "bgp: send queue full, a message of %u bytes cut",
				len);
	if (p != NULL && m[18] >= 1 && m[18] <= 5)
		p->tx[m[18]]++;
	ns_app_count(w, C_MSGS_TX, 1);
	s->last_tx_ns = ns_app_now_ns(w);
}

/* The session is over (on either side): its routes leave the Loc-RIB. */
static void
session_down(struct conn *s)
{
	struct peer *p = peer_of(s);

	if (p == NULL)
		return;
	if (p->rib_up) {
		ns_bgp_rib_peer_down(rib, peer_idx(p));
		p->rib_up = false;
		p->dropped++;
	}
	if (p->state == S_ESTABLISHED || p->state == S_OPENCONFIRM || p->state == S_OPENSENT)
		p->state = S_IDLE;
	s->state = S_CLOSING;
}

/* Send a NOTIFICATION (active side) and close. */
static void
notify(struct ns_app_conn *c, struct conn *s, bool active, const struct ns_bgp_notif *n)
{
	struct peer *p = peer_of(s);

	if (p != NULL) {
		p->last_err[0] = n->code;
		p->last_err[1] = n->subcode;
	}
	if (active) {
		uint8_t m[NS_BGP_HDR_LEN + 2 + sizeof(n->data)];
		uint32_t len = ns_bgp_notif_build(m, sizeof(m), n);

		send_msg(c, s, m, len);
		ns_app_count(ns_app_conn_worker(c), C_NOTIFICATIONS_TX, 1);
		ns_app_log(NS_APP_LOG_WARNING, "bgp: NOTIFICATION %u/%u to a neighbour", n->code,
				n->subcode);
	}
	session_down(s);
	if (active)
		ns_app_close(c);
}

static void
keepalive(struct ns_app_conn *c, struct conn *s)
{
	uint8_t m[NS_BGP_HDR_LEN];

	send_msg(c, s, m, ns_bgp_keepalive_build(m, sizeof(m)));
	ns_app_count(ns_app_conn_worker(c), C_KEEPALIVES_TX, 1);
}

static void
send_open(struct ns_app_conn *c, struct conn *s)
{
	struct ns_bgp_open o = {
			.version = 4,
			.asn = cfg.as,
			.my_as = cfg.as > 65535 ? 23456 : (uint16_t)cfg.as,
			.hold = (uint16_t)cfg.hold,
			.id = cfg.router_id,
			.cap_as4 = true,
			.cap_mp_ipv4u = true,
			.cap_rr = true,
	};
	uint8_t m[128];

	send_msg(c, s, m, ns_bgp_open_build(m, sizeof(m), &o));
}

/* The timers' next deadline, and the timer armed for it (active side). */
static void
arm(struct ns_app_conn *c, struct conn *s)
{
	struct ns_app_worker *w = ns_app_conn_worker(c);
	struct peer *p = peer_of(s);
	uint64_t now = ns_app_now_ns(w), next, hold;

	if (p == NULL || s->state == S_CLOSING)
		return;
	hold = (s->state == S_OPENSENT ? OPEN_HOLD_S : p->hold) * 1000000000ull;
	next = hold ? s->last_rx_ns + hold : UINT64_MAX;
	if (hold && (s->state == S_OPENCONFIRM || s->state == S_ESTABLISHED))
		next = next < s->last_tx_ns + hold / 3 ? next : s->last_tx_ns + hold / 3;
	if (s->state == S_ESTABLISHED && ns_bgp_rib_pending(rib, peer_idx(p)) != 0) {
		struct ns_app_conn_info in;

		ns_app_conn_info(c, &in);
		if (in.snd_space >= NS_BGP_MAX_MSG)
			next = now; /* else writable() exports when the peer has read */
	}
	if (next == UINT64_MAX)
		return;
	ns_app_timer_arm(c, next > now ? (next - now) / 1000 + 1 : 0);
}

static struct peer *
peer_by_addr(uint32_t addr)
{
	for (uint32_t i = 0; i < cfg.n_peers; i++)
		if (cfg.peer[i].addr == addr)
			return &cfg.peer[i];
	return NULL;
}

static void
fsm_error(struct ns_app_conn *c, struct conn *s, bool active)
{
	/* RFC 6608: the subcode names the state the unexpected message came in. */
	struct ns_bgp_notif n = {.code = NS_BGP_ERR_FSM,
			.subcode = s->state == S_OPENSENT      ? 1
				   : s->state == S_OPENCONFIRM ? 2
							       : 3};

	notify(c, s, active, &n);
}

static void
on_open(struct ns_app_conn *c, struct conn *s, bool active, const uint8_t *m, uint32_t len)
{
	struct peer *p = peer_of(s);
	struct ns_bgp_open o;
	struct ns_bgp_notif n = {0};

	if (s->state != S_OPENSENT) {
		fsm_error(c, s, active);
		return;
	}
	if (ns_bgp_open_parse(m, len, &o, &n) < 0) {
		notify(c, s, active, &n);
		return;
	}
	if (o.asn != p->asn) {
		n = (struct ns_bgp_notif){.code = NS_BGP_ERR_OPEN, .subcode = 2};
		notify(c, s, active, &n);
		return;
	}
	if (p->asn == cfg.as && o.id == cfg.router_id) {
		n = (struct ns_bgp_notif){.code = NS_BGP_ERR_OPEN, .subcode = 3};
		notify(c, s, active, &n);
		return;
	}
	p->hold = (uint16_t)(o.hold < cfg.hold ? o.hold : cfg.hold);
	p->as4 = o.cap_as4;
	p->id = o.id;
	peer_desc(peer_idx(p));
	if (active)
		keepalive(c, s);
	s->state = p->state = S_OPENCONFIRM;
}

static void
on_keepalive(struct ns_app_conn *c, struct conn *s, bool active)
{
	struct peer *p = peer_of(s);
	struct ns_app_worker *w = ns_app_conn_worker(c);

	if (s->state == S_ESTABLISHED)
		return;
	if (s->state != S_OPENCONFIRM) {
		fsm_error(c, s, active);
		return;
	}
	s->state = p->state = S_ESTABLISHED;
	p->established++;
	p->up_since_ms = ns_app_wall_ms(w);
	p->last_err[0] = p->last_err[1] = 0;
	ns_bgp_rib_peer_up(rib, peer_idx(p));
	p->rib_up = true;
	ns_app_count(w, C_ESTABLISHED, 1);
	if (active)
		ns_app_log(NS_APP_LOG_INFO, "bgp: neighbour AS %u Established", p->asn);
}

static void
on_update(struct ns_app_conn *c, struct conn *s, bool active, const uint8_t *m, uint32_t len)
{
	struct peer *p = peer_of(s);
	struct ns_app_worker *w = ns_app_conn_worker(c);
	struct ns_bgp_notif n = {0};
	enum ns_bgp_upd_action act;

	if (s->state != S_ESTABLISHED) {
		fsm_error(c, s, active);
		return;
	}
	act = ns_bgp_update_parse(m, len, p->as4, p->asn != cfg.as, upd, &n);
	ns_app_count(w, C_UPDATES_RX, 1);
	if (act == NS_BGP_UPD_RESET) {
		notify(c, s, active, &n);
		return;
	}
	if (act == NS_BGP_UPD_TREAT_AS_WITHDRAW) {
		ns_app_count(w, C_TREAT_AS_WITHDRAW, 1);
		if (active)
			ns_app_log(NS_APP_LOG_WARNING,
					"bgp: neighbour AS %u: UPDATE treated as withdraw (%s)",
					p->asn, upd->why != NULL ? upd->why : "malformed");
	}
	ns_app_count(w, C_ATTRS_DISCARDED, upd->attrs_discarded);
	ns_app_count(w, C_PREFIXES_RX, upd->n_nlri);
	ns_app_count(w, C_WITHDRAWS_RX, upd->n_withdrawn);
	ns_bgp_rib_input(rib, peer_idx(p), upd, act);
}

/* One whole message from the neighbour (either side: active says whether
 * to answer). */
static void
handle(struct ns_app_conn *c, struct conn *s, bool active, const uint8_t *m, uint32_t len)
{
	struct peer *p = peer_of(s);
	struct ns_app_worker *w = ns_app_conn_worker(c);
	struct ns_bgp_notif n = {0};

	if (p == NULL || s->state == S_CLOSING)
		return;
	ns_app_count(w, C_MSGS_RX, 1);
	s->last_rx_ns = ns_app_now_ns(w);
	p->rx[m[18]]++;
	switch (m[18]) {
	case NS_BGP_OPEN:
		on_open(c, s, active, m, len);
		break;
	case NS_BGP_KEEPALIVE:
		on_keepalive(c, s, active);
		break;
	case NS_BGP_UPDATE:
		on_update(c, s, active, m, len);
		break;
	case NS_BGP_NOTIFICATION:
		ns_app_count(w, C_NOTIFICATIONS_RX, 1);
		if (ns_bgp_notif_parse(m, len, &n) == 0) {
			p->last_err[0] = n.code;
			p->last_err[1] = n.subcode;
		}
		if (active)
			ns_app_log(NS_APP_LOG_WARNING, "bgp: NOTIFICATION %u/%u from AS %u", n.code,
					n.subcode, p->asn);
		session_down(s);
		if (active)
			ns_app_close(c);
		break;
	case NS_BGP_ROUTE_REFRESH:
		if (s->state != S_ESTABLISHED) {
			fsm_error(c, s, active);
			break;
		}
		ns_app_count(w, C_REFRESH_RX, 1);
		if (ns_bgp_refresh_parse(m, len, &n) < 0)
			notify(c, s, active, &n);
		else
			ns_bgp_rib_refresh(rib, peer_idx(p));
		break;
	}
}

/* The UPDATEs the neighbour has pending, as far as the send queue takes
 * them; each batch is journaled after it is queued. */
static void export(struct ns_app_conn *c, struct conn *s)
{
	struct ns_app_worker *w = ns_app_conn_worker(c);
	struct peer *p = peer_of(s);
	uint32_t idx = peer_idx(p);

	while (ns_bgp_rib_pending(rib, idx) != 0) {
		struct ns_app_conn_info in;
		uint32_t n, max, msgs = 0;

		ns_app_conn_info(c, &in);
		if (in.snd_space < NS_BGP_MAX_MSG)
			break; /* writable() comes back */
		max = in.snd_space < EXPORT_CHUNK ? in.snd_space : EXPORT_CHUNK;
		n = ns_bgp_rib_export(rib, idx, p->as4, buf + REC_HDR, max);
		if (n == 0)
			break;
		ns_app_send(c, buf + REC_HDR, n);
		for (uint32_t off = 0, l; off + NS_BGP_HDR_LEN <= n; off += l) {
			l = (uint32_t)buf[REC_HDR + off + 16] << 8 | buf[REC_HDR + off + 17];
			if (l < NS_BGP_HDR_LEN)
				break;
			msgs++;
		}
		p->tx[NS_BGP_UPDATE] += msgs;
		ns_app_count(w, C_UPDATES_TX, msgs);
		ns_app_count(w, C_MSGS_TX, msgs);
		s->last_tx_ns = ns_app_now_ns(w);
		buf[0] = REC_OUT;
		buf[1] = (uint8_t)idx;
		buf[2] = p->as4;
		buf[3] = 0;
		ns_app_count(w,
				ns_app_journal(c, buf, n + REC_HDR) < 0 ? C_JOURNAL_LOST
									: C_JOURNAL,
				1);
	}
}

/* Active side: the neighbour's messages, each consumed as it is handled. */
static void
serve(struct ns_app_conn *c, void *st)
{
	struct conn *s = st;
	struct ns_app_conn_info in;

	for (;;) {
		uint8_t m[NS_BGP_MAX_MSG];
		const uint8_t *p;
		struct ns_bgp_notif n = {0};
		uint32_t len;
		int32_t r;

		ns_app_conn_info(c, &in);
		if (s->state == S_CLOSING || peer_of(s) == NULL) {
			ns_app_consume(c, in.unread);
			break;
		}
		if (in.unread < NS_BGP_HDR_LEN || in.snd_space < 256)
			break; /* a whole header, and room for an answer */
		len = ns_app_peek(c, &p);
		if (len < NS_BGP_MAX_MSG && len < in.unread) {
			len = ns_app_copy(c, 0, m, NS_BGP_MAX_MSG);
			p = m;
		}
		r = ns_bgp_frame(p, len, &n);
		if (r == 0)
			break;
		if (r < 0) {
			ns_app_consume(c, in.unread);
			notify(c, s, true, &n);
			break;
		}
		if (p != m) { /* the message stays valid once consumed: keep a copy */
			memcpy(m, p, (uint32_t)r);
			p = m;
		}
		ns_app_consume(c, (uint32_t)r);
		handle(c, s, true, p, (uint32_t)r);
	}
	ns_app_conn_info(c, &in);
	if (s->state != S_CLOSING && in.peer_closed && in.unread == 0) {
		session_down(s); /* the neighbour closed without a NOTIFICATION */
		ns_app_close(c);
	}
	if (s->state == S_ESTABLISHED)
		export(c, s);
	arm(c, s);
}

/*
 * Bind connection c to neighbour p, on either side (the same decisions, in
 * the same order): false when it is refused.  A collision (RFC 4271 6.8):
 * the connection the speaker with the higher BGP Identifier opened stays.
 * The neighbour's Identifier is known once it sent an OPEN (on our
 * connection, or in an earlier session); while it is not, the neighbour's
 * connection takes the place of ours.  An Established session stays.
 */
static bool
bind_conn(struct ns_app_conn *c, struct conn *s, struct peer *p, bool own, bool active)
{
	struct ns_app_conn_info in;

	if (p == NULL)
		return false;
	if (p->conn != NULL && p->state != S_IDLE) {
		struct conn *os = p->st;

		if (own || !p->own_open || p->state == S_ESTABLISHED || os == NULL)
			return false;
		if (p->id != 0 && cfg.router_id > p->id)
			return false; /* ours stays: the neighbour's is refused */
		/* Ours yields, with a Cease (RFC 4486: 7). */
		if (active) {
			struct ns_bgp_notif n = {.code = NS_BGP_ERR_CEASE, .subcode = 7};
			uint8_t m[64];

			ns_app_send(p->conn, m, ns_bgp_notif_build(m, sizeof(m), &n));
			ns_app_close(p->conn);
		}
		os->state = S_CLOSING;
	}
	ns_app_conn_info(c, &in);
	s->peer = (int16_t)(peer_idx(p) + 1);
	p->conn = c;
	p->st = s;
	p->own_open = own;
	p->local_addr = ntohl(in.laddr);
	s->state = p->state = S_OPENSENT; /* the active sends its OPEN on binding */
	return true;
}

static void
refuse(struct ns_app_conn *c, struct conn *s, bool known)
{
	/* RFC 4486: connection rejected (no such neighbour), or a collision
	 * with the session the neighbour already has. */
	struct ns_bgp_notif n = {.code = NS_BGP_ERR_CEASE, .subcode = known ? 7 : 5};
	uint8_t m[64];

	ns_app_count(ns_app_conn_worker(c), C_REFUSED, 1);
	ns_app_send(c, m, ns_bgp_notif_build(m, sizeof(m), &n));
	s->state = S_CLOSING;
	ns_app_close(c);
}

static void
open_session(struct ns_app_conn *c, void *st, bool own)
{
	struct conn *s = st;
	struct ns_app_conn_info in;
	struct peer *p;

	ns_app_conn_info(c, &in);
	ns_app_set_nodelay(c, true);
	p = peer_by_addr(ntohl(in.raddr));
	if (!bind_conn(c, s, p, own, true)) {
		if (own && p != NULL && p->conn == c)
			p->conn = NULL;
		refuse(c, s, p != NULL);
		return;
	}
	s->last_rx_ns = ns_app_now_ns(ns_app_conn_worker(c));
	send_open(c, s);
	serve(c, st);
}

static void
bgp_accept(struct ns_app_conn *c, void *st)
{
	open_session(c, st, false);
}

/* Our own connection is up ('connect'). */
static void
bgp_connected(struct ns_app_conn *c, void *st)
{
	open_session(c, st, true);
}

static void
bgp_writable(struct ns_app_conn *c, void *st)
{
	serve(c, st);
}

static void
bgp_timer(struct ns_app_conn *c, void *st)
{
	struct conn *s = st;
	struct peer *p = peer_of(s);
	struct ns_app_worker *w = ns_app_conn_worker(c);
	uint64_t now = ns_app_now_ns(w), hold;

	if (p == NULL || s->state == S_CLOSING)
		return;
	p->kick = false;
	hold = (s->state == S_OPENSENT ? OPEN_HOLD_S : p->hold) * 1000000000ull;
	if (hold != 0 && now - s->last_rx_ns >= hold) {
		struct ns_bgp_notif n = {.code = NS_BGP_ERR_HOLD};

		ns_app_count(w, C_HOLD_EXPIRED, 1);
		notify(c, s, true, &n);
		return;
	}
	if (hold != 0 && (s->state == S_OPENCONFIRM || s->state == S_ESTABLISHED) &&
			now - s->last_tx_ns >= hold / 3)
		keepalive(c, s);
	if (s->state == S_ESTABLISHED)
		export(c, s);
	arm(c, s);
}

static void
bgp_closed(struct ns_app_conn *c, void *st, enum ns_app_close_reason why)
{
	struct conn *s = st;
	struct peer *p = peer_of(s);

	(void)why;
	for (uint32_t i = 0; p == NULL && i < cfg.n_peers; i++)
		if (cfg.peer[i].conn == c) /* our attempt that never came up */
			cfg.peer[i].conn = NULL;
	if (p == NULL || p->conn != c)
		return; /* refused, or yielded to the neighbour's */
	if (s->state != S_CLOSING)
		session_down(s);
	p->conn = NULL;
	p->st = NULL;
}

/* --- the backup side ------------------------------------------------------------ */

static void
bgp_backup_open(struct ns_app_conn *c, void *st)
{
	struct conn *s = st;
	struct ns_app_conn_info in;

	ns_app_conn_info(c, &in);
	if (!bind_conn(c, s, peer_by_addr(ntohl(in.raddr)), !in.passive, false))
		s->state = S_CLOSING; /* the active refused it */
}

static uint32_t
bgp_backup_input(struct ns_app_conn *c, void *st, const uint8_t *p, uint32_t len)
{
	struct conn *s = st;
	uint32_t used = 0;

	while (used < len) {
		struct ns_bgp_notif n;
		int32_t r;

		if (s->state == S_CLOSING || peer_of(s) == NULL)
			return len;
		r = ns_bgp_frame(p + used, len - used, &n);
		if (r == 0)
			break;
		if (r < 0) {
			notify(c, s, false, &n);
			return len;
		}
		handle(c, s, false, p + used, (uint32_t)r);
		used += (uint32_t)r;
	}
	return used;
}

static uint32_t
bgp_checkpoint(struct ns_app_conn *c, const void *st, void *out, uint32_t max)
{
	const struct conn *s = st;
	const struct peer *p = peer_of(s);
	struct peer_rec r;

	(void)c;
	if (p == NULL || max < sizeof(r))
		return 0;
	r = (struct peer_rec){s->state, p->as4, p->hold, p->id, p->local_addr, p->up_since_ms,
			p->established, p->dropped};
	memcpy(out, &r, sizeof(r));
	return sizeof(r);
}

static void
bgp_restore(struct ns_app_conn *c, void *st, const void *in, uint32_t len)
{
	struct conn *s = st;
	struct peer *p = peer_of(s);
	struct peer_rec r;

	if (p == NULL || len < sizeof(r) || p->conn != c)
		return;
	memcpy(&r, in, sizeof(r));
	p->as4 = r.as4;
	p->hold = r.hold;
	p->id = r.id;
	p->local_addr = r.local_addr;
	p->up_since_ms = r.up_since_ms;
	p->established = r.established;
	p->dropped = r.dropped;
	peer_desc(peer_idx(p));
	if (r.state == S_ESTABLISHED && !p->rib_up) {
		ns_bgp_rib_peer_up(rib, peer_idx(p));
		p->rib_up = true;
	} else if (r.state != S_ESTABLISHED && p->rib_up) {
		ns_bgp_rib_peer_down(rib, peer_idx(p));
		p->rib_up = false;
	}
	s->state = p->state = r.state;
}

/* The standby is the active now: the neighbour hears a KEEPALIVE at once and
 * then only what its Adj-RIB-Out lacks. */
static void
bgp_takeover(struct ns_app_conn *c, void *st)
{
	struct conn *s = st;
	struct peer *p = peer_of(s);
	struct ns_app_worker *w = ns_app_conn_worker(c);

	if (p == NULL || s->state == S_CLOSING) {
		ns_app_close(c);
		return;
	}
	ns_app_count(w, C_TAKEOVERS, 1);
	ns_app_set_nodelay(c, true);
	s->last_rx_ns = ns_app_now_ns(w);
	if (s->state == S_OPENCONFIRM || s->state == S_ESTABLISHED)
		keepalive(c, s);
	if (s->state == S_ESTABLISHED)
		ns_bgp_rib_out_resync(rib, peer_idx(p));
	serve(c, st);
}

static void
apply_updates(struct ns_app_worker *w, uint8_t kind, uint32_t idx, bool as4, const uint8_t *m,
		uint32_t len)
{
	uint32_t off = 0;

	if (idx >= cfg.n_peers)
		return;
	while (off < len) {
		struct ns_bgp_notif n;
		int32_t r = ns_bgp_frame(m + off, len - off, &n);
		enum ns_bgp_upd_action act;

		if (r <= 0)
			return;
		act = ns_bgp_update_parse(m + off, (uint32_t)r, as4, false, upd, &n);
		if (act != NS_BGP_UPD_RESET) {
			if (kind == REC_OUT)
				ns_bgp_rib_out_apply(rib, idx, upd);
			else
				ns_bgp_rib_input(rib, idx, upd, act);
		}
		off += (uint32_t)r;
	}
	ns_app_count(w, C_APPLIED, 1);
}

static void
bgp_journal_apply(struct ns_app_worker *w, const void *r, uint32_t len)
{
	const uint8_t *p = r;

	if (len < REC_HDR || rib == NULL)
		return;
	if (p[0] == REC_OUT || p[0] == REC_IN) {
		apply_updates(w, p[0], p[1], p[2] != 0, p + REC_HDR, len - REC_HDR);
		return;
	}
	if (p[0] == REC_SNAP) { /* pieces: kind, neighbour, as4, pad, u16 length, UPDATE */
		uint32_t off = REC_HDR;

		while (off + 6 <= len) {
			uint16_t l;

			memcpy(&l, p + off + 4, 2);
			if (off + 6 + l > len)
				return;
			apply_updates(w, p[off], p[off + 1], p[off + 2] != 0, p + off + 6, l);
			off += 6 + l;
		}
	}
}

static void
bgp_shared_reset(struct ns_app_worker *w)
{
	(void)w;
	ns_bgp_rib_reset(rib); /* the sessions stay up: their images say so */
}

/* One piece of a snapshot record: a path, as an UPDATE of one prefix. */
static bool
snap_piece(uint32_t *len, uint8_t kind, uint32_t idx, const struct ns_bgp_pfx *pfx,
		const struct ns_bgp_attrs *a)
{
	uint32_t tw, tn;
	uint32_t n = ns_bgp_update_build(rec + *len + 6, NS_BGP_MAX_MSG, cfg.peer[idx].as4, NULL, 0,
			&tw, a, pfx, 1, &tn);
	uint16_t l = (uint16_t)n;

	if (n == 0)
		return false;
	rec[*len] = kind;
	rec[*len + 1] = (uint8_t)idx;
	rec[*len + 2] = cfg.peer[idx].as4;
	rec[*len + 3] = 0;
	memcpy(rec + *len + 4, &l, 2);
	*len += 6 + n;
	return true;
}

/*
 * The tables for a joining standby: every neighbour's Adj-RIB-In and
 * Adj-RIB-Out, entry by entry.  The Loc-RIB follows from them there.  A
 * record holds whole entries; the cursor is the table's walk cursor at the
 * first entry of the record not yet taken.
 */
static bool
bgp_snapshot(struct ns_app_worker *w, uint64_t *cursor)
{
	static struct ns_bgp_rib_view view;
	struct ns_bgp_rib_view *v = &view;

	if (rib == NULL)
		return true;
	for (;;) {
		uint64_t cur = *cursor, start = *cursor;
		uint32_t len = REC_HDR;

		while (len < SNAP_REC_MAX) { /* an entry may take it past: REC_BUF has room */
			if (!ns_bgp_rib_walk(rib, &cur, v)) {
				cur = UINT64_MAX;
				break;
			}
			for (uint32_t i = 0; i < cfg.n_peers; i++) {
				if (v->in[i] != NULL)
					snap_piece(&len, REC_IN, i, &v->p, v->in[i]);
				if (v->out[i] != NULL)
					snap_piece(&len, REC_OUT, i, &v->p, v->out[i]);
			}
		}
		if (len > REC_HDR) {
			rec[0] = REC_SNAP;
			rec[1] = rec[2] = rec[3] = 0;
			if (ns_app_snapshot_record(w, rec, len) < 0) {
				*cursor = start;
				return false;
			}
			ns_app_count(w, C_SNAP_RECORDS, 1);
		}
		*cursor = cur;
		if (cur == UINT64_MAX)
			return true;
	}
}

/* --- poll: exports other sessions' input made, what the console reads ----------- */

static void
publish(struct ns_app_worker *w)
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

static void
answer(void)
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

static void
bgp_poll(struct ns_app_worker *w)
{
	static uint64_t next_pub;
	uint64_t now = ns_app_now_ns(w);

	if (rib == NULL)
		return;
	if (!ns_app_standby(w))
		for (uint32_t i = 0; i < cfg.n_peers; i++) {
			struct peer *p = &cfg.peer[i];

			if (p->connect && p->conn == NULL && p->state == S_IDLE &&
					now >= p->next_connect_ns) {
				p->next_connect_ns = now + CONNECT_RETRY_S * 1000000000ull;
				p->conn = ns_app_connect(w, htonl(p->addr), NS_BGP_PORT);
				p->st = NULL;
				p->own_open = true;
			}

			if (p->state == S_ESTABLISHED && p->conn != NULL && !p->kick &&
					ns_bgp_rib_pending(rib, i) != 0) {
				p->kick = true;
				ns_app_timer_arm(p->conn, 0);
			}
		}
	if (__atomic_load_n(&ask.req, __ATOMIC_ACQUIRE) != ask.done)
		answer();
	if (now >= next_pub) {
		publish(w);
		next_pub = now + 50000000ull;
	}
}

static void
bgp_flag(struct ns_app_conn *c, void *st, const struct ns_app_flag *f)
{
	(void)st;
	ns_app_count(ns_app_conn_worker(c), C_FLAGS, 1);
	ns_app_log(NS_APP_LOG_WARNING, "bgp: connection %u: the standby's lag %u us (level %u)",
			f->conn_id, f->lag_us, f->level);
}

/* --- the console (control thread) ------------------------------------------------- */

static bool
read_pub(struct ns_app_out *o, struct pub_peer *pp, struct ns_bgp_rib_stats *st, bool *standby)
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
	ns_app_printf(o, "error: the worker has not published its tables yet\n");
	return false;
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

	if (!read_pub(o, pp, &st, &standby))
		return -1;
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
						",\"holdTime\":%u,\"routerId\":\"%u.%u.%u.%u\","
						"\"updatesRcvd\":%" PRIu64
						",\"updatesSent\":%" PRIu64
						",\"keepalivesRcvd\":%" PRIu64
						",\"notificationsRcvd\":%" PRIu64
						",\"notificationsSent\":%" PRIu64
						",\"lastError\":\"%u/%u\"",
						q->hold, q->id >> 24, q->id >> 16 & 255,
						q->id >> 8 & 255, q->id & 255, q->rx[NS_BGP_UPDATE],
						q->tx[NS_BGP_UPDATE], q->rx[NS_BGP_KEEPALIVE],
						q->rx[NS_BGP_NOTIFICATION],
						q->tx[NS_BGP_NOTIFICATION], q->last_err[0],
						q->last_err[1]);
			ns_app_printf(o, "}");
		} else if (detail) {
			ns_app_printf(o,
					"neighbor %s, remote AS %u, %s link, state %s, up %s\n"
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
					ip, q->asn, q->asn == cfg.as ? "internal" : "external",
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
		else if (parse_u32(argv[i], &v) == 0 && v > 0)
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
		answer();
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
static int
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

static const struct ns_app_ops ops = {
		.api_version = NS_APP_API_VERSION,
		.name = "bgp",
		.conn_size = sizeof(struct conn),
		.counters = counters,
		.init = bgp_init,
		.fini = bgp_fini,
		.worker_init = bgp_worker_init,
		.worker_fini = bgp_worker_fini,
		.poll = bgp_poll,
		.accept = bgp_accept,
		.connected = bgp_connected,
		.readable = serve,
		.writable = bgp_writable,
		.timer = bgp_timer,
		.closed = bgp_closed,
		.backup_open = bgp_backup_open,
		.backup_input = bgp_backup_input,
		.checkpoint = bgp_checkpoint,
		.restore = bgp_restore,
		.takeover = bgp_takeover,
		.flag = bgp_flag,
		.journal_apply = bgp_journal_apply,
		.snapshot = bgp_snapshot,
		.shared_reset = bgp_shared_reset,
		.show = bgp_show,
};

const struct ns_app_ops *
ns_app_entry(void)
{
	return &ops;
}
