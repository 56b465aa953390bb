/*
 * writer: appends records to an audit log, chained and durable.
 *
 * audit_writer_append() assigns the record its seq, time and prev, and
 * write(2)s its line before returning: a record the caller was told about
 * is in the file (the page cache at least). Durability then depends on the
 * sync mode:
 *   none    fdatasync only at close;
 *   batch   a background thread fdatasyncs at least every 100 ms;
 *   strict  audit_writer_wait() returns once the record is on disk; waiters
 *           share one fdatasync (group commit).
 *
 * Fail closed: once a write or sync fails, every later call returns -EIO,
 * the failure is reported once on stderr, and the file keeps only complete
 * lines (a partial line is cut off). Space is reserved ahead with
 * fallocate, so a full disk is usually seen by audit_writer_ready() before
 * the operation it would record is made.
 */
#ifndef SPX_AUDIT_WRITER_H
#define SPX_AUDIT_WRITER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain.h"

enum audit_sync { AUDIT_SYNC_NONE, AUDIT_SYNC_BATCH, AUDIT_SYNC_STRICT };

struct audit_writer;

/* Creates the log at path (which must not exist) and writes the header
 * (the fields of `header` plus format, version, time, chain). On error
 * returns NULL with *err set to a negative errno. */
struct audit_writer *audit_writer_open(const char *path, enum audit_sync sync,
				       const struct chain_key *key, json_t *header, int *err);

/* Starts the batch-mode sync thread. Separate from open so that a daemon
 * can open (and fail) before it forks, and start the thread after. */
int audit_writer_start(struct audit_writer *w);

/* 0 when the log can take records, else -EIO. */
int audit_writer_ready(struct audit_writer *w);

/* Appends rec (reference stolen). Returns its seq (> 0) or -EIO. */
int64_t audit_writer_append(struct audit_writer *w, json_t *rec);

/* For strict mode: waits until record seq is on disk. 0 or -EIO. */
int audit_writer_wait(struct audit_writer *w, int64_t seq);

enum audit_sync audit_writer_sync_mode(const struct audit_writer *w);

/* Writes the end record (record count and the chain head before it) and
 * syncs; every later append gets -EIO. Nothing is freed: for a program
 * that ends while another thread may still try to append. Fills head_hex
 * as audit_writer_close does. 0 or -EIO. */
int audit_writer_seal(struct audit_writer *w, char head_hex[CHAIN_HEX_LEN]);

/* Writes the end record (record count and the chain head before it),
 * syncs and closes. Fills head_hex with the link value of the end record,
 * the value `spxaudit verify --head` checks. 0, or -EIO when the log had
 * failed (head_hex then names the last good record). Frees w. */
int audit_writer_close(struct audit_writer *w, char head_hex[CHAIN_HEX_LEN]);

/*
 * The way a program starts and ends a job's log: loads the key file (when
 * key_path is set), adds the host name to the header and opens the log.
 * On failure returns NULL with one line in err; *bad_key tells a bad key
 * file (a usage error) from a log that cannot be created.
 */
struct audit_writer *audit_log_create(const char *path, enum audit_sync sync,
				      const char *key_path, json_t *header, char *err,
				      size_t errlen, bool *bad_key);

/* Closes the log (only seals it with seal_only, see audit_writer_seal) and
 * prints "PROGRAM: audit log PATH closed; chain head HEX" (or FAILED) on
 * stderr: the head lets a caller who keeps it elsewhere catch truncation
 * (spxaudit verify --head). With head_fd >= 0 the head goes there instead,
 * as one line (a runtime in front of spxbox keeps it, and the job's
 * stderr stays the job's); only a failure is said on stderr. 0 or -EIO. */
int audit_log_finish(struct audit_writer *w, const char *program, const char *path,
		     bool seal_only, int head_fd);

#endif
