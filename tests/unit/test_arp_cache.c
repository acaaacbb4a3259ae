/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include "net/arp_cache.h"
#include "net/net_counters.h"
#include "ns_test.h"

#define MS (1000ull * 1000)
#define S  (1000 * MS)

static uint64_t ctr[NS_NET__MAX];
static int released, discarded, solicited;
static void *last_released;
static struct rte_ether_addr last_mac;

static void
t_release(void *user, void *pkt, const struct rte_ether_addr *dst)
{
	(void)user;
	released++;
	last_released = pkt;
	last_mac = *dst;
}

static void
t_discard(void *user, void *pkt)
{
	(void)user;
	(void)pkt;
	discarded++;
}

static void
t_solicit(void *user, rte_be32_t ip)
{
	(void)user;
	(void)ip;
	solicited++;
}

static const struct ns_arp_ops ops = {t_release, t_discard, t_solicit};

static void
setup(struct ns_arp_cache *c, uint32_t max)
{
	struct ns_arp_params p = {.max_entries = max,
			.timeout_ns = 60 * S,
			.retry_ns = 1 * S,
			.max_tries = 3};

	memset(ctr, 0, sizeof(ctr));
	released = discarded = solicited = 0;
	if (ns_arp_cache_init(c, &p, &ops, NULL, ctr) != 0)
		abort();
}

static struct rte_ether_addr
mac_of(uint8_t b)
{
	struct rte_ether_addr m = {{0x02, 0, 0, 0, 0, b}};
	return m;
}

static void
test_learn_and_hit(void)
{
	struct ns_arp_cache c;
	struct rte_ether_addr m = mac_of(7), got;
	int pkt;

	setup(&c, 16);
	CHECK(!ns_arp_learn(&c, RTE_BE32(0xC0000201), &m, false, 0)); /* merge only: absent */
	CHECK(ns_arp_learn(&c, RTE_BE32(0xC0000201), &m, true, 0));
	CHECK_EQ(ns_arp_resolve(&c, RTE_BE32(0xC0000201), &pkt, 1, &got), NS_ARP_HIT);
	CHECK(rte_is_same_ether_addr(&got, &m));
	CHECK_EQ(solicited, 0);
	ns_arp_cache_fini(&c);
}

static void
test_resolution_queues_then_releases(void)
{
	struct ns_arp_cache c;
	struct rte_ether_addr m = mac_of(9), got;
	int p[NS_ARP_PENDING_MAX + 1];

	setup(&c, 16);
	for (int i = 0; i < NS_ARP_PENDING_MAX; i++)
		CHECK_EQ(ns_arp_resolve(&c, RTE_BE32(0xC0000202), &p[i], 0, &got), NS_ARP_QUEUED);
	CHECK_EQ(solicited, 1); /* one request, not one per packet */
	CHECK_EQ(ns_arp_resolve(&c, RTE_BE32(0xC0000202), &p[NS_ARP_PENDING_MAX], 0, &got),
			NS_ARP_DROPPED);
	CHECK_EQ(ctr[NS_NET_arp_pending_full], 1);
	ns_arp_learn(&c, RTE_BE32(0xC0000202), &m, false, 10 * MS);
	CHECK_EQ(released, NS_ARP_PENDING_MAX);
	CHECK(last_released == &p[NS_ARP_PENDING_MAX - 1]);
	CHECK(rte_is_same_ether_addr(&last_mac, &m));
	ns_arp_cache_fini(&c);
	CHECK_EQ(discarded, 0);
}

static void
test_retries_then_gives_up(void)
{
	struct ns_arp_cache c;
	struct rte_ether_addr got;
	int pkt;

	setup(&c, 16);
	CHECK_EQ(ns_arp_resolve(&c, RTE_BE32(0xC0000203), &pkt, 0, &got), NS_ARP_QUEUED);
	for (uint64_t t = 0; t <= 10 * S; t += 100 * MS)
		ns_arp_tick(&c, t);
	CHECK_EQ(solicited, 3); /* max_tries requests in all */
	CHECK_EQ(discarded, 1);
	CHECK_EQ(ctr[NS_NET_arp_resolve_failed], 1);
	CHECK_EQ(c.count, 0);
	ns_arp_cache_fini(&c);
}

static void
test_aging_exact(void)
{
	struct ns_arp_cache c;
	struct rte_ether_addr m = mac_of(1);

	setup(&c, 16);
	ns_arp_learn(&c, RTE_BE32(0xC0000204), &m, true, 0);
	ns_arp_tick(&c, 60 * S - 1);
	CHECK_EQ(c.count, 1);
	ns_arp_tick(&c, 60 * S + 100 * MS);
	CHECK_EQ(c.count, 0);
	CHECK_EQ(ctr[NS_NET_arp_aged], 1);
	ns_arp_cache_fini(&c);
}

/* A configured neighbour: never aged, the wire cannot change its MAC, it
 * survives the deletions around it (backward shift). */
static void
test_static(void)
{
	struct ns_arp_cache c;
	struct rte_ether_addr m = mac_of(9), other = mac_of(10), got;
	int pkt;

	setup(&c, 16);
	CHECK(ns_arp_add_static(&c, RTE_BE32(0xC0000209), &m, 0));
	for (uint32_t k = 0; k < 8; k++) /* neighbours that age out around it */
		ns_arp_learn(&c, RTE_BE32(0xC0000210 + k), &other, true, 0);
	ns_arp_learn(&c, RTE_BE32(0xC0000209), &other, true, 1); /* a forged reply */
	ns_arp_tick(&c, 3600 * S);
	CHECK_EQ(c.count, 1);
	CHECK_EQ(ns_arp_resolve(&c, RTE_BE32(0xC0000209), &pkt, 3600 * S, &got), NS_ARP_HIT);
	CHECK(rte_is_same_ether_addr(&got, &m));
	ns_arp_cache_fini(&c);
}

static void
test_bounded(void)
{
	struct ns_arp_cache c;
	struct rte_ether_addr m = mac_of(2);

	setup(&c, 4);
	for (uint32_t i = 0; i < 10; i++)
		ns_arp_learn(&c, rte_cpu_to_be_32(0xC0000210 + i), &m, true, 0);
	CHECK_EQ(c.count, 4);
	CHECK_EQ(ctr[NS_NET_arp_cache_full], 6);
	ns_arp_cache_fini(&c);
}

/* Random learn/resolve/age against a reference model: probe chains stay intact. */
static void
test_random_against_model(void)
{
	enum { N = 64, MAXE = 48 };
	struct ns_arp_cache c;
	uint64_t learned_at[N];
	uint8_t present[N] = {0};
	uint64_t t = 0;
	unsigned int seed = 12345;

	setup(&c, MAXE);
	c.p.timeout_ns = 5 * S;
	for (int step = 0; step < 20000; step++) {
		uint32_t k = rand_r(&seed) % N;
		rte_be32_t ip = rte_cpu_to_be_32(0xCB007100 + k * 4);
		struct rte_ether_addr m = mac_of((uint8_t)k), got;
		int pkt;

		t += 7 * MS;
		if (rand_r(&seed) % 3) {
			if (ns_arp_learn(&c, ip, &m, true, t)) {
				present[k] = 1;
				learned_at[k] = t;
			}
		} else {
			enum ns_arp_res r = ns_arp_resolve(&c, ip, &pkt, t, &got);
			if (present[k] && t - learned_at[k] < c.p.timeout_ns) {
				CHECK_EQ(r, NS_ARP_HIT);
				CHECK(rte_is_same_ether_addr(&got, &m));
			}
		}
		ns_arp_tick(&c, t);
		if (step % 500 == 0) {
			uint32_t live = 0;
			for (uint32_t i = 0; i < ns_arp_capacity(&c); i++) {
				struct ns_arp_entry e;
				if (ns_arp_read_slot(&c, i, &e))
					live++;
			}
			CHECK_EQ(live, c.count);
		}
	}
	CHECK(c.count <= MAXE);
	CHECK(ctr[NS_NET_arp_aged] > 0);
	ns_arp_cache_fini(&c);
}

int
main(void)
{
	RUN(test_learn_and_hit);
	RUN(test_resolution_queues_then_releases);
	RUN(test_retries_then_gives_up);
	RUN(test_aging_exact);
	RUN(test_static);
	RUN(test_bounded);
	RUN(test_random_against_model);
	return TEST_SUMMARY();
}
