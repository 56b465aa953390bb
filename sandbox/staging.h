/* The staging directory /dev/shm/spxbox.XXXXXX (/tmp/... without a
 * writable tmpfs at /dev/shm): mnt/, where the child mounts
 * spxfs, and ph/, the placeholders: empty directories, outside ROOT,
 * that stand in for the mount points the job's view needs and ROOT lacks
 * (spxfs shows them at the top of the mount, fs->placeholders_fd). */
#ifndef SPX_BOX_STAGING_H
#define SPX_BOX_STAGING_H

#include "options.h"

#include <stdbool.h>

struct staging {
	char dir[64];  /* PARENT/spxbox.XXXXXX, removed at the end */
	char mnt[96];  /* where the child mounts spxfs */
	int ph_fd;     /* the placeholders (fs->placeholders_fd) */
	char names[32][32];
	int nnames;
};

/* 0 or -errno. */
int create_staging(struct staging *st);
int make_placeholders(struct staging *st, int root_fd, const struct box_options *o);
bool has_placeholder(const struct staging *st, const char *name);
/* Removes what create_staging and make_placeholders made; closes ph_fd. */
void remove_staging(struct staging *st);

#endif
