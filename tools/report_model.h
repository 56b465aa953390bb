/*
 * report_model: one pass over a log gathers what `spxaudit report` shows,
 * aggregated so that a log of a million records stays a page a person can
 * read: the job, what it changed (changes.h), what it read, a timeline of
 * its operations and bytes, what it was refused and what it executed.
 */
#ifndef SPX_TOOLS_REPORT_MODEL_H
#define SPX_TOOLS_REPORT_MODEL_H

#include "changes.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One record's place on the timeline. */
struct report_point {
	int64_t t_ns; /* since the header */
	int64_t read, written;
};

struct report_model {
	json_t *header, *start, *exit; /* the records themselves, or NULL */
	json_t *signals;               /* the signal and limit records, in order */
	char first_time[40], last_time[40];
	long long records; /* all but header and end */
	long long failed;  /* operations that did not return "ok" */
	long long bytes_read, bytes_written;
	json_t *ops; /* op -> {"count", "failed"} */
	struct changes *changes;
	json_t *reads;      /* path -> {"full": {hash: times}, "part": bytes, "changing": times} */
	json_t *denied;     /* syscall -> {"count", "results": {errno: n}, "pids": {pid: n},
	                       "args": the first call's args} */
	json_t *unrecorded; /* the denials_unrecorded record, or NULL */
	json_t *execs;      /* exec'd path -> {"count", "failed", "first"} */
	json_t *exec_files; /* file executed -> {sha256: {"n"}} */
	struct report_point *points;
	size_t npoints, cap;
	int64_t t0_sec, t0_nsec;
	int have_t0;
};

int report_model_init(struct report_model *m); /* 0, or -1 out of memory */
void report_model_free(struct report_model *m);

/* Feeds one record, in log order; false when out of memory. */
bool report_model_add(struct report_model *m, json_t *rec);

#endif
