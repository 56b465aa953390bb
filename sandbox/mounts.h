/*
 * mounts: the job's view of the filesystem, assembled in the child's own
 * mount namespace.
 *
 *  1. mounts_private(): nothing propagates back to the host.
 *  2. mounts_fuse(): a FUSE mount at the staging directory, made with a
 *     /dev/fuse descriptor the supervisor then serves with spxfs code.
 *  3. mounts_assemble(): /proc, a minimal /dev, --system's read-only binds,
 *     the user's --bind/--ro-bind/--tmpfs, all on top of the spxfs mount.
 *     Their mount points exist only in the job's view (spxfs placeholders).
 *  4. mounts_pivot(): the spxfs mount becomes /, the old root is detached.
 */
#ifndef SPX_BOX_MOUNTS_H
#define SPX_BOX_MOUNTS_H

#include <stdbool.h>
#include <sys/types.h>

#include "options.h"

/* The top-level names --system binds, and the /etc files it provides. */
extern const char *const mounts_system_dirs[];
extern const char *const mounts_etc_files[];

int mounts_private(void);

/* Returns the /dev/fuse descriptor of the new mount at target, or -errno. */
int mounts_fuse(const char *target, uid_t uid, gid_t gid);

/* etc_placeholder: ROOT has no /etc, so --system may mount one.
 * On failure, *what names the step. 0 or -errno. */
int mounts_assemble(const char *root, const struct box_options *o, bool etc_placeholder,
		    uid_t job_uid, gid_t job_gid, const char **what);

int mounts_pivot(const char *root);

#endif
