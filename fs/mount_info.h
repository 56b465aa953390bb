/*
 * mount_info: what /proc/self/mountinfo says of one mount point.
 */
#ifndef SPX_MOUNT_INFO_H
#define SPX_MOUNT_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The device ("major:minor") of the topmost mount at mnt (an absolute path
 * with no symlinks) when that mount is spxfs's; "" otherwise, also when
 * mountinfo cannot be read. Only the topmost counts: a path where spxfs
 * is covered by another mount does not lead to spxfs. */
void mount_info_top_spxfs(const char *mnt, char *dev, size_t len);

/* The mount point of the mount with this id (statx's STATX_MNT_ID), as
 * mountinfo has it now: 0, or -1 when no such mount is attached. */
int mount_info_path_of_id(uint64_t mnt_id, char *path, size_t len);

/* Whether the mount with this id (statx's STATX_MNT_ID) is spxfs's. */
bool mount_info_id_is_spxfs(uint64_t mnt_id);

#endif
