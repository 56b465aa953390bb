/*
 * many_files DIR N: creates N small files under DIR (1,000 per directory),
 * then stats and reads every one of them back, then removes them all.
 * Through spxfs this walks far more inodes than the daemon may hold
 * descriptors for. Prints the counts; exits 1 on the first failure.
 *
 * many_files --hold DIR N: creates N files and holds them all open at
 * once, then reads each through its descriptor and removes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what, const char *path)
{
	printf("many_files: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

static void name_of(char *buf, size_t len, long i)
{
	snprintf(buf, len, "d%04ld/f%04ld", i / 1000, i % 1000);
}

static int hold(long n)
{
	int *fds = calloc((size_t)n, sizeof(int));
	char path[64];
	if (fds == NULL)
		return 2;
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "h%06ld", i);
		fds[i] = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
		if (fds[i] < 0 || write(fds[i], path, 7) != 7) {
			free(fds);
			return fail("hold", path);
		}
	}
	for (long i = 0; i < n; i++) {
		char buf[8] = {0};
		snprintf(path, sizeof(path), "h%06ld", i);
		if (pread(fds[i], buf, 7, 0) != 7 || memcmp(buf, path, 7) != 0 || close(fds[i]) < 0 ||
		    unlink(path) < 0) {
			free(fds);
			return fail("read held", path);
		}
	}
	free(fds);
	printf("many_files: %ld files held open at once\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--hold") == 0) {
		if (chdir(argv[2]) < 0)
			return fail("chdir", argv[2]);
		return hold(atol(argv[3]));
	}
	if (argc != 3)
		return 2;
	if (chdir(argv[1]) < 0)
		return fail("chdir", argv[1]);
	long n = atol(argv[2]);
	char path[64];
	for (long i = 0; i < n; i++) {
		if (i % 1000 == 0) {
			snprintf(path, sizeof(path), "d%04ld", i / 1000);
			if (mkdir(path, 0755) < 0)
				return fail("mkdir", path);
		}
		name_of(path, sizeof(path), i);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return fail("create", path);
		if (write(fd, path, 8) != 8 || close(fd) < 0)
			return fail("write", path);
	}
	for (long i = 0; i < n; i++) {
		struct stat st;
		name_of(path, sizeof(path), (i * 7919) % n);
		if (stat(path, &st) < 0 || st.st_size != 8)
			return fail("stat", path);
	}
	for (long i = 0; i < n; i += 97) {
		char buf[8];
		name_of(path, sizeof(path), i);
		int fd = open(path, O_RDONLY);
		if (fd < 0 || read(fd, buf, 8) != 8 || memcmp(buf, path, 8) != 0)
			return fail("read", path);
		close(fd);
	}
	for (long i = 0; i < n; i++) {
		name_of(path, sizeof(path), i);
		if (unlink(path) < 0)
			return fail("unlink", path);
		if (i % 1000 == 999 || i == n - 1) {
			snprintf(path, sizeof(path), "d%04ld", i / 1000);
			if (rmdir(path) < 0)
				return fail("rmdir", path);
		}
	}
	printf("many_files: %ld files created, stat'ed, read and removed\n", n);
	return 0;
}
