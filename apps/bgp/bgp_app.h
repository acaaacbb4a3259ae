/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the bgp application's files share: the configuration (bgp_config.c
 * fills it), the neighbours' sessions and the tables (bgp_app.c), and what
 * the worker publishes for the control thread (bgp_show.c: the console and
 * telemetry).  The module is built with hidden symbols: only ns_app_entry
 * is seen by nonstop.
 */
#ifndef NS_BGP_APP_H
#define NS_BGP_APP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <nonstop/app.h>

#include "bgp_msg.h"
#include "bgp_rib.h"

#define MAX_PLISTS	16
#define CONNECT_RETRY_S 5
#define ANSWER_MAX	(16u << 20) /* a routes answer: a whole table in JSON */
#define ROUTES_DEFAULT	200

enum fsm {
	S_IDLE,
	S_OPENSENT,
	S_OPENCONFIRM,
	S_ESTABLISHED,
	S_CLOSING, /* a NOTIFICATION went out or came in: the TCP close follows */
};
extern const char *const fsm_name[];

struct plist {
	char name[32];
	struct ns_bgp_plist l;
};

/* A neighbour: its configuration and its session (the worker's). */
struct peer {
	uint32_t addr; /* host order */
	uint32_t asn;
	bool nhs;
	bool connect;	    /* open the session too (else wait for the neighbour's) */
	int import, export; /* prefix list index, -1: none */
	char desc[64];	    /* its description (a section's key) */
	/* session */
	struct ns_app_conn *conn;
	uint8_t state;
	bool as4, rib_up;
	bool kick;     /* its timer is armed to export at once */
	bool own_open; /* conn is the connection we opened */
	void *st;      /* conn's state (a yielded attempt is marked through it) */
	/* A second connection while neither OPEN told the neighbour's
	 * Identifier (a collision, RFC 4271 6.8): it waits in OpenSent beside
	 * conn until one does, and the loser gets a Cease. */
	struct ns_app_conn *alt;
	void *alt_st;
	bool alt_own;
	uint64_t next_connect_ns; /* ConnectRetry */
	uint16_t hold;		  /* negotiated, s */
	uint32_t id;		  /* its BGP identifier */
	uint32_t local_addr;
	uint64_t up_since_ms; /* wall clock */
	uint64_t established, dropped;
	uint64_t rx[6], tx[6]; /* messages by type */
	uint8_t last_err[2];   /* the last NOTIFICATION's code, subcode (either way) */
};

struct bgp_cfg {
	uint32_t as, router_id, hold, max_prefixes;
	uint32_t n_peers, n_plists, n_nets;
	struct peer peer[NS_BGP_MAX_PEERS];
	struct plist plist[MAX_PLISTS];
	struct ns_bgp_pfx *nets;
};
extern struct bgp_cfg cfg;

extern struct ns_bgp_rib *rib;
extern pthread_t worker_thread; /* the tables' worker (the console may run on it) */
extern char appname[32];

/* --- what the control thread reads ---------------------------------------- */

struct pub_peer {
	uint32_t addr, asn, id;
	uint8_t state;
	uint16_t hold;
	uint64_t up_since_ms, established, dropped;
	uint64_t rx[6], tx[6];
	uint32_t in, out, pending;
	uint8_t last_err[2];
};

/* Published by the worker after its poll, a sequence lock (odd while written). */
struct bgp_pub {
	uint32_t seq;
	bool standby;
	struct ns_bgp_rib_stats st;
	struct pub_peer peer[NS_BGP_MAX_PEERS];
};
extern struct bgp_pub pub;

/* A request from the control thread that needs the live tables ('routes'):
 * posted here, answered by the worker in its poll. */
struct bgp_ask {
	uint32_t req, done; /* the control thread bumps req, the worker sets done = req */
	bool json, one;
	struct ns_bgp_pfx p;
	uint32_t max;
	uint32_t len;
	char text[ANSWER_MAX];
};
extern struct bgp_ask ask;

/* bgp_config.c: [app.NAME] and its [app.NAME.neighbor.X] sections. */
int bgp_init(const char *name, const struct ns_app_kv *kv, uint32_t n, char *err, uint32_t errlen);
void bgp_fini(void);
int bgp_parse_u32(const char *s, uint32_t *v);

/* bgp_show.c: the worker publishes (every 50 ms) and answers a routes
 * request a part per poll; the console and telemetry read. */
void bgp_publish(struct ns_app_worker *w);
void bgp_answer(void);
int bgp_show(struct ns_app_out *o, int argc, char **argv);
int bgp_telemetry(struct ns_app_tel *t, const char *params);

#endif /* NS_BGP_APP_H */
