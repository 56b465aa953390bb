/* Handlers on open directories: opendir, readdir(plus), releasedir, fsyncdir. */
#include "audit.h"
#include "record.h"
#include "spxfs.h"
#include "resolve.h"

#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct dir_handle {
	struct dir_handle *prev, *next; /* open_dirs */
	DIR *dp;
	off_t offset; /* telldir cookie of the next entry */
	/* for the "readdir" record made at release, when auditing */
	char *path;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	uint64_t entries;
};

/* Every directory handle the kernel holds. At an unmount the kernel drops
 * the releases still queued, so spx_dirs_close_unreleased closes what is
 * left once the session has ended. One filesystem per process: a list of
 * this process's. */
static pthread_mutex_t open_dirs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dir_handle *open_dirs;

static void dir_listed(struct dir_handle *d)
{
	pthread_mutex_lock(&open_dirs_lock);
	d->next = open_dirs;
	if (open_dirs != NULL)
		open_dirs->prev = d;
	open_dirs = d;
	pthread_mutex_unlock(&open_dirs_lock);
}

static void dir_unlisted(struct dir_handle *d)
{
	pthread_mutex_lock(&open_dirs_lock);
	if (d->prev != NULL)
		d->prev->next = d->next;
	else
		open_dirs = d->next;
	if (d->next != NULL)
		d->next->prev = d->prev;
	pthread_mutex_unlock(&open_dirs_lock);
}

static struct dir_handle *dir_of(const struct fuse_file_info *fi)
{
	return (struct dir_handle *)(uintptr_t)fi->fh;
}

/* Takes one of the fs's open-directory places: true, or false when all
 * are taken. */
static bool take_dir_place(struct spx_fs *fs)
{
	size_t n = atomic_load(&fs->open_dirs);
	do {
		if (fs->max_dirs != 0 && n >= fs->max_dirs)
			return false;
	} while (!atomic_compare_exchange_weak(&fs->open_dirs, &n, n + 1));
	return true;
}

static void free_dir_place(struct spx_fs *fs)
{
	atomic_fetch_sub(&fs->open_dirs, 1);
}

void spx_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct spx_fs *fs = spx_fs_of(req);
	if (!take_dir_place(fs)) {
		fuse_reply_err(req, EMFILE);
		return;
	}
	struct spx_inode *in;
	int fd = spx_pin(req, ino, &in);
	if (fd < 0) {
		free_dir_place(fs);
		spx_reply_err(req, fd);
		return;
	}
	struct dir_handle *d = calloc(1, sizeof(*d));
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 && spx_out_of_fds(spx_fs_of(req), -errno))
		dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = dfd < 0 ? errno : (d == NULL ? ENOMEM : 0);
	spx_unpin(req, in);
	if (err == 0 && (d->dp = fdopendir(dfd)) == NULL)
		err = errno;
	if (err != 0) {
		if (dfd >= 0)
			close(dfd);
		free(d);
		free_dir_place(fs);
		fuse_reply_err(req, err);
		return;
	}
	if (spx_fs_of(req)->log != NULL) {
		const struct fuse_ctx *ctx = fuse_req_ctx(req);
		d->path = inode_table_path(spx_fs_of(req)->table, in, NULL);
		d->pid = ctx->pid;
		d->uid = ctx->uid;
		d->gid = ctx->gid;
	}
	fi->fh = (uint64_t)(uintptr_t)d;
	fi->cache_readdir = 0;
	dir_listed(d);
	if (fuse_reply_open(req, fi) != 0) {
		dir_unlisted(d);
		closedir(d->dp);
		free(d->path);
		free(d);
		free_dir_place(fs);
	}
}

static bool is_dot_or_dotdot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* Adds one entry to buf; returns its size, 0 when it did not fit, or
 * -errno when the entry vanished (the caller skips it). */
static ssize_t add_entry(fuse_req_t req, struct spx_inode *dir, int dfd, char *buf, size_t room,
			 struct dirent *de, off_t next, bool plus)
{
	if (!plus) {
		struct stat st = {.st_ino = de->d_ino, .st_mode = (mode_t)DTTOIF(de->d_type)};
		return (ssize_t)fuse_add_direntry(req, buf, room, de->d_name, &st, next);
	}
	struct fuse_entry_param e = {0};
	if (is_dot_or_dotdot(de->d_name)) {
		e.attr.st_ino = de->d_ino;
		e.attr.st_mode = (mode_t)DTTOIF(de->d_type);
	} else {
		int r = spx_lookup_entry(req, dir, dfd, de->d_name, &e);
		if (r < 0)
			return r;
	}
	size_t n = fuse_add_direntry_plus(req, buf, room, de->d_name, &e, next);
	if (n > room && e.ino != 0)
		/* Did not fit: the kernel will never see this reference. */
		inode_table_forget(spx_fs_of(req)->table, (struct spx_inode *)(uintptr_t)e.ino, 1);
	return (ssize_t)n;
}

static void read_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi, bool plus)
{
	struct dir_handle *d = dir_of(fi);
	int ready = spx_audit_ready(req);
	if (ready != 0) {
		fuse_reply_err(req, ready);
		return;
	}
	char *buf = calloc(1, size);
	if (buf == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	struct spx_inode *dir = spx_inode_of(req, ino);
	int dfd = dirfd(d->dp);
	if (off != d->offset) {
		seekdir(d->dp, off);
		d->offset = off;
	}
	size_t used = 0;
	int err = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d->dp);
		if (de == NULL) {
			err = errno;
			break;
		}
		off_t next = telldir(d->dp);
		ssize_t n = add_entry(req, dir, dfd, buf + used, size - used, de, next, plus);
		if (n > 0 && (size_t)n > size - used) {
			seekdir(d->dp, d->offset); /* give it back for next time */
			break;
		}
		d->offset = next;
		if (n > 0) {
			used += (size_t)n;
			d->entries++;
		}
	}
	if (err != 0 && used == 0)
		fuse_reply_err(req, err);
	else
		fuse_reply_buf(req, buf, used);
	free(buf);
}

void spx_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi)
{
	read_dir(req, ino, size, off, fi, false);
}

void spx_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	read_dir(req, ino, size, off, fi, true);
}

/* Records the listing (one record however many requests it took), then
 * closes and frees d. */
static void dir_close(struct spx_fs *fs, struct dir_handle *d, bool unreleased)
{
	if (fs->log != NULL) {
		json_t *rec = spx_audit_new_as(fs, "readdir", d->pid, d->uid, d->gid);
		if (rec != NULL && (d->path == NULL || record_set_path(rec, "path", d->path) < 0))
			json_object_set_new(rec, "path", json_null());
		if (rec != NULL)
			json_object_set_new(rec, "entries", json_integer((json_int_t)d->entries));
		if (rec != NULL && unreleased)
			json_object_set_new(rec, "unreleased", json_true());
		(void)spx_audit_commit(fs, rec, 0);
	}
	closedir(d->dp);
	free(d->path);
	free(d);
	free_dir_place(fs);
}

void spx_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dir_handle *d = dir_of(fi);
	(void)ino;
	dir_unlisted(d);
	dir_close(spx_fs_of(req), d, false);
	fuse_reply_err(req, 0);
}

size_t spx_dirs_close_unreleased(struct spx_fs *fs)
{
	size_t n = 0;
	pthread_mutex_lock(&open_dirs_lock);
	struct dir_handle *d = open_dirs;
	open_dirs = NULL;
	pthread_mutex_unlock(&open_dirs_lock);
	while (d != NULL) {
		struct dir_handle *next = d->next;
		dir_close(fs, d, true);
		d = next;
		n++;
	}
	return n;
}

void spx_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)ino;
	int fd = dirfd(dir_of(fi)->dp);
	int r = datasync ? fdatasync(fd) : fsync(fd);
	fuse_reply_err(req, r < 0 ? errno : 0);
}
