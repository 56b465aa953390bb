#include "channel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

int channel_send(int sock, char type, const void *payload, size_t len, int fd)
{
	char buf[512];
	if (len + 1 > sizeof(buf))
		return -EMSGSIZE;
	buf[0] = type;
	if (len > 0)
		memcpy(buf + 1, payload, len);
	struct iovec iov = {.iov_base = buf, .iov_len = len + 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t n;
	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

int channel_recv(int sock, char *payload, size_t cap, size_t *len, int *fd)
{
	char buf[512];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	*fd = -1;
	*len = 0;
	ssize_t n;
	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	size_t got = (size_t)n - 1 < cap - 1 ? (size_t)n - 1 : cap - 1;
	memcpy(payload, buf + 1, got);
	payload[got] = '\0';
	*len = got;
	return (unsigned char)buf[0];
}

void channel_fail(int sock, const char *what)
{
	char line[400];
	int n = snprintf(line, sizeof(line), "%s: %s", what, strerror(errno));
	(void)channel_send(sock, MSG_ERROR, line, n < 0 ? 0 : (size_t)n, -1);
}
