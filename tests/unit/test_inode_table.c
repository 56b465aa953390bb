/* Unit tests of the inode table: lookups, eviction, re-resolution, and
 * that a swapped name is never trusted. */
#include "inode_table.h"
#include "resolve.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static int dfd;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/spx-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	dfd = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(dfd, 0);
}

static void teardown(void)
{
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	if (d >= 0) {
		for (int i = 0; i < 200; i++) {
			char n[32];
			snprintf(n, sizeof(n), "f%d", i);
			unlinkat(d, n, 0);
		}
		unlinkat(d, "a", 0);
		unlinkat(d, "b", 0);
		unlinkat(d, "moved", 0);
		unlinkat(d, "sub/x", 0);
		unlinkat(d, "sub", AT_REMOVEDIR);
		close(d);
	}
	rmdir(dir);
	close(dfd);
}

static void touch(const char *name)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static struct spx_inode *lookup(struct inode_table *t, struct spx_inode *parent, int pfd,
				const char *name)
{
	struct stat st;
	int fd = resolve_child_stat(pfd, name, &st);
	ck_assert_int_ge(fd, 0);
	struct spx_inode *in = inode_table_insert(t, parent, name, fd, &st);
	ck_assert_ptr_nonnull(in);
	return in;
}

static struct inode_table *new_table(size_t max)
{
	int root = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(root, 0);
	struct inode_table *t = inode_table_new(root, max);
	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(same_object_same_inode)
{
	touch("a");
	ck_assert_int_eq(linkat(dfd, "a", dfd, "b", 0), 0);
	struct inode_table *t = new_table(64);
	struct spx_inode *r = inode_table_root(t);
	struct spx_inode *a = lookup(t, r, dfd, "a");
	struct spx_inode *b = lookup(t, r, dfd, "b");
	ck_assert_ptr_eq(a, b);
	struct inode_table_stats s;
	inode_table_get_stats(t, &s);
	ck_assert_uint_eq(s.inodes, 1);
	inode_table_forget(t, a, 2);
	inode_table_get_stats(t, &s);
	ck_assert_uint_eq(s.inodes, 0);
	inode_table_free(t);
}
END_TEST

START_TEST(descriptors_are_bounded_and_reopened)
{
	struct inode_table *t = new_table(16);
	struct spx_inode *r = inode_table_root(t);
	struct spx_inode *ins[200];
	char n[32];
	for (int i = 0; i < 200; i++) {
		snprintf(n, sizeof(n), "f%d", i);
		touch(n);
		ins[i] = lookup(t, r, dfd, n);
	}
	struct inode_table_stats s;
	inode_table_get_stats(t, &s);
	ck_assert_uint_le(s.open_fds, 16);
	ck_assert_uint_eq(s.inodes, 200);
	ck_assert_uint_ge(s.evictions, 184);
	for (int i = 0; i < 200; i++) {
		int fd = inode_table_pin(t, ins[i]);
		ck_assert_int_ge(fd, 0);
		struct stat a, b;
		snprintf(n, sizeof(n), "f%d", i);
		ck_assert_int_eq(resolve_stat_fd(fd, &a), 0);
		ck_assert_int_eq(fstatat(dfd, n, &b, 0), 0);
		ck_assert_uint_eq(a.st_ino, b.st_ino);
		inode_table_unpin(t, ins[i]);
	}
	inode_table_get_stats(t, &s);
	ck_assert_uint_le(s.open_fds, 16);
	ck_assert_uint_ge(s.reopens, 184);
	inode_table_free(t);
}
END_TEST

static void evict_all(struct inode_table *t, int count)
{
	char n[32];
	for (int i = 0; i < count; i++) {
		snprintf(n, sizeof(n), "f%d", i);
		touch(n);
		lookup(t, inode_table_root(t), dfd, n);
	}
}

START_TEST(swapped_name_is_stale_not_followed)
{
	touch("a");
	struct inode_table *t = new_table(16);
	struct spx_inode *a = lookup(t, inode_table_root(t), dfd, "a");
	evict_all(t, 40);
	/* A host process replaces "a" with a symlink to somewhere else. */
	ck_assert_int_eq(renameat(dfd, "a", dfd, "moved"), 0);
	ck_assert_int_eq(symlinkat("/etc/passwd", dfd, "a"), 0);
	ck_assert_int_eq(inode_table_pin(t, a), -ESTALE);
	/* ...and with a different file of the same name. */
	unlinkat(dfd, "a", 0);
	touch("a");
	ck_assert_int_eq(inode_table_pin(t, a), -ESTALE);
	inode_table_free(t);
}
END_TEST

START_TEST(rename_and_unlink_are_followed)
{
	touch("a");
	touch("b");
	struct inode_table *t = new_table(16);
	struct spx_inode *r = inode_table_root(t);
	struct spx_inode *a = lookup(t, r, dfd, "a");
	struct spx_inode *b = lookup(t, r, dfd, "b");
	ck_assert_int_eq(renameat(dfd, "a", dfd, "moved"), 0);
	inode_table_renamed(t, a, r, "a", r, "moved");
	/* b is unlinked while pinned (as an open file would be). */
	ck_assert_int_ge(inode_table_pin(t, b), 0);
	ck_assert_int_eq(unlinkat(dfd, "b", 0), 0);
	inode_table_unlinked(t, b, r, "b");
	evict_all(t, 40);
	ck_assert_int_ge(inode_table_pin(t, a), 0);
	inode_table_unpin(t, a);
	int fd = inode_table_pin(t, b);
	ck_assert_int_ge(fd, 0);
	struct stat st;
	ck_assert_int_eq(resolve_stat_fd(fd, &st), 0);
	ck_assert_uint_eq(st.st_nlink, 0);
	inode_table_unpin(t, b);
	inode_table_unpin(t, b);
	inode_table_free(t);
}
END_TEST

START_TEST(children_keep_parents)
{
	ck_assert_int_eq(mkdirat(dfd, "sub", 0755), 0);
	int sfd = openat(dfd, "sub", O_PATH);
	int x = openat(sfd, "x", O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(x, 0);
	close(x);
	struct inode_table *t = new_table(16);
	struct spx_inode *sub = lookup(t, inode_table_root(t), dfd, "sub");
	struct spx_inode *xi = lookup(t, sub, sfd, "x");
	inode_table_forget(t, sub, 1); /* the kernel forgets the parent first */
	evict_all(t, 40);
	ck_assert_int_ge(inode_table_pin(t, xi), 0); /* re-resolved via sub */
	inode_table_unpin(t, xi);
	inode_table_forget(t, xi, 1);
	struct inode_table_stats s;
	inode_table_get_stats(t, &s);
	ck_assert_uint_eq(s.inodes, 40); /* sub and x are gone */
	close(sfd);
	inode_table_free(t);
}
END_TEST

Suite *inode_table_suite(void)
{
	Suite *s = suite_create("inode_table");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, same_object_same_inode);
	tcase_add_test(tc, descriptors_are_bounded_and_reopened);
	tcase_add_test(tc, swapped_name_is_stale_not_followed);
	tcase_add_test(tc, rename_and_unlink_are_followed);
	tcase_add_test(tc, children_keep_parents);
	suite_add_tcase(s, tc);
	return s;
}
