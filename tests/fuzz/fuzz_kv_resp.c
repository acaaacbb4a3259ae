/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the kv core (apps/kv): byte 0 picks the reply room
 * of the active replica, the rest is a client's byte stream, parsed and
 * executed as a pipeline against a keyspace with a small maxmemory.  Every
 * request also goes to a backup in APPLY mode, and both run the same expire
 * steps: at the end their digests must be equal.  A reply that did not fit
 * must have changed nothing and must fit the room it asked for.
 */
#include <stdlib.h>
#include <string.h>

#include "kv_cmd.h"

#define NOW	 UINT64_C(1700000000000)
#define MAX_BULK 1024
#define MAX_REQ	 4096

static struct ns_resp_cmd cmd;
static uint8_t out[1 << 20];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_kv_cfg cfg = {.maxmemory = 4096, .max_bulk = MAX_BULK};
	struct ns_kv *act, *bak;
	uint64_t now = NOW;
	char ha[41], hb[41];
	uint64_t commands;
	uint32_t small;
	size_t off = 1;

	if (size < 1 || size > 16384)
		return 0;
	small = data[0] & 0x3f;
	act = ns_kv_new(&cfg);
	bak = ns_kv_new(&cfg);
	if (act == NULL || bak == NULL)
		abort();
	while (off < size) {
		const char *err = NULL;
		uint32_t len = (uint32_t)(size - off), flags, n;
		int32_t r = ns_resp_parse(data + off, len, MAX_BULK, MAX_REQ, &cmd, &err);

		if (r < 0) {
			if (err == NULL || strncmp(err, "Protocol error: ", 16) != 0)
				abort();
			break;
		}
		if (r == 0 || (uint32_t)r > len || cmd.argc > NS_RESP_MAX_ARGS)
			break;
		off += (size_t)r;
		ns_kv_digest(act, ha);
		commands = ns_kv_counters(act)[NS_KV_C_commands];
		n = ns_kv_exec(act, &cmd, now, NS_KV_ACTIVE, out, small, &flags);
		if (n > small) {
			/* Nothing changed; the retry needs exactly the room asked for. */
			ns_kv_digest(act, hb);
			if (strcmp(ha, hb) != 0 || flags != 0 ||
					ns_kv_counters(act)[NS_KV_C_commands] != commands)
				abort();
			if (ns_kv_exec(act, &cmd, now, NS_KV_ACTIVE, out, n, &flags) != n)
				abort();
		}
		if (n > sizeof(out) || (n > 0 && out[0] != '+' && out[0] != '-' && out[0] != ':' &&
						       out[0] != '$' && out[0] != '*'))
			abort();
		if (ns_kv_exec(bak, &cmd, now, NS_KV_APPLY, NULL, 0, &flags) != 0)
			abort();
		now += data[off - 1] & 0x7;
		if ((data[off - 1] & 0x18) == 0 &&
				ns_kv_expire_step(act, now, 2) != ns_kv_expire_step(bak, now, 2))
			abort();
		/* Writes that would pass maxmemory are refused. */
		if (ns_kv_used_memory(act) > cfg.maxmemory)
			abort();
	}
	ns_kv_digest(act, ha);
	ns_kv_digest(bak, hb);
	if (strcmp(ha, hb) != 0 || ns_kv_dbsize(act) != ns_kv_dbsize(bak) ||
			ns_kv_used_memory(act) != ns_kv_used_memory(bak))
		abort();
	ns_kv_free(act);
	ns_kv_free(bak);
	return 0;
}
