/* spxbox: run a job with spxfs serving DIR as its /, in new namespaces,
 * without capabilities, behind a seccomp allowlist. The flow of one run:
 * check and prepare (here), clone the child (ns.c), which mounts and
 * confines itself (child.c) while this process serves its filesystem
 * (fsserver.c) and answers its seccomp notifications (supervise.c). */
#include "channel.h"
#include "cleaner.h"
#include "child.h"
#include "cpu_pin.h"
#include "fsserver.h"
#include "job_ids.h"
#include "mount_info.h"
#include "open_fds.h"
#include "open_file.h"
#include "mounts.h"
#include "ns.h"
#include "options.h"
#include "policy.h"
#include "record.h"
#include "self_confine.h"
#include "filter.h"
#include "spx_config.h"
#include "startup.h"
#include "undo.h"
#include "staging.h"
#include "supervise.h"
#include "unmounter.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_TIMEOUT = 124, EXIT_FAILED = 125, EXIT_NOEXEC = 126, EXIT_NOTFOUND = 127 };

static int fail(const char *what, const char *why)
{
	fprintf(stderr, "spxbox: %s: %s\n", what, why);
	return EXIT_FAILED;
}

/* --fs: opens the mount once and checks, through that descriptor, that it
 * is the root of an spxfs mount. The child binds the path again in its
 * own namespace and then checks that it bound this very mount (its device
 * and root inode), so a path swapped meanwhile is refused. */
static int open_fs_mount(const char *path, dev_t *fs_dev, ino_t *fs_ino)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct statx sx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID) || !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ||
	    !mount_info_id_is_spxfs(sx.stx_mnt_id)) {
		close(fd);
		return -EINVAL;
	}
	*fs_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	*fs_ino = sx.stx_ino;
	return fd;
}

/* The log and its key must be out of the job's reach: not in ROOT, and
 * not under any --bind or --ro-bind source (a rw bind would let the job
 * rewrite the log; any bind would show it the key). Names the first bind
 * that exposes path, or NULL. */
static const char *exposed_by(const struct box_options *o, const char *path)
{
	for (int i = 0; i < o->nmounts; i++)
		if (o->mounts[i].kind != BOX_TMPFS && startup_reaches(o->mounts[i].src, path))
			return o->mounts[i].src;
	return NULL;
}

static int check_out_of_reach(const struct box_options *o, const char *top)
{
	char why[PATH_MAX + 64];
	const char *src = exposed_by(o, o->audit_log);
	if (src != NULL) {
		snprintf(why, sizeof(why), "is under the bind source '%s', which the job can reach", src);
		return fail("--audit-log", why);
	}
	if (o->undo_dir != NULL && startup_reaches(top, o->undo_dir))
		return fail("--undo-dir", "is inside the job's root, where the job could rewrite it");
	if (o->undo_dir != NULL && (src = exposed_by(o, o->undo_dir)) != NULL) {
		snprintf(why, sizeof(why), "is under the bind source '%s', which the job can reach", src);
		return fail("--undo-dir", why);
	}
	if (o->audit_key == NULL)
		return 0;
	if (startup_reaches(top, o->audit_key))
		return fail("--audit-key", "is inside the job's root, where the job could read it");
	if ((src = exposed_by(o, o->audit_key)) != NULL) {
		snprintf(why, sizeof(why), "is under the bind source '%s', which the job can reach", src);
		return fail("--audit-key", why);
	}
	return 0;
}

static struct audit_writer *open_log(const struct box_options *o, const char *mnt, int *status)
{
	char err[PATH_MAX + 256];
	const char *top = o->root != NULL ? o->root : o->fs_mount;
	if (startup_check_log(o->audit_log, top, mnt, err, sizeof(err)) < 0) {
		*status = fail("audit log", err);
		return NULL;
	}
	if (check_out_of_reach(o, top) != 0) {
		*status = EXIT_FAILED;
		return NULL;
	}
	char root[PATH_MAX];
	if (realpath(top, root) == NULL)
		snprintf(root, sizeof(root), "%s", top);
	json_t *cmd = json_array();
	for (char **a = o->command; *a; a++) {
		json_t *arg = json_string(*a); /* NULL when not UTF-8 */
		json_array_append_new(cmd, arg != NULL ? arg : json_string("?"));
	}
	json_t *header = json_pack("{s:s, s:s, s:o, s:{s:b, s:b, s:b, s:b, s:f}}", "program",
				   "spxbox " SPX_VERSION, o->root ? "root" : "fs", root, "command",
				   cmd, "options", "system", o->system, "allow_fork", o->allow_fork,
				   "allow_exec", o->allow_exec, "net", o->net, "time_limit",
				   o->time_limit);
	undo_header_options(json_object_get(header, "options"), o->undo_dir, o->undo_max,
			    o->undo_continue);
	bool bad_key;
	struct audit_writer *w = audit_log_create(o->audit_log, (enum audit_sync)o->audit_sync,
						  o->audit_key, header, err, sizeof(err), &bad_key);
	json_decref(header);
	if (w == NULL)
		*status = fail("--audit-log", err);
	return w;
}

/* Once the namespaces' id maps are written, the supervisor keeps only the
 * capabilities that serve files and its own seccomp allowlist; its
 * file-serving thread adds Landlock (fsserver.c). The process as a whole
 * cannot take Landlock: Landlock forbids reading the memory of a process
 * outside its domain, and the supervisor reads the job's (the path of an
 * exec or a denied call). */
static int confine_supervisor(void)
{
	char err[300];
	int r = self_confine("spxbox", NULL, 0, true, err, sizeof(err));
	if (r < 0)
		fail("confining the supervisor", err);
	return r;
}

static int head_fd = -1; /* --audit-head */

/* Ends the log; its chain head goes to --audit-head's file, or to stderr
 * in the line every program prints. */
static void finish_log(struct audit_writer *log, const struct box_options *o, bool seal_only)
{
	(void)audit_log_finish(log, "spxbox", o->audit_log, seal_only, head_fd);
	if (head_fd >= 0)
		close(head_fd);
	head_fd = -1;
}

/* Once the job has ended: how long a close may still hash a file, and how
 * long the file server may take to finish. */
#define HASH_GRACE 20
#define END_GRACE 40.0

/* A worker of the file server is still busy after the job ended (hashing
 * a huge file at its close): the log is sealed (its exit record says how
 * many files were not recorded; a late append gets EIO), nothing the
 * worker uses is freed, and spxbox exits at once. */
static _Noreturn void stuck_exit(struct fs_server *srv, const struct box_options *o, int status)
{
	fprintf(stderr, "spxbox: the job's file server did not finish within %.0f s; "
			"leaving without it\n", END_GRACE);
	if (srv->fs.log != NULL)
		finish_log(srv->fs.log, o, true);
	fflush(NULL);
	_exit(status);
}

/* Removes the unprivileged root mount (fusermount3 -u), once. */
static void end_user_mount(struct unmounter *um)
{
	if (um->pid <= 0)
		return;
	if (unmounter_finish(um) < 0)
		fprintf(stderr, "spxbox: could not unmount the job's root at its staging directory\n");
	um->pid = -1;
}

/* The job's exit status as spxbox's. */
static int job_status(const struct supervisor *s)
{
	if (s->timed_out)
		return EXIT_TIMEOUT;
	if (s->exec_errno != 0)
		return s->exec_errno == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
	if (WIFEXITED(s->wait_status))
		return WEXITSTATUS(s->wait_status);
	if (WIFSIGNALED(s->wait_status))
		return 128 + WTERMSIG(s->wait_status);
	return EXIT_FAILED;
}

/* Receives the next setup message from the child; reports its failure. */
static int expect_msg(int sock, char want, int *fd)
{
	char buf[400];
	size_t len;
	int type = channel_recv(sock, buf, sizeof(buf), &len, fd);
	if (type == want)
		return 0;
	if (*fd >= 0)
		close(*fd);
	if (type == MSG_ERROR)
		fail("setting up the sandbox", buf);
	else
		fail("setting up the sandbox", "the child ended without saying why");
	return -1;
}

int main(int argc, char **argv)
{
	struct box_options o;
	switch (box_options_parse(&o, argc, argv)) {
	case BOX_HELP:
		fputs(box_options_usage(), stdout);
		return 0;
	case BOX_VERSION:
		printf("spxbox %s (%zu system calls allowed by default)\n", SPX_VERSION,
		       seccomp_allowlist_len());
		return 0;
	case BOX_LIST:
		printf("| call | why | arguments | evidence |\n|---|---|---|---|\n");
		for (size_t i = 0; i < seccomp_allowlist_len(); i++)
			printf("| `%s` | %s | %s | %s |\n", seccomp_allowlist[i].name,
			       seccomp_allowlist[i].why,
			       seccomp_allowlist[i].args ? seccomp_allowlist[i].args : "any",
			       seccomp_allowlist[i].kept ? "reason" : "corpus");
		printf("\n%zu calls.\n", seccomp_allowlist_len());
		return 0;
	case BOX_ERROR:
		fprintf(stderr, "spxbox: %s (try 'spxbox --help')\n", o.error);
		return EXIT_FAILED;
	default:
		break;
	}
	static struct policy custom;
	if (o.seccomp_policy != NULL) {
		char why[PATH_MAX + 256];
		if (policy_load(o.seccomp_policy, &custom, why, sizeof(why)) < 0)
			return fail("--seccomp-policy", why);
	}
	bool as_root = geteuid() == 0;
	if (!as_root && ((o.uid >= 0 && (uid_t)o.uid != getuid()) ||
			 (o.gid >= 0 && (gid_t)o.gid != getgid())))
		return fail("--uid/--gid", "only root can run the job as another user");
	struct job_ids ids;

	/* First: every thread and process spxbox starts inherits the CPU. */
	int cpu = -1;
	if (o.same_cpu && (cpu = cpu_pin_here()) < 0)
		return fail("--cpu same", strerror(-cpu));

	/* Before any thread: each inherits the blocked set, and only the
	 * supervisor's loop takes these signals, to pass them on. */
	int sig_fd = supervise_signals();
	if (sig_fd < 0)
		return fail("blocking the signals passed to the job", strerror(-sig_fd));
	/* Joined before the clone, which then makes no network namespace:
	 * the child, in its own user namespace, could not join one of the
	 * host's. The supervisor never uses the network. */
	if (o.netns != NULL) {
		int nfd = open(o.netns, O_RDONLY | O_CLOEXEC);
		if (nfd < 0 || setns(nfd, CLONE_NEWNET) < 0)
			return fail("--netns", strerror(errno));
		close(nfd);
	}
	int gate_fd = -1;
	if (o.start_fifo != NULL &&
	    (gate_fd = open(o.start_fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
		return fail("--start-fifo", strerror(errno));
	if (o.ready_fd >= 0 && fcntl(o.ready_fd, F_SETFD, FD_CLOEXEC) < 0)
		return fail("--ready-fd", strerror(errno));
	/* opened now: the confined supervisor opens nothing new at the end */
	head_fd = o.audit_head == NULL ? -1
		  : open(o.audit_head, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (o.audit_head != NULL && head_fd < 0)
		return fail("--audit-head", strerror(errno));

	struct staging st = {.ph_fd = -1};
	struct cleaner cleaner = {.pid = -1};
	struct fs_server srv = {.fs.proc_self_fd = -1};
	struct unmounter um = {.pid = -1};
	int status = EXIT_FAILED, root_fd = -1;
	char err[PATH_MAX + 256];
	int r = create_staging(&st);
	if (r < 0) {
		fail("making a staging directory in /tmp", strerror(-r));
		goto out;
	}
	dev_t fs_dev = 0;
	ino_t fs_ino = 0;
	if (o.fs_mount != NULL) {
		root_fd = open_fs_mount(o.fs_mount, &fs_dev, &fs_ino);
		if (root_fd < 0) {
			fail("--fs", root_fd == -EINVAL ? "not an spxfs mount point" : strerror(-root_fd));
			goto out;
		}
	} else {
		root_fd = startup_open_root(o.root, st.mnt, NULL, err, sizeof(err));
		if (root_fd < 0) {
			fail("--root", err);
			goto out;
		}
	}
	struct stat root_st;
	if (fstat(root_fd, &root_st) < 0) {
		fail("--root", strerror(errno));
		goto out;
	}
	job_ids_decide(o.uid, o.gid, as_root, o.fs_mount == NULL, &root_st, &ids);
	uid_t job_uid = ids.uid;
	gid_t job_gid = ids.gid;
	/* With --fs, the running spxfs serves (and records) the files;
	 * spxbox only confines and records the sandbox's events. */
	r = o.fs_mount ? 0 : make_placeholders(&st, root_fd, &o);
	if (r < 0) {
		fail("preparing mount points", strerror(-r));
		goto out;
	}
	if ((r = cleaner_start(&cleaner, &st)) < 0) {
		fail("starting the cleaner", strerror(-r));
		goto out;
	}
	srv.fs.proc_self_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	srv.fs.placeholders_fd = st.ph_fd;
	srv.root_fd = root_fd;
	srv.fs.can_chown = as_root;
	srv.fs.ids = (struct spx_id_view){
		.owner_map = ids.owner_map, .job_uid = job_uid, .host_uid = ids.host_uid,
		.job_gid = job_gid, .host_gid = ids.host_gid};
	srv.fs.timeout = 1.0;
	srv.fs.quota_bytes = (uint64_t)o.max_bytes;
	srv.fs.read_only = o.read_only;
	/* With --root spxbox serves ROOT itself, its caches sized as spxfs
	 * sizes them; the job gets the caller's own limit back (child.c). */
	struct rlimit caller_nofile;
	(void)getrlimit(RLIMIT_NOFILE, &caller_nofile);
	int table_fd = o.fs_mount == NULL ? dup(root_fd) : -1;
	if (table_fd >= 0 && spx_fs_caches_new(&srv.fs, table_fd, startup_raise_nofile()) < 0) {
		close(table_fd);
		table_fd = -1;
	}
	if (srv.fs.proc_self_fd < 0 || (o.fs_mount == NULL && table_fd < 0)) {
		fail("preparing the filesystem", "cannot open /proc/self/fd or set up inodes");
		goto out;
	}
	/* before the log, whose header names it; open_log checks that the
	 * job cannot reach it */
	if (o.undo_dir != NULL && check_out_of_reach(&o, o.root) != 0)
		goto out;
	if (o.undo_dir != NULL &&
	    (srv.fs.undo = undo_store_open(o.undo_dir, (uint64_t)o.undo_max, o.undo_continue, err,
					   sizeof(err))) == NULL) {
		fail("--undo-dir", err);
		goto out;
	}
	if (o.audit_log != NULL && (srv.fs.log = open_log(&o, st.mnt, &status)) == NULL)
		goto out;

	/* Unprivileged, fusermount3 mounts the root in the host's namespace
	 * (fsserver.h says why); the unmounter removes it once the job is
	 * done, or when spxbox dies. */
	bool user_mount = !as_root && o.fs_mount == NULL;
	if (user_mount && (r = fs_server_mount_user(&srv, st.mnt)) < 0) {
		fail("mounting the spxfs root with fusermount3", strerror(-r));
		goto out;
	}
	if (user_mount && (r = unmounter_start(&um, st.mnt, fuse_session_fd(srv.se), 0)) < 0) {
		fail("starting the unmounter", strerror(-r));
		goto out;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		fail("socketpair", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid_t child = ns_clone(o.net);
	if (child == 0) {
		close(sv[0]);
		struct child_plan plan = {.o = &o, .sock = sv[1], .mnt = st.mnt, .fs_mount = o.fs_mount, .fs_dev = fs_dev, .fs_ino = fs_ino,
					  .etc_placeholder = has_placeholder(&st, "etc"),
					  .as_root = as_root, .premounted = user_mount,
					  .job_uid = job_uid, .job_gid = job_gid,
					  .groups = ids.groups, .ngroups = ids.ngroups,
					  .custom = o.seccomp_policy ? &custom : NULL,
					  .nofile = caller_nofile, .gated = gate_fd >= 0};
		child_run(&plan);
	}
	close(sv[1]);
	if (child < 0) {
		fail("creating the namespaces (are user namespaces enabled?)", strerror(-child));
		goto out;
	}
	/* The kernel applies the job's umask to every mode it sends the file
	 * server: spxbox's own must take no more bits away. The job, cloned
	 * already, keeps the caller's. (Before the supervisor's filter.) */
	(void)umask(0);
	struct job_view view = {.root_fd = root_fd};
	static char system_dst[8][16];
	for (int i = 0; o.system && mounts_system_dirs[i] && view.n < 8; i++) {
		snprintf(system_dst[view.n], sizeof(system_dst[0]), "/%s", mounts_system_dirs[i]);
		view.src[view.n] = system_dst[view.n];
		view.dst[view.n] = system_dst[view.n];
		view.n++;
	}
	for (int i = 0; i < o.nmounts; i++)
		if (o.mounts[i].kind != BOX_TMPFS) {
			view.src[view.n] = o.mounts[i].src;
			view.dst[view.n++] = o.mounts[i].dst;
		}
	/* The groups the job sees itself in: its own, or (unprivileged) the
	 * caller's, of which the user namespace maps only the primary. */
	static gid_t job_groups[JOB_MAX_GROUPS];
	int njob_groups = as_root ? ids.ngroups : getgroups(JOB_MAX_GROUPS, job_groups);
	if (as_root)
		memcpy(job_groups, ids.groups, sizeof(gid_t) * (size_t)ids.ngroups);
	for (int i = 0; !as_root && i < njob_groups; i++)
		if (job_groups[i] != getgid())
			job_groups[i] = JOB_NOBODY;
	struct supervisor sup = {.child = child, .sock = sv[0], .log = srv.fs.log,
				 .groups = job_groups, .ngroups = njob_groups < 0 ? 0 : njob_groups,
				 .allow_exec = o.allow_exec, .time_limit = o.time_limit, .sig_fd = sig_fd,
				 .view = &view, .custom = o.seccomp_policy ? &custom : NULL};
	int fuse_fd = -1, notify_fd = -1;
	r = ns_write_maps(child, as_root);
	if (r < 0)
		fail("writing the user namespace's id maps", strerror(-r));
	else if (confine_supervisor() < 0)
		r = -1; // NOLINT(bugprone-branch-clone): each step reports its own failure
	else if ((r = channel_send(sv[0], MSG_GO, NULL, 0, -1)) < 0)
		fail("setting up the sandbox", "the child is gone");
	else if (o.fs_mount == NULL && expect_msg(sv[0], MSG_FUSE_FD, &fuse_fd) < 0)
		r = -1; // NOLINT(bugprone-branch-clone): each step reports its own failure
	else if (o.fs_mount == NULL && (r = fs_server_start(&srv, fuse_fd)) < 0)
		fail("serving the job's filesystem", strerror(-r));
	else if (srv.fs.log != NULL && (r = audit_writer_start(srv.fs.log)) < 0)
		fail("audit log", "cannot start its sync thread");
	else if (expect_msg(sv[0], MSG_NOTIFY_FD, &notify_fd) < 0)
		r = -1;
	if (r < 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		end_user_mount(&um);
		if (!fs_server_stop(&srv, END_GRACE))
			stuck_exit(&srv, &o, EXIT_FAILED);
		goto out;
	}
	sup.notify_fd = notify_fd;
	if (o.ready_fd >= 0) { /* spxbox-oci's create returns now */
		if (write(o.ready_fd, "1", 1) != 1) /* spxbox-oci died: its start never comes */
			fprintf(stderr, "spxbox: --ready-fd: %s\n", strerror(errno));
		close(o.ready_fd);
	}
	/* Stopped before it was started: no start record; the exit tells. */
	bool started = gate_fd < 0 || supervise_wait_start(&sup, gate_fd);
	json_t *start = !started ? NULL : json_pack("{s:s, s:I, s:I, s:I}", "op", "start", "host_pid",
				  (json_int_t)child, "uid", (json_int_t)job_uid, "gid",
				  (json_int_t)job_gid);
	if (start != NULL && ids.ngroups > 0) {
		json_t *g = json_array();
		for (int i = 0; i < ids.ngroups; i++)
			json_array_append_new(g, json_integer(ids.groups[i]));
		json_object_set_new(start, "groups", g);
	}
	if (start != NULL && cpu >= 0)
		json_object_set_new(start, "cpu", json_integer(cpu));
	/* what /tmp the job had: a private tmpfs is not in this log */
	if (start != NULL)
		json_object_set_new(start, "tmp", json_string(o.tmp_in_root ? "root" : "tmpfs"));
	if (start != NULL && ids.owner_map)
		json_object_set_new(start, "files_owner", json_pack("{s:I, s:I}", "uid",
			(json_int_t)ids.host_uid, "gid", (json_int_t)ids.host_gid));
	supervise_record(srv.fs.log, start);
	r = supervise_run(&sup);
	if (r < 0)
		fail("supervising the job", strerror(-r));
	char refused[1024];
	if (!o.quiet && supervise_refusals(&sup, refused, sizeof(refused)))
		fprintf(stderr, "spxbox: %s\n", refused);
	status = r < 0 ? EXIT_FAILED : job_status(&sup);
	/* Hashing at close may go on only so long once the job is gone. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	atomic_store(&srv.fs.hash_deadline_ns,
		     (int64_t)(now.tv_sec + HASH_GRACE) * 1000000000 + now.tv_nsec);
	/* the job's mount went with its namespace; the host's copy goes now */
	end_user_mount(&um);
	bool ended = fs_server_stop(&srv, END_GRACE);
	/* Releases the kernel dropped with the job's mount: recorded now. */
	size_t unreleased = ended ? open_file_close_unreleased(&srv.fs) : 0;
	if (ended)
		(void)spx_dirs_close_unreleased(&srv.fs);
	json_t *end = json_pack("{s:s, s:i}", "op", "exit", "status", status);
	if (end != NULL && unreleased > 0)
		json_object_set_new(end, "unreleased", json_integer((json_int_t)unreleased));
	if (end != NULL && !ended)
		json_object_set_new(end, "files_unrecorded",
				    json_integer((json_int_t)(srv.fs.fds ? open_fds_entered(srv.fs.fds) : 0)));
	if (end != NULL && WIFSIGNALED(sup.wait_status) && !sup.timed_out)
		json_object_set_new(end, "signal", json_integer(WTERMSIG(sup.wait_status)));
	if (end != NULL && sup.exec_errno)
		json_object_set_new(end, "exec_error", json_string(record_result(sup.exec_errno)));
	supervise_record(srv.fs.log, end);
	if (!ended)
		stuck_exit(&srv, &o, status);
	if (notify_fd >= 0)
		close(notify_fd);
out:
	end_user_mount(&um);
	fs_server_discard(&srv);
	if (srv.fs.log != NULL)
		finish_log(srv.fs.log, &o, false);
	spx_fs_caches_free(&srv.fs);
	undo_store_free(srv.fs.undo);
	if (srv.fs.proc_self_fd >= 0)
		close(srv.fs.proc_self_fd);
	if (root_fd >= 0)
		close(root_fd);
	if (cleaner.pid > 0) {
		if (st.ph_fd >= 0)
			close(st.ph_fd);
		cleaner_finish(&cleaner);
	} else {
		remove_staging(&st);
	}
	return status;
}
