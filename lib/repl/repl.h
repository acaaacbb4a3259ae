/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCB replication to a hot standby: the active end (what the TCP core's
 * single state-change point tells, turned into events), the standby end
 * (events applied to shadow TCBs in its own TCP stack, the backup
 * application's lag measured against two thresholds), and the output hold
 * that makes the sync mode safe.  DPDK-free, explicit 'now'.
 *
 * Session set-up (control frames, repl_chan.h): a standby that has no
 * session, or has heard nothing for resync_ns, sends JOIN with a fresh
 * nonce; the active answers HELLO (epoch, a new session id, the nonce, its
 * TCP table geometry); the standby drops every shadow, adopts the session
 * and answers HELLO_ACK; the active then checkpoints its connections (bulk
 * sync, a bounded number per poll while traffic flows), new connections are
 * checkpointed when they appear and changed ones replicated at every commit,
 * and BULK_END tells the standby it has them all.
 *
 * Sync mode (the output hold): a segment is sent only once the standby has
 * acknowledged every frame that was open when the segment was made, so the
 * peer never sees an ACK for bytes the standby lacks, data the standby does
 * not hold, or a SYN-ACK for a connection it does not know.  A listener in
 * async mode sends at once; what it risks at a failover is the content of
 * the frames not yet acknowledged (at most the channel's window).
 */
#ifndef NS_REPL_H
#define NS_REPL_H

#include <stdbool.h>
#include <stdint.h>

#include "repl/repl_chan.h"
#include "repl/repl_event.h"
#include "repl/repl_tcb.h"
#include "tcp/tcp_stack.h"

/* --- active -------------------------------------------------------------- */

struct ns_repl_aconn {
	uint8_t live;  /* the standby has (or is about to have) it */
	uint8_t dirty; /* changed since its last image (on the dirty list) */
	uint8_t ready; /* READY sent */
	uint8_t flag;  /* enum ns_repl_flag_level, from the standby */
	/* Checkpointed in SYN_SENT: its receive queue was not anchored at the
	 * peer's sequence yet (checkpointed again once it is). */
	uint8_t syn_sent;
	uint32_t lag_us;
	uint32_t img_seq, img_off; /* frame and offset of its latest image */
	uint32_t snd_tail;	   /* send-queue bytes replicated up to (sequence) */
	uint32_t rcv_tail;	   /* receive-queue bytes replicated up to */
	uint8_t last[NS_REPL_IMG_MAX];
};

enum ns_repl_astate {
	NS_REPL_A_IDLE,	  /* no standby */
	NS_REPL_A_HELLO,  /* HELLO sent, waiting for HELLO_ACK */
	NS_REPL_A_SYNCED, /* replicating (bulk sync may still run) */
};

/* Connections checkpointed per poll by a bulk sync (the default). */
#define NS_REPL_BULK_PER_POLL 256

struct ns_repl_active_ops {
	/* The standby raised or cleared a session flag (the active application
	 * hears of it; the details go back to the standby). */
	void (*flag)(void *user, const struct ns_tcb *c, uint8_t level, uint32_t lag_us);
	/* At a checkpoint: the application's state for this connection as of the
	 * bytes it has read (a digest, a count), up to max bytes; 0: none. */
	uint32_t (*app_state)(void *user, const struct ns_tcb *c, uint8_t *buf, uint32_t max);
	/* A bulk sync's connections are checkpointed: the applications' shared
	 * state (first call: *cursor 0) as journal records of no connection
	 * (ns_repl_active_journal), as much as the channel takes; true when all
	 * of it is written (then BULK_END). */
	bool (*snapshot)(void *user, uint64_t *cursor);
};

struct ns_repl_active {
	struct ns_repl_chan *ch;
	struct ns_tcp_stack *tcp;
	struct ns_repl_active_ops ops;
	void *user;
	int64_t off_ns; /* CLOCK_REALTIME - monotonic, for images */
	enum ns_repl_astate state;
	uint32_t epoch, session, nonce;
	uint64_t hello_ns, last_join_ns;
	struct ns_repl_aconn *conn; /* tcp->cfg.max_conns */
	/* bulk sync: the connections checkpointed from the cursor on, per
	 * poll, then the applications' snapshot (snap_cursor) */
	bool bulk, snap_done;
	uint64_t snap_cursor;
	uint32_t bulk_cursor, bulk_per_poll, bulk_sent, bulk_end_seq;
	bool bulk_acked;
	uint64_t bulk_start_ns, bulk_ns; /* duration of the last bulk sync */
	/* READY: connections whose checkpoint frame is not acknowledged yet */
	uint32_t *ready_q;
	uint32_t *ready_seq;
	uint32_t ready_head, ready_tail;
	uint32_t *dirty_q; /* connections whose image is due */
	uint32_t n_dirty;
	bool overrun; /* an event did not fit: resynchronize */
	uint64_t resyncs;
	/* Nothing authentic from the standby for this long: it is gone, the
	 * active goes on alone (its held segments leave) until a JOIN. */
	uint64_t lost_ns;
	uint64_t standby_losses;
	/* A control frame of a newer epoch arrived: another instance took over. */
	bool fenced;
	uint32_t fence_epoch; /* the newer epoch that fenced it */
};

int ns_repl_active_init(struct ns_repl_active *a, struct ns_repl_chan *ch, struct ns_tcp_stack *tcp,
		const struct ns_repl_active_ops *ops, void *user, uint32_t epoch);
void ns_repl_active_fini(struct ns_repl_active *a);
/* Start again as the active of epoch, with no standby (the tables kept). */
void ns_repl_active_reset(struct ns_repl_active *a, uint32_t epoch);
/* No standby any more: nothing is replicated until one joins. */
void ns_repl_active_alone(struct ns_repl_active *a);
/* The TCP stack's observe hook. */
void ns_repl_active_observe(struct ns_repl_active *a, const struct ns_tcb *c, uint32_t groups);
/* A delivered payload from the standby (session flags). */
void ns_repl_active_deliver(struct ns_repl_active *a, const uint8_t *p, uint32_t len, uint64_t now);
/* Control frames (JOIN, HELLO_ACK). */
void ns_repl_active_control(struct ns_repl_active *a, uint8_t type, uint32_t epoch,
		uint32_t session, const uint8_t *p, uint32_t len, uint64_t now);
/* The images of every connection changed since the last call, then the
 * channel's horizon: what a segment made so far depends on (for
 * ns_repl_hold_mark).  Images are written once per call, however many
 * commits changed a connection in between. */
uint32_t ns_repl_active_horizon(struct ns_repl_active *a);
/* A record of an application's shared state (NS_REPL_EV_JOURNAL), in
 * order with the connections' events: conn and pos are the connection and
 * the receive-queue position after the input that made the change
 * (NS_REPL_CONN_NONE, 0: a snapshot record).  0: written, or no standby to
 * write to; -1: it did not fit (the standby is resynchronized). */
int ns_repl_active_journal(struct ns_repl_active *a, uint32_t conn, uint16_t app, uint32_t pos,
		const void *rec, uint32_t len);
/* The connection's image now, not at the horizon: after an application
 * callback that wrote journal records, so that images follow the records
 * in the order the callbacks ran (a standby that has a connection's image
 * has every record written before it, of any connection). */
void ns_repl_active_image_now(struct ns_repl_active *a, const struct ns_tcb *c);
/* Frames of room left in the channel (a producer's measure). */
uint32_t ns_repl_active_room(const struct ns_repl_active *a);
/* A neighbour of a service port (NS_REPL_EV_NEIGH), when a standby is in
 * sync; ip in network order.  Returns 0 when written. */
int ns_repl_active_neigh(
		struct ns_repl_active *a, uint16_t port, uint32_t ip, const uint8_t mac[6]);
/* Once per poll, after ns_repl_active_horizon: bulk sync progress, READY
 * notifications, channel flush. */
void ns_repl_active_poll(struct ns_repl_active *a, uint64_t now);
/* A standby is attached and every connection is on it. */
static inline bool
ns_repl_active_in_sync(const struct ns_repl_active *a)
{
	return a->state == NS_REPL_A_SYNCED && !a->bulk && a->bulk_acked;
}

/* --- output hold (sync mode) ---------------------------------------------- */

/*
 * Segments wait here until the frame they depend on is acknowledged.  The
 * edge pushes each held segment (an opaque packet) with tag 'pending'; after
 * the TCP entry point returns (its commits done), ns_repl_hold_mark() gives
 * the pending ones the channel's horizon (ns_repl_chan_horizon: the frame
 * holding every event so far); ns_repl_hold_release() hands back, in order,
 * those whose frame is acknowledged.
 */
struct ns_repl_hold_q {
	void **pkt;
	uint32_t *seq;
	uint32_t size; /* power of two */
	uint32_t head, marked, tail;
	uint64_t *t_in; /* when each was held (ACK-delay measurement) */
};

int ns_repl_hold_init(struct ns_repl_hold_q *h, uint32_t size);
void ns_repl_hold_fini(struct ns_repl_hold_q *h);
/* false when full (the caller sends or drops it). */
bool ns_repl_hold_push(struct ns_repl_hold_q *h, void *pkt, uint64_t now);
void ns_repl_hold_mark(struct ns_repl_hold_q *h, uint32_t seq);
/* Hand back everything held, whatever it waits for (the session changed). */
uint32_t ns_repl_hold_drain(struct ns_repl_hold_q *h,
		void (*fn)(void *arg, void *pkt, uint64_t held_ns), void *arg, uint64_t now);
/* Calls fn for each releasable packet; returns how many. */
uint32_t ns_repl_hold_release(struct ns_repl_hold_q *h, const struct ns_repl_chan *ch,
		void (*fn)(void *arg, void *pkt, uint64_t held_ns), void *arg, uint64_t now);
static inline uint32_t
ns_repl_hold_len(const struct ns_repl_hold_q *h)
{
	return h->tail - h->head;
}

/* --- standby -------------------------------------------------------------- */

#define NS_REPL_LAG_Q 16 /* data objects awaiting the backup application, per connection */

struct ns_repl_sconn {
	uint8_t present; /* the slot is taken (data may come before the image) */
	uint8_t imaged;	 /* its image arrived: a shadow the backup application knows */
	uint8_t ready;	 /* READY received */
	uint8_t flag;	 /* enum ns_repl_flag_level raised for it */
	uint8_t pending; /* on the pending list (objects not consumed) */
	uint32_t last_delivered;
	uint32_t app_pos; /* the backup application consumed up to here (sequence) */
	uint8_t syn_sent; /* its last image was SYN_SENT: app_pos not anchored yet */
	uint32_t lag_us;  /* last measured */
	uint32_t max_lag_us;
	/* data objects received, not yet consumed: end sequence and arrival */
	uint8_t lq_head, lq_tail;
	uint32_t lq_end[NS_REPL_LAG_Q];
	uint64_t lq_t[NS_REPL_LAG_Q];
};

enum ns_repl_sstate {
	NS_REPL_S_JOINING, /* sending JOIN until a HELLO answers */
	NS_REPL_S_SYNCING, /* session up, bulk sync running */
	NS_REPL_S_SYNCED,  /* BULK_END applied */
};

struct ns_repl_standby_ops {
	/* A shadow appeared (its backup application starts) or is about to go. */
	void (*shadow_new)(void *user, struct ns_tcb *c);
	void (*shadow_free)(void *user, struct ns_tcb *c);
	/* The active application has read up to 'to': the backup application
	 * consumes [from, to) from the shadow's receive queue (still in place) and
	 * returns how far it got (from when it could not: it is asked again). */
	uint32_t (*backup)(void *user, struct ns_tcb *c, uint32_t from, uint32_t to);
	/* The active application's state at a checkpoint (app_state above). */
	void (*app_restore)(void *user, struct ns_tcb *c, const uint8_t *buf, uint32_t len);
	/* A session flag changed here, or the active's details about it arrived. */
	void (*flag)(void *user, const struct ns_tcb *c, uint8_t level, uint32_t lag_us,
			bool from_active);
	/* A neighbour the active resolved (ip in network order). */
	void (*neigh)(void *user, uint16_t port, uint32_t ip, const uint8_t mac[6]);
	/* A piece of a journal record (NS_REPL_EV_JOURNAL's body fields). */
	void (*journal)(void *user, uint32_t conn, uint16_t app, uint8_t flags, uint32_t pos,
			const uint8_t *p, uint32_t len);
	/* A bulk sync begins: the applications' shared state starts afresh. */
	void (*bulk_begin)(void *user);
};

struct ns_repl_standby {
	struct ns_repl_chan *ch;
	struct ns_tcp_stack *tcp;
	struct ns_repl_standby_ops ops;
	void *user;
	int64_t off_ns;
	enum ns_repl_sstate state;
	uint32_t epoch, nonce;
	uint64_t join_ns;   /* last JOIN sent */
	uint64_t resync_ns; /* silence after which the standby joins again */
	uint64_t warn_ns, crit_ns;
	struct ns_repl_sconn *conn;
	uint32_t *pend; /* ids with objects not yet consumed */
	uint32_t n_pend;
	uint32_t bulk_expected, bulk_got, n_shadows;
	uint64_t joins, sessions, bad_events, resets;
};

int ns_repl_standby_init(struct ns_repl_standby *sb, struct ns_repl_chan *ch,
		struct ns_tcp_stack *tcp, const struct ns_repl_standby_ops *ops, void *user,
		uint64_t warn_ns, uint64_t crit_ns);
void ns_repl_standby_fini(struct ns_repl_standby *sb);
/* Start again as a standby of epoch with no session and no shadow (the
 * tables kept; the stack must hold no shadow of a previous session). */
void ns_repl_standby_reset(struct ns_repl_standby *sb, uint32_t epoch);
void ns_repl_standby_deliver(
		struct ns_repl_standby *sb, const uint8_t *p, uint32_t len, uint64_t now);
void ns_repl_standby_control(struct ns_repl_standby *sb, uint8_t type, uint32_t epoch,
		uint32_t session, const uint8_t *p, uint32_t len, uint64_t now);
/* Join the active again (a new session and bulk sync): what the standby
 * holds can no longer be trusted (an application's journal lost a record). */
void ns_repl_standby_rejoin(struct ns_repl_standby *sb);
/* Once per poll: JOIN while unsynced or silent, lag thresholds, flush. */
void ns_repl_standby_poll(struct ns_repl_standby *sb, uint64_t now);
/* Takeover: every shadow with an image becomes a live connection of the
 * stack (ns_tcp_activate); returns how many (failed: those that could not).
 * drained: the old active stepped down after every segment it made left it
 * (planned switchover), so nothing is sent again. */
uint32_t ns_repl_standby_promote(
		struct ns_repl_standby *sb, uint64_t now, bool drained, uint32_t *failed);

/* The shadow of the active's connection id, or NULL. */
static inline struct ns_tcb *
ns_repl_standby_shadow(struct ns_repl_standby *sb, uint32_t id)
{
	return id < sb->tcp->cfg.max_conns && sb->conn[id].imaged ? &sb->tcp->pool[id] : NULL;
}

#endif /* NS_REPL_H */
