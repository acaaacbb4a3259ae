/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_cmdline console generated from the command table: each pattern word
 * becomes a token (literals and alternatives complete with TAB, '?' shows
 * the help), and every instance calls back into the same handlers as the
 * ctl socket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>

#include "app.h"
#include "control.h"

#define NS_PROMPT "nonstop> "

static cmdline_parse_ctx_t *ctx;
static struct cmdline *console;

struct ns_inst {
	const struct ns_cmd *cmd;
	unsigned int n_tok;
	int multi; /* last token takes the rest of the line */
	cmdline_parse_token_string_t tok[32];
	char lit[32][128];
};

/* Answers go to stdout: cmdline_file_new() gives its instance no output fd. */
static void
emit(const struct ns_out *o, int rc)
{
	int fd = STDOUT_FILENO;
	size_t off = 0;

	while (off < o->len) {
		ssize_t n = write(fd, o->buf + off, o->len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (rc < 0 && o->len == 0)
		dprintf(fd, "error\n");
}

static void
console_cb(void *parsed, struct cmdline *cl, void *data)
{
	struct ns_inst *in = data;
	char *argv[33];
	int argc = 0;
	struct ns_out o = {0};
	int rc;

	for (unsigned int i = 0; i < in->n_tok; i++) {
		char *w = (char *)parsed + in->tok[i].hdr.offset;

		if (in->multi && i == in->n_tok - 1) {
			/* split the rest of the line into words */
			for (char *s = strtok(w, " \t"); s != NULL && argc < 32;
					s = strtok(NULL, " \t"))
				argv[argc++] = s;
		} else {
			argv[argc++] = w;
		}
	}
	rc = in->cmd->fn(&o, argc, argv);
	emit(&o, rc);
	ns_out_free(&o);
	if (app.quit && cl != NULL)
		cmdline_quit(cl);
}

static cmdline_parse_inst_t *
build_inst(const struct ns_cmd *c)
{
	struct ns_inst *in = calloc(1, sizeof(*in));
	cmdline_parse_inst_t *inst;
	const char *p = c->pattern;
	unsigned int off = 0;

	if (in == NULL)
		return NULL;
	in->cmd = c;
	while (*p != '\0' && in->n_tok < 31) {
		size_t wl = strcspn(p, " ");
		cmdline_parse_token_string_t *t = &in->tok[in->n_tok];

		t->hdr.ops = &cmdline_token_string_ops;
		t->hdr.offset = off;
		if (p[0] == '<' && wl > 4 && strncmp(p + wl - 4, "...>", 4) == 0) {
			t->string_data.str = TOKEN_STRING_MULTI;
			in->multi = 1;
			off += sizeof(cmdline_multi_string_t);
		} else if (p[0] == '<') {
			t->string_data.str = NULL; /* any word */
			off += sizeof(cmdline_fixed_string_t);
		} else {
			/* cmdline spells alternatives "a#b#c" */
			snprintf(in->lit[in->n_tok], sizeof(in->lit[0]), "%.*s", (int)wl, p);
			for (char *s = in->lit[in->n_tok]; *s; s++)
				if (*s == '|')
					*s = '#';
			t->string_data.str = in->lit[in->n_tok];
			off += sizeof(cmdline_fixed_string_t);
		}
		in->n_tok++;
		p += wl;
		while (*p == ' ')
			p++;
	}
	inst = calloc(1, sizeof(*inst) + (in->n_tok + 1) * sizeof(inst->tokens[0]));
	if (inst == NULL) {
		free(in);
		return NULL;
	}
	inst->f = console_cb;
	inst->data = in;
	inst->help_str = c->help;
	for (unsigned int i = 0; i < in->n_tok; i++)
		inst->tokens[i] = &in->tok[i].hdr;
	inst->tokens[in->n_tok] = NULL;
	return inst;
}

static int
build_ctx(void)
{
	if (ctx != NULL)
		return 0;
	ctx = calloc(ns_n_cmds + 1, sizeof(*ctx));
	if (ctx == NULL)
		return -1;
	for (unsigned int i = 0; i < ns_n_cmds; i++) {
		ctx[i] = build_inst(&ns_cmds[i]);
		if (ctx[i] == NULL)
			return -1;
	}
	return 0;
}

int
ns_console_init(int interactive)
{
	if (build_ctx() < 0)
		return -1;
	if (!interactive)
		return 0;
	console = cmdline_stdin_new(ctx, NS_PROMPT);
	return console ? 0 : -1;
}

void
ns_console_poll(void)
{
	if (console == NULL)
		return;
	int st = cmdline_poll(console);

	/* 'quit' (RDLINE_EXITED), or Ctrl-D / end of input (read returns 0: -1 here) */
	if (st == RDLINE_EXITED || st < 0) {
		/* 'quit', Ctrl-D or end of input */
		app.quit = true;
		cmdline_stdin_exit(console);
		console = NULL;
	}
}

int
ns_console_run_file(const char *path)
{
	struct cmdline *cl;

	if (build_ctx() < 0)
		return -1;
	cl = cmdline_file_new(ctx, "", path);
	if (cl == NULL)
		return -1;
	cmdline_interact(cl);
	cmdline_free(cl);
	return 0;
}

void
ns_console_fini(void)
{
	if (console != NULL) {
		cmdline_stdin_exit(console);
		console = NULL;
	}
	if (ctx == NULL)
		return;
	for (unsigned int i = 0; ctx[i] != NULL; i++) {
		free(ctx[i]->data);
		free(ctx[i]);
	}
	free(ctx);
	ctx = NULL;
}
