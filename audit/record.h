/*
 * record: the fields of audit records, as JSON (jansson). The schema is
 * docs/audit-format.md; this module only knows how to spell values.
 */
#ifndef SPX_AUDIT_RECORD_H
#define SPX_AUDIT_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#define AUDIT_FORMAT_VERSION 1

/* RFC 3339 UTC with nanoseconds, e.g. 2026-11-29T07:31:00.123456789Z. */
void record_format_time(const struct timespec *ts, char out[40]);

/* Parses record_format_time's output; 0 or -1. */
int record_parse_time(const char *s, struct timespec *ts);

/* The result field: "ok" for 0, else the errno name ("ENOENT"). */
const char *record_result(int err);

/*
 * Sets key to the path. A path that is valid UTF-8 is stored as it is; any
 * other is stored under key with '?' for each non-ASCII byte, for display,
 * and exactly under key + "_hex" as the hex of its bytes.
 */
int record_set_path(json_t *rec, const char *key, const char *path);

/* The exact bytes of a path field set by record_set_path; malloc'ed,
 * NUL-terminated, or NULL when absent or malformed. */
char *record_get_path(const json_t *rec, const char *key);

#endif
