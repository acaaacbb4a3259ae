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

#include "byte_fifo.h"
#include "tcp_options.h"
#include "tcp_state.h"
#include "timer_wheel.h"

/* Change groups: what an observer (the replication module) receives. */
enum ns_tcb_group {
	NS_TCBG_STATE = 1u << 0,  /* state, flags */
	NS_TCBG_SND = 1u << 1,	  /* snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1/2 */
	NS_TCBG_RCV = 1u << 2,	  /* rcv_nxt, rcv_adv */
	NS_TCBG_OPTS = 1u << 3,	  /* negotiated MSS, window scales, TS/SACK use */
	NS_TCBG_TS = 1u << 4,	  /* ts_recent */
	NS_TCBG_RTT = 1u << 5,	  /* srtt, rttvar, rto, backoff */
	NS_TCBG_CC = 1u << 6,	  /* cwnd, ssthresh, recover, dupacks */
	NS_TCBG_TIMERS = 1u << 7, /* timer deadlines */
	NS_TCBG_SNDQ = 1u << 8,	  /* bytes queued by the application */
	NS_TCBG_RCVQ = 1u << 9,	  /* bytes received or consumed */
	NS_TCBG_NEW = 1u << 10,	  /* connection created (full checkpoint) */
	NS_TCBG_FREE = 1u << 11,  /* connection gone */
};

enum ns_tcb_flag {
	NS_TCBF_ACK_NOW = 1u << 0,    /* send an ACK at the end of this event */
	NS_TCBF_DELACK = 1u << 1,     /* an ACK is owed (delayed) */
	NS_TCBF_TS = 1u << 2,	      /* timestamps in use */
	NS_TCBF_SACK = 1u << 3,	      /* SACK permitted both ways */
	NS_TCBF_WS = 1u << 4,	      /* window scaling in use */
	NS_TCBF_FIN_QUEUED = 1u << 5, /* application closed: FIN follows the data */
	NS_TCBF_FIN_SENT = 1u << 6,   /* our FIN has a sequence number (snd_max covers it) */
	NS_TCBF_NODELAY = 1u << 7,    /* Nagle off */
	NS_TCBF_PASSIVE = 1u << 8,    /* created by a listener */
	NS_TCBF_IN_RECOVERY = 1u << 9,
	NS_TCBF_KEEPALIVE = 1u << 10, /* keepalive probes when idle (cfg.keepalive_idle_ms) */
};

enum ns_tcp_timer_kind {
	NS_TCPT_RTO,
	NS_TCPT_DELACK,
	NS_TCPT_TIMEWAIT,
	NS_TCPT_KEEPALIVE,
	NS_TCPT__N
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

	/* Local bookkeeping, not replicated (a standby starts them afresh). */
	uint64_t last_rx_ns;	  /* last segment accepted from the peer (keepalive idle) */
	uint64_t last_oow_ack_ns; /* last ACK sent for an out-of-window segment (throttle) */
	uint8_t ka_probes;	  /* unanswered keepalive probes */

	/* timer deadlines, absolute ns (0 = not armed): replicated as they are */
	uint64_t deadline[NS_TCPT__N];
	struct ns_tw_timer tmr[NS_TCPT__N];

	/* out-of-order ranges held in rcvq beyond rcv_nxt, most recent first (RFC 2018 order) */
#define NS_TCP_OOO_MAX 4
	uint8_t n_ooo;
	struct ns_sack_block ooo[NS_TCP_OOO_MAX];

	/* sender scoreboard: ranges of [snd_una, snd_max) the peer SACKed, ascending */
#define NS_TCP_SACKED_MAX 8
	uint8_t n_sacked;
	struct ns_sack_block sacked[NS_TCP_SACKED_MAX];
	uint32_t rexmit_nxt; /* in SACK recovery: holes below this were retransmitted */

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
