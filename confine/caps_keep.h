/* Capabilities a daemon keeps after it has mounted: only those it uses to
 * serve files on its callers' behalf. */
#ifndef SPX_CAPS_KEEP_H
#define SPX_CAPS_KEEP_H

#include <sys/capability.h>
#include <stddef.h>

/* What a root daemon needs to serve other users' files: chown what they
 * create, read and write files it does not own, set their modes and
 * times, and keep setgid on directories. Nothing else. */
extern const cap_value_t caps_file_server[];
extern const size_t caps_file_server_len;

/* Keeps at most `keep` (those not already held are not gained), drops
 * the rest from the effective, permitted, inheritable and ambient sets
 * and, when it may, the bounding set, then sets no_new_privs. Per thread:
 * call before creating threads. 0, or -errno with *what naming the step. */
int caps_keep_only(const cap_value_t *keep, size_t n, const char **what);

#endif
