/*
 * open_file: an open file (fi->fh) and, when auditing, what was done
 * through it: bytes and ranges read and written, and SHA-256 of the data
 * while it flows sequentially from offset 0. At release the handle yields
 * one "close" record with the hash of what was read in full and of the
 * file's final content after writes.
 */
#ifndef SPX_OPEN_FILE_H
#define SPX_OPEN_FILE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct spx_fs;
struct spx_inode;
struct open_file;

/* Takes fd, opened with flags on inode in (its descriptor joins the cache
 * of open_fds.h). audited: keep the I/O account. created_empty: the file
 * was created or truncated by this open, so sequential writes from 0 are
 * its whole content. */
struct open_file *open_file_new(struct spx_fs *fs, int fd, struct spx_inode *in, int flags,
				    bool audited, bool created_empty, pid_t pid, uid_t uid,
				    gid_t gid, char *path);

/* The host descriptor for one operation (reopened if it was closed to make
 * room): >= 0 or -errno; each success is paired with open_file_done(). */
int open_file_use(struct spx_fs *fs, struct open_file *h);
/* The same, but -1 rather than reopening. */
int open_file_use_open(struct spx_fs *fs, struct open_file *h);
void open_file_done(struct spx_fs *fs, struct open_file *h);
/* h (in use) holds a flock() now, or no longer: its descriptor stays. */
void open_file_set_locked(struct spx_fs *fs, struct open_file *h, bool locked);

void open_file_read(struct open_file *h, off_t off, const void *buf, size_t n, size_t asked);
/* A write's account, in two steps around the reply to the job:
 * open_file_write_begin takes the write's place (in the order the replies
 * go out, which is the order a one-thread writer's next write can come);
 * open_file_wrote, after the reply, hashes and counts the data and gives
 * the place up. So a sequential writer's next write runs while this one
 * is hashed. begin returns whether there is an account to keep: only
 * then may wrote be called. Without one, h may be released and freed as
 * soon as the reply is out, so the caller must not touch it again. */
bool open_file_write_begin(struct open_file *h);
void open_file_wrote(struct open_file *h, off_t off, const void *buf, size_t n);
/* A read or write that failed with err: counted, the first one named. */
void open_file_failed(struct open_file *h, bool writing, int err);
/* Data changed by other means (copy_file_range, fallocate, truncate). */
void open_file_touched(struct open_file *h);

/* The close record (NULL when not audited), then closes and frees h.
 * proc_self_fd reopens the file to hash its final content when needed. */
json_t *open_file_close(struct spx_fs *fs, struct open_file *h);

/* open_file_close, and the record committed to the log (marked
 * "unreleased" when the kernel's release never came), in the same order
 * as other closes of the same file took their hashes. Returns what
 * spx_audit_commit returns. */
int open_file_close_commit(struct spx_fs *fs, struct open_file *h, bool unreleased);

/* Once the session has ended (no worker left), every file the kernel never
 * released: the kernel drops the RELEASE requests still queued when the
 * job's mount goes away, so a job ending with files open would lose their
 * close records. Each gets its close record here, marked
 * "unreleased": true, and is freed. Returns how many. */
size_t open_file_close_unreleased(struct spx_fs *fs);

#endif
