/* Extended attributes: only the user.* namespace passes. security.*,
 * trusted.* and system.* (ACLs, capabilities) would let a job change what
 * the host grants; they are refused like an unsupported namespace. */
#include "audit.h"
#include "spxfs.h"
#include "undo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

static bool user_name(const char *name)
{
	return strncmp(name, "user.", 5) == 0;
}

/* setxattr or removexattr, recorded; returns the errno to reply. */
static int change_xattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags, bool remove)
{
	struct spx_inode *in = spx_inode_of(req, ino);
	int err = !user_name(name) ? EOPNOTSUPP
		  : spx_fs_of(req)->read_only ? EROFS
					      : spx_audit_ready(req);
	if (err == 0)
		err = spx_undo_keep_inode(req, in, remove ? "removexattr" : "setxattr");
	/* the quota counts what an attribute stores: its name and value */
	if (err == 0 && !remove)
		err = spx_quota_charge(spx_fs_of(req), strlen(name) + size);
	if (err == 0) {
		int fd = inode_table_pin(spx_fs_of(req)->table, in);
		if (fd < 0) {
			err = -fd;
		} else {
			char path[40];
			spx_proc_path(fd, path);
			int r = remove ? removexattr(path, name) : setxattr(path, name, value, size, flags);
			err = r < 0 ? errno : 0;
			inode_table_unpin(spx_fs_of(req)->table, in);
		}
	}
	json_t *extra = json_pack("{s:s}", "name", name);
	if (extra != NULL && !remove)
		json_object_set_new(extra, "size", json_integer((json_int_t)size));
	return spx_audit_name(req, remove ? "removexattr" : "setxattr", in, NULL, err, extra);
}

void spx_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		  size_t size, int flags)
{
	int r = change_xattr(req, ino, name, value, size, flags, false);
	fuse_reply_err(req, r);
}

void spx_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	if (!user_name(name)) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	struct spx_inode *in;
	int fd = spx_pin(req, ino, &in);
	if (fd < 0) {
		spx_reply_err(req, fd);
		return;
	}
	char path[40];
	spx_proc_path(fd, path);
	char *buf = size ? malloc(size) : NULL;
	ssize_t n = (size && buf == NULL) ? (errno = ENOMEM, -1) : getxattr(path, name, buf, size);
	int err = n < 0 ? errno : 0;
	spx_unpin(req, in);
	if (n < 0)
		fuse_reply_err(req, err);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

/* Keeps only user.* names in a listxattr buffer; returns the new length. */
static size_t keep_user_names(char *list, size_t len)
{
	size_t out = 0;
	for (size_t i = 0; i < len;) {
		size_t n = strnlen(list + i, len - i) + 1;
		if (user_name(list + i)) {
			memmove(list + out, list + i, n);
			out += n;
		}
		i += n;
	}
	return out;
}

void spx_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct spx_inode *in;
	int fd = spx_pin(req, ino, &in);
	if (fd < 0) {
		spx_reply_err(req, fd);
		return;
	}
	char path[40];
	spx_proc_path(fd, path);
	/* Filtering changes the length, so always read the whole list. */
	ssize_t full = listxattr(path, NULL, 0);
	char *buf = full > 0 ? malloc((size_t)full) : NULL;
	ssize_t n = full;
	if (full > 0)
		n = buf == NULL ? (errno = ENOMEM, -1) : listxattr(path, buf, (size_t)full);
	int err = n < 0 ? errno : 0;
	spx_unpin(req, in);
	size_t len = n > 0 ? keep_user_names(buf, (size_t)n) : 0;
	if (n < 0)
		fuse_reply_err(req, err);
	else if (size == 0)
		fuse_reply_xattr(req, len);
	else if (len > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, buf, len);
	free(buf);
}

void spx_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	int r = change_xattr(req, ino, name, NULL, 0, 0, true);
	fuse_reply_err(req, r);
}
