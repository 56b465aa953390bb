/* The bench helpers' clock: CLOCK_MONOTONIC in milliseconds. */
#ifndef SPX_BENCH_NOW_MS_H
#define SPX_BENCH_NOW_MS_H

#include <time.h>

static inline double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

#endif
