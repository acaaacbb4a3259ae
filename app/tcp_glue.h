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
#include "apps.h"
#include "tcp/tcp_stack.h"

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
	struct ns_app_conn *appc; /* per TCB: its application (apps.h) */
	uint32_t *ready;	  /* connections whose application runs after this pass */
	uint32_t n_ready;
	bool clients_started;
	bool frozen;	     /* no timers, no applications (a stepping-down active) */
	uint8_t closing_why; /* enum ns_app_close_reason of the connection being freed */
	/* An active open in progress: its application (index + 1) and client
	 * (index + 1, 0: none), attached when the new TCB is first committed, so
	 * that its first replicated image already names them. */
	uint16_t open_app;
	uint8_t open_client;
	struct ns_client_stats cst[NS_MAX_CLIENTS];
	struct ns_app_worker aw; /* the applications' side of this worker */
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
	/* The applications' shared state (apps.c): a journal record, a
	 * connection's image now, the replication channel's room in frames. */
	int (*journal)(struct ns_worker *w, uint32_t conn, uint16_t app, uint32_t pos,
			const void *rec, uint32_t len);
	void (*image_now)(struct ns_worker *w, const struct ns_tcb *c);
	uint32_t (*room)(struct ns_worker *w);
	/* The standby's shared state lost a journal record: join again. */
	void (*resync)(struct ns_worker *w);
};
void ns_tcp_set_hooks(const struct ns_tcp_hooks *h);
extern struct ns_tcp_hooks ns_tcp_hooks;

void ns_tcp_stats_sum(uint64_t out[NS_TCP_C__MAX]);

/* tcp_clients.c: open the [client.*] connections (true: some remain). */
bool ns_app_start_clients(struct ns_tcp_w *t);

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
