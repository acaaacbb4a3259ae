/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kv commands.
 *
 * Every handler works in two steps: first it reads the keyspace and writes
 * its whole reply (counted, not stored, past the caller's room), and
 * allocates whatever the change needs; then, only if the reply fits (or
 * there is no reply: APPLY mode), it changes the keyspace, which can no
 * longer fail.  So a reply too big for the room changes nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv_cmd.h"

#define KV_VERSION "7.0.0-nonstop"

#define E_ARITY	  "-ERR wrong number of arguments for '%s' command"
#define E_SYNTAX  "-ERR syntax error"
#define E_NOTINT  "-ERR value is not an integer or out of range"
#define E_OVERFL  "-ERR increment or decrement would overflow"
#define E_OOM	  "-OOM command not allowed when used memory > 'maxmemory'."
#define E_EXPIRE  "-ERR invalid expire time in '%s' command"
#define E_SUBCMD  "-ERR unknown subcommand '%s'. Try %s HELP."
#define E_NOPROTO "-NOPROTO unsupported protocol version"

enum kv_class {
	KV_READ,  /* reads the keyspace */
	KV_WRITE, /* may change the keyspace: a backup applies it */
	KV_OTHER, /* connection and server commands */
};

struct ctx;

struct kv_cmd {
	const char *name; /* lower case, as in Redis's error texts */
	int arity;	  /* argc, or -(minimum argc) */
	enum kv_class cls;
	void (*fn)(struct ctx *x);
};

struct ctx {
	struct ns_kv *db;
	const struct ns_resp_cmd *cmd;
	const struct kv_cmd *def;
	int64_t now;
	bool apply;
	bool error;
	uint32_t flags;
	struct ns_resp_out o;
	/* Counts of the change, added to the counters only if it is made. */
	uint64_t hits, misses, oom, alloc_fail;
};

#define ARG(i) (&x->cmd->argv[i])

/* Whether the change may be made: no reply wanted, or the reply fits. */
static bool
commit(const struct ctx *x)
{
	return x->apply || x->o.len <= x->o.cap;
}

static bool
arg_is(const struct ns_resp_arg *a, const char *s)
{
	size_t n = strlen(s);

	if (a->len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = a->p[i];

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (c != (uint8_t)s[i])
			return false;
	}
	return true;
}

/*
 * Copy an argument as Redis's %s / %.*s would print it: up to max bytes,
 * ending at a NUL, with CR and LF turned into spaces (addReplyErrorFormat).
 */
static size_t
cat_arg(char *dst, size_t room, const struct ns_resp_arg *a, size_t max)
{
	size_t n = 0;

	while (n < a->len && n < max && n + 1 < room && a->p[n] != '\0') {
		uint8_t c = a->p[n];

		dst[n] = c == '\r' || c == '\n' ? ' ' : (char)c;
		n++;
	}
	dst[n] = '\0';
	return n;
}

static void
reply_err(struct ctx *x, const char *s)
{
	x->error = true;
	ns_resp_error(&x->o, s);
}

/* An error text with one %s argument (a name, or a sanitised argument). */
static void
reply_errf(struct ctx *x, const char *fmt, const char *s1, const char *s2)
{
	char b[512];

	snprintf(b, sizeof(b), fmt, s1, s2);
	reply_err(x, b);
}

static void
reply_arity(struct ctx *x, const char *name)
{
	reply_errf(x, E_ARITY, name, "");
}

/* "-ERR unknown subcommand 'x'. Try CMD HELP." */
static void
reply_subcmd(struct ctx *x, const char *cmd)
{
	char a[129];

	cat_arg(a, sizeof(a), ARG(1), 128);
	reply_errf(x, E_SUBCMD, a, cmd);
}

static void
reply_oom(struct ctx *x)
{
	x->oom++;
	reply_err(x, E_OOM);
}

static void
reply_alloc_fail(struct ctx *x)
{
	x->alloc_fail++;
	reply_err(x, E_OOM);
}

/* Whether growing the keyspace from used_memory to after is refused. */
static bool
over_maxmemory(const struct ctx *x, uint64_t after)
{
	uint64_t max = x->db->cfg.maxmemory;

	return max != 0 && after > max && after > x->db->used_memory;
}

static struct ns_kv_entry *
lookup(struct ctx *x, const struct ns_resp_arg *k)
{
	struct ns_kv_entry *e = ns_kv_lookup(x->db, k->p, k->len, x->now);

	if (e != NULL)
		x->hits++;
	else
		x->misses++;
	return e;
}

static uint64_t
stored_size(const struct ns_kv *db, const struct ns_resp_arg *k)
{
	const struct ns_kv_entry *e = ns_kv_find(db, k->p, k->len);

	return e ? ns_kv_entry_size(e->klen, e->vlen) : 0;
}

/* ---- connection and server ---- */

static void
cmd_ping(struct ctx *x)
{
	if (x->cmd->argc > 2)
		reply_arity(x, "ping");
	else if (x->cmd->argc == 2)
		ns_resp_bulk(&x->o, ARG(1)->p, ARG(1)->len);
	else
		ns_resp_status(&x->o, "PONG");
}

static void
cmd_echo(struct ctx *x)
{
	ns_resp_bulk(&x->o, ARG(1)->p, ARG(1)->len);
}

static void
cmd_quit(struct ctx *x)
{
	ns_resp_status(&x->o, "OK");
	x->flags |= NS_KV_F_CLOSE;
}

static void
cmd_select(struct ctx *x)
{
	int64_t id;

	if (ns_resp_str2ll(ARG(1)->p, ARG(1)->len, &id) != 0)
		reply_err(x, E_NOTINT);
	else if (id < INT32_MIN || id > INT32_MAX)
		reply_err(x, "-ERR value is out of range, value must between -2147483648 and "
			     "2147483647");
	else if (id != 0)
		reply_err(x, "-ERR DB index is out of range");
	else
		ns_resp_status(&x->o, "OK");
}

static void
cmd_dbsize(struct ctx *x)
{
	ns_resp_int(&x->o, (int64_t)ns_kv_dbsize(x->db));
}

static void
cmd_debug(struct ctx *x)
{
	char hex[41];

	if (arg_is(ARG(1), "digest") && x->cmd->argc == 2) {
		ns_kv_digest(x->db, hex);
		ns_resp_status(&x->o, hex);
	} else {
		reply_subcmd(x, "DEBUG");
	}
}

static void
cmd_client(struct ctx *x)
{
	const struct ns_resp_arg *name;

	if (arg_is(ARG(1), "setname")) {
		if (x->cmd->argc != 3) {
			reply_arity(x, "client|setname");
			return;
		}
		name = ARG(2);
		for (uint32_t i = 0; i < name->len; i++) {
			if (name->p[i] < '!' || name->p[i] > '~') {
				reply_err(x, "-ERR Client names cannot contain spaces, newlines or "
					     "special characters.");
				return;
			}
		}
		ns_resp_status(&x->o, "OK");
	} else if (arg_is(ARG(1), "setinfo")) {
		if (x->cmd->argc != 4)
			reply_arity(x, "client|setinfo");
		else
			ns_resp_status(&x->o, "OK");
	} else {
		reply_subcmd(x, "CLIENT");
	}
}

static void
cmd_hello(struct ctx *x)
{
	uint32_t i = 2;
	int64_t ver;

	if (x->cmd->argc >= 2) {
		if (ns_resp_str2ll(ARG(1)->p, ARG(1)->len, &ver) != 0) {
			reply_err(x, "-ERR Protocol version is not an integer or out of range");
			return;
		}
		if (ver != 2) {
			reply_err(x, E_NOPROTO);
			return;
		}
	}
	for (; i < x->cmd->argc; i++) {
		char a[129];

		if (arg_is(ARG(i), "setname") && i + 1 < x->cmd->argc) {
			i++;
			continue;
		}
		cat_arg(a, sizeof(a), ARG(i), 128);
		reply_errf(x, "-ERR Syntax error in HELLO option '%s'", a, "");
		return;
	}
	ns_resp_array(&x->o, 14);
	ns_resp_bulk_str(&x->o, "server");
	ns_resp_bulk_str(&x->o, "redis");
	ns_resp_bulk_str(&x->o, "version");
	ns_resp_bulk_str(&x->o, KV_VERSION);
	ns_resp_bulk_str(&x->o, "proto");
	ns_resp_int(&x->o, 2);
	ns_resp_bulk_str(&x->o, "id");
	ns_resp_int(&x->o, 0);
	ns_resp_bulk_str(&x->o, "mode");
	ns_resp_bulk_str(&x->o, "standalone");
	ns_resp_bulk_str(&x->o, "role");
	ns_resp_bulk_str(&x->o, "master");
	ns_resp_bulk_str(&x->o, "modules");
	ns_resp_array(&x->o, 0);
}

static void
cmd_command(struct ctx *x)
{
	if (x->cmd->argc == 1) {
		ns_resp_array(&x->o, 0);
	} else if (arg_is(ARG(1), "docs")) {
		ns_resp_array(&x->o, 0);
	} else if (arg_is(ARG(1), "count")) {
		if (x->cmd->argc != 2)
			reply_arity(x, "command|count");
		else
			ns_resp_int(&x->o, ns_kv_cmd_count());
	} else {
		reply_subcmd(x, "COMMAND");
	}
}

/*
 * Glob match of Redis's CONFIG GET patterns: '*' and '?' (no classes),
 * case-insensitive.  Backtracks only to the last '*': O(pattern x name).
 */
static bool
glob(const uint8_t *p, uint32_t pn, const char *s)
{
	uint32_t pi = 0, star = UINT32_MAX;
	size_t si = 0, mark = 0, sn = strlen(s);

	while (si < sn) {
		uint8_t c = pi < pn ? p[pi] : 0;

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (pi < pn && c == '*') {
			star = pi++;
			mark = si;
		} else if (pi < pn && (c == '?' || c == (uint8_t)s[si])) {
			pi++;
			si++;
		} else if (star != UINT32_MAX) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

static void
cmd_config(struct ctx *x)
{
	char maxmem[24], maxbulk[24];
	const char *params[][2] = {
			{"save", ""},
			{"appendonly", "no"},
			{"maxmemory", maxmem},
			{"maxmemory-policy", "noeviction"},
			{"proto-max-bulk-len", maxbulk},
			{"databases", "1"},
	};
	enum { NPARAMS = sizeof(params) / sizeof(params[0]) };
	bool hit[NPARAMS] = {false};
	uint32_t n = 0;

	if (!arg_is(ARG(1), "get")) {
		reply_subcmd(x, "CONFIG");
		return;
	}
	if (x->cmd->argc < 3) {
		reply_arity(x, "config|get");
		return;
	}
	snprintf(maxmem, sizeof(maxmem), "%" PRIu64, x->db->cfg.maxmemory);
	snprintf(maxbulk, sizeof(maxbulk), "%" PRIu32, x->db->cfg.max_bulk);
	for (uint32_t i = 2; i < x->cmd->argc; i++) {
		for (int j = 0; j < NPARAMS; j++) {
			if (!hit[j] && glob(ARG(i)->p, ARG(i)->len, params[j][0])) {
				hit[j] = true;
				n++;
			}
		}
	}
	ns_resp_array(&x->o, 2 * (uint64_t)n);
	for (int j = 0; j < NPARAMS; j++) {
		if (hit[j]) {
			ns_resp_bulk_str(&x->o, params[j][0]);
			ns_resp_bulk_str(&x->o, params[j][1]);
		}
	}
}

/* INFO sections, in Redis's order. */
enum { INFO_SERVER = 1, INFO_MEMORY = 2, INFO_STATS = 4, INFO_KEYSPACE = 8, INFO_ALL = 15 };

static void
cmd_info(struct ctx *x)
{
	const uint64_t *c = x->db->ctr;
	unsigned int want = 0;
	char b[2048];
	int n = 0;

	if (x->cmd->argc == 1)
		want = INFO_ALL;
	for (uint32_t i = 1; i < x->cmd->argc; i++) {
		if (arg_is(ARG(i), "server"))
			want |= INFO_SERVER;
		else if (arg_is(ARG(i), "memory"))
			want |= INFO_MEMORY;
		else if (arg_is(ARG(i), "stats"))
			want |= INFO_STATS;
		else if (arg_is(ARG(i), "keyspace"))
			want |= INFO_KEYSPACE;
		else if (arg_is(ARG(i), "all") || arg_is(ARG(i), "everything") ||
				arg_is(ARG(i), "default"))
			want |= INFO_ALL;
	}
	/* Sections are separated by an empty line, as Redis writes them. */
	if (want & INFO_SERVER)
		n += snprintf(b + n, sizeof(b) - (size_t)n,
				"# Server\r\nredis_version:%s\r\nredis_mode:standalone\r\n"
				"server_name:nonstop-kv\r\narch_bits:64\r\n",
				KV_VERSION);
	if (want & INFO_MEMORY)
		n += snprintf(b + n, sizeof(b) - (size_t)n,
				"%s# Memory\r\nused_memory:%" PRIu64 "\r\nmaxmemory:%" PRIu64
				"\r\nmaxmemory_policy:noeviction\r\n",
				n ? "\r\n" : "", ns_kv_used_memory(x->db), x->db->cfg.maxmemory);
	if (want & INFO_STATS)
		n += snprintf(b + n, sizeof(b) - (size_t)n,
				"%s# Stats\r\ntotal_commands_processed:%" PRIu64
				"\r\nexpired_keys:%" PRIu64 "\r\nkeyspace_hits:%" PRIu64
				"\r\nkeyspace_misses:%" PRIu64 "\r\ntotal_error_replies:%" PRIu64
				"\r\n",
				n ? "\r\n" : "", c[NS_KV_C_commands], c[NS_KV_C_keys_expired],
				c[NS_KV_C_keyspace_hits], c[NS_KV_C_keyspace_misses],
				c[NS_KV_C_error_replies]);
	if (want & INFO_KEYSPACE) {
		n += snprintf(b + n, sizeof(b) - (size_t)n, "%s# Keyspace\r\n", n ? "\r\n" : "");
		if (ns_kv_dbsize(x->db) > 0)
			n += snprintf(b + n, sizeof(b) - (size_t)n,
					"db0:keys=%" PRIu64 ",expires=%" PRIu64 ",avg_ttl=0\r\n",
					ns_kv_dbsize(x->db), ns_kv_expires(x->db));
	}
	ns_resp_bulk(&x->o, b, (uint64_t)n);
}

/* ---- keyspace ---- */

static void
cmd_get(struct ctx *x)
{
	const struct ns_kv_entry *e = lookup(x, ARG(1));

	if (e != NULL)
		ns_resp_bulk(&x->o, ns_kv_entry_val(e), e->vlen);
	else
		ns_resp_nil(&x->o);
}

static void
cmd_mget(struct ctx *x)
{
	ns_resp_array(&x->o, x->cmd->argc - 1);
	for (uint32_t i = 1; i < x->cmd->argc; i++) {
		const struct ns_kv_entry *e = lookup(x, ARG(i));

		if (e != NULL)
			ns_resp_bulk(&x->o, ns_kv_entry_val(e), e->vlen);
		else
			ns_resp_nil(&x->o);
	}
}

static void
cmd_exists(struct ctx *x)
{
	int64_t n = 0;

	for (uint32_t i = 1; i < x->cmd->argc; i++)
		n += lookup(x, ARG(i)) != NULL;
	ns_resp_int(&x->o, n);
}

static void
cmd_ttl_common(struct ctx *x, bool ms)
{
	const struct ns_kv_entry *e = lookup(x, ARG(1));
	int64_t ttl;

	if (e == NULL) {
		ns_resp_int(&x->o, -2);
	} else if (e->expire_ms == 0) {
		ns_resp_int(&x->o, -1);
	} else {
		ttl = e->expire_ms - x->now;
		ns_resp_int(&x->o, ms ? ttl : (ttl + 500) / 1000);
	}
}

static void
cmd_ttl(struct ctx *x)
{
	cmd_ttl_common(x, false);
}

static void
cmd_pttl(struct ctx *x)
{
	cmd_ttl_common(x, true);
}

/* SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] */
enum {
	SET_NX = 1,
	SET_XX = 2,
	SET_GET = 4,
	SET_KEEPTTL = 8,
	SET_EX = 16,
	SET_PX = 32,
	SET_EXAT = 64,
	SET_PXAT = 128,
};
#define SET_ANY_EXPIRE (SET_EX | SET_PX | SET_EXAT | SET_PXAT)

static void
cmd_set(struct ctx *x)
{
	const struct ns_resp_arg *k = ARG(1), *v = ARG(2), *exp_arg = NULL;
	const struct ns_kv_entry *old;
	struct ns_kv_entry *e;
	unsigned int f = 0;
	int64_t when = 0;
	bool doit;

	for (uint32_t j = 3; j < x->cmd->argc; j++) {
		const struct ns_resp_arg *o = ARG(j);
		bool has_next = j + 1 < x->cmd->argc;

		if (arg_is(o, "nx") && !(f & SET_XX)) {
			f |= SET_NX;
		} else if (arg_is(o, "xx") && !(f & SET_NX)) {
			f |= SET_XX;
		} else if (arg_is(o, "get")) {
			f |= SET_GET;
		} else if (arg_is(o, "keepttl") && !(f & SET_ANY_EXPIRE)) {
			f |= SET_KEEPTTL;
		} else if (arg_is(o, "ex") && !(f & (SET_KEEPTTL | (SET_ANY_EXPIRE & ~SET_EX))) &&
				has_next) {
			f |= SET_EX;
			exp_arg = ARG(++j);
		} else if (arg_is(o, "px") && !(f & (SET_KEEPTTL | (SET_ANY_EXPIRE & ~SET_PX))) &&
				has_next) {
			f |= SET_PX;
			exp_arg = ARG(++j);
		} else if (arg_is(o, "exat") &&
				!(f & (SET_KEEPTTL | (SET_ANY_EXPIRE & ~SET_EXAT))) && has_next) {
			f |= SET_EXAT;
			exp_arg = ARG(++j);
		} else if (arg_is(o, "pxat") &&
				!(f & (SET_KEEPTTL | (SET_ANY_EXPIRE & ~SET_PXAT))) && has_next) {
			f |= SET_PXAT;
			exp_arg = ARG(++j);
		} else {
			reply_err(x, E_SYNTAX);
			return;
		}
	}
	if (exp_arg != NULL) {
		bool secs = f & (SET_EX | SET_EXAT), rel = f & (SET_EX | SET_PX);

		if (ns_resp_str2ll(exp_arg->p, exp_arg->len, &when) != 0) {
			reply_err(x, E_NOTINT);
			return;
		}
		if (when <= 0 || (secs && when > INT64_MAX / 1000)) {
			reply_errf(x, E_EXPIRE, "set", "");
			return;
		}
		if (secs)
			when *= 1000;
		if (rel) {
			if (when > INT64_MAX - x->now) {
				reply_errf(x, E_EXPIRE, "set", "");
				return;
			}
			when += x->now;
		}
	}
	old = lookup(x, k);
	if (f & SET_KEEPTTL)
		when = old ? old->expire_ms : 0;
	doit = !((f & SET_NX) && old) && !((f & SET_XX) && !old);

	/* An expiry already past: the key is set and gone at once. */
	if (doit && when != 0 && when <= x->now) {
		if (f & SET_GET) {
			if (old)
				ns_resp_bulk(&x->o, ns_kv_entry_val(old), old->vlen);
			else
				ns_resp_nil(&x->o);
		} else {
			ns_resp_status(&x->o, "OK");
		}
		if (commit(x)) {
			struct ns_kv_entry *s = ns_kv_find(x->db, k->p, k->len);

			if (s != NULL)
				ns_kv_delete(x->db, s, false);
		}
		return;
	}
	if (doit && over_maxmemory(x, x->db->used_memory - stored_size(x->db, k) +
						      ns_kv_entry_size(k->len, v->len))) {
		reply_oom(x);
		return;
	}
	e = NULL;
	if (doit && ((when != 0 && ns_kv_reserve_expires(x->db, 1) != 0) ||
				    (e = ns_kv_entry_new(x->db, k->p, k->len, v->p, v->len)) ==
						    NULL)) {
		reply_alloc_fail(x);
		return;
	}
	if (f & SET_GET) {
		if (old)
			ns_resp_bulk(&x->o, ns_kv_entry_val(old), old->vlen);
		else
			ns_resp_nil(&x->o);
	} else if (doit) {
		ns_resp_status(&x->o, "OK");
	} else {
		ns_resp_nil(&x->o);
	}
	if (e == NULL)
		return;
	if (commit(x))
		ns_kv_put(x->db, e, when);
	else
		free(e);
}

static void
cmd_mset(struct ctx *x)
{
	struct ns_kv_entry *e[NS_RESP_MAX_ARGS / 2];
	uint32_t n = (x->cmd->argc - 1) / 2, i;
	uint64_t after = x->db->used_memory;

	if (x->cmd->argc % 2 == 0) {
		reply_arity(x, "mset");
		return;
	}
	/* At most the growth of each pair on its own (a repeated key counts twice). */
	for (i = 0; i < n; i++) {
		uint64_t old = stored_size(x->db, ARG(1 + 2 * i)),
			 new = ns_kv_entry_size(ARG(1 + 2 * i)->len, ARG(2 + 2 * i)->len);

		if (new > old)
			after += new - old;
	}
	if (over_maxmemory(x, after)) {
		reply_oom(x);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct ns_resp_arg *k = ARG(1 + 2 * i), *v = ARG(2 + 2 * i);

		e[i] = ns_kv_entry_new(x->db, k->p, k->len, v->p, v->len);
		if (e[i] == NULL) {
			while (i-- > 0)
				free(e[i]);
			reply_alloc_fail(x);
			return;
		}
	}
	ns_resp_status(&x->o, "OK");
	for (i = 0; i < n; i++) {
		if (commit(x))
			ns_kv_put(x->db, e[i], 0);
		else
			free(e[i]);
	}
}

static void
cmd_del(struct ctx *x)
{
	const struct ns_kv_entry *seen[NS_RESP_MAX_ARGS];
	uint32_t nseen = 0;

	/* The reply counts distinct live keys: a key named twice is one. */
	for (uint32_t i = 1; i < x->cmd->argc; i++) {
		const struct ns_kv_entry *e = lookup(x, ARG(i));
		uint32_t j;

		if (e == NULL)
			continue;
		for (j = 0; j < nseen && seen[j] != e; j++)
			;
		if (j == nseen)
			seen[nseen++] = e;
	}
	ns_resp_int(&x->o, nseen);
	if (!commit(x))
		return;
	for (uint32_t i = 1; i < x->cmd->argc; i++) {
		struct ns_kv_entry *e = ns_kv_find(x->db, ARG(i)->p, ARG(i)->len);

		if (e != NULL)
			ns_kv_delete(x->db, e, ns_kv_entry_expired(e, x->now));
	}
}

static void
incr_common(struct ctx *x, int64_t by)
{
	const struct ns_resp_arg *k = ARG(1);
	const struct ns_kv_entry *old = lookup(x, k);
	struct ns_kv_entry *e;
	int64_t v = 0;
	char b[24];
	int n;

	if (old != NULL && ns_resp_str2ll(ns_kv_entry_val(old), old->vlen, &v) != 0) {
		reply_err(x, E_NOTINT);
		return;
	}
	if ((by < 0 && v < 0 && by < INT64_MIN - v) || (by > 0 && v > 0 && by > INT64_MAX - v)) {
		reply_err(x, E_OVERFL);
		return;
	}
	v += by;
	n = snprintf(b, sizeof(b), "%" PRId64, v);
	if (over_maxmemory(x, x->db->used_memory - stored_size(x->db, k) +
					      ns_kv_entry_size(k->len, (uint64_t)n))) {
		reply_oom(x);
		return;
	}
	e = ns_kv_entry_new(x->db, k->p, k->len, (const uint8_t *)b, (uint32_t)n);
	if (e == NULL) {
		reply_alloc_fail(x);
		return;
	}
	ns_resp_int(&x->o, v);
	/* The key keeps its expiry (already reserved in the heap). */
	if (commit(x))
		ns_kv_put(x->db, e, old ? old->expire_ms : 0);
	else
		free(e);
}

static void
cmd_incr(struct ctx *x)
{
	incr_common(x, 1);
}

static void
cmd_decr(struct ctx *x)
{
	incr_common(x, -1);
}

static void
cmd_incrby(struct ctx *x)
{
	int64_t by;

	if (ns_resp_str2ll(ARG(2)->p, ARG(2)->len, &by) != 0)
		reply_err(x, E_NOTINT);
	else
		incr_common(x, by);
}

static void
cmd_decrby(struct ctx *x)
{
	int64_t by;

	if (ns_resp_str2ll(ARG(2)->p, ARG(2)->len, &by) != 0)
		reply_err(x, E_NOTINT);
	else if (by == INT64_MIN)
		reply_err(x, "-ERR decrement would overflow");
	else
		incr_common(x, -by);
}

enum { EXP_NX = 1, EXP_XX = 2, EXP_GT = 4, EXP_LT = 8 };

/* EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT key t [NX|XX|GT|LT] */
static void
expire_common(struct ctx *x, bool secs, bool rel)
{
	struct ns_kv_entry *e;
	unsigned int f = 0;
	int64_t when;

	for (uint32_t j = 3; j < x->cmd->argc; j++) {
		if (arg_is(ARG(j), "nx")) {
			f |= EXP_NX;
		} else if (arg_is(ARG(j), "xx")) {
			f |= EXP_XX;
		} else if (arg_is(ARG(j), "gt")) {
			f |= EXP_GT;
		} else if (arg_is(ARG(j), "lt")) {
			f |= EXP_LT;
		} else {
			char a[256];

			cat_arg(a, sizeof(a), ARG(j), sizeof(a) - 1);
			reply_errf(x, "-ERR Unsupported option %s", a, "");
			return;
		}
	}
	if ((f & EXP_NX) && (f & (EXP_XX | EXP_GT | EXP_LT))) {
		reply_err(x, "-ERR NX and XX, GT or LT options at the same time are not "
			     "compatible");
		return;
	}
	if ((f & EXP_GT) && (f & EXP_LT)) {
		reply_err(x, "-ERR GT and LT options at the same time are not compatible");
		return;
	}
	if (ns_resp_str2ll(ARG(2)->p, ARG(2)->len, &when) != 0) {
		reply_err(x, E_NOTINT);
		return;
	}
	if (secs) {
		if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) {
			reply_errf(x, E_EXPIRE, x->def->name, "");
			return;
		}
		when *= 1000;
	}
	if (rel) {
		if (when > INT64_MAX - x->now) {
			reply_errf(x, E_EXPIRE, x->def->name, "");
			return;
		}
		when += x->now;
	}
	e = lookup(x, ARG(1));
	if (e == NULL || ((f & EXP_NX) && e->expire_ms != 0) ||
			((f & EXP_XX) && e->expire_ms == 0) ||
			((f & EXP_GT) && (e->expire_ms == 0 || when <= e->expire_ms)) ||
			((f & EXP_LT) && e->expire_ms != 0 && when >= e->expire_ms)) {
		ns_resp_int(&x->o, 0);
		return;
	}
	if (when > x->now && e->expire_ms == 0 && ns_kv_reserve_expires(x->db, 1) != 0) {
		reply_alloc_fail(x);
		return;
	}
	ns_resp_int(&x->o, 1);
	if (!commit(x))
		return;
	/* A time already past deletes the key. */
	if (when <= x->now)
		ns_kv_delete(x->db, e, false);
	else
		ns_kv_set_expire(x->db, e, when);
}

static void
cmd_expire(struct ctx *x)
{
	expire_common(x, true, true);
}

static void
cmd_pexpire(struct ctx *x)
{
	expire_common(x, false, true);
}

static void
cmd_expireat(struct ctx *x)
{
	expire_common(x, true, false);
}

static void
cmd_pexpireat(struct ctx *x)
{
	expire_common(x, false, false);
}

static void
cmd_persist(struct ctx *x)
{
	struct ns_kv_entry *e = lookup(x, ARG(1));

	if (e == NULL || e->expire_ms == 0) {
		ns_resp_int(&x->o, 0);
		return;
	}
	ns_resp_int(&x->o, 1);
	if (commit(x))
		ns_kv_set_expire(x->db, e, 0);
}

static void
cmd_flushall(struct ctx *x)
{
	if (x->cmd->argc > 2 || (x->cmd->argc == 2 && !arg_is(ARG(1), "sync") &&
						!arg_is(ARG(1), "async"))) {
		reply_err(x, E_SYNTAX);
		return;
	}
	ns_resp_status(&x->o, "OK");
	if (commit(x))
		ns_kv_clear(x->db);
}

static const struct kv_cmd cmds[] = {
		{"get", 2, KV_READ, cmd_get},
		{"set", -3, KV_WRITE, cmd_set},
		{"del", -2, KV_WRITE, cmd_del},
		{"exists", -2, KV_READ, cmd_exists},
		{"incr", 2, KV_WRITE, cmd_incr},
		{"incrby", 3, KV_WRITE, cmd_incrby},
		{"decr", 2, KV_WRITE, cmd_decr},
		{"decrby", 3, KV_WRITE, cmd_decrby},
		{"mset", -3, KV_WRITE, cmd_mset},
		{"mget", -2, KV_READ, cmd_mget},
		{"expire", -3, KV_WRITE, cmd_expire},
		{"pexpire", -3, KV_WRITE, cmd_pexpire},
		{"expireat", -3, KV_WRITE, cmd_expireat},
		{"pexpireat", -3, KV_WRITE, cmd_pexpireat},
		{"ttl", 2, KV_READ, cmd_ttl},
		{"pttl", 2, KV_READ, cmd_pttl},
		{"persist", 2, KV_WRITE, cmd_persist},
		{"dbsize", 1, KV_READ, cmd_dbsize},
		{"flushall", -1, KV_WRITE, cmd_flushall},
		{"flushdb", -1, KV_WRITE, cmd_flushall},
		{"ping", -1, KV_OTHER, cmd_ping},
		{"echo", 2, KV_OTHER, cmd_echo},
		{"quit", -1, KV_OTHER, cmd_quit},
		{"select", 2, KV_OTHER, cmd_select},
		{"info", -1, KV_OTHER, cmd_info},
		{"command", -1, KV_OTHER, cmd_command},
		{"config", -2, KV_OTHER, cmd_config},
		{"debug", -2, KV_OTHER, cmd_debug},
		{"client", -2, KV_OTHER, cmd_client},
		{"hello", -1, KV_OTHER, cmd_hello},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

uint32_t
ns_kv_cmd_count(void)
{
	return NCMDS;
}

static const struct kv_cmd *
find_cmd(const struct ns_resp_cmd *cmd)
{
	if (cmd->argc == 0)
		return NULL;
	for (size_t i = 0; i < NCMDS; i++)
		if (arg_is(&cmd->argv[0], cmds[i].name))
			return &cmds[i];
	return NULL;
}

bool
ns_kv_cmd_is_write(const struct ns_resp_cmd *cmd)
{
	const struct kv_cmd *d = find_cmd(cmd);

	return d != NULL && d->cls == KV_WRITE;
}

/* Redis's text for a command it does not know, arguments quoted up to ~128 bytes. */
static void
reply_unknown(struct ctx *x)
{
	char b[512];
	size_t n, args_start;

	n = (size_t)snprintf(b, sizeof(b), "-ERR unknown command '");
	n += cat_arg(b + n, sizeof(b) - n, ARG(0), 128);
	n += (size_t)snprintf(b + n, sizeof(b) - n, "', with args beginning with: ");
	args_start = n;
	for (uint32_t i = 1; i < x->cmd->argc && n - args_start < 128; i++) {
		b[n++] = '\'';
		n += cat_arg(b + n, sizeof(b) - n, ARG(i), 128 - (n - 1 - args_start));
		b[n++] = '\'';
		b[n++] = ' ';
	}
	b[n] = '\0';
	reply_err(x, b);
}

static uint32_t
count_class(enum kv_class cls)
{
	switch (cls) {
	case KV_READ:
		return NS_KV_C_cmd_read;
	case KV_WRITE:
		return NS_KV_C_cmd_write;
	default:
		return NS_KV_C_cmd_other;
	}
}

uint32_t
ns_kv_exec(struct ns_kv *db, const struct ns_resp_cmd *cmd, uint64_t now_ms, enum ns_kv_mode mode,
		uint8_t *out, uint32_t cap, uint32_t *flags)
{
	struct ctx x = {
			.db = db,
			.cmd = cmd,
			.now = now_ms > INT64_MAX ? INT64_MAX : (int64_t)now_ms,
			.apply = mode == NS_KV_APPLY,
	};
	uint64_t *c = db->ctr;

	if (flags != NULL)
		*flags = 0;
	if (cmd->argc == 0 || cmd->argc > NS_RESP_MAX_ARGS)
		return 0;
	if (!x.apply) {
		x.o.p = out;
		x.o.cap = out != NULL ? cap : 0;
	}
	x.def = find_cmd(cmd);
	if (x.def == NULL) {
		if (x.apply)
			return 0;
		reply_unknown(&x);
	} else if ((x.def->arity > 0 && cmd->argc != (uint32_t)x.def->arity) ||
			(x.def->arity < 0 && cmd->argc < (uint32_t)-x.def->arity)) {
		reply_arity(&x, x.def->name);
	} else if (x.apply && x.def->cls != KV_WRITE) {
		/* Nothing to change and nobody to answer. */
	} else {
		x.def->fn(&x);
	}
	if (!commit(&x))
		return x.o.len > UINT32_MAX ? UINT32_MAX : (uint32_t)x.o.len;

	c[NS_KV_C_commands]++;
	if (x.def == NULL)
		c[NS_KV_C_unknown_commands]++;
	else
		c[count_class(x.def->cls)]++;
	c[NS_KV_C_error_replies] += x.error;
	c[NS_KV_C_oom_errors] += x.oom;
	c[NS_KV_C_alloc_failures] += x.alloc_fail;
	c[NS_KV_C_keyspace_hits] += x.hits;
	c[NS_KV_C_keyspace_misses] += x.misses;
	if (x.apply)
		return 0;
	c[NS_KV_C_bytes_out] += x.o.len;
	if (flags != NULL)
		*flags = x.flags;
	return (uint32_t)x.o.len;
}
