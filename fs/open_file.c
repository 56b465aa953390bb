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

/* Past this many disjoint ranges a record lists no more (and says so). */
#define MAX_RANGES 4096

struct range {
	off_t start, end;
};

struct io_account {
	uint64_t bytes;
	off_t next;	 /* where the next sequential access would start */
	bool sequential; /* every access so far continued from 0 */
	EVP_MD_CTX *md;
	struct range *ranges; /* sorted, disjoint, none touching the next */
	int nranges, cap;
	bool ranges_truncated;
	uint64_t errors; /* calls that failed (ENOSPC, EIO...) */
	int first_errno;
};

struct open_file {
	/* first: open_file_close_unreleased finds files by their open_fd */
	struct open_fd desc; /* the host descriptor */
	int flags;
	bool audited, created_empty, reached_eof, touched;
	/* what the file was at open (audited): a read hash is only given for
	 * content that provably did not change while the file was open */
	struct stat at_open;
	bool have_at_open;
	uint64_t open_gen; /* inode_gen at open */
	uint64_t wr_gen;   /* inode_gen after this file's last own write */
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
}

/* The running hash starts with the first data: most opens (a create, a
 * stat-like open) never move any. false when libcrypto fails. */
static bool hash_started(struct io_account *a)
{
	if (a->md != NULL)
		return true;
	a->md = EVP_MD_CTX_new();
	if (a->md != NULL && EVP_DigestInit_ex(a->md, chain_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(a->md);
		a->md = NULL;
	}
	return a->md != NULL;
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
		h->have_at_open = fstat(fd, &h->at_open) == 0;
		h->open_gen = h->wr_gen = inode_gen(in);
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

/* Adds [start, end) and merges it with every range it overlaps or
 * touches, whatever order the ranges come in: the list stays the fewest
 * sorted ranges that cover what was accessed. */
static void add_range(struct io_account *a, off_t start, off_t end)
{
	int lo = 0;
	while (lo < a->nranges && a->ranges[lo].end < start)
		lo++;
	int hi = lo; /* ranges [lo, hi) overlap or touch [start, end) */
	while (hi < a->nranges && a->ranges[hi].start <= end)
		hi++;
	if (hi > lo) {
		if (a->ranges[lo].start < start)
			start = a->ranges[lo].start;
		if (a->ranges[hi - 1].end > end)
			end = a->ranges[hi - 1].end;
		a->ranges[lo] = (struct range){start, end};
		memmove(&a->ranges[lo + 1], &a->ranges[hi],
			(size_t)(a->nranges - hi) * sizeof(struct range));
		a->nranges -= hi - lo - 1;
		return;
	}
	if (a->nranges == a->cap) {
		int cap = a->cap ? 2 * a->cap : 8;
		struct range *more = cap <= MAX_RANGES ? realloc(a->ranges, (size_t)cap * sizeof(*more))
						       : NULL;
		if (more == NULL) {
			a->ranges_truncated = true;
			return;
		}
		a->ranges = more;
		a->cap = cap;
	}
	memmove(&a->ranges[lo + 1], &a->ranges[lo], (size_t)(a->nranges - lo) * sizeof(struct range));
	a->ranges[lo] = (struct range){start, end};
	a->nranges++;
}

static void account(struct io_account *a, off_t off, const void *buf, size_t n)
{
	a->bytes += n;
	if (n > 0)
		add_range(a, off, off + (off_t)n);
	if (a->sequential && off == a->next && (n == 0 || hash_started(a))) {
		if (n > 0 && EVP_DigestUpdate(a->md, buf, n) != 1)
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
	account(&h->rd, off, buf, n);
	/* A short read means the file ends there, whatever order the reads
	 * came in. */
	if (n < asked)
		h->reached_eof = true;
	pthread_mutex_unlock(&h->lock);
}

bool open_file_write_begin(struct open_file *h)
{
	if (!h->audited)
		return false;
	pthread_mutex_lock(&h->lock);
	/* Before the reply: an open that follows the job's write must see
	 * the file's new generation. Another descriptor (or a truncate)
	 * changed the file since this one last wrote: the running hash no
	 * longer tells its content. */
	uint64_t g = inode_changed(h->desc.in);
	if (g != h->wr_gen + 1)
		h->wr.sequential = false;
	h->wr_gen = g;
	return true;
}

void open_file_wrote(struct open_file *h, off_t off, const void *buf, size_t n)
{
	account(&h->wr, off, buf, n);
	pthread_mutex_unlock(&h->lock);
}

void open_file_touched(struct open_file *h)
{
	(void)inode_changed(h->desc.in);
	if (!h->audited)
		return;
	pthread_mutex_lock(&h->lock);
	h->touched = true;
	h->wr.sequential = false;
	pthread_mutex_unlock(&h->lock);
}

/* The running hash's value; no data at all: the hash of nothing. */
static json_t *digest_hex(EVP_MD_CTX *md)
{
	unsigned char out[CHAIN_LEN];
	unsigned int n = 0;
	char hex[CHAIN_HEX_LEN];
	int ok = md != NULL ? EVP_DigestFinal_ex(md, out, &n)
			    : chain_sha256() != NULL && EVP_Digest("", 0, out, &n, chain_sha256(), NULL);
	if (ok != 1 || n != CHAIN_LEN)
		return NULL;
	chain_hex(out, hex);
	return json_string(hex);
}

/* SHA-256 of the file's whole current content, read back from the host;
 * *late when the end-of-job deadline cut it short. */
static json_t *hash_file(struct spx_fs *fs, int fd, bool *late)
{
	char hex[CHAIN_HEX_LEN];
	int r = spx_hash_content(fs, fd, hex);
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

/* Whether the file is as it was at open: no change through the mount
 * (the content generation) and, for the host's own changes, the same
 * size, modification and change times. */
static bool unchanged_since_open(struct open_file *h, int fd)
{
	struct stat now;
	return h->have_at_open && inode_gen(h->desc.in) == h->open_gen && fstat(fd, &now) == 0 &&
	       now.st_size == h->at_open.st_size &&
	       now.st_mtim.tv_sec == h->at_open.st_mtim.tv_sec &&
	       now.st_mtim.tv_nsec == h->at_open.st_mtim.tv_nsec &&
	       now.st_ctim.tv_sec == h->at_open.st_ctim.tv_sec &&
	       now.st_ctim.tv_nsec == h->at_open.st_ctim.tv_nsec;
}

/* Whether the file was empty at open and opened for reading: the kernel
 * answers reads of an empty file itself, and reading it in full is
 * reading nothing. */
static bool read_empty(const struct open_file *h)
{
	return h->have_at_open && h->at_open.st_size == 0 && (h->flags & O_ACCMODE) != O_WRONLY;
}

/* Whether the reads covered the whole file as it was at open. */
static bool read_in_full(const struct open_file *h)
{
	off_t size = h->at_open.st_size;
	if (size == 0)
		return read_empty(h);
	return !h->rd.ranges_truncated && h->rd.nranges == 1 && h->rd.ranges[0].start == 0 &&
	       h->rd.ranges[0].end >= size;
}

/*
 * sha256_read: the running hash when the reads came in order from 0 to
 * the end; otherwise, when they covered the whole file in any order
 * (readahead, parallel workers, pread, mmap), the file is read back at
 * close — only while it is provably unchanged since open, before and
 * after that read, so the hash is of bytes the job saw.
 */
static void add_read(struct spx_fs *fs, json_t *rec, struct open_file *h)
{
	json_object_set_new(rec, "read", json_integer((json_int_t)h->rd.bytes));
	if (h->rd.bytes == 0 && !h->reached_eof && !read_empty(h))
		return;
	int fd = h->have_at_open && read_in_full(h) ? open_file_use(fs, h) : -1;
	json_t *hex = NULL;
	const char *unknown = NULL;
	if (fd >= 0) {
		if (!unchanged_since_open(h, fd)) {
			unknown = "the file changed while it was open";
		} else if (h->rd.sequential) {
			/* read in full, in order, unchanged: the running hash
			 * ends exactly at the file's size */
			hex = digest_hex(h->rd.md);
		} else {
			bool late = false;
			hex = hash_file(fs, fd, &late);
			if (hex != NULL && !unchanged_since_open(h, fd)) {
				json_decref(hex);
				hex = NULL;
				unknown = "the file changed while it was open";
			} else if (late) {
				unknown = "the job ended before it was hashed";
			}
		}
		open_file_done(fs, h);
	}
	if (hex != NULL) {
		json_object_set_new(rec, "sha256_read", hex);
		return;
	}
	if (unknown != NULL)
		json_object_set_new(rec, "sha256_read_unknown", json_string(unknown));
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
	/* The running hash is the content only if nothing else wrote it: no
	 * change through the mount since this file's last write. */
	if (h->created_empty && h->wr.sequential && inode_gen(h->desc.in) == h->wr_gen &&
	    fstat(fd, &st) == 0 && st.st_size == h->wr.next)
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
		/* The last write's hash may still run after its reply, on
		 * another worker: the release waits for it. */
		pthread_mutex_lock(&h->lock);
		pthread_mutex_unlock(&h->lock);
		rec = spx_audit_new_as(fs, "close", h->pid, h->uid, h->gid);
		if (rec != NULL) {
			if (h->path == NULL || record_set_path(rec, "path", h->path) < 0)
				json_object_set_new(rec, "path", json_null());
			json_object_set_new(rec, "flags", spx_audit_flags(h->flags));
			add_read(fs, rec, h);
			add_written(fs, rec, h);
			add_errors(rec, &h->rd, "read_errors", "read_error");
			add_errors(rec, &h->wr, "write_errors", "write_error");
		}
		EVP_MD_CTX_free(h->rd.md);
		EVP_MD_CTX_free(h->wr.md);
		free(h->rd.ranges);
		free(h->wr.ranges);
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
		(void)open_file_close_commit(fs, (struct open_file *)(void *)f, true);
		n++;
	}
	return n;
}

/* Closes of one file are recorded in the order their hashes were taken:
 * two descriptors closing at once must not leave the earlier content's
 * hash as the file's last word. Striped by inode, so different files
 * still close in parallel. */
static pthread_mutex_t close_order[64] = {
#define L PTHREAD_MUTEX_INITIALIZER
	L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
	L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
	L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
#undef L
};

int open_file_close_commit(struct spx_fs *fs, struct open_file *h, bool unreleased)
{
	pthread_mutex_t *order = &close_order[((uintptr_t)h->desc.in >> 4) % 64];
	pthread_mutex_lock(order);
	json_t *rec = open_file_close(fs, h);
	if (rec != NULL && unreleased)
		json_object_set_new(rec, "unreleased", json_true());
	int r = spx_audit_commit(fs, rec, 0);
	pthread_mutex_unlock(order);
	return r;
}
