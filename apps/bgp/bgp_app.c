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
 *     max_prefixes = 262144               ; distinct prefixes the tables hold
 *
 *     [app.bgp.neighbor.NAME]             ; one per neighbour (bgp_config.c)
 *     address = 203.0.113.2
 *     remote_as = 65002                   ; also next_hop_self, connect, import,
 *                                         ; export, description
 *
 *     [listener.bgp]
 *     port = 179
 *     app = bgp
 *
 * The neighbours open the sessions (nonstop listens; a connection from an
 * address that is no neighbour is refused with a Cease); with 'connect'
 * nonstop opens them too, again every CONNECT_RETRY_S while the session is
 * down.  One connection per neighbour: of two, the one the speaker with
 * the higher BGP Identifier opened stays and the other gets a Cease
 * (collision resolution, bind_conn and on_open); an Established session
 * refuses a new one.  Each
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

#include "bgp_app.h"

#define EXPORT_CHUNK (64u << 10) /* bytes of UPDATEs per export step */
#define OPEN_HOLD_S  240	 /* hold time before the peer's OPEN (RFC 4271 8) */
#define SNAP_REC_MAX (32u << 10) /* bytes per snapshot record, short of its last entry */
#define REC_BUF	     (SNAP_REC_MAX + 2 * NS_BGP_MAX_PEERS * (6 + NS_BGP_MAX_MSG))

const char *const fsm_name[] = {"Idle", "OpenSent", "OpenConfirm", "Established", "Closing"};

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
	C_COLLISIONS, /* connection collisions resolved */
};
static const char *const counters[] = {"msgs_rx", "msgs_tx", "updates_rx", "updates_tx",
		"prefixes_rx", "withdraws_rx", "treat_as_withdraw", "attrs_discarded",
		"notifications_rx", "notifications_tx", "keepalives_tx", "established", "dropped",
		"refused", "hold_expired", "journal_records", "journal_lost", "records_applied",
		"snapshot_records", "takeovers", "route_refresh_rx", "flags", "collisions", NULL};

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

struct ns_bgp_rib *rib;
pthread_t worker_thread;
static uint8_t *buf, *rec;
static struct ns_bgp_update *upd;

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
/* The second connection of a collision becomes the neighbour's only one. */
static void
promote_alt(struct peer *p)
{
	struct conn *as = p->alt_st;
	struct ns_app_conn_info in;

	ns_app_conn_info(p->alt, &in);
	p->local_addr = ntohl(in.laddr);
	p->conn = p->alt;
	p->st = as;
	p->own_open = p->alt_own;
	p->state = as->state;
	p->alt = NULL;
	p->alt_st = NULL;
}

/* A collision's loser (RFC 4271 6.8): a Cease (RFC 4486: 7) and a close on
 * the active side; either side forgets it. */
static void
collision_cease(struct ns_app_conn *c, struct conn *s, bool active)
{
	struct peer *p = peer_of(s);

	if (p != NULL) {
		p->last_err[0] = NS_BGP_ERR_CEASE;
		p->last_err[1] = 7;
	}
	if (active) {
		struct ns_bgp_notif n = {.code = NS_BGP_ERR_CEASE, .subcode = 7};
		uint8_t m[64];

		send_msg(c, s, m, ns_bgp_notif_build(m, sizeof(m), &n));
		ns_app_count(ns_app_conn_worker(c), C_NOTIFICATIONS_TX, 1);
		ns_app_close(c);
	}
	s->state = S_CLOSING;
}

static void
session_down(struct conn *s)
{
	struct peer *p = peer_of(s);

	if (p == NULL)
		return;
	if (p->alt_st == s) { /* the second connection of a collision: it alone ends */
		p->alt = NULL;
		p->alt_st = NULL;
		s->state = S_CLOSING;
		return;
	}
	if (p->rib_up) {
		ns_bgp_rib_peer_down(rib, peer_idx(p));
		p->rib_up = false;
		p->dropped++;
	}
	if (p->state == S_ESTABLISHED || p->state == S_OPENCONFIRM || p->state == S_OPENSENT)
		p->state = S_IDLE;
	s->state = S_CLOSING;
	if (p->alt != NULL && p->st == s)
		promote_alt(p); /* the other connection of the collision goes on alone */
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
	if (p->alt != NULL) {
		/* Two connections in OpenSent: this OPEN's Identifier decides.
		 * The one opened by the speaker with the higher Identifier stays. */
		bool keep_own = cfg.router_id > o.id;

		ns_app_count(ns_app_conn_worker(c), C_COLLISIONS, 1);
		p->id = o.id;
		if (p->alt_own == keep_own) {
			if (p->conn != NULL && p->st != NULL)
				collision_cease(p->conn, p->st, active);
			promote_alt(p);
		} else {
			collision_cease(p->alt, p->alt_st, active);
			p->alt = NULL;
			p->alt_st = NULL;
		}
		if (s->state == S_CLOSING)
			return; /* the OPEN came on the loser */
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
 * When the neighbour's Identifier is known (an OPEN on the other
 * connection, or an earlier session) that is decided here; when not, c
 * waits beside the other connection in OpenSent (p->alt), and the first
 * OPEN on either decides (on_open).  An Established session stays; a second
 * connection from the same side is refused.
 */
static bool
bind_conn(struct ns_app_conn *c, struct conn *s, struct peer *p, bool own, bool active)
{
	struct ns_app_conn_info in;

	if (p == NULL)
		return false;
	if (p->conn != NULL && p->state != S_IDLE) {
		struct conn *os = p->st;

		if (p->state == S_ESTABLISHED || os == NULL || own == p->own_open)
			return false;
		if (p->id == 0) {
			if (p->alt != NULL)
				return false;
			s->peer = (int16_t)(peer_idx(p) + 1);
			s->state = S_OPENSENT; /* the active sends its OPEN on binding */
			p->alt = c;
			p->alt_st = s;
			p->alt_own = own;
			return true;
		}
		ns_app_count(ns_app_conn_worker(c), C_COLLISIONS, 1);
		if (own != (cfg.router_id > p->id))
			return false; /* the other stays: this one is refused */
		collision_cease(p->conn, os, active);
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
	if (p != NULL && p->alt == c) { /* a collision's second connection */
		p->alt = NULL;
		p->alt_st = NULL;
		return;
	}
	if (p == NULL || p->conn != c)
		return; /* refused, or lost a collision */
	if (s->state != S_CLOSING)
		session_down(s); /* may hand the session to a collision's other connection */
	else if (p->alt != NULL && p->st == s)
		promote_alt(p); /* closed by a checkpoint's state (a standby) */
	if (p->conn == c) {
		p->conn = NULL;
		p->st = NULL;
	}
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
	if (r.state == S_CLOSING && p->alt != NULL)
		promote_alt(p); /* the active's collision went to the other connection */
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
		bgp_answer();
	if (now >= next_pub) {
		bgp_publish(w);
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
		.telemetry = bgp_telemetry,
};

__attribute__((visibility("default"))) const struct ns_app_ops *
ns_app_entry(void)
{
	return &ops;
}
