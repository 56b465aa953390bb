/*
 * many_files DIR N: creates N small files under DIR (1,000 per directory),
 * then stats and reads every one of them back, then removes them all.
 * Through spxfs this walks far more inodes than the daemon may hold
 * descriptors for. Prints the counts; exits 1 on the first failure.
 *
 * many_files --create DIR N P: P processes create N empty files between
 * them (1,000 per directory), as fast as they can; nothing else.
 *
 * many_files --hold DIR N [P]: P processes (default 1) create N files
 * between them and hold them all open at once; once every process holds
 * its share, each writes to and reads back every file through its
 * descriptor, then closes and removes them. Half the files are opened
 * with O_TRUNC, half with O_EXCL: a daemon that reopened them with those
 * flags would lose the first write or fail. With MANY_FILES_RELEASE=PATH
 * set, they all stay open until PATH exists.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what, const char *path)
{
	printf("many_files: %s %s: %s\n", what, path, strerror(errno));
	fflush(stdout); /* a child leaves by _exit() */
	return 1;
}

static void name_of(char *buf, size_t len, long i)
{
	snprintf(buf, len, "d%04ld/f%04ld", i / 1000, i % 1000);
}

/* Reaps procs children: 1 when any failed, else 0. */
static int wait_all(int procs)
{
	int bad = 0;
	for (int p = 0; p < procs; p++) {
		int st;
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
	}
	return bad;
}

/* Files [from, to): all open, then (after *go) written and read back. */
static int hold_share(long from, long to, int ready, int go)
{
	long n = to - from;
	int *fds = calloc((size_t)(n ? n : 1), sizeof(int));
	char path[64];
	if (fds == NULL)
		return 2;
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "h%06ld", from + i);
		int excl = (from + i) % 2 ? O_EXCL : O_TRUNC;
		fds[i] = open(path, O_RDWR | O_CREAT | excl, 0644);
		if (fds[i] < 0 || write(fds[i], path, 7) != 7)
			return fail("hold", path);
	}
	char c = 0;
	if (write(ready, "r", 1) != 1 || read(go, &c, 1) < 0)
		return fail("wait for the others", "");
	for (long i = 0; i < n; i++) {
		char buf[15] = {0};
		snprintf(path, sizeof(path), "h%06ld", from + i);
		if (pwrite(fds[i], path, 7, 7) != 7 || pread(fds[i], buf, 14, 0) != 14 ||
		    memcmp(buf, path, 7) != 0 || memcmp(buf + 7, path, 7) != 0 ||
		    close(fds[i]) < 0 || unlink(path) < 0)
			return fail("write and read held", path);
	}
	free(fds);
	return 0;
}

static int hold(long n, int procs)
{
	int ready[2], go[2];
	if (procs < 1 || pipe(ready) < 0 || pipe(go) < 0)
		return 2;
	for (int p = 0; p < procs; p++) {
		pid_t pid = fork();
		if (pid < 0)
			return fail("fork", "");
		if (pid == 0) {
			close(ready[0]);
			close(go[1]);
			_exit(hold_share(n * p / procs, n * (p + 1) / procs, ready[1], go[0]));
		}
	}
	close(ready[1]);
	close(go[0]);
	char c;
	int held = 0;
	while (held < procs && read(ready[0], &c, 1) == 1)
		held++;
	if (held == procs) {
		printf("many_files: %ld files held open at once by %d processes\n", n, procs);
		fflush(stdout);
		/* MANY_FILES_RELEASE=PATH: hold until PATH exists, so that a
		 * test can look at everything while it is open. */
		const char *release = getenv("MANY_FILES_RELEASE");
		while (release != NULL && access(release, F_OK) < 0)
			usleep(10000);
	}
	/* Closing go releases them all; a process that failed has exited. */
	close(go[1]);
	int bad = wait_all(procs) || held != procs;
	if (!bad)
		printf("many_files: %ld files written and read back through their descriptors\n", n);
	return bad;
}

/* Files [from, to) as d<i/1000>/f<i%1000>, each directory made once. */
static int create_share(long from, long to)
{
	char path[64];
	for (long i = from; i < to; i++) {
		if (i % 1000 == 0 || i == from) {
			snprintf(path, sizeof(path), "d%04ld", i / 1000);
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				return fail("mkdir", path);
		}
		name_of(path, sizeof(path), i);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || close(fd) < 0)
			return fail("create", path);
	}
	return 0;
}

static int create(long n, int procs)
{
	if (procs < 1)
		return 2;
	for (int p = 0; p < procs; p++) {
		pid_t pid = fork();
		if (pid < 0)
			return fail("fork", "");
		if (pid == 0)
			_exit(create_share(n * p / procs, n * (p + 1) / procs));
	}
	int bad = wait_all(procs);
	if (!bad)
		printf("many_files: %ld files created by %d processes\n", n, procs);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--create") == 0) {
		if (chdir(argv[2]) < 0)
			return fail("chdir", argv[2]);
		return create(atol(argv[3]), atoi(argv[4]));
	}
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "--hold") == 0) {
		if (chdir(argv[2]) < 0)
			return fail("chdir", argv[2]);
		return hold(atol(argv[3]), argc == 5 ? atoi(argv[4]) : 1);
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
