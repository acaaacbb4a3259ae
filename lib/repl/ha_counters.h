/* SPDX-License-Identifier: BSD-3-Clause */
/* Counters of the HA role machine (ha_node.h): X(name, kind, help). */
#ifndef NS_HA_COUNTERS_H
#define NS_HA_COUNTERS_H

#include "common/ns_counter.h"

#define NS_HA_COUNTERS(X)                                                                         \
	X(takeovers, INFO, "takeovers: this standby became the active")                           \
	X(takeovers_forced, INFO, "takeovers asked by the operator ('ha takeover')")              \
	X(refused_stale, INFO,                                                                    \
			"active silent, but this standby's state was not provably "               \
			"current: no takeover")                                                   \
	X(refused_syncing, INFO, "active silent, but this standby was not in sync: no takeover")  \
	X(split_avoided, INFO, "channel silent, the active alive on another path: no takeover")   \
	X(stepdowns, INFO, "planned switchovers: this active handed over and became standby")     \
	X(switchover_refused, INFO, "switchovers refused: the standby was not in sync")           \
	X(switchover_aborted, INFO, "switchovers aborted: the standby stopped acknowledging")     \
	X(fences, INFO, "fenced: an instance of a newer epoch was the active")                    \
	X(went_alone, INFO, "the standby silent for lost time: the active went on alone")         \
	X(alone_refused, INFO,                                                                    \
			"the standby silent, but this active was paused long enough to "          \
			"be taken over: it did not go on alone")                                  \
	X(lease_lapses, INFO, "the active's lease lapsed (no fresh round trip with the standby)") \
	X(lease_held, INFO, "segments held because the lease had lapsed")                         \
	X(pauses, INFO, "gaps between two polls longer than the pause threshold")                 \
	X(held, INFO,                                                                             \
			"poll gaps of half the failover time or more that the worker spent "      \
			"running: work of its own held its loop, not the host")                   \
	X(stale_seen, INFO, "this standby found its state no longer provably current")            \
	X(resets_sent, INFO, "RESETs sent: a standby talked in a session that is over")           \
	X(resets_heard, INFO, "RESETs heard: this standby's session was over")                    \
	X(fence_sent, INFO, "frames of our epoch sent to an instance of an older one")            \
	X(beats_sent, INFO, "heartbeats sent on the service ports")                               \
	X(beats_heard, INFO, "heartbeats heard on the service ports")                             \
	X(fwd_kept, INFO, "service frames kept while stepping down, for the successor")           \
	X(fwd_sent, INFO, "kept service frames sent to the successor")                            \
	X(fwd_injected, INFO, "service frames taken from the predecessor")                        \
	X(fwd_dropped, DROP, "service frames that could be neither kept nor forwarded")           \
	X(neigh_sent, INFO, "neighbours sent to the standby")                                     \
	X(neigh_learned, INFO, "neighbours learned from the active")                              \
	X(hold_dropped, DROP, "segments dropped: an instance that is no longer the active")

enum ns_ha_ctr {
#define X(name, kind, help) NS_CTR_ENUM(NS_HA_C_, name, kind, help)
	NS_HA_COUNTERS(X)
#undef X
			NS_HA_C__MAX
};

extern const struct ns_ctr_desc ns_ha_ctr_desc[NS_HA_C__MAX];

#endif /* NS_HA_COUNTERS_H */
