#include "daemon_filter.h"
#include "sanitized.h"

#include <errno.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define A(name, why) {name, why, NULL, false}
#define S(name, why) {name, why, NULL, true}

const struct daemon_call daemon_calls[] = {
	/* FUSE requests and replies, file data */
	A("read", "requests from /dev/fuse; file data"),
	A("writev", "replies to /dev/fuse"),
	A("write", "the audit log; stderr"),
	A("pread64", "file data at an offset (callers' reads, hashing)"),
	A("pwrite64", "file data at an offset (callers' writes)"),
	A("lseek", "SEEK_DATA/SEEK_HOLE for callers"),
	A("copy_file_range", "callers' copy_file_range"),
	A("fallocate", "callers' fallocate; reserving the audit log's space"),
	A("ftruncate", "callers' truncate; cutting a torn line off the log"),
	A("fsync", "callers' fsync"),
	A("fdatasync", "callers' fdatasync; the log's batch and strict syncs"),
	A("flock", "callers' whole-file locks"),
	A("close", "descriptors"),
	A("dup", "descriptors"),
	A("fcntl", "descriptor flags"),
	/* names, each beneath ROOT's descriptor (Landlock bounds them too) */
	A("openat2", "every name, with RESOLVE_BENEATH|RESOLVE_NO_XDEV"),
	A("openat", "reopening an O_PATH handle through /proc/self/fd"),
	A("newfstatat", "attributes (also glibc's fstat)"),
	A("fstatfs", "statfs"),
	A("readlinkat", "readlink"),
	A("getdents64", "readdir"),
	A("mkdirat", "mkdir"),
	A("mknodat", "mknod (FIFOs and sockets only: no device nodes)"),
	A("symlinkat", "symlink"),
	A("linkat", "link"),
	A("unlinkat", "unlink, rmdir"),
	A("renameat2", "rename with flags"),
	A("renameat", "rename (glibc's renameat with no flags)"),
	A("fchmodat", "chmod through /proc/self/fd"),
	A("fchmod", "chmod of an open file"),
	A("fchownat", "chown"),
	A("setfsuid", "root: making an object as its creator, on one thread (as_caller.c)"),
	A("setfsgid", "the same"),
	A("capget", "the same: raising the filesystem capabilities setfsuid cleared"),
	A("capset", "the same"),
	A("utimensat", "utimens"),
	A("faccessat2", "access"),
	A("getxattr", "user.* attributes, through /proc/self/fd"),
	A("setxattr", "user.* attributes"),
	A("listxattr", "user.* attributes"),
	A("removexattr", "user.* attributes"),
	/* memory and threads (libfuse starts workers as load grows) */
	A("mmap", "memory, thread stacks"),
	A("munmap", "memory"),
	A("mprotect", "thread stack guards"),
	A("mremap", "realloc"),
	A("madvise", "the allocator"),
	A("brk", "the heap"),
	{"clone", "worker threads", "flags include CLONE_THREAD", false},
	A("set_robust_list", "thread start-up"),
	A("rseq", "thread start-up (glibc 2.35+)"),
	A("futex", "locks, condition variables"),
	A("sched_yield", "locks"),
	A("sched_getaffinity", "glibc sizes malloc arenas by CPU count as threads start"),
	A("exit", "a worker thread ends"),
	A("exit_group", "the end"),
	A("getpid", "own pid (libc, raise)"),
	A("gettid", "own thread id"),
	A("tgkill", "raise, abort"),
	A("rt_sigprocmask", "signal masks of workers"),
	A("rt_sigaction", "removing the signal handlers at the end"),
	A("rt_sigreturn", "return from SIGTERM/SIGINT handlers"),
	A("restart_syscall", "a call interrupted by a signal"),
	A("clock_gettime", "record times (when the vDSO cannot)"),
	A("clock_nanosleep", "sleeps"),
	A("getrandom", "OpenSSL's and libc's seeds"),
	A("prlimit64", "the descriptor limit"),
	A("getuid", "libfuse"),
	A("geteuid", "libfuse"),
	A("getgid", "libfuse"),
	A("poll", "waiting on a descriptor"),
	A("pipe2", "libfuse's splice pipes; spxbox's file-server handshake"),
	/* the spxbox supervisor: notifications, the job's process, its end */
	{"ioctl", "isatty(): stdio and the sanitizers ask before writing to stderr", "request TCGETS",
	 false},
	{"ioctl", "--undo-dir: a reflink of a file's pre-image", "request FICLONE", false},
	{"seccomp", "libseccomp's queries before answering notifications",
	 "operation SECCOMP_GET_NOTIF_SIZES, SECCOMP_GET_ACTION_AVAIL", true},
	{"ioctl", "seccomp notifications", "request SECCOMP_IOCTL_NOTIF_RECV, _SEND, _ID_VALID",
	 true},
	S("process_vm_readv", "reading a denied call's path from the job"),
	S("pidfd_open", "the job's process"),
	S("pidfd_send_signal", "ending the job (time limit)"),
	S("kill", "ending the job (time limit)"),
	S("waitid", "the job's exit"),
	A("wait4", "reaping the unmounter (spxfs), the job (spxbox)"),
	S("timerfd_create", "the time limit"),
	S("timerfd_settime", "the time limit"),
	S("ppoll", "waiting for notifications, the exit, the timer"),
	S("sendmsg", "talking to the sandbox's child"),
	S("recvmsg", "talking to the sandbox's child"),
	S("rmdir", "removing the staging directories at the end"),
	S("getppid", "libc"),
	S("landlock_create_ruleset", "the file-serving thread confines itself (fsserver.c)"),
	S("landlock_add_rule", "the same"),
	S("landlock_restrict_self", "the same"),
};

/* Only in a sanitizer build (meson -Db_sanitize=...): the calls the ASan,
 * LSan and UBSan runtimes make to set up threads, write a report and
 * check for leaks at exit (a tracer process that stops the threads). */
#ifdef SANITIZED
static const char *const sanitizer_calls[] = {
	"sigaltstack", "clone", "ptrace", "prctl", "readlink", "readlinkat", "sched_getaffinity",
	"getppid", "wait4", "waitid", "getdents", "getdents64", "open", "openat", "lseek",
	"newfstatat", "fstat", "mincore", "sched_yield", "getpid", "gettid", "tgkill", "kill",
	"rt_sigaction", "rt_sigprocmask", "rt_sigtimedwait", "mmap", "munmap", "mprotect",
	"madvise", "write", "read", "close", "pipe2", "dup", "dup2", "getrlimit", "prlimit64",
	"uname", "futex", "nanosleep", "clock_nanosleep", "exit", "exit_group",
};
#endif

static int add_sanitizer_calls(scmp_filter_ctx ctx)
{
#ifdef SANITIZED
	for (size_t i = 0; i < sizeof(sanitizer_calls) / sizeof(sanitizer_calls[0]); i++) {
		int nr = seccomp_syscall_resolve_name(sanitizer_calls[i]);
		int r = nr == __NR_SCMP_ERROR ? 0 : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0 && r != -EEXIST)
			return r;
	}
#else
	(void)ctx;
#endif
	return 0;
}

size_t daemon_calls_len(void)
{
	return sizeof(daemon_calls) / sizeof(daemon_calls[0]);
}

void daemon_filter_print(void)
{
	printf("| call | why | arguments | who |\n|---|---|---|---|\n");
	for (size_t i = 0; i < daemon_calls_len(); i++)
		printf("| `%s` | %s | %s | %s |\n", daemon_calls[i].name, daemon_calls[i].why,
		       daemon_calls[i].args ? daemon_calls[i].args : "any",
		       daemon_calls[i].supervisor ? "spxbox" : "both");
	printf("\n%zu calls.\n", daemon_calls_len());
}

static char refused_prefix[64];
static int refused_status; /* spxfs: 70; spxbox: 125, its own failure */

static size_t put_number(char *p, long v)
{
	char digits[24];
	size_t n = 0;
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
	do
		digits[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0 && n < sizeof(digits));
	size_t len = 0;
	if (v < 0)
		p[len++] = '-';
	while (n > 0)
		p[len++] = digits[--n];
	return len;
}

/* Async-signal-safe: writes one line and ends the process. The audit log
 * stays as it is (it verifies as incomplete); the unmounter cleans up. */
static void refused(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	char line[160];
	size_t len = strlen(refused_prefix);
	memcpy(line, refused_prefix, len);
	len += put_number(line + len, si->si_syscall);
	static const char tail[] = " is not in its allowlist (docs/syscalls.md); stopping\n";
	memcpy(line + len, tail, sizeof(tail) - 1);
	len += sizeof(tail) - 1;
	(void)!write(STDERR_FILENO, line, len);
	_exit(refused_status);
}

static int add_calls(scmp_filter_ctx ctx, bool supervisor)
{
	for (size_t i = 0; i < daemon_calls_len(); i++) {
		const struct daemon_call *c = &daemon_calls[i];
		if ((c->supervisor && !supervisor) || c->args != NULL)
			continue;
		int nr = seccomp_syscall_resolve_name(c->name);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0)
			return r;
	}
	struct scmp_arg_cmp thread = {.arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = CLONE_THREAD,
				      .datum_b = CLONE_THREAD};
	int r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, &thread);
	static const unsigned long notify_ioctls[] = {
		SECCOMP_IOCTL_NOTIF_RECV, SECCOMP_IOCTL_NOTIF_SEND, SECCOMP_IOCTL_NOTIF_ID_VALID};
	struct scmp_arg_cmp tty = {.arg = 1, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu,
				   .datum_b = TCGETS};
	struct scmp_arg_cmp clone_file = {.arg = 1, .op = SCMP_CMP_MASKED_EQ,
					  .datum_a = 0xffffffffu, .datum_b = (uint32_t)FICLONE};
	if (r == 0)
		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, &tty);
	if (r == 0)
		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, &clone_file);
	for (size_t i = 0; r == 0 && supervisor && i < 3; i++) {
		struct scmp_arg_cmp q = {.arg = 1, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu,
					 .datum_b = (uint32_t)notify_ioctls[i]};
		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, &q);
	}
	static const unsigned queries[] = {SECCOMP_GET_NOTIF_SIZES, SECCOMP_GET_ACTION_AVAIL};
	for (size_t i = 0; r == 0 && supervisor && i < 2; i++) {
		struct scmp_arg_cmp q = {.arg = 0, .op = SCMP_CMP_EQ, .datum_a = queries[i]};
		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(seccomp), 1, &q);
	}
	if (r == 0)
		r = add_sanitizer_calls(ctx);
	/* clone3's flags are in memory a filter cannot read: glibc falls
	 * back to clone on ENOSYS. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	return r;
}

int daemon_filter_install(const char *program, bool supervisor)
{
	snprintf(refused_prefix, sizeof(refused_prefix), "%s: system call ", program);
	refused_status = supervisor ? 125 : 70;
	struct sigaction sa = {.sa_sigaction = refused, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return -errno;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	if (ctx == NULL)
		return -ENOMEM;
	/* every thread, also those libraries started before us */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r == 0)
		r = add_calls(ctx, supervisor);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

int helper_filter_install(const int *calls, size_t n)
{
	static const int always[] = {SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn),
				     SCMP_SYS(restart_syscall)};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		return -ENOMEM;
	int r = 0;
	for (size_t i = 0; r == 0 && i < sizeof(always) / sizeof(always[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, always[i], 0);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0);
	if (r == 0)
		r = add_sanitizer_calls(ctx);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}
