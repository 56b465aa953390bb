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


struct supervisor {
	pid_t child;
	int sock;      /* channel: an exec failure arrives here */
	int notify_fd; /* seccomp user notifications */
	struct audit_writer *log; /* may be NULL */
	bool allow_exec;
	const struct job_view *view;
	const struct policy *custom; /* errnos of --seccomp-policy, or NULL */
	double time_limit; /* seconds, 0: none */
	/* results */
	int wait_status;
	bool timed_out;
	int exec_errno; /* the job's execve failed with this, 0 if not */
	uint64_t denials, unrecorded;
};

/* Runs until the job has exited; 0 or -errno. */
int supervise_run(struct supervisor *s);

/* Appends a sandbox event to the log (reference stolen); no-op without a
 * log. */
void supervise_record(struct audit_writer *log, json_t *rec);

#endif
