#include "caps_keep.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/prctl.h>

/* CAP_SETUID and CAP_SETGID serve setfsuid/setfsgid alone (as_caller.c):
 * the daemons' filter allows no other call that changes ids. */
const cap_value_t caps_file_server[] = {CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
					CAP_FOWNER, CAP_FSETID,	      CAP_SETGID,
					CAP_SETUID};
const size_t caps_file_server_len = sizeof(caps_file_server) / sizeof(caps_file_server[0]);

static bool kept(cap_value_t c, const cap_value_t *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == c)
			return true;
	return false;
}

int caps_keep_only(const cap_value_t *keep, size_t n, const char **what)
{
	*what = "reading capabilities";
	cap_t now = cap_get_proc();
	if (now == NULL)
		return -errno;
	cap_flag_value_t setpcap = CAP_CLEAR;
	(void)cap_get_flag(now, CAP_SETPCAP, CAP_EFFECTIVE, &setpcap);
	/* The bounding set first, while CAP_SETPCAP is still ours. Without
	 * it (an unprivileged daemon) there is nothing to bound: no exec. */
	*what = "dropping the capability bounding set";
	for (cap_value_t c = 0; setpcap == CAP_SET && c <= CAP_LAST_CAP; c++)
		if (!kept(c, keep, n) && cap_drop_bound(c) < 0 && errno != EINVAL) {
			int e = errno;
			cap_free(now);
			return -e;
		}
	*what = "clearing ambient capabilities";
	if (cap_reset_ambient() < 0 && errno != EINVAL) {
		int e = errno;
		cap_free(now);
		return -e;
	}
	*what = "dropping capabilities";
	cap_t next = cap_init();
	int r = next == NULL ? -1 : 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		cap_flag_value_t have = CAP_CLEAR;
		if (cap_get_flag(now, keep[i], CAP_PERMITTED, &have) == 0 && have == CAP_SET)
			r = cap_set_flag(next, CAP_EFFECTIVE, 1, &keep[i], CAP_SET) |
			    cap_set_flag(next, CAP_PERMITTED, 1, &keep[i], CAP_SET);
	}
	if (r == 0)
		r = cap_set_proc(next);
	int e = errno;
	cap_free(now);
	cap_free(next);
	if (r != 0)
		return -e;
	*what = "setting no_new_privs";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}
