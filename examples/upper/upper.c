/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * upper: the smallest useful nonstop application, built out of tree
 * (docs/APPS.md).  It answers each line with the same line in upper case,
 * and counts lines and bytes (show apps).  Its state per connection is the
 * number of lines answered, which the backup side on a standby keeps up to
 * date from the bytes the active consumed: after a takeover it goes on.
 *
 * Keys of [app.NAME]: max_line (default 4096): a longer line is answered
 * with an error and the connection is closed; idle_ms (default 0: never):
 * a connection without a line for that long is closed (the connection's
 * timer; a new active arms it again when it takes over).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nonstop/app.h>

enum { C_LINES, C_BYTES, C_TOO_LONG, C_IDLE_CLOSED };
static const char *const counters[] = {"lines", "bytes", "too_long", "idle_closed", NULL};

static uint32_t max_line = 4096, idle_ms;

struct conn {
	uint64_t lines;
};

static int
upper_init(const char *name, const struct ns_app_kv *kv, uint32_t n, char *err, uint32_t errlen)
{
	for (uint32_t i = 0; i < n; i++) {
		char *end;

		unsigned long v = strtoul(kv[i].value, &end, 10);

		if (!strcmp(kv[i].key, "max_line")) {
			if (*end != '\0' || v < 2 || v > 65536) {
				snprintf(err, errlen, "max_line: '%s' is not 2 .. 65536",
						kv[i].value);
				return -1;
			}
			max_line = (uint32_t)v;
		} else if (!strcmp(kv[i].key, "idle_ms")) {
			if (*end != '\0' || v > 3600000) {
				snprintf(err, errlen, "idle_ms: '%s' is not 0 .. 3600000",
						kv[i].value);
				return -1;
			}
			idle_ms = (uint32_t)v;
		} else {
			snprintf(err, errlen, "unknown key %s", kv[i].key);
			return -1;
		}
	}
	ns_app_log(NS_APP_LOG_INFO, "%s: upper case echo, lines up to %u bytes", name, max_line);
	return 0;
}

/* Answer every complete line whose answer fits in the send queue: a line
 * is consumed only with its answer, so a standby never holds one without
 * the other. */
static void
serve(struct ns_app_conn *c, void *st)
{
	struct conn *k = st;
	struct ns_app_conn_info in;
	char line[65536];

	for (;;) {
		uint32_t n = ns_app_copy(c, 0, line, max_line), len;
		char *nl = memchr(line, '\n', n);

		ns_app_conn_info(c, &in);
		if (nl == NULL) {
			if (n == max_line) {
				ns_app_count(ns_app_conn_worker(c), C_TOO_LONG, 1);
				ns_app_send(c, "ERR line too long\n", 18);
				ns_app_close(c);
			} else if (in.peer_closed) {
				ns_app_shutdown(c);
			}
			return;
		}
		len = (uint32_t)(nl - line) + 1;
		if (in.snd_space < len)
			return; /* writable() calls again */
		for (uint32_t i = 0; i < len; i++)
			line[i] = (char)toupper((unsigned char)line[i]);
		ns_app_send(c, line, len);
		ns_app_consume(c, len);
		if (idle_ms != 0)
			ns_app_timer_arm(c, (uint64_t)idle_ms * 1000);
		k->lines++;
		ns_app_count(ns_app_conn_worker(c), C_LINES, 1);
		ns_app_count(ns_app_conn_worker(c), C_BYTES, len);
	}
}

static void
upper_accept(struct ns_app_conn *c, void *st)
{
	if (idle_ms != 0)
		ns_app_timer_arm(c, (uint64_t)idle_ms * 1000);
	serve(c, st);
}

/* No line for idle_ms: the connection is closed. */
static void
upper_timer(struct ns_app_conn *c, void *st)
{
	(void)st;
	ns_app_count(ns_app_conn_worker(c), C_IDLE_CLOSED, 1);
	ns_app_send(c, "BYE idle\n", 9);
	ns_app_close(c);
}

/* The standby: the lines the active answered. */
static uint32_t
upper_backup_input(struct ns_app_conn *c, void *st, const uint8_t *p, uint32_t len)
{
	struct conn *k = st;

	(void)c;
	for (uint32_t i = 0; i < len; i++)
		k->lines += p[i] == '\n';
	return len;
}

static uint32_t
upper_checkpoint(struct ns_app_conn *c, const void *st, void *buf, uint32_t max)
{
	(void)c;
	if (max < sizeof(struct conn))
		return 0;
	memcpy(buf, st, sizeof(struct conn));
	return sizeof(struct conn);
}

static void
upper_restore(struct ns_app_conn *c, void *st, const void *buf, uint32_t len)
{
	(void)c;
	if (len == sizeof(struct conn))
		memcpy(st, buf, len);
}

static void
upper_flag(struct ns_app_conn *c, void *st, const struct ns_app_flag *f)
{
	(void)c, (void)st;
	ns_app_log(NS_APP_LOG_WARNING, "upper: connection %u lag %u us, flag %u%s", f->conn_id,
			f->lag_us, f->level, f->from_active ? " (the active's details)" : "");
}

static const struct ns_app_ops ops = {
		.api_version = NS_APP_API_VERSION,
		.name = "upper",
		.conn_size = sizeof(struct conn),
		.counters = counters,
		.init = upper_init,
		.accept = upper_accept,
		.connected = upper_accept,
		.readable = serve,
		.writable = serve,
		.timer = upper_timer,
		.takeover = upper_accept, /* the idle timer starts again */
		.backup_input = upper_backup_input,
		.checkpoint = upper_checkpoint,
		.restore = upper_restore,
		.flag = upper_flag,
};

const struct ns_app_ops *
ns_app_entry(void)
{
	return &ops;
}
