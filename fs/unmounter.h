/* Unmounting takes CAP_SYS_ADMIN (as root) or exec'ing the setuid
 * fusermount3 (otherwise): both are what a confined spxfs gives up. So
 * before it confines itself, spxfs forks this small process, which keeps
 * only that power and waits. It unmounts when spxfs asks at a clean end,
 * and also when spxfs dies, so that a killed daemon leaves no dead mount
 * behind (fusermount3's auto_unmount works the same way). */
#ifndef SPX_UNMOUNTER_H
#define SPX_UNMOUNTER_H

#include <stdbool.h>
#include <sys/types.h>

struct unmounter {
	pid_t pid;
	int sock; /* ours: a byte asks, EOF (our death) asks too */
};

/* Forks the unmounter for the spxfs mount at mountpoint (absolute),
 * served through fuse_fd. 0 or -errno. */
int unmounter_start(struct unmounter *u, const char *mountpoint, int fuse_fd);

/* Whether the mount served through fuse_fd is gone: the kernel reports
 * an error on /dev/fuse once it is unmounted. */
bool unmounter_mount_gone(int fuse_fd);

/* Asks for the unmount and waits for it. 0 when the mount is gone
 * (also when it was gone already), -1 when it could not be removed. */
int unmounter_finish(struct unmounter *u);

#endif
