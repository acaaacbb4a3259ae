/* SPDX-License-Identifier: BSD-3-Clause */
/* The replication state of one worker (repl_glue.c), read by the commands. */
#ifndef NS_REPL_GLUE_H
#define NS_REPL_GLUE_H

#include <rte_ether.h>
#include <rte_ring.h>

#include "repl.h"

struct ns_worker;

struct ns_repl_w {
	struct ns_worker *w;
	bool active;
	struct ns_repl_chan ch;
	struct ns_repl_active act;
	struct ns_repl_standby sb;
	struct ns_repl_hold_q hold;
	struct rte_ring *rx; /* frames of this channel received by another worker */
	struct rte_ether_addr peer;
	volatile bool backup_paused; /* set repl backup pause|resume (tests) */
	volatile bool bulk_paused;   /* set repl bulk pause|resume (tests) */
	/* ACK delay: segments held b .. b+1 us (b < 1024), or 2^(b-1024+10) us and more */
	uint32_t held_us[1024 + 22];
	uint64_t flags_heard, flags_raised, details_heard;
	/* Takeover: when and how it went. */
	uint64_t takeovers;
	uint64_t last_silence_ns;  /* the active's silence when it was declared dead */
	uint64_t last_activate_ns; /* time to activate every shadow */
	uint32_t last_activated, last_failed;
	bool last_partial;	/* taken over in the middle of a bulk sync */
	uint64_t garp_next_ns;	/* gratuitous ARPs after a takeover */
	uint64_t fence_sent_ns; /* last word to an instance of an older epoch */
	uint64_t neigh_next_ns; /* next pass of the service ports' ARP caches to the standby */
	uint64_t neigh_sent, neigh_learned;
	uint8_t garp_left;
	uint64_t takeover_wall_ns; /* CLOCK_REALTIME of the last takeover's end */
	/* Planned switchover, on the active stepping down. */
	uint8_t sw_state; /* 0, or draining */
	uint64_t sw_start_ns, sw_freeze_wall_ns;
	uint64_t stepdowns, sw_refused, sw_aborted, fences;
	uint64_t last_drain_ns;
	/* ... and on the standby: the JOIN of the next epoch that says it. */
	bool stepdown_heard;
	uint32_t stepdown_epoch, stepdown_session, stepdown_len;
	uint8_t stepdown_join[64];
	/* Frames the service ports received while frozen: handed to the new
	 * active (NS_REPL_F_FWD) rather than lost; kept there until it is. */
	struct rte_mbuf *fwd[256];
	uint32_t n_fwd;
	uint64_t fwd_until_ns;
	/* Liveness on the second path: heartbeats on the service ports. */
	uint64_t beat_next_ns, beat_rx_ns, beats_sent, beats_heard;
	uint16_t tx_port;	/* chan_xmit's port: the replication port, or a beat's */
	uint64_t split_avoided; /* channel silent, the active alive on another path */
	bool split_logged;
	uint64_t start_ns; /* role = auto: when this standby started listening */
	uint64_t fwd_kept, fwd_sent, fwd_injected, fwd_dropped;
};

const char *ns_repl_flag_name(unsigned int level);
/* p-th percentile (0..100) of a worker's hold times, in microseconds (bucket's top). */
uint64_t ns_repl_hold_pct(const struct ns_repl_w *r, unsigned int p);

#endif /* NS_REPL_GLUE_H */
