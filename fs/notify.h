/*
 * notify: tells the kernel to forget a cached name, from a thread of its
 * own. libfuse forbids these notifications inside a request's handler
 * (the kernel may hold the very locks the invalidation needs), so a
 * handler queues them here and they go out just after its reply.
 *
 * Used by link: a file that gains a second name must be looked up again
 * at every path walk (spx_lookup_entry gives such files no entry cache),
 * so that an open is recorded under the link the job used; but the kernel
 * still caches the name the file had when it had one link.
 */
#ifndef SPX_NOTIFY_H
#define SPX_NOTIFY_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

struct notifier;

/* NULL when its thread cannot start (names then stay cached until their
 * timeout, as before). */
struct notifier *notifier_start(struct fuse_session *se);

/* Queues the invalidation of (parent, name); a full queue drops it. */
void notifier_inval_entry(struct notifier *n, fuse_ino_t parent, const char *name);

/* Makes the kernel fetch ino's attributes again, at once: unlike a name,
 * dropping attributes takes no lock a request may hold, so a handler may
 * call this before its reply. Nothing when n is NULL. */
void notifier_inval_attr(struct notifier *n, fuse_ino_t ino);

/* Ends the thread (what is still queued is dropped) and frees n. */
void notifier_stop(struct notifier *n);

#endif
