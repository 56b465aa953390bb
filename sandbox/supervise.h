/*
 * supervise: the supervisor's side while the job runs. It answers the
 * job's seccomp notifications (the one execve runs; with --allow-exec every
 * exec runs and is recorded with the binary's hash; everything else is
 * denied), records each denial and each refused exec (at most 20 per call
 * and 1,000 in all; the rest are counted), records allowed execs
 * (exec_audit.h), enforces the wall-time limit and waits for the job.
 */
#ifndef SPX_BOX_SUPERVISE_H
#define SPX_BOX_SUPERVISE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "exec_audit.h"

struct audit_writer;
struct policy;


#define SUPERVISE_NAMES 32

struct supervisor {
	pid_t child;
	int sock;      /* channel: an exec failure arrives here */
	int notify_fd; /* seccomp user notifications */
	struct audit_writer *log; /* may be NULL */
	bool allow_exec;
	const struct job_view *view;
	const struct policy *custom; /* errnos of --seccomp-policy, or NULL */
	double time_limit; /* seconds, 0: none */
	int sig_fd;	   /* signalfd of box_passed_signals, or -1 */
	/* the supplementary groups as the job sees them: a setgroups to
	 * exactly these changes nothing and succeeds; any other is refused */
	const gid_t *groups;
	int ngroups;
	/* results */
	int wait_status;
	bool timed_out;
	int exec_errno; /* the job's execve failed with this, 0 if not */
	uint64_t denials, unrecorded;
	/* refusals per call, for the line spxbox prints at the end; calls
	 * past SUPERVISE_NAMES distinct names are counted in refused_other */
	struct {
		char name[32];
		uint64_t n;
	} refused[SUPERVISE_NAMES];
	int nrefused;
	uint64_t refused_other;
};

/* Blocks box_passed_signals (child.h) in the calling thread (and every
 * thread and process it starts after) and returns a signalfd for them, or
 * -errno. */
int supervise_signals(void);

/* A created job (spxbox --start-fifo) waits in its last step before the
 * execve: a byte on gate_fd lets it run (true); a signal first is passed
 * on, and the job ends without running (false). */
bool supervise_wait_start(struct supervisor *s, int gate_fd);

/* Runs until the job has exited; 0 or -errno. */
int supervise_run(struct supervisor *s);

/* "refused 3 system calls: creat (1), fchown (2)", the most refused
 * first, into out; false when nothing was refused. */
bool supervise_refusals(const struct supervisor *s, char *out, size_t len);

/* Appends a sandbox event to the log (reference stolen); no-op without a
 * log. */
void supervise_record(struct audit_writer *log, json_t *rec);

#endif
