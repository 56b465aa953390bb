#include "chain.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

int chain_key_load(const char *path, struct chain_key *key)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = 0;
	for (;;) {
		/* one byte of room past the limit tells "too long" apart */
		unsigned char extra;
		unsigned char *dst = len < sizeof(key->bytes) ? key->bytes + len : &extra;
		size_t room = len < sizeof(key->bytes) ? sizeof(key->bytes) - len : 1;
		ssize_t n = read(fd, dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > sizeof(key->bytes))
			break;
	}
	close(fd);
	if (len < 16 || len > sizeof(key->bytes)) {
		memset(key, 0, sizeof(*key));
		return -EINVAL;
	}
	key->len = len;
	return 0;
}

static EVP_MD *sha256;
static EVP_MAC *hmac;

static void fetch_once(void)
{
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static pthread_once_t fetched = PTHREAD_ONCE_INIT;

const EVP_MD *chain_sha256(void)
{
	(void)pthread_once(&fetched, fetch_once);
	return sha256;
}

static int hmac_sha256(const struct chain_key *key, const void *data, size_t len,
		       unsigned char out[CHAIN_LEN])
{
	(void)pthread_once(&fetched, fetch_once);
	EVP_MAC_CTX *ctx = hmac != NULL ? EVP_MAC_CTX_new(hmac) : NULL;
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string("digest", digest, 0),
		OSSL_PARAM_construct_end(),
	};
	size_t outlen = 0;
	int ok = ctx != NULL && EVP_MAC_init(ctx, key->bytes, key->len, params) == 1 &&
		 EVP_MAC_update(ctx, data, len) == 1 &&
		 EVP_MAC_final(ctx, out, &outlen, CHAIN_LEN) == 1 && outlen == CHAIN_LEN;
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -1;
}

int chain_link(const struct chain_key *key, const void *data, size_t len,
	       unsigned char out[CHAIN_LEN])
{
	if (key != NULL && key->len > 0)
		return hmac_sha256(key, data, len, out);
	const EVP_MD *md = chain_sha256();
	unsigned int n = 0;
	if (md == NULL || EVP_Digest(data, len, out, &n, md, NULL) != 1 || n != CHAIN_LEN)
		return -1;
	return 0;
}

static bool past(const _Atomic int64_t *deadline_ns)
{
	if (deadline_ns == NULL || atomic_load(deadline_ns) == 0)
		return false;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec > atomic_load(deadline_ns);
}

int chain_sha256_fd(int fd, char out[CHAIN_HEX_LEN])
{
	return chain_sha256_fd_until(fd, out, NULL);
}

int chain_sha256_fd_until(int fd, char out[CHAIN_HEX_LEN], const _Atomic int64_t *deadline_ns)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *buf = malloc(1 << 16);
	unsigned char digest[CHAIN_LEN];
	unsigned int len = 0;
	ssize_t n = -1;
	bool late = false;
	const EVP_MD *sha = chain_sha256();
	if (md != NULL && buf != NULL && sha != NULL && EVP_DigestInit_ex(md, sha, NULL) == 1) {
		unsigned chunks = 0;
		while ((n = read(fd, buf, 1 << 16)) > 0) {
			if (EVP_DigestUpdate(md, buf, (size_t)n) != 1)
				break;
			/* look at the clock every 16 MiB */
			if (++chunks % 256 == 0 && (late = past(deadline_ns)))
				break;
		}
	}
	if (late) {
		free(buf);
		EVP_MD_CTX_free(md);
		return -ETIMEDOUT;
	}
	int r = n == 0 && EVP_DigestFinal_ex(md, digest, &len) == 1 && len == CHAIN_LEN ? 0 : -1;
	if (r == 0)
		chain_hex(digest, out);
	free(buf);
	EVP_MD_CTX_free(md);
	return r;
}

void chain_hex(const unsigned char in[CHAIN_LEN], char out[CHAIN_HEX_LEN])
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < CHAIN_LEN; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[(size_t)2 * CHAIN_LEN] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int chain_unhex(const char *hex, unsigned char out[CHAIN_LEN])
{
	if (strlen(hex) != (size_t)2 * CHAIN_LEN)
		return -1;
	for (size_t i = 0; i < CHAIN_LEN; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

const char *chain_kind(const struct chain_key *key)
{
	return key != NULL && key->len > 0 ? "hmac-sha256" : "sha256";
}
