/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Byte FIFO of a connection's send or receive data: a power-of-two ring
 * indexed by free-running 32-bit positions, so a position maps directly to
 * a TCP sequence number (position = seq - base).  Reading and writing at
 * an offset ahead of the tail (out-of-order data, retransmission) copies
 * without moving anything.  Single-threaded: owned by one lcore.
 */
#ifndef NS_BYTE_FIFO_H
#define NS_BYTE_FIFO_H

#include <stdint.h>
#include <string.h>

#include "common/ns_cksum.h"

struct ns_fifo {
	uint8_t *buf;
	uint32_t size; /* power of two */
	uint32_t head; /* first byte held (consumed up to here) */
	uint32_t tail; /* one past the last byte held */
};

static inline uint32_t
ns_fifo_len(const struct ns_fifo *f)
{
	return f->tail - f->head;
}

static inline uint32_t
ns_fifo_room(const struct ns_fifo *f)
{
	return f->size - ns_fifo_len(f);
}

/* Copy n bytes into the ring at absolute position pos (no bounds policy). */
static inline void
ns_fifo_put_at(struct ns_fifo *f, uint32_t pos, const void *src, uint32_t n)
{
	uint32_t off = pos & (f->size - 1), first = f->size - off;

	if (first > n)
		first = n;
	memcpy(f->buf + off, src, first);
	memcpy(f->buf, (const uint8_t *)src + first, n - first);
}

/* Copy n bytes out of the ring from absolute position pos. */
static inline void
ns_fifo_get_at(const struct ns_fifo *f, uint32_t pos, void *dst, uint32_t n)
{
	uint32_t off = pos & (f->size - 1), first = f->size - off;

	if (first > n)
		first = n;
	memcpy(dst, f->buf + off, first);
	memcpy((uint8_t *)dst + first, f->buf, n - first);
}

/* ns_fifo_get_at, returning the Internet checksum sum of the n bytes (as
 * ns_cksum_raw(dst, n, 0)), computed while they are copied. */
static inline uint16_t
ns_fifo_get_at_cksum(const struct ns_fifo *f, uint32_t pos, void *dst, uint32_t n)
{
	uint32_t off = pos & (f->size - 1), first = f->size - off;
	uint16_t a;

	if (first >= n)
		return ns_cksum_copy(dst, f->buf + off, n, 0);
	a = ns_cksum_copy(dst, f->buf + off, first, 0);
	return ns_cksum_join(a, first, ns_cksum_copy((uint8_t *)dst + first, f->buf, n - first, 0));
}

/* Append up to n bytes; returns how many fit. */
static inline uint32_t
ns_fifo_write(struct ns_fifo *f, const void *src, uint32_t n)
{
	uint32_t room = ns_fifo_room(f);

	if (n > room)
		n = room;
	ns_fifo_put_at(f, f->tail, src, n);
	f->tail += n;
	return n;
}

/* Zero-copy views: the contiguous bytes held from the head, and the
 * contiguous room from the tail (each may be shorter than the total when the
 * ring wraps; the rest follows at the start of the buffer). */
static inline uint32_t
ns_fifo_peek(const struct ns_fifo *f, uint8_t **p)
{
	uint32_t off = f->head & (f->size - 1), len = ns_fifo_len(f);

	*p = f->buf + off;
	return len < f->size - off ? len : f->size - off;
}

static inline uint32_t
ns_fifo_reserve(const struct ns_fifo *f, uint8_t **p)
{
	uint32_t off = f->tail & (f->size - 1), room = ns_fifo_room(f);

	*p = f->buf + off;
	return room < f->size - off ? room : f->size - off;
}

/* Consume up to n bytes into dst (dst NULL: discard); returns how many. */
static inline uint32_t
ns_fifo_read(struct ns_fifo *f, void *dst, uint32_t n)
{
	uint32_t len = ns_fifo_len(f);

	if (n > len)
		n = len;
	if (dst != NULL)
		ns_fifo_get_at(f, f->head, dst, n);
	f->head += n;
	return n;
}

#endif /* NS_BYTE_FIFO_H */
