/* SPDX-License-Identifier: BSD-3-Clause */
/* Output buffer and word matching of the command table (used by ctl and files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

#define NS_MAX_WORDS 32

void
ns_out_vprintf(struct ns_out *o, const char *fmt, va_list ap0)
{
	va_list ap;
	int n;

	if (o->oom || o->truncated)
		return;
	for (;;) {
		size_t room = o->cap - o->len;

		va_copy(ap, ap0);
		n = vsnprintf(o->buf ? o->buf + o->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (o->limit != 0 && o->len + (size_t)n > o->limit) {
			o->truncated = 1; /* this piece would pass the limit: it is left out */
			return;
		}
		if ((size_t)n < room) {
			o->len += (size_t)n;
			return;
		}
		size_t ncap = o->cap ? o->cap * 2 : 4096;
		while (ncap - o->len <= (size_t)n)
			ncap *= 2;
		char *nb = realloc(o->buf, ncap);
		if (nb == NULL) {
			o->oom = 1;
			return;
		}
		o->buf = nb;
		o->cap = ncap;
	}
}

void
ns_out_printf(struct ns_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ns_out_vprintf(o, fmt, ap);
	va_end(ap);
}

void
ns_out_free(struct ns_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

static int
word_matches(const char *pat, size_t plen, const char *word)
{
	const char *p = pat, *end = pat + plen;

	if (*pat == '<')
		return 1;
	while (p < end) {
		const char *bar = memchr(p, '|', end - p);
		size_t alen = (bar ? bar : end) - p;

		if (strlen(word) == alen && strncmp(p, word, alen) == 0)
			return 1;
		p += alen + 1;
	}
	return 0;
}

/* Does argv match cmd's pattern? */
static int
cmd_matches(const struct ns_cmd *c, int argc, char **argv)
{
	const char *p = c->pattern;
	int i = 0;

	while (*p != '\0') {
		size_t wl = strcspn(p, " ");

		if (wl > 4 && strncmp(p + wl - 4, "...>", 4) == 0)
			return argc > i; /* rest of line: one word or more */
		if (i >= argc || !word_matches(p, wl, argv[i]))
			return 0;
		i++;
		p += wl;
		while (*p == ' ')
			p++;
	}
	return i == argc;
}

int
ns_cmd_exec_line(char *line, struct ns_out *o)
{
	char *argv[NS_MAX_WORDS], *save = NULL, *w;
	int argc = 0;

	for (w = strtok_r(line, " \t\r\n", &save); w != NULL;
			w = strtok_r(NULL, " \t\r\n", &save)) {
		if (*w == '#')
			break;
		if (argc == NS_MAX_WORDS) {
			ns_out_printf(o, "error: more than %d words\n", NS_MAX_WORDS);
			return -1;
		}
		argv[argc++] = w;
	}
	if (argc == 0)
		return 0;
	for (unsigned int i = 0; i < ns_n_cmds; i++)
		if (cmd_matches(&ns_cmds[i], argc, argv))
			return ns_cmds[i].fn(o, argc, argv);
	/* 'show NAME ...' of an application NAME: its own command ('app NAME ...'). */
	if (argc >= 2 && strcmp(argv[0], "show") == 0) {
		int rc = ns_apps_show(o, argc - 1, argv + 1);

		if (rc != -2)
			return rc;
	}
	ns_out_printf(o, "error: unknown command '%s", argv[0]);
	for (int i = 1; i < argc; i++)
		ns_out_printf(o, " %s", argv[i]);
	ns_out_printf(o, "' (try 'help')\n");
	return -1;
}
