/* The table of handlers, the connection set-up and the serving loop. */
#include "open_fds.h"
#include "spxfs.h"
#include "notify.h"
#include "session_io.h"

#include <errno.h>
#include <linux/fuse.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

void spx_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* flock() is passed to the host; POSIX locks stay in the kernel,
	 * which keeps them consistent among everything using the mount. */
	if (conn->capable & FUSE_CAP_FLOCK_LOCKS)
		conn->want |= FUSE_CAP_FLOCK_LOCKS;
	conn->want &= ~(unsigned)FUSE_CAP_POSIX_LOCKS;
	/* Writeback caching would attribute writes to the flusher (pid 0)
	 * and reorder them: the audit log must see the job's own writes. */
	conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/* Lookups and readdirs of one directory run in parallel: the inode
	 * table is locked, a directory's handle is its opener's. libfuse
	 * 3.14 cannot ask for this or for FUSE_HANDLE_KILLPRIV_V2: its
	 * reply is amended on the way out (session_io.h). */
	uint32_t amend = FUSE_HANDLE_KILLPRIV_V2;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS) {
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
		amend |= FUSE_PARALLEL_DIROPS;
	}
	session_io_amend_init_reply(amend);
}

const struct fuse_lowlevel_ops spxfs_ops = {
	.init = spx_init,
	.lookup = spx_lookup,
	.forget = spx_forget,
	.forget_multi = spx_forget_multi,
	.getattr = spx_getattr,
	.setattr = spx_setattr,
	.readlink = spx_readlink,
	.access = spx_access,
	.statfs = spx_statfs,
	.mknod = spx_mknod,
	.mkdir = spx_mkdir,
	.symlink = spx_symlink,
	.link = spx_link,
	.unlink = spx_unlink,
	.rmdir = spx_rmdir,
	.rename = spx_rename,
	.open = spx_open,
	.create = spx_create,
	.read = spx_read,
	.write = spx_write,
	.flush = spx_flush,
	.release = spx_release,
	.fsync = spx_fsync,
	.fallocate = spx_fallocate,
	.lseek = spx_lseek,
	.copy_file_range = spx_copy_file_range,
	.flock = spx_flock,
	.opendir = spx_opendir,
	.readdir = spx_readdir,
	.readdirplus = spx_readdirplus,
	.releasedir = spx_releasedir,
	.fsyncdir = spx_fsyncdir,
	.setxattr = spx_setxattr,
	.getxattr = spx_getxattr,
	.listxattr = spx_listxattr,
	.removexattr = spx_removexattr,
};

/* Filesystems whose close() only drops a reference: no delayed write
 * error surfaces there (NFS, CIFS or a FUSE ROOT may report one). */
static bool close_cannot_fail(int root_fd)
{
	struct statfs sf;
	if (fstatfs(root_fd, &sf) < 0)
		return false;
	switch ((unsigned long)sf.f_type) {
	case EXT4_SUPER_MAGIC: /* also ext2 and ext3 */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case TMPFS_MAGIC:
		return true;
	default:
		return false;
	}
}

int spx_fs_caches_new(struct spx_fs *fs, int root_fd, size_t nofile)
{
	/* Half the descriptors cache inodes' O_PATH handles, the other half
	 * open files' descriptors, less a reserve for directories, the log
	 * and the descriptors a request holds for a moment. */
	size_t reserve = nofile / 4 < 64 ? nofile / 4 : 64;
	fs->max_dirs = nofile / 8 < 16 ? 16 : nofile / 8;
	fs->fds = open_fds_new(nofile - nofile / 2 - reserve);
	fs->close_cannot_fail = close_cannot_fail(root_fd);
	fs->table = fs->fds != NULL ? inode_table_new(root_fd, nofile / 2) : NULL;
	if (fs->table != NULL)
		return 0;
	open_fds_free(fs->fds);
	fs->fds = NULL;
	return -ENOMEM;
}

void spx_fs_caches_free(struct spx_fs *fs)
{
	inode_table_free(fs->table);
	open_fds_free(fs->fds);
	fs->table = NULL;
	fs->fds = NULL;
}

int spx_serve(struct fuse_session *se, struct spx_fs *fs)
{
	int r = session_io_install(se);
	if (r < 0)
		return r;
	struct fuse_loop_config *cfg = fuse_loop_cfg_create();
	if (cfg == NULL)
		return -ENOMEM;
	fuse_loop_cfg_set_max_threads(cfg, 16);
	fuse_loop_cfg_set_idle_threads(cfg, 16);
	fs->notifier = notifier_start(se);
	r = fuse_session_loop_mt(se, cfg);
	notifier_stop(fs->notifier); /* every worker has ended: none queues more */
	fs->notifier = NULL;
	fuse_loop_cfg_destroy(cfg);
	return r;
}
