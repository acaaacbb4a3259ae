/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The feature table (feature.h).  The order is the order of their hooks:
 * each pass of a loop polls them in it (the overlay's tick first, then
 * ping, BFD's timers, TCP and its applications, replication, IGMP), and
 * start-up runs init, worker_init and start in it (TCP's stacks before
 * replication, which observes them; shutdown in reverse).
 */
#include "apps.h"
#include "bfd_glue.h"
#include "feature.h"
#include "mcast.h"
#include "netstate.h"
#include "overlay.h"
#include "ping.h"
#include "repl_glue.h"
#include "tcp_glue.h"

struct ns_feature *const ns_features[] = {
		&ns_feature_overlay,
		&ns_feature_ping,
		&ns_feature_bfd,
		&ns_feature_tcp,
		&ns_feature_apps,
		&ns_feature_repl,
		&ns_feature_mcast,
		&ns_feature_netstate,
};

const unsigned int ns_n_features = RTE_DIM(ns_features);
