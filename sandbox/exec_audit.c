#include "exec_audit.h"
#include "chain.h"
#include "record.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define QUEUE 64
#define HASH_SECONDS 10
#define DRAIN_SECONDS 5

struct item {
	json_t *rec;
	int fd; /* O_PATH of the regular file to hash */
};

struct exec_audit {
	struct audit_writer *log;
	const struct job_view *view;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct item q[QUEUE];
	int head, count;
	bool stopping;
	_Atomic int64_t deadline_ns;
	pthread_t thread;
};

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void append(struct audit_writer *log, json_t *rec)
{
	if (log != NULL && rec != NULL)
		(void)audit_writer_append(log, rec);
	else
		json_decref(rec);
}

static void hash_into(struct exec_audit *x, struct item *it)
{
	char name[32], hex[CHAIN_HEX_LEN];
	snprintf(name, sizeof(name), "/proc/self/fd/%d", it->fd);
	int fd = open(name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	close(it->fd);
	int r = fd < 0 ? -errno : chain_sha256_fd_until(fd, hex, &x->deadline_ns);
	if (fd >= 0)
		close(fd);
	json_object_set_new(it->rec, "sha256", r == 0 ? json_string(hex) : json_null());
	if (r == -ETIMEDOUT)
		json_object_set_new(it->rec, "hash_stopped", json_string("took too long"));
	append(x->log, it->rec);
}

static void *hasher(void *arg)
{
	struct exec_audit *x = arg;
	pthread_mutex_lock(&x->lock);
	for (;;) {
		while (x->count == 0 && !x->stopping)
			pthread_cond_wait(&x->more, &x->lock);
		if (x->count == 0)
			break;
		struct item it = x->q[x->head];
		x->head = (x->head + 1) % QUEUE;
		x->count--;
		if (!x->stopping)
			atomic_store(&x->deadline_ns, now_ns() + (int64_t)HASH_SECONDS * 1000000000);
		pthread_mutex_unlock(&x->lock);
		hash_into(x, &it);
		pthread_mutex_lock(&x->lock);
	}
	pthread_mutex_unlock(&x->lock);
	return NULL;
}

struct exec_audit *exec_audit_new(struct audit_writer *log, const struct job_view *view)
{
	struct exec_audit *x = calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	x->log = log;
	x->view = view;
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->more, NULL);
	if (pthread_create(&x->thread, NULL, hasher, x) != 0) {
		pthread_mutex_destroy(&x->lock);
		pthread_cond_destroy(&x->more);
		free(x);
		return NULL;
	}
	return x;
}

void exec_audit_free(struct exec_audit *x)
{
	if (x == NULL)
		return;
	pthread_mutex_lock(&x->lock);
	x->stopping = true;
	atomic_store(&x->deadline_ns, now_ns() + (int64_t)DRAIN_SECONDS * 1000000000);
	pthread_cond_signal(&x->more);
	pthread_mutex_unlock(&x->lock);
	pthread_join(x->thread, NULL);
	pthread_mutex_destroy(&x->lock);
	pthread_cond_destroy(&x->more);
	free(x);
}

/* A NUL-terminated string from the job's memory, read up to the end of
 * each page at a time (a string near the end of a mapping must not make
 * the whole read fail); malloc'ed or NULL. */
static char *read_string(pid_t pid, uint64_t addr)
{
	char *buf = calloc(1, PATH_MAX + 1);
	if (buf == NULL)
		return NULL;
	size_t got = 0;
	while (got < PATH_MAX) {
		uint64_t at = addr + got;
		size_t len = 4096 - (size_t)(at % 4096);
		if (len > PATH_MAX - got)
			len = PATH_MAX - got;
		struct iovec local = {.iov_base = buf + got, .iov_len = len};
		struct iovec remote = {.iov_base = (void *)(uintptr_t)at, .iov_len = len};
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			break;
		if (memchr(buf + got, '\0', (size_t)n) != NULL)
			return buf;
		got += (size_t)n;
	}
	free(buf);
	return NULL;
}

/* readlink of /proc/PID/<what> (the job's cwd, one of its descriptors). */
static int job_link(pid_t pid, const char *what, char *out, size_t len)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/%d/%s", (int)pid, what);
	ssize_t n = readlinkat(AT_FDCWD, link, out, len - 1);
	if (n < 0 || (size_t)n >= len - 1)
		return -1;
	out[n] = '\0';
	return 0;
}

/* The absolute path (in the job's view) the exec names; NULL if unknown. */
static char *exec_path(const struct seccomp_notif *req, bool at)
{
	pid_t pid = (pid_t)req->pid;
	char *path = read_string(pid, req->data.args[at ? 1 : 0]);
	if (path == NULL || path[0] == '/')
		return path;
	int dirfd = at ? (int)req->data.args[0] : AT_FDCWD;
	bool empty = path[0] == '\0' && at && (req->data.args[4] & AT_EMPTY_PATH);
	char base[PATH_MAX], what[32];
	if (dirfd == AT_FDCWD)
		snprintf(what, sizeof(what), "cwd");
	else
		snprintf(what, sizeof(what), "fd/%d", dirfd);
	char *abs = malloc(2 * PATH_MAX + 2);
	if (abs == NULL || job_link(pid, what, base, sizeof(base)) < 0) {
		free(abs);
		free(path);
		return NULL;
	}
	if (empty)
		snprintf(abs, 2 * PATH_MAX + 2, "%s", base);
	else
		snprintf(abs, 2 * PATH_MAX + 2, "%s%s%s", base, strcmp(base, "/") ? "/" : "", path);
	free(path);
	return abs;
}

/* The regular file at path in a bind mount of the view, opened O_PATH
 * (nothing opened for real: not a FIFO, not a device); -1 when path is in
 * ROOT (spxfs records its exec), or not a regular file. */
static int open_bound(const struct job_view *v, const char *path)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC,
			       .resolve = RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH};
	for (int i = v->n - 1; i >= 0; i--) {
		size_t n = strlen(v->dst[i]);
		if (strncmp(path, v->dst[i], n) != 0 || path[n] != '/')
			continue;
		int dir = open(v->src[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0)
			return -1;
		int fd = (int)syscall(SYS_openat2, dir, path + n + 1, &how, sizeof(how));
		close(dir);
		struct stat st;
		if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
			close(fd);
			fd = -1;
		}
		return fd;
	}
	return -1;
}

void exec_audit_record(struct exec_audit *x, int notify_fd, const struct seccomp_notif *req,
		       const char *syscall, bool first, int answer, long long job_pid)
{
	char *path = exec_path(req, strcmp(syscall, "execveat") == 0);
	/* the notification still stands: what was read was the asker's */
	if (path != NULL && seccomp_notify_id_valid(notify_fd, req->id) != 0) {
		free(path);
		path = NULL;
	}
	json_t *rec = json_pack("{s:s, s:I, s:s, s:b, s:s}", "op", "exec", "pid", job_pid,
				"syscall", syscall, "first", first, "result",
				record_result(answer));
	if (rec != NULL && (path == NULL || record_set_path(rec, "path", path) < 0))
		json_object_set_new(rec, "path", json_null());
	int fd = rec != NULL && answer == 0 && !first && path != NULL ? open_bound(x->view, path)
									: -1;
	free(path);
	if (fd < 0) {
		append(x->log, rec);
		return;
	}
	pthread_mutex_lock(&x->lock);
	if (x->count < QUEUE) {
		x->q[(x->head + x->count) % QUEUE] = (struct item){rec, fd};
		x->count++;
		pthread_cond_signal(&x->more);
		rec = NULL;
	}
	pthread_mutex_unlock(&x->lock);
	if (rec != NULL) { /* the hasher is behind: recorded without a hash */
		close(fd);
		json_object_set_new(rec, "sha256", json_null());
		json_object_set_new(rec, "hash_stopped", json_string("too many execs at once"));
		append(x->log, rec);
	}
}
