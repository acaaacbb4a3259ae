/* SPDX-License-Identifier: BSD-3-Clause */
/* State shared by the control path (main lcore) and the dataplane lcores. */
#ifndef NS_APP_H
#define NS_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "config.h"
#include "rss.h"
#include "bfd.h"
#include "dp_counters.h"
#include "host.h"
#include "tcp_stack.h"
#include "ovl_counters.h"
#include "control.h"
#include "ha_node.h"

extern const struct ns_ctr_desc ns_ovl_ctr_desc[NS_OVL_C__MAX];

/* rte_log types: nonstop.app, nonstop.port, nonstop.ctl (--log-level=nonstop.*:debug). */
extern int ns_logtype_app, ns_logtype_port, ns_logtype_ctl;
#define NS_LOGT(type, level, fmt, ...) \
	rte_log(RTE_LOG_##level, ns_logtype_##type, "nonstop: " fmt "\n", ##__VA_ARGS__)
#define NS_LOG(level, fmt, ...) NS_LOGT(app, level, fmt, ##__VA_ARGS__)

/* One (port, rx queue) pair polled by a worker. */
struct ns_rxq {
	uint16_t port_idx; /* index into app.port[] / cfg.port[] */
	uint16_t port_id;  /* ethdev port id */
	uint16_t queue;
};

/* Control -> worker messages, copied through a single-producer/consumer ring. */
enum ns_wmsg_type {
	NS_WMSG_PING_START = 1,
	NS_WMSG_PING_STOP,
	NS_WMSG_TCP_SET,
	NS_WMSG_BFD_SET,    /* knob = [bfd] slot; value, count, size = tx ms, rx ms, multiplier */
	NS_WMSG_BFD_ADD,    /* knob = slot (its app.cfg.bfd[] entry is filled in) */
	NS_WMSG_BFD_DEL,    /* knob = slot */
	NS_WMSG_SEND_IP,    /* another lcore's frame (ptr) for next hop dst on port_idx */
	NS_WMSG_TAKEOVER,   /* the standby takes over now */
	NS_WMSG_SWITCHOVER, /* the active steps down: its standby takes over */
	NS_WMSG_MCAST,	    /* ptr: a membership change (mcast.c), freed by the worker */
};

struct ns_wmsg {
	uint32_t type;
	uint16_t port_idx;
	uint16_t ident;
	rte_be32_t dst;
	uint32_t count;
	uint32_t interval_ms;
	uint16_t size;
	uint16_t pad;
	uint32_t knob; /* NS_WMSG_TCP_SET: index into ns_tcp_knob_table, and the value */
	uint32_t value;
	void *ptr;
};

/* The console's ping, worker side: the sender and the replies it saw. */
struct ns_pinger {
	rte_be32_t dst;
	uint16_t port_idx;
	uint16_t ident;
	uint16_t size;
	uint32_t count, sent;
	uint64_t interval_ns, next_tx_ns;
	uint16_t rx_ident; /* replies below are for this ping */
	uint32_t received;
	uint64_t rtt_min_ns, rtt_max_ns, rtt_sum_ns;
};

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

/* Per-worker state: written only by its lcore; cache-aligned, no sharing. */
struct ns_worker {
	uint32_t idx; /* in app.worker[] */
	unsigned int lcore;
	uint16_t txq; /* this worker's tx queue on every port */
	uint16_t n_rxq;
	struct ns_rxq rxq[NS_MAX_PORTS * NS_MAX_WORKERS];
	/* One host stack per port: own ARP cache and counters (no locks). */
	struct ns_host host[NS_MAX_PORTS];
	uint64_t net_ctr[NS_MAX_PORTS][NS_NET__MAX];
	uint64_t dp_ctr[NS_DP__MAX];
	struct rte_eth_dev_tx_buffer *txb[NS_MAX_PORTS];
	uint64_t now_ns;       /* clock of the current iteration (virtual in replay mode) */
	struct rte_ring *msgq; /* from the control path */
	struct ns_pinger ping;
	/* TCP: this lcore's stack; applications run after each burst (ready list). */
	struct ns_tcp_stack tcp;
	struct ns_appconn *appc;
	uint32_t *ready;
	uint32_t n_ready;
	bool clients_started;
	/* A queue gave a full burst this pass: more was waiting (tcp_glue.c
	 * holds the TCP timers back until it is taken). */
	bool rx_backlog;
	uint32_t rx_untimed;	 /* packets taken since the TCP timers last ran */
	struct ns_bfd *bfd;	 /* the BFD engine, on the lcore that owns it (app.bfd_owner) */
	bool bfd_started;	 /* sessions created (replay: at the first packet) */
	bool fastpath;		 /* the dedicated fast-path loop: no rx queues, no TCP */
	struct ns_repl_w *repl;	 /* TCB replication of this worker's stack (NULL: off) */
	bool service_closed;	 /* a standby (or a fenced active): silent on service ports */
	bool tcp_frozen;	 /* a stepping-down active: no timers, no applications */
	struct rte_ring *to_bfd; /* BFD packets for the owner, when that is another lcore */
	struct ns_client_stats cst[NS_MAX_CLIENTS];
	volatile bool running;
} __rte_cache_aligned;

struct ns_port {
	uint16_t port_id;
	struct rte_ether_addr mac;
	uint16_t nb_txq;
	bool started;
	bool probed;	      /* we hot-plugged it from 'args' and remove it on exit */
	bool rss_known;	      /* rss holds the key and table the NIC uses (or rxq = 1) */
	bool tx_tcp_cksum_hw; /* the NIC fills TCP checksums (RTE_MBUF_F_TX_TCP_CKSUM) */
	struct ns_rss rss;
};

struct ns_app {
	struct ns_config cfg;
	struct ns_port port[NS_MAX_PORTS];
	struct ns_worker *worker; /* n_loops: the workers, then the dedicated fast-path loop */
	uint32_t n_loops;	  /* cfg.n_workers, + 1 with a fast-path lcore of its own */
	int bfd_owner;		  /* index into worker[] of the BFD engine's lcore */
	struct rte_mempool *pool;
	uint32_t bfd_disc[NS_MAX_BFD];	    /* local discriminator of [bfd.*] slot i */
	uint8_t bfd_slot_state[NS_MAX_BFD]; /* enum ns_bfd_slot_state */
	bool replay;			    /* exit when every rx queue is drained (pcap replay) */
	int ts_dynfield;		    /* mbuf rx timestamp field offset, or -1 */
	uint64_t ts_dynflag;
	uint64_t ts_to_ns; /* the timestamp unit is the driver's: net_pcap counts microseconds */
	uint64_t netstate_served, netstate_malformed; /* netlink requests (netstate.c) */
	volatile bool quit;
	uint64_t tsc_hz;
	/* 'clear counters' keeps a baseline instead of racing the owners' stores. */
	uint64_t net_base[NS_NET__MAX];
	uint64_t dp_base[NS_DP__MAX];
	uint64_t tcp_base[NS_TCP_C__MAX];
	uint64_t ctl_base[NS_CTL__MAX];
	char ctl_path[108];
	/* The ping in progress (control side). */
	volatile uint16_t ping_ident;
	int ping_worker;
	rte_be32_t ping_dst;
	uint32_t ping_count;
};

extern struct ns_app app;

/* dataplane.c */
/* Decide the loops (workers, a fast-path lcore of its own) before the ports. */
void ns_dataplane_plan(void);
int ns_dataplane_init(void);
int ns_worker_main(void *arg);
void ns_dataplane_fini(void);
uint64_t ns_now_ns(void);
/* Every ARP entry of every worker and port, copied consistently (control path). */
struct ns_arp_view {
	struct ns_arp_entry e;
	uint64_t age_ns;
	unsigned int lcore;
	uint16_t port_idx;
};
/* Calls fn for each entry until it returns non-zero; returns the entries visited. */
unsigned int ns_arp_walk(int (*fn)(const struct ns_arp_view *v, void *arg), void *arg);

/* Raw sums over all workers (no baseline subtracted). */
void ns_counters_sum(uint64_t net[NS_NET__MAX], uint64_t dp[NS_DP__MAX]);

/* Send a message to worker widx (control path); -1 if its queue is full. */
int ns_worker_post(uint32_t widx, const struct ns_wmsg *m);
/* The worker that polls queue 0 of port_idx (where ARP lands), or -1. */
int ns_worker_of_port(uint16_t port_idx);

/* ping.c: worker side */
void ns_ping_start(struct ns_worker *w, const struct ns_wmsg *m);
void ns_ping_tick(struct ns_worker *w);
void ns_ping_rx(struct ns_worker *w, const uint8_t *frame, const struct ns_l4_info *l4);
/* Queue a frame we originate: resolve the next hop through the ARP cache. */
void ns_worker_send_ip(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m, rte_be32_t nh);

/* repl_glue.c: TCB replication at the edge (one channel per worker). */
struct ns_repl_w;
int ns_repl_worker_init(struct ns_worker *w);
void ns_repl_worker_fini(struct ns_worker *w);
/* A frame of the replication EtherType (consumed: the caller forgets m). */
void ns_repl_worker_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m);
void ns_repl_worker_poll(struct ns_worker *w);
/* TCP glue: hold this segment for the standby? (true: it is held, in sync mode) */
bool ns_repl_worker_hold(struct ns_worker *w, struct rte_mbuf *m, uint16_t port_idx, rte_be32_t nh);
/* TCP glue: may a segment be processed (false: dropped, counted)? */
bool ns_repl_worker_accept(struct ns_worker *w);
/* A frame on port port_idx of a worker whose service ports are closed: taken
 * into the stack (the replication port, or an active after all), kept for the
 * successor of a switchover, or dropped (a standby answers nothing there,
 * ARP included). */
enum ns_ha_svc ns_repl_worker_closed_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m);
/* A frame of this worker's out of port_idx (buffered, flushed each poll). */
void ns_worker_tx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m);
/* mcast.c: the IGMP membership service */
int ns_mcast_init(void);
void ns_mcast_worker_rx(struct ns_worker *w, uint16_t port, const uint8_t *ip, uint32_t len);
void ns_mcast_worker_poll(struct ns_worker *w);
/* --dump-counters: igmp.* and igmpq.* lines (nothing without igmp or a querier). */
void ns_mcast_dump_counters(struct ns_out *o);
void ns_mcast_worker_msg(struct ns_worker *w, void *ptr);
/* Changes whenever the querier of port publishes its state. */
uint32_t ns_mcast_members_gen(uint16_t port);
/* The hosts the querier of port has seen join group (at most max). */
uint32_t ns_mcast_members(uint16_t port, uint32_t group, uint32_t *hosts, uint32_t max);
/* Join (or leave) group on port for an internal application (app_id). */
int ns_mcast_app_set(uint16_t port, uint32_t group, uint32_t app_id, bool join);
/* overlay.c: the multicast overlay's sessions, on the fast-path lcore */
int ns_ovl_init(void);
void ns_ovl_fini(void);
extern uint32_t ns_ovl_port_mask; /* ports whose frames may be the overlay's */
/* An overlay frame (an inner packet to a session, or GRE-in-UDP): true when
 * taken (processed, or handed to the fast-path lcore). */
bool ns_ovl_worker_rx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m);
/* The fast-path lcore: a frame ns_ovl_worker_rx classified (consumed). */
void ns_ovl_input(struct ns_worker *w, struct rte_mbuf *m);
bool ns_ovl_is_handoff(const struct rte_mbuf *m);
void ns_ovl_worker_poll(struct ns_worker *w);
void ns_ovl_stats_sum(uint64_t *out);
struct rte_tel_data;
int ns_ovl_telemetry(struct rte_tel_data *d);
/* A frame processed as if received on port_idx (consumed). */
void ns_worker_inject(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m);
/* Take over now (console 'ha takeover'). */
void ns_repl_worker_takeover(struct ns_worker *w);
/* Planned switchover on the active: freeze, drain to the standby, step down. */
void ns_repl_worker_step_down(struct ns_worker *w);
void ns_repl_worker_observe(struct ns_worker *w, const struct ns_tcb *c, uint32_t groups);
bool ns_repl_is_standby(void);
/* repl_cmds.c: the replication counters of every worker's channel. */
void ns_repl_stats_sum(uint64_t *out);
/* ... and of every worker's HA role machine. */
void ns_ha_stats_sum(uint64_t *out);

/* tcp_apps.c: the backup application of a shadow (standby). */
void ns_app_shadow_new(struct ns_worker *w, struct ns_tcb *c);
uint32_t ns_app_backup(struct ns_worker *w, struct ns_tcb *c, uint32_t from, uint32_t to);
uint32_t ns_app_state(struct ns_worker *w, const struct ns_tcb *c, uint8_t *buf, uint32_t max);
void ns_app_restore(struct ns_worker *w, struct ns_tcb *c, const uint8_t *buf, uint32_t len);

/* tcp_glue.c */
int ns_tcp_worker_init(struct ns_worker *w);
void ns_tcp_worker_fini(struct ns_worker *w);
void ns_tcp_worker_rx(struct ns_worker *w, uint16_t port_idx, const uint8_t *ip, uint16_t ip_len,
		uint64_t ol_flags);
void ns_tcp_worker_poll(struct ns_worker *w);
/* Let the connection's application run after this pass. */
void ns_tcp_worker_mark_ready(struct ns_worker *w, const struct ns_tcb *c);
void ns_tcp_stats_sum(uint64_t out[NS_TCP_C__MAX]);
/* bfd_glue.c.  Slots of app.cfg.bfd[]: the control path claims a free one
 * and fills it in (ADDING), the engine's lcore creates the session (ACTIVE);
 * a delete marks it DELETING and the engine frees it (FREE). */
enum ns_bfd_slot_state {
	NS_BFD_SLOT_FREE,
	NS_BFD_SLOT_ADDING,
	NS_BFD_SLOT_ACTIVE,
	NS_BFD_SLOT_DELETING
};
int ns_bfd_worker_init(struct ns_worker *w);
void ns_bfd_worker_fini(struct ns_worker *w);
/* A UDP datagram for us: false when it is not BFD; true when handled (the
 * caller frees m) or handed to the engine's lcore (*taken set). */
bool ns_bfd_worker_rx(
		struct ns_worker *w, struct rte_mbuf *m, const struct ns_l4_info *l4, bool *taken);
/* The engine's lcore: process what the other lcores handed over; returns the count. */
uint32_t ns_bfd_drain(struct ns_worker *w);
void ns_bfd_worker_poll(struct ns_worker *w);
void ns_bfd_worker_msg(struct ns_worker *w, const struct ns_wmsg *m);
void ns_bfd_stats_sum(uint64_t out[NS_BFD_C__MAX]);
/* The health entry of [bfd] slot i when it holds a session (control path). */
bool ns_bfd_slot_health(uint32_t i, struct ns_bfd_health *h);
struct rte_tel_data;
int ns_bfd_telemetry(struct rte_tel_data *d);

/* tcp_cmds.c: apply a 'set tcp' knob on this worker's stack (worker side). */
void ns_tcp_knob_apply(struct ns_worker *w, uint32_t knob, uint32_t value);

/* tcp_apps.c */
void ns_app_init(void);
void ns_app_run(struct ns_worker *w, struct ns_tcb *c);
void ns_app_closed(struct ns_worker *w, struct ns_tcb *c, bool reset);
bool ns_app_start_clients(struct ns_worker *w);

/* ports.c */
int ns_ports_init(char *err, size_t errlen);
void ns_ports_fini(void);
int ns_port_by_arg(const char *arg, int *first, int *last);

#endif /* NS_APP_H */
