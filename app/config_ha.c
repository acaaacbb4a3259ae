/* SPDX-License-Identifier: BSD-3-Clause */
/* The [bfd.NAME] and [repl] sections of the configuration (config.c has the rest). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cfgfile.h>

#include "config.h"
#include "config_internal.h"

static const char *const repl_keys[] = {NS_REPL_OTHER_KEYS,
#define X(key, kind, min, max, dflt) #key,
		NS_REPL_KNOBS(X)
#undef X
				NULL};
static const char *const bfd_keys[] = {
#define X(key, word, kind, min, max, dflt) #key,
		NS_BFD_KEYS(X)
#undef X
				NULL};

/* [repl]: after the ports, whose names it refers to. */
int
ns_cfg_load_repl(struct cfg_ctx *c, struct ns_config *cfg)
{
	const char *s = "repl", *v, *why;
	struct ns_repl_cfg *r = &cfg->repl;
	int port = -1;

#define X(key, kind, min, max, dflt) r->key = dflt;
	NS_REPL_KNOBS(X)
#undef X
	if (!rte_cfgfile_has_section(c->f, s))
		return 0;
	if (ns_check_keys(c, s, repl_keys) < 0)
		return -1;
	v = rte_cfgfile_get_entry(c->f, s, "role");
	if (v == NULL)
		return ns_cfg_error(c, s, "role", "missing: active, standby, auto or none");
	if (!strcmp(v, "active"))
		r->role = NS_REPL_ROLE_ACTIVE;
	else if (!strcmp(v, "standby") || !strcmp(v, "auto"))
		r->role = NS_REPL_ROLE_STANDBY;
	else if (strcmp(v, "none") != 0)
		return ns_cfg_error(c, s, "role", "'%s' is not active, standby, auto or none", v);
	r->auto_role = !strcmp(v, "auto");
	if (r->role == NS_REPL_ROLE_NONE)
		return 0;
	v = rte_cfgfile_get_entry(c->f, s, "port");
	for (uint16_t i = 0; v != NULL && i < cfg->n_ports; i++)
		if (!strcmp(cfg->port[i].name, v))
			port = i;
	if (v == NULL || port < 0)
		return ns_cfg_error(c, s, "port", "'%s' is not a port's name", v ? v : "");
	if (cfg->port[port].role != NS_ROLE_REPLICATION)
		return ns_cfg_error(c, s, "port", "[port.%s] needs role = replication", v);
	r->port_idx = (uint16_t)port;
	snprintf(r->port_name, sizeof(r->port_name), "%s", v);
	v = rte_cfgfile_get_entry(c->f, s, "key");
	if (v == NULL)
		return ns_cfg_error(c, s, "key", "missing: the HMAC key both instances share");
	why = ns_cfg_parse_key(v, r->key, sizeof(r->key), &r->key_len);
	if (why != NULL)
		return ns_cfg_error(c, s, "key", "%s", why);
	if (r->key_len < 16)
		return ns_cfg_error(c, s, "key", "at least 16 bytes");
#define X(key, kind, min, max, dflt)                            \
	if (GET_KNOB_##kind(c, s, #key, &r->key, min, max) < 0) \
		return -1;
	NS_REPL_KNOBS(X)
#undef X
	v = rte_cfgfile_get_entry(c->f, s, "bfd");
	if (v != NULL) {
		char names[256], *save = NULL;

		snprintf(names, sizeof(names), "%s", v);
		for (char *n = strtok_r(names, " ,", &save); n != NULL;
				n = strtok_r(NULL, " ,", &save)) {
			uint32_t i = 0;

			while (i < cfg->n_bfd && strcmp(cfg->bfd[i].name, n) != 0)
				i++;
			if (i == cfg->n_bfd)
				return ns_cfg_error(
						c, s, "bfd", "'%s' is not a [bfd.NAME] session", n);
			if (cfg->bfd[i].count > 1)
				return ns_cfg_error(
						c, s, "bfd", "'%s' is a range, not one session", n);
			if (r->n_live_bfd == RTE_DIM(r->live_bfd))
				return ns_cfg_error(c, s, "bfd", "at most %zu sessions",
						RTE_DIM(r->live_bfd));
			r->live_bfd[r->n_live_bfd++] = i;
		}
	}
	/* The standby may take over only while its last round trip with the
	 * active is younger than its validity (standby_timeout_ms less an
	 * eighth): that must leave room for the failover time and the round trips
	 * of the keepalives (ARCHITECTURE.md, Leases). */
	if (r->failover_ms != 0) {
		uint64_t lost = r->standby_timeout_ms;
		uint64_t validity = lost - RTE_MAX(lost / 8, (uint64_t)2);

		if (validity < 2ull * r->failover_ms) {
			uint64_t min = 2ull * r->failover_ms;

			while (min - RTE_MAX(min / 8, (uint64_t)2) < 2ull * r->failover_ms)
				min++;
			return ns_cfg_error(c, s, "standby_timeout_ms",
					"%u is too short for failover_ms %u: at least %" PRIu64,
					r->standby_timeout_ms, r->failover_ms, min);
		}
	}
	if (r->window >= r->ring)
		return ns_cfg_error(
				c, s, "window", "%u must be below ring (%u)", r->window, r->ring);
	v = rte_cfgfile_get_entry(c->f, s, "mode");
	if (v != NULL) {
		if (strcmp(v, "sync") != 0 && strcmp(v, "async") != 0)
			return ns_cfg_error(c, s, "mode", "'%s' is neither sync nor async", v);
		r->async = !strcmp(v, "async");
	}
	v = rte_cfgfile_get_entry(c->f, s, "peer_mac");
	if (v != NULL) {
		if (rte_ether_unformat_addr(v, &r->peer_mac) != 0)
			return ns_cfg_error(c, s, "peer_mac", "'%s' is not a MAC address", v);
		r->has_peer_mac = true;
	}
	for (uint16_t i = 0; i < cfg->n_listeners; i++)
		if (!cfg->listener[i].repl_set)
			cfg->listener[i].repl_async = r->async;
	return 0;
}

void
ns_cfg_each_repl(const struct ns_config *cfg, ns_cfg_kv_fn *fn, void *arg)
{
	const struct ns_repl_cfg *r = &cfg->repl;
	char text[RTE_DIM(r->live_bfd) * (NS_NAME_LEN + 1)];
	size_t len = 0;

	fn(arg, "role", r->auto_role ? "auto" : ns_repl_role_name(r->role), NULL);
	if (r->role == NS_REPL_ROLE_NONE)
		return;
	fn(arg, "port", r->port_name, NULL);
	fn(arg, "key", "(not shown)", NULL);
	fn(arg, "mode", r->async ? "async" : "sync", NULL);
	if (r->has_peer_mac) {
		rte_ether_format_addr(text, sizeof(text), &r->peer_mac);
		fn(arg, "peer_mac", text, NULL);
	}
	if (r->n_live_bfd > 0) {
		for (uint32_t i = 0; i < r->n_live_bfd; i++)
			len += snprintf(text + len, sizeof(text) - len, "%s%s", i ? "," : "",
					cfg->bfd[r->live_bfd[i]].name);
		fn(arg, "bfd", text, NULL);
	}
#define SHOW_KNOB_U32(key, v)	     ns_cfg_kv_num(fn, arg, key, v)
#define SHOW_KNOB_POW2(key, v)	     ns_cfg_kv_num(fn, arg, key, v)
#define SHOW_KNOB_BOOL(key, v)	     ns_cfg_kv_bool(fn, arg, key, v)
#define X(key, kind, min, max, dflt) SHOW_KNOB_##kind(#key, r->key);
	NS_REPL_KNOBS(X)
#undef X
#undef SHOW_KNOB_U32
#undef SHOW_KNOB_POW2
#undef SHOW_KNOB_BOOL
}

const char *
ns_repl_role_name(enum ns_repl_role r)
{
	return r == NS_REPL_ROLE_ACTIVE ? "active" : r == NS_REPL_ROLE_STANDBY ? "standby" : "none";
}

/* [bfd.NAME]: the keys of NS_BFD_KEYS, each checked as it is read, then together. */
int
ns_cfg_load_bfd(struct cfg_ctx *c, const char *sec, struct ns_bfd_cfg *k)
{
	struct ns_bfd_words w;
	const char *v, *key;
	char why[160];

	memset(k, 0, sizeof(*k));
	if (strlen(sec) - 4 == 0 || strlen(sec) - 4 >= sizeof(k->name))
		return ns_cfg_error(c, sec, NULL, "session name must be 1-%zu characters",
				sizeof(k->name) - 1);
	snprintf(k->name, sizeof(k->name), "%s", sec + 4);
	if (ns_check_keys(c, sec, bfd_keys) < 0)
		return -1;
	ns_bfd_words_init(&w);
	for (int i = 0; i < NS_BFD_KEY__N; i++) {
		v = rte_cfgfile_get_entry(c->f, sec, ns_bfd_keys[i].key);
		if (v != NULL && !ns_bfd_words_set(&w, i, v, why, sizeof(why)))
			return ns_cfg_error(c, sec, ns_bfd_keys[i].key, "%s", why);
	}
	if (!ns_bfd_words_finish(&w, k, &key, why, sizeof(why)))
		return ns_cfg_error(c, sec, key, "%s", why);
	return 0;
}

const char *
ns_bfd_cfg_resolve(const struct ns_config *cfg, struct ns_bfd_cfg *k,
		const struct ns_bfd_cfg *others, uint32_t n_others, const char **key)
{
	static char why[96];
	uint32_t n = k->count > 1 ? k->count : 1, lo = rte_be_to_cpu_32(k->peer), mask = 0;
	int port = -1;

	for (uint16_t j = 0; j < cfg->n_ports; j++) {
		const struct ns_port_cfg *p = &cfg->port[j];
		uint32_t m = p->prefix ? rte_cpu_to_be_32(~0u << (32 - p->prefix)) : 0;

		if (p->forward >= 0 || p->ip == 0)
			continue;
		if (k->local != 0 ? p->ip == k->local : (p->ip & m) == (k->peer & m)) {
			port = j;
			mask = rte_be_to_cpu_32(m);
		}
	}
	if (port < 0) {
		*key = k->local != 0 ? "local" : "peer";
		return k->local != 0 ? "no port has this address"
				     : "not on a connected subnet (single hop)";
	}
	if (n > 1 && (lo + n - 1 < lo || ((lo + n - 1) & mask) != (lo & mask))) {
		*key = "count";
		return "the range of peers leaves the port's subnet";
	}
	k->local = cfg->port[port].ip;
	k->port_idx = (uint16_t)port;
	for (uint32_t j = 0; j < n_others; j++) {
		const struct ns_bfd_cfg *o = &others[j];
		uint32_t olo = rte_be_to_cpu_32(o->peer), on = o->count > 1 ? o->count : 1;

		if (o->name[0] == '\0' || o->local != k->local || lo + n <= olo || olo + on <= lo)
			continue;
		*key = "peer";
		snprintf(why, sizeof(why), "same addresses as [bfd.%s]", o->name);
		return why;
	}
	return NULL;
}

/* After every section: ports of the BFD sessions, the table bound, ranges expanded. */
int
ns_cfg_bfd_finish(struct cfg_ctx *c, struct ns_config *cfg)
{
	for (uint32_t i = 0, sections = cfg->n_bfd; i < sections; i++) {
		struct ns_bfd_cfg *k = &cfg->bfd[i];
		const char *key, *why;
		char sec[CFG_NAME_LEN];

		snprintf(sec, sizeof(sec), "bfd.%s", k->name);
		why = ns_bfd_cfg_resolve(cfg, k, cfg->bfd, i, &key);
		if (why != NULL) {
			ns_cfg_error(c, sec, key, "%s", why);
			return -1;
		}
	}
	{
		uint64_t total = 0;

		for (uint32_t i = 0; i < cfg->n_bfd; i++)
			total += cfg->bfd[i].count;
		if (total > cfg->bfd_max_sessions) {
			ns_cfg_error(c, "global", "bfd_max_sessions",
					"%" PRIu64 " BFD sessions configured, more than %u: raise "
					"it (at most %d)",
					total, cfg->bfd_max_sessions, NS_MAX_BFD);
			return -1;
		}
	}
	/* Ranges: NAME-0 .. NAME-(count - 1) on consecutive peers, after the sections. */
	for (uint32_t i = 0, sections = cfg->n_bfd; i < sections; i++) {
		struct ns_bfd_cfg *k = &cfg->bfd[i];
		char base[NS_NAME_LEN];

		if (k->count <= 1)
			continue;
		snprintf(base, sizeof(base), "%s", k->name);
		snprintf(k->name, sizeof(k->name), "%.23s-0", base);
		for (uint32_t j = 1; j < k->count; j++) {
			struct ns_bfd_cfg *m = &cfg->bfd[cfg->n_bfd++];

			*m = *k;
			m->count = 0;
			m->peer = rte_cpu_to_be_32(rte_be_to_cpu_32(k->peer) + j);
			snprintf(m->name, sizeof(m->name), "%.23s-%u", base, j & 0xfffff);
		}
	}
	return 0;
}
