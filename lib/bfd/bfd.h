/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BFD engine (RFC 5880 asynchronous mode, RFC 5881 single hop) for one
 * fast-path lcore.  DPDK-free: control packets come in as UDP payloads with
 * the IP addresses and TTL and an explicit 'now' (ns); packets go out
 * through ops->xmit; state changes go to ops->state_change.
 *
 * The session table is indexed by the local discriminator, so a received
 * packet finds its session in O(1) from Your Discriminator (the heartbeat
 * index of the source patents); packets with Your Discriminator 0 (the first
 * ones of a session) are found by address in a small hash table.  Per
 * session, a health entry (state, last receive time, remote parameters) is
 * published under a sequence counter: the control plane reads consistent
 * snapshots without locking the fast path.
 */
#ifndef NS_BFD_H
#define NS_BFD_H

#include <stdbool.h>
#include <stdint.h>

#include "bfd/bfd_auth.h"
#include "bfd/bfd_counters.h"
#include "bfd/bfd_packet.h"
#include "common/timer_wheel.h"

#define NS_BFD_IDX_BITS 20 /* local discriminator = generation << 20 | (index + 1) */

struct ns_bfd_session_cfg {
	uint32_t laddr, raddr; /* network order */
	uint32_t desired_min_tx_us, required_min_rx_us;
	uint8_t detect_mult;
	bool passive; /* wait for the peer's first packet (RFC 5880 6.1) */
	void *user;
	struct ns_bfd_auth_cfg auth; /* type NS_BFD_AUTH_NONE: no authentication */
};

/* What the control plane reads (seqcount-protected copy per session).  The
 * heartbeat fields the steady state writes come first. */
struct ns_bfd_health {
	uint32_t seq; /* odd while the fast path writes */
	uint8_t state, remote_state, local_diag, remote_diag;
	uint64_t last_rx_ns; /* last valid control packet */
	uint64_t rx, tx;
	uint32_t local_disc, remote_disc;
	uint64_t last_change_ns; /* last state change */
	uint32_t tx_interval_us; /* negotiated, before jitter */
	uint32_t detect_time_us;
	uint32_t remote_min_rx_us, remote_min_tx_us;
	uint8_t remote_mult;
	uint32_t ups, downs;
};

struct ns_bfd_session {
	/* What a predicted packet touches, in the first two cache lines (the
	 * edge prefetches them: ns_bfd_prefetch). */
	uint32_t local_disc;
	bool in_use;
	/* Header prediction: while Up, the peer's periodic packet is the same
	 * bytes every time; one equal to the last fully processed one only moves
	 * the heartbeat (ns_bfd_input). */
	bool rx_predict;
	uint8_t rx_last[NS_BFD_HDR_LEN];
	uint64_t detect_ns; /* detection time of that packet */
	uint64_t last_rx_ns;
	uint64_t detect_deadline_ns; /* last_rx + detection time (the timer checks it lazily) */
	uint64_t rx;
	struct ns_bfd_session_cfg cfg; /* laddr, raddr first */
	/* RFC 5880 6.8.1 state variables */
	uint8_t state, remote_state, local_diag, remote_demand;
	uint32_t remote_disc;
	uint32_t desired_min_tx_us;  /* advertised now (>= 1 s while not Up, 6.8.3) */
	uint32_t required_min_rx_us; /* advertised now */
	uint32_t remote_min_rx_us, remote_min_tx_us;
	uint8_t remote_mult;
	/* intervals in force: they change only when a Poll Sequence ends (6.8.3) */
	uint32_t tx_desired_in_use_us, rx_required_in_use_us;
	bool poll_active, final_pending;
	uint64_t last_change_ns;
	uint32_t ups, downs;
	uint64_t tx;
	struct ns_bfd_auth_state auth;
	struct ns_tw_timer tx_timer, detect_timer;
};

struct ns_bfd_ops {
	/* Send one control packet (the UDP payload, len bytes) for session s. */
	void (*xmit)(void *user, const struct ns_bfd_session *s, const uint8_t *pkt, uint32_t len);
	void (*state_change)(void *user, const struct ns_bfd_session *s, uint8_t old_state);
};

struct ns_bfd {
	struct ns_bfd_ops ops;
	void *user;
	uint32_t max_sessions;
	struct ns_bfd_session *sess;
	struct ns_bfd_health *health;
	uint32_t *by_addr; /* open addressing on (laddr, raddr): index + 1 */
	uint32_t by_addr_mask;
	uint32_t n_sessions;
	uint32_t *free_ids; /* stack of free session slots: O(1) add */
	uint32_t n_free;
	uint16_t generation;
	struct ns_tw wheel;
	uint64_t now;	  /* the event's time (a timer's: when it was due) */
	uint64_t run_now; /* the time ns_bfd_timers runs at */
	/* The clock jumps between events and nothing ran late (pcap replay):
	 * a transmit timer acts at its own due time, as it would have. */
	bool virtual_time;
	uint64_t rng;
	uint64_t ctr[NS_BFD_C__MAX];
};

int ns_bfd_init(struct ns_bfd *b, uint32_t max_sessions, const struct ns_bfd_ops *ops, void *user,
		uint64_t now);
void ns_bfd_fini(struct ns_bfd *b);

/* Returns the local discriminator (0: table full, duplicate or bad values). */
uint32_t ns_bfd_session_add(struct ns_bfd *b, const struct ns_bfd_session_cfg *cfg, uint64_t now);
int ns_bfd_session_del(struct ns_bfd *b, uint32_t local_disc, uint64_t now);
/* New timers: a Poll Sequence while Up (RFC 5880 6.8.3). */
int ns_bfd_session_set(struct ns_bfd *b, uint32_t local_disc, uint32_t desired_min_tx_us,
		uint32_t required_min_rx_us, uint8_t detect_mult, uint64_t now);
/* AdminDown (diag 7) or back to Down. */
int ns_bfd_session_admin(struct ns_bfd *b, uint32_t local_disc, bool down, uint64_t now);
struct ns_bfd_session *ns_bfd_session_get(struct ns_bfd *b, uint32_t local_disc);

/* Start loading the session (and its health entry) that a control packet
 * (UDP payload, at least 12 bytes) names, a packet or two before
 * ns_bfd_input gets it: the table does not fit in cache at 10 000 sessions. */
static inline void
ns_bfd_prefetch(const struct ns_bfd *b, const uint8_t *pkt)
{
	uint32_t your = (uint32_t)pkt[8] << 24 | (uint32_t)pkt[9] << 16 | (uint32_t)pkt[10] << 8 |
			pkt[11];
	uint32_t i = (your & ((1u << NS_BFD_IDX_BITS) - 1)) - 1;

	if (i < b->max_sessions) {
		__builtin_prefetch(&b->sess[i]);
		__builtin_prefetch((const char *)&b->sess[i] + 64);
		__builtin_prefetch(&b->health[i]);
	}
}

/* One received control packet (UDP payload) from raddr to laddr. */
void ns_bfd_input(struct ns_bfd *b, uint32_t laddr, uint32_t raddr, uint8_t ttl, const uint8_t *pkt,
		uint32_t len, uint64_t now);
void ns_bfd_timers(struct ns_bfd *b, uint64_t now);

/* A consistent copy of a session's health entry (control plane, any thread). */
bool ns_bfd_health_read(const struct ns_bfd *b, uint32_t index, struct ns_bfd_health *out);

#endif /* NS_BFD_H */
