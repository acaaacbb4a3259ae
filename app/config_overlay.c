/* SPDX-License-Identifier: BSD-3-Clause */
/* [overlay.NAME]: a session of the multicast overlay. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cfgfile.h>
#include <rte_common.h>

#include "config.h"
#include "config_internal.h"

/* NS_OVL_KEYS as data: what the checks before the loading need. */
enum ovl_role { OVL_ANY, OVL_ENCAP, OVL_DECAP };

static const struct {
	const char *key;
	enum ovl_role role;
	const char *need;
} ovl_keys[] = {
#define X(key, field, kind, role, min, max, dflt, need) {#key, OVL_##role, need},
		NS_OVL_KEYS(X)
#undef X
};

static const char *const ovl_key_names[] = {
#define X(key, field, kind, role, min, max, dflt, need) #key,
		NS_OVL_KEYS(X)
#undef X
				NULL};

/* A key of role ANY, or of the session's role (decap or not). */
#define OVL_IN_ANY(decap)   true
#define OVL_IN_ENCAP(decap) (!(decap))
#define OVL_IN_DECAP(decap) (decap)

/* GROUP: an IPv4 multicast group that is routed (224.0.1.0 and above). */
static int
get_group(struct cfg_ctx *c, const char *sec, const char *key, rte_be32_t *out)
{
	uint32_t h;

	if (ns_get_ipv4(c, sec, key, out) < 0)
		return -1;
	h = rte_be_to_cpu_32(*out);
	if (rte_cfgfile_get_entry(c->f, sec, key) != NULL &&
			((h >> 28) != 0xe || (h >> 8) == 0xe00000))
		return ns_cfg_error(c, sec, key,
				"'%s' is not a routable IPv4 multicast group (224.0.1.0 and above)",
				rte_cfgfile_get_entry(c->f, sec, key));
	return 0;
}

/* DEST: a unicast A.B.C.D[:PORT] (port 0 when not given: any). */
static int
get_dest(struct cfg_ctx *c, const char *sec, const char *key, rte_be32_t *out, uint16_t *port)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, key);
	rte_be32_t a;
	uint16_t x;

	if (v == NULL)
		return 0;
	if (!ns_parse_dest(v, &a, &x))
		return ns_cfg_error(c, sec, key, "'%s' is not A.B.C.D[:PORT]", v);
	if ((rte_be_to_cpu_32(a) >> 28) >= 0xe || a == 0)
		return ns_cfg_error(c, sec, key, "'%s' is not a unicast address", v);
	*out = a;
	*port = x;
	return 0;
}

/* ADDRS: key = a,b,c: at most max unicast addresses. */
static int
get_list(struct cfg_ctx *c, const char *sec, const char *key, rte_be32_t *out, uint32_t *n,
		uint32_t max)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, key);
	char buf[CFG_VALUE_LEN], *save = NULL;

	*n = 0;
	if (v == NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *t = strtok_r(buf, ", ", &save); t != NULL; t = strtok_r(NULL, ", ", &save)) {
		struct in_addr a;
		uint32_t h;

		if (*n == max)
			return ns_cfg_error(c, sec, key, "more than %u addresses", max);
		if (inet_pton(AF_INET, t, &a) != 1)
			return ns_cfg_error(c, sec, key, "'%s' is not an IPv4 address", t);
		h = rte_be_to_cpu_32(a.s_addr);
		if (h == 0 || (h >> 28) >= 0xe)
			return ns_cfg_error(c, sec, key, "'%s' is not a unicast address", t);
		for (uint32_t i = 0; i < *n; i++)
			if (out[i] == a.s_addr)
				return ns_cfg_error(c, sec, key, "'%s' given twice", t);
		out[(*n)++] = a.s_addr;
	}
	return 0;
}

/* PORT: a [port.NAME]'s name (checked once the ports are read). */
static int
get_name(struct cfg_ctx *c, const char *sec, const char *key, char *out)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, key);

	if (v == NULL)
		return 0;
	if (*v == '\0')
		return ns_cfg_error(c, sec, key, "missing: a [port.NAME]'s name");
	if (strlen(v) >= NS_NAME_LEN)
		return ns_cfg_error(c, sec, key, "'%s' is too long for a port name", v);
	snprintf(out, NS_NAME_LEN, "%s", v);
	return 0;
}

/* KEY: text or 0x-hex, min .. size bytes. */
static int
get_key(struct cfg_ctx *c, const char *sec, const char *key, uint8_t *out, size_t size,
		uint32_t *len, uint32_t min)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, key), *why;

	if (v == NULL)
		return 0;
	why = ns_cfg_parse_key(v, out, size, len);
	if (why != NULL)
		return ns_cfg_error(c, sec, key, "%s", why);
	if (*len < min)
		return ns_cfg_error(c, sec, key, "at least %u bytes", min);
	return 0;
}

/* OVL_LOAD_<kind>(c, sec, key, o, field, min, max): one key of that kind into o->field. */
#define OVL_LOAD_U8(c, s, key, o, field, min, max)  GET_KNOB_TYPED(c, s, key, &(o)->field, min, max)
#define OVL_LOAD_U16(c, s, key, o, field, min, max) GET_KNOB_TYPED(c, s, key, &(o)->field, min, max)
#define OVL_LOAD_U32(c, s, key, o, field, min, max) GET_KNOB_TYPED(c, s, key, &(o)->field, min, max)
#define OVL_LOAD_BOOL(c, s, key, o, field, min, max) \
	GET_KNOB_TYPED(c, s, key, &(o)->field, min, max)
#define OVL_LOAD_ROLE(c, s, key, o, field, min, max)  0 /* first of all, below */
#define OVL_LOAD_GROUP(c, s, key, o, field, min, max) get_group(c, s, key, &(o)->field)
#define OVL_LOAD_ADDR(c, s, key, o, field, min, max)  ns_get_ipv4(c, s, key, &(o)->field)
#define OVL_LOAD_DEST(c, s, key, o, field, min, max) \
	get_dest(c, s, key, &(o)->field, &(o)->field##_port)
#define OVL_LOAD_ADDRS(c, s, key, o, field, min, max) \
	get_list(c, s, key, (o)->field, &(o)->n_##field, max)
#define OVL_LOAD_PORT(c, s, key, o, field, min, max) get_name(c, s, key, (o)->field)
#define OVL_LOAD_KEY(c, s, key, o, field, min, max) \
	get_key(c, s, key, (o)->field, sizeof((o)->field), &(o)->field##_len, min)
/* OVL_FITS_<kind>(max): max fits the member of a number. */
#define OVL_FITS_U8(max)    ((max) <= UINT8_MAX)
#define OVL_FITS_U16(max)   ((max) <= UINT16_MAX)
#define OVL_FITS_U32(max)   ((uint64_t)(max) <= UINT32_MAX)
#define OVL_FITS_BOOL(max)  ((max) <= 1)
#define OVL_FITS_ROLE(max)  1
#define OVL_FITS_GROUP(max) 1
#define OVL_FITS_ADDR(max)  1
#define OVL_FITS_DEST(max)  1
#define OVL_FITS_ADDRS(max) 1
#define OVL_FITS_PORT(max)  1
#define OVL_FITS_KEY(max)   1
/* OVL_DFLT_<kind>(o, field, dflt): the default of a number or boolean (the rest: 0). */
#define OVL_DFLT_U8(o, field, dflt)   (o)->field = dflt;
#define OVL_DFLT_U16(o, field, dflt)  (o)->field = dflt;
#define OVL_DFLT_U32(o, field, dflt)  (o)->field = dflt;
#define OVL_DFLT_BOOL(o, field, dflt) (o)->field = dflt;
#define OVL_DFLT_ROLE(o, field, dflt)
#define OVL_DFLT_GROUP(o, field, dflt)
#define OVL_DFLT_ADDR(o, field, dflt)
#define OVL_DFLT_DEST(o, field, dflt)
#define OVL_DFLT_ADDRS(o, field, dflt)
#define OVL_DFLT_PORT(o, field, dflt)
#define OVL_DFLT_KEY(o, field, dflt)

/* The keys of NS_OVL_KEYS one by one, then the checks of keys that go together. */
int
ns_cfg_load_overlay(struct cfg_ctx *c, const char *sec, struct ns_ovl_cfg *o)
{
	const char *v;

	memset(o, 0, sizeof(*o));
#define X(key, field, kind, role, min, max, dflt, need) OVL_DFLT_##kind(o, field, dflt)
	NS_OVL_KEYS(X)
#undef X
	if (strlen(sec) - 8 == 0 || strlen(sec) - 8 >= sizeof(o->name))
		return ns_cfg_error(c, sec, NULL, "overlay name must be 1-%zu characters",
				sizeof(o->name) - 1);
	snprintf(o->name, sizeof(o->name), "%s", sec + 8);
	if (ns_check_keys(c, sec, ovl_key_names) < 0)
		return -1;
	/* role first: which keys a session has depends on it */
	v = rte_cfgfile_get_entry(c->f, sec, "role");
	if (v == NULL)
		return ns_cfg_error(c, sec, "role", "missing: %s", ovl_keys[0].need);
	if (!strcmp(v, "decap"))
		o->decap = true;
	else if (strcmp(v, "encap") != 0)
		return ns_cfg_error(c, sec, "role", "'%s' is neither encap nor decap", v);
	for (size_t i = 0; i < RTE_DIM(ovl_keys); i++) {
		enum ovl_role other = o->decap ? OVL_ENCAP : OVL_DECAP;
		bool given = rte_cfgfile_get_entry(c->f, sec, ovl_keys[i].key) != NULL;

		if (ovl_keys[i].role == other && given)
			return ns_cfg_error(c, sec, ovl_keys[i].key, "a key of role = %s, not %s",
					o->decap ? "encap" : "decap", o->decap ? "decap" : "encap");
		if (ovl_keys[i].role != other && ovl_keys[i].need != NULL && !given)
			return ns_cfg_error(
					c, sec, ovl_keys[i].key, "missing: %s", ovl_keys[i].need);
	}
#define X(key, field, kind, role, min, max, dflt, need)                                        \
	_Static_assert(OVL_FITS_##kind(max), "[overlay.NAME] " #key "'s max fits its member"); \
	if (OVL_IN_##role(o->decap) && OVL_LOAD_##kind(c, sec, #key, o, field, min, max) < 0)  \
		return -1;
	NS_OVL_KEYS(X)
#undef X
	/* Keys that go together: the clamped MSS leaves room in mtu for the
	 * outer headers (40) and the inner IPv4 and TCP headers (40); a last hop
	 * has clients, listed or the members of its group. */
	if (!o->decap && o->mss_clamp != 0 && (o->mss_clamp < 88 || o->mss_clamp > o->mtu - 80u))
		return ns_cfg_error(c, sec, "mss_clamp",
				"%u: between 88 and mtu - 80 (%u): 40 of outer headers, 40 of "
				"inner IPv4 and TCP",
				o->mss_clamp, o->mtu - 80u);
	if (o->decap && rte_cfgfile_get_entry(c->f, sec, "clients") == NULL && !o->member_clients)
		return ns_cfg_error(c, sec, "clients",
				"missing: the session's clients a,b,c (at most %d), or "
				"member_clients = true",
				NS_OVL_MAX_CLIENTS);
	if (o->decap && o->n_clients == 0 && !o->member_clients)
		return ns_cfg_error(c, sec, "clients", "empty: at least one client");
	return 0;
}

/* 'show config' of one session: OVL_SHOW_<kind>(fn, arg, key, o, field). */
static void
show_list(ns_cfg_kv_fn *fn, void *arg, const char *key, const rte_be32_t *a, uint32_t n)
{
	char text[NS_OVL_MAX_CLIENTS * (INET_ADDRSTRLEN + 1)];
	size_t len = 0;

	if (n == 0)
		return;
	for (uint32_t i = 0; i < n && len < sizeof(text); i++) {
		if (i > 0)
			text[len++] = ',';
		inet_ntop(AF_INET, &a[i], text + len, sizeof(text) - len);
		len += strlen(text + len);
	}
	fn(arg, key, text, NULL);
}

#define OVL_SHOW_U8(fn, arg, key, o, field)    ns_cfg_kv_num(fn, arg, key, (o)->field)
#define OVL_SHOW_U16(fn, arg, key, o, field)   ns_cfg_kv_num(fn, arg, key, (o)->field)
#define OVL_SHOW_U32(fn, arg, key, o, field)   ns_cfg_kv_num(fn, arg, key, (o)->field)
#define OVL_SHOW_BOOL(fn, arg, key, o, field)  ns_cfg_kv_bool(fn, arg, key, (o)->field)
#define OVL_SHOW_ROLE(fn, arg, key, o, field)  fn(arg, key, (o)->field ? "decap" : "encap", NULL)
#define OVL_SHOW_GROUP(fn, arg, key, o, field) ns_cfg_kv_ipv4(fn, arg, key, (o)->field)
#define OVL_SHOW_ADDR(fn, arg, key, o, field)  ns_cfg_kv_ipv4(fn, arg, key, (o)->field)
#define OVL_SHOW_DEST(fn, arg, key, o, field) \
	ns_cfg_kv_dest(fn, arg, key, (o)->field, (o)->field##_port)
#define OVL_SHOW_ADDRS(fn, arg, key, o, field) show_list(fn, arg, key, (o)->field, (o)->n_##field)
#define OVL_SHOW_PORT(fn, arg, key, o, field)  fn(arg, key, (o)->field, NULL)
#define OVL_SHOW_KEY(fn, arg, key, o, field)               \
	do {                                               \
		if ((o)->field##_len != 0)                 \
			fn(arg, key, "(not shown)", NULL); \
	} while (0)

void
ns_cfg_each_overlay(const struct ns_ovl_cfg *o, ns_cfg_kv_fn *fn, void *arg)
{
#define X(key, field, kind, role, min, max, dflt, need) \
	if (OVL_IN_##role(o->decap))                    \
		OVL_SHOW_##kind(fn, arg, #key, o, field);
	NS_OVL_KEYS(X)
#undef X
}

static int
port_named(const struct ns_config *cfg, const char *name)
{
	for (uint16_t j = 0; j < cfg->n_ports; j++)
		if (!strcmp(cfg->port[j].name, name))
			return j;
	return -1;
}

static bool
on_link(const struct ns_port_cfg *p, rte_be32_t a)
{
	uint32_t mask = rte_cpu_to_be_32(~0u << (32 - p->prefix));

	return p->ip != 0 && (p->ip & mask) == (a & mask) && a != p->ip;
}

int
ns_cfg_overlay_finish(struct cfg_ctx *c, struct ns_config *cfg)
{
	for (uint32_t i = 0; i < cfg->n_ovl; i++) {
		struct ns_ovl_cfg *o = &cfg->ovl[i];
		char sec[CFG_NAME_LEN];
		int p;

		snprintf(sec, sizeof(sec), "overlay.%s", o->name);
		for (uint32_t j = 0; j < i; j++)
			if (cfg->ovl[j].key == o->key)
				return ns_cfg_error(c, sec, "key",
						"%u already used by [overlay.%s]", o->key,
						cfg->ovl[j].name);
			else if (!o->decap && !cfg->ovl[j].decap && cfg->ovl[j].match == o->match &&
					cfg->ovl[j].match_port == o->match_port)
				return ns_cfg_error(c, sec, "match", "already [overlay.%s]'s match",
						cfg->ovl[j].name);
		p = port_named(cfg, o->port_name);
		if (p < 0 || cfg->port[p].forward >= 0 || cfg->port[p].ip == 0)
			return ns_cfg_error(c, sec, "port", "'%s' is not a port with an address",
					o->port_name);
		o->port_idx = (uint16_t)p;
		if (!o->decap) {
			for (uint32_t k = 0; k < o->n_unicast; k++)
				if (!on_link(&cfg->port[p], o->unicast[k]))
					return ns_cfg_error(c, sec, "unicast",
							"a last hop not on port %s's subnet",
							o->port_name);
			for (uint16_t q = 0; q < cfg->n_ports; q++)
				if (cfg->port[q].ip == o->match)
					return ns_cfg_error(c, sec, "match",
							"port %s's own address: the session's "
							"traffic passes through, it is not for us",
							cfg->port[q].name);
			continue;
		}
		if (!cfg->port[p].igmp)
			return ns_cfg_error(c, sec, "port",
					"port %s has no igmp: a last hop joins the group (set igmp "
					"= true there)",
					o->port_name);
		if (o->request != 0 && !on_link(&cfg->port[p], o->request))
			return ns_cfg_error(c, sec, "request",
					"a first hop not on port %s's subnet", o->port_name);
		p = port_named(cfg, o->client_port_name);
		if (p < 0 || cfg->port[p].forward >= 0 || cfg->port[p].ip == 0)
			return ns_cfg_error(c, sec, "client_port",
					"'%s' is not a port with an address", o->client_port_name);
		o->client_port_idx = (uint16_t)p;
		if (o->member_clients && !cfg->port[p].querier)
			return ns_cfg_error(c, sec, "member_clients",
					"port %s is no querier: set querier = true there to track "
					"its members",
					o->client_port_name);
		for (uint32_t k = 0; k < o->n_clients; k++)
			if (!on_link(&cfg->port[p], o->clients[k]))
				return ns_cfg_error(c, sec, "clients",
						"a client not on port %s's subnet",
						o->client_port_name);
	}
	return 0;
}
