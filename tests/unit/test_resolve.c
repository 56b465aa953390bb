/* Unit tests of the one-component resolver. */
#include "resolve.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

START_TEST(refuses_what_is_not_one_component)
{
	int d = open("/tmp", O_PATH | O_DIRECTORY);
	ck_assert_int_eq(resolve_child(d, ".."), -EINVAL);
	ck_assert_int_eq(resolve_child(d, "."), -EINVAL);
	ck_assert_int_eq(resolve_child(d, ""), -EINVAL);
	ck_assert_int_eq(resolve_child(d, "a/b"), -EINVAL);
	ck_assert_int_eq(resolve_child(d, "/etc"), -EINVAL);
	close(d);
}
END_TEST

START_TEST(symlinks_are_not_followed)
{
	char dir[] = "/tmp/spx-unit-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	int d = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_eq(symlinkat("/etc/passwd", d, "abs"), 0);
	ck_assert_int_eq(symlinkat("../../etc/passwd", d, "rel"), 0);
	struct stat st;
	int fd = resolve_child_stat(d, "abs", &st);
	ck_assert_int_ge(fd, 0);
	ck_assert(S_ISLNK(st.st_mode));
	close(fd);
	ck_assert_int_eq(resolve_open(d, "abs", O_RDONLY, 0), -ELOOP);
	ck_assert_int_eq(resolve_open(d, "rel", O_RDONLY, 0), -ELOOP);
	fd = resolve_open(d, "new", O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(resolve_stat_fd(fd, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600 & ~0); /* umask 0 in main */
	close(fd);
	unlinkat(d, "abs", 0);
	unlinkat(d, "rel", 0);
	unlinkat(d, "new", 0);
	close(d);
	rmdir(dir);
}
END_TEST

START_TEST(name_check)
{
	ck_assert(resolve_name_ok("a"));
	ck_assert(resolve_name_ok("..."));
	ck_assert(!resolve_name_ok(".."));
	ck_assert(!resolve_name_ok("x/"));
}
END_TEST

Suite *resolve_suite(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, refuses_what_is_not_one_component);
	tcase_add_test(tc, symlinks_are_not_followed);
	tcase_add_test(tc, name_check);
	suite_add_tcase(s, tc);
	return s;
}
