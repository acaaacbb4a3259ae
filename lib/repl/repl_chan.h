/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The replication channel: a reliable, ordered, authenticated stream of
 * frames between an active and a standby instance over a dedicated link
 * (its own EtherType), carrying batches of events.  DPDK-free: frames go out
 * through ops->xmit and come in through ns_repl_chan_input, with an explicit
 * 'now' (ns).
 *
 * Each direction has its own 32-bit frame sequence.  Every frame carries the
 * cumulative acknowledgement of the other direction (the next sequence
 * expected), a 32-frame selective acknowledgement bitmap beyond it, and the
 * receive window in frames.  The sender keeps every frame until it is
 * acknowledged and retransmits on timeout (RTT-estimated, backed off) or when
 * the peer's SACK shows a hole; the receiver holds out-of-order frames within
 * its window and delivers in order, dropping duplicates.  A frame is
 * authenticated by HMAC-SHA256 (truncated to 16 bytes) over its header and
 * payload; frames of an older epoch or of another session (a previous
 * incarnation of the channel) are dropped before anything is applied.
 *
 * Round trips for leases: every frame carries the sender's clock (tsval, in
 * microseconds of its monotonic clock) and echoes the newest tsval it has
 * received from the other end in the current session (tsecr), as TCP
 * timestamps do (RFC 7323).  An echo of our own tsval proves that the other
 * end was alive, and in this session, after the moment we sent that tsval:
 * echo_ns is that moment, by our own clock.  A frame that waited in a ring
 * while its receiver was paused renews nothing it should not: its echo is
 * as old as it is.
 *
 * Frame (after the Ethernet header), all fields big endian:
 *   0 version (2)  1 type  2 channel  4 epoch  8 session  12 seq  16 ack
 *   20 sack bitmap  24 window  26 payload length  28 tsval  32 tsecr
 *   36 payload  ... MAC (16)
 */
#ifndef NS_REPL_CHAN_H
#define NS_REPL_CHAN_H

#include <stdbool.h>
#include <stdint.h>

#include "repl/repl_counters.h"

#define NS_REPL_ETHERTYPE 0x88b5 /* IEEE 802 local experimental EtherType 1 */
#define NS_REPL_VERSION	  2
#define NS_REPL_HDR_LEN	  36
#define NS_REPL_MAC_LEN	  16
#define NS_REPL_SACK_BITS 32

enum ns_repl_ftype {
	NS_REPL_F_DATA = 1,	 /* events (and the acknowledgement of the other direction) */
	NS_REPL_F_ACK = 2,	 /* acknowledgement only (seq unused) */
	NS_REPL_F_JOIN = 3,	 /* control, standby -> active: start a session (a nonce) */
	NS_REPL_F_HELLO = 4,	 /* control, active -> standby: the session, echoing the nonce */
	NS_REPL_F_HELLO_ACK = 5, /* control, standby -> active: session accepted */
	NS_REPL_F_FWD = 6,	 /* control, stepped-down active -> new active: a frame its
				    service port received while frozen (u16 port, the frame) */
	NS_REPL_F_BEAT = 7,	 /* control, active -> standby, broadcast on the service ports:
				    the active is alive (the second path; no payload) */
	NS_REPL_F_RESET = 8,	 /* control, active -> standby: the session the standby
				    talks in is over (the active went on alone): join again */
	NS_REPL_F_CANCEL = 9,	 /* control, active -> standby: the hand-over its JOIN of
				    the next epoch asked for is off (the switchover aborted) */
};

struct ns_repl_chan_cfg {
	uint16_t chan;	     /* channel id (one per worker pair) */
	uint32_t frame_max;  /* bytes of a frame: header + payload + MAC */
	uint32_t ring;	     /* frames the sender keeps, a power of two */
	uint32_t window;     /* frames in flight at most; frames the receiver holds */
	uint64_t rto_min_ns; /* retransmission timeout bounds */
	uint64_t rto_max_ns;
	uint64_t keepalive_ns; /* an acknowledgement at least this often (0: never) */
	const uint8_t *key;    /* HMAC key */
	uint32_t key_len;
};

struct ns_repl_chan_ops {
	/* Send one frame (header, payload, MAC). */
	void (*xmit)(void *user, const uint8_t *frame, uint32_t len);
	/* The payload of the next data frame in order (a batch of events). */
	void (*deliver)(void *user, const uint8_t *payload, uint32_t len, uint64_t now);
	/* An authentic control frame (JOIN, HELLO, HELLO_ACK) of any epoch and
	 * session: the owner decides what to do with them. */
	void (*control)(void *user, uint8_t type, uint32_t epoch, uint32_t session,
			const uint8_t *payload, uint32_t len, uint64_t now);
};

struct ns_repl_slot {
	uint32_t len;	  /* bytes of the frame (0: being filled) */
	uint64_t sent_ns; /* last transmission (0: not yet sent) */
	uint8_t tx_count;
	bool sacked;
	uint8_t *buf;
};

struct ns_repl_hold {
	bool present;
	uint32_t len;
	uint8_t *buf; /* payload only */
};

struct ns_hmac;

struct ns_repl_chan {
	struct ns_repl_chan_cfg cfg;
	struct ns_repl_chan_ops ops;
	void *user;
	struct ns_hmac *mac;
	uint32_t epoch, session;
	/* sender: [snd_una, snd_nxt) in flight, [snd_nxt, snd_top) closed but not yet
	 * sent (window), snd_top the frame being filled (open_len payload bytes) */
	uint32_t snd_una, snd_nxt, snd_top;
	uint32_t open_len;
	uint32_t peer_wnd;
	struct ns_repl_slot *slot; /* ring, indexed by seq */
	uint64_t srtt_ns, rttvar_ns, rto_ns;
	/* receiver */
	uint32_t rcv_nxt;
	struct ns_repl_hold *hold; /* window entries, indexed by seq */
	bool ack_owed;		   /* something arrived that the peer should hear about */
	uint64_t last_rx_ns;	   /* last authentic frame */
	uint64_t last_tx_ns;	   /* last frame sent */
	uint32_t ts_recent;	   /* newest tsval of the other end in this session (0: none) */
	uint64_t echo_ns;	   /* when we sent the newest tsval it echoed (0: none yet) */
	uint8_t *scratch;	   /* one frame, for acknowledgements */
	uint64_t ctr[NS_REPL_C__MAX];
};

int ns_repl_chan_init(struct ns_repl_chan *ch, const struct ns_repl_chan_cfg *cfg,
		const struct ns_repl_chan_ops *ops, void *user);
void ns_repl_chan_fini(struct ns_repl_chan *ch);
/* A new incarnation: everything in flight and held is dropped, sequences restart. */
void ns_repl_chan_reset(struct ns_repl_chan *ch, uint32_t epoch, uint32_t session);

/* Room for one event of len bytes in the frame being filled (a full frame is
 * closed and the next one opened); NULL when the ring is full.  The event is
 * committed by writing it: nothing else is needed. */
uint8_t *ns_repl_chan_reserve(struct ns_repl_chan *ch, uint32_t len);
/* The largest event ns_repl_chan_reserve can take. */
static inline uint32_t
ns_repl_chan_event_max(const struct ns_repl_chan *ch)
{
	return ch->cfg.frame_max - NS_REPL_HDR_LEN - NS_REPL_MAC_LEN;
}
/* Sequence of the frame being filled: what an event written now is part of. */
static inline uint32_t
ns_repl_chan_open_seq(const struct ns_repl_chan *ch)
{
	return ch->snd_top;
}
/* Where the frame being filled holds payload byte off (for rewriting an event). */
uint8_t *ns_repl_chan_open_at(struct ns_repl_chan *ch, uint32_t off);
static inline uint32_t
ns_repl_chan_open_len(const struct ns_repl_chan *ch)
{
	return ch->open_len;
}
/* Bytes an event can still take in the frame being filled. */
static inline uint32_t
ns_repl_chan_open_room(const struct ns_repl_chan *ch)
{
	return ch->cfg.frame_max - NS_REPL_HDR_LEN - NS_REPL_MAC_LEN - ch->open_len;
}
/* Frames that can still be opened before the ring is full. */
static inline uint32_t
ns_repl_chan_room(const struct ns_repl_chan *ch)
{
	return ch->cfg.ring - (ch->snd_top - ch->snd_una) - 1;
}
/* Every frame before seq is acknowledged (sequences wrap: use this). */
static inline bool
ns_repl_chan_acked(const struct ns_repl_chan *ch, uint32_t seq)
{
	return (int32_t)(ch->snd_una - seq) >= 0;
}
/* The frame that holds every event written so far (the one being filled, or
 * the last closed one when it is empty; -1 when there was none). */
static inline uint32_t
ns_repl_chan_horizon(const struct ns_repl_chan *ch)
{
	return ch->open_len != 0 ? ch->snd_top : ch->snd_top - 1;
}
/* Frames in flight or queued, and the next one to be acknowledged. */
static inline uint32_t
ns_repl_chan_unacked(const struct ns_repl_chan *ch)
{
	return ch->snd_top - ch->snd_una + (ch->open_len ? 1 : 0);
}

/* Close the frame being filled, send what the window allows, and an
 * acknowledgement if one is owed and no data frame carried it. */
void ns_repl_chan_flush(struct ns_repl_chan *ch, uint64_t now);
/* Send a control frame now (it is not retransmitted: the owner repeats it). */
void ns_repl_chan_control(struct ns_repl_chan *ch, uint8_t type, uint32_t epoch, uint32_t session,
		const void *payload, uint32_t len, uint64_t now);
/* One received frame; true when it was authentic and of this channel
 * (whatever its epoch and session). */
bool ns_repl_chan_input(struct ns_repl_chan *ch, const uint8_t *frame, uint32_t len, uint64_t now);
/* Retransmission timeouts. */
void ns_repl_chan_timers(struct ns_repl_chan *ch, uint64_t now);

#endif /* NS_REPL_CHAN_H */
