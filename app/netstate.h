/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The network state service: 'ip' and 'ss' (libnonstop_netstate.so) ask a
 * running instance over the control socket (netlink requests in hex), and
 * /nonstop/netstate shows the same.
 */
#ifndef NS_NETSTATE_H
#define NS_NETSTATE_H

extern struct ns_feature ns_feature_netstate;

#endif /* NS_NETSTATE_H */
