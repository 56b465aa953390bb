/*
 * startup: the checks made once, before mounting, on ROOT and MOUNTPOINT.
 * This is the only place spxfs handles host path strings.
 */
#ifndef SPX_STARTUP_H
#define SPX_STARTUP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Opens ROOT and MOUNTPOINT as O_PATH directory descriptors, checking
 * that MOUNTPOINT has no symlink on its path, that neither is inside the
 * other (by the paths the kernel gives the descriptors), and that
 * MOUNTPOINT is not already a mount point. Returns ROOT's descriptor and
 * sets *mnt_fd (unless NULL) to MOUNTPOINT's, or -2 (bad arguments) / -1
 * (runtime failure) with a reason in err.
 */
int startup_open_root(const char *root, const char *mountpoint, int *mnt_fd, char *err,
		      size_t errlen);

/* The absolute path the kernel gives descriptor fd: 0, or -1. */
int startup_fd_path(int fd, char *out, size_t len);

/* Checks that the audit log can be made at path: its directory exists and
 * is neither inside ROOT nor inside MOUNTPOINT, and path does not exist
 * (a log is never overwritten). 0, or -2 / -1 with a reason in err. */
int startup_check_log(const char *path, const char *root, const char *mountpoint, char *err,
		      size_t errlen);

/* Whether the tree at dir holds path (or, for a path that does not exist
 * yet, its directory), by real paths: false when either cannot be
 * resolved. */
bool startup_reaches(const char *dir, const char *path);

/* Raises the soft open-file limit to the hard one; returns the new soft
 * limit (never less than the old one). */
size_t startup_raise_nofile(void);

#endif
