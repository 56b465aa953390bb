#include "id_view.h"

void id_view_out(const struct spx_id_view *v, struct stat *st)
{
	if (v->owner_map) {
		if (st->st_uid == v->host_uid)
			st->st_uid = v->job_uid;
		if (st->st_gid == v->host_gid)
			st->st_gid = v->job_gid;
	}
}

uid_t id_view_uid_in(const struct spx_id_view *v, uid_t uid)
{
	return v->owner_map && uid == v->job_uid ? v->host_uid : uid;
}

gid_t id_view_gid_in(const struct spx_id_view *v, gid_t gid)
{
	return v->owner_map && gid == v->job_gid ? v->host_gid : gid;
}
