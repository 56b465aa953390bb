/*
 * logfile: opening a log for a subcommand and walking its records, with
 * one clear message for a damaged, empty or foreign file.
 */
#ifndef SPX_TOOLS_LOGFILE_H
#define SPX_TOOLS_LOGFILE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

/* spxaudit's exit statuses (docs/spxaudit.md). */
enum {
	EXIT_OK = 0,
	EXIT_BROKEN = 1,     /* verify: tampered; others: a malformed record mid-log */
	EXIT_USAGE = 2,
	EXIT_INCOMPLETE = 3, /* verify: torn tail or no end record */
	EXIT_UNREADABLE = 4, /* missing, unreadable, empty or not an spx audit log */
	EXIT_OUTPUT = 5,     /* report, provenance: the output could not be written */
};

/* Called for each record (the header included); return false to stop. */
typedef bool (*record_fn)(json_t *rec, void *ctx);

/*
 * Reads LOG ("-" for standard input) and calls fn for every record.
 * follow: at the end, wait for more until the end record arrives.
 * Returns an exit status; problems are reported on stderr as
 * "spxaudit: LOG: ...". A torn last line is a warning only.
 */
int logfile_each(const char *path, bool follow, record_fn fn, void *ctx);

/* For subcommands whose only option is --json and that take nlogs LOG
 * arguments: parses argv; returns EXIT_OK or EXIT_USAGE (message printed).
 * The LOGs are argv[optind...]. */
int parse_json_only(int argc, char **argv, int nlogs, const char *usage, bool *as_json);

/* The keys of obj, sorted (pointers into obj, valid while it lives);
 * malloc'ed array, NULL when out of memory. */
const char **sorted_keys(json_t *obj, size_t *n);

/* The same in the order cmp (a qsort comparator of const char **) gives. */
const char **keys_sorted_by(json_t *obj, size_t *n, int (*cmp)(const void *, const void *));

/* a + b for counts taken from a log, which may hold any number: stops at
 * the largest value instead of overflowing. */
static inline long long add_sat(long long a, long long b)
{
	long long r;
	return __builtin_add_overflow(a, b, &r) ? (b > 0 ? LLONG_MAX : LLONG_MIN) : r;
}

/* obj[key][field] += by (add_sat), making what is missing. */
void json_bump(json_t *obj, const char *key, const char *field, long long by);

/* Seconds from record time a to record time b; 0 when either is none. */
double rec_seconds_between(const char *a, const char *b);

/* Prints a JSON value indented, as the --json outputs do. */
void print_json(const json_t *v);

/* Convenience accessors that tolerate missing fields. */
const char *rec_str(const json_t *rec, const char *key);
long long rec_int(const json_t *rec, const char *key, long long dflt);

#endif
