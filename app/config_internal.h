/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the configuration loader's files (config.c, config_ha.c). */
#ifndef NS_CONFIG_INTERNAL_H
#define NS_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

struct rte_cfgfile;
struct ns_config;
struct ns_bfd_cfg;

struct cfg_ctx {
	struct rte_cfgfile *f;
	const char *path;
	char *err;
	size_t errlen;
};

/* config_app.c: the [app.*] sections (before listeners and clients name
 * them), and an 'app = NAME' key into the application table's index. */
int ns_cfg_load_apps(struct cfg_ctx *c, struct ns_config *cfg, char **names, int nsec);
int ns_cfg_get_app(struct cfg_ctx *c, const struct ns_config *cfg, const char *sec, bool client,
		uint32_t *out);

/* "FILE:LINE: [section] key: message" into c->err; returns -1. */
int ns_cfg_error(struct cfg_ctx *c, const char *section, const char *key, const char *fmt, ...)
		__attribute__((format(printf, 4, 5)));
/* Each returns 0 when the key is absent or valid (out set), -1 after ns_cfg_error. */
int ns_get_u32(struct cfg_ctx *c, const char *sec, const char *key, uint32_t *out, uint32_t min,
		uint32_t max);
int ns_get_u64(struct cfg_ctx *c, const char *sec, const char *key, uint64_t *out, uint64_t max);
int ns_get_bool(struct cfg_ctx *c, const char *sec, const char *key, bool *out);
int ns_get_pow2(struct cfg_ctx *c, const char *sec, const char *key, uint32_t *out, uint32_t min,
		uint32_t max);
/* One knob by its kind (NS_TCP_KNOBS, NS_REPL_KNOBS). */
#define GET_KNOB_U32(c, s, key, p, min, max)  ns_get_u32(c, s, key, p, min, max)
#define GET_KNOB_POW2(c, s, key, p, min, max) ns_get_pow2(c, s, key, p, min, max)
#define GET_KNOB_BOOL(c, s, key, p, min, max) ns_get_bool(c, s, key, p)
/* The same for a member of type uint16_t or uint8_t (max fits it), and for
 * a boolean with the arguments of the others. */
#define NS_GET_NARROW(name, type)                                                              \
	static inline int name(struct cfg_ctx *c, const char *sec, const char *key, type *out, \
			uint32_t min, uint32_t max)                                            \
	{                                                                                      \
		uint32_t x = *out;                                                             \
                                                                                               \
		if (ns_get_u32(c, sec, key, &x, min, max) < 0)                                 \
			return -1;                                                             \
		*out = (type)x;                                                                \
		return 0;                                                                      \
	}
NS_GET_NARROW(ns_get_u16, uint16_t)
NS_GET_NARROW(ns_get_u8, uint8_t)
#undef NS_GET_NARROW
static inline int
ns_get_bool_in(struct cfg_ctx *c, const char *sec, const char *key, bool *out, uint32_t min,
		uint32_t max)
{
	(void)min, (void)max;
	return ns_get_bool(c, sec, key, out);
}
/* One knob by its member's type (NS_GLOBAL_KNOBS, NS_PORT_KNOBS): bool, uint8_t, uint16_t or
 * uint32_t. */
#define GET_KNOB_TYPED(c, s, key, p, min, max)    \
	_Generic(*(p), bool                       \
			: ns_get_bool_in, uint8_t \
			: ns_get_u8, uint16_t     \
			: ns_get_u16, uint32_t    \
			: ns_get_u32)(c, s, key, p, min, max)
/* ns_cfg_each_*: an integer or a boolean to fn. */
static inline void
ns_cfg_kv_num(ns_cfg_kv_fn *fn, void *arg, const char *key, uint64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, v);
	fn(arg, key, text, &v);
}
static inline void
ns_cfg_kv_bool(ns_cfg_kv_fn *fn, void *arg, const char *key, bool v)
{
	uint64_t n = v;

	fn(arg, key, v ? "yes" : "no", &n);
}
/* An IPv4 address (ADDR of NS_OVL_KEYS, NS_LISTENER_KEYS, NS_CLIENT_KEYS). */
int ns_get_ipv4(struct cfg_ctx *c, const char *sec, const char *key, rte_be32_t *out);
/* A.B.C.D[:PORT] (PORT 1 .. 65535; 0 when not given) into out and port;
 * false when v is not one. */
bool ns_parse_dest(const char *v, rte_be32_t *out, uint16_t *port);
/* An address to fn when not 0; an address and its port (A.B.C.D:PORT, or
 * A.B.C.D when port is 0). */
void ns_cfg_kv_ipv4(ns_cfg_kv_fn *fn, void *arg, const char *key, rte_be32_t a);
void ns_cfg_kv_dest(ns_cfg_kv_fn *fn, void *arg, const char *key, rte_be32_t a, uint16_t port);
/* Every key of the section is one of known (NULL-terminated). */
int ns_check_keys(struct cfg_ctx *c, const char *sec, const char *const *known);

/* config_overlay.c: one [overlay.NAME] section (ports resolved after all are read) */
struct ns_ovl_cfg;
int ns_cfg_load_overlay(struct cfg_ctx *c, const char *sec, struct ns_ovl_cfg *o);
int ns_cfg_overlay_finish(struct cfg_ctx *c, struct ns_config *cfg);

/* config_ha.c */
/* A key: text, or 0x and an even number of hex digits; at most max bytes;
 * an error text or NULL. */
const char *ns_cfg_parse_key(const char *key, uint8_t *out, size_t max, uint32_t *len);
int ns_cfg_load_bfd(struct cfg_ctx *c, const char *sec, struct ns_bfd_cfg *k);
int ns_cfg_load_repl(struct cfg_ctx *c, struct ns_config *cfg);
int ns_cfg_bfd_finish(struct cfg_ctx *c, struct ns_config *cfg);

#endif /* NS_CONFIG_INTERNAL_H */
