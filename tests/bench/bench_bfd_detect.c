/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Detection accuracy in real time (scripts/bench/bfd_detect.sh): engine A
 * (ours) and engine B (its peers) with SESSIONS sessions each at TX_MS x 3,
 * run in one thread on the wall clock (CLOCK_MONOTONIC), packets passed
 * through an in-memory queue with no delay.  Once every session is Up and
 * has been stable for a second, B goes silent; for every session of A the
 * program records when A declared it Down (diag 1) minus its last receive,
 * minus the detection time, and prints the distribution.  The one thread
 * also does B's work (sending SESSIONS x 1000 / TX_MS packets a second), so
 * A's timers run later than they would on a fast-path lcore of their own.
 *   bench_bfd_detect SESSIONS TX_MS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bfd/bfd.h"

struct pkt {
	uint8_t buf[NS_BFD_HDR_LEN];
	uint32_t laddr, raddr; /* of the receiver */
	uint8_t to_a;
};

static struct pkt *q;
static uint32_t qcap, qh, qt;
static struct ns_bfd A, B;
static uint64_t now_ns, *down_late;
static uint32_t n_down, n_late_other;
static int b_silent, measuring;
static uint64_t dropped_full;

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
xmit(void *user, const struct ns_bfd_session *s, const uint8_t *p, uint32_t len)
{
	struct pkt *k;

	if (user == &B && b_silent)
		return;
	if (qt - qh == qcap || len != NS_BFD_HDR_LEN) {
		dropped_full++;
		return;
	}
	k = &q[qt++ % qcap];
	memcpy(k->buf, p, NS_BFD_HDR_LEN);
	k->laddr = s->cfg.raddr;
	k->raddr = s->cfg.laddr;
	k->to_a = user == &B;
}

static void
changed(void *user, const struct ns_bfd_session *s, uint8_t old)
{
	(void)old;
	if (user != &A || !measuring || s->state != NS_BFD_DOWN)
		return;
	if (s->local_diag != NS_BFD_DIAG_DETECT_EXPIRED) {
		n_late_other++;
		return;
	}
	{
		uint64_t det = (uint64_t)s->remote_mult *
			       (s->rx_required_in_use_us > s->remote_min_tx_us
							       ? s->rx_required_in_use_us
							       : s->remote_min_tx_us) *
			       1000;

		down_late[n_down++] = now_ns - s->last_rx_ns - det;
	}
}

static const struct ns_bfd_ops ops = {xmit, changed};

static void
run_for(uint64_t ns)
{
	uint64_t end = mono_ns() + ns;

	do {
		now_ns = mono_ns();
		while (qh != qt) {
			struct pkt *k = &q[qh++ % qcap];

			ns_bfd_input(k->to_a ? &A : &B, k->laddr, k->raddr, 255, k->buf,
					NS_BFD_HDR_LEN, now_ns);
		}
		ns_bfd_timers(&A, now_ns);
		ns_bfd_timers(&B, now_ns);
	} while (now_ns < end);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)atoi(argv[1]) : 10000;
	uint32_t tx_ms = argc > 2 ? (uint32_t)atoi(argv[2]) : 10;
	uint64_t up = 0;

	qcap = 4 * n + 1024;
	q = calloc(qcap, sizeof(*q));
	down_late = calloc(n, sizeof(*down_late));
	now_ns = mono_ns();
	if (q == NULL || down_late == NULL || ns_bfd_init(&A, n, &ops, &A, now_ns) != 0 ||
			ns_bfd_init(&B, n, &ops, &B, now_ns) != 0)
		return 1;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t peer = 0x0a000000u + i + 2;
		struct ns_bfd_session_cfg ca = {
				1, peer, tx_ms * 1000, tx_ms * 1000, 3, false, NULL, {0}};
		struct ns_bfd_session_cfg cb = {
				peer, 1, tx_ms * 1000, tx_ms * 1000, 3, false, NULL, {0}};

		if (ns_bfd_session_add(&A, &ca, now_ns) == 0 ||
				ns_bfd_session_add(&B, &cb, now_ns) == 0)
			return 1;
	}
	/* Up within a few slow (1 s) intervals plus the Poll to the fast rate. */
	for (int t = 0; t < 20 && up < n; t++) {
		run_for(500000000ull);
		up = A.ctr[NS_BFD_C_state_up];
	}
	run_for(1000000000ull); /* a stable second at the fast rate */
	if (A.ctr[NS_BFD_C_state_down] != 0 || up != n) {
		printf("FAIL: %llu of %u sessions Up, %llu went Down before the peers stopped\n",
				(unsigned long long)up, n,
				(unsigned long long)A.ctr[NS_BFD_C_state_down]);
		return 1;
	}
	measuring = 1;
	b_silent = 1;
	run_for(10ull * 3 * tx_ms * 1000000ull + 200000000ull);
	qsort(down_late, n_down, sizeof(*down_late), cmp_u64);
	if (n_down == 0) {
		printf("FAIL: no session declared down\n");
		return 1;
	}
	printf("sessions %u, detection %u ms (3 x %u ms): declared down %u (diag 1), other %u, "
	       "queue drops %llu\n",
			n, 3 * tx_ms, tx_ms, n_down, n_late_other,
			(unsigned long long)dropped_full);
	printf("late vs detection time (us): p50 %.1f p90 %.1f p99 %.1f max %.1f\n",
			down_late[n_down / 2] / 1e3, down_late[n_down * 9 / 10] / 1e3,
			down_late[n_down * 99 / 100] / 1e3, down_late[n_down - 1] / 1e3);
	ns_bfd_fini(&A);
	ns_bfd_fini(&B);
	free(q);
	free(down_late);
	return n_down == n ? 0 : 1;
}
