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
/* groups: the job's supplementary groups, set when may_setgroups (root);
 * unprivileged, the caller's stay (its user namespace cannot change them). */
int caps_drop_all(uid_t job_uid, gid_t job_gid, const gid_t *groups, int ngroups,
		  bool may_setgroups, const char **what);

/* The setup child (kuid 0 when spxbox runs as root) becomes the job's
 * uid and gid before it touches the job's view, keeping in its own user
 * namespace only CAP_SYS_ADMIN (mounts, pivot_root, the hostname),
 * CAP_SETUID/CAP_SETGID and CAP_SETPCAP (dropping the bounding set later,
 * caps_drop_all): nothing it does through ROOT's names can then
 * reach further on the host than the job itself could. 0 or -errno. */
int caps_setup_identity(uid_t uid, gid_t gid, const char **what);

#endif
