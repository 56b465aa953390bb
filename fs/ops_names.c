/* Handlers that add, remove or move names: mknod, mkdir, symlink, link,
 * unlink, rmdir, rename. Each records one audit record, also on failure;
 * a change whose record cannot be written is undone where it can be and
 * answered with EIO. */
#include "as_caller.h"
#include "audit.h"
#include "notify.h"
#include "record.h"
#include "resolve.h"
#include "spxfs.h"
#include "undo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A request that names (parent, name): parent pinned. */
struct named {
	struct spx_inode *parent;
	int pfd;
};

/* 0, or the errno to reply (nothing pinned then). */
static int named_begin(fuse_req_t req, fuse_ino_t parent, const char *name, struct named *n)
{
	if (spx_fs_of(req)->read_only)
		return EROFS;
	if (!resolve_name_ok(name))
		return EINVAL;
	int err = spx_audit_ready(req);
	if (err != 0)
		return err;
	n->pfd = spx_pin(req, parent, &n->parent);
	return n->pfd < 0 ? -n->pfd : 0;
}

/* Records a request that failed before touching anything. */
static void refuse(fuse_req_t req, const char *op, fuse_ino_t parent, const char *name, int err)
{
	err = spx_audit_name(req, op, spx_inode_of(req, parent), name, err, NULL);
	fuse_reply_err(req, err);
}

/* Before a name in n's directory is added, removed or moved: the
 * directory's own times change, and undo puts them back (undo.h). */
static int keep_dir(fuse_req_t req, struct named *n, const char *op)
{
	int err = spx_undo_keep_fd(req, n->pfd, n->parent, NULL, op);
	if (err != 0)
		spx_unpin(req, n->parent);
	return err;
}

/* After the host call that should have created `name` (err its errno):
 * record, reply. The object was made as the caller (as_caller.h), so
 * nothing here changes its owner. Anything that fails after the object
 * exists removes it again, so the request leaves no trace. */
static void created(fuse_req_t req, struct named *n, const char *name, int err, const char *op,
		    int rmflags, json_t *extra)
{
	struct fuse_entry_param e = {0};
	bool made = err == 0;
	bool link = strcmp(op, "link") == 0;
	if (err == 0)
		err = link ? -spx_link_entry(req, n->parent, n->pfd, name, &e)
			   : -spx_lookup_entry(req, n->parent, n->pfd, name, &e);
	if (err == 0 && !link) /* the job's own: undo removes it, keeps nothing */
		spx_undo_made(spx_fs_of(req), e.attr.st_dev, e.attr.st_ino);
	err = spx_audit_name(req, op, n->parent, name, err, extra);
	if (err != 0 && e.ino != 0)
		inode_table_forget(spx_fs_of(req)->table, (struct spx_inode *)(uintptr_t)e.ino, 1);
	if (err != 0 && made)
		(void)unlinkat(n->pfd, name, rmflags);
	spx_unpin(req, n->parent);
	if (err != 0)
		fuse_reply_err(req, err);
	else
		fuse_reply_entry(req, &e);
}

void spx_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	(void)rdev;
	struct named n;
	int err = named_begin(req, parent, name, &n);
	/* Device nodes are how a sandboxed job would reach hardware. */
	if (err == 0 && !S_ISREG(mode) && !S_ISFIFO(mode) && !S_ISSOCK(mode)) {
		spx_unpin(req, n.parent);
		err = EPERM;
	} else if (err == 0) {
		err = keep_dir(req, &n, "mknod");
	}
	json_t *extra = json_pack("{s:I}", "mode", (json_int_t)mode);
	if (err != 0) {
		err = spx_audit_name(req, "mknod", spx_inode_of(req, parent), name, err, extra);
		fuse_reply_err(req, err);
		return;
	}
	err = -as_caller_begin(req, AS_CALLER_TRUSTED);
	if (err == 0) {
		err = mknodat(n.pfd, name, spx_safe_mode(mode), 0) < 0 ? errno : 0;
		as_caller_end(req);
	}
	created(req, &n, name, err, "mknod", 0, extra);
}

/* What --max-bytes charges for a new directory: the block it takes. */
#define DIRECTORY_BYTES 4096

void spx_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct named n;
	int err = named_begin(req, parent, name, &n);
	if (err == 0 && (err = spx_quota_charge(spx_fs_of(req), DIRECTORY_BYTES)) != 0)
		spx_unpin(req, n.parent);
	else if (err == 0)
		err = keep_dir(req, &n, "mkdir");
	if (err != 0) {
		refuse(req, "mkdir", parent, name, err);
		return;
	}
	err = -as_caller_begin(req, AS_CALLER_TRUSTED);
	if (err == 0) {
		err = mkdirat(n.pfd, name, mode & 01777) < 0 ? errno : 0;
		as_caller_end(req);
	}
	created(req, &n, name, err, "mkdir", AT_REMOVEDIR,
		json_pack("{s:I}", "mode", (json_int_t)(mode & 07777)));
}

void spx_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct named n;
	int err = named_begin(req, parent, name, &n);
	json_t *extra = json_object();
	if (extra != NULL && record_set_path(extra, "target", link) < 0) {
		json_decref(extra);
		extra = NULL;
	}
	/* the quota counts the target a symlink stores */
	if (err == 0 && (err = spx_quota_charge(spx_fs_of(req), strlen(link))) != 0)
		spx_unpin(req, n.parent);
	else if (err == 0)
		err = keep_dir(req, &n, "symlink");
	if (err != 0) {
		err = spx_audit_name(req, "symlink", spx_inode_of(req, parent), name, err, extra);
		fuse_reply_err(req, err);
		return;
	}
	/* Stored as written; the kernel resolves it inside the mount. */
	err = -as_caller_begin(req, AS_CALLER_TRUSTED);
	if (err == 0) {
		err = symlinkat(link, n.pfd, name) < 0 ? errno : 0;
		as_caller_end(req);
	}
	created(req, &n, name, err, "symlink", 0, extra);
}

void spx_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct spx_fs *fs = spx_fs_of(req);
	struct spx_inode *in = spx_inode_of(req, ino);
	json_t *extra = fs->log ? json_object() : NULL;
	spx_audit_path(req, extra, "path2", in, NULL); /* the existing name */
	struct named n;
	int err = named_begin(req, newparent, newname, &n);
	if (err == 0)
		err = keep_dir(req, &n, "link");
	if (err != 0) {
		err = spx_audit_name(req, "link", spx_inode_of(req, newparent), newname, err,
				     extra);
		fuse_reply_err(req, err);
		return;
	}
	uint64_t old_parent = 0;
	char *old_name = NULL;
	(void)inode_table_link_of(fs->table, in, &old_parent, &old_name);
	int fd = inode_table_pin(fs->table, in);
	if (fd < 0) {
		err = -fd;
	} else {
		char fdname[16];
		spx_fd_name(fd, fdname);
		/* linkat(fd, "", AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH;
		 * the /proc/self/fd link names the same object without it. */
		err = linkat(fs->proc_self_fd, fdname, n.pfd, newname, AT_SYMLINK_FOLLOW) < 0
			      ? errno
			      : 0;
		inode_table_unpin(fs->table, in);
	}
	/* The file now has two names: the one it had may be cached in the
	 * kernel from when it had one. It stays the file's recorded name
	 * (spx_link_entry) until the new one is looked up; then an open
	 * through the old, cached one would be recorded under the new. Make
	 * the kernel look the old one up again. */
	if (err == 0 && old_name != NULL)
		notifier_inval_entry(fs->notifier, old_parent, old_name);
	free(old_name);
	created(req, &n, newname, err, "link", 0, extra);
}

/* The inode currently named (pfd, name), pinned, if the kernel knows it. */
static struct spx_inode *known_child(fuse_req_t req, int pfd, const char *name)
{
	struct stat st;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return NULL;
	return inode_table_find_pin(spx_fs_of(req)->table, st.st_dev, st.st_ino);
}

static void remove_name(fuse_req_t req, fuse_ino_t parent, const char *name, int flags,
			const char *op)
{
	struct spx_fs *fs = spx_fs_of(req);
	struct named n;
	int err = named_begin(req, parent, name, &n);
	if (err != 0) {
		refuse(req, op, parent, name, err);
		return;
	}
	err = keep_dir(req, &n, op);
	if (err == 0 && (err = spx_undo_keep_name(req, n.pfd, n.parent, name, op)) != 0)
		spx_unpin(req, n.parent);
	if (err != 0) {
		refuse(req, op, parent, name, err);
		return;
	}
	struct spx_inode *victim = known_child(req, n.pfd, name);
	err = unlinkat(n.pfd, name, flags) < 0 ? errno : 0;
	if (victim != NULL) {
		if (err == 0)
			inode_table_unlinked(fs->table, victim, n.parent, name);
		spx_unpin(req, victim);
	}
	/* Already done: a failed record cannot undo it, only say EIO. */
	err = spx_audit_name(req, op, n.parent, name, err, NULL);
	spx_unpin(req, n.parent);
	fuse_reply_err(req, err);
}

void spx_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, 0, "unlink");
}

void spx_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, AT_REMOVEDIR, "rmdir");
}

static json_t *rename_extra(fuse_req_t req, struct spx_inode *newdir, const char *newname,
			    unsigned int flags)
{
	if (spx_fs_of(req)->log == NULL)
		return NULL;
	json_t *extra = json_object();
	spx_audit_path(req, extra, "path2", newdir, newname);
	if (flags & RENAME_NOREPLACE)
		json_object_set_new(extra, "flags", json_string("RENAME_NOREPLACE"));
	if (flags & RENAME_EXCHANGE)
		json_object_set_new(extra, "flags", json_string("RENAME_EXCHANGE"));
	return extra;
}

void spx_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		const char *newname, unsigned int flags)
{
	struct spx_fs *fs = spx_fs_of(req);
	json_t *extra = rename_extra(req, spx_inode_of(req, newparent), newname, flags);
	struct named src, dst;
	int err = (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE)) != 0
			  ? EINVAL /* RENAME_WHITEOUT is for overlayfs */
			  : named_begin(req, parent, name, &src);
	if (err == 0 && (err = named_begin(req, newparent, newname, &dst)) != 0)
		spx_unpin(req, src.parent);
	if (err != 0) {
		err = spx_audit_name(req, "rename", spx_inode_of(req, parent), name, err, extra);
		fuse_reply_err(req, err);
		return;
	}
	/* undo: both directories' times, and what a replaced name held */
	err = spx_undo_keep_fd(req, src.pfd, src.parent, NULL, "rename");
	if (err == 0)
		err = spx_undo_keep_fd(req, dst.pfd, dst.parent, NULL, "rename");
	if (err == 0 && !(flags & RENAME_EXCHANGE))
		err = spx_undo_keep_name(req, dst.pfd, dst.parent, newname, "rename");
	/* undo, going backwards, puts a replaced directory back before what
	 * the job did in it earlier is undone */
	struct stat replaced;
	if (err == 0 && fs->undo != NULL && extra != NULL && !(flags & RENAME_EXCHANGE) &&
	    fstatat(dst.pfd, newname, &replaced, AT_SYMLINK_NOFOLLOW) == 0)
		json_object_set_new(extra, "replaced",
				    json_string(S_ISDIR(replaced.st_mode) ? "dir" : "file"));
	if (err != 0) {
		spx_unpin(req, dst.parent);
		spx_unpin(req, src.parent);
		err = spx_audit_name(req, "rename", spx_inode_of(req, parent), name, err, extra);
		fuse_reply_err(req, err);
		return;
	}
	struct spx_inode *moved = known_child(req, src.pfd, name);
	struct spx_inode *target = known_child(req, dst.pfd, newname);
	err = renameat2(src.pfd, name, dst.pfd, newname, flags) < 0 ? errno : 0;
	if (err == 0 && moved != NULL)
		inode_table_renamed(fs->table, moved, src.parent, name, dst.parent, newname);
	if (err == 0 && target != NULL && target != moved) {
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
	err = spx_audit_name(req, "rename", src.parent, name, err, extra);
	spx_unpin(req, dst.parent);
	spx_unpin(req, src.parent);
	fuse_reply_err(req, err);
}
