/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kv core: RESP2 parser, command replies (byte for byte what redis-server
 * 7.0 answers, checked against it), the no-change rule of a reply that does
 * not fit, maxmemory, expiry, and an ACTIVE and an APPLY replica fed one
 * random command stream ending digest-equal.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns_test.h"
#include "kv_cmd.h"

#define NOW UINT64_C(1700000000000) /* a CLOCK_REALTIME millisecond */

static struct ns_resp_cmd cmd;
static uint8_t out[1 << 20];

/* Run every request in req (a pipeline) at now; the replies, concatenated, into got. */
static size_t
run_at(struct ns_kv *db, const char *req, size_t len, uint64_t now, char *got, size_t room)
{
	size_t off = 0, n = 0;

	while (off < len) {
		const char *err = NULL;
		int32_t r = ns_resp_parse((const uint8_t *)req + off, (uint32_t)(len - off),
				1 << 20, 0, &cmd, &err);
		uint32_t flags, m;

		if (r < 0) {
			n += (size_t)snprintf(got + n, room - n, "-ERR %s\r\n", err);
			break;
		}
		if (r == 0)
			break;
		off += (size_t)r;
		m = ns_kv_exec(db, &cmd, now, NS_KV_ACTIVE, out, sizeof(out), &flags);
		if (m > room - n - 1)
			m = (uint32_t)(room - n - 1);
		memcpy(got + n, out, m);
		n += m;
		if (flags & NS_KV_F_CLOSE)
			break;
	}
	got[n] = '\0';
	return n;
}

static char got[1 << 16];

/* The replies to req equal want, byte for byte. */
#define EXPECT(db, req, want) EXPECT_AT(db, req, want, NOW)
#define EXPECT_AT(db, req, want, now)                                                              \
	do {                                                                                       \
		size_t n_ = run_at(db, req, sizeof(req) - 1, now, got, sizeof(got));               \
		if (n_ != sizeof(want) - 1 || memcmp(got, want, n_) != 0) {                        \
			fprintf(stderr, "%s:%d: %s\n  got  ", __FILE__, __LINE__, #req);           \
			for (size_t i_ = 0; i_ < n_; i_++)                                         \
				fprintf(stderr, got[i_] >= 32 && got[i_] < 127 ? "%c" : "\\x%02x", \
						(unsigned char)got[i_]);                           \
			fprintf(stderr, "\n  want %s\n", want);                                    \
			ns_test_failed_checks++;                                                   \
		}                                                                                  \
	} while (0)

static struct ns_kv *
new_db(uint64_t maxmemory)
{
	struct ns_kv_cfg cfg = {.maxmemory = maxmemory, .max_bulk = 0};
	struct ns_kv *db = ns_kv_new(&cfg);

	CHECK(db != NULL);
	return db;
}

static int32_t
parse(const char *s, size_t len, const char **err)
{
	return ns_resp_parse((const uint8_t *)s, (uint32_t)len, 512 * 1024, 0, &cmd, err);
}

static bool
argv_is(uint32_t i, const char *s)
{
	return i < cmd.argc && cmd.argv[i].len == strlen(s) &&
	       memcmp(cmd.argv[i].p, s, strlen(s)) == 0;
}

static void
test_parse_multibulk(void)
{
	const char req[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\0a\r\n\r\n*1\r\n$4\r\nPING\r\n";
	const size_t first = sizeof("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\0a\r\n\r\n") - 1;
	const char *err = NULL;

	CHECK_EQ(parse(req, sizeof(req) - 1, &err), first);
	CHECK_EQ(cmd.argc, 3);
	CHECK(argv_is(0, "SET") && argv_is(1, "k"));
	CHECK_EQ(cmd.argv[2].len, 5);
	CHECK(memcmp(cmd.argv[2].p, "v\0a\r\n", 5) == 0);
	/* Arguments point into the buffer. */
	CHECK(cmd.argv[1].p == (const uint8_t *)req + 17);
	/* The second request of the pipeline. */
	CHECK_EQ(parse(req + first, sizeof(req) - 1 - first, &err), sizeof(req) - 1 - first);
	CHECK(cmd.argc == 1 && argv_is(0, "PING"));
	/* Every proper prefix is incomplete. */
	for (size_t i = 0; i < first; i++)
		CHECK_EQ(parse(req, i, &err), 0);
	/* Empty requests: skipped with argc 0. */
	CHECK_EQ(parse("*0\r\n", 4, &err), 4);
	CHECK_EQ(cmd.argc, 0);
	CHECK_EQ(parse("*-1\r\n", 5, &err), 5);
	CHECK_EQ(cmd.argc, 0);
	/* Redis skips the two bytes after a bulk without looking at them. */
	CHECK_EQ(parse("*1\r\n$4\r\nPINGxx", 14, &err), 14);
}

static void
test_parse_inline(void)
{
	const char req[] = "set  k \"a\\x41\\n\\\"b\" 'c\\'d'\r\nget k\nx";
	const size_t first = sizeof("set  k \"a\\x41\\n\\\"b\" 'c\\'d'\r\n") - 1;
	const char *err = NULL;

	CHECK_EQ(parse(req, sizeof(req) - 1, &err), first);
	CHECK_EQ(cmd.argc, 4);
	CHECK(argv_is(0, "set") && argv_is(1, "k") && argv_is(2, "aA\n\"b") && argv_is(3, "c'd"));
	CHECK(cmd.argv[1].p == (const uint8_t *)req + 5);
	CHECK_EQ(parse(req + first, sizeof(req) - 1 - first, &err), 6);
	CHECK(cmd.argc == 2 && argv_is(1, "k"));
	/* No newline yet. */
	CHECK_EQ(parse("x", 1, &err), 0);
	for (size_t i = 0; i < first; i++)
		CHECK_EQ(parse(req, i, &err), 0);
	/* Blank lines: their length, argc 0. */
	CHECK_EQ(parse("\r\n", 2, &err), 2);
	CHECK_EQ(cmd.argc, 0);
	CHECK_EQ(parse("  \t \n", 5, &err), 5);
	CHECK_EQ(cmd.argc, 0);
	/* A word with a quoted middle is one word. */
	CHECK_EQ(parse("ab\"c d\"\n", 8, &err), 8);
	CHECK(cmd.argc == 1 && argv_is(0, "abc d"));
}

static void
test_parse_errors(void)
{
	static char big[NS_RESP_INLINE_MAX + 2];
	const char *err = NULL;

	CHECK_EQ(parse("*x\r\n", 4, &err), -1);
	CHECK(strcmp(err, "Protocol error: invalid multibulk length") == 0);
	CHECK_EQ(parse("*1025\r\n", 7, &err), -1);
	CHECK(strcmp(err, "Protocol error: invalid multibulk length") == 0);
	CHECK_EQ(parse("*1\r\n+x\r\n", 8, &err), -1);
	CHECK(strcmp(err, "Protocol error: expected '$', got '+'") == 0);
	CHECK_EQ(parse("*1\r\n$x\r\n", 8, &err), -1);
	CHECK(strcmp(err, "Protocol error: invalid bulk length") == 0);
	CHECK_EQ(parse("*1\r\n$-1\r\n", 9, &err), -1);
	CHECK(strcmp(err, "Protocol error: invalid bulk length") == 0);
	CHECK_EQ(parse("*1\r\n$524289\r\n", 13, &err), -1);
	CHECK(strcmp(err, "Protocol error: invalid bulk length") == 0);
	CHECK_EQ(parse("\"a\" b\"\r\n", 8, &err), -1);
	CHECK(strcmp(err, "Protocol error: unbalanced quotes in request") == 0);
	CHECK_EQ(parse("get \"k\n", 7, &err), -1);
	CHECK(strcmp(err, "Protocol error: unbalanced quotes in request") == 0);
	memset(big, 'a', sizeof(big));
	CHECK_EQ(parse(big, sizeof(big), &err), -1);
	CHECK(strcmp(err, "Protocol error: too big inline request") == 0);
	big[0] = '*';
	CHECK_EQ(parse(big, sizeof(big), &err), -1);
	CHECK(strcmp(err, "Protocol error: too big mbulk count string") == 0);
	/* An incomplete request as long as the caller's buffer. */
	CHECK_EQ(ns_resp_parse((const uint8_t *)"*1\r\n$100\r\nabc", 13, 1024, 13, &cmd, &err), -1);
	CHECK_EQ(ns_resp_parse((const uint8_t *)"*1\r\n$100\r\nabc", 13, 1024, 14, &cmd, &err), 0);
	CHECK_EQ(ns_resp_parse((const uint8_t *)"get k", 5, 1024, 5, &cmd, &err), -1);
	CHECK(strcmp(err, "Protocol error: too big inline request") == 0);
}

static void
test_str2ll(void)
{
	int64_t v;

	CHECK(ns_resp_str2ll((const uint8_t *)"9223372036854775807", 19, &v) == 0 &&
			v == INT64_MAX);
	CHECK(ns_resp_str2ll((const uint8_t *)"-9223372036854775808", 20, &v) == 0 &&
			v == INT64_MIN);
	CHECK(ns_resp_str2ll((const uint8_t *)"9223372036854775808", 19, &v) != 0);
	CHECK(ns_resp_str2ll((const uint8_t *)"-9223372036854775809", 20, &v) != 0);
	CHECK(ns_resp_str2ll((const uint8_t *)"01", 2, &v) != 0);
	CHECK(ns_resp_str2ll((const uint8_t *)"-0", 2, &v) != 0);
	CHECK(ns_resp_str2ll((const uint8_t *)"+1", 2, &v) != 0);
	CHECK(ns_resp_str2ll((const uint8_t *)" 1", 2, &v) != 0);
	CHECK(ns_resp_str2ll((const uint8_t *)"", 0, &v) != 0);
	CHECK(ns_resp_str2ll((const uint8_t *)"0", 1, &v) == 0 && v == 0);
}

static void
test_strings(void)
{
	struct ns_kv *db = new_db(0);

	EXPECT(db, "ping\r\nping hi\r\nping a b\r\necho\r\necho x\r\n",
			"+PONG\r\n$2\r\nhi\r\n-ERR wrong number of arguments for 'ping' command\r\n"
			"-ERR wrong number of arguments for 'echo' command\r\n$1\r\nx\r\n");
	EXPECT(db, "get\r\nGET k\r\nset k v\r\nget k\r\nSeT k w get\r\n",
			"-ERR wrong number of arguments for 'get' "
			"command\r\n$-1\r\n+OK\r\n$1\r\nv\r\n"
			"$1\r\nv\r\n");
	EXPECT(db,
			"set a 1 get\r\nset a 2 nx get\r\nset b 2 xx get\r\nset a 3 nx\r\nset a 3 "
			"xx\r\n",
			"$-1\r\n$1\r\n1\r\n$-1\r\n$-1\r\n+OK\r\n");
	EXPECT(db, "set x 1 nx xx\r\nset x 1 keepttl ex 1\r\nset x 1 ex\r\nset x 1 foo\r\n",
			"-ERR syntax error\r\n-ERR syntax error\r\n-ERR syntax error\r\n"
			"-ERR syntax error\r\n");
	EXPECT(db,
			"set x 1 ex 0\r\nset x 1 px 9223372036854775807\r\nset x 1 exat -1\r\n"
			"set x 1 ex 9223372036854776\r\nset x 1 ex a\r\n",
			"-ERR invalid expire time in 'set' command\r\n"
			"-ERR invalid expire time in 'set' command\r\n"
			"-ERR invalid expire time in 'set' command\r\n"
			"-ERR invalid expire time in 'set' command\r\n"
			"-ERR value is not an integer or out of range\r\n");
	EXPECT(db, "set x 1 ex 10 ex 20\r\nttl x\r\n", "+OK\r\n:20\r\n");
	EXPECT(db, "del a a\r\nexists a a\r\nset a 1\r\nexists a a\r\ndel a a b\r\n",
			":1\r\n:0\r\n+OK\r\n:2\r\n:1\r\n");
	EXPECT(db, "mset a\r\nmset a 1 b\r\nmset a 1 b 2\r\nmget a b c\r\n",
			"-ERR wrong number of arguments for 'mset' command\r\n"
			"-ERR wrong number of arguments for 'mset' command\r\n+OK\r\n"
			"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n");
	EXPECT(db, "flushall\r\ndbsize\r\n", "+OK\r\n:0\r\n");
	ns_kv_free(db);
}

static void
test_counters(void)
{
	struct ns_kv *db = new_db(0);

	EXPECT(db, "incr n\r\nincrby n 10\r\ndecr n\r\ndecrby n 5\r\nget n\r\n",
			":1\r\n:11\r\n:10\r\n:5\r\n$1\r\n5\r\n");
	EXPECT(db, "incrby n x\r\nset a \" 1\"\r\nincr a\r\nset a 01\r\nincr a\r\n",
			"-ERR value is not an integer or out of range\r\n+OK\r\n"
			"-ERR value is not an integer or out of range\r\n+OK\r\n"
			"-ERR value is not an integer or out of range\r\n");
	EXPECT(db,
			"set x 9223372036854775807\r\nincr x\r\ndecrby x -9223372036854775808\r\n"
			"decrby x 9223372036854775808\r\nset y -9223372036854775808\r\ndecr y\r\n",
			"+OK\r\n-ERR increment or decrement would overflow\r\n"
			"-ERR decrement would overflow\r\n"
			"-ERR value is not an integer or out of range\r\n+OK\r\n"
			"-ERR increment or decrement would overflow\r\n");
	/* INCR keeps the key's expiry. */
	EXPECT(db, "set t 1 ex 100\r\nincr t\r\nttl t\r\n", "+OK\r\n:2\r\n:100\r\n");
	ns_kv_free(db);
}

static void
test_expire_cmds(void)
{
	struct ns_kv *db = new_db(0);

	EXPECT(db,
			"set k v\r\nttl k\r\npttl k\r\nttl nokey\r\nexpire k 100\r\nttl "
			"k\r\npersist k\r\n"
			"persist k\r\n",
			"+OK\r\n:-1\r\n:-1\r\n:-2\r\n:1\r\n:100\r\n:1\r\n:0\r\n");
	EXPECT(db,
			"expire x 10 nx xx\r\nexpire x 10 gt lt\r\nexpire x 10 foo\r\n"
			"expire x 9223372036854775807\r\nexpire x a\r\n",
			"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"
			"-ERR GT and LT options at the same time are not compatible\r\n"
			"-ERR Unsupported option foo\r\n"
			"-ERR invalid expire time in 'expire' command\r\n"
			"-ERR value is not an integer or out of range\r\n");
	/* NX/XX/GT/LT against no expiry, then against an expiry of 100 s. */
	EXPECT(db,
			"expire k 50 xx\r\nexpire k 50 gt\r\nexpire k 100 lt\r\nexpire k 50 nx\r\n"
			"expire k 60 gt\r\nexpire k 40 gt\r\nexpire k 200 lt\r\nexpire k 30 "
			"lt\r\npttl k\r\n",
			":0\r\n:0\r\n:1\r\n:0\r\n:0\r\n:0\r\n:0\r\n:1\r\n:30000\r\n");
	EXPECT(db,
			"pexpire k 1500\r\nttl k\r\npexpireat k 1700000009000\r\nttl k\r\n"
			"expireat k 1700000020\r\npttl k\r\n",
			":1\r\n:2\r\n:1\r\n:9\r\n:1\r\n:20000\r\n");
	/* A time in the past deletes the key. */
	EXPECT(db, "expire k -1\r\nexists k\r\nexpire k 10\r\n", ":1\r\n:0\r\n:0\r\n");
	ns_kv_free(db);
}

static void
test_server_cmds(void)
{
	struct ns_kv *db = new_db(1000000);

	EXPECT(db, "foo a b\r\n*1\r\n$3\r\nfoo\r\n",
			"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"
			"-ERR unknown command 'foo', with args beginning with: \r\n");
	EXPECT(db, "*2\r\n$3\r\nfoo\r\n$3\r\na\0b\r\nfoo \"a\\r\\nb\"\r\n",
			"-ERR unknown command 'foo', with args beginning with: 'a' \r\n"
			"-ERR unknown command 'foo', with args beginning with: 'a  b' \r\n");
	EXPECT(db,
			"foo "
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbb\r\n",
			"-ERR unknown command 'foo', with args beginning with: "
			"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' \r\n");
	EXPECT(db, "command\r\ncommand docs\r\ncommand count x\r\ncommand foo\r\n",
			"*0\r\n*0\r\n-ERR wrong number of arguments for 'command|count' command\r\n"
			"-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n");
	EXPECT(db,
			"config get save appendonly\r\nconfig get\r\nconfig foo\r\nconfig get "
			"maxmem*\r\n",
			"*4\r\n$4\r\nsave\r\n$0\r\n\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"
			"-ERR wrong number of arguments for 'config|get' command\r\n"
			"-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n"
			"*4\r\n$9\r\nmaxmemory\r\n$7\r\n1000000\r\n$16\r\nmaxmemory-policy\r\n"
			"$10\r\nnoeviction\r\n");
	/* One database: SELECT 1 is refused (Redis has 16). */
	EXPECT(db, "select 1\r\nselect x\r\nselect 0\r\nselect 99999999999\r\n",
			"-ERR DB index is out of range\r\n-ERR value is not an integer or out of "
			"range\r\n"
			"+OK\r\n-ERR value is out of range, value must between -2147483648 and "
			"2147483647\r\n");
	EXPECT(db,
			"client setname a\r\nclient setname \"a b\"\r\nclient foo\r\nclient "
			"setname\r\n"
			"client setinfo lib-name x\r\n",
			"+OK\r\n-ERR Client names cannot contain spaces, newlines or special "
			"characters.\r\n-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"
			"-ERR wrong number of arguments for 'client|setname' command\r\n+OK\r\n");
	EXPECT(db, "hello 3\r\nhello x\r\nhello 1\r\nhello 2 foo\r\n",
			"-NOPROTO unsupported protocol version\r\n"
			"-ERR Protocol version is not an integer or out of range\r\n"
			"-NOPROTO unsupported protocol version\r\n"
			"-ERR Syntax error in HELLO option 'foo'\r\n");
	EXPECT(db, "hello 2\r\n",
			"*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$13\r\n7.0.0-"
			"nonstop\r\n"
			"$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:0\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n"
			"$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n");
	EXPECT(db, "flushall foo\r\nflushall async\r\nflushdb sync x\r\nflushdb SYNC\r\n",
			"-ERR syntax error\r\n+OK\r\n-ERR syntax error\r\n+OK\r\n");
	EXPECT(db, "info keyspace\r\ninfo foo\r\nset k v\r\ninfo keyspace\r\n",
			"$12\r\n# Keyspace\r\n\r\n$0\r\n\r\n+OK\r\n"
			"$44\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n\r\n");
	EXPECT(db, "info memory\r\n",
			"$74\r\n# Memory\r\nused_memory:66\r\nmaxmemory:1000000\r\n"
			"maxmemory_policy:noeviction\r\n\r\n");
	EXPECT(db, "debug digest\r\ndebug foo\r\n",
			"+56efae15d1c3be275963e30e717e92be6850c02a\r\n"
			"-ERR unknown subcommand 'foo'. Try DEBUG HELP.\r\n");
	EXPECT(db, "quit\r\nping\r\n", "+OK\r\n");
	ns_kv_free(db);
}

static void
test_info_all(void)
{
	struct ns_kv *db = new_db(0);
	size_t n;

	n = run_at(db, "info\r\n", 6, NOW, got, sizeof(got));
	CHECK(n > 0);
	CHECK(strstr(got, "# Server\r\nredis_version:7.0.0-nonstop\r\n") != NULL);
	CHECK(strstr(got, "\r\n\r\n# Memory\r\nused_memory:0\r\n") != NULL);
	CHECK(strstr(got, "\r\n\r\n# Stats\r\ntotal_commands_processed:0\r\n") != NULL);
	CHECK(strstr(got, "\r\n\r\n# Keyspace\r\n\r\n") != NULL);
	ns_kv_free(db);
}

static void
test_digest(void)
{
	struct ns_kv *a = new_db(0), *b = new_db(0);
	char ha[41], hb[41];

	ns_kv_digest(a, ha);
	CHECK(strcmp(ha, "0000000000000000000000000000000000000000") == 0);
	/* Order-independent, expiry-independent, value-sensitive. */
	EXPECT(a, "set x 1\r\nset y 2 ex 10\r\n", "+OK\r\n+OK\r\n");
	EXPECT(b, "set y 2\r\nset x 1\r\n", "+OK\r\n+OK\r\n");
	ns_kv_digest(a, ha);
	ns_kv_digest(b, hb);
	CHECK(strcmp(ha, hb) == 0);
	EXPECT(b, "set y 3\r\n", "+OK\r\n");
	ns_kv_digest(b, hb);
	CHECK(strcmp(ha, hb) != 0);
	/* Key and value boundaries matter: "ab"="c" is not "a"="bc". */
	EXPECT(a, "flushall\r\nset ab c\r\n", "+OK\r\n+OK\r\n");
	EXPECT(b, "flushall\r\nset a bc\r\n", "+OK\r\n+OK\r\n");
	ns_kv_digest(a, ha);
	ns_kv_digest(b, hb);
	CHECK(strcmp(ha, hb) != 0);
	ns_kv_free(a);
	ns_kv_free(b);
}

/* A reply bigger than the room changes nothing and tells the room it needs. */
static void
test_small_cap(void)
{
	struct ns_kv *db = new_db(0);
	const char *err;
	uint32_t flags, n;
	uint8_t small[8];
	char h0[41], h1[41];
	uint64_t c0[NS_KV_C__MAX];
	static const char *const reqs[] = {
			"get big\r\n",
			"mget big big\r\n",
			"set big y get\r\n",
			"set new 1234567890\r\n",
			"del big nokey\r\n",
			"incrby n 12345678901\r\n",
			"flushall\r\n",
			"info\r\n",
			"quit\r\n",
			"expire big 10\r\n",
			"foo bar\r\n",
	};

	const char *restore = "flushall\r\nset big 0123456789abcdef\r\nset n 1\r\n";

	EXPECT(db, "set big 0123456789abcdef\r\nset n 1\r\n", "+OK\r\n+OK\r\n");
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		uint32_t cap = 3, need, full;

		CHECK(parse(reqs[i], strlen(reqs[i]), &err) > 0);
		ns_kv_digest(db, h0);
		memcpy(c0, ns_kv_counters(db), sizeof(c0));
		need = ns_kv_exec(db, &cmd, NOW, NS_KV_ACTIVE, small, cap, &flags);
		CHECK(need > cap);
		CHECK_EQ(flags, 0);
		ns_kv_digest(db, h1);
		CHECK(strcmp(h0, h1) == 0);
		CHECK(memcmp(c0, ns_kv_counters(db), sizeof(c0)) == 0);
		CHECK_EQ(ns_kv_dbsize(db), 2);
		/* One byte short still changes nothing; the exact room works. */
		CHECK_EQ(ns_kv_exec(db, &cmd, NOW, NS_KV_ACTIVE, out, need - 1, &flags), need);
		ns_kv_digest(db, h1);
		CHECK(strcmp(h0, h1) == 0);
		full = ns_kv_exec(db, &cmd, NOW, NS_KV_ACTIVE, out, need, &flags);
		CHECK_EQ(full, need);
		/* Put the keyspace back for the next request. */
		n = (uint32_t)run_at(db, restore, strlen(restore), NOW, got, sizeof(got));
		CHECK_EQ(n, 15);
	}
	ns_kv_free(db);
}

static void
test_oom(void)
{
	/* Room for two entries of 1-byte key and 10-byte value, not three. */
	struct ns_kv *db = new_db(2 * (NS_KV_ENTRY_OVERHEAD + 11) + 5);

	EXPECT(db, "set a 0123456789\r\nset b 0123456789\r\nset c 0123456789\r\ndbsize\r\n",
			"+OK\r\n+OK\r\n"
			"-OOM command not allowed when used memory > 'maxmemory'.\r\n:2\r\n");
	/* Shrinking or same-size writes and deletes pass. */
	EXPECT(db, "set a 0123456789\r\nset a x\r\nmset c 1 d 2\r\ndel b\r\nmset c 1\r\n",
			"+OK\r\n+OK\r\n"
			"-OOM command not allowed when used memory > "
			"'maxmemory'.\r\n:1\r\n+OK\r\n");
	/* Up to the limit exactly, then one digit more. */
	EXPECT(db, "incr a\r\nset c 0123456789abcdefg\r\nset a 99999999\r\nincr a\r\n",
			"-ERR value is not an integer or out of range\r\n+OK\r\n+OK\r\n"
			"-OOM command not allowed when used memory > 'maxmemory'.\r\n");
	CHECK_EQ(ns_kv_counters(db)[NS_KV_C_oom_errors], 3);
	CHECK(ns_kv_used_memory(db) <= 2 * (NS_KV_ENTRY_OVERHEAD + 11) + 5);
	EXPECT(db, "flushall\r\n", "+OK\r\n");
	CHECK_EQ(ns_kv_used_memory(db), 0);
	ns_kv_free(db);
}

static void
test_expiry(void)
{
	struct ns_kv *db = new_db(0);
	char h[41];

	EXPECT(db, "set a 1 px 100\r\nset b 2 px 200\r\nset c 3 ex 1000\r\nset d 4\r\n",
			"+OK\r\n+OK\r\n+OK\r\n+OK\r\n");
	CHECK_EQ(ns_kv_expires(db), 3);
	/* Invisible once due, before anything removes it. */
	EXPECT_AT(db, "get a\r\nexists a b\r\nttl a\r\nmget a b\r\n",
			"$-1\r\n:1\r\n:-2\r\n*2\r\n$-1\r\n$1\r\n2\r\n", NOW + 100);
	EXPECT_AT(db, "incr a\r\npersist b\r\n", ":1\r\n:0\r\n", NOW + 200);
	CHECK_EQ(ns_kv_dbsize(db), 4); /* b is due but still stored */
	CHECK_EQ(ns_kv_expire_step(db, NOW + 200, 10), 1);
	CHECK_EQ(ns_kv_dbsize(db), 3);
	CHECK_EQ(ns_kv_expires(db), 1);
	CHECK_EQ(ns_kv_expire_step(db, NOW + 999999, 10), 0);
	CHECK_EQ(ns_kv_expire_step(db, NOW + 1000000, 10), 1);
	CHECK_EQ(ns_kv_counters(db)[NS_KV_C_keys_expired], 2);
	/* Bounded work per call. */
	for (int i = 0; i < 100; i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%d", i);
		CHECK(ns_kv_store(db, (const uint8_t *)k, (uint32_t)strlen(k), (const uint8_t *)"v",
				      1, (int64_t)NOW + 1 + i) == 0);
	}
	CHECK_EQ(ns_kv_expire_step(db, NOW + 1000, 30), 30);
	CHECK_EQ(ns_kv_expire_step(db, NOW + 1000, 300), 70);
	CHECK_EQ(ns_kv_dbsize(db), 2);
	EXPECT(db, "flushall\r\n", "+OK\r\n");
	ns_kv_digest(db, h);
	CHECK(strcmp(h, "0000000000000000000000000000000000000000") == 0);
	ns_kv_free(db);
}

/* Many keys: growth, shrinking and lookups through incremental rehashing. */
static void
test_table(void)
{
	struct ns_kv *db = new_db(0);
	char k[32];

	for (int i = 0; i < 50000; i++) {
		snprintf(k, sizeof(k), "key:%d", i);
		CHECK(ns_kv_store(db, (const uint8_t *)k, (uint32_t)strlen(k), (const uint8_t *)k,
				      (uint32_t)strlen(k), 0) == 0);
	}
	CHECK_EQ(ns_kv_dbsize(db), 50000);
	for (int i = 0; i < 50000; i += 2) {
		struct ns_kv_entry *e;

		snprintf(k, sizeof(k), "key:%d", i);
		e = ns_kv_find(db, (const uint8_t *)k, (uint32_t)strlen(k));
		CHECK(e != NULL && e->vlen == strlen(k) &&
				memcmp(ns_kv_entry_val(e), k, e->vlen) == 0);
		if (e != NULL)
			ns_kv_delete(db, e, false);
	}
	CHECK_EQ(ns_kv_dbsize(db), 25000);
	for (int i = 0; i < 50000; i++) {
		snprintf(k, sizeof(k), "key:%d", i);
		CHECK((ns_kv_find(db, (const uint8_t *)k, (uint32_t)strlen(k)) != NULL) == (i % 2));
	}
	for (int i = 1; i < 50000; i += 2) {
		snprintf(k, sizeof(k), "key:%d", i);
		ns_kv_delete(db, ns_kv_find(db, (const uint8_t *)k, (uint32_t)strlen(k)), false);
	}
	CHECK_EQ(ns_kv_dbsize(db), 0);
	CHECK_EQ(ns_kv_used_memory(db), 0);
	CHECK(db->t[0].size < 1024);
	ns_kv_free(db);
}

/* xorshift64*: the random stream is the same on every run. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 33) % n;
}

/* One random request, multibulk encoded, into b; its length. */
static size_t
random_request(char *b, size_t room)
{
	static const char *const names[] = {"SET", "GET", "DEL", "INCR", "INCRBY", "DECR", "MSET",
			"MGET", "EXPIRE", "PEXPIRE", "PEXPIREAT", "TTL", "PERSIST", "EXISTS",
			"DECRBY", "FLUSHALL", "SET", "SET", "EXPIRE", "DBSIZE"};
	static const char *const opts[] = {
			"NX", "XX", "GET", "EX", "PX", "KEEPTTL", "GT", "LT", "EXAT", "PXAT"};
	const char *args[12];
	char store[12][48];
	uint32_t argc = 1, want;
	size_t n;

	args[0] = names[rnd(sizeof(names) / sizeof(names[0]))];
	if (strcmp(args[0], "FLUSHALL") == 0 && rnd(20) != 0)
		args[0] = "PING";
	want = 1 + rnd(5);
	for (uint32_t i = 0; i < want && argc < 12; i++) {
		switch (rnd(6)) {
		case 0: /* a key */
		case 1:
			snprintf(store[argc], sizeof(store[argc]), "k%u", rnd(40));
			break;
		case 2: /* a small number, sometimes negative */
			snprintf(store[argc], sizeof(store[argc]), "%d", (int)rnd(3000) - 200);
			break;
		case 3: /* an option */
			snprintf(store[argc], sizeof(store[argc]), "%s",
					opts[rnd(sizeof(opts) / sizeof(opts[0]))]);
			break;
		case 4: /* an absolute time near now */
			snprintf(store[argc], sizeof(store[argc]), "%" PRIu64,
					NOW + rnd(20000) - 5000);
			break;
		default: /* a value */
			snprintf(store[argc], sizeof(store[argc]), "v%u", rnd(1000));
			break;
		}
		args[argc] = store[argc];
		argc++;
	}
	n = (size_t)snprintf(b, room, "*%u\r\n", argc);
	for (uint32_t i = 0; i < argc; i++)
		n += (size_t)snprintf(b + n, room - n, "$%zu\r\n%s\r\n", strlen(args[i]), args[i]);
	return n;
}

static void
test_replicas(void)
{
	struct ns_kv *act = new_db(6000), *bak = new_db(6000);
	uint64_t now = NOW;
	char req[1024], ha[41], hb[41];
	uint32_t flags, mismatch = 0;

	for (int i = 0; i < 20000; i++) {
		const char *err = NULL;
		size_t n = random_request(req, sizeof(req));
		int32_t r = parse(req, n, &err);

		CHECK_EQ(r, n);
		/* A small reply room sometimes: the active retries with the size it asks. */
		uint32_t cap = rnd(4) == 0 ? rnd(8) : sizeof(out);
		uint32_t m = ns_kv_exec(act, &cmd, now, NS_KV_ACTIVE, out, cap, &flags);

		if (m > cap)
			CHECK_EQ(ns_kv_exec(act, &cmd, now, NS_KV_ACTIVE, out, m, &flags), m);
		if (ns_kv_cmd_is_write(&cmd))
			CHECK_EQ(ns_kv_exec(bak, &cmd, now, NS_KV_APPLY, NULL, 0, &flags), 0);
		now += rnd(50);
		/* Both replicas run the same expire steps. */
		if (rnd(10) == 0) {
			uint32_t max = 1 + rnd(5);

			CHECK_EQ(ns_kv_expire_step(act, now, max),
					ns_kv_expire_step(bak, now, max));
		}
		if (i % 97 == 0) {
			ns_kv_digest(act, ha);
			ns_kv_digest(bak, hb);
			mismatch += strcmp(ha, hb) != 0;
		}
	}
	ns_kv_digest(act, ha);
	ns_kv_digest(bak, hb);
	CHECK(strcmp(ha, hb) == 0);
	CHECK_EQ(mismatch, 0);
	CHECK_EQ(ns_kv_dbsize(act), ns_kv_dbsize(bak));
	CHECK_EQ(ns_kv_used_memory(act), ns_kv_used_memory(bak));
	CHECK(ns_kv_counters(act)[NS_KV_C_oom_errors] > 0);
	CHECK(ns_kv_counters(act)[NS_KV_C_keys_expired] > 0);
	CHECK(ns_kv_dbsize(act) > 0);
	printf("     replicas: %" PRIu64 " keys, %" PRIu64 " bytes, digest %s\n", ns_kv_dbsize(act),
			ns_kv_used_memory(act), ha);
	ns_kv_free(act);
	ns_kv_free(bak);
}

int
main(void)
{
	RUN(test_parse_multibulk);
	RUN(test_parse_inline);
	RUN(test_parse_errors);
	RUN(test_str2ll);
	RUN(test_strings);
	RUN(test_counters);
	RUN(test_expire_cmds);
	RUN(test_server_cmds);
	RUN(test_info_all);
	RUN(test_digest);
	RUN(test_small_cap);
	RUN(test_oom);
	RUN(test_expiry);
	RUN(test_table);
	RUN(test_replicas);
	return TEST_SUMMARY();
}
