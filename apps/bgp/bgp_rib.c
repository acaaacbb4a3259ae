/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The routing tables of one BGP speaker (contract: bgp_rib.h).
 *
 * Prefix table.  Open addressing with linear probing, keyed by (addr, len),
 * capacity max_prefixes / 0.7 taken at creation.  Deleted slots become
 * tombstones (never moved, so the export queues and walk cursors, which hold
 * slot indexes, stay valid); when live slots plus tombstones pass 85 % of the
 * capacity the next insertion rebuilds the table and the export queues.  An
 * entry is a 16-byte head (prefix, state, best, own flag, two neighbour
 * bitmasks) and 2 * n_peers 32-bit attribute-set ids (Adj-RIB-In, then
 * Adj-RIB-Out; 0: none), so a table of few neighbours stays small: with one
 * neighbour and 100 000 prefixes sharing 1000 sets, about 41 bytes a prefix
 * (test_bgp_rib prints it), 59 with two.
 *
 * Attribute sets.  Each distinct set is interned once: its used part is
 * serialized into a canonical byte string (counts first, then only the used
 * array elements; fields of absent attributes zeroed, presence bits reduced
 * to the attributes kept) that is hashed and compared, held in a chained
 * hash and in an id-indexed array, reference counted and freed at zero.  The
 * keys the decision process needs (LOCAL_PREF, path length, first AS,
 * origin, MED) are computed once when the set is interned.  Storage is this
 * compact form only: walk and lookup decode the sets an entry points at into
 * per-table scratch structs (one per Adj-RIB-In and Adj-RIB-Out column,
 * decoded again only when the column's set changes), so a view's pointers are
 * valid until the table changes or the next walk or lookup on the same table.
 *
 * Decision.  The own prefix first, then the candidates compared pairwise in
 * neighbour-index order, so the best path depends only on the set of paths.
 *
 * Export.  Each entry has a bitmask of the neighbours it is pending for and
 * a bitmask of the neighbours whose queue holds its slot; each neighbour has
 * a ring of slot indexes as large as the table, a slot in it at most once.
 * A change of the best path (or of its attributes) marks the entry pending
 * for every neighbour that is up; whether the export really differs from the
 * Adj-RIB-Out is decided when exporting, which then drops an unchanged prefix
 * without a word.  So ns_bgp_rib_pending counts candidates, and exporting a
 * full table is O(n).  Exported sets are interned too: "unchanged" is an id
 * compare with what the Adj-RIB-Out holds.  One UPDATE carries either
 * withdrawals or the consecutive pending prefixes that export the same set.
 * The UPDATE encoder is one static function with the contract of the codec's
 * ns_bgp_update_build (rib_update_build), the table links no codec.
 */
#include <stdlib.h>
#include <string.h>

#include "bgp_rib.h"

#define A_ORIGIN      1
#define A_AS_PATH     2
#define A_NEXT_HOP    3
#define A_MED	      4
#define A_LOCAL_PREF  5
#define A_ATOMIC      6
#define A_AGGREGATOR  7
#define A_COMMUNITIES 8
#define A_AS4_PATH    17
#define A_AS4_AGGR    18
#define AS_TRANS      23456

#define F_OPTIONAL   0x80
#define F_TRANSITIVE 0x40
#define F_PARTIAL    0x20
#define F_EXTLEN     0x10

/* The attributes the canonical form keeps presence bits for. */
#define KNOWN_MASK                                                                       \
	((1u << A_ORIGIN) | (1u << A_AS_PATH) | (1u << A_NEXT_HOP) | (1u << A_MED) |     \
			(1u << A_LOCAL_PREF) | (1u << A_ATOMIC) | (1u << A_AGGREGATOR) | \
			(1u << A_COMMUNITIES))

/* An interned attribute set. */
struct aset {
	struct aset *next; /* hash chain */
	uint32_t hash, refs;
	uint32_t serial; /* unique per set ever made: decode caches key on it */
	uint32_t id;	 /* its index in the table of sets (what entries hold) */
	uint16_t len;	 /* bytes of enc */
	/* Decision keys. */
	uint8_t origin;
	bool has_lp;
	uint32_t lpref, med, path_len, first_as;
	uint8_t enc[]; /* the canonical form */
};

enum { SLOT_EMPTY = 0, SLOT_USED = 1, SLOT_TOMB = 2 };

struct ent {
	uint32_t addr;
	uint8_t len, state, best;
	bool own;
	uint32_t pending; /* neighbours this entry is pending for */
	uint32_t queued;  /* neighbours whose ring holds this slot (survives deletion) */
	uint32_t ref[];	  /* set ids; [0, n): Adj-RIB-In; [n, 2n): Adj-RIB-Out; 0: none */
};

struct ring {
	uint32_t *q;
	uint32_t head, count;
};

struct peer {
	struct ns_bgp_peer_desc d;
	bool up;
	uint32_t n_pending;
	struct ring ring;
};

struct ns_bgp_rib {
	struct ns_bgp_rib_cfg cfg;
	uint32_t n;    /* n_peers */
	uint32_t cap;  /* slots */
	size_t stride; /* bytes per slot */
	uint8_t *tab;  /* cap * stride */
	uint32_t used, tombs;
	struct peer peer[NS_BGP_MAX_PEERS];
	/* Interned sets. */
	struct aset **bucket;
	struct aset **byid; /* id -> set; byid[0] is NULL */
	uint32_t *free_id;  /* ids to use again */
	uint32_t id_cap, next_id, n_free;
	uint32_t n_bucket, n_sets, serial;
	uint64_t set_bytes;
	struct aset *own_set; /* the own prefixes' path: IGP, empty path */
	/* Scratch. */
	struct ns_bgp_attrs tmp;
	uint8_t enc[2048];
	struct ns_bgp_attrs *vscr; /* 2 * n decoded columns for views */
	uint32_t *vser;		   /* the serial each column holds */
	struct ns_bgp_pfx *grp;	   /* NS_BGP_UPD_MAX_PFX prefixes of a message */
	uint32_t *grp_slot;
	struct ns_bgp_rib_stats st;	      /* counters (the sizes are computed on demand) */
	uint32_t n_best;		      /* entries with a best path */
	uint32_t n_ref[2 * NS_BGP_MAX_PEERS]; /* entries holding a set, per column */
};

/* ---- prefix lists ---- */

static uint32_t
pfx_mask(uint8_t len)
{
	return len == 0 ? 0 : len >= 32 ? 0xffffffffu : ~(0xffffffffu >> len);
}

bool
ns_bgp_plist_permits(const struct ns_bgp_plist *l, const struct ns_bgp_pfx *p)
{
	if (l == NULL)
		return true;
	for (uint32_t i = 0; i < l->n && i < 64; i++) {
		const struct ns_bgp_plist_entry *e = &l->e[i];
		uint8_t ge = e->ge, le = e->le;

		if (p->len < e->p.len || ((p->addr ^ e->p.addr) & pfx_mask(e->p.len)) != 0)
			continue;
		if (ge == 0 && le == 0) {
			ge = e->p.len;
			le = e->p.len;
		} else {
			if (ge == 0)
				ge = e->p.len;
			if (le == 0)
				le = 32;
		}
		if (p->len >= ge && p->len <= le)
			return e->permit;
	}
	return false;
}

/* ---- AS path helpers (the codec has its own; the table does not link it) ---- */

static uint32_t
path_len(const struct ns_bgp_attrs *a)
{
	uint32_t n = 0;

	for (uint32_t s = 0; s < a->n_seg && s < 32; s++) {
		if (a->seg_type[s] == NS_BGP_AS_SEQUENCE)
			n += a->seg_len[s];
		else if (a->seg_type[s] == NS_BGP_AS_SET)
			n += 1;
	}
	return n;
}

/* The first AS outside confederation segments: the neighbour AS. */
static uint32_t
path_first(const struct ns_bgp_attrs *a)
{
	uint32_t k = 0;

	for (uint32_t s = 0; s < a->n_seg && s < 32; s++) {
		if ((a->seg_type[s] == NS_BGP_AS_SEQUENCE || a->seg_type[s] == NS_BGP_AS_SET) &&
				a->seg_len[s] > 0 && k < a->n_as)
			return a->as[k];
		k += a->seg_len[s];
	}
	return 0;
}

static bool
path_contains(const struct ns_bgp_attrs *a, uint32_t asn)
{
	for (uint32_t i = 0; i < a->n_as && i < NS_BGP_MAX_ASPATH; i++)
		if (a->as[i] == asn)
			return true;
	return false;
}

/* ---- attribute sets: canonical form, interning ---- */

static void
put32(uint8_t **p, uint32_t v)
{
	memcpy(*p, &v, 4);
	*p += 4;
}

static void
put16(uint8_t **p, uint16_t v)
{
	memcpy(*p, &v, 2);
	*p += 2;
}

static uint32_t
get32(const uint8_t **p)
{
	uint32_t v;

	memcpy(&v, *p, 4);
	*p += 4;
	return v;
}

static uint16_t
get16(const uint8_t **p)
{
	uint16_t v;

	memcpy(&v, *p, 2);
	*p += 2;
	return v;
}

/* Serialize the used part of a into buf (at least 2048 bytes); returns the length. */
static uint16_t
aset_encode(const struct ns_bgp_attrs *a, uint8_t *buf)
{
	uint16_t n_seg = a->n_seg > 32 ? 32 : a->n_seg;
	uint16_t n_as = a->n_as > NS_BGP_MAX_ASPATH ? NS_BGP_MAX_ASPATH : a->n_as;
	uint16_t n_comm = a->n_comm > NS_BGP_MAX_COMM ? NS_BGP_MAX_COMM : a->n_comm;
	uint16_t unk_len = a->unk_len > NS_BGP_MAX_UNK ? NS_BGP_MAX_UNK : a->unk_len;
	uint32_t present = a->present & KNOWN_MASK;
	bool atomic = a->atomic_aggregate || (a->present & (1u << A_ATOMIC));
	uint8_t *p = buf;

	present |= (1u << A_ORIGIN) | (1u << A_AS_PATH) | (1u << A_NEXT_HOP);
	present &= ~((1u << A_ATOMIC) | (1u << A_COMMUNITIES));
	if (atomic)
		present |= 1u << A_ATOMIC;
	if (n_comm > 0)
		present |= 1u << A_COMMUNITIES;
	put32(&p, present);
	put32(&p, a->next_hop);
	put32(&p, present & (1u << A_MED) ? a->med : 0);
	put32(&p, present & (1u << A_LOCAL_PREF) ? a->local_pref : 0);
	put32(&p, present & (1u << A_AGGREGATOR) ? a->aggr_as : 0);
	put32(&p, present & (1u << A_AGGREGATOR) ? a->aggr_id : 0);
	*p++ = a->origin;
	put16(&p, n_seg);
	put16(&p, n_as);
	put16(&p, n_comm);
	put16(&p, unk_len);
	for (uint32_t i = 0; i < n_as; i++)
		put32(&p, a->as[i]);
	for (uint32_t i = 0; i < n_comm; i++)
		put32(&p, a->comm[i]);
	for (uint32_t i = 0; i < n_seg; i++)
		put16(&p, a->seg_len[i]);
	memcpy(p, a->seg_type, n_seg);
	p += n_seg;
	memcpy(p, a->unk, unk_len);
	p += unk_len;
	return (uint16_t)(p - buf);
}

/* Decode a set into a (whose unused parts the caller has zeroed). */
static void
aset_decode(const struct aset *s, struct ns_bgp_attrs *a)
{
	const uint8_t *p = s->enc;
	uint16_t n_seg, n_as, n_comm, unk_len;

	a->present = get32(&p);
	a->next_hop = get32(&p);
	a->med = get32(&p);
	a->local_pref = get32(&p);
	a->aggr_as = get32(&p);
	a->aggr_id = get32(&p);
	a->atomic_aggregate = (a->present & (1u << A_ATOMIC)) != 0;
	a->origin = *p++;
	n_seg = get16(&p);
	n_as = get16(&p);
	n_comm = get16(&p);
	unk_len = get16(&p);
	a->n_seg = n_seg;
	a->n_as = n_as;
	a->n_comm = n_comm;
	a->unk_len = unk_len;
	for (uint32_t i = 0; i < n_as; i++)
		a->as[i] = get32(&p);
	for (uint32_t i = 0; i < n_comm; i++)
		a->comm[i] = get32(&p);
	for (uint32_t i = 0; i < n_seg; i++)
		a->seg_len[i] = get16(&p);
	memcpy(a->seg_type, p, n_seg);
	p += n_seg;
	memcpy(a->unk, p, unk_len);
}

static void
attrs_clear(struct ns_bgp_attrs *a)
{
	memset(a, 0, sizeof(*a));
}

/* FNV-1a over the canonical bytes. */
static uint32_t
hash_bytes(const uint8_t *b, uint32_t n)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static bool
sets_grow(struct ns_bgp_rib *r)
{
	uint32_t nb = r->n_bucket * 2;
	struct aset **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return false;
	for (uint32_t i = 0; i < r->n_bucket; i++) {
		struct aset *s = r->bucket[i], *nx;

		for (; s != NULL; s = nx) {
			nx = s->next;
			s->next = b[s->hash & (nb - 1)];
			b[s->hash & (nb - 1)] = s;
		}
	}
	free(r->bucket);
	r->bucket = b;
	r->n_bucket = nb;
	return true;
}

/* Room for more set ids (the free-id stack can hold every id). */
static bool
ids_grow(struct ns_bgp_rib *r)
{
	uint32_t cap = r->id_cap == 0 ? 256 : r->id_cap * 2;
	struct aset **b = realloc(r->byid, cap * sizeof(*b));
	uint32_t *f;

	if (b == NULL)
		return false;
	r->byid = b;
	f = realloc(r->free_id, cap * sizeof(*f));
	if (f == NULL)
		return false;
	r->free_id = f;
	memset(b + r->id_cap, 0, (cap - r->id_cap) * sizeof(*b));
	if (r->next_id == 0)
		r->next_id = 1;
	r->id_cap = cap;
	return true;
}

/* The interned set of the canonical bytes in r->enc[0, len), if any. */
static struct aset *
aset_find(const struct ns_bgp_rib *r, uint16_t len, uint32_t h)
{
	for (struct aset *s = r->bucket[h & (r->n_bucket - 1)]; s != NULL; s = s->next)
		if (s->hash == h && s->len == len && memcmp(s->enc, r->enc, len) == 0)
			return s;
	return NULL;
}

/* The interned set equal to a, with one more reference (NULL: out of memory). */
static struct aset *
aset_get(struct ns_bgp_rib *r, const struct ns_bgp_attrs *a)
{
	uint16_t len = aset_encode(a, r->enc);
	uint32_t h = hash_bytes(r->enc, len);
	struct aset *s = aset_find(r, len, h);

	if (s != NULL) {
		s->refs++;
		return s;
	}
	if (r->n_sets >= r->n_bucket)
		sets_grow(r);
	if (r->n_free == 0 && r->next_id == r->id_cap && !ids_grow(r))
		return NULL;
	s = malloc(sizeof(*s) + len);
	if (s == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	memcpy(s->enc, r->enc, len);
	s->len = len;
	s->hash = h;
	s->refs = 1;
	s->serial = ++r->serial;
	s->id = r->n_free > 0 ? r->free_id[--r->n_free] : r->next_id++;
	r->byid[s->id] = s;
	s->origin = a->origin;
	s->has_lp = (a->present & (1u << A_LOCAL_PREF)) != 0;
	s->lpref = s->has_lp ? a->local_pref : 0;
	s->med = a->present & (1u << A_MED) ? a->med : 0;
	s->path_len = path_len(a);
	s->first_as = path_first(a);
	s->next = r->bucket[h & (r->n_bucket - 1)];
	r->bucket[h & (r->n_bucket - 1)] = s;
	r->n_sets++;
	r->set_bytes += sizeof(*s) + len;
	return s;
}

static struct aset *
aset_ref(struct aset *s)
{
	if (s != NULL)
		s->refs++;
	return s;
}

static void
aset_put(struct ns_bgp_rib *r, struct aset *s)
{
	struct aset **pp;

	if (s == NULL || --s->refs > 0)
		return;
	for (pp = &r->bucket[s->hash & (r->n_bucket - 1)]; *pp != s; pp = &(*pp)->next)
		;
	*pp = s->next;
	r->n_sets--;
	r->set_bytes -= sizeof(*s) + s->len;
	r->byid[s->id] = NULL;
	r->free_id[r->n_free++] = s->id;
	free(s);
}

/* ---- the prefix table ---- */

/* Slot i's set of entry e (NULL: none). */
static inline struct aset *
eref(const struct ns_bgp_rib *r, const struct ent *e, uint32_t i)
{
	return r->byid[e->ref[i]];
}

static inline struct ent *
ent_at(const struct ns_bgp_rib *r, uint32_t k)
{
	return (struct ent *)(void *)(r->tab + (size_t)k * r->stride);
}

static uint32_t
pfx_slot(const struct ns_bgp_rib *r, uint32_t addr, uint8_t len)
{
	uint64_t x = ((uint64_t)addr << 8 | len) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 29;
	return (uint32_t)(((x >> 32) * (uint64_t)r->cap) >> 32);
}

static int32_t
tab_find(const struct ns_bgp_rib *r, const struct ns_bgp_pfx *p)
{
	uint32_t k = pfx_slot(r, p->addr, p->len);

	for (uint32_t i = 0; i < r->cap; i++) {
		struct ent *e = ent_at(r, k);

		if (e->state == SLOT_EMPTY)
			return -1;
		if (e->state == SLOT_USED && e->addr == p->addr && e->len == p->len)
			return (int32_t)k;
		if (++k == r->cap)
			k = 0;
	}
	return -1;
}

static void
ring_push(struct ns_bgp_rib *r, struct ring *q, uint32_t k, bool front)
{
	if (front) {
		q->head = q->head == 0 ? r->cap - 1 : q->head - 1;
		q->q[q->head] = k;
	} else {
		uint32_t t = q->head + q->count;

		q->q[t >= r->cap ? t - r->cap : t] = k;
	}
	q->count++;
}

static uint32_t
ring_pop(struct ns_bgp_rib *r, struct ring *q)
{
	uint32_t k = q->q[q->head];

	if (++q->head == r->cap)
		q->head = 0;
	q->count--;
	return k;
}

/* Make slot k pending for neighbour i (queued once). */
static void
pend_set(struct ns_bgp_rib *r, uint32_t k, uint32_t i)
{
	struct ent *e = ent_at(r, k);
	uint32_t bit = 1u << i;

	if (!(e->pending & bit)) {
		e->pending |= bit;
		r->peer[i].n_pending++;
	}
	if (!(e->queued & bit)) {
		e->queued |= bit;
		ring_push(r, &r->peer[i].ring, k, false);
	}
}

static void
pend_clear(struct ns_bgp_rib *r, struct ent *e, uint32_t i)
{
	if (e->pending & (1u << i)) {
		e->pending &= ~(1u << i);
		r->peer[i].n_pending--;
	}
}

/* Rebuild the queues from the pending bits (slot order). */
static void
rings_rebuild(struct ns_bgp_rib *r)
{
	for (uint32_t i = 0; i < r->n; i++) {
		r->peer[i].ring.head = 0;
		r->peer[i].ring.count = 0;
	}
	for (uint32_t k = 0; k < r->cap; k++) {
		struct ent *e = ent_at(r, k);

		e->queued = 0;
		if (e->state != SLOT_USED)
			continue;
		for (uint32_t i = 0; i < r->n; i++)
			if (e->pending & (1u << i)) {
				e->queued |= 1u << i;
				ring_push(r, &r->peer[i].ring, k, false);
			}
	}
}

/* Rehash into a fresh table (drops the tombstones). */
static bool
tab_rehash(struct ns_bgp_rib *r)
{
	uint8_t *nt = calloc(r->cap, r->stride), *old = r->tab;

	if (nt == NULL)
		return false;
	r->tab = nt;
	for (uint32_t k = 0; k < r->cap; k++) {
		struct ent *e = (struct ent *)(void *)(old + (size_t)k * r->stride);
		uint32_t j;

		if (e->state != SLOT_USED)
			continue;
		j = pfx_slot(r, e->addr, e->len);
		while (ent_at(r, j)->state != SLOT_EMPTY)
			if (++j == r->cap)
				j = 0;
		memcpy(ent_at(r, j), e, r->stride);
	}
	free(old);
	r->tombs = 0;
	rings_rebuild(r);
	return true;
}

/* The slot of p, inserted when absent; -1 when the table is full. */
static int32_t
tab_get(struct ns_bgp_rib *r, const struct ns_bgp_pfx *p)
{
	int32_t k = tab_find(r, p);
	uint32_t j, tomb = UINT32_MAX;
	struct ent *e;

	if (k >= 0)
		return k;
	if (r->used >= r->cfg.max_prefixes) {
		r->st.table_full++;
		return -1;
	}
	if ((uint64_t)(r->used + r->tombs + 1) * 100 > (uint64_t)r->cap * 85)
		tab_rehash(r);
	j = pfx_slot(r, p->addr, p->len);
	for (;;) {
		e = ent_at(r, j);
		if (e->state == SLOT_EMPTY)
			break;
		if (e->state == SLOT_TOMB && tomb == UINT32_MAX)
			tomb = j;
		if (++j == r->cap)
			j = 0;
	}
	if (tomb != UINT32_MAX) {
		j = tomb;
		e = ent_at(r, j);
		r->tombs--;
	}
	/* queued survives: the rings may still hold this slot. */
	e->addr = p->addr;
	e->len = p->len;
	e->state = SLOT_USED;
	e->best = NS_BGP_NO_BEST;
	e->own = false;
	e->pending = 0;
	memset(e->ref, 0, 2 * r->n * sizeof(e->ref[0]));
	r->used++;
	return (int32_t)j;
}

/* Column col of e holds set id (0: none); the sizes stats reports follow. */
static inline void
ref_store(struct ns_bgp_rib *r, struct ent *e, uint32_t col, uint32_t id)
{
	r->n_ref[col] += (id != 0) - (e->ref[col] != 0);
	e->ref[col] = id;
}

static inline void
best_store(struct ns_bgp_rib *r, struct ent *e, uint8_t best)
{
	r->n_best += (best != NS_BGP_NO_BEST) - (e->best != NS_BGP_NO_BEST);
	e->best = best;
}

/* Delete the entry if nothing holds it any more. */
static void
ent_gc(struct ns_bgp_rib *r, struct ent *e)
{
	if (e->own)
		return;
	for (uint32_t i = 0; i < 2 * r->n; i++)
		if (e->ref[i] != 0)
			return;
	for (uint32_t i = 0; i < r->n; i++)
		pend_clear(r, e, i);
	best_store(r, e, NS_BGP_NO_BEST);
	e->state = SLOT_TOMB;
	r->used--;
	r->tombs++;
}

/* ---- decision process ---- */

static bool
peer_ebgp(const struct ns_bgp_rib *r, uint32_t i)
{
	return r->peer[i].d.asn != r->cfg.local_as;
}

static uint32_t
eff_lpref(const struct ns_bgp_rib *r, uint32_t i, const struct aset *s)
{
	if (peer_ebgp(r, i) || !s->has_lp)
		return r->cfg.default_lpref;
	return s->lpref;
}

/* Is the path of neighbour i (set a) better than that of j (set b)? */
static bool
better(const struct ns_bgp_rib *r, uint32_t i, const struct aset *a, uint32_t j,
		const struct aset *b)
{
	uint32_t la = eff_lpref(r, i, a), lb = eff_lpref(r, j, b);
	bool ea = peer_ebgp(r, i), eb = peer_ebgp(r, j);

	if (la != lb)
		return la > lb;
	if (a->path_len != b->path_len)
		return a->path_len < b->path_len;
	if (a->origin != b->origin)
		return a->origin < b->origin;
	if (a->first_as == b->first_as && a->med != b->med)
		return a->med < b->med;
	if (ea != eb)
		return ea;
	if (r->peer[i].d.id != r->peer[j].d.id)
		return r->peer[i].d.id < r->peer[j].d.id;
	if (r->peer[i].d.addr != r->peer[j].d.addr)
		return r->peer[i].d.addr < r->peer[j].d.addr;
	return i < j;
}

static uint8_t
best_of(const struct ns_bgp_rib *r, const struct ent *e)
{
	uint32_t best = NS_BGP_NO_BEST;

	if (e->own)
		return NS_BGP_LOCAL;
	for (uint32_t i = 0; i < r->n; i++) {
		if (e->ref[i] == 0)
			continue;
		if (best == NS_BGP_NO_BEST || better(r, i, eref(r, e, i), best, eref(r, e, best)))
			best = i;
	}
	return (uint8_t)best;
}

/* The path of neighbour `changed` (or the own one) at slot k changed: decide
 * again and make the entry pending for every neighbour up when the best path
 * is another, or is the changed one. */
static void
ent_decide(struct ns_bgp_rib *r, uint32_t k, uint32_t changed)
{
	struct ent *e = ent_at(r, k);
	uint8_t nb = best_of(r, e);

	if (nb == e->best && nb != changed)
		return;
	if (nb != e->best || nb != NS_BGP_NO_BEST)
		r->st.best_changes++;
	best_store(r, e, nb);
	for (uint32_t i = 0; i < r->n; i++)
		if (r->peer[i].up)
			pend_set(r, k, i);
}

/* ---- create, destroy ---- */

struct ns_bgp_rib *
ns_bgp_rib_create(const struct ns_bgp_rib_cfg *cfg)
{
	struct ns_bgp_rib *r;
	struct ns_bgp_attrs *a;

	if (cfg == NULL || cfg->n_peers == 0 || cfg->n_peers > NS_BGP_MAX_PEERS ||
			cfg->max_prefixes == 0 || cfg->max_prefixes > (1u << 30))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->cfg = *cfg;
	r->n = cfg->n_peers;
	r->cap = (uint32_t)((uint64_t)cfg->max_prefixes * 10 / 7 + 8);
	r->stride = sizeof(struct ent) + 2 * r->n * sizeof(uint32_t);
	r->tab = calloc(r->cap, r->stride);
	r->n_bucket = 64;
	r->bucket = calloc(r->n_bucket, sizeof(*r->bucket));
	if (!ids_grow(r))
		goto fail;
	r->vscr = calloc(2 * r->n, sizeof(*r->vscr));
	r->vser = calloc(2 * r->n, sizeof(*r->vser));
	r->grp = calloc(NS_BGP_UPD_MAX_PFX, sizeof(*r->grp));
	r->grp_slot = calloc(NS_BGP_UPD_MAX_PFX, sizeof(*r->grp_slot));
	if (r->tab == NULL || r->bucket == NULL || r->vscr == NULL || r->vser == NULL ||
			r->grp == NULL || r->grp_slot == NULL)
		goto fail;
	for (uint32_t i = 0; i < r->n; i++) {
		r->peer[i].ring.q = malloc((size_t)r->cap * sizeof(uint32_t));
		if (r->peer[i].ring.q == NULL)
			goto fail;
	}
	a = &r->tmp;
	attrs_clear(a);
	a->origin = NS_BGP_ORIGIN_IGP;
	a->present = (1u << A_ORIGIN) | (1u << A_AS_PATH) | (1u << A_NEXT_HOP);
	r->own_set = aset_get(r, a);
	if (r->own_set == NULL)
		goto fail;
	return r;
fail:
	ns_bgp_rib_destroy(r);
	return NULL;
}

void
ns_bgp_rib_destroy(struct ns_bgp_rib *r)
{
	if (r == NULL)
		return;
	if (r->bucket != NULL)
		for (uint32_t i = 0; i < r->n_bucket; i++) {
			struct aset *s = r->bucket[i], *nx;

			for (; s != NULL; s = nx) {
				nx = s->next;
				free(s);
			}
		}
	for (uint32_t i = 0; i < NS_BGP_MAX_PEERS; i++)
		free(r->peer[i].ring.q);
	free(r->bucket);
	free(r->byid);
	free(r->free_id);
	free(r->tab);
	free(r->vscr);
	free(r->vser);
	free(r->grp);
	free(r->grp_slot);
	free(r);
}

void
ns_bgp_rib_reset(struct ns_bgp_rib *r)
{
	for (uint32_t k = 0; k < r->cap; k++) {
		struct ent *e = ent_at(r, k);

		if (e->state != SLOT_USED)
			continue;
		for (uint32_t i = 0; i < 2 * r->n; i++) {
			aset_put(r, eref(r, e, i));
			ref_store(r, e, i, 0);
		}
		for (uint32_t i = 0; i < r->n; i++)
			pend_clear(r, e, i);
		ent_gc(r, e);
		if (e->state == SLOT_USED) {
			/* An own prefix: every neighbour up must hear it again. */
			best_store(r, e, NS_BGP_NO_BEST);
			ent_decide(r, k, NS_BGP_LOCAL);
		}
	}
}

/* ---- neighbours ---- */

int
ns_bgp_rib_peer_set(struct ns_bgp_rib *r, uint32_t idx, const struct ns_bgp_peer_desc *d)
{
	struct ns_bgp_peer_desc old;

	if (idx >= r->n || d == NULL)
		return -1;
	old = r->peer[idx].d;
	r->peer[idx].d = *d;
	/* What the decision process looks at: decide again where idx has a path. */
	if (old.asn != d->asn || old.id != d->id || old.addr != d->addr)
		for (uint32_t k = 0; k < r->cap; k++) {
			struct ent *e = ent_at(r, k);

			if (e->state == SLOT_USED && e->ref[idx] != 0)
				ent_decide(r, k, idx);
		}
	/* What its export looks at: compare again with what it was sent. */
	if (r->peer[idx].up && (old.asn != d->asn || old.local_addr != d->local_addr ||
					       old.next_hop_self != d->next_hop_self ||
					       old.export != d->export))
		ns_bgp_rib_out_resync(r, idx);
	return 0;
}

void
ns_bgp_rib_peer_up(struct ns_bgp_rib *r, uint32_t idx)
{
	if (idx >= r->n)
		return;
	r->peer[idx].up = true;
	for (uint32_t k = 0; k < r->cap; k++) {
		struct ent *e = ent_at(r, k);

		if (e->state == SLOT_USED && e->best != NS_BGP_NO_BEST)
			pend_set(r, k, idx);
	}
}

void
ns_bgp_rib_peer_down(struct ns_bgp_rib *r, uint32_t idx)
{
	struct peer *pe;

	if (idx >= r->n)
		return;
	pe = &r->peer[idx];
	pe->up = false;
	pe->ring.head = 0;
	pe->ring.count = 0;
	for (uint32_t k = 0; k < r->cap; k++) {
		struct ent *e = ent_at(r, k);

		e->queued &= ~(1u << idx);
		if (e->state != SLOT_USED)
			continue;
		pend_clear(r, e, idx);
		aset_put(r, eref(r, e, r->n + idx));
		ref_store(r, e, r->n + idx, 0);
		if (e->ref[idx] != 0) {
			aset_put(r, eref(r, e, idx));
			ref_store(r, e, idx, 0);
			ent_decide(r, k, idx);
		}
		ent_gc(r, e);
	}
}

/* ---- input ---- */

/* Set idx's Adj-RIB-In path of p to s (NULL: withdrawn); takes s's reference. */
static uint32_t
in_set(struct ns_bgp_rib *r, uint32_t idx, const struct ns_bgp_pfx *p, struct aset *s)
{
	int32_t k = s != NULL ? tab_get(r, p) : tab_find(r, p);
	struct ent *e;

	if (k < 0) {
		aset_put(r, s);
		return s != NULL ? 1 : 0;
	}
	e = ent_at(r, (uint32_t)k);
	if (eref(r, e, idx) == s) {
		aset_put(r, s);
		return 0;
	}
	aset_put(r, eref(r, e, idx));
	ref_store(r, e, idx, s != NULL ? s->id : 0);
	ent_decide(r, (uint32_t)k, idx);
	ent_gc(r, e);
	return 0;
}

uint32_t
ns_bgp_rib_input(struct ns_bgp_rib *r, uint32_t idx, const struct ns_bgp_update *u,
		enum ns_bgp_upd_action act)
{
	const struct ns_bgp_plist *imp;
	struct aset *s = NULL;
	uint32_t refused = 0;
	bool loop;

	if (idx >= r->n || u == NULL || act == NS_BGP_UPD_RESET)
		return 0;
	imp = r->peer[idx].d.import;
	for (uint32_t i = 0; i < u->n_withdrawn && i < NS_BGP_UPD_MAX_PFX; i++)
		in_set(r, idx, &u->withdrawn[i], NULL);
	if (u->n_nlri == 0)
		return 0;
	loop = act == NS_BGP_UPD_OK && path_contains(&u->attrs, r->cfg.local_as);
	if (act == NS_BGP_UPD_OK && !loop)
		s = aset_get(r, &u->attrs);
	for (uint32_t i = 0; i < u->n_nlri && i < NS_BGP_UPD_MAX_PFX; i++) {
		const struct ns_bgp_pfx *p = &u->nlri[i];

		if (s == NULL) {
			/* Treat-as-withdraw, a loop, or no memory: the prefix
			 * loses this neighbour's path. */
			if (loop)
				r->st.loops++;
			in_set(r, idx, p, NULL);
		} else if (!ns_bgp_plist_permits(imp, p)) {
			r->st.filtered++;
			in_set(r, idx, p, NULL);
		} else {
			refused += in_set(r, idx, p, aset_ref(s));
		}
	}
	aset_put(r, s);
	return refused;
}

int
ns_bgp_rib_originate(struct ns_bgp_rib *r, const struct ns_bgp_pfx *p)
{
	int32_t k = tab_get(r, p);

	if (k < 0)
		return -1;
	if (!ent_at(r, (uint32_t)k)->own) {
		ent_at(r, (uint32_t)k)->own = true;
		ent_decide(r, (uint32_t)k, NS_BGP_LOCAL);
	}
	return 0;
}

int
ns_bgp_rib_unoriginate(struct ns_bgp_rib *r, const struct ns_bgp_pfx *p)
{
	int32_t k = tab_find(r, p);
	struct ent *e;

	if (k < 0 || !ent_at(r, (uint32_t)k)->own)
		return -1;
	e = ent_at(r, (uint32_t)k);
	e->own = false;
	ent_decide(r, (uint32_t)k, NS_BGP_LOCAL);
	ent_gc(r, e);
	return 0;
}

/* ---- export ---- */

/* What one export pass remembers: the last source set and its result. */
struct xcache {
	const struct aset *src;
	bool own, src_ibgp, valid;
	struct aset *res; /* with a reference held by the cache */
};

static void
xcache_drop(struct ns_bgp_rib *r, struct xcache *c)
{
	if (c->valid)
		aset_put(r, c->res);
	c->valid = false;
}

/* The exported form of s for neighbour idx (NULL: not sent), with a reference. */
static struct aset *
export_transform(struct ns_bgp_rib *r, uint32_t idx, const struct aset *s, bool own, bool src_ibgp)
{
	const struct peer *pe = &r->peer[idx];
	struct ns_bgp_attrs *a = &r->tmp;
	bool ebgp = peer_ebgp(r, idx);

	attrs_clear(a);
	aset_decode(s, a);
	if (ebgp) {
		uint32_t n_as = 0, n_seg = 0, k = 0;

		if (!own && path_contains(a, pe->d.asn))
			return NULL;
		/* Drop confederation segments (RFC 5065 5.1), then prepend. */
		for (uint32_t sg = 0; sg < a->n_seg; sg++) {
			uint16_t l = a->seg_len[sg];

			if (a->seg_type[sg] == NS_BGP_AS_SEQUENCE ||
					a->seg_type[sg] == NS_BGP_AS_SET) {
				memmove(&a->as[n_as], &a->as[k], l * sizeof(a->as[0]));
				a->seg_type[n_seg] = a->seg_type[sg];
				a->seg_len[n_seg++] = l;
				n_as += l;
			}
			k += l;
		}
		a->n_as = (uint16_t)n_as;
		a->n_seg = (uint16_t)n_seg;
		if (n_as >= NS_BGP_MAX_ASPATH)
			return NULL;
		if (n_seg > 0 && a->seg_type[0] == NS_BGP_AS_SEQUENCE && a->seg_len[0] < 255) {
			a->seg_len[0]++;
		} else {
			if (n_seg >= 32)
				return NULL;
			memmove(&a->seg_type[1], &a->seg_type[0], n_seg);
			memmove(&a->seg_len[1], &a->seg_len[0], n_seg * sizeof(a->seg_len[0]));
			a->seg_type[0] = NS_BGP_AS_SEQUENCE;
			a->seg_len[0] = 1;
			a->n_seg++;
		}
		memmove(&a->as[1], &a->as[0], n_as * sizeof(a->as[0]));
		a->as[0] = r->cfg.local_as;
		a->n_as++;
		a->next_hop = pe->d.local_addr;
		a->present &= ~((1u << A_LOCAL_PREF) | (1u << A_MED));
		a->local_pref = 0;
		a->med = 0;
	} else {
		if (src_ibgp)
			return NULL;
		/* What reaches here is own or eBGP-learned, whose LOCAL_PREF
		 * the decision took as the default. */
		a->local_pref = r->cfg.default_lpref;
		a->present |= 1u << A_LOCAL_PREF;
		if (own || pe->d.next_hop_self)
			a->next_hop = pe->d.local_addr;
	}
	if (own)
		a->next_hop = pe->d.local_addr;
	/* Unknown optional transitive attributes go on marked Partial. */
	for (uint32_t o = 0; o + 3 <= a->unk_len;) {
		bool ext = (a->unk[o] & F_EXTLEN) != 0;
		uint32_t h = ext ? 4 : 3;

		if (o + h > a->unk_len)
			break;
		a->unk[o] |= F_PARTIAL;
		o += h + (ext ? (uint32_t)a->unk[o + 2] << 8 | a->unk[o + 3] : a->unk[o + 2]);
	}
	return aset_get(r, a);
}

/* What entry e exports to idx (NULL: nothing), with a reference. */
static struct aset *
export_of(struct ns_bgp_rib *r, uint32_t idx, const struct ent *e, struct xcache *c)
{
	const struct aset *s;
	bool own, src_ibgp;
	struct ns_bgp_pfx p;

	if (e->best == NS_BGP_NO_BEST || e->best == idx)
		return NULL;
	p.addr = e->addr;
	p.len = e->len;
	if (!ns_bgp_plist_permits(r->peer[idx].d.export, &p))
		return NULL;
	own = e->best == NS_BGP_LOCAL;
	s = own ? r->own_set : eref(r, e, e->best);
	src_ibgp = !own && !peer_ebgp(r, e->best);
	if (!c->valid || c->src != s || c->own != own || c->src_ibgp != src_ibgp) {
		xcache_drop(r, c);
		c->res = export_transform(r, idx, s, own, src_ibgp);
		c->src = s;
		c->own = own;
		c->src_ibgp = src_ibgp;
		c->valid = true;
	}
	return aset_ref(c->res);
}

/* Write one prefix (length byte, then the significant bytes). */
static uint32_t
pfx_put(uint8_t *b, const struct ns_bgp_pfx *p)
{
	uint32_t nb = (p->len + 7u) / 8;

	b[0] = p->len;
	for (uint32_t i = 0; i < nb; i++)
		b[1 + i] = (uint8_t)(p->addr >> (24 - 8 * i));
	return 1 + nb;
}

/* Write one attribute's header; the length is fixed up by attr_end. */
static uint32_t
attr_put(uint8_t *b, uint32_t off, uint8_t flags, uint8_t type, const uint8_t *v, uint32_t len)
{
	if (len > 255)
		flags |= F_EXTLEN;
	b[off++] = flags;
	b[off++] = type;
	if (flags & F_EXTLEN) {
		b[off++] = (uint8_t)(len >> 8);
		b[off++] = (uint8_t)len;
	} else {
		b[off++] = (uint8_t)len;
	}
	memcpy(b + off, v, len);
	return off + len;
}

static uint32_t
be32_put(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
	return 4;
}

/* An AS path's wire form: 4-octet ASes (wide) or 2-octet with AS_TRANS;
 * no_confed leaves confederation segments out (AS4_PATH).  Segments longer
 * than 255 are split. */
static uint32_t
aspath_put(uint8_t *b, const struct ns_bgp_attrs *a, bool wide, bool no_confed)
{
	uint32_t off = 0, k = 0;

	for (uint32_t s = 0; s < a->n_seg && s < 32; s++) {
		uint32_t l = a->seg_len[s];
		bool skip = no_confed && (a->seg_type[s] == NS_BGP_AS_CONFED_SEQ ||
							 a->seg_type[s] == NS_BGP_AS_CONFED_SET);

		while (l > 0) {
			uint32_t c = l > 255 ? 255 : l;

			if (!skip) {
				b[off++] = a->seg_type[s];
				b[off++] = (uint8_t)c;
				for (uint32_t i = 0; i < c; i++) {
					uint32_t as = a->as[k + i];

					if (wide) {
						off += be32_put(b + off, as);
					} else {
						as = as > 65535 ? AS_TRANS : as;
						b[off++] = (uint8_t)(as >> 8);
						b[off++] = (uint8_t)as;
					}
				}
			}
			k += c;
			l -= c;
		}
	}
	return off;
}

/*
 * The UPDATE encoder (RFC 4271 4.3), with the contract of the codec's
 * ns_bgp_update_build: withdrawn prefixes, then, when n_nlri > 0, a's
 * attributes and the NLRI; as many of each as fit in max.
 */
static uint32_t
rib_update_build(uint8_t *buf, uint32_t max, bool as4, const struct ns_bgp_pfx *w, uint32_t n_w,
		uint32_t *took_w, const struct ns_bgp_attrs *a, const struct ns_bgp_pfx *nlri,
		uint32_t n_nlri, uint32_t *took_n)
{
	uint8_t v[NS_BGP_MAX_ASPATH * 4 + 64 * 2 + 16], attrs[NS_BGP_MAX_MSG];
	uint32_t alen = 0, off, wlen, tw = 0, tn = 0;

	*took_w = 0;
	*took_n = 0;
	if (max > NS_BGP_MAX_MSG)
		max = NS_BGP_MAX_MSG;
	if (n_nlri > 0) {
		bool need4 = false;
		uint32_t l;

		v[0] = a->origin;
		alen = attr_put(attrs, alen, F_TRANSITIVE, A_ORIGIN, v, 1);
		l = aspath_put(v, a, as4, false);
		alen = attr_put(attrs, alen, F_TRANSITIVE, A_AS_PATH, v, l);
		be32_put(v, a->next_hop);
		alen = attr_put(attrs, alen, F_TRANSITIVE, A_NEXT_HOP, v, 4);
		if (a->present & (1u << A_MED)) {
			be32_put(v, a->med);
			alen = attr_put(attrs, alen, F_OPTIONAL, A_MED, v, 4);
		}
		if (a->present & (1u << A_LOCAL_PREF)) {
			be32_put(v, a->local_pref);
			alen = attr_put(attrs, alen, F_TRANSITIVE, A_LOCAL_PREF, v, 4);
		}
		if (a->atomic_aggregate || (a->present & (1u << A_ATOMIC)))
			alen = attr_put(attrs, alen, F_TRANSITIVE, A_ATOMIC, v, 0);
		if (a->present & (1u << A_AGGREGATOR)) {
			if (as4) {
				be32_put(v, a->aggr_as);
				be32_put(v + 4, a->aggr_id);
				alen = attr_put(attrs, alen, F_OPTIONAL | F_TRANSITIVE,
						A_AGGREGATOR, v, 8);
			} else {
				uint32_t as = a->aggr_as > 65535 ? AS_TRANS : a->aggr_as;

				v[0] = (uint8_t)(as >> 8);
				v[1] = (uint8_t)as;
				be32_put(v + 2, a->aggr_id);
				alen = attr_put(attrs, alen, F_OPTIONAL | F_TRANSITIVE,
						A_AGGREGATOR, v, 6);
			}
		}
		if (a->n_comm > 0) {
			for (uint32_t i = 0; i < a->n_comm && i < NS_BGP_MAX_COMM; i++)
				be32_put(v + 4 * i, a->comm[i]);
			l = 4u * (a->n_comm > NS_BGP_MAX_COMM ? NS_BGP_MAX_COMM : a->n_comm);
			alen = attr_put(attrs, alen, F_OPTIONAL | F_TRANSITIVE, A_COMMUNITIES, v,
					l);
		}
		if (!as4) {
			for (uint32_t i = 0; i < a->n_as && i < NS_BGP_MAX_ASPATH; i++)
				need4 |= a->as[i] > 65535;
			if (need4) {
				l = aspath_put(v, a, true, true);
				alen = attr_put(attrs, alen, F_OPTIONAL | F_TRANSITIVE, A_AS4_PATH,
						v, l);
			}
			if ((a->present & (1u << A_AGGREGATOR)) && a->aggr_as > 65535) {
				be32_put(v, a->aggr_as);
				be32_put(v + 4, a->aggr_id);
				alen = attr_put(attrs, alen, F_OPTIONAL | F_TRANSITIVE, A_AS4_AGGR,
						v, 8);
			}
		}
		/* Unknown optional transitive ones, as they came, marked Partial. */
		if (a->unk_len > 0 && a->unk_len <= NS_BGP_MAX_UNK) {
			uint32_t o0 = alen;

			memcpy(attrs + alen, a->unk, a->unk_len);
			for (uint32_t o = 0; o + 3 <= a->unk_len;) {
				uint8_t f = a->unk[o];
				uint32_t h = f & F_EXTLEN ? 4 : 3, l2;

				if (o + h > a->unk_len)
					break;
				l2 = f & F_EXTLEN ? (uint32_t)a->unk[o + 2] << 8 | a->unk[o + 3]
						  : a->unk[o + 2];
				attrs[o0 + o] = f | F_PARTIAL;
				o += h + l2;
			}
			alen += a->unk_len;
		}
	}
	off = NS_BGP_HDR_LEN + 2;
	if (off + 2 > max)
		return 0;
	for (; tw < n_w; tw++) {
		uint32_t need = 1 + (w[tw].len + 7u) / 8;

		if (off + need + 2 > max)
			break;
		off += pfx_put(buf + off, &w[tw]);
	}
	wlen = off - (NS_BGP_HDR_LEN + 2);
	if (n_nlri > 0 && off + 2 + alen + 1 + (nlri[0].len + 7u) / 8 <= max) {
		buf[off] = (uint8_t)(alen >> 8);
		buf[off + 1] = (uint8_t)alen;
		memcpy(buf + off + 2, attrs, alen);
		off += 2 + alen;
		for (; tn < n_nlri; tn++) {
			uint32_t need = 1 + (nlri[tn].len + 7u) / 8;

			if (off + need > max)
				break;
			off += pfx_put(buf + off, &nlri[tn]);
		}
	} else {
		buf[off] = 0;
		buf[off + 1] = 0;
		off += 2;
	}
	if (tw == 0 && tn == 0)
		return 0;
	memset(buf, 0xff, 16);
	buf[16] = (uint8_t)(off >> 8);
	buf[17] = (uint8_t)off;
	buf[18] = NS_BGP_UPDATE;
	buf[NS_BGP_HDR_LEN] = (uint8_t)(wlen >> 8);
	buf[NS_BGP_HDR_LEN + 1] = (uint8_t)wlen;
	*took_w = tw;
	*took_n = tn;
	return off;
}

/* Record set s (NULL: withdrawn) as what idx's Adj-RIB-Out holds for slot k. */
static void
out_set(struct ns_bgp_rib *r, uint32_t idx, struct ent *e, struct aset *s)
{
	aset_put(r, eref(r, e, r->n + idx));
	ref_store(r, e, r->n + idx, s != NULL ? aset_ref(s)->id : 0);
}

uint32_t
ns_bgp_rib_export(struct ns_bgp_rib *r, uint32_t idx, bool as4, uint8_t *buf, uint32_t max)
{
	struct xcache c = {0};
	struct peer *pe;
	uint32_t off = 0;
	bool full = false;

	if (idx >= r->n || !r->peer[idx].up)
		return 0;
	pe = &r->peer[idx];
	while (!full && pe->ring.count > 0) {
		struct aset *kind = NULL;
		uint32_t n = 0, took_w, took_n, len;

		/* Gather consecutive pending prefixes that export the same thing. */
		while (pe->ring.count > 0 && n < NS_BGP_UPD_MAX_PFX) {
			uint32_t k = ring_pop(r, &pe->ring);
			struct ent *e = ent_at(r, k);
			struct aset *x;

			e->queued &= ~(1u << idx);
			if (e->state != SLOT_USED || !(e->pending & (1u << idx)))
				continue;
			x = export_of(r, idx, e, &c);
			if (x == eref(r, e, r->n + idx)) {
				/* What the neighbour has already: nothing to send. */
				aset_put(r, x);
				pend_clear(r, e, idx);
				ent_gc(r, e);
				continue;
			}
			if (n > 0 && x != kind) {
				aset_put(r, x);
				e->queued |= 1u << idx;
				ring_push(r, &pe->ring, k, true);
				break;
			}
			if (n == 0)
				kind = x;
			else
				aset_put(r, x);
			r->grp[n].addr = e->addr;
			r->grp[n].len = e->len;
			r->grp_slot[n++] = k;
		}
		if (n == 0)
			break;
		if (kind != NULL) {
			attrs_clear(&r->tmp);
			aset_decode(kind, &r->tmp);
			len = rib_update_build(buf + off, max - off, as4, NULL, 0, &took_w, &r->tmp,
					r->grp, n, &took_n);
		} else {
			len = rib_update_build(buf + off, max - off, as4, r->grp, n, &took_w, NULL,
					NULL, 0, &took_n);
			took_n = took_w;
		}
		off += len;
		for (uint32_t i = 0; i < took_n; i++) {
			struct ent *e = ent_at(r, r->grp_slot[i]);

			out_set(r, idx, e, kind);
			pend_clear(r, e, idx);
			ent_gc(r, e);
		}
		/* What did not fit goes back to the head of the queue, in order. */
		for (uint32_t i = n; i > took_n; i--) {
			struct ent *e = ent_at(r, r->grp_slot[i - 1]);

			e->queued |= 1u << idx;
			ring_push(r, &pe->ring, r->grp_slot[i - 1], true);
		}
		if (took_n < n && max - off < NS_BGP_MAX_MSG)
			full = true;
		if (len == 0)
			full = true;
		aset_put(r, kind);
	}
	xcache_drop(r, &c);
	return off;
}

uint32_t
ns_bgp_rib_pending(const struct ns_bgp_rib *r, uint32_t idx)
{
	return idx < r->n ? r->peer[idx].n_pending : 0;
}

/* idx's Adj-RIB-Out holds s (NULL: nothing) for slot k, as the active said;
 * the entry is no longer pending when that is what it would export. */
static void
out_record(struct ns_bgp_rib *r, uint32_t idx, uint32_t k, struct aset *s, struct xcache *c)
{
	struct ent *e = ent_at(r, k);
	struct aset *x;

	out_set(r, idx, e, s);
	x = export_of(r, idx, e, c);
	if (x == s)
		pend_clear(r, e, idx);
	aset_put(r, x);
	ent_gc(r, e);
}

void
ns_bgp_rib_out_apply(struct ns_bgp_rib *r, uint32_t idx, const struct ns_bgp_update *u)
{
	struct xcache c = {0};
	struct aset *s = NULL;

	if (idx >= r->n || u == NULL)
		return;
	for (uint32_t i = 0; i < u->n_withdrawn && i < NS_BGP_UPD_MAX_PFX; i++) {
		int32_t k = tab_find(r, &u->withdrawn[i]);

		if (k >= 0)
			out_record(r, idx, (uint32_t)k, NULL, &c);
	}
	if (u->n_nlri > 0)
		s = aset_get(r, &u->attrs);
	for (uint32_t i = 0; s != NULL && i < u->n_nlri && i < NS_BGP_UPD_MAX_PFX; i++) {
		int32_t k = tab_get(r, &u->nlri[i]);

		if (k >= 0)
			out_record(r, idx, (uint32_t)k, s, &c);
	}
	aset_put(r, s);
	xcache_drop(r, &c);
}

void
ns_bgp_rib_out_resync(struct ns_bgp_rib *r, uint32_t idx)
{
	struct xcache c = {0};

	if (idx >= r->n)
		return;
	for (uint32_t k = 0; k < r->cap; k++) {
		struct ent *e = ent_at(r, k);
		struct aset *x;

		if (e->state != SLOT_USED)
			continue;
		x = export_of(r, idx, e, &c);
		if (x != eref(r, e, r->n + idx))
			pend_set(r, k, idx);
		else
			pend_clear(r, e, idx);
		aset_put(r, x);
	}
	xcache_drop(r, &c);
}

/* Everything exported to idx goes out again (a route refresh): what its
 * Adj-RIB-Out holds for a prefix with a best path is forgotten, so the
 * export finds it changed; a withdrawal still owed stays owed. */
void
ns_bgp_rib_refresh(struct ns_bgp_rib *r, uint32_t idx)
{
	if (idx >= r->n || !r->peer[idx].up)
		return;
	for (uint32_t k = 0; k < r->cap; k++) {
		struct ent *e = ent_at(r, k);

		if (e->state != SLOT_USED)
			continue;
		if (e->best != NS_BGP_NO_BEST) {
			aset_put(r, eref(r, e, r->n + idx));
			ref_store(r, e, r->n + idx, 0);
			pend_set(r, k, idx);
		} else if (e->ref[r->n + idx] != 0) {
			pend_set(r, k, idx);
		}
	}
}

/* ---- walks ---- */

/* Decode s into view column col (kept while the same set is asked again). */
static const struct ns_bgp_attrs *
view_col(const struct ns_bgp_rib *r, uint32_t col, const struct aset *s)
{
	if (s == NULL)
		return NULL;
	if (r->vser[col] != s->serial) {
		attrs_clear(&r->vscr[col]);
		aset_decode(s, &r->vscr[col]);
		r->vser[col] = s->serial;
	}
	return &r->vscr[col];
}

static void
view_fill(const struct ns_bgp_rib *r, const struct ent *e, struct ns_bgp_rib_view *v)
{
	memset(v, 0, sizeof(*v));
	v->p.addr = e->addr;
	v->p.len = e->len;
	v->best = e->best;
	v->own = e->own;
	for (uint32_t i = 0; i < r->n; i++) {
		v->in[i] = view_col(r, i, eref(r, e, i));
		v->out[i] = view_col(r, r->n + i, eref(r, e, r->n + i));
	}
}

bool
ns_bgp_rib_walk(const struct ns_bgp_rib *r, uint64_t *cursor, struct ns_bgp_rib_view *v)
{
	for (uint64_t k = *cursor; k < r->cap; k++) {
		const struct ent *e = ent_at(r, (uint32_t)k);

		if (e->state == SLOT_USED) {
			view_fill(r, e, v);
			*cursor = k + 1;
			return true;
		}
	}
	*cursor = r->cap;
	return false;
}

bool
ns_bgp_rib_lookup(const struct ns_bgp_rib *r, const struct ns_bgp_pfx *p, struct ns_bgp_rib_view *v)
{
	int32_t k = tab_find(r, p);

	if (k < 0)
		return false;
	view_fill(r, ent_at(r, (uint32_t)k), v);
	return true;
}

void
ns_bgp_rib_stats(const struct ns_bgp_rib *r, struct ns_bgp_rib_stats *s)
{
	*s = r->st;
	s->entries = r->used;
	s->attr_sets = r->n_sets;
	s->prefixes = r->n_best;
	memset(s->in, 0, sizeof(s->in));
	memset(s->out, 0, sizeof(s->out));
	for (uint32_t i = 0; i < r->n; i++) {
		s->in[i] = r->n_ref[i];
		s->out[i] = r->n_ref[r->n + i];
	}
	s->bytes = sizeof(*r) + (uint64_t)r->cap * r->stride +
		   (uint64_t)r->n * r->cap * sizeof(uint32_t) +
		   (uint64_t)r->n_bucket * sizeof(r->bucket[0]) + r->set_bytes +
		   (uint64_t)r->id_cap * (sizeof(r->byid[0]) + sizeof(r->free_id[0])) +
		   2ull * r->n * (sizeof(r->vscr[0]) + sizeof(r->vser[0])) +
		   NS_BGP_UPD_MAX_PFX * (sizeof(r->grp[0]) + sizeof(r->grp_slot[0]));
}
