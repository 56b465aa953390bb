/*
 * open_fds: the host descriptors of open files, as a bounded cache.
 *
 * A job of many processes may hold more files open than spxfs may hold
 * descriptors (its RLIMIT_NOFILE is one process's). So an open file keeps
 * its host descriptor only while it fits: past max_fds, the least recently
 * used idle ones are closed, and the next operation on that file reopens
 * it from its inode (inode_table_pin, then /proc/self/fd) with the flags
 * it was opened with, less O_CREAT, O_EXCL and O_TRUNC.
 *
 * Nothing changes below the limit. Past it, a reopen can fail where the
 * first descriptor would have gone on working: the host renamed or
 * removed the file underneath (ESTALE), or an unprivileged spxfs lost
 * permission to it (EACCES). A file holding a flock() is never closed
 * early: closing would drop the lock.
 *
 * Thread-safe: one mutex guards the cache; a descriptor in use by an
 * operation is never closed under it.
 */
#ifndef SPX_OPEN_FDS_H
#define SPX_OPEN_FDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spx_fs;
struct spx_inode;
struct open_fds;

/* One open file's descriptor; lives inside its open_file. */
struct open_fd {
	int fd;		       /* -1: closed to make room, reopened on use */
	int flags;	       /* what a reopen passes to open(2) */
	struct spx_inode *in;  /* the kernel keeps it while the file is open */
	unsigned users;	       /* operations in flight */
	bool locked;	       /* holds a flock() */
	struct open_fd *prev, *next; /* least recently used last, iff fd >= 0 */
	struct open_fd *all_prev, *all_next; /* every file entered, until removed */
};

struct open_fds *open_fds_new(size_t max_fds);
void open_fds_free(struct open_fds *c);

/* Enters f with its first descriptor fd (taken), opened with open_flags
 * on inode in; may close idle descriptors of other files to make room. */
void open_fds_add(struct open_fds *c, struct open_fd *f, int fd, int open_flags,
		  struct spx_inode *in);
/* Closes f's descriptor for good (release). */
void open_fds_remove(struct open_fds *c, struct open_fd *f);

/* f's descriptor for one operation, reopened if it was closed: >= 0, or
 * -errno. Every success is paired with open_fds_done(). */
int open_fds_use(struct spx_fs *fs, struct open_fd *f);
/* The same, but -1 instead of reopening a closed descriptor. */
int open_fds_use_open(struct open_fds *c, struct open_fd *f);
void open_fds_done(struct open_fds *c, struct open_fd *f);

/* f (in use) now holds a flock(), or no longer does. */
void open_fds_set_locked(struct open_fds *c, struct open_fd *f, bool locked);

/* One of the files still entered, or NULL. Once the session has ended
 * (no request in flight), these are the files whose release never came. */
struct open_fd *open_fds_any(struct open_fds *c);
/* How many files are entered. */
size_t open_fds_entered(struct open_fds *c);

/* Closes half of the idle descriptors (after EMFILE elsewhere). */
void open_fds_shrink(struct open_fds *c);

struct open_fds_stats {
	size_t open_fds; /* descriptors held now */
	size_t max_fds;
	uint64_t closed; /* closed early to make room */
	uint64_t reopens;
};
void open_fds_get_stats(struct open_fds *c, struct open_fds_stats *out);

#endif
