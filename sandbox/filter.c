#include "filter.h"
#include "policy.h"

#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>

#define A(name, why) {name, why, NULL}
#define F(name, why, args) {name, why, args}

const struct seccomp_entry seccomp_allowlist[] = {
	/* descriptors and data */
	A("read", "read data"), A("write", "write data"), A("readv", "vectored read"),
	A("writev", "vectored write (stdio)"), A("pread64", "read at an offset"),
	A("pwrite64", "write at an offset"), A("lseek", "move the file offset"),
	A("close", "close a descriptor"), A("dup", "duplicate a descriptor"),
	A("dup2", "shell redirections (glibc's dup2)"), A("dup3", "duplicate with flags"),
	A("fcntl", "descriptor flags, POSIX locks"), A("flock", "whole-file locks"),
	A("fsync", "flush a file"), A("fdatasync", "flush a file's data"),
	A("ftruncate", "resize an open file"),
	A("truncate", "resize a file by name (Python's os.truncate, coreutils truncate)"),
	/* names (all confined to the spxfs root) */
	A("openat", "open a file"), A("open", "open a file (older binaries)"),
	A("creat", "create a file: the legacy form GNU tar still uses"),
	A("newfstatat", "stat (glibc 2.33+)"), A("fstat", "stat an open file"),
	A("stat", "stat (older binaries)"), A("lstat", "lstat (older binaries)"),
	A("statx", "stat with more fields (coreutils)"),
	A("access", "check access (glibc's access on x86_64)"),
	A("faccessat", "check access"), A("faccessat2", "check access with flags"),
	A("readlink", "read a symlink (glibc's readlink)"), A("readlinkat", "read a symlink"),
	A("getdents64", "list a directory"), A("mkdir", "make a directory (glibc's mkdir)"),
	A("mkdirat", "make a directory"), A("unlink", "remove a file (glibc's unlink)"),
	A("unlinkat", "remove a file or directory"), A("rmdir", "remove a directory (glibc's rmdir)"),
	A("rename", "rename (glibc's rename)"), A("renameat2", "rename with flags"),
	A("linkat", "hard link"), A("symlinkat", "symbolic link"), A("fchmod", "chmod an open file"),
	A("fchmodat", "chmod"), A("fchownat", "chown"), A("utimensat", "set times"),
	/* the older forms of calls allowed above, which glibc on x86_64 still
	 * makes for link(), symlink(), chmod(), chown(), utimes(), mkfifo():
	 * the same operation, so the same policy. Changing owners to ids not
	 * the job's, and device nodes, stay the kernel's to refuse (the job
	 * has no CAP_CHOWN or CAP_MKNOD; spxfs refuses devices). */
	A("link", "link(): linkat"), A("symlink", "symlink(): symlinkat"),
	A("renameat", "renameat(): renameat2"), A("chmod", "chmod(): fchmodat"),
	A("fchown", "fchown() to the job's own ids (gzip, tar, cp -p): fchownat"),
	A("chown", "chown(): fchownat"), A("lchown", "lchown(): fchownat"),
	A("utimes", "utimes(): utimensat"), A("utime", "utime(): utimensat"),
	A("futimesat", "futimesat(): utimensat"),
	A("mknodat", "mkfifo(), mknod() of FIFOs and sockets"), A("mknod", "mknod(): mknodat"),
	A("umask", "file creation mask"), A("getcwd", "current directory"),
	A("chdir", "change directory"), A("fchdir", "change directory by descriptor"),
	A("statfs", "filesystem statistics"), A("fstatfs", "filesystem statistics"),
	A("fadvise64", "access pattern hints (cat, cp)"),
	A("sendfile", "copy between descriptors (cat, cp)"), A("copy_file_range", "copy between files (coreutils cp, Python shutil)"),
	A("fallocate", "reserve or punch out space (posix_fallocate, SQLite, cp --sparse); --max-bytes charges it"),
	A("getxattr", "read extended attributes (ls -l)"), A("lgetxattr", "the same, of a symlink"),
	A("fgetxattr", "the same, of an open file"), A("listxattr", "list extended attributes"),
	A("llistxattr", "the same, of a symlink"), A("flistxattr", "the same, of an open file"),
	/* memory */
	A("mmap", "map memory and files"), A("munmap", "unmap memory"),
	A("mprotect", "memory protection (loader, JITs)"), A("mremap", "grow a mapping (realloc)"),
	A("madvise", "memory hints (allocators)"), A("brk", "heap"),
	/* the process and its threads */
	A("exit", "end a thread"), A("exit_group", "end the process"), A("getpid", "own pid"),
	A("gettid", "own thread id"), A("getppid", "parent pid"), A("getuid", "ids"),
	A("geteuid", "ids"), A("getgid", "ids"), A("getegid", "ids"),
	A("set_tid_address", "thread start-up (libc)"), A("set_robust_list", "thread start-up (libc)"),
	A("rseq", "restartable sequences (glibc 2.35+)"), A("futex", "locks and thread joins"),
	A("sched_yield", "yield the CPU"), A("sched_getaffinity", "CPU count (nproc, runtimes)"),
	A("prlimit64", "read (or lower) own limits"), A("getrusage", "own resource usage"),
	A("uname", "system name (libc, runtimes)"), A("sysinfo", "memory size (runtimes)"),
	F("clone", "threads only", "flags include CLONE_THREAD (--allow-fork: any flags but CLONE_NEW*)"),
	/* signals to itself (the PID namespace holds only the job) */
	A("rt_sigaction", "signal handlers"), A("rt_sigprocmask", "signal mask"),
	A("rt_sigreturn", "return from a handler"), A("sigaltstack", "alternate signal stack"),
	A("kill", "signal own processes"), A("tgkill", "signal own threads (raise, abort)"),
	/* time and randomness */
	A("nanosleep", "sleep"), A("clock_nanosleep", "sleep"), A("clock_gettime", "clocks"),
	A("gettimeofday", "clocks"), A("getrandom", "randomness"),
	A("arch_prctl", "thread-local storage set-up"),
	/* waiting and local communication */
	A("pipe", "pipes (glibc's pipe)"), A("pipe2", "pipes"), A("eventfd2", "event counters"),
	A("epoll_create1", "event loops"), A("epoll_ctl", "event loops"),
	A("epoll_wait", "event loops"), A("epoll_pwait", "event loops"),
	A("poll", "wait on descriptors (glibc's poll)"), A("ppoll", "wait on descriptors"),
	A("pselect6", "select"), A("wait4", "reap children (with --allow-fork)"),
	F("socket", "local sockets", "domain AF_UNIX (and AF_INET, AF_INET6 with --net)"),
	F("socketpair", "local socket pairs", "domain AF_UNIX"),
	A("connect", "connect a socket"), A("sendto", "send"), A("recvfrom", "receive"),
	A("sendmsg", "send"), A("recvmsg", "receive"),
	F("ioctl", "terminals and descriptor flags",
	  "request (low 32 bits) TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, TIOCGPGRP, "
	  "FIONREAD, FIONBIO, FIOCLEX, FIONCLEX"),
	F("prctl", "thread names", "option PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE"),
	F("personality", "querying only", "persona 0xffffffff"),
};

size_t seccomp_allowlist_len(void)
{
	return sizeof(seccomp_allowlist) / sizeof(seccomp_allowlist[0]);
}

static const struct policy *custom_policy;

static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
		const struct scmp_arg_cmp *args)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0; /* not on this architecture */
	/* A call the policy file names follows the file alone. */
	if (custom_policy != NULL && policy_find(custom_policy, nr) != NULL)
		return 0;
	return seccomp_rule_add_array(ctx, action, nr, n, args);
}

/* scmp_arg_cmp spelled out (libseccomp's SCMP_A* macros leave fields to
 * zero-initialisation, which clang's -Wextra flags). */
static struct scmp_arg_cmp arg_cmp(unsigned arg, enum scmp_compare op, scmp_datum_t a,
				   scmp_datum_t b)
{
	return (struct scmp_arg_cmp){.arg = arg, .op = op, .datum_a = a, .datum_b = b};
}

static int conditional(scmp_filter_ctx ctx, const struct seccomp_policy *p)
{
	int r = 0;
	/* clone: threads only; with --allow-fork processes too, but never in
	 * new namespaces (a user namespace would hand the job capabilities
	 * over it, and with them the mount family this filter refuses). */
	const scmp_datum_t new_ns = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
				    CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
	struct scmp_arg_cmp thread = arg_cmp(0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
	struct scmp_arg_cmp no_ns = arg_cmp(0, SCMP_CMP_MASKED_EQ, new_ns, 0);
	r = rule(ctx, SCMP_ACT_ALLOW, "clone", 1, p->allow_fork ? &no_ns : &thread);
	if (r == 0 && p->allow_fork)
		r = rule(ctx, SCMP_ACT_ALLOW, "fork", 0, NULL);
	if (r == 0 && p->allow_fork)
		r = rule(ctx, SCMP_ACT_ALLOW, "vfork", 0, NULL);
	/* clone3's flags live in memory seccomp cannot read: ENOSYS makes
	 * libc use clone, whose flags it can. */
	if (r == 0)
		r = rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
	static const int domains[] = {AF_UNIX, AF_INET, AF_INET6};
	for (int i = 0; r == 0 && i < (p->net ? 3 : 1); i++) {
		struct scmp_arg_cmp d = arg_cmp(0, SCMP_CMP_EQ, (scmp_datum_t)domains[i], 0);
		r = rule(ctx, SCMP_ACT_ALLOW, "socket", 1, &d);
		if (r == 0 && i == 0)
			r = rule(ctx, SCMP_ACT_ALLOW, "socketpair", 1, &d);
	}
	static const unsigned long ioctls[] = {TCGETS,	 TCSETS,  TCSETSW, TCSETSF, TIOCGWINSZ,
					       TIOCGPGRP, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX};
	for (size_t i = 0; r == 0 && i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		/* The kernel compares only the low 32 bits of the request. */
		struct scmp_arg_cmp q = arg_cmp(1, SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)ioctls[i]);
		r = rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &q);
	}
	static const int prctls[] = {PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE};
	for (size_t i = 0; r == 0 && i < sizeof(prctls) / sizeof(prctls[0]); i++) {
		struct scmp_arg_cmp o = arg_cmp(0, SCMP_CMP_EQ, (scmp_datum_t)prctls[i], 0);
		r = rule(ctx, SCMP_ACT_ALLOW, "prctl", 1, &o);
	}
	struct scmp_arg_cmp query = arg_cmp(0, SCMP_CMP_MASKED_EQ, 0xffffffffu, 0xffffffffu);
	if (r == 0)
		r = rule(ctx, SCMP_ACT_ALLOW, "personality", 1, &query);
	return r;
}

/* Adds one OR-branch of a policy rule; '&' over several bits becomes one
 * branch per bit (a filter can only test all bits of a mask at once). */
static int add_branch(scmp_filter_ctx ctx, int nr, const struct policy_atom *atoms, int n,
		      struct scmp_arg_cmp *cmp, int done)
{
	if (done == n)
		return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, (unsigned)n, cmp);
	const struct policy_atom *a = &atoms[done];
	static const enum scmp_compare plain[] = {
		[P_EQ] = SCMP_CMP_EQ, [P_NE] = SCMP_CMP_NE, [P_LT] = SCMP_CMP_LT,
		[P_LE] = SCMP_CMP_LE, [P_GT] = SCMP_CMP_GT, [P_GE] = SCMP_CMP_GE,
	};
	if (a->op == P_IN) {
		cmp[done] = arg_cmp(a->arg, SCMP_CMP_MASKED_EQ, ~a->value, 0);
		return add_branch(ctx, nr, atoms, n, cmp, done + 1);
	}
	if (a->op != P_ANY_BITS) {
		cmp[done] = arg_cmp(a->arg, plain[a->op], a->value, 0);
		return add_branch(ctx, nr, atoms, n, cmp, done + 1);
	}
	for (int bit = 0; bit < 64; bit++) {
		uint64_t m = 1ULL << bit;
		if (!(a->value & m))
			continue;
		cmp[done] = arg_cmp(a->arg, SCMP_CMP_MASKED_EQ, m, m);
		int r = add_branch(ctx, nr, atoms, n, cmp, done + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_custom(scmp_filter_ctx ctx, const struct policy *pol)
{
	for (int i = 0; i < pol->n; i++) {
		const struct policy_rule *r = &pol->rules[i];
		int e = 0;
		if (r->allow_all)
			e = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, r->nr, 0, NULL);
		for (int k = 0; e == 0 && k < r->nor; k++) {
			struct scmp_arg_cmp cmp[POLICY_MAX_AND];
			e = add_branch(ctx, r->nr, r->atoms[k], r->nand[k], cmp, 0);
		}
		/* "return E" alone: no rule; the call reaches the supervisor,
		 * which answers E and records it. */
		if (e < 0)
			return e;
	}
	return 0;
}

int seccomp_install(const struct seccomp_policy *p)
{
	custom_policy = p->custom;
	/* Everything not allowed goes to the supervisor, which records it. */
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_NOTIFY);
	if (ctx == NULL)
		return -ENOMEM;
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
	/* A binary tree over syscall numbers instead of a linear list: the
	 * cost per call grows with log(n), not n. */
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t i = 0; r == 0 && i < seccomp_allowlist_len(); i++)
		if (seccomp_allowlist[i].args == NULL)
			r = rule(ctx, SCMP_ACT_ALLOW, seccomp_allowlist[i].name, 0, NULL);
	if (r == 0)
		r = conditional(ctx, p);
	if (r == 0 && p->custom != NULL)
		r = add_custom(ctx, p->custom);
	if (r == 0)
		r = seccomp_load(ctx);
	int fd = r == 0 ? seccomp_notify_fd(ctx) : r;
	seccomp_release(ctx);
	return fd;
}
