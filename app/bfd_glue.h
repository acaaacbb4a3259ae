/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BFD feature: lib/bfd's engine on the fast-path lcore (bfd_glue.c) and
 * the health table's readers (health.c).  Replication reads the health of
 * its liveness sessions here.
 */
#ifndef NS_BFD_GLUE_H
#define NS_BFD_GLUE_H

#include <stdbool.h>
#include <stdint.h>

#include "bfd/bfd.h"
#include "config.h"

/*
 * Session slots: the config file's sessions first, in order ([bfd.NAME]
 * ranges expanded), then those of 'bfd session add'.  The control path
 * claims a free slot and fills it in (ADDING), the engine's lcore creates
 * the session (ACTIVE); a delete marks it DELETING and the engine frees it
 * (FREE).  The control path owns a slot's contents.
 */
enum ns_bfd_slot_state {
	NS_BFD_SLOT_FREE,
	NS_BFD_SLOT_ADDING,
	NS_BFD_SLOT_ACTIVE,
	NS_BFD_SLOT_DELETING
};

/* Slots ever used (the highest + 1), and slot i's session (control path). */
uint32_t ns_bfd_n_slots(void);
const struct ns_bfd_cfg *ns_bfd_slot(uint32_t i);
/* The health entry of slot i when it holds a session (any thread). */
bool ns_bfd_slot_health(uint32_t i, struct ns_bfd_health *h);

extern struct ns_feature ns_feature_bfd;

#endif /* NS_BFD_GLUE_H */
