/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control socket (AF_UNIX stream).  Protocol: the client sends one line of
 * command words; the server answers "OK\n" or "ERR\n" and then the
 * command's text, and closes.  Served from the main lcore between polls,
 * so commands run serialized with the console.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "app.h"
#include "control.h"

#define NS_CTL_MAX_REQ	       16384 /* a netlink request in hex fits */
#define NS_CTL_READ_TIMEOUT_MS 1000

static int listen_fd = -1;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

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
write_all(int fd, const char *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		b += w;
		n -= (size_t)w;
	}
}

static void
serve(int fd)
{
	char req[NS_CTL_MAX_REQ + 1];
	size_t len = 0;
	struct ns_out o = {0};
	int rc;

	/* Read one line, bounded in size and time. */
	while (len < NS_CTL_MAX_REQ) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, NS_CTL_READ_TIMEOUT_MS) <= 0)
			break;
		n = read(fd, req + len, NS_CTL_MAX_REQ - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(req, '\n', len) != NULL)
			break;
	}
	req[len] = '\0';
	if (len == NS_CTL_MAX_REQ && memchr(req, '\n', len) == NULL) {
		static const char msg[] = "ERR\nerror: request longer than 16384 bytes\n";

		write_all(fd, msg, sizeof(msg) - 1);
		return;
	}
	rc = ns_cmd_exec_line(req, &o);
	write_all(fd, rc < 0 ? "ERR\n" : "OK\n", rc < 0 ? 4 : 3);
	if (o.len)
		write_all(fd, o.buf, o.len);
	ns_out_free(&o);
}

void
ns_ctl_poll(void)
{
	if (listen_fd < 0)
		return;
	for (int i = 0; i < 8; i++) { /* bounded work per control tick */
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

		struct timeval tv = {.tv_sec = 1};

		if (fd < 0)
			return;
		/* Blocking writes, but a client that stops reading cannot hold us. */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		serve(fd);
		close(fd);
	}
}

void
ns_ctl_fini(void)
{
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
