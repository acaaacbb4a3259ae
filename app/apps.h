/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Applications on nonstop's TCP: the table of applications (the built-in
 * ones and those [app.NAME] loads from shared objects), the per-connection
 * and per-worker state the public API (include/nonstop/app.h) hands out,
 * and the calls the TCP and replication glue make into the applications.
 */
#ifndef NS_APPS_H
#define NS_APPS_H

#include <stdbool.h>
#include <stdint.h>

#include "nonstop/app.h"
#include "repl/repl_journal.h"
#include "common/timer_wheel.h"

struct ns_tcp_w;
struct ns_tcb;

#define NS_MAX_APPS	 16  /* built-in and configured */
#define NS_APP_MAX_CTRS	 32  /* counters of one application */
#define NS_APP_MAX_KEYS	 256 /* keys of one [app.NAME] and its [app.NAME.SUB] */
#define NS_APP_STATE_MAX 200 /* checkpoint bytes of one connection */

/* The built-in applications, first in the table. */
enum ns_builtin_app {
	NS_APP_ECHO,	   /* send back what is read */
	NS_APP_SINK,	   /* read, count, digest */
	NS_APP_SOURCE,	   /* send the pattern (bytes, or forever), then close */
	NS_APP_ECHO_CHECK, /* send the pattern, check that it comes back unchanged */
	NS_APP_N_BUILTIN,
};

/* Pending events of a connection, run after the burst. */
enum ns_app_ev {
	NS_APPEV_UP = 1u << 0, /* accept or connected */
	NS_APPEV_READABLE = 1u << 1,
	NS_APPEV_WRITABLE = 1u << 2,
	NS_APPEV_TIMER = 1u << 3,
	NS_APPEV_TAKEOVER = 1u << 4,
};

/* One connection as its application sees it (indexed by TCB id). */
struct ns_app_conn {
	struct ns_tcp_w *t;
	uint32_t id;
	uint16_t app;	 /* index in the table + 1; 0: no application */
	uint8_t ready;	 /* on the worker's ready list */
	uint8_t ev;	 /* enum ns_app_ev */
	uint8_t client;	 /* [client.*] index + 1; 0: accepted by a listener */
	uint8_t failed;	 /* the application or the peer failed it (client outcome) */
	uint8_t counted; /* a client's outcome is in its stats */
	uint8_t up;	 /* the handshake completed */
	uint8_t backup;	 /* a standby's shadow: the backup side runs */
	uint8_t closing; /* ns_app_close(): later bytes are discarded */
	uint64_t bytes;	 /* consumed, by the application or its backup */
	uint64_t sent;	 /* committed to the send queue */
	struct ns_tw_timer timer;
};

/* What one worker keeps for each application. */
struct ns_app_wstate {
	void *priv;
	uint64_t ctr[NS_APP_MAX_CTRS];
};

struct ns_app_worker {
	struct ns_tcp_w *t;
	uint64_t wall_off_ns; /* CLOCK_REALTIME - the worker's clock */
	struct ns_tw wheel;   /* the applications' timers */
	uint8_t *st;	      /* per-connection states: stride bytes per TCB */
	uint32_t stride;
	uint8_t *scratch; /* a linear copy of a backup range that wraps */
	uint32_t scratch_len;
	uint32_t cur_app;   /* the application being called (index + 1) */
	bool backup_paused; /* 'set repl backup pause' (tests): the journal waits too */
	bool journaled;	    /* the callback running wrote journal records */
	/* Active: the snapshot a joining standby gets (application, its cursor). */
	uint32_t snap_app;
	uint64_t snap_cursor;
	uint32_t snap_left; /* bytes this poll's share of the snapshot has left */
	/* Standby: journal records waiting for the consumption they follow. */
	struct ns_repl_jq jq;
	struct ns_app_wstate app[NS_MAX_APPS];
};

/* An application of the table. */
struct ns_app_entry {
	char name[32];
	const struct ns_app_ops *ops;
	uint32_t n_ctrs;
	uint64_t slow; /* callbacks over the budget (all workers; the control thread reads) */
};

extern struct ns_app_entry ns_app_table[NS_MAX_APPS];
extern uint32_t ns_n_apps;

/* Fill the table: the built-ins, then cfg's [app.NAME] (loaded by the
 * configuration); init() of each.  -1 with a message logged. */
int ns_apps_init(void);
void ns_apps_fini(void);
/* The index of the application called name, or -1. */
int ns_app_find(const char *name);
const char *ns_app_name(uint32_t idx);

/* Per worker (the TCP feature's worker init and fini). */
int ns_apps_worker_init(struct ns_tcp_w *t);
void ns_apps_worker_fini(struct ns_tcp_w *t);
/* The worker's poll: timers, then the ready connections' callbacks, then
 * each application's poll. */
void ns_apps_poll(struct ns_tcp_w *t);

/* From the TCP stack's events. */
void ns_apps_attach(struct ns_tcp_w *t, struct ns_tcb *c, uint32_t app, uint8_t client);
void ns_apps_event(struct ns_tcp_w *t, struct ns_tcb *c, uint8_t ev);
void ns_apps_closed(struct ns_tcp_w *t, struct ns_tcb *c, enum ns_app_close_reason why);

/* From replication. */
void ns_apps_shadow_new(struct ns_tcp_w *t, struct ns_tcb *c);
void ns_apps_shadow_free(struct ns_tcp_w *t, struct ns_tcb *c);
uint32_t ns_apps_backup(struct ns_tcp_w *t, struct ns_tcb *c, uint32_t from, uint32_t to);
uint32_t ns_apps_state(struct ns_tcp_w *t, const struct ns_tcb *c, uint8_t *buf, uint32_t max);
void ns_apps_restore(struct ns_tcp_w *t, struct ns_tcb *c, const uint8_t *buf, uint32_t len);
void ns_apps_takeover(struct ns_tcp_w *t, struct ns_tcb *c);
void ns_apps_flag(struct ns_tcp_w *t, const struct ns_tcb *c, uint8_t level, uint32_t lag_us,
		bool from_active);

/* The applications' shared state: the active's snapshot for a joining
 * standby (true: done); on the standby, a journal piece, a new session,
 * and the records still waiting settled at a takeover (those whose input
 * was replicated applied, the rest dropped: the new active reads it again). */
bool ns_apps_snapshot(struct ns_tcp_w *t, uint64_t *cursor);
void ns_apps_journal_in(struct ns_tcp_w *t, uint32_t conn, uint16_t app, uint8_t flags,
		uint32_t pos, const uint8_t *p, uint32_t len);
void ns_apps_shared_reset(struct ns_tcp_w *t);
void ns_apps_settle(struct ns_tcp_w *t);

/* Counters of every application, summed over the workers ('show app
 * counters', telemetry). */
uint64_t ns_apps_ctr_sum(uint32_t app, uint32_t idx);

/* A connection's application state (the console reads a built-in's). */
void *ns_apps_conn_state(const struct ns_app_conn *c);
/* For the built-ins (tcp_apps.c): a client connection's outcome. */
void ns_app_conn_fail(struct ns_app_conn *c);
void ns_app_client_mismatches(struct ns_app_conn *c, uint64_t n);

/* The built-ins' tables (tcp_apps.c), by enum ns_builtin_app. */
extern const struct ns_app_ops ns_app_echo_ops, ns_app_sink_ops, ns_app_source_ops,
		ns_app_echo_check_ops;
extern const struct ns_app_ops *const ns_builtin_apps[NS_APP_N_BUILTIN];
void ns_builtin_init(void);
/* A built-in connection's digest of what it consumed (sink, echo). */
bool ns_builtin_digest(const struct ns_app_conn *c, uint32_t *crc);

/* app_cmds.c: their commands and telemetry (state and polls are TCP's). */
struct ns_feature;
extern struct ns_feature ns_feature_apps;
/* /nonstop/app/NAME for each application with a telemetry callback. */
void ns_apps_tel_register(void);

/* A table's minor version tells which members it has: 1.1 added telemetry. */
static inline bool
ns_app_has_telemetry(const struct ns_app_ops *ops)
{
	return (ops->api_version & 0xffff) >= 1 && ops->telemetry != NULL;
}

#endif /* NS_APPS_H */
