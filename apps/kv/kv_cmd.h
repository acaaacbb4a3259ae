/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kv command table and execution: RESP2 replies as Redis 7 writes them.
 *
 * One call executes one parsed request against the keyspace.  The active
 * replica runs it in NS_KV_ACTIVE mode and sends the reply; a backup applies
 * the same stream in NS_KV_APPLY mode.  A command's effect depends only on
 * the keyspace, its arguments and now_ms, so both end in the same keyspace.
 */
#ifndef NS_KV_CMD_H
#define NS_KV_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "kv_db.h"
#include "kv_resp.h"

enum ns_kv_mode {
	NS_KV_ACTIVE, /* execute and write the reply */
	NS_KV_APPLY,  /* execute, no reply: replay of the active's stream */
};

#define NS_KV_F_CLOSE 1u /* QUIT: send the reply, then close the connection */

/*
 * Execute one parsed command at now_ms (CLOCK_REALTIME milliseconds).
 *
 * NS_KV_ACTIVE: writes the reply into out[0, cap) and returns its length.
 *   If the reply needs more than cap bytes, returns that length (> cap;
 *   UINT32_MAX if it does not fit in 32 bits) and changes nothing, not even
 *   a counter: retry with more room.
 * NS_KV_APPLY: the same change to the keyspace, no reply (out may be NULL,
 *   cap 0); returns 0.  Commands that change nothing are skipped.
 *
 * A request with argc 0 does nothing and returns 0.  *flags (may be NULL)
 * gets NS_KV_F_CLOSE after QUIT, 0 otherwise.
 */
uint32_t ns_kv_exec(struct ns_kv *db, const struct ns_resp_cmd *cmd, uint64_t now_ms,
		enum ns_kv_mode mode, uint8_t *out, uint32_t cap, uint32_t *flags);

/* Whether a request may change the keyspace: the ones a backup must apply. */
bool ns_kv_cmd_is_write(const struct ns_resp_cmd *cmd);

/* The number of commands in the table (COMMAND COUNT). */
uint32_t ns_kv_cmd_count(void);

#endif /* NS_KV_CMD_H */
