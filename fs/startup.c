#include "startup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
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

static int check_dir(const char *what, const char *path, char *real, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return say(err, errlen, -2, what, path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return say(err, errlen, -2, what, path, "not a directory");
	if (realpath(path, real) == NULL)
		return say(err, errlen, -1, what, path, strerror(errno));
	return 0;
}

int startup_open_root(const char *root, const char *mountpoint, char *err, size_t errlen)
{
	char rroot[PATH_MAX], rmnt[PATH_MAX];
	int r = check_dir("ROOT", root, rroot, err, errlen);
	if (r == 0)
		r = check_dir("MOUNTPOINT", mountpoint, rmnt, err, errlen);
	if (r < 0)
		return r;
	if (is_within(rmnt, rroot))
		return say(err, errlen, -2, "MOUNTPOINT", mountpoint,
			   "is ROOT or inside ROOT; the mount would serve itself");
	if (is_within(rroot, rmnt))
		return say(err, errlen, -2, "ROOT", root,
			   "is inside MOUNTPOINT; the mount would hide it");
	struct statx sx;
	if (statx(AT_FDCWD, rmnt, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) < 0)
		return say(err, errlen, -1, "MOUNTPOINT", mountpoint, strerror(errno));
	if ((sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	    (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return say(err, errlen, -1, "MOUNTPOINT", mountpoint,
			   "is already a mount point (busy)");
	int fd = open(rroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return say(err, errlen, -1, "ROOT", root, strerror(errno));
	return fd;
}

int startup_check_log(const char *path, const char *root, const char *mountpoint, char *err,
		      size_t errlen)
{
	char dir[PATH_MAX], rdir[PATH_MAX], rroot[PATH_MAX], rmnt[PATH_MAX];
	struct stat st;
	if (lstat(path, &st) == 0)
		return say(err, errlen, -2, "audit log", path,
			   "already exists; refusing to overwrite a log");
	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return say(err, errlen, -2, "audit log", path, "path too long");
	char *slash = strrchr(dir, '/');
	if (slash == NULL)
		(void)snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
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
