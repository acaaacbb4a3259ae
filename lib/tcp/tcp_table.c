/* SPDX-License-Identifier: BSD-3-Clause */
/* TCB pool, 4-tuple table (open addressing, backward-shift delete), listeners, ISN. */
#include <stdlib.h>
#include <string.h>

#include "common/siphash.h"
#include "tcp/tcp_internal.h"

const struct ns_ctr_desc ns_tcp_ctr_desc[NS_TCP_C__MAX] = {
#define X(name, kind, help) NS_CTR_DESC(name, kind, help)
		NS_TCP_COUNTERS(X)
#undef X
};

static const char *const state_names[] = {
#define X(id, name) name,
		NS_TCP_STATES(X)
#undef X
};

const char *
ns_tcp_state_name(enum ns_tcp_state st)
{
	return (unsigned int)st < NS_TCP__NSTATES ? state_names[st] : "?";
}

void
ns_tcp_cfg_defaults(struct ns_tcp_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_conns = 1024;
	cfg->sndbuf = 64 * 1024;
	cfg->rcvbuf = 64 * 1024;
	cfg->mss = 1460;
	cfg->wscale = 7;
	cfg->ts = cfg->sack = cfg->ws = true;
	cfg->rto_init_ms = 1000;
	cfg->rto_min_ms = 200;
	cfg->rto_max_ms = 60000;
	cfg->max_retries = 12;
	cfg->delack_ms = 40;
	cfg->time_wait_ms = 60000;
	cfg->ttl = 64;
	cfg->syn_backlog = 256;
	cfg->syncookies = true;
	cfg->synack_retries = 5;
	cfg->keepalive_idle_ms = 0;
	cfg->keepalive_intvl_ms = 75000;
	cfg->keepalive_cnt = 9;
	cfg->oow_ack_interval_ms = 500;
	cfg->challenge_ack_limit = 1000;
	cfg->cc = &ns_tcp_cc_newreno;
}

/* Reassembly ranges per connection: one per 256 bytes of receive buffer. */
static uint32_t
reass_cap(const struct ns_tcp_cfg *cfg)
{
	return RTE_MAX(cfg->rcvbuf / 256, 16u);
}

/* Transmission log records per connection: a power of two, one per 512
 * bytes of send buffer, at least 64. */
static uint32_t
txlog_cap(const struct ns_tcp_cfg *cfg)
{
	uint32_t n = 64;

	while (n < cfg->sndbuf / 512)
		n <<= 1;
	return n;
}

/* The soft-state arrays of a slot, after its FIFOs. */
static void
slot_arrays(const struct ns_tcp_cfg *cfg, struct ns_tcb *c, struct ns_sack_block *ranges,
		struct ns_tcp_seg *log)
{
	c->rq.r = ranges;
	c->rq.cap = reass_cap(cfg);
	c->txl.r = log;
	c->txl.cap = txlog_cap(cfg);
}

int
ns_tcp_init(struct ns_tcp_stack *s, const struct ns_tcp_cfg *cfg, const struct ns_tcp_ops *ops,
		void *user, uint64_t now)
{
	uint32_t cap = 16;
	size_t per = (size_t)cfg->sndbuf + cfg->rcvbuf +
		     (size_t)reass_cap(cfg) * sizeof(struct ns_sack_block) +
		     (size_t)txlog_cap(cfg) * sizeof(struct ns_tcp_seg);

	memset(s, 0, sizeof(*s));
	if (cfg->max_conns == 0 || (cfg->sndbuf & (cfg->sndbuf - 1)) ||
			(cfg->rcvbuf & (cfg->rcvbuf - 1)) || cfg->mss < 88)
		return -1;
	s->cfg = *cfg;
	if (s->cfg.cc == NULL)
		s->cfg.cc = &ns_tcp_cc_newreno;
	s->ops = *ops;
	s->user = user;
	s->now = now;
	while (cap < 2 * cfg->max_conns)
		cap <<= 1;
	s->pool = calloc(cfg->max_conns, sizeof(*s->pool));
	s->free_ids = calloc(cfg->max_conns, sizeof(*s->free_ids));
	s->free_pos = calloc(cfg->max_conns, sizeof(*s->free_pos));
	s->table = calloc(cap, sizeof(*s->table));
	s->bufmem = malloc(per * cfg->max_conns);
	if (s->pool == NULL || s->free_ids == NULL || s->free_pos == NULL || s->table == NULL ||
			s->bufmem == NULL || ns_tw_init(&s->wheel, 4096, 1000000, now) != 0) {
		ns_tcp_fini(s);
		return -1;
	}
	s->table_mask = cap - 1;
	for (uint32_t i = 0; i < cfg->max_conns; i++) {
		struct ns_tcb *c = &s->pool[i];

		c->id = i;
		c->sndq.buf = s->bufmem + per * i;
		c->sndq.size = cfg->sndbuf;
		c->rcvq.buf = c->sndq.buf + cfg->sndbuf;
		c->rcvq.size = cfg->rcvbuf;
		slot_arrays(cfg, c, (struct ns_sack_block *)(c->rcvq.buf + cfg->rcvbuf),
				(struct ns_tcp_seg *)(c->rcvq.buf + cfg->rcvbuf +
						      reass_cap(cfg) *
								      sizeof(struct ns_sack_block)));
		for (int k = 0; k < NS_TCPT__N; k++)
			c->tmr[k].kind = (uint32_t)k;
		s->free_ids[i] = cfg->max_conns - 1 - i; /* pop gives id 0 first */
		s->free_pos[cfg->max_conns - 1 - i] = i;
	}
	s->n_free = cfg->max_conns;
	return 0;
}

void
ns_tcp_fini(struct ns_tcp_stack *s)
{
	ns_tw_fini(&s->wheel);
	free(s->pool);
	free(s->free_ids);
	free(s->free_pos);
	free(s->table);
	free(s->bufmem);
	s->pool = NULL;
	s->free_ids = NULL;
	s->free_pos = NULL;
	s->table = NULL;
	s->bufmem = NULL;
}

struct ns_tcb *
ns_tcp_lookup(struct ns_tcp_stack *s, const struct ns_tcp_tuple *t)
{
	for (uint32_t i = ns_tcp_tuple_hash(t, s->table_mask);; i = (i + 1) & s->table_mask) {
		uint32_t v = s->table[i];

		if (v == 0)
			return NULL;
		if (ns_tcp_tuple_eq(&s->pool[v - 1].t, t))
			return &s->pool[v - 1];
	}
}

/* Take slot id off the free stack in O(1) (the last entry fills its place). */
static void
take_free(struct ns_tcp_stack *s, uint32_t id)
{
	uint32_t pos = s->free_pos[id], last = s->free_ids[--s->n_free];

	s->free_ids[pos] = last;
	s->free_pos[last] = pos;
	s->free_pos[id] = UINT32_MAX;
}

static void
put_free(struct ns_tcp_stack *s, uint32_t id)
{
	s->free_pos[id] = s->n_free;
	s->free_ids[s->n_free++] = id;
}

static struct ns_tcb *
tcb_reset(struct ns_tcp_stack *s, uint32_t id, const struct ns_tcp_tuple *t)
{
	struct ns_tcb *c = &s->pool[id];
	uint8_t *sb = c->sndq.buf, *rb = c->rcvq.buf;
	struct ns_sack_block *ranges = c->rq.r;
	struct ns_tcp_seg *log = c->txl.r;

	memset(c, 0, sizeof(*c));
	c->id = id;
	c->t = *t;
	c->sndq = (struct ns_fifo){sb, s->cfg.sndbuf, 0, 0};
	c->rcvq = (struct ns_fifo){rb, s->cfg.rcvbuf, 0, 0};
	slot_arrays(&s->cfg, c, ranges, log);
	for (int k = 0; k < NS_TCPT__N; k++)
		c->tmr[k].kind = (uint32_t)k;
	return c;
}

void
ns_tcp_table_insert(struct ns_tcp_stack *s, const struct ns_tcb *c)
{
	uint32_t i;

	for (i = ns_tcp_tuple_hash(&c->t, s->table_mask); s->table[i] != 0;
			i = (i + 1) & s->table_mask)
		;
	s->table[i] = c->id + 1;
}

struct ns_tcb *
ns_tcp_tcb_alloc(struct ns_tcp_stack *s, const struct ns_tcp_tuple *t)
{
	struct ns_tcb *c;
	uint32_t id;

	if (s->n_free == 0)
		return NULL;
	id = s->free_ids[s->n_free - 1];
	take_free(s, id);
	c = tcb_reset(s, id, t);
	ns_tcp_table_insert(s, c);
	return c;
}

struct ns_tcb *
ns_tcp_shadow_alloc(struct ns_tcp_stack *s, uint32_t id, const struct ns_tcp_tuple *t)
{
	if (id >= s->cfg.max_conns || s->free_pos[id] == UINT32_MAX)
		return NULL;
	take_free(s, id);
	return tcb_reset(s, id, t);
}

void
ns_tcp_shadow_free(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	c->state = NS_TCP_CLOSED;
	put_free(s, c->id);
}

void
ns_tcp_tcb_free(struct ns_tcp_stack *s, struct ns_tcb *c)
{
	uint32_t hole = ns_tcp_tuple_hash(&c->t, s->table_mask), i;

	while (s->table[hole] != c->id + 1)
		hole = (hole + 1) & s->table_mask;
	for (i = (hole + 1) & s->table_mask; s->table[i] != 0; i = (i + 1) & s->table_mask) {
		uint32_t home = ns_tcp_tuple_hash(&s->pool[s->table[i] - 1].t, s->table_mask);

		if (((i - home) & s->table_mask) >= ((i - hole) & s->table_mask)) {
			s->table[hole] = s->table[i];
			hole = i;
		}
	}
	s->table[hole] = 0;
	for (int k = 0; k < NS_TCPT__N; k++)
		ns_tw_stop(&s->wheel, &c->tmr[k]);
	c->state = NS_TCP_CLOSED;
	put_free(s, c->id);
}

int
ns_tcp_listen(struct ns_tcp_stack *s, uint32_t laddr, uint16_t lport, void *app)
{
	uint16_t p = rte_cpu_to_be_16(lport);
	int freei = -1;

	if (lport == 0)
		return -1;
	for (int i = 0; i < NS_TCP_MAX_LISTENERS; i++) {
		if (s->listener[i].lport == p && s->listener[i].laddr == laddr)
			return -1; /* already listening */
		if (s->listener[i].lport == 0 && freei < 0)
			freei = i;
	}
	if (freei >= 0)
		s->listener[freei] =
				(struct ns_tcp_listener){.laddr = laddr, .lport = p, .app = app};
	return freei;
}

int
ns_tcp_listener_match(const struct ns_tcp_stack *s, uint32_t laddr, uint16_t lport)
{
	int wildcard = -1;

	for (int i = 0; i < NS_TCP_MAX_LISTENERS; i++) {
		if (s->listener[i].lport != lport)
			continue;
		if (s->listener[i].laddr == laddr)
			return i;
		if (s->listener[i].laddr == 0)
			wildcard = i;
	}
	return wildcard;
}

/* RFC 6528: ISN = M + F(4-tuple, secret), M a 4-microsecond clock. */
uint32_t
ns_tcp_isn(const struct ns_tcp_stack *s, const struct ns_tcp_tuple *t, uint64_t now)
{
	uint32_t m = (uint32_t)(now / 4000);

	return m + (uint32_t)ns_siphash24(s->cfg.isn_key, t, sizeof(*t));
}
