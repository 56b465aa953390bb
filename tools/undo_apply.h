/*
 * undo_apply: the steps of spxaudit undo on ROOT, each on descriptors:
 * every parent directory is opened beneath ROOT without following a
 * symlink or crossing a mount (openat2 RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV), and every last component is
 * acted on with the *at calls that do not follow it. What the job left in
 * ROOT (its symlinks) cannot send undo, which may run as root, elsewhere.
 */
#ifndef SPX_TOOLS_UNDO_APPLY_H
#define SPX_TOOLS_UNDO_APPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

struct undo_ctx {
	int root_fd;       /* ROOT, O_PATH */
	int store_fd;      /* --undo-dir */
	bool dry_run;      /* print each step, do none */
	FILE *out;         /* where steps are told (dry run) */
	json_t *dir_times; /* "dev:ino" -> [atime, mtime] of restored directories */
	long long steps, failed;
};

/* One record of the log, replayed backwards: a preserve record restores
 * what it kept; create, mkdir, mknod, symlink and link remove the name
 * they made; rename moves the name back. Failures are counted in ctx and
 * told on stderr. */
void undo_apply_record(struct undo_ctx *ctx, const json_t *rec);

/* Last: directories' times, which the steps above moved, set again. */
void undo_apply_dir_times(struct undo_ctx *ctx);

/* The SHA-256 (hex) of the regular file `path` beneath root_fd: 0, or
 * -ENOENT, -EISDIR (not a regular file), or another -errno. */
int undo_hash_at(int root_fd, const char *path, char hex[65]);

/* lstat of path beneath root_fd: 0 or -errno. */
int undo_stat_at(int root_fd, const char *path, struct stat *st);

#endif
