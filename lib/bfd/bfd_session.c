/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BFD sessions: the RFC 5880 state machine (6.2, 6.8.6), timer negotiation
 * (6.8.2-6.8.4), Poll/Final (6.5), jitter (6.8.7), detection (6.8.4), and
 * the health entries the control plane reads.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>

#include "bfd/bfd.h"

#define US		 1000ull
#define SLOW_TX_US	 1000000u  /* 6.8.3: at least 1 s while not Up */
#define TICK_NS		 100000ull /* 100 us wheel: detection is late by at most a tick */
#define NS_BFD_CTR(b, n) ((b)->ctr[NS_BFD_C_##n]++)

static uint32_t
idx_of(uint32_t disc)
{
	return (disc & ((1u << NS_BFD_IDX_BITS) - 1)) - 1;
}

static uint32_t
addr_hash(const struct ns_bfd *b, uint32_t laddr, uint32_t raddr)
{
	uint64_t h = ((uint64_t)laddr << 32 | raddr) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) & b->by_addr_mask;
}

static struct ns_bfd_session *
find_by_addr(struct ns_bfd *b, uint32_t laddr, uint32_t raddr, uint32_t *slot)
{
	for (uint32_t i = addr_hash(b, laddr, raddr);; i = (i + 1) & b->by_addr_mask) {
		uint32_t v = b->by_addr[i];

		if (slot != NULL)
			*slot = i;
		if (v == 0)
			return NULL;
		if (b->sess[v - 1].cfg.laddr == laddr && b->sess[v - 1].cfg.raddr == raddr)
			return &b->sess[v - 1];
	}
}

static void
publish(struct ns_bfd *b, const struct ns_bfd_session *s)
{
	struct ns_bfd_health *h = &b->health[s - b->sess];
	uint32_t seq = h->seq;
	uint64_t det = (uint64_t)s->remote_mult *
		       (s->rx_required_in_use_us > s->remote_min_tx_us ? s->rx_required_in_use_us
								       : s->remote_min_tx_us);

	__atomic_store_n(&h->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	h->state = s->state;
	h->remote_state = s->remote_state;
	h->local_diag = s->local_diag;
	h->local_disc = s->local_disc;
	h->remote_disc = s->remote_disc;
	h->last_rx_ns = s->last_rx_ns;
	h->last_change_ns = s->last_change_ns;
	h->tx_interval_us = s->tx_desired_in_use_us > s->remote_min_rx_us ? s->tx_desired_in_use_us
									  : s->remote_min_rx_us;
	h->detect_time_us = det > UINT32_MAX ? UINT32_MAX : (uint32_t)det;
	h->remote_min_rx_us = s->remote_min_rx_us;
	h->remote_min_tx_us = s->remote_min_tx_us;
	h->remote_mult = s->remote_mult;
	h->ups = s->ups;
	h->downs = s->downs;
	h->rx = s->rx;
	h->tx = s->tx;
	__atomic_store_n(&h->seq, seq + 2, __ATOMIC_RELEASE);
}

/* The per-packet update of the health table: the heartbeat (last receive
 * time) and the packet counts, either way. */
static void
publish_beat(struct ns_bfd *b, const struct ns_bfd_session *s)
{
	struct ns_bfd_health *h = &b->health[s - b->sess];
	uint32_t seq = h->seq;

	__atomic_store_n(&h->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	h->last_rx_ns = s->last_rx_ns;
	h->rx = s->rx;
	h->tx = s->tx;
	__atomic_store_n(&h->seq, seq + 2, __ATOMIC_RELEASE);
}

bool
ns_bfd_health_read(const struct ns_bfd *b, uint32_t index, struct ns_bfd_health *out)
{
	const struct ns_bfd_health *h = &b->health[index];

	if (index >= b->max_sessions)
		return false;
	for (int tries = 0; tries < 1000; tries++) {
		uint32_t s1 = __atomic_load_n(&h->seq, __ATOMIC_ACQUIRE), s2;

		if (s1 & 1)
			continue;
		memcpy(out, (const void *)h, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&h->seq, __ATOMIC_RELAXED);
		if (s1 == s2)
			return true;
	}
	return false;
}

static uint64_t
next_rand(struct ns_bfd *b)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return b->rng;
}

/* 6.8.7: the interval reduced by a random 0-25 % (10-25 % with detect mult 1). */
static uint64_t
jittered_ns(struct ns_bfd *b, const struct ns_bfd_session *s, uint64_t interval_us)
{
	uint32_t lo = 75, span = s->cfg.detect_mult == 1 ? 15 : 25;
	uint64_t r = next_rand(b) % (span * 1000 + 1); /* per hundred-thousand */

	return interval_us * US * (lo * 1000 + r) / 100000;
}

static uint32_t
tx_interval_us(const struct ns_bfd_session *s)
{
	return s->tx_desired_in_use_us > s->remote_min_rx_us ? s->tx_desired_in_use_us
							     : s->remote_min_rx_us;
}

static void
send_ctl(struct ns_bfd *b, struct ns_bfd_session *s, uint8_t flags)
{
	struct ns_bfd_ctl c = {
			.diag = s->local_diag,
			.state = s->state,
			.flags = flags,
			.detect_mult = s->cfg.detect_mult,
			.my_disc = s->local_disc,
			.your_disc = s->remote_disc,
			.desired_min_tx_us = s->desired_min_tx_us,
			.required_min_rx_us = s->required_min_rx_us,
			.required_min_echo_rx_us = 0,
	};
	uint8_t pkt[NS_BFD_HDR_LEN + NS_BFD_AUTH_MAX_LEN];
	uint32_t len;

	/* 6.8.7: a passive system stays silent until it knows the remote discriminator. */
	if (s->cfg.passive && s->remote_disc == 0)
		return;
	len = ns_bfd_build(&c, pkt);
	if (s->cfg.auth.type != NS_BFD_AUTH_NONE) {
		/* 6.7.3/6.7.4: one sequence number per packet (required for the
		 * meticulous types, allowed for the others). */
		len = ns_bfd_auth_sign(&s->cfg.auth, s->auth.xmit_seq, pkt);
		s->auth.xmit_seq++;
	}
	s->tx++;
	NS_BFD_CTR(b, tx_packets);
	publish_beat(b, s);
	b->ops.xmit(b->user, s, pkt, len);
}

static void
arm_tx(struct ns_bfd *b, struct ns_bfd_session *s)
{
	/* 6.8.7: no periodic transmission while the remote asks for none. */
	if (s->remote_min_rx_us == 0) {
		ns_tw_stop(&b->wheel, &s->tx_timer);
		return;
	}
	ns_tw_start(&b->wheel, &s->tx_timer, b->now + jittered_ns(b, s, tx_interval_us(s)));
}

static void
start_poll(struct ns_bfd *b, struct ns_bfd_session *s)
{
	if (!s->poll_active)
		NS_BFD_CTR(b, poll_sent);
	s->poll_active = true;
	send_ctl(b, s, NS_BFD_F_POLL);
	arm_tx(b, s);
}

static void
set_state(struct ns_bfd *b, struct ns_bfd_session *s, uint8_t st, uint8_t diag)
{
	uint8_t old = s->state;

	if (old == st)
		return;
	s->rx_predict = false;
	s->state = st;
	s->local_diag = diag;
	s->last_change_ns = b->now;
	if (st == NS_BFD_UP) {
		s->ups++;
		NS_BFD_CTR(b, state_up);
		/* Up: the configured rate replaces the 1 s one, through a Poll (6.8.3). */
		s->desired_min_tx_us = s->cfg.desired_min_tx_us;
		if (s->desired_min_tx_us != s->tx_desired_in_use_us)
			start_poll(b, s);
	} else if (old == NS_BFD_UP) {
		s->downs++;
		NS_BFD_CTR(b, state_down);
	}
	if (st != NS_BFD_UP) {
		/* Not Up: at least 1 s, at once (no Poll is needed outside Up). */
		s->desired_min_tx_us = s->cfg.desired_min_tx_us > SLOW_TX_US
						       ? s->cfg.desired_min_tx_us
						       : SLOW_TX_US;
		s->tx_desired_in_use_us = s->desired_min_tx_us;
		s->poll_active = false;
		if (st == NS_BFD_DOWN || st == NS_BFD_ADMIN_DOWN)
			ns_tw_stop(&b->wheel, &s->detect_timer);
	}
	publish(b, s);
	if (b->ops.state_change != NULL)
		b->ops.state_change(b->user, s, old);
}

static void
timer_fire(struct ns_tw_timer *t, void *arg)
{
	struct ns_bfd *b = arg;
	struct ns_bfd_session *s;

	b->now = t->expiry_tick * b->wheel.tick_ns;
	if (t->kind == 0) {
		s = (struct ns_bfd_session *)((char *)t -
					      offsetof(struct ns_bfd_session, tx_timer));
		/* 6.8.7 holds between the packets that leave: a timer that fires
		 * late (the lcore did not run) sends one packet now and counts the
		 * next interval from now, never a burst of the ones it missed. */
		if (!b->virtual_time)
			b->now = b->run_now;
		send_ctl(b, s, s->poll_active ? NS_BFD_F_POLL : 0);
		arm_tx(b, s);
	} else {
		s = (struct ns_bfd_session *)((char *)t -
					      offsetof(struct ns_bfd_session, detect_timer));
		/* Packets since the timer was armed moved the deadline: wait for it
		 * (the fast path does not touch the wheel per packet). */
		if ((s->state == NS_BFD_INIT || s->state == NS_BFD_UP) &&
				b->now < s->detect_deadline_ns) {
			ns_tw_start(&b->wheel, &s->detect_timer, s->detect_deadline_ns);
			return;
		}
		if (s->state == NS_BFD_INIT || s->state == NS_BFD_UP) {
			NS_BFD_CTR(b, detect_expired);
			set_state(b, s, NS_BFD_DOWN, NS_BFD_DIAG_DETECT_EXPIRED);
			s->remote_disc = 0; /* 6.8.1: reset when the session goes down by timeout */
			publish(b, s);
		}
	}
}

void
ns_bfd_timers(struct ns_bfd *b, uint64_t now)
{
	b->now = now;
	b->run_now = now;
	ns_tw_advance(&b->wheel, now, timer_fire, b);
	b->now = now;
}

int
ns_bfd_init(struct ns_bfd *b, uint32_t max_sessions, const struct ns_bfd_ops *ops, void *user,
		uint64_t now)
{
	uint32_t cap = 16;

	memset(b, 0, sizeof(*b));
	if (max_sessions == 0 || max_sessions >= (1u << NS_BFD_IDX_BITS))
		return -1;
	while (cap < 2 * max_sessions)
		cap <<= 1;
	b->ops = *ops;
	b->user = user;
	b->max_sessions = max_sessions;
	b->now = now;
	b->rng = 0x9e3779b97f4a7c15ull ^ now;
	b->sess = calloc(max_sessions, sizeof(*b->sess));
	b->health = calloc(max_sessions, sizeof(*b->health));
	b->by_addr = calloc(cap, sizeof(*b->by_addr));
	b->by_addr_mask = cap - 1;
	b->free_ids = calloc(max_sessions, sizeof(*b->free_ids));
	if (b->sess == NULL || b->health == NULL || b->by_addr == NULL || b->free_ids == NULL ||
			ns_tw_init(&b->wheel, 8192, TICK_NS, now) != 0) {
		ns_bfd_fini(b);
		return -1;
	}
	for (uint32_t i = 0; i < max_sessions; i++) {
		b->sess[i].detect_timer.kind = 1;
		b->free_ids[i] = max_sessions - 1 - i; /* slot 0 first */
	}
	b->n_free = max_sessions;
	return 0;
}

void
ns_bfd_fini(struct ns_bfd *b)
{
	if (b->wheel.slot != NULL)
		ns_tw_fini(&b->wheel);
	free(b->sess);
	free(b->health);
	free(b->by_addr);
	free(b->free_ids);
	memset(b, 0, sizeof(*b));
}

struct ns_bfd_session *
ns_bfd_session_get(struct ns_bfd *b, uint32_t disc)
{
	uint32_t i = idx_of(disc);

	if (disc == 0 || i >= b->max_sessions || !b->sess[i].in_use ||
			b->sess[i].local_disc != disc)
		return NULL;
	return &b->sess[i];
}

uint32_t
ns_bfd_session_add(struct ns_bfd *b, const struct ns_bfd_session_cfg *cfg, uint64_t now)
{
	struct ns_bfd_session *s = NULL;
	uint32_t slot, i;

	b->now = now;
	if (cfg->detect_mult == 0 || cfg->desired_min_tx_us == 0 || cfg->raddr == 0 ||
			!ns_bfd_auth_cfg_valid(&cfg->auth) || b->n_sessions == b->max_sessions ||
			find_by_addr(b, cfg->laddr, cfg->raddr, &slot) != NULL)
		return 0;
	if (b->n_free == 0)
		return 0;
	i = b->free_ids[--b->n_free];
	s = &b->sess[i];
	memset(s, 0, offsetof(struct ns_bfd_session, tx_timer));
	s->in_use = true;
	s->cfg = *cfg;
	b->generation = (uint16_t)((b->generation + 1) & 0xfff);
	s->local_disc = (uint32_t)b->generation << NS_BFD_IDX_BITS | (i + 1);
	s->state = NS_BFD_DOWN;
	s->remote_state = NS_BFD_DOWN;
	s->desired_min_tx_us =
			cfg->desired_min_tx_us > SLOW_TX_US ? cfg->desired_min_tx_us : SLOW_TX_US;
	s->required_min_rx_us = cfg->required_min_rx_us;
	s->tx_desired_in_use_us = s->desired_min_tx_us;
	s->rx_required_in_use_us = s->required_min_rx_us;
	s->remote_min_rx_us = 1;		/* 6.8.1 */
	if (cfg->auth.type != NS_BFD_AUTH_NONE) /* 6.8.1: a random start */
		s->auth.xmit_seq = (uint32_t)(next_rand(b) >> 32);
	s->last_change_ns = now;
	b->by_addr[slot] = i + 1;
	b->n_sessions++;
	publish(b, s);
	if (!cfg->passive) /* the first packet on the next timer run, not from inside add */
		ns_tw_start(&b->wheel, &s->tx_timer, now);
	return s->local_disc;
}

int
ns_bfd_session_del(struct ns_bfd *b, uint32_t disc, uint64_t now)
{
	struct ns_bfd_session *s = ns_bfd_session_get(b, disc);
	uint32_t hole, j;

	if (s == NULL)
		return -1;
	b->now = now;
	ns_tw_stop(&b->wheel, &s->tx_timer);
	ns_tw_stop(&b->wheel, &s->detect_timer);
	find_by_addr(b, s->cfg.laddr, s->cfg.raddr, &hole);
	/* backward-shift deletion keeps every probe chain intact */
	for (j = (hole + 1) & b->by_addr_mask; b->by_addr[j] != 0; j = (j + 1) & b->by_addr_mask) {
		const struct ns_bfd_session *o = &b->sess[b->by_addr[j] - 1];
		uint32_t home = addr_hash(b, o->cfg.laddr, o->cfg.raddr);

		if (((j - home) & b->by_addr_mask) >= ((j - hole) & b->by_addr_mask)) {
			b->by_addr[hole] = b->by_addr[j];
			hole = j;
		}
	}
	b->by_addr[hole] = 0;
	s->in_use = false;
	s->state = NS_BFD_ADMIN_DOWN;
	publish(b, s);
	b->n_sessions--;
	b->free_ids[b->n_free++] = (uint32_t)(s - b->sess);
	return 0;
}

int
ns_bfd_session_set(struct ns_bfd *b, uint32_t disc, uint32_t desired_min_tx_us,
		uint32_t required_min_rx_us, uint8_t detect_mult, uint64_t now)
{
	struct ns_bfd_session *s = ns_bfd_session_get(b, disc);

	if (s == NULL || desired_min_tx_us == 0 || detect_mult == 0)
		return -1;
	b->now = now;
	s->rx_predict = false;
	s->cfg.desired_min_tx_us = desired_min_tx_us;
	s->cfg.required_min_rx_us = required_min_rx_us;
	s->cfg.detect_mult = detect_mult;
	s->required_min_rx_us = required_min_rx_us;
	if (s->state == NS_BFD_UP) {
		/* 6.8.3: advertise now, use the new values once the Poll completes. */
		s->desired_min_tx_us = desired_min_tx_us;
		start_poll(b, s);
	} else {
		s->desired_min_tx_us =
				desired_min_tx_us > SLOW_TX_US ? desired_min_tx_us : SLOW_TX_US;
		s->tx_desired_in_use_us = s->desired_min_tx_us;
		s->rx_required_in_use_us = required_min_rx_us;
	}
	publish(b, s);
	return 0;
}

int
ns_bfd_session_admin(struct ns_bfd *b, uint32_t disc, bool down, uint64_t now)
{
	struct ns_bfd_session *s = ns_bfd_session_get(b, disc);

	if (s == NULL)
		return -1;
	b->now = now;
	if (down && s->state != NS_BFD_ADMIN_DOWN) {
		set_state(b, s, NS_BFD_ADMIN_DOWN, NS_BFD_DIAG_ADMIN_DOWN);
		send_ctl(b, s, 0); /* tell the peer (6.8.16) */
		arm_tx(b, s);
	} else if (!down && s->state == NS_BFD_ADMIN_DOWN) {
		set_state(b, s, NS_BFD_DOWN, NS_BFD_DIAG_NONE);
	}
	return 0;
}

void
ns_bfd_input(struct ns_bfd *b, uint32_t laddr, uint32_t raddr, uint8_t ttl, const uint8_t *pkt,
		uint32_t len, uint64_t now)
{
	struct ns_bfd_session *s;
	struct ns_bfd_ctl c;
	uint64_t det_us;
	bool changed;
	uint8_t old_state;
	int why;

	b->now = now;
	NS_BFD_CTR(b, rx_packets);
	/* Header prediction: the same 24 bytes as the last packet that left the
	 * session Up with the peer Up, without Poll/Final or authentication.  That
	 * packet passed every check, and in Up only a peer's Down changes the
	 * state: processing it again would move nothing but the heartbeat. */
	if (likely(len >= NS_BFD_HDR_LEN && ttl == 255)) {
		uint32_t your;

		memcpy(&your, pkt + 8, 4);
		s = ns_bfd_session_get(b, rte_be_to_cpu_32(your));
		if (s != NULL && s->rx_predict && s->cfg.laddr == laddr && s->cfg.raddr == raddr &&
				memcmp(pkt, s->rx_last, NS_BFD_HDR_LEN) == 0) {
			NS_BFD_CTR(b, rx_predicted);
			s->rx++;
			s->last_rx_ns = now;
			s->detect_deadline_ns = now + s->detect_ns;
			publish_beat(b, s);
			return;
		}
	}
	why = ns_bfd_parse(pkt, len, &c);
	if (why >= 0) {
		b->ctr[why]++;
		return;
	}
	if (ttl != 255) { /* RFC 5881 5: GTSM */
		NS_BFD_CTR(b, rx_bad_ttl);
		return;
	}
	if (c.your_disc != 0) {
		s = ns_bfd_session_get(b, c.your_disc);
		if (s == NULL) {
			NS_BFD_CTR(b, rx_unknown_disc);
			return;
		}
		if (s->cfg.laddr != laddr || s->cfg.raddr != raddr) {
			NS_BFD_CTR(b, rx_addr_mismatch);
			return;
		}
	} else {
		s = find_by_addr(b, laddr, raddr, NULL);
		if (s == NULL) {
			NS_BFD_CTR(b, rx_no_session);
			return;
		}
	}
	/* 6.8.6: the A bit must match the session's setting; then 6.7. */
	if (((c.flags & NS_BFD_F_AUTH) != 0) != (s->cfg.auth.type != NS_BFD_AUTH_NONE)) {
		NS_BFD_CTR(b, rx_auth_mismatch);
		return;
	}
	if (c.flags & NS_BFD_F_AUTH) {
		/* 6.8.1: the sequence is forgotten after 2 x detection time of silence. */
		det_us = (uint64_t)s->remote_mult *
			 (s->rx_required_in_use_us > s->remote_min_tx_us ? s->rx_required_in_use_us
									 : s->remote_min_tx_us);
		if (s->auth.seq_known && now - s->last_rx_ns > 2 * det_us * US)
			s->auth.seq_known = false;
		why = ns_bfd_auth_verify(&s->cfg.auth, &s->auth, pkt, c.length, c.detect_mult);
		if (why >= 0) {
			b->ctr[why]++;
			return;
		}
	}
	changed = s->remote_disc != c.my_disc || s->remote_state != c.state ||
		  s->remote_min_rx_us != c.required_min_rx_us ||
		  s->remote_min_tx_us != c.desired_min_tx_us || s->remote_mult != c.detect_mult ||
		  (c.flags & (NS_BFD_F_POLL | NS_BFD_F_FINAL)) != 0;
	old_state = s->state;
	s->rx++;
	s->last_rx_ns = now;
	s->remote_disc = c.my_disc;
	s->remote_state = c.state;
	s->remote_demand = (c.flags & NS_BFD_F_DEMAND) != 0;
	s->remote_min_rx_us = c.required_min_rx_us;
	s->remote_min_tx_us = c.desired_min_tx_us;
	s->remote_mult = c.detect_mult;
	if ((c.flags & NS_BFD_F_FINAL) && s->poll_active) {
		/* 6.5: the Poll is answered: the advertised values are now in force. */
		s->poll_active = false;
		s->tx_desired_in_use_us = s->desired_min_tx_us;
		s->rx_required_in_use_us = s->required_min_rx_us;
		NS_BFD_CTR(b, poll_done);
	}
	if (s->state == NS_BFD_ADMIN_DOWN) {
		NS_BFD_CTR(b, rx_admin_down_local);
		publish(b, s);
		return;
	}
	/* 6.8.6 state machine */
	if (c.state == NS_BFD_ADMIN_DOWN) {
		if (s->state != NS_BFD_DOWN) {
			NS_BFD_CTR(b, neighbor_down);
			set_state(b, s, NS_BFD_DOWN, NS_BFD_DIAG_NEIGHBOR_DOWN);
		}
	} else if (s->state == NS_BFD_DOWN) {
		if (c.state == NS_BFD_DOWN)
			set_state(b, s, NS_BFD_INIT, NS_BFD_DIAG_NONE);
		else if (c.state == NS_BFD_INIT)
			set_state(b, s, NS_BFD_UP, NS_BFD_DIAG_NONE);
	} else if (s->state == NS_BFD_INIT) {
		if (c.state == NS_BFD_INIT || c.state == NS_BFD_UP)
			set_state(b, s, NS_BFD_UP, NS_BFD_DIAG_NONE);
	} else if (c.state == NS_BFD_DOWN) { /* Up */
		NS_BFD_CTR(b, neighbor_down);
		set_state(b, s, NS_BFD_DOWN, NS_BFD_DIAG_NEIGHBOR_DOWN);
	}
	/* 6.8.4: detection time = remote mult x max(our required RX, its desired TX). */
	det_us = (uint64_t)c.detect_mult *
		 (s->rx_required_in_use_us > c.desired_min_tx_us ? s->rx_required_in_use_us
								 : c.desired_min_tx_us);
	if (s->state == NS_BFD_INIT || s->state == NS_BFD_UP) {
		s->detect_deadline_ns = now + det_us * US;
		/* Arm only when not armed or when the deadline moved earlier; a later
		 * deadline is found by the timer when it fires (lazy re-arm). */
		if (!ns_tw_armed(&s->detect_timer) ||
				s->detect_timer.expiry_tick * b->wheel.tick_ns >
						s->detect_deadline_ns)
			ns_tw_start(&b->wheel, &s->detect_timer, s->detect_deadline_ns);
	}
	if (c.flags & NS_BFD_F_POLL) { /* 6.5: answer at once, with F and without P */
		NS_BFD_CTR(b, final_sent);
		send_ctl(b, s, NS_BFD_F_FINAL);
	}
	/* The remote's RX requirement may have changed the transmit interval. */
	if (!ns_tw_armed(&s->tx_timer) ||
			s->tx_timer.expiry_tick * b->wheel.tick_ns > now + tx_interval_us(s) * US)
		arm_tx(b, s);
	if (changed || s->state != old_state)
		publish(b, s);
	else
		publish_beat(b, s); /* the steady state: only the heartbeat moved */
	/* The next equal packet may take the fast path (see above). */
	s->rx_predict = s->state == NS_BFD_UP && c.state == NS_BFD_UP &&
			!(c.flags & (NS_BFD_F_POLL | NS_BFD_F_FINAL)) &&
			c.length == NS_BFD_HDR_LEN && s->cfg.auth.type == NS_BFD_AUTH_NONE &&
			ns_tw_armed(&s->detect_timer);
	if (s->rx_predict) {
		memcpy(s->rx_last, pkt, NS_BFD_HDR_LEN);
		s->detect_ns = det_us * US;
	}
}
