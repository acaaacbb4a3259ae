/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies (RFC 4987 3.6): when a listener's backlog is full, the SYN-ACK
 * carries the connection's state in its ISN and no TCB is kept.  The ACK that
 * completes the handshake brings the ISN back (ack - 1) and the connection is
 * created then.
 *
 * ISN layout:  [31:8] keyed hash of (4-tuple, peer ISN, period, MSS index)
 *              [7:3]  period (64 s units) modulo 32
 *              [2:0]  MSS index into cookie_mss[]
 * A cookie is valid during the period it was made in and the next one.
 *
 * With timestamps, the low 5 bits of our TSval carry what the ISN has no
 * room for (the peer's window scale, 15 = none, and SACK-permitted); the peer
 * echoes them in TSecr.  Without timestamps those two options are lost, as in
 * other stacks' cookies.
 */
#include <string.h>

#include "common/siphash.h"
#include "tcp/tcp_internal.h"

#define PERIOD_NS (64ull * 1000000000ull)
#define TS_BITS	  5
#define TS_MASK	  ((1u << TS_BITS) - 1)
#define WS_NONE	  15u

static const uint16_t cookie_mss[8] = {216, 536, 1200, 1360, 1400, 1440, 1460, 8960};

static uint32_t
cookie_hash(const struct ns_tcp_stack *s, const struct ns_tcp_tuple *t, uint32_t irs,
		uint64_t period, uint32_t mss_idx)
{
	struct {
		struct ns_tcp_tuple t;
		uint32_t irs;
		uint32_t mss_idx;
		uint64_t period;
	} in;
	uint8_t key[16];

	memset(&in, 0, sizeof(in));
	in.t = *t;
	in.irs = irs;
	in.mss_idx = mss_idx;
	in.period = period;
	/* A key of its own, derived from the ISN secret. */
	for (unsigned int i = 0; i < sizeof(key); i++)
		key[i] = s->cfg.isn_key[i] ^ 0xc3;
	return (uint32_t)(ns_siphash24(key, &in, sizeof(in)) >> 32);
}

uint32_t
ns_tcp_cookie_make(const struct ns_tcp_stack *s, const struct ns_tcp_tuple *t, uint32_t irs,
		uint16_t peer_mss)
{
	uint64_t period = s->now / PERIOD_NS;
	uint16_t want = peer_mss < s->cfg.mss ? peer_mss : s->cfg.mss;
	uint32_t idx = 0;

	for (uint32_t i = 0; i < 8; i++)
		if (cookie_mss[i] <= want)
			idx = i;
	return (cookie_hash(s, t, irs, period, idx) & 0xffffff00u) |
	       (uint32_t)((period & 31) << 3) | idx;
}

bool
ns_tcp_cookie_check(const struct ns_tcp_stack *s, const struct ns_tcp_tuple *t, uint32_t irs,
		uint32_t cookie, uint16_t *mss)
{
	uint64_t cur = s->now / PERIOD_NS;
	uint32_t idx = cookie & 7;

	for (uint64_t age = 0; age < 2 && age <= cur; age++) {
		uint64_t period = cur - age;

		if ((period & 31) != ((cookie >> 3) & 31))
			continue;
		if ((cookie_hash(s, t, irs, period, idx) & 0xffffff00u) == (cookie & 0xffffff00u)) {
			*mss = cookie_mss[idx];
			return true;
		}
	}
	return false;
}

uint32_t
ns_tcp_cookie_ts_bits(bool ws, uint8_t wscale, bool sack)
{
	return (ws ? (wscale & 15u) : WS_NONE) | (sack ? 16u : 0u);
}

void
ns_tcp_cookie_ts_decode(uint32_t tsecr, bool *ws, uint8_t *wscale, bool *sack)
{
	uint32_t w = tsecr & 15u;

	*ws = w != WS_NONE;
	*wscale = (uint8_t)(w > 14 ? 14 : w);
	*sack = (tsecr & 16u) != 0;
}

/*
 * The TS offset of a cookie connection: the SYN-ACK's TSval is the usual
 * value with its low bits replaced (at most TS_MASK ahead of it), so the
 * connection's clock runs TS_MASK + 1 ahead and its TSvals never go back.
 */
uint32_t
ns_tcp_cookie_ts_offset(const struct ns_tcp_stack *s, const struct ns_tcp_tuple *t)
{
	return (uint32_t)ns_tcp_isn(s, t, 0) + TS_MASK + 1;
}

uint32_t
ns_tcp_cookie_tsval(const struct ns_tcp_stack *s, const struct ns_tcp_tuple *t, uint32_t bits)
{
	uint32_t v = (uint32_t)(s->now / 1000000) + (uint32_t)ns_tcp_isn(s, t, 0);

	return (v & ~TS_MASK) | (bits & TS_MASK);
}
