/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP feature: one lib/tcp stack per worker, its built-in applications
 * (tcp_apps.c) and commands (tcp_cmds.c).  Replication builds on it: the
 * hooks below, the per-worker state and the applications' backup side.
 */
#ifndef NS_TCP_GLUE_H
#define NS_TCP_GLUE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "app.h"
#include "tcp_stack.h"

/* Per-connection state of the built-in applications (indexed by TCB id). */
struct ns_appconn {
	uint8_t kind;	 /* enum ns_tcp_app_kind */
	uint8_t ready;	 /* on the worker's ready list */
	uint8_t active;	 /* an application owns the connection */
	uint8_t client;	 /* [client.*] index + 1; 0: accepted by a listener */
	uint8_t failed;	 /* echo-check saw a wrong byte, or the connection was reset */
	uint8_t counted; /* a client's outcome is in its stats */
	uint8_t up;	 /* a client's handshake completed */
	uint64_t bytes;	 /* received (sink, echo-check) or echoed (echo) */
	uint64_t sent;	 /* source, echo-check: pattern bytes queued */
	uint64_t goal;	 /* source, echo-check: bytes to send (0: forever) */
	uint32_t msg;	 /* echo-check: request size, next one when it came back (0: stream) */
	uint64_t digest; /* CRC-32C state of the bytes consumed (sink, echo) */
	uint8_t backup;	 /* a standby's shadow: the backup application mirrors the active's */
};

/* Per worker and [client.*]: what its connections did. */
struct ns_client_stats {
	uint64_t opened, connected, done, failed;
	uint64_t refused;  /* connect() found no free TCB or port */
	uint64_t never_up; /* failed before the handshake completed */
	uint64_t bytes_tx, bytes_rx, mismatches;
	uint64_t t_first_ns, t_last_ns; /* first connect, last completion */
};

/* One worker's TCP: written by that worker only. */
struct ns_tcp_w {
	struct ns_worker *w;
	struct ns_tcp_stack stack;
	struct ns_appconn *appc;
	uint32_t *ready; /* applications to run after this pass */
	uint32_t n_ready;
	bool clients_started;
	bool frozen; /* no timers, no applications (a stepping-down active) */
	struct ns_client_stats cst[NS_MAX_CLIENTS];
} __rte_cache_aligned;

extern struct ns_tcp_w *ns_tcp_ws; /* one per loop (the workers') */

static inline struct ns_tcp_w *
ns_tcp_of(const struct ns_worker *w)
{
	return &ns_tcp_ws[w->idx];
}

/* What another feature (replication) adds to TCP: set before the workers
 * start (its init); NULL members: nothing. */
struct ns_tcp_hooks {
	/* may a received segment be processed (false: dropped, counted)? */
	bool (*accept)(struct ns_worker *w);
	/* a segment out: held (true, sent later) or sent now */
	bool (*hold)(struct ns_worker *w, struct rte_mbuf *m, uint16_t port_idx, rte_be32_t nh);
	/* every commit of a connection's change groups */
	void (*observe)(struct ns_worker *w, const struct ns_tcb *c, uint32_t groups);
	/* are the [client.*] connections to wait (a standby)? */
	bool (*clients_wait)(void);
};
void ns_tcp_set_hooks(const struct ns_tcp_hooks *h);

/* Let the connection's application run after this pass. */
void ns_tcp_mark_ready(struct ns_tcp_w *t, const struct ns_tcb *c);
void ns_tcp_stats_sum(uint64_t out[NS_TCP_C__MAX]);

/* tcp_apps.c: the built-in applications. */
void ns_app_init(void);
void ns_app_run(struct ns_tcp_w *t, struct ns_tcb *c);
void ns_app_closed(struct ns_tcp_w *t, struct ns_tcb *c, bool reset);
bool ns_app_start_clients(struct ns_tcp_w *t);
/* The backup application of a shadow (standby). */
void ns_app_shadow_new(struct ns_tcp_w *t, struct ns_tcb *c);
uint32_t ns_app_backup(struct ns_tcp_w *t, struct ns_tcb *c, uint32_t from, uint32_t to);
uint32_t ns_app_state(struct ns_tcp_w *t, const struct ns_tcb *c, uint8_t *buf, uint32_t max);
void ns_app_restore(struct ns_tcp_w *t, struct ns_tcb *c, const uint8_t *buf, uint32_t len);

/* tcp_cmds.c */
extern const struct ns_cmd ns_tcp_cmds[]; /* up to a NULL pattern */
/* 'set tcp': the message to every worker, which applies the knob to its
 * own stack. */
struct ns_tcp_set_msg {
	uint32_t knob, value;
};
void ns_tcp_knob_apply(struct ns_tcp_w *t, uint32_t knob, uint32_t value);
/* The baseline of 'clear counters'. */
extern uint64_t ns_tcp_base[NS_TCP_C__MAX];

extern struct ns_feature ns_feature_tcp;

#endif /* NS_TCP_GLUE_H */
