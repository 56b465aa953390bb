/* The staging directory must not outlive spxbox, also when spxbox is
 * killed (a harness's timeout sends SIGKILL). So spxbox forks this
 * cleaner before the job starts: holding no capability, under a filter of
 * four calls, it waits for spxbox to finish, or to die, and removes the
 * staging directories. It costs a fork (~2.5 ms of start-up here). */
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
