/*
 * channel: the messages between the sandboxed child and the supervisor,
 * over a SOCK_SEQPACKET socketpair: a type byte, a payload, and at most
 * one descriptor (SCM_RIGHTS).
 */
#ifndef SPX_BOX_CHANNEL_H
#define SPX_BOX_CHANNEL_H

#include <stddef.h>

enum channel_msg {
	MSG_GO = 'G',	    /* supervisor -> child: the id maps are written */
	MSG_FUSE_FD = 'F',  /* child -> supervisor: /dev/fuse of the mounted root */
	MSG_NOTIFY_FD = 'S', /* child -> supervisor: the seccomp notification fd */
	MSG_ERROR = 'E',    /* child -> supervisor: setup failed; payload says why */
	MSG_EXEC_ERRNO = 'X', /* child -> supervisor: execve failed; payload: errno */
	MSG_START = 'R',    /* supervisor -> job: run (only with --start-fifo) */
};

/* 0 or -errno. */
int channel_send(int sock, char type, const void *payload, size_t len, int fd);

/* Returns the type (> 0), 0 on end of stream, or -errno. *fd is a received
 * descriptor or -1; payload is NUL-terminated (len includes no NUL). */
int channel_recv(int sock, char *payload, size_t cap, size_t *len, int *fd);

/* The child's way to report a setup failure: one line with errno. */
void channel_fail(int sock, const char *what);

#endif
