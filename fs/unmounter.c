#include "unmounter.h"
#include "caps_keep.h"
#include "daemon_filter.h"
#include "helper_process.h"
#include "mount_info.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <seccomp.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

bool unmounter_mount_gone(int fuse_fd)
{
	struct pollfd p = {.fd = fuse_fd, .events = 0};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

static bool as_root; /* read before the filter, which forbids asking */

int unmounter_detach(int mount_root)
{
	/* The magic link names the very mount the descriptor holds, wherever
	 * it has been moved and whatever now sits at its old path. */
	char link[32];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", mount_root);
	return umount2(link, MNT_DETACH) == 0 || errno == EINVAL ? 0 : -1;
}

int unmounter_mount_id(int mount_root, uint64_t *id)
{
	/* DONT_SYNC: no request to a daemon that may not serve yet */
	struct statx sx;
	if (statx(mount_root, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &sx) < 0)
		return -errno;
	if (!(sx.stx_mask & STATX_MNT_ID))
		return -ENOTSUP;
	*id = sx.stx_mnt_id;
	return 0;
}

/* As root: the mount spxfs made, by its id. Where mountinfo says it is now,
 * opened without following symlinks, is checked to be that very mount and
 * detached through the descriptor: a path that changed meanwhile leads to
 * another mount, which is left alone. Holding the mount open all along
 * would make a plain `fusermount3 -u` fail with EBUSY. */
static int unmount_id(uint64_t id)
{
	char path[4200];
	if (mount_info_path_of_id(id, path, sizeof(path)) < 0)
		return 0; /* not attached any more */
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0)
		return -1;
	uint64_t now = 0;
	int r = unmounter_mount_id(fd, &now) == 0 && now == id ? unmounter_detach(fd) : -1;
	close(fd);
	return r;
}

/* Unprivileged: fusermount3 checks the path is the user's FUSE mount. */
static int unmount_path(const char *mnt)
{
	char *argv[] = {"fusermount3", "-u", "-q", "-z", "--", (char *)mnt, NULL};
	pid_t pid;
	int status;
	if (posix_spawnp(&pid, "fusermount3", NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* As root the unmounter keeps CAP_SYS_ADMIN alone and can make only the
 * calls below; unprivileged it holds no capability but must exec the
 * setuid fusermount3, which a filter (no_new_privs) would defeat. */
static void confine_unmounter(void)
{
	as_root = geteuid() == 0;
	if (!as_root)
		return;
	const cap_value_t admin = CAP_SYS_ADMIN;
	const char *what;
	if (caps_keep_only(&admin, 1, &what) < 0)
		_exit(1);
	static const int calls[] = {
		SCMP_SYS(read),	  SCMP_SYS(write), SCMP_SYS(close),	 SCMP_SYS(poll),
		SCMP_SYS(openat), SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(lseek),
		SCMP_SYS(brk),	  SCMP_SYS(mmap),  SCMP_SYS(munmap),	 SCMP_SYS(mremap),
		SCMP_SYS(umount2), SCMP_SYS(openat2), SCMP_SYS(statx),
	};
	if (helper_filter_install(calls, sizeof(calls) / sizeof(calls[0])) < 0)
		_exit(1);
}

static _Noreturn void run(int sock, int fuse_fd, uint64_t mount_id, const char *mnt, const char *dev)
{
	const int keep[] = {sock, fuse_fd};
	helper_process_begin("spxfs-unmount", keep, 2);
	confine_unmounter();

	char c = 0;
	ssize_t n = helper_read_byte(sock, &c);
	/* A byte is a request; EOF means spxfs died: unmount either way,
	 * unless the mount is already gone (the connection reports an error)
	 * or something else now sits on top of it. */
	char result = '0';
	if (!unmounter_mount_gone(fuse_fd)) {
		(void)close(fuse_fd); /* a dead daemon's callers get errors, not hangs */
		if (mount_id != 0) {
			if (unmount_id(mount_id) < 0)
				result = '1';
		} else {
			char now[32];
			mount_info_top_spxfs(mnt, now, sizeof(now));
			if (strcmp(now, dev) == 0 && unmount_path(mnt) < 0)
				result = '1';
		}
	}
	if (n == 1)
		(void)!write(sock, &result, 1);
	_exit(0);
}

int unmounter_start(struct unmounter *u, const char *mountpoint, int fuse_fd, uint64_t mount_id)
{
	char dev[32] = "";
	if (mount_id == 0) {
		mount_info_top_spxfs(mountpoint, dev, sizeof(dev));
		if (dev[0] == '\0')
			return -ENOENT;
	}
	int sock;
	pid_t pid = helper_process_fork(&sock);
	if (pid < 0)
		return (int)pid;
	if (pid == 0)
		run(sock, fuse_fd, mount_id, mountpoint, dev);
	u->pid = pid;
	u->sock = sock;
	return 0;
}

int unmounter_finish(struct unmounter *u)
{
	char c = 'u', result = '1';
	if (write(u->sock, &c, 1) == 1 && helper_read_byte(u->sock, &result) != 1)
		result = '1';
	close(u->sock);
	helper_process_reap(u->pid);
	return result == '0' ? 0 : -1;
}
