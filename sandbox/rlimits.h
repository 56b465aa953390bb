/* rlimits: the job's resource limits (setrlimit) from the options. */
#ifndef SPX_BOX_RLIMITS_H
#define SPX_BOX_RLIMITS_H

#include "options.h"

/* 0, or -errno with *what naming the limit. */
int limits_apply(const struct box_options *o, const char **what);

#endif
