/* Handlers on open files: open, create, read, write and the rest.
 * fi->fh is the host descriptor. An open file does not pin its inode's
 * O_PATH descriptor: one descriptor per open file is enough, and unlink
 * keeps the O_PATH descriptor of an inode that loses its last known name. */
#include "spxfs.h"
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

static int fh(const struct fuse_file_info *fi)
{
	return (int)fi->fh;
}

static int open_flags(struct spx_fs *fs, int flags)
{
	if (fs->read_only && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		return -EROFS;
	return flags & ~(O_CREAT | O_EXCL | O_NOCTTY);
}

void spx_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct spx_fs *fs = spx_fs_of(req);
	int flags = open_flags(fs, fi->flags);
	if (flags < 0) {
		spx_reply_err(req, flags);
		return;
	}
	struct spx_inode *in;
	int fd = spx_pin(req, ino, &in);
	if (fd < 0) {
		spx_reply_err(req, fd);
		return;
	}
	int ofd = spx_reopen(fs, fd, flags);
	spx_unpin(req, in);
	if (ofd < 0) {
		spx_reply_err(req, ofd);
		return;
	}
	fi->fh = (uint64_t)ofd;
	if (fuse_reply_open(req, fi) != 0)
		close(ofd);
}

void spx_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		struct fuse_file_info *fi)
{
	struct spx_fs *fs = spx_fs_of(req);
	if (fs->read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	struct spx_inode *p;
	int pfd = spx_pin(req, parent, &p);
	if (pfd < 0) {
		spx_reply_err(req, pfd);
		return;
	}
	struct stat pst;
	int r = resolve_stat_fd(pfd, &pst);
	int ofd = -1;
	bool made = false;
	if (r == 0) {
		/* Create exclusively so that only a file this call made is
		 * handed to the caller; a name that appeared meanwhile is
		 * opened as it is, unless the caller asked for O_EXCL. */
		int flags = (fi->flags & ~O_NOCTTY) | O_CREAT;
		ofd = resolve_open(pfd, name, flags | O_EXCL, spx_safe_mode(mode) & 07777);
		if (spx_out_of_fds(fs, ofd))
			ofd = resolve_open(pfd, name, flags | O_EXCL, spx_safe_mode(mode) & 07777);
		made = ofd >= 0;
		if (ofd == -EEXIST && !(fi->flags & O_EXCL))
			ofd = resolve_open(pfd, name, flags & ~O_CREAT, 0);
		r = ofd < 0 ? ofd : 0;
	}
	if (r == 0 && made)
		r = spx_give_to_caller(req, ofd, &pst);
	struct fuse_entry_param e;
	if (r == 0)
		r = spx_lookup_entry(req, p, pfd, name, &e);
	if (r < 0 && made)
		(void)unlinkat(pfd, name, 0);
	spx_unpin(req, p);
	if (r < 0) {
		if (ofd >= 0)
			close(ofd);
		spx_reply_err(req, r);
		return;
	}
	fi->fh = (uint64_t)ofd;
	if (fuse_reply_create(req, &e, fi) != 0)
		close(ofd);
}

void spx_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)ino;
	char *buf = malloc(size ? size : 1);
	if (buf == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	ssize_t n = pread(fh(fi), buf, size, off);
	if (n < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

void spx_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
	       struct fuse_file_info *fi)
{
	(void)ino;
	ssize_t n = pwrite(fh(fi), buf, size, off);
	if (n < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_write(req, (size_t)n);
}

void spx_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	/* close() of a duplicate reports delayed write errors and drops the
	 * caller's POSIX locks, as closing the job's descriptor would. */
	int dupfd = dup(fh(fi));
	int r = dupfd < 0 || close(dupfd) < 0 ? errno : 0;
	fuse_reply_err(req, r);
}

void spx_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	close(fh(fi));
	fuse_reply_err(req, 0);
}

void spx_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)ino;
	int r = datasync ? fdatasync(fh(fi)) : fsync(fh(fi));
	fuse_reply_err(req, r < 0 ? errno : 0);
}

void spx_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
		   struct fuse_file_info *fi)
{
	(void)ino;
	int r = fallocate(fh(fi), mode, offset, length);
	fuse_reply_err(req, r < 0 ? errno : 0);
}

void spx_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi)
{
	(void)ino;
	off_t r = lseek(fh(fi), off, whence);
	if (r < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_lseek(req, r);
}

void spx_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			 struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
			 struct fuse_file_info *fi_out, size_t len, int flags)
{
	(void)ino_in;
	(void)ino_out;
	ssize_t n = copy_file_range(fh(fi_in), &off_in, fh(fi_out), &off_out, len,
				    (unsigned)flags);
	if (n < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_write(req, (size_t)n);
}

void spx_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op)
{
	(void)ino;
	int r = flock(fh(fi), op);
	fuse_reply_err(req, r < 0 ? errno : 0);
}
