#include "undo_apply.h"
#include "chain.h"
#include "preimage.h"
#include "logfile.h"
#include "record.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The directory holding path (a mount path, "/a/b/c") beneath root, and
 * the last component in *name (pointing into path): a descriptor or
 * -errno. */
static int parent_of(int root_fd, const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	if (path[0] != '/' || slash == NULL || slash[1] == '\0')
		return -EINVAL;
	*name = slash + 1;
	size_t len = (size_t)(slash - path);
	char dir[PATH_MAX];
	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	dir[0] = '.';
	memcpy(dir + 1, path, len);
	dir[len + 1] = '\0';
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	                       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	                                  RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
	long fd = syscall(SYS_openat2, root_fd, dir, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

int undo_stat_at(int root_fd, const char *path, struct stat *st)
{
	const char *name;
	int pfd = parent_of(root_fd, path, &name);
	if (pfd < 0)
		return pfd;
	int r = fstatat(pfd, name, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
	close(pfd);
	return r;
}

int undo_hash_at(int root_fd, const char *path, char hex[65])
{
	const char *name;
	int pfd = parent_of(root_fd, path, &name);
	if (pfd < 0)
		return pfd;
	int fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int r = fd < 0 ? -errno : 0;
	struct stat st;
	if (r == 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)))
		r = -EISDIR;
	if (r == 0 && chain_sha256_fd(fd, hex) < 0)
		r = -EIO;
	if (fd >= 0)
		close(fd);
	close(pfd);
	return r;
}

static void step_failed(struct undo_ctx *ctx, const char *what, const char *path, int err)
{
	fprintf(stderr, "spxaudit: undo: %s %s: %s\n", what, path, strerror(err));
	ctx->failed++;
}

static bool told(struct undo_ctx *ctx, const char *fmt, const char *a, const char *b)
{
	ctx->steps++;
	if (!ctx->dry_run)
		return false;
	fprintf(ctx->out, fmt, a, b);
	fputc('\n', ctx->out);
	return true;
}

static int parse_times(const json_t *rec, struct timespec ts[2])
{
	return record_parse_time(rec_str(rec, "atime"), &ts[0]) == 0 &&
	               record_parse_time(rec_str(rec, "mtime"), &ts[1]) == 0
	           ? 0
	           : -EINVAL;
}

/* The user.* attributes of the file or directory at (pfd, name) made
 * exactly those rec's "xattrs" lists (base64 values); none listed: none
 * asked for. */
static int set_xattrs(int pfd, const char *name, const json_t *rec)
{
	const json_t *want = json_object_get(rec, "xattrs");
	if (!json_is_object(want))
		return 0;
	int fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char names[8192];
	ssize_t len = flistxattr(fd, names, sizeof(names));
	int r = 0;
	for (ssize_t i = 0; len > 0 && i < len; i += (ssize_t)strlen(names + i) + 1)
		if (strncmp(names + i, "user.", 5) == 0 &&
		    json_object_get(want, names + i) == NULL && fremovexattr(fd, names + i) < 0)
			r = -errno;
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)want, key, v)
	{
		const char *b64 = json_string_value(v);
		size_t in = b64 != NULL ? strlen(b64) : 0;
		unsigned char *value = malloc(in / 4 * 3 + 3);
		int n = value != NULL && in % 4 == 0
		            ? EVP_DecodeBlock(value, (const unsigned char *)b64, (int)in)
		            : -1;
		for (size_t k = in; n > 0 && k > 0 && b64[k - 1] == '='; k--)
			n--; /* the padding decodes as zeros */
		if (n < 0 || fsetxattr(fd, key, value, (size_t)n, 0) < 0)
			r = n < 0 ? -EINVAL : -errno;
		free(value);
	}
	close(fd);
	return r;
}

/* Owner, mode, user.* attributes and times of (pfd, name) as rec says; a
 * symlink's mode is not its own. Unprivileged, an owner that is not ours
 * cannot be given back: that is a failure of this step. */
static int set_meta(int pfd, const char *name, const json_t *rec, bool symlink)
{
	struct stat st;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	/* first: a file whose mode is given back read-only could not take them */
	int r = symlink ? 0 : set_xattrs(pfd, name, rec);
	if (r < 0)
		return r;
	uid_t uid = (uid_t)rec_int(rec, "owner", st.st_uid);
	gid_t gid = (gid_t)rec_int(rec, "group", st.st_gid);
	if ((st.st_uid != uid || st.st_gid != gid) &&
	    fchownat(pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!symlink && fchmodat(pfd, name, (mode_t)rec_int(rec, "mode", 0600) & 07777,
	                         AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	struct timespec ts[2];
	if (parse_times(rec, ts) == 0 && utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

/* The kept content, checked against the hash the log holds for it (the
 * chain covers the record, not DIR), copied into the regular file at name,
 * in place (its other hard links get it too, and the directory is left
 * alone), or into a new file tmp when name holds none. *made says which. */
static int restore_content(struct undo_ctx *ctx, const json_t *rec, int pfd, const char *name,
                           const char *tmp, bool *made)
{
	const char *kept = rec_str(rec, "undo");
	if (*kept == '\0' || strchr(kept, '/') != NULL || kept[0] == '.')
		return -EINVAL;
	int src = openat(ctx->store_fd, kept, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0)
		return -errno;
	char hex[CHAIN_HEX_LEN];
	int r = chain_sha256_fd(src, hex) < 0 ? -EIO : 0;
	if (r == 0 && strcmp(hex, rec_str(rec, "sha256")) != 0)
		r = -EBADMSG; /* DIR was altered: this is not what was kept */
	struct stat st;
	*made = !(fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode));
	int dst = -1;
	if (r == 0 && !*made)
		dst = openat(pfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (r == 0 && !*made && dst < 0 && errno == EACCES)
		*made = true; /* a read-only file, unprivileged: a new one in its place */
	if (r == 0 && *made)
		dst = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (r == 0 && dst < 0)
		r = -errno;
	const char *method; /* by explicit offsets: the hash left src's at its end */
	if (r == 0)
		r = preimage_copy(src, dst, &method);
	if (dst >= 0 && close(dst) < 0 && r == 0)
		r = -errno;
	close(src);
	return r;
}

/* A directory's name in ctx->dir_times: "dev:ino". */
static void dir_key(const struct stat *st, char key[64])
{
	snprintf(key, 64, "%llu:%llu", (unsigned long long)st->st_dev,
	         (unsigned long long)st->st_ino);
}

/* Remembers a restored directory's times for undo_apply_dir_times. */
static void note_dir(struct undo_ctx *ctx, const struct stat *st, const json_t *rec)
{
	char key[64];
	dir_key(st, key);
	json_object_set(ctx->dir_times, key, (json_t *)rec);
}

/* ROOT itself: its owner and mode now, its times last. */
static void restore_top(struct undo_ctx *ctx, const json_t *rec)
{
	int fd = openat(ctx->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		step_failed(ctx, "restoring", "/", errno);
		if (fd >= 0)
			close(fd);
		return;
	}
	uid_t uid = (uid_t)rec_int(rec, "owner", -1);
	gid_t gid = (gid_t)rec_int(rec, "group", -1);
	int r = (st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) < 0 ? -errno : 0;
	if (r == 0 && fchmod(fd, (mode_t)rec_int(rec, "mode", 0700) & 07777) < 0)
		r = -errno;
	if (r == 0)
		note_dir(ctx, &st, rec);
	close(fd);
	if (r != 0)
		step_failed(ctx, "restoring", "/", -r);
}

/* Puts back what a preserve record kept, at its path: a file's content,
 * a symlink, a node or a directory, with owner, mode and times. */
static void restore(struct undo_ctx *ctx, const json_t *rec, const char *path)
{
	const char *type = rec_str(rec, "type");
	bool again = json_is_true(json_object_get(rec, "again"));
	if (told(ctx, again ? "make room for %s %s" : "restore %s %s", type, path))
		return;
	if (strcmp(path, "/") == 0) {
		restore_top(ctx, rec);
		return;
	}
	const char *name;
	int pfd = parent_of(ctx->root_fd, path, &name);
	if (pfd < 0) {
		step_failed(ctx, "restoring", path, -pfd);
		return;
	}
	char tmp[64];
	snprintf(tmp, sizeof(tmp), ".spx-undo.%d.%lld", (int)getpid(), ctx->steps);
	int r = 0;
	bool dir = strcmp(type, "dir") == 0;
	struct stat st;
	if (again && dir) {
		/* a directory kept earlier, whose own record further back sets
		 * its owner, mode and times: it only has to be here */
		if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
		    mkdirat(pfd, name, 0700) < 0)
			r = -errno;
	} else if (again && strcmp(type, "file") == 0 && *rec_str(rec, "undo") == '\0') {
		if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
		    mknodat(pfd, name, S_IFREG | 0600, 0) < 0)
			r = -errno;
	} else if (dir) {
		if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
		    mkdirat(pfd, name, (mode_t)rec_int(rec, "mode", 0700) & 07777) < 0)
			r = -errno;
		if (r == 0)
			r = set_meta(pfd, name, rec, false);
		if (r == 0 && fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			note_dir(ctx, &st, rec);
	} else {
		bool made = true;
		if (strcmp(type, "file") == 0) {
			r = restore_content(ctx, rec, pfd, name, tmp, &made);
		} else if (strcmp(type, "symlink") == 0) {
			char *target = record_get_path(rec, "target");
			r = target == NULL ? -EINVAL : symlinkat(target, pfd, tmp) < 0 ? -errno : 0;
			free(target);
		} else {
			mode_t m = strcmp(type, "fifo") == 0 ? S_IFIFO : S_IFSOCK;
			r = mknodat(pfd, tmp, m | 0600, 0) < 0 ? -errno : 0;
		}
		const char *at = made ? tmp : name;
		if (r == 0)
			r = set_meta(pfd, at, rec, strcmp(type, "symlink") == 0);
		if (r == 0 && made && renameat(pfd, tmp, pfd, name) < 0)
			r = -errno;
		if (r != 0 && made)
			(void)unlinkat(pfd, tmp, 0);
	}
	close(pfd);
	if (r != 0)
		step_failed(ctx,
		            r == -EBADMSG ? "the kept content does not match the log for"
		                          : "restoring",
		            path, -r);
}

static void remove_made(struct undo_ctx *ctx, const char *path, bool dir)
{
	if (told(ctx, "remove %s%s", path, dir ? "/" : ""))
		return;
	const char *name;
	int pfd = parent_of(ctx->root_fd, path, &name);
	int r = pfd < 0 ? pfd : unlinkat(pfd, name, dir ? AT_REMOVEDIR : 0) < 0 ? -errno : 0;
	if (pfd >= 0)
		close(pfd);
	if (r != 0 && r != -ENOENT)
		step_failed(ctx, "removing", path, -r);
}

/* The job's rename of `from` to `to` (or their exchange), backwards. A
 * name the job made and later removed is not there again (nothing of it
 * was kept, nothing needs it): its move is skipped, and an exchange with
 * it becomes a plain move of the other side. */
static void move_back(struct undo_ctx *ctx, const char *from, const char *to, bool exchange)
{
	if (told(ctx, exchange ? "exchange %s and %s" : "rename %s -> %s", to, from))
		return;
	const char *name_from, *name_to;
	int pfrom = parent_of(ctx->root_fd, from, &name_from);
	int pto = parent_of(ctx->root_fd, to, &name_to);
	int r = pfrom < 0 ? pfrom : pto < 0 ? pto : 0;
	struct stat st;
	bool has_to = r == 0 && fstatat(pto, name_to, &st, AT_SYMLINK_NOFOLLOW) == 0;
	bool has_from = r == 0 && fstatat(pfrom, name_from, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (r != 0 || (!has_to && !has_from) || (!exchange && !has_to))
		; /* nothing to move back */
	else if (exchange && has_to && has_from)
		r = renameat2(pto, name_to, pfrom, name_from, RENAME_EXCHANGE) < 0 ? -errno : 0;
	else if (has_to) /* back to its old name, which must be free again */
		r = renameat2(pto, name_to, pfrom, name_from, RENAME_NOREPLACE) < 0 ? -errno : 0;
	else
		r = renameat2(pfrom, name_from, pto, name_to, RENAME_NOREPLACE) < 0 ? -errno : 0;
	if (pfrom >= 0)
		close(pfrom);
	if (pto >= 0)
		close(pto);
	if (r != 0)
		step_failed(ctx, "moving back", to, -r);
}

/* A directory the job removed is there again going backwards: what it
 * held before may have to go back into it. One that was there before the
 * job gets its owner, mode and times from its own record further back;
 * one the job made goes again at its mkdir. */
static void bring_back_dir(struct undo_ctx *ctx, const char *path)
{
	if (told(ctx, "make directory %s%s", path, ""))
		return;
	const char *name;
	int pfd = parent_of(ctx->root_fd, path, &name);
	int r = pfd < 0 ? pfd : mkdirat(pfd, name, 0700) < 0 && errno != EEXIST ? -errno : 0;
	if (pfd >= 0)
		close(pfd);
	if (r != 0)
		step_failed(ctx, "making again", path, -r);
}

void undo_apply_record(struct undo_ctx *ctx, const json_t *rec)
{
	const char *op = rec_str(rec, "op");
	if (strcmp(rec_str(rec, "result"), "ok") != 0)
		return;
	char *path = record_get_path(rec, "path");
	char *path2 = record_get_path(rec, "path2");
	if (path == NULL || path[0] != '/') {
		if (path != NULL || strcmp(op, "preserve") == 0)
			step_failed(ctx, "undoing", path ? path : "(no path)", ENOENT);
	} else if (strcmp(op, "preserve") == 0) {
		restore(ctx, rec, path);
	} else if (strcmp(op, "create") == 0 || strcmp(op, "mknod") == 0 ||
	           strcmp(op, "symlink") == 0 || strcmp(op, "link") == 0) {
		remove_made(ctx, path, false);
	} else if (strcmp(op, "mkdir") == 0) {
		remove_made(ctx, path, true);
	} else if (strcmp(op, "rmdir") == 0) {
		bring_back_dir(ctx, path);
	} else if (strcmp(op, "rename") == 0 && path2 != NULL) {
		move_back(ctx, path, path2, strcmp(rec_str(rec, "flags"), "RENAME_EXCHANGE") == 0);
		if (strcmp(rec_str(rec, "replaced"), "dir") == 0)
			bring_back_dir(ctx, path2);
	}
	free(path);
	free(path2);
}

/* Sets the kept times of every directory below dirfd (and of dirfd) that
 * ctx->dir_times names; after its entries are read, which moves atime. */
static void times_below(struct undo_ctx *ctx, int dirfd, dev_t dev, int depth)
{
	int probe = dup(dirfd);
	DIR *d = probe < 0 ? NULL : fdopendir(probe);
	if (d == NULL && probe >= 0)
		close(probe);
	struct dirent *e;
	while (d != NULL && depth < 4096 && (e = readdir(d)) != NULL) {
		if ((e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) ||
		    strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (sub >= 0 && fstat(sub, &st) == 0 && st.st_dev == dev)
			times_below(ctx, sub, dev, depth + 1);
		if (sub >= 0)
			close(sub);
	}
	if (d != NULL)
		closedir(d);
	struct stat st;
	if (fstat(dirfd, &st) < 0)
		return;
	char key[64];
	dir_key(&st, key);
	struct timespec ts[2];
	const json_t *rec = json_object_get(ctx->dir_times, key);
	if (rec != NULL && parse_times(rec, ts) == 0 && futimens(dirfd, ts) < 0)
		step_failed(ctx, "setting the times of", rec_str(rec, "path"), errno);
}

void undo_apply_dir_times(struct undo_ctx *ctx)
{
	if (ctx->dry_run || json_object_size(ctx->dir_times) == 0)
		return;
	int top = openat(ctx->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (top >= 0 && fstat(top, &st) == 0)
		times_below(ctx, top, st.st_dev, 0);
	if (top >= 0)
		close(top);
}
