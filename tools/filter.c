#include "filter.h"
#include "logfile.h"
#include "record.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void filter_init(struct filter *f)
{
	memset(f, 0, sizeof(*f));
	f->pid = -1;
}

static int add_ops(struct filter *f, const char *arg)
{
	size_t used = strlen(f->ops_buf);
	if (used + strlen(arg) + 2 > sizeof(f->ops_buf))
		return -1;
	char *start = f->ops_buf + used + (used ? 1 : 0);
	memcpy(start, arg, strlen(arg) + 1);
	char *save = NULL;
	for (char *tok = strtok_r(start, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (f->nops == 32)
			return -1;
		f->ops[f->nops++] = tok;
	}
	return 0;
}

int filter_option(struct filter *f, int c, const char *arg)
{
	char *end;
	switch (c) {
	case 'o':
		if (add_ops(f, arg) < 0) {
			fprintf(stderr, "spxaudit: --op: too many operations\n");
			return -1;
		}
		return 1;
	case 'p':
		f->path_glob = arg;
		return 1;
	case 'P':
		errno = 0;
		f->pid = strtoll(arg, &end, 10);
		if (errno || *end || end == arg || f->pid < 0) {
			fprintf(stderr, "spxaudit: --pid wants a process id, not '%s'\n", arg);
			return -1;
		}
		return 1;
	case 's':
	case 'u':
		if (record_parse_time(arg, c == 's' ? &f->since : &f->until) < 0) {
			fprintf(stderr,
				"spxaudit: --%s wants an RFC 3339 UTC time like "
				"2026-11-29T07:31:00Z, not '%s'\n",
				c == 's' ? "since" : "until", arg);
			return -1;
		}
		if (c == 's')
			f->has_since = true;
		else
			f->has_until = true;
		return 1;
	case 'F':
		f->failed_only = true;
		return 1;
	default:
		return 0;
	}
}

static int cmp_ts(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

bool filter_active(const struct filter *f)
{
	return f->nops > 0 || f->path_glob != NULL || f->pid >= 0 || f->has_since ||
	       f->has_until || f->failed_only;
}

bool filter_keep(const struct filter *f, const json_t *rec)
{
	const char *op = rec_str(rec, "op");
	if (f->nops > 0) {
		bool any = false;
		for (int i = 0; i < f->nops && !any; i++)
			any = strcmp(f->ops[i], op) == 0;
		if (!any)
			return false;
	}
	if (f->path_glob != NULL) {
		const char *p = rec_str(rec, "path"), *p2 = rec_str(rec, "path2");
		if (fnmatch(f->path_glob, p, 0) != 0 && fnmatch(f->path_glob, p2, 0) != 0)
			return false;
	}
	if (f->pid >= 0 && rec_int(rec, "pid", -1) != f->pid)
		return false;
	if (f->failed_only && strcmp(rec_str(rec, "result"), "ok") == 0)
		return false;
	if (f->failed_only && json_object_get(rec, "result") == NULL)
		return false;
	if (f->has_since || f->has_until) {
		struct timespec t;
		if (record_parse_time(rec_str(rec, "time"), &t) < 0)
			return false;
		if (f->has_since && cmp_ts(&t, &f->since) < 0)
			return false;
		if (f->has_until && cmp_ts(&t, &f->until) > 0)
			return false;
	}
	return true;
}
