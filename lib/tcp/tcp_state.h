/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP connection states (RFC 9293 3.3.2). */
#ifndef NS_TCP_STATE_H
#define NS_TCP_STATE_H

#define NS_TCP_STATES(X)              \
	X(CLOSED, "CLOSED")           \
	X(LISTEN, "LISTEN")           \
	X(SYN_SENT, "SYN-SENT")       \
	X(SYN_RCVD, "SYN-RECEIVED")   \
	X(ESTABLISHED, "ESTABLISHED") \
	X(FIN_WAIT_1, "FIN-WAIT-1")   \
	X(FIN_WAIT_2, "FIN-WAIT-2")   \
	X(CLOSE_WAIT, "CLOSE-WAIT")   \
	X(CLOSING, "CLOSING")         \
	X(LAST_ACK, "LAST-ACK")       \
	X(TIME_WAIT, "TIME-WAIT")

enum ns_tcp_state {
#define X(id, name) NS_TCP_##id,
	NS_TCP_STATES(X)
#undef X
			NS_TCP__NSTATES
};

const char *ns_tcp_state_name(enum ns_tcp_state s);

/* States in which we have received a FIN (nothing more to read). */
static inline int
ns_tcp_fin_received(enum ns_tcp_state s)
{
	return s == NS_TCP_CLOSE_WAIT || s == NS_TCP_CLOSING || s == NS_TCP_LAST_ACK ||
	       s == NS_TCP_TIME_WAIT;
}

/* States in which we have sent (or queued) our FIN. */
static inline int
ns_tcp_fin_sent(enum ns_tcp_state s)
{
	return s == NS_TCP_FIN_WAIT_1 || s == NS_TCP_FIN_WAIT_2 || s == NS_TCP_CLOSING ||
	       s == NS_TCP_LAST_ACK || s == NS_TCP_TIME_WAIT;
}

#endif /* NS_TCP_STATE_H */
