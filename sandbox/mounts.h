/*
 * mounts: the job's view of the filesystem, assembled in the child's own
 * mount namespace without following anything ROOT controls.
 *
 *  1. mounts_private(): nothing propagates back to the host.
 *  2. mounts_open_sources(): every host object the view needs (/dev/fuse,
 *     the /dev nodes, --system's directories and /etc files, the --bind
 *     sources) is opened or cloned (open_tree) while the child still has
 *     the caller's identity; after that the child drops to the job's uid
 *     (child.c), so that nothing it then does on the host can exceed what
 *     the job itself could do.
 *  3. mounts_fuse(): a FUSE mount at the staging directory, made with a
 *     /dev/fuse descriptor the supervisor then serves with spxfs code.
 *  4. mounts_assemble(): /proc, a minimal /dev, --system's read-only binds,
 *     the user's --bind/--ro-bind/--tmpfs, on top of the spxfs mount. Each
 *     mount point is opened beneath the view's root with no symlink on the
 *     way (RESOLVE_NO_SYMLINKS) and mounted on by descriptor (move_mount);
 *     files are made only inside spxbox's own tmpfs descriptors. A mount
 *     point that is a symlink or a file in ROOT stops spxbox, naming it.
 *     Mount points ROOT lacks are spxfs placeholders.
 *  5. mounts_pivot(): the spxfs mount becomes /, the old root is detached.
 */
#ifndef SPX_BOX_MOUNTS_H
#define SPX_BOX_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "options.h"

/* The top-level names --system binds, and the /etc files it provides. */
extern const char *const mounts_system_dirs[];
extern const char *const mounts_etc_files[];

#define MOUNTS_DEV_NODES 6
#define MOUNTS_SYSTEM_DIRS 7
#define MOUNTS_ETC_FILES 11

/* Descriptors of the host objects the view is built from (-1: none). */
struct view_sources {
	int fuse;
	int dev[MOUNTS_DEV_NODES];
	int system[MOUNTS_SYSTEM_DIRS];
	int etc[MOUNTS_ETC_FILES];
	bool etc_dir[MOUNTS_ETC_FILES];
	int binds[BOX_MAX_MOUNTS];
};

int mounts_private(void);

/* Opens and clones what o's view needs (and /dev/fuse unless --fs). 0 or
 * -errno with *what naming the step. */
int mounts_open_sources(const struct box_options *o, bool want_fuse, struct view_sources *v,
			const char **what);

/* Returns the /dev/fuse descriptor (v->fuse, now mounted) or -errno. */
int mounts_fuse(const char *target, int fuse, uid_t uid, gid_t gid);

/* Stacks a clone of the mount at path (the staging mountpoint, spxbox's
 * own directory) on itself: a mount copied from a more privileged mount
 * namespace is locked there, and pivot_root refuses it. 0 or -errno. */
int mounts_reclone(const char *path);

/* root: the view's root directory (the spxfs mount). etc_placeholder:
 * ROOT has no /etc, so --system may mount one. On failure *what names the
 * step in whatlen bytes. 0 or -errno. */
int mounts_assemble(int root, const struct box_options *o, bool etc_placeholder, uid_t job_uid,
		    gid_t job_gid, const struct view_sources *v, char *what, size_t whatlen);

/* Makes the directory root the new /. 0 or -errno. */
int mounts_pivot(int root);

#endif
