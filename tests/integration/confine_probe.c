/*
 * confine_probe: small probes the confinement tests run through a mount.
 * Each prints one line and exits 0 when the call succeeded, 1 when it
 * failed (the line names the errno), 2 on bad usage.
 *
 *   confine_probe in-root MNT PATH    read PATH resolving with MNT as "/"
 *                                     (openat2 RESOLVE_IN_ROOT)
 *   confine_probe chroot MNT PATH     chroot(MNT), then read PATH
 *   confine_probe setxattr PATH NAME  set an extended attribute
 *   confine_probe mknod-chr PATH      make a character device (1,3)
 *   confine_probe list PATH           list a directory
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static int report(const char *what, int r)
{
	if (r < 0) {
		printf("%s: %s\n", what, strerrorname_np(errno));
		return 1;
	}
	return 0;
}

static int dump(int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return report("read", -1);
	printf("content: %.*s", (int)n, buf);
	if (n == 0 || buf[n - 1] != '\n')
		printf("\n");
	return 0;
}

static int in_root(const char *mnt, const char *path)
{
	int root = open(mnt, O_PATH | O_DIRECTORY);
	if (root < 0)
		return report("open mount", -1);
	struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_IN_ROOT};
	int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	if (fd < 0)
		return report("open", -1);
	return dump(fd);
}

static int in_chroot(const char *mnt, const char *path)
{
	if (chroot(mnt) < 0 || chdir("/") < 0)
		return report("chroot", -1);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return report("open", -1);
	return dump(fd);
}

static int list(const char *path)
{
	DIR *d = opendir(path);
	if (d == NULL)
		return report("opendir", -1);
	struct dirent *de;
	errno = 0;
	printf("entries:");
	while ((de = readdir(d)) != NULL)
		printf(" %s", de->d_name);
	printf("\n");
	int e = errno;
	closedir(d);
	errno = e;
	return e ? report("readdir", -1) : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "in-root") == 0)
		return in_root(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "chroot") == 0)
		return in_chroot(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "setxattr") == 0)
		return report("setxattr", setxattr(argv[2], argv[3], "v", 1, 0));
	if (argc == 3 && strcmp(argv[1], "mknod-chr") == 0)
		return report("mknod", mknod(argv[2], S_IFCHR | 0666, makedev(1, 3)));
	if (argc == 3 && strcmp(argv[1], "list") == 0)
		return list(argv[2]);
	fprintf(stderr, "usage: see the comment at the top of confine_probe.c\n");
	return 2;
}
