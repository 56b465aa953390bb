/*
 * resolve: the only way spxfs turns a name into a host object.
 *
 * One component, relative to a directory descriptor, never following a
 * symlink, never crossing a mount, never leaving the directory: openat2
 * with RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS.
 */
#ifndef SPX_RESOLVE_H
#define SPX_RESOLVE_H

#include <sys/stat.h>

/* Returns an O_PATH descriptor of `name` in dirfd, or -errno. */
int resolve_child(int dirfd, const char *name);

/* Like resolve_child, then fills *st. */
int resolve_child_stat(int dirfd, const char *name, struct stat *st);

/* Opens `name` in dirfd with open(2) `flags` under the same rules. */
int resolve_open(int dirfd, const char *name, int flags, mode_t mode);

/* fstat of a descriptor that may be O_PATH; 0 or -errno. */
int resolve_stat_fd(int fd, struct stat *st);

/* Whether `name` is a single path component the kernel may hand us. */
int resolve_name_ok(const char *name);

#endif
