/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kv keyspace: binary-safe string keys and values with optional absolute
 * expiry times (CLOCK_REALTIME milliseconds).
 *
 * A chained hash table with a random SipHash key per keyspace, so clients
 * cannot choose colliding keys, grows and shrinks by incremental rehashing (a
 * few buckets per write).  Nothing visible depends on the table's layout, so
 * replicas need not share that key: the digest has a fixed key of its own and
 * is independent of the order of the keys.  Keys with an expiry are also in a min-heap on that
 * time: ns_kv_expire_step() removes the earliest expired ones.
 *
 * Memory is accounted per entry: key + value + NS_KV_ENTRY_OVERHEAD bytes,
 * the same on every replica whatever malloc does.
 */
#ifndef NS_KV_DB_H
#define NS_KV_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "kv_counters.h"

#define NS_KV_ENTRY_OVERHEAD   64	    /* entry header, bucket slot, allocator */
#define NS_KV_DEFAULT_MAX_BULK (512 * 1024) /* max_bulk 0 means this */

struct ns_kv_cfg {
	uint64_t maxmemory; /* bytes the keyspace may use (ns_kv_used_memory); 0: unlimited */
	uint32_t max_bulk;  /* largest argument; 0: NS_KV_DEFAULT_MAX_BULK */
};

struct ns_kv_entry {
	struct ns_kv_entry *next; /* hash chain */
	uint64_t hash;
	int64_t expire_ms; /* absolute; 0: no expiry */
	uint32_t heap_idx; /* position in the expiry heap while expire_ms != 0 */
	uint32_t klen;
	uint32_t vlen;
	uint8_t data[]; /* key, then value */
};

struct ns_kv_table {
	struct ns_kv_entry **b;
	uint64_t size; /* a power of two, or 0 */
	uint64_t used;
};

struct ns_kv {
	struct ns_kv_cfg cfg;
	struct ns_kv_table t[2];    /* t[1] is the target while rehashing */
	int64_t rehash_idx;	    /* next bucket of t[0] to move; -1: not rehashing */
	bool layout_held;	    /* no key moves between buckets (ns_kv_hold_layout) */
	struct ns_kv_table dead[2]; /* cleared tables whose entries are being freed */
	uint64_t dead_bkt;	    /* the next bucket of dead[] to free */
	uint64_t used_memory;
	uint8_t digest[24];	   /* XOR of the entries' digests (ns_kv_digest) */
	struct ns_kv_entry **heap; /* min-heap on expire_ms */
	uint32_t heap_n;
	uint32_t heap_cap;
	uint8_t seed[16]; /* SipHash key of the table, random: no chosen collisions */
	uint64_t ctr[NS_KV_C__MAX];
};

struct ns_kv *ns_kv_new(const struct ns_kv_cfg *cfg); /* NULL on ENOMEM */
void ns_kv_free(struct ns_kv *db);

uint64_t ns_kv_dbsize(const struct ns_kv *db);	/* stored keys, expired or not (as Redis) */
uint64_t ns_kv_expires(const struct ns_kv *db); /* stored keys with an expiry */
uint64_t ns_kv_used_memory(const struct ns_kv *db);
const uint64_t *ns_kv_counters(const struct ns_kv *db); /* NS_KV_C__MAX entries */
/* Add n to counter c: the caller's own counts (protocol_errors, bytes_in). */
void ns_kv_count(struct ns_kv *db, enum ns_kv_ctr c, uint64_t n);

/*
 * An order-independent digest of the stored keys and values (not expiry
 * times): 160 bits as 40 hex digits and a NUL, all zeros when empty.  Keys
 * past their expiry count until they are removed, by a write that replaces
 * or deletes them or by ns_kv_expire_step(): replicas with the same cfg that
 * apply the same writes and the same expire steps have the same digest.
 * O(keys).
 */
void ns_kv_digest(const struct ns_kv *db, char hex[41]);

/*
 * Remove up to max_keys keys whose expiry is at or before now_ms, earliest
 * first.  Returns how many it removed.
 */
uint32_t ns_kv_expire_step(struct ns_kv *db, uint64_t now_ms, uint32_t max_keys);

/* Bytes one entry accounts for. */
static inline uint64_t
ns_kv_entry_size(uint64_t klen, uint64_t vlen)
{
	return klen + vlen + NS_KV_ENTRY_OVERHEAD;
}

static inline bool
ns_kv_entry_expired(const struct ns_kv_entry *e, int64_t now_ms)
{
	return e->expire_ms != 0 && e->expire_ms <= now_ms;
}

static inline const uint8_t *
ns_kv_entry_val(const struct ns_kv_entry *e)
{
	return e->data + e->klen;
}

/* The entry of a key, expired or not, or NULL. */
struct ns_kv_entry *ns_kv_find(const struct ns_kv *db, const uint8_t *k, uint32_t klen);
/* The entry of a key that has not expired at now_ms, or NULL. */
struct ns_kv_entry *ns_kv_lookup(
		const struct ns_kv *db, const uint8_t *k, uint32_t klen, int64_t now_ms);
/*
 * Writes allocate first and change the keyspace only once nothing can fail:
 * ns_kv_entry_new() (NULL on ENOMEM) and ns_kv_reserve_expires() may fail,
 * ns_kv_put(), ns_kv_set_expire() and ns_kv_delete() cannot.
 */
struct ns_kv_entry *ns_kv_entry_new(const struct ns_kv *db, const uint8_t *k, uint32_t klen,
		const uint8_t *v, uint32_t vlen);
/* Room in the expiry heap for n more keys with an expiry: 0, or -1 (ENOMEM). */
int ns_kv_reserve_expires(struct ns_kv *db, uint32_t n);
/* Insert e with expiry expire_ms (0: none; else reserved), replacing the key's old entry. */
void ns_kv_put(struct ns_kv *db, struct ns_kv_entry *e, int64_t expire_ms);
/* ns_kv_entry_new() and ns_kv_put(): 0, or -1 (ENOMEM) with nothing changed. */
int ns_kv_store(struct ns_kv *db, const uint8_t *k, uint32_t klen, const uint8_t *v, uint32_t vlen,
		int64_t expire_ms);
/* Remove an entry; expired says whether to count it in keys_expired. */
void ns_kv_delete(struct ns_kv *db, struct ns_kv_entry *e, bool expired);
/* Set (when != 0; reserved if e had none) or clear the expiry of an entry. */
void ns_kv_set_expire(struct ns_kv *db, struct ns_kv_entry *e, int64_t when);
/*
 * Hold the table's layout: until released, no rehash step moves a key to
 * another bucket and no resize starts (lookups and writes go on), so that
 * a walk over the buckets across many calls sees every key at least once.
 */
void ns_kv_hold_layout(struct ns_kv *db, bool hold);
/* Remove every key. */
void ns_kv_clear(struct ns_kv *db);
/* Free up to about max_entries of what clears left (whole buckets); true
 * when nothing is left. */
bool ns_kv_reclaim(struct ns_kv *db, uint64_t max_entries);

#endif /* NS_KV_DB_H */
