/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters of the kv keyspace and command layer, one X-macro table
 * (lib/common/ns_counter.h): the enum, the descriptors and INFO read it.
 */
#ifndef NS_KV_COUNTERS_H
#define NS_KV_COUNTERS_H

#include "common/ns_counter.h"

#define NS_KV_COUNTERS(X)                                                                \
	X(commands, INFO, "commands executed")                                           \
	X(cmd_read, INFO, "commands that only read the keyspace")                        \
	X(cmd_write, INFO, "commands that may change the keyspace")                      \
	X(cmd_other, INFO, "connection and server commands (PING, INFO, CONFIG...)")     \
	X(unknown_commands, INFO, "requests naming no known command")                    \
	X(error_replies, INFO, "commands answered with an error")                        \
	X(protocol_errors, INFO, "requests the parser rejected (counted by the caller)") \
	X(oom_errors, INFO, "writes refused because they would pass maxmemory")          \
	X(alloc_failures, INFO, "writes refused because malloc failed")                  \
	X(keys_expired, INFO, "keys removed because their expiry passed")                \
	X(keyspace_hits, INFO, "reads that found their key")                             \
	X(keyspace_misses, INFO, "reads that did not find their key")                    \
	X(bytes_in, INFO, "request bytes (counted by the caller)")                       \
	X(bytes_out, INFO, "reply bytes written")                                        \
	X(rehash_steps, INFO, "hash table buckets moved by incremental rehashing")

enum ns_kv_ctr {
#define X(name, kind, help) NS_CTR_ENUM(NS_KV_C_, name, kind, help)
	NS_KV_COUNTERS(X)
#undef X
			NS_KV_C__MAX
};

extern const struct ns_ctr_desc ns_kv_ctr_desc[NS_KV_C__MAX];

#endif /* NS_KV_COUNTERS_H */
