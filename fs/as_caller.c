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

/* The kernel cleared the filesystem capabilities from this thread's
 * effective set when fsuid left 0: raise the permitted ones again (capset
 * with pid 0 acts on the calling thread only). */
static int raise_permitted(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		d[i].effective = d[i].permitted;
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

int as_caller_begin(fuse_req_t req, enum as_caller_checks checks)
{
	if (!spx_fs_of(req)->can_chown)
		return 0;
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	(void)setfsgid(ctx->gid);
	(void)setfsuid(ctx->uid);
	int r = fsuid_is(ctx->uid) && fsgid_is(ctx->gid) ? 0 : -EPERM;
	if (r == 0 && checks == AS_CALLER_TRUSTED && ctx->uid != 0)
		r = raise_permitted();
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
}
