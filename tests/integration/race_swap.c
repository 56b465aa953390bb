/*
 * race_swap ROOT MNT SECRETDIR ITERATIONS
 *
 * ROOT/d is a directory of files f0..fN-1 holding "public"; SECRETDIR holds
 * the same names holding "SECRET"; ROOT/link is a symlink to SECRETDIR.
 * A host thread swaps ROOT/d and ROOT/link with renameat2(RENAME_EXCHANGE)
 * as fast as it can, while this thread, through the mount, (a) holds MNT/d
 * open and looks up fresh names in it and (b) walks MNT/d/fI from the
 * mount's top, both refusing symlinks in their own walk
 * (RESOLVE_NO_SYMLINKS). Any read of "SECRET" is an escape.
 *
 * Prints the counts and exits 1 on any secret read, 0 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_int stop;
static int root_fd;
static long swaps;

static void *swapper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		if (renameat2(root_fd, "d", root_fd, "link", RENAME_EXCHANGE) == 0)
			swaps++;
	}
	/* Leave ROOT as it was found: d the directory, link the symlink. */
	if (swaps % 2 == 1 && renameat2(root_fd, "d", root_fd, "link", RENAME_EXCHANGE) == 0)
		swaps++;
	return NULL;
}

static int open_no_symlinks(int dirfd, const char *path)
{
	struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_NO_SYMLINKS};
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* 1 secret, 0 public, -1 no read */
static int read_one(int dirfd, const char *path)
{
	int fd = open_no_symlinks(dirfd, path);
	if (fd < 0)
		return -1;
	char buf[16] = {0};
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	return strncmp(buf, "SECRET", 6) == 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: race_swap ROOT MNT SECRETDIR ITERATIONS\n");
		return 2;
	}
	long n = atol(argv[4]);
	root_fd = open(argv[1], O_PATH | O_DIRECTORY);
	int mnt_fd = open(argv[2], O_PATH | O_DIRECTORY);
	struct open_how dir_how = {.flags = O_RDONLY | O_DIRECTORY, .resolve = RESOLVE_NO_SYMLINKS};
	int held = (int)syscall(SYS_openat2, mnt_fd, "d", &dir_how, sizeof(dir_how));
	if (root_fd < 0 || mnt_fd < 0 || held < 0) {
		perror("race_swap: open");
		return 2;
	}
	long secret = 0, public = 0, failed = 0;
	pthread_t t;
	if (pthread_create(&t, NULL, swapper, NULL) != 0)
		return 2;
	char name[64];
	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%ld", i);
		int r = read_one(held, name);
		snprintf(name, sizeof(name), "d/f%ld", (i * 7919) % n);
		int w = read_one(mnt_fd, name);
		for (int k = 0; k < 2; k++) {
			int v = k ? w : r;
			if (v == 1)
				secret++;
			else if (v == 0)
				public++;
			else
				failed++;
		}
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("race_swap: %ld swaps, %ld public reads, %ld refused, %ld SECRET reads\n", swaps,
	       public, failed, secret);
	return secret == 0 && public > 0 && swaps > 0 ? 0 : 1;
}
