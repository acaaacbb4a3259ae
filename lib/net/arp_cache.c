/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "net/arp_cache.h"
#include "net/net_counters.h"

#define NS_ARP_SCAN_NS (100ull * 1000 * 1000) /* aging/retry scan period */

static inline uint32_t
arp_hash(const struct ns_arp_cache *c, rte_be32_t ip)
{
	/* Fibonacci hashing of the address; the mask keeps the low bits. */
	return (uint32_t)(((uint64_t)ip * 0x9E3779B97F4A7C15ull) >> 32) & c->mask;
}

static inline void
slot_write_begin(struct ns_arp_entry *e)
{
	__atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void
slot_write_end(struct ns_arp_entry *e)
{
	__atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELEASE);
}

int
ns_arp_cache_init(struct ns_arp_cache *c, const struct ns_arp_params *p,
		const struct ns_arp_ops *ops, void *user, uint64_t *ctr)
{
	uint32_t cap = 8;

	memset(c, 0, sizeof(*c));
	if (p->max_entries == 0 || p->max_entries > (1u << 24) || p->max_tries == 0)
		return -1;
	while (cap < 2 * p->max_entries)
		cap <<= 1;
	c->slot = calloc(cap, sizeof(*c->slot));
	if (c->slot == NULL)
		return -1;
	c->mask = cap - 1;
	c->p = *p;
	c->ops = *ops;
	c->user = user;
	c->ctr = ctr;
	return 0;
}

void
ns_arp_cache_fini(struct ns_arp_cache *c)
{
	if (c->slot != NULL)
		ns_arp_flush(c);
	free(c->slot);
	c->slot = NULL;
}

static struct ns_arp_entry *
arp_find(struct ns_arp_cache *c, rte_be32_t ip)
{
	uint32_t i = arp_hash(c, ip);

	for (;;) {
		struct ns_arp_entry *e = &c->slot[i];

		if (e->state == NS_ARP_FREE)
			return NULL;
		if (e->ip == ip)
			return e;
		i = (i + 1) & c->mask;
	}
}

static struct ns_arp_entry *
arp_insert(struct ns_arp_cache *c, rte_be32_t ip, uint64_t now)
{
	uint32_t i = arp_hash(c, ip);
	struct ns_arp_entry *e;

	if (c->count >= c->p.max_entries) {
		c->ctr[NS_NET_arp_cache_full]++;
		return NULL;
	}
	while (c->slot[i].state != NS_ARP_FREE)
		i = (i + 1) & c->mask;
	e = &c->slot[i];
	slot_write_begin(e);
	e->ip = ip;
	memset(&e->mac, 0, sizeof(e->mac));
	e->state = NS_ARP_INCOMPLETE;
	e->tries = 0;
	e->npend = 0;
	e->permanent = 0;
	e->updated_ns = now;
	e->next_try_ns = now;
	slot_write_end(e);
	c->count++;
	return e;
}

/* Backward-shift deletion keeps every probe chain unbroken. */
static void
arp_delete(struct ns_arp_cache *c, struct ns_arp_entry *victim)
{
	uint32_t hole = (uint32_t)(victim - c->slot);
	uint32_t i = hole;

	for (;;) {
		struct ns_arp_entry *e;
		uint32_t home;

		i = (i + 1) & c->mask;
		e = &c->slot[i];
		if (e->state == NS_ARP_FREE)
			break;
		home = arp_hash(c, e->ip);
		/* Move e into the hole unless its home lies cyclically in (hole, i]. */
		if (((i - home) & c->mask) >= ((i - hole) & c->mask)) {
			struct ns_arp_entry *h = &c->slot[hole];

			slot_write_begin(h);
			memcpy((char *)h + sizeof(h->seq), (char *)e + sizeof(e->seq),
					sizeof(*e) - sizeof(e->seq));
			slot_write_end(h);
			hole = i;
		}
	}
	slot_write_begin(&c->slot[hole]);
	c->slot[hole].state = NS_ARP_FREE;
	c->slot[hole].npend = 0;
	slot_write_end(&c->slot[hole]);
	c->count--;
}

enum ns_arp_res
ns_arp_resolve(struct ns_arp_cache *c, rte_be32_t ip, void *pkt, uint64_t now,
		struct rte_ether_addr *mac)
{
	struct ns_arp_entry *e = arp_find(c, ip);

	if (e != NULL && e->state == NS_ARP_REACHABLE) {
		*mac = e->mac;
		return NS_ARP_HIT;
	}
	if (e == NULL) {
		e = arp_insert(c, ip, now);
		if (e == NULL)
			return NS_ARP_DROPPED;
	}
	if (e->npend >= NS_ARP_PENDING_MAX) {
		c->ctr[NS_NET_arp_pending_full]++;
		return NS_ARP_DROPPED;
	}
	e->pend[e->npend++] = pkt;
	if (e->tries == 0) {
		e->tries = 1;
		e->next_try_ns = now + c->p.retry_ns;
		c->ctr[NS_NET_arp_request_tx]++;
		c->ops.solicit(c->user, ip);
	}
	return NS_ARP_QUEUED;
}

bool
ns_arp_learn(struct ns_arp_cache *c, rte_be32_t ip, const struct rte_ether_addr *mac, bool create,
		uint64_t now)
{
	struct ns_arp_entry *e = arp_find(c, ip);
	void *pend[NS_ARP_PENDING_MAX];
	uint8_t n;

	if (e == NULL) {
		if (!create)
			return false;
		e = arp_insert(c, ip, now);
		if (e == NULL)
			return false;
	}
	if (e->permanent) /* the configuration's, not the wire's */
		return true;
	n = e->npend;
	memcpy(pend, e->pend, n * sizeof(pend[0]));
	slot_write_begin(e);
	e->mac = *mac;
	e->state = NS_ARP_REACHABLE;
	e->updated_ns = now;
	e->tries = 0;
	e->npend = 0;
	slot_write_end(e);
	c->ctr[NS_NET_arp_learned]++;
	for (uint8_t k = 0; k < n; k++)
		c->ops.release(c->user, pend[k], mac);
	return true;
}

static void
arp_abandon(struct ns_arp_cache *c, struct ns_arp_entry *e)
{
	for (uint8_t k = 0; k < e->npend; k++) {
		c->ctr[NS_NET_arp_resolve_failed]++;
		c->ops.discard(c->user, e->pend[k]);
	}
	e->npend = 0;
	arp_delete(c, e);
}

void
ns_arp_tick(struct ns_arp_cache *c, uint64_t now)
{
	if (now < c->next_scan_ns)
		return;
	c->next_scan_ns = now + NS_ARP_SCAN_NS;

	for (uint32_t i = 0; i <= c->mask;) {
		struct ns_arp_entry *e = &c->slot[i];

		if (e->state == NS_ARP_REACHABLE && !e->permanent &&
				now - e->updated_ns >= c->p.timeout_ns) {
			c->ctr[NS_NET_arp_aged]++;
			arp_delete(c, e); /* slot i may now hold a shifted entry */
			continue;
		}
		if (e->state == NS_ARP_INCOMPLETE && now >= e->next_try_ns) {
			if (e->tries >= c->p.max_tries) {
				arp_abandon(c, e);
				continue;
			}
			e->tries++;
			e->next_try_ns = now + c->p.retry_ns;
			c->ctr[NS_NET_arp_request_tx]++;
			c->ops.solicit(c->user, e->ip);
		}
		i++;
	}
}

bool
ns_arp_add_static(struct ns_arp_cache *c, rte_be32_t ip, const struct rte_ether_addr *mac,
		uint64_t now)
{
	struct ns_arp_entry *e;

	if (!ns_arp_learn(c, ip, mac, true, now))
		return false;
	e = arp_find(c, ip);
	e->permanent = 1;
	return true;
}

void
ns_arp_flush(struct ns_arp_cache *c)
{
	for (uint32_t i = 0; i <= c->mask;) {
		struct ns_arp_entry *e = &c->slot[i];

		if (e->state == NS_ARP_FREE) {
			i++;
			continue;
		}
		for (uint8_t k = 0; k < e->npend; k++)
			c->ops.discard(c->user, e->pend[k]);
		e->npend = 0;
		arp_delete(c, e);
	}
}

bool
ns_arp_read_slot(const struct ns_arp_cache *c, uint32_t i, struct ns_arp_entry *out)
{
	const struct ns_arp_entry *e = &c->slot[i];
	uint32_t s1, s2;

	do {
		s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		memcpy(out, e, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
		if (s1 == s2)
			break;
	} while (1);
	return out->state != NS_ARP_FREE;
}

bool
ns_arp_lookup(const struct ns_arp_cache *c, rte_be32_t ip, struct rte_ether_addr *mac)
{
	uint32_t i = arp_hash(c, ip);

	/* Bounded probe; a concurrent backward shift may hide an entry (a miss). */
	for (uint32_t n = 0; n <= c->mask; n++, i = (i + 1) & c->mask) {
		const struct ns_arp_entry *e = &c->slot[i];
		uint32_t s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE), s2;
		struct rte_ether_addr m;
		rte_be32_t eip;
		uint8_t st;

		if (s1 & 1)
			return false;
		eip = e->ip;
		st = e->state;
		m = e->mac;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
		if (s1 != s2 || st == NS_ARP_FREE)
			return false;
		if (eip == ip) {
			if (st != NS_ARP_REACHABLE)
				return false;
			*mac = m;
			return true;
		}
	}
	return false;
}
