/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A packetdrill-syntax interpreter for the TCP core, on a virtual clock and
 * without EAL: each script runs against a fresh ns_tcp_stack (local
 * 192.0.2.1, listening or connecting on port 8080; the script plays the
 * remote 192.0.2.2:50000).  '<' lines are injected, '>' lines must be what
 * the stack sends, at that time within the tolerance; system-call lines
 * drive the API.  The syntax and the extensions are in README.md.
 *
 *   pktdrill [--tolerance_usecs=N] [--expect-fail] SCRIPT...
 * Exit 0 when every script passes (with --expect-fail: when every one fails,
 * with the message its '// error: TEXT' line names).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_internal.h"

#define LOCAL_IP    RTE_BE32(0xC0000201) /* 192.0.2.1 */
#define REMOTE_IP   RTE_BE32(0xC0000202) /* 192.0.2.2 */
#define LOCAL_PORT  8080
#define REMOTE_PORT 50000
#define REMOTE_ISN  1000000u /* absolute ISN of the script's side */
#define T0_NS	    1000000000ull
#define MAX_OUT	    256
#define MAX_FD	    16

struct out_pkt {
	uint8_t buf[2048];
	uint16_t len;
	uint64_t t; /* when the stack sent it */
};

/* One parsed TCP segment line. */
struct seg_spec {
	uint8_t flags;
	uint32_t seq, end, len;
	bool has_ack, has_win, any_opts;
	uint32_t ack, win;
	struct ns_tcp_opts opt;
	bool has_nop_eol_only;
};

struct run {
	const char *file;
	int line;
	struct ns_tcp_stack s;
	struct ns_tcp_cfg cfg;
	bool started;
	uint64_t now;	 /* virtual clock, ns */
	uint64_t last_t; /* the previous line's time, ns (script-relative) */
	struct out_pkt out[MAX_OUT];
	unsigned int out_head, out_tail;
	bool have_local_isn;
	uint32_t local_isn;
	uint32_t last_tsval; /* the stack's most recent TSval (inbound ecr maps to it) */
	uint16_t local_port, remote_port; /* host order */
	struct ns_tcb *fd[MAX_FD];
	bool fd_listen[MAX_FD];
	struct ns_tcb *accept_q[64];
	unsigned int n_accept;
	bool nodelay;
	bool active;	   /* connect() was called: the script's side is the listener */
	uint32_t peer_mss; /* the MSS the script's SYN or SYN-ACK announced (536 without one) */
	char too_big[160]; /* the first segment the stack sent that did not fit the MSS */
	bool peer_syn;	   /* the script sent its SYN or SYN-ACK */
	bool peer_ws;	   /* the script's SYN or SYN-ACK offered window scaling */
	int stack_ws;	   /* the scale the stack's SYN or SYN-ACK offered (-1: none) */
	bool have_edge;
	uint32_t edge;	   /* the furthest right edge the stack advertised (absolute) */
	char retreat[160]; /* the first segment whose right edge lay left of an earlier one */
	uint64_t tol_ns;
	char err[512];
	char want_err[128]; /* '// error: TEXT' in a negative script */
};

static struct run R;

static int
fail(const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(R.err, sizeof(R.err), "%s:%d: ", R.file, R.line);

	va_start(ap, fmt);
	vsnprintf(R.err + n, sizeof(R.err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- the stack's side ---------------------------------------------------- */

static uint8_t *
p_alloc(void *user, uint16_t len, void **handle)
{
	struct out_pkt *o;

	(void)user;
	if (R.out_tail - R.out_head >= MAX_OUT || len > sizeof(o->buf))
		return NULL;
	o = &R.out[R.out_tail % MAX_OUT];
	*handle = o;
	return o->buf;
}

static void
p_xmit(void *user, void *handle, uint16_t len)
{
	struct out_pkt *o = handle;
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(o->buf + 20);

	(void)user;
	if ((th->tcp_flags & RTE_TCP_SYN_FLAG) && !R.have_local_isn) {
		/* The stack's ISN: its sequence numbers are relative to it. */
		R.local_isn = rte_be_to_cpu_32(th->sent_seq);
		R.have_local_isn = true;
		R.local_port = rte_be_to_cpu_16(th->src_port);
	}
	{
		struct ns_tcp_opts op;
		unsigned int olen = (unsigned int)((th->data_off >> 4) * 4 - 20);

		if (ns_tcp_opts_parse((const uint8_t *)(th + 1), olen, &op) == NS_TCPOPT_OK) {
			if (op.present & NS_TCPO_TS)
				R.last_tsval = op.tsval;
			if (th->tcp_flags & RTE_TCP_SYN_FLAG)
				R.stack_ws = (op.present & NS_TCPO_WS) ? op.wscale : -1;
		}
	}
	/* RFC 7323 2.4, RFC 9293 3.8.6.2.1: the right edge the stack offers
	 * (ACK + window, scaled once both sides offered scaling; a SYN's
	 * window never is) does not move left. */
	if ((th->tcp_flags & RTE_TCP_ACK_FLAG) && !(th->tcp_flags & RTE_TCP_RST_FLAG) &&
			R.retreat[0] == '\0') {
		int sc = (th->tcp_flags & RTE_TCP_SYN_FLAG) || !R.peer_ws || R.stack_ws < 0
					 ? 0
					 : R.stack_ws;
		uint32_t edge = rte_be_to_cpu_32(th->recv_ack) +
				((uint32_t)rte_be_to_cpu_16(th->rx_win) << sc);

		if (R.have_edge && ns_seq_lt(edge, R.edge))
			snprintf(R.retreat, sizeof(R.retreat),
					"the stack's right edge moved left by %u bytes at %.6f s "
					"(ack %u win %u)",
					R.edge - edge, (R.s.now - T0_NS) / 1e9,
					rte_be_to_cpu_32(th->recv_ack) - REMOTE_ISN,
					rte_be_to_cpu_16(th->rx_win));
		if (!R.have_edge || ns_seq_gt(edge, R.edge))
			R.edge = edge;
		R.have_edge = true;
	}
	/* RFC 9293 3.7.1: a segment's options and data together fit the effective
	 * MSS, the smaller of the peer's and our own (RFC 6691: the MSS counts
	 * neither the IP nor the TCP header, options are taken out of it). */
	if (!(th->tcp_flags & RTE_TCP_SYN_FLAG) && R.peer_mss != 0 && R.too_big[0] == '\0') {
		uint32_t olen = (uint32_t)((th->data_off >> 4) * 4 - 20);
		uint32_t payload = len - 40u - olen;
		uint32_t mss = RTE_MIN(R.peer_mss, (uint32_t)R.cfg.mss);

		if (olen + payload > mss)
			snprintf(R.too_big, sizeof(R.too_big),
					"the stack sent %u bytes of data and %u of options at %.6f "
					"s "
					"(IP length %u): more than the MSS %u",
					payload, olen, (R.s.now - T0_NS) / 1e9, len, mss);
	}
	o->len = len;
	o->t = R.s.now;
	R.out_tail++;
}

static void
p_event(void *user, struct ns_tcb *c, enum ns_tcp_event ev)
{
	(void)user;
	if (ev == NS_TCPE_ACCEPTED && R.n_accept < 64) {
		R.accept_q[R.n_accept++] = c;
		if (R.nodelay)
			c->flags |= NS_TCBF_NODELAY;
	}
	if (ev == NS_TCPE_CLOSED)
		for (int i = 0; i < MAX_FD; i++)
			if (R.fd[i] == c)
				R.fd[i] = NULL;
}

static const struct ns_tcp_ops ops = {p_alloc, p_xmit, p_event, NULL};

static int
start_stack(void)
{
	if (R.started)
		return 0;
	for (int i = 0; i < 16; i++)
		R.cfg.isn_key[i] = (uint8_t)(0x11 * i);
	if (ns_tcp_init(&R.s, &R.cfg, &ops, NULL, R.now) != 0)
		return fail("ns_tcp_init failed (check %%cfg values)");
	R.started = true;
	return 0;
}

/* Run timers up to t (1 ms steps, so timer output carries its own time). */
static void
advance(uint64_t t)
{
	while (R.now < t) {
		R.now = RTE_MIN(t, (R.now / 1000000 + 1) * 1000000);
		ns_tcp_timers(&R.s, R.now);
	}
}

/* --- lexing helpers ------------------------------------------------------ */

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool
eat(const char **p, const char *word)
{
	const char *q = skip_ws(*p);
	size_t n = strlen(word);

	if (strncmp(q, word, n) != 0)
		return false;
	*p = q + n;
	return true;
}

static int
num(const char **p, uint64_t *v)
{
	const char *q = skip_ws(*p);
	char *end;

	if (!isdigit((unsigned char)*q))
		return fail("number expected at '%.20s'", q);
	errno = 0;
	*v = strtoull(q, &end, 10);
	if (errno != 0)
		return fail("number out of range at '%.20s'", q);
	*p = end;
	return 0;
}

/* Seconds with optional fraction -> ns. */
static int
seconds(const char **p, uint64_t *ns)
{
	const char *q = skip_ws(*p);
	char *end;
	double d;

	if (!isdigit((unsigned char)*q) && *q != '.')
		return fail("time expected at '%.20s'", q);
	d = strtod(q, &end);
	if (d < 0 || d > 100000)
		return fail("time out of range");
	*ns = (uint64_t)(d * 1e9 + 0.5);
	*p = end;
	return 0;
}

/* --- segment lines --------------------------------------------------------- */

static int
parse_opts(const char **pp, struct seg_spec *g)
{
	const char *p = skip_ws(*pp);

	if (strncmp(p, "<...>", 5) == 0) {
		g->any_opts = true;
		*pp = p + 5;
		return 0;
	}
	p++; /* '<' */
	for (;;) {
		uint64_t a, b;

		p = skip_ws(p);
		if (*p == '>') {
			*pp = p + 1;
			return 0;
		}
		if (eat(&p, "mss")) {
			if (num(&p, &a) < 0 || a > 65535)
				return fail("bad mss");
			g->opt.present |= NS_TCPO_MSS;
			g->opt.mss = (uint16_t)a;
		} else if (eat(&p, "sackOK")) {
			g->opt.present |= NS_TCPO_SACK_OK;
		} else if (eat(&p, "nop") || eat(&p, "eol")) {
			/* padding: not compared */
		} else if (eat(&p, "wscale")) {
			if (num(&p, &a) < 0 || a > 14)
				return fail("bad wscale");
			g->opt.present |= NS_TCPO_WS;
			g->opt.wscale = (uint8_t)a;
		} else if (eat(&p, "TS")) {
			if (!eat(&p, "val") || num(&p, &a) < 0 || !eat(&p, "ecr") ||
					num(&p, &b) < 0)
				return fail("TS val N ecr N expected");
			g->opt.present |= NS_TCPO_TS;
			g->opt.tsval = (uint32_t)a;
			g->opt.tsecr = (uint32_t)b;
		} else if (eat(&p, "sack")) {
			g->opt.present |= NS_TCPO_SACK;
			while (g->opt.n_sack < 4) {
				const char *q = skip_ws(p);

				if (!isdigit((unsigned char)*q))
					break;
				p = q;
				if (num(&p, &a) < 0 || !eat(&p, ":") || num(&p, &b) < 0)
					return fail("sack A:B expected");
				g->opt.sack[g->opt.n_sack].left = (uint32_t)a;
				g->opt.sack[g->opt.n_sack].right = (uint32_t)b;
				g->opt.n_sack++;
			}
		} else {
			return fail("unknown TCP option at '%.20s'", p);
		}
		p = skip_ws(p);
		if (*p == ',')
			p++;
		else if (*p != '>')
			return fail("',' or '>' expected in options at '%.20s'", p);
	}
}

static int
parse_segment(const char *p, struct seg_spec *g)
{
	uint64_t a, b, l;

	memset(g, 0, sizeof(*g));
	p = skip_ws(p);
	while (*p != '\0' && *p != ' ' && *p != '\t') {
		switch (*p) {
		case 'S':
			g->flags |= RTE_TCP_SYN_FLAG;
			break;
		case 'F':
			g->flags |= RTE_TCP_FIN_FLAG;
			break;
		case 'R':
			g->flags |= RTE_TCP_RST_FLAG;
			break;
		case 'P':
			g->flags |= RTE_TCP_PSH_FLAG;
			break;
		case '.':
			g->flags |= RTE_TCP_ACK_FLAG;
			break;
		default:
			return fail("unknown TCP flag '%c'", *p);
		}
		p++;
	}
	if (num(&p, &a) < 0 || !eat(&p, ":") || num(&p, &b) < 0 || !eat(&p, "(") ||
			num(&p, &l) < 0 || !eat(&p, ")"))
		return fail("SEQ:END(LEN) expected");
	if (b - a != l || l > 1960)
		return fail("END - SEQ must equal LEN (at most 1960)");
	g->seq = (uint32_t)a;
	g->end = (uint32_t)b;
	g->len = (uint32_t)l;
	for (;;) {
		p = skip_ws(p);
		if (*p == '\0')
			return 0;
		if (eat(&p, "ack")) {
			if (num(&p, &a) < 0)
				return -1;
			g->has_ack = true;
			g->ack = (uint32_t)a;
		} else if (eat(&p, "win")) {
			if (num(&p, &a) < 0 || a > 65535)
				return fail("bad win");
			g->has_win = true;
			g->win = (uint32_t)a;
		} else if (*p == '<') {
			if (parse_opts(&p, g) < 0)
				return -1;
		} else {
			return fail("unexpected '%.20s'", p);
		}
	}
}

static int
inject(const struct seg_spec *g)
{
	uint8_t pkt[2048];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	struct ns_tcp_opts o = g->opt;
	unsigned int olen;
	uint16_t tot;

	if ((g->flags & RTE_TCP_ACK_FLAG) && !R.have_local_isn)
		return fail("an ACK before the stack sent its SYN: nothing to acknowledge");
	if (!g->has_ack && (g->flags & RTE_TCP_ACK_FLAG))
		return fail("'.' flag without 'ack N'");
	/* The script cannot know the stack's TSvals: a non-zero ecr echoes the
	 * latest one, as a peer would. */
	if ((o.present & NS_TCPO_TS) && o.tsecr != 0)
		o.tsecr = R.last_tsval;
	if ((g->flags & RTE_TCP_SYN_FLAG) && !R.peer_syn) { /* the handshake's, not a later one */
		R.peer_syn = true;
		R.peer_mss = (o.present & NS_TCPO_MSS) ? o.mss : 536;
		R.peer_ws = (o.present & NS_TCPO_WS) != 0;
	}
	for (unsigned int i = 0; i < o.n_sack; i++) { /* relative to our ISN */
		o.sack[i].left += R.local_isn;
		o.sack[i].right += R.local_isn;
	}
	memset(pkt, 0, 60);
	olen = ns_tcp_opts_write(&o, (uint8_t *)(th + 1));
	tot = (uint16_t)(20 + 20 + olen + g->len);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(tot);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = REMOTE_IP;
	ip->dst_addr = LOCAL_IP;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->src_port = rte_cpu_to_be_16(R.remote_port);
	th->dst_port = rte_cpu_to_be_16(R.local_port);
	th->sent_seq = rte_cpu_to_be_32(REMOTE_ISN + g->seq);
	th->recv_ack = rte_cpu_to_be_32(g->has_ack ? R.local_isn + g->ack : 0);
	th->data_off = (uint8_t)(((20 + olen) / 4) << 4);
	th->tcp_flags = g->flags;
	th->rx_win = rte_cpu_to_be_16((uint16_t)(g->has_win ? g->win : 65535));
	for (uint32_t i = 0; i < g->len; i++)
		((uint8_t *)(th + 1))[olen + i] = (uint8_t)('a' + i % 26);
	th->cksum = ns_ipv4_l4_cksum(ip, th);
	ns_tcp_input(&R.s, pkt, tot, R.now);
	return 0;
}

static const char *
flag_str(uint8_t f, char *b)
{
	char *p = b;

	if (f & RTE_TCP_SYN_FLAG)
		*p++ = 'S';
	if (f & RTE_TCP_FIN_FLAG)
		*p++ = 'F';
	if (f & RTE_TCP_RST_FLAG)
		*p++ = 'R';
	if (f & RTE_TCP_PSH_FLAG)
		*p++ = 'P';
	if (f & RTE_TCP_ACK_FLAG)
		*p++ = '.';
	*p = '\0';
	return b;
}

/* Compare the next packet the stack sent with the expectation. */
static int
expect(const struct seg_spec *g, uint64_t t)
{
	const struct out_pkt *o;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	struct ns_tcp_opts got;
	uint32_t seq, ack, len, olen;
	char fa[8], fb[8];

	while (R.out_head == R.out_tail && R.now < t + R.tol_ns)
		advance(R.now + 1000000);
	if (R.out_head == R.out_tail)
		return fail("expected %s %u:%u(%u) at %.3f s: nothing sent", flag_str(g->flags, fa),
				g->seq, g->end, g->len, (t - T0_NS) / 1e9);
	/* A segment above the MSS, or an edge moved left, says more than a
	 * mismatch of the segment that shows it. */
	if (R.too_big[0] != '\0')
		return fail("%s", R.too_big);
	if (R.retreat[0] != '\0')
		return fail("%s", R.retreat);
	o = &R.out[R.out_head % MAX_OUT];
	ip = (const struct rte_ipv4_hdr *)o->buf;
	th = (const struct rte_tcp_hdr *)(ip + 1);
	olen = (uint32_t)((th->data_off >> 4) * 4 - 20);
	len = o->len - 40 - olen;
	seq = rte_be_to_cpu_32(th->sent_seq) - R.local_isn;
	ack = rte_be_to_cpu_32(th->recv_ack) - REMOTE_ISN;
	if (ns_tcp_opts_parse((const uint8_t *)(th + 1), olen, &got) != NS_TCPOPT_OK)
		return fail("the stack sent malformed options");
	if (ns_ipv4_l4_cksum_verify(ip, th) != 0)
		return fail("the stack sent a bad TCP checksum");
	if (th->tcp_flags != g->flags || seq != g->seq || len != g->len)
		return fail("expected %s %u:%u(%u), got %s %u:%u(%u) at %.3f s",
				flag_str(g->flags, fa), g->seq, g->end, g->len,
				flag_str(th->tcp_flags, fb), seq, seq + len, len,
				(o->t - T0_NS) / 1e9);
	if (g->has_ack && ack != g->ack)
		return fail("expected ack %u, got ack %u", g->ack, ack);
	if (g->has_win && rte_be_to_cpu_16(th->rx_win) != g->win)
		return fail("expected win %u, got win %u", g->win, rte_be_to_cpu_16(th->rx_win));
	if (!g->any_opts) {
		uint32_t want = g->opt.present, have = got.present;

		if (want != have)
			return fail("expected options 0x%x, got 0x%x (mss/ws/sackOK/ts/sack bits)",
					want, have);
		if ((want & NS_TCPO_MSS) && got.mss != g->opt.mss)
			return fail("expected mss %u, got %u", g->opt.mss, got.mss);
		if ((want & NS_TCPO_WS) && got.wscale != g->opt.wscale)
			return fail("expected wscale %u, got %u", g->opt.wscale, got.wscale);
		if ((want & NS_TCPO_TS) && got.tsecr != g->opt.tsecr)
			return fail("expected TS ecr %u, got %u", g->opt.tsecr, got.tsecr);
		if (want & NS_TCPO_SACK) {
			if (got.n_sack != g->opt.n_sack)
				return fail("expected %u SACK blocks, got %u", g->opt.n_sack,
						got.n_sack);
			for (unsigned int i = 0; i < got.n_sack; i++)
				if (got.sack[i].left - REMOTE_ISN != g->opt.sack[i].left ||
						got.sack[i].right - REMOTE_ISN !=
								g->opt.sack[i].right)
					return fail("SACK block %u: expected %u:%u, got %u:%u", i,
							g->opt.sack[i].left, g->opt.sack[i].right,
							got.sack[i].left - REMOTE_ISN,
							got.sack[i].right - REMOTE_ISN);
		}
	}
	if (o->t + R.tol_ns < t || o->t > t + R.tol_ns)
		return fail("%s %u:%u(%u) sent at %.6f s, expected at %.6f s (+-%.3f ms)",
				flag_str(g->flags, fa), g->seq, g->end, g->len,
				(o->t - T0_NS) / 1e9, (t - T0_NS) / 1e9, R.tol_ns / 1e6);
	R.out_head++;
	return 0;
}

/* Nothing may have been sent before t - tolerance that the script did not expect. */
static int
no_unexpected(uint64_t t)
{
	if (R.out_head != R.out_tail && R.out[R.out_head % MAX_OUT].t + R.tol_ns < t) {
		const struct out_pkt *o = &R.out[R.out_head % MAX_OUT];
		const struct rte_tcp_hdr *th = (const void *)(o->buf + 20);
		uint32_t olen = (uint32_t)((th->data_off >> 4) * 4 - 20), len = o->len - 40 - olen;
		uint32_t seq = rte_be_to_cpu_32(th->sent_seq) - R.local_isn;
		char f[8];

		return fail("unexpected packet sent at %.6f s: %s %u:%u(%u) ack %u",
				(o->t - T0_NS) / 1e9, flag_str(th->tcp_flags, f), seq, seq + len,
				len, rte_be_to_cpu_32(th->recv_ack) - REMOTE_ISN);
	}
	return 0;
}

/* --- system calls ---------------------------------------------------------- */

static int
fd_arg(const char **p, int *fd)
{
	uint64_t v;

	if (!eat(p, "(") || num(p, &v) < 0 || v >= MAX_FD)
		return fail("(FD expected");
	*fd = (int)v;
	return 0;
}

/* The text after '=': a number (maybe negative) and an optional errno name. */
static int
ret_val(const char *p, long *ret)
{
	const char *q = strchr(p, '=');
	char *end;

	if (q == NULL)
		return fail("'= RESULT' expected");
	*ret = strtol(q + 1, &end, 10);
	if (end == q + 1)
		return fail("result number expected after '='");
	return 0;
}

static int
syscall_line(const char *p)
{
	long ret = 0;
	int fd;
	uint64_t n;

	if (ret_val(p, &ret) < 0)
		return -1;
	if (eat(&p, "socket")) {
		if (ret < 3 || ret >= MAX_FD)
			return fail("socket() result must be 3..%d", MAX_FD - 1);
		return 0;
	}
	if (eat(&p, "setsockopt") || eat(&p, "fcntl") || eat(&p, "bind") || eat(&p, "getsockopt")) {
		if (strstr(p, "TCP_NODELAY") != NULL)
			R.nodelay = true;
		return ret == 0 || ret == 1 ? 0 : fail("only '= 0' is supported here");
	}
	if (eat(&p, "listen")) {
		if (fd_arg(&p, &fd) < 0)
			return -1;
		if (start_stack() < 0)
			return -1;
		if (ns_tcp_listen(&R.s, LOCAL_IP, LOCAL_PORT, &R) < 0)
			return fail("ns_tcp_listen failed");
		R.fd_listen[fd] = true;
		return ret == 0 ? 0 : fail("listen() returns 0 here");
	}
	if (eat(&p, "accept")) {
		if (fd_arg(&p, &fd) < 0)
			return -1;
		if (ret < 0)
			return R.n_accept == 0 ? 0
					       : fail("accept() = -1 expected, but one is ready");
		if (R.n_accept == 0)
			return fail("accept(): no connection was accepted");
		if (ret >= MAX_FD)
			return fail("fd out of range");
		R.fd[ret] = R.accept_q[0];
		memmove(R.accept_q, R.accept_q + 1, --R.n_accept * sizeof(R.accept_q[0]));
		return 0;
	}
	if (eat(&p, "connect")) {
		struct ns_tcb *c;

		if (fd_arg(&p, &fd) < 0 || start_stack() < 0)
			return -1;
		R.remote_port = LOCAL_PORT; /* the script's side listens on 8080 */
		R.active = true;
		c = ns_tcp_connect(&R.s, LOCAL_IP, REMOTE_IP, LOCAL_PORT, 0, &R, R.now);
		if (c == NULL)
			return fail("ns_tcp_connect failed");
		if (R.nodelay)
			c->flags |= NS_TCBF_NODELAY;
		R.fd[fd] = c;
		R.local_port = rte_be_to_cpu_16(c->t.lport);
		return ret == -1 && strstr(p, "EINPROGRESS")
				       ? 0
				       : fail("connect() = -1 EINPROGRESS expected");
	}
	if (eat(&p, "write") || eat(&p, "send")) {
		static uint8_t data[1 << 20];
		uint32_t got;
		const char *q;

		if (fd_arg(&p, &fd) < 0)
			return -1;
		q = strrchr(p, ',');
		if (q == NULL || (q++, num(&q, &n) < 0) || n > sizeof(data))
			return fail("write(FD, ..., N) expected");
		if (R.fd[fd] == NULL)
			return fail("write on fd %d: no connection", fd);
		memset(data, 'x', n);
		got = ns_tcp_send(&R.s, R.fd[fd], data, (uint32_t)n, R.now);
		return (long)got == ret ? 0 : fail("write returned %u, expected %ld", got, ret);
	}
	if (eat(&p, "read") || eat(&p, "recv")) {
		static uint8_t data[1 << 20];
		uint32_t got;
		const char *q;

		if (fd_arg(&p, &fd) < 0)
			return -1;
		q = strrchr(p, ',');
		if (q == NULL || (q++, num(&q, &n) < 0) || n > sizeof(data))
			return fail("read(FD, ..., N) expected");
		if (R.fd[fd] == NULL)
			return fail("read on fd %d: no connection", fd);
		got = ns_tcp_recv(&R.s, R.fd[fd], data, (uint32_t)n, R.now);
		if (ret < 0)
			return got == 0 ? 0 : fail("read returned %u, expected %ld", got, ret);
		return (long)got == ret ? 0 : fail("read returned %u, expected %ld", got, ret);
	}
	if (eat(&p, "close") || eat(&p, "shutdown")) {
		if (fd_arg(&p, &fd) < 0)
			return -1;
		if (R.fd_listen[fd]) {
			R.fd_listen[fd] = false;
			return 0;
		}
		if (R.fd[fd] != NULL)
			ns_tcp_close(&R.s, R.fd[fd], R.now);
		return ret == 0 ? 0 : fail("close() returns 0 here");
	}
	return fail("unsupported system call '%.30s'", p);
}

/* --- nonstop extensions ---------------------------------------------------- */

static int
cfg_line(const char *p)
{
	while (*(p = skip_ws(p)) != '\0') {
		char key[32];
		uint64_t v;
		int k = 0;

		while (*p && *p != '=' && k < 31)
			key[k++] = *p++;
		key[k] = '\0';
		if (*p++ != '=' || num(&p, &v) < 0)
			return fail("%%cfg key=value expected");
#define KEY(name, field)                              \
	if (strcmp(key, name) == 0) {                 \
		R.cfg.field = (typeof(R.cfg.field))v; \
		continue;                             \
	}
		KEY("mss", mss);
		KEY("wscale", wscale);
		KEY("ts", ts);
		KEY("sack", sack);
		KEY("ws", ws);
		KEY("rto_min_ms", rto_min_ms);
		KEY("rto_init_ms", rto_init_ms);
		KEY("rto_max_ms", rto_max_ms);
		KEY("max_retries", max_retries);
		KEY("delack_ms", delack_ms);
		KEY("time_wait_ms", time_wait_ms);
		KEY("sndbuf", sndbuf);
		KEY("rcvbuf", rcvbuf);
		KEY("syn_backlog", syn_backlog);
		KEY("syncookies", syncookies);
		KEY("synack_retries", synack_retries);
		KEY("keepalive_idle_ms", keepalive_idle_ms);
		KEY("keepalive_intvl_ms", keepalive_intvl_ms);
		KEY("keepalive_cnt", keepalive_cnt);
		KEY("oow_ack_interval_ms", oow_ack_interval_ms);
#undef KEY
		if (strcmp(key, "nodelay") == 0) {
			R.nodelay = v != 0;
			continue;
		}
		return fail("unknown %%cfg key '%s'", key);
	}
	if (R.started)
		return fail("%%cfg after the stack started");
	return 0;
}

static int
counter_line(const char *p)
{
	char name[64], op[3];
	unsigned long long v;

	if (sscanf(p, " %63s %2s %llu", name, op, &v) != 3)
		return fail("%%counter NAME ==|>=|<= N expected");
	for (int i = 0; i < NS_TCP_C__MAX; i++) {
		uint64_t have;

		if (strcmp(ns_tcp_ctr_desc[i].name, name) != 0)
			continue;
		have = R.started ? R.s.ctr[i] : 0;
		if ((!strcmp(op, "==") && have == v) || (!strcmp(op, ">=") && have >= v) ||
				(!strcmp(op, "<=") && have <= v))
			return 0;
		return fail("counter %s is %llu, expected %s %llu", name, (unsigned long long)have,
				op, v);
	}
	return fail("unknown counter '%s'", name);
}

static int
state_line(const char *p)
{
	char want[32];
	struct ns_tcp_tuple t = {LOCAL_IP, REMOTE_IP, rte_cpu_to_be_16(R.local_port),
			rte_cpu_to_be_16(R.remote_port)};
	struct ns_tcb *c = R.started ? ns_tcp_lookup(&R.s, &t) : NULL;
	const char *have = c ? ns_tcp_state_name(c->state) : "CLOSED";

	if (sscanf(p, " %31s", want) != 1)
		return fail("%%state NAME expected");
	return strcmp(want, have) == 0 ? 0 : fail("state %s, expected %s", have, want);
}

/* --- the script ------------------------------------------------------------ */

static int ext_line(const char *p);

static int
run_line(char *line)
{
	const char *p = skip_ws(line);
	uint64_t t, t_hi = 0;
	bool rel = false, any = false;
	struct seg_spec g;

	if (strncmp(p, "// error: ", 10) == 0)
		snprintf(R.want_err, sizeof(R.want_err), "%s", p + 10);
	if (*p == '\0' || (p[0] == '/' && p[1] == '/'))
		return 0;
	if (*p == '%')
		return ext_line(p);
	if (*p == '`') {
		fprintf(stderr, "%s:%d: warning: shell command ignored\n", R.file, R.line);
		return 0;
	}
	if (*p == '*') {
		any = true;
		p++;
		t = R.last_t;
	} else {
		if (*p == '+') {
			rel = true;
			p++;
		}
		if (seconds(&p, &t) < 0)
			return -1;
		if (*p == '~') {
			p++;
			if (*p == '+')
				p++;
			if (seconds(&p, &t_hi) < 0)
				return -1;
		}
		if (rel) {
			t += R.last_t;
			if (t_hi)
				t_hi += R.last_t;
		}
	}
	if (!any && t < R.last_t)
		return fail("time goes backwards");
	R.last_t = t;
	t += T0_NS;
	p = skip_ws(p);
	if (*p == '<' || *p == '>') {
		bool in = *p == '<';

		if (parse_segment(p + 1, &g) < 0)
			return -1;
		if (start_stack() < 0)
			return -1;
		if (in) {
			if (!any) {
				if (no_unexpected(t) < 0)
					return -1;
				advance(t);
			}
			if ((g.flags & RTE_TCP_SYN_FLAG) && !(g.flags & RTE_TCP_ACK_FLAG) &&
					!R.active)
				R.remote_port = REMOTE_PORT;
			return inject(&g);
		}
		if (any) /* '*': whenever it comes next */
			return expect(&g, R.out_head != R.out_tail ? R.out[R.out_head % MAX_OUT].t
								   : R.now);
		if (t_hi) { /* a range: anywhere in [t, t_hi] */
			uint64_t mid = (t + t_hi + T0_NS) / 2, save = R.tol_ns;
			int rc;

			R.tol_ns = (t_hi + T0_NS - t) / 2 + save;
			rc = expect(&g, mid);
			R.tol_ns = save;
			return rc;
		}
		return expect(&g, t);
	}
	if (start_stack() < 0)
		return -1;
	if (!any) {
		if (no_unexpected(t) < 0)
			return -1;
		advance(t);
	}
	if (*p == '%') /* an extension at a time: state or counters then */
		return ext_line(p);
	return syscall_line(p);
}

static int
ext_line(const char *p)
{
	if (strncmp(p, "%cfg", 4) == 0)
		return cfg_line(p + 4);
	if (strncmp(p, "%counter", 8) == 0)
		return counter_line(p + 8);
	if (strncmp(p, "%state", 6) == 0)
		return state_line(p + 6);
	return fail("unknown extension '%.20s'", p);
}

static int
run_script(const char *path, uint64_t tol_ns)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int rc = 0;

	if (R.started)
		ns_tcp_fini(&R.s);
	memset(&R, 0, sizeof(R));
	R.file = path;
	R.tol_ns = tol_ns;
	R.now = T0_NS;
	R.remote_port = REMOTE_PORT;
	R.local_port = LOCAL_PORT;
	R.stack_ws = -1;
	ns_tcp_cfg_defaults(&R.cfg);
	R.cfg.max_conns = 8;
	if (f == NULL) {
		snprintf(R.err, sizeof(R.err), "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		R.line++;
		line[strcspn(line, "\r\n")] = '\0';
		rc = run_line(line);
		if (rc == 0 && R.too_big[0] != '\0')
			rc = fail("%s", R.too_big);
		if (rc == 0 && R.retreat[0] != '\0')
			rc = fail("%s", R.retreat);
	}
	fclose(f);
	if (rc == 0 && R.started) {
		/* Whatever the stack sends within the tolerance after the last line must
		 * have been expected. */
		advance(R.last_t + T0_NS + R.tol_ns);
		R.line++;
		rc = no_unexpected(R.now + R.tol_ns + 1);
		if (rc == 0 && R.too_big[0] != '\0')
			rc = fail("%s", R.too_big);
		if (rc == 0 && R.retreat[0] != '\0')
			rc = fail("%s", R.retreat);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	uint64_t tol_ns = 4000000;
	bool expect_fail = false;
	int bad = 0, n = 0;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--tolerance_usecs=", 18) == 0) {
			tol_ns = strtoull(argv[i] + 18, NULL, 10) * 1000;
			continue;
		}
		if (strcmp(argv[i], "--expect-fail") == 0) {
			expect_fail = true;
			continue;
		}
		n++;
		if (run_script(argv[i], tol_ns) == 0) {
			if (expect_fail) {
				printf("FAIL %s: passed, but it must fail\n", argv[i]);
				bad++;
			} else {
				printf("ok   %s\n", argv[i]);
			}
		} else if (expect_fail && R.want_err[0] != '\0' && !strstr(R.err, R.want_err)) {
			printf("FAIL %s: fails, but not with '%s': %s\n", argv[i], R.want_err,
					R.err);
			bad++;
		} else if (expect_fail) {
			printf("ok   %s (fails as it must: %s)\n", argv[i], R.err);
		} else {
			printf("FAIL %s\n", R.err);
			bad++;
		}
	}
	if (R.started)
		ns_tcp_fini(&R.s);
	printf("%d scripts, %d passed, %d failed\n", n, n - bad, bad);
	return bad == 0 && n > 0 ? 0 : 1;
}
