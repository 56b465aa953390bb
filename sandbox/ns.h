/*
 * ns: the job's namespaces and the ids it has in them.
 *
 * New user, mount, PID, IPC, UTS and cgroup namespaces, and network unless
 * --net. Unprivileged, the caller's uid and gid map to themselves (the
 * job runs as the caller). Started by root, uid 0 maps to 0 so that the
 * setup can open /dev/fuse, and the job's uid (nobody by default) to
 * itself; the job drops to it before it runs.
 */
#ifndef SPX_BOX_NS_H
#define SPX_BOX_NS_H

#include <stdbool.h>
#include <sys/types.h>

/* fork-like: the child's pid in the parent, 0 in the child, -errno. */
pid_t ns_clone(bool net);

/* Writes the child's uid_map, setgroups and gid_map. 0 or -errno. */
int ns_write_maps(pid_t child, bool as_root, uid_t job_uid, gid_t job_gid);

#endif
