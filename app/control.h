/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control path: one command table serves the interactive console
 * (rte_cmdline), the ctl socket (nonstopctl) and --cmdline-file.
 */
#ifndef NS_CONTROL_H
#define NS_CONTROL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ns_counter.h"

/* Growable text buffer a command writes its answer into.  limit (0: none)
 * bounds len: what would pass it is left out and 'truncated' set. */
struct ns_out {
	char *buf;
	size_t len, cap;
	size_t limit;
	int oom;
	int truncated;
};

void ns_out_printf(struct ns_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ns_out_vprintf(struct ns_out *o, const char *fmt, va_list ap)
		__attribute__((format(printf, 2, 0)));
void ns_out_free(struct ns_out *o);
/* An application's own command: argv[0] names it, the rest are its words.
 * Returns its result, or -2 when no application has that name. */
int ns_apps_show(struct ns_out *o, int argc, char **argv);

/*
 * A command: pattern words are literals ("show"), alternatives
 * ("info|stats|xstats") or arguments ("<port>", "<words...>" for the rest
 * of the line).  fn gets every word typed; returns 0, or -1 after writing
 * an error message.
 */
struct ns_cmd {
	const char *pattern;
	const char *section;
	const char *help;
	int (*fn)(struct ns_out *o, int argc, char **argv);
};

/* Every command: the core's and the features' (ns_cmds_build). */
extern const struct ns_cmd *ns_cmds;
extern unsigned int ns_n_cmds;

/* Split 'line' (modified) into words and run the matching command. */
int ns_cmd_exec_line(char *line, struct ns_out *o);

/* console.c */
int ns_console_init(int interactive);
void ns_console_poll(void);
void ns_console_fini(void);
int ns_console_run_file(const char *path);

/* ctl_server.c: non-blocking, one line per connection (see the file). */
#define NS_CTL_COUNTERS(X)                                                                      \
	X(clients, INFO, "control socket connections accepted")                                 \
	X(commands, INFO, "commands run for control socket clients")                            \
	X(refused_busy, DROP, "connections refused: as many clients as the server serves")      \
	X(line_too_long, DROP, "requests refused: no newline within 16384 bytes")               \
	X(read_timeouts, DROP, "clients dropped: their line was not whole within the time")     \
	X(write_timeouts, DROP, "clients dropped: they took no byte of the answer in the time") \
	X(client_gone, DROP, "answers cut short: the client closed or reset its end")           \
	X(truncated, DROP, "answers cut at the size limit of one answer")

enum ns_ctl_ctr {
#define X(name, kind, help) NS_CTR_ENUM(NS_CTL_, name, kind, help)
	NS_CTL_COUNTERS(X)
#undef X
			NS_CTL__MAX
};

extern const struct ns_ctr_desc ns_ctl_ctr_desc[NS_CTL__MAX];

int ns_ctl_init(const char *path);
void ns_ctl_poll(void);
void ns_ctl_fini(void);
/* The server's counters (main lcore's; any thread may read). */
void ns_ctl_stats_sum(uint64_t out[NS_CTL__MAX]);

/* telemetry.c */
void ns_telemetry_init(void);

/* Everything the main lcore services between polls (main.c). */
void ns_control_poll(void);

/* commands.c: the table above, from its own commands and the features'. */
int ns_cmds_build(void);
void ns_cmds_free(void);

/* Shared printers (commands and --dump-counters). */
void ns_print_counters(struct ns_out *o, int all, int raw);
/* "prefix.name value  help" for each counter (non-zero only unless all). */
void ns_print_ctr_table(struct ns_out *o, const char *prefix, const struct ns_ctr_desc *desc,
		const uint64_t *v, const uint64_t *base, int n, int all);

#endif /* NS_CONTROL_H */
