/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_lcore.h>

#include "apps.h"
#include "config.h"
#include "config_internal.h"
#include "tcp/tcp_stack.h"

/* rte_cfgfile keeps no line numbers: find the key's line for the message. */
int
ns_cfg_line_of(const char *path, const char *section, const char *key)
{
	FILE *fp = fopen(path, "r");
	char line[512], cur[128] = "";
	int n = 0, sec_line = 0;

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *s = line, *e;

		n++;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '[') {
			e = strchr(s, ']');
			if (e != NULL) {
				snprintf(cur, sizeof(cur), "%.*s", (int)(e - s - 1), s + 1);
				if (strcmp(cur, section) == 0)
					sec_line = n;
			}
			continue;
		}
		if (key == NULL || strcmp(cur, section) != 0)
			continue;
		e = s;
		while (*e != '\0' && *e != '=' && !isspace((unsigned char)*e))
			e++;
		if ((size_t)(e - s) == strlen(key) && strncmp(s, key, e - s) == 0) {
			fclose(fp);
			return n;
		}
	}
	fclose(fp);
	return sec_line;
}

int
ns_cfg_error(struct cfg_ctx *c, const char *section, const char *key, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	int line = ns_cfg_line_of(c->path, section, key);

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (key != NULL)
		snprintf(c->err, c->errlen, "%s:%d: [%s] %s: %s", c->path, line, section, key, why);
	else
		snprintf(c->err, c->errlen, "%s:%d: [%s]: %s", c->path, line, section, why);
	return -1;
}

int
ns_get_u32(struct cfg_ctx *c, const char *sec, const char *key, uint32_t *out, uint32_t min,
		uint32_t max)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, key);
	char *end;
	unsigned long x;

	if (v == NULL)
		return 0;
	errno = 0;
	x = strtoul(v, &end, 10); /* decimal: a leading 0 is not octal */
	if (errno != 0 || end == v || *end != '\0' || x < min || x > max)
		return ns_cfg_error(c, sec, key, "'%s' is not an integer in [%u, %u]", v, min, max);
	*out = (uint32_t)x;
	return 0;
}

int
ns_get_u64(struct cfg_ctx *c, const char *sec, const char *key, uint64_t *out, uint64_t max)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, key);
	char *end;
	unsigned long long x;

	if (v == NULL)
		return 0;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || x > max)
		return ns_cfg_error(c, sec, key, "'%s' is not an integer in [0, %llu]", v,
				(unsigned long long)max);
	*out = x;
	return 0;
}

int
ns_get_bool(struct cfg_ctx *c, const char *sec, const char *key, bool *out)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, key);

	if (v == NULL)
		return 0;
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return ns_cfg_error(c, sec, key, "'%s' is not yes/no", v);
	return 0;
}

/* "1", "1-3", "0,2-3" */
static int
parse_lcore_list(struct cfg_ctx *c, const char *sec, const char *key, unsigned int *out,
		uint32_t *n, uint32_t max)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, key);
	const char *p = v;

	if (v == NULL)
		return 0;
	*n = 0;
	while (*p != '\0') {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p || a >= RTE_MAX_LCORE)
			return ns_cfg_error(c, sec, key,
					"'%s' is not an lcore list (e.g. 1 or 1-3,5)", v);
		p = end;
		if (*p == '-') {
			b = strtoul(p + 1, &end, 10);
			if (end == p + 1 || b < a || b >= RTE_MAX_LCORE)
				return ns_cfg_error(c, sec, key, "bad range in '%s'", v);
			p = end;
		}
		for (unsigned long i = a; i <= b; i++) {
			if (*n >= max)
				return ns_cfg_error(c, sec, key, "more than %u lcores", max);
			out[(*n)++] = (unsigned int)i;
		}
		if (*p == ',')
			p++;
		else if (*p != '\0')
			return ns_cfg_error(c, sec, key, "unexpected '%c' in '%s'", *p, v);
	}
	return 0;
}

static int
parse_one_lcore(struct cfg_ctx *c, const char *sec, const char *key, int *out)
{
	unsigned int l[1];
	uint32_t n = 0;

	if (rte_cfgfile_get_entry(c->f, sec, key) == NULL)
		return 0;
	if (parse_lcore_list(c, sec, key, l, &n, 1) < 0)
		return -1;
	*out = (int)l[0];
	return 0;
}

static const char *const global_keys[] = {NS_GLOBAL_OTHER_KEYS,
#define X(key, type, min, max, dflt) #key,
		NS_GLOBAL_KNOBS(X)
#undef X
				NULL};
static const char *const lcore_keys[] = {
#define X(key, field, kind, max) #key,
		NS_LCORE_KEYS(X)
#undef X
				NULL};
static const char *const tcp_keys[] = {
#define X(key, field, kind, min, max, set, where) #key,
		NS_TCP_KNOBS(X)
#undef X
				NULL};
static const char *const listener_keys[] = {
#define X(key, field, kind, min, max, dflt, need) #key,
		NS_LISTENER_KEYS(X)
#undef X
				NULL};
static const char *const client_keys[] = {
#define X(key, field, kind, min, max, dflt, need) #key,
		NS_CLIENT_KEYS(X)
#undef X
				NULL};
static const char *const port_keys[] = {NS_PORT_OTHER_KEYS,
#define X(key, field, type, min, max, dflt) #key,
		NS_PORT_KNOBS(X)
#undef X
				NULL};

int
ns_check_keys(struct cfg_ctx *c, const char *sec, const char *const *known)
{
	int n = rte_cfgfile_section_num_entries(c->f, sec);
	struct rte_cfgfile_entry *e;

	if (n <= 0)
		return 0;
	e = calloc(n, sizeof(*e));
	if (e == NULL)
		return ns_cfg_error(c, sec, NULL, "out of memory");
	rte_cfgfile_section_entries(c->f, sec, e, n);
	for (int i = 0; i < n; i++) {
		int ok = 0;

		for (const char *const *k = known; *k != NULL; k++)
			ok |= strcmp(*k, e[i].name) == 0;
		if (!ok) {
			char name[CFG_NAME_LEN];

			snprintf(name, sizeof(name), "%s", e[i].name);
			free(e);
			return ns_cfg_error(c, sec, name, "unknown key");
		}
	}
	free(e);
	return 0;
}

static int
load_global(struct cfg_ctx *c, struct ns_config *cfg)
{
	const char *s = "global", *v;

	if (!rte_cfgfile_has_section(c->f, s))
		return 0;
	if (ns_check_keys(c, s, global_keys) < 0)
		return -1;
	v = rte_cfgfile_get_entry(c->f, s, "idle");
	if (v != NULL) {
		if (!strcmp(v, "busy"))
			cfg->idle = NS_IDLE_BUSY;
		else if (!strcmp(v, "adaptive"))
			cfg->idle = NS_IDLE_ADAPTIVE;
		else
			return ns_cfg_error(c, s, "idle", "'%s' is neither busy nor adaptive", v);
	}
#define X(key, type, min, max, dflt)                                                      \
	_Static_assert((uint64_t)(max) <= (type)-1, "[global] " #key " fits its member"); \
	if (GET_KNOB_TYPED(c, s, #key, &cfg->key, min, max) < 0)                          \
		return -1;
	NS_GLOBAL_KNOBS(X)
#undef X
	return 0;
}

/* LIST: lcores into field[] and n_field, none twice. */
static int
load_lcore_list(struct cfg_ctx *c, const char *sec, const char *key, unsigned int *out, uint32_t *n,
		uint32_t max)
{
	if (parse_lcore_list(c, sec, key, out, n, max) < 0)
		return -1;
	for (uint32_t i = 0; i < *n; i++)
		for (uint32_t j = i + 1; j < *n; j++)
			if (out[i] == out[j])
				return ns_cfg_error(c, sec, key, "lcore %u listed twice", out[i]);
	return 0;
}

/* LOAD_LCORE_<kind>(c, sec, key, cfg, field): a key of NS_LCORE_KEYS. */
#define LOAD_LCORE_LIST(c, s, key, cfg, field) \
	load_lcore_list(c, s, key, (cfg)->field, &(cfg)->n_##field, RTE_DIM((cfg)->field))
#define LOAD_LCORE_ONE(c, s, key, cfg, field) parse_one_lcore(c, s, key, &(cfg)->field)

static int
load_lcores(struct cfg_ctx *c, struct ns_config *cfg)
{
	const char *s = "lcores";

	if (!rte_cfgfile_has_section(c->f, s))
		return 0;
	/* Replication runs in each worker's own loop (a worker's TCP stack and
	 * its channel are written by one lcore only); a lcore of its own would
	 * run nothing, so the key that named one is refused, not ignored. */
	if (rte_cfgfile_get_entry(c->f, s, "replication") != NULL)
		return ns_cfg_error(c, s, "replication",
				"no such key any more: replication runs in each worker's loop, "
				"remove it");
	if (ns_check_keys(c, s, lcore_keys) < 0)
		return -1;
#define X(key, field, kind, max)                           \
	if (LOAD_LCORE_##kind(c, s, #key, cfg, field) < 0) \
		return -1;
	NS_LCORE_KEYS(X)
#undef X
	return 0;
}

int
ns_get_pow2(struct cfg_ctx *c, const char *sec, const char *key, uint32_t *out, uint32_t min,
		uint32_t max)
{
	if (ns_get_u32(c, sec, key, out, min, max) < 0)
		return -1;
	if (*out & (*out - 1))
		return ns_cfg_error(c, sec, key, "%u is not a power of two", *out);
	return 0;
}

static int
load_tcp(struct cfg_ctx *c, struct ns_config *cfg)
{
	const char *s = "tcp";
	struct ns_tcp_knobs *k = &cfg->tcp;

	if (!rte_cfgfile_has_section(c->f, s))
		return 0;
	if (ns_check_keys(c, s, tcp_keys) < 0)
		return -1;
#define X(key, field, kind, min, max, set, where)                 \
	if (GET_KNOB_##kind(c, s, #key, &k->field, min, max) < 0) \
		return -1;
	NS_TCP_KNOBS(X)
#undef X
	return 0;
}

/* The keys of NS_LISTENER_KEYS or NS_CLIENT_KEYS that must be given. */
struct tcpapp_need {
	const char *key, *need;
};

static const struct tcpapp_need listener_need[] = {
#define X(key, field, kind, min, max, dflt, need) {#key, need},
		NS_LISTENER_KEYS(X)
#undef X
};
static const struct tcpapp_need client_need[] = {
#define X(key, field, kind, min, max, dflt, need) {#key, need},
		NS_CLIENT_KEYS(X)
#undef X
};

static int
tcpapp_check_need(struct cfg_ctx *c, const char *sec, const struct tcpapp_need *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (k[i].need != NULL && rte_cfgfile_get_entry(c->f, sec, k[i].key) == NULL)
			return ns_cfg_error(c, sec, k[i].key, "missing: %s", k[i].need);
	return 0;
}

int
ns_get_ipv4(struct cfg_ctx *c, const char *sec, const char *key, rte_be32_t *out)
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

bool
ns_parse_dest(const char *v, rte_be32_t *out, uint16_t *port)
{
	const char *colon = strchr(v, ':');
	char host[32];
	struct in_addr a;
	uint32_t x = 0;

	snprintf(host, sizeof(host), "%.*s", colon ? (int)(colon - v) : (int)strlen(v), v);
	if (inet_pton(AF_INET, host, &a) != 1 ||
			(colon != NULL &&
					(sscanf(colon + 1, "%u", &x) != 1 || x == 0 || x > 65535)))
		return false;
	*out = a.s_addr;
	*port = (uint16_t)x;
	return true;
}

/* CONNECT: A.B.C.D:PORT (the port 1 .. 65535, in host order). */
static int
get_connect(struct cfg_ctx *c, const char *sec, const char *key, rte_be32_t *out, uint16_t *port)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, key);

	if (v == NULL)
		return 0;
	if (strchr(v, ':') == NULL || !ns_parse_dest(v, out, port))
		return ns_cfg_error(c, sec, key, "'%s' is not A.B.C.D:PORT", v);
	return 0;
}

/* REPL: sync or async (given: set). */
static int
get_repl_mode(struct cfg_ctx *c, const char *sec, const char *key, bool *async, bool *set)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, key);

	if (v == NULL)
		return 0;
	if (strcmp(v, "sync") != 0 && strcmp(v, "async") != 0)
		return ns_cfg_error(c, sec, key, "'%s' is neither sync nor async", v);
	*async = !strcmp(v, "async");
	*set = true;
	return 0;
}

/* TCPAPP_LOAD_<kind>(c, cfg, s, key, x, field, min, max, client): one key of
 * NS_LISTENER_KEYS or NS_CLIENT_KEYS into x->field. */
#define TCPAPP_LOAD_U16(c, cfg, s, key, x, field, min, max, client) \
	GET_KNOB_TYPED(c, s, key, &(x)->field, min, max)
#define TCPAPP_LOAD_U32(c, cfg, s, key, x, field, min, max, client) \
	GET_KNOB_TYPED(c, s, key, &(x)->field, min, max)
#define TCPAPP_LOAD_U64(c, cfg, s, key, x, field, min, max, client) \
	ns_get_u64(c, s, key, &(x)->field, max)
#define TCPAPP_LOAD_ADDR(c, cfg, s, key, x, field, min, max, client) \
	ns_get_ipv4(c, s, key, &(x)->field)
#define TCPAPP_LOAD_CONNECT(c, cfg, s, key, x, field, min, max, client) \
	get_connect(c, s, key, &(x)->field, &(x)->field##_port)
/* the key is "app" (ns_cfg_get_app's) */
#define TCPAPP_LOAD_APP(c, cfg, s, key, x, field, min, max, client) \
	ns_cfg_get_app(c, cfg, s, client, &(x)->field)
#define TCPAPP_LOAD_REPL(c, cfg, s, key, x, field, min, max, client) \
	get_repl_mode(c, s, key, &(x)->field##_async, &(x)->field##_set)
/* TCPAPP_FITS_<kind>(min, max): the range fits the member of a number. */
#define TCPAPP_FITS_U16(min, max)     ((max) <= UINT16_MAX)
#define TCPAPP_FITS_U32(min, max)     ((uint64_t)(max) <= UINT32_MAX)
#define TCPAPP_FITS_U64(min, max)     ((min) == 0) /* ns_get_u64: 0 .. max */
#define TCPAPP_FITS_ADDR(min, max)    1
#define TCPAPP_FITS_CONNECT(min, max) 1
#define TCPAPP_FITS_APP(min, max)     1
#define TCPAPP_FITS_REPL(min, max)    1
/* TCPAPP_DFLT_<kind>(x, field, dflt): the default of a number or an application (the rest: 0). */
#define TCPAPP_DFLT_U16(x, field, dflt) (x)->field = dflt;
#define TCPAPP_DFLT_U32(x, field, dflt) (x)->field = dflt;
#define TCPAPP_DFLT_U64(x, field, dflt) (x)->field = dflt;
#define TCPAPP_DFLT_ADDR(x, field, dflt)
#define TCPAPP_DFLT_CONNECT(x, field, dflt)
#define TCPAPP_DFLT_APP(x, field, dflt) (x)->field = dflt;
#define TCPAPP_DFLT_REPL(x, field, dflt)
/* The keys of NS_LISTENER_KEYS one by one; a listener's port and address
 * against the other listeners' are checked by ns_config_load. */
static int
load_listener(struct cfg_ctx *c, const struct ns_config *cfg, const char *sec,
		struct ns_listener_cfg *l)
{
	memset(l, 0, sizeof(*l));
#define X(key, field, kind, min, max, dflt, need) TCPAPP_DFLT_##kind(l, field, dflt)
	NS_LISTENER_KEYS(X)
#undef X
	if (strlen(sec) - 9 == 0 || strlen(sec) - 9 >= sizeof(l->name))
		return ns_cfg_error(c, sec, NULL, "listener name must be 1-%zu characters",
				sizeof(l->name) - 1);
	snprintf(l->name, sizeof(l->name), "%s", sec + 9);
	if (ns_check_keys(c, sec, listener_keys) < 0 ||
			tcpapp_check_need(c, sec, listener_need, RTE_DIM(listener_need)) < 0)
		return -1;
#define X(key, field, kind, min, max, dflt, need)                                 \
	_Static_assert(TCPAPP_FITS_##kind(min, max),                              \
			"[listener.NAME] " #key "'s range fits its member");      \
	if (TCPAPP_LOAD_##kind(c, cfg, sec, #key, l, field, min, max, false) < 0) \
		return -1;
	NS_LISTENER_KEYS(X)
#undef X
	return 0;
}

/* The keys of NS_CLIENT_KEYS one by one, then the checks of keys that go together. */
static int
load_client(struct cfg_ctx *c, const struct ns_config *cfg, const char *sec,
		struct ns_client_cfg *k)
{
	memset(k, 0, sizeof(*k));
#define X(key, field, kind, min, max, dflt, need) TCPAPP_DFLT_##kind(k, field, dflt)
	NS_CLIENT_KEYS(X)
#undef X
	if (strlen(sec) - 7 == 0 || strlen(sec) - 7 >= sizeof(k->name))
		return ns_cfg_error(c, sec, NULL, "client name must be 1-%zu characters",
				sizeof(k->name) - 1);
	snprintf(k->name, sizeof(k->name), "%s", sec + 7);
	if (ns_check_keys(c, sec, client_keys) < 0 ||
			tcpapp_check_need(c, sec, client_need, RTE_DIM(client_need)) < 0)
		return -1;
#define X(key, field, kind, min, max, dflt, need)                                \
	_Static_assert(TCPAPP_FITS_##kind(min, max),                             \
			"[client.NAME] " #key "'s range fits its member");       \
	if (TCPAPP_LOAD_##kind(c, cfg, sec, #key, k, field, min, max, true) < 0) \
		return -1;
	NS_CLIENT_KEYS(X)
#undef X
	/* Keys that go together: msg is echo-check's, and divides bytes. */
	if (k->msg != 0 && k->app != NS_APP_ECHO_CHECK)
		return ns_cfg_error(
				c, sec, "msg", "request/response messages need app = echo-check");
	if (k->msg != 0 && k->bytes % k->msg != 0)
		return ns_cfg_error(c, sec, "msg", "bytes (%llu) is not a multiple of msg (%u)",
				(unsigned long long)k->bytes, k->msg);
	return 0;
}

/* neighbors = IP MAC, IP MAC: permanent ARP entries on the port's subnet. */
static int
load_neighbors(struct cfg_ctx *c, const char *sec, struct ns_port_cfg *p)
{
	const char *v = rte_cfgfile_get_entry(c->f, sec, "neighbors");
	char buf[CFG_VALUE_LEN], *save = NULL;
	uint32_t mask = p->prefix ? rte_cpu_to_be_32(~0u << (32 - p->prefix)) : 0;

	if (v == NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		char ip[32], mac[32];
		struct in_addr a;

		if (p->n_neigh == RTE_DIM(p->neigh_ip))
			return ns_cfg_error(c, sec, "neighbors", "more than %zu neighbours",
					RTE_DIM(p->neigh_ip));
		if (sscanf(t, " %31s %31s", ip, mac) != 2 || inet_pton(AF_INET, ip, &a) != 1 ||
				rte_ether_unformat_addr(mac, &p->neigh_mac[p->n_neigh]) != 0 ||
				!rte_is_valid_assigned_ether_addr(&p->neigh_mac[p->n_neigh]))
			return ns_cfg_error(c, sec, "neighbors",
					"'%s' is not 'A.B.C.D MAC' (a unicast MAC)", t);
		if (p->ip == 0 || (a.s_addr & mask) != (p->ip & mask) || a.s_addr == p->ip)
			return ns_cfg_error(
					c, sec, "neighbors", "%s is not on the port's subnet", ip);
		p->neigh_ip[p->n_neigh++] = a.s_addr;
	}
	return 0;
}

static int
load_port(struct cfg_ctx *c, const char *sec, struct ns_port_cfg *p)
{
	const char *v;

	memset(p, 0, sizeof(*p));
	p->forward = -1;
#define X(key, field, type, min, max, dflt) p->field = dflt;
	NS_PORT_KNOBS(X)
#undef X
	if (strlen(sec) - 5 == 0 || strlen(sec) - 5 >= sizeof(p->name))
		return ns_cfg_error(c, sec, NULL, "port name must be 1-%zu characters",
				sizeof(p->name) - 1);
	snprintf(p->name, sizeof(p->name), "%s", sec + 5);
	if (ns_check_keys(c, sec, port_keys) < 0)
		return -1;

	v = rte_cfgfile_get_entry(c->f, sec, "dev");
	if (v == NULL || *v == '\0')
		return ns_cfg_error(c, sec, "dev",
				"missing: name the ethdev (e.g. net_null0, 0000:03:00.0)");
	if (strlen(v) >= sizeof(p->dev))
		return ns_cfg_error(c, sec, "dev", "too long");
	snprintf(p->dev, sizeof(p->dev), "%s", v);
	v = rte_cfgfile_get_entry(c->f, sec, "args");
	if (v != NULL) {
		if (strlen(v) >= sizeof(p->args))
			return ns_cfg_error(c, sec, "args", "too long");
		snprintf(p->args, sizeof(p->args), "%s", v);
	}

	v = rte_cfgfile_get_entry(c->f, sec, "role");
	if (v == NULL || !strcmp(v, "service"))
		p->role = NS_ROLE_SERVICE;
	else if (!strcmp(v, "replication"))
		p->role = NS_ROLE_REPLICATION;
	else
		return ns_cfg_error(c, sec, "role", "'%s' is neither service nor replication", v);

	v = rte_cfgfile_get_entry(c->f, sec, "ip");
	if (v != NULL) {
		char buf[64], *slash;
		struct in_addr a;
		long pl;

		snprintf(buf, sizeof(buf), "%s", v);
		slash = strchr(buf, '/');
		if (slash == NULL)
			return ns_cfg_error(
					c, sec, "ip", "'%s' needs a prefix length (A.B.C.D/N)", v);
		*slash = '\0';
		pl = strtol(slash + 1, &slash, 10);
		if (inet_pton(AF_INET, buf, &a) != 1 || *slash != '\0' || pl < 1 || pl > 32)
			return ns_cfg_error(c, sec, "ip", "'%s' is not A.B.C.D/N", v);
		p->ip = a.s_addr;
		p->prefix = (uint8_t)pl;
	}
	v = rte_cfgfile_get_entry(c->f, sec, "mac");
	if (v != NULL) {
		if (rte_ether_unformat_addr(v, &p->mac) != 0 ||
				!rte_is_valid_assigned_ether_addr(&p->mac))
			return ns_cfg_error(c, sec, "mac", "'%s' is not a unicast MAC address", v);
		p->has_mac = true;
	}
#define X(key, field, type, min, max, dflt)                        \
	if (GET_KNOB_TYPED(c, sec, #key, &p->field, min, max) < 0) \
		return -1;
	NS_PORT_KNOBS(X)
#undef X
	if ((p->igmp || p->querier) && p->rxq > 1)
		return ns_cfg_error(c, sec, p->igmp ? "igmp" : "querier",
				"needs rxq = 1: IGMP is handled by the worker of queue 0, and RSS "
				"would spread it over the queues");
	if (p->q_response_ms >= p->q_interval_ms)
		return ns_cfg_error(c, sec, "query_response_ms",
				"%u: must be below query_interval_ms (%u) (RFC 3376 8.3)",
				p->q_response_ms, p->q_interval_ms);
	v = rte_cfgfile_get_entry(c->f, sec, "checksum");
	if (v != NULL && strcmp(v, "auto") != 0 && strcmp(v, "trust") != 0)
		return ns_cfg_error(c, sec, "checksum", "'%s' is neither auto nor trust", v);
	p->csum_trust = v != NULL && strcmp(v, "trust") == 0;
	v = rte_cfgfile_get_entry(c->f, sec, "forward");
	if (v != NULL)
		snprintf(p->forward_name, sizeof(p->forward_name), "%s", v);
	return load_neighbors(c, sec, p);
}

void
ns_config_defaults(struct ns_config *cfg)
{
	struct ns_tcp_cfg tcp;

	memset(cfg, 0, sizeof(*cfg));
	cfg->idle = NS_IDLE_ADAPTIVE;
#define X(key, type, min, max, dflt) cfg->key = dflt;
	NS_GLOBAL_KNOBS(X)
#undef X
#define X(key, field, kind, max) NS_LCORE_DFLT_##kind(cfg->field)
	NS_LCORE_KEYS(X)
#undef X
	/* TCP knobs default to the core's own defaults: one source of truth. */
	ns_tcp_cfg_defaults(&tcp);
	cfg->tcp = (struct ns_tcp_knobs){0};
#define X(key, field, kind, min, max, set, where) \
	NS_TCP_KNOB_CORE_##where(cfg->tcp.field = tcp.field;)
	NS_TCP_KNOBS(X)
#undef X
}

/* rte_cfgfile skips lines without '=': catch them so a typo never goes unnoticed. */
static int
check_lines(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[512];
	int n = 0;

	if (fp == NULL)
		return 0; /* rte_cfgfile_load reports it */
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *s = line;

		n++;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0' || *s == ';' || *s == '[' || strchr(s, '=') != NULL)
			continue;
		s[strcspn(s, "\r\n")] = '\0';
		snprintf(err, errlen,
				"%s:%d: '%.60s' is neither [section], key = value nor a ; comment",
				path, n, s);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

int
ns_config_load(struct ns_config *cfg, const char *path, char *err, size_t errlen)
{
	struct cfg_ctx c = {.path = path, .err = err, .errlen = errlen};
	int nsec, rc = -1;
	char **names = NULL;

	ns_config_defaults(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	if (check_lines(path, err, errlen) < 0)
		return -1;
	c.f = rte_cfgfile_load(path, CFG_FLAG_EMPTY_VALUES);
	if (c.f == NULL) {
		snprintf(err, errlen, "%s: cannot read or parse (%s)", path,
				errno ? strerror(errno) : "syntax error");
		return -1;
	}
	nsec = rte_cfgfile_num_sections(c.f, NULL, 0);
	names = calloc(nsec > 0 ? nsec : 1, sizeof(*names));
	if (names == NULL)
		goto out;
	for (int i = 0; i < nsec; i++) {
		names[i] = malloc(CFG_NAME_LEN);
		if (names[i] == NULL)
			goto out;
	}
	rte_cfgfile_sections(c.f, names, nsec);
	if (ns_cfg_load_apps(&c, cfg, names, nsec) < 0)
		goto out;

	for (int i = 0; i < nsec; i++) {
		const char *s = names[i];

		if (!strcmp(s, "global") || !strcmp(s, "lcores") || !strcmp(s, "tcp") ||
				!strcmp(s, "repl") || strncmp(s, "app.", 4) == 0)
			continue;
		if (strncmp(s, "listener.", 9) == 0) {
			if (cfg->n_listeners == NS_MAX_LISTENERS) {
				ns_cfg_error(&c, s, NULL, "more than %d listeners",
						NS_MAX_LISTENERS);
				goto out;
			}
			if (load_listener(&c, cfg, s, &cfg->listener[cfg->n_listeners]) < 0)
				goto out;
			/* Not in the table: a port and address once among the listeners. */
			for (uint16_t j = 0; j < cfg->n_listeners; j++)
				if (cfg->listener[j].port == cfg->listener[cfg->n_listeners].port &&
						cfg->listener[j].addr ==
								cfg->listener[cfg->n_listeners]
										.addr) {
					ns_cfg_error(&c, s, "port",
							"%u already used by [listener.%s]",
							cfg->listener[j].port,
							cfg->listener[j].name);
					goto out;
				}
			cfg->n_listeners++;
			continue;
		}
		if (strncmp(s, "bfd.", 4) == 0) {
			struct ns_bfd_cfg k;

			if (ns_cfg_load_bfd(&c, s, &k) < 0)
				goto out;
			if (k.count > NS_MAX_BFD - cfg->n_bfd) {
				ns_cfg_error(&c, s, k.count > 1 ? "count" : NULL,
						"more than %d BFD sessions", NS_MAX_BFD);
				goto out;
			}
			cfg->bfd[cfg->n_bfd++] = k;
			continue;
		}
		if (strncmp(s, "overlay.", 8) == 0) {
			if (cfg->n_ovl == NS_MAX_OVL) {
				ns_cfg_error(&c, s, NULL, "more than %d overlay sessions",
						NS_MAX_OVL);
				goto out;
			}
			if (ns_cfg_load_overlay(&c, s, &cfg->ovl[cfg->n_ovl]) < 0)
				goto out;
			cfg->n_ovl++;
			continue;
		}
		if (strncmp(s, "client.", 7) == 0) {
			if (cfg->n_clients == NS_MAX_CLIENTS) {
				ns_cfg_error(&c, s, NULL, "more than %d clients", NS_MAX_CLIENTS);
				goto out;
			}
			if (load_client(&c, cfg, s, &cfg->client[cfg->n_clients]) < 0)
				goto out;
			cfg->n_clients++;
			continue;
		}
		if (strncmp(s, "port.", 5) != 0) {
			ns_cfg_error(&c, s, NULL,
					"unknown section (expected global, lcores, tcp, repl, "
					"port.NAME, "
					"listener.NAME, client.NAME, bfd.NAME, overlay.NAME, "
					"app.NAME)");
			goto out;
		}
		if (cfg->n_ports == NS_MAX_PORTS) {
			ns_cfg_error(&c, s, NULL, "more than %d ports", NS_MAX_PORTS);
			goto out;
		}
		if (load_port(&c, s, &cfg->port[cfg->n_ports]) < 0)
			goto out;
		cfg->n_ports++;
	}
	if (load_global(&c, cfg) < 0 || load_lcores(&c, cfg) < 0 || load_tcp(&c, cfg) < 0)
		goto out;
	if (cfg->n_ports == 0) {
		snprintf(err, errlen, "%s: no [port.NAME] section: at least one port is required",
				path);
		goto out;
	}
	for (uint16_t i = 0; i < cfg->n_ports; i++) {
		struct ns_port_cfg *p = &cfg->port[i];
		char sec[CFG_NAME_LEN];

		snprintf(sec, sizeof(sec), "port.%s", p->name);
		for (uint16_t j = 0; j < i; j++)
			if (!strcmp(cfg->port[j].dev, p->dev)) {
				ns_cfg_error(&c, sec, "dev", "'%s' already used by [port.%s]",
						p->dev, cfg->port[j].name);
				goto out;
			}
		if (p->forward_name[0] != '\0') {
			for (uint16_t j = 0; j < cfg->n_ports; j++)
				if (!strcmp(cfg->port[j].name, p->forward_name))
					p->forward = j;
			if (p->forward < 0 || p->forward == i) {
				ns_cfg_error(&c, sec, "forward", "'%s' is not another port's name",
						p->forward_name);
				goto out;
			}
		} else if (p->ip == 0) {
			ns_cfg_error(&c, sec, "ip",
					"missing: a port that does not forward needs an address");
			goto out;
		}
	}
	for (uint16_t i = 0; i < cfg->n_clients; i++) {
		struct ns_client_cfg *k = &cfg->client[i];
		char sec[CFG_NAME_LEN];
		int port = -1;

		snprintf(sec, sizeof(sec), "client.%s", k->name);
		for (uint16_t j = 0; j < cfg->n_ports; j++) {
			const struct ns_port_cfg *p = &cfg->port[j];
			uint32_t mask = p->prefix ? rte_cpu_to_be_32(~0u << (32 - p->prefix)) : 0;

			if (p->forward >= 0 || p->ip == 0)
				continue;
			if (k->src != 0 ? p->ip == k->src : (p->ip & mask) == (k->dst & mask))
				port = j;
		}
		if (port < 0) {
			ns_cfg_error(&c, sec, k->src != 0 ? "source" : "connect",
					k->src != 0 ? "no port has this address"
						    : "no port's subnet holds this address");
			goto out;
		}
		k->src = cfg->port[port].ip;
		k->port_idx = (uint16_t)port;
	}
	if (ns_cfg_load_repl(&c, cfg) < 0 || ns_cfg_bfd_finish(&c, cfg) < 0 ||
			ns_cfg_overlay_finish(&c, cfg) < 0)
		goto out;
	rc = 0;
out:
	if (names != NULL)
		for (int i = 0; i < nsec; i++)
			free(names[i]);
	free(names);
	rte_cfgfile_close(c.f);
	return rc;
}

int
ns_config_check_lcores(const struct ns_config *cfg, char *err, size_t errlen)
{
	for (uint32_t i = 0; i < cfg->n_workers; i++)
		if (!rte_lcore_is_enabled(cfg->workers[i])) {
			snprintf(err, errlen,
					"%s:%d: [lcores] workers: lcore %u is not in the EAL lcore "
					"set (-l)",
					cfg->path, ns_cfg_line_of(cfg->path, "lcores", "workers"),
					cfg->workers[i]);
			return -1;
		}
	if (cfg->fastpath_lcore >= 0 && !rte_lcore_is_enabled(cfg->fastpath_lcore)) {
		snprintf(err, errlen,
				"%s:%d: [lcores] fastpath: lcore %d is not in the EAL lcore set",
				cfg->path, ns_cfg_line_of(cfg->path, "lcores", "fastpath"),
				cfg->fastpath_lcore);
		return -1;
	}
	return 0;
}

void
ns_cfg_each_global(const struct ns_config *cfg, ns_cfg_kv_fn *fn, void *arg)
{
	fn(arg, "idle", ns_idle_name(cfg->idle), NULL);
#define X(key, type, min, max, dflt) ns_cfg_kv_num(fn, arg, #key, cfg->key);
	NS_GLOBAL_KNOBS(X)
#undef X
}

/* A list of lcores (always shown: empty, the loop's own choice), or one if given. */
static void
show_lcore_list(ns_cfg_kv_fn *fn, void *arg, const char *key, const unsigned int *l, uint32_t n)
{
	char text[NS_MAX_WORKERS * 5 + 1] = "";
	size_t len = 0;

	for (uint32_t i = 0; i < n && len < sizeof(text); i++)
		len += snprintf(text + len, sizeof(text) - len, "%s%u", i ? "," : "", l[i]);
	fn(arg, key, text, NULL);
}

#define SHOW_LCORE_LIST(fn, arg, key, cfg, field) \
	show_lcore_list(fn, arg, key, (cfg)->field, (cfg)->n_##field)
#define SHOW_LCORE_ONE(fn, arg, key, cfg, field)                             \
	do {                                                                 \
		if ((cfg)->field >= 0)                                       \
			ns_cfg_kv_num(fn, arg, key, (uint64_t)(cfg)->field); \
	} while (0)

void
ns_cfg_each_lcores(const struct ns_config *cfg, ns_cfg_kv_fn *fn, void *arg)
{
#define X(key, field, kind, max) SHOW_LCORE_##kind(fn, arg, #key, cfg, field);
	NS_LCORE_KEYS(X)
#undef X
}

void
ns_cfg_each_port(const struct ns_port_cfg *p, ns_cfg_kv_fn *fn, void *arg)
{
	char text[INET_ADDRSTRLEN + 8];

	fn(arg, "dev", p->dev, NULL);
	if (p->args[0])
		fn(arg, "args", p->args, NULL);
	fn(arg, "role", ns_role_name(p->role), NULL);
	if (p->ip) {
		inet_ntop(AF_INET, &p->ip, text, INET_ADDRSTRLEN);
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "/%u", p->prefix);
		fn(arg, "ip", text, NULL);
	}
	if (p->has_mac) {
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		fn(arg, "mac", mac, NULL);
	}
#define X(key, field, type, min, max, dflt)                   \
	if (_Generic(p->field, bool : true, default : false)) \
		ns_cfg_kv_bool(fn, arg, #key, p->field);      \
	else                                                  \
		ns_cfg_kv_num(fn, arg, #key, p->field);
	NS_PORT_KNOBS(X)
#undef X
	if (p->forward >= 0)
		fn(arg, "forward", p->forward_name, NULL);
}

void
ns_cfg_each_tcp(const struct ns_tcp_knobs *k, ns_cfg_kv_fn *fn, void *arg)
{
#define SHOW_KNOB_U32(key, v)			  ns_cfg_kv_num(fn, arg, key, v)
#define SHOW_KNOB_POW2(key, v)			  ns_cfg_kv_num(fn, arg, key, v)
#define SHOW_KNOB_BOOL(key, v)			  ns_cfg_kv_bool(fn, arg, key, v)
#define X(key, field, kind, min, max, set, where) SHOW_KNOB_##kind(#key, k->field);
	NS_TCP_KNOBS(X)
#undef X
#undef SHOW_KNOB_U32
#undef SHOW_KNOB_POW2
#undef SHOW_KNOB_BOOL
}

void
ns_cfg_kv_ipv4(ns_cfg_kv_fn *fn, void *arg, const char *key, rte_be32_t a)
{
	char ip[INET_ADDRSTRLEN];

	if (a != 0)
		fn(arg, key, inet_ntop(AF_INET, &a, ip, sizeof(ip)), NULL);
}

void
ns_cfg_kv_dest(ns_cfg_kv_fn *fn, void *arg, const char *key, rte_be32_t a, uint16_t port)
{
	char ip[INET_ADDRSTRLEN], text[INET_ADDRSTRLEN + 8];

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	if (port != 0)
		snprintf(text, sizeof(text), "%s:%u", ip, port);
	else
		snprintf(text, sizeof(text), "%s", ip);
	fn(arg, key, text, NULL);
}

/* 'show config' of a listener or a client: TCPAPP_SHOW_<kind>(fn, arg, cfg, key, x, field). */
#define TCPAPP_SHOW_U16(fn, arg, cfg, key, x, field)  ns_cfg_kv_num(fn, arg, key, (x)->field)
#define TCPAPP_SHOW_U32(fn, arg, cfg, key, x, field)  ns_cfg_kv_num(fn, arg, key, (x)->field)
#define TCPAPP_SHOW_U64(fn, arg, cfg, key, x, field)  ns_cfg_kv_num(fn, arg, key, (x)->field)
#define TCPAPP_SHOW_ADDR(fn, arg, cfg, key, x, field) ns_cfg_kv_ipv4(fn, arg, key, (x)->field)
#define TCPAPP_SHOW_CONNECT(fn, arg, cfg, key, x, field) \
	ns_cfg_kv_dest(fn, arg, key, (x)->field, (x)->field##_port)
#define TCPAPP_SHOW_APP(fn, arg, cfg, key, x, field) \
	fn(arg, key, ns_cfg_app_name(cfg, (x)->field), NULL)
/* given, else [repl] mode */
#define TCPAPP_SHOW_REPL(fn, arg, cfg, key, x, field)                              \
	do {                                                                       \
		if ((x)->field##_set)                                              \
			fn(arg, key, (x)->field##_async ? "async" : "sync", NULL); \
	} while (0)

void
ns_cfg_each_listener(const struct ns_config *cfg, const struct ns_listener_cfg *l, ns_cfg_kv_fn *fn,
		void *arg)
{
#define X(key, field, kind, min, max, dflt, need) TCPAPP_SHOW_##kind(fn, arg, cfg, #key, l, field);
	NS_LISTENER_KEYS(X)
#undef X
}

void
ns_cfg_each_client(const struct ns_config *cfg, const struct ns_client_cfg *k, ns_cfg_kv_fn *fn,
		void *arg)
{
#define X(key, field, kind, min, max, dflt, need) TCPAPP_SHOW_##kind(fn, arg, cfg, #key, k, field);
	NS_CLIENT_KEYS(X)
#undef X
}

const char *
ns_role_name(enum ns_port_role r)
{
	return r == NS_ROLE_REPLICATION ? "replication" : "service";
}

const char *
ns_idle_name(enum ns_idle_policy p)
{
	return p == NS_IDLE_BUSY ? "busy" : "adaptive";
}
