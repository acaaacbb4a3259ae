/* SPDX-License-Identifier: BSD-3-Clause */
/* Answers: rtnetlink messages in the kernel's layout. */
#include <stdlib.h>
#include <string.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "netlink/nl_internal.h"
#include "common/ns_wire.h"

void
ns_nl_buf_free(struct ns_nl_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* n zeroed bytes at the end (aligned to 4), or NULL. */
void *
ns_nl_reserve(struct ns_nl_buf *b, uint32_t n)
{
	uint32_t need = b->len + NLMSG_ALIGN(n);
	uint8_t *p;

	if (b->oom)
		return NULL;
	if (need > b->cap) {
		uint32_t cap = b->cap ? b->cap : 4096;

		while (cap < need)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
	}
	p = b->p + b->len;
	memset(p, 0, NLMSG_ALIGN(n));
	b->len = need;
	return p;
}

uint32_t
ns_nl_msg_begin(struct ns_nl_buf *b, const struct ns_nl_req *r, uint16_t type, uint32_t fixed)
{
	uint32_t at = b->len;
	struct nlmsghdr *h = ns_nl_reserve(b, NLMSG_HDRLEN + fixed);

	if (h == NULL)
		return UINT32_MAX;
	h->nlmsg_type = type;
	h->nlmsg_flags = r->dump ? NLM_F_MULTI : 0;
	h->nlmsg_seq = r->seq;
	h->nlmsg_pid = r->pid;
	return at;
}

void
ns_nl_msg_end(struct ns_nl_buf *b, uint32_t at)
{
	struct nlmsghdr *h;

	if (at == UINT32_MAX || b->oom)
		return;
	h = (struct nlmsghdr *)(b->p + at);
	h->nlmsg_len = b->len - at;
}

void *
ns_nl_fixed(struct ns_nl_buf *b, uint32_t at)
{
	return at == UINT32_MAX || b->oom ? NULL : b->p + at + NLMSG_HDRLEN;
}

void
ns_nl_attr(struct ns_nl_buf *b, uint16_t type, const void *data, uint32_t len)
{
	struct nlattr *a = ns_nl_reserve(b, NLA_HDRLEN + len);

	if (a == NULL)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len != 0)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
}

static void
attr_u32(struct ns_nl_buf *b, uint16_t type, uint32_t v)
{
	ns_nl_attr(b, type, &v, sizeof(v));
}

static void
attr_str(struct ns_nl_buf *b, uint16_t type, const char *s)
{
	ns_nl_attr(b, type, s, (uint32_t)strlen(s) + 1);
}

void
ns_nl_put_link(struct ns_nl_buf *b, const struct ns_nl_req *r, const struct ns_nl_link *l)
{
	uint32_t at = ns_nl_msg_begin(b, r, RTM_NEWLINK, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = ns_nl_fixed(b, at);
	struct rtnl_link_stats64 st = {0};
	struct rtnl_link_stats st32 = {0};
	uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t oper = l->up ? IF_OPER_UP : IF_OPER_DOWN;

	if (ifi == NULL)
		return;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = ARPHRD_ETHER;
	ifi->ifi_index = l->ifindex;
	ifi->ifi_flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST |
			 (l->up ? IFF_RUNNING | IFF_LOWER_UP : 0);
	ifi->ifi_change = 0;
	attr_str(b, IFLA_IFNAME, l->name);
	attr_u32(b, IFLA_MTU, l->mtu);
	ns_nl_attr(b, IFLA_OPERSTATE, &oper, 1);
	attr_u32(b, IFLA_TXQLEN, 1000);
	ns_nl_attr(b, IFLA_ADDRESS, l->mac, 6);
	ns_nl_attr(b, IFLA_BROADCAST, bcast, 6);
	st.rx_packets = l->rx_packets;
	st.tx_packets = l->tx_packets;
	st.rx_bytes = l->rx_bytes;
	st.tx_bytes = l->tx_bytes;
	st.rx_errors = l->rx_errors;
	st.tx_errors = l->tx_errors;
	st.rx_dropped = l->rx_dropped;
	ns_nl_attr(b, IFLA_STATS64, &st, sizeof(st));
	st32.rx_packets = (uint32_t)l->rx_packets;
	st32.tx_packets = (uint32_t)l->tx_packets;
	st32.rx_bytes = (uint32_t)l->rx_bytes;
	st32.tx_bytes = (uint32_t)l->tx_bytes;
	st32.rx_errors = (uint32_t)l->rx_errors;
	st32.tx_errors = (uint32_t)l->tx_errors;
	st32.rx_dropped = (uint32_t)l->rx_dropped;
	ns_nl_attr(b, IFLA_STATS, &st32, sizeof(st32));
	ns_nl_msg_end(b, at);
}

void
ns_nl_put_addr(struct ns_nl_buf *b, const struct ns_nl_req *r, const struct ns_nl_addr *a)
{
	uint32_t at = ns_nl_msg_begin(b, r, RTM_NEWADDR, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa = ns_nl_fixed(b, at);
	uint32_t mask = a->prefix ? ~0u << (32 - a->prefix) : 0;
	uint32_t bcast = a->ip | NS_BE32(~mask); /* a->ip is in network order */
	struct ifa_cacheinfo ci = {.ifa_prefered = 0xffffffffu, .ifa_valid = 0xffffffffu};

	if (ifa == NULL)
		return;
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = a->prefix;
	ifa->ifa_flags = IFA_F_PERMANENT;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)a->ifindex;
	ns_nl_attr(b, IFA_ADDRESS, &a->ip, 4);
	ns_nl_attr(b, IFA_LOCAL, &a->ip, 4);
	if (a->prefix < 31)
		ns_nl_attr(b, IFA_BROADCAST, &bcast, 4);
	attr_str(b, IFA_LABEL, a->label);
	attr_u32(b, IFA_FLAGS, IFA_F_PERMANENT);
	ns_nl_attr(b, IFA_CACHEINFO, &ci, sizeof(ci));
	ns_nl_msg_end(b, at);
}

void
ns_nl_put_neigh(struct ns_nl_buf *b, const struct ns_nl_req *r, const struct ns_nl_neigh *n)
{
	uint32_t at = ns_nl_msg_begin(b, r, RTM_NEWNEIGH, sizeof(struct ndmsg));
	struct ndmsg *nd = ns_nl_fixed(b, at);

	if (nd == NULL)
		return;
	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = n->ifindex;
	nd->ndm_state = n->nud;
	nd->ndm_type = RTN_UNICAST;
	ns_nl_attr(b, NDA_DST, &n->ip, 4);
	if (n->nud != NUD_INCOMPLETE && n->nud != NUD_FAILED)
		ns_nl_attr(b, NDA_LLADDR, n->mac, 6);
	ns_nl_msg_end(b, at);
}

void
ns_nl_put_route(struct ns_nl_buf *b, const struct ns_nl_req *r, const struct ns_nl_route *rt)
{
	uint32_t at = ns_nl_msg_begin(b, r, RTM_NEWROUTE, sizeof(struct rtmsg));
	struct rtmsg *m = ns_nl_fixed(b, at);

	if (m == NULL)
		return;
	m->rtm_family = AF_INET;
	m->rtm_dst_len = rt->prefix;
	m->rtm_table = RT_TABLE_MAIN;
	m->rtm_protocol = rt->gateway ? RTPROT_STATIC : RTPROT_KERNEL;
	m->rtm_scope = rt->gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	m->rtm_type = RTN_UNICAST;
	attr_u32(b, RTA_TABLE, RT_TABLE_MAIN);
	if (rt->prefix != 0)
		ns_nl_attr(b, RTA_DST, &rt->dst, 4);
	if (rt->prefsrc)
		ns_nl_attr(b, RTA_PREFSRC, &rt->prefsrc, 4);
	if (rt->gateway)
		ns_nl_attr(b, RTA_GATEWAY, &rt->gateway, 4);
	attr_u32(b, RTA_OIF, (uint32_t)rt->oif);
	ns_nl_msg_end(b, at);
}

void
ns_nl_put_done(struct ns_nl_buf *b, const struct ns_nl_req *r)
{
	struct ns_nl_req d = *r;
	uint32_t at;
	int32_t *v;

	d.dump = true; /* NLM_F_MULTI, as the kernel's */
	at = ns_nl_msg_begin(b, &d, NLMSG_DONE, sizeof(int32_t));
	v = ns_nl_fixed(b, at);
	if (v != NULL)
		*v = 0;
	ns_nl_msg_end(b, at);
}

void
ns_nl_put_error(struct ns_nl_buf *b, const uint8_t *req, uint32_t req_len, uint32_t pid, int err)
{
	struct ns_nl_req r = {.pid = pid};
	struct nlmsghdr h = {0};
	struct nlmsgerr *e;
	uint32_t at;

	if (req_len >= sizeof(h))
		memcpy(&h, req, sizeof(h));
	r.seq = h.nlmsg_seq;
	at = ns_nl_msg_begin(b, &r, NLMSG_ERROR, sizeof(*e));
	e = ns_nl_fixed(b, at);
	if (e == NULL)
		return;
	e->error = err;
	e->msg = h;
	if (e->msg.nlmsg_len > req_len)
		e->msg.nlmsg_len = req_len;
	ns_nl_msg_end(b, at);
}
