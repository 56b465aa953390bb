/*
 * child: what the sandboxed child does, in order, between clone and the
 * job's execve. Every step that fails is reported to the supervisor over
 * the channel, and the child exits 125.
 */
#ifndef SPX_BOX_CHILD_H
#define SPX_BOX_CHILD_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "options.h"

struct policy;

struct child_plan {
	const struct box_options *o;
	int sock;	      /* the channel to the supervisor */
	const char *mnt;      /* staging mountpoint for the spxfs root */
	const char *fs_mount; /* --fs: bind this running spxfs mount instead */
	dev_t fs_dev;	      /* --fs: the mount spxbox checked: its device */
	ino_t fs_ino;	      /* and its root's inode */
	bool etc_placeholder; /* ROOT has no /etc: --system may mount one */
	bool as_root;	      /* spxbox runs as root (setgroups allowed) */
	bool premounted;      /* fusermount3 mounted the spxfs root at mnt already */
	uid_t job_uid;
	gid_t job_gid;
	const gid_t *groups; /* the job's supplementary groups (root only) */
	int ngroups;
	const struct policy *custom; /* --seccomp-policy, or NULL */
	struct rlimit nofile;	     /* the caller's open-file limit */
	bool gated;		     /* wait for MSG_START before the execve */
};

_Noreturn void child_run(const struct child_plan *p);

/* The signals spxbox passes on to the job, through the namespace's init,
 * rather than dying of them (0-terminated): a container engine stops with
 * SIGTERM and expects the job's exit, and the log's end, to follow. */
extern const int box_passed_signals[];

#endif
