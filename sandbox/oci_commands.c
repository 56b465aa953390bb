/* spxbox-oci start, state, kill and delete: each acts on the process that
 * create recorded, checked against its start time (a pid can be reused). */
#include "oci.h"
#include "oci_state.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The one ID a command takes after its options; loads its state. */
static int load(int argc, char **argv, struct oci_state *st)
{
	if (optind >= argc)
		return oci_fail("%s: a container ID is required", argv[0]);
	int r = oci_state_load(oci.root, argv[optind], st);
	if (r == -ENOENT)
		return oci_fail("container does not exist: %s", argv[optind]);
	if (r < 0)
		return oci_fail("reading the state of %s: %s", argv[optind], strerror(-r));
	return 0;
}

static int no_options(int argc, char **argv)
{
	static const struct option none[] = {{NULL, 0, NULL, 0}};
	if (getopt_long(argc, argv, "+", none, NULL) != -1)
		return oci_fail("%s: unknown option %s", argv[0], argv[optind - 1]);
	return 0;
}

int oci_start(int argc, char **argv)
{
	struct oci_state st = {0};
	if (no_options(argc, argv) != 0 || load(argc, argv, &st) != 0)
		return 1;
	const char *status = oci_status(&st);
	int r = 1;
	if (strcmp(status, "created") != 0) {
		oci_fail("cannot start a container that is %s: %s", status, st.id);
	} else {
		char fifo[PATH_MAX + 8];
		snprintf(fifo, sizeof(fifo), "%s/start", st.dir);
		/* non-blocking: no reader means spxbox is gone */
		int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 || write(fd, "s", 1) != 1) {
			oci_fail("starting %s: %s", st.id, strerror(errno));
		} else {
			st.started = true;
			r = oci_state_save(&st) < 0 ? oci_fail("saving the state of %s", st.id) : 0;
		}
		if (fd >= 0)
			close(fd);
	}
	oci_state_free(&st);
	return r;
}

int oci_state(int argc, char **argv)
{
	struct oci_state st = {0};
	if (no_options(argc, argv) != 0 || load(argc, argv, &st) != 0)
		return 1;
	json_t *j = oci_state_json(&st);
	char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	int r = text != NULL && printf("%s\n", text) > 0 ? 0 : oci_fail("state: out of memory");
	free(text);
	json_decref(j);
	oci_state_free(&st);
	return r;
}

/* A signal by number, or by name with or without SIG (TERM, SIGKILL). */
static int parse_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && *end == '\0')
		return n > 0 && n < SIGRTMAX ? (int)n : -1;
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < SIGRTMIN; i++) {
		const char *name = sigabbrev_np(i);
		if (name != NULL && strcmp(name, s) == 0)
			return i;
	}
	return -1;
}

int oci_kill(int argc, char **argv)
{
	static const struct option longopts[] = {{"all", no_argument, NULL, 'a'},
						 {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "+a", longopts, NULL)) != -1)
		if (c != 'a') /* --all: spxbox passes the signal to the job's processes' root */
			return oci_fail("kill: unknown option %s", argv[optind - 1]);
	int sig = SIGTERM;
	if (optind + 1 < argc && (sig = parse_signal(argv[optind + 1])) < 0)
		return oci_fail("kill: unknown signal '%s'", argv[optind + 1]);
	struct oci_state st = {0};
	if (load(argc, argv, &st) != 0)
		return 1;
	int r = 0;
	if (strcmp(oci_status(&st), "stopped") == 0)
		r = oci_fail("container not running: %s", st.id);
	else if (kill(st.pid, sig) < 0)
		r = oci_fail("kill %s: %s", st.id, strerror(errno));
	oci_state_free(&st);
	return r;
}

/* SIGKILL, then wait until the process has ended (its zombie is the
 * engine's to reap): up to 10 s. */
static int kill_and_wait(const struct oci_state *st)
{
	int pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (pidfd < 0)
		return errno == ESRCH ? 0 : -errno;
	if (oci_proc_start_time(st->pid) != st->start_time) { /* another process now */
		close(pidfd);
		return 0;
	}
	int r = syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH ? -errno
												 : 0;
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	if (r == 0 && poll(&p, 1, 10000) != 1)
		r = -ETIMEDOUT;
	close(pidfd);
	return r;
}

int oci_delete(int argc, char **argv)
{
	static const struct option longopts[] = {{"force", no_argument, NULL, 'f'},
						 {NULL, 0, NULL, 0}};
	bool force = false;
	int c;
	while ((c = getopt_long(argc, argv, "+f", longopts, NULL)) != -1) {
		if (c != 'f')
			return oci_fail("delete: unknown option %s", argv[optind - 1]);
		force = true;
	}
	struct oci_state st = {0};
	if (load(argc, argv, &st) != 0)
		return 1;
	const char *status = oci_status(&st);
	int r = 0;
	if (strcmp(status, "running") == 0 && !force) {
		r = oci_fail("cannot delete container %s that is not stopped: %s", st.id, status);
	} else if (strcmp(status, "stopped") != 0 && (r = kill_and_wait(&st)) < 0) {
		r = oci_fail("stopping %s: %s", st.id, strerror(-r));
	} else {
		char what[PATH_MAX + 32];
		int e = oci_state_remove(&st, what, sizeof(what));
		if (e < 0)
			r = oci_fail("removing %s: %s", what, strerror(-e));
	}
	oci_state_free(&st);
	return r;
}
