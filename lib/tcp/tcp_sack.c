/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sender side of SACK: the scoreboard of what the peer holds above a hole
 * (RFC 2018) and conservative loss recovery per RFC 6675: while pipe is
 * below cwnd, retransmit holes deemed lost (IsLost), then send new data,
 * then retransmit the other holes below the highest SACKed byte.  Early retransmit
 * (RFC 5827) and limited transmit (RFC 3042) keep small windows out of RTOs.
 */
#include "tcp_internal.h"

bool
ns_tcp_sack_update(struct ns_tcb *c, const struct ns_tcp_opts *o)
{
	bool changed = false;

	if (!(c->flags & NS_TCBF_SACK) || !(o->present & NS_TCPO_SACK))
		return false;
	for (unsigned int b = 0; b < o->n_sack; b++) {
		uint32_t l = o->sack[b].left, r = o->sack[b].right;
		unsigned int i, j;

		if (ns_seq_lt(l, c->snd_una))
			l = c->snd_una; /* D-SACK or stale: keep what is above snd_una */
		if (ns_seq_gt(r, c->snd_max))
			r = c->snd_max;
		if (!ns_seq_lt(l, r))
			continue;
		/* Already known? */
		for (i = 0; i < c->n_sacked; i++)
			if (ns_seq_leq(c->sacked[i].left, l) && ns_seq_geq(c->sacked[i].right, r))
				break;
		if (i < c->n_sacked)
			continue;
		changed = true;
		/* Merge with every range it touches, then insert in order. */
		for (i = 0; i < c->n_sacked;) {
			if (ns_seq_leq(c->sacked[i].left, r) && ns_seq_leq(l, c->sacked[i].right)) {
				l = ns_seq_min(l, c->sacked[i].left);
				r = ns_seq_max(r, c->sacked[i].right);
				for (j = i; j + 1 < c->n_sacked; j++)
					c->sacked[j] = c->sacked[j + 1];
				c->n_sacked--;
			} else {
				i++;
			}
		}
		if (c->n_sacked == NS_TCP_SACKED_MAX)
			c->n_sacked--; /* forget the highest range: only costs a retransmission */
		for (i = c->n_sacked; i > 0 && ns_seq_gt(c->sacked[i - 1].left, l); i--)
			c->sacked[i] = c->sacked[i - 1];
		c->sacked[i] = (struct ns_sack_block){l, r};
		c->n_sacked++;
	}
	if (changed)
		ns_tcb_dirty(c, NS_TCBG_CC);
	return changed;
}

void
ns_tcp_sack_prune(struct ns_tcb *c)
{
	unsigned int i = 0, k = 0;

	for (; i < c->n_sacked; i++) {
		struct ns_sack_block b = c->sacked[i];

		if (!ns_seq_gt(b.right, c->snd_una))
			continue;
		if (ns_seq_lt(b.left, c->snd_una))
			b.left = c->snd_una;
		c->sacked[k++] = b;
	}
	c->n_sacked = (uint8_t)k;
}

uint32_t
ns_tcp_sack_bytes(const struct ns_tcb *c)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < c->n_sacked; i++)
		n += c->sacked[i].right - c->sacked[i].left;
	return n;
}

/* First byte at or after 'from', below the highest SACKed byte, that is not SACKed. */
static bool
next_hole(const struct ns_tcb *c, uint32_t from, uint32_t *seq, uint32_t *len)
{
	uint32_t p = ns_seq_max(from, c->snd_una);

	for (unsigned int i = 0; i < c->n_sacked; i++) {
		const struct ns_sack_block *b = &c->sacked[i];

		if (ns_seq_lt(p, b->left)) {
			*seq = p;
			*len = b->left - p;
			return true;
		}
		if (ns_seq_lt(p, b->right))
			p = b->right;
	}
	return false; /* nothing missing below the highest SACK */
}

/* RFC 6675 IsLost(seq): DupThresh (3) discontiguous SACKed ranges above seq,
 * or more than (DupThresh - 1) * SMSS bytes SACKed above it. */
static bool
is_lost(const struct ns_tcb *c, uint32_t seq)
{
	uint32_t bytes = 0, ranges = 0;

	for (unsigned int i = 0; i < c->n_sacked; i++)
		if (ns_seq_gt(c->sacked[i].left, seq)) {
			bytes += c->sacked[i].right - c->sacked[i].left;
			ranges++;
		}
	return ranges >= 3 || bytes > 2u * c->snd_mss;
}

/* Bytes believed in the network (RFC 6675 SetPipe): outstanding, less SACKed,
 * less the holes presumed lost and not yet retransmitted. */
static uint32_t
pipe(const struct ns_tcb *c)
{
	uint32_t out = c->snd_max - c->snd_una - ns_tcp_sack_bytes(c), p = c->rexmit_nxt, seq, len;

	while (next_hole(c, p, &seq, &len)) {
		if (is_lost(c, seq))
			out -= ns_seq_lt(out, len) ? out : len;
		p = seq + len;
	}
	return out;
}

/* One new segment if the peer's window allows it; returns its length. */
static uint32_t
send_new(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	uint32_t avail = ns_seq_lt(c->snd_nxt, c->sndq.tail) ? c->sndq.tail - c->snd_nxt : 0;
	uint32_t right = c->snd_una + c->snd_wnd;
	uint32_t room = ns_seq_gt(right, c->snd_nxt) ? right - c->snd_nxt : 0;
	uint32_t len = RTE_MIN(RTE_MIN(avail, room), (uint32_t)c->snd_mss);

	if (len == 0 || ns_seq_lt(c->snd_nxt, c->snd_max))
		return 0;
	NS_TCP_CTR(s, data_segs_out);
	ns_tcp_send_segment(s, c, c->snd_nxt,
			RTE_TCP_ACK_FLAG | (len == avail ? RTE_TCP_PSH_FLAG : 0), len);
	NS_TCB_SET(c, NS_TCBG_SND, snd_nxt, c->snd_nxt + len);
	c->snd_max = c->snd_nxt;
	return len;
}

void
ns_tcp_sack_recovery_output(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	uint32_t in_net = pipe(c);

	/* RFC 6675 NextSeg: (1) a lost hole, (2) new data, (3) a hole not yet
	 * deemed lost. */
	for (int guard = 0; guard < 64 && in_net + c->snd_mss <= c->cwnd; guard++) {
		uint32_t seq, len;
		bool hole = next_hole(c, c->rexmit_nxt, &seq, &len);

		if (hole && !is_lost(c, seq)) {
			uint32_t n = send_new(s, c);

			if (n > 0) {
				in_net += n;
				continue;
			}
		}
		if (hole) {
			len = RTE_MIN(len, (uint32_t)c->snd_mss);
			if (ns_seq_gt(seq + len, c->sndq.tail))
				len = c->sndq.tail - seq; /* never past the data */
			if (len == 0)
				break;
			NS_TCP_CTR(s, retransmits);
			NS_TCP_CTR(s, sack_rexmits);
			ns_tcp_send_segment(s, c, seq, RTE_TCP_ACK_FLAG, len);
			c->rexmit_nxt = seq + len;
			in_net += len;
			continue;
		}
		len = send_new(s, c);
		if (len == 0)
			break;
		in_net += len;
	}
}

/*
 * Entering recovery (RFC 6675 5, steps 4.3-4.5): the first hole, or snd_una's
 * segment when the peer reported no block, is retransmitted at once whatever
 * pipe says; then holes and new data as pipe allows.
 */
void
ns_tcp_sack_recovery_start(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	uint32_t seq, len;

	if (!next_hole(c, c->snd_una, &seq, &len)) {
		seq = c->snd_una;
		len = c->snd_mss;
	}
	len = RTE_MIN(len, (uint32_t)c->snd_mss);
	if (ns_seq_gt(seq + len, c->sndq.tail))
		len = c->sndq.tail - seq;
	if (len > 0) {
		NS_TCP_CTR(s, retransmits);
		NS_TCP_CTR(s, sack_rexmits);
		ns_tcp_send_segment(s, c, seq, RTE_TCP_ACK_FLAG, len);
		c->rexmit_nxt = seq + len;
	}
	ns_tcp_sack_recovery_output(s, c);
}

/* Enter recovery now?  3 duplicate ACKs, 3 segments' worth SACKed, or, with
 * few segments outstanding and nothing new to send, one less than those. */
bool
ns_tcp_sack_loss_detected(const struct ns_tcb *c)
{
	uint32_t outstanding = (c->snd_max - c->snd_una + c->snd_mss - 1) / c->snd_mss;
	uint32_t thresh = 3;

	if (outstanding < 4 && !ns_seq_lt(c->snd_nxt, c->sndq.tail)) /* RFC 5827 */
		thresh = outstanding > 1 ? outstanding - 1 : 1;
	return c->dupacks >= thresh || ns_tcp_sack_bytes(c) >= 3u * c->snd_mss;
}

/* RFC 3042: each of the first two duplicate ACKs may release one new segment. */
void
ns_tcp_limited_transmit(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	if (c->dupacks <= 2 && c->snd_max - c->snd_una + c->snd_mss <= c->cwnd + 2u * c->snd_mss)
		send_new(s, c);
}
