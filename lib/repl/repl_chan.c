/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "common/ns_hmac.h"
#include "repl/repl_chan.h"
#include "repl/repl_event.h"

const struct ns_ctr_desc ns_repl_ctr_desc[NS_REPL_C__MAX] = {
#define X(name, kind, help) NS_CTR_DESC(name, kind, help)
		NS_REPL_COUNTERS(X)
#undef X
};

#define CTR(ch, n) ((ch)->ctr[NS_REPL_C_##n]++)

static inline struct ns_repl_slot *
slot_of(struct ns_repl_chan *ch, uint32_t seq)
{
	return &ch->slot[seq & (ch->cfg.ring - 1)];
}

static inline struct ns_repl_hold *
hold_of(struct ns_repl_chan *ch, uint32_t seq)
{
	return &ch->hold[seq % ch->cfg.window];
}

int
ns_repl_chan_init(struct ns_repl_chan *ch, const struct ns_repl_chan_cfg *cfg,
		const struct ns_repl_chan_ops *ops, void *user)
{
	uint32_t ev;

	memset(ch, 0, sizeof(*ch));
	if (cfg->ring < 4 || (cfg->ring & (cfg->ring - 1)) || cfg->window == 0 ||
			cfg->window >= cfg->ring ||
			cfg->frame_max < NS_REPL_HDR_LEN + NS_REPL_MAC_LEN + 64 ||
			cfg->frame_max > 65535 || cfg->rto_min_ns == 0 ||
			cfg->rto_max_ns < cfg->rto_min_ns)
		return -1;
	ch->cfg = *cfg;
	ch->ops = *ops;
	ch->user = user;
	ch->mac = ns_hmac_new(cfg->key, cfg->key_len);
	ch->slot = calloc(cfg->ring, sizeof(*ch->slot));
	ch->hold = calloc(cfg->window, sizeof(*ch->hold));
	ch->scratch = malloc(cfg->frame_max);
	if (ch->mac == NULL || ch->slot == NULL || ch->hold == NULL || ch->scratch == NULL)
		goto fail;
	ev = ns_repl_chan_event_max(ch);
	for (uint32_t i = 0; i < cfg->ring; i++)
		if ((ch->slot[i].buf = malloc(cfg->frame_max)) == NULL)
			goto fail;
	for (uint32_t i = 0; i < cfg->window; i++)
		if ((ch->hold[i].buf = malloc(ev)) == NULL)
			goto fail;
	ns_repl_chan_reset(ch, 0, 0);
	return 0;
fail:
	ns_repl_chan_fini(ch);
	return -1;
}

void
ns_repl_chan_fini(struct ns_repl_chan *ch)
{
	if (ch->slot != NULL)
		for (uint32_t i = 0; i < ch->cfg.ring; i++)
			free(ch->slot[i].buf);
	if (ch->hold != NULL)
		for (uint32_t i = 0; i < ch->cfg.window; i++)
			free(ch->hold[i].buf);
	free(ch->slot);
	free(ch->hold);
	free(ch->scratch);
	ns_hmac_free(ch->mac);
	memset(ch, 0, sizeof(*ch));
}

void
ns_repl_chan_reset(struct ns_repl_chan *ch, uint32_t epoch, uint32_t session)
{
	ch->epoch = epoch;
	ch->session = session;
	ch->snd_una = ch->snd_nxt = ch->snd_top = 0;
	ch->open_len = 0;
	ch->peer_wnd = ch->cfg.window;
	ch->srtt_ns = 0;
	ch->rttvar_ns = 0;
	ch->rto_ns = ch->cfg.rto_min_ns * 4 < ch->cfg.rto_max_ns ? ch->cfg.rto_min_ns * 4
								 : ch->cfg.rto_max_ns;
	ch->rcv_nxt = 0;
	ch->ack_owed = false;
	ch->ts_recent = 0;
	ch->echo_ns = 0;
	for (uint32_t i = 0; i < ch->cfg.ring; i++) {
		ch->slot[i].len = 0;
		ch->slot[i].sent_ns = 0;
		ch->slot[i].tx_count = 0;
		ch->slot[i].sacked = false;
	}
	for (uint32_t i = 0; i < ch->cfg.window; i++)
		ch->hold[i].present = false;
}

/* Close the frame being filled: it joins the queue to send. */
static void
close_open(struct ns_repl_chan *ch)
{
	struct ns_repl_slot *s = slot_of(ch, ch->snd_top);

	s->len = NS_REPL_HDR_LEN + ch->open_len + NS_REPL_MAC_LEN;
	s->sent_ns = 0;
	s->tx_count = 0;
	s->sacked = false;
	ch->snd_top++;
	ch->open_len = 0;
}

uint8_t *
ns_repl_chan_reserve(struct ns_repl_chan *ch, uint32_t len)
{
	uint8_t *p;

	if (len > ns_repl_chan_event_max(ch))
		return NULL;
	if (ch->open_len + len > ns_repl_chan_event_max(ch)) {
		/* A new frame, if the ring has a slot for it after this one. */
		if (ch->snd_top + 1 - ch->snd_una >= ch->cfg.ring) {
			CTR(ch, tx_ring_full);
			return NULL;
		}
		close_open(ch);
	} else if (ch->snd_top - ch->snd_una >= ch->cfg.ring) {
		CTR(ch, tx_ring_full);
		return NULL;
	}
	p = slot_of(ch, ch->snd_top)->buf + NS_REPL_HDR_LEN + ch->open_len;
	ch->open_len += len;
	CTR(ch, tx_events);
	return p;
}

uint8_t *
ns_repl_chan_open_at(struct ns_repl_chan *ch, uint32_t off)
{
	return slot_of(ch, ch->snd_top)->buf + NS_REPL_HDR_LEN + off;
}

/* The acknowledgement fields of our receive side, and the MAC. */
/* Our clock as a tsval: microseconds, modulo 2^32 (serial arithmetic), plus
 * one so that a clock at 0 is not taken for 'no echo'. */
static inline uint32_t
tsval_of(uint64_t now)
{
	return (uint32_t)(now / 1000) + 1;
}

static void
seal_as(struct ns_repl_chan *ch, uint8_t *f, uint8_t type, uint32_t epoch, uint32_t session,
		uint32_t seq, uint32_t plen, uint64_t now)
{
	uint32_t sack = 0;
	uint8_t mac[NS_HMAC_SHA256_LEN];

	for (uint32_t i = 0; i < NS_REPL_SACK_BITS && i + 1 < ch->cfg.window; i++)
		if (hold_of(ch, ch->rcv_nxt + 1 + i)->present)
			sack |= 1u << i;
	f[0] = NS_REPL_VERSION;
	f[1] = type;
	ns_put_be16(f + 2, ch->cfg.chan);
	ns_put_be32(f + 4, epoch);
	ns_put_be32(f + 8, session);
	ns_put_be32(f + 12, seq);
	ns_put_be32(f + 16, ch->rcv_nxt);
	ns_put_be32(f + 20, sack);
	ns_put_be16(f + 24, (uint16_t)(ch->cfg.window > 65535 ? 65535 : ch->cfg.window));
	ns_put_be16(f + 26, (uint16_t)plen);
	ns_put_be32(f + 28, tsval_of(now));
	ns_put_be32(f + 32, ch->ts_recent);
	ns_hmac_sha256(ch->mac, f, NS_REPL_HDR_LEN + plen, NULL, 0, mac);
	memcpy(f + NS_REPL_HDR_LEN + plen, mac, NS_REPL_MAC_LEN);
}

static void
seal(struct ns_repl_chan *ch, uint8_t *f, uint8_t type, uint32_t seq, uint32_t plen, uint64_t now)
{
	seal_as(ch, f, type, ch->epoch, ch->session, seq, plen, now);
}

void
ns_repl_chan_control(struct ns_repl_chan *ch, uint8_t type, uint32_t epoch, uint32_t session,
		const void *payload, uint32_t len, uint64_t now)
{
	if (len > ns_repl_chan_event_max(ch))
		return;
	if (len != 0)
		memcpy(ch->scratch + NS_REPL_HDR_LEN, payload, len);
	seal_as(ch, ch->scratch, type, epoch, session, 0, len, now);
	ch->ctr[NS_REPL_C_tx_bytes] += NS_REPL_HDR_LEN + len + NS_REPL_MAC_LEN;
	ch->ops.xmit(ch->user, ch->scratch, NS_REPL_HDR_LEN + len + NS_REPL_MAC_LEN);
}

static void
send_slot(struct ns_repl_chan *ch, uint32_t seq, uint64_t now)
{
	struct ns_repl_slot *s = slot_of(ch, seq);

	seal(ch, s->buf, NS_REPL_F_DATA, seq, s->len - NS_REPL_HDR_LEN - NS_REPL_MAC_LEN, now);
	if (s->tx_count++ == 0)
		CTR(ch, tx_frames);
	else
		CTR(ch, tx_retransmits);
	s->sent_ns = now;
	ch->last_tx_ns = now;
	ch->ctr[NS_REPL_C_tx_bytes] += s->len;
	ch->ack_owed = false;
	ch->ops.xmit(ch->user, s->buf, s->len);
}

void
ns_repl_chan_flush(struct ns_repl_chan *ch, uint64_t now)
{
	uint32_t wnd = ch->peer_wnd < ch->cfg.window ? ch->peer_wnd : ch->cfg.window;

	if (ch->open_len != 0)
		close_open(ch);
	while (ch->snd_nxt != ch->snd_top && ch->snd_nxt - ch->snd_una < wnd)
		send_slot(ch, ch->snd_nxt++, now);
	if (ch->cfg.keepalive_ns != 0 && now - ch->last_tx_ns >= ch->cfg.keepalive_ns)
		ch->ack_owed = true; /* the peer hears from us even when there is nothing */
	if (ch->ack_owed) {
		ch->last_tx_ns = now;
		seal(ch, ch->scratch, NS_REPL_F_ACK, 0, 0, now);
		ch->ack_owed = false;
		CTR(ch, tx_acks);
		ch->ctr[NS_REPL_C_tx_bytes] += NS_REPL_HDR_LEN + NS_REPL_MAC_LEN;
		ch->ops.xmit(ch->user, ch->scratch, NS_REPL_HDR_LEN + NS_REPL_MAC_LEN);
	}
}

static void
rtt_sample(struct ns_repl_chan *ch, uint64_t rtt)
{
	/* RFC 6298's estimator on frames, in ns. */
	if (ch->srtt_ns == 0) {
		ch->srtt_ns = rtt;
		ch->rttvar_ns = rtt / 2;
	} else {
		uint64_t d = rtt > ch->srtt_ns ? rtt - ch->srtt_ns : ch->srtt_ns - rtt;

		ch->rttvar_ns = (3 * ch->rttvar_ns + d) / 4;
		ch->srtt_ns = (7 * ch->srtt_ns + rtt) / 8;
	}
	ch->rto_ns = ch->srtt_ns + 4 * ch->rttvar_ns;
	if (ch->rto_ns < ch->cfg.rto_min_ns)
		ch->rto_ns = ch->cfg.rto_min_ns;
	if (ch->rto_ns > ch->cfg.rto_max_ns)
		ch->rto_ns = ch->cfg.rto_max_ns;
}

static void
on_ack(struct ns_repl_chan *ch, uint32_t ack, uint32_t sack, uint32_t wnd, uint64_t now)
{
	uint32_t top = 0;

	if (ack - ch->snd_una > ch->snd_nxt - ch->snd_una) {
		CTR(ch, rx_bad_ack); /* acknowledges what was never sent */
		return;
	}
	for (; ch->snd_una != ack; ch->snd_una++) {
		struct ns_repl_slot *s = slot_of(ch, ch->snd_una);

		if (s->tx_count == 1 && now >= s->sent_ns) /* Karn: first transmissions only */
			rtt_sample(ch, now - s->sent_ns);
		s->len = 0;
	}
	ch->peer_wnd = wnd;
	/* SACK: mark, then resend holes below the highest SACKed frame that have
	 * had a round trip to be acknowledged. */
	for (uint32_t i = 0; i < NS_REPL_SACK_BITS; i++) {
		uint32_t seq = ack + 1 + i;

		if (!(sack >> i & 1) || seq - ch->snd_una >= ch->snd_nxt - ch->snd_una)
			continue;
		slot_of(ch, seq)->sacked = true;
		top = i + 1;
	}
	for (uint32_t i = 0; i < top; i++) {
		uint32_t seq = ack + i;
		struct ns_repl_slot *s = slot_of(ch, seq);

		if (!s->sacked && now - s->sent_ns > ch->srtt_ns + ch->srtt_ns / 4)
			send_slot(ch, seq, now);
	}
}

/* An authentic frame of this session: its tsval is echoed from now on; its
 * echo of ours dates a round trip (the newest wins: frames may be reordered,
 * and a replayed one only repeats an older echo). */
static void
timestamps(struct ns_repl_chan *ch, uint32_t tsval, uint32_t tsecr, uint64_t now)
{
	uint32_t ago_us;

	if (ch->ts_recent == 0 || (int32_t)(tsval - ch->ts_recent) > 0)
		ch->ts_recent = tsval;
	if (tsecr == 0)
		return;
	ago_us = tsval_of(now) - tsecr;
	/* An echo from the future, or older than half the tsval space, is none. */
	if (ago_us >= 0x80000000u || (uint64_t)ago_us * 1000 > now)
		return;
	if (now - (uint64_t)ago_us * 1000 > ch->echo_ns)
		ch->echo_ns = now - (uint64_t)ago_us * 1000;
}

static void
deliver_held(struct ns_repl_chan *ch, uint64_t now)
{
	struct ns_repl_hold *h;

	while ((h = hold_of(ch, ch->rcv_nxt))->present) {
		h->present = false;
		ch->rcv_nxt++;
		CTR(ch, rx_delivered);
		ch->ops.deliver(ch->user, h->buf, h->len, now);
	}
}

bool
ns_repl_chan_input(struct ns_repl_chan *ch, const uint8_t *f, uint32_t len, uint64_t now)
{
	uint8_t mac[NS_HMAC_SHA256_LEN];
	uint32_t plen, seq, epoch, d;
	uint8_t diff = 0;

	CTR(ch, rx_frames);
	ch->ctr[NS_REPL_C_rx_bytes] += len;
	if (len < NS_REPL_HDR_LEN + NS_REPL_MAC_LEN) {
		CTR(ch, rx_short);
		return false;
	}
	plen = ns_get_be16(f + 26);
	if (NS_REPL_HDR_LEN + plen + NS_REPL_MAC_LEN > len || plen > ns_repl_chan_event_max(ch)) {
		CTR(ch, rx_short);
		return false;
	}
	if (f[0] != NS_REPL_VERSION || f[1] < NS_REPL_F_DATA || f[1] > NS_REPL_F_CANCEL) {
		CTR(ch, rx_bad_version);
		return false;
	}
	/* Nothing is looked at further before the frame is known to be ours. */
	if (ns_hmac_sha256(ch->mac, f, NS_REPL_HDR_LEN + plen, NULL, 0, mac) != 0) {
		CTR(ch, rx_bad_mac);
		return false;
	}
	for (uint32_t i = 0; i < NS_REPL_MAC_LEN; i++)
		diff |= mac[i] ^ f[NS_REPL_HDR_LEN + plen + i];
	if (diff != 0) {
		CTR(ch, rx_bad_mac);
		return false;
	}
	if (ns_get_be16(f + 2) != ch->cfg.chan) {
		CTR(ch, rx_bad_chan);
		return false;
	}
	epoch = ns_get_be32(f + 4);
	if (f[1] >= NS_REPL_F_JOIN) {
		if (ch->ops.control != NULL)
			ch->ops.control(ch->user, f[1], epoch, ns_get_be32(f + 8),
					f + NS_REPL_HDR_LEN, plen, now);
		return true;
	}
	if (epoch != ch->epoch) {
		/* Older: a fenced instance.  Newer: the owner of the channel decides
		 * (it resets the channel), the frame is not applied here. */
		CTR(ch, rx_old_epoch);
		return true;
	}
	if (ns_get_be32(f + 8) != ch->session) {
		CTR(ch, rx_bad_session);
		return true;
	}
	ch->last_rx_ns = now;
	timestamps(ch, ns_get_be32(f + 28), ns_get_be32(f + 32), now);
	on_ack(ch, ns_get_be32(f + 16), ns_get_be32(f + 20), ns_get_be16(f + 24), now);
	if (f[1] != NS_REPL_F_DATA)
		return true;
	ch->ack_owed = true;
	seq = ns_get_be32(f + 12);
	d = seq - ch->rcv_nxt;
	if (d >= 0x80000000u) {
		CTR(ch, rx_duplicate);
		return true;
	}
	if (d >= ch->cfg.window) {
		CTR(ch, rx_out_of_window);
		return true;
	}
	if (d == 0) {
		ch->rcv_nxt++;
		CTR(ch, rx_delivered);
		ch->ops.deliver(ch->user, f + NS_REPL_HDR_LEN, plen, now);
		deliver_held(ch, now);
		return true;
	}
	if (hold_of(ch, seq)->present) {
		CTR(ch, rx_duplicate);
		return true;
	}
	CTR(ch, rx_reordered);
	hold_of(ch, seq)->present = true;
	hold_of(ch, seq)->len = plen;
	memcpy(hold_of(ch, seq)->buf, f + NS_REPL_HDR_LEN, plen);
	return true;
}

void
ns_repl_chan_timers(struct ns_repl_chan *ch, uint64_t now)
{
	struct ns_repl_slot *s;

	if (ch->snd_una == ch->snd_nxt)
		return;
	s = slot_of(ch, ch->snd_una);
	if (now - s->sent_ns < ch->rto_ns)
		return;
	CTR(ch, tx_timeouts);
	/* The oldest frame and every other one sent as long ago and not SACKed. */
	for (uint32_t seq = ch->snd_una; seq != ch->snd_nxt; seq++) {
		s = slot_of(ch, seq);
		if (!s->sacked && now - s->sent_ns >= ch->rto_ns)
			send_slot(ch, seq, now);
	}
	ch->rto_ns = ch->rto_ns * 2 < ch->cfg.rto_max_ns ? ch->rto_ns * 2 : ch->cfg.rto_max_ns;
}
