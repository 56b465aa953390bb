/*
 * box_probe [HOST_PID [SECRET]]: run inside spxbox. Tries each class of call the
 * default policy denies (each must fail) and the popular paths it allows
 * (each must work), plus the confinement properties a job must not get
 * around. One line per check: "ok NAME" or "FAIL NAME (what happened)";
 * the last line counts them; the exit status is 1 if any check failed.
 *
 * Nothing here can escape when it is confined; it must never be run
 * outside a sandbox (it would only try, but a probe that tries escapes
 * belongs inside one).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int passed, failed;

static void expect_fail(const char *name, long r)
{
	if (r < 0) {
		passed++;
		printf("ok denied %s (%s)\n", name, strerrorname_np(errno));
	} else {
		failed++;
		printf("FAIL %s was allowed (returned %ld)\n", name, r);
	}
}

/* A call the policy refuses must fail with the errno the supervisor
 * answers it with (ENOSYS; EPERM for new processes and later execs), which
 * a plain argument error cannot produce: a probe that also failed without
 * the filter (EINVAL, EBADF, ENOTTY...) proves nothing. */
static void expect_denied(const char *name, long r, int want)
{
	if (r < 0 && errno == want) {
		passed++;
		printf("ok denied %s (%s)\n", name, strerrorname_np(errno));
	} else if (r < 0) {
		failed++;
		printf("FAIL %s failed with %s, not the filter's %s\n", name, strerrorname_np(errno),
		       strerrorname_np(want));
	} else {
		failed++;
		printf("FAIL %s was allowed (returned %ld)\n", name, r);
	}
}

static void expect_ok(const char *name, long r)
{
	if (r >= 0) {
		passed++;
		printf("ok works %s\n", name);
	} else {
		failed++;
		printf("FAIL %s did not work (%s)\n", name, strerrorname_np(errno));
	}
}

static int count_dir(const char *path, int numeric_only);

static void *thread_fn(void *arg)
{
	return arg;
}

static volatile sig_atomic_t got_signal;
static void on_signal(int sig)
{
	got_signal = sig;
}

static sigjmp_buf segv_jump;
static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(segv_jump, 1);
}

static void allowed(void)
{
	pthread_t t;
	void *ret = NULL;
	expect_ok("threads", pthread_create(&t, NULL, thread_fn, (void *)7) == 0 &&
				     pthread_join(t, &ret) == 0 && ret == (void *)7
			     ? 0
			     : -1);
	int fd = open("/probe-file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[16] = {0};
	expect_ok("file I/O", fd >= 0 && write(fd, "data", 4) == 4 && pread(fd, buf, 4, 0) == 4 &&
				      memcmp(buf, "data", 4) == 0
			      ? 0
			      : -1);
	if (fd >= 0)
		close(fd);
	unlink("/probe-file");
	int p[2];
	expect_ok("pipes", pipe2(p, O_CLOEXEC) == 0 && write(p[1], "x", 1) == 1 && read(p[0], buf, 1) == 1
				   ? 0
				   : -1);
	int sp[2];
	expect_ok("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sp));
	expect_ok("unix socket", socket(AF_UNIX, SOCK_DGRAM, 0));
	void *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect_ok("mmap", m == MAP_FAILED ? -1 : 0);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN}, out;
	expect_ok("pipe write", write(p[1], "y", 1));
	expect_ok("epoll", ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0 &&
				   epoll_wait(ep, &out, 1, 1000) == 1
			   ? 0
			   : -1);
	signal(SIGUSR1, on_signal);
	raise(SIGUSR1);
	expect_ok("signals to itself", got_signal == SIGUSR1 ? 0 : -1);
	struct timespec ts;
	expect_ok("clocks", clock_gettime(CLOCK_MONOTONIC, &ts));
	expect_ok("getrandom", getrandom(buf, 8, 0));
	/* identity "changes" to the ids the job has */
	gid_t groups[64];
	int ng = getgroups(64, groups);
	expect_ok("setresuid to its own uid", syscall(SYS_setresuid, -1, getuid(), -1));
	expect_ok("setgid to its own gid", syscall(SYS_setgid, getgid()));
	expect_ok("setgroups to its own groups", ng < 0 ? -1 : syscall(SYS_setgroups, ng, groups));
	expect_ok("prctl PR_SET_NAME", prctl(PR_SET_NAME, "probe", 0, 0, 0));
	int n = 0;
	expect_ok("ioctl FIONREAD", ioctl(p[0], FIONREAD, &n));
	struct utsname u;
	expect_ok("hostname is spx", uname(&u) == 0 && strcmp(u.nodename, "spx") == 0 ? 0 : -1);
}

static void denied(void)
{
	expect_denied("fork", syscall(SYS_fork), EPERM);
	expect_denied("vfork", syscall(SYS_vfork), EPERM);
	expect_denied("clone of a process", syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0), EPERM);
	errno = 0;
	long r = syscall(SYS_clone3, NULL, 0);
	expect_fail("clone3 (ENOSYS)", r < 0 && errno == ENOSYS ? -1 : 0);
	char *argv[] = {"/bin/true", NULL};
	expect_denied("a second execve", execve("/bin/true", argv, argv + 1), EPERM);
	expect_denied("execveat", syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, argv + 1, 0), EPERM);
	struct io_uring_params iop = {0};
	expect_denied("io_uring_setup", syscall(SYS_io_uring_setup, 4, &iop), ENOSYS);
	expect_denied("bpf", syscall(SYS_bpf, 0, NULL, 0), ENOSYS);
	expect_denied("ptrace", ptrace(PTRACE_TRACEME, 0, 0, 0), ENOSYS);
	char buf[8];
	struct iovec l = {buf, 8}, rv = {buf, 8};
	expect_denied("process_vm_readv", process_vm_readv(1, &l, 1, &rv, 1, 0), ENOSYS);
	expect_denied("process_vm_writev", process_vm_writev(1, &l, 1, &rv, 1, 0), ENOSYS);
	expect_denied("mount", mount("none", "/", "tmpfs", 0, NULL), ENOSYS);
	expect_denied("umount", umount2("/proc", MNT_DETACH), ENOSYS);
	expect_denied("fsopen", syscall(SYS_fsopen, "tmpfs", 0), ENOSYS);
	expect_denied("fsmount", syscall(SYS_fsmount, 0, 0, 0), ENOSYS);
	expect_denied("move_mount", syscall(SYS_move_mount, -1, "", -1, "", 0), ENOSYS);
	expect_denied("open_tree", syscall(SYS_open_tree, AT_FDCWD, "/", 0), ENOSYS);
	expect_denied("mount_setattr", syscall(SYS_mount_setattr, -1, "", 0, NULL, 0), ENOSYS);
	expect_denied("unshare", unshare(CLONE_NEWUSER), ENOSYS);
	expect_denied("setns", setns(0, 0), ENOSYS);
	expect_denied("chroot", chroot("/"), ENOSYS);
	expect_denied("pivot_root", syscall(SYS_pivot_root, "/", "/"), ENOSYS);
	expect_denied("add_key", syscall(SYS_add_key, "user", "k", "v", 1, -3), ENOSYS);
	expect_denied("keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0), ENOSYS);
	struct perf_event_attr pe = {.type = PERF_TYPE_SOFTWARE, .size = sizeof(pe)};
	expect_denied("perf_event_open", syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0), ENOSYS);
	expect_denied("userfaultfd", syscall(SYS_userfaultfd, 0), ENOSYS);
	expect_denied("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, "/", NULL, NULL, 0), ENOSYS);
	expect_denied("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0), ENOSYS);
	expect_denied("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0), ENOSYS);
	expect_denied("init_module", syscall(SYS_init_module, NULL, 0, ""), ENOSYS);
	expect_denied("finit_module", syscall(SYS_finit_module, -1, "", 0), ENOSYS);
	expect_denied("reboot", syscall(SYS_reboot, 0, 0, 0, NULL), ENOSYS);
	expect_denied("iopl", syscall(SYS_iopl, 3), ENOSYS);
	expect_denied("ioperm", syscall(SYS_ioperm, 0, 1, 1), ENOSYS);
	/* personality() answers the previous persona on success: only -1
	 * with the filter's errno is a refusal */
	errno = 0;
	expect_denied("personality change", personality(PER_LINUX32) == -1 ? -1 : 0, ENOSYS);
	expect_denied("socket AF_INET", socket(AF_INET, SOCK_STREAM, 0), ENOSYS);
	expect_denied("socket AF_INET6", socket(AF_INET6, SOCK_STREAM, 0), ENOSYS);
	expect_denied("socket AF_NETLINK", socket(AF_NETLINK, SOCK_RAW, 0), ENOSYS);
	char c = 'x';
	expect_denied("ioctl TIOCSTI", ioctl(0, TIOCSTI, &c), ENOSYS);
	expect_denied("prctl PR_SET_DUMPABLE", prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), ENOSYS);
	/* EPERM is also the kernel's answer: t_box.sh finds each in the log */
	expect_denied("setuid to root", syscall(SYS_setuid, 0), EPERM);
	gid_t root_group = 0;
	expect_denied("setgroups to root's group", syscall(SYS_setgroups, 1, &root_group), EPERM);
	expect_denied("personality query", personality(0xffffffff), ENOSYS);
	/* int 0x80 is the i386 ABI: getpid (20) must not run. A kernel
	 * without IA-32 emulation faults instead (SIGSEGV): absent, so also
	 * not reachable. */
	long r32 = 0;
	signal(SIGSEGV, on_segv);
	if (sigsetjmp(segv_jump, 1) == 0) {
		/* the kernel zeroes r8-r11 on int 0x80 from 64-bit code */
		__asm__ volatile("int $0x80"
				 : "=a"(r32)
				 : "a"(20)
				 : "memory", "r8", "r9", "r10", "r11");
		errno = r32 < 0 ? (int)-r32 : 0;
	} else {
		r32 = -1;
		errno = ENOSYS;
		printf("(no IA-32 emulation in this kernel: int 0x80 faults)\n");
	}
	signal(SIGSEGV, SIG_DFL);
	expect_fail("i386 ABI (int 0x80)", r32 < 0 ? -1 : 0);
	errno = 0;
	expect_fail("x32 ABI", syscall(0x40000000 | 39));
}

static int count_dir(const char *path, int numeric_only)
{
	DIR *d = opendir(path);
	int n = 0;
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && (!numeric_only || (de->d_name[0] >= '0' && de->d_name[0] <= '9')))
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

/* Reads the host secret at path (a host path the job's uid could read
 * if the path led to it): 0 when it got the secret's first byte. */
static int read_secret(const char *path)
{
	char buf[16] = {0};
	int fd = open(path, O_RDONLY);
	int r = fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && strncmp(buf, "HOST SECRET", 11) == 0
			? 0
			: -1;
	if (fd >= 0)
		close(fd);
	return r;
}

/* secret: the host path of a file the job's uid may read ("HOST SECRET"),
 * which no path in the job's view may reach; ROOT's escape-abs and
 * escape-rel point at it. host_pid: a host process of the job's own uid,
 * which a job outside its PID namespace could signal. */
static void confinement(const char *host_pid, const char *secret)
{
	char path[4200];
	expect_fail("read host file via absolute symlink", read_secret("/escape-abs"));
	expect_fail("read host file via relative symlink", read_secret("/escape-rel"));
	if (secret != NULL) {
		snprintf(path, sizeof(path), "/../../../../..%s", secret);
		expect_fail("read host file via ..", read_secret(path));
		snprintf(path, sizeof(path), "/proc/1/root%s", secret);
		expect_fail("read host file via /proc/1/root", read_secret(path));
		snprintf(path, sizeof(path), "/proc/self/cwd/../../../..%s", secret);
		expect_fail("read host file via /proc/self/cwd", read_secret(path));
		expect_fail("read host file by its host path", read_secret(secret));
	}
	expect_fail("read host file via a bind mount inside ROOT", read_secret("/bindmount/secret"));
	int procs = count_dir("/proc", 1);
	expect_ok("no host process visible (only init and the job)", procs <= 2 ? 0 : -1);
	if (host_pid != NULL)
		expect_fail("signal a host process", kill((pid_t)atoi(host_pid), 0));
	int devs = count_dir("/dev", 0);
	/* the standard devices, the fd links and shm (a private tmpfs) */
	expect_ok("a minimal /dev", devs <= 11 && access("/dev/null", W_OK) == 0 ? 0 : -1);
	expect_fail("no /dev/sda or /dev/mem", access("/dev/mem", F_OK) == 0 ? 0 : -1);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* First, before the probe opens anything: 0, 1, 2 and the listing. */
	expect_ok("no inherited descriptors", count_dir("/proc/self/fd", 0) <= 4 ? 0 : -1);
	allowed();
	denied();
	confinement(argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL);
	printf("probe: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
