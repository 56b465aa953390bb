#include "mount_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fsconfig_str(int fs, const char *key, const char *value)
{
	unsigned cmd = value != NULL ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG;
	return syscall(SYS_fsconfig, fs, cmd, key, value, 0) < 0 ? -errno : 0;
}

/* One -o option: a mount attribute, fsname/subtype, or a kernel option. */
static int apply_opt(int fs, char *opt, unsigned *attrs, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		unsigned attr;
	} attr_opts[] = {{"ro", MOUNT_ATTR_RDONLY},   {"nosuid", MOUNT_ATTR_NOSUID},
			 {"nodev", MOUNT_ATTR_NODEV}, {"noexec", MOUNT_ATTR_NOEXEC},
			 {"noatime", MOUNT_ATTR_NOATIME}};
	for (size_t i = 0; i < sizeof(attr_opts) / sizeof(attr_opts[0]); i++)
		if (strcmp(opt, attr_opts[i].name) == 0) {
			*attrs |= attr_opts[i].attr;
			return 0;
		}
	if (strcmp(opt, "rw") == 0 || strcmp(opt, "suid") == 0 || strcmp(opt, "dev") == 0 ||
	    strcmp(opt, "exec") == 0)
		return 0; /* the defaults spxfs keeps anyway: nosuid, nodev */
	char *eq = strchr(opt, '=');
	if (eq != NULL)
		*eq++ = '\0';
	const char *key = strcmp(opt, "fsname") == 0 ? "source" : opt;
	int r = fsconfig_str(fs, key, eq);
	if (r < 0)
		(void)snprintf(err, errlen, "invalid mount option '%s': %s", opt, strerror(-r));
	return r;
}

static int configure(int fs, int fuse_fd, const char *opts, unsigned *attrs, char *err,
		     size_t errlen)
{
	char num[16];
	(void)snprintf(num, sizeof(num), "%d", fuse_fd);
	int r = fsconfig_str(fs, "fd", num);
	if (r == 0)
		r = fsconfig_str(fs, "rootmode", "40000");
	if (r == 0)
		r = fsconfig_str(fs, "user_id", "0");
	if (r == 0)
		r = fsconfig_str(fs, "group_id", "0");
	if (r < 0) {
		(void)snprintf(err, errlen, "configuring the FUSE mount: %s", strerror(-r));
		return r;
	}
	char copy[1200];
	if ((size_t)snprintf(copy, sizeof(copy), "%s", opts) >= sizeof(copy)) {
		(void)snprintf(err, errlen, "mount options too long");
		return -E2BIG;
	}
	char *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o != NULL; o = strtok_r(NULL, ",", &save))
		if ((r = apply_opt(fs, o, attrs, err, errlen)) < 0)
			return r;
	r = (int)syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ? -errno : 0;
	if (r < 0)
		(void)snprintf(err, errlen, "creating the FUSE mount: %s", strerror(-r));
	return r;
}

int mount_fd_fuse(int mnt_fd, const char *opts, int *fuse_fd, char *err, size_t errlen)
{
	*fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (*fuse_fd < 0) {
		int e = errno;
		(void)snprintf(err, errlen, "cannot open /dev/fuse: %s", strerror(e));
		return -e;
	}
	int fs = (int)syscall(SYS_fsopen, "fuse", FSOPEN_CLOEXEC);
	if (fs < 0) {
		int e = errno;
		(void)snprintf(err, errlen, "fsopen(fuse): %s", strerror(e));
		close(*fuse_fd);
		return -e;
	}
	unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	int r = configure(fs, *fuse_fd, opts, &attrs, err, errlen);
	int mfd = -1;
	if (r == 0) {
		mfd = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs);
		if (mfd < 0) {
			r = -errno;
			(void)snprintf(err, errlen, "fsmount: %s", strerror(-r));
		}
	}
	close(fs);
	if (r == 0 && syscall(SYS_move_mount, mfd, "", mnt_fd, "",
			      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		r = -errno;
		(void)snprintf(err, errlen, "attaching the mount: %s", strerror(-r));
	}
	if (r < 0) {
		if (mfd >= 0)
			close(mfd);
		close(*fuse_fd);
		*fuse_fd = -1;
		return r;
	}
	return mfd;
}
