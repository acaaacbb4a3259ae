/* SPDX-License-Identifier: BSD-3-Clause */
/* The kv keyspace: hash table, expiry heap, memory accounting, digest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/siphash.h"
#include "kv_db.h"

#define TABLE_MIN   16 /* buckets */
#define REHASH_STEP 4  /* buckets moved per write */

const struct ns_ctr_desc ns_kv_ctr_desc[NS_KV_C__MAX] = {
#define X(name, kind, help) NS_CTR_DESC(name, kind, help)
		NS_KV_COUNTERS(X)
#undef X
};

/* The digest's fixed key: every replica must digest a key the same way. */
static const uint8_t digest_key[16] = {0x6e, 0x6f, 0x6e, 0x73, 0x74, 0x6f, 0x70, 0x2d, 0x6b, 0x76,
		0x2d, 0x68, 0x61, 0x73, 0x68, 0x31};

static void digest_flip(struct ns_kv *db, const struct ns_kv_entry *e);

static uint64_t
key_hash(const struct ns_kv *db, const uint8_t *k, uint32_t klen)
{
	return ns_siphash24(db->seed, k, klen);
}

static int
table_init(struct ns_kv_table *t, uint64_t size)
{
	t->b = calloc(size, sizeof(*t->b));
	if (t->b == NULL)
		return -1;
	t->size = size;
	t->used = 0;
	return 0;
}

struct ns_kv *
ns_kv_new(const struct ns_kv_cfg *cfg)
{
	struct ns_kv *db = calloc(1, sizeof(*db));

	if (db == NULL)
		return NULL;
	if (cfg != NULL)
		db->cfg = *cfg;
	if (db->cfg.max_bulk == 0)
		db->cfg.max_bulk = NS_KV_DEFAULT_MAX_BULK;
	db->rehash_idx = -1;
	/* Without randomness the table still works, with a guessable key. */
	if (getrandom(db->seed, sizeof(db->seed), GRND_NONBLOCK) != (ssize_t)sizeof(db->seed))
		memcpy(db->seed, digest_key, sizeof(db->seed));
	if (table_init(&db->t[0], TABLE_MIN) != 0) {
		free(db);
		return NULL;
	}
	return db;
}

static void
free_entries(struct ns_kv_table *t)
{
	for (uint64_t i = 0; i < t->size; i++) {
		struct ns_kv_entry *e = t->b[i], *n;

		for (; e != NULL; e = n) {
			n = e->next;
			free(e);
		}
		t->b[i] = NULL;
	}
	t->used = 0;
}

void
ns_kv_free(struct ns_kv *db)
{
	if (db == NULL)
		return;
	for (int i = 0; i < 2; i++) {
		free_entries(&db->t[i]);
		free(db->t[i].b);
	}
	ns_kv_reclaim(db, UINT64_MAX);
	free(db->heap);
	free(db);
}

uint64_t
ns_kv_dbsize(const struct ns_kv *db)
{
	return db->t[0].used + db->t[1].used;
}

uint64_t
ns_kv_expires(const struct ns_kv *db)
{
	return db->heap_n;
}

uint64_t
ns_kv_used_memory(const struct ns_kv *db)
{
	return db->used_memory;
}

const uint64_t *
ns_kv_counters(const struct ns_kv *db)
{
	return db->ctr;
}

void
ns_kv_count(struct ns_kv *db, enum ns_kv_ctr c, uint64_t n)
{
	if ((unsigned int)c < NS_KV_C__MAX)
		db->ctr[c] += n;
}

/* ---- hash table ---- */

/* The link that points at the key's entry, and in *ti the table it is in. */
static struct ns_kv_entry **
find_link(const struct ns_kv *db, const uint8_t *k, uint32_t klen, uint64_t h, int *ti)
{
	for (int i = 0; i < 2; i++) {
		const struct ns_kv_table *t = &db->t[i];
		struct ns_kv_entry **link;

		if (t->size == 0)
			continue;
		for (link = &t->b[h & (t->size - 1)]; *link != NULL; link = &(*link)->next) {
			const struct ns_kv_entry *e = *link;

			if (e->hash == h && e->klen == klen && memcmp(e->data, k, klen) == 0) {
				*ti = i;
				return link;
			}
		}
	}
	return NULL;
}

struct ns_kv_entry *
ns_kv_find(const struct ns_kv *db, const uint8_t *k, uint32_t klen)
{
	int ti;
	struct ns_kv_entry **link = find_link(db, k, klen, key_hash(db, k, klen), &ti);

	return link ? *link : NULL;
}

struct ns_kv_entry *
ns_kv_lookup(const struct ns_kv *db, const uint8_t *k, uint32_t klen, int64_t now_ms)
{
	struct ns_kv_entry *e = ns_kv_find(db, k, klen);

	return e != NULL && !ns_kv_entry_expired(e, now_ms) ? e : NULL;
}

/* Move up to n buckets of t[0] into t[1]; finish the rehash when t[0] is empty. */
static void
rehash_step(struct ns_kv *db, unsigned int n)
{
	unsigned int empty_visits = n * 10;

	if (db->rehash_idx < 0 || db->layout_held)
		return;
	while (n-- > 0 && db->t[0].used > 0) {
		struct ns_kv_entry *e, *next;

		while (db->t[0].b[db->rehash_idx] == NULL) {
			db->rehash_idx++;
			if (--empty_visits == 0)
				return;
		}
		for (e = db->t[0].b[db->rehash_idx]; e != NULL; e = next) {
			uint64_t i = e->hash & (db->t[1].size - 1);

			next = e->next;
			e->next = db->t[1].b[i];
			db->t[1].b[i] = e;
			db->t[0].used--;
			db->t[1].used++;
		}
		db->t[0].b[db->rehash_idx] = NULL;
		db->rehash_idx++;
		db->ctr[NS_KV_C_rehash_steps]++;
	}
	if (db->t[0].used == 0) {
		free(db->t[0].b);
		db->t[0] = db->t[1];
		memset(&db->t[1], 0, sizeof(db->t[1]));
		db->rehash_idx = -1;
	}
}

void
ns_kv_hold_layout(struct ns_kv *db, bool hold)
{
	db->layout_held = hold;
}

/* Start moving to a table of size buckets (a failed allocation just waits). */
static void
rehash_start(struct ns_kv *db, uint64_t size)
{
	if (db->rehash_idx >= 0 || size == db->t[0].size)
		return;
	if (table_init(&db->t[1], size) != 0)
		return;
	db->rehash_idx = 0;
}

/* Grow at one key a bucket, shrink below one key in eight buckets. */
static void
resize_check(struct ns_kv *db)
{
	uint64_t n = ns_kv_dbsize(db), size = db->t[0].size;

	if (db->rehash_idx >= 0 || db->layout_held)
		return;
	if (n >= size && size <= UINT64_MAX / 4) {
		rehash_start(db, size * 2);
	} else if (size > TABLE_MIN && n * 8 < size) {
		uint64_t s = TABLE_MIN;

		while (s < n * 2)
			s *= 2;
		rehash_start(db, s);
	}
}

/* ---- expiry heap ---- */

static void
heap_set(struct ns_kv *db, uint32_t i, struct ns_kv_entry *e)
{
	db->heap[i] = e;
	e->heap_idx = i;
}

static void
heap_up(struct ns_kv *db, uint32_t i)
{
	struct ns_kv_entry *e = db->heap[i];

	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (db->heap[p]->expire_ms <= e->expire_ms)
			break;
		heap_set(db, i, db->heap[p]);
		i = p;
	}
	heap_set(db, i, e);
}

static void
heap_down(struct ns_kv *db, uint32_t i)
{
	struct ns_kv_entry *e = db->heap[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= db->heap_n)
			break;
		if (c + 1 < db->heap_n && db->heap[c + 1]->expire_ms < db->heap[c]->expire_ms)
			c++;
		if (e->expire_ms <= db->heap[c]->expire_ms)
			break;
		heap_set(db, i, db->heap[c]);
		i = c;
	}
	heap_set(db, i, e);
}

static void
heap_remove(struct ns_kv *db, struct ns_kv_entry *e)
{
	uint32_t i = e->heap_idx;
	struct ns_kv_entry *last = db->heap[--db->heap_n];

	if (i == db->heap_n)
		return;
	heap_set(db, i, last);
	heap_up(db, i);
	heap_down(db, last->heap_idx);
}

int
ns_kv_reserve_expires(struct ns_kv *db, uint32_t n)
{
	struct ns_kv_entry **h;
	uint64_t cap = db->heap_cap ? db->heap_cap : 64;

	if ((uint64_t)db->heap_n + n <= db->heap_cap)
		return 0;
	while (cap < (uint64_t)db->heap_n + n)
		cap *= 2;
	if (cap > UINT32_MAX)
		return -1;
	h = realloc(db->heap, (size_t)cap * sizeof(*h));
	if (h == NULL)
		return -1;
	db->heap = h;
	db->heap_cap = (uint32_t)cap;
	return 0;
}

void
ns_kv_set_expire(struct ns_kv *db, struct ns_kv_entry *e, int64_t when)
{
	if (when == 0) {
		if (e->expire_ms != 0)
			heap_remove(db, e);
		e->expire_ms = 0;
	} else if (e->expire_ms != 0) {
		e->expire_ms = when;
		heap_up(db, e->heap_idx);
		heap_down(db, e->heap_idx);
	} else if (db->heap_n < db->heap_cap) {
		e->expire_ms = when;
		heap_set(db, db->heap_n++, e);
		heap_up(db, e->heap_idx);
	}
}

/* ---- entries ---- */

struct ns_kv_entry *
ns_kv_entry_new(const struct ns_kv *db, const uint8_t *k, uint32_t klen, const uint8_t *v,
		uint32_t vlen)
{
	struct ns_kv_entry *e = malloc(sizeof(*e) + (size_t)klen + vlen);

	if (e == NULL)
		return NULL;
	e->next = NULL;
	e->hash = key_hash(db, k, klen);
	e->expire_ms = 0;
	e->heap_idx = 0;
	e->klen = klen;
	e->vlen = vlen;
	if (klen > 0)
		memcpy(e->data, k, klen);
	if (vlen > 0)
		memcpy(e->data + klen, v, vlen);
	return e;
}

void
ns_kv_put(struct ns_kv *db, struct ns_kv_entry *e, int64_t expire_ms)
{
	struct ns_kv_entry **link, *old;
	int ti;

	rehash_step(db, REHASH_STEP);
	link = find_link(db, e->data, e->klen, e->hash, &ti);
	if (link != NULL) {
		/* Take the old entry's place in its chain and in the heap. */
		old = *link;
		e->next = old->next;
		*link = e;
		if (old->expire_ms != 0) {
			e->expire_ms = old->expire_ms;
			heap_set(db, old->heap_idx, e);
		}
		db->used_memory -= ns_kv_entry_size(old->klen, old->vlen);
		digest_flip(db, old);
		free(old);
	} else {
		struct ns_kv_table *t = &db->t[db->rehash_idx >= 0 ? 1 : 0];
		uint64_t i = e->hash & (t->size - 1);

		e->next = t->b[i];
		t->b[i] = e;
		t->used++;
	}
	db->used_memory += ns_kv_entry_size(e->klen, e->vlen);
	digest_flip(db, e);
	ns_kv_set_expire(db, e, expire_ms);
	resize_check(db);
}

int
ns_kv_store(struct ns_kv *db, const uint8_t *k, uint32_t klen, const uint8_t *v, uint32_t vlen,
		int64_t expire_ms)
{
	struct ns_kv_entry *e;

	if (expire_ms != 0 && ns_kv_reserve_expires(db, 1) != 0)
		return -1;
	e = ns_kv_entry_new(db, k, klen, v, vlen);
	if (e == NULL)
		return -1;
	ns_kv_put(db, e, expire_ms);
	return 0;
}

void
ns_kv_delete(struct ns_kv *db, struct ns_kv_entry *e, bool expired)
{
	int ti;
	struct ns_kv_entry **link = find_link(db, e->data, e->klen, e->hash, &ti);

	if (link == NULL || *link != e)
		return;
	*link = e->next;
	db->t[ti].used--;
	if (e->expire_ms != 0)
		heap_remove(db, e);
	db->used_memory -= ns_kv_entry_size(e->klen, e->vlen);
	digest_flip(db, e);
	if (expired)
		db->ctr[NS_KV_C_keys_expired]++;
	free(e);
	rehash_step(db, REHASH_STEP);
	resize_check(db);
}

/*
 * Every key gone at once for the commands; the entries themselves are freed
 * a bounded number at a time (ns_kv_reclaim), as Redis's FLUSHALL ASYNC:
 * freeing a large keyspace in one go would stall the lcore for longer than
 * a heartbeat may wait.
 */
void
ns_kv_clear(struct ns_kv *db)
{
	struct ns_kv_table fresh;

	ns_kv_reclaim(db, UINT64_MAX); /* an earlier clear's leftovers */
	if (table_init(&fresh, TABLE_MIN) == 0) {
		db->dead[0] = db->t[0];
		db->dead[1] = db->t[1];
		db->dead_bkt = 0;
		db->t[0] = fresh;
	} else { /* no memory for a new table: freed now */
		for (int i = 0; i < 2; i++)
			free_entries(&db->t[i]);
		free(db->t[1].b);
	}
	memset(&db->t[1], 0, sizeof(db->t[1]));
	db->rehash_idx = -1;
	db->heap_n = 0;
	db->used_memory = 0;
	memset(db->digest, 0, sizeof(db->digest));
}

bool
ns_kv_reclaim(struct ns_kv *db, uint64_t max_entries)
{
	uint64_t n = 0;

	for (int i = 0; i < 2; i++) {
		struct ns_kv_table *t = &db->dead[i];

		while (db->dead_bkt < t->size) {
			struct ns_kv_entry *e = t->b[db->dead_bkt], *next;

			for (; e != NULL; e = next, n++) {
				next = e->next;
				free(e);
			}
			t->b[db->dead_bkt++] = NULL;
			if (n >= max_entries)
				return false;
		}
		free(t->b);
		memset(t, 0, sizeof(*t));
		db->dead_bkt = 0;
	}
	return true;
}

uint32_t
ns_kv_expire_step(struct ns_kv *db, uint64_t now_ms, uint32_t max_keys)
{
	int64_t now = now_ms > INT64_MAX ? INT64_MAX : (int64_t)now_ms;
	uint32_t n = 0;

	while (n < max_keys && db->heap_n > 0 && db->heap[0]->expire_ms <= now) {
		ns_kv_delete(db, db->heap[0], true);
		n++;
	}
	return n;
}

/* ---- digest ---- */

/*
 * Three SipHash lanes over key and value; the key length goes into each
 * lane's key so that "ab"+"c" and "a"+"bc" differ.  XOR makes the sum
 * independent of the order of the keys, and lets every write keep it up to
 * date: an entry goes in and out of the sum as it is stored and removed.
 */
static void
digest_flip(struct ns_kv *db, const struct ns_kv_entry *e)
{
	for (int lane = 0; lane < 3; lane++) {
		uint8_t k[16];
		uint64_t h;

		memcpy(k, digest_key, sizeof(k));
		k[0] ^= (uint8_t)(lane + 1);
		for (int j = 0; j < 4; j++)
			k[8 + j] ^= (uint8_t)(e->klen >> (8 * j));
		h = ns_siphash24(k, e->data, (size_t)e->klen + e->vlen);
		for (int j = 0; j < 8; j++)
			db->digest[lane * 8 + j] ^= (uint8_t)(h >> (8 * j));
	}
}

void
ns_kv_digest(const struct ns_kv *db, char hex[41])
{
	for (int j = 0; j < 20; j++)
		snprintf(hex + 2 * j, 3, "%02x", db->digest[j]);
	hex[40] = '\0';
}
