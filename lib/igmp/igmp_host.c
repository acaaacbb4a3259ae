/* SPDX-License-Identifier: BSD-3-Clause */
/* IGMPv3 host side: merge, state-change and current-state reports, queries. */
#include <string.h>

#include "igmp/igmp_wire.h"
#include "igmp/ns_igmp.h"

#define OLDER_QUERIER_NS (260000ull * MS) /* RFC 3376 8.12, defaults */

static uint32_t
rnd(struct ns_igmp_if *i, uint32_t n)
{
	i->rng ^= i->rng << 13;
	i->rng ^= i->rng >> 7;
	i->rng ^= i->rng << 17;
	return n ? (uint32_t)(i->rng % n) : 0;
}

/* --- source sets (ascending arrays) ------------------------------------------ */

static bool
has(const struct ns_igmp_filter *f, uint32_t s)
{
	for (uint8_t k = 0; k < f->n; k++)
		if (f->src[k] == s)
			return true;
	return false;
}

static void
add(struct ns_igmp_filter *f, uint32_t s)
{
	uint8_t k = 0;

	if (has(f, s) || f->n == NS_IGMP_MAX_SRC)
		return;
	while (k < f->n && f->src[k] < s)
		k++;
	memmove(&f->src[k + 1], &f->src[k], (size_t)(f->n - k) * sizeof(f->src[0]));
	f->src[k] = s;
	f->n++;
}

/* out = a - b */
static void
minus(const struct ns_igmp_filter *a, const struct ns_igmp_filter *b, struct ns_igmp_filter *out)
{
	out->n = 0;
	for (uint8_t k = 0; k < a->n; k++)
		if (!has(b, a->src[k]))
			add(out, a->src[k]);
}

void
ns_igmp_merge(const struct ns_igmp_filter *f, uint8_t n, struct ns_igmp_filter *out)
{
	bool exclude = false;

	memset(out, 0, sizeof(*out));
	for (uint8_t k = 0; k < n; k++)
		exclude |= f[k].mode == NS_IGMP_EXCLUDE;
	if (!exclude) {
		/* INCLUDE: the union of the include lists */
		out->mode = NS_IGMP_INCLUDE;
		for (uint8_t k = 0; k < n; k++)
			for (uint8_t j = 0; j < f[k].n; j++)
				add(out, f[k].src[j]);
		return;
	}
	/* EXCLUDE: the intersection of the exclude lists minus the union of the
	 * include lists */
	out->mode = NS_IGMP_EXCLUDE;
	for (uint8_t k = 0; k < n; k++) {
		if (f[k].mode != NS_IGMP_EXCLUDE)
			continue;
		for (uint8_t j = 0; j < f[k].n; j++) {
			bool all = true;

			for (uint8_t m = 0; m < n && all; m++)
				if (f[m].mode == NS_IGMP_EXCLUDE && !has(&f[m], f[k].src[j]))
					all = false;
			for (uint8_t m = 0; m < n && all; m++)
				if (f[m].mode == NS_IGMP_INCLUDE && has(&f[m], f[k].src[j]))
					all = false;
			if (all)
				add(out, f[k].src[j]);
		}
	}
}

static bool
member(const struct ns_igmp_filter *f)
{
	return f->mode == NS_IGMP_EXCLUDE || f->n != 0;
}

/* --- packets ------------------------------------------------------------------ */

struct report {
	uint8_t b[NS_IGMP_REPORT_MAX];
	uint32_t len; /* IGMP part, from offset 24 */
	uint16_t n_rec;
};

static void
report_begin(struct report *r)
{
	memset(r->b + 24, 0, 8);
	r->b[24] = T_V3_REPORT;
	r->len = 8;
	r->n_rec = 0;
}

static void
report_send(struct ns_igmp_if *i, struct report *r)
{
	if (r->n_rec == 0)
		return;
	ns_put_be16(r->b + 24 + 6, r->n_rec);
	ns_put_be16(r->b + 24 + 2, ns_cksum_be(r->b + 24, r->len));
	igmp_ip_hdr(r->b, i->addr, ALL_V3_ROUTERS, r->len);
	i->ops.xmit(i->user, r->b, 24 + r->len);
	i->reports_sent++;
	i->records_sent += r->n_rec;
	report_begin(r);
}

static void
record(struct ns_igmp_if *i, struct report *r, uint8_t type, uint32_t group,
		const struct ns_igmp_filter *s)
{
	uint32_t need = 8 + 4u * (s ? s->n : 0);
	uint8_t *p;

	if (24 + r->len + need > sizeof(r->b))
		report_send(i, r);
	p = r->b + 24 + r->len;
	memset(p, 0, 8);
	p[0] = type;
	p[3] = s ? s->n : 0;
	memcpy(p + 4, &group, 4);
	for (uint8_t k = 0; s && k < s->n; k++)
		memcpy(p + 8 + 4 * k, &s->src[k], 4);
	r->len += need;
	r->n_rec++;
}

/* IGMPv2 report or leave (v2 compatibility). */
static void
v2_msg(struct ns_igmp_if *i, uint8_t type, uint32_t group)
{
	uint8_t b[32];

	memset(b + 24, 0, 8);
	b[24] = type;
	memcpy(b + 28, &group, 4);
	ns_put_be16(b + 26, ns_cksum_be(b + 24, 8));
	igmp_ip_hdr(b, i->addr, type == T_V2_LEAVE ? ALL_ROUTERS : group, 8);
	i->ops.xmit(i->user, b, 32);
	i->reports_sent++;
	i->records_sent++;
}

static bool
v2_mode(const struct ns_igmp_if *i, uint64_t now)
{
	return i->v2_until_ns != 0 && now < i->v2_until_ns;
}

/* --- state changes -------------------------------------------------------------- */

static struct ns_igmp_group *
find(struct ns_igmp_if *i, uint32_t group, bool create)
{
	struct ns_igmp_group *free_slot = NULL;

	for (int k = 0; k < NS_IGMP_MAX_GROUPS; k++) {
		if (i->g[k].group == group)
			return &i->g[k];
		if (i->g[k].group == 0 && free_slot == NULL)
			free_slot = &i->g[k];
	}
	if (!create || free_slot == NULL)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->group = group;
	free_slot->state.mode = NS_IGMP_INCLUDE;
	return free_slot;
}

/* The records of one pending state change into r. */
static void
change_records(struct ns_igmp_if *i, struct report *r, const struct ns_igmp_group *g)
{
	if (g->rec_type != 0) {
		record(i, r, g->rec_type, g->group, &g->state);
		return;
	}
	if (g->allow.n != 0)
		record(i, r, NS_IGMP_ALLOW, g->group, &g->allow);
	if (g->block.n != 0)
		record(i, r, NS_IGMP_BLOCK, g->group, &g->block);
}

static void
state_changed(struct ns_igmp_if *i, struct ns_igmp_group *g, const struct ns_igmp_filter *old,
		uint64_t now)
{
	struct report r;

	if (v2_mode(i, now)) {
		/* v2: membership only; a report when it starts, a leave when it ends */
		if (member(&g->state) != member(old))
			v2_msg(i, member(&g->state) ? T_V2_REPORT : T_V2_LEAVE, g->group);
		g->retrans_left = member(&g->state) ? (uint8_t)(i->robustness - 1) : 0;
		g->rec_type = member(&g->state) ? NS_IGMP_TO_EX : 0;
		g->next_ns = now + (uint64_t)(1 + rnd(i, i->unsolicited_ms)) * MS;
		return;
	}
	/* RFC 3376 5.1: the records of this change (merged with a pending one:
	 * a filter-mode change wins and carries the new state). */
	if (old->mode != g->state.mode) {
		g->rec_type = g->state.mode == NS_IGMP_EXCLUDE ? NS_IGMP_TO_EX : NS_IGMP_TO_IN;
		g->allow.n = g->block.n = 0;
	} else if (g->rec_type == 0 || g->retrans_left == 0) {
		struct ns_igmp_filter a, b;

		g->rec_type = 0;
		if (g->state.mode == NS_IGMP_INCLUDE) {
			minus(&g->state, old, &a); /* newly included */
			minus(old, &g->state, &b); /* no longer */
		} else {
			minus(old, &g->state, &a); /* no longer excluded */
			minus(&g->state, old, &b); /* newly excluded */
		}
		g->allow = a;
		g->block = b;
		if (a.n == 0 && b.n == 0)
			return;
	} else {
		/* a mode change is still being retransmitted: it carries the new state */
	}
	g->retrans_left = (uint8_t)(i->robustness - 1);
	g->next_ns = now + (uint64_t)(1 + rnd(i, i->unsolicited_ms)) * MS;
	report_begin(&r);
	change_records(i, &r, g);
	report_send(i, &r);
}

int
ns_igmp_set(struct ns_igmp_if *i, uint32_t app, uint32_t group, uint8_t mode, const uint32_t *src,
		uint8_t n, uint64_t now)
{
	struct ns_igmp_group *g;
	struct ns_igmp_filter old, f = {.mode = mode};
	int slot = -1;

	if ((mode != NS_IGMP_INCLUDE && mode != NS_IGMP_EXCLUDE) || n > NS_IGMP_MAX_SRC ||
			!igmp_group_tracked(group))
		return -1;
	for (uint8_t k = 0; k < n; k++)
		add(&f, src[k]);
	g = find(i, group, mode == NS_IGMP_EXCLUDE || n != 0);
	if (g == NULL)
		return mode == NS_IGMP_INCLUDE && n == 0 ? 0 : -1;
	for (int k = 0; k < g->n_apps; k++)
		if (g->app[k] == app)
			slot = k;
	if (slot < 0) {
		if (mode == NS_IGMP_INCLUDE && n == 0)
			return 0; /* leaving what it never joined */
		if (g->n_apps == NS_IGMP_MAX_APPS)
			return -1;
		slot = g->n_apps++;
		g->app[slot] = app;
	}
	g->f[slot] = f;
	if (mode == NS_IGMP_INCLUDE && n == 0) { /* the application leaves */
		g->n_apps--;
		g->app[slot] = g->app[g->n_apps];
		g->f[slot] = g->f[g->n_apps];
	}
	old = g->state;
	ns_igmp_merge(g->f, g->n_apps, &g->state);
	if (memcmp(&old, &g->state, sizeof(old)) != 0)
		state_changed(i, g, &old, now);
	return 0;
}

const struct ns_igmp_filter *
ns_igmp_state(const struct ns_igmp_if *i, uint32_t group)
{
	for (int k = 0; k < NS_IGMP_MAX_GROUPS; k++)
		if (i->g[k].group == group && member(&i->g[k].state))
			return &i->g[k].state;
	return NULL;
}

void
ns_igmp_init(struct ns_igmp_if *i, uint32_t addr, const struct ns_igmp_ops *ops, void *user,
		uint64_t seed)
{
	memset(i, 0, sizeof(*i));
	i->addr = addr;
	i->robustness = 2;
	i->unsolicited_ms = 1000;
	i->ops = *ops;
	i->user = user;
	i->rng = seed | 1;
}

/* --- queries ---------------------------------------------------------------------- */

/* Max Resp Code (4.1.1): tenths of a second. */
static uint32_t
max_resp_ms(uint8_t code)
{
	return igmp_code_value(code) * 100u;
}

void
ns_igmp_input(struct ns_igmp_if *i, const uint8_t *ip, uint32_t len, uint64_t now)
{
	uint32_t ihl, l4len, group, delay;
	const uint8_t *m;

	if (len < 20 || (ip[0] >> 4) != 4 || ip[9] != 2) {
		i->bad_packets++;
		return;
	}
	ihl = (uint32_t)(ip[0] & 15) * 4;
	if (ihl < 20 || len < ihl + 8 || ns_get_be16(ip + 2) > len ||
			ns_get_be16(ip + 2) < ihl + 8) {
		i->bad_packets++;
		return;
	}
	l4len = ns_get_be16(ip + 2) - ihl;
	m = ip + ihl;
	if (l4len < 8 || ns_cksum_be(m, l4len) != 0) {
		i->bad_packets++;
		return;
	}
	if (m[0] != T_QUERY)
		return; /* other hosts' reports: nothing for a v3 host (no suppression) */
	memcpy(&group, m + 4, 4);
	i->queries_heard++;
	if (l4len == 8) {
		/* IGMPv1 (max resp 0) or v2 querier: compatibility mode (7.2.1) */
		i->v2_queries_heard++;
		i->v2_until_ns = now + OLDER_QUERIER_NS;
		delay = m[1] ? m[1] * 100u : 10000u;
	} else if (l4len >= 12) {
		delay = max_resp_ms(m[1]);
	} else {
		i->bad_packets++;
		return;
	}
	delay = 1 + rnd(i, delay ? delay : 1);
	if (group == 0) {
		uint64_t at = now + (uint64_t)delay * MS;

		if (i->general_at_ns == 0 || at < i->general_at_ns)
			i->general_at_ns = at;
		return;
	}
	for (int k = 0; k < NS_IGMP_MAX_GROUPS; k++) {
		struct ns_igmp_group *g = &i->g[k];
		uint64_t at = now + (uint64_t)delay * MS;

		if (g->group == group && member(&g->state) &&
				(g->query_at_ns == 0 || at < g->query_at_ns))
			g->query_at_ns = at;
	}
}

/* A group's current-state record (5.2), or its v2 report. */
static void
current_state(struct ns_igmp_if *i, struct report *r, const struct ns_igmp_group *g, bool v2)
{
	if (v2)
		v2_msg(i, T_V2_REPORT, g->group);
	else
		record(i, r, g->state.mode == NS_IGMP_EXCLUDE ? NS_IGMP_IS_EX : NS_IGMP_IS_IN,
				g->group, &g->state);
}

void
ns_igmp_tick(struct ns_igmp_if *i, uint64_t now)
{
	struct report r;
	bool v2 = v2_mode(i, now);

	report_begin(&r);
	/* A general query's answer: every group's current state (5.2). */
	if (i->general_at_ns != 0 && now >= i->general_at_ns) {
		i->general_at_ns = 0;
		for (int k = 0; k < NS_IGMP_MAX_GROUPS; k++) {
			struct ns_igmp_group *g = &i->g[k];

			if (g->group == 0 || !member(&g->state))
				continue;
			g->query_at_ns = 0;
			current_state(i, &r, g, v2);
		}
	}
	for (int k = 0; k < NS_IGMP_MAX_GROUPS; k++) {
		struct ns_igmp_group *g = &i->g[k];

		if (g->group == 0)
			continue;
		if (g->query_at_ns != 0 && now >= g->query_at_ns) {
			g->query_at_ns = 0;
			current_state(i, &r, g, v2);
		}
		if (g->retrans_left != 0 && now >= g->next_ns) {
			g->retrans_left--;
			g->next_ns = now + (uint64_t)(1 + rnd(i, i->unsolicited_ms)) * MS;
			if (v2)
				v2_msg(i, T_V2_REPORT, g->group);
			else
				change_records(i, &r, g);
		}
		/* A group nobody is in any more and nothing left to say: free. */
		if (!member(&g->state) && g->retrans_left == 0 && g->n_apps == 0 &&
				g->query_at_ns == 0)
			g->group = 0;
	}
	report_send(i, &r);
}
