/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The multicast membership service (mcast.c): IGMPv3 host side and querier
 * per port.  The overlay's last hops join through it and read the
 * querier's members.
 */
#ifndef NS_MCAST_H
#define NS_MCAST_H

#include <stdbool.h>
#include <stdint.h>

/* Changes whenever the querier of port publishes its state. */
uint32_t ns_mcast_members_gen(uint16_t port);
/* The hosts the querier of port has seen join group (at most max). */
uint32_t ns_mcast_members(uint16_t port, uint32_t group, uint32_t *hosts, uint32_t max);
/* Join (or leave) group on port for an internal application (app_id). */
int ns_mcast_app_set(uint16_t port, uint32_t group, uint32_t app_id, bool join);

extern struct ns_feature ns_feature_mcast;

#endif /* NS_MCAST_H */
