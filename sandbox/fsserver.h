/*
 * fsserver: spxfs served from inside spxbox. Run as root, on the
 * /dev/fuse descriptor of the mount the child made in its own mount
 * namespace: the host never sees that mount, and the session ends when
 * the namespace goes away. Run by a user, on a mount fusermount3 made at
 * the staging directory before the namespaces exist (fs_server_mount_user):
 * a FUSE connection made in the job's user namespace would show every id
 * that namespace cannot map (all but the user's own) as invalid, and the
 * kernel refuses writes to such inodes, even where their mode allows it.
 * That mount is the user's alone (no allow_other), and the session ends
 * when spxbox's unmounter removes it after the job.
 */
#ifndef SPX_BOX_FSSERVER_H
#define SPX_BOX_FSSERVER_H

#include <pthread.h>
#include <stdbool.h>

#include "spxfs.h"

struct fs_server {
	struct spx_fs fs;
	int root_fd;  /* ROOT, for the serving thread's Landlock grant */
	int ready[2]; /* the serving thread reports its confinement */
	struct fuse_session *se;
	pthread_t thread;
	int running;
	bool premounted; /* fs_server_mount_user made se and its mount */
};

/* Unprivileged: fusermount3 mounts a new session at mnt, in the host's
 * mount namespace, with default_permissions. 0 or -errno. */
int fs_server_mount_user(struct fs_server *s, const char *mnt);

/* fs must be filled in (table, log, placeholders_fd...). Takes fuse_fd
 * (-1 after fs_server_mount_user).
 * The serving thread (and its workers) confine themselves with Landlock
 * to ROOT and the placeholders before serving. 0 or -errno. */
int fs_server_start(struct fs_server *s, int fuse_fd);

/* Once the job is gone, waits for the session to end (the kernel ends it
 * when the job's mount goes away) and for every worker to finish: true
 * then. A worker can still be busy after grace seconds (hashing a huge
 * file at its close): false then, the session told to exit, and
 * everything the workers use must stay allocated until the process
 * exits. */
bool fs_server_stop(struct fs_server *s, double grace);

/* Frees a session that was mounted but never served (a failed start). */
void fs_server_discard(struct fs_server *s);

#endif
