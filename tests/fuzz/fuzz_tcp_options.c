/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: TCP option parsing.  Property: whatever parses, written
 * back with ns_tcp_opts_write and parsed again, yields the same MSS, window
 * scale, timestamps and SACK-permitted, and SACK blocks up to what fits.
 */
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_tcp_opts a, b;
	uint8_t buf[NS_TCP_OPT_SPACE];
	unsigned int n;

	if (size > NS_TCP_OPT_SPACE)
		return -1; /* a TCP header carries at most 40 bytes of options */
	if (ns_tcp_opts_parse(data, (unsigned int)size, &a) != NS_TCPOPT_OK)
		return 0;
	n = ns_tcp_opts_write(&a, buf);
	if (n > NS_TCP_OPT_SPACE || n % 4 != 0)
		abort();
	if (ns_tcp_opts_parse(buf, n, &b) != NS_TCPOPT_OK)
		abort();
	if ((a.present & ~NS_TCPO_SACK) != (b.present & ~NS_TCPO_SACK))
		abort();
	if ((a.present & NS_TCPO_MSS) && a.mss != b.mss)
		abort();
	if ((a.present & NS_TCPO_WS) && a.wscale != b.wscale)
		abort();
	if ((a.present & NS_TCPO_TS) && (a.tsval != b.tsval || a.tsecr != b.tsecr))
		abort();
	for (unsigned int i = 0; i < b.n_sack; i++)
		if (b.sack[i].left != a.sack[i].left || b.sack[i].right != a.sack[i].right)
			abort();
	return 0;
}
