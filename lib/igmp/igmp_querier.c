/* SPDX-License-Identifier: BSD-3-Clause */
/* IGMPv3 router side: querier election, queries, the tables of RFC 3376 6.4. */
#include <string.h>

#include "igmp/igmp_wire.h"
#include "igmp/ns_igmp.h"
#include "igmp/ns_igmp_querier.h"

#define GMI(q)	((uint64_t)(q)->robustness * (q)->qi_ms * MS + (uint64_t)(q)->qri_ms * MS)
#define LMQT(q) ((uint64_t)(q)->lmqc * (q)->lmqi_ms * MS)
#define OQPI(q) ((uint64_t)(q)->robustness * (q)->qi_ms * MS + (uint64_t)(q)->qri_ms * MS / 2)

uint64_t
ns_igmpq_gmi(const struct ns_igmpq *q)
{
	return GMI(q);
}

void
ns_igmpq_init(struct ns_igmpq *q, uint32_t addr, const struct ns_igmpq_ops *ops, void *user,
		uint8_t robustness, uint32_t qi_ms, uint32_t qri_ms, uint32_t lmqi_ms, uint64_t now)
{
	memset(q, 0, sizeof(*q));
	q->addr = addr;
	q->ops = *ops;
	q->user = user;
	q->robustness = robustness ? robustness : 2;
	q->qi_ms = qi_ms ? qi_ms : 125000;
	q->qri_ms = qri_ms ? qri_ms : 10000;
	if (q->qri_ms >= q->qi_ms) /* 8.3: the response interval must be shorter */
		q->qri_ms = q->qi_ms / 2;
	q->lmqi_ms = lmqi_ms ? lmqi_ms : 1000;
	q->lmqc = q->robustness;
	q->cfg_robustness = q->robustness;
	q->cfg_qi_ms = q->qi_ms;
	q->cfg_qri_ms = q->qri_ms;
	/* 6.6.2: a router starts as the querier; startup queries (8.6, 8.7) */
	q->querier = true;
	q->startup_left = q->robustness;
	q->next_query = now;
}

/* --- state ---------------------------------------------------------------------- */

static struct ns_igmpq_group *
find(struct ns_igmpq *q, uint32_t group, bool create)
{
	struct ns_igmpq_group *free_slot = NULL;

	for (int k = 0; k < NS_IGMPQ_MAX_GROUPS; k++) {
		if (q->g[k].group == group)
			return &q->g[k];
		if (q->g[k].group == 0 && free_slot == NULL)
			free_slot = &q->g[k];
	}
	if (!create)
		return NULL;
	if (free_slot == NULL) {
		q->table_full++;
		return NULL;
	}
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->group = group;
	free_slot->mode = NS_IGMP_INCLUDE;
	return free_slot;
}

static int
src_idx(const struct ns_igmpq_group *g, uint32_t a)
{
	for (int k = 0; k < g->n_src; k++)
		if (g->src[k].addr == a)
			return k;
	return -1;
}

static void
src_del(struct ns_igmpq_group *g, int k)
{
	g->src[k] = g->src[--g->n_src];
}

/* Sets (a) = until, adding it when absent (if there is room). */
static void
src_set(struct ns_igmpq *q, struct ns_igmpq_group *g, uint32_t a, uint64_t until)
{
	int k = src_idx(g, a);

	if (k < 0) {
		if (g->n_src == NS_IGMPQ_MAX_SRC) {
			q->table_full++;
			return;
		}
		k = g->n_src++;
		g->src[k].addr = a;
	}
	g->src[k].until = until;
}

static bool
in_list(const uint32_t *l, uint32_t n, uint32_t a)
{
	for (uint32_t k = 0; k < n; k++)
		if (l[k] == a)
			return true;
	return false;
}

/* Q(G): the group timer lowered to LMQT, lmqc queries (6.6.3.1). */
static void
query_group(struct ns_igmpq *q, struct ns_igmpq_group *g, uint64_t now)
{
	if (g->mode == NS_IGMP_EXCLUDE && g->group_until > now + LMQT(q))
		g->group_until = now + LMQT(q);
	g->q_left = q->lmqc;
	g->q_next = now;
}

/* Q(G,S) for the sources of s (n) that are forwarded: their timers lowered
 * to LMQT, lmqc queries listing them (6.6.3.2). */
static void
query_sources(struct ns_igmpq *q, struct ns_igmpq_group *g, const uint32_t *s, uint32_t n,
		uint64_t now)
{
	uint32_t added = 0;

	if (g->qs_left == 0)
		g->n_qs = 0; /* else the pending query's sources stay (6.6.3.2: merged) */
	for (uint32_t k = 0; k < n; k++) {
		int i = src_idx(g, s[k]);

		if (i < 0 || g->src[i].until == 0 || g->n_qs == NS_IGMPQ_MAX_SRC)
			continue;
		if (g->src[i].until > now + LMQT(q))
			g->src[i].until = now + LMQT(q);
		if (!in_list(g->qs, g->n_qs, s[k])) {
			g->qs[g->n_qs++] = s[k];
			added++;
		}
	}
	if (added != 0) {
		g->qs_left = q->lmqc;
		g->qs_next = now;
	}
}

/* The sources of g (forwarded ones: until != 0, or all) that are, or are
 * not, in list a; into out. */
static uint32_t
select_src(const struct ns_igmpq_group *g, const uint32_t *a, uint32_t n, bool in,
		bool forwarded_only, uint32_t *out)
{
	uint32_t m = 0;

	for (int k = 0; k < g->n_src; k++)
		if (in_list(a, n, g->src[k].addr) == in &&
				(!forwarded_only || g->src[k].until != 0))
			out[m++] = g->src[k].addr;
	return m;
}

static void
host_set(struct ns_igmpq_group *g, uint32_t h, bool member, uint64_t until)
{
	for (int k = 0; k < g->n_hosts; k++)
		if (g->host[k] == h) {
			if (member) {
				g->host_until[k] = until;
			} else {
				g->n_hosts--;
				g->host[k] = g->host[g->n_hosts];
				g->host_until[k] = g->host_until[g->n_hosts];
			}
			return;
		}
	if (member && h != 0 && g->n_hosts < NS_IGMPQ_MAX_HOSTS) {
		g->host[g->n_hosts] = h;
		g->host_until[g->n_hosts++] = until;
	}
}

/* One group record (6.4.1 and 6.4.2) from host h. */
static void
record(struct ns_igmpq *q, uint32_t h, uint8_t type, uint32_t group, const uint32_t *a, uint32_t n,
		uint64_t now)
{
	struct ns_igmpq_group *g;
	uint32_t sel[NS_IGMPQ_MAX_SRC] = {0};
	uint64_t gmi = now + GMI(q);
	bool wants;

	if (!igmp_group_tracked(group))
		return;
	g = find(q, group,
			type == NS_IGMP_IS_EX || type == NS_IGMP_TO_EX ||
					(n != 0 && type != NS_IGMP_BLOCK));
	if (g == NULL)
		return;
	if (g->v2_until > now) { /* 7.3.2: IGMPv2 hosts present */
		if (type == NS_IGMP_BLOCK)
			return;
		if (type == NS_IGMP_TO_EX)
			n = 0;
	}
	switch (type) {
	case NS_IGMP_IS_IN:
	case NS_IGMP_ALLOW:
		/* INCLUDE(A): A+B, (B)=GMI.  EXCLUDE(X,Y): X+A, Y-A, (A)=GMI. */
		for (uint32_t k = 0; k < n; k++)
			src_set(q, g, a[k], gmi);
		break;
	case NS_IGMP_TO_IN:
		for (uint32_t k = 0; k < n; k++)
			src_set(q, g, a[k], gmi);
		if (g->mode == NS_IGMP_INCLUDE) { /* Q(G,A-B) */
			uint32_t m = select_src(g, a, n, false, true, sel);

			query_sources(q, g, sel, m, now);
		} else { /* Q(G,X-A), Q(G) */
			uint32_t m = select_src(g, a, n, false, true, sel);

			query_sources(q, g, sel, m, now);
			query_group(q, g, now);
		}
		break;
	case NS_IGMP_IS_EX:
	case NS_IGMP_TO_EX: {
		bool to = type == NS_IGMP_TO_EX;
		uint32_t m;

		if (g->mode == NS_IGMP_INCLUDE) {
			/* EXCLUDE(A*B, B-A): (B-A)=0, delete (A-B); TO_EX: Q(G,A*B) */
			for (int k = g->n_src - 1; k >= 0; k--)
				if (!in_list(a, n, g->src[k].addr))
					src_del(g, k);
			m = select_src(g, a, n, true, true, sel);
			for (uint32_t k = 0; k < n; k++)
				if (src_idx(g, a[k]) < 0)
					src_set(q, g, a[k], 0);
			g->mode = NS_IGMP_EXCLUDE;
		} else {
			/* EXCLUDE(A-Y, Y*A): (A-X-Y)=GMI (IS_EX) or Group Timer (TO_EX),
			 * delete (X-A), (Y-A); TO_EX: Q(G,A-Y) */
			uint64_t t = to ? g->group_until : gmi;

			for (int k = g->n_src - 1; k >= 0; k--)
				if (!in_list(a, n, g->src[k].addr))
					src_del(g, k);
			for (uint32_t k = 0; k < n; k++)
				if (src_idx(g, a[k]) < 0)
					src_set(q, g, a[k], t);
			m = select_src(g, a, n, true, true, sel);
		}
		g->group_until = gmi;
		if (to)
			query_sources(q, g, sel, m, now);
		break;
	}
	case NS_IGMP_BLOCK:
		if (g->mode == NS_IGMP_INCLUDE) { /* Q(G,A*B) */
			uint32_t m = select_src(g, a, n, true, true, sel);

			query_sources(q, g, sel, m, now);
		} else { /* X+(A-Y), (A-X-Y)=Group Timer, Q(G,A-Y) */
			uint32_t m = 0;

			for (uint32_t k = 0; k < n; k++) {
				int i = src_idx(g, a[k]);

				if (i < 0)
					src_set(q, g, a[k], g->group_until);
				if (i < 0 || g->src[i].until != 0)
					sel[m++] = a[k];
			}
			query_sources(q, g, sel, m, now);
		}
		break;
	default:
		return;
	}
	/* Explicit tracking: the host wants the group unless it asked for no
	 * source at all (TO_IN {}, IS_IN {}, a leave). */
	wants = type == NS_IGMP_IS_EX || type == NS_IGMP_TO_EX || n != 0;
	if (type == NS_IGMP_BLOCK || (type == NS_IGMP_ALLOW && !wants))
		wants = true; /* the host's other records still stand */
	host_set(g, h, wants, gmi);
	if (g->mode == NS_IGMP_INCLUDE && g->n_src == 0 && g->q_left == 0 && g->qs_left == 0) {
		g->group = 0; /* nothing left to forward */
		q->expired++;
	}
	if (q->ops.changed != NULL)
		q->ops.changed(q->user);
}

/* --- packets -------------------------------------------------------------------- */

static void
send_query(struct ns_igmpq *q, uint32_t group, const uint32_t *s, uint32_t n)
{
	uint8_t b[24 + 12 + 4 * NS_IGMPQ_MAX_SRC];
	uint8_t *m = b + 24;
	uint32_t len = 12 + 4 * n;

	memset(m, 0, 12);
	m[0] = T_QUERY;
	/* Max Resp Code: tenths of a second; the response interval, or the last
	 * member interval for a group-specific query. */
	m[1] = igmp_code_encode((group == 0 ? q->qri_ms : q->lmqi_ms) / 100);
	memcpy(m + 4, &group, 4);
	m[8] = q->robustness <= 7 ? q->robustness : 0; /* S = 0, QRV */
	m[9] = igmp_code_encode(q->qi_ms / 1000);      /* QQIC, seconds */
	ns_put_be16(m + 10, (uint16_t)n);
	for (uint32_t k = 0; k < n; k++)
		memcpy(m + 12 + 4 * k, &s[k], 4);
	ns_put_be16(m + 2, ns_cksum_be(m, len));
	igmp_ip_hdr(b, q->addr, group == 0 ? ALL_SYSTEMS : group, len);
	q->ops.xmit(q->user, b, 24 + len);
	if (group == 0)
		q->general_sent++;
	else
		q->specific_sent++;
}

/* 6.6.1: the querier's group(-and-source)-specific query, S clear, seen by
 * a non-querier: the group timer (or the listed sources' timers) lowered to
 * the Last Member Query Time, as the querier's own are. */
static void
querier_specific(struct ns_igmpq *q, uint32_t group, const uint8_t *m, uint32_t l4, uint64_t now)
{
	struct ns_igmpq_group *g = find(q, group, false);
	uint32_t ns = l4 >= 12 ? ns_get_be16(m + 10) : 0;

	if (g == NULL)
		return;
	if (ns == 0) {
		if (g->mode == NS_IGMP_EXCLUDE && g->group_until > now + LMQT(q))
			g->group_until = now + LMQT(q);
		return;
	}
	for (uint32_t k = 0; k < ns && 12 + 4 * (k + 1) <= l4; k++) {
		uint32_t a;
		int i;

		memcpy(&a, m + 12 + 4 * k, 4);
		i = src_idx(g, a);
		if (i >= 0 && g->src[i].until > now + LMQT(q))
			g->src[i].until = now + LMQT(q);
	}
}

void
ns_igmpq_input(struct ns_igmpq *q, const uint8_t *ip, uint32_t len, uint64_t now)
{
	uint32_t ihl, tot, l4, src, group;
	const uint8_t *m;

	if (len < 20 || (ip[0] >> 4) != 4 || ip[9] != 2) {
		q->bad++;
		return;
	}
	ihl = (uint32_t)(ip[0] & 15) * 4;
	tot = ns_get_be16(ip + 2);
	if (ihl < 20 || tot > len || tot < ihl + 8) {
		q->bad++;
		return;
	}
	l4 = tot - ihl;
	m = ip + ihl;
	if (ns_cksum_be(m, l4) != 0) {
		q->bad++;
		return;
	}
	memcpy(&src, ip + 12, 4);
	memcpy(&group, m + 4, 4);
	switch (m[0]) {
	case T_QUERY:
		/* 6.6.2: a query from a lower address: that router is the querier. */
		if (src != q->addr && src != 0 && ns_get_be32(ip + 12) < ns_get_be32(&q->addr)) {
			if (q->querier)
				q->elections_lost++;
			q->querier = false;
			q->other = src;
			if (l4 >= 12) { /* v3: its QRV and QQI are ours now, unless 0 */
				if ((m[8] & 7) != 0)
					q->robustness = q->lmqc = m[8] & 7;
				if (m[9] != 0)
					q->qi_ms = igmp_code_value(m[9]) * 1000;
				if (q->qri_ms >= q->qi_ms)
					q->qri_ms = q->qi_ms / 2;
			}
			q->other_until = now + OQPI(q);
			if (group != 0 && !(l4 >= 12 && (m[8] & 8)))
				querier_specific(
						q, group, m, l4, now); /* S clear: timers lowered */
			if (q->ops.changed != NULL)
				q->ops.changed(q->user);
		}
		return;
	case T_V1_REPORT:
	case T_V2_REPORT: {
		struct ns_igmpq_group *g;

		q->v1v2_reports++;
		record(q, src, NS_IGMP_IS_EX, group, NULL, 0, now);
		g = find(q, group, false);
		if (g != NULL)
			g->v2_until = now + GMI(q); /* Older Host Present Interval (8.13) */
		return;
	}
	case T_V2_LEAVE:
		q->leaves++;
		record(q, src, NS_IGMP_TO_IN, group, NULL, 0, now);
		return;
	case T_V3_REPORT: {
		uint32_t nrec = ns_get_be16(m + 6), off = 8;

		q->reports++;
		for (uint32_t r = 0; r < nrec; r++) {
			uint32_t ns, need, a[NS_IGMPQ_MAX_SRC];

			if (off + 8 > l4) {
				q->bad++;
				return;
			}
			ns = ns_get_be16(m + off + 2);
			need = 8 + 4 * ns + 4u * m[off + 1];
			if (off + need > l4) {
				q->bad++;
				return;
			}
			memcpy(&group, m + off + 4, 4);
			if (ns > NS_IGMPQ_MAX_SRC) { /* more than we keep: the first ones */
				q->table_full++;
				ns = NS_IGMPQ_MAX_SRC;
			}
			memcpy(a, m + off + 8, 4 * ns);
			q->records++;
			record(q, src, m[off], group, a, ns, now);
			off += need;
		}
		return;
	}
	default:
		return; /* other versions' messages, DVMRP, mtrace: not ours */
	}
}

void
ns_igmpq_tick(struct ns_igmpq *q, uint64_t now)
{
	bool changed = false;

	if (!q->querier && now >= q->other_until) { /* the other querier went quiet */
		q->querier = true;
		q->other = 0;
		q->robustness = q->lmqc = q->cfg_robustness;
		q->qi_ms = q->cfg_qi_ms;
		q->qri_ms = q->cfg_qri_ms;
		q->next_query = now;
		changed = true;
	}
	if (q->querier && now >= q->next_query) {
		send_query(q, 0, NULL, 0);
		if (q->startup_left > 1) {
			q->startup_left--;
			q->next_query = now + (uint64_t)q->qi_ms * MS / 4;
		} else {
			q->startup_left = 0;
			q->next_query = now + (uint64_t)q->qi_ms * MS;
		}
	}
	for (int k = 0; k < NS_IGMPQ_MAX_GROUPS; k++) {
		struct ns_igmpq_group *g = &q->g[k];

		if (g->group == 0)
			continue;
		if (g->q_left != 0 && now >= g->q_next) {
			if (q->querier)
				send_query(q, g->group, NULL, 0);
			g->q_left--;
			g->q_next = now + (uint64_t)q->lmqi_ms * MS;
		}
		if (g->qs_left != 0 && now >= g->qs_next) {
			if (q->querier)
				send_query(q, g->group, g->qs, g->n_qs);
			g->qs_left--;
			g->qs_next = now + (uint64_t)q->lmqi_ms * MS;
		}
		for (int i = g->n_src - 1; i >= 0; i--)
			if (g->src[i].until != 0 && g->src[i].until <= now) {
				/* 6.3: INCLUDE: the source goes; EXCLUDE: it is excluded */
				if (g->mode == NS_IGMP_INCLUDE)
					src_del(g, i);
				else
					g->src[i].until = 0;
				changed = true;
			}
		if (g->mode == NS_IGMP_EXCLUDE && g->group_until <= now) {
			/* 6.5: back to INCLUDE with the sources still running */
			for (int i = g->n_src - 1; i >= 0; i--)
				if (g->src[i].until == 0)
					src_del(g, i);
			g->mode = NS_IGMP_INCLUDE;
			changed = true;
		}
		for (int i = g->n_hosts - 1; i >= 0; i--)
			if (g->host_until[i] <= now) {
				host_set(g, g->host[i], false, 0);
				changed = true;
			}
		if (g->mode == NS_IGMP_INCLUDE && g->n_src == 0 && g->q_left == 0 &&
				g->qs_left == 0) {
			g->group = 0;
			q->expired++;
			changed = true;
		}
	}
	if (changed && q->ops.changed != NULL)
		q->ops.changed(q->user);
}

const struct ns_igmpq_group *
ns_igmpq_group(const struct ns_igmpq *q, uint32_t group)
{
	for (int k = 0; k < NS_IGMPQ_MAX_GROUPS; k++)
		if (q->g[k].group == group && group != 0)
			return &q->g[k];
	return NULL;
}

bool
ns_igmpq_forwards(const struct ns_igmpq *q, uint32_t group, uint32_t src, uint64_t now)
{
	const struct ns_igmpq_group *g = ns_igmpq_group(q, group);
	int k;

	if (g == NULL)
		return false;
	if (src == 0)
		return g->mode == NS_IGMP_EXCLUDE || g->n_src != 0;
	k = src_idx(g, src);
	if (g->mode == NS_IGMP_INCLUDE)
		return k >= 0 && g->src[k].until > now;
	return k < 0 || g->src[k].until != 0; /* EXCLUDE: all but Y */
}
