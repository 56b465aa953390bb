/* spxaudit show|follow [--json] [filters] LOG: one line per record. */
#include "commands.h"
#include "filter.h"
#include "logfile.h"

#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct show {
	struct filter filter;
	bool json;
	long long shown;
};

static void print_row(const json_t *rec)
{
	const char *t = rec_str(rec, "time");
	const char *clock = strlen(t) >= 23 ? t + 11 : t; /* HH:MM:SS.mmm */
	char bytes[48] = "";
	long long r = rec_int(rec, "read", -1), w = rec_int(rec, "written", -1);
	if (r > 0 && w > 0)
		snprintf(bytes, sizeof(bytes), "r%lld w%lld", r, w);
	else if (r > 0)
		snprintf(bytes, sizeof(bytes), "r%lld", r);
	else if (w > 0)
		snprintf(bytes, sizeof(bytes), "w%lld", w);
	const char *p2 = rec_str(rec, "path2");
	const char *call = rec_str(rec, "syscall");
	const char *target = rec_str(rec, "target");
	printf("%-12.12s %7lld %-12s %-8s %-9s %s%s%s%s%s%s%s\n", clock, rec_int(rec, "pid", 0),
	       rec_str(rec, "op"), rec_str(rec, "result"), bytes, *call ? call : "",
	       *call && *rec_str(rec, "path") ? " " : "", rec_str(rec, "path"), *p2 ? " -> " : "",
	       p2, *target ? " => " : "", target);
}

static bool show_one(json_t *rec, void *ctx)
{
	struct show *s = ctx;
	const char *op = rec_str(rec, "op");
	/* The header and end records frame an unfiltered listing. */
	bool frame = strcmp(op, "header") == 0 || strcmp(op, "end") == 0;
	if (frame ? filter_active(&s->filter) : !filter_keep(&s->filter, rec))
		return true;
	if (s->shown++ == 0 && !s->json)
		printf("%-12s %7s %-12s %-8s %-9s %s\n", "TIME", "PID", "OP", "RESULT", "BYTES",
		       "PATH");
	if (s->json) {
		char *text = json_dumps(rec, JSON_COMPACT);
		if (text != NULL)
			puts(text);
		free(text);
	} else if (frame) {
		printf("# %s %s\n", op, strcmp(op, "header") == 0 ? rec_str(rec, "root")
								  : rec_str(rec, "head"));
	} else {
		print_row(rec);
	}
	fflush(stdout);
	return true;
}

int cmd_show(int argc, char **argv, bool follow)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'}, FILTER_LONGOPTS, {NULL, 0, NULL, 0}};
	struct show s = {0};
	filter_init(&s.filter);
	int c;
	while ((c = getopt_long(argc, argv, "j" FILTER_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == 'j') {
			s.json = true;
			continue;
		}
		int r = filter_option(&s.filter, c, optarg);
		if (r <= 0) {
			if (r == 0)
				fprintf(stderr, "spxaudit: %s: unknown option '%s'\n", argv[0],
					argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "spxaudit: usage: spxaudit %s [--json] [filters] LOG\n", argv[0]);
		return EXIT_USAGE;
	}
	return logfile_each(argv[optind], follow, show_one, &s);
}
