/* SPDX-License-Identifier: BSD-3-Clause */
/* The dataplane's ping (ping.c): ICMP echo requests and their replies. */
#ifndef NS_PING_H
#define NS_PING_H

extern struct ns_feature ns_feature_ping;

#endif /* NS_PING_H */
