/* spxbox-oci create: the container's spxbox started, set up and waiting
 * before the job's execve, its pid in the engine's pid file. */
#include "oci.h"
#include "oci_config.h"
#include "oci_state.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* spxbox, beside this program. */
static int spxbox_path(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = '\0';
	return (size_t)snprintf(out, len, "%s/spxbox", dirname(self)) >= len ? -ENAMETOOLONG : 0;
}

/* A terminal: a new pty whose master goes to the engine over the console
 * socket (SCM_RIGHTS), as runc sends it; the slave is the job's stdio. */
static int console(const char *socket_path, int *slave)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -errno;
	char name[64];
	if (grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, name, sizeof(name)) != 0 ||
	    (*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		int e = errno;
		close(master);
		return -e;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r = -ENAMETOOLONG;
	if (s >= 0 && strlen(socket_path) < sizeof(sa.sun_path)) {
		memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
		char data[] = "/dev/ptmx";
		struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u = {0};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
				     .msg_controllen = sizeof(u.buf)};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &master, sizeof(int));
		r = connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || sendmsg(s, &msg, 0) < 0 ? -errno
												   : 0;
	} else if (s < 0) {
		r = -errno;
	}
	if (s >= 0)
		close(s);
	close(master);
	if (r < 0)
		close(*slave);
	return r;
}

/* The child: its own session, the engine's stdio (or the terminal), the
 * ready pipe as descriptor 3, the limits and umask of config.json, and
 * spxbox with exactly process.env. */
static _Noreturn void exec_spxbox(const struct oci_plan *plan, int ready, int tty)
{
	if (setsid() < 0)
		_exit(125);
	for (int i = 0; tty >= 0 && i < 3; i++)
		if (dup2(tty, i) < 0)
			_exit(125);
	if (dup2(ready, 3) < 0) /* dup2 clears close-on-exec */
		_exit(125);
	for (int i = 0; i < plan->nrlimits; i++)
		if (setrlimit(plan->rlimits[i].resource, &plan->rlimits[i].lim) < 0) {
			perror("spxbox-oci: process.rlimits");
			_exit(125);
		}
	if (plan->has_umask)
		umask(plan->umask);
	execve(plan->argv[0], plan->argv, plan->env);
	perror("spxbox-oci: starting spxbox");
	_exit(125);
}

static int mkdir_p(const char *dir, mode_t mode)
{
	char buf[PATH_MAX];
	if ((size_t)snprintf(buf, sizeof(buf), "%s", dir) >= sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	return mkdir(buf, mode) < 0 && errno != EEXIST ? -errno : 0;
}

/* Runs spxbox and waits for its word that the container is set up. */
static int launch(struct oci_state *st, const struct oci_plan *plan, const char *console_socket,
		  const char *pid_file)
{
	int tty = -1, r;
	if (plan->terminal && console_socket == NULL)
		return oci_fail("process.terminal: a terminal needs --console-socket");
	if (plan->terminal && (r = console(console_socket, &tty)) < 0)
		return oci_fail("--console-socket %s: %s", console_socket, strerror(-r));
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return oci_fail("pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		exec_spxbox(plan, ready[1], tty);
	close(ready[1]);
	if (tty >= 0)
		close(tty);
	if (pid < 0) {
		close(ready[0]);
		return oci_fail("fork: %s", strerror(errno));
	}
	char b;
	ssize_t n = read(ready[0], &b, 1);
	close(ready[0]);
	if (n != 1) { /* spxbox said why on stderr */
		int status = 0;
		(void)waitpid(pid, &status, 0);
		return oci_fail("spxbox could not set the container up (exit status %d)",
				WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	st->pid = pid;
	st->start_time = oci_proc_start_time(pid);
	char pid_text[24];
	int n_pid = snprintf(pid_text, sizeof(pid_text), "%d", (int)pid);
	if (pid_file != NULL && (r = oci_write_file(pid_file, pid_text, (size_t)n_pid)) < 0) {
		kill(pid, SIGKILL);
		return oci_fail("--pid-file %s: %s", pid_file, strerror(-r));
	}
	if ((r = oci_state_save(st)) < 0) {
		kill(pid, SIGKILL);
		return oci_fail("saving the state in %s: %s", st->dir, strerror(-r));
	}
	return 0;
}

int oci_create(int argc, char **argv)
{
	enum { O_BUNDLE = 256, O_PID, O_CONSOLE, O_PRESERVE, O_IGNORED };
	static const struct option longopts[] = {
		{"bundle", required_argument, NULL, O_BUNDLE},
		{"pid-file", required_argument, NULL, O_PID},
		{"console-socket", required_argument, NULL, O_CONSOLE},
		{"preserve-fds", required_argument, NULL, O_PRESERVE},
		{"no-pivot", no_argument, NULL, O_IGNORED},
		{"no-new-keyring", no_argument, NULL, O_IGNORED},
		{NULL, 0, NULL, 0},
	};
	const char *bundle = ".", *pid_file = NULL, *console_socket = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+b:", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
		case O_BUNDLE: bundle = optarg; break;
		case O_PID: pid_file = optarg; break;
		case O_CONSOLE: console_socket = optarg; break;
		case O_PRESERVE:
			/* spxbox closes every inherited descriptor but stdio */
			if (strcmp(optarg, "0") != 0)
				return oci_fail("--preserve-fds %s: passing descriptors is not supported",
						optarg);
			break;
		case O_IGNORED: break;
		default: return oci_fail("create: unknown option %s", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return oci_fail("create: one container ID is required");
	const char *id = argv[optind];
	if (!oci_id_valid(id))
		return oci_fail("invalid container ID '%s'", id);
	struct oci_state st = {0};
	char real_bundle[PATH_MAX], spxbox[PATH_MAX], logs[PATH_MAX], head[PATH_MAX + 8],
		fifo[PATH_MAX + 8];
	if (realpath(bundle, real_bundle) == NULL)
		return oci_fail("--bundle %s: %s", bundle, strerror(errno));
	int r = spxbox_path(spxbox, sizeof(spxbox));
	if (r < 0)
		return oci_fail("finding spxbox: %s", strerror(-r));
	if (oci_state_dir(oci.root, id, &st) < 0 ||
	    (size_t)snprintf(logs, sizeof(logs), "%s/logs", oci.root) >= sizeof(logs))
		return oci_fail("--root %s: too long", oci.root);
	if ((r = mkdir_p(oci.root, 0700)) < 0 || (r = mkdir_p(logs, 0700)) < 0)
		return oci_fail("--root %s: %s", oci.root, strerror(-r));
	if (mkdir(st.dir, 0700) < 0)
		return errno == EEXIST ? oci_fail("container with id exists: %s", id)
				       : oci_fail("%s: %s", st.dir, strerror(errno));
	snprintf(head, sizeof(head), "%s/head", st.dir);
	snprintf(fifo, sizeof(fifo), "%s/start", st.dir);
	snprintf(st.bundle, sizeof(st.bundle), "%s", real_bundle);
	time_t now = time(NULL);
	struct tm tm;
	strftime(st.created, sizeof(st.created), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	struct oci_paths paths = {.spxbox = spxbox, .bundle = real_bundle, .id = id,
				  .logs_dir = logs, .head = head, .fifo = fifo};
	struct oci_plan plan;
	char err[1024];
	int status = 1;
	if (mkfifo(fifo, 0600) < 0) {
		oci_fail("%s: %s", fifo, strerror(errno));
	} else if (oci_config_load(&paths, &plan, err, sizeof(err)) < 0) {
		oci_fail("config.json: %s", err);
		oci_plan_free(&plan);
	} else {
		snprintf(st.audit_log, sizeof(st.audit_log), "%s", plan.audit_log);
		st.annotations = json_incref(plan.annotations);
		/* told by state, not on the container's stderr */
		if (plan.skipped[0])
			json_object_set_new(st.annotations, "org.spx.mounts-left-out",
					    json_string(plan.skipped));
		status = launch(&st, &plan, console_socket, pid_file);
		oci_plan_free(&plan);
	}
	if (status != 0) { /* what this create made, and only that */
		char what[PATH_MAX + 32];
		(void)oci_state_remove(&st, what, sizeof(what));
	}
	oci_state_free(&st);
	return status;
}
