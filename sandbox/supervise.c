#include "supervise.h"
#include "child.h"
#include "job_ids.h"
#include "channel.h"
#include "record.h"
#include "writer.h"
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_RECORDS_PER_CALL 20
#define MAX_DENIAL_RECORDS 1000

bool supervise_refusals(const struct supervisor *s, char *out, size_t len)
{
	if (s->denials == 0)
		return false;
	bool shown[SUPERVISE_NAMES] = {false};
	size_t at = 0;
	int w = snprintf(out, len, "refused %llu system call%s:", (unsigned long long)s->denials,
			 s->denials == 1 ? "" : "s");
	at = w > 0 ? (size_t)w : 0;
	for (int k = 0; k < s->nrefused && at < len; k++) {
		int best = 0;
		while (shown[best])
			best++; /* k < nrefused names are left: one is not shown */
		for (int i = best + 1; i < s->nrefused; i++)
			if (!shown[i] && s->refused[i].n > s->refused[best].n)
				best = i;
		shown[best] = true;
		w = snprintf(out + at, len - at, "%s %s (%llu)", k ? "," : "", s->refused[best].name,
			     (unsigned long long)s->refused[best].n);
		at += w > 0 ? (size_t)w : 0;
	}
	if (s->refused_other > 0 && at < len)
		(void)snprintf(out + at, len - at, ", others (%llu)",
			       (unsigned long long)s->refused_other);
	return true;
}

void supervise_record(struct audit_writer *log, json_t *rec)
{
	if (log == NULL || rec == NULL) {
		json_decref(rec);
		return;
	}
	(void)audit_writer_append(log, rec);
}

/* The pid as the job sees it (its PID namespace), as spxfs records it. */
static json_int_t job_pid(uint32_t host_pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%u/status", host_pid);
	FILE *f = fopen(path, "re");
	json_int_t pid = host_pid;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "NSpid:", 6) == 0) {
			char *last = strrchr(line, '\t');
			if (last != NULL)
				pid = strtoll(last + 1, NULL, 10);
			break;
		}
	}
	if (f != NULL)
		fclose(f);
	return pid;
}

static json_t *args_json(const struct seccomp_notif *req)
{
	json_t *a = json_array();
	for (int i = 0; i < 6; i++) {
		char hex[24];
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)req->data.args[i]);
		json_array_append_new(a, json_string(hex));
	}
	return a;
}

struct counts {
	json_t *per_call; /* name -> records made */
	uint64_t recorded;
	struct exec_audit *execs;
};

/* Whether another refusal of call n may still get a record of its own:
 * at most MAX_RECORDS_PER_CALL per call and MAX_DENIAL_RECORDS in all, so
 * a job looping on a refused call cannot flood the log; the rest are
 * counted (the "denials_unrecorded" record at the end). */
static void count_refusal(struct supervisor *s, const char *n)
{
	for (int i = 0; i < s->nrefused; i++)
		if (strcmp(s->refused[i].name, n) == 0) {
			s->refused[i].n++;
			return;
		}
	if (s->nrefused == SUPERVISE_NAMES) {
		s->refused_other++;
		return;
	}
	snprintf(s->refused[s->nrefused].name, sizeof(s->refused[0].name), "%s", n);
	s->refused[s->nrefused++].n = 1;
}

static bool denial_recordable(struct supervisor *s, struct counts *c, const char *n)
{
	s->denials++;
	count_refusal(s, n);
	long long made = json_integer_value(json_object_get(c->per_call, n));
	if (made >= MAX_RECORDS_PER_CALL || c->recorded >= MAX_DENIAL_RECORDS) {
		s->unrecorded++;
		return false;
	}
	json_object_set_new(c->per_call, n, json_integer(made + 1));
	c->recorded++;
	return true;
}

/* Whether a setgroups names exactly the job's supplementary groups (in
 * any order): then it would change nothing, and succeeds without running
 * (the kernel would refuse it to a process without CAP_SETGID). The call
 * never runs, so the list read here is the one that counts. */
static bool same_groups(const struct supervisor *s, const struct seccomp_notif *req)
{
	uint64_t n = req->data.args[0];
	gid_t list[JOB_MAX_GROUPS];
	if (n > sizeof(list) / sizeof(list[0]))
		return false;
	if (n > 0) {
		struct iovec local = {.iov_base = list, .iov_len = (size_t)n * sizeof(gid_t)};
		struct iovec remote = {.iov_base = (void *)(uintptr_t)req->data.args[1],
				       .iov_len = local.iov_len};
		if (process_vm_readv((pid_t)req->pid, &local, 1, &remote, 1, 0) !=
		    (ssize_t)local.iov_len)
			return false;
	}
	for (uint64_t i = 0; i < n; i++) {
		bool known = false;
		for (int k = 0; k < s->ngroups && !known; k++)
			known = list[i] == s->groups[k];
		if (!known)
			return false;
	}
	for (int k = 0; k < s->ngroups; k++) {
		bool named = false;
		for (uint64_t i = 0; i < n && !named; i++)
			named = list[i] == s->groups[k];
		if (!named)
			return false;
	}
	return true;
}

/* decide's answer for a call that succeeds without running. */
#define ANSWER_DONE (-1)

/* Decides one notification: returns the errno to answer, 0 to let the
 * call run, or ANSWER_DONE. */
static int decide(struct supervisor *s, struct counts *c, const struct seccomp_notif *req,
		  int *execs)
{
	char *name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
	const char *n = name ? name : "?";
	bool is_exec = strcmp(n, "execve") == 0 || strcmp(n, "execveat") == 0;
	int answer;
	json_t *rec = NULL;
	if (is_exec) {
		/* Until the job's own execve, only spxbox's code runs in there. */
		bool first = *execs == 0;
		answer = first || s->allow_exec ? 0 : EPERM;
		/* A refused exec is a denial like any other, capped alike. */
		if (answer == 0 || denial_recordable(s, c, n))
			exec_audit_record(c->execs, s->notify_fd, req, n, first, answer,
					  job_pid(req->pid));
		if (answer == 0)
			(*execs)++;
	} else if (strcmp(n, "setgroups") == 0 && same_groups(s, req)) {
		answer = ANSWER_DONE;
	} else {
		bool forking = strcmp(n, "fork") == 0 || strcmp(n, "vfork") == 0 ||
			       strcmp(n, "clone") == 0;
		/* ENOSYS lets libc fall back to a popular path where it has one;
		 * a policy file may name another errno. */
		bool ids = strncmp(n, "set", 3) == 0 && strstr(n, "id") != NULL;
		answer = forking || ids || strcmp(n, "setgroups") == 0 ? EPERM : ENOSYS;
		const struct policy_rule *pr =
			s->custom ? policy_find(s->custom, (int)req->data.nr) : NULL;
		if (pr != NULL && pr->errno_value != 0)
			answer = pr->errno_value;
		if (denial_recordable(s, c, n))
			rec = json_pack("{s:s, s:I, s:s, s:i, s:o}", "op", "denied", "pid",
					job_pid(req->pid), "syscall", n, "nr", req->data.nr, "args",
					args_json(req));
	}
	if (rec != NULL)
		json_object_set_new(rec, "result", json_string(record_result(answer)));
	supervise_record(s->log, rec);
	free(name);
	return answer;
}

static void answer_one(struct supervisor *s, struct counts *c, int *execs)
{
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	if (seccomp_notify_alloc(&req, &resp) != 0)
		return;
	if (seccomp_notify_receive(s->notify_fd, req) == 0) {
		int err = decide(s, c, req, execs);
		resp->id = req->id;
		resp->val = 0;
		resp->error = err > 0 ? -err : 0;
		resp->flags = err == 0 ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
		/* ENOENT: the caller died meanwhile; nothing to answer. */
		(void)seccomp_notify_respond(s->notify_fd, resp);
	}
	seccomp_notify_free(req, resp);
}

static int make_timer(double seconds)
{
	if (seconds <= 0)
		return -1;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (fd < 0)
		return -1;
	struct itimerspec its = {0};
	its.it_value.tv_sec = (time_t)seconds;
	its.it_value.tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int supervise_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	for (int i = 0; box_passed_signals[i]; i++)
		sigaddset(&set, box_passed_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

/* One signal read from sig_fd goes to the job, and into the log. */
static void pass_signal(struct supervisor *s)
{
	struct signalfd_siginfo si;
	if (read(s->sig_fd, &si, sizeof(si)) != sizeof(si))
		return;
	(void)kill(s->child, (int)si.ssi_signo);
	supervise_record(s->log, json_pack("{s:s, s:i, s:I}", "op", "signal", "signal",
					   (int)si.ssi_signo, "from_pid", (json_int_t)si.ssi_pid));
}

bool supervise_wait_start(struct supervisor *s, int gate_fd)
{
	for (;;) {
		struct pollfd p[3] = {
			{.fd = gate_fd, .events = POLLIN},
			{.fd = s->sig_fd, .events = POLLIN},
			{.fd = s->sock, .events = 0}, /* hang-up: the job is gone */
		};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (p[1].revents & POLLIN) {
			pass_signal(s);
			return false;
		}
		if (p[2].revents & (POLLHUP | POLLERR))
			return false;
		char b;
		if ((p[0].revents & POLLIN) && read(gate_fd, &b, 1) == 1)
			return channel_send(s->sock, MSG_START, NULL, 0, -1) == 0;
	}
}

int supervise_run(struct supervisor *s)
{
	int pidfd = (int)syscall(SYS_pidfd_open, s->child, 0);
	if (pidfd < 0)
		return -errno;
	int timer = make_timer(s->time_limit);
	struct counts c = {.per_call = json_object(), .execs = exec_audit_new(s->log, s->view)};
	if (c.execs == NULL) {
		json_decref(c.per_call);
		close(pidfd);
		if (timer >= 0)
			close(timer);
		return -ENOMEM;
	}
	int execs = 0;
	bool done = false;
	while (!done) {
		struct pollfd p[5] = {
			{.fd = pidfd, .events = POLLIN},
			{.fd = s->notify_fd, .events = POLLIN},
			{.fd = s->sock, .events = POLLIN},
			{.fd = timer, .events = POLLIN},
			{.fd = s->sig_fd, .events = POLLIN},
		};
		if (poll(p, 5, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN)
			answer_one(s, &c, &execs);
		if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL))
			s->notify_fd = -1; /* poll ignores negative fds */
		if (p[2].revents & POLLIN) {
			char buf[64];
			size_t len;
			int fd;
			int type = channel_recv(s->sock, buf, sizeof(buf), &len, &fd);
			if (fd >= 0)
				close(fd);
			if (type == MSG_EXEC_ERRNO)
				s->exec_errno = atoi(buf);
			if (type <= 0)
				s->sock = -1; /* exec closed it: the job runs */
		} else if (p[2].revents & (POLLHUP | POLLERR)) {
			s->sock = -1;
		}
		if (p[3].revents & POLLIN) {
			s->timed_out = true;
			kill(s->child, SIGKILL); /* pid 1 of its namespace: all of it */
			close(timer);
			timer = -1;
			supervise_record(s->log, json_pack("{s:s, s:s, s:f}", "op", "limit", "limit",
							   "time", "seconds", s->time_limit));
		}
		if (p[4].revents & POLLIN)
			pass_signal(s);
		if (p[0].revents & POLLIN)
			done = true;
	}
	int r = 0;
	if (waitpid(s->child, &s->wait_status, 0) < 0)
		r = -errno;
	if (s->unrecorded > 0)
		supervise_record(s->log, json_pack("{s:s, s:I, s:I}", "op", "denials_unrecorded",
						   "count", (json_int_t)s->unrecorded, "denials",
						   (json_int_t)s->denials));
	exec_audit_free(c.execs);
	json_decref(c.per_call);
	close(pidfd);
	if (timer >= 0)
		close(timer);
	return r;
}
