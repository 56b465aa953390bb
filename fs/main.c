/* spxfs: serve one host directory, and nothing outside it, over FUSE. */
#include "daemon_filter.h"
#include "mount_fd.h"
#include "open_file.h"
#include "options.h"
#include "self_confine.h"
#include "undo.h"
#include "spx_config.h"
#include "spxfs.h"
#include "startup.h"
#include "unmounter.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static int die(int code, const char *what)
{
	fprintf(stderr, "spxfs: %s\n", what);
	return code;
}

/* spxfs's own mount options and the user's -o, comma separated. */
static bool mount_options(const struct spxfs_options *opts, char *out, size_t len)
{
	int n = snprintf(out, len, "default_permissions,fsname=spxfs,subtype=spxfs%s%s%s",
			 opts->read_only ? ",ro" : "", opts->fuse_opts[0] ? "," : "",
			 opts->fuse_opts);
	return n > 0 && (size_t)n < len;
}

static struct fuse_session *new_session(const struct spxfs_options *opts, struct spx_fs *fs)
{
	char mount_opts[1200];
	if (!mount_options(opts, mount_opts, sizeof(mount_opts)))
		return NULL;
	char *argv[] = {"spxfs", "-o", mount_opts, opts->debug ? "-d" : NULL, NULL};
	struct fuse_args args = FUSE_ARGS_INIT(opts->debug ? 4 : 3, argv);
	struct fuse_session *se = fuse_session_new(&args, &spxfs_ops, sizeof(spxfs_ops), fs);
	fuse_opt_free_args(&args); /* libfuse may have copied them */
	return se;
}

/* Mounts se on MOUNTPOINT. Root mounts by descriptor (mount_fd.h) and
 * returns the new mount's root; unprivileged, fusermount3 mounts the path
 * under its own rules: -2 then. -1 with a reason in err on failure. */
static int mount_spxfs(struct fuse_session *se, const struct spxfs_options *opts, int mnt_fd,
		 const char *mnt, char *err, size_t errlen)
{
	if (geteuid() != 0) {
		if (fuse_session_mount(se, mnt) == 0)
			return -2;
		snprintf(err, errlen, "cannot mount at '%s' (see the line above)", opts->mountpoint);
		return -1;
	}
	char mount_opts[1200];
	mount_options(opts, mount_opts, sizeof(mount_opts));
	int fuse_fd;
	char why[300];
	int root = mount_fd_fuse(mnt_fd, mount_opts, &fuse_fd, why, sizeof(why));
	if (root < 0) {
		snprintf(err, errlen, "cannot mount at '%s': %s", opts->mountpoint, why);
		return -1;
	}
	/* libfuse takes "/dev/fd/N" as a /dev/fuse already mounted */
	char dev[32];
	snprintf(dev, sizeof(dev), "/dev/fd/%d", fuse_fd);
	if (fuse_session_mount(se, dev) != 0) {
		unmounter_detach(root);
		close(root);
		close(fuse_fd);
		snprintf(err, errlen, "cannot serve the mount at '%s'", opts->mountpoint);
		return -1;
	}
	return root;
}

/* Creates the audit log with its header; NULL and a message on failure. */
static struct audit_writer *open_log(const struct spxfs_options *opts, char *err, size_t errlen,
				     int *status)
{
	char root[PATH_MAX], mnt[PATH_MAX];
	*status = EXIT_RUNTIME;
	if (realpath(opts->root, root) == NULL || realpath(opts->mountpoint, mnt) == NULL) {
		snprintf(err, errlen, "cannot resolve ROOT or MOUNTPOINT: %s", strerror(errno));
		return NULL;
	}
	static const char *const sync_names[] = {"none", "batch", "strict"};
	json_t *header = json_pack(
		"{s:s, s:s, s:s, s:{s:b, s:s, s:s, s:s, s:f}}", "program", "spxfs " SPX_VERSION,
		"root", root, "mountpoint", mnt, "options", "read_only", opts->read_only, "sync",
		sync_names[opts->audit_sync], "level", opts->audit_all ? "all" : "ops", "fuse",
		opts->fuse_opts, "cache_timeout", opts->cache_timeout);
	undo_header_options(json_object_get(header, "options"), opts->undo_dir, opts->undo_max,
			    opts->undo_continue);
	bool bad_key;
	struct audit_writer *w = audit_log_create(opts->audit_log, (enum audit_sync)opts->audit_sync,
						  opts->audit_key, header, err, errlen, &bad_key);
	json_decref(header);
	if (bad_key)
		*status = EXIT_USAGE;
	return w;
}

/* Once mounted, spxfs gives up all it no longer needs (self_confine.h):
 * what is left can serve ROOT and append to the open audit log. The
 * unmounter is forked first: it keeps the one power to unmount. */
static int confine(struct spx_fs *fs, int root_fd, bool read_only)
{
	struct landlock_grant grants[2] = {
		{.fd = root_fd, .access = read_only ? landlock_dir_ro() : landlock_dir_rw()}};
	size_t n = 1;
	if (fs->undo != NULL)
		grants[n++] = (struct landlock_grant){undo_store_fd(fs->undo), landlock_dir_rw()};
	/* /proc/self must be resolved by the process that serves, which is
	 * the daemonized child; and before Landlock, which would refuse it. */
	fs->proc_self_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->proc_self_fd < 0)
		return die(EXIT_RUNTIME, "cannot open /proc/self/fd: is /proc mounted?");
	char err[300];
	if (self_confine("spxfs", grants, n, false, err, sizeof(err)) < 0) {
		char line[340];
		snprintf(line, sizeof(line), "cannot confine itself: %s", err);
		return die(EXIT_RUNTIME, line);
	}
	return 0;
}

static int serve(struct fuse_session *se, struct spx_fs *fs)
{
	int r = spx_serve(se, fs);
	if (r == -ENOMEM)
		return die(EXIT_RUNTIME, "out of memory");
	/* After SIGTERM/SIGINT/SIGHUP libfuse returns the signal number:
	 * that is a requested, clean end. */
	return r >= 0 ? 0 : die(EXIT_RUNTIME, "the FUSE session ended with an error");
}

int main(int argc, char **argv)
{
	struct spxfs_options opts;
	switch (options_parse(&opts, argc, argv)) {
	case OPTIONS_HELP:
		fputs(options_usage(), stdout);
		return 0;
	case OPTIONS_VERSION:
		printf("spxfs %s (FUSE %s)\n", SPX_VERSION, fuse_pkgversion());
		return 0;
	case OPTIONS_LIST_SYSCALLS:
		daemon_filter_print();
		return 0;
	case OPTIONS_ERROR:
		fprintf(stderr, "spxfs: %s (try 'spxfs --help')\n", opts.error);
		return EXIT_USAGE;
	default:
		break;
	}

	char err[PATH_MAX + 256];
	int mnt_fd = -1;
	int root_fd = startup_open_root(opts.root, opts.mountpoint, &mnt_fd, err, sizeof(err));
	if (root_fd < 0)
		return die(root_fd == -2 ? EXIT_USAGE : EXIT_RUNTIME, err);
	char mnt[PATH_MAX]; /* absolute: daemonizing leaves the cwd */
	if (startup_fd_path(mnt_fd, mnt, sizeof(mnt)) < 0) {
		close(mnt_fd);
		close(root_fd);
		return die(EXIT_RUNTIME, "cannot resolve MOUNTPOINT");
	}

	size_t nofile = startup_raise_nofile();
	struct spx_fs fs = {
		.read_only = opts.read_only,
		.can_chown = geteuid() == 0,
		.timeout = opts.cache_timeout,
		.proc_self_fd = -1,
		.placeholders_fd = -1,
		.quota_bytes = (uint64_t)opts.max_bytes,
	};
	if (opts.undo_dir != NULL) {
		/* before the log, whose header names it; out of the job's reach */
		if (startup_reaches(opts.root, opts.undo_dir) ||
		    startup_reaches(opts.mountpoint, opts.undo_dir)) {
			close(root_fd);
			return die(EXIT_USAGE, "--undo-dir is inside ROOT or MOUNTPOINT, where the "
					       "job could rewrite it");
		}
		fs.undo = undo_store_open(opts.undo_dir, (uint64_t)opts.undo_max,
					  opts.undo_continue, err, sizeof(err));
		if (fs.undo == NULL) {
			close(root_fd);
			return die(EXIT_USAGE, err);
		}
	}
	if (opts.audit_log != NULL) {
		int r = startup_check_log(opts.audit_log, opts.root, opts.mountpoint, err,
					  sizeof(err));
		int code = r == -2 ? EXIT_USAGE : EXIT_RUNTIME;
		if (r == 0 && (fs.log = open_log(&opts, err, sizeof(err), &code)) == NULL)
			r = -1;
		if (r < 0) {
			close(root_fd);
			undo_store_free(fs.undo);
			return die(code, err);
		}
		fs.audit_all = opts.audit_all;
	}
	if (spx_fs_caches_new(&fs, root_fd, nofile) < 0)
		return die(EXIT_RUNTIME, "cannot set up the inode table");

	int status = EXIT_RUNTIME, mount_root = -1;
	struct fuse_session *se = new_session(&opts, &fs);
	if (se == NULL) {
		status = die(EXIT_USAGE, "invalid -o mount options (see the line above)");
		goto out_table;
	}
	if (fuse_set_signal_handlers(se) != 0) {
		die(EXIT_RUNTIME, "cannot install signal handlers");
		goto out_session;
	}
	mount_root = mount_spxfs(se, &opts, mnt_fd, mnt, err, sizeof(err));
	close(mnt_fd);
	if (mount_root == -1) {
		die(EXIT_RUNTIME, err);
		goto out_signals;
	}
	struct unmounter um;
	if (fuse_daemonize(opts.foreground) != 0) {
		die(EXIT_RUNTIME, "cannot daemonize");
		goto out_unmount;
	}
	uint64_t mount_id = 0;
	int r = mount_root >= 0 ? unmounter_mount_id(mount_root, &mount_id) : 0;
	if (r == 0)
		r = unmounter_start(&um, mnt, fuse_session_fd(se), mount_id);
	if (r < 0) {
		snprintf(err, sizeof(err), "cannot start the unmounter: %s", strerror(-r));
		die(EXIT_RUNTIME, err);
		goto out_unmount;
	}
	if (mount_root >= 0) { /* held open, the mount would be busy for fusermount3 -u */
		close(mount_root);
		mount_root = -2;
	}
	/* The kernel has applied the caller's umask to every mode it sends:
	 * spxfs's own must not take more bits away (0620 became 0600). */
	(void)umask(0);
	if (confine(&fs, root_fd, opts.read_only) != 0)
		goto out_unmounter;
	if (fs.log != NULL && audit_writer_start(fs.log) != 0) {
		die(EXIT_RUNTIME, "cannot start the audit log's sync thread");
		goto out_unmounter;
	}
	status = serve(se, &fs);
	/* Every worker has ended: the files whose release never came. */
	(void)open_file_close_unreleased(&fs);
	(void)spx_dirs_close_unreleased(&fs);
out_unmounter:
	if (unmounter_finish(&um) < 0) {
		snprintf(err, sizeof(err), "could not unmount; run: fusermount3 -u %s", mnt);
		status = die(EXIT_RUNTIME, err);
	} else if (unmounter_mount_gone(fuse_session_fd(se))) {
		/* libfuse then only closes and frees: no umount, no exec,
		 * nothing the filter would refuse. */
		fuse_session_unmount(se);
	}
	goto out_signals;
out_unmount:
	if (mount_root >= 0)
		unmounter_detach(mount_root);
	else
		fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_table:
	spx_fs_caches_free(&fs);
	if (mount_root >= 0)
		close(mount_root);
	if (fs.proc_self_fd >= 0)
		close(fs.proc_self_fd);
	if (fs.log != NULL)
		(void)audit_log_finish(fs.log, "spxfs", opts.audit_log, false, -1);
	undo_store_free(fs.undo);
	return status;
}
