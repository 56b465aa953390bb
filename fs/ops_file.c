/* Handlers on open files: open, create, read, write and the rest.
 * fi->fh is an open_file: the host descriptor plus, when auditing, the
 * account of what was read and written through it, recorded at release.
 * An open file does not pin its inode's O_PATH descriptor: unlink keeps
 * the O_PATH descriptor of an inode that loses its last known name.
 * Its host descriptor may have been closed to make room (open_fds.h):
 * each handler takes it with use_fd() and gives it back with done_fd(). */
#include "as_caller.h"
#include "audit.h"
#include "chain.h"
#include "record.h"
#include "open_file.h"
#include "resolve.h"
#include "spxfs.h"
#include "undo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernel opens a file it is about to execute with __FMODE_EXEC, which
 * reaches FUSE in the open flags (0x20 is no open(2) flag). */
#define SPX_FMODE_EXEC 040

static struct open_file *handle(const struct fuse_file_info *fi)
{
	return (struct open_file *)(uintptr_t)fi->fh;
}

/* The open file's host descriptor for this request (open_fds.h): >= 0,
 * or -errno when it had to be reopened and could not be. */
static int use_fd(fuse_req_t req, const struct fuse_file_info *fi)
{
	return open_file_use(spx_fs_of(req), handle(fi));
}

static void done_fd(fuse_req_t req, const struct fuse_file_info *fi)
{
	open_file_done(spx_fs_of(req), handle(fi));
}

static int open_flags(struct spx_fs *fs, int flags)
{
	if (fs->read_only && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		return -EROFS;
	return flags & ~(O_CREAT | O_EXCL | O_NOCTTY);
}

/* Wraps fd in a handle (recording the open) and replies; closes on error. */
static void reply_opened(fuse_req_t req, struct fuse_file_info *fi, struct spx_inode *in, int fd,
			 char *path, bool created_empty, const struct fuse_entry_param *e)
{
	struct spx_fs *fs = spx_fs_of(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct open_file *h = open_file_new(fs, fd, in, fi->flags, fs->log != NULL, created_empty,
					    ctx->pid, ctx->uid, ctx->gid, path);
	if (h == NULL) {
		close(fd);
		free(path);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)h;
	int r = 0;
	if (e == NULL)
		r = fuse_reply_open(req, fi);
	else
		r = fuse_reply_create(req, e, fi);
	if (r != 0) /* the caller was interrupted: no release will come */
		json_decref(open_file_close(fs, h));
}

/* Records the open of ino; returns the errno to reply. An open the kernel
 * makes to execute the file (--allow-exec) carries the SHA-256 of what it
 * opened, hashed here, in a worker, from the very descriptor the exec
 * reads: a path the job names can be swapped, this cannot. */
static int audit_open(fuse_req_t req, const char *op, char *path, int flags, int err, int fd)
{
	struct spx_fs *fs = spx_fs_of(req);
	json_t *rec = spx_audit_new(req, op);
	if (rec == NULL)
		return spx_audit_commit(fs, NULL, err);
	if (path == NULL || record_set_path(rec, "path", path) < 0)
		json_object_set_new(rec, "path", json_null());
	json_object_set_new(rec, "flags", spx_audit_flags(flags & ~SPX_FMODE_EXEC));
	if ((flags & SPX_FMODE_EXEC) && err == 0 && fd >= 0) {
		json_object_set_new(rec, "exec", json_true());
		char hex[CHAIN_HEX_LEN];
		json_object_set_new(rec, "sha256",
				    spx_hash_content(fs, fd, hex) == 0 ? json_string(hex) : json_null());
	}
	return spx_audit_commit(fs, rec, err);
}

/* Without a log, a file opened again whose host state is what the last
 * open saw keeps the pages the kernel cached (FOPEN_KEEP_CACHE): a second
 * read is served from memory. With a log it never does: the reads would
 * not reach spxfs, and the record of what the job read would lose them. */
static bool may_keep_cache(struct spx_fs *fs, struct spx_inode *in, int fd)
{
	struct stat st;
	if (fs->log != NULL || fstat(fd, &st) < 0)
		return false;
	uint64_t stamp = (uint64_t)st.st_size * 0x9e3779b97f4a7c15ULL ^
			 (uint64_t)st.st_mtim.tv_sec * 1000000007ULL ^ (uint64_t)st.st_mtim.tv_nsec ^
			 ((uint64_t)st.st_ctim.tv_sec << 32) ^ ((uint64_t)st.st_ctim.tv_nsec << 1);
	return inode_cache_still_valid(in, stamp | 1);
}

void spx_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct spx_fs *fs = spx_fs_of(req);
	int err = spx_audit_ready(req);
	int flags = open_flags(fs, fi->flags);
	if (err == 0 && flags < 0)
		err = -flags;
	struct spx_inode *in = spx_inode_of(req, ino);
	char *path = fs->log ? inode_table_path(fs->table, in, NULL) : NULL;
	int ofd = -1;
	if (err == 0 && (fi->flags & O_TRUNC))
		err = spx_undo_keep_inode(req, in, "truncate");
	if (err == 0) {
		int fd = inode_table_pin(fs->table, in);
		ofd = fd < 0 ? fd : spx_reopen(fs, fd, flags);
		if (fd >= 0)
			inode_table_unpin(fs->table, in);
		err = ofd < 0 ? -ofd : 0;
	}
	if (err == 0 && (fi->flags & O_TRUNC))
		err = spx_kill_privs(req, in, ofd);
	err = audit_open(req, "open", path, fi->flags, err, ofd);
	if (err != 0) {
		if (ofd >= 0)
			close(ofd);
		free(path);
		fuse_reply_err(req, err);
		return;
	}
	if (fi->flags & O_TRUNC)
		(void)inode_changed(in);
	fi->keep_cache = may_keep_cache(fs, in, ofd);
	reply_opened(req, fi, in, ofd, path, (fi->flags & O_TRUNC) != 0, NULL);
}

/* Opens (pfd, name) for create. The file is made exclusively and as the
 * caller (as_caller.h), so only a file this call made is the caller's
 * from birth. A name that appeared meanwhile (a host process, another
 * caller) is opened as it is, unless the caller asked for O_EXCL, and
 * then with the host checking the caller's own ids: the kernel never
 * checked the caller's permission on that file, and root's would let
 * O_TRUNC or O_RDWR reach a file the caller may not write. */
static int create_as_caller(fuse_req_t req, int pfd, const char *name, mode_t mode, int oflags,
			    bool *made)
{
	struct spx_fs *fs = spx_fs_of(req);
	int flags = (oflags & ~O_NOCTTY) | O_CREAT;
	mode_t m = spx_safe_mode(mode) & 07777;
	int ofd = as_caller_begin(req, AS_CALLER_TRUSTED);
	if (ofd == 0) {
		ofd = resolve_open(pfd, name, flags | O_EXCL, m);
		if (spx_out_of_fds(fs, ofd))
			ofd = resolve_open(pfd, name, flags | O_EXCL, m);
		as_caller_end(req);
	}
	*made = ofd >= 0;
	if (ofd != -EEXIST || (oflags & O_EXCL))
		return ofd;
	ofd = as_caller_begin(req, AS_CALLER_HOST_CHECKS);
	if (ofd == 0) {
		ofd = resolve_open(pfd, name, flags & ~O_CREAT, 0);
		as_caller_end(req);
	}
	return ofd;
}

/* The entry for the file create_as_caller opened, made from that very
 * descriptor: the name, looked up again, may already be another file that
 * a host process put there meanwhile, and the job's new nodeid must not
 * stand for it. */
static int created_entry(fuse_req_t req, struct spx_inode *p, const char *name, int ofd,
			 struct fuse_entry_param *e)
{
	struct spx_fs *fs = spx_fs_of(req);
	memset(e, 0, sizeof(*e));
	int fd = spx_reopen(fs, ofd, O_PATH);
	if (fd < 0)
		return fd;
	int r = resolve_stat_fd(fd, &e->attr);
	if (r < 0) {
		close(fd);
		return r;
	}
	return spx_entry_of(fs, p, name, fd, e);
}

void spx_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		struct fuse_file_info *fi)
{
	struct spx_fs *fs = spx_fs_of(req);
	int err = fs->read_only ? EROFS : spx_audit_ready(req);
	struct spx_inode *p = spx_inode_of(req, parent);
	char *path = fs->log ? inode_table_path(fs->table, p, name) : NULL;
	int pfd = -1, ofd = -1;
	bool made = false;
	if (err == 0) {
		pfd = inode_table_pin(fs->table, p);
		err = pfd < 0 ? -pfd : 0;
	}
	/* undo: the directory's times; a name that appeared meanwhile may be
	 * truncated or written */
	if (err == 0 && (err = spx_undo_keep_fd(req, pfd, p, NULL, "create")) == 0)
		err = spx_undo_keep_name(req, pfd, p, name, "create");
	if (err == 0) {
		ofd = create_as_caller(req, pfd, name, mode, fi->flags, &made);
		err = ofd < 0 ? -ofd : 0;
	}
	struct fuse_entry_param e = {0};
	if (err == 0)
		err = -created_entry(req, p, name, ofd, &e);
	if (err == 0 && !made && (fi->flags & O_TRUNC))
		err = spx_kill_privs(req, (struct spx_inode *)(uintptr_t)e.ino, ofd);
	if (err == 0 && made)
		spx_undo_made(fs, e.attr.st_dev, e.attr.st_ino);
	err = audit_open(req, "create", path, fi->flags | O_CREAT, err, -1);
	if (err != 0 && e.ino != 0) /* the kernel will not hear of it */
		inode_table_forget(fs->table, (struct spx_inode *)(uintptr_t)e.ino, 1);
	if (err != 0 && made) /* unrecorded or failed: leave nothing behind */
		(void)unlinkat(pfd, name, 0);
	if (pfd >= 0)
		inode_table_unpin(fs->table, p);
	if (err != 0) {
		if (ofd >= 0)
			close(ofd);
		free(path);
		fuse_reply_err(req, err);
		return;
	}
	reply_opened(req, fi, (struct spx_inode *)(uintptr_t)e.ino, ofd, path,
		     made || (fi->flags & O_TRUNC), &e);
}

void spx_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)ino;
	int err = spx_audit_ready(req);
	if (err != 0) {
		fuse_reply_err(req, err);
		return;
	}
	char *buf = malloc(size ? size : 1);
	if (buf == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	int fd = use_fd(req, fi);
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, size, off);
	int e = fd < 0 ? -fd : errno;
	if (fd >= 0)
		done_fd(req, fi);
	if (n < 0) {
		open_file_failed(handle(fi), false, e);
		fuse_reply_err(req, e);
	} else {
		open_file_read(handle(fi), off, buf, (size_t)n, size);
		fuse_reply_buf(req, buf, (size_t)n);
	}
	free(buf);
}

void spx_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
	       struct fuse_file_info *fi)
{
	int err = spx_audit_ready(req);
	if (err == 0 && (err = spx_undo_keep_inode(req, spx_inode_of(req, ino), "write")) != 0)
		open_file_failed(handle(fi), true, err);
	if (err == 0 && (err = spx_quota_charge(spx_fs_of(req), size)) != 0)
		open_file_failed(handle(fi), true, err); /* EDQUOT */
	if (err != 0) {
		fuse_reply_err(req, err);
		return;
	}
	int fd = use_fd(req, fi);
	int e = fd < 0 ? -fd : spx_kill_privs(req, spx_inode_of(req, ino), fd);
	ssize_t n = e != 0 ? -1 : pwrite(fd, buf, size, off);
	if (n < 0 && e == 0)
		e = errno;
	if (fd >= 0)
		done_fd(req, fi);
	if (n < 0) {
		open_file_failed(handle(fi), true, e);
		fuse_reply_err(req, e);
		return;
	}
	/* Hashed after the reply: the job's next write meanwhile. Without
	 * an account the handle may be freed once the reply is out. */
	struct open_file *h = handle(fi);
	bool account = open_file_write_begin(h);
	fuse_reply_write(req, (size_t)n);
	if (account)
		open_file_wrote(h, off, buf, (size_t)n);
}

void spx_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	/* close() of a duplicate reports delayed write errors, as closing the
	 * job's descriptor would. A descriptor closed to make room has
	 * nothing left to report. Where close() reports none, ENOSYS makes
	 * the kernel stop asking; it still writes back mmap()ed pages at
	 * each close, before it would have asked. */
	struct spx_fs *fs = spx_fs_of(req);
	if (fs->close_cannot_fail) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	int fd = open_file_use_open(fs, handle(fi));
	int r = 0;
	if (fd >= 0) {
		int dupfd = dup(fd);
		if (dupfd < 0 && spx_out_of_fds(fs, -errno))
			dupfd = dup(fd);
		/* Our own lack of a descriptor is not the job's error: its
		 * close() has nothing to learn then. */
		r = dupfd >= 0 && close(dupfd) < 0 ? errno : 0;
		open_file_done(fs, handle(fi));
	}
	fuse_reply_err(req, r);
}

void spx_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	/* release has no caller to tell: a failure here is the log's, which
	 * has already reported it and now refuses everything else. */
	(void)open_file_close_commit(spx_fs_of(req), handle(fi), false);
	fuse_reply_err(req, 0);
}

void spx_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)ino;
	int fd = use_fd(req, fi);
	if (fd < 0) {
		spx_reply_err(req, fd);
		return;
	}
	int r = datasync ? fdatasync(fd) : fsync(fd);
	r = r < 0 ? errno : 0;
	done_fd(req, fi);
	fuse_reply_err(req, r);
}

/* fallocate and copy_file_range change data outside write(): recorded
 * as their own operations, and the handle re-reads the file at close. */
static int audit_fd_op(fuse_req_t req, const char *op, fuse_ino_t ino, int err, json_t *extra)
{
	return spx_audit_name(req, op, spx_inode_of(req, ino), NULL, err, extra);
}

void spx_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
		   struct fuse_file_info *fi)
{
	int err = spx_audit_ready(req);
	if (err == 0)
		err = spx_undo_keep_inode(req, spx_inode_of(req, ino), "fallocate");
	if (err == 0 && !(mode & FALLOC_FL_PUNCH_HOLE))
		err = spx_quota_charge(spx_fs_of(req), (uint64_t)length);
	int fd = err == 0 ? use_fd(req, fi) : -1;
	if (err == 0 && fd < 0)
		err = -fd;
	if (err == 0 && (err = spx_kill_privs(req, spx_inode_of(req, ino), fd)) == 0) {
		err = fallocate(fd, mode, offset, length) < 0 ? errno : 0;
		open_file_touched(handle(fi));
	}
	if (fd >= 0)
		done_fd(req, fi);
	err = audit_fd_op(req, "fallocate", ino, err,
			  json_pack("{s:i, s:I, s:I}", "mode", mode, "offset", (json_int_t)offset,
				    "length", (json_int_t)length));
	fuse_reply_err(req, err);
}

void spx_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi)
{
	(void)ino;
	int fd = use_fd(req, fi);
	if (fd < 0) {
		spx_reply_err(req, fd);
		return;
	}
	/* only SEEK_DATA and SEEK_HOLE come here: no position is kept */
	off_t r = lseek(fd, off, whence);
	int e = errno;
	done_fd(req, fi);
	if (r < 0)
		fuse_reply_err(req, e);
	else
		fuse_reply_lseek(req, r);
}

void spx_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			 struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
			 struct fuse_file_info *fi_out, size_t len, int flags)
{
	int err = spx_audit_ready(req);
	ssize_t n = -1;
	off_t in0 = off_in, out0 = off_out;
	if (err == 0)
		err = spx_undo_keep_inode(req, spx_inode_of(req, ino_out), "copy_file_range");
	if (err == 0)
		err = spx_quota_charge(spx_fs_of(req), len);
	int in_fd = err == 0 ? use_fd(req, fi_in) : -1;
	int out_fd = in_fd >= 0 ? use_fd(req, fi_out) : -1;
	if (err == 0)
		err = in_fd < 0 ? -in_fd : (out_fd < 0 ? -out_fd : 0);
	if (err == 0)
		err = spx_kill_privs(req, spx_inode_of(req, ino_out), out_fd);
	if (err == 0) {
		n = copy_file_range(in_fd, &off_in, out_fd, &off_out, len, (unsigned)flags);
		err = n < 0 ? errno : 0;
		open_file_touched(handle(fi_out));
	}
	if (out_fd >= 0)
		done_fd(req, fi_out);
	if (in_fd >= 0)
		done_fd(req, fi_in);
	json_t *extra = NULL;
	if (spx_fs_of(req)->log != NULL) {
		extra = json_pack("{s:I, s:I, s:I}", "offset_in", (json_int_t)in0, "offset",
				  (json_int_t)out0, "bytes", (json_int_t)(n < 0 ? 0 : n));
		json_t *src = json_object();
		spx_audit_path(req, src, "path", spx_inode_of(req, ino_in), NULL);
		json_object_set(extra, "path2", json_object_get(src, "path"));
		json_decref(src);
	}
	err = audit_fd_op(req, "copy_file_range", ino_out, err, extra);
	if (err != 0)
		fuse_reply_err(req, err);
	else
		fuse_reply_write(req, (size_t)n);
}

void spx_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op)
{
	(void)ino;
	int fd = use_fd(req, fi);
	if (fd < 0) {
		spx_reply_err(req, fd);
		return;
	}
	int r = flock(fd, op) < 0 ? errno : 0;
	/* A lock lives on this descriptor: it must not be closed to make
	 * room while the lock is held. */
	if (r == 0)
		open_file_set_locked(spx_fs_of(req), handle(fi), (op & ~LOCK_NB) != LOCK_UN);
	done_fd(req, fi);
	fuse_reply_err(req, r);
}
