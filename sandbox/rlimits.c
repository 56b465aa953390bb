#include "rlimits.h"

#include <errno.h>
#include <sys/resource.h>

static int set(int resource, long long value)
{
	struct rlimit rl = {.rlim_cur = (rlim_t)value, .rlim_max = (rlim_t)value};
	return setrlimit(resource, &rl) < 0 ? -errno : 0;
}

int limits_apply(const struct box_options *o, const char **what)
{
	int r = 0;
	/* No core dumps: a crashing job must not write outside its log. */
	*what = "RLIMIT_CORE";
	r = set(RLIMIT_CORE, 0);
	if (r == 0 && o->cpu_time > 0) {
		*what = "--cpu-time";
		r = set(RLIMIT_CPU, o->cpu_time);
	}
	if (r == 0 && o->memory > 0) {
		*what = "--memory";
		r = set(RLIMIT_AS, o->memory);
	}
	if (r == 0 && o->max_files > 0) {
		*what = "--max-files";
		r = set(RLIMIT_NOFILE, o->max_files);
	}
	if (r == 0 && o->max_file_size > 0) {
		*what = "--max-file-size";
		r = set(RLIMIT_FSIZE, o->max_file_size);
	}
	return r;
}
