/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * State shared by the control path (main lcore) and the dataplane lcores:
 * the loops (struct ns_worker), the ports, and the dataplane's own services
 * (tx, next hops, messages).  What the features add lives in their own files
 * (feature.h, features.c).
 */
#ifndef NS_APP_H
#define NS_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "config.h"
#include "control.h"
#include "dp_counters.h"
#include "rss.h"
#include "net/host.h"

/* rte_log types: nonstop.app, nonstop.port, nonstop.ctl (--log-level=nonstop.*:debug). */
extern int ns_logtype_app, ns_logtype_port, ns_logtype_ctl;
#define NS_LOGT(type, level, fmt, ...) \
	rte_log(RTE_LOG_##level, ns_logtype_##type, "nonstop: " fmt "\n", ##__VA_ARGS__)
#define NS_LOG(level, fmt, ...) NS_LOGT(app, level, fmt, ##__VA_ARGS__)

/* The loops: the workers, then a fast-path lcore's own when it has one. */
#define NS_MAX_LOOPS (NS_MAX_WORKERS + 1)

/* One (port, rx queue) pair polled by a worker. */
struct ns_rxq {
	uint16_t port_idx; /* index into app.port[] / cfg.port[] */
	uint16_t port_id;  /* ethdev port id */
	uint16_t queue;
};

/* What became of a received frame a handler was given. */
enum ns_rx {
	NS_RX_FREE,	/* done with it: the caller frees it */
	NS_RX_TAKEN,	/* the handler keeps it (sent, queued, handed over) */
	NS_RX_CONTINUE, /* a gate or a hook lets it go on to the next stage */
};

struct ns_worker;
typedef enum ns_rx (*ns_rx_fn)(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m);
/* A whole burst of a port, before the host stack: the handler takes the
 * frames that are its own and returns how many are left, moved to the front
 * of pkts in their order. */
typedef uint16_t (*ns_rx_burst_fn)(
		struct ns_worker *w, uint16_t port_idx, struct rte_mbuf **pkts, uint16_t n);

/* Per-loop state: written only by its lcore; cache-aligned, no sharing. */
struct ns_worker {
	uint32_t idx; /* in app.worker[] */
	unsigned int lcore;
	uint16_t txq; /* this loop's tx queue on every port */
	uint16_t n_rxq;
	struct ns_rxq rxq[NS_MAX_PORTS * NS_MAX_WORKERS];
	/* One host stack per port: own ARP cache and counters (no locks). */
	struct ns_host host[NS_MAX_PORTS];
	uint64_t net_ctr[NS_MAX_PORTS][NS_NET__MAX];
	uint64_t dp_ctr[NS_DP__MAX];
	struct rte_eth_dev_tx_buffer *txb[NS_MAX_PORTS];
	uint64_t now_ns;       /* clock of the current iteration (virtual in replay mode) */
	struct rte_ring *msgq; /* from the control path and the other loops */
	bool fastpath;	       /* the dedicated fast-path loop: no rx queues */
	bool drains;	       /* the fast-path loop, and other loops hand it frames */
	/* A feature that closes this loop's input (a standby) sets a gate that
	 * every frame but its own EtherType's passes first; NULL: open. */
	ns_rx_fn rx_gate;
	/* What the next frame of a burst will touch, loaded ahead (a feature of
	 * this loop sets it); NULL: nothing. */
	void (*rx_prefetch)(const struct rte_mbuf *m);
	/* The features' per-pass work on this loop, and what replay runs
	 * before each packet (their clocks), in table order. */
	uint8_t n_polls, n_clocks;
	void (*polls[16])(struct ns_worker *w);
	void (*clocks[16])(struct ns_worker *w);
	/* A queue gave a full burst this pass: more was waiting (the TCP
	 * feature holds its timers back until it is taken). */
	bool rx_backlog;
	uint32_t rx_untimed; /* packets taken since the TCP timers last ran */
	/* The loop's longest stage (a queue's burst, a feature's poll...) since
	 * the last ns_worker_stage_take, timed only when a feature asks
	 * (stage_timing): what held the loop when it stalled. */
	bool stage_timing;
	int stage_max_arg; /* the port of a burst, or -1 */
	const char *stage_max_name;
	uint64_t stage_t, stage_max; /* TSC */
	const char *poll_name[16];
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
	int fastpath_loop;	  /* index into worker[] of the fast-path lcore's loop */
	struct rte_mempool *pool;
	bool replay;	 /* exit when every rx queue is drained (pcap replay) */
	int ts_dynfield; /* mbuf rx timestamp field offset, or -1 */
	uint64_t ts_dynflag;
	uint64_t ts_to_ns; /* the timestamp unit is the driver's: net_pcap counts microseconds */
	volatile bool quit;
	uint64_t tsc_hz;
	/* 'clear counters' keeps a baseline instead of racing the owners' stores. */
	uint64_t net_base[NS_NET__MAX];
	uint64_t dp_base[NS_DP__MAX];
	uint64_t ctl_base[NS_CTL__MAX];
	char ctl_path[108];
};

extern struct ns_app app;

/* dataplane.c */
/* Decide the loops (workers, a fast-path lcore of its own) before the ports. */
void ns_dataplane_plan(void);
/* The loops and every feature (feature.h); 'what' names what failed. */
int ns_dataplane_init(const char **what);
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

/* The worker that polls queue 0 of port_idx (where ARP lands), or -1. */
int ns_worker_of_port(uint16_t port_idx);
/* Queue a frame we originate: resolve the next hop through the ARP cache. */
void ns_worker_send_ip(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m, rte_be32_t nh);
/* A frame of this worker's out of port_idx (buffered, flushed each poll). */
void ns_worker_tx(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m);
/* A frame processed as if received on port_idx (consumed). */
void ns_worker_inject(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m);
/* The loop's longest stage since the last call (and the one under way, as
 * long as it has run so far), as "<stage> <ms> ms", into buf; starts over. */
void ns_worker_stage_take(struct ns_worker *w, char *buf, size_t len);
/* Starts the loop's stage record over. */
static inline void
ns_worker_stage_reset(struct ns_worker *w)
{
	w->stage_max = 0;
	w->stage_max_name = NULL;
}

/* ports.c */
int ns_ports_init(char *err, size_t errlen);
void ns_ports_fini(void);
int ns_port_by_arg(const char *arg, int *first, int *last);

#endif /* NS_APP_H */
