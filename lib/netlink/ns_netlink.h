/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Netlink answers for the network state service: requests an
 * application addressed to the kernel (NETLINK_ROUTE dumps of links,
 * addresses, neighbours and routes; NETLINK_SOCK_DIAG inet_diag for TCP) are
 * parsed here and answered with messages built from the dataplane's state,
 * in the kernel's format.  Plain C on byte buffers: no EAL, no sockets (the
 * preload library and the ctl command carry the bytes).
 */
#ifndef NS_NETLINK_H
#define NS_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

enum ns_nl_kind {
	NS_NL_LINK = 1, /* RTM_GETLINK */
	NS_NL_ADDR,	/* RTM_GETADDR */
	NS_NL_NEIGH,	/* RTM_GETNEIGH */
	NS_NL_ROUTE,	/* RTM_GETROUTE */
	NS_NL_TCP,	/* SOCK_DIAG_BY_FAMILY, TCP (AF_INET; AF_INET6 answered empty) */
};

/* A parsed request. */
struct ns_nl_req {
	enum ns_nl_kind kind;
	uint16_t type, flags;
	uint32_t seq, pid; /* pid: the requester's port id, echoed as the kernel does */
	bool dump;
	uint8_t family;
	/* RTM_GETLINK of one link: by index or name */
	int32_t ifindex;
	char ifname[16];
	/* inet_diag */
	uint32_t states; /* bit per TCP state (Linux numbering) */
	uint8_t ext;	 /* INET_DIAG_INFO etc.: bit (1 << (ext - 1)) */
	const uint8_t *bc;
	uint32_t bc_len;
};

enum ns_nl_verdict {
	NS_NL_SERVE = 0,    /* answer it */
	NS_NL_PASS = 1,	    /* not ours: the kernel answers it, untouched */
	NS_NL_MALFORMED = 2 /* answer with NLMSG_ERROR (*err, negative errno) */
};

/* proto: NETLINK_ROUTE or NETLINK_SOCK_DIAG; buf holds one request message. */
enum ns_nl_verdict ns_nl_parse(const uint8_t *buf, uint32_t len, int proto, uint32_t pid,
		struct ns_nl_req *r, int *err);

/* A growing answer (malloc'd; oom set when an append failed). */
struct ns_nl_buf {
	uint8_t *p;
	uint32_t len, cap;
	bool oom;
};
void ns_nl_buf_free(struct ns_nl_buf *b);

struct ns_nl_link {
	int32_t ifindex;
	const char *name;
	uint8_t mac[6];
	uint32_t mtu;
	bool up; /* link up (oper state UP, IFF_RUNNING) */
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped;
};
struct ns_nl_addr {
	int32_t ifindex;
	const char *label;
	uint32_t ip; /* network order */
	uint8_t prefix;
};
struct ns_nl_neigh {
	int32_t ifindex;
	uint32_t ip;
	uint8_t mac[6];
	uint16_t nud; /* NUD_REACHABLE, NUD_INCOMPLETE, ... */
};
struct ns_nl_route {
	int32_t oif;
	uint32_t dst, prefsrc, gateway; /* network order; gateway 0: connected */
	uint8_t prefix;
};
/* One TCP connection as ss sees it. */
struct ns_nl_tcp {
	uint32_t saddr, daddr; /* network order */
	uint16_t sport, dport; /* host order */
	uint8_t state;	       /* Linux TCP_* numbering */
	int32_t ifindex;
	uint64_t cookie;
	uint32_t rqueue, wqueue;
	/* tcp_info */
	uint8_t ca_state, retransmits, backoff, options, snd_wscale, rcv_wscale;
	uint32_t rto_us, snd_mss, rcv_mss, unacked, retrans, rtt_us, rttvar_us, snd_ssthresh,
			snd_cwnd, advmss, total_retrans, snd_wnd, rcv_wnd;
	uint64_t bytes_acked, bytes_received, bytes_sent;
	uint32_t segs_out, segs_in, last_data_recv_ms, last_ack_recv_ms;
};

void ns_nl_put_link(struct ns_nl_buf *b, const struct ns_nl_req *r, const struct ns_nl_link *l);
void ns_nl_put_addr(struct ns_nl_buf *b, const struct ns_nl_req *r, const struct ns_nl_addr *a);
void ns_nl_put_neigh(struct ns_nl_buf *b, const struct ns_nl_req *r, const struct ns_nl_neigh *n);
void ns_nl_put_route(struct ns_nl_buf *b, const struct ns_nl_req *r, const struct ns_nl_route *rt);
/* Appends the connection when the request's states and bytecode select it;
 * returns whether it did. */
bool ns_nl_put_tcp(struct ns_nl_buf *b, const struct ns_nl_req *r, const struct ns_nl_tcp *t);
/* NLMSG_DONE (int 0 payload), after a dump. */
void ns_nl_put_done(struct ns_nl_buf *b, const struct ns_nl_req *r);
/* NLMSG_ERROR carrying err (negative errno; 0 = an ACK) and the request's header. */
void ns_nl_put_error(
		struct ns_nl_buf *b, const uint8_t *req, uint32_t req_len, uint32_t pid, int err);

/* inet_diag bytecode (linux/inet_diag.h): audit as the kernel does (false:
 * invalid), and run it on one socket (true: selected). */
bool ns_nl_bc_valid(const uint8_t *bc, uint32_t len);
bool ns_nl_bc_run(const uint8_t *bc, uint32_t len, const struct ns_nl_tcp *t);

#endif /* NS_NETLINK_H */
