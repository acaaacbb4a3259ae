/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "common/ns_hmac.h"

struct ns_hmac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
};

struct ns_hmac *
ns_hmac_new(const uint8_t *key, size_t key_len)
{
	struct ns_hmac *h = calloc(1, sizeof(*h));
	OSSL_PARAM params[2];

	if (h == NULL || key_len == 0)
		goto fail;
	h->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (h->mac == NULL)
		goto fail;
	h->ctx = EVP_MAC_CTX_new(h->mac);
	if (h->ctx == NULL)
		goto fail;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(h->ctx, key, key_len, params))
		goto fail;
	return h;
fail:
	ns_hmac_free(h);
	return NULL;
}

void
ns_hmac_free(struct ns_hmac *h)
{
	if (h == NULL)
		return;
	EVP_MAC_CTX_free(h->ctx);
	EVP_MAC_free(h->mac);
	free(h);
}

int
ns_hmac_sha256(struct ns_hmac *h, const void *a, size_t alen, const void *b, size_t blen,
		uint8_t out[NS_HMAC_SHA256_LEN])
{
	size_t n = 0;

	/* NULL key: the one given at creation is used again. */
	if (!EVP_MAC_init(h->ctx, NULL, 0, NULL) || !EVP_MAC_update(h->ctx, a, alen) ||
			(b != NULL && !EVP_MAC_update(h->ctx, b, blen)) ||
			!EVP_MAC_final(h->ctx, out, &n, NS_HMAC_SHA256_LEN) ||
			n != NS_HMAC_SHA256_LEN)
		return -1;
	return 0;
}
