#include "open_file.h"
#include "audit.h"
#include "chain.h"
#include "open_fds.h"
#include "record.h"
#include "spxfs.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_RANGES 16

struct range {
	off_t start, end;
};

struct io_account {
	uint64_t bytes;
	off_t next;	 /* where the next sequential access would start */
	bool sequential; /* every access so far continued from 0 */
	EVP_MD_CTX *md;
	struct range ranges[MAX_RANGES];
	int nranges;
	bool ranges_truncated;
	uint64_t errors; /* calls that failed (ENOSPC, EIO...) */
	int first_errno;
};

struct open_file {
	/* first: open_file_close_unreleased finds files by their open_fd */
	struct open_fd desc; /* the host descriptor */
	int flags;
	bool audited, created_empty, reached_eof, touched;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	char *path;
	pthread_mutex_t lock;
	struct io_account rd, wr;
};

_Static_assert(offsetof(struct open_file, desc) == 0, "desc must come first");

static void account_init(struct io_account *a)
{
	a->sequential = true;
	a->md = EVP_MD_CTX_new();
	if (a->md != NULL && EVP_DigestInit_ex(a->md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(a->md);
		a->md = NULL;
	}
}

struct open_file *open_file_new(struct spx_fs *fs, int fd, struct spx_inode *in, int flags,
				    bool audited, bool created_empty, pid_t pid, uid_t uid,
				    gid_t gid, char *path)
{
	struct open_file *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	open_fds_add(fs->fds, &h->desc, fd, flags, in);
	h->flags = flags;
	h->audited = audited;
	h->created_empty = created_empty;
	h->pid = pid;
	h->uid = uid;
	h->gid = gid;
	h->path = path;
	if (audited) {
		pthread_mutex_init(&h->lock, NULL);
		account_init(&h->rd);
		account_init(&h->wr);
	}
	return h;
}

int open_file_use(struct spx_fs *fs, struct open_file *h)
{
	return open_fds_use(fs, &h->desc);
}

int open_file_use_open(struct spx_fs *fs, struct open_file *h)
{
	return open_fds_use_open(fs->fds, &h->desc);
}

void open_file_done(struct spx_fs *fs, struct open_file *h)
{
	open_fds_done(fs->fds, &h->desc);
}

void open_file_set_locked(struct spx_fs *fs, struct open_file *h, bool locked)
{
	open_fds_set_locked(fs->fds, &h->desc, locked);
}

static void add_range(struct io_account *a, off_t start, off_t end)
{
	/* Merge with an overlapping or adjacent range, else insert sorted. */
	for (int i = 0; i < a->nranges; i++) {
		struct range *r = &a->ranges[i];
		if (start <= r->end && end >= r->start) {
			r->start = start < r->start ? start : r->start;
			r->end = end > r->end ? end : r->end;
			return;
		}
	}
	if (a->nranges == MAX_RANGES) {
		a->ranges_truncated = true;
		return;
	}
	int i = a->nranges++;
	while (i > 0 && a->ranges[i - 1].start > start) {
		a->ranges[i] = a->ranges[i - 1];
		i--;
	}
	a->ranges[i] = (struct range){start, end};
}

static void account(struct io_account *a, off_t off, const void *buf, size_t n)
{
	a->bytes += n;
	if (n > 0)
		add_range(a, off, off + (off_t)n);
	if (a->sequential && off == a->next && a->md != NULL) {
		if (EVP_DigestUpdate(a->md, buf, n) != 1)
			a->sequential = false;
		a->next += (off_t)n;
	} else if (n > 0) {
		a->sequential = false;
	}
}

void open_file_read(struct open_file *h, off_t off, const void *buf, size_t n, size_t asked)
{
	if (!h->audited)
		return;
	pthread_mutex_lock(&h->lock);
	bool at_next = h->rd.sequential && off == h->rd.next;
	account(&h->rd, off, buf, n);
	/* A short read where the sequence stood means it reached the end. */
	if (at_next && n < asked)
		h->reached_eof = true;
	pthread_mutex_unlock(&h->lock);
}

void open_file_wrote(struct open_file *h, off_t off, const void *buf, size_t n)
{
	if (!h->audited)
		return;
	pthread_mutex_lock(&h->lock);
	account(&h->wr, off, buf, n);
	pthread_mutex_unlock(&h->lock);
}

void open_file_touched(struct open_file *h)
{
	if (!h->audited)
		return;
	pthread_mutex_lock(&h->lock);
	h->touched = true;
	h->wr.sequential = false;
	pthread_mutex_unlock(&h->lock);
}

static json_t *digest_hex(EVP_MD_CTX *md)
{
	unsigned char out[CHAIN_LEN];
	unsigned int n = 0;
	char hex[CHAIN_HEX_LEN];
	if (EVP_DigestFinal_ex(md, out, &n) != 1 || n != CHAIN_LEN)
		return NULL;
	chain_hex(out, hex);
	return json_string(hex);
}

/* SHA-256 of the file's whole current content, read back from the host;
 * *late when the end-of-job deadline cut it short. */
static json_t *hash_file(struct spx_fs *fs, int fd, bool *late)
{
	int rfd = spx_reopen(fs, fd, O_RDONLY);
	if (rfd < 0)
		return NULL;
	char hex[CHAIN_HEX_LEN];
	int r = chain_sha256_fd_until(rfd, hex, &fs->hash_deadline_ns);
	close(rfd);
	*late = r == -ETIMEDOUT;
	return r == 0 ? json_string(hex) : NULL;
}

static json_t *ranges_json(const struct io_account *a)
{
	json_t *arr = json_array();
	for (int i = 0; arr != NULL && i < a->nranges; i++)
		json_array_append_new(arr, json_pack("[I, I]", (json_int_t)a->ranges[i].start,
						     (json_int_t)a->ranges[i].end));
	return arr;
}

void open_file_failed(struct open_file *h, bool writing, int err)
{
	if (!h->audited)
		return;
	struct io_account *a = writing ? &h->wr : &h->rd;
	pthread_mutex_lock(&h->lock);
	if (a->errors++ == 0)
		a->first_errno = err;
	pthread_mutex_unlock(&h->lock);
}

/* A job that filled the disk must see it in the log, not only in its
 * own errors: the first failure's errno name and how many failed. */
static void add_errors(json_t *rec, const struct io_account *a, const char *count,
		       const char *first)
{
	if (a->errors == 0)
		return;
	json_object_set_new(rec, count, json_integer((json_int_t)a->errors));
	json_object_set_new(rec, first, json_string(record_result(a->first_errno)));
}

static void add_read(json_t *rec, struct open_file *h)
{
	json_object_set_new(rec, "read", json_integer((json_int_t)h->rd.bytes));
	if (h->rd.bytes == 0 && !h->reached_eof)
		return;
	if (h->rd.sequential && h->reached_eof) {
		json_t *hex = digest_hex(h->rd.md);
		if (hex != NULL) {
			json_object_set_new(rec, "sha256_read", hex);
			return;
		}
	}
	json_object_set_new(rec, "read_ranges", ranges_json(&h->rd));
	if (h->rd.ranges_truncated)
		json_object_set_new(rec, "read_ranges_truncated", json_true());
}

static void add_written(struct spx_fs *fs, json_t *rec, struct open_file *h)
{
	json_object_set_new(rec, "written", json_integer((json_int_t)h->wr.bytes));
	if (h->wr.bytes == 0 && !h->touched && !h->created_empty)
		return;
	int fd = open_file_use(fs, h);
	if (fd < 0) { /* closed to make room, and the file is gone from the host */
		json_object_set_new(rec, "sha256_final", json_null());
		return;
	}
	if (h->wr.bytes > 0)
		json_object_set_new(rec, "write_ranges", ranges_json(&h->wr));
	struct stat st;
	json_t *hex = NULL;
	/* The running hash is the content only if nothing else wrote it. */
	if (h->created_empty && h->wr.sequential && fstat(fd, &st) == 0 &&
	    st.st_size == h->wr.next)
		hex = digest_hex(h->wr.md);
	bool late = false;
	if (hex == NULL)
		hex = hash_file(fs, fd, &late);
	json_object_set_new(rec, "sha256_final", hex != NULL ? hex : json_null());
	if (late)
		json_object_set_new(rec, "hash_stopped", json_string("the job ended"));
	if (fstat(fd, &st) == 0)
		json_object_set_new(rec, "size", json_integer((json_int_t)st.st_size));
	open_file_done(fs, h);
}

json_t *open_file_close(struct spx_fs *fs, struct open_file *h)
{
	json_t *rec = NULL;
	if (h->audited) {
		rec = spx_audit_new_as(fs, "close", h->pid, h->uid, h->gid);
		if (rec != NULL) {
			if (h->path == NULL || record_set_path(rec, "path", h->path) < 0)
				json_object_set_new(rec, "path", json_null());
			json_object_set_new(rec, "flags", spx_audit_flags(h->flags));
			add_read(rec, h);
			add_written(fs, rec, h);
			add_errors(rec, &h->rd, "read_errors", "read_error");
			add_errors(rec, &h->wr, "write_errors", "write_error");
		}
		EVP_MD_CTX_free(h->rd.md);
		EVP_MD_CTX_free(h->wr.md);
		pthread_mutex_destroy(&h->lock);
	}
	open_fds_remove(fs->fds, &h->desc);
	free(h->path);
	free(h);
	return rec;
}

size_t open_file_close_unreleased(struct spx_fs *fs)
{
	size_t n = 0;
	struct open_fd *f;
	while (fs->fds != NULL && (f = open_fds_any(fs->fds)) != NULL) {
		/* desc is the first member: the open_fd is its open_file */
		struct open_file *h = (struct open_file *)(void *)f;
		json_t *rec = open_file_close(fs, h);
		if (rec != NULL)
			json_object_set_new(rec, "unreleased", json_true());
		(void)spx_audit_commit(fs, rec, 0);
		n++;
	}
	return n;
}
