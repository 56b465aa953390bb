/*
 * mount_fd: root's spxfs mounts by descriptor. MOUNTPOINT is opened once,
 * with no symlink anywhere on its path (startup.c), and the FUSE mount is
 * made with the new mount API (fsopen, fsconfig, fsmount) and attached
 * onto that descriptor (move_mount): a user who controls the path cannot
 * make the mount land elsewhere, however the path changes meanwhile. The
 * new mount's root comes back as a descriptor too, so the unmounter
 * removes exactly that mount, never whatever sits at a path later.
 *
 * Unprivileged spxfs mounts through fusermount3, which applies its own
 * rules to the path (the user must own or be able to write it).
 */
#ifndef SPX_MOUNT_FD_H
#define SPX_MOUNT_FD_H

#include <stdbool.h>
#include <stddef.h>

/* Mounts spxfs on the directory mnt_fd with the -o options opts (comma
 * separated; fsname=, subtype=, ro, nosuid, nodev, noexec, noatime handled
 * here, the rest given to the kernel, which refuses what it does not
 * know). Returns the O_PATH descriptor of the mount's root and sets
 * *fuse_fd to the /dev/fuse descriptor that serves it; -errno with a
 * reason in err. */
int mount_fd_fuse(int mnt_fd, const char *opts, int *fuse_fd, char *err, size_t errlen);

#endif
