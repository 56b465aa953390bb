#include "job_ids.h"

#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

/* The groups the passwd and group databases give uid; false when it has
 * no passwd entry. */
static bool user_groups(uid_t uid, struct job_ids *out)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) != 0 || found == NULL)
		return false;
	out->gid = pw.pw_gid;
	gid_t all[JOB_MAX_GROUPS + 1];
	int n = JOB_MAX_GROUPS + 1;
	if (getgrouplist(pw.pw_name, pw.pw_gid, all, &n) < 0)
		n = 0; /* more than we keep: the primary group alone */
	out->ngroups = 0;
	for (int i = 0; i < n; i++)
		if (all[i] != pw.pw_gid && out->ngroups < JOB_MAX_GROUPS)
			out->groups[out->ngroups++] = all[i];
	return true;
}

void job_ids_decide(long uid, long gid, bool as_root, bool serves_root,
		    const struct stat *root_st, struct job_ids *out)
{
	memset(out, 0, sizeof(*out));
	if (!as_root) {
		out->uid = uid >= 0 ? (uid_t)uid : getuid();
		out->gid = gid >= 0 ? (gid_t)gid : getgid();
		return;
	}
	if (uid >= 0) {
		out->uid = (uid_t)uid;
		if (!user_groups(out->uid, out))
			out->gid = JOB_NOBODY;
		out->ngroups = 0; /* --uid names a uid, not a user's memberships */
	} else if (root_st->st_uid != 0) {
		out->uid = root_st->st_uid;
		if (!user_groups(out->uid, out))
			out->gid = root_st->st_gid != 0 ? root_st->st_gid : JOB_NOBODY;
	} else {
		out->uid = JOB_NOBODY;
		out->gid = JOB_NOBODY;
		if (serves_root) {
			out->owner_map = true;
			out->host_uid = 0;
			out->host_gid = root_st->st_gid;
		}
	}
	if (gid >= 0) {
		out->gid = (gid_t)gid;
		out->ngroups = 0;
		if (out->owner_map)
			out->host_gid = (gid_t)gid;
	}
}
