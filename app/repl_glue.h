/* SPDX-License-Identifier: BSD-3-Clause */
/* The replication state of one worker (repl_glue.c), read by the commands. */
#ifndef NS_REPL_GLUE_H
#define NS_REPL_GLUE_H

#include <rte_ether.h>
#include <rte_ring.h>

#include "app.h"
#include "config.h"
#include "feature.h"
#include "repl/ha_node.h"

struct ns_repl_w {
	struct ns_worker *w;
	struct ns_ha_node node; /* the role machine, the channel, both ends, the hold */
	bool inited;
	struct rte_ring *rx; /* frames of this channel received by another worker */
	struct rte_ether_addr peer;
};

/* Each worker's (NULL: none), indexed by the loop. */
extern struct ns_repl_w *ns_repl_ws[NS_MAX_LOOPS];

/* Is this instance a standby (worker 0's node says)? */
bool ns_repl_is_standby(void);
/* 'ha takeover' and 'ha switchover' to worker widx; -1: its ring is full. */
int ns_repl_post_takeover(uint32_t widx);
int ns_repl_post_switchover(uint32_t widx);
const char *ns_repl_flag_name(unsigned int level);
/* The node's configuration from [repl], for channel chan. */
void ns_repl_node_cfg(const struct ns_repl_cfg *rc, uint16_t chan, struct ns_ha_cfg *k);
/* The instance's role (worker 0's) and epoch; NS_HA_ROLE__N: no replication. */
enum ns_ha_role ns_repl_instance_role(uint32_t *epoch);

/* repl_cmds.c */
extern const struct ns_cmd ns_repl_cmds[];    /* up to a NULL pattern */
extern const struct ns_tel_cmd ns_repl_tel[]; /* up to a NULL path */
void ns_repl_stats_sum(uint64_t *out);
void ns_ha_stats_sum(uint64_t *out);

extern struct ns_feature ns_feature_repl;

#endif /* NS_REPL_GLUE_H */
