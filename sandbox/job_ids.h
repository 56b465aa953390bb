/*
 * job_ids: whom the job runs as.
 *
 * Unprivileged, the caller (--uid/--gid may only repeat its ids). Run by
 * root without --uid, the owner of DIR, so that the job can change what
 * DIR's owner can and what it makes belongs to that owner: its uid, the
 * primary group and supplementary groups the passwd and group databases
 * give it (DIR's group when it has no passwd entry). The job is never
 * host root: for a DIR root owns, it runs as nobody (65534:65534) and
 * spxfs shows root's files (and DIR's group's) as the job's and makes
 * the job's files root's (the owner map, fs/id_view.h). --uid and --gid
 * override; with --fs, the serving spxfs makes the files, so there is no
 * owner map and a root-owned DIR's job is plain nobody.
 */
#ifndef SPX_BOX_JOB_IDS_H
#define SPX_BOX_JOB_IDS_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#define JOB_MAX_GROUPS 64
#define JOB_NOBODY 65534

struct job_ids {
	uid_t uid;
	gid_t gid;
	gid_t groups[JOB_MAX_GROUPS]; /* supplementary, besides gid */
	int ngroups;
	bool owner_map; /* the job's files are host_uid:host_gid's */
	uid_t host_uid;
	gid_t host_gid;
};

/* uid, gid: --uid/--gid, or -1. root_st: DIR's attributes. */
void job_ids_decide(long uid, long gid, bool as_root, bool serves_root,
		    const struct stat *root_st, struct job_ids *out);

#endif
