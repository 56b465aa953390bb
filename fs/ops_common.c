/* Helpers every handler uses: pinning, lookups, reopening, ownership. */
#include "chain.h"
#include "open_fds.h"
#include "spxfs.h"
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int spx_pin(fuse_req_t req, fuse_ino_t ino, struct spx_inode **in)
{
	*in = spx_inode_of(req, ino);
	return inode_table_pin(spx_fs_of(req)->table, *in);
}

void spx_unpin(fuse_req_t req, struct spx_inode *in)
{
	inode_table_unpin(spx_fs_of(req)->table, in);
}

static int lookup_entry(fuse_req_t req, struct spx_inode *parent, int pfd, const char *name,
			struct fuse_entry_param *e, bool new_link);
static int entry_done(struct spx_fs *fs, struct spx_inode *in, struct fuse_entry_param *e);

int spx_lookup_entry(fuse_req_t req, struct spx_inode *parent, int pfd, const char *name,
		     struct fuse_entry_param *e)
{
	return lookup_entry(req, parent, pfd, name, e, false);
}

int spx_link_entry(fuse_req_t req, struct spx_inode *parent, int pfd, const char *name,
		   struct fuse_entry_param *e)
{
	return lookup_entry(req, parent, pfd, name, e, true);
}

static int lookup_entry(fuse_req_t req, struct spx_inode *parent, int pfd, const char *name,
			struct fuse_entry_param *e, bool new_link)
{
	struct spx_fs *fs = spx_fs_of(req);
	memset(e, 0, sizeof(*e));
	int fd = -ENOENT;
	/* A placeholder, once spxbox made it, stands for its name whatever
	 * ROOT holds under that name later: the sandbox decided its mount
	 * points before the job, and a name that appeared in ROOT since must
	 * not change what it mounts on. */
	if (fs->placeholders_fd >= 0 && parent == inode_table_root(fs->table)) {
		fd = resolve_child_stat(fs->placeholders_fd, name, &e->attr);
		if (fd >= 0)
			parent = NULL; /* no link in ROOT leads here: the table keeps its fd */
		else
			fd = -ENOENT;
	}
	if (fd == -ENOENT) {
		fd = resolve_child_stat(pfd, name, &e->attr);
		if (spx_out_of_fds(fs, fd))
			fd = resolve_child_stat(pfd, name, &e->attr);
	}
	if (fd < 0)
		/* EXDEV: a mount point inside ROOT. It is not part of the tree
		 * spxfs serves; say "not for you" rather than an errno no
		 * native lookup returns. */
		return fd == -EXDEV ? -EACCES : fd;
	if (new_link) {
		struct spx_inode *in = inode_table_insert_link(fs->table, parent, name, fd, &e->attr);
		return in == NULL ? -ENOMEM : entry_done(fs, in, e);
	}
	return spx_entry_of(fs, parent, name, fd, e);
}

int spx_entry_of(struct spx_fs *fs, struct spx_inode *parent, const char *name, int fd,
		 struct fuse_entry_param *e)
{
	struct spx_inode *in = inode_table_insert(fs->table, parent, name, fd, &e->attr);
	return in == NULL ? -ENOMEM : entry_done(fs, in, e);
}

static int entry_done(struct spx_fs *fs, struct spx_inode *in, struct fuse_entry_param *e)
{
	e->ino = (fuse_ino_t)(uintptr_t)in;
	id_view_out(&fs->ids, &e->attr);
	e->attr_timeout = fs->timeout;
	/* A file with several links: the kernel looks the name up again at
	 * every path walk, so the link an open is recorded under (the last
	 * one looked up) is the one the job used, not another link of the
	 * same file that the kernel still had cached. */
	e->entry_timeout = !S_ISDIR(e->attr.st_mode) && e->attr.st_nlink > 1 ? 0 : fs->timeout;
	return 0;
}

int spx_quota_charge(struct spx_fs *fs, uint64_t n)
{
	if (fs->quota_bytes == 0)
		return 0;
	uint64_t used = atomic_load(&fs->quota_used);
	do {
		if (used + n > fs->quota_bytes || used + n < used)
			return EDQUOT;
	} while (!atomic_compare_exchange_weak(&fs->quota_used, &used, used + n));
	return 0;
}

bool spx_out_of_fds(struct spx_fs *fs, int r)
{
	if (r != -EMFILE && r != -ENFILE)
		return false;
	inode_table_shrink(fs->table);
	open_fds_shrink(fs->fds);
	return true;
}

void spx_proc_path(int fd, char buf[40])
{
	(void)snprintf(buf, 40, "/proc/self/fd/%d", fd);
}

void spx_fd_name(int fd, char buf[16])
{
	(void)snprintf(buf, 16, "%d", fd);
}

int spx_hash_content(struct spx_fs *fs, int fd, char hex[CHAIN_HEX_LEN])
{
	int rfd = spx_reopen(fs, fd, O_RDONLY);
	if (rfd < 0)
		return rfd;
	int r = chain_sha256_fd_until(rfd, hex, &fs->hash_deadline_ns);
	close(rfd);
	return r;
}

int spx_reopen(struct spx_fs *fs, int fd, int flags)
{
	char name[16];
	spx_fd_name(fd, name);
	/* The magic link is the only symlink spxfs ever follows: it names the
	 * very object fd holds, which is already inside ROOT. */
	flags = (flags & ~O_NOFOLLOW) | O_CLOEXEC;
	int r = openat(fs->proc_self_fd, name, flags);
	if (r < 0 && spx_out_of_fds(fs, -errno))
		r = openat(fs->proc_self_fd, name, flags);
	return r < 0 ? -errno : r;
}

mode_t spx_safe_mode(mode_t mode)
{
	mode &= ~(mode_t)S_ISUID;
	if (!S_ISDIR(mode))
		mode &= ~(mode_t)S_ISGID;
	return mode;
}
