/* SPDX-License-Identifier: BSD-3-Clause */
/* Message building helpers shared by nl_build.c and nl_diag.c. */
#ifndef NS_NL_INTERNAL_H
#define NS_NL_INTERNAL_H

#include "netlink/ns_netlink.h"

void *ns_nl_reserve(struct ns_nl_buf *b, uint32_t n);
/* A message header (and fixed part) at the end; returns its offset. */
uint32_t ns_nl_msg_begin(
		struct ns_nl_buf *b, const struct ns_nl_req *r, uint16_t type, uint32_t fixed);
void *ns_nl_fixed(struct ns_nl_buf *b, uint32_t at);
void ns_nl_attr(struct ns_nl_buf *b, uint16_t type, const void *data, uint32_t len);
void ns_nl_msg_end(struct ns_nl_buf *b, uint32_t at);

#endif /* NS_NL_INTERNAL_H */
