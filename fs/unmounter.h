/* Unmounting takes CAP_SYS_ADMIN (as root) or exec'ing the setuid
 * fusermount3 (otherwise): both are what a confined spxfs gives up. So
 * before it confines itself, spxfs forks this small process, which keeps
 * only that power and waits. It unmounts when spxfs asks at a clean end,
 * and also when spxfs dies, so that a killed daemon leaves no dead mount
 * behind (fusermount3's auto_unmount works the same way). */
#ifndef SPX_UNMOUNTER_H
#define SPX_UNMOUNTER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct unmounter {
	pid_t pid;
	int sock; /* ours: a byte asks, EOF (our death) asks too */
};

/* Forks the unmounter for the spxfs mount served through fuse_fd: as
 * root, the mount with id mount_id (unmounter_mount_id), wherever it is
 * by then; unprivileged (mount_id 0), the mount at mountpoint (absolute),
 * through fusermount3. 0 or -errno. */
int unmounter_start(struct unmounter *u, const char *mountpoint, int fuse_fd, uint64_t mount_id);

/* The id of the mount whose root is the descriptor mount_root: 0 or -errno. */
int unmounter_mount_id(int mount_root, uint64_t *id);

/* As root: detaches the mount whose root is mount_root. 0 or -1. */
int unmounter_detach(int mount_root);

/* Whether the mount served through fuse_fd is gone: the kernel reports
 * an error on /dev/fuse once it is unmounted. */
bool unmounter_mount_gone(int fuse_fd);

/* Asks for the unmount and waits for it. 0 when the mount is gone
 * (also when it was gone already), -1 when it could not be removed. */
int unmounter_finish(struct unmounter *u);

#endif
