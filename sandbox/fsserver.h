/*
 * fsserver: spxfs served from inside spxbox, on the /dev/fuse descriptor
 * of the mount the child made in its own mount namespace. The host never
 * sees that mount; the session ends when the namespace goes away.
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
};

/* fs must be filled in (table, log, placeholders_fd...). Takes fuse_fd.
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

#endif
