#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

pid_t ns_clone(bool net)
{
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
			      CLONE_NEWUTS | CLONE_NEWCGROUP | SIGCHLD;
	if (!net)
		flags |= CLONE_NEWNET;
	long pid = syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	return pid < 0 ? -errno : (pid_t)pid;
}

static int write_file(pid_t pid, const char *name, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

int ns_write_maps(pid_t child, bool as_root)
{
	char uids[128], gids[128];
	if (as_root) {
		/* Every id as on the host: the kernel refuses writes to an
		 * inode whose owner or group the namespace cannot map, so a
		 * file the job's user may write on the host must show with
		 * its true owner and group (the ids are the same; the
		 * namespace grants nothing, the job holds no capability). */
		snprintf(uids, sizeof(uids), "0 0 4294967295\n");
		snprintf(gids, sizeof(gids), "0 0 4294967295\n");
	} else {
		snprintf(uids, sizeof(uids), "%u %u 1\n", getuid(), getuid());
		snprintf(gids, sizeof(gids), "%u %u 1\n", getgid(), getgid());
	}
	int r = write_file(child, "uid_map", uids);
	if (r == 0 && !as_root)
		r = write_file(child, "setgroups", "deny");
	if (r == 0)
		r = write_file(child, "gid_map", gids);
	return r;
}
