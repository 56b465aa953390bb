/* What a change of a file's data does to its setuid and setgid bits. */
#include "audit.h"
#include "notify.h"
#include "spxfs.h"

#include <errno.h>
#include <jansson.h>
#include <sys/stat.h>

/* The kernel clears these bits only for a writer without CAP_FSETID;
 * spxfs clears them for every writer, since it never sets them itself.
 * Only a file placed in ROOT from the host has them. */
int spx_kill_privs(fuse_req_t req, struct spx_inode *in, int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return errno;
	mode_t kill = S_ISUID | ((st.st_mode & S_IXGRP) ? S_ISGID : 0);
	if (!S_ISREG(st.st_mode) || (st.st_mode & kill) == 0)
		return 0;
	mode_t mode = st.st_mode & 07777 & ~kill;
	/* An unprivileged spxfs may not own the file; its write clears the
	 * bits then, as it has no CAP_FSETID. */
	if (fchmod(fd, mode) < 0)
		return errno == EPERM ? 0 : errno;
	/* the kernel asked nothing and keeps the mode it cached */
	struct spx_fs *fs = spx_fs_of(req);
	notifier_inval_attr(fs->notifier, inode_table_nodeid(fs->table, in));
	return spx_audit_name(req, "chmod", in, NULL, 0,
	                      json_pack("{s:I}", "mode", (json_int_t)mode));
}
