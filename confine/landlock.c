#include "landlock.h"

#include <errno.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Debian 12's kernel headers stop at ABI 2; the kernel may be newer. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define NET_BIND_TCP (1ULL << 0)
#define NET_CONNECT_TCP (1ULL << 1)
#define SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)

/* The ruleset attribute as of ABI 6; older kernels take a prefix. */
struct ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define FILE_RIGHTS                                                                  \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                 \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |                 \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

uint64_t landlock_dir_rw(void)
{
	return LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
	       LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR |
	       LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |
	       LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	       LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM |
	       LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE;
}

uint64_t landlock_dir_ro(void)
{
	return LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
}

/* Every filesystem right the given ABI knows: all of them are denied
 * unless granted. */
static uint64_t handled_fs(int abi)
{
	uint64_t all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
	if (abi >= 2)
		all |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		all |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return all;
}

int landlock_confine(const struct landlock_grant *grants, size_t n, char *notice,
		     size_t notice_len)
{
	int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
			       LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		snprintf(notice, notice_len, "this kernel has no Landlock (%s); "
			 "file access is confined by openat2 alone", strerror(errno));
		return 0;
	}
	/* TCP is denied outright where the kernel can (ABI 4); the seccomp
	 * filter refuses sockets anyway. */
	struct ruleset_attr attr = {
		.handled_access_fs = handled_fs(abi),
		.handled_access_net = abi >= 4 ? NET_BIND_TCP | NET_CONNECT_TCP : 0,
		.scoped = abi >= 6 ? SCOPE_ABSTRACT_UNIX_SOCKET : 0,
	};
	size_t size = abi >= 6 ? sizeof(attr) : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
	int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (rs < 0)
		return -errno;
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		struct stat sb;
		struct landlock_path_beneath_attr rule = {
			.allowed_access = grants[i].access & attr.handled_access_fs,
			.parent_fd = grants[i].fd,
		};
		/* a file takes only the rights that apply to files */
		if (fstat(grants[i].fd, &sb) < 0)
			r = -errno;
		else if (!S_ISDIR(sb.st_mode))
			rule.allowed_access &= FILE_RIGHTS;
		if (r == 0 && syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &rule,
				      0) < 0)
			r = -errno;
	}
	if (r == 0 && syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		r = -errno;
	close(rs);
	return r < 0 ? r : abi;
}
