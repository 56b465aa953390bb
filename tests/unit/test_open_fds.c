/* Unit tests of open files' descriptor cache: bounded, reopened on use
 * without truncating again, a flock()'ed file kept, a file the host
 * removed reported rather than replaced. */
#include "open_fds.h"
#include "resolve.h"
#include "spxfs.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define NFILES 40

static char dir[64];
static int dfd;
static struct spx_fs fs;
static struct open_fd files[NFILES];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/spx-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	dfd = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(dfd, 0);
	fs = (struct spx_fs){.placeholders_fd = -1};
	fs.proc_self_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY);
	ck_assert_int_ge(fs.proc_self_fd, 0);
	int root = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(root, 0);
	fs.table = inode_table_new(root, 16);
	fs.fds = open_fds_new(16);
	ck_assert_ptr_nonnull(fs.table);
	ck_assert_ptr_nonnull(fs.fds);
}

static void teardown(void)
{
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	for (int i = 0; d >= 0 && i < NFILES; i++) {
		char n[32];
		snprintf(n, sizeof(n), "f%d", i);
		unlinkat(d, n, 0);
	}
	if (d >= 0)
		close(d);
	rmdir(dir);
	close(dfd);
	close(fs.proc_self_fd);
	open_fds_free(fs.fds);
	inode_table_free(fs.table);
}

/* Creates f<i> with "abc", as an open with O_TRUNC would, and enters it. */
static void open_one(int i)
{
	char n[32];
	snprintf(n, sizeof(n), "f%d", i);
	int flags = O_RDWR | O_CREAT | O_TRUNC;
	int fd = openat(dfd, n, flags | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "abc", 3), 3);
	struct stat st;
	int pfd = resolve_child_stat(dfd, n, &st);
	ck_assert_int_ge(pfd, 0);
	struct spx_inode *in = inode_table_insert(fs.table, inode_table_root(fs.table), n, pfd, &st);
	ck_assert_ptr_nonnull(in);
	open_fds_add(fs.fds, &files[i], fd, flags, in);
}

START_TEST(bounded_and_reopened_without_truncating)
{
	open_one(0);
	int fd = open_fds_use(&fs, &files[0]);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	open_fds_set_locked(fs.fds, &files[0], true);
	open_fds_done(fs.fds, &files[0]);
	for (int i = 1; i < NFILES; i++)
		open_one(i);
	struct open_fds_stats s;
	open_fds_get_stats(fs.fds, &s);
	ck_assert_uint_le(s.open_fds, 16);
	ck_assert_uint_ge(s.closed, NFILES - 16);
	/* the locked one was never closed: no reopen needed */
	fd = open_fds_use_open(fs.fds, &files[0]);
	ck_assert_int_ge(fd, 0);
	open_fds_done(fs.fds, &files[0]);
	for (int i = 0; i < NFILES; i++) {
		fd = open_fds_use(&fs, &files[i]);
		ck_assert_int_ge(fd, 0);
		char buf[8] = {0};
		ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), 3);
		ck_assert_str_eq(buf, "abc");
		ck_assert_int_eq(pwrite(fd, "d", 1, 3), 1);
		open_fds_done(fs.fds, &files[i]);
	}
	open_fds_get_stats(fs.fds, &s);
	ck_assert_uint_le(s.open_fds, 16);
	ck_assert_uint_ge(s.reopens, NFILES - 16);
	for (int i = 0; i < NFILES; i++) {
		char n[32], buf[8] = {0};
		snprintf(n, sizeof(n), "f%d", i);
		int rfd = openat(dfd, n, O_RDONLY);
		ck_assert_int_ge(rfd, 0);
		ck_assert_int_eq(read(rfd, buf, sizeof(buf)), 4);
		ck_assert_str_eq(buf, "abcd");
		close(rfd);
		open_fds_remove(fs.fds, &files[i]);
	}
	open_fds_get_stats(fs.fds, &s);
	ck_assert_uint_eq(s.open_fds, 0);
}
END_TEST

START_TEST(file_removed_by_the_host_is_an_error)
{
	for (int i = 0; i < NFILES; i++)
		open_one(i);
	ck_assert_int_eq(open_fds_use_open(fs.fds, &files[0]), -1); /* closed early */
	ck_assert_int_eq(unlinkat(dfd, "f0", 0), 0);
	int fd = open_fds_use(&fs, &files[0]);
	ck_assert(fd == -ENOENT || fd == -ESTALE);
	for (int i = 0; i < NFILES; i++)
		open_fds_remove(fs.fds, &files[i]);
}
END_TEST

Suite *open_fds_suite(void)
{
	Suite *s = suite_create("open_fds");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bounded_and_reopened_without_truncating);
	tcase_add_test(tc, file_removed_by_the_host_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}
