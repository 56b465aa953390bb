/*
 * caps: the job's privileges, dropped for good before it starts.
 * Every capability (effective, permitted, inheritable, ambient and the
 * bounding set) goes; the job's ids become job_uid/job_gid; no_new_privs
 * keeps it so across exec.
 */
#ifndef SPX_BOX_CAPS_H
#define SPX_BOX_CAPS_H

#include <stdbool.h>
#include <sys/types.h>

/* 0, or -errno with *what naming the step. */
int caps_drop_all(uid_t job_uid, gid_t job_gid, bool may_setgroups, const char **what);

#endif
