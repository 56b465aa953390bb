#include "startup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool is_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);
	if (strcmp(outer, "/") == 0)
		return true;
	return strncmp(inner, outer, n) == 0 && (inner[n] == '/' || inner[n] == '\0');
}

static int say(char *err, size_t errlen, int code, const char *what, const char *path,
	       const char *why)
{
	(void)snprintf(err, errlen, "%s '%s': %s", what, path, why);
	return code;
}

/* The path the kernel has for an open descriptor: what was opened, not
 * what a name may have become since. */
int startup_fd_path(int fd, char *out, size_t len)
{
	char link[32];
	(void)snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, out, len - 1);
	if (n < 0 || (size_t)n >= len - 1)
		return -1;
	out[n] = '\0';
	return 0;
}

/* ROOT may be reached through symlinks (it is opened once and served by
 * descriptor); MOUNTPOINT may not: root mounts on what it opened, and a
 * symlink on the way would let whoever controls it choose the place. */
static int open_dir(const char *what, const char *path, bool no_symlinks, char *real, char *err,
		    size_t errlen)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = no_symlinks ? RESOLVE_NO_SYMLINKS : 0};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0 && errno == ELOOP && no_symlinks)
		return say(err, errlen, -2, what, path,
			   "is a symlink or passes through one; give the real path");
	if (fd < 0 && errno == ENOTDIR)
		return say(err, errlen, -2, what, path, "not a directory");
	if (fd < 0)
		return say(err, errlen, errno == ENOENT ? -2 : -1, what, path, strerror(errno));
	if (startup_fd_path(fd, real, PATH_MAX) < 0) {
		close(fd);
		return say(err, errlen, -1, what, path, "cannot tell its path");
	}
	return fd;
}

int startup_open_root(const char *root, const char *mountpoint, int *mnt_fd, char *err,
		      size_t errlen)
{
	char rroot[PATH_MAX], rmnt[PATH_MAX];
	int rfd = open_dir("ROOT", root, false, rroot, err, errlen);
	if (rfd < 0)
		return rfd;
	int mfd = open_dir("MOUNTPOINT", mountpoint, true, rmnt, err, errlen);
	int r = mfd;
	if (r >= 0 && is_within(rmnt, rroot))
		r = say(err, errlen, -2, "MOUNTPOINT", mountpoint,
			"is ROOT or inside ROOT; the mount would serve itself");
	else if (r >= 0 && is_within(rroot, rmnt))
		r = say(err, errlen, -2, "ROOT", root, "is inside MOUNTPOINT; the mount would hide it");
	struct statx sx;
	if (r >= 0 && statx(mfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) < 0)
		r = say(err, errlen, -1, "MOUNTPOINT", mountpoint, strerror(errno));
	else if (r >= 0 && (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
		 (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		r = say(err, errlen, -1, "MOUNTPOINT", mountpoint, "is already a mount point (busy)");
	if (r < 0) {
		if (mfd >= 0)
			close(mfd);
		close(rfd);
		return r;
	}
	if (mnt_fd != NULL)
		*mnt_fd = mfd;
	else
		close(mfd);
	return rfd;
}

/* The directory path names (".", "/" or path less its last component). */
static int parent_dir(const char *path, char dir[PATH_MAX])
{
	if (snprintf(dir, PATH_MAX, "%s", path) >= PATH_MAX)
		return -1;
	char *slash = strrchr(dir, '/');
	if (slash == NULL)
		(void)snprintf(dir, PATH_MAX, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return 0;
}

int startup_check_log(const char *path, const char *root, const char *mountpoint, char *err,
		      size_t errlen)
{
	char dir[PATH_MAX], rdir[PATH_MAX], rroot[PATH_MAX], rmnt[PATH_MAX];
	struct stat st;
	if (lstat(path, &st) == 0)
		return say(err, errlen, -2, "audit log", path,
			   "already exists; refusing to overwrite a log");
	if (parent_dir(path, dir) < 0)
		return say(err, errlen, -2, "audit log", path, "path too long");
	if (realpath(dir, rdir) == NULL)
		return say(err, errlen, -2, "audit log", path, "its directory does not exist");
	if (realpath(root, rroot) == NULL || realpath(mountpoint, rmnt) == NULL)
		return say(err, errlen, -1, "audit log", path, strerror(errno));
	if (is_within(rdir, rroot))
		return say(err, errlen, -2, "audit log", path,
			   "is inside ROOT, where the job could rewrite it");
	if (is_within(rdir, rmnt))
		return say(err, errlen, -2, "audit log", path, "is inside MOUNTPOINT");
	return 0;
}

/* realpath of path, or of its directory when path does not exist yet. */
static int resolve_maybe_new(const char *path, char *out)
{
	if (realpath(path, out) != NULL)
		return 0;
	char dir[PATH_MAX];
	return parent_dir(path, dir) == 0 && realpath(dir, out) != NULL ? 0 : -1;
}

bool startup_reaches(const char *dir, const char *path)
{
	char rdir[PATH_MAX], rpath[PATH_MAX];
	if (realpath(dir, rdir) == NULL || resolve_maybe_new(path, rpath) < 0)
		return false;
	return is_within(rpath, rdir);
}

size_t startup_raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit want = {.rlim_cur = rl.rlim_max, .rlim_max = rl.rlim_max};
		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl.rlim_cur = rl.rlim_max;
	}
	return rl.rlim_cur == RLIM_INFINITY ? 1u << 20 : (size_t)rl.rlim_cur;
}
