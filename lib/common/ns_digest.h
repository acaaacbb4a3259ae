/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Message digests for protocol authentication: MD5 (RFC 1321) and SHA-1
 * (FIPS 180-4), as BFD's keyed MD5/SHA1 (RFC 5880 6.7.3, 6.7.4) need them.
 * Incremental, no allocation, no EAL.  Neither is collision resistant; RFC
 * 5880 uses them as keyed digests over short packets.
 */
#ifndef NS_DIGEST_H
#define NS_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define NS_MD5_LEN  16
#define NS_SHA1_LEN 20

struct ns_md5 {
	uint32_t h[4];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
};

struct ns_sha1 {
	uint32_t h[5];
	uint64_t len;
	uint8_t buf[64];
};

void ns_md5_init(struct ns_md5 *c);
void ns_md5_update(struct ns_md5 *c, const void *data, size_t len);
void ns_md5_final(struct ns_md5 *c, uint8_t out[NS_MD5_LEN]);
void ns_md5(const void *data, size_t len, uint8_t out[NS_MD5_LEN]);

void ns_sha1_init(struct ns_sha1 *c);
void ns_sha1_update(struct ns_sha1 *c, const void *data, size_t len);
void ns_sha1_final(struct ns_sha1 *c, uint8_t out[NS_SHA1_LEN]);
void ns_sha1(const void *data, size_t len, uint8_t out[NS_SHA1_LEN]);

#endif /* NS_DIGEST_H */
