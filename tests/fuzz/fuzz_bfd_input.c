/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: BFD control packet parsing and the session state machine.
 * The input is a sequence of records [len][ttl][time step][payload...]
 * delivered to an engine with two sessions (one active, one passive) whose
 * discriminators are patched into the payload when it asks for them, so
 * the fuzzer reaches the state machine and Poll/Final, not only the parser.
 * A third session (meticulous keyed SHA1) gets packets the harness signs
 * with its key when the record asks, so sequence checks are reached too.
 */
#include <stdlib.h>
#include <string.h>

#include "bfd/bfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
xmit(void *user, const struct ns_bfd_session *s, const uint8_t *p, uint32_t len)
{
	struct ns_bfd_ctl c;

	(void)user, (void)s;
	/* What we send always passes the receive checks (RFC 5880 6.8.6). */
	if (ns_bfd_parse(p, len, &c) >= 0)
		abort();
}

static const struct ns_bfd_ops ops = {xmit, NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_bfd b;
	struct ns_bfd_session_cfg c1 = {1, 2, 50000, 50000, 3, false, NULL, {0}};
	struct ns_bfd_session_cfg c2 = {1, 3, 10000, 10000, 1, true, NULL, {0}};
	struct ns_bfd_session_cfg c3 = {
			1, 4, 20000, 20000, 2, false, NULL, {NS_BFD_AUTH_MET_SHA1, 1, 4, "fuzz"}};
	uint64_t now = 1000000000ull;
	uint32_t d[3];
	size_t off = 0;

	if (size > 4096)
		return -1;
	if (ns_bfd_init(&b, 4, &ops, NULL, now) != 0)
		abort();
	d[0] = ns_bfd_session_add(&b, &c1, now);
	d[1] = ns_bfd_session_add(&b, &c2, now);
	d[2] = ns_bfd_session_add(&b, &c3, now);
	if (d[0] == 0 || d[1] == 0 || d[2] == 0)
		abort();
	while (off + 3 <= size) {
		uint8_t len = data[off], ttl = data[off + 1], step = data[off + 2];
		uint8_t pkt[256 + NS_BFD_AUTH_MAX_LEN];
		uint32_t n, raddr;

		off += 3;
		n = len < size - off ? len : (uint32_t)(size - off);
		memcpy(pkt, data + off, n);
		off += n;
		if (n >= 12 && (pkt[8] & 0x80)) { /* "your disc": one of ours */
			uint32_t v = d[pkt[8] % 3];

			pkt[8] = (uint8_t)(v >> 24), pkt[9] = (uint8_t)(v >> 16);
			pkt[10] = (uint8_t)(v >> 8), pkt[11] = (uint8_t)v;
		}
		raddr = (ttl & 1) ? 3 : 2;
		if ((ttl & 0x21) == 0x01) { /* session 3, signed with its key when 0x10 */
			raddr = 4;
			if (n >= NS_BFD_HDR_LEN && (ttl & 0x10)) {
				struct ns_bfd_session *s3 = ns_bfd_session_get(&b, d[2]);

				n = ns_bfd_auth_sign(
						&c3.auth, s3->auth.rcv_seq + (pkt[0] & 7) - 2, pkt);
			}
			ttl |= 2;
		}
		ns_bfd_input(&b, 1, raddr, (ttl & 2) ? 255 : ttl, pkt, n, now);
		now += (uint64_t)step * 1000000;
		ns_bfd_timers(&b, now);
		if (step == 0xff)
			ns_bfd_session_set(&b, d[0], 20000, 20000, 2, now);
		if (step == 0xfe)
			ns_bfd_session_admin(&b, d[1], (ttl & 4) != 0, now);
	}
	for (int i = 0; i < 3; i++) {
		struct ns_bfd_health h;

		if (!ns_bfd_health_read(&b, (uint32_t)i, &h) || h.state > NS_BFD_UP)
			abort();
	}
	ns_bfd_fini(&b);
	return 0;
}
