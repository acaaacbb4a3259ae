/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "repl/repl_tcb.h"

static inline uint8_t *
put(uint8_t *p, uint64_t v, unsigned int bits)
{
	for (unsigned int i = bits; i > 0; i -= 8)
		*p++ = (uint8_t)(v >> (i - 8));
	return p;
}

static inline const uint8_t *
get(const uint8_t *p, uint64_t *v, unsigned int bits)
{
	*v = 0;
	for (unsigned int i = 0; i < bits; i += 8)
		*v = *v << 8 | *p++;
	return p;
}

uint32_t
ns_repl_img_scalar_len(void)
{
	return 0
#define X(bits, f) +(bits) / 8
			NS_REPL_IMG_SCALARS(X)
#undef X
					;
}

static inline uint64_t
to_wire(uint64_t t, int64_t off)
{
	return t == 0 ? 0 : (uint64_t)((int64_t)t + off);
}

static inline uint64_t
from_wire(uint64_t t, int64_t off)
{
	return t == 0 ? 0 : (uint64_t)((int64_t)t - off);
}

static inline int32_t
off_ms(int64_t off_ns)
{
	/* floor division, also for negative offsets */
	return (int32_t)(off_ns >= 0 ? off_ns / 1000000 : -((-off_ns + 999999) / 1000000));
}

void
ns_repl_img_encode(const struct ns_tcb *c, int64_t off_ns, uint8_t *p)
{
#define X(bits, f) p = put(p, (uint64_t)c->f, bits);
	NS_REPL_IMG_SCALARS(X)
#undef X
	memcpy(p, &c->t.laddr, 4); /* already network order */
	memcpy(p + 4, &c->t.raddr, 4);
	memcpy(p + 8, &c->t.lport, 2);
	memcpy(p + 10, &c->t.rport, 2);
	p += 12;
	p = put(p, (uint32_t)(c->ts_offset - (uint32_t)off_ms(off_ns)), 32);
	p = put(p, to_wire(c->rtt_start_ns, off_ns), 64);
	for (int k = 0; k < NS_TCPT__N; k++)
		p = put(p, to_wire(c->deadline[k], off_ns), 64);
	p = put(p, to_wire(c->rack_xmit_ns, off_ns), 64);
	/* Last: not compared by ns_repl_img_diff (segments move it without
	 * changing what an image is written for). */
	p = put(p, c->ts_sent, 32);
}

void
ns_repl_img_tuple(const uint8_t *in, struct ns_tcp_tuple *t)
{
	const uint8_t *p = in + ns_repl_img_scalar_len();

	memcpy(&t->laddr, p, 4);
	memcpy(&t->raddr, p + 4, 4);
	memcpy(&t->lport, p + 8, 2);
	memcpy(&t->rport, p + 10, 2);
}

void
ns_repl_img_decode(struct ns_tcb *c, int64_t off_ns, const uint8_t *p)
{
	uint64_t v;

#define X(bits, f)            \
	p = get(p, &v, bits); \
	c->f = (__typeof__(c->f))v;
	NS_REPL_IMG_SCALARS(X)
#undef X
	ns_repl_img_tuple(p - ns_repl_img_scalar_len(), &c->t);
	p += 12;
	p = get(p, &v, 32);
	c->ts_offset = (uint32_t)v + (uint32_t)off_ms(off_ns);
	p = get(p, &v, 64);
	c->rtt_start_ns = from_wire(v, off_ns);
	for (int k = 0; k < NS_TCPT__N; k++) {
		p = get(p, &v, 64);
		c->deadline[k] = from_wire(v, off_ns);
	}
	p = get(p, &v, 64);
	c->rack_xmit_ns = from_wire(v, off_ns);
	p = get(p, &v, 32);
	c->ts_sent = (uint32_t)v;
	c->txl.n = 0; /* soft state: rebuilt at takeover */
	c->txl.sacked = c->txl.lost = c->txl.retrans = c->txl.lost_unsent = 0;
	c->txl.sacked_segs = 0;
	c->rq.n = 0; /* out-of-order data is not replicated */
	c->rq.n_recent = 0;
	c->rq.has_dsack = 0;
	c->rq.has_fin = 0;
}

const char *
ns_repl_img_diff(const struct ns_tcb *a, int64_t off_a, const struct ns_tcb *b, int64_t off_b)
{
	uint8_t ia[NS_REPL_IMG_MAX], ib[NS_REPL_IMG_MAX];
	uint32_t off = 0;

#define X(bits, f)        \
	if (a->f != b->f) \
		return #f;
	NS_REPL_IMG_SCALARS(X)
#undef X
	if (memcmp(&a->t, &b->t, sizeof(a->t)) != 0)
		return "tuple";
	ns_repl_img_encode(a, off_a, ia);
	ns_repl_img_encode(b, off_b, ib);
	off = ns_repl_img_scalar_len() + 12;
	if (memcmp(ia + off, ib + off, 4) != 0)
		return "ts_offset";
	off += 4;
	if (memcmp(ia + off, ib + off, 8) != 0)
		return "rtt_start_ns";
	off += 8;
	if (memcmp(ia + off, ib + off, 8 * NS_TCPT__N) != 0)
		return "deadline";
	off += 8 * NS_TCPT__N;
	if (memcmp(ia + off, ib + off, 8) != 0)
		return "rack_xmit_ns";
	return NULL;
}
