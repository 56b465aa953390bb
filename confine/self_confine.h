/* How spxfs (once mounted) and spxbox's supervisor (once the job runs)
 * give up what they no longer need, in this order: capabilities but the
 * file-serving ones (and no_new_privs), Landlock to the grants, then the
 * seccomp allowlist. Capabilities and Landlock hold per thread: call this
 * before starting threads. */
#ifndef SPX_SELF_CONFINE_H
#define SPX_SELF_CONFINE_H

#include "landlock.h"

#include <stdbool.h>
#include <stddef.h>

/* 0, or -1 with err saying which step failed and why. A kernel without
 * Landlock is not a failure: one notice line goes to stderr. With n == 0
 * Landlock is left to self_confine_files. */
int self_confine(const char *program, const struct landlock_grant *grants, size_t n,
		 bool supervisor, char *err, size_t errlen);

/* Landlock alone, for the calling thread and the threads it starts:
 * spxbox's file-serving thread, whose process must keep reading the
 * job's memory (which Landlock would forbid). Same returns. */
int self_confine_files(const char *program, const struct landlock_grant *grants, size_t n,
		       char *err, size_t errlen);

#endif
