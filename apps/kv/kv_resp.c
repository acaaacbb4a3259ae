/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RESP2 request parser and reply writers.
 *
 * The parser follows Redis's processMultibulkBuffer() and
 * processInlineBuffer() (src/networking.c) and sdssplitargs() (src/sds.c),
 * error texts included, but never keeps state between calls: every call
 * starts at buf[0].
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kv_resp.h"

int
ns_resp_str2ll(const uint8_t *p, uint32_t len, int64_t *out)
{
	uint64_t v = 0, limit;
	uint32_t i = 0;
	int neg = 0;

	if (len == 0 || len >= 21)
		return -1;
	if (len == 1 && p[0] == '0') {
		*out = 0;
		return 0;
	}
	if (p[0] == '-') {
		neg = 1;
		i = 1;
		if (len == 1)
			return -1;
	}
	/* The first digit is 1..9: no leading zeros, no "-0". */
	if (p[i] < '1' || p[i] > '9')
		return -1;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		if (v > (limit - (uint64_t)(p[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* The position of the first c in buf[from, len), or -1. */
static int64_t
find(const uint8_t *buf, uint32_t from, uint32_t len, uint8_t c)
{
	const uint8_t *q;

	if (from >= len)
		return -1;
	q = memchr(buf + from, c, len - from);
	return q ? q - buf : -1;
}

static int32_t
parse_multibulk(const uint8_t *buf, uint32_t len, uint32_t max_bulk, struct ns_resp_cmd *cmd,
		const char **err)
{
	/* Per thread: the text stays valid until this thread's next call. */
	static _Thread_local char expected[] = "Protocol error: expected '$', got ' '";
	int64_t nl, n, blen;
	uint32_t pos;

	/* The count line: *N\r\n. */
	nl = find(buf, 0, len, '\r');
	if (nl < 0) {
		if (len > NS_RESP_INLINE_MAX) {
			*err = "Protocol error: too big mbulk count string";
			return -1;
		}
		return 0;
	}
	if ((uint64_t)nl + 2 > len)
		return 0; /* the \n is not here yet */
	if (ns_resp_str2ll(buf + 1, (uint32_t)nl - 1, &n) != 0 || n > INT32_MAX) {
		*err = "Protocol error: invalid multibulk length";
		return -1;
	}
	pos = (uint32_t)nl + 2;
	cmd->argc = 0;
	if (n <= 0)
		return (int32_t)pos;
	if (n > NS_RESP_MAX_ARGS) {
		*err = "Protocol error: invalid multibulk length";
		return -1;
	}
	while (cmd->argc < (uint32_t)n) {
		/* The length line: $L\r\n. */
		nl = find(buf, pos, len, '\r');
		if (nl < 0) {
			if (len - pos > NS_RESP_INLINE_MAX) {
				*err = "Protocol error: too big bulk count string";
				return -1;
			}
			return 0;
		}
		if ((uint64_t)nl + 2 > len)
			return 0;
		if (buf[pos] != '$') {
			/* Redis formats the byte with %c into a line that ends at
			 * a NUL and has CR and LF turned into spaces. */
			uint8_t c = buf[pos];

			if (c == '\0') {
				*err = "Protocol error: expected '$', got '";
				return -1;
			}
			expected[sizeof(expected) - 3] = c == '\r' || c == '\n' ? ' ' : (char)c;
			*err = expected;
			return -1;
		}
		if (ns_resp_str2ll(buf + pos + 1, (uint32_t)(nl - pos - 1), &blen) != 0 ||
				blen < 0 || (uint64_t)blen > max_bulk) {
			*err = "Protocol error: invalid bulk length";
			return -1;
		}
		pos = (uint32_t)nl + 2;
		/* The data and two bytes Redis skips without looking at them. */
		if ((uint64_t)pos + (uint64_t)blen + 2 > len)
			return 0;
		cmd->argv[cmd->argc].p = buf + pos;
		cmd->argv[cmd->argc].len = (uint32_t)blen;
		cmd->argc++;
		pos += (uint32_t)blen + 2;
	}
	return (int32_t)pos;
}

static int
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int
hex_val(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte a backslash escape inside double quotes stands for. */
static uint8_t
unescape(uint8_t c)
{
	switch (c) {
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	case 'b':
		return '\b';
	case 'a':
		return '\a';
	default:
		return c;
	}
}

/*
 * Split one inline line as sdssplitargs() does.  The line ends at n or at a
 * NUL byte (sdssplitargs reads a C string).  Returns 0, -1 on unbalanced
 * quotes, -2 on more than NS_RESP_MAX_ARGS words.
 */
static int
split_args(const uint8_t *line, uint32_t n, struct ns_resp_cmd *cmd)
{
	uint32_t i = 0, out = 0;
	uint32_t end = 0;

	while (end < n && line[end] != '\0')
		end++;
	cmd->argc = 0;
	for (;;) {
		uint32_t start, tok;
		int inq = 0, insq = 0, quoted = 0, done = 0;

		while (i < end && is_space(line[i]))
			i++;
		if (i >= end)
			return 0;
		if (cmd->argc == NS_RESP_MAX_ARGS)
			return -2;
		start = i;
		tok = out;
		while (!done) {
			uint8_t c = i < end ? line[i] : '\0';
			uint8_t c1 = i + 1 < end ? line[i + 1] : '\0';

			if (inq || insq) {
				uint8_t q = inq ? '"' : '\'';

				if (inq && c == '\\' && c1 == 'x' && i + 3 < end &&
						hex_val(line[i + 2]) >= 0 &&
						hex_val(line[i + 3]) >= 0) {
					cmd->scratch[out++] = (uint8_t)(hex_val(line[i + 2]) * 16 +
									hex_val(line[i + 3]));
					i += 3;
				} else if (inq && c == '\\' && c1 != '\0') {
					i++;
					cmd->scratch[out++] = unescape(c1);
				} else if (insq && c == '\\' && c1 == '\'') {
					i++;
					cmd->scratch[out++] = '\'';
				} else if (c == q) {
					/* A closing quote is followed by a space or the end. */
					if (c1 != '\0' && !is_space(c1))
						return -1;
					done = 1;
				} else if (c == '\0') {
					return -1; /* unterminated quotes */
				} else {
					cmd->scratch[out++] = c;
				}
			} else {
				switch (c) {
				case ' ':
				case '\n':
				case '\r':
				case '\t':
				case '\0':
					done = 1;
					break;
				case '"':
					inq = quoted = 1;
					break;
				case '\'':
					insq = quoted = 1;
					break;
				default:
					cmd->scratch[out++] = c;
					break;
				}
			}
			if (i < end)
				i++;
		}
		/* An unquoted word is the same bytes as in the line: point there. */
		if (quoted)
			cmd->argv[cmd->argc].p = cmd->scratch + tok;
		else
			cmd->argv[cmd->argc].p = line + start;
		cmd->argv[cmd->argc].len = out - tok;
		cmd->argc++;
	}
}

static int32_t
parse_inline(const uint8_t *buf, uint32_t len, struct ns_resp_cmd *cmd, const char **err)
{
	int64_t nl = find(buf, 0, len, '\n');
	uint32_t n;

	if (nl < 0) {
		if (len > NS_RESP_INLINE_MAX) {
			*err = "Protocol error: too big inline request";
			return -1;
		}
		return 0;
	}
	n = (uint32_t)nl;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	/* The words are unescaped into scratch: the line must fit there. */
	if (n > NS_RESP_INLINE_MAX) {
		*err = "Protocol error: too big inline request";
		return -1;
	}
	switch (split_args(buf, n, cmd)) {
	case 0:
		break;
	case -2:
		*err = "Protocol error: too many arguments";
		return -1;
	default:
		*err = "Protocol error: unbalanced quotes in request";
		return -1;
	}
	return (int32_t)nl + 1;
}

int32_t
ns_resp_parse(const uint8_t *buf, uint32_t len, uint32_t max_bulk, uint32_t max_req,
		struct ns_resp_cmd *cmd, const char **err)
{
	int32_t r;

	cmd->argc = 0;
	if (len == 0)
		return 0;
	/* The return value is an int32_t. */
	if (len > INT32_MAX)
		len = INT32_MAX;
	if (buf[0] == '*')
		r = parse_multibulk(buf, len, max_bulk, cmd, err);
	else
		r = parse_inline(buf, len, cmd, err);
	if (r == 0 && max_req != 0 && len >= max_req) {
		*err = buf[0] == '*' ? "Protocol error: too big request"
				     : "Protocol error: too big inline request";
		return -1;
	}
	if (r <= 0)
		cmd->argc = 0;
	return r;
}

void
ns_resp_put(struct ns_resp_out *o, const void *data, uint64_t n)
{
	if (o->len + n <= o->cap && n > 0)
		memcpy(o->p + o->len, data, n);
	o->len += n;
}

void
ns_resp_status(struct ns_resp_out *o, const char *s)
{
	ns_resp_put(o, "+", 1);
	ns_resp_put(o, s, strlen(s));
	ns_resp_put(o, "\r\n", 2);
}

void
ns_resp_error(struct ns_resp_out *o, const char *s)
{
	ns_resp_put(o, s, strlen(s));
	ns_resp_put(o, "\r\n", 2);
}

static void
put_num(struct ns_resp_out *o, char type, int64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%c%" PRId64 "\r\n", type, v);

	ns_resp_put(o, b, (uint64_t)n);
}

void
ns_resp_int(struct ns_resp_out *o, int64_t v)
{
	put_num(o, ':', v);
}

void
ns_resp_bulk(struct ns_resp_out *o, const void *p, uint64_t n)
{
	put_num(o, '$', (int64_t)n);
	ns_resp_put(o, p, n);
	ns_resp_put(o, "\r\n", 2);
}

void
ns_resp_bulk_str(struct ns_resp_out *o, const char *s)
{
	ns_resp_bulk(o, s, strlen(s));
}

void
ns_resp_nil(struct ns_resp_out *o)
{
	ns_resp_put(o, "$-1\r\n", 5);
}

void
ns_resp_array(struct ns_resp_out *o, uint64_t n)
{
	put_num(o, '*', (int64_t)n);
}
