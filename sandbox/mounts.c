#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *const mounts_system_dirs[] = {"usr", "bin", "sbin", "lib", "lib32", "lib64",
					   "libx32", NULL};
const char *const mounts_etc_files[] = {"ld.so.cache", "ld.so.conf", "passwd", "group",
					 "nsswitch.conf", "hosts", "localtime", "host.conf",
					 "resolv.conf", "ld.so.conf.d", "alternatives", NULL};
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty",
					NULL};

int mounts_private(void)
{
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ? -errno : 0;
}

int mounts_fuse(const char *target, uid_t uid, gid_t gid)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char opts[256];
	/* allow_other: the job runs as another uid than the one mounting;
	 * in a user namespace it only admits processes of that namespace. */
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other,default_permissions", fd,
		 uid, gid);
	if (mount("spxfs", target, "fuse.spxfs", MS_NOSUID | MS_NODEV, opts) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int join(char *out, const char *root, const char *path)
{
	int n = snprintf(out, PATH_MAX, "%s%s%s", root, path[0] == '/' ? "" : "/", path);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* A read-only remount must keep the flags the kernel locked on the source
 * (nosuid, nodev, noexec) or a user namespace refuses it. */
static int remount_ro(const char *target)
{
	struct statvfs sv;
	if (statvfs(target, &sv) < 0)
		return -errno;
	unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
	if (sv.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	return mount(NULL, target, NULL, flags, NULL) < 0 ? -errno : 0;
}

static int bind(const char *src, const char *target, bool ro)
{
	if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	return ro ? remount_ro(target) : 0;
}

/* An empty file to bind a non-directory over (inside a tmpfs of ours). */
static int make_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int make_dev(const char *root)
{
	char dev[PATH_MAX], node[PATH_MAX], link[PATH_MAX];
	int r = join(dev, root, "/dev");
	if (r == 0 && mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") < 0)
		r = -errno;
	for (int i = 0; r == 0 && dev_nodes[i]; i++) {
		char host[64];
		snprintf(host, sizeof(host), "/dev/%s", dev_nodes[i]);
		r = join(node, dev, dev_nodes[i]);
		if (r == 0)
			r = make_file(node);
		if (r == 0)
			r = bind(host, node, false);
	}
	static const char *const links[][2] = {{"/proc/self/fd", "fd"},
					       {"/proc/self/fd/0", "stdin"},
					       {"/proc/self/fd/1", "stdout"},
					       {"/proc/self/fd/2", "stderr"}};
	for (size_t i = 0; r == 0 && i < sizeof(links) / sizeof(links[0]); i++) {
		r = join(link, dev, links[i][1]);
		if (r == 0 && symlink(links[i][0], link) < 0)
			r = -errno;
	}
	return r == 0 ? remount_ro(dev) : r;
}

static int make_etc(const char *root)
{
	char etc[PATH_MAX], dst[PATH_MAX], src[PATH_MAX];
	int r = join(etc, root, "/etc");
	if (r == 0 && mount("tmpfs", etc, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k") < 0)
		r = -errno;
	for (int i = 0; r == 0 && mounts_etc_files[i]; i++) {
		struct stat st;
		snprintf(src, sizeof(src), "/etc/%s", mounts_etc_files[i]);
		if (join(dst, etc, mounts_etc_files[i]) < 0)
			return -ENAMETOOLONG;
		if (stat(src, &st) < 0)
			continue; /* the host has none: neither has the job */
		if (S_ISDIR(st.st_mode))
			r = mkdir(dst, 0755) < 0 ? -errno : 0;
		else
			r = make_file(dst);
		if (r == 0)
			r = bind(src, dst, true);
	}
	return r == 0 ? remount_ro(etc) : r;
}

int mounts_assemble(const char *root, const struct box_options *o, bool etc_placeholder,
		    uid_t job_uid, gid_t job_gid, const char **what)
{
	char tmpfs_opts[64];
	snprintf(tmpfs_opts, sizeof(tmpfs_opts), "mode=0755,uid=%u,gid=%u", job_uid, job_gid);
	char path[PATH_MAX];
	int r = join(path, root, "/proc");
	*what = "mounting /proc";
	if (r == 0 && mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		r = -errno;
	if (r == 0) {
		*what = "making /dev";
		r = make_dev(root);
	}
	for (int i = 0; r == 0 && o->system && mounts_system_dirs[i]; i++) {
		char host[64];
		struct stat st;
		snprintf(host, sizeof(host), "/%s", mounts_system_dirs[i]);
		if (lstat(host, &st) < 0)
			continue;
		*what = "binding the host's system directories (--system)";
		r = join(path, root, host);
		if (r == 0)
			r = bind(host, path, true);
	}
	if (r == 0 && o->system && etc_placeholder) {
		*what = "making /etc (--system)";
		r = make_etc(root);
	}
	for (int i = 0; r == 0 && i < o->nmounts; i++) {
		const struct box_mount *m = &o->mounts[i];
		*what = m->kind == BOX_TMPFS ? "--tmpfs" : "--bind/--ro-bind";
		r = join(path, root, m->dst);
		if (r == 0 && m->kind == BOX_TMPFS)
			r = mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, tmpfs_opts) < 0
				    ? -errno
				    : 0;
		else if (r == 0)
			r = bind(m->src, path, m->kind == BOX_RO_BIND);
	}
	return r;
}

int mounts_pivot(const char *root)
{
	/* pivot_root(".", ".") stacks the old root on the new one; detaching
	 * it leaves the new root alone, without a directory for the old root
	 * inside ROOT. */
	if (chdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return -errno;
	return 0;
}
