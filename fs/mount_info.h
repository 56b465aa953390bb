/*
 * mount_info: what /proc/self/mountinfo says of one mount point.
 */
#ifndef SPX_MOUNT_INFO_H
#define SPX_MOUNT_INFO_H

#include <stddef.h>

/* The device ("major:minor") of the topmost mount at mnt (an absolute path
 * with no symlinks) when that mount is spxfs's; "" otherwise, also when
 * mountinfo cannot be read. Only the topmost counts: a path where spxfs
 * is covered by another mount does not lead to spxfs. */
void mount_info_top_spxfs(const char *mnt, char *dev, size_t len);

#endif
