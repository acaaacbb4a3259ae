/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Events carried in replication frames (after the frame header): each is
 *   0 type  1 flags (0)  2 length of the event, header included  4 connection
 *   (the TCB's id on the active, which the standby's shadow also takes)
 *   8 body
 * big endian.  A frame is applied as a whole, its events in order.  Data
 * events come before the image that covers them, so no prefix of the stream
 * leaves a standby with an image whose positions point past its bytes.
 */
#ifndef NS_REPL_EVENT_H
#define NS_REPL_EVENT_H

#include <stdint.h>

#include "common/ns_wire.h"

#define NS_REPL_EV_HDR 8

enum ns_repl_ev {
	NS_REPL_EV_IMG = 1,	   /* body: the TCB image (repl_tcb.h) */
	NS_REPL_EV_SND_DATA = 2,   /* body: u32 sequence of the first byte, bytes (send queue) */
	NS_REPL_EV_RCV_DATA = 3,   /* body: u32 sequence, bytes received in order, unread */
	NS_REPL_EV_FREE = 4,	   /* the connection is gone */
	NS_REPL_EV_BULK_BEGIN = 5, /* body: u32 connections the bulk sync will send */
	NS_REPL_EV_BULK_END = 6,   /* body: u32 connections sent */
	NS_REPL_EV_READY = 7,	   /* body: u32 last sequence delivered to the active application */
	NS_REPL_EV_FLAG = 8,	   /* standby -> active; body: u8 level, u32 lag (us) */
	NS_REPL_EV_DETAILS = 9,	   /* active -> standby; body: u8 level, u32 lag, state, snd_una,
				      snd_max, rcv_nxt, rcvq.head */
	NS_REPL_EV_APP = 10,	 /* body: the application's own state at the checkpoint (opaque) */
	NS_REPL_EV_NEIGH = 11,	 /* active -> standby, connection 0; body: u16 port, be32 IPv4
				    address, 6-byte MAC: a resolved neighbour of a service port,
				    so the standby's first segments after a takeover need no ARP */
	NS_REPL_EV_JOURNAL = 12, /* active -> standby; body: u16 application, u8 flags
				    (NS_REPL_JF_*), u8 0, u32 receive-queue position after the
				    input that made it, a piece of the application's record of a
				    change to its shared state; connection NS_REPL_CONN_NONE: a
				    record of its snapshot (bulk sync) */
};

/* A journal record is cut into events that fit frames. */
#define NS_REPL_JF_FIRST    0x01
#define NS_REPL_JF_LAST	    0x02
#define NS_REPL_JOURNAL_HDR 8
#define NS_REPL_CONN_NONE   0xffffffffu

enum ns_repl_flag_level {
	NS_REPL_FLAG_NONE = 0,
	NS_REPL_FLAG_WARN = 1,	   /* backup application lag above the warning threshold */
	NS_REPL_FLAG_CRITICAL = 2, /* above the critical one: standby not ready for it */
};

static inline void
ns_repl_ev_hdr(uint8_t *p, uint8_t type, uint32_t len, uint32_t conn)
{
	p[0] = type;
	p[1] = 0;
	ns_put_be16(p + 2, (uint16_t)len);
	ns_put_be32(p + 4, conn);
}

#endif /* NS_REPL_EVENT_H */
