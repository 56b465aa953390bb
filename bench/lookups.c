/*
 * lookups DIR N THREADS: THREADS threads each look up N names that do not
 * exist in DIR at once (every name its own, so each is one LOOKUP a FUSE
 * server answers). Prints the milliseconds until the last has finished.
 * Threads, not processes: a spxbox job may not fork.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "now_ms.h"

static const char *dir;
static long n;

static void *look(void *arg)
{
	long t = (long)arg;
	char name[4096];
	for (long i = 0; i < n; i++) {
		struct stat st;
		snprintf(name, sizeof(name), "%s/t%ld-%06ld", dir, t, i);
		if (stat(name, &st) == 0)
			return (void *)1;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	dir = argv[1];
	n = atol(argv[2]);
	long threads = atol(argv[3]);
	if (n <= 0 || threads <= 0 || threads > 64)
		return 2;
	pthread_t tid[64];
	double t0 = now_ms();
	for (long t = 0; t < threads; t++)
		if (pthread_create(&tid[t], NULL, look, (void *)t) != 0)
			return perror("pthread_create"), 1;
	int bad = 0;
	for (long t = 0; t < threads; t++) {
		void *r;
		bad |= pthread_join(tid[t], &r) != 0 || r != NULL;
	}
	printf("%.1f\n", now_ms() - t0);
	return bad;
}
