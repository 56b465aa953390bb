/* Pre-images for undo; see undo.h. */
#include "undo.h"
#include "audit.h"
#include "chain.h"
#include "preimage.h"
#include "record.h"
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

struct object_id {
	dev_t dev;
	ino_t ino;
	bool made;    /* the job's own: nothing to keep */
	bool done;    /* kept (a failed attempt is tried again by the next change) */
	json_t *kept; /* what its preserve record says of it, for mark_again */
};

struct undo_store {
	int dir_fd;
	/* held through a whole pre-image: a second change to the same object
	 * must wait until the first one's pre-image is complete */
	pthread_mutex_t lock;
	struct object_id *seen; /* open addressing; ino 0: free */
	size_t cap, count;
	uint64_t next; /* the name of the next kept file in DIR */
	uint64_t used, max;
	bool keep_going;
	_Atomic bool stopped; /* read before the lock: once set, it stays */
};

struct undo_store *undo_store_open(const char *dir, uint64_t max_bytes, bool keep_going, char *err,
                                   size_t errlen)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "--undo-dir %s: %s", dir, strerror(errno));
		return NULL;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "--undo-dir %s: %s", dir, strerror(errno));
		return NULL;
	}
	/* another job's pre-images would be taken for this one's */
	int probe = dup(fd);
	DIR *d = probe < 0 ? NULL : fdopendir(probe);
	struct dirent *e;
	bool empty = d != NULL;
	while (d != NULL && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	if (d != NULL)
		closedir(d);
	else if (probe >= 0)
		close(probe);
	struct undo_store *u = empty ? calloc(1, sizeof(*u)) : NULL;
	if (u == NULL) {
		snprintf(err, errlen, "--undo-dir %s: %s", dir,
		         empty ? "out of memory"
		               : "not empty (each job needs a directory of its own)");
		close(fd);
		return NULL;
	}
	*u = (struct undo_store){.dir_fd = fd, .max = max_bytes, .keep_going = keep_going};
	pthread_mutex_init(&u->lock, NULL);
	return u;
}

void undo_store_free(struct undo_store *u)
{
	if (u == NULL)
		return;
	close(u->dir_fd);
	pthread_mutex_destroy(&u->lock);
	for (size_t i = 0; i < u->cap; i++)
		json_decref(u->seen[i].kept);
	free(u->seen);
	free(u);
}

void undo_header_options(json_t *options, const char *dir, long long max_bytes, bool keep_going)
{
	char real[PATH_MAX];
	if (options == NULL || dir == NULL || realpath(dir, real) == NULL)
		return;
	json_object_set_new(options, "undo_dir", json_string(real));
	json_object_set_new(options, "undo_max", json_integer(max_bytes));
	json_object_set_new(options, "undo_full", json_string(keep_going ? "continue" : "fail"));
}

int undo_store_fd(const struct undo_store *u)
{
	return u->dir_fd;
}

static size_t slot_of(const struct undo_store *u, struct object_id id)
{
	uint64_t h = ((uint64_t)id.ino * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)id.dev;
	return (size_t)(h ^ (h >> 29)) & (u->cap - 1);
}

/* Finds id among the objects already taken care of, adding it when new;
 * its slot, valid until the next call, or NULL when out of memory. Called
 * with the lock held. */
static struct object_id *find_add(struct undo_store *u, struct object_id id)
{
	if (u->count * 2 >= u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 1024;
		struct object_id *old = u->seen;
		size_t old_cap = u->cap;
		struct object_id *seen = calloc(cap, sizeof(*seen));
		if (seen == NULL)
			return NULL;
		u->seen = seen;
		u->cap = cap;
		for (size_t i = 0; i < old_cap; i++) {
			if (old[i].ino == 0)
				continue;
			size_t s = slot_of(u, old[i]);
			while (u->seen[s].ino != 0)
				s = (s + 1) & (u->cap - 1);
			u->seen[s] = old[i];
		}
		free(old);
	}
	size_t s = slot_of(u, id);
	while (u->seen[s].ino != 0) {
		if (u->seen[s].ino == id.ino && u->seen[s].dev == id.dev)
			return &u->seen[s];
		s = (s + 1) & (u->cap - 1);
	}
	u->seen[s] = id;
	u->count++;
	return &u->seen[s];
}

void spx_undo_made(struct spx_fs *fs, dev_t dev, ino_t ino)
{
	struct undo_store *u = fs->undo;
	if (u == NULL || ino == 0)
		return;
	pthread_mutex_lock(&u->lock);
	/* a number the host reused for the job's new object: it is the job's */
	struct object_id *o = find_add(u, (struct object_id){dev, ino, true, true, NULL});
	if (o != NULL)
		o->made = o->done = true;
	pthread_mutex_unlock(&u->lock);
}

/* The file's content into DIR under a new name, hashed: 0 or -errno. */
static int keep_content(struct spx_fs *fs, int fd, json_t *rec)
{
	struct undo_store *u = fs->undo;
	char name[32];
	snprintf(name, sizeof(name), "%06llu", (unsigned long long)++u->next);
	int src = spx_reopen(fs, fd, O_RDONLY);
	if (src < 0)
		return src;
	int dst = openat(u->dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	const char *method = "copy";
	int r = dst < 0 ? -errno : preimage_copy(src, dst, &method);
	/* hashed from the source, whose pages the job's use has most likely
	 * cached (a reflink's are not); no change can come between: every
	 * change to this file waits for the lock this runs under */
	char hex[CHAIN_HEX_LEN];
	if (r == 0 && lseek(src, 0, SEEK_SET) < 0)
		r = -errno;
	if (r == 0 && chain_sha256_fd_until(src, hex, NULL) < 0)
		r = -EIO;
	close(src);
	if (dst >= 0 && close(dst) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(u->dir_fd, name, 0);
		return r;
	}
	json_object_set_new(rec, "undo", json_string(name));
	json_object_set_new(rec, "sha256", json_string(hex));
	json_object_set_new(rec, "method", json_string(method));
	return 0;
}

/* The user.* extended attributes of the file or directory fd holds, as
 * {name: base64 value} (spxfs lets no other namespace through). */
static json_t *xattrs_of(int fd)
{
	char path[40], names[8192];
	spx_proc_path(fd, path);
	json_t *out = json_object();
	ssize_t len = listxattr(path, names, sizeof(names));
	for (ssize_t i = 0; out != NULL && len > 0 && i < len;
	     i += (ssize_t)strlen(names + i) + 1) {
		const char *name = names + i;
		unsigned char value[65536];
		ssize_t n = strncmp(name, "user.", 5) == 0
		                ? getxattr(path, name, value, sizeof(value))
		                : -1;
		if (n < 0)
			continue;
		char *b64 = malloc(4 * (((size_t)n + 2) / 3) + 1);
		if (b64 == NULL)
			continue;
		EVP_EncodeBlock((unsigned char *)b64, value, (int)n);
		json_object_set_new(out, name, json_string(b64));
		free(b64);
	}
	return out;
}

static const char *type_name(mode_t m)
{
	return S_ISREG(m)    ? "file"
	       : S_ISDIR(m)  ? "dir"
	       : S_ISLNK(m)  ? "symlink"
	       : S_ISFIFO(m) ? "fifo"
	                     : "socket";
}

static void set_time(json_t *rec, const char *key, const struct timespec *ts)
{
	char text[40];
	record_format_time(ts, text);
	json_object_set_new(rec, key, json_string(text));
}

/* --undo-max: whether size more bytes may be kept; past it, either the
 * change fails (EDQUOT) or undo stops for the rest of the job. */
static int charge(fuse_req_t req, struct undo_store *u, uint64_t size)
{
	if (u->max == 0 || u->used + size <= u->max) {
		u->used += size;
		return 0;
	}
	if (!u->keep_going)
		return EDQUOT;
	u->stopped = true;
	json_t *rec = spx_audit_new(req, "undo_stopped");
	if (rec != NULL) {
		json_object_set_new(rec, "used", json_integer((json_int_t)u->used));
		json_object_set_new(rec, "max", json_integer((json_int_t)u->max));
	}
	return spx_audit_commit(spx_fs_of(req), rec, 0);
}

/* The fields of a preserve record that say how to put the object back,
 * whatever name it has (mark_again). */
static json_t *restorable(const json_t *rec)
{
	static const char *const fields[] = {"type",   "mode",       "owner",  "group",  "atime",
	                                     "mtime",  "size",       "undo",   "sha256", "method",
	                                     "target", "target_hex", "xattrs", NULL};
	json_t *copy = json_object();
	for (const char *const *f = fields; copy != NULL && *f; f++)
		if (json_object_get(rec, *f) != NULL)
			json_object_set(copy, *f, json_object_get(rec, *f));
	return copy;
}

/* Keeps the object fd holds (st), named `name` in dir: the lock held.
 * *kept: what undo needs of it under any name. */
static int keep(fuse_req_t req, int fd, const struct stat *st, struct spx_inode *dir,
                const char *name, const char *why, json_t **kept)
{
	struct spx_fs *fs = spx_fs_of(req);
	struct undo_store *u = fs->undo;
	json_t *rec = spx_audit_new(req, "preserve");
	if (rec == NULL)
		return EIO;
	spx_audit_path(req, rec, "path", dir, name);
	json_object_set_new(rec, "why", json_string(why));
	json_object_set_new(rec, "type", json_string(type_name(st->st_mode)));
	json_object_set_new(rec, "mode", json_integer(st->st_mode & 07777));
	json_object_set_new(rec, "owner", json_integer(st->st_uid));
	json_object_set_new(rec, "group", json_integer(st->st_gid));
	set_time(rec, "atime", &st->st_atim);
	set_time(rec, "mtime", &st->st_mtim);
	int err = 0;
	if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode))
		json_object_set_new(rec, "xattrs", xattrs_of(fd));
	if (S_ISREG(st->st_mode)) {
		json_object_set_new(rec, "size", json_integer(st->st_size));
		err = charge(req, u, (uint64_t)st->st_size);
		if (err == 0 && u->stopped) {
			json_decref(rec); /* undo ended just now: nothing more is kept */
			return 0;
		}
		if (err == 0)
			err = -keep_content(fs, fd, rec);
	} else if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX + 1];
		ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
		if (n < 0) {
			err = errno;
		} else {
			target[n] = '\0';
			if (record_set_path(rec, "target", target) < 0)
				err = ENOMEM;
		}
	}
	if (err == 0)
		*kept = restorable(rec);
	return spx_audit_commit(fs, rec, err);
}

/* A name about to go (unlink, rmdir, a rename over it) of an object kept
 * before under another name (a hard link, or a name it was renamed from):
 * undo, going backwards, puts the object back here too, from what was
 * kept of it (kept: its first record's fields). */
static int mark_again(fuse_req_t req, const struct stat *st, const json_t *kept,
                      struct spx_inode *dir, const char *name, const char *why)
{
	json_t *rec = spx_audit_new(req, "preserve");
	if (rec == NULL)
		return EIO;
	if (kept != NULL)
		json_object_update(rec, (json_t *)kept);
	else
		json_object_set_new(rec, "type", json_string(type_name(st->st_mode)));
	spx_audit_path(req, rec, "path", dir, name);
	json_object_set_new(rec, "why", json_string(why));
	json_object_set_new(rec, "again", json_true());
	return spx_audit_commit(spx_fs_of(req), rec, 0);
}

static int keep_fd(fuse_req_t req, int fd, struct spx_inode *dir, const char *name, const char *why,
                   bool going)
{
	struct undo_store *u = spx_fs_of(req)->undo;
	struct stat st;
	if (u == NULL || u->stopped)
		return 0;
	if (resolve_stat_fd(fd, &st) < 0)
		return 0; /* gone: the change will fail on its own */
	pthread_mutex_lock(&u->lock);
	int err = 0;
	/* stopped may have come while this waited for the lock */
	struct object_id *o =
	    u->stopped ? NULL
	               : find_add(u, (struct object_id){st.st_dev, st.st_ino, false, false, NULL});
	if (o == NULL) {
		err = u->stopped ? 0 : ENOMEM;
	} else if (!o->done) {
		json_t *kept = NULL;
		err = keep(req, fd, &st, dir, name, why, &kept);
		/* keep() does not touch the table: o is still its slot */
		o->kept = kept;
		o->done = err == 0;
	} else if (going && !o->made) {
		err = mark_again(req, &st, o->kept, dir, name, why);
	}
	pthread_mutex_unlock(&u->lock);
	return err;
}

int spx_undo_keep_fd(fuse_req_t req, int fd, struct spx_inode *dir, const char *name,
                     const char *why)
{
	return keep_fd(req, fd, dir, name, why, false);
}

int spx_undo_keep_name(fuse_req_t req, int pfd, struct spx_inode *dir, const char *name,
                       const char *why)
{
	if (spx_fs_of(req)->undo == NULL)
		return 0;
	int fd = resolve_child(pfd, name);
	if (fd < 0)
		return 0; /* no such name: nothing was there to keep */
	int err = keep_fd(req, fd, dir, name, why, true);
	close(fd);
	return err;
}

int spx_undo_keep_inode(fuse_req_t req, struct spx_inode *in, const char *why)
{
	struct spx_fs *fs = spx_fs_of(req);
	if (fs->undo == NULL)
		return 0;
	int fd = inode_table_pin(fs->table, in);
	if (fd < 0)
		return 0;
	int err = spx_undo_keep_fd(req, fd, in, NULL, why);
	inode_table_unpin(fs->table, in);
	return err;
}
