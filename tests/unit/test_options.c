/* Unit tests of the spxfs command line. */
#include "options.h"
#include "units.h"

#include <check.h>
#include <string.h>

static int parse(struct spxfs_options *o, int argc, const char **argv)
{
	return options_parse(o, argc, (char **)argv);
}

START_TEST(basic)
{
	struct spxfs_options o;
	const char *a[] = {"spxfs", "-f", "-o", "allow_other", "-o", "ro", "--read-only", "R", "M"};
	ck_assert_int_eq(parse(&o, 9, a), OPTIONS_RUN);
	ck_assert(o.foreground);
	ck_assert(o.read_only);
	ck_assert_str_eq(o.fuse_opts, "allow_other,ro");
	ck_assert_str_eq(o.root, "R");
	ck_assert_str_eq(o.mountpoint, "M");
}
END_TEST

START_TEST(errors)
{
	struct spxfs_options o;
	const char *a1[] = {"spxfs", "--bogus", "R", "M"};
	ck_assert_int_eq(parse(&o, 4, a1), OPTIONS_ERROR);
	ck_assert_ptr_nonnull(strstr(o.error, "--bogus"));
	const char *a2[] = {"spxfs", "R"};
	ck_assert_int_eq(parse(&o, 2, a2), OPTIONS_ERROR);
	const char *a3[] = {"spxfs", "R", "M", "X"};
	ck_assert_int_eq(parse(&o, 4, a3), OPTIONS_ERROR);
	const char *a4[] = {"spxfs", "R", "M", "-o"};
	ck_assert_int_eq(parse(&o, 4, a4), OPTIONS_ERROR);
	const char *a5[] = {"spxfs", "-o", "", "R", "M"};
	ck_assert_int_eq(parse(&o, 5, a5), OPTIONS_ERROR);
	const char *a6[] = {"spxfs", "-h"};
	ck_assert_int_eq(parse(&o, 2, a6), OPTIONS_HELP);
	const char *a7[] = {"spxfs", "--version"};
	ck_assert_int_eq(parse(&o, 2, a7), OPTIONS_VERSION);
	const char *a8[] = {"spxfs", "-d", "R", "M"};
	ck_assert_int_eq(parse(&o, 4, a8), OPTIONS_RUN);
	ck_assert(o.debug && o.foreground);
}
END_TEST

START_TEST(units)
{
	long long n;
	ck_assert_int_eq(parse_bytes("0", &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(parse_bytes("2K", &n), 0);
	ck_assert_int_eq(n, 2048);
	ck_assert_int_eq(parse_bytes("3m", &n), 0);
	ck_assert_int_eq(n, 3LL << 20);
	ck_assert_int_eq(parse_bytes("1T", &n), 0);
	ck_assert_int_eq(n, 1LL << 40);
	ck_assert_int_eq(parse_bytes("10X", &n), -1);
	ck_assert_int_eq(parse_bytes("1KB", &n), -1);
	ck_assert_int_eq(parse_bytes("-1", &n), -1);
	ck_assert_int_eq(parse_bytes("", &n), -1);
	ck_assert_int_eq(parse_bytes("9999999999999T", &n), -1);
	double d;
	ck_assert_int_eq(parse_seconds("1.5", &d), 0);
	ck_assert(d == 1.5);
	ck_assert_int_eq(parse_seconds("-1", &d), -1);
	ck_assert_int_eq(parse_seconds("nan", &d), -1);
	ck_assert_int_eq(parse_seconds("86401", &d), -1);
}
END_TEST

Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, basic);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, units);
	suite_add_tcase(s, tc);
	return s;
}
