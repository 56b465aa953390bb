#include "cleaner.h"
#include "caps_keep.h"
#include "daemon_filter.h"
#include "helper_process.h"

#include <seccomp.h>
#include <unistd.h>

static _Noreturn void run(int sock, struct staging *st)
{
	/* only the socket and the placeholders' directory stay open */
	const int keep[] = {sock, st->ph_fd};
	helper_process_begin("spxbox-cleaner", keep, 2);
	const char *what;
	static const int calls[] = {SCMP_SYS(read), SCMP_SYS(close), SCMP_SYS(unlinkat),
				    SCMP_SYS(rmdir)};
	if (caps_keep_only(NULL, 0, &what) < 0 ||
	    helper_filter_install(calls, sizeof(calls) / sizeof(calls[0])) < 0)
		_exit(1);
	char c;
	(void)helper_read_byte(sock, &c); /* EOF: spxbox is done, or dead */
	remove_staging(st);
	_exit(0);
}

int cleaner_start(struct cleaner *c, struct staging *st)
{
	int sock;
	pid_t pid = helper_process_fork(&sock);
	if (pid < 0)
		return (int)pid;
	if (pid == 0)
		run(sock, st);
	c->pid = pid;
	c->sock = sock;
	return 0;
}

void cleaner_finish(struct cleaner *c)
{
	close(c->sock);
	helper_process_reap(c->pid);
}
