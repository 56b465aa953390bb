/* Unit tests of the daemons' self-confinement: each runs in a forked
 * child, since what it gives up cannot be had back. */
#include "caps_keep.h"
#include "daemon_filter.h"
#include "landlock.h"
#include "self_confine.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/landlock.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs body in a child; returns its wait status. */
static int in_child(void (*body)(const char *), const char *arg)
{
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		body(arg);
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void make_tree(char *dir)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char p[128];
	snprintf(p, sizeof(p), "%s/in", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/out", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/out/secret", dir);
	int fd = open(p, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static int prctl_nnp(void)
{
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

#define EXPECT(cond) do { if (!(cond)) { fprintf(stderr, "failed: %s\n", #cond); _exit(1); } } while (0)

static bool skip_landlock; /* the control: the same body, unconfined */

/* Whether this kernel has Landlock at all: only then may the test be
 * skipped, and it says so. */
static bool kernel_has_landlock(void)
{
	return syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) > 0;
}

static void landlock_body(const char *dir)
{
	char in[128], out[128], p[160];
	snprintf(in, sizeof(in), "%s/in", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	int fd = open(in, O_PATH | O_DIRECTORY);
	EXPECT(fd >= 0);
	EXPECT(prctl_nnp() == 0);
	struct landlock_grant g = {.fd = fd, .access = landlock_dir_rw()};
	char notice[256];
	int abi = skip_landlock ? 1 : landlock_confine(&g, 1, notice, sizeof(notice));
	if (abi == 0)
		_exit(77); /* no Landlock here */
	EXPECT(abi > 0);
	/* beneath the grant: everything a file server does */
	snprintf(p, sizeof(p), "%s/f", in);
	int f = open(p, O_RDWR | O_CREAT, 0600);
	EXPECT(f >= 0 && write(f, "x", 1) == 1);
	close(f);
	snprintf(p, sizeof(p), "%s/d", in);
	EXPECT(mkdir(p, 0700) == 0);
	EXPECT(mkfifoat(fd, "fifo", 0600) == 0);
	EXPECT(renameat(fd, "f", fd, "d/f") == 0);
	/* never a device node, even for root */
	EXPECT(mknodat(fd, "null", S_IFCHR | 0666, makedev(1, 3)) < 0);
	/* outside it: nothing */
	snprintf(p, sizeof(p), "%s/secret", out);
	EXPECT(open(p, O_RDONLY) < 0 && errno == EACCES);
	EXPECT(open("/etc/passwd", O_RDONLY) < 0 && errno == EACCES);
	snprintf(p, sizeof(p), "%s/new", out);
	EXPECT(open(p, O_WRONLY | O_CREAT, 0600) < 0 && errno == EACCES);
	EXPECT(unlink(p) < 0);
	/* a link out of the granted tree is refused */
	snprintf(p, sizeof(p), "%s/leak", out);
	char from[160];
	snprintf(from, sizeof(from), "%s/fifo", in);
	EXPECT(link(from, p) < 0);
}

static int landlock_run(bool skip)
{
	char dir[] = "/tmp/spx-unit-XXXXXX";
	make_tree(dir);
	skip_landlock = skip;
	int status = in_child(landlock_body, dir);
	/* and what the unconfined control may have made */
	static const char *const made[] = {"in/d/f", "in/fifo", "in/f", "in/null",
					   "out/secret", "out/new", "out/leak"};
	static const char *const dirs[] = {"in/d", "in", "out"};
	char p[160];
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, made[i]);
		(void)unlink(p);
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, dirs[i]);
		(void)rmdir(p);
	}
	ck_assert_int_eq(rmdir(dir), 0);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(landlock_confines_to_the_grant)
{
	int r = landlock_run(false);
	if (r == 77 && !kernel_has_landlock()) {
		puts("landlock_confines_to_the_grant: this kernel has no Landlock: not run");
		return;
	}
	ck_assert_msg(r == 0, "landlock child exited %d", r);
}
END_TEST

/* The control: without Landlock, the same body reaches outside the grant
 * (it runs as root in the unit tests), so the test above can fail. */
START_TEST(landlock_control_without_it_the_body_fails)
{
	if (geteuid() != 0)
		return; /* unprivileged, files outside are out of reach anyway */
	ck_assert_int_eq(landlock_run(true), 1);
}
END_TEST

static void filter_body(const char *arg)
{
	(void)arg;
	int r = daemon_filter_install("unit", false);
	EXPECT(r == 0);
	if (arg != NULL) {
		/* a socket is not a file server's business: the process ends */
		(void)socket(AF_INET, SOCK_STREAM, 0);
		_exit(2); /* not reached */
	}
	/* allowed calls work: a refused one would end the child with 70 */
	char buf[8];
	EXPECT(getpid() > 0);
	int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, buf, sizeof(buf)) == 0);
	close(fd);
	_exit(0);
}

START_TEST(filter_lets_a_file_server_work)
{
	int status = in_child(filter_body, NULL);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(filter_stops_the_process_on_other_calls)
{
	int status = in_child(filter_body, "socket");
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 70);
}
END_TEST

static void supervisor_body(const char *arg)
{
	(void)arg;
	EXPECT(daemon_filter_install("unit", true) == 0);
	/* the supervisor's extra calls, and still no sockets */
	EXPECT(getppid() > 0);
	if (arg == NULL)
		_exit(0);
	(void)socket(AF_UNIX, SOCK_STREAM, 0);
	_exit(2);
}

START_TEST(supervisor_filter_adds_its_calls_only)
{
	int status = in_child(supervisor_body, NULL);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	status = in_child(supervisor_body, "socket");
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 125);
}
END_TEST

static void caps_body(const char *arg)
{
	(void)arg;
	const char *what;
	EXPECT(caps_keep_only(caps_file_server, caps_file_server_len, &what) == 0);
	cap_t now = cap_get_proc();
	EXPECT(now != NULL);
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		cap_flag_value_t eff, bound;
		EXPECT(cap_get_flag(now, c, CAP_EFFECTIVE, &eff) == 0);
		bound = CAP_IS_SUPPORTED(c) && cap_get_bound(c) == 1 ? CAP_SET : CAP_CLEAR;
		bool keep = c <= CAP_FSETID || c == CAP_SETGID || c == CAP_SETUID;
		EXPECT(eff == (keep ? CAP_SET : CAP_CLEAR));
		EXPECT(bound == (keep ? CAP_SET : CAP_CLEAR));
	}
	cap_free(now);
	/* root without CAP_SYS_ADMIN cannot mount, without CAP_MKNOD
	 * cannot make devices */
	EXPECT(mknod("/tmp/spx-unit-null", S_IFCHR | 0600, makedev(1, 3)) < 0 && errno == EPERM);
}

START_TEST(root_keeps_only_the_file_server_caps)
{
	if (geteuid() != 0)
		return; /* the integration tests check the unprivileged daemon */
	int status = in_child(caps_body, NULL);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

Suite *confine_suite(void)
{
	Suite *s = suite_create("confine");
	TCase *tc = tcase_create("confine");
	tcase_add_test(tc, landlock_confines_to_the_grant);
	tcase_add_test(tc, landlock_control_without_it_the_body_fails);
	tcase_add_test(tc, filter_lets_a_file_server_work);
	tcase_add_test(tc, filter_stops_the_process_on_other_calls);
	tcase_add_test(tc, supervisor_filter_adds_its_calls_only);
	tcase_add_test(tc, root_keeps_only_the_file_server_caps);
	suite_add_tcase(s, tc);
	return s;
}
