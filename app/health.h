/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peer health for the control plane.  The BFD engine's lcore writes the
 * per-session health table (lib/bfd: seqcount entries) and, on every state
 * change, one event into a single-producer ring; the control path drains the
 * ring each poll and calls the subscribers (the log, the history shown by
 * 'show health events', and later the HA module).  Nothing here blocks the
 * fast path: a full ring drops the event and counts it; the table still
 * holds the truth.
 */
#ifndef NS_HEALTH_H
#define NS_HEALTH_H

#include <stdint.h>

struct ns_health_event {
	uint64_t t_ns;			    /* when the engine changed state */
	uint32_t slot;			    /* the session's slot (bfd_glue.h) */
	uint32_t disc;			    /* local discriminator */
	uint8_t old_state, new_state, diag; /* enum ns_bfd_state, ns_bfd_diag */
};

typedef void (*ns_health_fn)(void *arg, const struct ns_health_event *e);

int ns_health_init(void);
void ns_health_fini(void);
/* Control path: fn is called for every event, in order, on the main lcore. */
int ns_health_subscribe(ns_health_fn fn, void *arg);
/* Engine's lcore. */
void ns_health_publish(const struct ns_health_event *e);
/* Control path: deliver what the engine published. */
void ns_health_poll(void);

struct ns_out;
int ns_cmd_show_health(struct ns_out *o, int argc, char **argv);
int ns_cmd_show_health_events(struct ns_out *o, int argc, char **argv);

#endif /* NS_HEALTH_H */
