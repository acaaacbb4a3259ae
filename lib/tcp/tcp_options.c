/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "common/ns_wire.h"
#include "tcp/tcp_options.h"

enum ns_tcpopt_err
ns_tcp_opts_parse(const uint8_t *p, unsigned int len, struct ns_tcp_opts *o)
{
	unsigned int i = 0;

	o->present = 0;
	o->n_sack = 0;
	while (i < len) {
		uint8_t kind = p[i], olen;

		if (kind == NS_TCPOPT_EOL)
			break;
		if (kind == NS_TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return NS_TCPOPT_BAD_LEN;
		olen = p[i + 1];
		if (olen < 2 || i + olen > len)
			return NS_TCPOPT_BAD_LEN;
		switch (kind) {
		case NS_TCPOPT_MSS:
			if (olen != 4)
				return NS_TCPOPT_BAD_SIZE;
			o->mss = ns_get_be16(p + i + 2);
			o->present |= NS_TCPO_MSS;
			break;
		case NS_TCPOPT_WS:
			if (olen != 3)
				return NS_TCPOPT_BAD_SIZE;
			o->wscale = p[i + 2] > NS_TCP_MAX_WSCALE ? NS_TCP_MAX_WSCALE : p[i + 2];
			o->present |= NS_TCPO_WS;
			break;
		case NS_TCPOPT_SACK_OK:
			if (olen != 2)
				return NS_TCPOPT_BAD_SIZE;
			o->present |= NS_TCPO_SACK_OK;
			break;
		case NS_TCPOPT_TS:
			if (olen != 10)
				return NS_TCPOPT_BAD_SIZE;
			o->tsval = ns_get_be32(p + i + 2);
			o->tsecr = ns_get_be32(p + i + 6);
			o->present |= NS_TCPO_TS;
			break;
		case NS_TCPOPT_SACK:
			if (olen < 10 || (olen - 2) % 8 != 0)
				return NS_TCPOPT_BAD_SIZE;
			for (unsigned int b = 0; b < (olen - 2u) / 8 && o->n_sack < NS_TCP_MAX_SACK;
					b++) {
				o->sack[o->n_sack].left = ns_get_be32(p + i + 2 + 8 * b);
				o->sack[o->n_sack].right = ns_get_be32(p + i + 6 + 8 * b);
				o->n_sack++;
			}
			o->present |= NS_TCPO_SACK;
			break;
		default:
			break; /* unknown: skipped by its length */
		}
		i += olen;
	}
	return NS_TCPOPT_OK;
}

unsigned int
ns_tcp_opts_write(const struct ns_tcp_opts *o, uint8_t *buf)
{
	unsigned int n = 0;

	if (o->present & NS_TCPO_MSS) {
		buf[n++] = NS_TCPOPT_MSS;
		buf[n++] = 4;
		ns_put_be16(buf + n, o->mss);
		n += 2;
	}
	if (o->present & NS_TCPO_SACK_OK) {
		if (o->present & NS_TCPO_TS) {
			/* SACK-permitted + timestamps share 12 bytes, as Linux sends them */
			buf[n++] = NS_TCPOPT_SACK_OK;
			buf[n++] = 2;
		} else {
			buf[n++] = NS_TCPOPT_NOP;
			buf[n++] = NS_TCPOPT_NOP;
			buf[n++] = NS_TCPOPT_SACK_OK;
			buf[n++] = 2;
		}
	} else if (o->present & NS_TCPO_TS) {
		buf[n++] = NS_TCPOPT_NOP;
		buf[n++] = NS_TCPOPT_NOP;
	}
	if (o->present & NS_TCPO_TS) {
		buf[n++] = NS_TCPOPT_TS;
		buf[n++] = 10;
		ns_put_be32(buf + n, o->tsval);
		ns_put_be32(buf + n + 4, o->tsecr);
		n += 8;
	}
	if (o->present & NS_TCPO_WS) {
		buf[n++] = NS_TCPOPT_NOP;
		buf[n++] = NS_TCPOPT_WS;
		buf[n++] = 3;
		buf[n++] = o->wscale > NS_TCP_MAX_WSCALE ? NS_TCP_MAX_WSCALE : o->wscale;
	}
	if ((o->present & NS_TCPO_SACK) && o->n_sack > 0) {
		unsigned int room = (NS_TCP_OPT_SPACE - n - 4) / 8, nb = o->n_sack;

		if (nb > room)
			nb = room;
		if (nb > 0) {
			buf[n++] = NS_TCPOPT_NOP;
			buf[n++] = NS_TCPOPT_NOP;
			buf[n++] = NS_TCPOPT_SACK;
			buf[n++] = (uint8_t)(2 + 8 * nb);
			for (unsigned int b = 0; b < nb; b++) {
				ns_put_be32(buf + n, o->sack[b].left);
				ns_put_be32(buf + n + 4, o->sack[b].right);
				n += 8;
			}
		}
	}
	return n;
}
