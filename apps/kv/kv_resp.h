/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RESP2 requests and replies.
 *
 * The parser is stateless: it is handed the unread bytes of a connection and
 * either finds one whole request at their start, asks for more bytes, or
 * rejects them with the text Redis would send.  No DPDK, no allocation.
 */
#ifndef NS_KV_RESP_H
#define NS_KV_RESP_H

#include <stdint.h>

#define NS_RESP_MAX_ARGS   1024	       /* a request with more arguments is a protocol error */
#define NS_RESP_INLINE_MAX (64 * 1024) /* the longest inline request line */

struct ns_resp_arg {
	const uint8_t *p;
	uint32_t len;
};

struct ns_resp_cmd {
	uint32_t argc;
	struct ns_resp_arg argv[NS_RESP_MAX_ARGS];
	/*
	 * An inline argument written with quotes and escapes ("a\x41b") is
	 * unescaped here; every other argument points into the parsed buffer.
	 */
	uint8_t scratch[NS_RESP_INLINE_MAX];
};

/*
 * Parse one request from buf[0, len): multibulk (*N\r\n$L\r\n...\r\n) or
 * inline (space separated words, quotes as redis-cli writes them, \r\n or \n
 * terminated).
 *
 * Returns the length of one complete request (> 0; argv points into buf or
 * cmd->scratch), 0 if the request is incomplete, -1 on a protocol error with
 * *err set to Redis's text (the reply is "-ERR " *err "\r\n", then close).
 * An empty request (a blank inline line, *0 or *-1) returns its length with
 * argc 0: skip it.
 *
 * Limits: a bulk longer than max_bulk, more than NS_RESP_MAX_ARGS arguments
 * and an inline line longer than NS_RESP_INLINE_MAX are errors; so is an
 * incomplete request of max_req bytes or more (0: no such limit), so that a
 * caller with a max_req byte buffer never waits for bytes it cannot hold.
 */
int32_t ns_resp_parse(const uint8_t *buf, uint32_t len, uint32_t max_bulk, uint32_t max_req,
		struct ns_resp_cmd *cmd, const char **err);

/* Parse a whole decimal integer as Redis's string2ll does: no sign '+', no
 * leading zeros or spaces, within int64_t.  Returns 0 on success, -1 if not. */
int ns_resp_str2ll(const uint8_t *p, uint32_t len, int64_t *out);

/*
 * A reply under construction.  Writes past cap are counted, not stored, so a
 * reply that does not fit still tells its length: the caller checks
 * len <= cap before it commits to anything.
 */
struct ns_resp_out {
	uint8_t *p;
	uint64_t cap;
	uint64_t len;
};

void ns_resp_put(struct ns_resp_out *o, const void *data, uint64_t n);
void ns_resp_status(struct ns_resp_out *o, const char *s);	     /* +s\r\n */
void ns_resp_error(struct ns_resp_out *o, const char *s);	     /* s\r\n, s starts with - */
void ns_resp_int(struct ns_resp_out *o, int64_t v);		     /* :v\r\n */
void ns_resp_bulk(struct ns_resp_out *o, const void *p, uint64_t n); /* $n\r\n...\r\n */
void ns_resp_bulk_str(struct ns_resp_out *o, const char *s);
void ns_resp_nil(struct ns_resp_out *o);	       /* $-1\r\n */
void ns_resp_array(struct ns_resp_out *o, uint64_t n); /* *n\r\n */

#endif /* NS_KV_RESP_H */
