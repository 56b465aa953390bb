/*
 * as_caller: a root spxfs makes each new object as the caller of the
 * request, so the object is born owned by the caller (and by a setgid
 * parent's group, as natively) and is never chowned afterwards. A chown
 * after the fact acts on a name, which a host process can swap for a link
 * to someone else's file between the create and the chown; and a hard
 * link "created" by a request is an existing file that must keep its
 * owner.
 *
 * The switch is the calling thread's fsuid and fsgid (setfsuid(2),
 * per thread in Linux); the kernel drops the filesystem capabilities from
 * the effective set when fsuid leaves 0 and gives them back when it
 * returns. Unprivileged spxfs (everything belongs to its user) does
 * nothing here.
 */
#ifndef SPX_AS_CALLER_H
#define SPX_AS_CALLER_H

#include <stdbool.h>

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

/* How the host checks permission while acting as the caller. */
enum as_caller_checks {
	/* the kernel has already checked the caller's permission on the
	 * mount (default_permissions), with all its groups: keep
	 * CAP_DAC_OVERRIDE so that a group the daemon does not have cannot
	 * refuse what the kernel allowed */
	AS_CALLER_TRUSTED,
	/* the host checks as the caller's uid and gid alone: for an object
	 * the request did not expect to find (create meeting an existing
	 * name), which the kernel never checked */
	AS_CALLER_HOST_CHECKS,
};

/* Acts as req's caller on this thread until as_caller_end: 0 or -errno
 * (then nothing changed). No-op when the daemon cannot change ids. */
int as_caller_begin(fuse_req_t req, enum as_caller_checks checks);
void as_caller_end(fuse_req_t req);

#endif
