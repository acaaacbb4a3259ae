/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libnonstop_netstate.so: LD_PRELOAD it into an unmodified
 * netlink client (ip, ss, a monitoring agent) and the requests about the
 * network it sends to the kernel — NETLINK_ROUTE dumps of links, addresses,
 * neighbours and routes, RTM_GETLINK of one link, NETLINK_SOCK_DIAG inet_diag
 * dumps of TCP — are answered by a running nonstop instance instead, through
 * its ctl socket ('netlink route|diag PID HEX').  Everything else goes to the
 * kernel untouched: other requests, other sockets, and every request when no
 * instance answers.  The answer comes back in datagrams as the kernel's do
 * (whole messages, at most 32 KB each, NLMSG_DONE last), from the kernel's
 * address (nl_pid 0), each message's nlmsg_pid the requester's port id.
 *
 * Instance: NONSTOP_CTL_SOCKET=PATH, else NONSTOP_FILE_PREFIX=P for
 * /run/nonstop/P/ctl.sock, else /run/nonstop/rte/ctl.sock (EAL's default
 * prefix).  NONSTOP_NETSTATE_DEBUG=1 reports on stderr what went where.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/netlink.h>

#define MAX_FD	       4096
#define DGRAM_MAX      32768
#define REQ_MAX	       8192
#define ANSWER_MAX_HEX (64u << 20)

struct dgram {
	struct dgram *next;
	uint32_t len;
	uint8_t data[];
};

struct nfd {
	int proto; /* NETLINK_ROUTE or NETLINK_SOCK_DIAG */
	int tracked;
	struct dgram *head, *tail;
};

static struct nfd fds[MAX_FD];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int (*real_socket)(int, int, int);
static int (*real_close)(int);
static ssize_t (*real_sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
static ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
static ssize_t (*real_recv)(int, void *, size_t, int);
static ssize_t (*real_read)(int, void *, size_t);
static int (*real_poll)(struct pollfd *, nfds_t, int);

#define RESOLVE(f)                                                    \
	do {                                                          \
		if (real_##f == NULL)                                 \
			*(void **)(&real_##f) = dlsym(RTLD_NEXT, #f); \
	} while (0)

static void
debug(const char *fmt, ...)
{
	va_list ap;

	if (getenv("NONSTOP_NETSTATE_DEBUG") == NULL)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "libnonstop_netstate: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static void
sock_path(char *out, size_t n)
{
	const char *p = getenv("NONSTOP_CTL_SOCKET"), *prefix = getenv("NONSTOP_FILE_PREFIX");

	if (p != NULL && *p != '\0')
		snprintf(out, n, "%s", p);
	else
		snprintf(out, n, "/run/nonstop/%s/ctl.sock", prefix && *prefix ? prefix : "rte");
}

static int
write_all(int fd, const char *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The instance's answer to one request: bytes (malloc'd, *len), or NULL
 * when the kernel is to answer (no instance, 'pass', an error). */
static uint8_t *
ask(int proto, uint32_t pid, const uint8_t *req, size_t len, size_t *out_len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char *line, *ans = NULL, *p;
	size_t n = 0, cap = 0, hl;
	uint8_t *bytes;
	int s;

	sock_path(sa.sun_path, sizeof(sa.sun_path));
	s = real_socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return NULL;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		debug("no instance at %s (%s): the kernel answers", sa.sun_path, strerror(errno));
		real_close(s);
		return NULL;
	}
	line = malloc(64 + 2 * len);
	if (line == NULL) {
		real_close(s);
		return NULL;
	}
	hl = (size_t)sprintf(
			line, "netlink %s %u ", proto == NETLINK_ROUTE ? "route" : "diag", pid);
	for (size_t i = 0; i < len; i++)
		hl += (size_t)sprintf(line + hl, "%02x", req[i]);
	line[hl++] = '\n';
	if (write_all(s, line, hl) < 0) {
		free(line);
		real_close(s);
		return NULL;
	}
	free(line);
	for (;;) {
		ssize_t r;

		if (n + 65536 > cap) {
			char *g;

			if (cap >= ANSWER_MAX_HEX)
				break;
			cap = cap ? cap * 2 : 131072;
			g = realloc(ans, cap + 1);
			if (g == NULL)
				break;
			ans = g;
		}
		r = real_read(s, ans + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	real_close(s);
	if (ans == NULL)
		return NULL;
	ans[n] = '\0';
	if (strncmp(ans, "OK\n", 3) != 0 || strncmp(ans + 3, "pass", 4) == 0) {
		debug("%s: the kernel answers",
				strncmp(ans, "OK\n", 3) ? "instance error" : "not ours");
		free(ans);
		return NULL;
	}
	p = ans + 3;
	hl = strcspn(p, "\n");
	bytes = malloc(hl / 2 + 1);
	if (bytes == NULL || hl % 2 != 0) {
		free(bytes);
		free(ans);
		return NULL;
	}
	for (size_t i = 0; i < hl / 2; i++) {
		unsigned int v;

		if (sscanf(p + 2 * i, "%2x", &v) != 1) {
			free(bytes);
			free(ans);
			return NULL;
		}
		bytes[i] = (uint8_t)v;
	}
	free(ans);
	*out_len = hl / 2;
	return bytes;
}

static void
enqueue(struct nfd *f, const uint8_t *b, uint32_t len)
{
	struct dgram *d = malloc(sizeof(*d) + len);

	if (d == NULL)
		return;
	d->next = NULL;
	d->len = len;
	memcpy(d->data, b, len);
	if (f->tail != NULL)
		f->tail->next = d;
	else
		f->head = d;
	f->tail = d;
}

/* A request on a tracked socket: answered here (1) or by the kernel (0). */
static int
handle_send(int fd, const uint8_t *buf, size_t len)
{
	struct sockaddr_nl me = {0};
	socklen_t ml = sizeof(me);
	struct nlmsghdr h;
	uint8_t *ans;
	size_t alen = 0, off = 0;
	int proto;

	if (fd < 0 || fd >= MAX_FD || !fds[fd].tracked || len < sizeof(h) || len > REQ_MAX)
		return 0;
	memcpy(&h, buf, sizeof(h));
	if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len)
		return 0;
	/* What follows the request: nothing, or bytes that are no message (iproute2
	 * sends its whole request buffer; the kernel stops at a length below a
	 * header).  Another message after it: the kernel handles the lot. */
	if (NLMSG_ALIGN(h.nlmsg_len) + sizeof(h) <= len) {
		struct nlmsghdr next;

		memcpy(&next, buf + NLMSG_ALIGN(h.nlmsg_len), sizeof(next));
		if (next.nlmsg_len >= sizeof(next))
			return 0;
	}
	len = h.nlmsg_len;
	proto = fds[fd].proto;
	if (getsockname(fd, (struct sockaddr *)&me, &ml) == 0 && me.nl_pid == 0) {
		struct sockaddr_nl any = {.nl_family = AF_NETLINK};

		bind(fd, (struct sockaddr *)&any, sizeof(any)); /* autobind, as a send would */
		ml = sizeof(me);
		getsockname(fd, (struct sockaddr *)&me, &ml);
	}
	ans = ask(proto, me.nl_pid, buf, len, &alen);
	if (ans == NULL)
		return 0;
	debug("fd %d: type %u answered by nonstop (%zu bytes)", fd, h.nlmsg_type, alen);
	pthread_mutex_lock(&lock);
	/* Datagrams of whole messages, at most DGRAM_MAX bytes each. */
	while (off < alen) {
		size_t start = off;

		while (off < alen) {
			struct nlmsghdr m;

			if (alen - off < sizeof(m))
				break;
			memcpy(&m, ans + off, sizeof(m));
			if (m.nlmsg_len < sizeof(m) || off + m.nlmsg_len > alen)
				break;
			if (off > start && off - start + NLMSG_ALIGN(m.nlmsg_len) > DGRAM_MAX)
				break;
			off += NLMSG_ALIGN(m.nlmsg_len);
			if (off > alen)
				off = alen;
		}
		if (off == start)
			break; /* garbage: stop */
		enqueue(&fds[fd], ans + start, (uint32_t)(off - start));
	}
	pthread_mutex_unlock(&lock);
	free(ans);
	return 1;
}

/* The next queued datagram into iov; -1: nothing queued (the kernel's turn). */
static ssize_t
take(int fd, const struct iovec *iov, size_t iovlen, int flags, int *msg_flags, void *name,
		socklen_t *namelen)
{
	struct dgram *d;
	size_t cap = 0, done = 0;
	uint32_t dlen;

	if (fd < 0 || fd >= MAX_FD || !fds[fd].tracked)
		return -1;
	pthread_mutex_lock(&lock);
	d = fds[fd].head;
	if (d == NULL) {
		pthread_mutex_unlock(&lock);
		return -1;
	}
	dlen = d->len;
	for (size_t i = 0; i < iovlen; i++) {
		size_t n = iov[i].iov_len;

		cap += n;
		if (done < d->len) {
			if (n > d->len - done)
				n = d->len - done;
			memcpy(iov[i].iov_base, d->data + done, n);
			done += n;
		}
	}
	if (msg_flags != NULL)
		*msg_flags = d->len > cap ? MSG_TRUNC : 0;
	if (name != NULL && namelen != NULL && *namelen >= sizeof(struct sockaddr_nl)) {
		struct sockaddr_nl k = {.nl_family = AF_NETLINK}; /* from the kernel: pid 0 */

		memcpy(name, &k, sizeof(k));
		*namelen = sizeof(k);
	}
	if (!(flags & MSG_PEEK)) {
		fds[fd].head = d->next;
		if (fds[fd].head == NULL)
			fds[fd].tail = NULL;
		free(d);
	}
	pthread_mutex_unlock(&lock);
	/* MSG_TRUNC: the datagram's whole length (how iproute2 sizes its buffer). */
	return (flags & MSG_TRUNC) ? (ssize_t)dlen : (ssize_t)done;
}

int
socket(int domain, int type, int protocol)
{
	int fd;

	RESOLVE(socket);
	RESOLVE(close);
	RESOLVE(read);
	fd = real_socket(domain, type, protocol);
	if (fd >= 0 && fd < MAX_FD && domain == AF_NETLINK &&
			(protocol == NETLINK_ROUTE || protocol == NETLINK_SOCK_DIAG)) {
		pthread_mutex_lock(&lock);
		fds[fd].tracked = 1;
		fds[fd].proto = protocol;
		pthread_mutex_unlock(&lock);
	}
	return fd;
}

int
close(int fd)
{
	RESOLVE(close);
	if (fd >= 0 && fd < MAX_FD && fds[fd].tracked) {
		pthread_mutex_lock(&lock);
		while (fds[fd].head != NULL) {
			struct dgram *d = fds[fd].head;

			fds[fd].head = d->next;
			free(d);
		}
		fds[fd].tail = NULL;
		fds[fd].tracked = 0;
		pthread_mutex_unlock(&lock);
	}
	return real_close(fd);
}

ssize_t
sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tl)
{
	RESOLVE(sendto);
	if (handle_send(fd, buf, len))
		return (ssize_t)len;
	return real_sendto(fd, buf, len, flags, to, tl);
}

ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	RESOLVE(send);
	if (handle_send(fd, buf, len))
		return (ssize_t)len;
	return real_send(fd, buf, len, flags);
}

ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	uint8_t flat[REQ_MAX];
	size_t n = 0;

	RESOLVE(sendmsg);
	if (fd >= 0 && fd < MAX_FD && fds[fd].tracked) {
		for (size_t i = 0; i < msg->msg_iovlen; i++) {
			if (n + msg->msg_iov[i].iov_len > sizeof(flat)) {
				n = 0;
				break;
			}
			memcpy(flat + n, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
			n += msg->msg_iov[i].iov_len;
		}
		if (n != 0 && handle_send(fd, flat, n))
			return (ssize_t)n;
	}
	return real_sendmsg(fd, msg, flags);
}

ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t r;

	RESOLVE(recvmsg);
	r = take(fd, msg->msg_iov, msg->msg_iovlen, flags, &msg->msg_flags, msg->msg_name,
			&msg->msg_namelen);
	if (r >= 0) {
		msg->msg_controllen = 0;
		return r;
	}
	return real_recvmsg(fd, msg, flags);
}

ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fl)
{
	struct iovec v = {buf, len};
	ssize_t r;

	RESOLVE(recvfrom);
	r = take(fd, &v, 1, flags, NULL, from, fl);
	return r >= 0 ? r : real_recvfrom(fd, buf, len, flags, from, fl);
}

ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	struct iovec v = {buf, len};
	ssize_t r;

	RESOLVE(recv);
	r = take(fd, &v, 1, flags, NULL, NULL, NULL);
	return r >= 0 ? r : real_recv(fd, buf, len, flags);
}

ssize_t
read(int fd, void *buf, size_t len)
{
	struct iovec v = {buf, len};
	ssize_t r;

	RESOLVE(read);
	r = take(fd, &v, 1, 0, NULL, NULL, NULL);
	return r >= 0 ? r : real_read(fd, buf, len);
}

/* A socket with an answer queued here is readable, whatever the kernel says. */
int
poll(struct pollfd *p, nfds_t n, int timeout)
{
	int ready = 0;

	RESOLVE(poll);
	pthread_mutex_lock(&lock);
	for (nfds_t i = 0; i < n; i++) {
		int fd = p[i].fd;

		p[i].revents = 0;
		if (fd >= 0 && fd < MAX_FD && fds[fd].tracked && fds[fd].head != NULL &&
				(p[i].events & POLLIN)) {
			p[i].revents = POLLIN;
			ready++;
		}
	}
	pthread_mutex_unlock(&lock);
	return ready ? ready : real_poll(p, n, timeout);
}
