/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bounded ARP cache with aging and resolution of our own transmissions.
 *
 * Single writer (the lcore that owns the port's queue 0), lock-free
 * readers: every slot carries a sequence count, so the control plane copies
 * a consistent entry without stopping the fast path.  Open addressing with
 * linear probing and backward-shift deletion: O(1) expected, no allocation
 * after init.  Packets waiting for a resolution are opaque pointers (mbufs
 * at the DPDK edge) handed back through callbacks.
 */
#ifndef NS_ARP_CACHE_H
#define NS_ARP_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_ether.h>

#define NS_ARP_PENDING_MAX 4

enum ns_arp_state {
	NS_ARP_FREE = 0,
	NS_ARP_INCOMPLETE, /* request sent, packets may be waiting */
	NS_ARP_REACHABLE,  /* MAC known */
};

struct ns_arp_entry {
	uint32_t seq; /* odd while the writer changes the slot */
	rte_be32_t ip;
	struct rte_ether_addr mac;
	uint8_t state;
	uint8_t tries;
	uint8_t npend;
	uint8_t permanent;   /* configured: never aged, never relearned */
	uint64_t updated_ns; /* last confirmation (REACHABLE) or creation */
	uint64_t next_try_ns;
	void *pend[NS_ARP_PENDING_MAX];
};

struct ns_arp_params {
	uint32_t max_entries; /* bound on live entries */
	uint64_t timeout_ns;  /* REACHABLE entries older than this are removed */
	uint64_t retry_ns;    /* interval between requests while INCOMPLETE */
	uint8_t max_tries;    /* requests before giving up */
};

/* Callbacks into the edge; 'user' is ns_arp_cache.user. */
struct ns_arp_ops {
	/* A waiting packet's next hop resolved: fill in dst and transmit. */
	void (*release)(void *user, void *pkt, const struct rte_ether_addr *dst);
	/* A waiting packet is abandoned: free it. */
	void (*discard)(void *user, void *pkt);
	/* Send an ARP request for ip (the host stack builds it). */
	void (*solicit)(void *user, rte_be32_t ip);
};

struct ns_arp_cache {
	struct ns_arp_entry *slot;
	uint32_t mask;	/* capacity - 1, capacity a power of two >= 2 * max_entries */
	uint32_t count; /* live entries */
	struct ns_arp_params p;
	struct ns_arp_ops ops;
	void *user;
	uint64_t *ctr; /* host counter block (enum ns_net_ctr) */
	uint64_t next_scan_ns;
};

enum ns_arp_res {
	NS_ARP_HIT,	/* *mac filled in; transmit now */
	NS_ARP_QUEUED,	/* packet kept until resolution or failure */
	NS_ARP_DROPPED, /* packet not kept (counted): caller frees it */
};

int ns_arp_cache_init(struct ns_arp_cache *c, const struct ns_arp_params *p,
		const struct ns_arp_ops *ops, void *user, uint64_t *ctr);
void ns_arp_cache_fini(struct ns_arp_cache *c);

/* Look up the next hop for one of our transmissions. */
enum ns_arp_res ns_arp_resolve(struct ns_arp_cache *c, rte_be32_t ip, void *pkt, uint64_t now,
		struct rte_ether_addr *mac);

/*
 * Learn ip -> mac from received ARP.  'create' follows RFC 826: entries are
 * created only when we are the target; otherwise only refreshed.
 * Returns true when the address is (now) in the cache.
 */
bool ns_arp_learn(struct ns_arp_cache *c, rte_be32_t ip, const struct rte_ether_addr *mac,
		bool create, uint64_t now);

/* Aging and request retries.  Cheap to call every poll: it works every scan_ns. */
void ns_arp_tick(struct ns_arp_cache *c, uint64_t now);
/* A configured neighbour (as 'ip neigh add ... nud permanent'); false when
 * the table is full. */
bool ns_arp_add_static(struct ns_arp_cache *c, rte_be32_t ip, const struct rte_ether_addr *mac,
		uint64_t now);

/* Remove every entry (pending packets discarded). */
void ns_arp_flush(struct ns_arp_cache *c);

/* Reader side: consistent copy of slot i (false when free). */
bool ns_arp_read_slot(const struct ns_arp_cache *c, uint32_t i, struct ns_arp_entry *out);

/* Reader side, from another lcore: the MAC of a REACHABLE entry for ip.  A
 * miss (also while the writer moves the entry) is the caller's to handle. */
bool ns_arp_lookup(const struct ns_arp_cache *c, rte_be32_t ip, struct rte_ether_addr *mac);

static inline uint32_t
ns_arp_capacity(const struct ns_arp_cache *c)
{
	return c->mask + 1;
}

#endif /* NS_ARP_CACHE_H */
