#include "staging.h"
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* Empty placeholder directories, outside ROOT, for the mount points the
 * job's view needs and ROOT lacks. */
static int add_placeholder(struct staging *st, int root_fd, const char *name)
{
	struct stat sb;
	if (fstatat(root_fd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
		return 0;
	for (int i = 0; i < st->nnames; i++)
		if (strcmp(st->names[i], name) == 0)
			return 0;
	if (st->nnames == 32 || strlen(name) >= sizeof(st->names[0]))
		return -ENAMETOOLONG;
	if (mkdirat(st->ph_fd, name, 0555) < 0)
		return -errno;
	snprintf(st->names[st->nnames++], sizeof(st->names[0]), "%s", name);
	return 0;
}

/* Where the staging directory goes: a tmpfs everyone may write
 * (/dev/shm) when the host has one. On an ext4 /tmp that many jobs churn,
 * each mkdir scans the inode table for recently deleted inodes: the
 * dozen directories of one job's staging cost milliseconds there. */
static const char *staging_parent(void)
{
	struct statfs sf;
	if (statfs("/dev/shm", &sf) == 0 && sf.f_type == TMPFS_MAGIC &&
	    access("/dev/shm", W_OK | X_OK) == 0)
		return "/dev/shm";
	return "/tmp";
}

/* PARENT/spxbox.XXXXXX with mnt/ (the child's mountpoint) and ph/. */
int create_staging(struct staging *st)
{
	snprintf(st->dir, sizeof(st->dir), "%s/spxbox.XXXXXX", staging_parent());
	if (mkdtemp(st->dir) == NULL)
		return -errno;
	snprintf(st->mnt, sizeof(st->mnt), "%s/mnt", st->dir);
	char ph[96];
	snprintf(ph, sizeof(ph), "%s/ph", st->dir);
	if (chmod(st->dir, 0755) < 0 || mkdir(st->mnt, 0755) < 0 || mkdir(ph, 0755) < 0)
		return -errno;
	st->ph_fd = open(ph, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return st->ph_fd < 0 ? -errno : 0;
}

int make_placeholders(struct staging *st, int root_fd, const struct box_options *o)
{
	int r = add_placeholder(st, root_fd, "proc");
	if (r == 0)
		r = add_placeholder(st, root_fd, "dev");
	for (int i = 0; r == 0 && o->system && mounts_system_dirs[i]; i++) {
		char host[64];
		struct stat sb;
		snprintf(host, sizeof(host), "/%s", mounts_system_dirs[i]);
		if (lstat(host, &sb) == 0)
			r = add_placeholder(st, root_fd, mounts_system_dirs[i]);
	}
	if (r == 0 && o->system)
		r = add_placeholder(st, root_fd, "etc");
	for (int i = 0; r == 0 && i < o->nmounts; i++) {
		/* only a top-level name can be stood in for */
		const char *dst = o->mounts[i].dst + 1;
		if (strchr(dst, '/') == NULL && *dst)
			r = add_placeholder(st, root_fd, dst);
	}
	return r;
}

void remove_staging(struct staging *st)
{
	if (st->ph_fd >= 0) {
		for (int i = 0; i < st->nnames; i++)
			(void)unlinkat(st->ph_fd, st->names[i], AT_REMOVEDIR);
		close(st->ph_fd);
	}
	char ph[96];
	snprintf(ph, sizeof(ph), "%s/ph", st->dir);
	(void)rmdir(ph);
	(void)rmdir(st->mnt);
	(void)rmdir(st->dir);
}

bool has_placeholder(const struct staging *st, const char *name)
{
	for (int i = 0; i < st->nnames; i++)
		if (strcmp(st->names[i], name) == 0)
			return true;
	return false;
}
