/* SPDX-License-Identifier: BSD-3-Clause */
/* A BFD session's settings (app/config_bfd.c): the one table the config file
 * and the console read, its defaults, ranges, console words and the checks
 * of the settings together. */
#include <stdbool.h>

#include "config.h"
#include "ns_test.h"

static bool
set(struct ns_bfd_words *w, const char *name, bool console, const char *val)
{
	char why[160];
	int i = ns_bfd_key_find(name, console);

	return i >= 0 && ns_bfd_words_set(w, i, val, why, sizeof(why));
}

static void
test_defaults(void)
{
	struct ns_bfd_words w;
	struct ns_bfd_cfg k = {.name = "d"};
	const char *key = NULL;
	char why[160];

	ns_bfd_words_init(&w);
	CHECK(!ns_bfd_words_finish(&w, &k, &key, why, sizeof(why)));
	CHECK(key != NULL && strcmp(key, "peer") == 0);
	CHECK(strcmp(why, "missing: the peer's IPv4 address") == 0);
	CHECK(set(&w, "peer", false, "192.0.2.1"));
	CHECK(ns_bfd_words_finish(&w, &k, &key, why, sizeof(why)));
	CHECK_EQ(k.peer, ns_test_ip4(192, 0, 2, 1));
	CHECK_EQ(k.local, 0);
	CHECK_EQ(k.tx_ms, 300);
	CHECK_EQ(k.rx_ms, 300);
	CHECK_EQ(k.multiplier, 3);
	CHECK(!k.passive);
	CHECK_EQ(k.count, 1);
	CHECK_EQ(k.auth.type, NS_BFD_AUTH_NONE);
}

/* The console's words are the same entries as the file's keys. */
static void
test_words_and_keys(void)
{
	static const char *const pairs[][2] = {{"peer", "peer"}, {"local", "local"},
			{"tx_interval_ms", "tx"}, {"rx_interval_ms", "rx"},
			{"multiplier", "multiplier"}, {"passive", "passive"}, {"auth", "auth"},
			{"auth_key", "key"}, {"auth_key_id", "key-id"}};

	for (unsigned int i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int f = ns_bfd_key_find(pairs[i][0], false), c = ns_bfd_key_find(pairs[i][1], true);

		CHECK(f >= 0);
		CHECK_EQ(f, c);
	}
	CHECK(ns_bfd_key_find("count", false) >= 0);
	CHECK_EQ(ns_bfd_key_find("count", true), -1); /* the file's only */
	CHECK_EQ(ns_bfd_key_find("tx", false), -1);
	CHECK_EQ(ns_bfd_key_find("tx_interval_ms", true), -1);
	CHECK_EQ(ns_bfd_key_find("colour", true), -1);
}

static void
test_ranges(void)
{
	struct ns_bfd_words w;
	char why[160];

	ns_bfd_words_init(&w);
	CHECK(!set(&w, "tx", true, "0"));
	CHECK(set(&w, "tx", true, "1"));
	CHECK(set(&w, "tx_interval_ms", false, "60000"));
	CHECK(!set(&w, "tx_interval_ms", false, "60001"));
	CHECK(set(&w, "rx", true, "0"));
	CHECK(!set(&w, "multiplier", true, "0"));
	CHECK(!set(&w, "multiplier", true, "256"));
	CHECK(!set(&w, "multiplier", true, "3x"));
	CHECK(!set(&w, "multiplier", true, ""));
	CHECK(set(&w, "key-id", true, "255"));
	CHECK(!set(&w, "auth_key_id", false, "256"));
	CHECK(set(&w, "count", false, "131072"));
	CHECK(!set(&w, "count", false, "131073"));
	CHECK(!set(&w, "peer", false, "192.0.2"));
	CHECK(!set(&w, "passive", false, "maybe"));
	CHECK(set(&w, "passive", false, "on"));
	CHECK_EQ(w.num[NS_BFD_KEY_tx_interval_ms], 60000);
	CHECK_EQ(w.num[NS_BFD_KEY_passive], 1);
	CHECK(!ns_bfd_words_set(&w, NS_BFD_KEY_tx_interval_ms, "08x", why, sizeof(why)));
	CHECK(strcmp(why, "'08x' is not an integer in [1, 60000]") == 0);
	CHECK(!ns_bfd_words_set(&w, NS_BFD_KEY_local, "x", why, sizeof(why)));
	CHECK(strcmp(why, "'x' is not an IPv4 address") == 0);
}

static void
test_auth_and_count(void)
{
	struct ns_bfd_words w;
	struct ns_bfd_cfg k = {.name = "a-name-of-twenty-four-c"};
	const char *key = NULL;
	char why[160];

	ns_bfd_words_init(&w);
	CHECK(set(&w, "peer", false, "192.0.2.1"));
	CHECK(set(&w, "auth_key", false, "secret"));
	CHECK(!ns_bfd_words_finish(&w, &k, &key, why, sizeof(why)));
	CHECK(strcmp(key, "auth_key") == 0 && strcmp(why, "set without 'auth' (the type)") == 0);
	CHECK(set(&w, "auth", false, "md5"));
	CHECK(set(&w, "key-id", true, "9"));
	CHECK(ns_bfd_words_finish(&w, &k, &key, why, sizeof(why)));
	CHECK_EQ(k.auth.type, NS_BFD_AUTH_KEYED_MD5);
	CHECK_EQ(k.auth.key_id, 9);
	CHECK_EQ(k.auth.key_len, 6);
	CHECK(set(&w, "key", true, "0x00zz"));
	CHECK(!ns_bfd_words_finish(&w, &k, &key, why, sizeof(why)));
	CHECK(strcmp(key, "auth_key") == 0 && strcmp(why, "key: not a hex digit after 0x") == 0);
	CHECK(set(&w, "auth", true, "rot13"));
	CHECK(!ns_bfd_words_finish(&w, &k, &key, why, sizeof(why)));
	CHECK(strcmp(key, "auth") == 0);
	CHECK(set(&w, "auth", true, "none"));
	CHECK(set(&w, "count", false, "2"));
	CHECK(ns_bfd_words_finish(&w, &k, &key, why, sizeof(why))); /* 23 characters */
	snprintf(k.name, sizeof(k.name), "a-name-of-twenty-four-ch");
	CHECK(!ns_bfd_words_finish(&w, &k, &key, why, sizeof(why)));
	CHECK(strcmp(key, "count") == 0);
}

/* 'show config' reads a session back as words: the same values, the key hidden. */
static void
test_words_of(void)
{
	struct ns_bfd_words w, back;
	struct ns_bfd_cfg k = {.name = "r"};
	const char *key = NULL;
	char why[160];

	ns_bfd_words_init(&w);
	CHECK(set(&w, "peer", false, "192.0.2.1"));
	CHECK(set(&w, "local", false, "192.0.2.2"));
	CHECK(set(&w, "tx", true, "50"));
	CHECK(set(&w, "rx", true, "0"));
	CHECK(set(&w, "multiplier", true, "7"));
	CHECK(ns_bfd_words_finish(&w, &k, &key, why, sizeof(why)));
	ns_bfd_words_of(&k, &back);
	for (int i = 0; i < NS_BFD_KEY__N; i++)
		if (ns_bfd_keys[i].kind != NS_BFD_KIND_TEXT && i != NS_BFD_KEY_auth_key_id &&
				i != NS_BFD_KEY_count) {
			CHECK(back.given[i]);
			CHECK_EQ(back.num[i], w.num[i]);
		}
	CHECK(!back.given[NS_BFD_KEY_auth] && !back.given[NS_BFD_KEY_auth_key]);
	CHECK(!back.given[NS_BFD_KEY_auth_key_id] && !back.given[NS_BFD_KEY_count]);
	CHECK(set(&w, "auth", false, "meticulous-sha1"));
	CHECK(set(&w, "auth_key", false, "0x00112233"));
	CHECK(set(&w, "auth_key_id", false, "9"));
	CHECK(ns_bfd_words_finish(&w, &k, &key, why, sizeof(why)));
	ns_bfd_words_of(&k, &back);
	CHECK(strcmp(back.text[NS_BFD_KEY_auth], "meticulous-sha1") == 0);
	CHECK(strcmp(back.text[NS_BFD_KEY_auth_key], "(not shown)") == 0);
	CHECK_EQ(back.num[NS_BFD_KEY_auth_key_id], 9);
}

int
main(void)
{
	RUN(test_defaults);
	RUN(test_words_and_keys);
	RUN(test_ranges);
	RUN(test_auth_and_count);
	RUN(test_words_of);
	return TEST_SUMMARY();
}
