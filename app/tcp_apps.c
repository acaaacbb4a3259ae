/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in applications bound to listeners:
 *   echo: sends back what it reads; reads only what the send queue can take
 *         (backpressure without a buffer of its own); closes after the peer's
 *         FIN once everything is echoed.
 *   sink: reads and discards, counting bytes and an FNV-1a digest; closes
 *         after the peer's FIN.
 */
#include "app.h"

#define NS_APP_CHUNK 16384

static uint64_t
fnv1a(uint64_t h, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

void
ns_app_run(struct ns_worker *w, struct ns_tcb *c)
{
	struct ns_appconn *a = &w->appc[c->id];
	uint8_t buf[NS_APP_CHUNK];
	uint32_t n;

	if (a->kind == NS_APP_ECHO) {
		for (;;) {
			uint32_t room = ns_fifo_room(&c->sndq);

			if (room > sizeof(buf))
				room = sizeof(buf);
			if (room == 0 || c->state == NS_TCP_CLOSED)
				break;
			n = ns_tcp_recv(&w->tcp, c, buf, room, w->now_ns);
			if (n == 0)
				break;
			ns_tcp_send(&w->tcp, c, buf, n, w->now_ns);
			a->bytes += n;
		}
	} else {
		while (c->state != NS_TCP_CLOSED &&
				(n = ns_tcp_recv(&w->tcp, c, buf, sizeof(buf), w->now_ns)) > 0) {
			a->bytes += n;
			a->digest = fnv1a(a->digest, buf, n);
		}
	}
	if (c->state == NS_TCP_CLOSE_WAIT && ns_fifo_len(&c->rcvq) == 0)
		ns_tcp_close(&w->tcp, c, w->now_ns);
}
