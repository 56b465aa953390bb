#include "writer.h"
#include "record.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RESERVE_CHUNK (1 << 20)
#define RESERVE_MARGIN (64 << 10)
#define BATCH_INTERVAL_NS 100000000L /* 100 ms */

struct audit_writer {
	pthread_mutex_t lock;
	pthread_cond_t synced;	/* durable_seq moved, or a sync finished */
	pthread_cond_t wake;	/* the batch thread's timer / stop */
	int fd;
	enum audit_sync sync;
	struct chain_key key;
	unsigned char prev[CHAIN_LEN];
	int64_t next_seq;
	int64_t written_seq;
	int64_t durable_seq;
	bool syncing;
	off_t size;
	off_t reserved;
	int failed; /* errno of the first failure, 0 while healthy */
	bool stopping;
	bool sealed; /* the end record is written: nothing more is appended */
	bool have_thread;
	pthread_t thread;
};

/* Reports the first failure once; everything after it gets -EIO. */
static void fail_locked(struct audit_writer *w, int err, const char *what)
{
	if (w->failed != 0)
		return;
	w->failed = err;
	fprintf(stderr, "spx audit: %s failed: %s; refusing every further operation (EIO)\n",
		what, strerror(err));
	pthread_cond_broadcast(&w->synced);
}

/* Makes sure `need` bytes past the end are reserved, a chunk at a time
 * while the disk allows, else just what is needed. */
static int reserve_locked(struct audit_writer *w, size_t need)
{
	off_t want = w->size + (off_t)need;
	if (want <= w->reserved)
		return 0;
	int r = fallocate(w->fd, FALLOC_FL_KEEP_SIZE, w->reserved, want + RESERVE_CHUNK - w->reserved);
	if (r == 0) {
		w->reserved = want + RESERVE_CHUNK;
		return 0;
	}
	if (errno == EOPNOTSUPP) {
		w->reserved = want; /* cannot reserve here; rely on write errors */
		return 0;
	}
	if (errno == ENOSPC && fallocate(w->fd, FALLOC_FL_KEEP_SIZE, w->reserved, want - w->reserved) == 0) {
		w->reserved = want;
		return 0;
	}
	fail_locked(w, errno, "reserving space for the audit log");
	return -EIO;
}

static int write_all_locked(struct audit_writer *w, const char *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pwrite(w->fd, buf + done, len - done, w->size + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			/* Never leave half a line behind. */
			if (ftruncate(w->fd, w->size) < 0)
				e = e ? e : errno;
			fail_locked(w, e, "writing the audit log");
			return -EIO;
		}
		done += (size_t)n;
	}
	w->size += (off_t)len;
	return 0;
}

/* Fills seq, time and prev, writes the line, advances the chain. */
static int64_t append_locked(struct audit_writer *w, json_t *rec)
{
	if (w->failed != 0 || w->sealed)
		return -EIO;
	struct timespec now;
	char when[40], prev[CHAIN_HEX_LEN];
	clock_gettime(CLOCK_REALTIME, &now);
	record_format_time(&now, when);
	chain_hex(w->prev, prev);
	int64_t seq = w->next_seq;
	/* seq and time lead the record; prev closes it. The fields between
	 * are rec's own, encoded once (no copy of the object into another). */
	char *fields = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
	size_t flen = fields != NULL ? strlen(fields) : 0;
	size_t cap = flen + (size_t)3 * CHAIN_HEX_LEN + sizeof(when) + 64;
	char *text = fields != NULL && flen >= 2 ? malloc(cap) : NULL;
	int n = text == NULL ? -1
		: snprintf(text, cap, "{\"seq\":%" PRId64 ",\"time\":\"%s\"%s%.*s,\"prev\":\"%s\"}",
			   seq, when, flen > 2 ? "," : "", (int)(flen - 2), fields + 1, prev);
	free(fields);
	if (n < 0 || (size_t)n >= cap) {
		free(text);
		fail_locked(w, ENOMEM, "encoding an audit record");
		return -EIO;
	}
	size_t len = (size_t)n;
	unsigned char link[CHAIN_LEN];
	int r = chain_link(&w->key, text, len, link);
	if (r < 0)
		fail_locked(w, EIO, "hashing an audit record");
	text[len] = '\n'; /* the NUL is not needed any more */
	if (r == 0)
		r = reserve_locked(w, len + 1);
	if (r == 0)
		r = write_all_locked(w, text, len + 1);
	free(text);
	if (r < 0)
		return -EIO;
	memcpy(w->prev, link, CHAIN_LEN);
	w->next_seq++;
	w->written_seq = seq;
	return seq;
}

/* One fdatasync for everything written so far; the lock is dropped while
 * it runs so that appends go on (group commit). */
static void sync_locked(struct audit_writer *w)
{
	int64_t upto = w->written_seq;
	w->syncing = true;
	pthread_mutex_unlock(&w->lock);
	int r = fdatasync(w->fd);
	int e = errno;
	pthread_mutex_lock(&w->lock);
	w->syncing = false;
	if (r < 0)
		fail_locked(w, e, "syncing the audit log");
	else if (upto > w->durable_seq)
		w->durable_seq = upto;
	pthread_cond_broadcast(&w->synced);
}

static void *batch_thread(void *arg)
{
	struct audit_writer *w = arg;
	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += BATCH_INTERVAL_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&w->wake, &w->lock, &until);
		if (w->failed == 0 && !w->syncing && w->durable_seq < w->written_seq)
			sync_locked(w);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int init_sync(struct audit_writer *w)
{
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&w->wake, &ca) != 0)
		return -ENOMEM;
	pthread_condattr_destroy(&ca);
	if (pthread_mutex_init(&w->lock, NULL) != 0 || pthread_cond_init(&w->synced, NULL) != 0)
		return -ENOMEM;
	return 0;
}

struct audit_writer *audit_writer_open(const char *path, enum audit_sync sync,
				       const struct chain_key *key, json_t *header, int *err)
{
	struct audit_writer *w = calloc(1, sizeof(*w));
	if (w == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (w->fd < 0) {
		*err = -errno;
		free(w);
		return NULL;
	}
	w->sync = sync;
	if (key != NULL)
		w->key = *key;
	w->next_seq = 0;
	*err = init_sync(w);
	json_t *h = json_pack("{s:s, s:s, s:i, s:s}", "op", "header", "format", "spx-audit",
			      "version", AUDIT_FORMAT_VERSION, "chain", chain_kind(key));
	if (*err == 0 && (h == NULL || json_object_update(h, header) < 0))
		*err = -ENOMEM;
	if (*err == 0) {
		pthread_mutex_lock(&w->lock);
		int64_t r = append_locked(w, h);
		if (r == 0 && fdatasync(w->fd) < 0)
			r = -errno;
		pthread_mutex_unlock(&w->lock);
		if (r < 0)
			*err = w->failed ? -w->failed : (int)r;
	}
	json_decref(h);
	if (*err != 0) {
		close(w->fd);
		(void)unlink(path);
		free(w);
		return NULL;
	}
	return w;
}

int audit_writer_start(struct audit_writer *w)
{
	if (w->sync != AUDIT_SYNC_BATCH || w->have_thread)
		return 0;
	if (pthread_create(&w->thread, NULL, batch_thread, w) != 0)
		return -EAGAIN;
	w->have_thread = true;
	return 0;
}

int audit_writer_ready(struct audit_writer *w)
{
	pthread_mutex_lock(&w->lock);
	/* Room for this operation's records before the operation is made. */
	int r = w->failed || w->sealed ? -EIO : reserve_locked(w, RESERVE_MARGIN);
	pthread_mutex_unlock(&w->lock);
	return r;
}

int64_t audit_writer_append(struct audit_writer *w, json_t *rec)
{
	pthread_mutex_lock(&w->lock);
	int64_t seq = append_locked(w, rec);
	pthread_mutex_unlock(&w->lock);
	json_decref(rec);
	return seq;
}

int audit_writer_wait(struct audit_writer *w, int64_t seq)
{
	pthread_mutex_lock(&w->lock);
	while (w->failed == 0 && w->durable_seq < seq) {
		if (w->syncing)
			pthread_cond_wait(&w->synced, &w->lock);
		else
			sync_locked(w);
	}
	int r = w->failed ? -EIO : 0;
	pthread_mutex_unlock(&w->lock);
	return r;
}

enum audit_sync audit_writer_sync_mode(const struct audit_writer *w)
{
	return w->sync;
}

int audit_writer_seal(struct audit_writer *w, char head_hex[CHAIN_HEX_LEN])
{
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	if (w->have_thread)
		pthread_join(w->thread, NULL);

	pthread_mutex_lock(&w->lock);
	char prev[CHAIN_HEX_LEN];
	chain_hex(w->prev, prev);
	json_t *end = json_pack("{s:s, s:I, s:s}", "op", "end", "records", (json_int_t)w->next_seq,
				"head", prev);
	int64_t r = end ? append_locked(w, end) : -EIO;
	json_decref(end);
	if (r >= 0 && fdatasync(w->fd) < 0)
		fail_locked(w, errno, "syncing the audit log");
	chain_hex(w->prev, head_hex);
	int status = w->failed ? -EIO : 0;
	if (w->size < w->reserved && ftruncate(w->fd, w->size) < 0)
		status = -EIO; /* drop the reservation past the last line */
	w->sealed = true;
	pthread_mutex_unlock(&w->lock);
	return status;
}

int audit_writer_close(struct audit_writer *w, char head_hex[CHAIN_HEX_LEN])
{
	int status = audit_writer_seal(w, head_hex);
	close(w->fd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->synced);
	pthread_cond_destroy(&w->wake);
	free(w);
	return status;
}

struct audit_writer *audit_log_create(const char *path, enum audit_sync sync,
				      const char *key_path, json_t *header, char *err,
				      size_t errlen, bool *bad_key)
{
	struct chain_key key = {0};
	*bad_key = false;
	if (key_path != NULL) {
		int r = chain_key_load(key_path, &key);
		if (r < 0) {
			snprintf(err, errlen, "audit key '%s': %s", key_path,
				 r == -EINVAL ? "must hold 16 to 1024 bytes" : strerror(-r));
			*bad_key = true;
			return NULL;
		}
	}
	char host[256] = "";
	(void)gethostname(host, sizeof(host) - 1);
	int r = -ENOMEM;
	struct audit_writer *w = NULL;
	if (header != NULL && json_object_set_new(header, "host", json_string(host)) == 0)
		w = audit_writer_open(path, sync, &key, header, &r);
	memset(&key, 0, sizeof(key));
	if (w == NULL)
		snprintf(err, errlen, "audit log '%s': %s", path, strerror(-r));
	return w;
}

int audit_log_finish(struct audit_writer *w, const char *program, const char *path,
		     bool seal_only, int head_fd)
{
	char head[CHAIN_HEX_LEN];
	int r = seal_only ? audit_writer_seal(w, head) : audit_writer_close(w, head);
	if (head_fd < 0 || r < 0)
		fprintf(stderr, "%s: audit log %s %s; chain head %s\n", program, path,
			r == 0 ? "closed" : "FAILED (see above)", head);
	if (head_fd >= 0) {
		head[CHAIN_HEX_LEN - 1] = '\n'; /* in place of the NUL */
		if (write(head_fd, head, CHAIN_HEX_LEN) != CHAIN_HEX_LEN)
			fprintf(stderr, "%s: writing the chain head: %s\n", program, strerror(errno));
	}
	return r;
}
