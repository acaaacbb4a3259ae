/* SPDX-License-Identifier: BSD-3-Clause */
/* Requests: which of an application's netlink messages nonstop answers. */
#include <errno.h>
#include <string.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "netlink/ns_netlink.h"

/* Attributes from off to the message's end: each well formed, or false. */
static bool
attrs_ok(const uint8_t *m, uint32_t off, uint32_t len)
{
	while (off + sizeof(struct nlattr) <= len) {
		struct nlattr a;

		memcpy(&a, m + off, sizeof(a));
		if (a.nla_len < sizeof(a) || off + a.nla_len > len)
			return false;
		off += NLA_ALIGN(a.nla_len);
	}
	return off >= len;
}

/* The first attribute of type t after off, or NULL (*alen: its payload). */
static const uint8_t *
attr_find(const uint8_t *m, uint32_t off, uint32_t len, uint16_t t, uint32_t *alen)
{
	while (off + sizeof(struct nlattr) <= len) {
		struct nlattr a;

		memcpy(&a, m + off, sizeof(a));
		if ((a.nla_type & NLA_TYPE_MASK) == t) {
			*alen = a.nla_len - (uint32_t)sizeof(a);
			return m + off + sizeof(a);
		}
		off += NLA_ALIGN(a.nla_len);
	}
	return NULL;
}

static enum ns_nl_verdict
route_req(const uint8_t *m, uint32_t len, struct ns_nl_req *r, int *err)
{
	uint32_t hdr = NLMSG_HDRLEN, fixed;

	switch (r->type) {
	case RTM_GETLINK:
		r->kind = NS_NL_LINK;
		fixed = sizeof(struct ifinfomsg);
		break;
	case RTM_GETADDR:
		r->kind = NS_NL_ADDR;
		fixed = sizeof(struct ifaddrmsg);
		break;
	case RTM_GETNEIGH:
		r->kind = NS_NL_NEIGH;
		fixed = sizeof(struct ndmsg);
		break;
	case RTM_GETROUTE:
		r->kind = NS_NL_ROUTE;
		fixed = sizeof(struct rtmsg);
		break;
	default:
		return NS_NL_PASS;
	}
	/* One object: only a link by index or name ('ip link show dev X'); the
	 * kernel answers (and validates) the rest. */
	if (!r->dump && r->kind != NS_NL_LINK)
		return NS_NL_PASS;
	if (len < hdr + 1) {
		*err = -EINVAL;
		return NS_NL_MALFORMED;
	}
	r->family = m[hdr];
	/* A dump may carry only the family (struct rtgenmsg); then no attributes. */
	if (len < hdr + fixed) {
		if (!r->dump) {
			*err = -EINVAL;
			return NS_NL_MALFORMED;
		}
		return NS_NL_SERVE;
	}
	if (!attrs_ok(m, hdr + NLMSG_ALIGN(fixed), len)) {
		*err = -EINVAL;
		return NS_NL_MALFORMED;
	}
	if (r->dump)
		return NS_NL_SERVE;
	{
		struct ifinfomsg ifi;
		uint32_t alen;
		const uint8_t *name;

		memcpy(&ifi, m + hdr, sizeof(ifi));
		r->ifindex = ifi.ifi_index;
		name = attr_find(m, hdr + NLMSG_ALIGN(fixed), len, IFLA_IFNAME, &alen);
		if (name != NULL) {
			if (alen == 0 || alen > sizeof(r->ifname)) {
				*err = -EINVAL;
				return NS_NL_MALFORMED;
			}
			memcpy(r->ifname, name, alen);
			r->ifname[sizeof(r->ifname) - 1] = '\0';
		}
		return r->ifindex > 0 || r->ifname[0] != '\0' ? NS_NL_SERVE : NS_NL_PASS;
	}
}

static enum ns_nl_verdict
diag_req(const uint8_t *m, uint32_t len, struct ns_nl_req *r, int *err)
{
	struct inet_diag_req_v2 q;
	uint32_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(q)), alen;
	const uint8_t *bc;

	if (r->type != SOCK_DIAG_BY_FAMILY)
		return NS_NL_PASS;
	if (len < NLMSG_HDRLEN + sizeof(q)) {
		*err = -EINVAL;
		return NS_NL_MALFORMED;
	}
	memcpy(&q, m + NLMSG_HDRLEN, sizeof(q));
	if ((q.sdiag_family != AF_INET && q.sdiag_family != AF_INET6) ||
			q.sdiag_protocol != IPPROTO_TCP || !r->dump)
		return NS_NL_PASS;
	if (!attrs_ok(m, off, len)) {
		*err = -EINVAL;
		return NS_NL_MALFORMED;
	}
	r->kind = NS_NL_TCP;
	r->family = q.sdiag_family;
	r->states = q.idiag_states;
	r->ext = q.idiag_ext;
	bc = attr_find(m, off, len, INET_DIAG_REQ_BYTECODE, &alen);
	if (bc != NULL) {
		if (!ns_nl_bc_valid(bc, alen)) {
			*err = -EINVAL;
			return NS_NL_MALFORMED;
		}
		r->bc = bc;
		r->bc_len = alen;
	}
	return NS_NL_SERVE;
}

enum ns_nl_verdict
ns_nl_parse(const uint8_t *buf, uint32_t len, int proto, uint32_t pid, struct ns_nl_req *r,
		int *err)
{
	struct nlmsghdr h;

	memset(r, 0, sizeof(*r));
	*err = 0;
	if (len < sizeof(h)) {
		*err = -EINVAL;
		return NS_NL_MALFORMED;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len) {
		*err = -EINVAL;
		return NS_NL_MALFORMED;
	}
	if (!(h.nlmsg_flags & NLM_F_REQUEST))
		return NS_NL_PASS;
	r->type = h.nlmsg_type;
	r->flags = h.nlmsg_flags;
	r->seq = h.nlmsg_seq;
	r->pid = pid;
	r->dump = (h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	if (proto == NETLINK_ROUTE)
		return route_req(buf, h.nlmsg_len, r, err);
	if (proto == NETLINK_SOCK_DIAG)
		return diag_req(buf, h.nlmsg_len, r, err);
	return NS_NL_PASS;
}
