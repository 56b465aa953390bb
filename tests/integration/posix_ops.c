/*
 * posix_ops DIR: runs a fixed sequence of file system calls inside DIR and
 * prints one line per call: what was done and its outcome (the errno name,
 * or the observable result). The integration tests run it on a native
 * directory and through spxfs, as the same user, and compare the outputs
 * line by line: every difference is a conformance bug.
 *
 * DIR must contain the fixture made by fixture.sh (shared, ro, sticky,
 * sgid, others). Nothing here prints inode numbers or wall-clock times,
 * which legitimately differ.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static int dfd;
static int steps;

static const char *err_name(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

/* Prints "label: ok" or "label: ENAME" for a call returning < 0 on error. */
static long T(const char *label, long r)
{
	steps++;
	if (r < 0)
		printf("%s: %s\n", label, err_name(errno));
	else
		printf("%s: ok\n", label);
	return r;
}

static void show_stat(const char *label, const char *path, int flags)
{
	struct stat st;
	steps++;
	if (fstatat(dfd, path, &st, flags) < 0) {
		printf("stat %s: %s\n", label, err_name(errno));
		return;
	}
	/* Directory sizes are the backing fs's business; print them only
	 * for other types. */
	printf("stat %s: mode=%o nlink=%lu uid=%u gid=%u size=%lld\n", label, st.st_mode,
	       (unsigned long)st.st_nlink, st.st_uid, st.st_gid,
	       S_ISDIR(st.st_mode) ? -1LL : (long long)st.st_size);
}

static void show_file(const char *label, const char *path)
{
	char buf[256];
	steps++;
	int fd = openat(dfd, path, O_RDONLY);
	if (fd < 0) {
		printf("read %s: %s\n", label, err_name(errno));
		return;
	}
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		printf("read %s: %s\n", label, err_name(errno));
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = '0';
	buf[n] = '\0';
	printf("read %s: [%s]\n", label, buf);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void show_dir(const char *label, const char *path)
{
	steps++;
	int fd = openat(dfd, path, O_RDONLY | O_DIRECTORY);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		printf("list %s: %s\n", label, err_name(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	char *names[512];
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && n < 512)
		names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), by_name);
	printf("list %s:", label);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void put(const char *path, const char *s)
{
	int fd = openat(dfd, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			perror("write");
		close(fd);
	}
}

static void files(void)
{
	char buf[64];
	int fd = (int)T("create excl", openat(dfd, "f", O_RDWR | O_CREAT | O_EXCL, 0640));
	T("write", write(fd, "hello world", 11));
	T("create excl again", openat(dfd, "f", O_RDWR | O_CREAT | O_EXCL, 0640));
	T("open missing", openat(dfd, "nope", O_RDONLY));
	T("open missing dir comp", openat(dfd, "nope/x", O_RDONLY));
	T("open file as dir comp", openat(dfd, "f/x", O_RDONLY));
	T("open O_DIRECTORY on file", openat(dfd, "f", O_RDONLY | O_DIRECTORY));
	T("pwrite middle", pwrite(fd, "XY", 2, 3));
	T("pread", pread(fd, buf, sizeof(buf), 0));
	show_file("f", "f");
	int ro = (int)T("open rdonly", openat(dfd, "f", O_RDONLY));
	T("write on rdonly fd", write(ro, "x", 1));
	close(ro);
	int wo = (int)T("open wronly", openat(dfd, "f", O_WRONLY));
	T("read on wronly fd", read(wo, buf, 1));
	close(wo);
	int ap = (int)T("open append", openat(dfd, "f", O_WRONLY | O_APPEND));
	T("append", write(ap, "!", 1));
	close(ap);
	show_file("f after append", "f");
	T("ftruncate shrink", ftruncate(fd, 5));
	T("ftruncate grow", ftruncate(fd, 8));
	show_file("f truncated", "f");
	T("open O_TRUNC", openat(dfd, "f", O_WRONLY | O_TRUNC));
	show_stat("f after O_TRUNC", "f", 0);
	T("truncate path", truncate("f", 3)); /* cwd is dfd */
	show_stat("f after truncate", "f", 0);
	T("pwrite far", pwrite(fd, "end", 3, 1 << 20));
	show_stat("sparse", "f", 0);
	printf("seek data 0: %lld\n", (long long)lseek(fd, 0, SEEK_DATA));
	printf("seek hole 0: %lld\n", (long long)lseek(fd, 0, SEEK_HOLE) > 0 ? 1LL : 0LL);
	T("seek data past end", lseek(fd, 2 << 20, SEEK_DATA));
	T("fallocate", fallocate(fd, 0, 0, 4096 * 4));
	T("fallocate keep size", fallocate(fd, FALLOC_FL_KEEP_SIZE, 2 << 20, 4096));
	show_stat("after fallocate", "f", 0);
	T("punch hole", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	T("fsync", fsync(fd));
	T("fdatasync", fdatasync(fd));
	int g = (int)T("create g", openat(dfd, "g", O_RDWR | O_CREAT, 0600));
	loff_t in = 1 << 20, out = 0;
	printf("copy_file_range: %zd\n", copy_file_range(fd, &in, g, &out, 3, 0));
	close(g);
	show_file("g", "g");
	int f2 = openat(dfd, "f", O_RDONLY);
	T("flock ex", flock(fd, LOCK_EX | LOCK_NB));
	T("flock ex other fd", flock(f2, LOCK_EX | LOCK_NB));
	T("flock un", flock(fd, LOCK_UN));
	T("flock ex other fd now", flock(f2, LOCK_EX | LOCK_NB));
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
	T("posix lock", fcntl(fd, F_SETLK, &fl));
	T("posix getlk", fcntl(fd, F_GETLK, &fl));
	close(f2);
	close(fd);
	T("unlink f", unlinkat(dfd, "f", 0));
	T("unlink f again", unlinkat(dfd, "f", 0));
	/* an open, unlinked file keeps working */
	int u = openat(dfd, "u", O_RDWR | O_CREAT | O_EXCL, 0600);
	T("unlink open file", unlinkat(dfd, "u", 0));
	T("write unlinked", write(u, "abc", 3));
	T("pread unlinked", pread(u, buf, 3, 0));
	struct stat st;
	T("fstat unlinked", fstat(u, &st));
	printf("unlinked nlink=%lu size=%lld\n", (unsigned long)st.st_nlink, (long long)st.st_size);
	T("fchmod unlinked", fchmod(u, 0644));
	T("ftruncate unlinked", ftruncate(u, 1));
	close(u);
	char longname[300];
	memset(longname, 'n', 256);
	longname[256] = '\0';
	T("create name 256", openat(dfd, longname, O_RDWR | O_CREAT, 0600));
	longname[255] = '\0';
	fd = (int)T("create name 255", openat(dfd, longname, O_RDWR | O_CREAT, 0600));
	close(fd);
	T("unlink name 255", unlinkat(dfd, longname, 0));
}

static void dirs(void)
{
	T("mkdir d", mkdirat(dfd, "d", 0755));
	T("mkdir d again", mkdirat(dfd, "d", 0755));
	T("mkdir missing parent", mkdirat(dfd, "nope/d", 0755));
	put("d/x", "x");
	T("rmdir nonempty", unlinkat(dfd, "d", AT_REMOVEDIR));
	T("rmdir file", unlinkat(dfd, "d/x", AT_REMOVEDIR));
	T("unlink dir", unlinkat(dfd, "d", 0));
	T("mkdir sub", mkdirat(dfd, "d/sub", 0700));
	show_stat("d", "d", 0);
	show_stat("d/sub", "d/sub", 0);
	show_dir("d", "d");
	T("rmdir dot", unlinkat(dfd, "d/sub/.", AT_REMOVEDIR));
	T("rmdir sub", unlinkat(dfd, "d/sub", AT_REMOVEDIR));
	T("chdir-less open dotdot", openat(dfd, "d/../d/x", O_RDONLY));
	/* many entries: readdir across several buffers */
	T("mkdir many", mkdirat(dfd, "many", 0755));
	char name[64];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "many/entry-with-a-long-name-%03d", i);
		put(name, "");
	}
	show_dir("many", "many");
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "many/entry-with-a-long-name-%03d", i);
		unlinkat(dfd, name, 0);
	}
	T("rmdir many", unlinkat(dfd, "many", AT_REMOVEDIR));
}

static void links(void)
{
	char buf[PATH_MAX];
	put("t", "target");
	T("symlink rel", symlinkat("t", dfd, "sl"));
	T("symlink abs", symlinkat("/nonexistent/abs", dfd, "sa"));
	T("symlink exists", symlinkat("t", dfd, "sl"));
	ssize_t n = readlinkat(dfd, "sl", buf, sizeof(buf));
	printf("readlink sl: %.*s\n", (int)(n < 0 ? 0 : n), buf);
	n = readlinkat(dfd, "sa", buf, sizeof(buf));
	printf("readlink sa: %.*s\n", (int)(n < 0 ? 0 : n), buf);
	T("readlink on file", readlinkat(dfd, "t", buf, sizeof(buf)));
	show_stat("sl lstat", "sl", AT_SYMLINK_NOFOLLOW);
	show_stat("sl stat", "sl", 0);
	show_file("through sl", "sl");
	T("symlink loop a", symlinkat("loopb", dfd, "loopa"));
	T("symlink loop b", symlinkat("loopa", dfd, "loopb"));
	T("open loop", openat(dfd, "loopa", O_RDONLY));
	T("open nofollow", openat(dfd, "sl", O_RDONLY | O_NOFOLLOW));
	T("symlink chain", symlinkat("sl", dfd, "sl2"));
	show_file("through chain", "sl2");
	T("link", linkat(dfd, "t", dfd, "t2", 0));
	show_stat("t nlink", "t", 0);
	T("link exists", linkat(dfd, "t", dfd, "t2", 0));
	T("link missing", linkat(dfd, "nope", dfd, "t3", 0));
	T("mkdir ld", mkdirat(dfd, "ld", 0755));
	T("link dir", linkat(dfd, "ld", dfd, "ld2", 0));
	T("link symlink", linkat(dfd, "sl", dfd, "sl3", 0));
	show_stat("sl3 lstat", "sl3", AT_SYMLINK_NOFOLLOW);
	T("unlink t", unlinkat(dfd, "t", 0));
	show_file("t2 after unlink t", "t2");
	show_stat("t2 nlink", "t2", 0);
	T("mkfifo", mkfifoat(dfd, "fifo", 0600));
	show_stat("fifo", "fifo", AT_SYMLINK_NOFOLLOW);
	T("mknod reg", mknodat(dfd, "nodreg", S_IFREG | 0600, 0));
	show_stat("nodreg", "nodreg", 0);
	T("mknod sock", mknodat(dfd, "nodsock", S_IFSOCK | 0600, 0));
	show_stat("nodsock", "nodsock", AT_SYMLINK_NOFOLLOW);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "sock");
	T("bind unix socket", bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	show_stat("sock", "sock", AT_SYMLINK_NOFOLLOW);
	close(s);
}

static void renames(void)
{
	put("ra", "A");
	put("rb", "B");
	T("rename over file", renameat(dfd, "ra", dfd, "rb"));
	show_file("rb", "rb");
	T("rename missing", renameat(dfd, "ra", dfd, "rc"));
	put("ra", "A2");
	T("noreplace existing", renameat2(dfd, "ra", dfd, "rb", RENAME_NOREPLACE));
	T("noreplace new", renameat2(dfd, "ra", dfd, "rc", RENAME_NOREPLACE));
	T("exchange", renameat2(dfd, "rb", dfd, "rc", RENAME_EXCHANGE));
	show_file("rb after exchange", "rb");
	show_file("rc after exchange", "rc");
	T("exchange missing", renameat2(dfd, "rb", dfd, "rz", RENAME_EXCHANGE));
	T("both flags", renameat2(dfd, "rb", dfd, "rc", RENAME_EXCHANGE | RENAME_NOREPLACE));
	T("mkdir ra", mkdirat(dfd, "rd", 0755));
	T("mkdir re", mkdirat(dfd, "re", 0755));
	put("re/x", "x");
	T("rename dir over nonempty", renameat(dfd, "rd", dfd, "re"));
	T("rename dir over file", renameat(dfd, "rd", dfd, "rb"));
	T("rename file over dir", renameat(dfd, "rb", dfd, "rd"));
	T("rename dir into itself", renameat(dfd, "re", dfd, "re/sub"));
	T("rename dir over empty", renameat(dfd, "re", dfd, "rd"));
	show_dir("rd", "rd");
	T("exchange file and dir", renameat2(dfd, "rb", dfd, "rd", RENAME_EXCHANGE));
	show_stat("rb is dir", "rb", 0);
	show_file("rd is file", "rd");
	T("rename to same", renameat(dfd, "rd", dfd, "rd"));
	T("rename dot", renameat(dfd, "rb/.", dfd, "x"));
	/* a file renamed while open keeps working */
	int fd = openat(dfd, "rd", O_RDWR);
	T("rename open file", renameat(dfd, "rd", dfd, "rb/moved"));
	T("write moved", pwrite(fd, "M", 1, 0));
	close(fd);
	show_file("moved", "rb/moved");
}

static void attrs(void)
{
	put("a", "attrs");
	T("chmod 600", fchmodat(dfd, "a", 0600, 0));
	show_stat("a", "a", 0);
	T("mkdir ad", mkdirat(dfd, "ad", 0755));
	T("chmod 1777 dir", fchmodat(dfd, "ad", 01777, 0));
	show_stat("ad", "ad", 0);
	T("symlink asl", symlinkat("a", dfd, "asl"));
	T("chmod symlink nofollow", fchmodat(dfd, "asl", 0600, AT_SYMLINK_NOFOLLOW));
	struct timespec ts[2] = {{.tv_sec = 1000000000, .tv_nsec = 123456789},
				 {.tv_sec = 1200000000, .tv_nsec = 987654321}};
	T("utimens", utimensat(dfd, "a", ts, 0));
	struct stat st;
	fstatat(dfd, "a", &st, 0);
	printf("times: %lld.%09ld %lld.%09ld\n", (long long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	struct timespec omit[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = 5, .tv_nsec = 0}};
	T("utimens omit atime", utimensat(dfd, "a", omit, 0));
	fstatat(dfd, "a", &st, 0);
	printf("times: %lld.%09ld %lld.%09ld\n", (long long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	time_t before = time(NULL);
	struct timespec now[2] = {{.tv_nsec = UTIME_NOW}, {.tv_nsec = UTIME_OMIT}};
	T("utimens now", utimensat(dfd, "a", now, 0));
	fstatat(dfd, "a", &st, 0);
	printf("atime now: %d mtime kept: %lld\n", st.st_atim.tv_sec >= before,
	       (long long)st.st_mtim.tv_sec);
	T("utimens symlink", utimensat(dfd, "asl", ts, AT_SYMLINK_NOFOLLOW));
	fstatat(dfd, "asl", &st, AT_SYMLINK_NOFOLLOW);
	printf("symlink mtime: %lld\n", (long long)st.st_mtim.tv_sec);
	int fd = openat(dfd, "a", O_RDWR);
	T("futimens", futimens(fd, ts));
	T("fchmod", fchmod(fd, 0640));
	close(fd);
	show_stat("a after fchmod", "a", 0);
	T("setxattr user", setxattr("a", "user.k", "v1", 2, 0));
	T("setxattr create exists", setxattr("a", "user.k", "v2", 2, XATTR_CREATE));
	T("setxattr replace missing", setxattr("a", "user.m", "v2", 2, XATTR_REPLACE));
	char v[64];
	ssize_t n = getxattr("a", "user.k", v, sizeof(v));
	printf("getxattr: %.*s\n", (int)(n < 0 ? 0 : n), v);
	T("getxattr size", getxattr("a", "user.k", NULL, 0));
	T("getxattr small", getxattr("a", "user.k", v, 1));
	T("getxattr missing", getxattr("a", "user.none", v, sizeof(v)));
	n = listxattr("a", v, sizeof(v));
	printf("listxattr: %zd %s\n", n, n > 0 ? v : "");
	T("removexattr", removexattr("a", "user.k"));
	T("removexattr again", removexattr("a", "user.k"));
	T("setxattr on symlink", lsetxattr("asl", "user.k", "v", 1, 0));
	T("access R", faccessat(dfd, "a", R_OK, 0));
	T("access X", faccessat(dfd, "a", X_OK, 0));
	T("access missing", faccessat(dfd, "nope", F_OK, 0));
}

/* Permission checks against the fixture: the answers differ between root
 * and other users, and must match the native ones for each. */
static void permissions(void)
{
	T("read ro/file", openat(dfd, "../fixture/ro/file", O_RDONLY));
	T("write ro/file", openat(dfd, "../fixture/ro/file", O_WRONLY));
	T("create in ro", openat(dfd, "../fixture/ro/new", O_WRONLY | O_CREAT, 0644));
	T("unlink in ro", unlinkat(dfd, "../fixture/ro/file", 0));
	T("list noexec", openat(dfd, "../fixture/noexec/file", O_RDONLY));
	T("read secret", openat(dfd, "../fixture/secret", O_RDONLY));
	T("chmod others' file", fchmodat(dfd, "../fixture/others", 0666, 0));
	T("chown others' file", fchownat(dfd, "../fixture/others", getuid(), getgid(), 0));
	T("utimens others' file", utimensat(dfd, "../fixture/others", NULL, 0));
	struct timespec ts[2] = {{.tv_sec = 1}, {.tv_sec = 1}};
	T("utimens others' file explicit", utimensat(dfd, "../fixture/others", ts, 0));
	T("unlink in sticky (others)", unlinkat(dfd, "../fixture/sticky/others", 0));
	int fd = openat(dfd, "../fixture/sticky/mine", O_WRONLY | O_CREAT | O_EXCL, 0644);
	T("create in sticky", fd);
	if (fd >= 0)
		close(fd);
	show_stat("sticky/mine", "../fixture/sticky/mine", 0);
	T("unlink in sticky (mine)", unlinkat(dfd, "../fixture/sticky/mine", 0));
	T("rename out of sticky (others)",
	  renameat(dfd, "../fixture/sticky/others", dfd, "stolen"));
	fd = openat(dfd, "../fixture/sgid/file", O_WRONLY | O_CREAT | O_EXCL, 0664);
	T("create in sgid", fd);
	if (fd >= 0)
		close(fd);
	show_stat("sgid/file", "../fixture/sgid/file", 0);
	T("mkdir in sgid", mkdirat(dfd, "../fixture/sgid/dir", 0775));
	show_stat("sgid/dir", "../fixture/sgid/dir", 0);
	unlinkat(dfd, "../fixture/sgid/file", 0);
	unlinkat(dfd, "../fixture/sgid/dir", AT_REMOVEDIR);
	T("chown to self", fchownat(dfd, ".", getuid(), getgid(), 0));
	T("chown to root", fchownat(dfd, ".", 0, 0, 0));
	show_stat("workdir", ".", 0);
	T("truncate ro file", truncate("../fixture/ro/file", 0));
	T("mkfifo in ro", mkfifoat(dfd, "../fixture/ro/fifo", 0600));
	T("symlink in ro", symlinkat("x", dfd, "../fixture/ro/sl"));
	T("link into ro", linkat(dfd, ".", dfd, "../fixture/ro/l", 0));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: posix_ops DIR\n");
		return 2;
	}
	/* A private work directory inside DIR, next to the fixture. */
	if (chdir(argv[1]) < 0 || mkdir("work", 0755) < 0 || chdir("work") < 0) {
		perror("posix_ops: cannot set up DIR/work");
		return 2;
	}
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	umask(022);
	files();
	dirs();
	links();
	renames();
	attrs();
	permissions();
	fprintf(stderr, "posix_ops: %d steps\n", steps);
	return 0;
}
