#include <check.h>
#include <stdlib.h>
#include <sys/stat.h>

Suite *inode_table_suite(void);
Suite *resolve_suite(void);
Suite *options_suite(void);
Suite *audit_suite(void);
Suite *policy_suite(void);
Suite *confine_suite(void);
Suite *open_fds_suite(void);

int main(void)
{
	umask(0);
	SRunner *sr = srunner_create(inode_table_suite());
	srunner_add_suite(sr, resolve_suite());
	srunner_add_suite(sr, options_suite());
	srunner_add_suite(sr, audit_suite());
	srunner_add_suite(sr, policy_suite());
	srunner_add_suite(sr, confine_suite());
	srunner_add_suite(sr, open_fds_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
