#include "caps.h"

#include <errno.h>
#include <grp.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

int caps_drop_all(uid_t job_uid, gid_t job_gid, const gid_t *groups, int ngroups,
		  bool may_setgroups, const char **what)
{
	/* The bounding set first: dropping it needs CAP_SETPCAP. */
	*what = "dropping the capability bounding set";
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (cap_drop_bound(c) < 0 && errno != EINVAL)
			return -errno;
	*what = "clearing ambient capabilities";
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return -errno;
	*what = "setting the job's supplementary groups";
	if (may_setgroups && setgroups((size_t)ngroups, groups) < 0)
		return -errno;
	*what = "switching to the job's gid and uid";
	if (setresgid(job_gid, job_gid, job_gid) < 0 || setresuid(job_uid, job_uid, job_uid) < 0)
		return -errno;
	*what = "clearing capabilities";
	cap_t none = cap_init();
	if (none == NULL)
		return -errno;
	int r = cap_set_proc(none);
	int e = errno;
	cap_free(none);
	if (r < 0)
		return -e;
	*what = "setting no_new_privs";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

int caps_setup_identity(uid_t uid, gid_t gid, const char **what)
{
	*what = "dropping the setup's supplementary groups";
	if (setgroups(0, NULL) < 0)
		return -errno;
	/* keep the permitted set across the uid change, then keep only what
	 * assembling the view takes */
	*what = "switching the setup to the job's ids";
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0 || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return -errno;
	*what = "keeping only the setup's capabilities";
	static const cap_value_t keep[] = {CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID, CAP_SETPCAP};
	cap_t c = cap_init();
	if (c == NULL)
		return -errno;
	int r = cap_set_flag(c, CAP_EFFECTIVE, 4, keep, CAP_SET) |
		cap_set_flag(c, CAP_PERMITTED, 4, keep, CAP_SET);
	if (r == 0)
		r = cap_set_proc(c);
	int e = errno;
	cap_free(c);
	return r == 0 ? 0 : -e;
}
