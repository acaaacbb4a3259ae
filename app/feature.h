/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Features: what the dataplane runs besides the host stack (TCP and its
 * applications, replication, BFD, the overlay, IGMP, ping, the netlink
 * service), in the manner of testpmd's struct fwd_engine.  Each one fills a
 * struct ns_feature with what it needs at each stage; features.c lists them,
 * and the dataplane, start-up, the command table, telemetry and the counter
 * dumps walk that list: they name no feature.
 *
 * A feature's own state (per loop too) lives in its own files; its public
 * API, for the features built on it, in its own header.
 */
#ifndef NS_FEATURE_H
#define NS_FEATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_telemetry.h>

#include "app.h"
#include "control.h"
#include "pkt_meta.h"

struct ns_l4_info;

/* Where a feature's per-loop hooks (worker_init/fini, poll) run. */
enum ns_loops {
	NS_LOOPS_WORKERS,  /* the workers (not a fast-path lcore's own loop) */
	NS_LOOPS_FASTPATH, /* the fast-path lcore's loop (app.fastpath_loop) */
	NS_LOOPS_ALL,
};

/*
 * Messages to a loop (its ring is multi-producer: the control path and the
 * other loops), copied: a tagged union.  The tag is the feature (its index,
 * NS_WMSG_CORE for the dataplane's own) and the feature's own type; the
 * body is the feature's struct for that type (NS_WMSG_BODY).
 */
#define NS_WMSG_CORE	 0xff
#define NS_WMSG_BODY_MAX 40

struct ns_wmsg {
	uint8_t feature;
	uint8_t type;
	union {
		struct { /* NS_WMSG_CORE: another loop's frame for this ARP owner */
			struct rte_mbuf *m;
			rte_be32_t nh;
			uint16_t port_idx;
		} send_ip;
		uint64_t align;
		uint8_t body[NS_WMSG_BODY_MAX];
	} u;
};

/* The body of m as the feature's type T (a compile-time size check). */
#define NS_WMSG_BODY(m, T) \
	((T *)(void *)(m)->u.body + 0 * sizeof(char[sizeof(T) <= NS_WMSG_BODY_MAX ? 1 : -1]))

/* Counters of a feature, named PREFIX.NAME (an X-macro table of its own). */
struct ns_feature_ctrs {
	const char *prefix;
	const struct ns_ctr_desc *desc;
	unsigned int n;
	void (*sum)(uint64_t *out); /* raw sums over their writers */
	uint64_t *base;		    /* 'clear counters' baseline; NULL: shown raw */
	bool dump_when_off;	    /* --dump-counters writes them when the feature is off */
};

struct ns_tel_cmd {
	const char *path;
	telemetry_cb fn;
	const char *help;
};

struct ns_feature {
	const char *name;
	uint8_t id;	       /* its index in ns_features[] (set at start) */
	bool (*enabled)(void); /* configured at all (NULL: always) */
	enum ns_loops loops;   /* where worker_init, worker_fini and poll run */
	/* Start-up: init once the loops are allocated, worker_init on each of
	 * its loops, start once every loop is built (table order); shutdown:
	 * worker_fini, then fini (reverse order). */
	int (*init)(void);
	int (*worker_init)(struct ns_worker *w);
	int (*start)(void);
	void (*worker_fini)(struct ns_worker *w);
	void (*fini)(void);

	/* Receive, in this order: frames of the EtherType ethertype (before
	 * anything else); the loop's gate (ns_worker.rx_gate); rx_pre for the
	 * ports of rx_pre_ports() (before the host stack); after the host
	 * stack, IPv4 packets for us of protocol ip_proto (UDP: to udp_port).
	 * A handler consumes the frame unless it answers NS_RX_CONTINUE.
	 * rx_pre_burst, when given, does what rx_pre does over a whole burst
	 * (vector style: no per-frame dispatch); the loop uses it on a port
	 * whose only pre hook this is, while its input is open (replay: in
	 * bursts of one). */
	uint16_t ethertype;
	ns_rx_fn rx_ether;
	uint32_t (*rx_pre_ports)(void);
	ns_rx_fn rx_pre;
	ns_rx_burst_fn rx_pre_burst;
	uint8_t ip_proto;
	uint16_t udp_port;
	enum ns_rx (*rx_l4)(struct ns_worker *w, uint16_t port_idx, struct rte_mbuf *m,
			const struct ns_l4_info *l4);
	/* Frames a loop handed to the fast-path lcore (ns_fastpath_handoff),
	 * counted in its dp.* counters handoff_ctr and handoff_full_ctr. */
	void (*fastpath_rx)(struct ns_worker *w, struct rte_mbuf *m);
	uint16_t handoff_ctr, handoff_full_ctr;

	/* Each pass of its loops, after the rx bursts and messages. */
	void (*poll)(struct ns_worker *w);
	/* Replay: before each packet, what was due by its time. */
	void (*clock)(struct ns_worker *w);
	/* A message for it (ns_feature_post). */
	void (*msg)(struct ns_worker *w, const struct ns_wmsg *m);
	/* The control path's own work, between its polls (main lcore). */
	void (*control_poll)(void);

	/* The console, the control socket and --cmdline-file (up to a NULL
	 * pattern). */
	const struct ns_cmd *cmds;
	/* Its sections of 'show config'. */
	void (*show_config)(struct ns_out *o);
	/* /nonstop/... telemetry endpoints (up to a NULL path). */
	const struct ns_tel_cmd *tel;
	/* Counters: its X-macro table, and plain-field lines for --dump-counters. */
	const struct ns_feature_ctrs *ctrs;
	void (*dump_counters)(struct ns_out *o);
	/* Its line in 'show lcores' for the loop that runs it (" bfd"). */
	const char *lcore_tag;
};

/* features.c: every feature, in the order of their hooks. */
extern struct ns_feature *const ns_features[];
extern const unsigned int ns_n_features;

/* for each feature f (i: its index), in table order */
#define NS_FEATURE_FOREACH(i, f) \
	for (unsigned int i = 0; i < ns_n_features && ((f) = ns_features[i], 1); i++)

static inline bool
ns_is_fastpath(const struct ns_worker *w)
{
	return (int)w->idx == app.fastpath_loop;
}

static inline bool
ns_feature_on(const struct ns_feature *f)
{
	return f->enabled == NULL || f->enabled();
}

/* Does f run on loop w (its loops)? */
static inline bool
ns_feature_runs_on(const struct ns_feature *f, const struct ns_worker *w)
{
	switch (f->loops) {
	case NS_LOOPS_WORKERS:
		return !w->fastpath;
	case NS_LOOPS_FASTPATH:
		return ns_is_fastpath(w);
	default:
		return true;
	}
}

/* Post f's message of type 'type' with body (len bytes) to loop widx;
 * -1: its ring is full. */
int ns_feature_post(const struct ns_feature *f, uint32_t widx, uint8_t type, const void *body,
		size_t len);

/* fastpath.c: the hand-off of received frames to the fast-path lcore's
 * loop: one single-producer ring per other loop, drained every pass of the
 * fast-path loop; each frame goes to its feature's fastpath_rx. */
int ns_fastpath_init(void);
void ns_fastpath_fini(void);
/* Hand m to the fast-path loop for f (consumed; counted). */
void ns_fastpath_handoff(struct ns_worker *w, const struct ns_feature *f, struct rte_mbuf *m);
/* The fast-path loop: what the others handed over; returns the count. */
uint32_t ns_fastpath_drain(struct ns_worker *w);

#endif /* NS_FEATURE_H */
