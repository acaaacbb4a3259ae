/* SPDX-License-Identifier: BSD-3-Clause */
/* Application configuration: an INI file read with rte_cfgfile. */
#ifndef NS_CONFIG_H
#define NS_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "bfd/bfd_auth.h"
#include <rte_ether.h>
#include <rte_lcore.h>

#define NS_MAX_PORTS   8
#define NS_MAX_WORKERS 16
#define NS_NAME_LEN    32
#define NS_MAX_BFD     131072 /* sessions (slots) */

/*
 * [global]: its numeric knobs once.  X(key, type, min, max, dflt): key is
 * the INI key and the member of struct ns_config, of C type type; min ..
 * max its range; dflt its default.  The members, their defaults, the
 * loader's range checks and 'show config' come from it; the other key,
 * parsed by hand, is NS_GLOBAL_OTHER_KEYS.  README's [global] table must
 * match both (tests/app/readme_knobs.py).
 */
#define NS_GLOBAL_KNOBS(X)                                                                      \
	X(idle_threshold, uint32_t, 1, 1u << 30, 256)  /* empty polls before the first sleep */ \
	X(idle_sleep_max_us, uint32_t, 1, 100000, 200) /* bound on wake-up latency */           \
	X(burst, uint16_t, 1, 512, 32)                                                          \
	X(mbufs, uint32_t, 511, 1u << 24, 8191)                                                 \
	X(mbuf_cache, uint32_t, 0, 512, 256)                                                    \
	X(arp_entries, uint32_t, 1, 1u << 20, 1024)                                             \
	X(arp_timeout_s, uint32_t, 1, 86400, 300)                                               \
	X(arp_retry_ms, uint32_t, 10, 60000, 1000)                                              \
	X(arp_tries, uint8_t, 1, 255, 3)                                                        \
	X(ttl, uint8_t, 1, 255, 64)                                                             \
	X(bfd_max_sessions, uint32_t, 1, NS_MAX_BFD, 4096) /* the BFD engine's table */         \
	X(app_budget_us, uint32_t, 0, 1000000, 200) /* an application callback longer: counted */

#define NS_GLOBAL_OTHER_KEYS "idle"

/*
 * [lcores]: its keys once.  X(key, field, kind, max): key is the INI key;
 * field its member of struct ns_config; kind LIST (lcores as 1, 1-3 or
 * 0,2-3: at most max, none twice; field[] and n_field) or ONE (one lcore:
 * field, -1 when not given).  The members, the loader, 'show config' and
 * /nonstop/config come from it; README's [lcores] table must match
 * (tests/app/readme_knobs.py).
 */
#define NS_LCORE_KEYS(X)                          \
	X(workers, workers, LIST, NS_MAX_WORKERS) \
	X(fastpath, fastpath_lcore, ONE, 1) /* the BFD engine's and the overlay's */

#define NS_LCORE_MEMBER_LIST(field, max) \
	uint32_t n_##field;              \
	unsigned int field[max];
#define NS_LCORE_MEMBER_ONE(field, max) int field;
#define NS_LCORE_DFLT_LIST(field)
#define NS_LCORE_DFLT_ONE(field) (field) = -1;

/*
 * [port.NAME]: its numeric and boolean knobs once.  X(key, field, type, min,
 * max, dflt): key is the INI key; field its member of struct ns_port_cfg, of
 * C type type (bool: a boolean, 0 .. 1); min .. max its range; dflt its
 * default.  The members, their defaults, the loader's range checks (in this
 * order; then the checks of knobs that go together: igmp and querier need
 * rxq = 1, query_response_ms below query_interval_ms) and 'show config'
 * come from it; the other keys, parsed by hand, are NS_PORT_OTHER_KEYS.
 * README's [port.NAME] table must match both (tests/app/readme_knobs.py).
 */
#define NS_PORT_KNOBS(X)                                                                       \
	X(rxq, rxq, uint16_t, 1, NS_MAX_WORKERS, 1)                                            \
	X(rx_desc, rx_desc, uint16_t, 32, 16384, 1024)                                         \
	X(tx_desc, tx_desc, uint16_t, 32, 16384, 1024)                                         \
	X(promisc, promisc, bool, 0, 1, true)                                                  \
	X(igmp, igmp, bool, 0, 1, false)       /* the membership service (mcast join|leave) */ \
	X(querier, querier, bool, 0, 1, false) /* IGMPv3 querier, memberships tracked */       \
	/* The querier's timers (RFC 3376 8) */                                                \
	X(robustness, q_robustness, uint8_t, 1, 7, 2)                                          \
	X(query_interval_ms, q_interval_ms, uint32_t, 1000, 3175000, 125000)                   \
	X(query_response_ms, q_response_ms, uint32_t, 100, 3175000, 10000)                     \
	X(last_member_ms, q_last_member_ms, uint32_t, 100, 25000, 1000)

#define NS_PORT_OTHER_KEYS "dev", "args", "role", "ip", "mac", "forward", "checksum", "neighbors"

enum ns_port_role { NS_ROLE_SERVICE, NS_ROLE_REPLICATION };
enum ns_idle_policy { NS_IDLE_BUSY, NS_IDLE_ADAPTIVE };

struct ns_port_cfg {
	char name[NS_NAME_LEN]; /* from the section name [port.NAME] */
	char dev[128];		/* ethdev name: vdev name or PCI address */
	char args[256];		/* devargs: when set, the device is probed with them */
	enum ns_port_role role;
	rte_be32_t ip;
	uint8_t prefix;
	bool has_mac;
	struct rte_ether_addr mac;
#define X(key, field, type, min, max, dflt) type field;
	NS_PORT_KNOBS(X)
#undef X
	bool csum_trust; /* checksum = trust: TCP checksums neither sent nor checked */
	int forward;	 /* index of the port to io-forward to, or -1 */
	uint8_t n_neigh; /* neighbors = IP MAC, ...: static ARP entries */
	rte_be32_t neigh_ip[16];
	struct rte_ether_addr neigh_mac[16];
	char forward_name[NS_NAME_LEN];
};

/*
 * [app.NAME]: an application from a shared object (lib = PATH) and its own
 * keys, handed to its init; listeners and clients name it with app = NAME.
 * The built-in applications (echo, sink, source, echo-check) need no
 * section.  The object is loaded with the configuration, so that a missing
 * file or a wrong API version is an error of the file's line.
 */
#define NS_MAX_CFG_APPS	   8
#define NS_APP_CFG_KEYS	   256 /* [app.NAME]'s and its [app.NAME.SUB]s' */
#define NS_APP_CFG_KEY_LEN 64
#define NS_APP_CFG_VAL_LEN 256

struct ns_app_ops;

struct ns_app_cfg {
	char name[NS_NAME_LEN];
	char lib[NS_APP_CFG_VAL_LEN];
	const struct ns_app_ops *ops; /* its table (from the object's entry point) */
	void *dl;		      /* the dlopen() handle */
	uint32_t n_kv;		      /* its keys but lib */
	struct {
		char key[NS_APP_CFG_KEY_LEN]; /* 'key', or 'SUB.key' from [app.NAME.SUB] */
		char value[NS_APP_CFG_VAL_LEN];
		uint8_t sub_len; /* the length of its SUB (0: a key of [app.NAME]) */
	} kv[NS_APP_CFG_KEYS];
};

#define NS_MAX_LISTENERS 16

/*
 * [listener.NAME] and [client.NAME]: their keys once.  X(key, field, kind,
 * min, max, dflt, need): key is the INI key; field its member of struct
 * ns_listener_cfg or ns_client_cfg; need NULL, or what the error says is
 * missing when the key is not given.  kind is U16, U32 or U64 (an integer
 * in min .. max, default dflt), or one of the kinds the loader parses with
 * code of their own: ADDR (an IPv4 address, 0: none), CONNECT (A.B.C.D:PORT:
 * field, and field_port in host order), APP (an application's name:
 * ns_cfg_get_app, its index in the application table, default dflt) and
 * REPL (sync or async: field_async, and field_set when given, else [repl]
 * mode).  The members, the defaults, the missing checks, the loader (in
 * this order; then, as code, the checks that go together: a client's msg
 * against app and bytes, a listener's port and address against the others),
 * 'show config' and /nonstop/config come from them; README's
 * [listener.NAME] and [client.NAME] tables must match
 * (tests/app/readme_knobs.py).
 */
#define NS_LISTENER_KEYS(X)                                                   \
	X(port, port, U16, 1, 65535, 0, "the TCP port to listen on")          \
	X(address, addr, ADDR, 0, 0, 0, NULL) /* 0: every address of ours */  \
	X(app, app, APP, 0, 0, NS_APP_ECHO, NULL)                             \
	/* source: bytes to send per connection (0: until the peer closes) */ \
	X(bytes, bytes, U64, 0, 1ull << 50, 0, NULL)                          \
	X(repl, repl, REPL, 0, 0, 0, NULL) /* async: segments not held for the standby */

#define NS_CLIENT_KEYS(X)                                                                    \
	X(connect, dst, CONNECT, 0, 0, 0, "the A.B.C.D:PORT to connect to")                  \
	X(source, src, ADDR, 0, 0, 0, NULL) /* 0: the address of the port on dst's subnet */ \
	X(app, app, APP, 0, 0, NS_APP_SOURCE, NULL)                                          \
	X(bytes, bytes, U64, 0, 1ull << 50, 0, NULL) /* source/echo-check (0: forever) */    \
	X(conns, conns, U32, 1, 65536, 1, NULL)	     /* concurrent connections */            \
	/* echo-check: request/response of msg bytes, one at a time (0: stream) */           \
	X(msg, msg, U32, 0, 65536, 0, NULL)

/* NS_TCPAPP_MEMBER_<kind>(field): the members of a key of that kind. */
#define NS_TCPAPP_MEMBER_U16(field)  uint16_t field;
#define NS_TCPAPP_MEMBER_U32(field)  uint32_t field;
#define NS_TCPAPP_MEMBER_U64(field)  uint64_t field;
#define NS_TCPAPP_MEMBER_ADDR(field) rte_be32_t field;
#define NS_TCPAPP_MEMBER_CONNECT(field) \
	rte_be32_t field;               \
	uint16_t field##_port;
#define NS_TCPAPP_MEMBER_APP(field) uint32_t field; /* in the application table (apps.h) */
#define NS_TCPAPP_MEMBER_REPL(field) \
	bool field##_async;          \
	bool field##_set;

struct ns_listener_cfg {
	char name[NS_NAME_LEN]; /* [listener.NAME] */
#define X(key, field, kind, min, max, dflt, need) NS_TCPAPP_MEMBER_##kind(field)
	NS_LISTENER_KEYS(X)
#undef X
};

/* [bfd.NAME]: a single-hop BFD session (RFC 5881). */
struct ns_bfd_cfg {
	char name[NS_NAME_LEN];
	rte_be32_t peer, local; /* local 0 in the file: the port on peer's subnet */
	uint16_t port_idx;
	uint32_t tx_ms, rx_ms;
	uint8_t multiplier;
	bool passive;
	struct ns_bfd_auth_cfg auth; /* auth, auth_key_id, auth_key */
	uint32_t count; /* first of a range ('count = N': peers peer .. peer + N - 1), else 0 */
};

/*
 * [bfd.NAME]: every key once, for the config file and the console.
 * X(key, word, kind, min, max, dflt): key is the INI key; word the same
 * setting in 'bfd session add' (NULL: the file's only); kind ADDR (an IPv4
 * address), U32 (min .. max), BOOL (the console's word takes no value) or
 * TEXT (checked with the keys it goes with when the session is complete);
 * dflt the default of a U32 or BOOL.  The loader ([bfd.NAME]), 'bfd session
 * add' and 'set bfd session' parse with it (ns_bfd_words_*); README's
 * [bfd.NAME] table and its 'bfd session add' line must match
 * (tests/app/readme_knobs.py).
 */
#define NS_BFD_KEYS(X)                              \
	X(peer, "peer", ADDR, 0, 0, 0)              \
	X(local, "local", ADDR, 0, 0, 0)            \
	X(tx_interval_ms, "tx", U32, 1, 60000, 300) \
	X(rx_interval_ms, "rx", U32, 0, 60000, 300) \
	X(multiplier, "multiplier", U32, 1, 255, 3) \
	X(passive, "passive", BOOL, 0, 1, 0)        \
	X(auth, "auth", TEXT, 0, 0, 0)              \
	X(auth_key, "key", TEXT, 0, 0, 0)           \
	X(auth_key_id, "key-id", U32, 0, 255, 1)    \
	X(count, NULL, U32, 1, NS_MAX_BFD, 1)

enum ns_bfd_key {
#define X(key, word, kind, min, max, dflt) NS_BFD_KEY_##key,
	NS_BFD_KEYS(X)
#undef X
			NS_BFD_KEY__N
};

enum ns_bfd_key_kind { NS_BFD_KIND_ADDR, NS_BFD_KIND_U32, NS_BFD_KIND_BOOL, NS_BFD_KIND_TEXT };

struct ns_bfd_key_desc {
	const char *key, *word;
	enum ns_bfd_key_kind kind;
	uint32_t min, max, dflt;
};

/* NS_BFD_KEYS as data, indexed by enum ns_bfd_key. */
extern const struct ns_bfd_key_desc ns_bfd_keys[NS_BFD_KEY__N];

/* One session's settings as they are read, before they make a session. */
struct ns_bfd_words {
	uint32_t num[NS_BFD_KEY__N];	 /* U32 and BOOL (defaults first); ADDR in network order */
	const char *text[NS_BFD_KEY__N]; /* TEXT: the value as given (not copied) */
	bool given[NS_BFD_KEY__N];
};

/* The defaults of NS_BFD_KEYS. */
void ns_bfd_words_init(struct ns_bfd_words *w);
/* The entry named name: an INI key, or with console a console word; -1 if none. */
int ns_bfd_key_find(const char *name, bool console);
/* Entry i's value val into w; false, with why, when val is not one of its values. */
bool ns_bfd_words_set(struct ns_bfd_words *w, int i, const char *val, char *why, size_t len);
/* The session of w into k (all but k->name, which names it already; port
 * and addresses not resolved); false, with why and the INI key it is about,
 * when the settings do not go together. */
bool ns_bfd_words_finish(const struct ns_bfd_words *w, struct ns_bfd_cfg *k, const char **key,
		char *why, size_t len);
/* The settings of session k as words, for 'show config': count not given (a
 * range is its sessions), the auth keys only with authentication, and the
 * key's text "(not shown)". */
void ns_bfd_words_of(const struct ns_bfd_cfg *k, struct ns_bfd_words *w);

/* Find the port of session k (from its local address or the peer's subnet;
 * a range must stay on it) and check that no session of others[0 .. n)
 * has its addresses (ranges compared as ranges; unnamed ones skipped);
 * returns an error text (and the key it is about) or NULL. */
struct ns_config;
const char *ns_bfd_cfg_resolve(const struct ns_config *cfg, struct ns_bfd_cfg *k,
		const struct ns_bfd_cfg *others, uint32_t n, const char **key);

/* Authentication of a BFD session from its words (config file and console):
 * type name, key ("text" or 0x-hex) and key id; returns an error text or NULL. */
const char *ns_bfd_auth_from_words(
		const char *type, const char *key, uint32_t key_id, struct ns_bfd_auth_cfg *out);

#define NS_MAX_CLIENTS 8

/* [client.NAME]: connections nonstop opens when it starts. */
struct ns_client_cfg {
	char name[NS_NAME_LEN];
#define X(key, field, kind, min, max, dflt, need) NS_TCPAPP_MEMBER_##kind(field)
	NS_CLIENT_KEYS(X)
#undef X
	uint16_t port_idx; /* the port holding src (set by the loader) */
};

/*
 * [tcp]: every knob once.  X(key, field, kind, min, max, set, where):
 * key is the INI key and the 'set tcp' knob; field its member of struct
 * ns_tcp_knobs (and of struct ns_tcp_cfg); kind U32, POW2 (a power of two)
 * or BOOL; min .. max its range (0 .. 1 for BOOL); set RT when 'set tcp'
 * changes it at run time, else NO; where CORE when it is a knob of the
 * stack (struct ns_tcp_cfg, whose defaults are the defaults), APP when
 * the application's alone (default off).  The struct, the loader, 'show
 * config' and 'set tcp' come from it; README's [tcp] table must match
 * (tests/app/readme_knobs.py).
 */
#define NS_TCP_KNOBS(X)                                                      \
	X(max_conns, max_conns, U32, 1, 1u << 20, NO, CORE)                  \
	X(sndbuf, sndbuf, POW2, 1024, 1u << 24, NO, CORE)                    \
	X(rcvbuf, rcvbuf, POW2, 1024, 1u << 24, NO, CORE)                    \
	X(mss, mss, U32, 88, 9000, NO, CORE)                                 \
	X(wscale, wscale, U32, 0, 14, NO, CORE)                              \
	X(timestamps, ts, BOOL, 0, 1, NO, CORE)                              \
	X(sack, sack, BOOL, 0, 1, NO, CORE)                                  \
	X(window_scaling, ws, BOOL, 0, 1, NO, CORE)                          \
	X(nodelay, nodelay, BOOL, 0, 1, RT, APP)                             \
	X(rto_min_ms, rto_min_ms, U32, 1, 60000, RT, CORE)                   \
	X(rto_init_ms, rto_init_ms, U32, 1, 60000, RT, CORE)                 \
	X(delack_ms, delack_ms, U32, 1, 500, RT, CORE)                       \
	X(time_wait_ms, time_wait_ms, U32, 1, 240000, RT, CORE)              \
	X(syn_backlog, syn_backlog, U32, 0, 1u << 20, RT, CORE)              \
	X(syncookies, syncookies, BOOL, 0, 1, RT, CORE)                      \
	X(keepalive_idle_ms, keepalive_idle_ms, U32, 0, 86400000, RT, CORE)  \
	X(keepalive_intvl_ms, keepalive_intvl_ms, U32, 1, 3600000, RT, CORE) \
	X(keepalive_cnt, keepalive_cnt, U32, 1, 255, RT, CORE)

/* The member's type of a knob of kind U32, POW2 or BOOL (NS_TCP_KNOBS, NS_REPL_KNOBS). */
#define NS_KNOB_TYPE_U32  uint32_t
#define NS_KNOB_TYPE_POW2 uint32_t
#define NS_KNOB_TYPE_BOOL bool
/* NS_TCP_KNOB_CORE_<where>(...): its arguments for a knob of the stack only. */
#define NS_TCP_KNOB_CORE_CORE(...) __VA_ARGS__
#define NS_TCP_KNOB_CORE_APP(...)
/* NS_TCP_KNOB_SET_<set>(...): its arguments for a knob 'set tcp' changes only. */
#define NS_TCP_KNOB_SET_RT(...) __VA_ARGS__
#define NS_TCP_KNOB_SET_NO(...)

struct ns_tcp_knobs {
#define X(key, field, kind, min, max, set, where) NS_KNOB_TYPE_##kind field;
	NS_TCP_KNOBS(X)
#undef X
};

#define NS_MAX_OVL	   64
#define NS_OVL_MAX_CLIENTS 16
#define NS_OVL_MAX_UNICAST 8

/*
 * [overlay.NAME]: every key once.  X(key, field, kind, role, min, max, dflt,
 * need): key is the INI key; field its member of struct ns_ovl_cfg; role
 * ANY, ENCAP (first hop) or DECAP (last hop): the sessions it is a key of (a
 * key of the other role is an error); need NULL, or what the error says is
 * missing when the key is not given.  kind is U8, U16, U32 (an integer in
 * min .. max, default dflt) or BOOL (default dflt), or one of the kinds the
 * loader parses with code of their own: ROLE (encap or decap: the bool
 * field), GROUP (a routable IPv4 multicast group), ADDR (an IPv4 address,
 * 0: none), DEST (a unicast A.B.C.D[:PORT]: field, and field_port in host
 * order, 0: any), ADDRS (unicast addresses a,b,c, at most max: field[] and
 * n_field), PORT (a [port.NAME]'s name, resolved once the ports are read)
 * and KEY (text or 0x-hex, min .. max bytes: field[] and field_len).  The
 * members, the defaults, the missing and role checks, the loader (in this
 * order; then, as code, the checks of keys that go together: mss_clamp
 * against mtu, clients or member_clients), 'show config' and
 * /nonstop/config come from it; README's [overlay.NAME] table must match
 * (tests/app/readme_knobs.py).
 */
#define NS_OVL_KEYS(X)                                                                           \
	X(role, decap, ROLE, ANY, 0, 0, 0, "encap (first hop) or decap (last hop)")              \
	X(key, key, U32, ANY, 0, UINT32_MAX, 0, "the session's 32-bit GRE key")                  \
	X(group, group, GROUP, ANY, 0, 0, 0, "the session's multicast group") /* its tree */     \
	/* where the overlay travels (encap: out; decap: in) */                                  \
	X(port, port_name, PORT, ANY, 0, 0, 0, "a [port.NAME]'s name")                           \
	/* the inner destination taken into the session */                                       \
	X(match, match, DEST, ENCAP, 0, 0, 0,                                                    \
			"the inner destination A.B.C.D[:PORT] taken into the session")           \
	X(ttl, ttl, U8, ENCAP, 1, 255, 16, NULL)                                                 \
	/* of the overlay port: inner packets over mtu - 40 dropped */                           \
	X(mtu, mtu, U16, ENCAP, 576, 9000, 1500, NULL)                                           \
	X(mss_clamp, mss_clamp, U16, ENCAP, 0, 9000, 0, NULL) /* inner SYNs' MSS (0: off) */     \
	/* redundant copies always sent to these last hops */                                    \
	X(unicast, unicast, ADDRS, ENCAP, 0, NS_OVL_MAX_UNICAST, 0, NULL)                        \
	X(accept_requests, accept_requests, BOOL, ENCAP, 0, 1, true, NULL) /* unicast copies */  \
	X(clients, clients, ADDRS, DECAP, 0, NS_OVL_MAX_CLIENTS, 0, NULL)                        \
	X(client_port, client_port_name, PORT, DECAP, 0, 0, 0, "a [port.NAME]'s name")           \
	/* also the hosts that joined group on client_port (its querier) */                      \
	X(member_clients, member_clients, BOOL, DECAP, 0, 1, false, NULL)                        \
	X(request, request, ADDR, DECAP, 0, 0, 0, NULL) /* ask this first hop for the copy */    \
	/* refresh period; each request holds for 3 of them */                                   \
	X(request_ms, request_ms, U32, DECAP, 10, 20000, 1000, NULL)                             \
	X(hold_ms, hold_ms, U32, DECAP, 1, 10000, 50, NULL) /* a gap waits for the other copy */ \
	/* requests signed (last hop) and checked (first hop) */                                 \
	X(request_key, request_key, KEY, ANY, 16, 64, 0, NULL)

/* NS_OVL_MEMBER_<kind>(field, max): the members of a key of that kind. */
#define NS_OVL_MEMBER_U8(field, max)	uint8_t field;
#define NS_OVL_MEMBER_U16(field, max)	uint16_t field;
#define NS_OVL_MEMBER_U32(field, max)	uint32_t field;
#define NS_OVL_MEMBER_BOOL(field, max)	bool field;
#define NS_OVL_MEMBER_ROLE(field, max)	bool field;
#define NS_OVL_MEMBER_GROUP(field, max) rte_be32_t field;
#define NS_OVL_MEMBER_ADDR(field, max)	rte_be32_t field;
#define NS_OVL_MEMBER_DEST(field, max) \
	rte_be32_t field;              \
	uint16_t field##_port;
#define NS_OVL_MEMBER_ADDRS(field, max) \
	uint32_t n_##field;             \
	rte_be32_t field[max];
#define NS_OVL_MEMBER_PORT(field, max) char field[NS_NAME_LEN];
#define NS_OVL_MEMBER_KEY(field, max) \
	uint8_t field[max];           \
	uint32_t field##_len;

/* [overlay.NAME]: one application session of the multicast overlay. */
struct ns_ovl_cfg {
	char name[NS_NAME_LEN];
#define X(key, field, kind, role, min, max, dflt, need) NS_OVL_MEMBER_##kind(field, max)
	NS_OVL_KEYS(X)
#undef X
	uint16_t port_idx;	  /* port's (set by the loader) */
	uint16_t client_port_idx; /* client_port's (set by the loader) */
};

enum ns_repl_role { NS_REPL_ROLE_NONE, NS_REPL_ROLE_ACTIVE, NS_REPL_ROLE_STANDBY };

/*
 * [repl]: its numeric and boolean knobs once.  X(key, kind, min, max, dflt):
 * key is the INI key and the member of struct ns_repl_cfg; kind U32, POW2
 * (a power of two) or BOOL; min .. max its range (0 .. 1 for BOOL); dflt
 * its default.  The members, their defaults and the loader's range checks
 * come from it (in this order; then the checks of knobs that go together:
 * window below ring, standby_timeout_ms against failover_ms); the other
 * keys, parsed by hand, are NS_REPL_OTHER_KEYS.  README's [repl] table must
 * match both (tests/app/readme_knobs.py).
 */
#define NS_REPL_KNOBS(X)                                                                 \
	X(epoch, U32, 1, UINT32_MAX - 1, 1)                                              \
	X(frame_max, U32, 256, 9000, 2034) /* with its Ethernet header, one 2 KB mbuf */ \
	X(window, U32, 4, 4096, 256)	   /* frames in flight */                        \
	X(ring, POW2, 16, 65536, 2048)	   /* frames kept for retransmission */          \
	X(warn_ms, U32, 0, 600000, 50)	   /* backup application lag thresholds */       \
	X(crit_ms, U32, 0, 600000, 500)                                                  \
	/* silence after which the active goes on alone */                               \
	X(standby_timeout_ms, U32, 10, 60000, 1000)                                      \
	/* silence of the active after which the standby takes over */                   \
	X(failover_ms, U32, 0, 60000, 100)                                               \
	/* after a takeover: unknown flows dropped, not reset */                         \
	X(grace_ms, U32, 0, 600000, 3000)                                                \
	X(auto_wait_ms, U32, 10, 600000, 300) /* role = auto: listening at start */      \
	X(service_beat, BOOL, 0, 1, true)     /* heartbeats on the service ports */

#define NS_REPL_OTHER_KEYS "role", "port", "key", "mode", "peer_mac", "bfd"

/* [repl]: TCB replication to (or from) the other instance. */
struct ns_repl_cfg {
	enum ns_repl_role role;
	uint16_t port_idx; /* the replication-role port that carries it */
	char port_name[NS_NAME_LEN];
	uint8_t key[64];
	uint32_t key_len;
#define X(key, kind, min, max, dflt) NS_KNOB_TYPE_##kind key;
	NS_REPL_KNOBS(X)
#undef X
	bool async; /* the default mode of listeners and clients */
	bool has_peer_mac;
	struct rte_ether_addr peer_mac;
	/* role = auto: a standby that becomes the active when no active answers
	 * within auto_wait_ms of the start (a restart rejoins without a change). */
	bool auto_role;
	/* Liveness besides the channel: bfd = NAME... (BFD sessions to the other
	 * instance, e.g. over the replication link), and heartbeats on the service
	 * ports (service_beat, default on).  The standby takes over only when all are
	 * silent: a dead replication link alone is not a dead active. */
	uint32_t n_live_bfd;
	uint32_t live_bfd[4]; /* cfg.bfd[] slots */
};

const char *ns_repl_role_name(enum ns_repl_role r);

struct ns_config {
	char path[256];
	/* [global] */
	enum ns_idle_policy idle;
#define X(key, type, min, max, dflt) type key;
	NS_GLOBAL_KNOBS(X)
#undef X
#define X(key, field, kind, max) NS_LCORE_MEMBER_##kind(field, max)
	NS_LCORE_KEYS(X)
#undef X
	/* [port.*] */
	uint16_t n_ports;
	struct ns_port_cfg port[NS_MAX_PORTS];
	/* [tcp] and [listener.*] */
	struct ns_tcp_knobs tcp;
	uint16_t n_listeners;
	struct ns_listener_cfg listener[NS_MAX_LISTENERS];
	uint16_t n_clients;
	struct ns_client_cfg client[NS_MAX_CLIENTS];
	struct ns_repl_cfg repl;
	uint32_t n_ovl; /* [overlay.*] */
	struct ns_ovl_cfg ovl[NS_MAX_OVL];
	uint32_t n_bfd; /* slots in use or used (bfd[]) */
	struct ns_bfd_cfg bfd[NS_MAX_BFD];
	uint32_t n_apps; /* [app.*] */
	struct ns_app_cfg apps[NS_MAX_CFG_APPS];
};

/*
 * Load and validate 'path'.  On error, writes "FILE:LINE: [section] key: why"
 * into err and returns -1.  Does not touch EAL or ports; lcore ids are
 * checked later against the EAL lcore set (ns_config_check_lcores).
 */
int ns_config_load(struct ns_config *cfg, const char *path, char *err, size_t errlen);
/* The line of key in [section] of the file at path (the section's line when
 * key is NULL or absent; 0 when neither is there). */
int ns_cfg_line_of(const char *path, const char *section, const char *key);
int ns_config_check_lcores(const struct ns_config *cfg, char *err, size_t errlen);
void ns_config_defaults(struct ns_config *cfg);

/* The name of application idx of the table (built-ins, then [app.*]). */
const char *ns_cfg_app_name(const struct ns_config *cfg, uint32_t idx);

/*
 * 'show config' and /nonstop/config: the keys of a section in the order of
 * its table, each with its value as text (num: the value of an integer or a
 * boolean, else NULL); a key with nothing to show (an address not given, a
 * list left empty, another role's key) is skipped.
 */
typedef void ns_cfg_kv_fn(void *arg, const char *key, const char *text, const uint64_t *num);
void ns_cfg_each_global(const struct ns_config *cfg, ns_cfg_kv_fn *fn, void *arg);
void ns_cfg_each_lcores(const struct ns_config *cfg, ns_cfg_kv_fn *fn, void *arg);
void ns_cfg_each_port(const struct ns_port_cfg *p, ns_cfg_kv_fn *fn, void *arg);
void ns_cfg_each_tcp(const struct ns_tcp_knobs *k, ns_cfg_kv_fn *fn, void *arg);
/* [repl] (its bfd sessions by their names in cfg->bfd[]): role alone when none. */
void ns_cfg_each_repl(const struct ns_config *cfg, ns_cfg_kv_fn *fn, void *arg);
void ns_cfg_each_overlay(const struct ns_ovl_cfg *o, ns_cfg_kv_fn *fn, void *arg);
/* [listener.NAME] and [client.NAME] (their applications by name in cfg's table). */
void ns_cfg_each_listener(const struct ns_config *cfg, const struct ns_listener_cfg *l,
		ns_cfg_kv_fn *fn, void *arg);
void ns_cfg_each_client(const struct ns_config *cfg, const struct ns_client_cfg *k,
		ns_cfg_kv_fn *fn, void *arg);

const char *ns_role_name(enum ns_port_role r);
const char *ns_idle_name(enum ns_idle_policy p);

#endif /* NS_CONFIG_H */
