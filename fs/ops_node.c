/* Handlers about one inode: lookup, forget, attributes, readlink, statfs. */
#include "audit.h"
#include "open_file.h"
#include "record.h"
#include "spxfs.h"
#include "undo.h"
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

void spx_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct spx_inode *p;
	int pfd = spx_pin(req, parent, &p);
	if (pfd < 0) {
		spx_reply_err(req, pfd);
		return;
	}
	struct fuse_entry_param e = {0};
	int err = -spx_lookup_entry(req, p, pfd, name, &e);
	err = spx_audit_detail(req, "lookup", p, name, err);
	if (err != 0 && e.ino != 0)
		inode_table_forget(spx_fs_of(req)->table, (struct spx_inode *)(uintptr_t)e.ino, 1);
	spx_unpin(req, p);
	struct spx_fs *fs = spx_fs_of(req);
	if (err == ENOENT && fs->timeout > 0) {
		/* A negative entry: the kernel keeps "no such name" as long as
		 * a found one (compilers and interpreters probe the same
		 * missing paths again and again). What the job makes under the
		 * name replaces it; a host process's new file shows as late as
		 * a host change to a cached file does. */
		struct fuse_entry_param none = {.entry_timeout = fs->timeout};
		fuse_reply_entry(req, &none);
	} else if (err != 0) {
		fuse_reply_err(req, err);
	} else {
		fuse_reply_entry(req, &e);
	}
}

void spx_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	inode_table_forget(spx_fs_of(req)->table, spx_inode_of(req, ino), nlookup);
	fuse_reply_none(req);
}

void spx_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct inode_table *t = spx_fs_of(req)->table;
	for (size_t i = 0; i < count; i++)
		inode_table_forget(t, spx_inode_of(req, forgets[i].ino), forgets[i].nlookup);
	fuse_reply_none(req);
}

/* The descriptor an attribute request works on: the open file's when the
 * request came through one (it stays valid whatever happened to the name),
 * else the inode's O_PATH descriptor, pinned. */
static struct open_file *handle_of(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	/* The kernel passes a handle only for regular files (ftruncate,
	 * fstat); directories' handles are another type. */
	if (fi == NULL || !S_ISREG(inode_type(spx_inode_of(req, ino))))
		return NULL;
	return (struct open_file *)(uintptr_t)fi->fh;
}

/* Either *h (its descriptor in use) or *pinned is set on success. An open
 * file whose descriptor was closed to make room is not reopened for this:
 * the inode's descriptor serves. */
static int attr_fd(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		   struct open_file **h, struct spx_inode **pinned)
{
	*pinned = NULL;
	*h = handle_of(req, ino, fi);
	if (*h != NULL) {
		int fd = open_file_use_open(spx_fs_of(req), *h);
		if (fd >= 0)
			return fd;
		*h = NULL;
	}
	return spx_pin(req, ino, pinned);
}

static void attr_done(fuse_req_t req, struct open_file *h, struct spx_inode *pinned)
{
	if (h != NULL)
		open_file_done(spx_fs_of(req), h);
	if (pinned != NULL)
		spx_unpin(req, pinned);
}

void spx_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct open_file *h;
	struct spx_inode *in;
	int fd = attr_fd(req, ino, fi, &h, &in);
	if (fd < 0) {
		spx_reply_err(req, fd);
		return;
	}
	struct stat st;
	int err = -resolve_stat_fd(fd, &st);
	attr_done(req, h, in);
	err = spx_audit_detail(req, "getattr", spx_inode_of(req, ino), NULL, err);
	if (err != 0) {
		fuse_reply_err(req, err);
	} else {
		id_view_out(&spx_fs_of(req)->ids, &st);
		fuse_reply_attr(req, &st, spx_fs_of(req)->timeout);
	}
}

/* ffd: the open file's descriptor, or -1 to work on the O_PATH fd. */
static int set_mode(struct spx_fs *fs, int fd, mode_t type, mode_t mode, int ffd)
{
	mode = spx_safe_mode((mode & 07777) | type);
	int r;
	if (ffd >= 0) {
		r = fchmod(ffd, mode & 07777);
	} else if (S_ISLNK(type)) {
		return -EOPNOTSUPP; /* Linux has no symlink modes */
	} else {
		char name[16];
		spx_fd_name(fd, name);
		r = fchmodat(fs->proc_self_fd, name, mode & 07777, 0);
	}
	return r < 0 ? -errno : 0;
}

static int set_size(fuse_req_t req, struct spx_inode *in, int fd, off_t size, int ffd)
{
	int wfd = ffd >= 0 ? ffd : spx_reopen(spx_fs_of(req), fd, O_WRONLY);
	if (wfd < 0)
		return wfd;
	int r = -spx_kill_privs(req, in, wfd);
	if (r == 0 && ftruncate(wfd, size) < 0)
		r = -errno;
	if (wfd != ffd)
		close(wfd);
	return r;
}

static int set_times(struct spx_fs *fs, int fd, mode_t type, const struct stat *attr, int valid,
		     int ffd)
{
	struct timespec tv[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_nsec = UTIME_OMIT}};
	if (valid & FUSE_SET_ATTR_ATIME_NOW)
		tv[0].tv_nsec = UTIME_NOW;
	else if (valid & FUSE_SET_ATTR_ATIME)
		tv[0] = attr->st_atim;
	if (valid & FUSE_SET_ATTR_MTIME_NOW)
		tv[1].tv_nsec = UTIME_NOW;
	else if (valid & FUSE_SET_ATTR_MTIME)
		tv[1] = attr->st_mtim;
	int r;
	if (ffd >= 0) {
		r = futimens(ffd, tv);
	} else if (S_ISLNK(type)) {
		r = utimensat(fd, "", tv, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	} else {
		char name[16];
		spx_fd_name(fd, name);
		r = utimensat(fs->proc_self_fd, name, tv, 0);
	}
	return r < 0 ? -errno : 0;
}

static void time_field(json_t *rec, const char *key, int now_bit, int set_bit, int valid,
		       const struct timespec *ts)
{
	if (valid & now_bit) {
		json_object_set_new(rec, key, json_string("now"));
	} else if (valid & set_bit) {
		char when[40];
		record_format_time(ts, when);
		json_object_set_new(rec, key, json_string(when));
	}
}

/* One record per setattr, named for what it changed: chmod, chown,
 * truncate or utimens; setattr when it changed several. */
static int audit_setattr(fuse_req_t req, fuse_ino_t ino, const struct stat *attr, int valid,
			 int err)
{
	struct spx_fs *fs = spx_fs_of(req);
	if (fs->log == NULL)
		return err;
	const int times = FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW |
			  FUSE_SET_ATTR_MTIME_NOW;
	const char *op = "setattr";
	int kinds = !!(valid & FUSE_SET_ATTR_MODE) +
		    !!(valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) +
		    !!(valid & FUSE_SET_ATTR_SIZE) + !!(valid & times);
	if (kinds == 1)
		op = (valid & FUSE_SET_ATTR_MODE)    ? "chmod"
		     : (valid & FUSE_SET_ATTR_SIZE) ? "truncate"
		     : (valid & times)		    ? "utimens"
						    : "chown";
	json_t *extra = json_object();
	if (valid & FUSE_SET_ATTR_MODE)
		json_object_set_new(extra, "mode", json_integer(attr->st_mode & 07777));
	if (valid & FUSE_SET_ATTR_UID)
		json_object_set_new(extra, "owner",
				    json_integer(id_view_uid_in(&spx_fs_of(req)->ids, attr->st_uid)));
	if (valid & FUSE_SET_ATTR_GID)
		json_object_set_new(extra, "group",
				    json_integer(id_view_gid_in(&spx_fs_of(req)->ids, attr->st_gid)));
	if (valid & FUSE_SET_ATTR_SIZE)
		json_object_set_new(extra, "size", json_integer(attr->st_size));
	time_field(extra, "atime", FUSE_SET_ATTR_ATIME_NOW, FUSE_SET_ATTR_ATIME, valid,
		   &attr->st_atim);
	time_field(extra, "mtime", FUSE_SET_ATTR_MTIME_NOW, FUSE_SET_ATTR_MTIME, valid,
		   &attr->st_mtim);
	return spx_audit_name(req, op, spx_inode_of(req, ino), NULL, err, extra);
}

void spx_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid,
		 struct fuse_file_info *fi)
{
	struct spx_fs *fs = spx_fs_of(req);
	struct open_file *h;
	struct spx_inode *in;
	int fd = attr_fd(req, ino, fi, &h, &in);
	if (fd < 0) {
		spx_reply_err(req, fd);
		return;
	}
	mode_t type = inode_type(spx_inode_of(req, ino));
	int ffd = h != NULL ? fd : -1;
	int r = fs->read_only ? -EROFS : -spx_audit_ready(req);
	if (r == 0)
		r = -spx_undo_keep_fd(req, fd, spx_inode_of(req, ino), NULL, "setattr");
	if (r == 0 && (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
		uid_t uid = (valid & FUSE_SET_ATTR_UID) ? id_view_uid_in(&fs->ids, attr->st_uid) : (uid_t)-1;
		gid_t gid = (valid & FUSE_SET_ATTR_GID) ? id_view_gid_in(&fs->ids, attr->st_gid) : (gid_t)-1;
		if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
	}
	if (r == 0 && (valid & FUSE_SET_ATTR_MODE))
		r = set_mode(fs, fd, type, attr->st_mode, ffd);
	if (r == 0 && (valid & FUSE_SET_ATTR_SIZE) && fs->quota_bytes) {
		/* growing a file by truncate allocates nothing, but a quota
		 * on bytes written counts the size it claims */
		struct stat cur;
		if (resolve_stat_fd(fd, &cur) == 0 && attr->st_size > cur.st_size)
			r = -spx_quota_charge(fs, (uint64_t)(attr->st_size - cur.st_size));
	}
	if (r == 0 && (valid & FUSE_SET_ATTR_SIZE))
		r = S_ISDIR(type) ? -EISDIR : set_size(req, spx_inode_of(req, ino), fd, attr->st_size, ffd);
	if (r == 0 && (valid & FUSE_SET_ATTR_SIZE)) {
		if (handle_of(req, ino, fi) != NULL)
			open_file_touched(handle_of(req, ino, fi));
		else /* truncate by path: open files of it must know */
			(void)inode_changed(spx_inode_of(req, ino));
	}
	if (r == 0 && (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW |
				FUSE_SET_ATTR_MTIME_NOW)))
		r = set_times(fs, fd, type, attr, valid, ffd);
	struct stat st;
	if (r == 0)
		r = resolve_stat_fd(fd, &st);
	attr_done(req, h, in);
	int err = audit_setattr(req, ino, attr, valid, -r);
	if (err != 0) {
		fuse_reply_err(req, err);
	} else {
		id_view_out(&fs->ids, &st);
		fuse_reply_attr(req, &st, fs->timeout);
	}
}

void spx_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct spx_inode *in;
	int fd = spx_pin(req, ino, &in);
	if (fd < 0) {
		spx_reply_err(req, fd);
		return;
	}
	char buf[PATH_MAX + 1];
	ssize_t n = readlinkat(fd, "", buf, sizeof(buf));
	int err = n < 0 ? errno : ((size_t)n >= sizeof(buf) ? ENAMETOOLONG : 0);
	spx_unpin(req, in);
	err = spx_audit_name(req, "readlink", in, NULL, err, NULL);
	if (err != 0) {
		fuse_reply_err(req, err);
	} else {
		buf[n] = '\0';
		fuse_reply_readlink(req, buf);
	}
}

void spx_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct spx_fs *fs = spx_fs_of(req);
	struct spx_inode *in;
	int fd = spx_pin(req, ino, &in);
	if (fd < 0) {
		spx_reply_err(req, fd);
		return;
	}
	/* With default_permissions the kernel checks access itself; this
	 * only adds the read-only answer for W_OK. */
	struct stat st;
	int r = resolve_stat_fd(fd, &st);
	if (r == 0 && (mask & W_OK) && fs->read_only)
		r = -EROFS;
	spx_unpin(req, in);
	fuse_reply_err(req, spx_audit_detail(req, "access", in, NULL, -r));
}

void spx_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct spx_inode *in;
	int fd = spx_pin(req, ino, &in);
	if (fd < 0) {
		spx_reply_err(req, fd);
		return;
	}
	struct statvfs sv;
	int err = fstatvfs(fd, &sv) < 0 ? errno : 0;
	spx_unpin(req, in);
	err = spx_audit_detail(req, "statfs", in, NULL, err);
	if (err != 0)
		fuse_reply_err(req, err);
	else
		fuse_reply_statfs(req, &sv);
}
