/*
 * audit: what spxfs records about each request (docs/audit-format.md).
 *
 * A handler that changes or reads something builds one record with
 * spx_audit_new(), adds its fields, and passes it with the result to
 * spx_audit_commit(), which returns the errno to reply: the handler's own,
 * or EIO when the record could not be written (the log fails closed).
 * Without --audit-log every call here is a no-op returning its input.
 */
#ifndef SPX_FS_AUDIT_H
#define SPX_FS_AUDIT_H

#include "spxfs.h"

#include <jansson.h>

/* Before making a change: EIO when the log can no longer record it. */
int spx_audit_ready(fuse_req_t req);

/* A record of `op` by the caller of req; NULL when not auditing. */
json_t *spx_audit_new(fuse_req_t req, const char *op);

/* The same for a caller that is not req's (a file's opener at close). */
json_t *spx_audit_new_as(struct spx_fs *fs, const char *op, pid_t pid, uid_t uid, gid_t gid);

/* Adds the mount path of `name` in `dir` (or of dir itself) under key. */
void spx_audit_path(fuse_req_t req, json_t *rec, const char *key, struct spx_inode *dir,
		    const char *name);

/* Adds "result" (ok or the errno name of err > 0), writes the record and,
 * in strict mode, waits until it is on disk. Returns err, or EIO. */
int spx_audit_commit(struct spx_fs *fs, json_t *rec, int err);

/* The common case: op on `name` in `dir`, with optional extra fields
 * (reference stolen). Returns err or EIO. */
int spx_audit_name(fuse_req_t req, const char *op, struct spx_inode *dir, const char *name,
		   int err, json_t *extra);

/* Like spx_audit_name, for the requests recorded only with
 * --audit-level=all (lookup, getattr, access, statfs, xattr reads). */
int spx_audit_detail(fuse_req_t req, const char *op, struct spx_inode *dir, const char *name,
		     int err);

/* open(2) flags as "O_WRONLY|O_CREAT|...". */
json_t *spx_audit_flags(int flags);

#endif
