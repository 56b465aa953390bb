#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SPX_RESOLVE_FLAGS (RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS)

static int openat2_once(int dirfd, const char *name, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned)flags | O_NOFOLLOW | O_CLOEXEC,
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = SPX_RESOLVE_FLAGS,
	};
	long fd;
	do {
		fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	} while (fd < 0 && errno == EAGAIN);
	return fd < 0 ? -errno : (int)fd;
}

int resolve_name_ok(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

int resolve_open(int dirfd, const char *name, int flags, mode_t mode)
{
	/* "." and ".." would be legal for openat2 (".." is refused at the top
	 * only); a single real component is all a FUSE request may name. */
	if (!resolve_name_ok(name))
		return -EINVAL;
	return openat2_once(dirfd, name, flags, mode);
}

int resolve_child(int dirfd, const char *name)
{
	return resolve_open(dirfd, name, O_PATH, 0);
}

int resolve_stat_fd(int fd, struct stat *st)
{
	if (fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

int resolve_child_stat(int dirfd, const char *name, struct stat *st)
{
	int fd = resolve_child(dirfd, name);
	if (fd < 0)
		return fd;
	int r = resolve_stat_fd(fd, st);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}
