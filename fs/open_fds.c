#include "open_fds.h"
#include "spxfs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct open_fds {
	pthread_mutex_t lock;
	struct open_fd lru; /* sentinel: lru.next is the most recent */
	struct open_fd all; /* sentinel of every file entered */
	size_t nall;
	size_t nfds;
	size_t max_fds;
	uint64_t closed;
	uint64_t reopens;
};

struct open_fds *open_fds_new(size_t max_fds)
{
	struct open_fds *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	c->lru.prev = c->lru.next = &c->lru;
	c->all.all_prev = c->all.all_next = &c->all;
	c->max_fds = max_fds < 4 ? 4 : max_fds;
	return c;
}

void open_fds_free(struct open_fds *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void unlink_locked(struct open_fd *f)
{
	f->prev->next = f->next;
	f->next->prev = f->prev;
	f->prev = f->next = NULL;
}

static void push_front_locked(struct open_fds *c, struct open_fd *f)
{
	f->next = c->lru.next;
	f->prev = &c->lru;
	c->lru.next->prev = f;
	c->lru.next = f;
}

/* Closes idle descriptors, least recently used first, until nfds <= keep. */
static void trim_locked(struct open_fds *c, size_t keep)
{
	struct open_fd *f = c->lru.prev;
	while (c->nfds > keep && f != &c->lru) {
		struct open_fd *prev = f->prev;
		if (f->users == 0 && !f->locked) {
			unlink_locked(f);
			(void)close(f->fd); /* idle: nothing of the job's is pending on it */
			f->fd = -1;
			c->nfds--;
			c->closed++;
		}
		f = prev;
	}
}

/* Files opened with O_TRUNC or O_CREAT must not be truncated or created
 * again by a reopen. */
static int reopen_flags(int open_flags)
{
	return open_flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
}

static void install_locked(struct open_fds *c, struct open_fd *f, int fd)
{
	if (c->nfds >= c->max_fds)
		trim_locked(c, c->max_fds - 1);
	f->fd = fd;
	push_front_locked(c, f);
	c->nfds++;
}

void open_fds_add(struct open_fds *c, struct open_fd *f, int fd, int open_flags,
		  struct spx_inode *in)
{
	*f = (struct open_fd){.fd = -1, .flags = reopen_flags(open_flags), .in = in};
	pthread_mutex_lock(&c->lock);
	f->all_next = c->all.all_next;
	f->all_prev = &c->all;
	c->all.all_next->all_prev = f;
	c->all.all_next = f;
	c->nall++;
	install_locked(c, f, fd);
	pthread_mutex_unlock(&c->lock);
}

size_t open_fds_entered(struct open_fds *c)
{
	pthread_mutex_lock(&c->lock);
	size_t n = c->nall;
	pthread_mutex_unlock(&c->lock);
	return n;
}

struct open_fd *open_fds_any(struct open_fds *c)
{
	pthread_mutex_lock(&c->lock);
	struct open_fd *f = c->all.all_next == &c->all ? NULL : c->all.all_next;
	pthread_mutex_unlock(&c->lock);
	return f;
}

void open_fds_remove(struct open_fds *c, struct open_fd *f)
{
	pthread_mutex_lock(&c->lock);
	f->all_prev->all_next = f->all_next;
	f->all_next->all_prev = f->all_prev;
	f->all_prev = f->all_next = f;
	c->nall--;
	if (f->fd >= 0) {
		unlink_locked(f);
		(void)close(f->fd); /* release: the kernel has nobody to tell */
		f->fd = -1;
		c->nfds--;
	}
	pthread_mutex_unlock(&c->lock);
}

static int take_locked(struct open_fds *c, struct open_fd *f)
{
	f->users++;
	unlink_locked(f);
	push_front_locked(c, f);
	return f->fd;
}

int open_fds_use_open(struct open_fds *c, struct open_fd *f)
{
	pthread_mutex_lock(&c->lock);
	int fd = f->fd >= 0 ? take_locked(c, f) : -1;
	pthread_mutex_unlock(&c->lock);
	return fd;
}

static int reopen(struct spx_fs *fs, struct open_fd *f)
{
	int pfd = inode_table_pin(fs->table, f->in);
	if (pfd < 0)
		return pfd;
	int fd = spx_reopen(fs, pfd, f->flags);
	inode_table_unpin(fs->table, f->in);
	return fd;
}

int open_fds_use(struct spx_fs *fs, struct open_fd *f)
{
	struct open_fds *c = fs->fds;
	int fd = open_fds_use_open(c, f);
	if (fd >= 0)
		return fd;
	int nfd = reopen(fs, f);
	if (nfd < 0)
		return nfd;
	pthread_mutex_lock(&c->lock);
	if (f->fd >= 0) { /* another operation reopened it first */
		fd = take_locked(c, f);
		pthread_mutex_unlock(&c->lock);
		(void)close(nfd);
		return fd;
	}
	c->reopens++;
	install_locked(c, f, nfd);
	f->users++;
	pthread_mutex_unlock(&c->lock);
	return nfd;
}

void open_fds_done(struct open_fds *c, struct open_fd *f)
{
	pthread_mutex_lock(&c->lock);
	f->users--;
	pthread_mutex_unlock(&c->lock);
}

void open_fds_set_locked(struct open_fds *c, struct open_fd *f, bool locked)
{
	pthread_mutex_lock(&c->lock);
	f->locked = locked;
	pthread_mutex_unlock(&c->lock);
}

void open_fds_shrink(struct open_fds *c)
{
	pthread_mutex_lock(&c->lock);
	trim_locked(c, c->nfds / 2);
	pthread_mutex_unlock(&c->lock);
}

void open_fds_get_stats(struct open_fds *c, struct open_fds_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = (struct open_fds_stats){
		.open_fds = c->nfds,
		.max_fds = c->max_fds,
		.closed = c->closed,
		.reopens = c->reopens,
	};
	pthread_mutex_unlock(&c->lock);
}
