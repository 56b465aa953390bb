#include "notify.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE 256

struct entry {
	fuse_ino_t parent;
	char *name;
};

struct notifier {
	struct fuse_session *se;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct entry q[QUEUE];
	int head, count;
	bool stopping;
	pthread_t thread;
};

static void *run(void *arg)
{
	struct notifier *n = arg;
	pthread_mutex_lock(&n->lock);
	for (;;) {
		while (n->count == 0 && !n->stopping)
			pthread_cond_wait(&n->more, &n->lock);
		if (n->stopping)
			break;
		struct entry e = n->q[n->head];
		n->head = (n->head + 1) % QUEUE;
		n->count--;
		pthread_mutex_unlock(&n->lock);
		/* -ENOENT: the kernel no longer knows the parent; fine */
		(void)fuse_lowlevel_notify_inval_entry(n->se, e.parent, e.name, strlen(e.name));
		free(e.name);
		pthread_mutex_lock(&n->lock);
	}
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

void notifier_inval_attr(struct notifier *n, fuse_ino_t ino)
{
	/* -ENOENT: the kernel no longer knows the inode; fine */
	if (n != NULL)
		(void)fuse_lowlevel_notify_inval_inode(n->se, ino, -1, 0);
}

struct notifier *notifier_start(struct fuse_session *se)
{
	struct notifier *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->se = se;
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->more, NULL);
	if (pthread_create(&n->thread, NULL, run, n) != 0) {
		pthread_mutex_destroy(&n->lock);
		pthread_cond_destroy(&n->more);
		free(n);
		return NULL;
	}
	return n;
}

void notifier_inval_entry(struct notifier *n, fuse_ino_t parent, const char *name)
{
	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	struct entry *e = &n->q[(n->head + n->count) % QUEUE];
	if (n->count < QUEUE && !n->stopping && (e->name = strdup(name)) != NULL) {
		e->parent = parent;
		n->count++;
		pthread_cond_signal(&n->more);
	}
	pthread_mutex_unlock(&n->lock);
}

void notifier_stop(struct notifier *n)
{
	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	n->stopping = true;
	pthread_cond_signal(&n->more);
	pthread_mutex_unlock(&n->lock);
	pthread_join(n->thread, NULL);
	for (int i = 0; i < n->count; i++)
		free(n->q[(n->head + i) % QUEUE].name);
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->more);
	free(n);
}
