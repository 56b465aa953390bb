#include "caps.h"

#include <errno.h>
#include <grp.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

int caps_drop_all(uid_t job_uid, gid_t job_gid, bool may_setgroups, const char **what)
{
	/* The bounding set first: dropping it needs CAP_SETPCAP. */
	*what = "dropping the capability bounding set";
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (cap_drop_bound(c) < 0 && errno != EINVAL)
			return -errno;
	*what = "clearing ambient capabilities";
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return -errno;
	*what = "dropping supplementary groups";
	if (may_setgroups && setgroups(0, NULL) < 0)
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
