/* report_html: the report page: one self-contained HTML file (styles and
 * charts inline, nothing fetched) whose top says whether the log can be
 * trusted, then the job, what it changed, read, was refused and ran. */
#ifndef SPX_TOOLS_REPORT_HTML_H
#define SPX_TOOLS_REPORT_HTML_H

#include "reader.h"
#include "report_model.h"

#include <stdio.h>

struct report_input {
	const char *log_name;
	const struct audit_verify_result *verify;
	const char *head_given; /* --head, or NULL */
	bool keyed;             /* --key was given */
	double started;         /* CLOCK_MONOTONIC seconds when the command began */
};

/* CLOCK_MONOTONIC in seconds: the footer says how long the page took. */
double report_clock(void);

/* Returns 0, or -1 when out of memory. Write errors show on out. */
int report_html(FILE *out, const struct report_input *in, const struct report_model *m);

#endif
