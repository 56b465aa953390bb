/*
 * chain: the hash chain that makes an audit log tamper-evident.
 *
 * The link value of a record is SHA-256 of its exact bytes (the line,
 * without its newline), or HMAC-SHA256 under a key. Every record carries
 * the link value of the record before it in "prev" (64 zeros for the
 * first), so changing, inserting, removing or reordering any record breaks
 * the chain, and without the key a keyed chain cannot be recomputed.
 */
#ifndef SPX_AUDIT_CHAIN_H
#define SPX_AUDIT_CHAIN_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#define CHAIN_LEN 32
#define CHAIN_HEX_LEN (2 * CHAIN_LEN + 1)

struct chain_key {
	unsigned char bytes[1024];
	size_t len; /* 0: unkeyed, plain SHA-256 */
};

/* Reads a key file (its exact bytes, 16 to 1024 of them). 0 or -errno;
 * -EINVAL for a key of the wrong size. */
int chain_key_load(const char *path, struct chain_key *key);

/* The link value of one record's bytes. 0, or -1 on a libcrypto failure. */
int chain_link(const struct chain_key *key, const void *data, size_t len,
	       unsigned char out[CHAIN_LEN]);

/* OpenSSL's SHA-256, fetched once for the process: EVP_sha256() makes
 * every digest look its implementation up again (a measurable share of a
 * small record's cost). NULL only if libcrypto has no SHA-256. */
const EVP_MD *chain_sha256(void);

/* SHA-256 of everything read from fd until its end, as hex. 0 or -1. */
int chain_sha256_fd(int fd, char out[CHAIN_HEX_LEN]);

/* The same, giving up with -ETIMEDOUT once CLOCK_MONOTONIC passes
 * *deadline_ns (nanoseconds; 0 or a NULL pointer: no deadline), which may
 * be moved while it runs. */
int chain_sha256_fd_until(int fd, char out[CHAIN_HEX_LEN], const _Atomic int64_t *deadline_ns);

void chain_hex(const unsigned char in[CHAIN_LEN], char out[CHAIN_HEX_LEN]);

/* Parses 64 hex digits; 0 or -1. */
int chain_unhex(const char *hex, unsigned char out[CHAIN_LEN]);

/* The name of the chain kind as written in the header. */
const char *chain_kind(const struct chain_key *key);

#endif
