/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nonstopctl: send one command to a running nonstop and print the answer.
 * Exit status: 0 OK, 1 the command failed, 2 cannot reach the instance.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void
usage(void)
{
	fprintf(stderr, "Usage: nonstopctl [-s SOCKET | -p FILE_PREFIX] <command words>\n"
			"  default socket: /run/nonstop/<prefix>/ctl.sock, prefix from -p,\n"
			"  $NONSTOP_PREFIX, or 'rte' (EAL's default --file-prefix)\n"
			"  e.g. nonstopctl -p demo show port stats all\n");
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = NULL, *prefix = getenv("NONSTOP_PREFIX");
	char req[1024], buf[4096];
	size_t len = 0;
	int fd, opt, status = -1;
	ssize_t n;

	while ((opt = getopt(argc, argv, "+s:p:h")) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'p':
			prefix = optarg;
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc) {
		usage();
		return 2;
	}
	if (path == NULL)
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/run/nonstop/%s/ctl.sock",
				prefix ? prefix : "rte");
	else
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	for (int i = optind; i < argc; i++) {
		int w = snprintf(req + len, sizeof(req) - len, "%s%s", i > optind ? " " : "",
				argv[i]);

		if (w < 0 || (size_t)w >= sizeof(req) - len - 1) {
			fprintf(stderr, "nonstopctl: command too long\n");
			return 2;
		}
		len += (size_t)w;
	}
	req[len++] = '\n';

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "nonstopctl: cannot connect to %s: %s\n", sa.sun_path,
				strerror(errno));
		return 2;
	}
	if (write(fd, req, len) != (ssize_t)len) {
		fprintf(stderr, "nonstopctl: write: %s\n", strerror(errno));
		return 2;
	}
	/* First line is the status, the rest is the command's output. */
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		char *p = buf;

		if (status < 0) {
			if (n >= 3 && strncmp(buf, "OK\n", 3) == 0) {
				status = 0;
				p += 3;
			} else if (n >= 4 && strncmp(buf, "ERR\n", 4) == 0) {
				status = 1;
				p += 4;
			} else {
				fprintf(stderr, "nonstopctl: malformed answer\n");
				return 2;
			}
		}
		fwrite(p, 1, (size_t)(n - (p - buf)), status ? stderr : stdout);
	}
	close(fd);
	if (status < 0) {
		fprintf(stderr, "nonstopctl: no answer from %s\n", sa.sun_path);
		return 2;
	}
	return status;
}
