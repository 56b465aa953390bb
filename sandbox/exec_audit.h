/*
 * exec_audit: the record of an exec the job asks for, made without
 * stalling the supervision loop (whose time limit must keep firing).
 *
 * The path is read from the job's memory, which another of the job's
 * threads can change at any moment. It is read once, made absolute from
 * the job's cwd or execveat's dirfd (their /proc links), and kept only if
 * SECCOMP_IOCTL_NOTIF_ID_VALID still holds afterwards (the memory was the
 * asking thread's). It is what the job asked to run, not proof of what ran:
 *  - a file in ROOT is served by spxfs, whose open of it for the exec
 *    records the SHA-256 of exactly what the kernel reads (an "open"
 *    record with "exec": true);
 *  - a file in a --system or --bind mount, which spxfs does not serve, is
 *    opened (regular files only, without blocking) before the exec goes on
 *    and hashed by a thread of its own, for at most 10 s; the exec record
 *    then carries that hash and is written when it is known.
 */
#ifndef SPX_BOX_EXEC_AUDIT_H
#define SPX_BOX_EXEC_AUDIT_H

#include <linux/seccomp.h>
#include <stdbool.h>

struct audit_writer;

/* Where the job's paths lead on the host: its bind mounts (most specific
 * last) and ROOT for the rest. */
struct job_view {
	int root_fd;
	const char *dst[80];
	const char *src[80];
	int n;
};

struct exec_audit;

/* NULL when its thread cannot start. */
struct exec_audit *exec_audit_new(struct audit_writer *log, const struct job_view *view);

/* Records the exec of req (syscall execve or execveat). answer: the errno
 * it will get, 0 if it runs; first: the job's own start. Call before the
 * notification is answered. */
void exec_audit_record(struct exec_audit *x, int notify_fd, const struct seccomp_notif *req,
		       const char *syscall, bool first, int answer, long long job_pid);

/* Lets the hasher finish (5 s at most) and frees x. */
void exec_audit_free(struct exec_audit *x);

#endif
