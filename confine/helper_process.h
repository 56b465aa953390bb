/* The small processes the daemons fork before confining themselves
 * (spxfs-unmount, spxbox-cleaner) start alike: only two descriptors of
 * theirs stay open, the terminal's signals cannot end them (spxfs and
 * spxbox end cleanly on ^C and then still need them), and they carry a
 * name of their own in ps and /proc. */
#ifndef SPX_HELPER_PROCESS_H
#define SPX_HELPER_PROCESS_H

#include <stddef.h>
#include <sys/types.h>

/* Forks a helper joined to the caller by a socket pair. In the parent:
 * the helper's pid, *sock the parent's end. In the helper: 0, *sock its
 * end (the parent's is closed there). -errno when either step fails. */
pid_t helper_process_fork(int *sock);

/* One byte from sock, retrying when a signal interrupts: 1, 0 at EOF (the
 * other side ended), -1 on error. */
ssize_t helper_read_byte(int sock, char *c);

/* Waits for the helper to end. */
void helper_process_reap(pid_t pid);

/* Closes every descriptor above 2 but the n in keep, ignores SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT and SIGPIPE, and sets the process name. */
void helper_process_begin(const char *name, const int *keep, size_t n);

#endif
