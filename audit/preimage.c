#include "preimage.h"

#include <errno.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <unistd.h>

int preimage_copy(int src, int dst, const char **method)
{
	if (ioctl(dst, FICLONE, src) == 0) {
		*method = "reflink";
		return 0;
	}
	*method = "copy";
	off_t in = 0, out = 0;
	for (;;) {
		ssize_t n = copy_file_range(src, &in, dst, &out, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0 || errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS)
			return -errno;
		break;
	}
	char buf[1 << 16];
	for (;;) {
		ssize_t n = pread(src, buf, sizeof(buf), in);
		if (n == 0)
			return 0;
		if (n < 0)
			return -errno;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = pwrite(dst, buf + done, (size_t)(n - done), out);
			if (w < 0)
				return -errno;
			done += w;
			out += w;
		}
		in += n;
	}
}
