/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The multicast overlay (overlay.c, config_overlay.c): lib/overlay's
 * sessions on the fast-path lcore, first hops and last hops.
 */
#ifndef NS_APP_OVERLAY_H
#define NS_APP_OVERLAY_H

extern struct ns_feature ns_feature_overlay;

#endif /* NS_APP_OVERLAY_H */
