#include "logfile.h"
#include "reader.h"
#include "record.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *rec_str(const json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));
	return s != NULL ? s : "";
}

long long rec_int(const json_t *rec, const char *key, long long dflt)
{
	const json_t *v = json_object_get(rec, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

static bool is_header(const json_t *rec)
{
	return strcmp(rec_str(rec, "op"), "header") == 0 &&
	       strcmp(rec_str(rec, "format"), "spx-audit") == 0;
}

static void pause_briefly(void)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 100000000L}; /* 100 ms */
	nanosleep(&ts, NULL);
}

int logfile_each(const char *path, bool follow, record_fn fn, void *ctx)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "spxaudit: %s: %s\n", path, strerror(errno));
		return EXIT_UNREADABLE;
	}
	struct audit_reader *r = audit_reader_new(f);
	if (r == NULL) {
		fprintf(stderr, "spxaudit: out of memory\n");
		return EXIT_UNREADABLE;
	}
	int status = EXIT_OK;
	long long n = 0;
	bool ended = false, stop = false;
	while (!stop) {
		json_t *rec;
		enum audit_next next = audit_reader_next(r, &rec);
		long long line = (long long)audit_reader_lineno(r);
		if (next == AUDIT_RECORD) {
			if (n == 0 && !is_header(rec)) {
				fprintf(stderr, "spxaudit: %s: not an spx audit log (no header record)\n",
					path);
				json_decref(rec);
				status = EXIT_UNREADABLE;
				break;
			}
			n++;
			ended = strcmp(rec_str(rec, "op"), "end") == 0;
			stop = !fn(rec, ctx) || (follow && ended);
			json_decref(rec);
			continue;
		}
		if (follow && (next == AUDIT_EOF || next == AUDIT_TORN)) {
			audit_reader_rewind_partial(r);
			pause_briefly();
			continue;
		}
		if (next == AUDIT_EOF && n == 0) {
			fprintf(stderr, "spxaudit: %s: empty file, not an spx audit log\n", path);
			status = EXIT_UNREADABLE;
		} else if (next == AUDIT_TORN) {
			fprintf(stderr,
				"spxaudit: %s: line %lld is incomplete (torn tail of an interrupted "
				"write); showing the %lld records before it\n",
				path, line, n);
			if (n == 0)
				status = EXIT_UNREADABLE;
		} else if (next == AUDIT_MALFORMED) {
			fprintf(stderr, "spxaudit: %s: line %lld is not a JSON record%s\n", path, line,
				n == 0 ? ": not an spx audit log" : "; stopping there (run verify)");
			status = n == 0 ? EXIT_UNREADABLE : EXIT_BROKEN;
		} else if (next == AUDIT_IO_ERROR) {
			fprintf(stderr, "spxaudit: %s: read error: %s\n", path, strerror(errno));
			status = EXIT_UNREADABLE;
		}
		break;
	}
	audit_reader_free(r);
	if (f != stdin)
		fclose(f);
	return status;
}

int parse_json_only(int argc, char **argv, int nlogs, const char *usage, bool *as_json)
{
	static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
						 {NULL, 0, NULL, 0}};
	int c;
	*as_json = false;
	while ((c = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		if (c != 'j') {
			fprintf(stderr, "spxaudit: %s: unknown option '%s'\n", argv[0],
				argv[optind - 1]);
			return EXIT_USAGE;
		}
		*as_json = true;
	}
	if (argc - optind != nlogs) {
		fprintf(stderr, "spxaudit: usage: spxaudit %s\n", usage);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **sorted_keys(json_t *obj, size_t *n)
{
	return keys_sorted_by(obj, n, compare_keys);
}

const char **keys_sorted_by(json_t *obj, size_t *n, int (*cmp)(const void *, const void *))
{
	const char **keys = malloc((json_object_size(obj) + 1) * sizeof(*keys));
	*n = 0;
	if (keys == NULL)
		return NULL;
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) keys[(*n)++] = k;
	qsort(keys, *n, sizeof(*keys), cmp);
	return keys;
}

void json_bump(json_t *obj, const char *key, const char *field, long long by)
{
	json_t *e = json_object_get(obj, key);
	if (e == NULL) {
		e = json_object();
		json_object_set_new(obj, key, e);
	}
	json_object_set_new(e, field, json_integer(add_sat(rec_int(e, field, 0), by)));
}

double rec_seconds_between(const char *a, const char *b)
{
	struct timespec ta, tb;
	if (record_parse_time(a, &ta) < 0 || record_parse_time(b, &tb) < 0)
		return 0;
	return (double)(tb.tv_sec - ta.tv_sec) + (double)(tb.tv_nsec - ta.tv_nsec) / 1e9;
}

void print_json(const json_t *v)
{
	char *text = json_dumps(v, JSON_INDENT(2));
	if (text != NULL)
		puts(text);
	free(text);
}
