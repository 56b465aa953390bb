#include "inode_table.h"
#include "resolve.h"

#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct spx_inode {
	dev_t dev;
	ino_t ino;
	mode_t type;
	int fd;		   /* O_PATH, or -1 when evicted */
	uint64_t nlookup;  /* the kernel's references */
	unsigned pins;	   /* in-flight users and open handles */
	unsigned children; /* inodes whose link names this one as parent */
	struct spx_inode *parent; /* last link seen; NULL: unknown, fd kept */
	char *name;
	struct spx_inode *hnext;
	struct spx_inode *lru_prev, *lru_next; /* listed iff evictable */
	bool on_lru;
	_Atomic uint64_t gen; /* content generation (inode_gen) */
	_Atomic uint64_t cache_stamp; /* inode_cache_still_valid; 0: none */
};

struct inode_table {
	pthread_mutex_t lock;
	struct spx_inode root;
	struct spx_inode **buckets;
	size_t nbuckets;
	size_t count;
	size_t nfds;
	size_t max_fds;
	struct spx_inode lru; /* sentinel: lru.lru_next is most recent */
	uint64_t evictions;
	uint64_t reopens;
};

static size_t bucket_of(const struct inode_table *t, dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev * 0xC2B2AE3D27D4EB4Full;
	return (size_t)(h >> 17) & (t->nbuckets - 1);
}

static void lru_remove(struct spx_inode *in)
{
	if (!in->on_lru)
		return;
	in->lru_prev->lru_next = in->lru_next;
	in->lru_next->lru_prev = in->lru_prev;
	in->on_lru = false;
}

static void lru_push_front(struct inode_table *t, struct spx_inode *in)
{
	in->lru_next = t->lru.lru_next;
	in->lru_prev = &t->lru;
	t->lru.lru_next->lru_prev = in;
	t->lru.lru_next = in;
	in->on_lru = true;
}

/* Only inodes that can be found again by name may lose their descriptor. */
static void lru_touch(struct inode_table *t, struct spx_inode *in)
{
	lru_remove(in);
	if (in->fd >= 0 && in->parent != NULL)
		lru_push_front(t, in);
}

static void close_fd_locked(struct inode_table *t, struct spx_inode *in)
{
	if (in->fd >= 0) {
		close(in->fd);
		in->fd = -1;
		t->nfds--;
	}
	lru_remove(in);
}

/* Closes least recently used, unpinned descriptors until one more fits. */
static void make_room_locked(struct inode_table *t)
{
	struct spx_inode *in = t->lru.lru_prev;
	while (t->nfds >= t->max_fds && in != &t->lru) {
		struct spx_inode *prev = in->lru_prev;
		if (in->pins == 0) {
			close_fd_locked(t, in);
			t->evictions++;
		}
		in = prev;
	}
}

static int grow_locked(struct inode_table *t)
{
	size_t n = t->nbuckets * 2;
	struct spx_inode **b = calloc(n, sizeof(struct spx_inode *));
	if (b == NULL)
		return -ENOMEM;
	struct spx_inode **old = t->buckets;
	size_t oldn = t->nbuckets;
	t->buckets = b;
	t->nbuckets = n;
	for (size_t i = 0; i < oldn; i++) {
		struct spx_inode *in = old[i];
		while (in != NULL) {
			struct spx_inode *next = in->hnext;
			size_t k = bucket_of(t, in->dev, in->ino);
			in->hnext = b[k];
			b[k] = in;
			in = next;
		}
	}
	free(old);
	return 0;
}

static struct spx_inode *find_locked(struct inode_table *t, dev_t dev, ino_t ino)
{
	if (t->root.dev == dev && t->root.ino == ino)
		return &t->root;
	for (struct spx_inode *in = t->buckets[bucket_of(t, dev, ino)]; in; in = in->hnext)
		if (in->dev == dev && in->ino == ino)
			return in;
	return NULL;
}

static void hash_remove_locked(struct inode_table *t, struct spx_inode *in)
{
	struct spx_inode **p = &t->buckets[bucket_of(t, in->dev, in->ino)];
	while (*p != in)
		p = &(*p)->hnext;
	*p = in->hnext;
	t->count--;
}

static void set_link_locked(struct inode_table *t, struct spx_inode *in, struct spx_inode *parent,
			    char *name)
{
	struct spx_inode *old = in->parent;
	free(in->name);
	in->name = name;
	in->parent = parent;
	if (parent != NULL)
		parent->children++;
	if (old != NULL)
		old->children--;
	lru_touch(t, in);
	/* The old parent may now be unreferenced; freeing is the caller's
	 * concern through release_locked(old). */
}

/* Frees the inode and, transitively, parents it alone kept alive. */
static void release_locked(struct inode_table *t, struct spx_inode *in)
{
	while (in != NULL && in != &t->root && in->nlookup == 0 && in->pins == 0 &&
	       in->children == 0) {
		struct spx_inode *parent = in->parent;
		hash_remove_locked(t, in);
		close_fd_locked(t, in);
		free(in->name);
		free(in);
		if (parent != NULL)
			parent->children--;
		in = parent;
	}
}

struct inode_table *inode_table_new(int root_fd, size_t max_fds)
{
	struct stat st;
	if (resolve_stat_fd(root_fd, &st) < 0)
		return NULL;
	struct inode_table *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->nbuckets = 1024;
	t->buckets = calloc(t->nbuckets, sizeof(struct spx_inode *));
	if (t->buckets == NULL || pthread_mutex_init(&t->lock, NULL) != 0) {
		free(t->buckets);
		free(t);
		return NULL;
	}
	t->max_fds = max_fds < 16 ? 16 : max_fds;
	t->lru.lru_next = t->lru.lru_prev = &t->lru;
	t->root.dev = st.st_dev;
	t->root.ino = st.st_ino;
	t->root.type = st.st_mode & S_IFMT;
	t->root.fd = root_fd;
	t->root.nlookup = 2;
	t->nfds = 1;
	return t;
}

void inode_table_free(struct inode_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct spx_inode *in = t->buckets[i];
		while (in != NULL) {
			struct spx_inode *next = in->hnext;
			if (in->fd >= 0)
				close(in->fd);
			free(in->name);
			free(in);
			in = next;
		}
	}
	close(t->root.fd);
	free(t->buckets);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

struct spx_inode *inode_table_root(struct inode_table *t)
{
	return &t->root;
}

mode_t inode_type(const struct spx_inode *in)
{
	return in->type;
}

uint64_t inode_table_nodeid(const struct inode_table *t, const struct spx_inode *in)
{
	return in == &t->root ? 1 : (uint64_t)(uintptr_t)in;
}

int inode_table_link_of(struct inode_table *t, struct spx_inode *in, uint64_t *parent_nodeid,
			char **name)
{
	pthread_mutex_lock(&t->lock);
	int r = -ENOENT;
	if (in->parent != NULL && in->name != NULL && (*name = strdup(in->name)) != NULL) {
		*parent_nodeid = inode_table_nodeid(t, in->parent);
		r = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

bool inode_cache_still_valid(struct spx_inode *in, uint64_t stamp)
{
	return stamp != 0 && atomic_exchange(&in->cache_stamp, stamp) == stamp;
}

uint64_t inode_gen(const struct spx_inode *in)
{
	return atomic_load(&in->gen);
}

uint64_t inode_changed(struct spx_inode *in)
{
	return atomic_fetch_add(&in->gen, 1) + 1;
}

static struct spx_inode *insert(struct inode_table *t, struct spx_inode *parent, const char *name,
				int fd, const struct stat *st, bool keep_name);

struct spx_inode *inode_table_insert(struct inode_table *t, struct spx_inode *parent,
				     const char *name, int fd, const struct stat *st)
{
	return insert(t, parent, name, fd, st, false);
}

struct spx_inode *inode_table_insert_link(struct inode_table *t, struct spx_inode *parent,
					  const char *name, int fd, const struct stat *st)
{
	return insert(t, parent, name, fd, st, true);
}

static struct spx_inode *insert(struct inode_table *t, struct spx_inode *parent, const char *name,
				int fd, const struct stat *st, bool keep_name)
{
	char *copy = strdup(name);
	if (copy == NULL) {
		close(fd);
		return NULL;
	}
	pthread_mutex_lock(&t->lock);
	struct spx_inode *in = find_locked(t, st->st_dev, st->st_ino);
	if (in == NULL) {
		if (t->count >= t->nbuckets && grow_locked(t) < 0)
			goto oom;
		in = calloc(1, sizeof(*in));
		if (in == NULL)
			goto oom;
		in->dev = st->st_dev;
		in->ino = st->st_ino;
		in->type = st->st_mode & S_IFMT;
		in->fd = -1;
		size_t k = bucket_of(t, in->dev, in->ino);
		in->hnext = t->buckets[k];
		t->buckets[k] = in;
		t->count++;
	}
	in->nlookup++;
	if (in == &t->root) {
		/* A hard link cannot name a directory, so only a host-side
		 * trick could get here; never give ROOT a parent. */
		free(copy);
		close(fd);
	} else {
		if (in->fd < 0) {
			make_room_locked(t);
			in->fd = fd;
			t->nfds++;
		} else {
			close(fd);
		}
		struct spx_inode *old_parent = in->parent;
		if (keep_name && old_parent != NULL) {
			free(copy);
		} else {
			set_link_locked(t, in, parent, copy);
			if (old_parent != NULL && old_parent != parent)
				release_locked(t, old_parent);
		}
	}
	pthread_mutex_unlock(&t->lock);
	return in;
oom:
	pthread_mutex_unlock(&t->lock);
	free(copy);
	close(fd);
	return NULL;
}

void inode_table_forget(struct inode_table *t, struct spx_inode *in, uint64_t n)
{
	pthread_mutex_lock(&t->lock);
	in->nlookup = n > in->nlookup ? 0 : in->nlookup - n;
	release_locked(t, in);
	pthread_mutex_unlock(&t->lock);
}

/* Re-resolves the evicted inode c beneath its parent's descriptor,
 * checking that the name still leads to the same (st_dev, st_ino). The
 * parent is pinned meanwhile, so that making room keeps its descriptor. */
static int reresolve_locked(struct inode_table *t, struct spx_inode *c)
{
	int pfd = c->parent->fd;
	c->parent->pins++;
	make_room_locked(t);
	struct stat st;
	int fd = resolve_child_stat(pfd, c->name, &st);
	c->parent->pins--;
	if (fd >= 0 && (st.st_dev != c->dev || st.st_ino != c->ino)) {
		close(fd);
		return -ESTALE;
	}
	if (fd == -ENOENT || fd == -ELOOP || fd == -EXDEV)
		return -ESTALE;
	if (fd >= 0) {
		c->fd = fd;
		t->nfds++;
		t->reopens++;
		lru_touch(t, c);
	}
	return fd;
}

/* Returns the descriptor of a pinned inode, re-resolving it through its
 * parents when it was evicted. The lock is held throughout: re-resolution
 * is rare (only past max_fds) and this keeps links from moving under us.
 * The walk is a loop over the evicted chain, not a recursion: a job can
 * make a tree as deep as it likes, the daemon's stack is fixed. */
static int fd_locked(struct inode_table *t, struct spx_inode *in)
{
	if (in->fd >= 0) {
		lru_touch(t, in);
		return in->fd;
	}
	/* chain[0] = in, then its evicted ancestors, up to (not including)
	 * the nearest ancestor that has a descriptor. None can go away: the
	 * lock is held and each has a child. Only the parent of the one being
	 * resolved is pinned (reresolve_locked), so that descriptors resolved
	 * on the way down can make room again, as before. */
	struct link {
		struct spx_inode *in;
	};
	size_t n = 0, cap = 16;
	struct link *chain = malloc(cap * sizeof(struct link));
	if (chain == NULL)
		return -ENOMEM;
	struct spx_inode *a = in;
	int r = 0;
	while (r == 0 && a->fd < 0) {
		if (a->parent == NULL) {
			r = -ESTALE;
			break;
		}
		if (n == cap) {
			struct link *more = realloc(chain, 2 * cap * sizeof(struct link));
			if (more == NULL) {
				r = -ENOMEM;
				break;
			}
			chain = more;
			cap *= 2;
		}
		chain[n++].in = a;
		a = a->parent;
	}
	int fd = r;
	if (r == 0) {
		lru_touch(t, a);
		fd = a->fd;
		for (size_t i = n; i-- > 0 && fd >= 0;)
			fd = reresolve_locked(t, chain[i].in);
	}
	free(chain);
	return fd;
}

char *inode_table_path(struct inode_table *t, struct spx_inode *dir, const char *name)
{
	enum { MAX_DEPTH = 2048 };
	const char **parts = malloc(MAX_DEPTH * sizeof(*parts));
	if (parts == NULL)
		return NULL;
	pthread_mutex_lock(&t->lock);
	size_t n = 0, len = 1;
	if (name != NULL) {
		parts[n++] = name;
		len += strlen(name) + 1;
	}
	struct spx_inode *in = dir;
	for (; in != &t->root && in->parent != NULL && n < MAX_DEPTH; in = in->parent) {
		parts[n++] = in->name;
		len += strlen(in->name) + 1;
	}
	bool known = in == &t->root;
	char *out = malloc(len + 2);
	if (out != NULL) {
		size_t at = 0;
		if (!known)
			out[at++] = '?';
		while (n > 0) {
			const char *p = parts[--n];
			out[at++] = '/';
			memcpy(out + at, p, strlen(p));
			at += strlen(p);
		}
		if (at == 0)
			out[at++] = '/';
		out[at] = '\0';
	}
	pthread_mutex_unlock(&t->lock);
	free(parts);
	return out;
}

void inode_table_shrink(struct inode_table *t)
{
	pthread_mutex_lock(&t->lock);
	size_t keep = t->max_fds;
	t->max_fds = t->nfds / 2 + 1;
	make_room_locked(t);
	t->max_fds = keep;
	pthread_mutex_unlock(&t->lock);
}

int inode_table_pin(struct inode_table *t, struct spx_inode *in)
{
	pthread_mutex_lock(&t->lock);
	in->pins++;
	int fd = fd_locked(t, in);
	if (fd < 0) {
		in->pins--;
		release_locked(t, in);
	}
	pthread_mutex_unlock(&t->lock);
	return fd;
}

void inode_table_unpin(struct inode_table *t, struct spx_inode *in)
{
	pthread_mutex_lock(&t->lock);
	in->pins--;
	release_locked(t, in);
	pthread_mutex_unlock(&t->lock);
}

struct spx_inode *inode_table_find_pin(struct inode_table *t, dev_t dev, ino_t ino)
{
	pthread_mutex_lock(&t->lock);
	struct spx_inode *in = find_locked(t, dev, ino);
	if (in != NULL && fd_locked(t, in) >= 0)
		in->pins++;
	else
		in = NULL;
	pthread_mutex_unlock(&t->lock);
	return in;
}

static bool link_is(const struct spx_inode *in, const struct spx_inode *parent, const char *name)
{
	return in->parent == parent && in->name != NULL && strcmp(in->name, name) == 0;
}

void inode_table_renamed(struct inode_table *t, struct spx_inode *in, struct spx_inode *parent,
			 const char *name, struct spx_inode *new_parent, const char *new_name)
{
	char *copy = strdup(new_name);
	pthread_mutex_lock(&t->lock);
	if (link_is(in, parent, name)) {
		if (copy != NULL) {
			set_link_locked(t, in, new_parent, copy);
			copy = NULL;
		} else {
			set_link_locked(t, in, NULL, NULL); /* keep the fd instead */
		}
		release_locked(t, parent);
	}
	pthread_mutex_unlock(&t->lock);
	free(copy);
}

void inode_table_unlinked(struct inode_table *t, struct spx_inode *in, struct spx_inode *parent,
			  const char *name)
{
	pthread_mutex_lock(&t->lock);
	if (link_is(in, parent, name)) {
		/* No name leads here any more (that we know of): the descriptor
		 * pinned by the caller is now the only way back, so keep it. */
		set_link_locked(t, in, NULL, NULL);
		release_locked(t, parent);
	}
	pthread_mutex_unlock(&t->lock);
}

void inode_table_get_stats(struct inode_table *t, struct inode_table_stats *out)
{
	pthread_mutex_lock(&t->lock);
	out->inodes = t->count;
	out->open_fds = t->nfds;
	out->max_fds = t->max_fds;
	out->evictions = t->evictions;
	out->reopens = t->reopens;
	pthread_mutex_unlock(&t->lock);
}
