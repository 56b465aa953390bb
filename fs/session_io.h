/*
 * session_io: the reads and writes of /dev/fuse that libfuse makes, given
 * to it as its "custom I/O" so that spxfs can amend one message: the
 * answer to the kernel's INIT.
 *
 * libfuse 3.14 speaks protocol 7.31 and cannot ask for two things spxfs
 * needs:
 *  - FUSE_HANDLE_KILLPRIV_V2 (7.33). Without it the kernel asks the
 *    server for "security.capability" before every write(2) of a job (one
 *    more round trip each: a fifth of the requests of an untar). With it
 *    the kernel marks an inode S_NOSEC after one answer, and leaves
 *    clearing setuid/setgid bits and capabilities on a write to the
 *    server, which spxfs does (spx_kill_privs in kill_privs.c) and the
 *    host's kernel does for capabilities on its own.
 *  - FUSE_PARALLEL_DIROPS. libfuse 3.14 takes FUSE_CAP_PARALLEL_DIROPS
 *    from the init handler and drops it from its reply (fixed in 3.16,
 *    libfuse#861), so the kernel held a mutex per directory across each
 *    LOOKUP and READDIR: two processes looking up names in one directory
 *    took turns, a round trip each.
 */
#ifndef SPX_SESSION_IO_H
#define SPX_SESSION_IO_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <stdint.h>

/* Gives se the I/O below; 0 or a negative errno. */
int session_io_install(struct fuse_session *se);

/* Called from the init handler: the next reply this thread sends is the
 * INIT reply; flags (the kernel's FUSE_* init flags) are OR'ed into it. */
void session_io_amend_init_reply(uint32_t flags);

#endif
