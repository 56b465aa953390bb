/*
 * spxfs: the state shared by every request handler, and the handlers.
 *
 * A request reaches the host like this: the kernel's FUSE request arrives
 * in one of the ops_*.c handlers below; the handler pins the inodes it
 * names (inode_table.c) to get their O_PATH descriptors, resolves at most
 * one name beneath them (resolve.c) and makes one descriptor-relative host
 * call. No path string built from ROOT is ever used.
 */
#ifndef SPX_SPXFS_H
#define SPX_SPXFS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <stdbool.h>

#include "chain.h"
#include "id_view.h"
#include "inode_table.h"

struct audit_writer;
struct notifier;
struct open_fds;

struct spx_fs {
	struct inode_table *table;
	struct open_fds *fds; /* open files' host descriptors (open_fds.h) */
	int proc_self_fd;  /* O_PATH of /proc/self/fd: reopens an O_PATH fd */
	bool read_only;
	bool can_chown;	   /* root: objects are made as their creator (as_caller.h) */
	double timeout;	   /* entry and attribute cache lifetime, seconds */
	struct audit_writer *log; /* NULL: no auditing */
	bool audit_all;	   /* also lookups, getattr, access, statfs, xattr reads */
	/* --max-bytes: a write quota, in bytes written or allocated through
	 * the mount (0: none); EDQUOT once it would be passed. */
	uint64_t quota_bytes;
	_Atomic uint64_t quota_used;
	/* CLOCK_MONOTONIC nanoseconds after which a close stops hashing a
	 * file (its record says so); 0: none. spxbox sets it once the job has
	 * ended, so that no worker keeps the end of a job waiting. */
	_Atomic int64_t hash_deadline_ns;
	/* Open directories each hold a descriptor and a 32 KiB DIR buffer:
	 * at most max_dirs at once (EMFILE past it), so a job cannot grow the
	 * daemon's memory or starve its descriptors by opening directories. */
	size_t max_dirs;
	_Atomic size_t open_dirs;
	/* spxbox: a directory outside ROOT whose empty subdirectories stand in
	 * at the top of the mount for names ROOT lacks (proc, dev, usr...),
	 * so the sandbox can mount over them without creating them in ROOT.
	 * -1: none. */
	int placeholders_fd;
	/* the owners the job sees and makes (id_view.h); all false: host ids */
	struct spx_id_view ids;
	/* names to make the kernel look up again (notify.h); NULL: none */
	struct notifier *notifier;
	/* --undo-dir: pre-images of what the job changes (undo.h); NULL: none */
	struct undo_store *undo;
	/* ROOT's filesystem never reports an error at close (ext4, XFS,
	 * btrfs, tmpfs): FLUSH is refused once, and the kernel stops sending
	 * it, one round trip less per close(). */
	bool close_cannot_fail;
};

extern const struct fuse_lowlevel_ops spxfs_ops;

/* Sets up fs->table (taking root_fd, an O_PATH descriptor of ROOT) and
 * fs->fds for a process allowed nofile descriptors, and notes from
 * ROOT's filesystem whether a close can fail there: 0, or -ENOMEM with
 * root_fd still the caller's. */
int spx_fs_caches_new(struct spx_fs *fs, int root_fd, size_t nofile);
void spx_fs_caches_free(struct spx_fs *fs);

/* Serves se (whose userdata is fs) with libfuse's worker threads (up to
 * 16, 4 kept idle) and fs's notifier until it ends: 0 or the signal number
 * that ended it, -errno on failure. */
int spx_serve(struct fuse_session *se, struct spx_fs *fs);

static inline struct spx_fs *spx_fs_of(fuse_req_t req)
{
	return (struct spx_fs *)fuse_req_userdata(req);
}

static inline struct spx_inode *spx_inode_of(fuse_req_t req, fuse_ino_t ino)
{
	if (ino == FUSE_ROOT_ID)
		return inode_table_root(spx_fs_of(req)->table);
	return (struct spx_inode *)(uintptr_t)ino;
}

/* Helpers shared by the handlers (ops_common.c). */

/* Charges n bytes to the write quota: 0, or EDQUOT (nothing charged). */
int spx_quota_charge(struct spx_fs *fs, uint64_t n);

/* Pins `ino` and returns its descriptor or -errno. */
int spx_pin(fuse_req_t req, fuse_ino_t ino, struct spx_inode **in);
void spx_unpin(fuse_req_t req, struct spx_inode *in);

/* Looks up `name` in the pinned directory `parent` (descriptor pfd) and
 * fills *e, adding the kernel's reference. 0 or -errno. */
int spx_lookup_entry(fuse_req_t req, struct spx_inode *parent, int pfd, const char *name,
		     struct fuse_entry_param *e);
/* The same for the name a hard link just made: the file keeps the name
 * it was known by (inode_table_insert_link). */
int spx_link_entry(fuse_req_t req, struct spx_inode *parent, int pfd, const char *name,
		   struct fuse_entry_param *e);
/* The entry for fd (an O_PATH descriptor, taken; e->attr filled from it),
 * known to the table as parent/name: 0 or -ENOMEM. */
int spx_entry_of(struct spx_fs *fs, struct spx_inode *parent, const char *name, int fd,
		 struct fuse_entry_param *e);

/* Reopens an O_PATH descriptor with open(2) flags through /proc/self/fd. */
int spx_reopen(struct spx_fs *fs, int fd, int flags);

/* SHA-256 (hex) of the whole content of the file fd holds, read through a
 * descriptor of its own, giving up at fs->hash_deadline_ns: 0, -ETIMEDOUT,
 * or another -errno. */
int spx_hash_content(struct spx_fs *fs, int fd, char hex[CHAIN_HEX_LEN]);

/* When r is -EMFILE or -ENFILE, frees cached descriptors and returns true:
 * the caller then tries once more. */
bool spx_out_of_fds(struct spx_fs *fs, int r);

/* Formats the /proc/self/fd entry name of fd into buf. */
void spx_fd_name(int fd, char buf[16]);

/* "/proc/self/fd/N" for fd: xattr calls take a path, and this one names
 * the object fd holds. */
void spx_proc_path(int fd, char buf[40]);

/* Mode bits spxfs lets reach ROOT: no setuid, no setgid on non-directories. */
mode_t spx_safe_mode(mode_t mode);

/* Before a write, truncate, fallocate or copy into the file open as fd
 * (writable, not O_PATH): clears its setuid bit, and setgid where group
 * execution is allowed, recorded as a chmod. The kernel leaves this to
 * spxfs (session_io.h). 0 or an errno the operation fails with. */
int spx_kill_privs(fuse_req_t req, struct spx_inode *in, int fd);

/* Error reply with the errno of a negative result. */
static inline void spx_reply_err(fuse_req_t req, int neg_errno)
{
	fuse_reply_err(req, -neg_errno);
}

/* Handlers, grouped by file. */
void spx_init(void *userdata, struct fuse_conn_info *conn);
void spx_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void spx_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void spx_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void spx_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void spx_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid,
		 struct fuse_file_info *fi);
void spx_readlink(fuse_req_t req, fuse_ino_t ino);
void spx_access(fuse_req_t req, fuse_ino_t ino, int mask);
void spx_statfs(fuse_req_t req, fuse_ino_t ino);

void spx_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev);
void spx_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void spx_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name);
void spx_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void spx_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void spx_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void spx_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		const char *newname, unsigned int flags);

void spx_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void spx_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		struct fuse_file_info *fi);
void spx_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void spx_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
	       struct fuse_file_info *fi);
void spx_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void spx_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void spx_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void spx_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
		   struct fuse_file_info *fi);
void spx_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi);
void spx_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			 struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
			 struct fuse_file_info *fi_out, size_t len, int flags);
void spx_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op);

void spx_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void spx_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi);
void spx_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi);
void spx_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
/* Once the session has ended: closes (and records, marked "unreleased")
 * the directories whose release the kernel dropped at the unmount. The
 * number closed. */
size_t spx_dirs_close_unreleased(struct spx_fs *fs);
void spx_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);

void spx_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		  size_t size, int flags);
void spx_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void spx_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void spx_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

#endif
