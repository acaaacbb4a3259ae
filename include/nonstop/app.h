/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nonstop's application API: a service on nonstop's replicated TCP.
 *
 * An application is a table of callbacks (struct ns_app_ops).  Built-in
 * applications are compiled into nonstop; others are shared objects named
 * by the configuration:
 *
 *     [app.NAME]
 *     lib = /path/to/libmyapp.so     ; dlopen()ed at start-up
 *     any_key = value                ; the application's own keys
 *
 *     [app.NAME.SUB]                 ; (1.1) any number of its own sections,
 *     key = value                    ; handed over as 'SUB.key'
 *
 *     [listener.X]
 *     port = 8000
 *     app = NAME
 *
 * and export NS_APP_ENTRY_SYMBOL, a function returning the table.  nonstop
 * refuses a table whose api_version differs from its own in the major
 * number, or that is newer in the minor number.
 *
 * Run to completion.  Every callback runs on a worker lcore, inside its
 * poll loop, and must return quickly: it never blocks, sleeps or waits for
 * I/O.  A callback that runs longer than [global] app_budget_us is counted
 * (app.slow_callbacks) and logged.  Callbacks of one connection always run
 * on the same worker; an application's per-worker state needs no lock.
 * Only the console callback (show) runs on the control thread: it reads
 * what the workers published, never their live state.
 *
 * Two sides.  On the active instance, the application serves its
 * connections (accept ... closed).  On a standby, the same application runs
 * as the backup application of each replicated connection: it is handed,
 * in order, every byte the active application consumed (backup_input), and
 * the state the active checkpointed (checkpoint/restore), so that it holds
 * what the active holds.  When the standby takes over, takeover() turns it
 * into the active application of that connection: the peer notices
 * nothing.  Output is the replicated send queue's: bytes the active
 * committed before it died are already in it and are sent by TCP; the
 * backup application must not produce them again.  An application whose
 * output is a function of its input alone (consume a request, commit its
 * reply, in one callback) meets this without effort: what was consumed was
 * answered, and what was not consumed is read again by the new active.
 *
 * Session flags: the standby measures, per connection, how long the backup
 * application takes to consume what arrived, against [repl] warn_ms and
 * critical_ms; the flag and its details reach both applications (flag).
 */
#ifndef NONSTOP_APP_H
#define NONSTOP_APP_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Major: incompatible changes; minor: additions at the end of structs. */
#define NS_APP_API_MAJOR   1
#define NS_APP_API_MINOR   1
#define NS_APP_API_VERSION ((NS_APP_API_MAJOR << 16) | NS_APP_API_MINOR)

/* The symbol a shared object exports: const struct ns_app_ops *f(void). */
#define NS_APP_ENTRY_SYMBOL "ns_app_entry"

struct ns_app_conn;   /* one TCP connection, as its application sees it */
struct ns_app_worker; /* one worker lcore */
struct ns_app_out;    /* console output */
struct ns_app_tel;    /* a telemetry answer (1.1) */

/* Why a connection ended. */
enum ns_app_close_reason {
	NS_APP_CLOSE_DONE,    /* both sides closed, everything acknowledged */
	NS_APP_CLOSE_RESET,   /* reset by the peer */
	NS_APP_CLOSE_TIMEOUT, /* retransmissions or keepalives exhausted */
	NS_APP_CLOSE_ABORTED, /* aborted here (ns_app_abort) */
	NS_APP_CLOSE_MOVED,   /* another instance holds it now (a planned switchover) */
};

/* Session flags (receipt-to-consumption lag of the backup application). */
enum ns_app_flag_level {
	NS_APP_FLAG_CLEAR,
	NS_APP_FLAG_WARN,
	NS_APP_FLAG_CRITICAL,
};

struct ns_app_flag {
	uint8_t level;	  /* enum ns_app_flag_level */
	bool from_active; /* on the standby: the active's acknowledgement of it */
	uint32_t lag_us;  /* the lag that raised (or cleared) it */
	uint32_t conn_id; /* the connection's id on both instances */
	uint32_t unread;  /* bytes received by the standby, not yet consumed */
};

/* A connection's details. */
struct ns_app_conn_info {
	uint32_t id;	       /* its slot; the same on the active and the standby */
	uint32_t laddr, raddr; /* network order */
	uint16_t lport, rport; /* host order */
	bool passive;	       /* accepted by a listener (else opened by a client) */
	bool backup;	       /* a standby's shadow: the backup side runs */
	const char *binding;   /* the [listener.X] or [client.X] name */
	uint64_t bytes;	       /* that section's 'bytes' key (0: not given) */
	uint32_t msg;	       /* that section's 'msg' key (0: not given) */
	uint32_t worker;       /* the worker's index */
	/* Stream offsets, modulo 2^32: bytes committed to the send queue and
	 * bytes consumed since the connection opened. */
	uint32_t sent_off, read_off;
	uint32_t snd_space; /* free bytes in the send queue */
	uint32_t unread;    /* bytes received, not yet consumed */
	uint32_t rcv_space; /* free bytes in the receive queue: a request longer than
			       unread + rcv_space can never arrive whole */
	bool peer_closed;   /* the peer's FIN came (after the unread bytes) */
};

/* [app.NAME]'s own keys, in file order, then those of each [app.NAME.SUB]
 * section (1.1) in the file's order of sections, named 'SUB.key' (SUB may
 * itself hold dots: the key is what follows the last one).  An init error
 * message that starts with 'KEY: ' or "unknown key 'KEY'" is shown with
 * that key's section and line. */
struct ns_app_kv {
	const char *key, *value;
};

struct ns_app_ops {
	uint32_t api_version; /* NS_APP_API_VERSION it was built against */
	const char *name;     /* for logs; the configuration names the instance */
	/* Bytes of per-connection state nonstop keeps for it, zeroed when the
	 * connection (or its shadow) appears; passed to every connection callback. */
	uint32_t conn_size;
	/* Its counters: names (NULL-terminated), shown as app.NAME.COUNTER. */
	const char *const *counters;

	/* Start-up, on the main thread, before the workers run: its keys.
	 * Non-zero refuses to start; err (errlen bytes) says why. */
	int (*init)(const char *name, const struct ns_app_kv *kv, uint32_t n_kv, char *err,
			uint32_t errlen);
	void (*fini)(void);
	/* Once per worker, on that worker, before its first connection. */
	int (*worker_init)(struct ns_app_worker *w);
	void (*worker_fini)(struct ns_app_worker *w);
	/* Once per worker poll, after the connections' callbacks (optional). */
	void (*poll)(struct ns_app_worker *w);

	/* --- active side --- */
	void (*accept)(struct ns_app_conn *c, void *st);    /* a listener's connection is up */
	void (*connected)(struct ns_app_conn *c, void *st); /* a client connection is up */
	void (*readable)(struct ns_app_conn *c, void *st);  /* new bytes, or the peer's FIN */
	void (*writable)(struct ns_app_conn *c, void *st);  /* send queue space freed */
	/* The connection is gone: st is valid for the call only; no ns_app_*
	 * call on c from here. */
	void (*closed)(struct ns_app_conn *c, void *st, enum ns_app_close_reason why);
	void (*timer)(struct ns_app_conn *c, void *st); /* ns_app_timer_arm() fired */

	/* --- backup side (on a standby) --- */
	/* A replicated connection appeared: st is zeroed (restore follows when
	 * the active checkpointed state). */
	void (*backup_open)(struct ns_app_conn *c, void *st);
	/* The active application consumed these bytes, next in the stream:
	 * apply them.  Returns how many were used; the rest is offered again,
	 * with what follows, next time (a record split by replication). */
	uint32_t (*backup_input)(struct ns_app_conn *c, void *st, const uint8_t *p, uint32_t len);
	/* Active: state that is not a function of the consumed bytes, written
	 * into buf (max bytes); returns its length (0: none).  Called when the
	 * connection's image is replicated.  Standby: that state, as of the
	 * bytes handed to backup_input so far. */
	uint32_t (*checkpoint)(struct ns_app_conn *c, const void *st, void *buf, uint32_t max);
	void (*restore)(struct ns_app_conn *c, void *st, const void *buf, uint32_t len);
	/* The standby took over: c is live, st is what the backup side built. */
	void (*takeover)(struct ns_app_conn *c, void *st);
	/* Either side: a session flag or its details. */
	void (*flag)(struct ns_app_conn *c, void *st, const struct ns_app_flag *f);

	/* --- state the connections share (a keyspace, a routing table) --- */
	/* Standby: a record the active wrote (ns_app_journal), in the order the
	 * active wrote them, once the input that made it is replicated; or a
	 * record of the active's snapshot (ns_app_snapshot_record). */
	void (*journal_apply)(struct ns_app_worker *w, const void *rec, uint32_t len);
	/* Active, while a standby joins: the whole shared state as records, from
	 * *cursor on (0: the start), until ns_app_snapshot_record refuses one
	 * (the channel is full, or this poll's share of some 64 KB is written:
	 * called again next poll with the same cursor);
	 * true once all of it is written.  Changes between two calls need no
	 * care: their journal records follow in the same stream. */
	bool (*snapshot)(struct ns_app_worker *w, uint64_t *cursor);
	/* Standby: a new session with the active begins: drop the shared state
	 * (the snapshot follows). */
	void (*shared_reset)(struct ns_app_worker *w);

	/* --- control thread --- */
	/* 'app NAME ARGS...' on the console and the ctl socket; returns 0 or -1. */
	int (*show)(struct ns_app_out *o, int argc, char **argv);

	/* --- added in 1.1: nonstop reads these only from a table of 1.1 or later --- */
	/* The rte_telemetry endpoint /nonstop/app/NAME (dpdk-telemetry.py), on
	 * the telemetry thread: params is what follows the comma (or "").  It
	 * fills t (a dict) from what the workers published; returns 0, or -1
	 * with the answer's "error" key set. */
	int (*telemetry)(struct ns_app_tel *t, const char *params);
};

/* --- called by applications (worker lcores, inside callbacks) ------------ */

/* Receive.  peek: the contiguous unread bytes in place (valid until the next
 * call on c); consume: release n of them.  copy: up to len unread bytes from
 * offset off on, across the ring's wrap, without consuming. */
uint32_t ns_app_peek(struct ns_app_conn *c, const uint8_t **p);
uint32_t ns_app_copy(struct ns_app_conn *c, uint32_t off, void *buf, uint32_t len);
uint32_t ns_app_consume(struct ns_app_conn *c, uint32_t n);
uint32_t ns_app_recv(struct ns_app_conn *c, void *buf, uint32_t len); /* copy + consume */

/* Send.  reserve: the contiguous free space at the send queue's tail;
 * commit: queue n bytes written there.  send: copy in, returns bytes queued. */
uint32_t ns_app_reserve(struct ns_app_conn *c, uint8_t **p);
uint32_t ns_app_commit(struct ns_app_conn *c, uint32_t n);
uint32_t ns_app_send(struct ns_app_conn *c, const void *buf, uint32_t len);

/* Shared state.  ns_app_journal: the record of a change the connection's
 * input made to the shared state, written after consuming that input (the
 * standby applies it once it has the consumption; a takeover before that
 * drops it, and the new active reads the input again).  A callback that
 * journals should commit its answer in the same callback.  At most
 * NS_APP_JOURNAL_MAX bytes; -1: too long, or the replication stream lost it
 * (the standby then joins afresh, with a snapshot).  0 without a standby. */
#define NS_APP_JOURNAL_MAX (1u << 20)
int ns_app_journal(struct ns_app_conn *c, const void *rec, uint32_t len);
/* A record no connection's input made (a timer's, an expiry's): it takes
 * its turn among the others. */
int ns_app_journal_worker(struct ns_app_worker *w, const void *rec, uint32_t len);
/* One record of the snapshot (in snapshot()); -1: no room now. */
int ns_app_snapshot_record(struct ns_app_worker *w, const void *rec, uint32_t len);

/* shutdown: FIN after the queued bytes (reading goes on); close: the same,
 * and unread or later bytes are discarded; abort: RST now. */
void ns_app_shutdown(struct ns_app_conn *c);
void ns_app_close(struct ns_app_conn *c);
void ns_app_abort(struct ns_app_conn *c);

/* Nagle's algorithm off (on: small segments wait for the ACK of what is in
 * flight).  A request/response server that commits a callback's answers
 * at once wants it off, as Redis sets TCP_NODELAY. */
void ns_app_set_nodelay(struct ns_app_conn *c, bool on);

void ns_app_conn_info(const struct ns_app_conn *c, struct ns_app_conn_info *info);
struct ns_app_worker *ns_app_conn_worker(const struct ns_app_conn *c);

/* One timer per connection, on the worker's timer wheel (millisecond
 * ticks): (re)armed to fire after delay_us; a backup side's timers wait for
 * its takeover. */
void ns_app_timer_arm(struct ns_app_conn *c, uint64_t delay_us);
void ns_app_timer_stop(struct ns_app_conn *c);

/* The worker's clock (monotonic, ns) and the wall clock (CLOCK_REALTIME, ms),
 * both as of the current poll. */
uint64_t ns_app_now_ns(const struct ns_app_worker *w);
uint64_t ns_app_wall_ms(const struct ns_app_worker *w);
uint32_t ns_app_worker_index(const struct ns_app_worker *w);
/* This instance is a standby (its applications run their backup side). */
bool ns_app_standby(const struct ns_app_worker *w);
uint32_t ns_app_n_workers(void);
/* The application's private pointer for this worker (set it in worker_init). */
void **ns_app_worker_priv(struct ns_app_worker *w);

/* Its counters (index into ops->counters), per worker. */
void ns_app_count(struct ns_app_worker *w, uint32_t idx, uint64_t n);

/* Active open from a worker: a connection of this application to
 * raddr:rport (network order address, host order port) from the address of
 * the port on raddr's subnet; NULL if no TCB or port is free.  connected()
 * or closed() follows. */
struct ns_app_conn *ns_app_connect(struct ns_app_worker *w, uint32_t raddr, uint16_t rport);

/* Logging (rate-limited per call site by the caller's judgement). */
enum ns_app_log_level { NS_APP_LOG_ERR, NS_APP_LOG_WARNING, NS_APP_LOG_INFO, NS_APP_LOG_DEBUG };
void ns_app_log(enum ns_app_log_level level, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

/* A telemetry answer (telemetry callback): a dict whose values are
 * numbers, strings or dicts of numbers and strings (one level, as
 * rte_telemetry nests them).  Keys are cut at 63 characters; any character
 * but letters, digits and '_' becomes '_' ("192.0.2.1" -> "192_0_2_1").
 * At most 256 keys per dict, 16 KB of JSON per answer; what does not fit
 * is left out.  ns_app_tel_dict returns NULL inside a nested dict or when
 * out of memory; the other calls accept a NULL t and do nothing. */
struct ns_app_tel *ns_app_tel_dict(struct ns_app_tel *t, const char *key);
void ns_app_tel_u64(struct ns_app_tel *t, const char *key, uint64_t v);
void ns_app_tel_str(struct ns_app_tel *t, const char *key, const char *v);

/* Console output (show). */
void ns_app_printf(struct ns_app_out *o, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

#endif /* NONSTOP_APP_H */
