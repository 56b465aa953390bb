/*
 * id_view: the owners a job sees in its attributes, and the owners spxfs
 * gives what the job makes, where the two differ. Plain spxfs shows and
 * makes host ids; only spxbox run as root on a ROOT that root owns sets a
 * view (the owner map): the job never runs as host root, so it runs as
 * job_uid:job_gid and sees host_uid's and host_gid's files as its own;
 * what it makes, and a chown to its own ids, go to the host as
 * host_uid:host_gid.
 */
#ifndef SPX_ID_VIEW_H
#define SPX_ID_VIEW_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

struct spx_id_view {
	bool owner_map;
	uid_t job_uid, host_uid;
	gid_t job_gid, host_gid;
};

/* The attributes as the job sees them. */
void id_view_out(const struct spx_id_view *v, struct stat *st);
/* An id a request carries (its caller, a chown's argument) as the host's. */
uid_t id_view_uid_in(const struct spx_id_view *v, uid_t uid);
gid_t id_view_gid_in(const struct spx_id_view *v, gid_t gid);

#endif
