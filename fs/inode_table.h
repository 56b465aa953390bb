/*
 * inode_table: the inodes the kernel knows about, keyed by (st_dev, st_ino).
 *
 * Each inode remembers the last link it was reached through (parent inode +
 * name) and may hold an O_PATH descriptor. Descriptors are a bounded cache:
 * when more than max_fds are open, the least recently used unpinned ones are
 * closed, and a later inode_table_pin() re-resolves them from the parent's
 * descriptor with openat2(RESOLVE_BENEATH|RESOLVE_NO_XDEV|...), checking
 * that (st_dev, st_ino) still match. A name that now leads elsewhere gives
 * -ESTALE; it never leads outside ROOT.
 *
 * Inodes whose link is unknown (the root, an unlinked but open file) keep
 * their descriptor for as long as they live.
 *
 * Thread-safe: one mutex guards the whole table.
 */
#ifndef SPX_INODE_TABLE_H
#define SPX_INODE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct inode_table;
struct spx_inode;

/* Takes ownership of root_fd (an O_PATH descriptor of ROOT). */
struct inode_table *inode_table_new(int root_fd, size_t max_fds);
void inode_table_free(struct inode_table *t);

struct spx_inode *inode_table_root(struct inode_table *t);

/*
 * Records that the kernel learned of the object `fd` refers to (fstat'ed
 * into *st) as `name` in `parent`: finds or creates its inode, adds one
 * lookup reference and takes ownership of fd (closing it when the inode
 * already has one). Returns NULL only when out of memory (fd is closed).
 */
struct spx_inode *inode_table_insert(struct inode_table *t, struct spx_inode *parent,
				     const char *name, int fd, const struct stat *st);
/* The same for a new hard link to a file the table may know: a known
 * file keeps the name it was looked up by, which is the one the kernel
 * may still have cached and open it through. */
struct spx_inode *inode_table_insert_link(struct inode_table *t, struct spx_inode *parent,
					  const char *name, int fd, const struct stat *st);

/* Drops n lookup references (FUSE forget). */
void inode_table_forget(struct inode_table *t, struct spx_inode *in, uint64_t n);

/*
 * Pins the inode (its descriptor cannot be closed while pinned) and returns
 * that descriptor, re-resolving it if it was evicted: >= 0, or -errno.
 * Every successful pin is paired with inode_table_unpin().
 */
int inode_table_pin(struct inode_table *t, struct spx_inode *in);
void inode_table_unpin(struct inode_table *t, struct spx_inode *in);

/* Finds and pins the inode of (dev, ino), if the table has it. */
struct spx_inode *inode_table_find_pin(struct inode_table *t, dev_t dev, ino_t ino);

/* The link (parent, name) was renamed to (new_parent, new_name). */
void inode_table_renamed(struct inode_table *t, struct spx_inode *in, struct spx_inode *parent,
			 const char *name, struct spx_inode *new_parent, const char *new_name);

/* The link (parent, name) of a pinned inode was removed. */
void inode_table_unlinked(struct inode_table *t, struct spx_inode *in, struct spx_inode *parent,
			  const char *name);

/*
 * The path of `name` in `dir` as the mount shows it ("/a/b/name"), from the
 * links the table knows; name may be NULL for dir itself. A directory whose
 * link is unknown (removed) starts the path with "?". malloc'ed, or NULL.
 */
char *inode_table_path(struct inode_table *t, struct spx_inode *dir, const char *name);

/* The nodeid the kernel knows in by: 1 (FUSE_ROOT_ID) for ROOT, the
 * inode's address for the rest. */
uint64_t inode_table_nodeid(const struct inode_table *t, const struct spx_inode *in);

/* The kernel's node id of in's parent and a malloc'ed copy of in's name,
 * by the last link seen: 0, or -ENOENT when none is known. */
int inode_table_link_of(struct inode_table *t, struct spx_inode *in, uint64_t *parent_nodeid,
			char **name);

/* Closes half of the evictable descriptors (after EMFILE elsewhere). */
void inode_table_shrink(struct inode_table *t);

mode_t inode_type(const struct spx_inode *in);

/* A file's content generation: every change to its data made through the
 * mount (a write, a truncate, fallocate, copy_file_range into it, an
 * O_TRUNC open), by any descriptor, moves it on. An open file tells from
 * it whether the data it accounted for is still the whole story. */
uint64_t inode_gen(const struct spx_inode *in);
/* Records a change to in's data; returns the new generation. */
uint64_t inode_changed(struct spx_inode *in);

/* Whether the kernel may keep what it cached of in's pages from an
 * earlier open: the host file's state now (stamp: its size, mtime and
 * ctime) is the one the last open saw. Records stamp for the next. */
bool inode_cache_still_valid(struct spx_inode *in, uint64_t stamp);

struct inode_table_stats {
	size_t inodes;
	size_t open_fds;
	size_t max_fds;
	uint64_t evictions;
	uint64_t reopens;
};
void inode_table_get_stats(struct inode_table *t, struct inode_table_stats *out);

#endif
