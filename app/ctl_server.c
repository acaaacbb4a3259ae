/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control socket (AF_UNIX stream).  Protocol: the client sends one line of
 * command words; the server answers "OK\n" or "ERR\n" and then the
 * command's text, and closes.  Served from the main lcore between polls,
 * so commands run serialized with the console.
 *
 * The main lcore may also run the dataplane (-l 0): nothing here waits for
 * a client.  Every socket is non-blocking; each client has its own line
 * buffer and answer, read and written a bounded amount per control tick as
 * the socket allows.  Limits: NS_CTL_MAX_CLIENTS at a time (one more is
 * answered ERR and closed), NS_CTL_MAX_REQ bytes of line, NS_CTL_LINE_MS to
 * send it, NS_CTL_MAX_OUT bytes of answer, and a client that takes no byte
 * of its answer for NS_CTL_WRITE_IDLE_MS is dropped.  Each drop is counted
 * (ctl.*) and logged (at most one line a second).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "app.h"
#include "control.h"

#define NS_CTL_MAX_REQ	       16384	    /* a netlink request in hex fits */
#define NS_CTL_MAX_CLIENTS     16	    /* served at the same time */
#define NS_CTL_MAX_OUT	       (128u << 20) /* netstate answers: up to 64 MB of hex */
#define NS_CTL_LINE_MS	       2000	    /* from accept to the whole line */
#define NS_CTL_WRITE_IDLE_MS   5000	    /* without taking a byte of the answer */
#define NS_CTL_ACCEPT_PER_TICK 8
#define NS_CTL_WRITE_PER_TICK  (256u << 10) /* per client: bounded work per tick */
#define MS		       1000000ull

const struct ns_ctr_desc ns_ctl_ctr_desc[NS_CTL__MAX] = {
#define X(name, kind, help) NS_CTR_DESC(name, kind, help)
		NS_CTL_COUNTERS(X)
#undef X
};

struct ctl_client {
	int fd;		      /* -1: a free slot */
	bool answering;	      /* the line is in: writing the answer */
	size_t in_len;	      /* bytes of the line so far */
	struct ns_out out;    /* "ERR\n" or "\0OK\n", then the command's text */
	size_t out_off;	      /* bytes of out already sent */
	uint64_t deadline_ns; /* reading: the line's; answering: the next byte's */
	char in[NS_CTL_MAX_REQ + 1];
};

static int listen_fd = -1;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static struct ctl_client client[NS_CTL_MAX_CLIENTS];
static uint64_t ctr[NS_CTL__MAX];
static uint64_t log_next_ns, log_skipped;

#define CTR(name) (ctr[NS_CTL_##name]++)

/* A hostile client may come back at once: one log line a second at most. */
static void
log_drop(uint64_t now, const char *why)
{
	if (now < log_next_ns) {
		log_skipped++;
		return;
	}
	NS_LOGT(ctl, NOTICE, "control client dropped: %s (%" PRIu64 " more drops not logged)", why,
			log_skipped);
	log_skipped = 0;
	log_next_ns = now + 1000 * MS;
}

static int
mkdir_parent(const char *path)
{
	char dir[sizeof(sock_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0755);
			*p = '/';
		}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int
ns_ctl_init(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	for (int i = 0; i < NS_CTL_MAX_CLIENTS; i++)
		client[i].fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		NS_LOGT(ctl, ERR, "ctl socket path too long: %s", path);
		return -1;
	}
	if (mkdir_parent(path) < 0) {
		NS_LOGT(ctl, ERR, "ctl socket directory for %s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		return -1;
	unlink(path); /* a stale socket from a killed instance */
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(listen_fd, 16) < 0) {
		NS_LOGT(ctl, ERR, "ctl socket %s: %s", path, strerror(errno));
		close(listen_fd);
		listen_fd = -1;
		return -1;
	}
	snprintf(sock_path, sizeof(sock_path), "%s", path);
	return 0;
}

static void
client_close(struct ctl_client *c)
{
	close(c->fd);
	c->fd = -1;
	ns_out_free(&c->out);
}

/* Run the line and queue its answer. */
static void
client_run(struct ctl_client *c, uint64_t now)
{
	char *nl;
	int rc;

	c->in[c->in_len] = '\0';
	nl = strchr(c->in, '\n');
	if (nl != NULL)
		*nl = '\0';
	c->out = (struct ns_out){.limit = NS_CTL_MAX_OUT};
	ns_out_printf(&c->out, "ERR\n");
	CTR(commands);
	rc = ns_cmd_exec_line(c->in, &c->out);
	if (c->out.truncated) {
		CTR(truncated);
		c->out.limit = 0;
		ns_out_printf(&c->out, "\n(answer cut at %u bytes)\n", NS_CTL_MAX_OUT);
	}
	if (c->out.oom) {
		ns_out_free(&c->out);
		c->out = (struct ns_out){0};
		ns_out_printf(&c->out, "ERR\nerror: out of memory for the answer\n");
		rc = -1;
	}
	if (rc >= 0 && c->out.len >= 4) {
		memcpy(c->out.buf, "\0OK\n", 4);
		c->out_off = 1;
	} else {
		c->out_off = 0;
	}
	c->answering = true;
	c->deadline_ns = now + NS_CTL_WRITE_IDLE_MS * MS;
}

/* Take what the socket has of the line; run it once whole. */
static void
client_read(struct ctl_client *c, uint64_t now)
{
	for (;;) {
		size_t room = NS_CTL_MAX_REQ - c->in_len;
		ssize_t n;

		if (room == 0) {
			static const char msg[] = "ERR\nerror: request longer than 16384 bytes\n";

			CTR(line_too_long);
			c->out = (struct ns_out){0};
			ns_out_printf(&c->out, "%s", msg);
			c->out_off = 0;
			c->answering = true;
			c->deadline_ns = now + NS_CTL_WRITE_IDLE_MS * MS;
			return;
		}
		n = recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT);
		if (n > 0) {
			bool whole = memchr(c->in + c->in_len, '\n', (size_t)n) != NULL;

			c->in_len += (size_t)n;
			if (whole) {
				client_run(c, now);
				return;
			}
			continue;
		}
		if (n == 0) { /* end of its input: what came is the line */
			if (c->in_len != 0)
				client_run(c, now);
			else
				client_close(c);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		client_close(c);
		return;
	}
	if (now >= c->deadline_ns) {
		CTR(read_timeouts);
		log_drop(now, "no whole line within " RTE_STR(NS_CTL_LINE_MS) " ms");
		client_close(c);
	}
}

/* Send what the socket takes of the answer; close once it is all out. */
static void
client_write(struct ctl_client *c, uint64_t now)
{
	size_t sent = 0;

	while (c->out_off < c->out.len && sent < NS_CTL_WRITE_PER_TICK) {
		size_t len = RTE_MIN(c->out.len - c->out_off, (size_t)NS_CTL_WRITE_PER_TICK - sent);
		ssize_t n = send(c->fd, c->out.buf + c->out_off, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			c->out_off += (size_t)n;
			sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		CTR(client_gone); /* EPIPE, ECONNRESET: it went away */
		client_close(c);
		return;
	}
	if (c->out_off == c->out.len) {
		client_close(c);
		return;
	}
	if (sent != 0) {
		c->deadline_ns = now + NS_CTL_WRITE_IDLE_MS * MS;
	} else if (now >= c->deadline_ns) {
		CTR(write_timeouts);
		log_drop(now, "took no byte of its answer in " RTE_STR(NS_CTL_WRITE_IDLE_MS) " ms");
		client_close(c);
	}
}

static void
accept_clients(uint64_t now)
{
	for (int i = 0; i < NS_CTL_ACCEPT_PER_TICK; i++) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), k;

		if (fd < 0)
			return;
		for (k = 0; k < NS_CTL_MAX_CLIENTS && client[k].fd >= 0; k++)
			;
		if (k == NS_CTL_MAX_CLIENTS) {
			static const char msg[] =
					"ERR\nerror: too many control clients, try again\n";

			CTR(refused_busy);
			log_drop(now, "as many clients as the server serves (" RTE_STR(
						      NS_CTL_MAX_CLIENTS) ")");
			/* best effort: a fresh socket takes this much */
			(void)send(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
			close(fd);
			continue;
		}
		CTR(clients);
		client[k].fd = fd;
		client[k].answering = false;
		client[k].in_len = 0;
		client[k].out_off = 0;
		client[k].deadline_ns = now + NS_CTL_LINE_MS * MS;
	}
}

void
ns_ctl_poll(void)
{
	uint64_t now;

	if (listen_fd < 0)
		return;
	now = ns_now_ns();
	accept_clients(now);
	for (int i = 0; i < NS_CTL_MAX_CLIENTS; i++) {
		struct ctl_client *c = &client[i];

		if (c->fd < 0)
			continue;
		if (!c->answering)
			client_read(c, now);
		/* an answer just made goes out in the same tick */
		if (c->fd >= 0 && c->answering)
			client_write(c, now);
	}
}

void
ns_ctl_stats_sum(uint64_t out[NS_CTL__MAX])
{
	memset(out, 0, sizeof(uint64_t) * NS_CTL__MAX);
	ns_ctr_accumulate(out, ctr, NS_CTL__MAX);
}

void
ns_ctl_fini(void)
{
	/* Answers still going out ('quit' among them) get a last 200 ms. */
	for (int t = 0; t < 200; t++) {
		bool left = false;

		for (int i = 0; i < NS_CTL_MAX_CLIENTS; i++)
			if (client[i].fd >= 0 && client[i].answering) {
				client_write(&client[i], ns_now_ns());
				left |= client[i].fd >= 0;
			}
		if (!left)
			break;
		usleep(1000);
	}
	for (int i = 0; i < NS_CTL_MAX_CLIENTS; i++)
		if (client[i].fd >= 0)
			client_close(&client[i]);
	if (listen_fd >= 0) {
		char dir[sizeof(sock_path)], *slash;

		close(listen_fd);
		listen_fd = -1;
		unlink(sock_path);
		/* the per-prefix directory goes too when empty (never a shared parent) */
		snprintf(dir, sizeof(dir), "%s", sock_path);
		slash = strrchr(dir, '/');
		if (slash != NULL && slash != dir) {
			*slash = '\0';
			rmdir(dir);
		}
	}
}
