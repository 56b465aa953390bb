/* Handlers that add, remove or move names: mknod, mkdir, symlink, link,
 * unlink, rmdir, rename. */
#include "spxfs.h"
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* A request that names (parent, name): both pinned, parent's stat known. */
struct named {
	struct spx_inode *parent;
	int pfd;
	struct stat pst;
};

static int named_begin(fuse_req_t req, fuse_ino_t parent, const char *name, struct named *n)
{
	if (spx_fs_of(req)->read_only)
		return -EROFS;
	if (!resolve_name_ok(name))
		return -EINVAL;
	n->pfd = spx_pin(req, parent, &n->parent);
	if (n->pfd < 0)
		return n->pfd;
	int r = resolve_stat_fd(n->pfd, &n->pst);
	if (r < 0)
		spx_unpin(req, n->parent);
	return r;
}

/* After the host created `name`: give it to the caller, reply the entry.
 * A failure removes what was created so the request leaves no trace. */
static void created_reply(fuse_req_t req, struct named *n, const char *name, int rmflags)
{
	struct fuse_entry_param e;
	int fd = resolve_child(n->pfd, name);
	int r = fd < 0 ? fd : spx_give_to_caller(req, fd, &n->pst);
	if (fd >= 0)
		close(fd);
	if (r == 0)
		r = spx_lookup_entry(req, n->parent, n->pfd, name, &e);
	if (r < 0)
		(void)unlinkat(n->pfd, name, rmflags);
	spx_unpin(req, n->parent);
	if (r < 0)
		spx_reply_err(req, r);
	else
		fuse_reply_entry(req, &e);
}

static void reply_failed(fuse_req_t req, struct named *n, int err)
{
	spx_unpin(req, n->parent);
	fuse_reply_err(req, err);
}

void spx_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	(void)rdev;
	/* Device nodes are how a sandboxed job would reach hardware. */
	if (!S_ISREG(mode) && !S_ISFIFO(mode) && !S_ISSOCK(mode)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	struct named n;
	int r = named_begin(req, parent, name, &n);
	if (r < 0) {
		spx_reply_err(req, r);
		return;
	}
	if (mknodat(n.pfd, name, spx_safe_mode(mode), 0) < 0)
		reply_failed(req, &n, errno);
	else
		created_reply(req, &n, name, 0);
}

void spx_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct named n;
	int r = named_begin(req, parent, name, &n);
	if (r < 0) {
		spx_reply_err(req, r);
		return;
	}
	if (mkdirat(n.pfd, name, mode & 01777) < 0)
		reply_failed(req, &n, errno);
	else
		created_reply(req, &n, name, AT_REMOVEDIR);
}

void spx_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct named n;
	int r = named_begin(req, parent, name, &n);
	if (r < 0) {
		spx_reply_err(req, r);
		return;
	}
	/* Stored as written; the kernel resolves it inside the mount. */
	if (symlinkat(link, n.pfd, name) < 0)
		reply_failed(req, &n, errno);
	else
		created_reply(req, &n, name, 0);
}

void spx_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct spx_fs *fs = spx_fs_of(req);
	struct named n;
	int r = named_begin(req, newparent, newname, &n);
	if (r < 0) {
		spx_reply_err(req, r);
		return;
	}
	struct spx_inode *in;
	int fd = spx_pin(req, ino, &in);
	if (fd < 0) {
		reply_failed(req, &n, -fd);
		return;
	}
	char fdname[16];
	spx_fd_name(fd, fdname);
	/* linkat(fd, "", AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; the
	 * /proc/self/fd link names the same object without it. */
	r = linkat(fs->proc_self_fd, fdname, n.pfd, newname, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
	spx_unpin(req, in);
	if (r < 0) {
		reply_failed(req, &n, -r);
		return;
	}
	struct fuse_entry_param e;
	r = spx_lookup_entry(req, n.parent, n.pfd, newname, &e);
	spx_unpin(req, n.parent);
	if (r < 0)
		spx_reply_err(req, r);
	else
		fuse_reply_entry(req, &e);
}

/* The inode currently named (pfd, name), pinned, if the kernel knows it. */
static struct spx_inode *known_child(fuse_req_t req, int pfd, const char *name)
{
	struct stat st;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return NULL;
	return inode_table_find_pin(spx_fs_of(req)->table, st.st_dev, st.st_ino);
}

static void remove_name(fuse_req_t req, fuse_ino_t parent, const char *name, int flags)
{
	struct spx_fs *fs = spx_fs_of(req);
	struct named n;
	int r = named_begin(req, parent, name, &n);
	if (r < 0) {
		spx_reply_err(req, r);
		return;
	}
	struct spx_inode *victim = known_child(req, n.pfd, name);
	r = unlinkat(n.pfd, name, flags) < 0 ? errno : 0;
	if (victim != NULL) {
		if (r == 0)
			inode_table_unlinked(fs->table, victim, n.parent, name);
		spx_unpin(req, victim);
	}
	reply_failed(req, &n, r);
}

void spx_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, 0);
}

void spx_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, AT_REMOVEDIR);
}

void spx_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		const char *newname, unsigned int flags)
{
	struct spx_fs *fs = spx_fs_of(req);
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE)) {
		fuse_reply_err(req, EINVAL); /* RENAME_WHITEOUT is for overlayfs */
		return;
	}
	struct named src, dst;
	int r = named_begin(req, parent, name, &src);
	if (r < 0) {
		spx_reply_err(req, r);
		return;
	}
	r = named_begin(req, newparent, newname, &dst);
	if (r < 0) {
		reply_failed(req, &src, -r);
		return;
	}
	struct spx_inode *moved = known_child(req, src.pfd, name);
	struct spx_inode *target = known_child(req, dst.pfd, newname);
	r = renameat2(src.pfd, name, dst.pfd, newname, flags) < 0 ? errno : 0;
	if (r == 0 && moved != NULL)
		inode_table_renamed(fs->table, moved, src.parent, name, dst.parent, newname);
	if (r == 0 && target != NULL && target != moved) {
		if (flags & RENAME_EXCHANGE)
			inode_table_renamed(fs->table, target, dst.parent, newname, src.parent,
					    name);
		else
			inode_table_unlinked(fs->table, target, dst.parent, newname);
	}
	if (moved != NULL)
		spx_unpin(req, moved);
	if (target != NULL)
		spx_unpin(req, target);
	spx_unpin(req, dst.parent);
	reply_failed(req, &src, r);
}
