/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The routing tables of one BGP speaker (RFC 4271 3.2): an Adj-RIB-In and
 * an Adj-RIB-Out per neighbour, the Loc-RIB with the decision process, the
 * speaker's own prefixes, prefix-list import and export filters, and the
 * export of changes as UPDATE messages.  IPv4 unicast.
 *
 * Plain C11 and libc, no DPDK.  Memory is taken at creation for the prefix
 * table; path attribute sets are interned (each distinct set stored once,
 * only its used bytes, reference counted).
 *
 * Determinism (non-stop routing): the active and its standby feed the same
 * tables in a different interleaving of neighbours.  The best path of a
 * prefix depends only on the set of candidate paths, never on the order they
 * arrived: candidates are compared in neighbour-index order.
 */
#ifndef NS_BGP_RIB_H
#define NS_BGP_RIB_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp_msg.h"

#define NS_BGP_MAX_PEERS 32
#define NS_BGP_LOCAL	 0xff /* the neighbour index of the speaker's own prefixes */

/* A prefix list: first match decides; no match denies.  A NULL list permits all. */
struct ns_bgp_plist_entry {
	struct ns_bgp_pfx p;
	uint8_t ge, le; /* match lengths in [ge, le]; both 0: exactly p.len */
	bool permit;
};
struct ns_bgp_plist {
	uint16_t n;
	struct ns_bgp_plist_entry e[64];
};
bool ns_bgp_plist_permits(const struct ns_bgp_plist *l, const struct ns_bgp_pfx *p);

struct ns_bgp_rib_cfg {
	uint32_t local_as;
	uint32_t router_id;	/* host order */
	uint32_t max_prefixes;	/* distinct prefixes the table holds */
	uint32_t n_peers;	/* neighbour indexes 0 .. n_peers-1 (<= NS_BGP_MAX_PEERS) */
	uint32_t default_lpref; /* LOCAL_PREF of paths without one (100) */
};

struct ns_bgp_peer_desc {
	uint32_t asn;	     /* the neighbour's AS */
	uint32_t id;	     /* its BGP identifier (from its OPEN; 0 until then) */
	uint32_t addr;	     /* its address, host order */
	uint32_t local_addr; /* ours on that session: the next hop we advertise */
	bool next_hop_self;  /* iBGP: rewrite the next hop to local_addr (eBGP always does) */
	const struct ns_bgp_plist *import, *export; /* NULL: everything */
};

struct ns_bgp_rib;

struct ns_bgp_rib *ns_bgp_rib_create(const struct ns_bgp_rib_cfg *cfg);
void ns_bgp_rib_destroy(struct ns_bgp_rib *r);
/* Drop every route of every neighbour and the Adj-RIBs-Out (not the own prefixes). */
void ns_bgp_rib_reset(struct ns_bgp_rib *r);

/* Describe neighbour idx (its policy pointers must outlive the table). */
int ns_bgp_rib_peer_set(struct ns_bgp_rib *r, uint32_t idx, const struct ns_bgp_peer_desc *d);
/* The session reached Established: every exported best path is pending for it. */
void ns_bgp_rib_peer_up(struct ns_bgp_rib *r, uint32_t idx);
/* The session ended: its Adj-RIB-In is withdrawn (best paths change, other
 * neighbours get the changes), its Adj-RIB-Out is forgotten. */
void ns_bgp_rib_peer_down(struct ns_bgp_rib *r, uint32_t idx);

/*
 * Input.  Applies an UPDATE received from idx: withdrawn, then nlri (the
 * import filter first), or for TREAT_AS_WITHDRAW every prefix it names as a
 * withdrawal.  Routes whose AS_PATH holds our AS are ignored (loop).  Returns
 * the number of prefixes that could not be stored (table full), counted.
 */
uint32_t ns_bgp_rib_input(struct ns_bgp_rib *r, uint32_t idx, const struct ns_bgp_update *u,
		enum ns_bgp_upd_action act);
/* The speaker's own prefix (origin IGP, empty path, next hop local_addr of each session). */
int ns_bgp_rib_originate(struct ns_bgp_rib *r, const struct ns_bgp_pfx *p);
int ns_bgp_rib_unoriginate(struct ns_bgp_rib *r, const struct ns_bgp_pfx *p);

/*
 * Export.  Writes UPDATE messages for idx's pending changes into buf (whole
 * messages back to back, at most max bytes): withdrawals, and announcements
 * grouped by attribute set, with eBGP's rules applied (our AS prepended, next
 * hop ours, no LOCAL_PREF, no MED passed on) or iBGP's (LOCAL_PREF always
 * set; no path learned from an iBGP neighbour; next hop kept unless
 * next_hop_self or own).  A path is not sent back to the neighbour it came
 * from, nor to an eBGP neighbour whose AS is in it.  What is written is
 * recorded in idx's Adj-RIB-Out and leaves the pending set.  Returns the
 * bytes written (0: nothing pending, or max too small for one message).
 */
uint32_t ns_bgp_rib_export(
		struct ns_bgp_rib *r, uint32_t idx, bool as4, uint8_t *buf, uint32_t max);
/* A route refresh from idx (RFC 2918): its Adj-RIB-Out is forgotten and
 * every exported best path is pending again. */
void ns_bgp_rib_refresh(struct ns_bgp_rib *r, uint32_t idx);
/* Prefixes pending for idx. */
uint32_t ns_bgp_rib_pending(const struct ns_bgp_rib *r, uint32_t idx);

/*
 * Non-stop routing.  out_apply: record in idx's Adj-RIB-Out what an UPDATE
 * the active sent said (the standby learns what was advertised).
 * out_resync: recompute idx's pending set from its Adj-RIB-Out and the
 * Loc-RIB (after a takeover: only what differs goes out, nothing unchanged
 * is withdrawn or announced again).
 */
void ns_bgp_rib_out_apply(struct ns_bgp_rib *r, uint32_t idx, const struct ns_bgp_update *u);
void ns_bgp_rib_out_resync(struct ns_bgp_rib *r, uint32_t idx);

/* One prefix's entry, for walks (show, snapshot). */
struct ns_bgp_rib_view {
	struct ns_bgp_pfx p;
	uint8_t best; /* neighbour index of the best path, NS_BGP_LOCAL, or 0xfe: none */
	bool own;     /* originated here */
	/* Per neighbour: the path in its Adj-RIB-In and what its Adj-RIB-Out holds
	 * (NULL: none).  Valid until the table changes. */
	const struct ns_bgp_attrs *in[NS_BGP_MAX_PEERS];
	const struct ns_bgp_attrs *out[NS_BGP_MAX_PEERS];
};
#define NS_BGP_NO_BEST 0xfe

/* The entry at *cursor or after it (0: the start); advances *cursor past it.
 * false when the walk is over. */
bool ns_bgp_rib_walk(const struct ns_bgp_rib *r, uint64_t *cursor, struct ns_bgp_rib_view *v);
bool ns_bgp_rib_lookup(
		const struct ns_bgp_rib *r, const struct ns_bgp_pfx *p, struct ns_bgp_rib_view *v);

struct ns_bgp_rib_stats {
	uint32_t prefixes;		/* in the Loc-RIB (with a best path) */
	uint32_t entries;		/* in the table */
	uint32_t attr_sets;		/* interned */
	uint64_t bytes;			/* memory the table holds */
	uint32_t in[NS_BGP_MAX_PEERS];	/* Adj-RIB-In sizes */
	uint32_t out[NS_BGP_MAX_PEERS]; /* Adj-RIB-Out sizes */
	uint64_t table_full;		/* prefixes refused */
	uint64_t loops;			/* paths ignored for our AS in AS_PATH */
	uint64_t filtered;		/* refused by an import filter */
	uint64_t best_changes;
};
void ns_bgp_rib_stats(const struct ns_bgp_rib *r, struct ns_bgp_rib_stats *s);

#endif
