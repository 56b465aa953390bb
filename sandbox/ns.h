/*
 * ns: the job's namespaces and the ids it has in them.
 *
 * New user, mount, PID, IPC, UTS and cgroup namespaces, and network unless
 * --net. Unprivileged, the caller's uid and gid map to themselves (the
 * job runs as the caller). Started by root, every id maps to itself, so
 * that the job sees (and the kernel checks) each file's true owner and
 * group; the job drops to its ids (job_ids.h) before it runs.
 */
#ifndef SPX_BOX_NS_H
#define SPX_BOX_NS_H

#include <stdbool.h>
#include <sys/types.h>

/* fork-like: the child's pid in the parent, 0 in the child, -errno. */
pid_t ns_clone(bool net);

/* Writes the child's uid_map, setgroups and gid_map. 0 or -errno. */
int ns_write_maps(pid_t child, bool as_root);

#endif
