/* The /dev/fuse I/O libfuse is given, and the amended INIT reply. */
#include "session_io.h"

#include <linux/fuse.h>
#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>

/* Only the thread running the init handler sends the INIT reply, right
 * after the handler returns; no other message is touched. */
static _Thread_local uint32_t init_reply_flags;

void session_io_amend_init_reply(uint32_t flags)
{
	init_reply_flags = flags;
}

static ssize_t io_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	(void)userdata;
	if (init_reply_flags != 0) {
		uint32_t flags = init_reply_flags;
		init_reply_flags = 0;
		const struct fuse_out_header *h = iov[0].iov_base;
		/* flags is the fourth field of every size of fuse_init_out */
		if (count == 2 && iov[0].iov_len == sizeof(*h) && h->error == 0 &&
		    iov[1].iov_len >= 4 * sizeof(uint32_t)) {
			struct fuse_init_out *out = iov[1].iov_base;
			out->flags |= flags;
		}
	}
	return writev(fd, iov, count);
}

static ssize_t io_read(int fd, void *buf, size_t len, void *userdata)
{
	(void)userdata;
	return read(fd, buf, len);
}

int session_io_install(struct fuse_session *se)
{
	static const struct fuse_custom_io io = {.writev = io_writev, .read = io_read};
	return fuse_session_custom_io(se, &io, fuse_session_fd(se));
}
