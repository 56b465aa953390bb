#include "as_caller.h"
#include "spxfs.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

/* setfsuid answers the previous fsuid whatever happened: asking again
 * with an impossible id is how to learn whether the switch took. */
static bool fsuid_is(uid_t uid)
{
	return (uid_t)setfsuid((uid_t)-1) == uid;
}

static bool fsgid_is(gid_t gid)
{
	return (gid_t)setfsgid((gid_t)-1) == gid;
}

/* The kernel clears the filesystem capabilities from this thread's
 * effective set when fsuid leaves 0: on raises the permitted ones again
 * (capset with pid 0 acts on the calling thread only). Off is for a thread
 * of fsuid 0 while the host checks a caller that the owner map makes root
 * (id_view.h), as it checks any other caller. */
static int set_effective(bool on)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		d[i].effective = on ? d[i].permitted : 0;
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static _Thread_local bool lowered;

int as_caller_begin(fuse_req_t req, enum as_caller_checks checks)
{
	struct spx_fs *fs = spx_fs_of(req);
	if (!fs->can_chown)
		return 0;
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	uid_t uid = id_view_uid_in(&fs->ids, ctx->uid);
	gid_t gid = id_view_gid_in(&fs->ids, ctx->gid);
	(void)setfsgid(gid);
	(void)setfsuid(uid);
	int r = fsuid_is(uid) && fsgid_is(gid) ? 0 : -EPERM;
	if (r == 0 && checks == AS_CALLER_TRUSTED && uid != 0)
		r = set_effective(true);
	if (r == 0 && checks == AS_CALLER_HOST_CHECKS && uid == 0 && ctx->uid != 0) {
		lowered = true;
		r = set_effective(false);
	}
	if (r < 0)
		as_caller_end(req);
	return r;
}

void as_caller_end(fuse_req_t req)
{
	if (!spx_fs_of(req)->can_chown)
		return;
	/* Back to 0: the kernel restores the effective filesystem
	 * capabilities from the permitted set. */
	(void)setfsuid(0);
	(void)setfsgid(0);
	/* fsuid was 0 all along, with the effective set lowered */
	if (lowered)
		(void)set_effective(true);
	lowered = false;
}
