#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
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

/* A detached copy of the host tree at path (the caller's paths: trusted). */
static int clone_tree(const char *path)
{
	int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	return fd < 0 ? -errno : fd;
}

static void sources_init(struct view_sources *v)
{
	v->fuse = -1;
	for (int i = 0; i < MOUNTS_DEV_NODES; i++)
		v->dev[i] = -1;
	for (int i = 0; i < MOUNTS_SYSTEM_DIRS; i++)
		v->system[i] = -1;
	for (int i = 0; i < MOUNTS_ETC_FILES; i++)
		v->etc[i] = -1;
	for (int i = 0; i < BOX_MAX_MOUNTS; i++)
		v->binds[i] = -1;
}

int mounts_open_sources(const struct box_options *o, bool want_fuse, struct view_sources *v,
			const char **what)
{
	sources_init(v);
	char host[PATH_MAX];
	*what = "opening /dev/fuse";
	if (want_fuse && (v->fuse = open("/dev/fuse", O_RDWR | O_CLOEXEC)) < 0)
		return -errno;
	*what = "cloning the host's /dev nodes";
	for (int i = 0; dev_nodes[i]; i++) {
		snprintf(host, sizeof(host), "/dev/%s", dev_nodes[i]);
		if ((v->dev[i] = clone_tree(host)) < 0)
			return v->dev[i];
	}
	*what = "cloning the host's system directories (--system)";
	for (int i = 0; o->system && mounts_system_dirs[i]; i++) {
		struct stat st;
		snprintf(host, sizeof(host), "/%s", mounts_system_dirs[i]);
		if (lstat(host, &st) == 0 && (v->system[i] = clone_tree(host)) < 0)
			return v->system[i];
	}
	*what = "cloning the host's /etc files (--system)";
	for (int i = 0; o->system && mounts_etc_files[i]; i++) {
		struct stat st;
		snprintf(host, sizeof(host), "/etc/%s", mounts_etc_files[i]);
		if (stat(host, &st) < 0)
			continue; /* the host has none: neither has the job */
		v->etc_dir[i] = S_ISDIR(st.st_mode);
		if ((v->etc[i] = clone_tree(host)) < 0)
			return v->etc[i];
	}
	*what = "opening a --bind/--ro-bind source";
	for (int i = 0; i < o->nmounts; i++)
		if (o->mounts[i].kind != BOX_TMPFS && (v->binds[i] = clone_tree(o->mounts[i].src)) < 0)
			return v->binds[i];
	return 0;
}

int mounts_fuse(const char *target, int fuse, uid_t uid, gid_t gid)
{
	char opts[256];
	/* allow_other: the job runs as another uid than the one mounting;
	 * in a user namespace it only admits processes of that namespace. */
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other,default_permissions", fuse,
		 uid, gid);
	if (mount("spxfs", target, "fuse.spxfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return -errno;
	return fuse;
}

int mounts_reclone(const char *path)
{
	int tree = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return -errno;
	int r = move_mount(tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
	close(tree);
	return r;
}

/* The mount point at path (absolute, in the view), opened beneath root
 * with no symlink anywhere on the way: ROOT's own entries are whatever the
 * job or the host put there. */
static int target(int root, const char *path, bool dir)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | O_NOFOLLOW | (dir ? O_DIRECTORY : 0),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	while (*path == '/')
		path++;
	int fd = (int)syscall(SYS_openat2, root, *path ? path : ".", &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

static int attach(int tree, int onto)
{
	return move_mount(tree, "", onto, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0
		       ? -errno
		       : 0;
}

static int set_ro(int mnt, bool recursive)
{
	struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
	unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
	return mount_setattr(mnt, "", flags, &a, sizeof(a)) < 0 ? -errno : 0;
}

/* A new filesystem of type (proc, tmpfs) with the options given, attached
 * onto the directory onto. Returns its root's descriptor, or -errno. */
static int new_mount(const char *type, const char *const *opts, unsigned attrs, int onto)
{
	int fs = fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	int r = 0;
	for (int i = 0; r == 0 && opts != NULL && opts[i]; i += 2)
		r = fsconfig(fs, FSCONFIG_SET_STRING, opts[i], opts[i + 1], 0) < 0 ? -errno : 0;
	if (r == 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		r = -errno;
	int mnt = r == 0 ? fsmount(fs, FSMOUNT_CLOEXEC, attrs) : -1;
	if (r == 0 && mnt < 0)
		r = -errno;
	close(fs);
	if (r == 0)
		r = attach(mnt, onto);
	if (r < 0) {
		if (mnt >= 0)
			close(mnt);
		return r;
	}
	return mnt;
}

/* A host file or directory (a clone) bound onto a new, empty name made
 * inside our own tmpfs mnt. */
static int bind_into(int mnt, const char *name, int tree, bool dir)
{
	int fd;
	if (dir) {
		if (mkdirat(mnt, name, 0755) < 0)
			return -errno;
		fd = openat(mnt, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	} else {
		fd = openat(mnt, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	}
	if (fd < 0)
		return -errno;
	int r = attach(tree, fd);
	close(fd);
	return r;
}

/* /dev/shm: POSIX shared memory (shm_open, Python's multiprocessing,
 * containers expect it) on a private tmpfs, gone with the job and, like
 * the private /tmp, not recorded. */
static int make_shm(int dev)
{
	static const char *const opts[] = {"mode", "1777", "size", "64m", NULL};
	if (mkdirat(dev, "shm", 0755) < 0)
		return -errno;
	int point = openat(dev, "shm", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (point < 0)
		return -errno;
	int mnt = new_mount("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
			    point);
	close(point);
	if (mnt < 0)
		return mnt;
	close(mnt);
	return 0;
}

static int make_dev(int onto, const struct view_sources *v)
{
	static const char *const opts[] = {"mode", "0755", "size", "64k", NULL};
	int mnt = new_mount("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, onto);
	if (mnt < 0)
		return mnt;
	int r = 0;
	for (int i = 0; r == 0 && dev_nodes[i]; i++)
		r = bind_into(mnt, dev_nodes[i], v->dev[i], false);
	static const char *const links[][2] = {{"/proc/self/fd", "fd"},
					       {"/proc/self/fd/0", "stdin"},
					       {"/proc/self/fd/1", "stdout"},
					       {"/proc/self/fd/2", "stderr"}};
	for (size_t i = 0; r == 0 && i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][0], mnt, links[i][1]) < 0)
			r = -errno;
	if (r == 0)
		r = make_shm(mnt);
	if (r == 0)
		r = set_ro(mnt, false); /* not recursive: /dev/shm stays writable */
	close(mnt);
	return r;
}

static int make_etc(int onto, const struct view_sources *v)
{
	static const char *const opts[] = {"mode", "0755", "size", "64k", NULL};
	int mnt = new_mount("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, onto);
	if (mnt < 0)
		return mnt;
	int r = 0;
	for (int i = 0; r == 0 && mounts_etc_files[i]; i++)
		if (v->etc[i] >= 0)
			r = bind_into(mnt, mounts_etc_files[i], v->etc[i], v->etc_dir[i]);
	if (r == 0)
		r = set_ro(mnt, true);
	close(mnt);
	return r;
}

/* Opens the mount point at path; on failure says which and why in what. */
static int open_point(int root, const char *path, bool dir, char *what, size_t len)
{
	int fd = target(root, path, dir);
	if (fd == -ELOOP || fd == -ENOTDIR)
		snprintf(what, len, "ROOT's %s is a symlink, or is reached through one%s", path,
			 dir ? ", or is not a directory" : "");
	else if (fd < 0)
		snprintf(what, len, "mount point %s", path);
	return fd;
}

/* One step: the mount point at path, and what to do on it. */
static int at(int root, const char *path, bool dir, char *what, size_t len, int (*fn)(int, const void *),
	      const void *arg)
{
	int fd = open_point(root, path, dir, what, len);
	if (fd < 0)
		return fd;
	int r = fn(fd, arg);
	close(fd);
	if (r < 0)
		snprintf(what, len, "mounting on %s", path);
	return r;
}

static int do_proc(int onto, const void *arg)
{
	(void)arg;
	int mnt = new_mount("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
			    onto);
	if (mnt < 0)
		return mnt;
	close(mnt);
	return 0;
}

static int do_dev(int onto, const void *arg)
{
	return make_dev(onto, arg);
}

static int do_etc(int onto, const void *arg)
{
	return make_etc(onto, arg);
}

struct bind_arg {
	int tree;
	bool ro;
};

static int do_bind(int onto, const void *arg)
{
	const struct bind_arg *b = arg;
	/* read-only on the detached copy, before the job can see it */
	int r = b->ro ? set_ro(b->tree, true) : 0;
	return r == 0 ? attach(b->tree, onto) : r;
}

struct tmpfs_arg {
	uid_t uid;
	gid_t gid;
	bool tmp;
};

static int do_tmpfs(int onto, const void *arg)
{
	const struct tmpfs_arg *t = arg;
	char uid[16], gid[16];
	snprintf(uid, sizeof(uid), "%u", t->uid);
	snprintf(gid, sizeof(gid), "%u", t->gid);
	/* /tmp as everyone expects it: anyone may write, sticky */
	const char *const opts[] = {"mode", t->tmp ? "1777" : "0755", "uid", uid, "gid", gid, NULL};
	int mnt = new_mount("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, onto);
	if (mnt < 0)
		return mnt;
	close(mnt);
	return 0;
}

int mounts_assemble(int root, const struct box_options *o, bool etc_placeholder, uid_t job_uid,
		    gid_t job_gid, const struct view_sources *v, char *what, size_t len)
{
	int r = at(root, "/proc", true, what, len, do_proc, NULL);
	if (r == 0)
		r = at(root, "/dev", true, what, len, do_dev, v);
	for (int i = 0; r == 0 && o->system && mounts_system_dirs[i]; i++) {
		if (v->system[i] < 0)
			continue;
		char dst[64];
		snprintf(dst, sizeof(dst), "/%s", mounts_system_dirs[i]);
		const struct bind_arg b = {v->system[i], true};
		r = at(root, dst, true, what, len, do_bind, &b);
	}
	if (r == 0 && o->system && etc_placeholder)
		r = at(root, "/etc", true, what, len, do_etc, v);
	for (int i = 0; r == 0 && i < o->nmounts; i++) {
		const struct box_mount *m = &o->mounts[i];
		if (m->kind == BOX_TMPFS) {
			const struct tmpfs_arg t = {job_uid, job_gid, strcmp(m->dst, "/tmp") == 0};
			r = at(root, m->dst, true, what, len, do_tmpfs, &t);
		} else {
			struct stat st;
			bool dir = fstatat(v->binds[i], "", &st, AT_EMPTY_PATH) == 0 &&
				   S_ISDIR(st.st_mode);
			const struct bind_arg b = {v->binds[i], m->kind == BOX_RO_BIND};
			r = at(root, m->dst, dir, what, len, do_bind, &b);
		}
	}
	return r;
}

int mounts_pivot(int root)
{
	/* pivot_root(".", ".") stacks the old root on the new one; detaching
	 * it leaves the new root alone, without a directory for the old root
	 * inside ROOT. */
	if (fchdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return -errno;
	return 0;
}
