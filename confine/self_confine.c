#include "self_confine.h"
#include "caps_keep.h"
#include "daemon_filter.h"
#include "sanitized.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A sanitizer writes its report to ASAN_OPTIONS' log_path: a sanitized
 * build lets it, or the report of a bug would be lost to Landlock. */
static int sanitizer_log_dir(void)
{
#ifdef SANITIZED
	const char *opts = getenv("ASAN_OPTIONS");
	const char *p = opts != NULL ? strstr(opts, "log_path=") : NULL;
	if (p == NULL)
		return -1;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", p + strlen("log_path="));
	char *end = strchr(dir, ':');
	if (end != NULL)
		*end = '\0';
	char *slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return -1;
	*slash = '\0';
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
#else
	return -1;
#endif
}

int self_confine_files(const char *program, const struct landlock_grant *grants, size_t n,
		       char *err, size_t errlen)
{
	/* glibc loads libgcc_s on the first thread cancellation (libfuse
	 * cancels its workers at the end); once Landlock holds, the library
	 * could not be opened. Load it now; it stays. */
	if (dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_NODELETE) == NULL) {
		snprintf(err, errlen, "cannot load libgcc_s.so.1: %s", dlerror());
		return -1;
	}
	struct landlock_grant all[16];
	if (n + 2 > sizeof(all) / sizeof(all[0])) {
		snprintf(err, errlen, "Landlock: too many grants");
		return -1;
	}
	memcpy(all, grants, n * sizeof(*grants));
	int san = sanitizer_log_dir(), proc = -1;
	if (san >= 0) {
		all[n++] = (struct landlock_grant){.fd = san, .access = landlock_dir_rw()};
		/* LSan lists /proc/self/task to stop the threads */
		proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (proc >= 0) /* room for both: checked above */
			all[n++] = (struct landlock_grant){.fd = proc, .access = landlock_dir_ro()};
	}
	char notice[256] = "";
	int r = landlock_confine(all, n, notice, sizeof(notice));
	if (san >= 0)
		close(san);
	if (proc >= 0)
		close(proc);
	if (r < 0) {
		snprintf(err, errlen, "Landlock: %s", strerror(-r));
		return -1;
	}
	if (r == 0)
		fprintf(stderr, "%s: notice: %s\n", program, notice);
	return 0;
}

int self_confine(const char *program, const struct landlock_grant *grants, size_t n,
		 bool supervisor, char *err, size_t errlen)
{
	const char *what;
	int r = caps_keep_only(caps_file_server, caps_file_server_len, &what);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", what, strerror(-r));
		return -1;
	}
	if (n > 0 && self_confine_files(program, grants, n, err, errlen) < 0)
		return -1;
	r = daemon_filter_install(program, supervisor);
	if (r < 0) {
		snprintf(err, errlen, "seccomp: %s", strerror(-r));
		return -1;
	}
	return 0;
}
