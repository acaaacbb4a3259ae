/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP core of one lcore: connection table, listeners, timers, counters.
 * DPDK-free: segments come in as IPv4 packets with an explicit 'now'
 * (nanoseconds), go out through ops->xmit, and the application hears
 * events through ops->event.  Nothing here allocates per packet.
 */
#ifndef NS_TCP_STACK_H
#define NS_TCP_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp/tcb.h"
#include "tcp/tcp_cc.h"
#include "tcp/tcp_counters.h"
#include "common/timer_wheel.h"

enum ns_tcp_event {
	NS_TCPE_ACCEPTED,  /* a listener's connection reached ESTABLISHED */
	NS_TCPE_CONNECTED, /* connect() completed */
	NS_TCPE_READABLE,  /* new in-order data or the peer's FIN */
	NS_TCPE_WRITABLE,  /* send queue space freed by ACKs */
	NS_TCPE_RESET,	   /* reset by the peer, or retransmissions exhausted */
	NS_TCPE_CLOSED,	   /* the TCB is about to be freed */
};

struct ns_tcp_stack;

struct ns_tcp_ops {
	/* A buffer for one outgoing IPv4 packet of up to len bytes; NULL if none. */
	uint8_t *(*tx_alloc)(void *user, uint16_t len, void **handle);
	/* Send the packet built in the buffer (len bytes from the IPv4 header);
	 * the stack's xmit_conn names its connection (NULL: a RST for none). */
	void (*xmit)(void *user, void *handle, uint16_t len);
	/* Application events; for NS_TCPE_ACCEPTED, c->app is set by the callee. */
	void (*event)(void *user, struct ns_tcb *c, enum ns_tcp_event ev);
	/* State-change observer (replication); NULL: none, and no cost. */
	void (*observe)(void *user, const struct ns_tcb *c, uint32_t groups);
};

struct ns_tcp_cfg {
	uint32_t max_conns;
	uint32_t sndbuf, rcvbuf; /* bytes, powers of two */
	uint16_t mss;		 /* our MSS (advertised; also the send clamp) */
	uint8_t wscale;		 /* our window scale (when the peer offers scaling) */
	bool ts, sack, ws;	 /* offer / accept these options */
	uint32_t rto_init_ms, rto_min_ms, rto_max_ms;
	uint8_t max_retries; /* RTO expiries before the connection is reset */
	uint32_t delack_ms;
	uint32_t time_wait_ms; /* 2 MSL */
	uint8_t isn_key[16];   /* RFC 6528 secret; fixed in deterministic tests */
	uint8_t ttl;
	/* The edge computes TCP checksums (RTE_MBUF_F_TX_TCP_CKSUM): segments leave
	 * with the pseudo-header sum in the checksum field, as DPDK expects. */
	bool tx_csum_offload;
	/* SYN-RECEIVED connections per listener; past it, SYN cookies (or drops). */
	uint32_t syn_backlog;
	bool syncookies;
	uint8_t synack_retries; /* SYN-ACK retransmissions before a half-open TCB is freed */
	/* Keepalive (RFC 9293 3.8.4): probe after idle_ms without a segment, every
	 * intvl_ms, reset after cnt unanswered probes.  idle_ms 0: off. */
	uint32_t keepalive_idle_ms, keepalive_intvl_ms;
	uint8_t keepalive_cnt;
	/* ACK throttling: at most one ACK per oow_ack_interval_ms per connection in
	 * reply to out-of-window segments without data (and challenge ACKs), and at
	 * most challenge_ack_limit challenge ACKs per second per stack (RFC 5961 7). */
	uint32_t oow_ack_interval_ms;
	uint32_t challenge_ack_limit;
	/* Congestion control algorithm (NULL: NewReno). */
	const struct ns_tcp_cc_ops *cc;
};

void ns_tcp_cfg_defaults(struct ns_tcp_cfg *cfg);

#define NS_TCP_MAX_LISTENERS 64

struct ns_tcp_listener {
	uint32_t laddr;	     /* 0: any of ours */
	uint16_t lport;	     /* network order; 0: slot free */
	void *app;	     /* passed to ACCEPTED as c->app */
	uint32_t n_syn_rcvd; /* half-open connections (the backlog) */
};

/*
 * Connections closed from LAST-ACK after a retransmission or tail loss probe
 * went out past our FIN: the peer, already in TIME-WAIT, answers that copy
 * with a duplicate ACK, which would otherwise meet no connection and draw a
 * RST.  Set-associative by the tuple (many connections close together when a
 * loaded host fires their probes at once); a full set gives up the entry
 * that expires first (counted: closed_evicted).
 */
#define NS_TCP_CLOSED_SETS 256
#define NS_TCP_CLOSED_WAYS 4

struct ns_tcp_closed {
	struct ns_tcp_tuple t;
	uint32_t seq, ack; /* the duplicate's: our rcv_nxt and snd_max at the close */
	uint64_t until_ns; /* 0: empty */
};

struct ns_tcp_stack {
	struct ns_tcp_cfg cfg;
	struct ns_tcp_ops ops;
	void *user;
	struct ns_tcb *pool; /* cfg.max_conns TCBs */
	uint8_t *bufmem;     /* FIFO storage of the pool */
	uint32_t *free_ids;  /* stack of free pool slots */
	uint32_t *free_pos;  /* where each id sits in free_ids (UINT32_MAX: in use) */
	uint32_t n_free;
	uint32_t *table; /* open addressing: pool id + 1, 0 = empty */
	uint32_t table_mask;
	struct ns_tcp_listener listener[NS_TCP_MAX_LISTENERS];
	struct ns_tw wheel;
	uint64_t now; /* the clock of the event being processed */
	uint16_t ip_id;
	/* After a takeover: until then, segments of unknown flows are dropped, not
	 * answered with RST (the standby may lack connections the peer has). */
	uint64_t quiet_until_ns;
	const struct ns_tcb *xmit_conn; /* during ops->xmit: the segment's connection */
	uint32_t ack_prior_fack;	/* during an ACK: the connection's rack_fack before it */
	uint64_t chack_second;		/* RFC 5961 7: the second being counted, and its count */
	uint32_t chack_count;
	struct ns_tcp_closed closed[NS_TCP_CLOSED_SETS][NS_TCP_CLOSED_WAYS];
	uint64_t ctr[NS_TCP_C__MAX];
};

int ns_tcp_init(struct ns_tcp_stack *s, const struct ns_tcp_cfg *cfg, const struct ns_tcp_ops *ops,
		void *user, uint64_t now);
void ns_tcp_fini(struct ns_tcp_stack *s);

/* Listen on (laddr or 0, lport in host order); returns the listener index or -1. */
int ns_tcp_listen(struct ns_tcp_stack *s, uint32_t laddr, uint16_t lport, void *app);

/* Active open; lport 0 picks an ephemeral port. NULL if no TCB is free. */
struct ns_tcb *ns_tcp_connect(struct ns_tcp_stack *s, uint32_t laddr, uint32_t raddr,
		uint16_t rport, uint16_t lport, void *app, uint64_t now);

/*
 * One received IPv4 packet carrying TCP (ip points at the IPv4 header,
 * total length already validated against the frame by the host stack).
 */
void ns_tcp_input(struct ns_tcp_stack *s, const uint8_t *ip, uint16_t ip_len, uint64_t now);
/* The same for a packet whose TCP checksum the NIC verified (RTE_MBUF_F_RX_L4_CKSUM_GOOD). */
void ns_tcp_input_csum_ok(struct ns_tcp_stack *s, const uint8_t *ip, uint16_t ip_len, uint64_t now);

/* Run due timers. */
void ns_tcp_timers(struct ns_tcp_stack *s, uint64_t now);

/*
 * Application side.  Copying: ns_tcp_send() queues up to len bytes (returns
 * how many fit), ns_tcp_recv() reads up to len (data NULL: discard).
 *
 * Zero-copy, in the connection's own buffers (which stay where replication
 * reads them, indexed by sequence number): ns_tcp_send_reserve() gives the
 * contiguous free space at the tail of the send queue, the application
 * writes there and ns_tcp_send_commit() queues what it wrote;
 * ns_tcp_recv_peek() gives the contiguous unread bytes in place, and
 * ns_tcp_recv_consume() releases them (window update as ns_tcp_recv).  A
 * view stays valid until the next call into the stack for that connection;
 * when the ring wraps, a second peek/reserve returns the rest.
 */
uint32_t ns_tcp_send(struct ns_tcp_stack *s, struct ns_tcb *c, const void *data, uint32_t len,
		uint64_t now);
uint32_t ns_tcp_recv(
		struct ns_tcp_stack *s, struct ns_tcb *c, void *data, uint32_t len, uint64_t now);
uint32_t ns_tcp_send_reserve(const struct ns_tcb *c, uint8_t **buf);
uint32_t ns_tcp_send_commit(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t len, uint64_t now);
uint32_t ns_tcp_recv_peek(const struct ns_tcb *c, const uint8_t **data);
uint32_t ns_tcp_recv_consume(struct ns_tcp_stack *s, struct ns_tcb *c, uint32_t len, uint64_t now);
/* Graceful close: FIN after the queued data.  The TCB lives until CLOSED. */
void ns_tcp_close(struct ns_tcp_stack *s, struct ns_tcb *c, uint64_t now);
/* Abort: RST, TCB freed (CLOSED event). */
void ns_tcp_abort(struct ns_tcp_stack *s, struct ns_tcb *c, uint64_t now);

struct ns_tcb *ns_tcp_lookup(struct ns_tcp_stack *s, const struct ns_tcp_tuple *t);

/*
 * Shadows (replication standby): a TCB in slot id, with the active's id,
 * outside the 4-tuple table and without timers, filled in by the standby
 * from replicated images; no segment reaches it and it sends nothing.
 */
struct ns_tcb *ns_tcp_shadow_alloc(
		struct ns_tcp_stack *s, uint32_t id, const struct ns_tcp_tuple *t);
void ns_tcp_shadow_free(struct ns_tcp_stack *s, struct ns_tcb *c);
/* The shadow holds up to `bytes` bytes sent but not acknowledged: the
 * memory its activation will write for them (the transmission log, which a
 * slot reserves as untouched heap) is made resident now, so that a takeover
 * does not wait for page faults (one per connection: ~10 us each on a VM). */
void ns_tcp_shadow_warm(struct ns_tcb *c, uint32_t bytes);
/* Takeover: the shadow becomes a live connection (table, timers from its
 * deadlines; unless drained, every unacknowledged segment again and three
 * ACKs); -1 if it cannot.  drained: every segment the old instance made left
 * it (a planned switchover): what is in flight is on its way. */
int ns_tcp_activate(struct ns_tcp_stack *s, struct ns_tcb *c, uint64_t now, bool drained);
/* Step-down: the connection leaves this stack without a word to the peer or
 * an event to the application (another instance holds it now). */
void ns_tcp_forget(struct ns_tcp_stack *s, struct ns_tcb *c);

/*
 * The single point where a connection's changes become visible: hands the
 * groups marked since the last commit to ops->observe.  Every entry point
 * above commits before it returns.
 */
static inline void
ns_tcp_commit(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	if (c->dirty != 0 && s->ops.observe != NULL)
		s->ops.observe(s->user, c, c->dirty);
	c->dirty = 0;
}

#endif /* NS_TCP_STACK_H */
