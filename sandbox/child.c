#include "child.h"
#include "caps.h"
#include "channel.h"
#include "rlimits.h"
#include "mounts.h"
#include "filter.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static _Noreturn void die(const struct child_plan *p, const char *what, int err)
{
	errno = err;
	channel_fail(p->sock, what);
	_exit(125);
}

const int box_passed_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, 0};

static volatile pid_t init_job;

/* What a sandbox's init is asked to stop on (spxbox passes these on) goes
 * to the job: pid 1 would drop them, having no handler of its own. */
static void pass_on(int sig)
{
	if (init_job > 0)
		(void)kill(init_job, sig);
}

/* The namespace's init: no capabilities, reaps every process, and exits
 * with the job's status (128+N for a signal, as a shell reports it). */
static _Noreturn void init_run(const struct child_plan *p, pid_t job)
{
	const char *what;
	init_job = job;
	struct sigaction sa = {.sa_handler = pass_on};
	for (int i = 0; box_passed_signals[i]; i++)
		(void)sigaction(box_passed_signals[i], &sa, NULL);
	if (caps_drop_all(p->job_uid, p->job_gid, p->groups, p->ngroups, p->as_root, &what) < 0)
		_exit(125);
	/* Changing ids cleared the parent-death signal: set it again, and
	 * if spxbox died meanwhile (its end of the channel hung up), go. */
	struct pollfd hup = {.fd = p->sock, .events = 0};
	/* Not dumpable: a job of the same uid cannot ptrace it or write its
	 * /proc/1/mem, and through it outlive the filter it never had. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
	    (poll(&hup, 1, 0) == 1 && (hup.revents & POLLHUP)))
		_exit(125);
	close(p->sock);
	for (;;) {
		int status;
		pid_t pid = wait(&status);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			_exit(125);
		if (pid == job)
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
}

/* The command's path inside the new root, searched in PATH like execvp,
 * so that the job makes exactly one execve. */
static int find_command(const char *cmd, char *out, size_t len)
{
	if (strchr(cmd, '/') != NULL) {
		if ((size_t)snprintf(out, len, "%s", cmd) >= len)
			return -ENAMETOOLONG;
		return access(out, F_OK) == 0 ? 0 : -errno;
	}
	const char *path = getenv("PATH");
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	int err = -ENOENT;
	while (*path) {
		const char *end = strchrnul(path, ':');
		int n = snprintf(out, len, "%.*s/%s", (int)(end - path), path, cmd);
		struct stat st;
		if (n > 0 && (size_t)n < len && stat(out, &st) == 0 && S_ISREG(st.st_mode))
			return 0;
		path = *end ? end + 1 : end;
	}
	return err;
}

static void apply_env(const struct box_options *o)
{
	for (int i = 0; i < o->nunsetenv; i++)
		(void)unsetenv(o->unsetenv[i]);
	for (int i = 0; i < o->nsetenv; i++)
		(void)setenv(o->setenv[i][0], o->setenv[i][1], 1);
}

/* --fs: the running mount, bound at the staging mountpoint; it must be the
 * very mount spxbox checked (its device and root inode). */
static void bind_fs_mount(const struct child_plan *p)
{
	if (mount(p->fs_mount, p->mnt, NULL, MS_BIND | MS_REC, NULL) < 0)
		die(p, "binding the --fs mount", errno);
	struct statx sx;
	if (statx(AT_FDCWD, p->mnt, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) < 0 ||
	    makedev(sx.stx_dev_major, sx.stx_dev_minor) != p->fs_dev || sx.stx_ino != p->fs_ino ||
	    !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		die(p, "the --fs mount changed after it was checked", EXDEV);
}

_Noreturn void child_run(const struct child_plan *p)
{
	const struct box_options *o = p->o;
	char buf[64];
	size_t len;
	int fd;
	/* If spxbox dies, so does the namespace (the kernel kills the rest
	 * of a PID namespace with its pid 1): a job must not run on, with no
	 * supervisor and no filesystem. A death before this line shows as
	 * the channel's EOF below. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		_exit(125);
	/* spxbox blocks the signals it passes on; the job starts with none */
	sigset_t none;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		_exit(125);
	if (channel_recv(p->sock, buf, sizeof(buf), &len, &fd) != MSG_GO)
		_exit(125); /* the supervisor is gone */

	int r = mounts_private();
	if (r < 0)
		die(p, "making the mounts private", -r);
	const char *what = "";
	static struct view_sources v;
	r = mounts_open_sources(o, p->fs_mount == NULL, &v, &what);
	if (r < 0)
		die(p, what, -r);
	if (p->as_root && p->job_uid != 0) {
		r = caps_setup_identity(p->job_uid, p->job_gid, &what);
		/* a changed uid clears the parent-death signal */
		if (r == 0 && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			r = -errno;
		if (r < 0)
			die(p, what, -r);
	}
	if (p->fs_mount != NULL) {
		bind_fs_mount(p);
	} else if (p->premounted) {
		/* The supervisor serves once told; only then is the mount
		 * touched. It came from the host's namespace, locked in ours:
		 * a clone of it on top is ours to pivot_root into. */
		r = channel_send(p->sock, MSG_FUSE_FD, NULL, 0, -1);
		if (r < 0)
			die(p, "telling the supervisor to serve", -r);
		r = mounts_reclone(p->mnt);
		if (r < 0)
			die(p, "taking the spxfs root into the namespace", -r);
	} else {
		int fuse = mounts_fuse(p->mnt, v.fuse, getuid(), getgid());
		if (fuse < 0)
			die(p, "mounting the spxfs root (is /dev/fuse usable?)", -fuse);
		r = channel_send(p->sock, MSG_FUSE_FD, NULL, 0, fuse);
		close(fuse);
		if (r < 0)
			die(p, "handing /dev/fuse to the supervisor", -r);
	}
	int root = open(p->mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		die(p, "opening the view's root", errno);
	char step[PATH_MAX + 96] = "";
	r = mounts_assemble(root, o, p->etc_placeholder, p->job_uid, p->job_gid, &v, step,
			    sizeof(step));
	if (r == -ENOENT && p->fs_mount != NULL) {
		char msg[sizeof(step) + 48];
		snprintf(msg, sizeof(msg), "%s: the --fs mount lacks the mount point", step);
		die(p, msg, -r);
	}
	if (r < 0)
		die(p, step, -r);
	r = mounts_pivot(root);
	close(root);
	if (r < 0)
		die(p, "making the spxfs mount the root (pivot_root)", -r);
	if (o->chdir != NULL && chdir(o->chdir) < 0)
		die(p, "--chdir", errno);
	if (sethostname("spx", 3) < 0)
		die(p, "setting the hostname", errno);
	/* A new session: no TIOCSTI into the caller's terminal. */
	if (setsid() < 0)
		die(p, "starting a new session", errno);
	if (setrlimit(RLIMIT_NOFILE, &p->nofile) < 0)
		die(p, "restoring the open-file limit", errno);
	r = limits_apply(o, &what);
	if (r < 0)
		die(p, what, -r);
	/* Every inherited descriptor but 0-2 and the channel (close-on-exec). */
	if (p->sock > 3 && close_range(3, (unsigned)p->sock - 1, 0) < 0)
		die(p, "closing inherited descriptors", errno);
	if (close_range((unsigned)p->sock + 1, ~0U, 0) < 0)
		die(p, "closing inherited descriptors", errno);
	apply_env(o);
	char path[PATH_MAX];
	int found = find_command(o->command[0], path, sizeof(path));
	/* pid 1 of the namespace stays ours: the kernel shields pid 1 from
	 * signals it has no handler for, which would change what kill does
	 * to the job. It reaps, and passes the job's status on. */
	pid_t job = fork();
	if (job < 0)
		die(p, "starting the job", errno);
	if (job > 0)
		init_run(p, job);
	r = caps_drop_all(p->job_uid, p->job_gid, p->groups, p->ngroups, p->as_root, &what);
	if (r < 0)
		die(p, what, -r);
	/* Changing ids made this process non-dumpable, so the supervisor
	 * could not read the path of its first execve. Only spxbox's code
	 * runs until that execve, which sets dumpability anew. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		die(p, "making the job readable to its supervisor", errno);
	struct seccomp_policy pol = {.allow_fork = o->allow_fork, .net = o->net, .custom = p->custom,
				     .uid = p->job_uid, .gid = p->job_gid};
	int nfd = seccomp_install(&pol);
	if (nfd < 0)
		die(p, "installing the seccomp filter", -nfd);
	r = channel_send(p->sock, MSG_NOTIFY_FD, NULL, 0, nfd);
	close(nfd);
	if (r < 0)
		_exit(125);
	/* created, not started (spxbox-oci): a read, which the filter
	 * allows, until the supervisor says run; its end means it is gone */
	if (p->gated && (read(p->sock, buf, sizeof(buf)) <= 0 || buf[0] != MSG_START))
		_exit(125);
	int err = -found;
	if (found == 0) {
		execve(path, o->command, environ);
		err = errno;
	}
	char e[16];
	int n = snprintf(e, sizeof(e), "%d", err);
	(void)channel_send(p->sock, MSG_EXEC_ERRNO, e, (size_t)n, -1);
	_exit(err == ENOENT ? 127 : 126);
}
