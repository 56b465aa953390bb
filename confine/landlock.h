/* Landlock: the kernel's unprivileged file-access sandbox. A daemon that
 * has opened what it needs gives up every other path on the host. */
#ifndef SPX_LANDLOCK_H
#define SPX_LANDLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Access to everything beneath one directory, or to one file. */
struct landlock_grant {
	int fd;          /* O_PATH is enough */
	uint64_t access; /* LANDLOCK_ACCESS_FS_* bits; see landlock_dir_rw() */
};

/* All rights a daemon serving files needs beneath a directory: no
 * execute, no device nodes. */
uint64_t landlock_dir_rw(void);
/* Read files and list directories. */
uint64_t landlock_dir_ro(void);

/* Restricts the calling thread (and threads and children it creates
 * later) to the grants, at the best Landlock ABI the kernel offers.
 * Returns that ABI (>= 1), 0 when the kernel has no Landlock (notice
 * then says so), or -errno. Needs no_new_privs set first. */
int landlock_confine(const struct landlock_grant *grants, size_t n, char *notice,
		     size_t notice_len);

#endif
