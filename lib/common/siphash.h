/* SPDX-License-Identifier: BSD-3-Clause */
/* SipHash-2-4 (Aumasson & Bernstein): keyed hash for ISNs and SYN cookies. */
#ifndef NS_SIPHASH_H
#define NS_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t ns_siphash24(const uint8_t key[16], const void *data, size_t len);

#endif /* NS_SIPHASH_H */
