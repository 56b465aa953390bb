/*
 * seqread FILE PASSES: reads FILE from start to end PASSES times in 1 MiB
 * reads and prints the milliseconds of each pass on one line. The caller
 * drops the caches before it, so the first pass is cold and the next ones
 * come from the page cache (where the filesystem keeps it across opens,
 * or within one open as here).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "now_ms.h"

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	static char buf[1 << 20];
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return perror(argv[1]), 1;
	for (long p = 0; p < atol(argv[2]); p++) {
		double t0 = now_ms();
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		if (n < 0 || lseek(fd, 0, SEEK_SET) < 0)
			return perror(argv[1]), 1;
		printf("%s%.1f", p ? " " : "", now_ms() - t0);
	}
	printf("\n");
	return close(fd) < 0;
}
