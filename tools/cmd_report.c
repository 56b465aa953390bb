/* spxaudit report [--key FILE] [--head HASH] [-o FILE] LOG: what a job did,
 * as one self-contained HTML page (report_html.h). The log is verified in
 * the pass that reads it; a tampered or incomplete one still gets its
 * page, whose top says so, and the exit status is verify's. */
#include "commands.h"
#include "logfile.h"
#include "output.h"
#include "report_html.h"
#include "report_model.h"
#include "verified_log.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

struct walk {
	struct report_model m;
	bool out_of_memory;
};

static bool add(json_t *rec, void *ctx)
{
	struct walk *w = ctx;
	w->out_of_memory = !report_model_add(&w->m, rec);
	return !w->out_of_memory;
}

static int verdict_status(enum audit_verdict v)
{
	return v == VERIFY_INTACT       ? EXIT_OK
	       : v == VERIFY_INCOMPLETE ? EXIT_INCOMPLETE
	                                : EXIT_BROKEN;
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"head", required_argument, NULL, 'H'},
	    {"output", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	struct report_input in = {.started = report_clock()};
	struct chain_key key = {0};
	const char *output = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "k:H:o:", longopts, NULL)) != -1) {
		if (c == 'k' && verified_log_key_option(optarg, &key) == EXIT_OK)
			in.keyed = true;
		else if (c == 'H' && verified_log_head_option(optarg) == EXIT_OK)
			in.head_given = optarg;
		else if (c == 'o')
			output = optarg;
		else {
			if (c == '?')
				fprintf(stderr, "spxaudit: report: unknown option '%s'\n",
				        argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(
		    stderr,
		    "spxaudit: usage: spxaudit report [--key FILE] [--head HASH] [-o FILE] LOG\n");
		return EXIT_USAGE;
	}
	in.log_name = argv[optind];
	struct audit_verify_result res;
	struct walk w = {0};
	if (report_model_init(&w.m) < 0) {
		fprintf(stderr, "spxaudit: out of memory\n");
		return EXIT_UNREADABLE;
	}
	int status = verified_log_read(in.log_name, &key, in.head_given, &res, add, &w);
	memset(&key, 0, sizeof(key));
	if (status == EXIT_OK && w.out_of_memory) {
		fprintf(stderr, "spxaudit: out of memory\n");
		status = EXIT_UNREADABLE;
	}
	if (status != EXIT_OK) {
		report_model_free(&w.m);
		return status;
	}
	in.verify = &res;
	struct output out;
	if (!output_open(&out, output)) {
		report_model_free(&w.m);
		return EXIT_OUTPUT;
	}
	bool built = report_html(out.f, &in, &w.m) == 0;
	if (!built)
		fprintf(stderr, "spxaudit: out of memory\n");
	report_model_free(&w.m);
	if (!output_close(&out, built) || !built)
		return EXIT_OUTPUT;
	return verdict_status(res.verdict);
}
