/*
 * undo: pre-images of what a job changes (spxfs --undo-dir DIR).
 *
 * Before the job first changes an object that was there before it (its
 * content, metadata or name), spxfs keeps what undo needs to put it back:
 * a regular file's content as a file in DIR (a reflink where DIR and ROOT
 * share a filesystem that can, else a copy), its mode, owner and times; a
 * directory's or a node's metadata; a symlink's target. Once per object
 * per job; objects the job made itself need none. Each pre-image is a
 * "preserve" record in the audit log (with the content's SHA-256), written
 * before the record of the change it precedes, so the chain covers it.
 * spxaudit undo replays the log backwards with them.
 *
 * --undo-max caps the bytes kept: past it a change that would need a new
 * pre-image fails with EDQUOT, or, with --undo-full=continue, the job goes
 * on without undo, which an "undo_stopped" record says.
 */
#ifndef SPX_FS_UNDO_H
#define SPX_FS_UNDO_H

#include "spxfs.h"

#include <jansson.h>

#include <stdbool.h>
#include <stdint.h>

struct undo_store;

/* DIR must be an empty directory, or not exist (it is made, mode 0700).
 * Returns the store, or NULL with err set. */
struct undo_store *undo_store_open(const char *dir, uint64_t max_bytes, bool keep_going, char *err,
                                   size_t errlen);
void undo_store_free(struct undo_store *u);

/* What the log's header says of undo (its "options"): undo_dir (dir's
 * real path), undo_max, undo_full. spxaudit undo finds DIR there. */
void undo_header_options(json_t *options, const char *dir, long long max_bytes, bool keep_going);

/* DIR's descriptor, for Landlock's grant. */
int undo_store_fd(const struct undo_store *u);

/* Before a change to the object that fd (O_PATH is enough) holds, named
 * `name` in dir (name NULL: dir itself). 0, or the errno with which the
 * change must fail (EDQUOT: --undo-max; EIO: the log or DIR failed). */
int spx_undo_keep_fd(fuse_req_t req, int fd, struct spx_inode *dir, const char *name,
                     const char *why);

/* The same for `name` in the pinned directory pfd, when there is such a
 * name (none: 0), which may be about to go: an object kept before under
 * another name gets a record that it was there too. */
int spx_undo_keep_name(fuse_req_t req, int pfd, struct spx_inode *dir, const char *name,
                       const char *why);

/* The same for an inode the kernel knows. */
int spx_undo_keep_inode(fuse_req_t req, struct spx_inode *in, const char *why);

/* An object the job made (dev, ino): it needs no pre-image. */
void spx_undo_made(struct spx_fs *fs, dev_t dev, ino_t ino);

#endif
