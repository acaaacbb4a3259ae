/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bgp's configuration: [app.NAME]'s keys (the speaker, its prefixes and
 * prefix lists, neighbours on one line each) and [app.NAME.neighbor.X]
 * sections (a neighbour with one key per setting).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_app.h"

struct bgp_cfg cfg;
char appname[32];

/* --- configuration ---------------------------------------------------------- */

int
bgp_parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n > UINT32_MAX)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

static int
parse_ip(const char *s, uint32_t *v)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*v = ntohl(a.s_addr);
	return 0;
}

static int
plist_find(const char *name)
{
	for (uint32_t i = 0; i < cfg.n_plists; i++)
		if (!strcmp(cfg.plist[i].name, name))
			return (int)i;
	return -1;
}

/* Split v into words (at most max), in place. */
static int
words(char *v, char **w, int max)
{
	int n = 0;

	for (char *t = strtok(v, " \t"); t != NULL; t = strtok(NULL, " \t"))
		if (n < max)
			w[n++] = t;
		else
			return -1;
	return n;
}

static int
add_plist(char *v, char *err, uint32_t errlen)
{
	char *w[8];
	int n = words(v, w, 8), i;
	struct ns_bgp_plist_entry e = {0};
	uint32_t x;

	if (n < 3 || (strcmp(w[1], "permit") && strcmp(w[1], "deny")) ||
			ns_bgp_pfx_parse(w[2], &e.p) < 0)
		goto bad;
	e.permit = !strcmp(w[1], "permit");
	for (int k = 3; k < n; k += 2) {
		if (k + 1 >= n || bgp_parse_u32(w[k + 1], &x) < 0 || x > 32 || x < e.p.len)
			goto bad;
		if (!strcmp(w[k], "ge"))
			e.ge = (uint8_t)x;
		else if (!strcmp(w[k], "le"))
			e.le = (uint8_t)x;
		else
			goto bad;
	}
	i = plist_find(w[0]);
	if (i < 0) {
		if (cfg.n_plists == MAX_PLISTS || strlen(w[0]) >= sizeof(cfg.plist[0].name)) {
			snprintf(err, errlen,
					"prefix_list: at most %d lists, names of %zu characters",
					MAX_PLISTS, sizeof(cfg.plist[0].name) - 1);
			return -1;
		}
		i = (int)cfg.n_plists++;
		snprintf(cfg.plist[i].name, sizeof(cfg.plist[i].name), "%s", w[0]);
	}
	if (cfg.plist[i].l.n == sizeof(cfg.plist[i].l.e) / sizeof(cfg.plist[i].l.e[0])) {
		snprintf(err, errlen, "prefix_list %s: at most %zu entries", w[0],
				sizeof(cfg.plist[i].l.e) / sizeof(cfg.plist[i].l.e[0]));
		return -1;
	}
	cfg.plist[i].l.e[cfg.plist[i].l.n++] = e;
	return 0;
bad:
	snprintf(err, errlen, "prefix_list: 'NAME permit|deny A.B.C.D/LEN [ge N] [le N]' expected");
	return -1;
}

/* Neighbours name prefix lists that may come later in the file: resolved at
 * the end.  A neighbour from a section keeps its section's name, for errors. */
static struct {
	char import[32], export[32];
	char sec[64]; /* "neighbor.X" ("": the one-line form) */
	bool has_addr, has_as;
} draft[NS_BGP_MAX_PEERS];

static struct peer *
new_peer(char *err, uint32_t errlen)
{
	struct peer *p = &cfg.peer[cfg.n_peers];

	if (cfg.n_peers == NS_BGP_MAX_PEERS) {
		snprintf(err, errlen, "neighbor: at most %d", NS_BGP_MAX_PEERS);
		return NULL;
	}
	memset(p, 0, sizeof(*p));
	memset(&draft[cfg.n_peers], 0, sizeof(draft[0]));
	cfg.n_peers++;
	return p;
}

/* 'neighbor = A.B.C.D remote-as N [next-hop-self] [connect] [import L] [export L]'. */
static int
add_neighbor(char *v, char *err, uint32_t errlen)
{
	char *w[10];
	int n = words(v, w, 10);
	struct peer *p = new_peer(err, errlen);

	if (p == NULL)
		return -1;
	if (n < 3 || parse_ip(w[0], &p->addr) < 0 || strcmp(w[1], "remote-as") ||
			bgp_parse_u32(w[2], &p->asn) < 0 || p->asn == 0)
		goto bad;
	draft[cfg.n_peers - 1].has_addr = draft[cfg.n_peers - 1].has_as = true;
	for (int k = 3; k < n; k++) {
		if (!strcmp(w[k], "next-hop-self"))
			p->nhs = true;
		else if (!strcmp(w[k], "connect"))
			p->connect = true;
		else if (!strcmp(w[k], "import") && k + 1 < n && strlen(w[k + 1]) < 32)
			snprintf(draft[cfg.n_peers - 1].import, 32, "%s", w[++k]);
		else if (!strcmp(w[k], "export") && k + 1 < n && strlen(w[k + 1]) < 32)
			snprintf(draft[cfg.n_peers - 1].export, 32, "%s", w[++k]);
		else
			goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen,
			"neighbor: 'A.B.C.D remote-as N [next-hop-self] [connect] [import LIST] "
			"[export LIST]' expected");
	return -1;
}

static int
parse_bool(const char *v, bool *b)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		*b = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*b = false;
	else
		return -1;
	return 0;
}

/* A key of [app.NAME.neighbor.X] (handed over as 'neighbor.X.key'): sec is
 * "neighbor.X", key what follows.  The section's keys come together: a new
 * section name starts a new neighbour. */
static int
neighbor_key(const char *full, const char *sec, size_t sec_len, const char *key, const char *v,
		char *err, uint32_t errlen)
{
	struct peer *p;
	bool b;

	if (cfg.n_peers == 0 || strlen(draft[cfg.n_peers - 1].sec) != sec_len ||
			strncmp(draft[cfg.n_peers - 1].sec, sec, sec_len)) {
		if (sec_len >= sizeof(draft[0].sec)) {
			snprintf(err, errlen, "%s: the section's name is over %zu characters", full,
					sizeof(draft[0].sec) - 1);
			return -1;
		}
		if ((p = new_peer(err, errlen)) == NULL)
			return -1;
		snprintf(draft[cfg.n_peers - 1].sec, sizeof(draft[0].sec), "%.*s", (int)sec_len,
				sec);
	}
	p = &cfg.peer[cfg.n_peers - 1];
	if (!strcmp(key, "address")) {
		if (parse_ip(v, &p->addr) < 0 || p->addr == 0)
			goto bad_val;
		draft[cfg.n_peers - 1].has_addr = true;
	} else if (!strcmp(key, "remote_as")) {
		if (bgp_parse_u32(v, &p->asn) < 0 || p->asn == 0)
			goto bad_val;
		draft[cfg.n_peers - 1].has_as = true;
	} else if (!strcmp(key, "next_hop_self") || !strcmp(key, "connect")) {
		if (parse_bool(v, &b) < 0)
			goto bad_val;
		*(key[0] == 'n' ? &p->nhs : &p->connect) = b;
	} else if (!strcmp(key, "import") || !strcmp(key, "export")) {
		if (strlen(v) >= 32)
			goto bad_val;
		snprintf(key[0] == 'i' ? draft[cfg.n_peers - 1].import
				       : draft[cfg.n_peers - 1].export,
				32, "%.31s", v);
	} else if (!strcmp(key, "description")) {
		if (strlen(v) >= sizeof(p->desc)) {
			snprintf(err, errlen, "%s: over %zu characters", full, sizeof(p->desc) - 1);
			return -1;
		}
		snprintf(p->desc, sizeof(p->desc), "%.*s", (int)sizeof(p->desc) - 1, v);
	} else {
		snprintf(err, errlen,
				"%s: unknown key (a neighbor section has address, remote_as, "
				"next_hop_self, connect, import, export, description)",
				full);
		return -1;
	}
	return 0;
bad_val:
	snprintf(err, errlen, "%s: '%s' is not %s", full, v,
			!strcmp(key, "address")		 ? "an IPv4 address"
			: !strcmp(key, "remote_as")	 ? "an AS number (1 .. 4294967295)"
			: key[0] == 'i' || key[0] == 'e' ? "a prefix list name (31 characters)"
							 : "yes or no");
	return -1;
}

/* After all keys: each neighbour complete, once each, its lists defined. */
static int
neighbors_check(const struct ns_app_kv *kv, uint32_t n, char *err, uint32_t errlen)
{
	for (uint32_t i = 0; i < cfg.n_peers; i++) {
		struct peer *p = &cfg.peer[i];
		const char *bad = NULL, *key = NULL;
		char ip[16];
		struct in_addr a = {htonl(p->addr)};

		/* A section's error names its first key: that gives its line. */
		for (uint32_t k = 0; draft[i].sec[0] && k < n && key == NULL; k++)
			if (!strncmp(kv[k].key, draft[i].sec, strlen(draft[i].sec)) &&
					strrchr(kv[k].key, '.') == kv[k].key + strlen(draft[i].sec))
				key = kv[k].key;
		if (!draft[i].has_addr || !draft[i].has_as) {
			snprintf(err, errlen,
					"%s: a neighbor section needs both address and "
					"remote_as",
					key);
			return -1;
		}
		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		for (uint32_t j = 0; j < i; j++)
			if (cfg.peer[j].addr == p->addr) {
				if (key != NULL)
					snprintf(err, errlen, "%s: neighbor %s is given twice", key,
							ip);
				else
					snprintf(err, errlen, "neighbor %s: given twice", ip);
				return -1;
			}
		p->import = draft[i].import[0] ? plist_find(draft[i].import) : -1;
		p->export = draft[i].export[0] ? plist_find(draft[i].export) : -1;
		if (draft[i].import[0] && p->import < 0)
			bad = draft[i].import;
		else if (draft[i].export[0] && p->export < 0)
			bad = draft[i].export;
		if (bad == NULL)
			continue;
		if (key != NULL)
			snprintf(err, errlen, "%s.%s: prefix list '%s' is not defined",
					draft[i].sec, bad == draft[i].import ? "import" : "export",
					bad);
		else
			snprintf(err, errlen, "neighbor %s: prefix list '%s' is not defined", ip,
					bad);
		return -1;
	}
	return 0;
}

static int
add_nets(const struct ns_bgp_pfx *first, uint32_t count, char *err, uint32_t errlen)
{
	struct ns_bgp_pfx *n;
	uint64_t step = first->len ? 1ull << (32 - first->len) : 0;

	if (count == 0 || (step == 0 && count > 1) ||
			(uint64_t)first->addr + step * (count - 1) > UINT32_MAX) {
		snprintf(err, errlen, "network_range: the range leaves the address space");
		return -1;
	}
	n = realloc(cfg.nets, sizeof(*n) * (cfg.n_nets + count));
	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cfg.nets = n;
	for (uint32_t i = 0; i < count; i++)
		cfg.nets[cfg.n_nets++] =
				(struct ns_bgp_pfx){(uint32_t)(first->addr + step * i), first->len};
	return 0;
}

int
bgp_init(const char *name, const struct ns_app_kv *kv, uint32_t n, char *err, uint32_t errlen)
{
	free(cfg.nets);
	memset(&cfg, 0, sizeof(cfg));
	cfg.hold = 90;
	cfg.max_prefixes = 1u << 18;
	snprintf(appname, sizeof(appname), "%s", name);
	for (uint32_t i = 0; i < n; i++) {
		const char *k = kv[i].key;
		char v[256];
		struct ns_bgp_pfx p;

		snprintf(v, sizeof(v), "%s", kv[i].value);
		if (!strcmp(k, "as")) {
			if (bgp_parse_u32(v, &cfg.as) < 0 || cfg.as == 0) {
				snprintf(err, errlen,
						"as: '%s' is not an AS number (1 .. 4294967295)",
						v);
				return -1;
			}
		} else if (!strcmp(k, "router_id")) {
			if (parse_ip(v, &cfg.router_id) < 0 || cfg.router_id == 0) {
				snprintf(err, errlen, "router_id: '%s' is not an IPv4 address", v);
				return -1;
			}
		} else if (!strcmp(k, "hold_time")) {
			if (bgp_parse_u32(v, &cfg.hold) < 0 || cfg.hold > 65535 ||
					(cfg.hold != 0 && cfg.hold < 3)) {
				snprintf(err, errlen, "hold_time: '%s' is not 0 or 3 .. 65535", v);
				return -1;
			}
		} else if (!strcmp(k, "max_prefixes")) {
			if (bgp_parse_u32(v, &cfg.max_prefixes) < 0 || cfg.max_prefixes < 16) {
				snprintf(err, errlen, "max_prefixes: '%s' is not a number >= 16",
						v);
				return -1;
			}
		} else if (!strcmp(k, "network")) {
			if (ns_bgp_pfx_parse(v, &p) < 0) {
				snprintf(err, errlen,
						"network: '%s' is not A.B.C.D/LEN (host bits 0)",
						v);
				return -1;
			}
			if (add_nets(&p, 1, err, errlen) < 0)
				return -1;
		} else if (!strcmp(k, "network_range")) {
			char *w[2];
			uint32_t count;

			if (words(v, w, 2) != 2 || ns_bgp_pfx_parse(w[0], &p) < 0 ||
					bgp_parse_u32(w[1], &count) < 0) {
				snprintf(err, errlen,
						"network_range: 'A.B.C.D/LEN COUNT' expected");
				return -1;
			}
			if (add_nets(&p, count, err, errlen) < 0)
				return -1;
		} else if (!strcmp(k, "prefix_list")) {
			if (add_plist(v, err, errlen) < 0)
				return -1;
		} else if (!strcmp(k, "neighbor")) {
			if (add_neighbor(v, err, errlen) < 0)
				return -1;
		} else if (!strncmp(k, "neighbor.", 9) && strrchr(k, '.') > k + 9) {
			const char *dot = strrchr(k, '.');

			if (neighbor_key(k, k, (size_t)(dot - k), dot + 1, v, err, errlen) < 0)
				return -1;
		} else if (strchr(k, '.') != NULL) {
			snprintf(err, errlen,
					"%s: not one of bgp's sections (those are "
					"[app.%s.neighbor.NAME])",
					k, appname);
			return -1;
		} else {
			snprintf(err, errlen,
					"unknown key '%s' (as, router_id, hold_time, network, "
					"network_range, prefix_list, neighbor, max_prefixes)",
					k);
			return -1;
		}
	}
	if (cfg.as == 0 || cfg.router_id == 0) {
		snprintf(err, errlen, "as and router_id are required");
		return -1;
	}
	if (neighbors_check(kv, n, err, errlen) < 0)
		return -1;
	if (ns_app_n_workers() != 1) {
		snprintf(err, errlen,
				"bgp keeps one speaker's tables on one worker ([lcores] workers "
				"lists %u)",
				ns_app_n_workers());
		return -1;
	}
	ns_app_log(NS_APP_LOG_INFO, "%s: BGP-4 speaker AS %u, %u neighbours, %u own prefixes", name,
			cfg.as, cfg.n_peers, cfg.n_nets);
	return 0;
}

void
bgp_fini(void)
{
	free(cfg.nets);
	cfg.nets = NULL;
}
