/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kv's core (kv_resp, kv_db, kv_cmd) on the requests redis-benchmark sends:
 * N pipelined requests of one test in a buffer, parsed and executed one by
 * one into a reply buffer, as kv_app.c's serve() does (no TCP, no
 * application API).  For callgrind: serve_all() is the measured function,
 * scripts/bench/callgrind_kv.sh divides its inclusive cost by N.
 *
 *   bench_kv TEST N      TEST: ping_inline ping_mbulk set get incr mset
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv_cmd.h"
#include "kv_db.h"
#include "kv_resp.h"

static char *
request(const char *test)
{
	/* redis-benchmark's requests (its default keyspace: one key name). */
	if (!strcmp(test, "ping_inline"))
		return strdup("PING\r\n");
	if (!strcmp(test, "ping_mbulk"))
		return strdup("*1\r\n$4\r\nPING\r\n");
	if (!strcmp(test, "set"))
		return strdup("*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n");
	if (!strcmp(test, "get"))
		return strdup("*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n");
	if (!strcmp(test, "incr"))
		return strdup("*2\r\n$4\r\nINCR\r\n$20\r\ncounter:__rand_int__\r\n");
	if (!strcmp(test, "mset")) {
		char *r = malloc(1024);
		int n = sprintf(r, "*21\r\n$4\r\nMSET\r\n");

		for (int i = 0; i < 10; i++)
			n += sprintf(r + n, "$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n");
		return r;
	}
	return NULL;
}

/* callgrind finds serve_all by its name: no gcc clone of it (clang makes none). */
#ifdef __clang__
#define NOCLONE
#else
#define NOCLONE __attribute__((noclone))
#endif

/* Every request in buf: parsed, executed, its reply appended to out. */
static __attribute__((noinline)) NOCLONE uint64_t
serve_all(struct ns_kv *db, struct ns_resp_cmd *cmd, const uint8_t *buf, uint64_t len, uint8_t *out,
		uint32_t cap)
{
	uint64_t pos = 0, n = 0;
	uint32_t used = 0;

	while (pos < len) {
		const char *err = NULL;
		int32_t r = ns_resp_parse(buf + pos, (uint32_t)(len - pos), NS_KV_DEFAULT_MAX_BULK,
				0, cmd, &err);

		if (r <= 0)
			break;
		if (cap - used < 4096)
			used = 0; /* replies go out as they are made */
		used += ns_kv_exec(db, cmd, 1, NS_KV_ACTIVE, out + used, cap - used, NULL);
		pos += (uint64_t)r;
		n++;
	}
	return n;
}

int
main(int argc, char **argv)
{
	struct ns_kv_cfg cfg = {0, 0};
	struct ns_kv *db;
	struct ns_resp_cmd *cmd = malloc(sizeof(*cmd));
	uint8_t *buf, *out = malloc(1 << 16);
	char *req;
	uint64_t n, rl, done;

	if (argc != 3 || (req = request(argv[1])) == NULL ||
			(n = strtoull(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bench_kv ping_inline|ping_mbulk|set|get|incr|mset N\n");
		return 2;
	}
	rl = strlen(req);
	buf = malloc(rl * n);
	db = ns_kv_new(&cfg);
	if (buf == NULL || db == NULL || cmd == NULL || out == NULL)
		return 1;
	for (uint64_t i = 0; i < n; i++)
		memcpy(buf + i * rl, req, rl);
	done = serve_all(db, cmd, buf, rl * n, out, 1 << 16);
	printf("%s %llu requests, %llu bytes each\n", argv[1], (unsigned long long)done,
			(unsigned long long)rl);
	ns_kv_free(db);
	free(buf);
	free(out);
	free(cmd);
	free(req);
	return done == n ? 0 : 1;
}
