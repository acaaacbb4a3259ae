/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A BFD session's settings (NS_BFD_KEYS), read the same way from a
 * [bfd.NAME] section (config_ha.c) and from 'bfd session add' and 'set bfd
 * session' (bfd_glue.c).  No EAL: tests/unit/test_bfd_cfg.c runs it alone.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_internal.h"

const struct ns_bfd_key_desc ns_bfd_keys[NS_BFD_KEY__N] = {
#define X(key, word, kind, min, max, dflt) \
	[NS_BFD_KEY_##key] = {#key, word, NS_BFD_KIND_##kind, min, max, dflt},
		NS_BFD_KEYS(X)
#undef X
};

void
ns_bfd_words_init(struct ns_bfd_words *w)
{
	memset(w, 0, sizeof(*w));
	for (int i = 0; i < NS_BFD_KEY__N; i++)
		w->num[i] = ns_bfd_keys[i].dflt;
}

int
ns_bfd_key_find(const char *name, bool console)
{
	for (int i = 0; i < NS_BFD_KEY__N; i++) {
		const char *n = console ? ns_bfd_keys[i].word : ns_bfd_keys[i].key;

		if (n != NULL && strcmp(n, name) == 0)
			return i;
	}
	return -1;
}

bool
ns_bfd_words_set(struct ns_bfd_words *w, int i, const char *val, char *why, size_t len)
{
	const struct ns_bfd_key_desc *d = &ns_bfd_keys[i];
	struct in_addr a;
	unsigned long x;
	char *end;

	switch (d->kind) {
	case NS_BFD_KIND_ADDR:
		if (inet_pton(AF_INET, val, &a) != 1) {
			snprintf(why, len, "'%s' is not an IPv4 address", val);
			return false;
		}
		w->num[i] = a.s_addr;
		break;
	case NS_BFD_KIND_U32:
		errno = 0;
		x = strtoul(val, &end, 10); /* decimal: a leading 0 is not octal */
		if (errno != 0 || end == val || *end != '\0' || x < d->min || x > d->max) {
			snprintf(why, len, "'%s' is not an integer in [%u, %u]", val, d->min,
					d->max);
			return false;
		}
		w->num[i] = (uint32_t)x;
		break;
	case NS_BFD_KIND_BOOL:
		if (!strcmp(val, "yes") || !strcmp(val, "true") || !strcmp(val, "on") ||
				!strcmp(val, "1")) {
			w->num[i] = 1;
		} else if (!strcmp(val, "no") || !strcmp(val, "false") || !strcmp(val, "off") ||
				!strcmp(val, "0")) {
			w->num[i] = 0;
		} else {
			snprintf(why, len, "'%s' is not yes/no", val);
			return false;
		}
		break;
	case NS_BFD_KIND_TEXT:
		w->text[i] = val;
		break;
	}
	w->given[i] = true;
	return true;
}

bool
ns_bfd_words_finish(const struct ns_bfd_words *w, struct ns_bfd_cfg *k, const char **key, char *why,
		size_t len)
{
	const char *e;

	k->peer = w->num[NS_BFD_KEY_peer];
	k->local = w->num[NS_BFD_KEY_local];
	k->port_idx = 0;
	k->tx_ms = w->num[NS_BFD_KEY_tx_interval_ms];
	k->rx_ms = w->num[NS_BFD_KEY_rx_interval_ms];
	k->multiplier = (uint8_t)w->num[NS_BFD_KEY_multiplier];
	k->passive = w->num[NS_BFD_KEY_passive] != 0;
	k->count = w->num[NS_BFD_KEY_count];
	memset(&k->auth, 0, sizeof(k->auth));
	if (!w->given[NS_BFD_KEY_peer]) {
		*key = "peer";
		snprintf(why, len, "missing: the peer's IPv4 address");
		return false;
	}
	if (k->count > 1 && strlen(k->name) > 23) {
		*key = "count";
		snprintf(why, len, "a range's name must be at most 23 characters");
		return false;
	}
	if (w->given[NS_BFD_KEY_auth]) {
		e = ns_bfd_auth_from_words(w->text[NS_BFD_KEY_auth], w->text[NS_BFD_KEY_auth_key],
				w->num[NS_BFD_KEY_auth_key_id], &k->auth);
		if (e != NULL) {
			*key = strstr(e, "key") == e ? "auth_key" : "auth";
			snprintf(why, len, "%s", e);
			return false;
		}
	} else if (w->given[NS_BFD_KEY_auth_key]) {
		*key = "auth_key";
		snprintf(why, len, "set without 'auth' (the type)");
		return false;
	}
	return true;
}

void
ns_bfd_words_of(const struct ns_bfd_cfg *k, struct ns_bfd_words *w)
{
	ns_bfd_words_init(w);
	for (int i = 0; i < NS_BFD_KEY__N; i++)
		w->given[i] = true;
	w->num[NS_BFD_KEY_peer] = k->peer;
	w->num[NS_BFD_KEY_local] = k->local;
	w->num[NS_BFD_KEY_tx_interval_ms] = k->tx_ms;
	w->num[NS_BFD_KEY_rx_interval_ms] = k->rx_ms;
	w->num[NS_BFD_KEY_multiplier] = k->multiplier;
	w->num[NS_BFD_KEY_passive] = k->passive;
	w->given[NS_BFD_KEY_count] = false;
	w->text[NS_BFD_KEY_auth] = ns_bfd_auth_name(k->auth.type);
	w->text[NS_BFD_KEY_auth_key] = "(not shown)";
	w->num[NS_BFD_KEY_auth_key_id] = k->auth.key_id;
	if (k->auth.type == NS_BFD_AUTH_NONE)
		w->given[NS_BFD_KEY_auth] = w->given[NS_BFD_KEY_auth_key] =
				w->given[NS_BFD_KEY_auth_key_id] = false;
}

/* A key: text, or 0x and an even number of hex digits; at most max bytes. */
const char *
ns_cfg_parse_key(const char *key, uint8_t *out, size_t max, uint32_t *len)
{
	static char why[80];
	size_t n;

	if (key[0] == '0' && (key[1] == 'x' || key[1] == 'X')) {
		key += 2;
		n = strlen(key);
		if (n == 0 || n % 2 != 0 || n / 2 > max) {
			snprintf(why, sizeof(why),
					"key: 0x needs an even number of hex digits, at most %zu "
					"bytes",
					max);
			return why;
		}
		for (size_t i = 0; i < n / 2; i++) {
			unsigned int byte;

			if (!isxdigit((unsigned char)key[2 * i]) ||
					!isxdigit((unsigned char)key[2 * i + 1]) ||
					sscanf(key + 2 * i, "%2x", &byte) != 1)
				return "key: not a hex digit after 0x";
			out[i] = (uint8_t)byte;
		}
		*len = (uint32_t)(n / 2);
		return NULL;
	}
	n = strlen(key);
	if (n > max) {
		snprintf(why, sizeof(why), "key: at most %zu bytes", max);
		return why;
	}
	memcpy(out, key, n);
	*len = (uint32_t)n;
	return NULL;
}

const char *
ns_bfd_auth_from_words(
		const char *type, const char *key, uint32_t key_id, struct ns_bfd_auth_cfg *out)
{
	int t = ns_bfd_auth_parse_name(type);
	const char *why;
	uint32_t n;

	memset(out, 0, sizeof(*out));
	if (t < 0)
		return "unknown type (none, simple, md5, meticulous-md5, sha1, meticulous-sha1)";
	if (t == NS_BFD_AUTH_NONE)
		return NULL;
	if (key == NULL || *key == '\0')
		return "key missing (text, or 0x and hex digits)";
	if (key_id > 255)
		return "key id above 255";
	out->type = (uint8_t)t;
	out->key_id = (uint8_t)key_id;
	why = ns_cfg_parse_key(key, out->key, sizeof(out->key), &n);
	if (why != NULL)
		return why;
	out->key_len = (uint8_t)n;
	if (!ns_bfd_auth_cfg_valid(out))
		return t == NS_BFD_AUTH_KEYED_SHA1 || t == NS_BFD_AUTH_MET_SHA1
				       ? "key: 1-20 bytes for sha1"
				       : "key: 1-16 bytes for simple and md5";
	return NULL;
}
