/*
 * seccomp: the job's system-call allowlist (libseccomp), the popular paths
 * of the kernel. docs/syscalls.md lists each call with its reason.
 *
 * Allowed calls run; calls allowed only with certain arguments (clone with
 * CLONE_THREAD, AF_UNIX sockets, a few ioctls, prctls and personality
 * queries) run when the arguments fit; clone3 fails with ENOSYS so that
 * libc falls back to clone; every other call of the native ABI is sent to
 * the supervisor (a user notification), which records it and answers:
 * the job's one execve runs, everything else is denied. Calls of another
 * ABI (i386, x32) fail with ENOSYS.
 */
#ifndef SPX_BOX_FILTER_H
#define SPX_BOX_FILTER_H

#include <stdbool.h>
#include <stddef.h>

struct policy;

struct seccomp_policy {
	bool allow_fork;
	bool net;
	const struct policy *custom; /* --seccomp-policy, or NULL */
	unsigned uid, gid;	     /* the job's own ids: set*id to them runs */
};

/* Loads the filter into the calling thread; returns the notification fd
 * or -errno. */
int seccomp_install(const struct seccomp_policy *p);

/* One allowed call: name, and why (for docs/syscalls.md and --list). */
struct seccomp_entry {
	const char *name;
	const char *why;
	const char *args; /* NULL: any arguments */
	bool kept;	  /* no corpus program makes it: kept for why */
};
extern const struct seccomp_entry seccomp_allowlist[];
size_t seccomp_allowlist_len(void);

#endif
