/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "common/ns_wire.h"

#include "bfd/bfd_packet.h"

const struct ns_ctr_desc ns_bfd_ctr_desc[NS_BFD_C__MAX] = {
#define X(name, kind, help) NS_CTR_DESC(name, kind, help)
		NS_BFD_COUNTERS(X)
#undef X
};

const char *
ns_bfd_state_name(unsigned int st)
{
	static const char *const names[] = {"AdminDown", "Down", "Init", "Up"};

	return st < 4 ? names[st] : "?";
}

int
ns_bfd_parse(const uint8_t *b, uint32_t len, struct ns_bfd_ctl *c)
{
	if (len < NS_BFD_HDR_LEN)
		return NS_BFD_C_rx_bad_length;
	if ((b[0] >> 5) != 1)
		return NS_BFD_C_rx_bad_version;
	c->diag = b[0] & 0x1f;
	c->state = b[1] >> 6;
	c->flags = b[1] & 0x3f;
	c->detect_mult = b[2];
	c->length = b[3];
	if (c->length < NS_BFD_HDR_LEN + ((c->flags & NS_BFD_F_AUTH) ? 2 : 0) || c->length > len)
		return NS_BFD_C_rx_bad_length;
	if (c->detect_mult == 0)
		return NS_BFD_C_rx_bad_mult;
	if (c->flags & NS_BFD_F_MULTIPOINT)
		return NS_BFD_C_rx_multipoint;
	c->my_disc = ns_get_be32(b + 4);
	c->your_disc = ns_get_be32(b + 8);
	c->desired_min_tx_us = ns_get_be32(b + 12);
	c->required_min_rx_us = ns_get_be32(b + 16);
	c->required_min_echo_rx_us = ns_get_be32(b + 20);
	if (c->my_disc == 0)
		return NS_BFD_C_rx_my_disc_zero;
	if (c->your_disc == 0 && c->state != NS_BFD_DOWN && c->state != NS_BFD_ADMIN_DOWN)
		return NS_BFD_C_rx_your_disc_zero;
	return -1;
}

uint32_t
ns_bfd_build(const struct ns_bfd_ctl *c, uint8_t *b)
{
	b[0] = (uint8_t)(1 << 5 | (c->diag & 0x1f));
	b[1] = (uint8_t)(c->state << 6 | (c->flags & 0x3f));
	b[2] = c->detect_mult;
	b[3] = NS_BFD_HDR_LEN;
	ns_put_be32(b + 4, c->my_disc);
	ns_put_be32(b + 8, c->your_disc);
	ns_put_be32(b + 12, c->desired_min_tx_us);
	ns_put_be32(b + 16, c->required_min_rx_us);
	ns_put_be32(b + 20, c->required_min_echo_rx_us);
	return NS_BFD_HDR_LEN;
}
