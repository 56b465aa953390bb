/*
 * random_ops DIR SEED COUNT: a model-based stress test. From SEED it draws
 * COUNT operations (create, open+write at random offsets, read, truncate,
 * rename with every flag, link, unlink, mkdir, rmdir, symlink, chmod,
 * utimens, fsync) over a small set of names, so that they collide, and
 * runs them in DIR, printing each call and its outcome. It also keeps up
 * to HELD files open across operations and writes, reads, truncates and
 * stats them through those descriptors, while their names are renamed and
 * removed: through a daemon with few descriptors, their host descriptors
 * are closed and reopened underneath. The same seed run
 * on a native directory and through spxfs must print the same lines and
 * leave the same tree (t_stress.sh compares both).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t state;

/* splitmix64: small, and the same sequence everywhere for a seed */
static uint64_t next(void)
{
	uint64_t z = (state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static unsigned pick(unsigned n)
{
	return (unsigned)(next() % n);
}

static const char *const names[] = {"a", "b", "c", "d/a", "d/b", "d/e/a", "e", "d/e"};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static const char *name(void)
{
	return names[pick(NNAMES)];
}

static void result(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %ld\n", what, r);
}

static void op_write(int dfd, const char *n)
{
	int flags = O_WRONLY | (pick(2) ? O_CREAT : 0) | (pick(4) == 0 ? O_TRUNC : 0) |
		    (pick(4) == 0 ? O_APPEND : 0);
	char what[96];
	snprintf(what, sizeof(what), "open-write %s %x", n, (unsigned)flags);
	int fd = openat(dfd, n, flags, 0644);
	result(what, fd < 0 ? -1 : 0);
	if (fd < 0)
		return;
	char buf[300];
	size_t len = 1 + pick(sizeof(buf) - 1);
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)('a' + pick(26));
	off_t off = pick(4) == 0 ? (off_t)pick(5000) : 0;
	snprintf(what, sizeof(what), "pwrite %s %zu@%lld", n, len, (long long)off);
	result(what, (flags & O_APPEND) ? write(fd, buf, len) : pwrite(fd, buf, len, off));
	if (pick(3) == 0)
		result("fsync", fsync(fd));
	close(fd);
}

static void op_read(int dfd, const char *n)
{
	char what[64], buf[8192];
	snprintf(what, sizeof(what), "read %s", n);
	int fd = openat(dfd, n, O_RDONLY);
	if (fd < 0) {
		result(what, -1);
		return;
	}
	ssize_t got = pread(fd, buf, sizeof(buf), pick(2) ? 0 : (off_t)pick(400));
	unsigned sum = 0;
	for (ssize_t i = 0; i < got; i++)
		sum = sum * 31 + (unsigned char)buf[i];
	printf("%s: %zd bytes, sum %08x\n", what, got, sum);
	close(fd);
}

static void op_rename(int dfd)
{
	static const unsigned flags[] = {0, RENAME_NOREPLACE, RENAME_EXCHANGE};
	const char *a = name(), *b = name();
	unsigned f = flags[pick(3)];
	char what[64];
	snprintf(what, sizeof(what), "rename %s %s %u", a, b, f);
	result(what, renameat2(dfd, a, dfd, b, f));
}

#define HELD 24
static int held[HELD];

static void op_hold(int dfd, const char *n)
{
	static const char *const top[] = {"a", "b", "c", "e"};
	if (pick(4) != 0) /* mostly names whose directory exists */
		n = top[pick(4)];
	unsigned slot = pick(HELD), tries = 0;
	while (held[slot] >= 0 && tries++ < HELD) /* the next free one */
		slot = (slot + 1) % HELD;
	int flags = O_RDWR | O_CREAT | (pick(4) == 0 ? O_EXCL : 0) | (pick(4) == 0 ? O_TRUNC : 0) |
		    (pick(4) == 0 ? O_APPEND : 0);
	char what[96];
	if (held[slot] >= 0)
		close(held[slot]);
	held[slot] = openat(dfd, n, flags, 0644);
	snprintf(what, sizeof(what), "hold %u %s %x", slot, n, (unsigned)flags);
	result(what, held[slot] < 0 ? -1 : 0);
}

/* An operation through a held descriptor, whatever became of its name. */
static void op_held(void)
{
	unsigned slot = pick(HELD), tries = 0;
	while (held[slot] < 0 && tries++ < HELD) /* the next one held */
		slot = (slot + 1) % HELD;
	int fd = held[slot];
	char what[64], buf[512];
	struct stat st;
	unsigned kind = pick(8);
	off_t off = (off_t)pick(400);
	size_t len = 1 + pick(100);
	if (fd < 0)
		return;
	switch (kind) {
	case 0:
	case 1:
		memset(buf, 'A' + (int)pick(26), len);
		snprintf(what, sizeof(what), "held %u pwrite %zu@%lld", slot, len, (long long)off);
		result(what, pwrite(fd, buf, len, off));
		break;
	case 2:
	case 3: {
		ssize_t got = pread(fd, buf, sizeof(buf), off);
		unsigned sum = 0;
		for (ssize_t i = 0; i < got; i++)
			sum = sum * 31 + (unsigned char)buf[i];
		snprintf(what, sizeof(what), "held %u pread @%lld sum %x", slot, (long long)off, sum);
		result(what, got);
		break;
	}
	case 4:
		snprintf(what, sizeof(what), "held %u ftruncate %lld", slot, (long long)off);
		result(what, ftruncate(fd, off));
		break;
	case 5:
	case 6:
		snprintf(what, sizeof(what), "held %u fstat", slot);
		if (fstat(fd, &st) < 0)
			result(what, -1);
		else
			printf("%s: size %lld nlink %lu\n", what, (long long)st.st_size,
			       (unsigned long)st.st_nlink);
		break;
	default:
		snprintf(what, sizeof(what), "held %u close", slot);
		result(what, close(fd));
		held[slot] = -1;
	}
}

static void one(int dfd)
{
	const char *n = name();
	char what[64];
	struct timespec ts[2] = {{.tv_sec = (time_t)pick(100000)}, {.tv_sec = (time_t)pick(100000)}};
	switch (pick(18)) {
	case 0:
	case 1:
		op_write(dfd, n);
		break;
	case 2:
		op_read(dfd, n);
		break;
	case 3:
		snprintf(what, sizeof(what), "truncate %s", n);
		result(what, truncate(n, pick(600)));
		break;
	case 4:
		op_rename(dfd);
		break;
	case 5: {
		const char *b = name();
		snprintf(what, sizeof(what), "link %s %s", n, b);
		result(what, linkat(dfd, n, dfd, b, 0));
		break;
	}
	case 6:
		snprintf(what, sizeof(what), "unlink %s", n);
		result(what, unlinkat(dfd, n, 0));
		break;
	case 7:
		snprintf(what, sizeof(what), "mkdir %s", n);
		result(what, mkdirat(dfd, n, 0755));
		break;
	case 8:
		snprintf(what, sizeof(what), "rmdir %s", n);
		result(what, unlinkat(dfd, n, AT_REMOVEDIR));
		break;
	case 9: {
		const char *t = name();
		snprintf(what, sizeof(what), "symlink %s -> %s", n, t);
		result(what, symlinkat(t, dfd, n));
		break;
	}
	case 10:
		snprintf(what, sizeof(what), "chmod %s", n);
		result(what, fchmodat(dfd, n, 0600 | (pick(2) ? 044 : 0), 0));
		break;
	case 11:
		snprintf(what, sizeof(what), "utimens %s", n);
		result(what, utimensat(dfd, n, ts, AT_SYMLINK_NOFOLLOW));
		break;
	case 12:
	case 13:
		op_hold(dfd, n);
		break;
	case 14:
	case 15:
	case 16:
		op_held();
		break;
	default: {
		struct stat st;
		snprintf(what, sizeof(what), "lstat %s", n);
		if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			result(what, -1);
		else
			/* an mtime set by utimens is compared; "now" differs by run */
			printf("%s: mode %o nlink %lu size %lld mtime %lld\n", what, st.st_mode,
			       (unsigned long)st.st_nlink, S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size,
			       st.st_mtim.tv_sec < 100000 ? (long long)st.st_mtim.tv_sec : -1LL);
	}
	}
}

int main(int argc, char **argv)
{
	if (argc != 4 || chdir(argv[1]) < 0) {
		fprintf(stderr, "usage: random_ops DIR SEED COUNT\n");
		return 2;
	}
	state = strtoull(argv[2], NULL, 10);
	long count = atol(argv[3]);
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	umask(022);
	for (int i = 0; i < HELD; i++)
		held[i] = -1;
	for (long i = 0; i < count; i++)
		one(dfd);
	for (int i = 0; i < HELD; i++)
		if (held[i] >= 0)
			close(held[i]);
	return 0;
}
