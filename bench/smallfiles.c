/*
 * smallfiles DIR N: times three phases over N empty files in DIR: create
 * (open O_CREAT|O_EXCL + close), stat, unlink. Prints "create_ms stat_ms
 * unlink_ms" on one line.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "now_ms.h"

int main(int argc, char **argv)
{
	if (argc != 3 || chdir(argv[1]) < 0)
		return 2;
	long n = atol(argv[2]);
	char name[32];
	double t0 = now_ms();
	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "s%06ld", i);
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || close(fd) < 0)
			return perror(name), 1;
	}
	double t1 = now_ms();
	for (long i = 0; i < n; i++) {
		struct stat st;
		snprintf(name, sizeof(name), "s%06ld", (i * 7919) % n);
		if (stat(name, &st) < 0)
			return perror(name), 1;
	}
	double t2 = now_ms();
	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "s%06ld", i);
		if (unlink(name) < 0)
			return perror(name), 1;
	}
	double t3 = now_ms();
	printf("%.1f %.1f %.1f\n", t1 - t0, t2 - t1, t3 - t2);
	return 0;
}
