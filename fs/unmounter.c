#include "unmounter.h"
#include "caps_keep.h"
#include "daemon_filter.h"
#include "helper_process.h"
#include "mount_info.h"

#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

bool unmounter_mount_gone(int fuse_fd)
{
	struct pollfd p = {.fd = fuse_fd, .events = 0};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

static bool as_root; /* read before the filter, which forbids asking */

static int unmount_now(const char *mnt)
{
	if (as_root)
		return umount2(mnt, MNT_DETACH | UMOUNT_NOFOLLOW) == 0 || errno == EINVAL ? 0 : -1;
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
		SCMP_SYS(umount2),
	};
	if (helper_filter_install(calls, sizeof(calls) / sizeof(calls[0])) < 0)
		_exit(1);
}

static _Noreturn void run(int sock, int fuse_fd, const char *mnt, const char *dev)
{
	helper_process_begin("spxfs-unmount", sock, fuse_fd);
	confine_unmounter();

	char c = 0;
	ssize_t n = helper_read_byte(sock, &c);
	/* A byte is a request; EOF means spxfs died: unmount either way,
	 * unless the mount is already gone (the connection reports an error)
	 * or something else now sits on top of it. */
	char result = '0';
	if (!unmounter_mount_gone(fuse_fd)) {
		char now[32];
		(void)close(fuse_fd); /* a dead daemon's callers get errors, not hangs */
		mount_info_top_spxfs(mnt, now, sizeof(now));
		if (strcmp(now, dev) == 0 && unmount_now(mnt) < 0)
			result = '1';
	}
	if (n == 1)
		(void)!write(sock, &result, 1);
	_exit(0);
}

int unmounter_start(struct unmounter *u, const char *mountpoint, int fuse_fd)
{
	char dev[32];
	mount_info_top_spxfs(mountpoint, dev, sizeof(dev));
	if (dev[0] == '\0')
		return -ENOENT;
	int sock;
	pid_t pid = helper_process_fork(&sock);
	if (pid < 0)
		return (int)pid;
	if (pid == 0)
		run(sock, fuse_fd, mountpoint, dev);
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
