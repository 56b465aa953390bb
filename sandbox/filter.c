#include "filter.h"
#include "policy.h"

#include <errno.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>

/* A: made by a corpus program (tests/integration/corpus.sh, traced by
 * scripts/corpus-trace.sh); K: no corpus program makes it, kept for the
 * reason given; F, FK: the same, allowed with the arguments given only. */
#define A(name, why) {name, why, NULL, false}
#define K(name, why) {name, why, NULL, true}
#define F(name, why, args) {name, why, args, false}
#define FK(name, why, args) {name, why, args, true}

const struct seccomp_entry seccomp_allowlist[] = {
	/* descriptors and data */
	A("read", "read data"), A("write", "write data"), A("readv", "vectored read"),
	A("writev", "vectored write"), A("pread64", "read at an offset"),
	A("pwrite64", "write at an offset"), A("lseek", "move the file offset"),
	A("close", "close a descriptor"), A("dup", "duplicate a descriptor"),
	A("dup2", "shell redirections (glibc's dup2)"), A("dup3", "duplicate with flags"),
	A("fcntl", "descriptor flags, POSIX locks"), A("flock", "whole-file locks"),
	A("fsync", "flush a file"), A("fdatasync", "flush a file's data"),
	A("ftruncate", "resize an open file"), A("truncate", "resize a file by name"),
	/* names (all confined to the spxfs root) */
	A("openat", "open a file"), A("creat", "create a file: the legacy form GNU tar still uses"),
	A("newfstatat", "stat (glibc 2.33+)"), A("stat", "stat"), A("statx", "stat with more fields"),
	A("access", "check access (glibc's access on x86_64)"),
	A("faccessat2", "check access with flags"), A("readlink", "read a symlink (glibc's readlink)"),
	A("readlinkat", "read a symlink"), A("getdents64", "list a directory"),
	A("mkdir", "make a directory (glibc's mkdir)"), A("mkdirat", "make a directory"),
	A("unlink", "remove a file (glibc's unlink)"), A("unlinkat", "remove a file or directory"),
	A("rmdir", "remove a directory (glibc's rmdir)"), A("rename", "rename (glibc's rename)"),
	A("renameat", "renameat(): renameat2"), A("renameat2", "rename with flags"),
	A("link", "hard link (glibc's link)"), A("linkat", "hard link"),
	A("symlink", "symbolic link (glibc's symlink)"), A("symlinkat", "symbolic link"),
	A("chmod", "chmod (glibc's chmod)"), A("fchmod", "chmod an open file"),
	A("fchmodat", "chmod"), A("chown", "chown (glibc's chown)"),
	A("fchown", "fchown to the job's own ids (gzip, tar, cp -p); the kernel refuses others"),
	A("fchownat", "chown"), A("utimensat", "set times"),
	A("mknodat", "mkfifo(), mknod() of FIFOs and sockets (spxfs refuses devices)"),
	A("umask", "file creation mask"), A("getcwd", "current directory"),
	A("chdir", "change directory"), A("fchdir", "change directory by descriptor"),
	A("statfs", "filesystem statistics"), A("fstatfs", "filesystem statistics"),
	A("fadvise64", "access pattern hints"), A("sendfile", "copy between descriptors"),
	A("copy_file_range", "copy between files"),
	A("fallocate", "reserve or punch out space; --max-bytes charges it"),
	A("getxattr", "read extended attributes"), A("lgetxattr", "the same, of a symlink"),
	A("fgetxattr", "the same, of an open file"), A("listxattr", "list extended attributes"),
	A("setxattr", "set extended attributes (spxfs keeps only user.*)"),
	A("fsetxattr", "the same, of an open file (sed -i copies a file's attributes)"),
	A("removexattr", "remove an extended attribute"),
	/* the forms of the calls above that glibc before 2.33 (the binaries
	 * of Debian 11, Ubuntu 20.04 and older) and static binaries make for
	 * the same operations: the same policy */
	K("open", "open() of glibc before 2.33"), K("fstat", "fstat() of glibc before 2.33"),
	K("lstat", "lstat() of glibc before 2.33"), K("faccessat", "faccessat() of glibc before 2.33"),
	K("mknod", "mknod(), mkfifo() of glibc before 2.33"), K("lchown", "lchown() of glibc before 2.33"),
	K("utime", "utime() of glibc before 2.33"), K("utimes", "utimes() of glibc before 2.33"),
	K("futimesat", "futimesat(): glibc still makes it"), K("pipe", "pipe() of static and older binaries"),
	K("lsetxattr", "setxattr of a symlink: the l-form of setxattr (cp -a, rsync -X)"),
	K("lremovexattr", "the l-form of removexattr"), K("fremovexattr", "the f-form of removexattr"),
	K("llistxattr", "the l-form of listxattr (cp -a, rsync -X)"),
	K("flistxattr", "the f-form of listxattr (cp -a, rsync -X)"),
	/* memory */
	A("mmap", "map memory and files"), A("munmap", "unmap memory"),
	A("mprotect", "memory protection (loader, JITs)"), A("mremap", "grow a mapping (realloc)"),
	A("madvise", "memory hints (allocators)"), A("brk", "heap"),
	/* the process and its threads */
	A("exit", "end a thread"), A("exit_group", "end the process"), A("getpid", "own pid"),
	A("gettid", "own thread id"), A("getppid", "parent pid"), A("getpgrp", "own process group (gawk)"),
	A("getuid", "ids"), A("geteuid", "ids"), A("getgid", "ids"), A("getegid", "ids"),
	A("getgroups", "supplementary groups"), A("getresuid", "ids"), A("getresgid", "ids"),
	A("set_tid_address", "thread start-up (libc)"), A("set_robust_list", "thread start-up (libc)"),
	A("rseq", "restartable sequences (glibc 2.35+)"), A("futex", "locks and thread joins"),
	K("sched_yield", "spin-then-yield locks (OpenMP, Go's runtime, jemalloc)"),
	A("sched_getaffinity", "CPU count (nproc, runtimes)"),
	A("prlimit64", "read (or lower) own limits"), A("getrusage", "own resource usage"),
	A("uname", "system name (libc, runtimes)"), A("sysinfo", "memory size (runtimes)"),
	F("clone", "threads only", "flags include CLONE_THREAD (--allow-fork: any flags but CLONE_NEW*)"),
	/* signals to itself (the PID namespace holds only the job) */
	A("rt_sigaction", "signal handlers"), A("rt_sigprocmask", "signal mask"),
	A("rt_sigreturn", "return from a handler"), A("sigaltstack", "alternate signal stack"),
	A("kill", "signal own processes"), A("tgkill", "signal own threads (raise, abort)"),
	/* time and randomness */
	K("nanosleep", "sleep: Go's runtime and static binaries call it directly"),
	A("clock_nanosleep", "sleep"), A("clock_gettime", "clocks"),
	K("gettimeofday", "clocks where the vDSO is not used (static binaries)"),
	A("getrandom", "randomness"), A("arch_prctl", "thread-local storage set-up"),
	/* waiting and local communication */
	A("pipe2", "pipes"), K("eventfd2", "event counters (libuv: Node.js; GLib; tokio)"),
	A("epoll_create1", "event loops"), A("epoll_ctl", "event loops"),
	A("epoll_wait", "event loops"), K("epoll_pwait", "event loops (libuv: Node.js)"),
	A("poll", "wait on descriptors (glibc's poll)"),
	K("ppoll", "wait on descriptors with a signal mask (Rust's std, OpenSSH)"),
	K("pselect6", "select() and pselect() (bash's read -t)"),
	A("wait4", "reap children (with --allow-fork)"),
	F("socket", "local sockets", "domain AF_UNIX (and AF_INET, AF_INET6 with --net)"),
	F("socketpair", "local socket pairs", "domain AF_UNIX"),
	A("connect", "connect a socket (glibc asks nscd)"), A("sendto", "send"),
	A("recvfrom", "receive"), K("sendmsg", "send with descriptors (D-Bus, multiprocessing)"),
	K("recvmsg", "receive with descriptors"), A("getsockname", "a socket's address (asyncio)"),
	A("getpeername", "a socket's peer (asyncio)"),
	F("ioctl", "terminals, descriptor flags and clones",
	  "request (low 32 bits) TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, TIOCGPGRP, "
	  "FIONREAD, FIONBIO, FIOCLEX, FIONCLEX, FICLONE, FICLONERANGE (cp, git)"),
	F("prctl", "thread names", "option PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE"),
	/* identity: "changing" it to the ids the job has (make's children
	 * before exec, daemons' children); the kernel would refuse any other
	 * to a process without capabilities, the filter refuses it first */
	F("setresuid", "to the job's own uid (make)", "each uid the job's own or -1"),
	F("setresgid", "to the job's own gid (make)", "each gid the job's own or -1"),
	FK("setreuid", "to the job's own uid", "each uid the job's own or -1"),
	FK("setregid", "to the job's own gid", "each gid the job's own or -1"),
	FK("setuid", "to the job's own uid", "the job's own uid"),
	FK("setgid", "to the job's own gid", "the job's own gid"),
	FK("setgroups", "to the job's own groups (initgroups in daemons' children)",
	  "answered by the supervisor: success without a change for the job's own "
	  "list, refused otherwise"),
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

/* set*id calls that name only the job's own id (or -1, "unchanged") run;
 * the kernel lets a process without CAP_SETUID do exactly that, and the
 * filter keeps every other id a recorded denial. One rule per choice of
 * "own" or "-1" for each argument. Ids are 32 bits wide. */
static int own_id_rules(scmp_filter_ctx ctx, const char *name, unsigned nargs, unsigned id,
			bool minus_one)
{
	int r = 0;
	for (unsigned choice = 0; r == 0 && choice < (1u << nargs); choice++) {
		struct scmp_arg_cmp cmp[3];
		bool any_minus = false;
		for (unsigned a = 0; a < nargs; a++) {
			bool minus = (choice >> a) & 1;
			any_minus |= minus;
			cmp[a] = arg_cmp(a, SCMP_CMP_MASKED_EQ, 0xffffffffu,
					 minus ? 0xffffffffu : (scmp_datum_t)id);
		}
		if (any_minus && !minus_one)
			continue;
		r = rule(ctx, SCMP_ACT_ALLOW, name, nargs, cmp);
	}
	return r;
}

static int own_ids(scmp_filter_ctx ctx, unsigned uid, unsigned gid)
{
	int r = own_id_rules(ctx, "setresuid", 3, uid, true);
	if (r == 0)
		r = own_id_rules(ctx, "setresgid", 3, gid, true);
	if (r == 0)
		r = own_id_rules(ctx, "setreuid", 2, uid, true);
	if (r == 0)
		r = own_id_rules(ctx, "setregid", 2, gid, true);
	if (r == 0)
		r = own_id_rules(ctx, "setuid", 1, uid, false);
	if (r == 0)
		r = own_id_rules(ctx, "setgid", 1, gid, false);
	return r;
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
	/* FICLONE: FUSE has no clones, so cp and git get EOPNOTSUPP and copy */
	static const unsigned long ioctls[] = {TCGETS,	  TCSETS,   TCSETSW, TCSETSF,
					       TIOCGWINSZ, TIOCGPGRP, FIONREAD, FIONBIO,
					       FIOCLEX,	  FIONCLEX, FICLONE, FICLONERANGE};
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
	if (r == 0)
		r = own_ids(ctx, p->uid, p->gid);
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
