#include "audit.h"
#include "record.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

int spx_audit_ready(fuse_req_t req)
{
	struct spx_fs *fs = spx_fs_of(req);
	if (fs->log == NULL)
		return 0;
	return audit_writer_ready(fs->log) < 0 ? EIO : 0;
}

json_t *spx_audit_new_as(struct spx_fs *fs, const char *op, pid_t pid, uid_t uid, gid_t gid)
{
	if (fs->log == NULL)
		return NULL;
	return json_pack("{s:s, s:I, s:I, s:I}", "op", op, "pid", (json_int_t)pid, "uid",
			 (json_int_t)uid, "gid", (json_int_t)gid);
}

json_t *spx_audit_new(fuse_req_t req, const char *op)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	return spx_audit_new_as(spx_fs_of(req), op, ctx->pid, ctx->uid, ctx->gid);
}

void spx_audit_path(fuse_req_t req, json_t *rec, const char *key, struct spx_inode *dir,
		    const char *name)
{
	if (rec == NULL)
		return;
	char *path = inode_table_path(spx_fs_of(req)->table, dir, name);
	if (path == NULL || record_set_path(rec, key, path) < 0)
		json_object_set_new(rec, key, json_null()); /* commit then fails closed */
	free(path);
}

int spx_audit_commit(struct spx_fs *fs, json_t *rec, int err)
{
	if (fs->log == NULL)
		return err;
	if (rec == NULL || json_object_set_new(rec, "result", json_string(record_result(err))) < 0 ||
	    json_is_null(json_object_get(rec, "path"))) {
		json_decref(rec);
		return EIO;
	}
	int64_t seq = audit_writer_append(fs->log, rec);
	if (seq < 0)
		return EIO;
	if (audit_writer_sync_mode(fs->log) == AUDIT_SYNC_STRICT && audit_writer_wait(fs->log, seq) < 0)
		return EIO;
	return err;
}

int spx_audit_name(fuse_req_t req, const char *op, struct spx_inode *dir, const char *name,
		   int err, json_t *extra)
{
	struct spx_fs *fs = spx_fs_of(req);
	if (fs->log == NULL) {
		json_decref(extra);
		return err;
	}
	json_t *rec = spx_audit_new(req, op);
	spx_audit_path(req, rec, "path", dir, name);
	if (rec != NULL && extra != NULL)
		json_object_update(rec, extra);
	json_decref(extra);
	return spx_audit_commit(fs, rec, err);
}

int spx_audit_detail(fuse_req_t req, const char *op, struct spx_inode *dir, const char *name,
		     int err)
{
	if (!spx_fs_of(req)->audit_all)
		return err;
	return spx_audit_name(req, op, dir, name, err, NULL);
}

json_t *spx_audit_flags(int flags)
{
	static const struct {
		int bits;
		const char *name;
	} names[] = {
		{O_CREAT, "O_CREAT"},	    {O_EXCL, "O_EXCL"},		{O_TRUNC, "O_TRUNC"},
		{O_APPEND, "O_APPEND"},	    {O_NONBLOCK, "O_NONBLOCK"}, {O_DIRECT, "O_DIRECT"},
		{O_SYNC, "O_SYNC"},	    {O_NOATIME, "O_NOATIME"},	{O_DIRECTORY, "O_DIRECTORY"},
		{O_NOFOLLOW, "O_NOFOLLOW"},
	};
	char buf[256];
	const char *acc = (flags & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
			  : (flags & O_ACCMODE) == O_RDWR ? "O_RDWR"
							  : "O_RDONLY";
	size_t at = (size_t)snprintf(buf, sizeof(buf), "%s", acc);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && at < sizeof(buf); i++)
		if ((flags & names[i].bits) == names[i].bits)
			at += (size_t)snprintf(buf + at, sizeof(buf) - at, "|%s", names[i].name);
	/* O_SYNC's bits include O_DSYNC's: name O_DSYNC only alone */
	if ((flags & O_DSYNC) && (flags & O_SYNC) != O_SYNC && at < sizeof(buf))
		(void)snprintf(buf + at, sizeof(buf) - at, "|O_DSYNC");
	return json_string(buf);
}
