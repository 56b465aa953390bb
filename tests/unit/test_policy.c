/* Unit tests of the --seccomp-policy parser (minijail's syntax). */
#include "../../sandbox/policy.h"

#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static struct policy pol;
static char err[256];

START_TEST(accepts)
{
	const char *text = "# a comment\n"
			   "\n"
			   "read: 1\n"
			   "  write : 1   # trailing comment\n"
			   "getpriority: return EPERM\n"
			   "setpriority: return 13\n"
			   "socket: arg0 == AF_UNIX || arg0 == 2 && arg1 != 3; return EACCES\n"
			   "mmap: arg2 in ~PROT_EXEC && arg3 & 0x22\n"
			   "ioctl: arg1 >= 0x5401 && arg1 <= 0x5402 || arg1 < 1 || arg1 > 0xffff\n";
	ck_assert_msg(policy_parse(text, &pol, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(pol.n, 7);
	ck_assert(pol.rules[0].allow_all);
	ck_assert_str_eq(pol.rules[1].name, "write");
	ck_assert_int_eq(pol.rules[2].errno_value, EPERM);
	ck_assert_int_eq(pol.rules[3].errno_value, 13);
	const struct policy_rule *s = &pol.rules[4];
	ck_assert_int_eq(s->nor, 2);
	ck_assert_int_eq(s->nand[0], 1);
	ck_assert_int_eq(s->nand[1], 2);
	ck_assert_uint_eq(s->atoms[0][0].value, AF_UNIX);
	ck_assert_int_eq(s->atoms[1][1].op, P_NE);
	ck_assert_int_eq(s->errno_value, EACCES);
	ck_assert_int_eq(pol.rules[5].atoms[0][0].op, P_IN);
	ck_assert_uint_eq(pol.rules[5].atoms[0][0].value, ~(uint64_t)4);
	ck_assert_int_eq(pol.rules[5].atoms[0][1].op, P_ANY_BITS);
	ck_assert_int_eq(pol.rules[6].nor, 3);
	ck_assert_ptr_eq(policy_find(&pol, pol.rules[6].nr), &pol.rules[6]);
}
END_TEST

static void refused(const char *text, const char *want)
{
	ck_assert_int_eq(policy_parse(text, &pol, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, want) != NULL, "'%s' does not say '%s'", err, want);
}

START_TEST(refuses_with_the_line)
{
	refused("read: 1\nnosuchcall: 1\n", "line 2: unknown system call 'nosuchcall'");
	refused("read 1\n", "line 1: expected ':'");
	refused("read: 1\nread: 1\n", "line 2: 'read' appears twice");
	refused("write: arg6 == 1\n", "expected arg0 to arg5");
	refused("write: arg0 === 1\n", "expected a number or a constant");
	refused("write: arg0 == NOPE\n", "unknown constant 'NOPE'");
	refused("write: arg0 == 1; return EWHAT\n", "unknown errno 'EWHAT'");
	refused("write: arg0 == 1; 2\n", "expected 'return'");
	refused("write: return 0\n", "between 1 and 4095");
	refused("write: arg0 ~ 1\n", "expected an operator");
	refused("write: 1 extra\n", "unexpected 'e'");
	refused("\n\n\nwrite: arg0 == 99999999999999999999999\n", "line 4: bad number");
	refused("write: arg0 == 1 || arg0 == 2 || arg0 == 3 || arg0 == 4 || arg0 == 5 || "
		"arg0 == 6 || arg0 == 7 || arg0 == 8 || arg0 == 9\n",
		"more than 8 alternatives");
}
END_TEST

Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, accepts);
	tcase_add_test(tc, refuses_with_the_line);
	suite_add_tcase(s, tc);
	return s;
}
