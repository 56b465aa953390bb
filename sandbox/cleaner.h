/* Once the job runs, spxbox's supervisor confines itself (self_confine.h),
 * and Landlock then forbids it to remove the staging directory from /tmp.
 * So spxbox forks this cleaner first: holding no capability and a filter
 * of three calls, it waits for spxbox to finish, or to die, and removes
 * the staging directories. */
#ifndef SPX_BOX_CLEANER_H
#define SPX_BOX_CLEANER_H

#include "staging.h"

#include <sys/types.h>

struct cleaner {
	pid_t pid;
	int sock; /* ours; its EOF tells the cleaner to clean */
};

/* 0 or -errno. */
int cleaner_start(struct cleaner *c, struct staging *st);
/* Has the staging directories removed and waits until they are. */
void cleaner_finish(struct cleaner *c);

#endif
