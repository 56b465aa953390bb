/* filter: which records show, summary and follow keep (--op, --path,
 * --pid, --since, --until, --failed). */
#ifndef SPX_TOOLS_FILTER_H
#define SPX_TOOLS_FILTER_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

struct filter {
	const char *ops[32]; /* --op, repeatable or comma-separated */
	int nops;
	const char *path_glob;
	long long pid; /* -1: any */
	bool has_since, has_until;
	struct timespec since, until;
	bool failed_only;
	char ops_buf[512];
};

void filter_init(struct filter *f);

/* Handles one filter option (getopt's c and optarg): 1 handled, 0 not a
 * filter option, -1 bad value (message printed). */
int filter_option(struct filter *f, int c, const char *arg);

/* Whether any filter option was given. */
bool filter_active(const struct filter *f);

bool filter_keep(const struct filter *f, const json_t *rec);

/* getopt_long entries and short-option letters for the filter options. */
#define FILTER_LONGOPTS                                                                            \
	{"op", required_argument, NULL, 'o'}, {"path", required_argument, NULL, 'p'},              \
		{"pid", required_argument, NULL, 'P'}, {"since", required_argument, NULL, 's'},    \
		{"until", required_argument, NULL, 'u'}, {"failed", no_argument, NULL, 'F'}
#define FILTER_SHORTOPTS "o:p:P:s:u:F"

#endif
