/* spxaudit summary [--json] [filters] LOG: operations per kind, bytes per
 * file, errors, duration. */
#include "commands.h"
#include "filter.h"
#include "logfile.h"
#include "record.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct summary {
	struct filter filter;
	json_t *ops;	/* op -> {count, failed} */
	json_t *files;	/* path -> {read, written} */
	json_t *errors; /* "op result path" -> count */
	char first[40], last[40];
	long long records;
};

static bool add(json_t *rec, void *ctx)
{
	struct summary *s = ctx;
	const char *op = rec_str(rec, "op");
	const char *t = rec_str(rec, "time");
	if (s->first[0] == '\0')
		snprintf(s->first, sizeof(s->first), "%s", t);
	snprintf(s->last, sizeof(s->last), "%s", t);
	if (strcmp(op, "header") == 0 || strcmp(op, "end") == 0 || !filter_keep(&s->filter, rec))
		return true;
	s->records++;
	const char *result = rec_str(rec, "result");
	/* sandbox events without a result (start, exit, limit) did not fail */
	bool failed = json_object_get(rec, "result") != NULL && strcmp(result, "ok") != 0;
	json_bump(s->ops, op, "count", 1);
	json_bump(s->ops, op, "failed", failed);
	const char *path = rec_str(rec, "path");
	long long r = rec_int(rec, "read", 0), w = rec_int(rec, "written", 0);
	if (r > 0)
		json_bump(s->files, path, "read", r);
	if (w > 0)
		json_bump(s->files, path, "written", w);
	if (failed) {
		char key[4200];
		snprintf(key, sizeof(key), "%s %s %s", op, result, path);
		json_bump(s->errors, key, "count", 1);
	}
	return true;
}

static void print_table(const struct summary *s)
{
	printf("records: %lld  from %s  to %s  (%.3f s)\n\n", s->records, s->first, s->last,
	       rec_seconds_between(s->first, s->last));
	printf("%-16s %8s %8s\n", "OPERATION", "COUNT", "FAILED");
	const char *k;
	json_t *v;
	json_object_foreach(s->ops, k, v)
		printf("%-16s %8lld %8lld\n", k, rec_int(v, "count", 0), rec_int(v, "failed", 0));
	if (json_object_size(s->files) > 0) {
		printf("\n%12s %12s  %s\n", "READ", "WRITTEN", "FILE");
		json_object_foreach(s->files, k, v)
			printf("%12lld %12lld  %s\n", rec_int(v, "read", 0), rec_int(v, "written", 0), k);
	}
	if (json_object_size(s->errors) > 0) {
		printf("\n%6s  %s\n", "TIMES", "ERROR (op result path)");
		json_object_foreach(s->errors, k, v)
			printf("%6lld  %s\n", rec_int(v, "count", 0), k);
	}
}

int cmd_summary(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'}, FILTER_LONGOPTS, {NULL, 0, NULL, 0}};
	struct summary s = {.ops = json_object(), .files = json_object(), .errors = json_object()};
	filter_init(&s.filter);
	bool as_json = false;
	int c, status = EXIT_USAGE;
	while ((c = getopt_long(argc, argv, "j" FILTER_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == 'j') {
			as_json = true;
			continue;
		}
		int r = filter_option(&s.filter, c, optarg);
		if (r <= 0) {
			if (r == 0)
				fprintf(stderr, "spxaudit: summary: unknown option '%s'\n",
					argv[optind - 1]);
			goto out;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "spxaudit: usage: spxaudit summary [--json] [filters] LOG\n");
		goto out;
	}
	status = logfile_each(argv[optind], false, add, &s);
	if (status == EXIT_UNREADABLE)
		goto out;
	if (as_json) {
		json_t *out = json_pack("{s:I, s:s, s:s, s:f, s:O, s:O, s:O}", "records",
					(json_int_t)s.records, "from", s.first, "to", s.last,
					"seconds", rec_seconds_between(s.first, s.last), "operations",
					s.ops, "files", s.files, "errors", s.errors);
		if (out != NULL)
			print_json(out);
		json_decref(out);
	} else {
		print_table(&s);
	}
out:
	json_decref(s.ops);
	json_decref(s.files);
	json_decref(s.errors);
	return status;
}
