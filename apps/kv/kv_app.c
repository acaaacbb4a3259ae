/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kv on nonstop: the RESP2 key-value server (kv_resp, kv_db, kv_cmd) as a
 * nonstop application, loaded from a shared object:
 *
 *     [app.kv]
 *     lib = .../libnonstop_kv.so
 *     maxmemory = 64mb          ; 0: unlimited
 *     max_bulk = 524288         ; the largest argument
 *
 *     [listener.redis]
 *     port = 6379
 *     app = kv
 *
 * Active side: each request is executed only when its whole reply fits in
 * the send queue, and consumed in the same callback that commits the
 * reply: a request consumed is a request answered.  Every write records
 * the state it left its keys in (not the command: the standby's memory
 * accounting or clock cannot make it decide differently) in the journal.
 *
 * Standby: the journal records, in the active's order, rebuild the same
 * keyspace; a standby that joins gets the keyspace first as a snapshot.
 * Keys expire on the active only (its expiry removals are journal records
 * too), so both keyspaces stay equal: 'app kv digest' on either instance
 * prints the same digest as DEBUG DIGEST on the active.
 *
 * One keyspace, served by one worker (as Redis, single-threaded).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nonstop/app.h>

#include "kv_cmd.h"
#include "kv_db.h"
#include "kv_resp.h"

#define OUT_MAX	      (1u << 20) /* the largest reply (MGET of large values: an error) */
#define REQ_MAX	      (NS_APP_JOURNAL_MAX - 4096) /* the largest request */
#define EXPIRE_BATCH  64			  /* keys expired per poll */
#define RECLAIM_BATCH 4096			  /* entries of a cleared keyspace freed per poll */
#define SNAP_REC_MAX  (64u << 10)		  /* bytes per snapshot record */

/* Journal records. */
enum {
	REC_KEYS = 1,  /* u32 n, then n x (u32 klen, key, u8 exists, i64 expire, u32 vlen, value) */
	REC_CLEAR = 2, /* every key removed */
	REC_EXPIRED = 3, /* u32 n, then n x (u32 klen, key): removed by their expiry */
};

enum {
	C_REQUESTS,
	C_PROTOCOL_ERRORS,
	C_WAITS,	/* a reply did not fit the send queue yet */
	C_TOO_LARGE,	/* a reply larger than any send queue */
	C_JOURNAL,	/* journal records written */
	C_JOURNAL_LOST, /* journal records the stream lost (the standby resyncs) */
	C_APPLIED,	/* standby: records applied */
	C_SNAP_RECORDS, /* snapshot records written (active) */
	C_EXPIRED,	/* keys the active expired */
	C_FLAG_WARN,	/* session flags heard (either side) */
	C_FLAG_CRITICAL,
	C_FLAG_CLEAR,
};
static const char *const counters[] = {"requests", "protocol_errors", "reply_waits",
		"replies_too_large", "journal_records", "journal_lost", "records_applied",
		"snapshot_records", "keys_expired", "flags_warn", "flags_critical", "flags_clear",
		NULL};

static struct ns_kv_cfg kcfg;
static struct ns_kv *db;
static struct ns_resp_cmd *cmd;
static uint8_t *lin, *out, *rec;

/* What the control thread reads ('app kv'): the worker publishes it after
 * its poll (a sequence lock: odd while written). */
static struct {
	uint32_t seq;
	uint64_t dbsize, used_memory;
	char digest[41];
} pub;
static uint8_t raw[sizeof(((struct ns_kv *)0)->digest)]; /* what pub holds */

static int
parse_size(const char *v, uint64_t *out_v)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || end == v)
		return -1;
	if (!strcasecmp(end, "") || !strcasecmp(end, "b"))
		*out_v = n;
	else if (!strcasecmp(end, "k") || !strcasecmp(end, "kb"))
		*out_v = n << 10;
	else if (!strcasecmp(end, "m") || !strcasecmp(end, "mb"))
		*out_v = n << 20;
	else if (!strcasecmp(end, "g") || !strcasecmp(end, "gb"))
		*out_v = n << 30;
	else
		return -1;
	return 0;
}

static int
kv_init(const char *name, const struct ns_app_kv *kv, uint32_t n, char *err, uint32_t errlen)
{
	kcfg = (struct ns_kv_cfg){0, NS_KV_DEFAULT_MAX_BULK};
	for (uint32_t i = 0; i < n; i++) {
		uint64_t v;

		if (!strcmp(kv[i].key, "maxmemory")) {
			if (parse_size(kv[i].value, &v) < 0) {
				snprintf(err, errlen,
						"maxmemory: '%s' is not a size (1048576, 64mb, 1g)",
						kv[i].value);
				return -1;
			}
			kcfg.maxmemory = v;
		} else if (!strcmp(kv[i].key, "max_bulk")) {
			if (parse_size(kv[i].value, &v) < 0 || v < 1024 || v > REQ_MAX / 2) {
				snprintf(err, errlen, "max_bulk: '%s' is not 1024 .. %u",
						kv[i].value, REQ_MAX / 2);
				return -1;
			}
			kcfg.max_bulk = (uint32_t)v;
		} else {
			snprintf(err, errlen, "unknown key '%s' (maxmemory, max_bulk)", kv[i].key);
			return -1;
		}
	}
	if (ns_app_n_workers() != 1) {
		snprintf(err, errlen,
				"kv keeps one keyspace on one worker ([lcores] workers lists %u)",
				ns_app_n_workers());
		return -1;
	}
	ns_app_log(NS_APP_LOG_INFO, "%s: RESP2 key-value server, maxmemory %" PRIu64 " bytes", name,
			kcfg.maxmemory);
	return 0;
}

static int
kv_worker_init(struct ns_app_worker *w)
{
	(void)w;
	db = ns_kv_new(&kcfg);
	cmd = malloc(sizeof(*cmd));
	lin = malloc(REQ_MAX);
	out = malloc(OUT_MAX);
	rec = malloc(NS_APP_JOURNAL_MAX);
	return db != NULL && cmd != NULL && lin != NULL && out != NULL && rec != NULL ? 0 : -1;
}

static void
kv_worker_fini(struct ns_app_worker *w)
{
	(void)w;
	ns_kv_free(db);
	free(cmd);
	free(lin);
	free(out);
	free(rec);
	db = NULL;
}

/* --- records -------------------------------------------------------------- */

struct wbuf {
	uint8_t *p;
	uint32_t len, cap;
	bool over;
};

static void
put(struct wbuf *b, const void *d, uint32_t n)
{
	if (b->over || n > b->cap - b->len) {
		b->over = true;
		return;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

/* One key as it is now (exists, expiry, value). */
static void
put_key(struct wbuf *b, const uint8_t *k, uint32_t klen)
{
	const struct ns_kv_entry *e = ns_kv_find(db, k, klen);
	uint8_t exists = e != NULL;
	int64_t expire = e != NULL ? e->expire_ms : 0;
	uint32_t vlen = e != NULL ? e->vlen : 0;

	put(b, &klen, 4);
	put(b, k, klen);
	put(b, &exists, 1);
	put(b, &expire, 8);
	put(b, &vlen, 4);
	if (e != NULL)
		put(b, ns_kv_entry_val(e), vlen);
}

static bool
is(const struct ns_resp_arg *a, const char *name)
{
	return a->len == strlen(name) && !strncasecmp((const char *)a->p, name, a->len);
}

/* The record of a write: the state it left its keys in. */
static uint32_t
write_record(const struct ns_resp_cmd *c)
{
	struct wbuf b = {rec, 0, NS_APP_JOURNAL_MAX, false};
	uint8_t op = REC_KEYS;
	uint32_t first = 1, step = 1, last = 1, n;

	if (is(&c->argv[0], "flushall") || is(&c->argv[0], "flushdb")) {
		op = REC_CLEAR;
		put(&b, &op, 1);
		return b.len;
	}
	if (is(&c->argv[0], "del"))
		last = c->argc - 1;
	else if (is(&c->argv[0], "mset"))
		step = 2, last = c->argc - 1;
	if (c->argc < 2)
		return 0;
	n = (last - first) / step + 1;
	put(&b, &op, 1);
	put(&b, &n, 4);
	for (uint32_t i = first; i <= last && i < c->argc; i += step)
		put_key(&b, c->argv[i].p, c->argv[i].len);
	return b.over ? 0 : b.len;
}

static void
apply_keys(const uint8_t *p, uint32_t len, bool expired)
{
	const uint8_t *end = p + len;
	uint32_t n;

	if (len < 4)
		return;
	memcpy(&n, p, 4);
	p += 4;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t klen, vlen;
		const uint8_t *k;
		struct ns_kv_entry *e;
		uint8_t exists = 0;
		int64_t expire = 0;

		if (end - p < 4)
			return;
		memcpy(&klen, p, 4);
		p += 4;
		if ((uint64_t)(end - p) < klen)
			return;
		k = p;
		p += klen;
		e = ns_kv_find(db, k, klen);
		if (expired) {
			if (e != NULL)
				ns_kv_delete(db, e, true);
			continue;
		}
		if (end - p < 13)
			return;
		exists = *p++;
		memcpy(&expire, p, 8);
		memcpy(&vlen, p + 8, 4);
		p += 12;
		if ((uint64_t)(end - p) < vlen)
			return;
		if (!exists) {
			if (e != NULL)
				ns_kv_delete(db, e, false);
		} else if ((expire != 0 && ns_kv_reserve_expires(db, 1) < 0) ||
				ns_kv_store(db, k, klen, p, vlen, expire) < 0) {
			ns_app_log(NS_APP_LOG_ERR, "kv: out of memory applying the journal");
		}
		p += vlen;
	}
}

static void
kv_journal_apply(struct ns_app_worker *w, const void *r, uint32_t len)
{
	const uint8_t *p = r;

	if (len < 1 || db == NULL)
		return;
	switch (p[0]) {
	case REC_KEYS:
		apply_keys(p + 1, len - 1, false);
		break;
	case REC_EXPIRED:
		apply_keys(p + 1, len - 1, true);
		break;
	case REC_CLEAR:
		ns_kv_clear(db);
		break;
	default:
		return;
	}
	ns_app_count(w, C_APPLIED, 1);
}

static void
kv_shared_reset(struct ns_app_worker *w)
{
	(void)w;
	if (db != NULL)
		ns_kv_clear(db);
}

/*
 * The keyspace for a joining standby: REC_KEYS records, bucket by bucket
 * with the table's layout held still (no rehash moves a key past the
 * cursor).  A key written after its bucket went out travels in the journal.
 * Cursor: table (bit 63) and bucket, + 1 (0 is the start).
 */
static bool
kv_snapshot(struct ns_app_worker *w, uint64_t *cursor)
{
	if (*cursor == 0) {
		ns_kv_hold_layout(db, true);
		*cursor = 1;
	}
	for (;;) {
		uint64_t pos = *cursor - 1;
		uint32_t t = (uint32_t)(pos >> 63), n = 0;
		uint64_t bkt = pos & ~(1ull << 63);
		struct wbuf b = {rec, 5, NS_APP_JOURNAL_MAX, false};
		uint8_t op = REC_KEYS;

		if (t == 1 && bkt >= db->t[1].size) {
			ns_kv_hold_layout(db, false);
			return true;
		}
		if (bkt >= db->t[t].size) {
			*cursor = (1ull << 63) + 1;
			continue;
		}
		/* Whole buckets, until the record passes SNAP_REC_MAX / 2 (one
		 * bucket of large values may take it up to the journal's limit). */
		for (; bkt < db->t[t].size && b.len < SNAP_REC_MAX / 2; bkt++)
			for (const struct ns_kv_entry *e = db->t[t].b[bkt]; e != NULL;
					e = e->next) {
				put_key(&b, e->data, e->klen);
				n++;
			}
		rec[0] = op;
		memcpy(rec + 1, &n, 4);
		if (b.over) {
			/* A bucket whose keys and values pass NS_APP_JOURNAL_MAX: the
			 * snapshot cannot go on (two values near max_bulk in one bucket). */
			ns_app_count(w, C_JOURNAL_LOST, 1);
			return false;
		}
		if (n != 0 && ns_app_snapshot_record(w, rec, b.len) < 0)
			return false; /* no room: this batch again next time */
		if (n != 0)
			ns_app_count(w, C_SNAP_RECORDS, 1);
		*cursor = (((uint64_t)t << 63) | bkt) + 1;
	}
}

/* --- serving ---------------------------------------------------------------- */

/*
 * Every complete request whose reply fits: executed, its reply appended to
 * this callback's batch, consumed, its record journaled; the batch is
 * committed in one piece when the callback ends (the replication image is
 * taken between callbacks, so "consumed" still means "answered").
 */
static void
serve(struct ns_app_conn *c, void *st)
{
	struct ns_app_worker *w = ns_app_conn_worker(c);
	struct ns_app_conn_info in;
	uint32_t used = 0, room, flags = 0, max_req;
	bool close = false;

	(void)st;
	ns_app_conn_info(c, &in);
	room = in.snd_space < OUT_MAX ? in.snd_space : OUT_MAX;
	/* A request longer than the receive queue can never arrive whole: the
	 * parser's "too big" error rather than a wait without end. */
	max_req = in.unread + in.rcv_space < REQ_MAX ? in.unread + in.rcv_space : REQ_MAX;
	while (!close) {
		const uint8_t *p;
		const char *err = NULL;
		uint32_t n = ns_app_peek(c, &p), cap = room - used, len, rl = 0;
		int32_t r;

		if (n == 0)
			break;
		r = ns_resp_parse(p, n, kcfg.max_bulk, max_req, cmd, &err);
		if (r == 0) {
			ns_app_conn_info(c, &in);
			if (n < in.unread) { /* the request goes on past the ring's end */
				n = ns_app_copy(c, 0, lin,
						in.unread < REQ_MAX ? in.unread : REQ_MAX);
				p = lin;
				r = ns_resp_parse(p, n, kcfg.max_bulk, max_req, cmd, &err);
			}
		}
		if (r < 0) { /* as Redis: the error, then the connection closes */
			char line[256];

			len = (uint32_t)snprintf(line, sizeof(line), "-ERR %s\r\n",
					err != NULL ? err : "Protocol error");
			ns_app_count(w, C_PROTOCOL_ERRORS, 1);
			if (len <= cap) {
				memcpy(out + used, line, len);
				used += len;
			}
			close = true;
			break;
		}
		if (r == 0)
			break; /* the rest of the request is on its way */
		if (cmd->argc == 0) {
			ns_app_consume(c, (uint32_t)r);
			continue;
		}
		len = ns_kv_exec(db, cmd, ns_app_wall_ms(w), NS_KV_ACTIVE, out + used, cap, &flags);
		if (len > cap) {
			if (used != 0 || (len <= OUT_MAX && len <= in.snd_space + in.unread)) {
				ns_app_count(w, C_WAITS, 1);
				break; /* writable() comes back when the peer has read */
			}
			/* No send queue will ever hold it (a read: nothing changed). */
			ns_app_count(w, C_TOO_LARGE, 1);
			len = (uint32_t)snprintf((char *)out, cap,
					"-ERR reply of %u bytes is larger than the send buffer\r\n",
					len);
			if (len > cap)
				break;
		}
		if (ns_kv_cmd_is_write(cmd) && len > 0 && out[used] != '-')
			rl = write_record(cmd); /* argv is in the receive queue: before consuming */
		used += len;
		ns_app_consume(c, (uint32_t)r);
		ns_app_count(w, C_REQUESTS, 1);
		if (rl != 0)
			ns_app_count(w, ns_app_journal(c, rec, rl) < 0 ? C_JOURNAL_LOST : C_JOURNAL,
					1);
		close = (flags & NS_KV_F_CLOSE) != 0;
	}
	if (used != 0)
		ns_app_send(c, out, used);
	ns_app_conn_info(c, &in);
	if (close)
		ns_app_close(c);
	else if (in.peer_closed && in.unread == 0)
		ns_app_shutdown(c);
}

static void
kv_accept(struct ns_app_conn *c, void *st)
{
	ns_app_set_nodelay(c, true); /* replies leave with the callback, as Redis's */
	serve(c, st);
}

/* Keys past their expiry leave on the active, as journal records. */
static void
kv_poll(struct ns_app_worker *w)
{
	uint64_t now = ns_app_wall_ms(w);
	struct wbuf b = {rec, 5, NS_APP_JOURNAL_MAX, false};
	uint32_t n = 0;

	if (db == NULL)
		return;
	if (db->dead[0].b != NULL || db->dead[1].b != NULL)
		ns_kv_reclaim(db, RECLAIM_BATCH); /* what FLUSHALL left, a bounded part per poll */
	/* The digest is kept by every write: publishing it costs a copy, when
	 * something changed. */
	if (pub.seq != 0 && memcmp(raw, db->digest, sizeof(raw)) == 0 &&
			pub.dbsize == ns_kv_dbsize(db) && pub.used_memory == ns_kv_used_memory(db))
		goto expire;
	memcpy(raw, db->digest, sizeof(raw));
	__atomic_store_n(&pub.seq, pub.seq + 1, __ATOMIC_RELEASE);
	ns_kv_digest(db, pub.digest);
	pub.dbsize = ns_kv_dbsize(db);
	pub.used_memory = ns_kv_used_memory(db);
	__atomic_store_n(&pub.seq, pub.seq + 1, __ATOMIC_RELEASE);
expire:
	if (db->heap_n == 0 || db->heap[0]->expire_ms > (int64_t)now || ns_app_standby(w))
		return;
	while (n < EXPIRE_BATCH && db->heap_n != 0 && db->heap[0]->expire_ms <= (int64_t)now) {
		struct ns_kv_entry *e = db->heap[0];

		put(&b, &e->klen, 4);
		put(&b, e->data, e->klen);
		if (b.over)
			break;
		ns_kv_delete(db, e, true);
		n++;
	}
	if (n == 0)
		return;
	rec[0] = REC_EXPIRED;
	memcpy(rec + 1, &n, 4);
	ns_app_count(w, C_EXPIRED, n);
	if (ns_app_journal_worker(w, rec, b.len) < 0)
		ns_app_count(w, C_JOURNAL_LOST, 1);
}

/* 'app kv [digest|info]' on the console (the control thread): what the
 * worker published after its latest poll. */
static int
kv_show(struct ns_app_out *o, int argc, char **argv)
{
	char digest[41];
	uint64_t dbsize, used;
	uint32_t seq;

	if (argc > 1 || (argc == 1 && strcmp(argv[0], "digest") != 0 && strcmp(argv[0], "info"))) {
		ns_app_printf(o, "usage: app kv [digest|info]\n");
		return -1;
	}
	do {
		seq = __atomic_load_n(&pub.seq, __ATOMIC_ACQUIRE);
		memcpy(digest, pub.digest, sizeof(digest));
		dbsize = pub.dbsize;
		used = pub.used_memory;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || seq != __atomic_load_n(&pub.seq, __ATOMIC_RELAXED));
	digest[40] = '\0';
	if (seq == 0) {
		ns_app_printf(o, "error: the worker has not polled yet\n");
		return -1;
	}
	if (argc == 1 && !strcmp(argv[0], "digest")) {
		ns_app_printf(o, "%s\n", digest);
		return 0;
	}
	ns_app_printf(o,
			"digest %s\nkeys %" PRIu64 "\nused_memory %" PRIu64 "\nmaxmemory %" PRIu64
			"\n",
			digest, dbsize, used, kcfg.maxmemory);
	return 0;
}

/* The standby's lag in applying what the active consumed, on either side. */
static void
kv_flag(struct ns_app_conn *c, void *st, const struct ns_app_flag *f)
{
	static const char *const name[] = {"clear", "warn", "critical"};
	struct ns_app_worker *w = ns_app_conn_worker(c);

	(void)st;
	ns_app_count(w,
			f->level == NS_APP_FLAG_CRITICAL ? C_FLAG_CRITICAL
			: f->level == NS_APP_FLAG_WARN	 ? C_FLAG_WARN
							 : C_FLAG_CLEAR,
			1);
	ns_app_log(NS_APP_LOG_WARNING,
			"kv: %s: connection %u: the standby's lag %u us: %s (%u bytes unread)%s",
			ns_app_standby(w) ? "standby" : "active", f->conn_id, f->lag_us,
			f->level < 3 ? name[f->level] : "?", f->unread,
			f->from_active ? ", confirmed by the active" : "");
}

static const struct ns_app_ops ops = {
		.api_version = NS_APP_API_VERSION,
		.name = "kv",
		.conn_size = 0,
		.counters = counters,
		.init = kv_init,
		.worker_init = kv_worker_init,
		.worker_fini = kv_worker_fini,
		.poll = kv_poll,
		.accept = kv_accept,
		.connected = kv_accept,
		.readable = serve,
		.writable = serve,
		.takeover = serve,
		.journal_apply = kv_journal_apply,
		.snapshot = kv_snapshot,
		.shared_reset = kv_shared_reset,
		.flag = kv_flag,
		.show = kv_show,
};

const struct ns_app_ops *
ns_app_entry(void)
{
	return &ops;
}
