/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HA role machine of one worker: which instance answers the peers, and
 * when that changes.  DPDK-free, explicit 'now'; it owns the replication
 * channel, the active and standby ends and the output hold, and acts on the
 * world only through ns_ha_ops (frames out, held segments out, service ports
 * open or closed, gratuitous ARPs, ...).
 *
 * Roles:
 *   STANDBY_JOINING  no session with an active: JOIN until one answers
 *   STANDBY_SYNCING  a session, the bulk sync not finished
 *   STANDBY_READY    in sync, and its state provably current
 *   STANDBY_STALE    in sync once, but no round trip with the active within
 *                    the validity: the active may have gone on alone
 *   ACTIVE           the active, a standby attached (joining or in sync)
 *   ACTIVE_ALONE     the active, no standby
 *   DRAINING         the active handing over (planned switchover), frozen
 *
 * Safety, whatever the scheduler does (ARCHITECTURE.md, "Leases"):
 *   1. The active sends a segment of a replicated connection only while it
 *      holds a lease: a round trip with the standby (channel timestamps,
 *      repl_chan.h) not older than lease_ns, which is shorter than the
 *      standby's failover_ns.  The standby cannot decide that the active is
 *      dead before failover_ns after it last heard from it, and it heard
 *      from it after the echoed moment: the lease ends first.  A paused
 *      active wakes with its lease lapsed and sends nothing until a new
 *      round trip, a fence (a newer epoch heard), or going on alone.
 *   2. The active goes on alone (stops replicating, sends what it held) only
 *      once the standby has been silent for lost_ns, the lease has lapsed,
 *      and it has listened for listen_ns of running time (no pause) for a
 *      fence.  It ends the session first, so nothing it says afterwards
 *      renews the standby's validity.
 *   3. The standby takes over on its own only when READY: its own round trip
 *      with the active (its tsval echoed) is younger than validity_ns, which
 *      is shorter than lost_ns.  The active echoed that tsval before the
 *      moment it last heard from the standby, and goes on alone lost_ns
 *      after that moment: a standby that could take over holds everything
 *      the peers were told.  A stale or syncing standby says so and waits
 *      (an operator's 'ha takeover' forces it).
 *   4. Every takeover moves the epoch; an instance that hears a newer epoch
 *      drops what it held and becomes that epoch's standby (fencing).  A
 *      fenced instance rejoins as a standby and stays one.
 */
#ifndef NS_HA_NODE_H
#define NS_HA_NODE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "repl/repl.h"

enum ns_ha_role {
	NS_HA_STANDBY_JOINING,
	NS_HA_STANDBY_SYNCING,
	NS_HA_STANDBY_READY,
	NS_HA_STANDBY_STALE,
	NS_HA_ACTIVE,
	NS_HA_ACTIVE_ALONE,
	NS_HA_DRAINING,
	NS_HA_ROLE__N
};

const char *ns_ha_role_name(enum ns_ha_role r);

static inline bool
ns_ha_role_is_active(enum ns_ha_role r)
{
	return r == NS_HA_ACTIVE || r == NS_HA_ACTIVE_ALONE || r == NS_HA_DRAINING;
}

static inline bool
ns_ha_role_is_standby(enum ns_ha_role r)
{
	return r <= NS_HA_STANDBY_STALE;
}

#include "repl/ha_counters.h"

struct ns_ha_cfg {
	struct ns_repl_chan_cfg chan; /* keepalive_ns: 0 derives it from failover_ns */
	bool start_active;	      /* role = active (else standby) */
	bool auto_role;		      /* role = auto: active if nobody answered in auto_wait_ns */
	uint32_t epoch;		      /* the configured epoch */
	uint64_t failover_ns;	      /* standby: the longest pause of the active that is not a
					 death; takeover after that and a keepalive (0: never) */
	uint64_t lost_ns;	      /* active: the standby's silence before going on alone */
	uint64_t validity_ns;	      /* standby: round trip age up to which it may take over
					 (0: derived from lost_ns) */
	uint64_t lease_ns;	      /* active: round trip age up to which it may send
					 (0: derived from failover_ns) */
	uint64_t listen_ns;	      /* active: running time with a lapsed lease before going on
					 alone (0: derived) */
	uint64_t pause_ns;	      /* a gap between polls this long is a pause */
	uint64_t auto_wait_ns;
	uint64_t grace_ns; /* after a takeover: no RST for unknown flows this long */
	uint64_t warn_ns, crit_ns;
	uint64_t resync_ns; /* standby: channel silence after which it joins again (0: 1 s) */
	uint64_t drain_max_ns, fwd_after_ns;
	uint32_t hold_q;     /* segments the output hold keeps, a power of two (0: 65536) */
	bool service_beat;   /* heartbeats on the service ports */
	bool repl_async;     /* the default mode of connections with no listener of their own */
	bool no_lease_check; /* tests only: the negative property test turns the lease off */
};

/* What becomes of a frame on a service port of an instance whose service
 * ports are closed (ns_ha_service_rx). */
enum ns_ha_svc {
	NS_HA_SVC_PROCESS, /* take it into this instance's stack */
	NS_HA_SVC_KEPT,	   /* the node kept it (for the successor of a switchover) */
	NS_HA_SVC_DROP,	   /* not this instance's to answer: free it */
};

enum ns_ha_log { NS_HA_LOG_INFO, NS_HA_LOG_WARNING, NS_HA_LOG_ERR };

struct ns_ha_ops {
	/* A frame of the channel: to the other instance over the replication
	 * link, or (beat) broadcast on every service port. */
	void (*xmit)(void *user, bool beat, const uint8_t *frame, uint32_t len);
	/* A held segment leaves now, or is dropped. */
	void (*pkt_send)(void *user, void *pkt);
	void (*pkt_free)(void *user, void *pkt);
	/* A kept service frame's bytes and port; a packet made of forwarded bytes
	 * for a service port (NULL: no such port, or no buffer). */
	const uint8_t *(*pkt_data)(void *user, void *pkt, uint32_t *len, uint16_t *port);
	void *(*pkt_make)(void *user, uint16_t port, const uint8_t *data, uint32_t len);
	/* Process a service frame as if its port received it now. */
	void (*inject)(void *user, void *pkt);
	/* Service ports: open (an active answering) or closed; frozen: no TCP
	 * timers and no applications (a draining or fenced active). */
	void (*service)(void *user, bool open, bool frozen);
	/* Gratuitous ARPs on every service port: the service address moved here. */
	void (*garp)(void *user);
	/* Call ns_ha_neigh for the resolved neighbours of the service ports. */
	void (*neigh_walk)(void *user);
	/* A connection now belongs to this instance (its backup application is
	 * the application), or left it without a word. */
	void (*conn_activated)(void *user, struct ns_tcb *c);
	void (*conn_forgotten)(void *user, struct ns_tcb *c);
	/* The role changed (also the epoch). */
	void (*role)(void *user, enum ns_ha_role role, uint32_t epoch);
	void (*log)(void *user, enum ns_ha_log level, const char *msg);
	/* CLOCK_REALTIME minus the monotonic clock, for TCB images (NULL: 0). */
	int64_t (*wall_offset)(void *user);
	/* The monotonic clock now, only to measure how long a takeover took
	 * (NULL: not measured). */
	uint64_t (*clock)(void *user);
	/* The CPU time the calling thread has had, to tell a worker the host did
	 * not run from one busy with work of its own (NULL: not told). */
	uint64_t (*thread_cpu)(void *user);
	/* Of that, the time spent in the kernel (page faults, system calls, and
	 * the softirq work done on the thread's behalf; NULL: not told). */
	uint64_t (*thread_sys)(void *user);
	/* Where the worker's loop spent its time since the last ns_ha_poll (its
	 * longest stage), written into buf, for a hold's warning (NULL: not
	 * told). */
	void (*loop_stage)(void *user, char *buf, size_t len);
	/* Per-connection repl mode: true if the segments of c wait only when half
	 * the channel window is unacknowledged (NULL: cfg.repl_async for all). */
	bool (*conn_async)(void *user, const struct ns_tcb *c);
	struct ns_repl_active_ops active;
	struct ns_repl_standby_ops standby;
};

#define NS_HA_FWD_MAX 256

struct ns_ha_node {
	struct ns_ha_cfg cfg;
	struct ns_ha_ops ops;
	void *user;
	struct ns_tcp_stack *tcp;
	enum ns_ha_role role;
	uint32_t epoch;	    /* the epoch this instance is in */
	uint64_t detect_ns; /* standby: silence on every path that is a dead active */
	uint32_t nonce;	    /* this instance's, in its heartbeats (equal-epoch ties) */
	struct ns_repl_chan ch;
	struct ns_repl_active act;
	struct ns_repl_standby sb;
	struct ns_repl_hold_q hold;
	bool beat_tx; /* the frame being sent is a heartbeat */
	/* The standby holds this instance's connections (from the start of a
	 * session until going on alone): segments pass the hold and the lease. */
	bool guard;
	uint32_t guard_session;
	uint64_t start_ns, last_poll_ns, pause_end_ns, beat_next_ns, beat_rx_ns;
	uint64_t lapsed_ns;  /* active: when its lease was seen lapsed (0: valid) */
	uint64_t suspect_ns; /* active: paused long enough to be taken over, at (0: no) */
	uint64_t suspect_gap_ns;
	bool suspect_logged;
	/* The last poll gap over pause_ns: how long, when it ended, and how much
	 * of it the worker ran (UINT64_MAX: not known).  The thread's CPU time is
	 * sampled once a millisecond, cpu_at_ns the poll it was read at. */
	uint64_t stall_ns, stall_end_ns, stall_ran_ns;
	uint64_t cpu_ns, cpu_at_ns, sys_ns;
	uint64_t fence_sent_ns; /* last word to an instance of an older epoch */
	uint64_t reset_sent_ns; /* last RESET to a standby of a session that is over */
	uint64_t neigh_next_ns; /* next walk of the neighbours for the standby */
	uint64_t garp_next_ns;	/* gratuitous ARPs after a takeover */
	uint8_t garp_left;
	bool split_logged;   /* standby: the active's silence, alive elsewhere, reported */
	bool refusal_logged; /* standby: the active's silence, no takeover, reported */
	bool backup_paused;  /* tests: a slow backup application */
	bool bulk_paused;    /* tests: a bulk sync that stands still */
	/* Planned switchover */
	uint64_t sw_start_ns, sw_join_ns;
	uint32_t sw_nonce;   /* the hand-over's JOIN (0: not sent yet) */
	bool stepdown_heard; /* standby: the JOIN of the next epoch that says it */
	uint32_t stepdown_epoch, stepdown_session, stepdown_len;
	uint8_t stepdown_join[64];
	void *fwd[NS_HA_FWD_MAX];
	uint32_t n_fwd;
	uint64_t fwd_until_ns;
	/* The last takeover and the last drain, for the console. */
	uint64_t last_silence_ns, last_activate_ns, last_drain_ns, last_takeover_ns;
	uint64_t last_freeze_ns; /* the last switchover's freeze */
	/* The same two moments on the wall clock (ops->wall_offset then), and
	 * when a successor heard the hand-over (the JOIN) that made it take over. */
	uint64_t last_takeover_wall_ns, last_freeze_wall_ns, last_heard_wall_ns;
	uint64_t heard_ns; /* when stepdown_heard was set */
	uint32_t last_activated, last_failed;
	bool last_partial;
	/* ACK delay: segments held b .. b+1 us (b < 1024), or 2^(b-1024+10) us and more */
	uint32_t held_us[1024 + 22];
	uint64_t ctr[NS_HA_C__MAX];
};

int ns_ha_init(struct ns_ha_node *n, const struct ns_ha_cfg *cfg, const struct ns_ha_ops *ops,
		void *user, struct ns_tcp_stack *tcp, uint64_t now);
void ns_ha_fini(struct ns_ha_node *n);

/* A frame of EtherType 0x88b5 (after the Ethernet header), from the
 * replication port or (beat: only heartbeats are taken) a service port.
 * Returns true when it was authentic and of this channel. */
bool ns_ha_frame(struct ns_ha_node *n, bool service_port, const uint8_t *f, uint32_t len,
		uint64_t now);
/* Once per pass of the loop, after its receive bursts; live_path: a
 * liveness session over another path (BFD) says the other instance is up. */
void ns_ha_poll(struct ns_ha_node *n, uint64_t now, bool live_path);

/* A segment of the TCP stack (c: its connection, NULL for a RST of none) on
 * its way out: true when the node took it (held, or dropped). */
bool ns_ha_hold(struct ns_ha_node *n, void *pkt, const struct ns_tcb *c, uint64_t now);
/* The stack's observe hook. */
void ns_ha_observe(struct ns_ha_node *n, const struct ns_tcb *c, uint32_t groups);
/* May a TCP segment be processed now (false: a standby, or backpressure). */
bool ns_ha_accept(struct ns_ha_node *n);
/* A frame on a service port of an instance whose service ports are closed. */
enum ns_ha_svc ns_ha_service_rx(struct ns_ha_node *n, void *pkt, uint64_t now);
/* A neighbour of a service port for the standby (from ops->neigh_walk):
 * returns 0 when sent, -1 when there is no room (stop the walk). */
int ns_ha_neigh(struct ns_ha_node *n, uint16_t port, uint32_t ip, const uint8_t mac[6]);

/* Operator commands: take over now (a standby; forced whatever its state),
 * hand over (an active in sync).  Return 0 or -1 (the log says why). */
int ns_ha_cmd_takeover(struct ns_ha_node *n, uint64_t now);
int ns_ha_cmd_switchover(struct ns_ha_node *n, uint64_t now);

/* The active's lease is valid now (always, unless a standby is attached). */
bool ns_ha_lease_valid(const struct ns_ha_node *n, uint64_t now);
/* p-th percentile (0..100) of the hold times, in microseconds (bucket's top). */
uint64_t ns_ha_hold_pct(const struct ns_ha_node *n, unsigned int p);

#endif /* NS_HA_NODE_H */
