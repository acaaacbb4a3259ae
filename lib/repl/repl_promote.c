/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A standby takes over: every shadow it has the image of becomes a live
 * connection of its stack (ns_tcp_activate), in id order; slots that got
 * data but no image yet (a checkpoint cut short by the active's death) are
 * released: the peer never heard of those connections (their SYN-ACK was
 * held until the standby acknowledged the checkpoint).
 */
#include "repl/repl.h"

uint32_t
ns_repl_standby_promote(struct ns_repl_standby *sb, uint64_t now, bool drained, uint32_t *failed)
{
	uint32_t n = 0, bad = 0;

	for (uint32_t id = 0; id < sb->tcp->cfg.max_conns; id++) {
		struct ns_repl_sconn *k = &sb->conn[id];
		struct ns_tcb *c = &sb->tcp->pool[id];

		if (!k->present)
			continue;
		if (!k->imaged || c->state == NS_TCP_CLOSED) {
			ns_tcp_shadow_free(sb->tcp, c);
			bad += k->imaged;
		} else if (ns_tcp_activate(sb->tcp, c, now, drained) == 0) {
			n++;
		} else {
			ns_tcp_shadow_free(sb->tcp, c);
			bad++;
		}
		memset(k, 0, sizeof(*k));
	}
	sb->n_shadows = 0;
	sb->n_pend = 0;
	if (failed != NULL)
		*failed = bad;
	return n;
}
