/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HMAC-SHA256 (RFC 2104, FIPS 180-4) for authenticating replication frames,
 * through OpenSSL's libcrypto (SHA-NI where the CPU has it: about 1 GB/s
 * here, where our own SHA-256 would be a few times slower).  The context is
 * made once per key; each MAC re-initializes it without allocating.
 */
#ifndef NS_HMAC_H
#define NS_HMAC_H

#include <stddef.h>
#include <stdint.h>

#define NS_HMAC_SHA256_LEN 32

struct ns_hmac;

/* NULL on failure (no libcrypto provider, empty key). */
struct ns_hmac *ns_hmac_new(const uint8_t *key, size_t key_len);
void ns_hmac_free(struct ns_hmac *h);
/* MAC of the concatenation of two buffers (b may be NULL); out: 32 bytes. */
int ns_hmac_sha256(struct ns_hmac *h, const void *a, size_t alen, const void *b, size_t blen,
		uint8_t out[NS_HMAC_SHA256_LEN]);

#endif /* NS_HMAC_H */
