#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool output_open(struct output *o, const char *path)
{
	o->path = path;
	o->f = stdout;
	if (path == NULL || strcmp(path, "-") == 0) {
		o->path = NULL;
		return true;
	}
	if ((size_t)snprintf(o->tmp, sizeof(o->tmp), "%s.XXXXXX", path) >= sizeof(o->tmp)) {
		fprintf(stderr, "spxaudit: %s: name too long\n", path);
		return false;
	}
	int fd = mkstemp(o->tmp);
	if (fd < 0) {
		fprintf(stderr, "spxaudit: %s: %s\n", path, strerror(errno));
		return false;
	}
	/* as a file made by open(O_CREAT, 0666) would be */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0 || (o->f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "spxaudit: %s: %s\n", path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		return false;
	}
	return true;
}

bool output_close(struct output *o, bool keep)
{
	bool ok = fflush(o->f) == 0 && !ferror(o->f);
	int err = errno;
	if (o->path == NULL) {
		if (!ok)
			fprintf(stderr, "spxaudit: standard output: %s\n", strerror(err));
		return ok;
	}
	if (ok && keep && fsync(fileno(o->f)) < 0) {
		ok = false;
		err = errno;
	}
	if (fclose(o->f) != 0 && ok) {
		ok = false;
		err = errno;
	}
	if (ok && keep && rename(o->tmp, o->path) < 0) {
		ok = false;
		err = errno;
	}
	if (!ok || !keep)
		unlink(o->tmp);
	if (!ok)
		fprintf(stderr, "spxaudit: %s: %s; nothing written\n", o->path, strerror(err));
	return ok;
}
