/* SPDX-License-Identifier: BSD-3-Clause */
/* The replication state of one worker (repl_glue.c), read by the commands. */
#ifndef NS_REPL_GLUE_H
#define NS_REPL_GLUE_H

#include <rte_ether.h>
#include <rte_ring.h>

#include "config.h"
#include "ha_node.h"

struct ns_worker;

struct ns_repl_w {
	struct ns_worker *w;
	struct ns_ha_node node; /* the role machine, the channel, both ends, the hold */
	bool inited;
	struct rte_ring *rx; /* frames of this channel received by another worker */
	struct rte_ether_addr peer;
	uint64_t flags_heard, flags_raised, details_heard;
};

const char *ns_repl_flag_name(unsigned int level);
/* The node's configuration from [repl], for channel chan. */
void ns_repl_node_cfg(const struct ns_repl_cfg *rc, uint16_t chan, struct ns_ha_cfg *k);
/* The instance's role (worker 0's) and epoch; NS_HA_ROLE__N: no replication. */
enum ns_ha_role ns_repl_instance_role(uint32_t *epoch);

#endif /* NS_REPL_GLUE_H */
