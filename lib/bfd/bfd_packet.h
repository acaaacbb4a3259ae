/* SPDX-License-Identifier: BSD-3-Clause */
/* BFD control packet (RFC 5880 4.1): parsing with every 6.8.6 check that
 * needs no session, and building.  Times are microseconds, host order. */
#ifndef NS_BFD_PACKET_H
#define NS_BFD_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "bfd/bfd_counters.h"

#define NS_BFD_PORT	    3784 /* single hop (RFC 5881 4) */
#define NS_BFD_HDR_LEN	    24
#define NS_BFD_SRC_PORT_MIN 49152

enum ns_bfd_state { NS_BFD_ADMIN_DOWN, NS_BFD_DOWN, NS_BFD_INIT, NS_BFD_UP };

enum ns_bfd_diag {
	NS_BFD_DIAG_NONE = 0,
	NS_BFD_DIAG_DETECT_EXPIRED = 1,
	NS_BFD_DIAG_ECHO_FAILED = 2,
	NS_BFD_DIAG_NEIGHBOR_DOWN = 3,
	NS_BFD_DIAG_FWD_RESET = 4,
	NS_BFD_DIAG_PATH_DOWN = 5,
	NS_BFD_DIAG_CONCAT_DOWN = 6,
	NS_BFD_DIAG_ADMIN_DOWN = 7,
	NS_BFD_DIAG_REV_CONCAT_DOWN = 8,
};

#define NS_BFD_F_POLL	    0x20
#define NS_BFD_F_FINAL	    0x10
#define NS_BFD_F_CPI	    0x08
#define NS_BFD_F_AUTH	    0x04
#define NS_BFD_F_DEMAND	    0x02
#define NS_BFD_F_MULTIPOINT 0x01

struct ns_bfd_ctl {
	uint8_t diag, state, flags, detect_mult;
	uint8_t length;
	uint32_t my_disc, your_disc;
	uint32_t desired_min_tx_us, required_min_rx_us, required_min_echo_rx_us;
};

const char *ns_bfd_state_name(unsigned int st);

/* Check the packet; on success fill c and return -1, else return the counter
 * (enum ns_bfd_ctr) naming why it is dropped. */
int ns_bfd_parse(const uint8_t *buf, uint32_t len, struct ns_bfd_ctl *c);

/* Write c (without authentication) into buf (24 bytes); returns the length. */
uint32_t ns_bfd_build(const struct ns_bfd_ctl *c, uint8_t *buf);

#endif /* NS_BFD_PACKET_H */
