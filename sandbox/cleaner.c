#include "cleaner.h"
#include "caps_keep.h"
#include "daemon_filter.h"
#include "helper_process.h"

#include <errno.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static _Noreturn void run(int sock, struct staging *st)
{
	/* only the socket and the placeholders' directory stay open */
	helper_process_begin("spxbox-cleaner", sock, st->ph_fd);
	const char *what;
	static const int calls[] = {SCMP_SYS(read), SCMP_SYS(close), SCMP_SYS(unlinkat),
				    SCMP_SYS(rmdir)};
	if (caps_keep_only(NULL, 0, &what) < 0 ||
	    helper_filter_install(calls, sizeof(calls) / sizeof(calls[0])) < 0)
		_exit(1);
	char c;
	ssize_t n;
	do
		n = read(sock, &c, 1);
	while (n < 0 && errno == EINTR);
	remove_staging(st);
	_exit(0);
}

int cleaner_start(struct cleaner *c, struct staging *st)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (pid == 0) {
		close(sv[0]);
		run(sv[1], st);
	}
	close(sv[1]);
	c->pid = pid;
	c->sock = sv[0];
	return 0;
}

void cleaner_finish(struct cleaner *c)
{
	close(c->sock);
	while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
		;
}
