/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * inet_diag answers for TCP: the request's state mask and filter bytecode
 * (the kernel's inet_diag_bc_run semantics, audited as inet_diag_bc_audit
 * does), then struct inet_diag_msg with tcp_info and the congestion control
 * name when asked for.
 */
#include <string.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "netlink/nl_internal.h"
#include "common/ns_wire.h"

static uint32_t
op_size(uint8_t code)
{
	switch (code) {
	case INET_DIAG_BC_NOP:
	case INET_DIAG_BC_JMP:
	case INET_DIAG_BC_AUTO:
		return sizeof(struct inet_diag_bc_op);
	case INET_DIAG_BC_S_GE:
	case INET_DIAG_BC_S_LE:
	case INET_DIAG_BC_D_GE:
	case INET_DIAG_BC_D_LE:
	case INET_DIAG_BC_S_EQ:
	case INET_DIAG_BC_D_EQ:
	case INET_DIAG_BC_DEV_COND:
		return 2 * sizeof(struct inet_diag_bc_op);
	case INET_DIAG_BC_S_COND:
	case INET_DIAG_BC_D_COND:
		return sizeof(struct inet_diag_bc_op) + sizeof(struct inet_diag_hostcond);
	case INET_DIAG_BC_MARK_COND:
		return sizeof(struct inet_diag_bc_op) + sizeof(struct inet_diag_markcond);
	default:
		return 0; /* unknown */
	}
}

bool
ns_nl_bc_valid(const uint8_t *bc, uint32_t len)
{
	uint32_t off = 0;

	if (len == 0 || len % 4 != 0)
		return false;
	while (off < len) {
		struct inet_diag_bc_op op;
		uint32_t sz, left = len - off;

		if (left < sizeof(op))
			return false;
		memcpy(&op, bc + off, sizeof(op));
		sz = op_size(op.code);
		if (sz == 0 || sz > left)
			return false;
		if (op.code == INET_DIAG_BC_S_COND || op.code == INET_DIAG_BC_D_COND) {
			struct inet_diag_hostcond hc;
			uint32_t alen;

			memcpy(&hc, bc + off + sizeof(op), sizeof(hc));
			alen = hc.family == AF_INET ? 4 : hc.family == AF_INET6 ? 16 : 0;
			if (hc.family != AF_UNSPEC && alen == 0)
				return false;
			if (hc.prefix_len > alen * 8 || sz + alen > left)
				return false;
			sz += alen;
		}
		/* As the kernel's audit: yes and no jump forward past this op, in
		 * steps of 4, at most just past the end (reject); the walk goes on
		 * where yes leads (what an op skips is its own data). */
		if (op.yes < sz || op.yes > left + 4 || op.yes % 4 != 0)
			return false;
		if (op.code != INET_DIAG_BC_NOP &&
				(op.no < sz || op.no > left + 4 || op.no % 4 != 0))
			return false;
		if (op.yes > left)
			break;
		off += op.yes;
	}
	return true;
}

static bool
prefix_match(const uint8_t *a, const uint8_t *b, uint32_t bits)
{
	uint32_t bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool
ns_nl_bc_run(const uint8_t *bc, uint32_t len, const struct ns_nl_tcp *t)
{
	int32_t left = (int32_t)len;

	while (left > 0) {
		struct inet_diag_bc_op op, arg;
		bool yes = true;

		memcpy(&op, bc, sizeof(op));
		/* A 'no' jump lands on an op the audit did not walk: what is read
		 * stays in, and every jump goes forward. */
		if (op_size(op.code) == 0 || op_size(op.code) > (uint32_t)left || op.yes < 4 ||
				op.yes % 4 != 0 ||
				(op.code != INET_DIAG_BC_NOP && (op.no < 4 || op.no % 4 != 0)))
			return false;
		if (op.code == INET_DIAG_BC_S_COND || op.code == INET_DIAG_BC_D_COND) {
			struct inet_diag_hostcond hc;

			memcpy(&hc, bc + sizeof(op), sizeof(hc));
			if (hc.prefix_len != 0 &&
					op_size(op.code) + (uint32_t)(hc.prefix_len + 7) / 8 >
							(uint32_t)left)
				return false;
		}
		if (op_size(op.code) > sizeof(op))
			memcpy(&arg, bc + sizeof(op), sizeof(arg));
		else
			memset(&arg, 0, sizeof(arg));
		switch (op.code) {
		case INET_DIAG_BC_NOP:
			break;
		case INET_DIAG_BC_JMP:
			yes = false;
			break;
		case INET_DIAG_BC_S_EQ:
			yes = t->sport == arg.no;
			break;
		case INET_DIAG_BC_S_GE:
			yes = t->sport >= arg.no;
			break;
		case INET_DIAG_BC_S_LE:
			yes = t->sport <= arg.no;
			break;
		case INET_DIAG_BC_D_EQ:
			yes = t->dport == arg.no;
			break;
		case INET_DIAG_BC_D_GE:
			yes = t->dport >= arg.no;
			break;
		case INET_DIAG_BC_D_LE:
			yes = t->dport <= arg.no;
			break;
		case INET_DIAG_BC_AUTO:
			yes = false; /* no connection here has an auto-bound port */
			break;
		case INET_DIAG_BC_S_COND:
		case INET_DIAG_BC_D_COND: {
			struct inet_diag_hostcond hc;
			bool src = op.code == INET_DIAG_BC_S_COND;
			uint32_t addr = src ? t->saddr : t->daddr;

			memcpy(&hc, bc + sizeof(op), sizeof(hc));
			if (hc.port != -1 && hc.port != (src ? t->sport : t->dport)) {
				yes = false;
				break;
			}
			if (hc.family != AF_UNSPEC && hc.family != AF_INET) {
				yes = false; /* an IPv6 condition on an IPv4 socket (the kernel:
						before /0) */
				break;
			}
			if (hc.prefix_len == 0)
				break;
			if (hc.prefix_len >
					32) { /* a jump into another op's data: never past addr */
				yes = false;
				break;
			}
			yes = prefix_match((const uint8_t *)&addr, bc + sizeof(op) + sizeof(hc),
					hc.prefix_len);
			break;
		}
		case INET_DIAG_BC_DEV_COND: {
			uint32_t ifindex;

			memcpy(&ifindex, bc + sizeof(op), sizeof(ifindex));
			yes = ifindex == (uint32_t)t->ifindex;
			break;
		}
		case INET_DIAG_BC_MARK_COND: {
			struct inet_diag_markcond mc;

			memcpy(&mc, bc + sizeof(op), sizeof(mc));
			yes = (0 & mc.mask) == mc.mark; /* no marks here */
			break;
		}
		default:
			return false;
		}
		if (yes) {
			left -= op.yes;
			bc += op.yes;
		} else {
			left -= op.no;
			bc += op.no;
		}
	}
	return left == 0;
}

bool
ns_nl_put_tcp(struct ns_nl_buf *b, const struct ns_nl_req *r, const struct ns_nl_tcp *t)
{
	uint32_t at;
	struct inet_diag_msg *m;

	if (r->family != AF_INET || !(r->states & (1u << t->state)))
		return false;
	if (r->bc != NULL && !ns_nl_bc_run(r->bc, r->bc_len, t))
		return false;
	at = ns_nl_msg_begin(b, r, SOCK_DIAG_BY_FAMILY, sizeof(*m));
	m = ns_nl_fixed(b, at);
	if (m == NULL)
		return false;
	m->idiag_family = AF_INET;
	m->idiag_state = t->state;
	m->idiag_timer = t->unacked ? 1 : 0; /* 1: retransmission timer */
	m->idiag_retrans = t->retransmits;
	m->id.idiag_sport = NS_BE16(t->sport); /* network order in the message */
	m->id.idiag_dport = NS_BE16(t->dport);
	m->id.idiag_src[0] = t->saddr;
	m->id.idiag_dst[0] = t->daddr;
	m->id.idiag_if = (uint32_t)t->ifindex;
	m->id.idiag_cookie[0] = (uint32_t)t->cookie;
	m->id.idiag_cookie[1] = (uint32_t)(t->cookie >> 32);
	m->idiag_expires = t->unacked ? t->rto_us / 1000 : 0;
	m->idiag_rqueue = t->rqueue;
	m->idiag_wqueue = t->wqueue;
	if (r->ext & (1u << (INET_DIAG_INFO - 1))) {
		struct tcp_info ti;

		memset(&ti, 0, sizeof(ti));
		ti.tcpi_state = t->state;
		ti.tcpi_ca_state = t->ca_state;
		ti.tcpi_retransmits = t->retransmits;
		ti.tcpi_backoff = t->backoff;
		ti.tcpi_options = t->options;
		ti.tcpi_snd_wscale = t->snd_wscale & 0xf;
		ti.tcpi_rcv_wscale = t->rcv_wscale & 0xf;
		ti.tcpi_rto = t->rto_us;
		ti.tcpi_ato = 40000;
		ti.tcpi_snd_mss = t->snd_mss;
		ti.tcpi_rcv_mss = t->rcv_mss;
		ti.tcpi_unacked = t->unacked;
		ti.tcpi_retrans = t->retrans;
		ti.tcpi_last_data_recv = t->last_data_recv_ms;
		ti.tcpi_last_ack_recv = t->last_ack_recv_ms;
		ti.tcpi_pmtu = t->snd_mss + 52;
		ti.tcpi_rtt = t->rtt_us;
		ti.tcpi_rttvar = t->rttvar_us;
		ti.tcpi_snd_ssthresh = t->snd_ssthresh;
		ti.tcpi_snd_cwnd = t->snd_cwnd;
		ti.tcpi_advmss = t->advmss;
		ti.tcpi_reordering = 3;
		ti.tcpi_rcv_space = t->rcv_wnd;
		ti.tcpi_total_retrans = t->total_retrans;
		ti.tcpi_bytes_acked = t->bytes_acked;
		ti.tcpi_bytes_received = t->bytes_received;
		ti.tcpi_bytes_sent = t->bytes_sent;
		ti.tcpi_segs_out = t->segs_out;
		ti.tcpi_segs_in = t->segs_in;
		ti.tcpi_snd_wnd = t->snd_wnd;
		ns_nl_attr(b, INET_DIAG_INFO, &ti, sizeof(ti));
	}
	if (r->ext & (1u << (INET_DIAG_CONG - 1)))
		ns_nl_attr(b, INET_DIAG_CONG, "newreno", 8);
	ns_nl_msg_end(b, at);
	return true;
}
