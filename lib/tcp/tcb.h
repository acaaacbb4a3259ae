/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP control block: a flat struct (no pointers but the two FIFO
 * buffers and the intrusive timer links) so that it can be serialized for
 * replication.  Every mutation of connection state goes through
 * NS_TCB_SET()/ns_tcb_dirty(), which mark a change group; ns_tcp_commit()
 * (tcp_stack.h) hands the groups changed by one event to the observer.
 */
#ifndef NS_TCB_H
#define NS_TCB_H

#include <stdint.h>

#include "tcp/byte_fifo.h"
#include "tcp/tcp_options.h"
#include "tcp/tcp_state.h"
#include "common/timer_wheel.h"

/* Change groups: what an observer (the replication module) receives. */
enum ns_tcb_group {
	NS_TCBG_STATE = 1u << 0,  /* state, flags */
	NS_TCBG_SND = 1u << 1,	  /* snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1/2 */
	NS_TCBG_RCV = 1u << 2,	  /* rcv_nxt, rcv_adv */
	NS_TCBG_OPTS = 1u << 3,	  /* negotiated MSS, window scales, TS/SACK use */
	NS_TCBG_TS = 1u << 4,	  /* ts_recent */
	NS_TCBG_RTT = 1u << 5,	  /* srtt, rttvar, rto, backoff */
	NS_TCBG_CC = 1u << 6,	  /* cwnd, ssthresh, recover, dupacks, RACK-TLP */
	NS_TCBG_TIMERS = 1u << 7, /* timer deadlines */
	NS_TCBG_SNDQ = 1u << 8,	  /* bytes queued by the application */
	NS_TCBG_RCVQ = 1u << 9,	  /* bytes received or consumed */
	NS_TCBG_NEW = 1u << 10,	  /* connection created (full checkpoint) */
	NS_TCBG_FREE = 1u << 11,  /* connection gone */
};

enum ns_tcb_flag {
	NS_TCBF_ACK_NOW = 1u << 0,     /* send an ACK at the end of this event */
	NS_TCBF_DELACK = 1u << 1,      /* an ACK is owed (delayed) */
	NS_TCBF_TS = 1u << 2,	       /* timestamps in use */
	NS_TCBF_SACK = 1u << 3,	       /* SACK permitted both ways */
	NS_TCBF_WS = 1u << 4,	       /* window scaling in use */
	NS_TCBF_FIN_QUEUED = 1u << 5,  /* application closed: FIN follows the data */
	NS_TCBF_FIN_SENT = 1u << 6,    /* our FIN has a sequence number (snd_max covers it) */
	NS_TCBF_NODELAY = 1u << 7,     /* Nagle off */
	NS_TCBF_PASSIVE = 1u << 8,     /* created by a listener */
	NS_TCBF_IN_RECOVERY = 1u << 9, /* fast recovery (RFC 6675 with SACK, RFC 6582 without) */
	NS_TCBF_KEEPALIVE = 1u << 10,  /* keepalive probes when idle (cfg.keepalive_idle_ms) */
	NS_TCBF_LOSS = 1u << 11,       /* after an RTO until snd_una reaches recover */
	NS_TCBF_RESENT_AFTER_FIN = 1u << 12, /* data or FIN sent again once our FIN was out */
};

enum ns_tcp_timer_kind {
	NS_TCPT_RTO,
	NS_TCPT_DELACK,
	NS_TCPT_TIMEWAIT,
	NS_TCPT_KEEPALIVE,
	NS_TCPT_TLP, /* tail loss probe (RFC 8985 7) */
	NS_TCPT_REO, /* RACK reordering timer (RFC 8985 6.2 step 5) */
	NS_TCPT__N
};

/* RACK-TLP flags (ns_tcb.rack_flags). */
enum ns_tcp_rack_flag {
	NS_RACKF_REORDER = 1u << 0,	/* RACK.reordering_seen */
	NS_RACKF_DSACK_ROUND = 1u << 1, /* RACK.dsack_round is set */
	NS_RACKF_TLP = 1u << 2,		/* a probe is out: TLP.end_seq is set */
	NS_RACKF_TLP_RETRANS = 1u << 3, /* that probe was a retransmission */
	NS_RACKF_TLP_IN_REC = 1u << 4,	/* that probe went out in fast recovery */
};

/*
 * The transmission log: what was sent of [snd_una, snd_max), one record per
 * segment as it first left (a record's start is the previous one's end, the
 * first's is 'start'), with the time of its latest transmission and its
 * state.  It is the SACK scoreboard of RFC 6675 and the per-segment clock
 * of RACK (RFC 8985).  A ring in the stack's preallocated memory (one
 * record per 512 bytes of send buffer, at least 64): when it is full a new
 * segment joins the last record.  Soft state: a standby rebuilds it at
 * takeover (tcp_txlog.c); 'head' runs free, indices are masked on access.
 */
enum ns_tcp_seg_flag {
	NS_TSEG_SACKED = 1u << 0,  /* the peer holds it (SACK) */
	NS_TSEG_LOST = 1u << 1,	   /* deemed lost (RACK, RTO, a go-back-N resend) */
	NS_TSEG_RETRANS = 1u << 2, /* a retransmission of it is in flight */
	NS_TSEG_EVER = 1u << 3,	   /* retransmitted at least once */
};

struct ns_tcp_seg {
	uint64_t xmit_ns; /* its latest transmission */
	uint32_t end;
	uint32_t flags; /* enum ns_tcp_seg_flag */
};

struct ns_tcp_txlog {
	struct ns_tcp_seg *r; /* [cap], cap a power of two */
	uint32_t cap, head, n;
	uint32_t start;	      /* the first record's start: snd_una */
	uint32_t hint;	      /* no unsent lost record before this index */
	uint32_t sacked;      /* bytes SACKED */
	uint32_t lost;	      /* bytes LOST and not SACKED */
	uint32_t retrans;     /* bytes RETRANS and not SACKED */
	uint32_t lost_unsent; /* bytes LOST, not RETRANS, not SACKED */
	uint32_t sacked_segs; /* records SACKED (RFC 8985 RACK.segs_sacked) */
	uint64_t last_ns;     /* the latest transmission time given out */
};

/*
 * Reassembly: the ranges of out-of-order data held in the receive FIFO at
 * their sequence positions, ascending and disjoint, in an array of the
 * stack's preallocated memory (a range per 256 bytes of receive buffer).
 * 'recent' names the ranges in the order the SACK blocks report them
 * (RFC 2018 4: the range of the latest segment first, then the most
 * recently reported), by a sequence number each holds.  'dsack' is a
 * duplicate the next ACK reports first (RFC 2883).  A FIN that arrives
 * beyond a hole is remembered, and taken when the hole fills.
 */
struct ns_tcp_reass {
	struct ns_sack_block *r; /* [cap] */
	uint32_t cap, n;
	uint32_t recent[NS_TCP_MAX_SACK];
	uint8_t n_recent;
	uint8_t has_dsack;
	uint8_t has_fin; /* a FIN came beyond a hole: at fin_seq */
	uint32_t fin_seq;
	struct ns_sack_block dsack;
};

struct ns_tcp_tuple {
	uint32_t laddr, raddr; /* network order */
	uint16_t lport, rport; /* network order */
};

struct ns_tcb {
	struct ns_tcp_tuple t;
	uint32_t id; /* slot in the stack's pool: the connection's name on the wire to the standby
		      */
	uint16_t state;	   /* enum ns_tcp_state */
	uint16_t flags;	   /* enum ns_tcb_flag */
	uint32_t dirty;	   /* enum ns_tcb_group, since the last commit */
	uint32_t listener; /* index of the listener that created it (passive) */

	/* send sequence space (RFC 9293 3.3.1) */
	uint32_t iss, snd_una, snd_nxt, snd_max;
	uint32_t snd_wnd; /* peer's window, already scaled */
	uint32_t snd_wl1, snd_wl2;
	/* receive sequence space */
	uint32_t irs, rcv_nxt;
	uint32_t rcv_adv; /* right edge of the window we advertised */

	/* negotiated options */
	uint16_t snd_mss; /* SMSS: payload bytes of a full segment (options excluded) */
	uint8_t snd_wscale, rcv_wscale;
	uint32_t ts_recent;
	uint32_t last_ack_sent; /* RFC 7323 4.3: the ACK field of our latest segment */
	uint32_t ts_offset;	/* our TSval = now_ms + ts_offset (RFC 7323 5.4) */
	uint32_t ts_sent;	/* the TSval of our latest segment (a takeover goes on above it) */

	/* RTT estimator and RTO (RFC 6298), microseconds */
	uint32_t srtt_us, rttvar_us, rto_us;
	uint8_t backoff;
	uint8_t dupacks;
	uint16_t unacked_segs; /* in-order segments since our last ACK (delayed ACK) */
	uint32_t rtt_seq;      /* sequence being timed without timestamps (Karn), 0 = none */
	uint64_t rtt_start_ns;

	/* congestion control (RFC 5681, RFC 6582) */
	uint32_t cwnd, ssthresh, recover;
	uint32_t cc_state[4]; /* the algorithm's own (tcp_cc.h) */

	/* RACK-TLP (RFC 8985), replicated with the congestion group */
	uint64_t rack_xmit_ns;	  /* RACK.xmit_ts: latest transmission among what was delivered */
	uint32_t rack_end_seq;	  /* RACK.end_seq, its end */
	uint32_t rack_rtt_us;	  /* RACK.rtt */
	uint32_t rack_min_rtt_us; /* RACK.min_RTT */
	uint32_t rack_fack;	  /* highest end delivered (reordering detection) */
	uint32_t rack_dsack_round;
	uint32_t tlp_end_seq; /* TLP.end_seq */
	uint8_t rack_reo_mult, rack_reo_persist;
	uint8_t rack_flags; /* enum ns_tcp_rack_flag */

	/* Local bookkeeping, not replicated (a standby starts them afresh). */
	uint64_t last_rx_ns;	  /* last segment accepted from the peer (keepalive idle) */
	uint64_t last_oow_ack_ns; /* last ACK sent for an out-of-window segment (throttle) */
	uint64_t min_rtt_ns;	  /* when rack_min_rtt_us was measured (aged after 10 s) */
	uint64_t tlp_from_ns;	  /* the probe timeout counts from here (latest ACK or new data) */
	uint8_t ka_probes;	  /* unanswered keepalive probes */

	/* timer deadlines, absolute ns (0 = not armed): replicated as they are */
	uint64_t deadline[NS_TCPT__N];
	struct ns_tw_timer tmr[NS_TCPT__N];

	/* Out-of-order data held in rcvq beyond rcv_nxt (tcp_reass.c).  Soft
	 * state: a standby has not those bytes (reneging is allowed, RFC 2018 8). */
	struct ns_tcp_reass rq;

	/* sender: the segments in flight and what became of them (soft state) */
	struct ns_tcp_txlog txl;

	/* data: positions are sequence numbers */
	struct ns_fifo sndq; /* [snd_una, snd_una + len): unacked then unsent */
	struct ns_fifo rcvq; /* in-order bytes not yet read by the application */

	void *app; /* the application's context */
};

#define NS_TCB_SET(c, group, field, val) \
	do {                             \
		(c)->field = (val);      \
		(c)->dirty |= (group);   \
	} while (0)

static inline void
ns_tcb_dirty(struct ns_tcb *c, uint32_t groups)
{
	c->dirty |= groups;
}

#endif /* NS_TCB_H */
