/* SPDX-License-Identifier: BSD-3-Clause */
/* [overlay.NAME]: a session of the multicast overlay. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cfgfile.h>

#include "config.h"
#include "config_internal.h"

static const char *const ovl_keys[] = {"role", "key", "group", "port", "match", "ttl", "mtu",
		"mss_clamp", "unicast", "accept_requests", "clients", "client_port", "request",
		"request_ms", "hold_ms", "member_clients", "request_key", NULL};

static int
get_addr(struct cfg_ctx *c, const char *sec, const char *key, rte_be32_t *out)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, key);
	struct in_addr a;

	if (v == NULL)
		return 0;
	if (inet_pton(AF_INET, v, &a) != 1)
		return ns_cfg_error(c, sec, key, "'%s' is not an IPv4 address", v);
	*out = a.s_addr;
	return 0;
}

/* key = a,b,c: at most max unicast addresses. */
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

static int
get_name(struct cfg_ctx *c, const char *sec, const char *key, char *out)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, key);

	if (v == NULL || *v == '\0')
		return ns_cfg_error(c, sec, key, "missing: a [port.NAME]'s name");
	if (strlen(v) >= NS_NAME_LEN)
		return ns_cfg_error(c, sec, key, "'%s' is too long for a port name", v);
	snprintf(out, NS_NAME_LEN, "%s", v);
	return 0;
}

int
ns_cfg_load_overlay(struct cfg_ctx *c, const char *sec, struct ns_ovl_cfg *o)
{
	const char *v;
	uint32_t x;

	memset(o, 0, sizeof(*o));
	o->ttl = 16;
	o->mtu = 1500;
	o->accept_requests = true;
	o->request_ms = 1000;
	o->hold_ms = 50;
	if (strlen(sec) - 8 == 0 || strlen(sec) - 8 >= sizeof(o->name))
		return ns_cfg_error(c, sec, NULL, "overlay name must be 1-%zu characters",
				sizeof(o->name) - 1);
	snprintf(o->name, sizeof(o->name), "%s", sec + 8);
	if (ns_check_keys(c, sec, ovl_keys) < 0)
		return -1;
	v = rte_cfgfile_get_entry(c->f, sec, "role");
	if (v == NULL)
		return ns_cfg_error(
				c, sec, "role", "missing: encap (first hop) or decap (last hop)");
	if (!strcmp(v, "decap"))
		o->decap = true;
	else if (strcmp(v, "encap") != 0)
		return ns_cfg_error(c, sec, "role", "'%s' is neither encap nor decap", v);
	if (rte_cfgfile_get_entry(c->f, sec, "key") == NULL)
		return ns_cfg_error(c, sec, "key", "missing: the session's 32-bit GRE key");
	if (ns_get_u32(c, sec, "key", &o->key, 0, UINT32_MAX) < 0)
		return -1;
	if (rte_cfgfile_get_entry(c->f, sec, "group") == NULL)
		return ns_cfg_error(c, sec, "group", "missing: the session's multicast group");
	if (get_addr(c, sec, "group", &o->group) < 0)
		return -1;
	if ((rte_be_to_cpu_32(o->group) >> 28) != 0xe ||
			(rte_be_to_cpu_32(o->group) >> 8) == 0xe00000)
		return ns_cfg_error(c, sec, "group",
				"'%s' is not a routable IPv4 multicast group (224.0.1.0 and above)",
				rte_cfgfile_get_entry(c->f, sec, "group"));
	if (get_name(c, sec, "port", o->port_name) < 0)
		return -1;
	v = rte_cfgfile_get_entry(c->f, sec, "request_key");
	if (v != NULL) {
		const char *why = ns_cfg_parse_key(
				v, o->request_key, sizeof(o->request_key), &o->request_key_len);

		if (why != NULL)
			return ns_cfg_error(c, sec, "request_key", "%s", why);
		if (o->request_key_len < 16)
			return ns_cfg_error(c, sec, "request_key", "at least 16 bytes");
	}
	if (!o->decap) {
		static const char *const decap_only[] = {"clients", "client_port", "request",
				"request_ms", "hold_ms", "member_clients", NULL};
		char host[32];
		const char *colon;
		struct in_addr a;

		for (int i = 0; decap_only[i] != NULL; i++)
			if (rte_cfgfile_get_entry(c->f, sec, decap_only[i]) != NULL)
				return ns_cfg_error(c, sec, decap_only[i],
						"a key of role = decap, not encap");
		v = rte_cfgfile_get_entry(c->f, sec, "match");
		if (v == NULL)
			return ns_cfg_error(c, sec, "match",
					"missing: the inner destination A.B.C.D[:PORT] taken into "
					"the session");
		colon = strchr(v, ':');
		snprintf(host, sizeof(host), "%.*s", colon ? (int)(colon - v) : (int)strlen(v), v);
		x = 0;
		if (inet_pton(AF_INET, host, &a) != 1 ||
				(colon != NULL && (sscanf(colon + 1, "%u", &x) != 1 || x == 0 ||
								  x > 65535)))
			return ns_cfg_error(c, sec, "match", "'%s' is not A.B.C.D[:PORT]", v);
		if ((rte_be_to_cpu_32(a.s_addr) >> 28) >= 0xe || a.s_addr == 0)
			return ns_cfg_error(c, sec, "match", "'%s' is not a unicast address", v);
		o->match = a.s_addr;
		o->match_port = (uint16_t)x;
		x = o->ttl;
		if (ns_get_u32(c, sec, "ttl", &x, 1, 255) < 0)
			return -1;
		o->ttl = (uint8_t)x;
		x = o->mtu;
		if (ns_get_u32(c, sec, "mtu", &x, 576, 9000) < 0)
			return -1;
		o->mtu = (uint16_t)x;
		x = 0;
		if (ns_get_u32(c, sec, "mss_clamp", &x, 0, 9000) < 0)
			return -1;
		if (x != 0 && (x < 88 || x > o->mtu - 40u - 40u))
			return ns_cfg_error(c, sec, "mss_clamp",
					"%u: between 88 and mtu - 80 (%u): 40 of outer headers, 40 "
					"of inner IPv4 and TCP",
					x, o->mtu - 80u);
		o->mss_clamp = (uint16_t)x;
		if (get_list(c, sec, "unicast", o->unicast, &o->n_unicast, NS_OVL_MAX_UNICAST) <
						0 ||
				ns_get_bool(c, sec, "accept_requests", &o->accept_requests) < 0)
			return -1;
		return 0;
	}
	{
		static const char *const encap_only[] = {"match", "ttl", "mtu", "mss_clamp",
				"unicast", "accept_requests", NULL};

		for (int i = 0; encap_only[i] != NULL; i++)
			if (rte_cfgfile_get_entry(c->f, sec, encap_only[i]) != NULL)
				return ns_cfg_error(c, sec, encap_only[i],
						"a key of role = encap, not decap");
	}
	if (get_name(c, sec, "client_port", o->client_port_name) < 0)
		return -1;
	if (ns_get_bool(c, sec, "member_clients", &o->member_clients) < 0)
		return -1;
	if (rte_cfgfile_get_entry(c->f, sec, "clients") == NULL && !o->member_clients)
		return ns_cfg_error(c, sec, "clients",
				"missing: the session's clients a,b,c (at most %d), or "
				"member_clients = true",
				NS_OVL_MAX_CLIENTS);
	if (get_list(c, sec, "clients", o->clients, &o->n_clients, NS_OVL_MAX_CLIENTS) < 0 ||
			get_addr(c, sec, "request", &o->request) < 0 ||
			ns_get_u32(c, sec, "request_ms", &o->request_ms, 10, 20000) < 0 ||
			ns_get_u32(c, sec, "hold_ms", &o->hold_ms, 1, 10000) < 0)
		return -1;
	if (o->n_clients == 0 && !o->member_clients)
		return ns_cfg_error(c, sec, "clients", "empty: at least one client");
	return 0;
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
